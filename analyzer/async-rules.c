/* SPDX-License-Identifier: MIT */
/*
 * The async rules, run after every read was judged (reads completed by
 * libaio or io_uring are judged like any other, from submission to
 * completion):
 * - short_read: a read completed with fewer bytes than asked although the
 *   file, when it was submitted, held bytes past what it delivered;
 * - a buffer freed, reallocated or unmapped while its I/O was in flight:
 *   for a write whose buffer is known to have changed since submission (a
 *   checksum after a store into it or at completion differs, or a later
 *   read found that content in the file) phantom_write, else abandoned_io;
 * - a write's buffer changed in flight but never released:
 *   buffer_modified_in_flight.
 * An unknown_data read that found such a write's changed content joins that
 * write's interleaving instead of being reported on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hosts.h"
#include "rules-int.h"
#include "tornwatch-events.h"

struct io_facts {
	int released;		/* freed, reallocated or unmapped in flight */
	int observed;		/* a later read found its changed content */
	uint8_t *changed;	/* per piece of data: some later checksum differs */
	size_t nchanged;	/* pieces that did */
	int64_t t_last;		/* last thing that happened to it */
};

/* The checksum cr holds for exactly bytes [lo, hi) of block blk. */
static int crc_at(const struct tw_crcs *cr, uint64_t blk, unsigned int lo,
		  unsigned int hi, uint32_t *crc)
{
	struct tw_piece p;

	if (cr->n == 0 || blk < cr->offset / TW_GRAIN ||
	    blk > (cr->offset + cr->length - 1) / TW_GRAIN) {
		return 0;
	}
	tw_piece_start(&p, cr);
	while (tw_piece_next(&p)) {
		if (p.blk == blk) {
			*crc = p.crc;
			return p.lo == lo && p.hi == hi;
		}
	}
	return 0;
}

/* Which pieces of what was submitted differ in some later snapshot. */
static int compare_snapshots(const struct tw_rec *x, struct io_facts *f)
{
	size_t k, i;

	if (x->op != TW_OP_WRITE || x->data.n == 0 || x->nlater == 0) {
		return 0;
	}
	f->changed = calloc(x->data.n, 1);
	if (!f->changed) {
		return -ENOMEM;
	}
	for (k = 0; k < x->nlater; k++) {
		const struct tw_crcs *l = &x->later[k];

		if (l->offset != x->data.offset || l->n != x->data.n) {
			continue;	/* cut short by lost events */
		}
		for (i = 0; i < l->n; i++) {
			if (l->crc[i] != x->data.crc[i] && !f->changed[i]) {
				f->changed[i] = 1;
				f->nchanged++;
			}
		}
	}
	return 0;
}

static int read_shows_later(const struct tw_rec *x, const struct tw_rec *rd)
{
	struct tw_piece p;
	uint32_t crc;
	size_t k;

	tw_piece_start(&p, &rd->data);
	while (tw_piece_next(&p)) {
		for (k = 0; k < x->nlater; k++) {
			if (crc_at(&x->later[k], p.blk, p.lo, p.hi, &crc) &&
			    crc == p.crc && (!crc_at(&x->data, p.blk, p.lo, p.hi,
						     &crc) || crc != p.crc)) {
				return 1;
			}
		}
	}
	return 0;
}

/* Its touches were noted on it as they came (records.c). */
static void gather(const struct tw_rec *x, struct io_facts *f)
{
	f->t_last = x->ended ? x->t_end : x->t_begin;
	f->released = x->touch_released;
	if (x->t_last_touch > f->t_last) {
		f->t_last = x->t_last_touch;
	}
}

/* Read u's unknown data is write x's later content: x explains it. */
static int absorb(struct tw_anomaly *a, struct tw_anomaly *u)
{
	u->dropped = 1;
	return tw_anomaly_add_inter(a, u->rec);
}

/* A read on another host begun up to ε before the submission may be after it. */
static int shows_later(const struct tw_rec *x, const struct tw_anomaly *u,
		       const struct tw_rec *rd)
{
	return u->kind == TW_UNKNOWN_DATA && !u->dropped && rd &&
	       rd->dev == x->dev && rd->ino == x->ino &&
	       rd->t_begin >= x->t_begin - tw_hosts_eps(x->host, rd->host) &&
	       read_shows_later(x, rd);
}

/* Unknown data some read judged so far found where this write's later content went. */
static int explain_reads(struct ctx *c, size_t i, struct tw_anomaly *a,
			 struct io_facts *f)
{
	const struct tw_rec *x = tw_rec_find(c->r, i);
	struct tw_anomalies *out = c->out;
	size_t k;
	int ret = 0;

	for (k = 0; k < out->n && ret == 0; k++) {
		struct tw_anomaly *u = &out->a[k];

		if (!shows_later(x, u, tw_rec_find(c->r, u->rec))) {
			continue;
		}
		f->observed = 1;
		if (a) {
			ret = absorb(a, u);
		}
	}
	return ret;
}

/* An unknown_data read judged after the write's anomaly was made. */
int tw_async_explain(struct ctx *c, size_t ui)
{
	size_t k;

	for (k = 0; k < c->ncand; k++) {
		struct tw_anomaly *a = &c->out->a[c->cand[k].anomaly];
		struct tw_anomaly *u = &c->out->a[ui];
		const struct tw_rec *x = tw_rec_find(c->r, c->cand[k].rec);

		if (!x || !shows_later(x, u, tw_rec_find(c->r, u->rec))) {
			continue;
		}
		/* Its changed content reached the file: no mere abandoned I/O. */
		if (a->kind == TW_ABANDONED_IO) {
			a->kind = TW_PHANTOM_WRITE;
		}
		return absorb(a, u);
	}
	return 0;
}

/* What happened around the I/O: its touches, and waits and signals of its process. */
static int add_context(const struct tw_records *r, size_t i,
		       struct tw_anomaly *a, int64_t t_last)
{
	const struct tw_rec *x = tw_rec_find(r, i);
	size_t j = i + 1 > r->first ? i + 1 : r->first;
	int ret = tw_anomaly_add_inter(a, i);

	for (; j < r->end && ret == 0 && tw_rec_at(r, j)->t_begin <= t_last;
	     j++) {
		const struct tw_rec *y = tw_rec_at(r, j);

		if ((y->note == TW_NOTE_TOUCH && y->io == i) ||
		    (y->note == TW_NOTE_WAIT && y->pid == x->pid &&
		     y->engine == x->engine && y->ctx == x->ctx) ||
		    (y->note == TW_NOTE_SIGNAL && y->pid == x->pid)) {
			ret = tw_anomaly_add_inter(a, j);
		}
	}
	return ret;
}

static struct tw_anomaly *async_anomaly(struct tw_records *r,
					struct tw_anomalies *out, int kind,
					size_t i)
{
	const struct tw_rec *x = tw_rec_find(r, i);
	struct tw_anomaly *a = tw_anomaly_new(out, r, kind, i);

	if (a) {
		a->offset = x->offset < 0 ? 0 : (uint64_t)x->offset;
		a->length = x->length;
		a->unseen_io |= r->missed > 0;
		a->uncertain |= a->unseen_io;
	}
	return a;
}

static int changed_pages(const struct tw_records *r, const struct tw_rec *x,
			 struct tw_anomaly *a, const struct io_facts *f)
{
	struct tw_piece p;
	size_t k = 0;
	int ret = 0;

	if (!f->changed || f->nchanged == 0) {
		return tw_anomaly_add_bytes(a, r->page_size, a->offset,
					    a->length, f->released ?
					    TW_S_RELEASED : TW_S_UNDECIDED);
	}
	tw_piece_start(&p, &x->data);
	while (ret == 0 && tw_piece_next(&p)) {
		if (f->changed[k++]) {
			ret = tw_anomaly_add_bytes(a, r->page_size,
						   p.blk * TW_GRAIN + p.lo,
						   p.hi - p.lo, TW_S_CHANGED);
		}
	}
	return ret;
}

static int short_read(const struct ctx *c, size_t i)
{
	struct tw_records *r = c->r;
	struct tw_anomalies *out = c->out;
	const struct tw_rec *x = tw_rec_find(r, i);
	struct tw_anomaly *a;
	uint64_t got = (uint64_t)x->ret;

	if (x->op != TW_OP_READ || !x->ended || x->seen != TW_SEEN_FIRST ||
	    x->ret < 0 || got >= x->length || x->offset < 0 ||
	    x->size <= x->offset + x->ret) {
		return 0;
	}
	/* The size at submission no longer held: cut short meanwhile. */
	if (tw_size_cut_during(c, x)) {
		return 0;
	}
	a = async_anomaly(r, out, TW_SHORT_READ, i);
	if (!a) {
		return -ENOMEM;
	}
	if (tw_anomaly_add_bytes(a, r->page_size, a->offset + got,
				 x->length - got, TW_S_NOT_READ)) {
		return -ENOMEM;
	}
	return add_context(r, i, a, x->t_end);
}

static int lifetime(struct ctx *c, size_t i)
{
	const struct tw_rec *x = tw_rec_find(c->r, i);
	struct io_facts f = { 0 };
	struct tw_anomaly *a = NULL;
	int kind, ret;

	gather(x, &f);
	ret = compare_snapshots(x, &f);
	if (ret == 0 && f.released && x->op == TW_OP_WRITE && x->nlater) {
		ret = explain_reads(c, i, NULL, &f);
	}
	if (ret != 0 || (!f.released && f.nchanged == 0)) {
		free(f.changed);
		return ret;
	}
	if (!f.released) {
		kind = TW_BUFFER_MODIFIED;
	} else if (x->op == TW_OP_WRITE && (f.nchanged || f.observed)) {
		kind = TW_PHANTOM_WRITE;
	} else {
		kind = TW_ABANDONED_IO;
	}
	a = async_anomaly(c->r, c->out, kind, i);
	ret = a ? changed_pages(c->r, x, a, &f) : -ENOMEM;
	if (ret == 0 && kind != TW_ABANDONED_IO) {
		ret = explain_reads(c, i, a, &f);
	}
	if (ret == 0) {
		ret = add_context(c->r, i, a, f.t_last);
	}
	/* A read judged later may still find its later content. */
	if (ret == 0 && x->op == TW_OP_WRITE && x->nlater) {
		if (!TW_GROW(c->cand, c->ncand, c->capcand)) {
			ret = -ENOMEM;
		} else {
			c->cand[c->ncand++] = (struct candidate){ i, c->out->n - 1 };
		}
	}
	free(f.changed);
	return ret;
}

int tw_async_rules(struct ctx *c, size_t i)
{
	const struct tw_rec *x = tw_rec_find(c->r, i);
	int ret;

	if (!x || !x->aio || x->op == TW_OP_FSYNC) {
		return 0;
	}
	ret = short_read(c, i);
	if (ret == 0 && x->seen != TW_SEEN_REFUSED) {
		ret = lifetime(c, i);
	}
	return ret;
}
