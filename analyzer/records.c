/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "file-hash.h"
#include "grow.h"
#include "hosts.h"
#include "records.h"
#include "tornwatch-events.h"

#define NO_REC ((size_t)-1)

void tw_piece_start(struct tw_piece *p, const struct tw_crcs *cr)
{
	p->cr = cr;
	p->pos = cr->offset;
	p->i = 0;
}

int tw_piece_next(struct tw_piece *p)
{
	uint64_t end = p->cr->offset + p->cr->length, next;

	if (p->i >= p->cr->n || p->pos >= end) {
		return 0;
	}
	p->blk = p->pos / TW_GRAIN;
	next = (p->blk + 1) * TW_GRAIN;
	p->lo = (unsigned int)(p->pos - p->blk * TW_GRAIN);
	p->hi = (unsigned int)((next < end ? next : end) - p->blk * TW_GRAIN);
	p->crc = p->cr->crc[p->i++];
	p->pos = next;
	return 1;
}

void tw_records_init(struct tw_records *r)
{
	memset(r, 0, sizeof(*r));
	r->page_size = 4096;
}

void tw_records_free(struct tw_records *r)
{
	size_t i;

	for (i = 0; i < r->nwin; i++) {
		tw_rec_free_crcs(tw_rec_at(r, r->first + i));
	}
	for (i = 0; i < r->cited.cap; i++) {
		if (r->cited.slot[i].used) {
			struct tw_rec *x = (struct tw_rec *)r->cited.slot[i].rec;

			tw_rec_free_crcs(x);
			free(x);
		}
	}
	for (i = 0; i < r->capnames; i++) {
		free(r->names[i].path);
	}
	free(r->barriers);
	free(r->fdopen);
	free(r->rec);
	tw_call_index_free(&r->calls);
	tw_call_index_free(&r->cited);
	free(r->names);
	free(r->lost_ts);
	tw_loss_free(&r->loss);
	tw_map_modes_free(&r->modes);
	free(r->pids);
	free(r->tree);
	tw_pid_index_free(&r->pid_at);
	tw_pid_index_free(&r->tree_at);
	free(r->untraced);
	tw_lifetimes_free(r->lives);
	tw_symbols_free(r->syms);
	memset(r, 0, sizeof(*r));
}

/* The slot of (dev, ino) in a table of cap (a power of two) entries. */
static struct tw_file_name *name_slot(struct tw_file_name *tab, size_t cap,
				      uint64_t dev, uint64_t ino)
{
	size_t i = tw_file_hash(dev, ino) & (cap - 1);

	while (tab[i].path && (tab[i].dev != dev || tab[i].ino != ino)) {
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static int grow_names(struct tw_records *r)
{
	size_t cap = r->capnames ? r->capnames * 2 : 256, i;
	struct tw_file_name *tab = calloc(cap, sizeof(*tab));

	if (!tab) {
		return -ENOMEM;
	}
	for (i = 0; i < r->capnames; i++) {
		if (r->names[i].path) {
			*name_slot(tab, cap, r->names[i].dev, r->names[i].ino) =
				r->names[i];
		}
	}
	free(r->names);
	r->names = tab;
	r->capnames = cap;
	return 0;
}

/* The newest name (dev, ino) was opened by: what reports call the file. */
static int add_name(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_file_name *e;
	char *path;

	if (ev->path[0] == '\0') {
		return 0;
	}
	if ((r->nnames + 1) * 2 > r->capnames && grow_names(r) != 0) {
		return -ENOMEM;
	}
	e = name_slot(r->names, r->capnames, ev->dev, ev->ino);
	if (e->path && strcmp(e->path, ev->path) == 0) {
		return 0;
	}
	if (!(path = strdup(ev->path))) {
		return -ENOMEM;
	}
	if (!e->path) {
		r->nnames++;
		e->dev = ev->dev;
		e->ino = ev->ino;
	}
	free(e->path);
	e->path = path;
	return 0;
}

const char *tw_records_path(const struct tw_records *r, uint64_t dev,
			    uint64_t ino)
{
	if (r->nnames == 0) {
		return NULL;
	}
	return name_slot(r->names, r->capnames, dev, ino)->path;
}

int tw_records_lost_before(const struct tw_records *r, int64_t t)
{
	return r->unplaced_loss || (r->nlost > 0 && r->lost_ts[0] <= t) ||
	       (r->parent_buffered && r->t_parent_buffered <= t);
}

/*
 * A full ring half as large again: 0 or -ENOMEM. A ring touches all of its
 * room, so it grows by less than twice; realloc, so that a large one is
 * moved by remapping, not copied. The records from head on move to the new
 * end.
 */
static int grow_window(struct tw_records *r)
{
	size_t cap = r->cap ? r->cap + r->cap / 2 : 1024;
	size_t tail = r->cap - r->head;
	struct tw_rec *rec = realloc(r->rec, cap * sizeof(*rec));

	if (!rec) {
		return -ENOMEM;
	}
	if (r->cap) {
		memmove(rec + cap - tail, rec + r->head, tail * sizeof(*rec));
		r->head = cap - tail;
	}
	r->rec = rec;
	r->cap = cap;
	return 0;
}

/* A new record filled from the event's call fields, or NULL. */
static struct tw_rec *new_rec(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c;

	/* Versions name their call in 32 bits (versions.h). */
	if (r->end >= UINT32_MAX || (r->nwin == r->cap && grow_window(r) != 0)) {
		return NULL;
	}
	r->nwin++;
	c = tw_rec_at(r, r->end);
	memset(c, 0, sizeof(*c));
	if (r->end++ == 0) {
		r->t_first = ev->ts;
	}
	c->synced_by = NO_REC;
	c->io = NO_REC;
	c->t_begin = ev->ts;
	c->t_end = INT64_MAX;
	c->pid = (int32_t)ev->pid;
	c->tid = (int32_t)ev->tid;
	c->host = ev->host;
	c->cid = ev->cid;
	c->call = tw_fn_name((unsigned int)ev->fn);
	c->done_call = "";
	c->op = (int)ev->op;
	c->fd = (int)ev->fd;
	c->flags = (int)ev->flags;
	c->dev = ev->dev;
	c->ino = ev->ino;
	c->offset = ev->offset;
	c->length = ev->length;
	c->addr = ev->addr;
	return c;
}

/* The name table is hashed (add_name): its first nnames slots are not its names. */
const char *tw_records_name(const struct tw_records *r, uint64_t dev,
			    uint64_t ino)
{
	return tw_records_path(r, dev, ino);
}

/* /proc/PID/mem, /proc/self/task/TID/mem: writing it writes process memory. */
static int is_proc_mem(const char *path)
{
	const char *last = strrchr(path, '/');

	return strncmp(path, "/proc/", 6) == 0 && last && strcmp(last, "/mem") == 0;
}

/* The newest open of (host, pid, fd): models judge reads from there. */
static struct tw_fd_open *fd_open_of(struct tw_records *r, uint32_t host,
				     int32_t pid, int32_t fd)
{
	for (size_t i = r->nfdopen; i-- > 0;) {
		struct tw_fd_open *o = &r->fdopen[i];

		if (o->host == host && o->pid == pid && o->fd == fd) {
			return o;
		}
	}
	return NULL;
}

static int note_open(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_fd_open *o;

	if (!tw_hosts.nmodels) {
		return 0;
	}
	o = fd_open_of(r, ev->host, (int32_t)ev->pid, (int32_t)ev->fd);
	if (!o) {
		if (!TW_GROW(r->fdopen, r->nfdopen, r->capfdopen)) {
			return -ENOMEM;
		}
		o = &r->fdopen[r->nfdopen++];
		o->host = ev->host;
		o->pid = (int32_t)ev->pid;
		o->fd = (int32_t)ev->fd;
	}
	o->ts = ev->ts;
	return 0;
}

static int begin(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = new_rec(r, ev);
	const struct tw_fd_open *o;
	const char *name;

	if (!c) {
		return -ENOMEM;
	}
	if (tw_hosts.nmodels && c->op == TW_OP_READ &&
	    (o = fd_open_of(r, c->host, c->pid, c->fd))) {
		c->t_open = o->ts;
	}
	/*
	 * A write into a process's memory may change any file it maps: data
	 * written to no file known (dev 0, ino 0), which every file's later
	 * reads reckon with.
	 */
	if (c->op == TW_OP_WRITE && (name = tw_records_path(r, c->dev, c->ino)) &&
	    is_proc_mem(name)) {
		c->op = TW_OP_OPAQUE;
		c->dev = c->ino = 0;
		c->offset = -1;
	}
	if (c->op == TW_OP_OPAQUE && c->dev == 0 && c->ino == 0) {
		c->anywhere = 1;
		if (r->mem_writes++ == 0) {
			r->t_mem_write = c->t_begin;
		}
	}
	if (ev->op == TW_OP_UNLINK &&
	    tw_lifetimes_removing(&r->lives, ev->dev, ev->ino, ev->flags) != 0) {
		return -ENOMEM;
	}
	return tw_call_index_put(&r->calls, (int32_t)ev->pid, ev->cid, r->end - 1);
}

/* The call not yet ended that the event names, or NULL. */
static struct tw_rec *open_call(struct tw_records *r, const struct tw_event *ev)
{
	size_t k = tw_call_index_get(&r->calls, (int32_t)ev->pid, ev->cid);

	return k == NO_REC ? NULL : tw_rec_find(r, k);
}

/*
 * A call that returned after it was judged as never ending: what came after
 * its begin was judged without it, so it counts like lost events there.
 */
static int late(struct tw_records *r, const struct tw_rec *c)
{
	r->late_ends++;
	if (!TW_GROW(r->lost_ts, r->nlost, r->caplost)) {
		return -ENOMEM;
	}
	r->lost_ts[r->nlost++] = c->t_begin;
	return 0;
}

/* A returned close or fsync of a known file, kept for the models. */
static int note_barrier(struct tw_records *r, const struct tw_rec *c)
{
	int fsync = c->op == TW_OP_FSYNC;

	if (!tw_hosts.nmodels || c->ret != 0 || (!c->dev && !c->ino) ||
	    !(fsync || (c->op == TW_OP_OTHER && !c->note &&
			strcmp(c->call, "close") == 0))) {
		return 0;
	}
	if (!TW_GROW(r->barriers, r->nbarriers, r->capbarriers)) {
		return -ENOMEM;
	}
	r->barriers[r->nbarriers++] = (struct tw_barrier){
		c->dev, c->ino, c->host, fsync, c->t_begin, c->t_end };
	return 0;
}

static int end(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = open_call(r, ev);

	if (!c || c->aio) {
		r->orphans++;
		return 0;
	}
	c->t_end = ev->ts;
	c->ret = ev->ret;
	c->err = (int)ev->err;
	if (!c->anywhere) {
		c->offset = ev->offset;
	}
	c->ended = 1;
	c->closed = 1;
	tw_call_index_del(&r->calls, (int32_t)ev->pid, ev->cid);
	if (c->op == TW_OP_UNLINK) {
		tw_lifetimes_removed(r->lives, c->dev, c->ino, c->flags,
				     c->ret == 0);
	}
	if (note_barrier(r, c) != 0) {
		return -ENOMEM;
	}
	return c->overdue ? late(r, c) : 0;
}

static int append_crcs(struct tw_crcs *to, const struct tw_event *ev)
{
	uint32_t *p;

	if (ev->ncrc == 0) {
		return 0;
	}
	p = realloc(to->crc, (to->n + ev->ncrc) * sizeof(uint32_t));
	if (!p) {
		return -ENOMEM;
	}
	if (to->n == 0) {
		to->offset = (uint64_t)ev->offset;
	}
	memcpy(p + to->n, ev->crc, ev->ncrc * sizeof(uint32_t));
	to->crc = p;
	to->n += ev->ncrc;
	to->length += ev->length;
	return 0;
}

/*
 * A write's buffer checksummed again (after a store into it, at its
 * completion) starts a new snapshot with the checksums of its first byte;
 * more batches of the same snapshot follow on. NULL: out of memory.
 */
static struct tw_crcs *later_snapshot(struct tw_rec *c,
				      const struct tw_event *ev)
{
	if (!c->later &&
	    !(c->later = calloc(TW_LATER_MAX, sizeof(*c->later)))) {
		return NULL;
	}
	if (c->nlater == 0 || (uint64_t)ev->offset == (uint64_t)c->offset) {
		if (c->nlater == TW_LATER_MAX) {
			/* Keep the first snapshots and the newest. */
			free(c->later[--c->nlater].crc);
		}
		memset(&c->later[c->nlater++], 0, sizeof(c->later[0]));
	}
	return &c->later[c->nlater - 1];
}

static int pieces(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = open_call(r, ev);
	struct tw_crcs *snap;

	if (!c) {
		r->orphans++;
		return 0;
	}
	switch (ev->kind) {
	case TW_PIECE_OLD:
		return c->op == TW_OP_STORE ? append_crcs(&c->old, ev) :
					      (r->orphans++, 0);
	case TW_PIECE_LATER:
		if (!c->aio || c->op != TW_OP_WRITE) {
			r->orphans++;
			return 0;
		}
		snap = later_snapshot(c, ev);
		return snap ? append_crcs(snap, ev) : -ENOMEM;
	default:
		return append_crcs(&c->data, ev);
	}
}

static int sync_pages(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = open_call(r, ev);
	size_t bpp, i, j, phase = ev->phase ? 1 : 0;
	struct tw_page_crcs *p;

	if (!c || c->op != TW_OP_MSYNC) {
		r->orphans++;
		return 0;
	}
	bpp = ev->npage ? ev->ncrc / ev->npage : 0;
	if (bpp == 0 || bpp > 16) {
		r->orphans++;
		return 0;
	}
	p = realloc(c->pages[phase],
		    (c->npages[phase] + ev->npage) * sizeof(*p));
	if (!p) {
		return -ENOMEM;
	}
	for (i = 0; i < ev->npage; i++) {
		p[c->npages[phase] + i].page = ev->page[i];
		for (j = 0; j < bpp; j++) {
			p[c->npages[phase] + i].crc[j] = ev->crc[i * bpp + j];
		}
	}
	c->pages[phase] = p;
	c->npages[phase] += ev->npage;
	c->blocks_per_page = (unsigned int)bpp;
	return 0;
}

/* A pid that does not fit the array's 32 bits is never found in it. */
static int pid_known(const struct tw_pid_index *x, int64_t pid)
{
	return pid == (int32_t)pid && tw_pid_find(x, (int32_t)pid) >= 0;
}

/* Appends pid to an (array, n, cap) with index x; 0, or -ENOMEM. */
#define PID_APPEND(arr, n, cap, x, pid)					\
	({								\
		int _r = 0;						\
		if (!TW_GROW(arr, n, cap)) {				\
			_r = -ENOMEM;					\
		} else {						\
			(arr)[n] = (int32_t)(pid);			\
			if (tw_pid_find(x, (int32_t)(pid)) < 0 &&	\
			    tw_pid_put(x, (int32_t)(pid), n) != 0) {	\
				_r = -ENOMEM;				\
			} else {					\
				(n)++;					\
			}						\
		}							\
		_r;							\
	})

static int note_pid(struct tw_records *r, int64_t pid)
{
	if (pid_known(&r->pid_at, pid)) {
		return 0;
	}
	return PID_APPEND(r->pids, r->npids, r->cappids, &r->pid_at, pid);
}

static int aio_submit(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = new_rec(r, ev);

	if (!c) {
		return -ENOMEM;
	}
	c->aio = 1;
	c->engine = (int)ev->engine;
	c->opcode = (int)ev->opcode;
	c->ctx = ev->ctx;
	c->id = ev->id;
	c->size = ev->size;
	return tw_call_index_put(&r->calls, (int32_t)ev->pid, ev->cid, r->end - 1);
}

/* The I/O's checksums came before it: the completion closes it. */
static int aio_complete(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = open_call(r, ev);

	if (!c || !c->aio) {
		r->orphans++;
		return 0;
	}
	tw_call_index_del(&r->calls, (int32_t)ev->pid, ev->cid);
	c->closed = 1;
	c->seen = (int)ev->seen;
	c->done_call = tw_fn_name((unsigned int)ev->fn);
	if (c->seen == TW_SEEN_NEVER) {
		return 0;
	}
	c->t_end = ev->ts;
	c->ret = ev->res;
	c->err = ev->res < 0 ? (int)-ev->res : 0;
	c->ended = 1;
	return c->overdue ? late(r, c) : 0;
}

/*
 * The first open of a new file under a number another file had: from it on,
 * the old file's versions are required nowhere in it. Made empty by the
 * open (zeros over the whole file, as an O_TRUNC open's event says), or
 * made where no traced call saw (nothing required until written again).
 */
static int opened(struct tw_records *r, const struct tw_event *ev)
{
	enum tw_life_start s = tw_lifetimes_opened(r->lives, ev->dev, ev->ino,
						   ev->flags, ev->path);
	struct tw_rec *c;

	if (note_open(r, ev) != 0) {
		return -ENOMEM;
	}
	if (s == TW_LIFE_SAME || s == TW_LIFE_SEEN) {
		return add_name(r, ev);
	}
	if (!(c = new_rec(r, ev))) {
		return -ENOMEM;
	}
	c->cid = 0;
	c->op = s == TW_LIFE_EMPTY ? TW_OP_ZERO : TW_OP_OPAQUE;
	c->offset = 0;
	c->length = 0;
	c->addr = 0;
	c->t_end = ev->ts;
	c->ret = 0;
	c->ended = 1;
	c->closed = 1;
	return add_name(r, ev);
}

/* A note: one instant, tied to an I/O (touch) or to a context (wait). */
static struct tw_rec *new_note(struct tw_records *r, const struct tw_event *ev,
			       int note)
{
	struct tw_rec *c = new_rec(r, ev);

	if (!c) {
		return NULL;
	}
	c->note = note;
	c->closed = 1;
	c->op = TW_OP_OTHER;
	c->cid = 0;
	c->engine = (int)ev->engine;
	c->ctx = ev->ctx;
	return c;
}

static int aio_touch(struct tw_records *r, const struct tw_event *ev)
{
	size_t k = tw_call_index_get(&r->calls, (int32_t)ev->pid, ev->cid);
	struct tw_rec *c, *io;

	io = k == NO_REC ? NULL : tw_rec_find(r, k);
	if (!io || !io->aio) {
		r->orphans++;
		return 0;
	}
	c = new_note(r, ev, TW_NOTE_TOUCH);
	if (!c) {
		return -ENOMEM;
	}
	/* The window may have moved: find the I/O again. */
	io = tw_rec_find(r, k);
	io->t_last_touch = ev->ts;
	io->touch_released |= (int)ev->released;
	c->io = k;
	c->released = (int)ev->released;
	c->engine = io->engine;
	c->ctx = io->ctx;
	c->dev = io->dev;
	c->ino = io->ino;
	c->offset = io->offset;
	return 0;
}

static int aio_wait(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = new_note(r, ev, TW_NOTE_WAIT);

	if (!c) {
		return -ENOMEM;
	}
	c->ret = ev->ret;
	c->err = (int)ev->err;
	c->inflight = ev->inflight;
	c->missed = ev->missed;
	if (ev->missed && r->missed == 0) {
		r->missed_pid = (int32_t)ev->pid;
		r->t_missed = ev->ts;
	}
	r->missed += ev->missed;
	return 0;
}

/* "SIGTERM", or "signal 70": one static name per number. */
static const char *signal_name(int signo)
{
	static char names[128][16];
	const char *abbrev;
	int k = signo >= 0 && signo < 127 ? signo : 127;

	if (names[k][0] == '\0') {
		abbrev = k < 127 ? sigabbrev_np(k) : NULL;
		if (abbrev) {
			snprintf(names[k], sizeof(names[k]), "SIG%s", abbrev);
		} else if (k < 127) {
			snprintf(names[k], sizeof(names[k]), "signal %d", k);
		} else {
			snprintf(names[k], sizeof(names[k]), "signal");
		}
	}
	return names[k];
}

static int signal_note(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = new_note(r, ev, TW_NOTE_SIGNAL);

	if (!c) {
		return -ENOMEM;
	}
	c->signo = (int)ev->signo;
	c->call = signal_name(c->signo);
	return 0;
}

static void forget_untraced(struct tw_records *r, int64_t pid)
{
	size_t i;

	for (i = r->nuntraced; i > 0; i--) {
		if (r->untraced[i - 1].pid == pid) {
			r->untraced[i - 1] = r->untraced[--r->nuntraced];
		}
	}
}

/*
 * An exec is followed by the new image's start event when the preload came
 * along; one that never registered (static, setuid, LD_PRELOAD lost) stays
 * in the untraced list. A spawned child may have started before its
 * parent's spawn event: then it is already a traced pid.
 */
static int exec_note(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_untraced *u;
	int spawn = ev->child != ev->pid;
	size_t len;

	if (ev->err) {
		if (!spawn) {
			forget_untraced(r, ev->pid);
		}
		return 0;
	}
	if (ev->restored == TW_EXEC_ENV_CLONE_TLS ||
	    ev->restored == TW_EXEC_ENV_CLONE_FILES) {
		spawn = 0;
	} else if (ev->restored == TW_EXEC_ENV_RESTORED) {
		r->exec_restored++;
	} else if (ev->restored == TW_EXEC_ENV_DROPPED) {
		r->exec_dropped++;
	}
	if (spawn) {
		for (size_t i = 0; i < r->npids; i++) {
			if (r->pids[i] == ev->child) {
				return 0;
			}
		}
	}
	if (!TW_GROW(r->untraced, r->nuntraced, r->capuntraced)) {
		return -ENOMEM;
	}
	u = &r->untraced[r->nuntraced++];
	u->pid = (int32_t)ev->child;
	u->why = (int32_t)ev->restored;
	u->tid = (int32_t)ev->tid;
	len = strnlen(ev->path, sizeof(u->path) - 1);
	memcpy(u->path, ev->path, len);
	u->path[len] = '\0';
	return 0;
}

static int in_tree(const struct tw_records *r, int64_t pid)
{
	return pid_known(&r->tree_at, pid);
}

/*
 * A process belongs to the tree when it is the root or its start (exec,
 * fork) names a parent that does: its start comes before any of its I/O.
 */
static int outside_tree(struct tw_records *r, const struct tw_event *ev)
{
	if (!r->root_pid || ev->type == TW_EV_DISCARDED ||
	    ev->type == TW_EV_READING || in_tree(r, ev->pid)) {
		return 0;
	}
	/* A vfork child's exec is its first event: it names the parent too. */
	if ((ev->type == TW_EV_PROCESS || ev->type == TW_EV_EXEC) &&
	    (ev->pid == r->root_pid || in_tree(r, ev->ppid))) {
		return PID_APPEND(r->tree, r->ntree, r->captree, &r->tree_at,
				  ev->pid);
	}
	r->foreign++;
	return 1;
}

static struct tw_symbols *syms(struct tw_records *r)
{
	if (!r->syms) {
		r->syms = tw_symbols_new();
	}
	return r->syms;
}

/*
 * A stack comes right after its call's begin (or before the completion it
 * was seen at, or after the touch it was taken at) from the same thread.
 */
static int stack_note(struct tw_records *r, const struct tw_event *ev)
{
	size_t k = tw_call_index_get(&r->calls, (int32_t)ev->pid, ev->cid);
	struct tw_rec *c = k == NO_REC ? NULL : tw_rec_find(r, k);
	uint32_t id;
	size_t i;

	if (!syms(r)) {
		return -ENOMEM;
	}
	if (ev->kind == TW_STACK_TOUCH) {
		c = NULL;
		for (i = r->nwin; i-- > 0 && i + 8 >= r->nwin;) {
			struct tw_rec *t = tw_rec_at(r, r->first + i);

			if (t->note == TW_NOTE_TOUCH && t->pid == ev->pid &&
			    t->tid == ev->tid && t->io == k && !t->stack) {
				c = t;
				break;
			}
		}
	}
	if (!c) {
		r->stacks_orphaned++;
		return 0;
	}
	if (tw_stacks_intern(r->syms, (int32_t)ev->pid, ev->page, ev->npage,
			     &id) != 0) {
		return -ENOMEM;
	}
	if (ev->kind == TW_STACK_DONE) {
		c->done_stack = id;
	} else {
		c->stack = id;
	}
	return 0;
}

int tw_records_add(struct tw_records *r, const struct tw_event *ev)
{
	int out;

	/*
	 * A process's statedump comes before its start event: kept whatever
	 * the tree, and no event of the program's.
	 */
	if (ev->type == TW_EV_BIN_INFO || ev->type == TW_EV_BIN_START) {
		return syms(r) ? tw_symbols_note(r->syms, ev) : -ENOMEM;
	}
	out = outside_tree(r, ev);

	/* Even a process left out tells what its stream carried. */
	if (tw_loss_note(&r->loss, ev) != 0) {
		return -ENOMEM;
	}
	if (out) {
		return out < 0 ? out : 0;
	}
	r->events++;
	if (ev->ts > r->now) {
		r->now = ev->ts;
	}
	if (ev->type != TW_EV_DISCARDED && ev->type != TW_EV_READING &&
	    note_pid(r, ev->pid) != 0) {
		return -ENOMEM;
	}
	switch (ev->type) {
	case TW_EV_AIO_SUBMIT:
		return aio_submit(r, ev);
	case TW_EV_AIO_COMPLETE:
		return aio_complete(r, ev);
	case TW_EV_AIO_TOUCH:
		return aio_touch(r, ev);
	case TW_EV_AIO_WAIT:
		return aio_wait(r, ev);
	case TW_EV_SIGNAL:
		return signal_note(r, ev);
	case TW_EV_CALL_BEGIN:
		return begin(r, ev);
	case TW_EV_CALL_END:
		return end(r, ev);
	case TW_EV_PIECES:
		return pieces(r, ev);
	case TW_EV_SYNC_PAGES:
		return sync_pages(r, ev);
	case TW_EV_FILE_OPEN:
		return opened(r, ev);
	case TW_EV_EXEC:
		return exec_note(r, ev);
	case TW_EV_PROCESS:
		if (ev->what == TW_START_EXEC) {
			forget_untraced(r, ev->pid);
		} else if (ev->what == TW_START_FORK &&
			   (!syms(r) || tw_symbols_fork(r->syms, (int32_t)ev->pid,
							ev->ppid) != 0)) {
			return -ENOMEM;
		}
		if (ev->in_parent_buffers && r->parent_buffered++ == 0) {
			r->parent_buffered_pid = (int32_t)ev->pid;
			r->t_parent_buffered = ev->ts;
		}
		if (ev->page_size >= 512 && ev->page_size <= 65536) {
			r->page_size = (unsigned int)ev->page_size;
		}
		return 0;
	case TW_EV_DISCARDED:
		r->events--;
		if (ev->packets) {
			r->lost_packets += ev->count ? ev->count : 1;
		} else {
			r->lost_events += ev->count;
		}
		out = tw_loss_add(&r->loss, ev);
		if (out != 0) {
			return out < 0 ? out : 0;
		}
		if (!TW_GROW(r->lost_ts, r->nlost, r->caplost)) {
			return -ENOMEM;
		}
		r->lost_ts[r->nlost++] = ev->ts;
		return 0;
	case TW_EV_MAP:
		return tw_map_modes_note(&r->modes, ev);
	case TW_EV_READING:
		r->events--;
		return 0;
	case TW_EV_STACK:
		return stack_note(r, ev);
	case TW_EV_BIN_INFO:
	case TW_EV_BIN_START:
		return 0;
	}
	return 0;
}
