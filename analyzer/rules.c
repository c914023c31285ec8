/* SPDX-License-Identifier: MIT */
/*
 * The rules, run as the trace is read, in order of begin:
 * 1. settle: once every call begun before it has returned (an msync: and
 *    every call begun before it returned has come), a call's sync rules run
 *    (sync-rules.c: which stores it made visible, which raced it) and its
 *    versions are made (version-build.c);
 * 2. judge: once every call begun before a read, a load or an async I/O
 *    ended is settled, it is judged (read-rules.c, async-rules.c);
 * 3. prune: the window keeps TW_WINDOW_RECORDS calls behind the oldest the
 *    rules still need, and the version store only what a read to come can
 *    need (versions.h).
 * Calls open longer than TW_OPEN_WAIT_NS hold nothing back (records.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hosts.h"
#include "rules-int.h"
#include "tornwatch-events.h"

/* Calls kept behind the oldest one the rules need: what a report can cite. */
#define TW_WINDOW_RECORDS 32768

struct tw_rules {
	struct ctx c;
	size_t *deferred;	/* async I/Os still open when their turn came */
	size_t ndeferred, capdeferred;
};

static void unref_rec(void *arg, uint32_t rec, uint32_t n)
{
	tw_records_unref_n(arg, rec, n);
}

struct tw_rules *tw_rules_new(struct tw_records *r, struct tw_anomalies *out)
{
	struct tw_rules *s = calloc(1, sizeof(*s));

	if (!s) {
		return NULL;
	}
	memset(out, 0, sizeof(*out));
	s->c.r = r;
	s->c.out = out;
	s->c.settled = r->first;
	s->c.judged = r->first;
	tw_versions_init(&s->c.vs);
	s->c.vs.unref = unref_rec;
	s->c.vs.arg = r;
	return s;
}

/* An msync is settled once all calls begun before it returned are in. */
static int can_settle(const struct tw_rec *x, int64_t now)
{
	return x->op != TW_OP_MSYNC || !x->ended || x->t_end < now;
}

static int settle(struct ctx *c, size_t floor, int64_t now)
{
	int ret = 0;

	while (c->settled < floor && ret == 0) {
		const struct tw_rec *x = tw_rec_at(c->r, c->settled);

		if (!can_settle(x, now)) {
			break;
		}
		ret = tw_settle_store(c, c->settled);
		/*
		 * One that never returned is never a barrier nor raced; one
		 * that failed wrote back nothing a read can rely on.
		 */
		if (ret == 0 && x->op == TW_OP_MSYNC && x->ended && x->ret >= 0) {
			ret = tw_settle_msync(c, c->settled);
		} else if (ret == 0 && x->op == TW_OP_MSYNC && x->ended) {
			ret = tw_settle_failed_msync(c, c->settled);
		}
		if (ret == 0) {
			ret = tw_build_versions(c, c->settled);
		}
		if (ret == 0) {
			ret = tw_size_settle(c, c->settled);
		}
		c->settled++;
	}
	return ret;
}

static int is_judged_read(const struct tw_rec *x)
{
	return (x->op == TW_OP_READ || x->op == TW_OP_LOAD) && x->ended &&
	       x->ret > 0 && x->data.n;
}

/* A read that returned fewer bytes than it asked for: as long as it had to be? */
static int is_short_read(const struct tw_rec *x)
{
	return x->op == TW_OP_READ && !x->aio && x->ended && x->ret >= 0 &&
	       (uint64_t)x->ret < x->length && x->offset >= 0;
}

/* When what judging x needs has all come: then every call begun since is settled. */
static int can_judge(const struct ctx *c, const struct tw_rec *x, int64_t now)
{
	int64_t t = x->ended ? x->t_end : x->t_last_touch;

	if (t < x->t_begin) {
		t = x->t_begin;
	}
	/* Another host's calls up to ε later may have come first. */
	t += tw_hosts_eps_max();
	return t < now && (c->settled == c->r->end ||
			   tw_rec_at(c->r, c->settled)->t_begin > t);
}

static int judge(struct tw_rules *s, int64_t now, int final)
{
	struct ctx *c = &s->c;
	int ret = 0;

	while (c->judged < c->settled && ret == 0) {
		size_t i = c->judged;
		const struct tw_rec *x = tw_rec_at(c->r, i);

		if (!is_judged_read(x) && !x->aio && !is_short_read(x)) {
			c->judged++;
			continue;
		}
		if (!final && !x->closed) {
			/* An I/O open past the wait: judged at the end. */
			if (!TW_GROW(s->deferred, s->ndeferred, s->capdeferred)) {
				return -ENOMEM;
			}
			s->deferred[s->ndeferred++] = i;
			c->judged++;
			continue;
		}
		if (!final && !can_judge(c, x, now)) {
			break;
		}
		/* An async read is judged as a read, then as an I/O. */
		if (is_judged_read(x)) {
			ret = tw_judge_read(c, i);
		}
		if (ret == 0 && is_short_read(x)) {
			ret = tw_size_judge(c, i);
		}
		if (ret == 0 && x->aio) {
			ret = tw_async_rules(c, i);
		}
		c->judged++;
	}
	return ret;
}

/*
 * Keep what the rules may still look at: the calls from the oldest not yet
 * judged, msyncs a store may still race, calls an msync may still find
 * changing its pages (change_lag before it), and the window behind them.
 */
static int prune(struct ctx *c)
{
	struct tw_records *r = c->r;
	size_t limit = c->judged < r->open_floor ? c->judged : r->open_floor;
	size_t j, from;
	int64_t t;

	for (j = 0; j < c->nsyncs; j++) {
		if (c->syncs[j].rec < limit) {
			limit = c->syncs[j].rec;
		}
	}
	if (limit < r->first + 2 * TW_WINDOW_RECORDS) {
		return 0;
	}
	/* Everything judged: limit is the end, no record there to read. */
	t = limit < r->end ? tw_rec_at(r, limit)->t_begin : r->now;
	from = tw_records_first_begun(r, t - c->change_lag);
	if (from > limit - TW_WINDOW_RECORDS) {
		from = limit - TW_WINDOW_RECORDS;
	}
	return tw_records_prune(r, from);
}

int tw_rules_step(struct tw_rules *s)
{
	struct ctx *c = &s->c;
	struct tw_records *r = c->r;
	int ret;

	tw_records_settle_floor(r);
	ret = settle(c, r->open_floor, r->now);
	if (ret == 0) {
		ret = judge(s, r->now, 0);
	}
	c->vs.t_reads = c->judged < r->end ? tw_rec_at(r, c->judged)->t_begin :
					     r->now;
	return ret == 0 ? prune(c) : ret;
}

/* Anomalies another one explains (unknown data a phantom write left) go. */
static void drop_explained(struct tw_anomalies *out)
{
	size_t i, k = 0;

	for (i = 0; i < out->n; i++) {
		if (out->a[i].dropped) {
			free(out->a[i].pages);
			free(out->a[i].inter);
			free(out->a[i].path);
			continue;
		}
		out->a[k++] = out->a[i];
	}
	out->n = k;
}

static int by_time(const void *pa, const void *pb, void *arg)
{
	const struct tw_rec *a = tw_rec_find(arg, *(const size_t *)pa);
	const struct tw_rec *b = tw_rec_find(arg, *(const size_t *)pb);

	return a->t_begin < b->t_begin ? -1 : a->t_begin > b->t_begin;
}

/* Races first, then reads, then async I/O; each in the order they came. */
static int stage_of(int kind)
{
	switch (kind) {
	case TW_SYNC_RACE:
		return 0;
	case TW_TORN_READ:
	case TW_STALE_READ:
	case TW_UNKNOWN_DATA:
	case TW_INCOHERENT_VIEW:
		return 1;
	default:
		return 2;
	}
}

static int by_stage(const void *pa, const void *pb)
{
	const struct tw_anomaly *a = pa, *b = pb;
	int sa = stage_of(a->kind), sb = stage_of(b->kind);

	if (sa != sb) {
		return sa < sb ? -1 : 1;
	}
	return a->rec < b->rec ? -1 : a->rec > b->rec;
}

static int by_file_offset(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	if (a->dev != b->dev) {
		return a->dev < b->dev ? -1 : 1;
	}
	if (a->ino != b->ino) {
		return a->ino < b->ino ? -1 : 1;
	}
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/*
 * What was stored through a mapping and never synced when the trace ended:
 * on Linux the page cache shows it to every reader, which POSIX does not
 * promise without msync; said in the summary, not judged.
 */
static void count_unsynced(struct ctx *c, struct tw_anomalies *out)
{
	uint64_t ps = c->r->page_size, end = 0, last_pg = UINT64_MAX;
	size_t i;

	if (c->npending) {
		qsort(c->pending, c->npending, sizeof(*c->pending), by_file_offset);
	}
	for (i = 0; i < c->npending; i++) {
		const struct span *s = &c->pending[i];
		uint64_t lo = (uint64_t)s->offset, hi = lo + s->length, pg;
		int same = i > 0 && s->dev == c->pending[i - 1].dev &&
			   s->ino == c->pending[i - 1].ino;

		if (s->offset < 0 || s->length == 0) {
			continue;
		}
		if (!same) {
			out->unsynced_files++;
			end = 0;
			last_pg = UINT64_MAX;
		}
		if (lo < end) {
			lo = end;
		}
		if (hi > lo) {
			out->unsynced_bytes += hi - lo;
			end = hi;
		}
		for (pg = (uint64_t)s->offset / ps; pg * ps < (uint64_t)s->offset + s->length; pg++) {
			if (last_pg == UINT64_MAX || pg > last_pg) {
				out->unsynced_pages++;
				last_pg = pg;
			}
		}
	}
}

int tw_rules_end(struct tw_rules *s)
{
	struct ctx *c = &s->c;
	struct tw_anomalies *out = c->out;
	size_t i;
	int ret;

	c->vs.t_reads = INT64_MIN;	/* nothing is dropped any more */
	ret = settle(c, c->r->end, INT64_MAX);
	if (ret == 0) {
		ret = judge(s, INT64_MAX, 1);
	}
	for (i = 0; i < s->ndeferred && ret == 0; i++) {
		ret = tw_async_rules(c, s->deferred[i]);
	}
	if (ret != 0) {
		return ret;
	}
	tw_finish_races(c);
	tw_anomalies_recheck_doubt(out, c->r);
	drop_explained(out);
	if (out->n) {
		qsort(out->a, out->n, sizeof(*out->a), by_stage);
	}
	for (i = 0; i < out->n; i++) {
		qsort_r(out->a[i].inter, out->a[i].ninter, sizeof(size_t),
			by_time, c->r);
	}
	count_unsynced(c, out);
	out->blocks_history_cut = c->vs.blocks_history_cut;
	out->blocks_live_cut = c->vs.blocks_live_cut;
	out->overdue = s->ndeferred;
	return tw_unseen_export(&c->unseen, out);
}

int tw_rules_process(struct tw_rules *s, const struct tw_event *ev)
{
	return tw_unseen_process(&s->c.unseen, ev);
}

void tw_rules_free(struct tw_rules *s)
{
	if (!s) {
		return;
	}
	tw_versions_free(&s->c.vs);
	tw_sync_rules_free(&s->c);
	tw_sizes_free(&s->c.sizes);
	tw_unseen_free(&s->c.unseen);
	free(s->c.inval);
	free(s->c.cand);
	free(s->deferred);
	free(s);
}

int tw_rules_run(struct tw_records *r, struct tw_anomalies *out)
{
	struct tw_rules *s = tw_rules_new(r, out);
	int ret;

	if (!s) {
		return -ENOMEM;
	}
	ret = tw_rules_end(s);
	tw_rules_free(s);
	return ret;
}

void tw_anomalies_free(struct tw_anomalies *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->a[i].pages);
		free(a->a[i].inter);
		free(a->a[i].path);
	}
	free(a->a);
	free(a->unseen);
	memset(a, 0, sizeof(*a));
}
