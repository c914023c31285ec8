/* SPDX-License-Identifier: MIT */
/*
 * mmap, mmap64, munmap, mremap and msync. Only MAP_SHARED mappings of
 * regular files are tracked: MAP_PRIVATE and anonymous memory is not file
 * data. msync checksums the pages that can have changed since their last
 * checksum (a hooked store marked them dirty; every page in full-check
 * mode; every page written by any means where the kernel tracks writes,
 * write-track.h) and reports those that did; after the real call it looks
 * again, and a page that changed meanwhile was stored into while the sync
 * ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "core.h"
#include "crc32c.h"
#include "emit.h"
#include "engines.h"
#include "fdtable.h"
#include "inflight.h"
#include "maps.h"
#include "pieces.h"
#include "uring.h"
#include "write-track.h"

#define TW_MSYNC_SPANS 8
#define TW_SYNC_BATCH 32
#define TW_MAX_BPP 16		/* blocks per page up to 8 KiB pages */
#define TW_RECHECK_MAX 1024

static int tw_said_untracked;

static void map_event(struct tw_map *m, const char *call)
{
	m->pid = tw_pid();
	m->tid = tw_tid();
	m->fn = (uint16_t)tw_fn_of(call);
	tw_emit_map(m);
}

/*
 * A writable mapping the tables cannot hold: its stores will not be seen.
 * Recorded as data written where it is not known (offset -1), so the
 * analyzer leaves the file undecided from here on instead of calling what
 * a read finds unknown.
 */
static void untracked_stores(int fd, const struct tw_fd *f, size_t len,
			     const void *addr)
{
	struct tw_call c;

	tw_call_init(&c, "mmap", TW_OP_OPAQUE, fd, f->dev, f->ino, -1, len,
		     (uint64_t)(uintptr_t)addr);
	tw_emit_call_begin(&c);
	c.ret = (int64_t)len;
	tw_emit_call_end(&c);
}

static void track_mapping(void *ret, size_t len, int prot, int flags, int fd,
			  off_t off)
{
	unsigned int ps = tw_page_size();
	struct tw_map m = { 0 };
	struct tw_fd f;
	int64_t size;
	uint64_t end, npages;
	int idx, err;

	/* No fstat: on FUSE it refreshes the size, and a load past it SIGBUSes. */
	if (tw_fd_get(fd, &f) != 0 || !f.regular) {
		return;
	}
	size = tw_fd_size(fd);
	end = (uint64_t)off + len;
	if (size > 0 && (uint64_t)size > end) {
		end = (uint64_t)size;
	}
	npages = (end + ps - 1) / ps;
	len = (len + ps - 1) / ps * ps;
	tw_maps_lock();
	idx = tw_file_get(f.dev, f.ino, npages);
	err = idx < 0 ? idx : tw_mapreg_add(&tw_maps, (uintptr_t)ret, len, idx,
					    (uint64_t)off);
	tw_maps_unlock();
	/* Said once: a program that maps thousands of files would say it forever. */
	if (err < 0 && !__atomic_exchange_n(&tw_said_untracked, 1,
					    __ATOMIC_RELAXED)) {
		tw_log("mapping of fd %d and later ones not tracked: %s", fd,
		       err == -ENOSPC ? "too many mappings" : "out of memory");
	}
	if (err < 0 && (prot & PROT_WRITE)) {
		untracked_stores(fd, &f, len, ret);
	}
	/* Full-check mode checksums every page anyway. */
	if (err == 0 && (prot & PROT_WRITE) && !tw_full_check) {
		int t = tw_track_register((uintptr_t)ret, len);

		if (t == 0) {
			tw_maps_lock();
			tw_mapreg_set_tracked(&tw_maps, (uintptr_t)ret, len, 1);
			tw_maps_unlock();
			m.track = TW_TRACK_KERNEL;
		} else {
			m.track_err = (int16_t)-t;
		}
	}
	if (m.track == 0) {
		m.track = TW_TRACK_HOOKS;
	}
	if (err < 0) {
		m.track_err = (int16_t)-err;	/* not even the hooks see it */
	}
	m.addr = (uint64_t)(uintptr_t)ret;
	m.length = len;
	m.fd = fd;
	m.prot = prot;
	m.flags = flags;
	m.dev = f.dev;
	m.ino = f.ino;
	m.offset = (int64_t)off;
	m.ret = (int64_t)(uintptr_t)ret;
	m.err = err < 0 ? -err : 0;
	map_event(&m, "mmap");
}

/* The kernel maps and unmaps whole pages: a length the program gives is rounded up. */
static size_t page_up(size_t len)
{
	size_t ps = tw_page_size();

	return len > SIZE_MAX - ps ? len : (len + ps - 1) / ps * ps;
}

/*
 * A mapping that is no tracked file's landed on addresses the table still
 * holds (MAP_FIXED over them, or a mapping the table missed the end of):
 * what is stored there is not the file's.
 */
static void forget_range(void *ret, size_t len)
{
	tw_enter();
	tw_maps_lock();
	tw_mapreg_remove(&tw_maps, (uintptr_t)ret, page_up(len));
	tw_maps_unlock();
	tw_leave();
}

static void *map_hook(void *(*real)(void *, size_t, int, int, int, off_t),
		      void *addr, size_t len, int prot, int flags, int fd,
		      off_t off, const void *caller)
{
	void *ret;
	int saved;

	if (!real) {
		errno = ENOSYS;
		return MAP_FAILED;
	}
	if (fd < 0 || !(flags & MAP_SHARED) || (flags & MAP_ANONYMOUS) ||
	    tw_from_tracer(caller)) {
		ret = real(addr, len, prot, flags, fd, off);
		if (unlikely(ret != MAP_FAILED &&
			     tw_mapreg_maybe(&tw_maps, ret, len))) {
			saved = errno;
			forget_range(ret, len);
			errno = saved;
		}
		return ret;
	}
	tw_enter();
	ret = real(addr, len, prot, flags, fd, off);
	saved = errno;
	if (tw_depth == 1 && tw_active && ret != MAP_FAILED) {
		if (unlikely(__atomic_load_n(&tw_uring_raw_rings,
					     __ATOMIC_RELAXED))) {
			tw_uring_mapped(fd, (int64_t)off, ret);
		}
		track_mapping(ret, len, prot, flags, fd, off);
	}
	tw_leave();
	errno = saved;
	return ret;
}

TW_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		     off_t off)
{
	return map_hook(TW_REAL(mmap), addr, len, prot, flags, fd, off,
			TW_CALLER());
}

TW_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off)
{
	return map_hook(TW_REAL(mmap64), addr, len, prot, flags, fd, off,
			TW_CALLER());
}

static void untrack(const char *call, void *addr, size_t len, void *new_addr,
		    size_t new_len, int64_t ret)
{
	struct tw_span s;
	struct tw_map m = { 0 };
	int n;

	n = tw_mapreg_find(&tw_maps, (uintptr_t)addr, len, &s, 1);
	if (n == 0) {
		return;
	}
	tw_maps_lock();
	if (new_addr) {
		tw_mapreg_move(&tw_maps, (uintptr_t)addr, len,
			       (uintptr_t)new_addr, new_len);
	} else {
		tw_mapreg_remove(&tw_maps, (uintptr_t)addr, len);
	}
	tw_maps_unlock();
	m.addr = (uint64_t)(uintptr_t)addr;
	m.length = len;
	m.new_addr = (uint64_t)(uintptr_t)new_addr;
	m.new_length = new_len;
	m.fd = -1;
	m.dev = tw_file_at(s.file)->dev;
	m.ino = tw_file_at(s.file)->ino;
	m.offset = (int64_t)s.file_off;
	m.ret = ret;
	map_event(&m, call);
}

static struct msync_state *unmap_check_begin(void *addr, size_t len);
static void unmap_check_end(struct msync_state *st, int ret, int err);

TW_EXPORT int munmap(void *addr, size_t len)
{
	int (*real)(void *, size_t) = TW_REAL(munmap);
	struct msync_state *st = NULL;
	size_t span = page_up(len);	/* what the kernel unmaps */
	int ret, saved;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	/* free() unmaps large chunks: nothing tracked there, no lock taken. */
	if (likely(!tw_mapreg_maybe(&tw_maps, addr, span) &&
		   !tw_inflight_maybe(addr, len) &&
		   !__atomic_load_n(&tw_uring_rings, __ATOMIC_RELAXED))) {
		return real(addr, len);
	}
	if (tw_watch(TW_CALLER())) {
		struct tw_io_key none[1];

		saved = errno;
		if (__atomic_load_n(&tw_uring_rings, __ATOMIC_RELAXED)) {
			tw_uring_unmapping(addr, len);
		}
		if (tw_inflight_maybe(addr, len)) {
			tw_inflight_touch("munmap", addr, len, 1, none, 0);
		}
		st = unmap_check_begin(addr, span);
		errno = saved;
	}
	ret = real(addr, len);
	saved = errno;
	unmap_check_end(st, ret, saved);
	if (tw_depth == 1 && ret == 0) {
		untrack("munmap", addr, span, NULL, 0, ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}

TW_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags,
		       ...)
{
	void *(*real)(void *, size_t, size_t, int, ...) = TW_REAL(mremap);
	void *want = NULL, *ret;
	va_list ap;
	int saved;

	if (!real) {
		errno = ENOSYS;
		return MAP_FAILED;
	}
	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	tw_enter();
	ret = (flags & MREMAP_FIXED) ? real(old, old_len, new_len, flags, want) :
				       real(old, old_len, new_len, flags);
	saved = errno;
	if (tw_depth == 1 && ret != MAP_FAILED &&
	    tw_mapreg_maybe(&tw_maps, old, old_len)) {
		untrack("mremap", old, page_up(old_len), ret, page_up(new_len), 0);
	}
	tw_leave();
	errno = saved;
	return ret;
}

struct sync_batch {
	struct tw_sync_pages ev;
	uint64_t page[TW_SYNC_BATCH];
	uint32_t crc[TW_SYNC_BATCH * TW_MAX_BPP];
};

static void batch_flush(struct sync_batch *b)
{
	if (b->ev.count > 0) {
		tw_emit_sync_pages(&b->ev);
		b->ev.count = 0;
	}
}

static void batch_add(struct sync_batch *b, uint64_t pg, const uint32_t *crc)
{
	uint32_t i, bpp = b->ev.blocks_per_page;

	b->page[b->ev.count] = pg;
	for (i = 0; i < bpp; i++) {
		b->crc[b->ev.count * bpp + i] = crc[i];
	}
	if (++b->ev.count == TW_SYNC_BATCH) {
		batch_flush(b);
	}
}

/*
 * Every page is read through the kernel, never loaded: a page may lie past
 * the end of the file (a store, then ftruncate shrinking the file, then
 * msync: a load raises SIGBUS where the bare msync returns 0), or the
 * program may have made it unreadable with mprotect (SIGSEGV). Such a page
 * gives -EFAULT and is not checked; the caller keeps it dirty.
 */
static int page_crcs(const unsigned char *mem, uint32_t *crc)
{
	unsigned char buf[TW_MAX_BPP * TW_GRAIN];
	unsigned int ps = tw_page_size();

	if (ps > sizeof(buf) || tw_safe_copy(buf, mem, ps)) {
		return -EFAULT;
	}
	tw_crc32c_blocks(buf, TW_GRAIN, ps / TW_GRAIN, crc);
	return 0;
}

static void keep_dirty(struct tw_pages *p, uint64_t pg)
{
	__atomic_fetch_or(&p->dirty[pg / 64], 1ull << (pg % 64),
			  __ATOMIC_RELAXED);
}

struct recheck {
	uint64_t page[TW_RECHECK_MAX];
	int n;
};

static int bit_take(uint64_t *words, uint64_t pg)
{
	uint64_t bit = 1ull << (pg % 64);

	return (__atomic_fetch_and(&words[pg / 64], ~bit, __ATOMIC_RELAXED) &
		bit) != 0;
}

static int bit_test(const uint64_t *words, uint64_t pg)
{
	return (__atomic_load_n(&words[pg / 64], __ATOMIC_RELAXED) >>
		(pg % 64)) & 1;
}

static void span_pages(const struct tw_span *s, uint64_t *first,
		       uint64_t *last)
{
	unsigned int ps = tw_page_size();

	*first = s->file_off / ps;
	*last = (s->file_off + s->len - 1) / ps;
}

/* The report must say this mapping's stores by pointer go unseen from here. */
static void tracking_lost(const struct tw_span *s, const struct tw_file *f,
			  int err)
{
	struct tw_map m = { 0 };

	m.addr = (uint64_t)s->addr;
	m.length = s->len;
	m.fd = -1;
	m.dev = f->dev;
	m.ino = f->ino;
	m.offset = (int64_t)s->file_off;
	m.track = TW_TRACK_HOOKS;
	m.track_err = (int16_t)(err < 0 ? -err : err);
	map_event(&m, "msync");
}

struct marks {
	const struct tw_span *s;
	struct tw_pages *p;
};

/* Pages the kernel saw written: dirty, as if a hook had stored there. */
static void mark_written(void *arg, uintptr_t start, uintptr_t end)
{
	const struct marks *mk = arg;
	unsigned int ps = tw_page_size();
	uint64_t pg = (mk->s->file_off + (start - mk->s->addr)) / ps;
	uint64_t last = (mk->s->file_off + (end - mk->s->addr) - 1) / ps;

	for (; pg <= last && pg < mk->p->npages; pg++) {
		keep_dirty(mk->p, pg);
	}
}

/*
 * The kernel's marks for span s, into the dirty bits: 1 when they are
 * complete (every written page is dirty now), 0 when only the hooks' marks
 * count. A registration the kernel dropped (fork, mremap) is made again,
 * and then any page may have been written meanwhile: all are dirty.
 */
static int scan_written(struct tw_span *s)
{
	struct tw_file *f = tw_file_at(s->file);
	struct marks mk = { s, __atomic_load_n(&f->pages, __ATOMIC_ACQUIRE) };
	int ret;

	if (!s->tracked || !mk.p) {
		return 0;
	}
	ret = tw_track_scan(s->addr, s->len, mark_written, &mk);
	if (ret == 0) {
		return 1;
	}
	mark_written(&mk, s->addr, s->addr + s->len);
	if (ret == -EPERM && (ret = tw_track_register(s->addr, s->len)) == 0) {
		return 1;
	}
	tw_maps_lock();
	tw_mapreg_set_tracked(&tw_maps, s->addr, s->len, 0);
	tw_maps_unlock();
	s->tracked = 0;
	tracking_lost(s, f, ret);
	return 0;
}

/* Before the sync: what changed since its last checksum gets a new one. */
static void check_before(const struct tw_span *s, struct sync_batch *b,
			 struct recheck *rc)
{
	struct tw_file *f = tw_file_at(s->file);
	struct tw_pages *p = __atomic_load_n(&f->pages, __ATOMIC_ACQUIRE);
	unsigned int ps = tw_page_size(), bpp = tw_blocks_per_page(), i;
	uint64_t pg, first, last;
	uint32_t crc[TW_MAX_BPP];

	span_pages(s, &first, &last);
	for (pg = first; p && pg <= last && pg < p->npages; pg++) {
		const unsigned char *mem = (const unsigned char *)s->addr +
			(pg * ps - s->file_off);
		int touched = bit_take(p->dirty, pg);
		uint32_t *cached = p->crc + pg * bpp;
		int changed = !bit_test(p->valid, pg);

		if (!touched && !tw_full_check) {
			continue;
		}
		/*
		 * Unreadable now: the sync_pages event has no way to say "not
		 * checked", so the page is skipped and stays dirty for the next
		 * msync, which checks it if it is readable by then.
		 */
		if (page_crcs(mem, crc) != 0) {
			if (touched) {
				keep_dirty(p, pg);
			}
			continue;
		}
		for (i = 0; i < bpp; i++) {
			changed |= cached[i] != crc[i];
			cached[i] = crc[i];
		}
		__atomic_fetch_or(&p->valid[pg / 64], 1ull << (pg % 64),
				  __ATOMIC_RELAXED);
		if (rc->n < TW_RECHECK_MAX) {
			rc->page[rc->n++] = pg;
		}
		if (changed) {
			batch_add(b, pg, crc);
		}
	}
}

static void recheck_page(const struct tw_span *s, struct tw_pages *p,
			 uint64_t pg, struct sync_batch *b)
{
	unsigned int ps = tw_page_size(), bpp = tw_blocks_per_page(), i;
	const unsigned char *mem = (const unsigned char *)s->addr +
		(pg * ps - s->file_off);
	uint32_t crc[TW_MAX_BPP];
	int changed = !bit_test(p->valid, pg);

	if (page_crcs(mem, crc) != 0) {
		keep_dirty(p, pg);	/* unreadable: checked at a later msync */
		return;
	}
	for (i = 0; i < bpp; i++) {
		changed |= p->crc[pg * bpp + i] != crc[i];
	}
	if (changed) {
		/* Still to be synced: the next msync must report it again. */
		keep_dirty(p, pg);
		batch_add(b, pg, crc);
	}
}

/*
 * After the sync: pages checked before or stored into since that differ
 * now. With the kernel's marks complete, only pages written since count.
 */
static void check_after(const struct tw_span *s, struct sync_batch *b,
			const struct recheck *rc, int complete)
{
	struct tw_file *f = tw_file_at(s->file);
	struct tw_pages *p = __atomic_load_n(&f->pages, __ATOMIC_ACQUIRE);
	uint64_t pg, first, last;
	int i;

	if (!p) {
		return;
	}
	span_pages(s, &first, &last);
	for (i = 0; i < rc->n && !complete; i++) {
		if (rc->page[i] >= first && rc->page[i] <= last) {
			recheck_page(s, p, rc->page[i], b);
		}
	}
	for (pg = first; pg <= last && pg < p->npages; pg++) {
		int seen = 0;

		if (!bit_test(p->dirty, pg)) {
			continue;
		}
		for (i = 0; i < rc->n && !seen && !complete; i++) {
			seen = rc->page[i] == pg;
		}
		if (!seen) {
			recheck_page(s, p, pg, b);
		}
	}
}

static void batch_init(struct sync_batch *b, uint64_t cid, int phase)
{
	b->ev.pid = tw_pid();
	b->ev.tid = tw_tid();
	b->ev.cid = cid;
	b->ev.phase = phase;
	b->ev.count = 0;
	b->ev.page = b->page;
	b->ev.crc = b->crc;
	b->ev.blocks_per_page = tw_blocks_per_page();
}

/* Big per-call state lives here, not on a possibly small thread stack. */
struct msync_state {
	struct tw_span span[TW_MSYNC_SPANS];
	uint64_t cid[TW_MSYNC_SPANS];	/* each span's call */
	int complete[TW_MSYNC_SPANS];	/* the kernel's marks are complete */
	int n;				/* spans */
	int flags;			/* the msync flags the spans' calls carry */
	struct recheck rc[TW_MSYNC_SPANS];
	struct sync_batch batch;
};

static TW_TLS struct msync_state *tw_msync_state;
static pthread_key_t tw_msync_key;
static pthread_once_t tw_msync_once = PTHREAD_ONCE_INIT;

/* A thread that synced once and exits gives its state back. */
static void msync_state_free(void *p)
{
	int (*unmap)(void *, size_t) = TW_REAL(munmap);

	tw_msync_state = NULL;
	if (p && unmap) {
		unmap(p, sizeof(struct msync_state));
	}
}

static void msync_key_init(void)
{
	pthread_key_create(&tw_msync_key, msync_state_free);
}

static struct msync_state *msync_state(void)
{
	void *(*real)(void *, size_t, int, int, int, off_t) = TW_REAL(mmap);
	void *p;

	if (tw_msync_state || !real) {
		return tw_msync_state;
	}
	p = real(NULL, sizeof(struct msync_state), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tw_msync_state = p == MAP_FAILED ? NULL : p;
	if (tw_msync_state) {
		pthread_once(&tw_msync_once, msync_key_init);
		pthread_setspecific(tw_msync_key, tw_msync_state);
	}
	return tw_msync_state;
}

/*
 * Each span's call begun (op msync, under the caller's name: msync, or the
 * fsync family syncing a file's mapped pages) and its pages checked before
 * the real call; st->n spans. Depth 1, tracing on.
 */
static void sync_begin(struct msync_state *st, const char *name, int flags)
{
	struct tw_call c;
	int i;

	for (i = 0; i < st->n; i++) {
		tw_span_call(&c, name, TW_OP_MSYNC, &st->span[i], flags);
		st->cid[i] = c.cid;
		tw_emit_call_begin(&c);
		st->rc[i].n = 0;
		st->complete[i] = scan_written(&st->span[i]);
		batch_init(&st->batch, c.cid, 0);
		check_before(&st->span[i], &st->batch, &st->rc[i]);
		batch_flush(&st->batch);
	}
}

/* After the real call: what changed under it, and each span's end. */
/* Span i's call ends with the real call's result. */
static void span_end(struct msync_state *st, int i, const char *name, int flags,
		     int ret, int err)
{
	struct tw_call c;

	tw_span_call(&c, name, TW_OP_MSYNC, &st->span[i], flags);
	c.cid = st->cid[i];
	c.ret = ret;
	c.err = ret < 0 ? err : 0;
	tw_emit_call_end(&c);
}

static void sync_end(struct msync_state *st, const char *name, int flags,
		     int ret, int err)
{
	int i;

	for (i = 0; i < st->n; i++) {
		batch_init(&st->batch, st->cid[i], 1);
		if (st->complete[i]) {
			st->complete[i] = scan_written(&st->span[i]);
		}
		check_after(&st->span[i], &st->batch, &st->rc[i], st->complete[i]);
		batch_flush(&st->batch);
		span_end(st, i, name, flags, ret, err);
	}
}

TW_EXPORT int msync(void *addr, size_t len, int flags)
{
	int (*real)(void *, size_t, int) = TW_REAL(msync);
	struct msync_state *st = NULL;
	int ret, saved;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (!tw_mapreg_maybe(&tw_maps, addr, len)) {
		return real(addr, len, flags);
	}
	if (tw_enter() && tw_active && (st = msync_state()) != NULL) {
		st->n = tw_mapreg_find(&tw_maps, (uintptr_t)addr, len, st->span,
				       TW_MSYNC_SPANS);
		sync_begin(st, "msync", flags);
	}
	ret = real(addr, len, flags);
	saved = errno;
	if (st) {
		sync_end(st, "msync", flags, ret, saved);
	}
	tw_leave();
	errno = saved;
	return ret;
}

struct msync_state *tw_mapped_sync_begin(const char *name, uint64_t dev,
					 uint64_t ino, uint64_t lo,
					 uint64_t hi, int barrier)
{
	struct msync_state *st;
	int file;

	if (__atomic_load_n(&tw_maps.count, __ATOMIC_RELAXED) == 0) {
		return NULL;
	}
	tw_maps_lock();
	file = tw_file_find(dev, ino);
	tw_maps_unlock();
	if (file < 0 || !(st = msync_state())) {
		return NULL;
	}
	st->n = tw_mapreg_of_file(&tw_maps, file, lo, hi, st->span,
				  TW_MSYNC_SPANS);
	if (st->n == 0) {
		return NULL;
	}
	st->flags = barrier ? MS_SYNC : MS_ASYNC;
	sync_begin(st, name, st->flags);
	return st;
}

void tw_mapped_sync_end(struct msync_state *st, const char *name, int ret,
			int err)
{
	if (st) {
		sync_end(st, name, st->flags, ret, err);
	}
}

/*
 * munmap is no barrier, but the last moment the pages can be read: what
 * was stored since the last checksum, by any code, gets one now (as an
 * msync with MS_ASYNC would), so a later read served from the page cache
 * meets a version instead of unknown data. Nothing is read after the real
 * call: the pages are gone.
 */
static int span_dirty(const struct tw_span *s)
{
	struct tw_pages *p = __atomic_load_n(&tw_file_at(s->file)->pages,
					     __ATOMIC_ACQUIRE);
	uint64_t pg, first, last;

	span_pages(s, &first, &last);
	for (pg = first; p && pg <= last && pg < p->npages; pg++) {
		if (bit_test(p->dirty, pg)) {
			return 1;
		}
	}
	return 0;
}

static struct msync_state *unmap_check_begin(void *addr, size_t len)
{
	struct msync_state *st;
	int i, n, k;

	if (!tw_mapreg_maybe(&tw_maps, addr, len) || !(st = msync_state())) {
		return NULL;
	}
	n = tw_mapreg_find(&tw_maps, (uintptr_t)addr, len, st->span,
			   TW_MSYNC_SPANS);
	/* A mapping with nothing stored since its last check unmaps as no call. */
	for (i = k = 0; i < n; i++) {
		scan_written(&st->span[i]);
		if (tw_full_check || span_dirty(&st->span[i])) {
			st->span[k++] = st->span[i];
		}
	}
	st->n = k;
	if (st->n == 0) {
		return NULL;
	}
	st->flags = MS_ASYNC;
	sync_begin(st, "munmap", st->flags);
	return st;
}

static void unmap_check_end(struct msync_state *st, int ret, int err)
{
	for (int i = 0; st && i < st->n; i++) {
		span_end(st, i, "munmap", st->flags, ret, err);
	}
}
