/* SPDX-License-Identifier: MIT */
/*
 * io_uring rings as the tracer reads them: SQEs are decoded out of the SQ
 * ring before the kernel consumes them, CQEs out of the CQ ring from the
 * last index scanned. liburing consumes CQEs with inline helpers that reach
 * no hook, but an entry stays in ring memory until the kernel reuses its
 * slot: a scan finds it later, and knows from the ring head whether the
 * program had it first. A ring is known by its fd: liburing rings from their
 * struct io_uring, raw ones from io_uring_setup's parameters and the mmaps
 * that follow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <string.h>
#include "core.h"
#include "engines.h"
#include "inflight.h"
#include "pieces.h"
#include "uring.h"

#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif

#define TW_MAX_RINGS 64
#define TW_RING_FILES 64

struct tw_ring {
	int fd;			/* -1: free slot */
	int lock;
	int ready;		/* pointers known */
	int raw;		/* waiting for mmaps of a raw setup */
	unsigned int *sq_khead, *sq_ktail, *sq_array;
	unsigned int sq_mask;
	char *sqes;
	unsigned int sqe_size;
	unsigned int *cq_khead, *cq_ktail;
	unsigned int cq_mask, cq_entries;
	char *cqes;
	unsigned int cqe_size;
	int entered;		/* a hook has seen the ring submit */
	unsigned int sq_done;	/* SQ index below which SQEs are recorded */
	unsigned int cq_seen;	/* CQ index below which CQEs were scanned */
	struct io_uring_params p;
	char *sq_ring, *cq_ring;
	int nfiles;
	int files[TW_RING_FILES];
};

static struct tw_ring tw_rings[TW_MAX_RINGS] = {
	[0 ... TW_MAX_RINGS - 1] = { .fd = -1 },
};
static int tw_rings_lock;
int tw_uring_raw_rings;
int tw_uring_rings;

static struct tw_ring *ring_by_fd(int fd)
{
	int i;

	if (fd < 0 || !__atomic_load_n(&tw_uring_rings, __ATOMIC_RELAXED)) {
		return NULL;
	}
	for (i = 0; i < TW_MAX_RINGS; i++) {
		if (__atomic_load_n(&tw_rings[i].fd, __ATOMIC_ACQUIRE) == fd) {
			return &tw_rings[i];
		}
	}
	return NULL;
}

/* A free slot, claimed for fd with everything else cleared; or NULL. */
static struct tw_ring *ring_claim(int fd)
{
	struct tw_ring *r = NULL;
	int i;

	tw_spin_lock(&tw_rings_lock);
	for (i = 0; i < TW_MAX_RINGS; i++) {
		if (tw_rings[i].fd == fd) {
			r = &tw_rings[i];
			break;
		}
		if (!r && tw_rings[i].fd < 0) {
			r = &tw_rings[i];
		}
	}
	if (r && r->fd != fd) {
		memset(r, 0, sizeof(*r));
		r->fd = -2;	/* claimed, not yet published */
		__atomic_add_fetch(&tw_uring_rings, 1, __ATOMIC_RELAXED);
	}
	tw_spin_unlock(&tw_rings_lock);
	return r;
}

static void ring_publish(struct tw_ring *r, int fd)
{
	__atomic_store_n(&r->fd, fd, __ATOMIC_RELEASE);
}

struct tw_ring *tw_ring_of(struct io_uring *u)
{
	struct tw_ring *r = ring_by_fd(u->ring_fd);

	if (r && r->ready) {
		return r;
	}
	r = ring_claim(u->ring_fd);
	if (!r) {
		return NULL;
	}
	r->sq_khead = u->sq.khead;
	r->sq_ktail = u->sq.ktail;
	r->sq_array = (u->flags & IORING_SETUP_NO_SQARRAY) ? NULL : u->sq.array;
	r->sq_mask = *u->sq.kring_mask;
	r->sqes = (char *)u->sq.sqes;
	r->sqe_size = (u->flags & IORING_SETUP_SQE128) ? 128 : 64;
	r->cq_khead = u->cq.khead;
	r->cq_ktail = u->cq.ktail;
	r->cq_mask = *u->cq.kring_mask;
	r->cq_entries = *u->cq.kring_entries;
	r->cqes = (char *)u->cq.cqes;
	r->cqe_size = (u->flags & IORING_SETUP_CQE32) ? 32 : 16;
	r->sq_done = __atomic_load_n(r->sq_khead, __ATOMIC_ACQUIRE);
	r->cq_seen = __atomic_load_n(r->cq_khead, __ATOMIC_ACQUIRE);
	r->ready = 1;
	ring_publish(r, u->ring_fd);
	return r;
}

void tw_uring_setup_done(int fd, const void *params)
{
	struct tw_ring *r = ring_claim(fd);

	if (!r) {
		return;
	}
	memcpy(&r->p, params, sizeof(r->p));
	r->raw = 1;
	__atomic_add_fetch(&tw_uring_raw_rings, 1, __ATOMIC_RELAXED);
	ring_publish(r, fd);
}

static void raw_ready(struct tw_ring *r)
{
	const struct io_sqring_offsets *so = &r->p.sq_off;
	const struct io_cqring_offsets *co = &r->p.cq_off;

	r->sq_khead = (unsigned int *)(r->sq_ring + so->head);
	r->sq_ktail = (unsigned int *)(r->sq_ring + so->tail);
	r->sq_mask = *(unsigned int *)(r->sq_ring + so->ring_mask);
	r->sq_array = (r->p.flags & IORING_SETUP_NO_SQARRAY) ? NULL :
		      (unsigned int *)(r->sq_ring + so->array);
	r->sqe_size = (r->p.flags & IORING_SETUP_SQE128) ? 128 : 64;
	r->cq_khead = (unsigned int *)(r->cq_ring + co->head);
	r->cq_ktail = (unsigned int *)(r->cq_ring + co->tail);
	r->cq_mask = *(unsigned int *)(r->cq_ring + co->ring_mask);
	r->cq_entries = *(unsigned int *)(r->cq_ring + co->ring_entries);
	r->cqes = r->cq_ring + co->cqes;
	r->cqe_size = (r->p.flags & IORING_SETUP_CQE32) ? 32 : 16;
	r->sq_done = __atomic_load_n(r->sq_khead, __ATOMIC_ACQUIRE);
	r->cq_seen = __atomic_load_n(r->cq_khead, __ATOMIC_ACQUIRE);
	r->raw = 0;
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&tw_uring_raw_rings, 1, __ATOMIC_RELAXED);
}

void tw_uring_mapped(int fd, int64_t offset, void *addr)
{
	struct tw_ring *r = ring_by_fd(fd);

	if (!r || !r->raw) {
		return;
	}
	tw_spin_lock(&r->lock);
	if (offset == IORING_OFF_SQ_RING) {
		r->sq_ring = addr;
		if (r->p.features & IORING_FEAT_SINGLE_MMAP) {
			r->cq_ring = addr;
		}
	} else if (offset == IORING_OFF_CQ_RING) {
		r->cq_ring = addr;
	} else if (offset == IORING_OFF_SQES) {
		r->sqes = addr;
	}
	if (r->raw && r->sq_ring && r->cq_ring && r->sqes) {
		raw_ready(r);
	}
	tw_spin_unlock(&r->lock);
}

static int fixed_fd(const struct tw_ring *r, int idx)
{
	return idx >= 0 && idx < r->nfiles ? r->files[idx] : -1;
}

#define TW_URING_SEGS 256	/* iovec entries of one vectored SQE we follow */

/*
 * One SQE as a request; 0 when it moves no file data we follow. A vector's
 * iovec array is the program's, not yet accepted by the kernel: copied into
 * segs through the kernel, as a bad one completes with -EFAULT bare.
 */
static int sqe_req(const struct tw_ring *r, const struct io_uring_sqe *e,
		   const char *call, struct tw_io_req *q, struct iovec *one,
		   struct iovec *segs)
{
	q->call = call;
	q->engine = TW_ENGINE_URING;
	q->opcode = e->opcode;
	q->ctx = (uint64_t)r->fd;
	q->id = e->user_data;
	q->fd = (e->flags & IOSQE_FIXED_FILE) ? fixed_fd(r, e->fd) : e->fd;
	q->offset = e->off == (uint64_t)-1 ? -1 : (int64_t)e->off;
	one->iov_base = (void *)(uintptr_t)e->addr;
	one->iov_len = e->len;
	q->seg = one;
	q->nseg = 1;
	switch (e->opcode) {
	case IORING_OP_READ:
	case IORING_OP_READ_FIXED:
		q->op = TW_OP_READ;
		return 1;
	case IORING_OP_WRITE:
	case IORING_OP_WRITE_FIXED:
		q->op = TW_OP_WRITE;
		return 1;
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
		q->op = e->opcode == IORING_OP_READV ? TW_OP_READ : TW_OP_WRITE;
		if (e->len > TW_URING_SEGS ||
		    tw_safe_copy(segs, (const void *)(uintptr_t)e->addr,
				 (size_t)e->len * sizeof(*segs))) {
			return 0;	/* the kernel will refuse it, or we cannot say */
		}
		q->seg = segs;
		q->nseg = (int)e->len;
		return 1;
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
		q->op = TW_OP_FSYNC;
		q->nseg = 0;
		return 1;
	default:
		return 0;
	}
}

/* Records SQ entries [sq_done, to) not consumed by the kernel yet. */
static void record_sqes(struct tw_ring *r, const char *call, unsigned int to)
{
	unsigned int head = __atomic_load_n(r->sq_khead, __ATOMIC_ACQUIRE);
	unsigned int i = r->sq_done;
	struct tw_io_req q;
	struct iovec one, segs[TW_URING_SEGS];

	if ((int)(head - i) > 0) {
		i = head;
	}
	for (; (int)(to - i) > 0; i++) {
		unsigned int idx = r->sq_array ? r->sq_array[i & r->sq_mask] : i;
		const struct io_uring_sqe *e = (const void *)
			(r->sqes + (size_t)(idx & r->sq_mask) * r->sqe_size);

		if (sqe_req(r, e, call, &q, &one, segs)) {
			tw_inflight_submit(&q);
		}
	}
	r->sq_done = i;
}

static void scan_cq(struct tw_ring *r, const char *call)
{
	unsigned int head, tail, i, lost, unseen;

	if (!tw_spin_trylock(&r->lock)) {
		return;		/* another thread is scanning it */
	}
	tail = __atomic_load_n(r->cq_ktail, __ATOMIC_ACQUIRE);
	head = __atomic_load_n(r->cq_khead, __ATOMIC_ACQUIRE);
	i = r->cq_seen;
	/*
	 * Completions the scan cannot read (the ring wrapped), or of a ring
	 * no hook ever saw submit (a raw io_uring_enter instruction, as fio's
	 * io_uring engine makes): I/O no event describes, said as missed.
	 */
	lost = tail - i > r->cq_entries ? tail - i - r->cq_entries : 0;
	unseen = r->entered ? lost : tail - i;
	if (unseen) {
		tw_inflight_missed(call, TW_ENGINE_URING, (uint64_t)r->fd,
				   unseen);
	}
	if (lost) {
		i = tail - r->cq_entries;
	}
	for (; i != tail; i++) {
		const struct io_uring_cqe *c = (const void *)
			(r->cqes + (size_t)(i & r->cq_mask) * r->cqe_size);
		struct tw_io_key key = { TW_ENGINE_URING, (uint64_t)r->fd,
					 c->user_data };

		tw_inflight_complete(call, &key, c->res, c->flags,
				     (int)(head - i) > 0 ? TW_SEEN_LATE :
							   TW_SEEN_FIRST);
	}
	r->cq_seen = tail;
	tw_spin_unlock(&r->lock);
}

/*
 * Completions first: a CQE the program consumed inline may carry the
 * user_data of an SQE it is submitting again now.
 */
void tw_uring_submitting(struct tw_ring *r, const char *call,
			 unsigned int sqe_tail)
{
	__atomic_store_n(&r->entered, 1, __ATOMIC_RELAXED);
	scan_cq(r, call);
	tw_spin_lock(&r->lock);
	record_sqes(r, call, sqe_tail);
	tw_spin_unlock(&r->lock);
}

void tw_uring_reaped(struct tw_ring *r, const char *call, long ret)
{
	scan_cq(r, call);
	tw_inflight_wait(call, TW_ENGINE_URING, (uint64_t)r->fd, ret,
			 ret < 0 ? (int)-ret : 0, 0);
}

void tw_uring_poll(uint64_t ctx)
{
	struct tw_ring *r = ring_by_fd((int)ctx);

	if (r && __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
		scan_cq(r, "cq ring");
	}
}

/*
 * Any traced call may follow a completion the program consumed inline:
 * scanning every ring first keeps the completion ahead of what it caused.
 */
void tw_uring_poll_all(const char *call)
{
	int i;

	for (i = 0; i < TW_MAX_RINGS; i++) {
		struct tw_ring *r = &tw_rings[i];

		if (__atomic_load_n(&r->fd, __ATOMIC_ACQUIRE) >= 0 &&
		    __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
			scan_cq(r, call);
		}
	}
}

void tw_uring_entering(const char *call, int fd)
{
	struct tw_ring *r = ring_by_fd(fd);

	if (r && __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
		tw_uring_submitting(r, call,
				    __atomic_load_n(r->sq_ktail, __ATOMIC_ACQUIRE));
	}
}

void tw_uring_entered(const char *call, int fd, long ret)
{
	struct tw_ring *r = ring_by_fd(fd);

	if (r && __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
		tw_uring_reaped(r, call, ret);
	}
}

void tw_uring_registered(int fd, unsigned int opcode, const void *arg,
			 unsigned int nr, long ret)
{
	struct tw_ring *r = ring_by_fd(fd);
	const int *files = arg;
	unsigned int i;

	if (!r || ret < 0) {
		return;
	}
	tw_spin_lock(&r->lock);
	if (opcode == IORING_REGISTER_FILES && files) {
		r->nfiles = nr < TW_RING_FILES ? (int)nr : TW_RING_FILES;
		for (i = 0; i < (unsigned int)r->nfiles; i++) {
			r->files[i] = files[i];
		}
	} else if (opcode == IORING_UNREGISTER_FILES) {
		r->nfiles = 0;
	}
	tw_spin_unlock(&r->lock);
}

/* liburing registers files by fd too; it knows the ring first. */
void tw_uring_files(struct tw_ring *r, const int *files, unsigned int nr)
{
	tw_uring_registered(r->fd, IORING_REGISTER_FILES, files, nr, 0);
}

/* A fork while another thread held a ring's lock leaves it held in the child. */
void tw_uring_after_fork_child(void)
{
	int i;

	tw_rings_lock = 0;
	for (i = 0; i < TW_MAX_RINGS; i++) {
		tw_rings[i].lock = 0;
	}
}

static int inside(const void *p, uintptr_t a, size_t len)
{
	return (uintptr_t)p >= a && (uintptr_t)p < a + len;
}

/* A program that maps its rings itself unmaps them before it closes the fd. */
void tw_uring_unmapping(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	int i;

	for (i = 0; i < TW_MAX_RINGS; i++) {
		struct tw_ring *r = &tw_rings[i];
		int fd = __atomic_load_n(&r->fd, __ATOMIC_ACQUIRE);

		if (fd >= 0 && __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) &&
		    (inside(r->sq_khead, a, len) || inside(r->cq_khead, a, len) ||
		     inside(r->sqes, a, len))) {
			tw_uring_closing(fd);
		}
	}
}

void tw_uring_closing(int fd)
{
	struct tw_ring *r = ring_by_fd(fd);

	if (!r) {
		return;
	}
	if (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE)) {
		scan_cq(r, "close");
	} else if (r->raw) {
		__atomic_sub_fetch(&tw_uring_raw_rings, 1, __ATOMIC_RELAXED);
	}
	tw_inflight_drop_ctx("close", TW_ENGINE_URING, (uint64_t)fd);
	tw_spin_lock(&tw_rings_lock);
	__atomic_store_n(&r->fd, -1, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&tw_uring_rings, 1, __ATOMIC_RELAXED);
	tw_spin_unlock(&tw_rings_lock);
}
