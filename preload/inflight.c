/* SPDX-License-Identifier: MIT */
/*
 * The in-flight table: a dense array under one spin lock (core.h). The
 * address bounds only grow while anything is in flight: they are a filter,
 * exact lookups scan the table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include "core.h"
#include "emit.h"
#include "fdtable.h"
#include "inflight.h"
#include "pieces.h"

struct tw_inflight {
	struct tw_io_key key;
	int op;
	int nseg;
	uint64_t cid;		/* its submission's call id */
	int released;		/* freed or unmapped since: read it safely */
	uint64_t dev;
	uint64_t ino;
	int64_t offset;
	uint64_t length;
	struct iovec seg[TW_INFLIGHT_SEGS];
};

static struct tw_inflight tw_io[TW_INFLIGHT_MAX];
static int tw_nio;
static int tw_io_lock;
uintptr_t tw_inflight_lo = UINTPTR_MAX;
uintptr_t tw_inflight_hi;

static int same_key(const struct tw_io_key *a, const struct tw_io_key *b)
{
	return a->engine == b->engine && a->ctx == b->ctx && a->id == b->id;
}

/* Index of the oldest entry with this key, or -1; caller holds the lock. */
static int find_key(const struct tw_io_key *key)
{
	int i;

	for (i = 0; i < tw_nio; i++) {
		if (same_key(&tw_io[i].key, key)) {
			return i;
		}
	}
	return -1;
}

static void widen_bounds(const struct iovec *seg, int nseg)
{
	int i;

	for (i = 0; i < nseg; i++) {
		uintptr_t a = (uintptr_t)seg[i].iov_base;

		if (seg[i].iov_len == 0) {
			continue;
		}
		if (a < tw_inflight_lo) {
			__atomic_store_n(&tw_inflight_lo, a, __ATOMIC_RELAXED);
		}
		if (a + seg[i].iov_len > tw_inflight_hi) {
			__atomic_store_n(&tw_inflight_hi, a + seg[i].iov_len,
					 __ATOMIC_RELAXED);
		}
	}
}

/* Removes entry i keeping older entries first; caller holds the lock. */
static void remove_at(int i)
{
	int j;

	for (j = i; j + 1 < tw_nio; j++) {
		tw_io[j] = tw_io[j + 1];
	}
	tw_nio--;
	if (tw_nio == 0) {
		__atomic_store_n(&tw_inflight_hi, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&tw_inflight_lo, UINTPTR_MAX, __ATOMIC_RELAXED);
	}
}

/*
 * An async write's buffers are the program's: released, unmapped, or bad
 * from the start (the kernel completes such an I/O with -EFAULT), so they
 * are read through the kernel, never loaded.
 */
static void emit_segs(const struct tw_inflight *io, int kind, size_t len)
{
	if (io->offset < 0 || len == 0) {
		return;
	}
	tw_pieces_emit_iov_safe(io->cid, kind, (uint64_t)io->offset,
				io->seg, io->nseg, len);
}

void tw_inflight_submit(const struct tw_io_req *q)
{
	struct tw_aio_submit s;
	struct tw_inflight io;
	struct tw_fd f;
	uint64_t len = 0;
	int i;

	/* The fd table, not fstat: on FUSE that refreshes the program's size. */
	if (tw_fd_get(q->fd, &f) != 0 || !f.regular) {
		return;
	}
	for (i = 0; i < q->nseg; i++) {
		len += q->seg[i].iov_len;
	}
	tw_call_init(&s.c, q->call, q->op, q->fd, f.dev, f.ino, q->offset, len,
		     q->nseg ? (uint64_t)(uintptr_t)q->seg[0].iov_base : 0);
	s.c.flags = f.flags;
	s.engine = q->engine;
	s.opcode = q->opcode;
	s.ctx = q->ctx;
	s.id = q->id;
	s.size = tw_fd_size(q->fd);
	s.nseg = (uint32_t)q->nseg;
	tw_emit_aio_submit(&s);

	io.key.engine = q->engine;
	io.key.ctx = q->ctx;
	io.key.id = q->id;
	io.op = q->op;
	io.cid = s.c.cid;
	io.released = 0;
	io.dev = f.dev;
	io.ino = f.ino;
	io.offset = q->offset;
	io.length = len;
	io.nseg = q->nseg < TW_INFLIGHT_SEGS ? q->nseg : TW_INFLIGHT_SEGS;
	for (i = 0; i < io.nseg; i++) {
		io.seg[i] = q->seg[i];
	}
	if (q->op == TW_OP_WRITE) {
		emit_segs(&io, TW_PIECE_DATA, len);
	}
	tw_spin_lock(&tw_io_lock);
	if (tw_nio < TW_INFLIGHT_MAX) {
		tw_io[tw_nio++] = io;
		widen_bounds(io.seg, io.nseg);
	}
	tw_spin_unlock(&tw_io_lock);
}

void tw_inflight_complete(const char *call, const struct tw_io_key *key,
			  int64_t res, int64_t res2, int seen)
{
	struct tw_aio_complete c;
	struct tw_inflight io;
	int i;

	tw_spin_lock(&tw_io_lock);
	i = find_key(key);
	if (i >= 0) {
		io = tw_io[i];
		remove_at(i);
	}
	tw_spin_unlock(&tw_io_lock);
	if (i < 0) {
		return;		/* not a regular file's, or seen already */
	}
	c.pid = tw_pid();
	c.tid = tw_tid();
	c.fn = (uint16_t)tw_fn_of(call);
	c.cid = io.cid;
	c.res = res;
	c.res2 = res2;
	c.seen = seen;
	/* The buffer's checksums first: the completion closes the I/O. */
	if (seen == TW_SEEN_FIRST && io.op == TW_OP_READ && res > 0) {
		emit_segs(&io, TW_PIECE_DATA, (size_t)res);
	} else if (seen == TW_SEEN_FIRST && io.op == TW_OP_WRITE) {
		emit_segs(&io, TW_PIECE_LATER, io.length);
	}
	tw_emit_aio_complete(&c);
}

unsigned int tw_inflight_count(int engine, uint64_t ctx)
{
	unsigned int n = 0;
	int i;

	tw_spin_lock(&tw_io_lock);
	for (i = 0; i < tw_nio; i++) {
		if (tw_io[i].key.engine == engine && tw_io[i].key.ctx == ctx) {
			n++;
		}
	}
	tw_spin_unlock(&tw_io_lock);
	return n;
}

static void emit_wait(const char *call, int engine, uint64_t ctx, int64_t ret,
		      int err, unsigned int inflight, uint64_t missed)
{
	struct tw_aio_wait w;

	w.pid = tw_pid();
	w.tid = tw_tid();
	w.fn = (uint16_t)tw_fn_of(call);
	w.engine = engine;
	w.ctx = ctx;
	w.ret = ret;
	w.err = err;
	w.inflight = inflight;
	w.missed = missed;
	tw_emit_aio_wait(&w);
}

void tw_inflight_wait(const char *call, int engine, uint64_t ctx, int64_t ret,
		      int err, int short_count)
{
	unsigned int n;

	if (err == 0 && !short_count) {
		return;
	}
	n = tw_inflight_count(engine, ctx);
	if (n > 0) {
		emit_wait(call, engine, ctx, ret, err, n, 0);
	}
}

void tw_inflight_missed(const char *call, int engine, uint64_t ctx,
			uint64_t missed)
{
	emit_wait(call, engine, ctx, 0, 0, tw_inflight_count(engine, ctx),
		  missed);
}

void tw_inflight_drop_ctx(const char *call, int engine, uint64_t ctx)
{
	struct tw_io_key key;

	for (;;) {
		int i, found = 0;

		tw_spin_lock(&tw_io_lock);
		for (i = 0; i < tw_nio; i++) {
			if (tw_io[i].key.engine == engine &&
			    tw_io[i].key.ctx == ctx) {
				key = tw_io[i].key;
				found = 1;
				break;
			}
		}
		tw_spin_unlock(&tw_io_lock);
		if (!found) {
			return;
		}
		tw_inflight_complete(call, &key, 0, 0, TW_SEEN_NEVER);
	}
}

static int overlaps(const struct tw_inflight *io, uintptr_t a, size_t len)
{
	int i;

	for (i = 0; i < io->nseg; i++) {
		uintptr_t b = (uintptr_t)io->seg[i].iov_base;

		if (a < b + io->seg[i].iov_len && a + len > b) {
			return 1;
		}
	}
	return 0;
}

/* The keys of the I/Os on [a, a+len); caller holds no lock. */
static int hits(uintptr_t a, size_t len, struct tw_inflight *out, int max)
{
	int i, n = 0;

	tw_spin_lock(&tw_io_lock);
	for (i = 0; i < tw_nio && n < max; i++) {
		if (overlaps(&tw_io[i], a, len)) {
			out[n++] = tw_io[i];
		}
	}
	tw_spin_unlock(&tw_io_lock);
	return n;
}

/* Its buffer may be unmapped by the time the I/O completes. */
static void mark_released(const struct tw_io_key *key)
{
	int i;

	tw_spin_lock(&tw_io_lock);
	i = find_key(key);
	if (i >= 0) {
		tw_io[i].released = 1;
	}
	tw_spin_unlock(&tw_io_lock);
}

static int still_in_flight(const struct tw_io_key *key)
{
	int i;

	tw_spin_lock(&tw_io_lock);
	i = find_key(key);
	tw_spin_unlock(&tw_io_lock);
	return i >= 0;
}

int tw_inflight_touch(const char *call, const void *addr, size_t len,
		      int released, struct tw_io_key *keys, int max)
{
	struct tw_inflight hit[TW_TOUCH_MAX];
	struct tw_aio_touch t;
	int i, n, nkeys = 0;

	n = hits((uintptr_t)addr, len, hit, TW_TOUCH_MAX);
	for (i = 0; i < n; i++) {
		/* Done in the kernel but not reaped yet is not in flight. */
		if (hit[i].key.engine == TW_ENGINE_LIBAIO) {
			tw_aio_poll(hit[i].key.ctx);
		} else {
			tw_uring_poll(hit[i].key.ctx);
		}
		if (!still_in_flight(&hit[i].key)) {
			continue;
		}
		if (released) {
			mark_released(&hit[i].key);
		}
		t.pid = tw_pid();
		t.tid = tw_tid();
		t.fn = (uint16_t)tw_fn_of(call);
		t.cid = hit[i].cid;
		t.addr = (uint64_t)(uintptr_t)addr;
		t.length = len;
		t.released = released;
		tw_emit_aio_touch(&t);
		if (hit[i].op == TW_OP_WRITE && !released && nkeys < max) {
			keys[nkeys++] = hit[i].key;
		}
	}
	return nkeys;
}

void tw_inflight_after_store(const struct tw_io_key *keys, int n)
{
	struct tw_inflight io;
	int i, j;

	for (i = 0; i < n; i++) {
		tw_spin_lock(&tw_io_lock);
		j = find_key(&keys[i]);
		if (j >= 0) {
			io = tw_io[j];
		}
		tw_spin_unlock(&tw_io_lock);
		if (j >= 0) {
			emit_segs(&io, TW_PIECE_LATER, io.length);
		}
	}
}

void tw_inflight_forget_all(void)
{
	tw_io_lock = 0;
	tw_nio = 0;
	tw_inflight_hi = 0;
	tw_inflight_lo = UINTPTR_MAX;
}
