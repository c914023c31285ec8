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
	size_t i;

	for (i = 0; i < vs->cap; i++) {
		free(vs->tab[i].v);
		free(vs->tab[i].vis);
	}
	free(vs->tab);
	memset(vs, 0, sizeof(*vs));
}

static size_t hash(uint64_t dev, uint64_t ino, uint64_t block)
{
	uint64_t h = block * 0x9e3779b97f4a7c15ull ^ ino * 0xc2b2ae3d27d4eb4full ^
		     dev * 0x165667b19e3779f9ull;

	return (size_t)(h ^ (h >> 29));
}

static struct tw_block *slot(struct tw_block *tab, size_t cap, uint64_t dev,
			     uint64_t ino, uint64_t block)
{
	size_t i = hash(dev, ino, block) & (cap - 1);

	while (tab[i].used && (tab[i].dev != dev || tab[i].ino != ino ||
			       tab[i].block != block)) {
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static int grow(struct tw_versions *vs)
{
	size_t cap = vs->cap ? vs->cap * 2 : 1024, i;
	struct tw_block *tab = calloc(cap, sizeof(*tab));

	if (!tab) {
		return -ENOMEM;
	}
	for (i = 0; i < vs->cap; i++) {
		if (vs->tab[i].used) {
			*slot(tab, cap, vs->tab[i].dev, vs->tab[i].ino,
			      vs->tab[i].block) = vs->tab[i];
		}
	}
	free(vs->tab);
	vs->tab = tab;
	vs->cap = cap;
	return 0;
}

int tw_versions_add(struct tw_versions *vs, uint64_t dev, uint64_t ino,
		    uint64_t block, const struct tw_version *v)
{
	struct tw_block *b;

	if ((vs->used + 1) * 2 > vs->cap && grow(vs) != 0) {
		return -ENOMEM;
	}
	b = slot(vs->tab, vs->cap, dev, ino, block);
	if (!b->used) {
		b->used = 1;
		b->dev = dev;
		b->ino = ino;
		b->block = block;
		vs->used++;
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
	b->v[b->n++] = *v;
	if (v->t_visible != INT64_MAX && v->t_visible - v->t_made > b->max_lag) {
		b->max_lag = v->t_visible - v->t_made;
	}
	return 0;
}

const struct tw_block *tw_versions_find(const struct tw_versions *vs,
					uint64_t dev, uint64_t ino,
					uint64_t block)
{
	const struct tw_block *b;

	if (vs->cap == 0) {
		return NULL;
	}
	b = slot(vs->tab, vs->cap, dev, ino, block);
	return b->used ? b : NULL;
}

static const struct tw_block *sorting;

static int by_visible(const void *pa, const void *pb)
{
	const struct tw_version *a = &sorting->v[*(const uint32_t *)pa];
	const struct tw_version *b = &sorting->v[*(const uint32_t *)pb];

	if (a->lo != b->lo || a->hi != b->hi) {
		return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) :
					(a->hi < b->hi ? -1 : 1);
	}
	if (a->t_visible != b->t_visible) {
		return a->t_visible < b->t_visible ? -1 : 1;
	}
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

int tw_versions_index(struct tw_versions *vs)
{
	size_t i, k;

	for (i = 0; i < vs->cap; i++) {
		struct tw_block *b = &vs->tab[i];

		if (!b->used || b->n == 0) {
			continue;
		}
		free(b->vis);
		b->vis = malloc(b->n * sizeof(*b->vis));
		if (!b->vis) {
			return -ENOMEM;
		}
		b->nvis = 0;
		for (k = 0; k < b->n && k < UINT32_MAX; k++) {
			if (b->v[k].t_visible != INT64_MAX) {
				b->vis[b->nvis++] = (uint32_t)k;
			}
		}
		sorting = b;
		qsort(b->vis, b->nvis, sizeof(*b->vis), by_visible);
	}
	return 0;
}

/* The first entry of vis not below (lo, hi, t) in its order. */
static size_t lower_bound(const struct tw_block *b, unsigned int lo,
			  unsigned int hi, int64_t t)
{
	size_t a = 0, z = b->nvis;

	while (a < z) {
		size_t mid = a + (z - a) / 2;
		const struct tw_version *v = &b->v[b->vis[mid]];
		int below = v->lo != lo ? v->lo < lo :
			    v->hi != hi ? v->hi < hi : v->t_visible < t;

		if (below) {
			a = mid + 1;
		} else {
			z = mid;
		}
	}
	return a;
}

const struct tw_version *tw_versions_required(const struct tw_block *b,
					      unsigned int lo,
					      unsigned int hi, int64_t t)
{
	size_t a;
	const struct tw_version *v;

	if (!b || b->nvis == 0) {
		return NULL;
	}
	/* The entry before the first of this shape visible at t or later. */
	a = lower_bound(b, lo, hi, t);
	if (a == 0) {
		return NULL;
	}
	v = &b->v[b->vis[a - 1]];
	return v->lo == lo && v->hi == hi ? v : NULL;
}

size_t tw_versions_made_before(const struct tw_block *b, int64_t t)
{
	size_t lo = 0, hi = b->n;

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
