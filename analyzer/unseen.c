/* SPDX-License-Identifier: MIT */
/*
 * Marks of files written past every hook (stdio flushing a FILE, glibc's
 * POSIX AIO threads). A mark lasts from its begin until the first of:
 * its release (fclose, the fd closed or replaced, the I/O reaped), the
 * process's next start (an exec drops its stdio buffers; a start of a
 * forked process under its pid means the old one is gone). A fork while it
 * lasts hands it on: a child's copy (buffers not yet flushed, I/O in
 * flight) lasts until the child's own exec, and with no child found,
 * forever. Whatever the mark's process did after its end, it cannot have
 * been through that mark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "tornwatch-events.h"
#include "unseen.h"

#define T_NEVER INT64_MAX
/* A chain of forks deeper than this is taken as lasting forever. */
#define TW_UNSEEN_DEPTH 4

enum {
	STEP_START,	/* the process started an image (exec) or was forked */
	STEP_CHILD,	/* it forked child */
	STEP_FORK,	/* a fork with marks open is about to happen */
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b + 0x632be59bd9b4e019ull);

	return h ^ (h >> 29);
}

static struct tw_unseen_file *file_find(const struct tw_unseen *u,
					uint64_t dev, uint64_t ino)
{
	size_t k;

	if (!u->capfiles) {
		return NULL;
	}
	for (k = mix(dev, ino) & (u->capfiles - 1); u->files[k].used;
	     k = (k + 1) & (u->capfiles - 1)) {
		if (u->files[k].dev == dev && u->files[k].ino == ino) {
			return &u->files[k];
		}
	}
	return NULL;
}

static struct tw_unseen_file *file_slot(struct tw_unseen_file *tab, size_t cap,
					uint64_t dev, uint64_t ino)
{
	size_t k;

	for (k = mix(dev, ino) & (cap - 1); tab[k].used &&
	     (tab[k].dev != dev || tab[k].ino != ino); k = (k + 1) & (cap - 1)) {
	}
	return &tab[k];
}

static struct tw_unseen_file *file_get(struct tw_unseen *u, uint64_t dev,
				       uint64_t ino)
{
	struct tw_unseen_file *f = file_find(u, dev, ino);
	size_t i;

	if (f) {
		return f;
	}
	if (2 * (u->nfiles + 1) > u->capfiles) {
		size_t cap = u->capfiles ? 2 * u->capfiles : 16;
		struct tw_unseen_file *tab = calloc(cap, sizeof(*tab));

		if (!tab) {
			return NULL;
		}
		for (i = 0; i < u->capfiles; i++) {
			if (u->files[i].used) {
				*file_slot(tab, cap, u->files[i].dev,
					   u->files[i].ino) = u->files[i];
			}
		}
		free(u->files);
		u->files = tab;
		u->capfiles = cap;
	}
	f = file_slot(u->files, u->capfiles, dev, ino);
	f->used = 1;
	f->dev = dev;
	f->ino = ino;
	f->order = u->nfiles++;
	return f;
}

static struct tw_unseen_proc *proc_slot(struct tw_unseen_proc *tab, size_t cap,
					int32_t pid)
{
	size_t k;

	for (k = mix((uint64_t)pid, 0) & (cap - 1);
	     tab[k].used && tab[k].pid != pid; k = (k + 1) & (cap - 1)) {
	}
	return &tab[k];
}

static const struct tw_unseen_proc *proc_find(const struct tw_unseen *u,
					      int32_t pid)
{
	const struct tw_unseen_proc *p;

	if (!u->capprocs) {
		return NULL;
	}
	p = proc_slot(u->procs, u->capprocs, pid);
	return p->used ? p : NULL;
}

static struct tw_unseen_proc *proc_get(struct tw_unseen *u, int32_t pid)
{
	struct tw_unseen_proc *p;
	size_t i;

	if (2 * (u->nprocs + 1) > u->capprocs) {
		size_t cap = u->capprocs ? 2 * u->capprocs : 64;
		struct tw_unseen_proc *tab = calloc(cap, sizeof(*tab));

		if (!tab) {
			return NULL;
		}
		for (i = 0; i < u->capprocs; i++) {
			if (u->procs[i].used) {
				*proc_slot(tab, cap, u->procs[i].pid) = u->procs[i];
			}
		}
		free(u->procs);
		u->procs = tab;
		u->capprocs = cap;
	}
	p = proc_slot(u->procs, u->capprocs, pid);
	if (!p->used) {
		p->used = 1;
		p->pid = pid;
		u->nprocs++;
	}
	return p;
}

/* Steps mostly come in order of time; a fork note may come late. */
static int add_step(struct tw_unseen *u, int32_t pid, int64_t ts, int kind,
		    int32_t child)
{
	struct tw_unseen_proc *p = proc_get(u, pid);
	size_t k;

	if (!p || !TW_GROW(p->s, p->n, p->cap)) {
		return -ENOMEM;
	}
	for (k = p->n; k > 0 && p->s[k - 1].ts > ts; k--) {
		p->s[k] = p->s[k - 1];
	}
	p->s[k] = (struct tw_unseen_step){ ts, kind, child };
	p->n++;
	return 0;
}

int tw_unseen_process(struct tw_unseen *u, const struct tw_event *ev)
{
	struct tw_unseen_proc *p;
	int ret = add_step(u, (int32_t)ev->pid, ev->ts, STEP_START, 0);

	if (ret == 0 && ev->what == TW_START_FORK) {
		ret = add_step(u, (int32_t)ev->ppid, ev->ts, STEP_CHILD,
			       (int32_t)ev->pid);
	}
	p = ret == 0 ? proc_get(u, (int32_t)ev->pid) : NULL;
	if (p && ev->exe[0] && (!p->exe || strcmp(p->exe, ev->exe) != 0)) {
		free(p->exe);
		p->exe = strdup(ev->exe);
	}
	return ret;
}

/*
 * When pid's mark, begun at from and released at end (or never), can no
 * longer write: at pid's next start, or when the last copy a fork handed
 * on ends.
 */
static int64_t mark_end(const struct tw_unseen *u, int32_t pid, int64_t from,
			int64_t end, int depth)
{
	const struct tw_unseen_proc *p = proc_find(u, pid);
	int64_t out, copy;
	size_t i, j;

	if (!p) {
		return end;
	}
	for (i = 0; i < p->n; i++) {
		if (p->s[i].kind == STEP_START && p->s[i].ts > from) {
			if (p->s[i].ts < end) {
				end = p->s[i].ts;
			}
			break;
		}
	}
	out = end;
	for (i = 0; i < p->n && p->s[i].ts < end; i++) {
		if (p->s[i].kind != STEP_FORK || p->s[i].ts <= from) {
			continue;
		}
		for (j = i + 1; j < p->n && p->s[j].kind != STEP_CHILD; j++) {
		}
		if (j == p->n || depth >= TW_UNSEEN_DEPTH) {
			return T_NEVER;
		}
		copy = mark_end(u, p->s[j].child, p->s[j].ts, T_NEVER, depth + 1);
		if (copy > out) {
			out = copy;
		}
	}
	return out;
}

static int note_pid(struct tw_unseen_file *f, int32_t pid)
{
	size_t i;

	for (i = 0; i < f->npids; i++) {
		if (f->pids[i] == pid) {
			return 0;
		}
	}
	if (!TW_GROW(f->pids, f->npids, f->cappids)) {
		return -ENOMEM;
	}
	f->pids[f->npids++] = pid;
	return 0;
}

static int mark(struct tw_unseen *u, const struct tw_rec *x)
{
	struct tw_unseen_file *f = file_get(u, x->dev, x->ino);
	const struct tw_unseen_proc *p;

	if (!f || !TW_GROW(f->m, f->n, f->cap)) {
		return -ENOMEM;
	}
	f->m[f->n++] = (struct tw_unseen_mark){ x->pid, x->cid, x->t_begin,
						T_NEVER };
	if (f->n == 1) {
		p = proc_find(u, x->pid);
		f->pid = x->pid;
		f->how = x->flags & (TW_UNSEEN_STDIO | TW_UNSEEN_POSIX_AIO);
		f->call = x->call;
		f->exe = p && p->exe ? strdup(p->exe) : NULL;
	}
	return note_pid(f, x->pid);
}

/* A release names its mark by cid; a forked child's names its parent's: none. */
static void release(struct tw_unseen *u, const struct tw_rec *x)
{
	struct tw_unseen_file *f = file_find(u, x->dev, x->ino);
	size_t i;

	for (i = f ? f->n : 0; i-- > 0;) {
		if (f->m[i].pid == x->pid && f->m[i].cid == x->addr) {
			f->m[i].t_release = x->t_begin;
			return;
		}
	}
}

int tw_unseen_settle(struct tw_unseen *u, const struct tw_rec *x)
{
	if (!x->ended || x->op != TW_OP_UNSEEN) {
		return 0;
	}
	if (x->flags & TW_UNSEEN_MARK) {
		return mark(u, x);
	}
	if (x->flags & TW_UNSEEN_RELEASE) {
		release(u, x);
	} else if (x->flags & TW_UNSEEN_FORK) {
		return add_step(u, x->pid, x->t_begin, STEP_FORK, 0);
	}
	return 0;
}

void tw_unseen_view(struct tw_unseen *u, uint64_t dev, uint64_t ino,
		    int64_t t_begin, int64_t t_end, struct tw_unseen_view *v)
{
	struct tw_unseen_file *f = u->nfiles ? file_find(u, dev, ino) : NULL;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->ended = INT64_MIN;
	v->file = f;
	/* Marks are in order of begin: those begun after the read do not count. */
	for (i = 0; f && i < f->n && f->m[i].t_begin < t_end; i++) {
		const struct tw_unseen_mark *m = &f->m[i];
		int64_t e = mark_end(u, m->pid, m->t_begin, m->t_release, 0);

		if (e >= t_begin) {
			if (!v->ongoing || m->t_begin < v->since) {
				v->since = m->t_begin;
			}
			v->ongoing = 1;
		} else if (e > v->ended) {
			v->ended = e;
			v->ended_since = m->t_begin;
		}
	}
}

int tw_unseen_during(struct tw_unseen *u, uint64_t dev, uint64_t ino,
		     int64_t t0, int64_t t1)
{
	struct tw_unseen_file *f = u->nfiles ? file_find(u, dev, ino) : NULL;
	size_t i;

	for (i = 0; f && i < f->n && f->m[i].t_begin <= t1; i++) {
		if (mark_end(u, f->m[i].pid, f->m[i].t_begin,
			     f->m[i].t_release, 0) >= t0) {
			return 1;
		}
	}
	return 0;
}

int tw_unseen_export(const struct tw_unseen *u, struct tw_anomalies *out)
{
	size_t i;

	out->unseen = u->nfiles ? calloc(u->nfiles, sizeof(*out->unseen)) : NULL;
	if (u->nfiles && !out->unseen) {
		return -ENOMEM;
	}
	out->nunseen = u->nfiles;
	for (i = 0; i < u->capfiles; i++) {
		const struct tw_unseen_file *f = &u->files[i];
		struct tw_unseen_report *r;

		if (!f->used) {
			continue;
		}
		r = &out->unseen[f->order];
		r->dev = f->dev;
		r->ino = f->ino;
		r->how = f->how;
		r->pid = f->pid;
		r->call = f->call;
		if (f->exe) {
			snprintf(r->exe, sizeof(r->exe), "%s", f->exe);
		}
		r->processes = f->npids;
		r->reads_undecided = f->undecided;
	}
	return 0;
}

void tw_unseen_free(struct tw_unseen *u)
{
	size_t i;

	for (i = 0; i < u->capfiles; i++) {
		free(u->files[i].m);
		free(u->files[i].exe);
		free(u->files[i].pids);
	}
	for (i = 0; i < u->capprocs; i++) {
		free(u->procs[i].s);
		free(u->procs[i].exe);
	}
	free(u->files);
	free(u->procs);
	memset(u, 0, sizeof(*u));
}
