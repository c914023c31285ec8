/* SPDX-License-Identifier: MIT */
/*
 * Registry of tracked MAP_SHARED mappings of regular files, and of the files
 * behind them. Writers (mmap, munmap, mremap) take a lock; readers (the
 * memcpy family, msync) run lock-free under a sequence count, so a store
 * into a mapping never waits.
 */
#ifndef TW_MAPS_H
#define TW_MAPS_H

#include <stddef.h>
#include <stdint.h>

#define TW_MAX_MAPS 512
#define TW_MAX_FILES 256

/*
 * A bit per page of address space, hashed into 2^15 bits (128 MiB before two
 * pages share a bit): set for every page a mapping covers. Inside the bounds
 * it sends only accesses near a mapping to the exact test, so memory that
 * lies between two mappings costs a load, not a search.
 */
#define TW_GRAIN_SHIFT 12
#define TW_GRAIN_BITS (1U << 15)
#define TW_GRAIN_WORDS (TW_GRAIN_BITS / 64)
/* Longer accesses skip the bits: a search costs little next to them. */
#define TW_GRAIN_SCAN 16

struct tw_mapping {
	uintptr_t start;
	uintptr_t end;
	uint64_t file_off;	/* file offset of start */
	int file;		/* index into the file table */
	int tracked;		/* the kernel marks its written pages (write-track.h) */
};

struct tw_mapreg {
	unsigned int seq;	/* odd while a writer changes the table */
	int lock;
	int count;
	uintptr_t lo;		/* bounds of all mappings: the fast path's first test */
	uintptr_t hi;
	/* Never cleared under a mapping still in the table: see write_end. */
	uint64_t grains[TW_GRAIN_WORDS];
	uint64_t grains_next[TW_GRAIN_WORDS];	/* the writer's scratch */
	/* The mappings' ranges by start (they never overlap): the exact test. */
	uintptr_t by_start[TW_MAX_MAPS];
	uintptr_t by_end[TW_MAX_MAPS];
	struct tw_mapping m[TW_MAX_MAPS];
};

/* The part of an access that lies in one tracked mapping. */
struct tw_span {
	uintptr_t addr;
	size_t len;
	uint64_t file_off;
	int file;
	int tracked;
};

void tw_mapreg_lock(struct tw_mapreg *r);
void tw_mapreg_unlock(struct tw_mapreg *r);
/* Callers hold the lock for these three; 0 or a negative errno. */
int tw_mapreg_add(struct tw_mapreg *r, uintptr_t start, size_t len, int file,
		  uint64_t file_off);
int tw_mapreg_remove(struct tw_mapreg *r, uintptr_t start, size_t len);
int tw_mapreg_move(struct tw_mapreg *r, uintptr_t old, size_t old_len,
		   uintptr_t new_addr, size_t new_len);
/* The mappings in [start, start+len) are kernel-tracked (on) or not. */
void tw_mapreg_set_tracked(struct tw_mapreg *r, uintptr_t start, size_t len,
			   int on);
/*
 * Lock-free: the spans of file `file`'s mappings over file bytes [lo, hi),
 * in address order; at most max.
 */
int tw_mapreg_of_file(struct tw_mapreg *r, int file, uint64_t lo, uint64_t hi,
		      struct tw_span *out, int max);
/* Lock-free: the spans of [addr, addr+len) in tracked mappings, in address order. */
int tw_mapreg_find(struct tw_mapreg *r, uintptr_t addr, size_t len,
		   struct tw_span *out, int max);

/*
 * Inside the bounds, whether [a, a+n) meets a mapping: the last range that
 * starts before the access ends is the only one it can meet. A table being
 * changed answers yes; the slow path looks again under the sequence count.
 */
static inline int tw_mapreg_meets(const struct tw_mapreg *r, uintptr_t a,
				  size_t n)
{
	unsigned int s1 = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
	int lo = 0, hi = __atomic_load_n(&r->count, __ATOMIC_RELAXED), hit;

	if ((s1 & 1) || hi > TW_MAX_MAPS) {
		return 1;
	}
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (__atomic_load_n(&r->by_start[mid], __ATOMIC_RELAXED) < a + n) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	hit = lo > 0 && __atomic_load_n(&r->by_end[lo - 1], __ATOMIC_RELAXED) > a;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return hit || __atomic_load_n(&r->seq, __ATOMIC_RELAXED) != s1;
}

static inline int tw_mapreg_grain(const struct tw_mapreg *r, uintptr_t a)
{
	uintptr_t g = (a >> TW_GRAIN_SHIFT) & (TW_GRAIN_BITS - 1);

	return (__atomic_load_n(&r->grains[g / 64], __ATOMIC_RELAXED) >> (g % 64)) & 1;
}

/* Whether [p, p+n) may meet a mapping: no false negatives. */
static inline int tw_mapreg_maybe(const struct tw_mapreg *r, const void *p,
				  size_t n)
{
	uintptr_t a = (uintptr_t)p, g;

	if (a >= __atomic_load_n(&r->hi, __ATOMIC_RELAXED) ||
	    a + n <= __atomic_load_n(&r->lo, __ATOMIC_RELAXED)) {
		return 0;
	}
	if (n > (TW_GRAIN_SCAN << TW_GRAIN_SHIFT)) {
		return 1;
	}
	for (g = a >> TW_GRAIN_SHIFT; g <= (a + n - (n > 0)) >> TW_GRAIN_SHIFT; g++) {
		if (tw_mapreg_grain(r, g << TW_GRAIN_SHIFT)) {
			return 1;
		}
	}
	return 0;
}

/* The bounds, then the exact test. */
static inline int tw_mapreg_hit(const struct tw_mapreg *r, const void *p,
				size_t n)
{
	return tw_mapreg_maybe(r, p, n) && tw_mapreg_meets(r, (uintptr_t)p, n);
}

/* Per-file checksums of every page block, kept across mappings. */
struct tw_pages {
	uint64_t npages;
	uint32_t *crc;		/* npages × blocks per page */
	uint64_t *valid;	/* bit per page: crc holds its last checksum */
	uint64_t *dirty;	/* bit per page: a hooked store touched it since */
};

struct tw_file {
	uint64_t dev;
	uint64_t ino;
	struct tw_pages *pages;	/* replaced whole when the file grows */
};

extern struct tw_mapreg tw_maps;

void tw_maps_lock(void);
void tw_maps_unlock(void);
/* Index of the file's entry, grown to hold npages; caller holds the lock. */
int tw_file_get(uint64_t dev, uint64_t ino, uint64_t npages);
struct tw_file *tw_file_at(int idx);
/* Index of the file's entry, or -1: never creates one. Lock-free. */
int tw_file_find(uint64_t dev, uint64_t ino);
void tw_pages_mark_dirty(struct tw_file *f, uint64_t first, uint64_t last);

/* A call record for the part of an access that lies in one mapping. */
struct tw_call;
void tw_span_call(struct tw_call *c, const char *name, int op,
		  const struct tw_span *s, int flags);

/*
 * The fsync family as a sync of the file's mapped pages (mmap-hooks.c):
 * for each mapping of (dev, ino) over file bytes [lo, hi) in this process,
 * an msync-like call under `name`, a barrier when `barrier`, its pages
 * checked before and after the real call. NULL when nothing is mapped.
 * Depth 1, tracing on.
 */
struct msync_state;
struct msync_state *tw_mapped_sync_begin(const char *name, uint64_t dev,
					 uint64_t ino, uint64_t lo,
					 uint64_t hi, int barrier);
void tw_mapped_sync_end(struct msync_state *st, const char *name, int ret,
			int err);

/* A read() delivered len bytes at buf, maybe into a tracked mapping. */
void tw_kernel_stored(const char *name, const void *buf, size_t len);

unsigned int tw_page_size(void);
unsigned int tw_blocks_per_page(void);

#endif
