/* SPDX-License-Identifier: MIT */
/*
 * The mapping registry proper: no allocation, no hooks, no globals, so a
 * unit test can drive it directly.
 */
#include <errno.h>
#include <sched.h>
#include "maps.h"

void tw_mapreg_lock(struct tw_mapreg *r)
{
	while (__atomic_exchange_n(&r->lock, 1, __ATOMIC_ACQUIRE)) {
		sched_yield();
	}
}

void tw_mapreg_unlock(struct tw_mapreg *r)
{
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
}

static void write_begin(struct tw_mapreg *r)
{
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* The ranges by start, for tw_mapreg_meets: writers are rare, tables small. */
static void sort_ranges(struct tw_mapreg *r)
{
	for (int i = 0; i < r->count; i++) {
		uintptr_t s = r->m[i].start, e = r->m[i].end;
		int j = i - 1;

		while (j >= 0 && r->by_start[j] > s) {
			r->by_start[j + 1] = r->by_start[j];
			r->by_end[j + 1] = r->by_end[j];
			j--;
		}
		r->by_start[j + 1] = s;
		r->by_end[j + 1] = e;
	}
}

static void set_bits(uint64_t *w, unsigned int b0, unsigned int b1)
{
	while (b0 <= b1) {
		unsigned int end = b0 | 63;
		uint64_t m = ~0ULL << (b0 % 64);

		if (end > b1) {
			m &= ~0ULL >> (63 - b1 % 64);
			end = b1;
		}
		w[b0 / 64] |= m;
		b0 = end + 1;
	}
}

/*
 * The page bits of the new table, stored a word at a time over the old: a
 * bit of a mapping present before and after is set in both words, so a
 * lock-free reader never sees it clear. A new mapping's bits are set before
 * its mmap returns, so before the program can store into it.
 */
static void set_grains(struct tw_mapreg *r)
{
	uint64_t *next = r->grains_next;
	unsigned int w;
	int i;

	for (w = 0; w < TW_GRAIN_WORDS; w++) {
		next[w] = 0;
	}
	for (i = 0; i < r->count; i++) {
		uintptr_t g = r->m[i].start >> TW_GRAIN_SHIFT;
		uintptr_t pages = ((r->m[i].end - 1) >> TW_GRAIN_SHIFT) - g + 1;
		unsigned int b0 = (unsigned int)(g & (TW_GRAIN_BITS - 1));

		if (pages >= TW_GRAIN_BITS) {
			set_bits(next, 0, TW_GRAIN_BITS - 1);
		} else if (b0 + pages <= TW_GRAIN_BITS) {
			set_bits(next, b0, b0 + (unsigned int)pages - 1);
		} else {
			set_bits(next, b0, TW_GRAIN_BITS - 1);
			set_bits(next, 0, b0 + (unsigned int)pages - 1 - TW_GRAIN_BITS);
		}
	}
	for (w = 0; w < TW_GRAIN_WORDS; w++) {
		if (r->grains[w] != next[w]) {
			__atomic_store_n(&r->grains[w], next[w], __ATOMIC_RELAXED);
		}
	}
}

static void write_end(struct tw_mapreg *r)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int i;

	sort_ranges(r);
	set_grains(r);
	for (i = 0; i < r->count; i++) {
		if (r->m[i].start < lo) {
			lo = r->m[i].start;
		}
		if (r->m[i].end > hi) {
			hi = r->m[i].end;
		}
	}
	if (r->count == 0) {
		lo = UINTPTR_MAX;
	}
	__atomic_store_n(&r->lo, lo, __ATOMIC_RELAXED);
	__atomic_store_n(&r->hi, hi, __ATOMIC_RELAXED);
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
}

static int append(struct tw_mapreg *r, uintptr_t start, uintptr_t end,
		  int file, uint64_t off, int tracked)
{
	if (r->count >= TW_MAX_MAPS) {
		return -ENOSPC;
	}
	r->m[r->count].start = start;
	r->m[r->count].end = end;
	r->m[r->count].file = file;
	r->m[r->count].file_off = off;
	r->m[r->count].tracked = tracked;
	r->count++;
	return 0;
}

/* Cut [start, end) out of every entry; entries keep their file offsets. */
static int cut(struct tw_mapreg *r, uintptr_t start, uintptr_t end)
{
	int i = 0, ret = 0;

	while (i < r->count) {
		struct tw_mapping *m = &r->m[i];

		if (m->end <= start || m->start >= end) {
			i++;
			continue;
		}
		if (m->start < start && m->end > end) {
			ret = append(r, end, m->end, m->file,
				     m->file_off + (end - m->start), m->tracked);
			m->end = start;
			i++;
		} else if (m->start < start) {
			m->end = start;
			i++;
		} else if (m->end > end) {
			m->file_off += end - m->start;
			m->start = end;
			i++;
		} else {
			*m = r->m[--r->count];
		}
	}
	return ret;
}

int tw_mapreg_add(struct tw_mapreg *r, uintptr_t start, size_t len, int file,
		  uint64_t file_off)
{
	int ret;

	write_begin(r);
	/* MAP_FIXED over a tracked range replaces it. */
	ret = cut(r, start, start + len);
	if (ret == 0) {
		ret = append(r, start, start + len, file, file_off, 0);
	}
	write_end(r);
	return ret;
}

int tw_mapreg_remove(struct tw_mapreg *r, uintptr_t start, size_t len)
{
	int ret;

	write_begin(r);
	ret = cut(r, start, start + len);
	write_end(r);
	return ret;
}

int tw_mapreg_move(struct tw_mapreg *r, uintptr_t old, size_t old_len,
		   uintptr_t new_addr, size_t new_len)
{
	struct tw_mapping moved = { 0 };
	int i, found = 0, ret = 0;

	write_begin(r);
	for (i = 0; i < r->count; i++) {
		if (r->m[i].start <= old && r->m[i].end > old) {
			moved = r->m[i];
			found = 1;
			break;
		}
	}
	if (found) {
		uint64_t off = moved.file_off + (old - moved.start);

		ret = cut(r, old, old + old_len);
		if (ret == 0) {
			ret = cut(r, new_addr, new_addr + new_len);
		}
		if (ret == 0) {
			/* Still wanted: its first scan registers it again. */
			ret = append(r, new_addr, new_addr + new_len,
				     moved.file, off, moved.tracked);
		}
	}
	write_end(r);
	return ret;
}

void tw_mapreg_set_tracked(struct tw_mapreg *r, uintptr_t start, size_t len,
			   int on)
{
	write_begin(r);
	for (int i = 0; i < r->count; i++) {
		if (r->m[i].start < start + len && r->m[i].end > start) {
			r->m[i].tracked = on;
		}
	}
	write_end(r);
}

/* Which part of mapping m a lookup wants: 1 with it in *out, or 0. */
struct span_query {
	int file;		/* >= 0: by file bytes [lo, hi) */
	uint64_t lo, hi;
	uintptr_t addr, end;	/* else by address */
};

static int clip(const struct tw_mapping *m, const struct span_query *q,
		struct tw_span *out)
{
	uintptr_t from, to;

	if (q->file >= 0) {
		uint64_t mlo = m->file_off, mhi = mlo + (m->end - m->start);
		uint64_t lo = mlo > q->lo ? mlo : q->lo, hi = mhi < q->hi ? mhi : q->hi;

		if (m->file != q->file || lo >= hi) {
			return 0;
		}
		from = m->start + (lo - mlo);
		to = from + (hi - lo);
	} else {
		if (m->end <= q->addr || m->start >= q->end) {
			return 0;
		}
		from = m->start > q->addr ? m->start : q->addr;
		to = m->end < q->end ? m->end : q->end;
	}
	out->addr = from;
	out->len = to - from;
	out->file_off = m->file_off + (from - m->start);
	out->file = m->file;
	out->tracked = m->tracked;
	return 1;
}

/* Lock-free under the sequence count: the spans q asks for, at most max. */
static int spans(struct tw_mapreg *r, const struct span_query *q,
		 struct tw_span *out, int max)
{
	unsigned int s1, s2;
	int i, n, count;

	do {
		while ((s1 = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE)) & 1) {
			sched_yield();
		}
		n = 0;
		count = __atomic_load_n(&r->count, __ATOMIC_RELAXED);
		for (i = 0; i < count && i < TW_MAX_MAPS && n < max; i++) {
			n += clip(&r->m[i], q, &out[n]);
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	} while (s1 != s2);
	return n;
}

int tw_mapreg_of_file(struct tw_mapreg *r, int file, uint64_t lo, uint64_t hi,
		      struct tw_span *out, int max)
{
	struct span_query q = { file, lo, hi, 0, 0 };

	return spans(r, &q, out, max);
}

int tw_mapreg_find(struct tw_mapreg *r, uintptr_t addr, size_t len,
		   struct tw_span *out, int max)
{
	struct span_query q = { -1, 0, 0, addr, addr + len };
	int i, n = spans(r, &q, out, max);

	/* Few spans, nearly always one: insertion sort by address. */
	for (i = 1; i < n; i++) {
		struct tw_span t = out[i];
		int j = i - 1;

		while (j >= 0 && out[j].addr > t.addr) {
			out[j + 1] = out[j];
			j--;
		}
		out[j + 1] = t;
	}
	return n;
}
