/* SPDX-License-Identifier: MIT */
/*
 * Pass 3: every read, and every load from a mapping, piece by piece against
 * the version it was required to see. Calls that overlap in time are not
 * ordered: a read only has to see what became visible before it began.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "rules-int.h"
#include "tornwatch-events.h"
#include "crc32c.h"
#include "hosts.h"

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


struct judged {
	int state;
	const struct tw_version *req;
	const struct tw_version *match;
	const struct inval *inval;	/* when it is what the read had to see */
	int history_cut;	/* old or unknown: older versions were dropped */
	int unseen;		/* a writer no hook sees decided it */
	int cross;		/* 1 + the model that judged another host's version */
	uint32_t whost;		/* that version's host */
	int concurrent;		/* undecided: another host's version, not ordered */
};

static int same_piece(const struct tw_version *v, unsigned int lo,
		      unsigned int hi)
{
	return v->lo == lo && v->hi == hi;
}

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

/* Made on two hosts within ε of each other: in either order. */
static int cross_unordered(const struct ctx *c, const struct tw_version *v,
			   const struct tw_version *req)
{
	const struct tw_rec *a, *b;

	if (tw_hosts.n < 2 || !(a = tw_rec_find(c->r, v->rec)) ||
	    !(b = tw_rec_find(c->r, req->rec)) || a->host == b->host) {
		return 0;
	}
	return v->t_visible > req->t_made - tw_hosts_eps(a->host, b->host);
}

/*
 * Writes in flight together land in either order, whatever order they were
 * reaped in: a matching write made before the required version that was
 * still in flight when the required one was made may be what the file
 * shows. One never reaped (T_NEVER) may land at any time.
 */
static const struct tw_version *match_concurrent(const struct ctx *c,
						 const struct tw_block *b,
						 size_t until, unsigned int lo,
						 unsigned int hi, uint32_t crc,
						 const struct tw_version *req)
{
	size_t i;

	for (i = until; b && i-- > 0;) {
		const struct tw_version *v = &b->v[i];

		if (v->kind == TW_V_WRITE && same_piece(v, lo, hi) &&
		    v->crc == crc && (v->t_visible > req->t_made ||
				      cross_unordered(c, v, req))) {
			return v;
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
 * Not what the read had to see, nor anything the block held before: with
 * some of that dropped it may be one of those (a stale read) as well as
 * data no one wrote; with versions a read could still need dropped,
 * nothing is known.
 */
static void cut_history(const struct tw_block *b, struct judged *j)
{
	if (!b || (j->state != TW_S_OLD && j->state != TW_S_UNKNOWN)) {
		return;
	}
	if (b->live_cut) {
		j->state = TW_S_UNDECIDED;
	} else if (j->state == TW_S_UNKNOWN && b->history_cut) {
		j->history_cut = 1;
	}
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
	struct judged j = { .state = TW_S_UNDECIDED, .inval = iv };
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
 * before it began (tw_versions_required). Then: the piece shows that
 * version or a newer one (new), an older one (old), or none (unknown).
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

/*
 * The file may have been written unseen (stdio, POSIX AIO) while the read
 * ran, or after the version it had to see: only a version made since the
 * mark began tells anything (new); nothing is old or unknown.
 */
static int unseen_decides(const struct tw_unseen_view *uv,
			  const struct tw_version *req, const struct inval *iv)
{
	if (!uv->file) {
		return 0;
	}
	return uv->ongoing ||
	       (uv->ended > (req ? req->t_visible : INT64_MIN) &&
		(!iv || uv->ended > iv->t_end));
}

static struct judged judge_unseen(const struct tw_block *b, size_t cut,
				  unsigned int lo, unsigned int hi,
				  uint32_t crc, const struct tw_unseen_view *uv)
{
	struct judged j = { .state = TW_S_UNDECIDED, .unseen = 1 };

	j.match = match_after(b, 0, cut, lo, hi, crc,
			      uv->ongoing ? uv->since : uv->ended_since);
	if (j.match) {
		j.state = TW_S_NEW;
	}
	return j;
}

/*
 * Was the piece being changed while the read ran: a write or a store on its
 * bytes begun before the read ended that had not returned when it began?
 * Calls that overlap in time are not ordered: the read may show a mix of
 * before and after (two doio processes, one storing, one loading, with no
 * lock between), which is neither old nor data no one wrote.
 */
static int changed_meanwhile(const struct ctx *c, const struct tw_block *b,
			     size_t cut, unsigned int lo, unsigned int hi,
			     const struct tw_rec *rd)
{
	size_t i;

	for (i = cut; b && i-- > 0 &&
		      b->v[i].t_made + c->change_lag >= rd->t_begin;) {
		const struct tw_version *v = &b->v[i];
		const struct tw_rec *w;

		if ((v->kind != TW_V_WRITE && v->kind != TW_V_STORE) ||
		    v->lo >= hi || v->hi <= lo) {
			continue;
		}
		w = tw_rec_find(c->r, v->rec);
		if (w && w->t_end >= rd->t_begin && w != rd) {
			return 1;
		}
	}
	return 0;
}

static struct judged judge_piece(const struct ctx *c, const struct tw_block *b,
			   uint64_t blk, unsigned int lo, unsigned int hi,
			   uint32_t crc, const struct tw_rec *rd,
			   const struct tw_unseen_view *uv)
{
	struct judged j = { .state = TW_S_UNDECIDED };
	struct tw_cross cr = { -1, 0 };
	const struct inval *iv;
	size_t cut = 0, req = 0, first;

	if (b) {
		cut = tw_versions_made_before(b, rd->t_end);
	}
	j.req = tw_versions_required(b, lo, hi, rd->t_begin);
	if (j.req) {
		req = (size_t)(j.req - b->v);
	}
	iv = tw_newest_inval(c, blk * TW_GRAIN + lo, blk * TW_GRAIN + hi, rd,
			     j.req ? j.req->t_visible : INT64_MIN);
	if (unseen_decides(uv, j.req, iv)) {
		return judge_unseen(b, cut, lo, hi, crc, uv);
	}
	if (iv) {
		const struct tw_version *before = j.req;

		j = judge_inval(b, cut, blk, lo, hi, crc, iv);
		j.req = before;	/* for tw_inval_unordered; the range is cited */
		if (tw_cross_required_at(c, iv->host, iv->dev, iv->ino,
					 iv->t_end, rd, &cr) && cr.model >= 0) {
			j.cross = 1 + cr.model;
			j.whost = cr.whost;
		}
		/* Zeros or older data are required only where nothing wrote since. */
		if (!(j.state == TW_S_NEW && j.match) &&
		    reshaped_since(b, cut, lo, hi, iv->t_begin)) {
			j.state = TW_S_UNDECIDED;
		}
		cut_history(b, &j);
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
	if (!j.match) {
		j.match = match_concurrent(c, b, first, lo, hi, crc, j.req);
	}
	if (j.match) {
		j.state = TW_S_NEW;
		return j;
	}
	if (!tw_cross_required(c, j.req, rd, &cr)) {
		j.state = TW_S_UNDECIDED;
		j.concurrent = 1;
		return j;
	}
	if (cr.model >= 0) {
		j.cross = 1 + cr.model;
		j.whost = cr.whost;
	}
	if (reshaped_since(b, cut, lo, hi, j.req->t_made + 1)) {
		j.state = TW_S_UNDECIDED;
		return j;
	}
	j.match = match_before(b, first, lo, hi, crc);
	j.state = j.match || tw_versions_held(b, lo, hi, crc) ? TW_S_OLD :
		  other_shape_before(b, cut, lo, hi) ? TW_S_UNDECIDED :
						       TW_S_UNKNOWN;
	/*
	 * Zeros made visible before the required version (a punched hole, a
	 * zeroed range, a file grown by ftruncate) are old too. A truncation
	 * "to the end" made its bytes absent, not zero: zeros where only that
	 * came before were never visible (zero-fill of a lost write: unknown).
	 */
	if (!j.match && crc == zero_crc(hi - lo)) {
		iv = tw_newest_inval(c, blk * TW_GRAIN + lo,
				     blk * TW_GRAIN + hi, rd, INT64_MIN);
		if (iv && iv->zero && iv->hi != UINT64_MAX) {
			j.state = TW_S_OLD;
		}
	}
	cut_history(b, &j);
	return j;
}

static struct judged judge(const struct ctx *c, const struct tw_block *b,
			   uint64_t blk, unsigned int lo, unsigned int hi,
			   uint32_t crc, const struct tw_rec *rd,
			   const struct tw_unseen_view *uv)
{
	struct judged j = judge_piece(c, b, blk, lo, hi, crc, rd, uv);
	int u;

	if ((j.state == TW_S_OLD || j.state == TW_S_UNKNOWN) &&
	    changed_meanwhile(c, b, b ? tw_versions_made_before(b, rd->t_end) : 0,
			      lo, hi, rd)) {
		j.state = TW_S_UNDECIDED;
	}
	if ((j.state == TW_S_OLD || j.state == TW_S_UNKNOWN) &&
	    (u = tw_inval_unordered(c, blk * TW_GRAIN + lo, blk * TW_GRAIN + hi,
				    rd, j.req)) != 0) {
		j.state = TW_S_UNDECIDED;
		j.concurrent = u == 1;
		j.cross = 0;
	}
	return j;
}

static int note_version(struct ctx *c, struct tw_anomaly *a,
			const struct tw_version *v)
{
	const struct tw_rec *x;
	int ret;

	if (!v) {
		return 0;
	}
	ret = tw_anomaly_add_inter(a, v->rec);
	x = tw_rec_find(c->r, v->rec);
	if (ret == 0 && v->kind == TW_V_STORE && x && x->synced_by != NO_REC) {
		ret = tw_anomaly_add_inter(a, x->synced_by);
	}
	return ret;
}

/*
 * Other calls on the same bytes around the anomaly, from any thread or
 * process: those the window still holds (README: what a report cites).
 */
static int add_neighbours(struct ctx *c, struct tw_anomaly *a, size_t rd)
{
	const struct tw_records *r = c->r;
	const struct tw_rec *x = tw_rec_at(r, rd);
	struct span sx = span_of(x, rd);
	int64_t from = x->t_begin;
	size_t i;
	int ret = 0;

	for (i = 0; i < a->ninter; i++) {
		const struct tw_rec *y = tw_rec_find(r, a->inter[i]);

		if (y && y->t_begin < from) {
			from = y->t_begin;
		}
	}
	/* Records are in order of begin: from the first begun at from on. */
	i = tw_records_first_begun(r, from);
	for (; i < r->end && ret == 0 && a->ninter < TW_INTERLEAVING_MAX; i++) {
		const struct tw_rec *y = tw_rec_at(r, i);
		uint64_t off = y->offset < 0 ? 0 : (uint64_t)y->offset;

		if (y->t_begin > x->t_end) {
			break;
		}
		if (!same_file(x, y)) {
			continue;
		}
		if (y->op == TW_OP_MSYNC ? sync_covers(r, y, &sx) :
		    (y->op == TW_OP_WRITE || y->op == TW_OP_STORE ||
		     y->op == TW_OP_READ) &&
		    ranges_meet(off, y->length, (uint64_t)x->offset, x->length)) {
			ret = tw_anomaly_add_inter(a, i);
		} else if (y->op == TW_OP_FSYNC || y->op == TW_OP_UNLINK) {
			/* Syncs and removals of a name concern every byte. */
			ret = tw_anomaly_add_inter(a, i);
		}
	}
	return ret;
}

/* What judging a read's pieces found, besides the anomaly's bytes and calls. */
struct read_verdict {
	int old_or_unknown;	/* some piece is old or unknown: an anomaly */
	int history_cut;
	int by_unseen;
	int cross;
	uint32_t whost;
};

/*
 * Judges every piece of read x. Without a (the first look, for every read)
 * it counts what the hosts' summary counts and only tells whether there is
 * an anomaly; with a (again, for the few that have one) it gathers the
 * anomaly's bytes and calls: a clean read allocates nothing.
 */
static int judge_pieces(struct ctx *c, const struct tw_rec *x,
			const struct tw_unseen_view *uv, struct tw_anomaly *a,
			struct read_verdict *rv)
{
	struct tw_piece p;
	int ret = 0;

	memset(rv, 0, sizeof(*rv));
	tw_piece_start(&p, &x->data);
	while (ret == 0 && tw_piece_next(&p)) {
		const struct tw_block *b = tw_versions_find(&c->vs, x->dev,
							    x->ino, p.blk);
		struct judged j = judge(c, b, p.blk, p.lo, p.hi, p.crc, x, uv);

		rv->old_or_unknown |= j.state == TW_S_OLD ||
				      j.state == TW_S_UNKNOWN;
		rv->history_cut |= j.history_cut;
		rv->by_unseen |= j.unseen && j.state == TW_S_UNDECIDED;
		if (j.cross && (j.state == TW_S_OLD || j.state == TW_S_UNKNOWN ||
				!rv->cross)) {
			rv->cross = j.cross;
			rv->whost = j.whost;
		}
		if (!a) {
			tw_hosts.cross_undecided += j.concurrent;
			tw_hosts.cross_judged += j.cross != 0;
			continue;
		}
		ret = tw_anomaly_add_bytes(a, c->r->page_size, p.blk * TW_GRAIN + p.lo,
			       p.hi - p.lo, j.state);
		if (ret == 0 && j.state != TW_S_UNDECIDED) {
			ret = j.inval ? tw_anomaly_add_inter(a, j.inval->rec) :
					note_version(c, a, j.req);
		}
		if (ret == 0 && j.state == TW_S_OLD) {
			ret = note_version(c, a, j.match);
		}
	}
	return ret;
}

int tw_judge_read(struct ctx *c, size_t rd)
{
	const struct tw_rec *x = tw_rec_at(c->r, rd);
	struct tw_anomaly tmp, *a;
	struct tw_unseen_view uv;
	struct read_verdict rv;
	size_t k;
	int ret;

	memset(&tmp, 0, sizeof(tmp));
	c->out->reads_checked++;
	/* Per file, not per piece: a read's marks are the same for all its pieces. */
	tw_unseen_view(&c->unseen, x->dev, x->ino, x->t_begin, x->t_end, &uv);
	ret = judge_pieces(c, x, &uv, NULL, &rv);
	if (rv.by_unseen) {
		uv.file->undecided++;
	}
	if (ret == 0 && rv.old_or_unknown) {
		ret = judge_pieces(c, x, &uv, &tmp, &rv);
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
	a->history_cut = rv.history_cut;
	a->model = rv.cross;
	a->whost = rv.whost;
	for (k = 0, a->ninter = 0; k < tmp.ninter; k++) {
		if (tw_rec_find(c->r, tmp.inter[k])) {
			tw_records_pin(c->r, tmp.inter[k]);
			a->inter[a->ninter++] = tmp.inter[k];
		}
	}
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
	if (ret == 0) {
		ret = add_neighbours(c, a, rd);
	}
	if (ret == 0 && a->kind == TW_UNKNOWN_DATA) {
		ret = tw_async_explain(c, c->out->n - 1);
	}
	return ret;
}

