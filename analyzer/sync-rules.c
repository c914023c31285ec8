/* SPDX-License-Identifier: MIT */
/*
 * Pass 1: when each store became required-visible (the end of the first
 * successful msync(MS_SYNC) over it that began after it ended), and which
 * stores, or changes no hook saw, raced an msync.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "rules-int.h"
#include "tornwatch-events.h"

/* The sync_race anomaly of msync m, made on first need. */
static struct tw_anomaly *race_of(struct ctx *c, size_t m)
{
	struct tw_anomaly *a;

	if (c->race_of[m]) {
		return &c->out->a[c->race_of[m] - 1];
	}
	a = tw_anomaly_new(c->out, c->r, TW_SYNC_RACE, m);
	if (!a) {
		return NULL;
	}
	c->race_of[m] = c->out->n;
	return tw_anomaly_add_inter(a, m) == 0 ? a : NULL;
}

/* Did msync m find page pg changed at entry, that is, was it syncing it? */
static int syncing_page(const struct tw_rec *m, uint64_t pg)
{
	size_t i;

	for (i = 0; i < m->npages[0]; i++) {
		if (m->pages[0][i].page == pg) {
			return 1;
		}
	}
	return 0;
}


/*
 * Did another msync write store d's bytes back, after d and before t? Then
 * msync m was not the one they depended on: a process storing again over
 * its own synced bytes while another process's msync runs (rwtest with
 * several processes) races nothing. Records are in order of begin.
 */
static int synced_elsewhere(const struct ctx *c, size_t d, size_t m,
			    int64_t t)
{
	const struct tw_rec *st = &c->r->rec[d];
	size_t j;

	for (j = d + 1; j < c->r->n && c->r->rec[j].t_begin < t; j++) {
		const struct tw_rec *y = &c->r->rec[j];

		if (j != m && y->op == TW_OP_MSYNC && is_barrier(y) &&
		    y->t_begin > st->t_end && y->t_end < t &&
		    sync_covers(c->r, y, st)) {
			return 1;
		}
	}
	return 0;
}

static int racing_store(struct ctx *c, size_t m, size_t s)
{
	const struct tw_rec *st = &c->r->rec[s];
	const struct synced *done = &c->synced[m];
	uint64_t lo = (uint64_t)st->offset, hi = lo + st->length;
	struct tw_anomaly *a = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < done->n && ret == 0; i++) {
		const struct tw_rec *d = &c->r->rec[done->rec[i]];
		uint64_t dlo = (uint64_t)d->offset, dhi = dlo + d->length;
		uint64_t from = lo > dlo ? lo : dlo, to = hi < dhi ? hi : dhi;

		if (!same_file(st, d) || from >= to ||
		    synced_elsewhere(c, done->rec[i], m, st->t_begin)) {
			continue;
		}
		if (!a && (!(a = race_of(c, m)) || tw_anomaly_add_inter(a, s) != 0)) {
			return -ENOMEM;
		}
		ret = tw_anomaly_add_inter(a, done->rec[i]);
		if (ret == 0) {
			ret = tw_anomaly_add_bytes(a, c->r->page_size, from, to - from,
				       TW_S_CHANGED);
		}
	}
	return ret;
}

/*
 * Pages that changed while msync m ran, with no hooked store on them in
 * that time: a store no hook saw (an inlined copy) raced the sync.
 */
/* Does call s change bytes of page pg of m's file: store, write or the like? */
static int changes_page(const struct ctx *c, const struct tw_rec *s,
			const struct tw_rec *m, uint64_t pg)
{
	uint64_t ps = c->r->page_size, len = s->length;

	if (!same_file(s, m) || s->note) {
		return 0;
	}
	switch (s->op) {
	case TW_OP_STORE:
	case TW_OP_WRITE:
		break;
	case TW_OP_ZERO:
	case TW_OP_OPAQUE:
		if (len == 0) {
			len = UINT64_MAX - pg * ps;	/* to the end */
		}
		break;
	default:
		return 0;
	}
	return s->offset < 0 || ranges_meet(pg * ps, ps, (uint64_t)s->offset, len);
}

/*
 * A page an msync found changed when it returned is explained by any call
 * of any process that changed it while the msync ran: a store through a
 * mapping, and as well a write(), an async write, a truncate.
 */
static int changed_during(const struct ctx *c, size_t m, uint64_t pg)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = &r->rec[m];
	size_t k;

	for (k = m; k-- > 0 && r->rec[k].t_begin + c->change_lag >= x->t_begin;) {
		if (r->rec[k].t_end > x->t_begin &&
		    changes_page(c, &r->rec[k], x, pg)) {
			return 1;
		}
	}
	for (k = m + 1; k < r->n && r->rec[k].t_begin < x->t_end; k++) {
		if (changes_page(c, &r->rec[k], x, pg)) {
			return 1;
		}
	}
	return 0;
}

static int unexplained_changes(struct ctx *c, size_t m, const size_t *pending,
			       size_t npending)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = &r->rec[m];
	uint64_t ps = r->page_size;
	size_t j, k;

	for (j = 0; j < x->npages[1]; j++) {
		uint64_t pg = x->pages[1][j].page;
		int explained = 0;
		struct tw_anomaly *a;

		if (!syncing_page(x, pg)) {
			continue;
		}
		/* Stores begun before m and not done, then any change during m. */
		for (k = 0; k < npending && !explained; k++) {
			const struct tw_rec *s = &r->rec[pending[k]];

			explained = s->t_end > x->t_begin && same_file(s, x) &&
				    ranges_meet(pg * ps, ps, (uint64_t)s->offset,
						s->length);
		}
		if (explained || changed_during(c, m, pg)) {
			continue;
		}
		a = race_of(c, m);
		if (!a) {
			return -ENOMEM;
		}
		a->untracked = 1;
		if (tw_anomaly_add_bytes(a, ps, pg * ps, ps, TW_S_CHANGED) != 0) {
			return -ENOMEM;
		}
	}
	return 0;
}


int tw_settle_stores(struct ctx *c)
{
	const struct tw_records *r = c->r;
	size_t *pending = NULL, npending = 0, cappending = 0;
	size_t *syncs = NULL, nsyncs = 0, capsyncs = 0;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < r->n; i++) {
		const struct tw_rec *x = &r->rec[i];

		if (x->ended && !x->note && x->t_end - x->t_begin > c->change_lag) {
			c->change_lag = x->t_end - x->t_begin;
		}
	}
	for (i = 0; i < r->n && ret == 0; i++) {
		const struct tw_rec *x = &r->rec[i];

		c->visible[i] = T_NEVER;
		c->synced_by[i] = NO_REC;
		if (x->op == TW_OP_STORE) {
			for (j = 0; j < nsyncs && ret == 0; j++) {
				const struct tw_rec *m = &r->rec[syncs[j]];

				if (m->t_end > x->t_begin && sync_covers(r, m, x)) {
					ret = racing_store(c, syncs[j], i);
				}
			}
			if (!TW_GROW(pending, npending, cappending)) {
				ret = -ENOMEM;
				break;
			}
			pending[npending++] = i;
		} else if (x->op == TW_OP_MSYNC) {
			struct synced *done = &c->synced[i];

			/* What was stored before it began is what it writes back. */
			j = 0;
			while (j < npending && ret == 0) {
				const struct tw_rec *s = &r->rec[pending[j]];

				if (!sync_covers(r, x, s) || s->t_end > x->t_begin) {
					j++;
					continue;
				}
				if (!TW_GROW(done->rec, done->n, done->cap)) {
					ret = -ENOMEM;
					break;
				}
				done->rec[done->n++] = pending[j];
				if (is_barrier(x)) {
					c->visible[pending[j]] = x->t_end;
					c->synced_by[pending[j]] = i;
					pending[j] = pending[--npending];
				} else {
					j++;
				}
			}
			for (j = 0; j < npending && ret == 0; j++) {
				const struct tw_rec *s = &r->rec[pending[j]];

				if (s->t_end > x->t_begin && sync_covers(r, x, s)) {
					ret = racing_store(c, i, pending[j]);
				}
			}
			if (ret == 0) {
				ret = unexplained_changes(c, i, pending, npending);
			}
			/* Calls begun after an msync ended cannot race it. */
			for (j = 0; j < nsyncs;) {
				if (r->rec[syncs[j]].t_end < x->t_begin) {
					syncs[j] = syncs[--nsyncs];
				} else {
					j++;
				}
			}
			if (!TW_GROW(syncs, nsyncs, capsyncs)) {
				ret = -ENOMEM;
				break;
			}
			syncs[nsyncs++] = i;
		}
	}
	free(pending);
	free(syncs);
	return ret;
}


static int by_offset(const void *pa, const void *pb)
{
	const struct tw_page_entry *a = pa, *b = pb;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* A raced msync: the span of the bytes that changed under it. */
void tw_finish_races(struct ctx *c)
{
	size_t i, k;

	for (i = 0; i < c->out->n; i++) {
		struct tw_anomaly *a = &c->out->a[i];
		const struct tw_rec *m = &c->r->rec[a->rec];
		uint64_t lo = UINT64_MAX, hi = 0;

		if (a->kind != TW_SYNC_RACE) {
			continue;
		}
		qsort(a->pages, a->npages, sizeof(*a->pages), by_offset);
		for (k = 0; k < a->npages; k++) {
			if (a->pages[k].offset < lo) {
				lo = a->pages[k].offset;
			}
			if (a->pages[k].offset + a->pages[k].length > hi) {
				hi = a->pages[k].offset + a->pages[k].length;
			}
		}
		a->offset = lo < hi ? lo : (uint64_t)m->offset;
		a->length = lo < hi ? hi - lo : m->length;
	}
}

