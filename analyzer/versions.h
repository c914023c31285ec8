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

/* What a dropped version held: a read showing it is stale. */
struct tw_old {
	uint32_t crc;
	uint16_t lo;
	uint16_t hi;
};

/* The versions of one byte range that became visible, by t_visible. */
struct tw_shape {
	uint16_t lo;
	uint16_t hi;
	uint32_t n, cap;
	uint32_t *vis;		/* indexes into the block's v */
};

/* One grain block of a file; its run (below) says which. */
struct tw_block {
	struct tw_version *v;	/* in order of t_made: calls are added in order of begin */
	size_t n, cap;
	struct tw_shape *shapes;	/* versions that became visible, by shape */
	uint32_t nshape, capshape;
	int used;
	uint32_t prune_at;	/* look for versions to drop at this many */
	struct tw_old *old;	/* contents of dropped versions, oldest first */
	uint32_t nold, capold;
	uint8_t history_cut;	/* some of those were dropped too */
	uint8_t live_cut;	/* versions a read could still need were dropped */
};

/*
 * Per block a later read can need: for each shape, the version it must see
 * and every version made since, plus TW_HISTORY older ones it may show
 * (stale data); of older ones only what they held, up to TW_OLD_MAX (then
 * every other one goes). A block never keeps more than TW_BLOCK_MAX.
 */
#define TW_HISTORY 16
#define TW_OLD_MAX 1024
#define TW_BLOCK_MAX 4096

/*
 * Blocks in runs of TW_RUN, found by one lookup: a call's blocks are
 * consecutive, so it looks up one or two runs and its blocks lie together.
 */
#define TW_RUN 16

struct tw_run {
	uint64_t dev;
	uint64_t ino;
	uint64_t first;		/* block / TW_RUN */
	struct tw_block b[TW_RUN];
};

struct tw_versions {
	struct tw_run **tab;	/* open addressing by (dev, ino, first) */
	size_t cap;
	size_t used;
	struct tw_run *last;	/* the run found last: mostly the next one asked */
	/* Reads still to come begin at or after this. */
	int64_t t_reads;
	/* Dropped versions let go of the call that made them: n of rec's. */
	void (*unref)(void *arg, uint32_t rec, uint32_t n);
	void *arg;
	uint64_t blocks_history_cut;
	uint64_t blocks_live_cut;
	uint64_t dropped;
};

void tw_versions_init(struct tw_versions *vs);
void tw_versions_free(struct tw_versions *vs);
/* 0 or -ENOMEM. */
int tw_versions_add(struct tw_versions *vs, uint64_t dev, uint64_t ino,
		    uint64_t block, const struct tw_version *v);
/* Remembers the run it found: the store is not const. */
const struct tw_block *tw_versions_find(struct tw_versions *vs,
					uint64_t dev, uint64_t ino,
					uint64_t block);
/* How many versions [0, n) were made at or before t. */
size_t tw_versions_made_before(const struct tw_block *b, int64_t t);
/* Did a dropped version of bytes [lo, hi) hold crc? */
int tw_versions_held(const struct tw_block *b, unsigned int lo,
		     unsigned int hi, uint32_t crc);
/* Version k of block b became visible at t (it was not). 0 or -ENOMEM. */
int tw_versions_set_visible(struct tw_block *b, size_t k, int64_t t);
/* Block b of the store, to change (tw_versions_set_visible), or NULL. */
struct tw_block *tw_versions_get(struct tw_versions *vs, uint64_t dev,
				 uint64_t ino, uint64_t block);
/*
 * The version of bytes [lo, hi) that became visible last before t (the
 * newest made among equals), or NULL.
 */
const struct tw_version *tw_versions_required(const struct tw_block *b,
					      unsigned int lo,
					      unsigned int hi, int64_t t);

#endif
