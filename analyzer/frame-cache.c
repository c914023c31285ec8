/* SPDX-License-Identifier: MIT */
/* Symbolized addresses, kept per (binary, address) (frame-cache.h). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "frame-cache.h"

static size_t hash(size_t file, uint64_t addr)
{
	uint64_t h = (addr ^ (uint64_t)file << 48) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ (h >> 31));
}

static struct tw_frame_sym *slot(struct tw_frame_sym *tab, size_t cap,
				 size_t file, uint64_t addr)
{
	size_t i = hash(file, addr) & (cap - 1);

	while (tab[i].file && (tab[i].file != file + 1 || tab[i].addr != addr)) {
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

const struct tw_frame_sym *tw_frame_cache_get(const struct tw_frame_cache *c,
					      size_t file, uint64_t addr)
{
	const struct tw_frame_sym *e;

	if (!c->cap) {
		return NULL;
	}
	e = slot(c->tab, c->cap, file, addr);
	return e->file ? e : NULL;
}

static int grow(struct tw_frame_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 256, i;
	struct tw_frame_sym *tab = calloc(cap, sizeof(*tab));

	if (!tab) {
		return -1;
	}
	for (i = 0; i < c->cap; i++) {
		if (c->tab[i].file) {
			*slot(tab, cap, c->tab[i].file - 1, c->tab[i].addr) =
				c->tab[i];
		}
	}
	free(c->tab);
	c->tab = tab;
	c->cap = cap;
	return 0;
}

const struct tw_frame_sym *tw_frame_cache_put(struct tw_frame_cache *c,
					      size_t file, uint64_t addr,
					      const char *name,
					      const char *inlined,
					      const char *src, int line)
{
	struct tw_frame_sym *e;
	char *copy = NULL;

	if ((c->n + 1) * 2 > c->cap && grow(c) != 0) {
		return NULL;
	}
	if (name && !(copy = strdup(name))) {
		return NULL;
	}
	e = slot(c->tab, c->cap, file, addr);
	e->file = (uint32_t)file + 1;
	e->addr = addr;
	e->name = copy;
	e->inlined = inlined;
	e->src = src;
	e->line = line;
	c->n++;
	return e;
}

void tw_frame_cache_free(struct tw_frame_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->tab[i].name);
	}
	free(c->tab);
	memset(c, 0, sizeof(*c));
}
