/* SPDX-License-Identifier: MIT */
/*
 * What libdwfl said of one address of one binary, kept: a report cites the
 * same few stacks thousands of times, and asking libdw again (its scopes,
 * its line table) each time cost more than the whole trace's reading.
 */
#ifndef TW_FRAME_CACHE_H
#define TW_FRAME_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct tw_frame_sym {
	uint64_t addr;		/* in the binary's own addresses */
	uint32_t file;		/* the binary's index, + 1 (0: a free slot) */
	int line;
	char *name;		/* the symbol without its @version, or NULL */
	const char *inlined;	/* libdw's, lives as long as its Dwfl */
	const char *src;
};

struct tw_frame_cache {
	struct tw_frame_sym *tab;	/* open addressing by (file, addr) */
	size_t n, cap;
};

/* The entry of (file, addr), or NULL when it was never put. */
const struct tw_frame_sym *tw_frame_cache_get(const struct tw_frame_cache *c,
					      size_t file, uint64_t addr);
/* Keeps sym (its name copied); the cache's own copy, or NULL out of memory. */
const struct tw_frame_sym *tw_frame_cache_put(struct tw_frame_cache *c,
					      size_t file, uint64_t addr,
					      const char *name,
					      const char *inlined,
					      const char *src, int line);
void tw_frame_cache_free(struct tw_frame_cache *c);

#endif
