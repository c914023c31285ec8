/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core.h"
#include "maps.h"
#include "tornwatch-events.h"

struct tw_mapreg tw_maps;
static struct tw_file tw_files[TW_MAX_FILES];
static int tw_nfiles;

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

static void write_end(struct tw_mapreg *r)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int i;

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
		  int file, uint64_t off)
{
	if (r->count >= TW_MAX_MAPS) {
		return -ENOSPC;
	}
	r->m[r->count].start = start;
	r->m[r->count].end = end;
	r->m[r->count].file = file;
	r->m[r->count].file_off = off;
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
				     m->file_off + (end - m->start));
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
		ret = append(r, start, start + len, file, file_off);
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
			ret = append(r, new_addr, new_addr + new_len,
				     moved.file, off);
		}
	}
	write_end(r);
	return ret;
}

int tw_mapreg_find(struct tw_mapreg *r, uintptr_t addr, size_t len,
		   struct tw_span *out, int max)
{
	uintptr_t end = addr + len;
	unsigned int s1, s2;
	int i, n, count;

	do {
		while ((s1 = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE)) & 1) {
			sched_yield();
		}
		n = 0;
		count = __atomic_load_n(&r->count, __ATOMIC_RELAXED);
		for (i = 0; i < count && i < TW_MAX_MAPS && n < max; i++) {
			uintptr_t ms = r->m[i].start, me = r->m[i].end;
			uintptr_t lo, hi;

			if (me <= addr || ms >= end) {
				continue;
			}
			lo = ms > addr ? ms : addr;
			hi = me < end ? me : end;
			out[n].addr = lo;
			out[n].len = hi - lo;
			out[n].file_off = r->m[i].file_off + (lo - ms);
			out[n].file = r->m[i].file;
			n++;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	} while (s1 != s2);
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

void tw_maps_lock(void)
{
	tw_mapreg_lock(&tw_maps);
}

void tw_maps_unlock(void)
{
	tw_mapreg_unlock(&tw_maps);
}

unsigned int tw_page_size(void)
{
	static unsigned int ps;

	if (unlikely(ps == 0)) {
		ps = (unsigned int)sysconf(_SC_PAGESIZE);
	}
	return ps;
}

unsigned int tw_blocks_per_page(void)
{
	return tw_page_size() / TW_GRAIN;
}

/* Our own memory comes from the real mmap: malloc may be what called us. */
static void *raw_alloc(size_t len)
{
	void *(*real)(void *, size_t, int, int, int, off_t) = TW_REAL(mmap);
	void *p;

	if (!real) {
		return NULL;
	}
	p = real(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static struct tw_pages *pages_alloc(uint64_t npages)
{
	size_t words = (npages + 63) / 64;
	size_t crc_bytes = npages * tw_blocks_per_page() * sizeof(uint32_t);
	size_t len = sizeof(struct tw_pages) + crc_bytes +
		     2 * words * sizeof(uint64_t);
	struct tw_pages *p = raw_alloc(len);

	if (!p) {
		return NULL;
	}
	p->npages = npages;
	p->valid = (uint64_t *)(p + 1);
	p->dirty = p->valid + words;
	p->crc = (uint32_t *)(p->dirty + words);
	return p;
}

static void pages_copy(struct tw_pages *to, const struct tw_pages *from)
{
	size_t words = (from->npages + 63) / 64;
	size_t nblocks = from->npages * tw_blocks_per_page();
	size_t i;

	for (i = 0; i < words; i++) {
		to->valid[i] = from->valid[i];
		to->dirty[i] = __atomic_load_n(&from->dirty[i], __ATOMIC_RELAXED);
	}
	for (i = 0; i < nblocks; i++) {
		to->crc[i] = from->crc[i];
	}
}

int tw_file_get(uint64_t dev, uint64_t ino, uint64_t npages)
{
	struct tw_file *f = NULL;
	struct tw_pages *old, *grown;
	int i;

	for (i = 0; i < tw_nfiles; i++) {
		if (tw_files[i].dev == dev && tw_files[i].ino == ino) {
			f = &tw_files[i];
			break;
		}
	}
	if (!f) {
		if (tw_nfiles >= TW_MAX_FILES) {
			return -ENOSPC;
		}
		f = &tw_files[tw_nfiles];
		f->dev = dev;
		f->ino = ino;
		i = tw_nfiles;
	}
	old = __atomic_load_n(&f->pages, __ATOMIC_ACQUIRE);
	if (!old || old->npages < npages) {
		/*
		 * A store running now may still mark the old table: the loss
		 * is one dirty bit, so the old table is left in place, not
		 * freed under it.
		 */
		grown = pages_alloc(npages + npages / 4 + 16);
		if (!grown) {
			return -ENOMEM;
		}
		if (old) {
			pages_copy(grown, old);
		}
		__atomic_store_n(&f->pages, grown, __ATOMIC_RELEASE);
	}
	if (i == tw_nfiles) {
		__atomic_store_n(&tw_nfiles, tw_nfiles + 1, __ATOMIC_RELEASE);
	}
	return i;
}

struct tw_file *tw_file_at(int idx)
{
	return &tw_files[idx];
}

void tw_pages_mark_dirty(struct tw_file *f, uint64_t first, uint64_t last)
{
	struct tw_pages *p = __atomic_load_n(&f->pages, __ATOMIC_ACQUIRE);
	uint64_t pg;

	if (!p) {
		return;
	}
	for (pg = first; pg <= last && pg < p->npages; pg++) {
		__atomic_fetch_or(&p->dirty[pg / 64], 1ull << (pg % 64),
				  __ATOMIC_RELAXED);
	}
}
