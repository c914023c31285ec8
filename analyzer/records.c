/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "records.h"
#include "tornwatch-events.h"

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

	for (i = 0; i < r->n; i++) {
		free(r->rec[i].data.crc);
		free(r->rec[i].old.crc);
		free(r->rec[i].pages[0]);
		free(r->rec[i].pages[1]);
		for (size_t k = 0; k < r->rec[i].nlater; k++) {
			free(r->rec[i].later[k].crc);
		}
	}
	for (i = 0; i < r->nnames; i++) {
		free(r->names[i].path);
	}
	free(r->rec);
	free(r->open);
	free(r->names);
	free(r->lost_ts);
	free(r->pids);
	free(r->aio_open);
	free(r->targets);
	free(r->tree);
	free(r->untraced);
	memset(r, 0, sizeof(*r));
}

static int add_name(struct tw_records *r, const struct tw_event *ev)
{
	size_t i;

	for (i = 0; i < r->nnames; i++) {
		if (r->names[i].dev == ev->dev && r->names[i].ino == ev->ino) {
			if (strcmp(r->names[i].path, ev->path) == 0 ||
			    ev->path[0] == '\0') {
				return 0;
			}
			free(r->names[i].path);
			r->names[i].path = strdup(ev->path);
			return r->names[i].path ? 0 : -ENOMEM;
		}
	}
	if (!TW_GROW(r->names, r->nnames, r->capnames)) {
		return -ENOMEM;
	}
	r->names[r->nnames].dev = ev->dev;
	r->names[r->nnames].ino = ev->ino;
	r->names[r->nnames].path = strdup(ev->path);
	if (!r->names[r->nnames].path) {
		return -ENOMEM;
	}
	r->nnames++;
	return 0;
}

const char *tw_records_path(const struct tw_records *r, uint64_t dev,
			    uint64_t ino)
{
	size_t i;

	for (i = 0; i < r->nnames; i++) {
		if (r->names[i].dev == dev && r->names[i].ino == ino) {
			return r->names[i].path;
		}
	}
	return NULL;
}

int tw_records_lost_before(const struct tw_records *r, int64_t t)
{
	return r->nlost > 0 && r->lost_ts[0] <= t;
}

/* A new record filled from the event's call fields, or NULL. */
static struct tw_rec *new_rec(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c;

	if (!TW_GROW(r->rec, r->n, r->cap)) {
		return NULL;
	}
	c = &r->rec[r->n++];
	memset(c, 0, sizeof(*c));
	c->t_begin = ev->ts;
	c->t_end = INT64_MAX;
	c->pid = (int32_t)ev->pid;
	c->tid = (int32_t)ev->tid;
	memcpy(c->call, ev->call, sizeof(c->call));
	c->call[sizeof(c->call) - 1] = '\0';
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

static int begin(struct tw_records *r, const struct tw_event *ev)
{
	if (!TW_GROW(r->open, r->nopen, r->capopen) || !new_rec(r, ev)) {
		return -ENOMEM;
	}
	r->open[r->nopen++] = r->n - 1;
	return 0;
}

/* The open call of this thread on this file that a follow-up event belongs to. */
static struct tw_rec *find_open(struct tw_records *r, const struct tw_event *ev,
				int want_op, const char *call, size_t *slot)
{
	size_t i;

	for (i = 0; i < r->nopen; i++) {
		struct tw_rec *c = &r->rec[r->open[i]];

		if (c->pid != ev->pid || c->tid != ev->tid || c->dev != ev->dev ||
		    c->ino != ev->ino) {
			continue;
		}
		if (want_op >= 0 && c->op != want_op) {
			continue;
		}
		if (call && strcmp(c->call, call) != 0) {
			continue;
		}
		if (slot) {
			*slot = i;
		}
		return c;
	}
	return NULL;
}

static int end(struct tw_records *r, const struct tw_event *ev)
{
	size_t slot;
	struct tw_rec *c = find_open(r, ev, (int)ev->op, ev->call, &slot);

	if (!c) {
		r->orphans++;
		return 0;
	}
	c->t_end = ev->ts;
	c->ret = ev->ret;
	c->err = (int)ev->err;
	c->offset = ev->offset;
	c->ended = 1;
	/* Keep begin order among the open calls: the first match wins. */
	memmove(&r->open[slot], &r->open[slot + 1],
		(r->nopen - slot - 1) * sizeof(size_t));
	r->nopen--;
	return 0;
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

static struct tw_aio_target *target_of(struct tw_records *r,
				       const struct tw_event *ev)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		if (r->targets[i].pid == ev->pid && r->targets[i].tid == ev->tid) {
			return &r->targets[i];
		}
	}
	return NULL;
}

/* The next pieces of this thread belong to rec: its data, or a new snapshot. */
static int set_target(struct tw_records *r, const struct tw_event *ev,
		      size_t rec, int later)
{
	struct tw_aio_target *t = target_of(r, ev);
	struct tw_rec *c = &r->rec[rec];

	if (later) {
		if (c->nlater == TW_LATER_MAX) {
			/* Keep the first snapshots and the newest. */
			free(c->later[--c->nlater].crc);
		}
		memset(&c->later[c->nlater++], 0, sizeof(c->later[0]));
	}
	if (!t) {
		if (!TW_GROW(r->targets, r->ntargets, r->captargets)) {
			return -ENOMEM;
		}
		t = &r->targets[r->ntargets++];
	}
	t->pid = (int32_t)ev->pid;
	t->tid = (int32_t)ev->tid;
	t->rec = rec;
	t->later = later;
	return 0;
}

static void clear_target(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_aio_target *t = target_of(r, ev);

	if (t) {
		*t = r->targets[--r->ntargets];
	}
}

static int pieces(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_aio_target *t = target_of(r, ev);
	struct tw_rec *c;

	if (t) {
		c = &r->rec[t->rec];
		if (c->dev != ev->dev || c->ino != ev->ino) {
			r->orphans++;
			return 0;
		}
		if (t->later && ev->kind == TW_PIECE_LATER) {
			return append_crcs(&c->later[c->nlater - 1], ev);
		}
		return append_crcs(&c->data, ev);
	}

	if (ev->kind == TW_PIECE_OLD) {
		c = find_open(r, ev, TW_OP_STORE, NULL, NULL);
		return c ? append_crcs(&c->old, ev) : (r->orphans++, 0);
	}
	c = find_open(r, ev, -1, NULL, NULL);
	if (!c) {
		r->orphans++;
		return 0;
	}
	return append_crcs(&c->data, ev);
}

static int sync_pages(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = find_open(r, ev, TW_OP_MSYNC, NULL, NULL);
	size_t bpp, i, j, phase = ev->phase ? 1 : 0;
	struct tw_page_crcs *p;

	if (!c) {
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

static int note_pid(struct tw_records *r, int64_t pid)
{
	size_t i;

	for (i = r->npids; i > 0; i--) {
		if (r->pids[i - 1] == pid) {
			return 0;
		}
	}
	if (!TW_GROW(r->pids, r->npids, r->cappids)) {
		return -ENOMEM;
	}
	r->pids[r->npids++] = (int32_t)pid;
	return 0;
}

static int aio_submit(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c;

	if (!TW_GROW(r->aio_open, r->naio_open, r->capaio_open) ||
	    !(c = new_rec(r, ev))) {
		return -ENOMEM;
	}
	c->aio = 1;
	c->engine = (int)ev->engine;
	c->opcode = (int)ev->opcode;
	c->ctx = ev->ctx;
	c->id = ev->id;
	c->size = ev->size;
	r->aio_open[r->naio_open++] = r->n - 1;
	return set_target(r, ev, r->n - 1, 0);
}

/* The I/O of this process with the event's engine, context and id. */
static size_t find_aio(struct tw_records *r, const struct tw_event *ev,
		       int take)
{
	size_t i;

	for (i = 0; i < r->naio_open; i++) {
		size_t k = r->aio_open[i];
		const struct tw_rec *c = &r->rec[k];

		if (c->pid == ev->pid && c->engine == ev->engine &&
		    c->ctx == ev->ctx && c->id == ev->id) {
			if (take) {
				memmove(&r->aio_open[i], &r->aio_open[i + 1],
					(r->naio_open - i - 1) * sizeof(size_t));
				r->naio_open--;
			}
			return k;
		}
	}
	return (size_t)-1;
}

static int aio_complete(struct tw_records *r, const struct tw_event *ev)
{
	size_t k = find_aio(r, ev, 1);
	struct tw_rec *c;

	if (k == (size_t)-1) {
		r->orphans++;
		return 0;
	}
	c = &r->rec[k];
	c->seen = (int)ev->seen;
	snprintf(c->done_call, sizeof(c->done_call), "%s", ev->call);
	if (c->seen == TW_SEEN_NEVER) {
		return 0;
	}
	c->t_end = ev->ts;
	c->ret = ev->res;
	c->err = ev->res < 0 ? (int)-ev->res : 0;
	c->ended = 1;
	if (c->seen != TW_SEEN_FIRST) {
		return 0;
	}
	return set_target(r, ev, k, c->op == TW_OP_WRITE);
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
	c->op = TW_OP_OTHER;
	c->engine = (int)ev->engine;
	c->ctx = ev->ctx;
	c->io = (size_t)-1;
	return c;
}

static int aio_touch(struct tw_records *r, const struct tw_event *ev)
{
	size_t k = find_aio(r, ev, 0);
	struct tw_rec *c, *io;

	if (k == (size_t)-1) {
		r->orphans++;
		return 0;
	}
	c = new_note(r, ev, TW_NOTE_TOUCH);
	if (!c) {
		return -ENOMEM;
	}
	io = &r->rec[k];
	c->io = k;
	c->released = (int)ev->released;
	c->dev = io->dev;
	c->ino = io->ino;
	c->offset = io->offset;
	return io->op == TW_OP_WRITE && !c->released ?
	       set_target(r, ev, k, 1) : 0;
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
	r->missed += ev->missed;
	return 0;
}

static int signal_note(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = new_note(r, ev, TW_NOTE_SIGNAL);
	const char *abbrev;

	if (!c) {
		return -ENOMEM;
	}
	c->signo = (int)ev->signo;
	abbrev = sigabbrev_np(c->signo);
	if (abbrev) {
		snprintf(c->call, sizeof(c->call), "SIG%s", abbrev);
	} else {
		snprintf(c->call, sizeof(c->call), "signal %d", c->signo);
	}
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
	if (ev->restored == TW_EXEC_ENV_RESTORED) {
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
	len = strnlen(ev->path, sizeof(u->path) - 1);
	memcpy(u->path, ev->path, len);
	u->path[len] = '\0';
	return 0;
}

static int in_tree(const struct tw_records *r, int64_t pid)
{
	size_t i;

	for (i = 0; i < r->ntree; i++) {
		if (r->tree[i] == pid) {
			return 1;
		}
	}
	return 0;
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
		if (!TW_GROW(r->tree, r->ntree, r->captree)) {
			return -ENOMEM;
		}
		r->tree[r->ntree++] = (int32_t)ev->pid;
		return 0;
	}
	r->foreign++;
	return 1;
}

int tw_records_add(struct tw_records *r, const struct tw_event *ev)
{
	int out = outside_tree(r, ev);

	if (out) {
		return out < 0 ? out : 0;
	}
	r->events++;
	if (ev->type != TW_EV_DISCARDED && ev->type != TW_EV_READING &&
	    note_pid(r, ev->pid) != 0) {
		return -ENOMEM;
	}
	if (ev->type != TW_EV_PIECES) {
		clear_target(r, ev);
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
		return add_name(r, ev);
	case TW_EV_EXEC:
		return exec_note(r, ev);
	case TW_EV_PROCESS:
		if (!strcmp(ev->what, "start")) {
			forget_untraced(r, ev->pid);
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
		if (!TW_GROW(r->lost_ts, r->nlost, r->caplost)) {
			return -ENOMEM;
		}
		r->lost_ts[r->nlost++] = ev->ts;
		return 0;
	case TW_EV_MAP:
		return 0;
	case TW_EV_READING:
		r->events--;
		return 0;
	}
	return 0;
}
