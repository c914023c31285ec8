/* SPDX-License-Identifier: MIT */
/*
 * libaio: io_setup, io_submit, io_getevents, io_pgetevents, io_cancel and
 * io_destroy. libaio returns a negative errno and leaves errno alone; the
 * hooks return exactly that. Each iocb is recorded before the kernel gets
 * it, so that a completion reaped at once by another thread always finds it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libaio.h>
#include <sys/uio.h>
#include "core.h"
#include "engines.h"
#include "inflight.h"
#include "maps.h"
#include "pieces.h"

/* The kernel's completion ring at the address io_setup returned (fs/aio.c). */
struct tw_aio_ring {
	unsigned int id;
	unsigned int nr;
	unsigned int head;
	unsigned int tail;
	unsigned int magic;
	unsigned int compat_features;
	unsigned int incompat_features;
	unsigned int header_length;
	struct io_event io_events[];
};

#define TW_AIO_RING_MAGIC 0xa10a10a1
#define TW_AIO_SEGS 256		/* iovec entries of one vectored iocb we follow */

static void aio_leave(int saved)
{
	tw_leave();
	errno = saved;
}

/*
 * One iocb as a request; 0 when it moves no file data we follow. io is our
 * copy of the program's iocb at id; a vector's segments are copied into
 * segs, since the kernel has not accepted them yet either.
 */
static int iocb_req(const char *call, uint64_t ctx, const struct iocb *io,
		    uint64_t id, struct tw_io_req *q, struct iovec *one,
		    struct iovec *segs)
{
	q->call = call;
	q->engine = TW_ENGINE_LIBAIO;
	q->opcode = io->aio_lio_opcode;
	q->ctx = ctx;
	q->id = id;
	q->fd = io->aio_fildes;
	q->seg = one;
	q->nseg = 1;
	switch (io->aio_lio_opcode) {
	case IO_CMD_PREAD:
	case IO_CMD_PWRITE:
		q->op = io->aio_lio_opcode == IO_CMD_PREAD ? TW_OP_READ :
							     TW_OP_WRITE;
		one->iov_base = io->u.c.buf;
		one->iov_len = io->u.c.nbytes;
		q->offset = io->u.c.offset;
		return 1;
	case IO_CMD_PREADV:
	case IO_CMD_PWRITEV:
		q->op = io->aio_lio_opcode == IO_CMD_PREADV ? TW_OP_READ :
							      TW_OP_WRITE;
		if (io->u.v.nr > TW_AIO_SEGS ||
		    tw_safe_copy(segs, io->u.v.vec,
				 (size_t)io->u.v.nr * sizeof(*segs))) {
			return 0;	/* the kernel will refuse it, or we cannot say */
		}
		q->seg = segs;
		q->nseg = io->u.v.nr;
		q->offset = io->u.v.offset;
		return 1;
	case IO_CMD_FSYNC:
	case IO_CMD_FDSYNC:
		q->op = TW_OP_FSYNC;
		q->nseg = 0;
		q->offset = 0;
		return 1;
	default:
		return 0;
	}
}

/*
 * A write's data is checksummed at submission, before the kernel has
 * looked at the buffers: a bad one completes with -EFAULT bare, a load of
 * it would kill the program. One byte of every page of each segment is
 * read through the kernel first, a batch per system call; a write whose
 * buffers fail is not followed.
 */
#define TW_PROBE_BATCH 64

static int range_readable(const unsigned char *base, size_t len)
{
	struct iovec remote[TW_PROBE_BATCH];
	unsigned char sink[TW_PROBE_BATCH];
	struct iovec local = { sink, 0 };
	uintptr_t ps = (uintptr_t)tw_page_size();
	uintptr_t a = (uintptr_t)base, end = a + len;
	int n, saved = errno;
	ssize_t r;

	while (a < end) {
		for (n = 0; n < TW_PROBE_BATCH && a < end; n++) {
			remote[n].iov_base = (void *)a;
			remote[n].iov_len = 1;
			a = (a & ~(ps - 1)) + ps;
		}
		local.iov_len = (size_t)n;
		r = process_vm_readv(tw_pid(), &local, 1, remote,
				     (unsigned long)n, 0);
		if (r != n) {
			errno = saved;
			return 0;
		}
	}
	errno = saved;
	return 1;
}

static int buffers_readable(const struct tw_io_req *q)
{
	int i;

	for (i = 0; q->op == TW_OP_WRITE && i < q->nseg; i++) {
		if (!range_readable(q->seg[i].iov_base, q->seg[i].iov_len)) {
			return 0;
		}
	}
	return 1;
}

/*
 * The iocb pointer array and the iocbs are the program's, not yet accepted
 * by the kernel (a bogus context is refused before they are read): each is
 * copied through the kernel, and one that cannot be read is not followed.
 */
static int iocb_at(struct iocb **ios, long i, struct iocb **at)
{
	return tw_safe_copy(at, ios + i, sizeof(*at));
}

void tw_aio_submitting(const char *call, uint64_t ctx, long nr,
		       struct iocb **ios)
{
	struct iovec one, segs[TW_AIO_SEGS];
	struct tw_io_req q;
	struct iocb *at, io;
	long i;

	tw_aio_poll(ctx);
	for (i = 0; ios && i < nr; i++) {
		if (iocb_at(ios, i, &at) || !at ||
		    tw_safe_copy(&io, at, sizeof(io))) {
			continue;
		}
		if (iocb_req(call, ctx, &io, (uint64_t)(uintptr_t)at, &q, &one,
			     segs) && buffers_readable(&q)) {
			tw_inflight_submit(&q);
		}
	}
}

/* The iocbs after the first ret were not taken: no I/O happened for them. */
void tw_aio_submitted(const char *call, uint64_t ctx, long nr,
		      struct iocb **ios, long ret)
{
	struct iocb *at;
	long i;

	for (i = ret < 0 ? 0 : ret; ios && i < nr; i++) {
		struct tw_io_key key = { TW_ENGINE_LIBAIO, ctx, 0 };

		if (iocb_at(ios, i, &at)) {
			continue;
		}
		key.id = (uint64_t)(uintptr_t)at;
		tw_inflight_complete(call, &key, ret < 0 ? ret : -EAGAIN, 0,
				     TW_SEEN_REFUSED);
	}
}

static void complete_event(const char *call, uint64_t ctx,
			   const struct io_event *e, int seen)
{
	struct tw_io_key key = { TW_ENGINE_LIBAIO, ctx,
				 (uint64_t)(uintptr_t)e->obj };

	tw_inflight_complete(call, &key, (int64_t)(long)e->res,
			     (int64_t)(long)e->res2, seen);
}

void tw_aio_reaped(const char *call, uint64_t ctx, long min_nr, long ret,
		   const struct io_event *ev)
{
	long i;

	for (i = 0; ev && i < ret; i++) {
		complete_event(call, ctx, &ev[i], TW_SEEN_FIRST);
	}
	tw_inflight_wait(call, TW_ENGINE_LIBAIO, ctx, ret,
			 ret < 0 ? (int)-ret : 0, ret >= 0 && ret < min_nr);
}

void tw_aio_cancelled(const char *call, uint64_t ctx, const struct iocb *iocb,
		      long ret, const struct io_event *ev)
{
	if (ret == 0 && ev) {
		struct io_event e = *ev;

		e.obj = (struct iocb *)iocb;
		complete_event(call, ctx, &e, TW_SEEN_FIRST);
	}
}

#define TW_AIO_CONTEXTS 64

/*
 * Contexts io_setup returned in this process. Only their rings are read: a
 * context the kernel never made (io_submit or io_destroy on a bogus value,
 * which the kernel refuses with EINVAL) is an arbitrary address. When the
 * table is full, a ring is still read if its header can be copied through
 * the kernel and says it is one.
 */
static uint64_t tw_aio_known[TW_AIO_CONTEXTS];
static int tw_aio_known_full;

void tw_aio_context_made(uint64_t ctx)
{
	int i;

	for (i = 0; i < TW_AIO_CONTEXTS; i++) {
		uint64_t zero = 0;

		if (__atomic_compare_exchange_n(&tw_aio_known[i], &zero, ctx, 0,
						__ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
			return;
		}
	}
	__atomic_store_n(&tw_aio_known_full, 1, __ATOMIC_RELAXED);
}

static void context_gone(uint64_t ctx)
{
	uint64_t want;
	int i;

	for (i = 0; i < TW_AIO_CONTEXTS; i++) {
		want = ctx;
		__atomic_compare_exchange_n(&tw_aio_known[i], &want, 0, 0,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}
}

/*
 * Its header copied through the kernel, and the end of its event array
 * readable: a context forgotten across fork (the ring is not inherited) or
 * unmapped behind our back is not loaded from.
 */
static int ring_header(uint64_t ctx, struct tw_aio_ring *h)
{
	const struct tw_aio_ring *ring = (const void *)(uintptr_t)ctx;
	struct io_event last;
	int i, known = 0;

	if (!ring) {
		return 0;
	}
	for (i = 0; i < TW_AIO_CONTEXTS && !known; i++) {
		known = __atomic_load_n(&tw_aio_known[i], __ATOMIC_ACQUIRE) == ctx;
	}
	if (!known && !__atomic_load_n(&tw_aio_known_full, __ATOMIC_RELAXED)) {
		return 0;
	}
	if (tw_safe_copy(h, ring, sizeof(*h)) || h->magic != TW_AIO_RING_MAGIC ||
	    h->nr == 0) {
		return 0;
	}
	return tw_safe_copy(&last, &ring->io_events[h->nr - 1],
			    sizeof(last)) == 0;
}

/* Per context, the ring index below which its events were scanned. */
static struct {
	uint64_t ctx;
	unsigned int seen;
} tw_aio_scanned[TW_AIO_CONTEXTS];
static int tw_aio_lock;

static unsigned int *scanned_slot(uint64_t ctx, unsigned int head)
{
	int i, free_slot = -1;

	for (i = 0; i < TW_AIO_CONTEXTS; i++) {
		if (tw_aio_scanned[i].ctx == ctx) {
			return &tw_aio_scanned[i].seen;
		}
		if (free_slot < 0 && tw_aio_scanned[i].ctx == 0) {
			free_slot = i;
		}
	}
	if (free_slot < 0) {
		return NULL;
	}
	tw_aio_scanned[free_slot].ctx = ctx;
	tw_aio_scanned[free_slot].seen = head;
	return &tw_aio_scanned[free_slot].seen;
}

/*
 * Completions the kernel posted to the context's ring, read from where the
 * last scan stopped: unreaped ones end their I/O whatever the program does
 * to its buffer now; ones a program reaped from the ring itself (fio's
 * userspace_reap), behind the head, are still in ring memory. The ring is
 * only read; io_getevents still hands events to the program.
 */
void tw_aio_poll(uint64_t ctx)
{
	const struct tw_aio_ring *ring = (const void *)(uintptr_t)ctx;
	unsigned int head, tail, start, reaped, i, nr, *seen;
	struct tw_aio_ring h;

	if (!ring_header(ctx, &h)) {
		return;
	}
	if (!tw_spin_trylock(&tw_aio_lock)) {
		return;		/* another thread is scanning */
	}
	nr = ring->nr;
	head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE) % nr;
	tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE) % nr;
	seen = scanned_slot(ctx, head);
	start = seen ? *seen % nr : head;
	/* Reaped by the program: from the last scan up to the head, if the head got past it. */
	reaped = (head - start + nr) % nr;
	if (reaped > (tail - start + nr) % nr) {
		reaped = 0;
	}
	for (i = start; i != tail; i = (i + 1) % nr) {
		complete_event("aio ring", ctx, &ring->io_events[i],
			       (i - start + nr) % nr < reaped ? TW_SEEN_LATE :
							       TW_SEEN_FIRST);
	}
	if (seen) {
		*seen = tail;
	}
	tw_spin_unlock(&tw_aio_lock);
}

static void forget_scanned(uint64_t ctx)
{
	int i;

	for (i = 0; i < TW_AIO_CONTEXTS; i++) {
		if (tw_aio_scanned[i].ctx == ctx) {
			tw_aio_scanned[i].ctx = 0;
		}
	}
}

void tw_aio_destroying(const char *call, uint64_t ctx)
{
	tw_aio_poll(ctx);
	tw_inflight_drop_ctx(call, TW_ENGINE_LIBAIO, ctx);
	forget_scanned(ctx);
}

/* After a successful io_destroy: the address may be reused by anything. */
void tw_aio_destroyed(uint64_t ctx, long ret)
{
	if (ret == 0) {
		context_gone(ctx);
	}
}

TW_EXPORT int io_setup(int maxevents, io_context_t *ctxp)
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_setup)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	r = tw_real_io_setup(maxevents, ctxp);
	/* Known whether traced or not: the ring may be polled later. */
	if (r == 0 && ctxp) {
		tw_aio_context_made((uint64_t)(uintptr_t)*ctxp);
	}
	/* A context at the address of one destroyed behind our back. */
	if (watch && r == 0 && ctxp) {
		tw_inflight_drop_ctx("io_setup", TW_ENGINE_LIBAIO,
				     (uint64_t)(uintptr_t)*ctxp);
	}
	aio_leave(saved);
	return r;
}

TW_EXPORT int io_submit(io_context_t ctx, long nr, struct iocb *ios[])
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_submit)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	if (watch) {
		tw_aio_submitting("io_submit", (uint64_t)(uintptr_t)ctx, nr, ios);
	}
	r = tw_real_io_submit(ctx, nr, ios);
	if (watch) {
		tw_aio_submitted("io_submit", (uint64_t)(uintptr_t)ctx, nr, ios, r);
	}
	aio_leave(saved);
	return r;
}

TW_EXPORT int io_getevents(io_context_t ctx, long min_nr, long nr,
			   struct io_event *events, struct timespec *timeout)
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_getevents)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	r = tw_real_io_getevents(ctx, min_nr, nr, events, timeout);
	if (watch) {
		tw_aio_reaped("io_getevents", (uint64_t)(uintptr_t)ctx, min_nr, r,
			      events);
	}
	aio_leave(saved);
	return r;
}

TW_EXPORT int io_pgetevents(io_context_t ctx, long min_nr, long nr,
			    struct io_event *events, struct timespec *timeout,
			    sigset_t *sigmask)
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_pgetevents)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	r = tw_real_io_pgetevents(ctx, min_nr, nr, events, timeout, sigmask);
	if (watch) {
		tw_aio_reaped("io_pgetevents", (uint64_t)(uintptr_t)ctx, min_nr,
			      r, events);
	}
	aio_leave(saved);
	return r;
}

TW_EXPORT int io_cancel(io_context_t ctx, struct iocb *iocb,
			struct io_event *evt)
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_cancel)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	r = tw_real_io_cancel(ctx, iocb, evt);
	if (watch) {
		tw_aio_cancelled("io_cancel", (uint64_t)(uintptr_t)ctx, iocb, r,
				 evt);
	}
	aio_leave(saved);
	return r;
}

TW_EXPORT int io_destroy(io_context_t ctx)
{
	int saved = errno, watch, r;

	if (!TW_REAL(io_destroy)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	if (watch) {
		tw_aio_destroying("io_destroy", (uint64_t)(uintptr_t)ctx);
	}
	r = tw_real_io_destroy(ctx);
	tw_aio_destroyed((uint64_t)(uintptr_t)ctx, r);
	aio_leave(saved);
	return r;
}
