/* SPDX-License-Identifier: MIT */
/*
 * Pass 2: every version of every grain block, from writes, stores (and
 * what they overwrote), msync page checksums; and the ranges truncated,
 * punched or written with data no one saw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "rules-int.h"
#include "tornwatch-events.h"

/* A version names the call that made it: it keeps that call citable. */
static int add_version(struct ctx *c, const struct tw_rec *x, uint64_t blk,
		       const struct tw_version *v)
{
	int ret = tw_versions_add(&c->vs, x->dev, x->ino, blk, v);

	if (ret == 0) {
		tw_rec_at(c->r, v->rec)->refs++;
	}
	return ret;
}

static int add_pieces(struct ctx *c, size_t rec, const struct tw_crcs *cr,
		      int kind, int64_t made, int64_t visible)
{
	const struct tw_rec *x = tw_rec_at(c->r, rec);
	int ret = 0;

	struct tw_piece p;

	tw_piece_start(&p, cr);
	while (ret == 0 && tw_piece_next(&p)) {
		struct tw_version v = {
			.crc = p.crc, .lo = (uint16_t)p.lo, .hi = (uint16_t)p.hi,
			.kind = kind, .rec = (uint32_t)rec, .t_made = made,
			.t_visible = visible,
		};

		ret = add_version(c, x, p.blk, &v);
	}
	return ret;
}

/*
 * Store s's versions, made with no visibility, became visible when barrier
 * msync m ended: the block's newest version that s made, per piece.
 */
int tw_store_visible(struct ctx *c, const struct span *s, size_t m, int64_t t)
{
	struct tw_rec *x = tw_rec_find(c->r, s->rec);
	uint64_t blk, last;
	int ret = 0;

	if (x) {
		x->synced_by = m;
		tw_rec_at(c->r, m)->refs++;
	}
	if (s->length == 0 || s->offset < 0) {
		return 0;
	}
	last = ((uint64_t)s->offset + s->length - 1) / TW_GRAIN;
	for (blk = (uint64_t)s->offset / TW_GRAIN; blk <= last && ret == 0; blk++) {
		struct tw_block *b = tw_versions_get(&c->vs, s->dev, s->ino, blk);
		size_t k;

		for (k = b ? b->n : 0; k-- > 0 && b->v[k].t_made >= s->t_begin;) {
			if (b->v[k].rec == s->rec && b->v[k].kind == TW_V_STORE) {
				if (b->v[k].t_visible == T_NEVER) {
					ret = tw_versions_set_visible(b, k, t);
				}
				break;
			}
		}
	}
	return ret;
}

static int add_sync_pages(struct ctx *c, size_t rec, int phase)
{
	const struct tw_rec *m = tw_rec_at(c->r, rec);
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
				.rec = (uint32_t)rec,
				.t_made = m->t_begin,
				.t_visible = !phase && is_barrier(m) ?
					     m->t_end : T_NEVER,
			};

			ret = add_version(c, m, m->pages[phase][i].page * bpp + j,
					  &v);
		}
	}
	return ret;
}

/* A range of call x's file that no earlier version holds for: [lo, hi). */
static int push_inval(struct ctx *c, size_t rec, const struct tw_rec *x,
		      uint64_t lo, uint64_t hi, int zero)
{
	struct inval *v;

	if (!TW_GROW(c->inval, c->ninval, c->capinval)) {
		return -ENOMEM;
	}
	v = &c->inval[c->ninval++];
	v->dev = x->dev;
	v->ino = x->ino;
	v->anywhere = x->anywhere;
	v->zero = zero;
	v->lo = lo;
	v->hi = hi;
	v->t_begin = x->t_begin;
	v->t_end = x->t_end;
	v->host = x->host;
	v->rec = rec;
	if (x->t_end - x->t_begin > c->inval_lag) {
		c->inval_lag = x->t_end - x->t_begin;
	}
	return 0;
}

static int add_inval(struct ctx *c, size_t rec)
{
	const struct tw_rec *x = tw_rec_at(c->r, rec);
	int zero = x->op == TW_OP_ZERO;
	uint64_t lo = x->offset < 0 ? 0 : (uint64_t)x->offset, hi;

	/* Unseen data of length 0 asked: moved from offset to the end. */
	if (!x->ended || x->ret < 0 ||
	    (x->op == TW_OP_OPAQUE && x->ret == 0 && x->length != 0)) {
		return 0;
	}
	if (x->offset < 0) {
		hi = UINT64_MAX;	/* where it wrote is unknown: anywhere */
	} else if (zero || x->length == 0) {
		hi = x->length ? lo + x->length : UINT64_MAX;
	} else {
		hi = lo + (uint64_t)x->ret;
	}
	return push_inval(c, rec, x, lo, hi, zero);
}

/*
 * A failed msync's pages hold what no read can rely on: data that may
 * not have reached the file. Until written again, they are undecided.
 */
static int add_lost_sync(struct ctx *c, size_t rec)
{
	const struct tw_rec *x = tw_rec_at(c->r, rec);
	uint64_t ps = c->r->page_size;

	if (!sync_may_lose(x) || x->offset < 0) {
		return 0;
	}
	return push_inval(c, rec, x, (uint64_t)x->offset / ps * ps,
			  ((uint64_t)x->offset + x->length + ps - 1) / ps * ps, 0);
}

int tw_build_versions(struct ctx *c, size_t i)
{
	const struct tw_rec *x = tw_rec_at(c->r, i);
	int ret = 0;

	switch (x->op) {
	case TW_OP_WRITE:
		/* Where it wrote is unknown: undecided anywhere since. */
		if (x->ended && x->ret > 0 && x->offset < 0) {
			ret = add_inval(c, i);
		} else if (x->ended && x->ret > 0) {
			ret = add_pieces(c, i, &x->data, TW_V_WRITE, x->t_begin,
					 x->t_end);
		} else if (!x->ended && x->aio && x->offset >= 0) {
			/*
			 * Never reaped (its process died, or the trace ended
			 * first): it may have landed or not, so what it wrote
			 * is possible and never required.
			 */
			ret = add_pieces(c, i, &x->data, TW_V_WRITE, x->t_begin,
					 T_NEVER);
		}
		break;
	case TW_OP_STORE:
		/* Visible once a barrier msync syncs it (tw_store_visible). */
		ret = add_pieces(c, i, &x->old, TW_V_OLD, x->t_begin - 1, T_NEVER);
		if (ret == 0) {
			ret = add_pieces(c, i, &x->data, TW_V_STORE, x->t_begin,
					 T_NEVER);
		}
		break;
	case TW_OP_ZERO:
	case TW_OP_OPAQUE:
		ret = add_inval(c, i);
		break;
	case TW_OP_UNSEEN:
		ret = tw_unseen_settle(&c->unseen, x);
		break;
	case TW_OP_MSYNC:
		ret = add_sync_pages(c, i, 0);
		if (ret == 0) {
			ret = add_sync_pages(c, i, 1);
		}
		if (ret == 0) {
			ret = add_lost_sync(c, i);
		}
		break;
	default:
		break;
	}
	return ret;
}
