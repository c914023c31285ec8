/* SPDX-License-Identifier: MIT */
/*
 * memcpy, memmove, memset and their fortified forms. The hottest code in the
 * library: an address outside every tracked mapping costs two loads and two
 * compares before the jump to the real function. A store into a mapping is
 * recorded with the checksums of what it overwrote and of what it wrote; a
 * load from one with the checksums of what it copied out. A store into a
 * buffer an async I/O still owns is recorded as a touch of that I/O.
 */
#include <errno.h>
#include "core.h"
#include "emit.h"
#include "inflight.h"
#include "maps.h"
#include "pieces.h"

#define TW_XFER_SPANS 4

struct tw_xfer {
	const char *name;
	int nstore;
	int nload;
	int nkeys;		/* in-flight writes whose buffer this stores into */
	struct tw_io_key keys[TW_TOUCH_MAX];
	struct tw_span store[TW_XFER_SPANS];
	struct tw_span load[TW_XFER_SPANS];
	uint64_t store_cid[TW_XFER_SPANS];	/* the calls begun, for their ends */
	uint64_t load_cid[TW_XFER_SPANS];
};

/* Returns 1 when the access touches a tracked mapping and was recorded. */
static int xfer_begin(struct tw_xfer *x, const char *name, const void *dst,
		      const void *src, size_t n)
{
	struct tw_call c;
	int i;

	if (n == 0 || !__atomic_load_n(&tw_active, __ATOMIC_RELAXED)) {
		return 0;
	}
	if (!tw_enter()) {
		tw_leave();
		return 0;
	}
	x->name = name;
	x->nkeys = tw_inflight_maybe(dst, n) ?
		   tw_inflight_touch(name, dst, n, 0, x->keys, TW_TOUCH_MAX) : 0;
	x->nstore = tw_mapreg_find(&tw_maps, (uintptr_t)dst, n, x->store,
				   TW_XFER_SPANS);
	x->nload = src ? tw_mapreg_find(&tw_maps, (uintptr_t)src, n, x->load,
					TW_XFER_SPANS) : 0;
	if (x->nstore == 0 && x->nload == 0 && x->nkeys == 0) {
		tw_leave();
		return 0;
	}
	for (i = 0; i < x->nstore; i++) {
		const struct tw_span *s = &x->store[i];

		tw_span_call(&c, name, TW_OP_STORE, s, 0);
		x->store_cid[i] = c.cid;
		tw_emit_call_begin(&c);
		tw_pieces_emit(c.cid, TW_PIECE_OLD, s->file_off,
			       (const void *)s->addr, s->len);
	}
	for (i = 0; i < x->nload; i++) {
		tw_span_call(&c, name, TW_OP_LOAD, &x->load[i], 0);
		x->load_cid[i] = c.cid;
		tw_emit_call_begin(&c);
	}
	return 1;
}

static void xfer_end(struct tw_xfer *x, const void *dst, const void *src)
{
	unsigned int ps = tw_page_size();
	struct tw_call c;
	int i;

	for (i = 0; i < x->nstore; i++) {
		const struct tw_span *s = &x->store[i];

		tw_span_call(&c, x->name, TW_OP_STORE, s, 0);
		c.cid = x->store_cid[i];
		tw_pieces_emit(c.cid, TW_PIECE_DATA, s->file_off,
			       (const void *)s->addr, s->len);
		tw_pages_mark_dirty(tw_file_at(s->file), s->file_off / ps,
				    (s->file_off + s->len - 1) / ps);
		c.ret = (int64_t)s->len;
		tw_emit_call_end(&c);
	}
	for (i = 0; i < x->nload; i++) {
		const struct tw_span *s = &x->load[i];
		/* What the caller got is in dst, at the same distance from its start. */
		const unsigned char *got = (const unsigned char *)dst +
					   (s->addr - (uintptr_t)src);

		tw_span_call(&c, x->name, TW_OP_LOAD, s, 0);
		c.cid = x->load_cid[i];
		tw_pieces_emit(c.cid, TW_PIECE_DATA, s->file_off, got, s->len);
		c.ret = (int64_t)s->len;
		tw_emit_call_end(&c);
	}
	tw_inflight_after_store(x->keys, x->nkeys);
	tw_leave();
}

/*
 * read() into a buffer that lies in a tracked mapping stores into that
 * mapping's file through the kernel: recorded as a store by that call once
 * it returned (what it overwrote is gone by then), its pages marked for the
 * next msync. Called by the read hooks at depth 1.
 */
void tw_kernel_stored(const char *name, const void *buf, size_t len)
{
	unsigned int ps = tw_page_size();
	struct tw_span spans[TW_XFER_SPANS];
	struct tw_call c;
	int n, i;

	if (len == 0 || !tw_mapreg_maybe(&tw_maps, buf, len)) {
		return;
	}
	n = tw_mapreg_find(&tw_maps, (uintptr_t)buf, len, spans, TW_XFER_SPANS);
	for (i = 0; i < n; i++) {
		const struct tw_span *sp = &spans[i];

		tw_span_call(&c, name, TW_OP_STORE, sp, 0);
		tw_emit_call_begin(&c);
		tw_pieces_emit(c.cid, TW_PIECE_DATA, sp->file_off,
			       (const void *)sp->addr, sp->len);
		tw_pages_mark_dirty(tw_file_at(sp->file), sp->file_off / ps,
				    (sp->file_off + sp->len - 1) / ps);
		c.ret = (int64_t)sp->len;
		tw_emit_call_end(&c);
	}
}

/*
 * src is a constant NULL for the memset forms: its test folds away. With
 * nothing in flight the last test is one compare against zero.
 */
static inline __attribute__((always_inline)) int
maybe_tracked(const void *dst, const void *src, size_t n)
{
	return tw_mapreg_maybe(&tw_maps, dst, n) ||
	       (src && tw_mapreg_maybe(&tw_maps, src, n)) ||
	       tw_inflight_maybe(dst, n);
}

/* Inside the bounds, the exact test before any bookkeeping. */
static inline int tracked(const void *dst, const void *src, size_t n)
{
	return tw_mapreg_hit(&tw_maps, dst, n) ||
	       (src && tw_mapreg_hit(&tw_maps, src, n)) ||
	       tw_inflight_maybe(dst, n);
}

/*
 * One shape for all six. The fast path is two compares and a tail jump to
 * the real function; everything else, with its stack frame, lives in the
 * slow path around the very same real call. errno is kept: LTTng may touch
 * it, memcpy never does.
 */
#define TW_COPY_HOOK(name, args, call_args, boot, d, s, n)			\
static __attribute__((noinline)) void *slow_##name args			\
{										\
	struct tw_xfer x;							\
	void *r;								\
	int saved;								\
										\
	if (!tracked(d, s, n) || !xfer_begin(&x, #name, d, s, n)) {		\
		return TW_REAL(name) ? tw_real_##name call_args : (boot);	\
	}									\
	saved = errno;								\
	r = TW_REAL(name) ? tw_real_##name call_args : (boot);			\
	xfer_end(&x, d, s);							\
	errno = saved;								\
	return r;								\
}										\
										\
TW_EXPORT void *name args							\
{										\
	if (unlikely(maybe_tracked(d, s, n))) {					\
		return slow_##name call_args;					\
	}									\
	if (likely(tw_real_##name != NULL)) {					\
		return tw_real_##name call_args;				\
	}									\
	return boot;								\
}

/* Before resolution: the real function if we can get it now, else a byte loop. */
static void *boot_memcpy(void *d, const void *s, size_t n)
{
	return TW_REAL(memcpy) ? tw_real_memcpy(d, s, n) : tw_boot_copy(d, s, n);
}

static void *boot_memmove(void *d, const void *s, size_t n)
{
	return TW_REAL(memmove) ? tw_real_memmove(d, s, n) :
				  tw_boot_move(d, s, n);
}

static void *boot_memset(void *d, int c, size_t n)
{
	return TW_REAL(memset) ? tw_real_memset(d, c, n) : tw_boot_set(d, c, n);
}

TW_COPY_HOOK(memcpy, (void *d, const void *s, size_t n), (d, s, n),
	     boot_memcpy(d, s, n), d, s, n)
TW_COPY_HOOK(memmove, (void *d, const void *s, size_t n), (d, s, n),
	     boot_memmove(d, s, n), d, s, n)
TW_COPY_HOOK(memset, (void *d, int c, size_t n), (d, c, n),
	     boot_memset(d, c, n), d, (const void *)NULL, n)
TW_COPY_HOOK(__memcpy_chk, (void *d, const void *s, size_t n, size_t dl),
	     (d, s, n, dl), boot_memcpy(d, s, n), d, s, n)
TW_COPY_HOOK(__memmove_chk, (void *d, const void *s, size_t n, size_t dl),
	     (d, s, n, dl), boot_memmove(d, s, n), d, s, n)
TW_COPY_HOOK(__memset_chk, (void *d, int c, size_t n, size_t dl),
	     (d, c, n, dl), boot_memset(d, c, n), d, (const void *)NULL, n)
