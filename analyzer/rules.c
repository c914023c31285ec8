/* SPDX-License-Identifier: MIT */
/*
 * Three passes over the calls, in order of their beginning:
 * 1. when each store became required-visible (the end of the first
 *    successful msync(MS_SYNC) over it that began after it ended), and which
 *    stores raced an msync;
 * 2. every version of every grain block;
 * 3. every read, and every load from a mapping, piece by piece, against the
 *    version it was required to see;
 * then the async rules (async-rules.c).
 * Calls that overlap in time are not ordered: a read only has to see what
 * became visible before it began.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "grow.h"
#include "rules.h"
#include "tornwatch-events.h"
#include "versions.h"
#include "crc32c.h"

#define T_NEVER INT64_MAX
#define NO_REC ((size_t)-1)

/* The stores an msync found done when it began: the bytes it wrote back. */
struct synced {
	size_t *rec;
	size_t n, cap;
};

/*
 * After truncate or a punched hole a range reads as zeros; after
 * copy_file_range, sendfile or splice it holds data no one traced. Either
 * way no earlier version is required there any more.
 */
struct inval {
	uint64_t dev;
	uint64_t ino;
	uint64_t lo;
	uint64_t hi;		/* UINT64_MAX: to the end of the file */
	int64_t t_begin;
	int64_t t_end;
	int zero;
	size_t rec;
};

struct ctx {
	const struct tw_records *r;
	struct tw_versions vs;
	int64_t *visible;	/* per store record: when it became required */
	size_t *synced_by;	/* per store record: the msync that did it */
	struct tw_anomalies *out;
	size_t *race_of;	/* per msync record: its sync_race anomaly + 1 */
	struct synced *synced;	/* per msync record: the stores it wrote back */
	struct inval *inval;	/* ranges truncated, punched or written unseen */
	size_t ninval, capinval;
	int64_t inval_lag;	/* longest such call */
	int64_t change_lag;	/* longest call that changes file data */
};

static int same_file(const struct tw_rec *a, const struct tw_rec *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static int ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* msync works on whole pages. */
static int sync_covers(const struct tw_records *r, const struct tw_rec *m,
		       const struct tw_rec *s)
{
	uint64_t ps = r->page_size;
	uint64_t lo = (uint64_t)m->offset / ps * ps;
	uint64_t hi = ((uint64_t)m->offset + m->length + ps - 1) / ps * ps;

	return same_file(m, s) && ranges_meet(lo, hi - lo, (uint64_t)s->offset,
					      s->length);
}

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
 * A store during an msync races it only on the bytes the msync was writing
 * back: stores done before it began. Two processes storing next to each
 * other in one page (doio -n 2 under its own locks) is no race.
 */
static int is_barrier(const struct tw_rec *m);

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

static int is_barrier(const struct tw_rec *m)
{
	return m->ended && m->ret == 0 && (m->flags & MS_SYNC);
}

/* Pass 1. */
static int settle_stores(struct ctx *c)
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

static int add_pieces(struct ctx *c, size_t rec, const struct tw_crcs *cr,
		      int kind, int64_t made, int64_t visible)
{
	const struct tw_rec *x = &c->r->rec[rec];
	int ret = 0;

	struct tw_piece p;

	tw_piece_start(&p, cr);
	while (ret == 0 && tw_piece_next(&p)) {
		struct tw_version v = {
			.crc = p.crc, .lo = (uint16_t)p.lo, .hi = (uint16_t)p.hi,
			.kind = kind, .rec = rec, .t_made = made,
			.t_visible = visible,
		};

		ret = tw_versions_add(&c->vs, x->dev, x->ino, p.blk, &v);
	}
	return ret;
}

static int add_sync_pages(struct ctx *c, size_t rec, int phase)
{
	const struct tw_rec *m = &c->r->rec[rec];
	uint64_t bpp = m->blocks_per_page;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < m->npages[phase] && ret == 0; i++) {
		for (j = 0; j < bpp && ret == 0; j++) {
			struct tw_version v = {
				.crc = m->pages[phase][i].crc[j],
				.lo = 0,
				.hi = TW_GRAIN,
				.kind = phase ? TW_V_RACE : TW_V_SYNC,
				.rec = rec,
				.t_made = m->t_begin,
				.t_visible = !phase && is_barrier(m) ?
					     m->t_end : T_NEVER,
			};

			ret = tw_versions_add(&c->vs, m->dev, m->ino,
					      m->pages[phase][i].page * bpp + j,
					      &v);
		}
	}
	return ret;
}

static int add_inval(struct ctx *c, size_t rec)
{
	const struct tw_rec *x = &c->r->rec[rec];
	struct inval *v;

	/* Unseen data of length 0 asked: moved from offset to the end. */
	if (!x->ended || x->ret < 0 ||
	    (x->op == TW_OP_OPAQUE && x->ret == 0 && x->length != 0)) {
		return 0;
	}
	if (!TW_GROW(c->inval, c->ninval, c->capinval)) {
		return -ENOMEM;
	}
	v = &c->inval[c->ninval++];
	v->dev = x->dev;
	v->ino = x->ino;
	v->zero = x->op == TW_OP_ZERO;
	v->lo = x->offset < 0 ? 0 : (uint64_t)x->offset;
	if (x->offset < 0) {
		v->hi = UINT64_MAX;	/* where it wrote is unknown: anywhere */
	} else if (v->zero || x->length == 0) {
		v->hi = x->length ? v->lo + x->length : UINT64_MAX;
	} else {
		v->hi = v->lo + (uint64_t)x->ret;
	}
	v->t_begin = x->t_begin;
	v->t_end = x->t_end;
	v->rec = rec;
	if (x->t_end - x->t_begin > c->inval_lag) {
		c->inval_lag = x->t_end - x->t_begin;
	}
	return 0;
}

/*
 * The newest invalidation of the bytes [lo, hi) that ended before the read
 * began and after `after`. They are in order of t_begin.
 */
static const struct inval *newest_inval(const struct ctx *c, uint64_t dev,
					uint64_t ino, uint64_t lo, uint64_t hi,
					const struct tw_rec *rd, int64_t after)
{
	const struct inval *best = NULL;
	size_t i;

	for (i = c->ninval; i-- > 0;) {
		const struct inval *v = &c->inval[i];

		if (v->t_begin + c->inval_lag < after ||
		    (best && v->t_begin + c->inval_lag < best->t_end)) {
			break;
		}
		if (v->dev != dev || v->ino != ino || v->t_end >= rd->t_begin ||
		    v->t_end <= after || v->hi <= lo || v->lo >= hi) {
			continue;
		}
		if (!best || v->t_end > best->t_end) {
			best = v;
		}
	}
	return best;
}

/* CRC32C of n zero bytes, n up to a grain. */
static uint32_t zero_crc(unsigned int n)
{
	static uint32_t table[TW_GRAIN + 1];
	static int ready;
	static const unsigned char zeros[TW_GRAIN];

	if (!ready) {
		unsigned int i;

		for (i = 0; i <= TW_GRAIN; i++) {
			table[i] = tw_crc32c(0, zeros, i);
		}
		ready = 1;
	}
	return table[n <= TW_GRAIN ? n : TW_GRAIN];
}

/* Pass 2. */
static int build_versions(struct ctx *c)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < c->r->n && ret == 0; i++) {
		const struct tw_rec *x = &c->r->rec[i];

		switch (x->op) {
		case TW_OP_WRITE:
			/* Where it wrote is unknown: undecided anywhere since. */
			if (x->ended && x->ret > 0 && x->offset < 0) {
				ret = add_inval(c, i);
			} else if (x->ended && x->ret > 0) {
				ret = add_pieces(c, i, &x->data, TW_V_WRITE,
						 x->t_begin, x->t_end);
			}
			break;
		case TW_OP_STORE:
			ret = add_pieces(c, i, &x->old, TW_V_OLD,
					 x->t_begin - 1, T_NEVER);
			if (ret == 0) {
				ret = add_pieces(c, i, &x->data, TW_V_STORE,
						 x->t_begin, c->visible[i]);
			}
			break;
		case TW_OP_ZERO:
		case TW_OP_OPAQUE:
			ret = add_inval(c, i);
			break;
		case TW_OP_MSYNC:
			ret = add_sync_pages(c, i, 0);
			if (ret == 0) {
				ret = add_sync_pages(c, i, 1);
			}
			break;
		default:
			break;
		}
	}
	return ret;
}

struct judged {
	int state;
	const struct tw_version *req;
	const struct tw_version *match;
	const struct inval *inval;	/* when it is what the read had to see */
};

static int same_piece(const struct tw_version *v, unsigned int lo,
		      unsigned int hi)
{
	return v->lo == lo && v->hi == hi;
}

/*
 * The version the read had to see is the one that became visible last
 * before it began. Versions are in order of t_made and none became visible
 * later than max_lag after it was made, so the backward search stops early.
 * Then: the piece shows that version or a newer one (new), an older one
 * (old), or none (unknown).
 */
/* A matching version made at or after t, from index from on; or NULL. */
static const struct tw_version *match_after(const struct tw_block *b,
					    size_t from, size_t cut,
					    unsigned int lo, unsigned int hi,
					    uint32_t crc, int64_t t)
{
	size_t i;

	for (i = from; b && i < cut; i++) {
		if (same_piece(&b->v[i], lo, hi) && b->v[i].crc == crc &&
		    b->v[i].t_made >= t) {
			return &b->v[i];
		}
	}
	return NULL;
}

/* A matching version made before index until, newest first; or NULL. */
static const struct tw_version *match_before(const struct tw_block *b,
					     size_t until, unsigned int lo,
					     unsigned int hi, uint32_t crc)
{
	size_t i;

	for (i = until; b && i-- > 0;) {
		if (same_piece(&b->v[i], lo, hi) && b->v[i].crc == crc) {
			return &b->v[i];
		}
	}
	return NULL;
}

/*
 * Could the piece hold bytes of an older version of another shape? A piece
 * is only ever compared with versions of its own bytes, so then no match
 * among them means undecided, not unknown: a partial head or tail piece of
 * a read over a block an earlier write covered whole.
 */
static int other_shape_before(const struct tw_block *b, size_t until,
			      unsigned int lo, unsigned int hi)
{
	size_t i;

	for (i = until; b && i-- > 0;) {
		const struct tw_version *v = &b->v[i];

		if (!same_piece(v, lo, hi) && v->lo < hi && v->hi > lo) {
			return 1;
		}
	}
	return 0;
}

/*
 * Truncated, punched or written unseen after the newest visible version:
 * zeros are required where the whole piece was cleared; where data no one
 * saw was written, or only part of the piece was cleared, nothing is known.
 */
static struct judged judge_inval(const struct tw_block *b, size_t cut,
				 uint64_t blk, unsigned int lo,
				 unsigned int hi, uint32_t crc,
				 const struct inval *iv)
{
	struct judged j = { TW_S_UNDECIDED, NULL, NULL, iv };
	uint64_t from = blk * TW_GRAIN + lo, to = blk * TW_GRAIN + hi;
	size_t first = 0;

	j.match = match_after(b, 0, cut, lo, hi, crc, iv->t_begin);
	if (j.match) {
		j.state = TW_S_NEW;
		return j;
	}
	if (!iv->zero || from < iv->lo || to > iv->hi) {
		return j;
	}
	if (crc == zero_crc(hi - lo)) {
		j.state = TW_S_NEW;
		return j;
	}
	while (b && first < cut && b->v[first].t_made < iv->t_begin) {
		first++;
	}
	j.match = match_before(b, first, lo, hi, crc);
	j.state = j.match ? TW_S_OLD :
		  other_shape_before(b, cut, lo, hi) ? TW_S_UNDECIDED :
						       TW_S_UNKNOWN;
	return j;
}

/*
 * The version the read had to see is the one that became visible last
 * before it began. Versions are in order of t_made and none became visible
 * later than max_lag after it was made, so the backward search stops early.
 * Then: the piece shows that version or a newer one (new), an older one
 * (old), or none (unknown).
 */
/*
 * Was part of [lo, hi) written again, with another shape, at t or later?
 * Then the piece's content is a mix no single version describes: the read
 * can only be told new (a later version of its own shape), never old or
 * unknown. Random-length checkers (fsx, fsstress) do this all the time.
 */
static int reshaped_since(const struct tw_block *b, size_t cut,
			  unsigned int lo, unsigned int hi, int64_t t)
{
	size_t i;

	for (i = cut; b && i-- > 0 && b->v[i].t_made >= t;) {
		const struct tw_version *v = &b->v[i];

		if ((v->kind == TW_V_WRITE || v->kind == TW_V_STORE) &&
		    !same_piece(v, lo, hi) && v->lo < hi && v->hi > lo) {
			return 1;
		}
	}
	return 0;
}

static struct judged judge(const struct ctx *c, const struct tw_block *b,
			   uint64_t blk, unsigned int lo, unsigned int hi,
			   uint32_t crc, const struct tw_rec *rd)
{
	struct judged j = { TW_S_UNDECIDED, NULL, NULL, NULL };
	const struct inval *iv;
	size_t cut = 0, req = 0, first;

	if (b) {
		cut = tw_versions_made_before(b, rd->t_end);
	}
	j.req = tw_versions_required(b, lo, hi, rd->t_begin);
	if (j.req) {
		req = (size_t)(j.req - b->v);
	}
	iv = newest_inval(c, rd->dev, rd->ino, blk * TW_GRAIN + lo,
			  blk * TW_GRAIN + hi, rd,
			  j.req ? j.req->t_visible : INT64_MIN);
	if (iv) {
		j = judge_inval(b, cut, blk, lo, hi, crc, iv);
		/* Zeros or older data are required only where nothing wrote since. */
		if (!(j.state == TW_S_NEW && j.match) &&
		    reshaped_since(b, cut, lo, hi, iv->t_begin)) {
			j.state = TW_S_UNDECIDED;
		}
		return j;
	}
	if (!j.req) {
		return j;
	}
	first = req;
	while (first > 0 && b->v[first - 1].t_made >= j.req->t_made) {
		first--;
	}
	j.match = match_after(b, first, cut, lo, hi, crc, INT64_MIN);
	if (j.match) {
		j.state = TW_S_NEW;
		return j;
	}
	if (reshaped_since(b, cut, lo, hi, j.req->t_made + 1)) {
		j.state = TW_S_UNDECIDED;
		return j;
	}
	j.match = match_before(b, first, lo, hi, crc);
	j.state = j.match ? TW_S_OLD :
		  other_shape_before(b, cut, lo, hi) ? TW_S_UNDECIDED :
						       TW_S_UNKNOWN;
	/* Zeros from a truncate before the required version are old too. */
	if (!j.match && crc == zero_crc(hi - lo)) {
		iv = newest_inval(c, rd->dev, rd->ino, blk * TW_GRAIN + lo,
				  blk * TW_GRAIN + hi, rd, INT64_MIN);
		if (iv && iv->zero) {
			j.state = TW_S_OLD;
		}
	}
	return j;
}

static int note_version(struct ctx *c, struct tw_anomaly *a,
			const struct tw_version *v)
{
	int ret;

	if (!v) {
		return 0;
	}
	ret = tw_anomaly_add_inter(a, v->rec);
	if (ret == 0 && v->kind == TW_V_STORE && c->synced_by[v->rec] != NO_REC) {
		ret = tw_anomaly_add_inter(a, c->synced_by[v->rec]);
	}
	return ret;
}

/* Other calls on the same bytes around the anomaly, from any thread or process. */
static int add_neighbours(struct ctx *c, struct tw_anomaly *a, size_t rd)
{
	const struct tw_rec *x = &c->r->rec[rd];
	int64_t from = x->t_begin;
	size_t i;
	int ret = 0;

	for (i = 0; i < a->ninter; i++) {
		if (c->r->rec[a->inter[i]].t_begin < from) {
			from = c->r->rec[a->inter[i]].t_begin;
		}
	}
	for (i = 0; i < c->r->n && ret == 0; i++) {
		const struct tw_rec *y = &c->r->rec[i];
		uint64_t off = y->offset < 0 ? 0 : (uint64_t)y->offset;

		if (y->t_begin < from || y->t_begin > x->t_end || !same_file(x, y)) {
			continue;
		}
		if (y->op == TW_OP_MSYNC ? sync_covers(c->r, y, x) :
		    (y->op == TW_OP_WRITE || y->op == TW_OP_STORE ||
		     y->op == TW_OP_READ) &&
		    ranges_meet(off, y->length, (uint64_t)x->offset, x->length)) {
			ret = tw_anomaly_add_inter(a, i);
		} else if (y->op == TW_OP_FSYNC) {
			ret = tw_anomaly_add_inter(a, i);
		}
	}
	return ret;
}

static int judge_read(struct ctx *c, size_t rd)
{
	const struct tw_rec *x = &c->r->rec[rd];
	struct tw_anomaly tmp, *a;
	int ret = 0;

	memset(&tmp, 0, sizeof(tmp));
	c->out->reads_checked++;
	struct tw_piece p;

	tw_piece_start(&p, &x->data);
	while (ret == 0 && tw_piece_next(&p)) {
		const struct tw_block *b = tw_versions_find(&c->vs, x->dev,
							    x->ino, p.blk);
		struct judged j = judge(c, b, p.blk, p.lo, p.hi, p.crc, x);

		ret = tw_anomaly_add_bytes(&tmp, c->r->page_size, p.blk * TW_GRAIN + p.lo,
			       p.hi - p.lo, j.state);
		if (ret == 0 && j.state != TW_S_UNDECIDED) {
			ret = j.inval ? tw_anomaly_add_inter(&tmp, j.inval->rec) :
					note_version(c, &tmp, j.req);
		}
		if (ret == 0 && j.state == TW_S_OLD) {
			ret = note_version(c, &tmp, j.match);
		}
	}
	if (ret != 0 || (tmp.bytes[TW_S_OLD] == 0 && tmp.bytes[TW_S_UNKNOWN] == 0)) {
		free(tmp.pages);
		free(tmp.inter);
		return ret;
	}
	a = tw_anomaly_new(c->out, c->r, TW_TORN_READ, rd);
	if (!a) {
		free(tmp.pages);
		free(tmp.inter);
		return -ENOMEM;
	}
	memcpy(a->bytes, tmp.bytes, sizeof(a->bytes));
	a->pages = tmp.pages;
	a->npages = tmp.npages;
	a->cappages = tmp.cappages;
	a->inter = tmp.inter;
	a->ninter = tmp.ninter;
	a->capinter = tmp.capinter;
	a->offset = (uint64_t)x->offset;
	a->length = (uint64_t)x->ret;
	if (a->bytes[TW_S_UNKNOWN]) {
		a->kind = TW_UNKNOWN_DATA;
	} else if (x->op == TW_OP_LOAD) {
		a->kind = TW_INCOHERENT_VIEW;
	} else if (a->bytes[TW_S_NEW]) {
		a->kind = TW_TORN_READ;
	} else {
		a->kind = TW_STALE_READ;
	}
	ret = tw_anomaly_add_inter(a, rd);
	return ret == 0 ? add_neighbours(c, a, rd) : ret;
}

static int by_offset(const void *pa, const void *pb)
{
	const struct tw_page_entry *a = pa, *b = pb;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* A raced msync: the span of the bytes that changed under it. */
static void finish_races(struct ctx *c)
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

static int by_time(const void *pa, const void *pb, void *arg)
{
	const struct tw_records *r = arg;
	int64_t a = r->rec[*(const size_t *)pa].t_begin;
	int64_t b = r->rec[*(const size_t *)pb].t_begin;

	return a < b ? -1 : a > b;
}

/* Anomalies another one explains (unknown data a phantom write left) go. */
static void drop_explained(struct tw_anomalies *out)
{
	size_t i, k = 0;

	for (i = 0; i < out->n; i++) {
		if (out->a[i].dropped) {
			free(out->a[i].pages);
			free(out->a[i].inter);
			continue;
		}
		out->a[k++] = out->a[i];
	}
	out->n = k;
}

int tw_rules_run(const struct tw_records *r, struct tw_anomalies *out)
{
	struct ctx c = { .r = r, .out = out };
	size_t i;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	tw_versions_init(&c.vs);
	c.visible = calloc(r->n + 1, sizeof(*c.visible));
	c.synced_by = calloc(r->n + 1, sizeof(*c.synced_by));
	c.race_of = calloc(r->n + 1, sizeof(*c.race_of));
	c.synced = calloc(r->n + 1, sizeof(*c.synced));
	if (!c.visible || !c.synced_by || !c.race_of || !c.synced) {
		goto end;
	}
	ret = settle_stores(&c);
	if (ret == 0) {
		ret = build_versions(&c);
	}
	if (ret == 0) {
		ret = tw_versions_index(&c.vs);
	}
	for (i = 0; i < r->n && ret == 0; i++) {
		const struct tw_rec *x = &r->rec[i];

		if ((x->op == TW_OP_READ || x->op == TW_OP_LOAD) && x->ended &&
		    x->ret > 0 && x->data.n) {
			ret = judge_read(&c, i);
		}
	}
	if (ret == 0) {
		finish_races(&c);
		ret = tw_async_rules(r, out);
	}
	if (ret == 0) {
		drop_explained(out);
		for (i = 0; i < out->n; i++) {
			qsort_r(out->a[i].inter, out->a[i].ninter, sizeof(size_t),
				by_time, (void *)r);
		}
	}
end:
	tw_versions_free(&c.vs);
	free(c.visible);
	free(c.synced_by);
	free(c.race_of);
	free(c.inval);
	for (i = 0; c.synced && i < r->n; i++) {
		free(c.synced[i].rec);
	}
	free(c.synced);
	return ret;
}

void tw_anomalies_free(struct tw_anomalies *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->a[i].pages);
		free(a->a[i].inter);
	}
	free(a->a);
	memset(a, 0, sizeof(*a));
}
