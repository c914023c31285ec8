/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "versions.h"

void tw_versions_init(struct tw_versions *vs)
{
	memset(vs, 0, sizeof(*vs));
}

void tw_versions_free(struct tw_versions *vs)
{
	size_t i, j;

	for (i = 0; i < vs->cap; i++) {
		struct tw_run *run = vs->tab[i];

		for (j = 0; run && j < TW_RUN; j++) {
			struct tw_block *b = &run->b[j];

			free(b->v);
			for (size_t k = 0; k < b->nshape; k++) {
				free(b->shapes[k].vis);
			}
			free(b->shapes);
			free(b->old);
		}
		free(run);
	}
	free(vs->tab);
	memset(vs, 0, sizeof(*vs));
}

static size_t hash(uint64_t dev, uint64_t ino, uint64_t first)
{
	uint64_t h = first * 0x9e3779b97f4a7c15ull ^ ino * 0xc2b2ae3d27d4eb4full ^
		     dev * 0x165667b19e3779f9ull;

	return (size_t)(h ^ (h >> 29));
}

static struct tw_run **slot(struct tw_run **tab, size_t cap, uint64_t dev,
			    uint64_t ino, uint64_t first)
{
	size_t i = hash(dev, ino, first) & (cap - 1);

	while (tab[i] && (tab[i]->dev != dev || tab[i]->ino != ino ||
			  tab[i]->first != first)) {
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static int grow(struct tw_versions *vs)
{
	size_t cap = vs->cap ? vs->cap * 2 : 256, i;
	struct tw_run **tab = calloc(cap, sizeof(*tab));

	if (!tab) {
		return -ENOMEM;
	}
	for (i = 0; i < vs->cap; i++) {
		if (vs->tab[i]) {
			*slot(tab, cap, vs->tab[i]->dev, vs->tab[i]->ino,
			      vs->tab[i]->first) = vs->tab[i];
		}
	}
	free(vs->tab);
	vs->tab = tab;
	vs->cap = cap;
	return 0;
}

/* The run of (dev, ino) holding block, or NULL; made if create. */
static struct tw_run *run_of(struct tw_versions *vs, uint64_t dev,
			     uint64_t ino, uint64_t block, int create)
{
	uint64_t first = block / TW_RUN;
	struct tw_run **s, *run = vs->last;

	if (run && run->first == first && run->ino == ino && run->dev == dev) {
		return run;
	}
	if (vs->cap == 0 && !create) {
		return NULL;
	}
	if (create && (vs->used + 1) * 2 > vs->cap && grow(vs) != 0) {
		return NULL;
	}
	s = slot(vs->tab, vs->cap, dev, ino, first);
	if (!*s && create) {
		if (!(*s = calloc(1, sizeof(**s)))) {
			return NULL;
		}
		(*s)->dev = dev;
		(*s)->ino = ino;
		(*s)->first = first;
		vs->used++;
	}
	if (*s) {
		vs->last = *s;
	}
	return *s;
}

/*
 * Room for one more in a small per-block array (*cap elements of sz, first
 * allocation `first`): 0, or -ENOMEM. Blocks are many: arrays start small.
 */
static int room_for_one(void **p, uint32_t n, uint32_t *cap, uint32_t first,
			size_t sz)
{
	uint32_t c = *cap ? *cap * 2 : first;
	void *q;

	if (n < *cap) {
		return 0;
	}
	q = realloc(*p, (size_t)c * sz);
	if (!q) {
		return -ENOMEM;
	}
	*p = q;
	*cap = c;
	return 0;
}

static struct tw_shape *shape_of(const struct tw_block *b, unsigned int lo,
				 unsigned int hi)
{
	uint32_t i;

	for (i = 0; i < b->nshape; i++) {
		if (b->shapes[i].lo == lo && b->shapes[i].hi == hi) {
			return &b->shapes[i];
		}
	}
	return NULL;
}

static struct tw_shape *new_shape(struct tw_block *b, unsigned int lo,
				  unsigned int hi)
{
	if (room_for_one((void **)&b->shapes, b->nshape, &b->capshape, 2,
			 sizeof(*b->shapes)) != 0) {
		return NULL;
	}
	memset(&b->shapes[b->nshape], 0, sizeof(b->shapes[0]));
	b->shapes[b->nshape].lo = (uint16_t)lo;
	b->shapes[b->nshape].hi = (uint16_t)hi;
	return &b->shapes[b->nshape++];
}

/* Order within a shape: t_visible, then the order they were made. */
static int vis_before(const struct tw_block *b, uint32_t k, int64_t t,
		      uint32_t kk)
{
	const struct tw_version *v = &b->v[k];

	return v->t_visible != t ? v->t_visible < t : k < kk;
}

/* The first entry of shape s not before (t, k): where version k goes. */
static uint32_t vis_lower(const struct tw_block *b, const struct tw_shape *s,
			  int64_t t, uint32_t k)
{
	uint32_t a = 0, z = s->n;

	while (a < z) {
		uint32_t mid = a + (z - a) / 2;

		if (vis_before(b, s->vis[mid], t, k)) {
			a = mid + 1;
		} else {
			z = mid;
		}
	}
	return a;
}

int tw_versions_set_visible(struct tw_block *b, size_t k, int64_t t)
{
	const struct tw_version *v = &b->v[k];
	struct tw_shape *s = shape_of(b, v->lo, v->hi);
	uint32_t a;

	if (!s && !(s = new_shape(b, v->lo, v->hi))) {
		return -ENOMEM;
	}
	if (room_for_one((void **)&s->vis, s->n, &s->cap, 4,
			 sizeof(*s->vis)) != 0) {
		return -ENOMEM;
	}
	b->v[k].t_visible = t;
	/* Mostly the newest: then it goes at the end. */
	a = s->n;
	if (s->n && !vis_before(b, s->vis[s->n - 1], t, (uint32_t)k)) {
		a = vis_lower(b, s, t, (uint32_t)k);
		memmove(s->vis + a + 1, s->vis + a, (s->n - a) * sizeof(*s->vis));
	}
	s->vis[a] = (uint32_t)k;
	s->n++;
	return 0;
}

/*
 * Keeps what a dropped version held; a full store keeps every other one,
 * spread over the block's history, and says so.
 */
static int keep_old(struct tw_versions *vs, struct tw_block *b,
		    const struct tw_version *v)
{
	struct tw_old o = { v->crc, v->lo, v->hi };
	uint32_t i;

	if (b->nold && b->old[b->nold - 1].crc == o.crc &&
	    b->old[b->nold - 1].lo == o.lo && b->old[b->nold - 1].hi == o.hi) {
		return 0;
	}
	if (b->nold == TW_OLD_MAX) {
		for (i = 0; i < b->nold / 2; i++) {
			b->old[i] = b->old[2 * i];
		}
		b->nold /= 2;
		if (!b->history_cut) {
			b->history_cut = 1;
			vs->blocks_history_cut++;
		}
	}
	if (room_for_one((void **)&b->old, b->nold, &b->capold, 16,
			 sizeof(*b->old)) != 0) {
		return -ENOMEM;
	}
	b->old[b->nold++] = o;
	return 0;
}

int tw_versions_held(const struct tw_block *b, unsigned int lo,
		     unsigned int hi, uint32_t crc)
{
	uint32_t i;

	for (i = b ? b->nold : 0; i-- > 0;) {
		if (b->old[i].crc == crc && b->old[i].lo == lo && b->old[i].hi == hi) {
			return 1;
		}
	}
	return 0;
}

/*
 * Was bytes' shape of v rewritten with another shape since v was made? A
 * read that must see v can then only be told new or undecided, never old:
 * v no longer holds anything back (read-rules.c, reshaped_since).
 */
/*
 * Was v's range written with another shape after v and before t? Then a
 * read beginning at t or later can only be undecided about v. A reshape
 * made at t or later does not count: reads still to come that begin before
 * it need v (fsx: a read judged after later writes reshaped its block).
 */
static int reshaped_after(const struct tw_block *b, const struct tw_version *v,
			  int64_t t)
{
	size_t k;

	for (k = b->n; k-- > 0 && b->v[k].t_made > v->t_made;) {
		const struct tw_version *w = &b->v[k];

		if (w->t_made < t && (w->kind == TW_V_WRITE || w->kind == TW_V_STORE) &&
		    (w->lo != v->lo || w->hi != v->hi) && w->lo < v->hi &&
		    w->hi > v->lo) {
			return 1;
		}
	}
	return 0;
}

static void need(const struct tw_block *b, const struct tw_version *v,
		 int64_t t, int64_t *m)
{
	if (v->t_made < *m && !reshaped_after(b, v, t)) {
		*m = v->t_made;
	}
}

/*
 * The oldest version a read beginning at t or later may have to see: per
 * shape the newest visible before t, and any visible since or still to
 * become visible (a store no msync has synced yet).
 */
static int64_t oldest_needed(const struct tw_block *b, int64_t t)
{
	int64_t m = INT64_MAX;
	uint32_t i, k;

	for (i = 0; i < b->nshape; i++) {
		const struct tw_shape *s = &b->shapes[i];

		for (k = s->n; k-- > 0;) {
			const struct tw_version *v = &b->v[s->vis[k]];

			need(b, v, t, &m);
			if (v->t_visible < t) {
				break;	/* the newest visible before t */
			}
		}
	}
	for (k = 0; k < b->n && b->v[k].t_made < m; k++) {
		if (b->v[k].kind == TW_V_STORE && b->v[k].t_visible == INT64_MAX) {
			need(b, &b->v[k], t, &m);
		}
	}
	return m;
}

static int prune(struct tw_versions *vs, struct tw_block *b)
{
	int64_t m = oldest_needed(b, vs->t_reads);
	size_t keep = 0, cut, i, k;

	while (keep < b->n && b->v[keep].t_made < m) {
		keep++;
	}
	cut = keep > TW_HISTORY ? keep - TW_HISTORY : 0;
	if (b->n - cut > TW_BLOCK_MAX) {
		cut = b->n - TW_BLOCK_MAX;
		if (cut > keep && !b->live_cut) {
			b->live_cut = 1;
			vs->blocks_live_cut++;
		}
	}
	if (cut == 0) {
		return 0;
	}
	for (i = 0, k = 0; i < cut; i++) {
		if (keep_old(vs, b, &b->v[i]) != 0) {
			return -ENOMEM;
		}
		/* A store's old and new data come in a row: one call, once. */
		if (vs->unref && (i + 1 == cut || b->v[i + 1].rec != b->v[i].rec)) {
			vs->unref(vs->arg, b->v[i].rec, (uint32_t)(i + 1 - k));
			k = i + 1;
		}
	}
	vs->dropped += cut;
	memmove(b->v, b->v + cut, (b->n - cut) * sizeof(*b->v));
	b->n -= cut;
	for (i = 0, k = 0; i < b->nshape; i++) {
		struct tw_shape *s = &b->shapes[i];
		uint32_t j, kept = 0;

		for (j = 0; j < s->n; j++) {
			if (s->vis[j] >= cut) {
				s->vis[kept++] = (uint32_t)(s->vis[j] - cut);
			}
		}
		s->n = kept;
		/* A shape none of whose versions is left goes. */
		if (kept) {
			b->shapes[k++] = *s;
		} else {
			free(s->vis);
		}
	}
	b->nshape = (uint32_t)k;
	return 0;
}

struct tw_block *tw_versions_get(struct tw_versions *vs, uint64_t dev,
				 uint64_t ino, uint64_t block)
{
	struct tw_run *run = run_of(vs, dev, ino, block, 0);
	struct tw_block *b = run ? &run->b[block % TW_RUN] : NULL;

	return b && b->used ? b : NULL;
}

int tw_versions_add(struct tw_versions *vs, uint64_t dev, uint64_t ino,
		    uint64_t block, const struct tw_version *v)
{
	struct tw_run *run = run_of(vs, dev, ino, block, 1);
	struct tw_block *b;

	if (!run) {
		return -ENOMEM;
	}
	b = &run->b[block % TW_RUN];
	if (!b->used) {
		b->used = 1;
		b->prune_at = 2 * TW_HISTORY;
	}
	if (b->n >= b->prune_at) {
		if (prune(vs, b) != 0) {
			return -ENOMEM;
		}
		b->prune_at = b->n * 2 > 2 * TW_HISTORY ? (uint32_t)(b->n * 2) :
							  2 * TW_HISTORY;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		struct tw_version *p = realloc(b->v, cap * sizeof(*p));

		if (!p) {
			return -ENOMEM;
		}
		b->v = p;
		b->cap = cap;
	}
	b->v[b->n] = *v;
	b->v[b->n].t_visible = INT64_MAX;
	b->n++;
	if (v->t_visible != INT64_MAX) {
		return tw_versions_set_visible(b, b->n - 1, v->t_visible);
	}
	return 0;
}

const struct tw_block *tw_versions_find(struct tw_versions *vs,
					uint64_t dev, uint64_t ino,
					uint64_t block)
{
	return tw_versions_get(vs, dev, ino, block);
}

const struct tw_version *tw_versions_required(const struct tw_block *b,
					      unsigned int lo,
					      unsigned int hi, int64_t t)
{
	const struct tw_shape *s = b ? shape_of(b, lo, hi) : NULL;
	uint32_t a;

	if (!s || s->n == 0) {
		return NULL;
	}
	/* Mostly the newest: the last visible before t. */
	if (b->v[s->vis[s->n - 1]].t_visible < t) {
		return &b->v[s->vis[s->n - 1]];
	}
	a = vis_lower(b, s, t, 0);
	return a ? &b->v[s->vis[a - 1]] : NULL;
}

size_t tw_versions_made_before(const struct tw_block *b, int64_t t)
{
	size_t lo = 0, hi = b->n;

	if (hi == 0 || b->v[hi - 1].t_made <= t) {
		return hi;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->v[mid].t_made <= t) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}
