/* SPDX-License-Identifier: MIT */
/*
 * Asynchronous I/O the kernel still owns: one entry per iocb or SQE from its
 * submission until the tracer sees its completion. Shared by the libaio and
 * io_uring hooks (who submit and complete) and by the memcpy family, free,
 * realloc and munmap (who may touch a buffer the kernel still reads or fills).
 */
#ifndef TW_INFLIGHT_H
#define TW_INFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "tornwatch-events.h"

#define TW_INFLIGHT_MAX 4096
#define TW_INFLIGHT_SEGS 8	/* iovec entries kept per I/O */
#define TW_TOUCH_MAX 8		/* I/Os one store or free reports */

/* Address bounds of every in-flight buffer: the memcpy family's only test. */
extern uintptr_t tw_inflight_lo;
extern uintptr_t tw_inflight_hi;

static inline int tw_inflight_maybe(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return a < __atomic_load_n(&tw_inflight_hi, __ATOMIC_RELAXED) &&
	       a + n > __atomic_load_n(&tw_inflight_lo, __ATOMIC_RELAXED);
}

struct tw_io_key {
	int engine;
	uint64_t ctx;
	uint64_t id;
};

/* What one submission asks of the kernel, before the file is looked at. */
struct tw_io_req {
	const char *call;
	int engine;
	int opcode;		/* the engine's own */
	int op;			/* enum tw_op: READ, WRITE, FSYNC, OTHER */
	uint64_t ctx;
	uint64_t id;
	int fd;
	int64_t offset;		/* -1: the file position */
	const struct iovec *seg;
	int nseg;
};

/*
 * Records a submission on a regular file and, for writes, the checksums of
 * the data as submitted. Anything else is not recorded. Depth 1 only.
 */
void tw_inflight_submit(const struct tw_io_req *q);

/*
 * The completion of key as seen by call; seen (enum tw_seen) says whether
 * its buffer still is evidence.
 */
void tw_inflight_complete(const char *call, const struct tw_io_key *key,
			  int64_t res, int64_t res2, int seen);

/* I/Os of this context still in flight. */
unsigned int tw_inflight_count(int engine, uint64_t ctx);

/* Records a wait that returned while I/O of ctx stayed in flight. */
void tw_inflight_wait(const char *call, int engine, uint64_t ctx, int64_t ret,
		      int err, int short_count);

/* Completions a ring lost before the tracer could read them. */
void tw_inflight_missed(const char *call, int engine, uint64_t ctx,
			uint64_t missed);

/* Forgets every I/O of ctx: it was destroyed with them in flight. */
void tw_inflight_drop_ctx(const char *call, int engine, uint64_t ctx);

/*
 * Before the program stores into, frees or unmaps [addr, addr+len): each I/O
 * still in flight on it is recorded; keys[] gets the writes whose buffer
 * content must be checksummed again once the store is done. Depth 1 only.
 */
int tw_inflight_touch(const char *call, const void *addr, size_t len,
		      int released, struct tw_io_key *keys, int max);
void tw_inflight_after_store(const struct tw_io_key *keys, int n);

/* The child of fork owns none of its parent's I/O. */
void tw_inflight_forget_all(void);

/* Engines: look for a completion the kernel posted but nobody reaped yet. */
void tw_aio_poll(uint64_t ctx);
void tw_uring_poll(uint64_t ctx);

#endif
