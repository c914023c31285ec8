/* SPDX-License-Identifier: MIT */
/* The process's registry and its files, with their page checksum tables. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core.h"
#include "maps.h"
#include "tornwatch-events.h"

struct tw_mapreg tw_maps;
static struct tw_file tw_files[TW_MAX_FILES];
static int tw_nfiles;

void tw_maps_lock(void)
{
	tw_mapreg_lock(&tw_maps);
}

void tw_maps_unlock(void)
{
	tw_mapreg_unlock(&tw_maps);
}

void tw_span_call(struct tw_call *c, const char *name, int op,
		  const struct tw_span *s, int flags)
{
	struct tw_file *f = tw_file_at(s->file);

	tw_call_init(c, name, op, -1, f->dev, f->ino, (int64_t)s->file_off,
		     s->len, s->addr);
	c->flags = flags;
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

static size_t pages_bytes(uint64_t npages);

static struct tw_pages *pages_alloc(uint64_t npages)
{
	size_t words = (npages + 63) / 64;
	struct tw_pages *p = raw_alloc(pages_bytes(npages));

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

static size_t pages_bytes(uint64_t npages)
{
	size_t words = (npages + 63) / 64;

	return sizeof(struct tw_pages) +
	       npages * tw_blocks_per_page() * sizeof(uint32_t) +
	       2 * words * sizeof(uint64_t);
}

static int mapped(int idx)
{
	int i;

	for (i = 0; i < tw_maps.count; i++) {
		if (tw_maps.m[i].file == idx) {
			return 1;
		}
	}
	return 0;
}

/*
 * A full table gives up the entry of a file no mapping refers to any more:
 * no store can reach its page table, so it can be freed. Its checksums are
 * lost; the file's next msync reports its dirty pages as changed, which
 * they may be.
 */
static int recycle(void)
{
	int (*unmap)(void *, size_t) = TW_REAL(munmap);
	int i;

	for (i = 0; i < tw_nfiles; i++) {
		struct tw_pages *p = tw_files[i].pages;

		if (mapped(i)) {
			continue;
		}
		__atomic_store_n(&tw_files[i].pages, NULL, __ATOMIC_RELEASE);
		if (p && unmap) {
			unmap(p, pages_bytes(p->npages));
		}
		return i;
	}
	return -ENOSPC;
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
		i = tw_nfiles < TW_MAX_FILES ? tw_nfiles : recycle();
		if (i < 0) {
			return i;
		}
		f = &tw_files[i];
		f->dev = dev;
		f->ino = ino;
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

int tw_file_find(uint64_t dev, uint64_t ino)
{
	int n = __atomic_load_n(&tw_nfiles, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n && i < TW_MAX_FILES; i++) {
		if (tw_files[i].dev == dev && tw_files[i].ino == ino) {
			return i;
		}
	}
	return -1;
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
