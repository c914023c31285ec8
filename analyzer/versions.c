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
