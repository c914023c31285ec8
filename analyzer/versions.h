/* SPDX-License-Identifier: MIT */
/*
 * Every content a byte range of a file was known to hold, per grain block:
 * what wrote it, when it came to exist, and from when a read had to see it.
 */
#ifndef TW_VERSIONS_H
#define TW_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

enum tw_vkind {
	TW_V_WRITE,	/* write(), pwrite() and the vector forms */
	TW_V_STORE,	/* a store through a mapping */
	TW_V_OLD,	/* what a store overwrote */
	TW_V_SYNC,	/* a whole block checksummed by msync before syncing */
	TW_V_RACE,	/* a whole block that changed while msync ran */
};

struct tw_version {
	uint32_t crc;
	uint16_t lo;		/* byte range inside the block */
	uint16_t hi;
	uint8_t kind;		/* enum tw_vkind */
	uint32_t rec;		/* the call that made it */
	int64_t t_made;		/* the content existed from here */
	int64_t t_visible;	/* a read beginning after this must see it (or newer) */
};

struct tw_block {
	uint64_t dev;
	uint64_t ino;
	uint64_t block;
	struct tw_version *v;	/* in order of t_made: calls are added in order of begin */
	size_t n, cap;
	int64_t max_lag;	/* largest t_visible - t_made of a visible version */
	uint32_t *vis;		/* versions that became visible, by shape */
	size_t nvis;		/* then by t_visible */
	int used;
};

struct tw_versions {
	struct tw_block *tab;
	size_t cap;
	size_t used;
};

void tw_versions_init(struct tw_versions *vs);
void tw_versions_free(struct tw_versions *vs);
/* 0 or -ENOMEM. */
int tw_versions_add(struct tw_versions *vs, uint64_t dev, uint64_t ino,
		    uint64_t block, const struct tw_version *v);
const struct tw_block *tw_versions_find(const struct tw_versions *vs,
					uint64_t dev, uint64_t ino,
					uint64_t block);
/* How many versions [0, n) were made at or before t. */
size_t tw_versions_made_before(const struct tw_block *b, int64_t t);
/* Once every version is in: orders each block's visible ones. 0 or -ENOMEM. */
int tw_versions_index(struct tw_versions *vs);
/*
 * The version of bytes [lo, hi) that became visible last before t (the
 * newest made among equals), or NULL. Needs tw_versions_index.
 */
const struct tw_version *tw_versions_required(const struct tw_block *b,
					      unsigned int lo,
					      unsigned int hi, int64_t t);

#endif
