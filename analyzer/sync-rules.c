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

/* The sync_race anomaly of msync ls, made on first need. */
static struct tw_anomaly *race_of(struct ctx *c, struct live_sync *ls)
{
	struct tw_anomaly *a;

	if (ls->race) {
		return &c->out->a[ls->race - 1];
	}
	a = tw_anomaly_new(c->out, c->r, TW_SYNC_RACE, ls->rec);
	if (!a) {
		return NULL;
	}
	ls->race = c->out->n;
	return tw_anomaly_add_inter(a, ls->rec) == 0 ? a : NULL;
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
 * several processes) races nothing. Records are in order of begin; one
 * that did would have synced d before m, so the window holds it.
 */
static int synced_elsewhere(const struct ctx *c, const struct span *d,
			    size_t m, int64_t t)
{
	const struct tw_records *r = c->r;
	size_t j = d->rec + 1 > r->first ? d->rec + 1 : r->first;

	for (; j < r->end && tw_rec_at(r, j)->t_begin < t; j++) {
		const struct tw_rec *y = tw_rec_at(r, j);

		if (j != m && y->op == TW_OP_MSYNC && is_barrier(y) &&
		    y->t_begin > d->t_end && y->t_end < t &&
		    sync_covers(r, y, d)) {
			return 1;
		}
	}
	return 0;
}

static int racing_store(struct ctx *c, struct live_sync *ls,
			const struct span *st)
{
	uint64_t lo = (uint64_t)st->offset, hi = lo + st->length;
	struct tw_anomaly *a = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < ls->ndone && ret == 0; i++) {
		const struct span *d = &ls->done[i];
		uint64_t dlo = (uint64_t)d->offset, dhi = dlo + d->length;
		uint64_t from = lo > dlo ? lo : dlo, to = hi < dhi ? hi : dhi;

		if (d->dev != st->dev || d->ino != st->ino || from >= to ||
		    synced_elsewhere(c, d, ls->rec, st->t_begin)) {
			continue;
		}
		if (!a && (!(a = race_of(c, ls)) ||
			   tw_anomaly_add_inter(a, st->rec) != 0)) {
			return -ENOMEM;
		}
		ret = tw_anomaly_add_inter(a, d->rec);
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

	if ((!same_file(s, m) && !s->anywhere) || s->note) {
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
	const struct tw_rec *x = tw_rec_at(r, m);
	size_t k;

	for (k = m; k-- > r->first &&
		    tw_rec_at(r, k)->t_begin + c->change_lag >= x->t_begin;) {
		if (tw_rec_at(r, k)->t_end > x->t_begin &&
		    changes_page(c, tw_rec_at(r, k), x, pg)) {
			return 1;
		}
	}
	for (k = m + 1; k < r->end && tw_rec_at(r, k)->t_begin < x->t_end; k++) {
		if (changes_page(c, tw_rec_at(r, k), x, pg)) {
			return 1;
		}
	}
	return 0;
}

static int unexplained_changes(struct ctx *c, struct live_sync *ls)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = tw_rec_at(r, ls->rec);
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
		for (k = 0; k < c->npending && !explained; k++) {
			const struct span *s = &c->pending[k];

			explained = s->t_end > x->t_begin && s->dev == x->dev &&
				    s->ino == x->ino &&
				    ranges_meet(pg * ps, ps, (uint64_t)s->offset,
						s->length);
		}
		if (explained || changed_during(c, ls->rec, pg)) {
			continue;
		}
		/* A writer no hook sees (stdio, POSIX AIO) may have been it. */
		if (tw_unseen_during(&c->unseen, x->dev, x->ino, x->t_begin,
				     x->t_end)) {
			continue;
		}
		a = race_of(c, ls);
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

/* msyncs that ended before t: no call begun from t on can race them. */
static void forget_syncs(struct ctx *c, int64_t t)
{
	size_t j;

	for (j = 0; j < c->nsyncs;) {
		struct live_sync *ls = &c->syncs[j];

		if (tw_rec_at(c->r, ls->rec)->t_end < t) {
			free(ls->done);
			*ls = c->syncs[--c->nsyncs];
		} else {
			j++;
		}
	}
}

static void note_lag(struct ctx *c, const struct tw_rec *x)
{
	if (x->ended && !x->note && x->t_end - x->t_begin > c->change_lag) {
		c->change_lag = x->t_end - x->t_begin;
	}
}

int tw_settle_store(struct ctx *c, size_t i)
{
	const struct tw_rec *x = tw_rec_at(c->r, i);
	struct span st = span_of(x, i);
	size_t j;
	int ret = 0;

	note_lag(c, x);
	forget_syncs(c, x->t_begin);
	if (x->op != TW_OP_STORE) {
		return 0;
	}
	for (j = 0; j < c->nsyncs && ret == 0; j++) {
		const struct tw_rec *m = tw_rec_at(c->r, c->syncs[j].rec);

		if (m->t_end > x->t_begin && sync_covers(c->r, m, &st)) {
			ret = racing_store(c, &c->syncs[j], &st);
		}
	}
	if (ret == 0 && !TW_GROW(c->pending, c->npending, c->cappending)) {
		ret = -ENOMEM;
	}
	if (ret == 0) {
		c->pending[c->npending++] = st;
	}
	return ret;
}

int tw_settle_msync(struct ctx *c, size_t i)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = tw_rec_at(r, i);
	struct live_sync *ls;
	size_t j = 0;
	int ret = 0;

	if (!TW_GROW(c->syncs, c->nsyncs, c->capsyncs)) {
		return -ENOMEM;
	}
	ls = &c->syncs[c->nsyncs++];
	memset(ls, 0, sizeof(*ls));
	ls->rec = i;
	/* What was stored before it began is what it writes back. */
	while (j < c->npending && ret == 0) {
		struct span s = c->pending[j];

		if (!sync_covers(r, x, &s) || s.t_end > x->t_begin) {
			j++;
			continue;
		}
		if (!TW_GROW(ls->done, ls->ndone, ls->capdone)) {
			return -ENOMEM;
		}
		ls->done[ls->ndone++] = s;
		if (is_barrier(x)) {
			c->pending[j] = c->pending[--c->npending];
			ret = tw_store_visible(c, &s, i, x->t_end);
		} else {
			j++;
		}
	}
	for (j = 0; j < c->npending && ret == 0; j++) {
		const struct span *s = &c->pending[j];

		if (s->t_end > x->t_begin && sync_covers(r, x, s)) {
			ret = racing_store(c, ls, s);
		}
	}
	return ret == 0 ? unexplained_changes(c, ls) : ret;
}

/*
 * A failed msync races nothing and makes nothing visible. When the
 * failure may have lost data, the stores it was writing back are never
 * required either: a later msync returning 0 does not say they reached
 * the file (the kernel reports a write-back error once).
 */
int tw_settle_failed_msync(struct ctx *c, size_t i)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = tw_rec_at(r, i);
	size_t j = 0;

	if (!sync_may_lose(x)) {
		return 0;
	}
	while (j < c->npending) {
		const struct span *s = &c->pending[j];

		if (sync_covers(r, x, s) && s->t_end <= x->t_begin) {
			c->pending[j] = c->pending[--c->npending];
		} else {
			j++;
		}
	}
	return 0;
}

void tw_sync_rules_free(struct ctx *c)
{
	size_t j;

	for (j = 0; j < c->nsyncs; j++) {
		free(c->syncs[j].done);
	}
	free(c->syncs);
	free(c->pending);
}

static int by_offset(const void *pa, const void *pb)
{
	const struct tw_page_entry *a = pa, *b = pb;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/*
 * Stores over the same bytes each add them: after sorting, overlapping runs
 * of one page and state become one, so no byte is counted twice.
 */
static void merge_overlaps(struct tw_anomaly *a)
{
	size_t k, n = 0;

	memset(a->bytes, 0, sizeof(a->bytes));
	for (k = 0; k < a->npages; k++) {
		struct tw_page_entry *e = &a->pages[k], *last = n ? &a->pages[n - 1] : NULL;

		if (last && last->index == e->index && last->state == e->state &&
		    e->offset <= last->offset + last->length) {
			uint64_t end = e->offset + e->length;

			if (end > last->offset + last->length) {
				a->bytes[e->state] += end - (last->offset + last->length);
				last->length = end - last->offset;
			}
			continue;
		}
		a->pages[n++] = *e;
		a->bytes[e->state] += e->length;
	}
	a->npages = n;
}

/* A raced msync: the span of the bytes that changed under it. */
void tw_finish_races(struct ctx *c)
{
	size_t i, k;

	for (i = 0; i < c->out->n; i++) {
		struct tw_anomaly *a = &c->out->a[i];
		const struct tw_rec *m = tw_rec_find(c->r, a->rec);
		uint64_t lo = UINT64_MAX, hi = 0;

		if (a->kind != TW_SYNC_RACE) {
			continue;
		}
		qsort(a->pages, a->npages, sizeof(*a->pages), by_offset);
		merge_overlaps(a);
		for (k = 0; k < a->npages; k++) {
			if (a->pages[k].offset < lo) {
				lo = a->pages[k].offset;
			}
			if (a->pages[k].offset + a->pages[k].length > hi) {
				hi = a->pages[k].offset + a->pages[k].length;
			}
		}
		a->offset = lo < hi ? lo : m ? (uint64_t)m->offset : 0;
		a->length = lo < hi ? hi - lo : m ? m->length : 0;
	}
}

