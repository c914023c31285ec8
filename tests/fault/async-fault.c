/* SPDX-License-Identifier: MIT */
/*
 * Test-only preload, loaded after libtornwatch.so, that makes asynchronous
 * I/O misbehave the way the seeds' devices did. It wraps libaio and
 * liburing and forwards to the real functions (dlsym(RTLD_NEXT), looked up
 * on first use), so the tracer's hooks see the program's calls first. It
 * links neither library: a program that does not use one never gets here.
 * Each fault is off unless its variable is set.
 *
 * TW_FAULT_AIO_HOLD=1  A slow device: io_submit remembers the iocbs (up to
 *     64; a batch that does not fit goes to the kernel at once) and
 *     returns nr without submitting them. The first io_getevents or
 *     io_pgetevents after that calls the real one without releasing them,
 *     so it blocks until a signal interrupts it or its timeout expires: an
 *     interrupted wait with the I/O still in flight (seed 001). The next
 *     call submits the held iocbs for real, then waits: the device reads
 *     the buffer only then. io_destroy forgets the held iocbs of its
 *     context. Without a signal or timeout, that first wait blocks for
 *     ever.
 * TW_FAULT_SQE_SHRINK=N  io_uring_submit, io_uring_submit_and_wait and
 *     io_uring_submit_and_get_events cut every pending IORING_OP_READ SQE
 *     longer than N bytes to N before submitting: the kernel really
 *     completes the read short and leaves the rest of the buffer untouched
 *     (seed 004's short O_DIRECT read).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libaio.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HELD 64

#define EXPORT __attribute__((visibility("default")))

static struct {
	pthread_mutex_t lock;
	io_context_t ctx;
	struct iocb *iocbs[MAX_HELD];
	long nr;
	int waited;		/* a wait has already run with these held */
} held = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * Looked up on each function's first use rather than in a constructor: the
 * tracer may call in before our constructor would have run. NULL when the
 * program does not have the library.
 */
static void *real(void **slot, const char *name)
{
	void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

#define REAL(name) ((__typeof__(&name))real(&real_##name, #name))

static void *real_io_submit, *real_io_getevents, *real_io_pgetevents;
static void *real_io_destroy;
static void *real_io_uring_submit, *real_io_uring_submit_and_wait;
static void *real_io_uring_submit_and_get_events;

static int aio_hold(void)
{
	const char *v = getenv("TW_FAULT_AIO_HOLD");

	return v && strcmp(v, "0") != 0;
}

/* libaio reports errors as -errno; the missing library reads as no syscall. */
static int no_real(void)
{
	errno = ENOSYS;
	return -ENOSYS;
}

/* Returns -1 when the batch must go to the kernel at once. */
static int hold(io_context_t ctx, long nr, struct iocb *ios[])
{
	int ret = 0;
	long i;

	pthread_mutex_lock(&held.lock);
	if ((held.nr > 0 && held.ctx != ctx) || nr > MAX_HELD - held.nr) {
		ret = -1;
	} else {
		/* Not memcpy: the tracer before us would record the copy. */
		for (i = 0; i < nr; i++) {
			held.iocbs[held.nr + i] = ios[i];
		}
		held.ctx = ctx;
		held.nr += nr;
		held.waited = 0;
	}
	pthread_mutex_unlock(&held.lock);
	return ret;
}

EXPORT int io_submit(io_context_t ctx, long nr, struct iocb *ios[])
{
	__typeof__(&io_submit) fn = REAL(io_submit);

	if (!fn) {
		return no_real();
	}
	if (nr > 0 && aio_hold() && hold(ctx, nr, ios) == 0) {
		return (int)nr;
	}
	return fn(ctx, nr, ios);
}

/*
 * Called before each wait: the first one after a hold still finds the
 * device busy, a later one finds it done with the iocbs (real io_submit,
 * which the tracer before us does not see a second time). Returns -errno
 * when the real io_submit refuses them, else 0.
 */
static int release(io_context_t ctx)
{
	__typeof__(&io_submit) fn = REAL(io_submit);
	int ret = 0;
	long done = 0;

	pthread_mutex_lock(&held.lock);
	if (held.nr == 0 || held.ctx != ctx) {
		pthread_mutex_unlock(&held.lock);
		return 0;
	}
	if (!held.waited) {
		held.waited = 1;
		pthread_mutex_unlock(&held.lock);
		return 0;
	}
	while (done < held.nr) {
		ret = fn(ctx, held.nr - done, &held.iocbs[done]);
		if (ret <= 0) {
			break;
		}
		done += ret;
	}
	held.nr = 0;
	pthread_mutex_unlock(&held.lock);
	return ret < 0 ? ret : 0;
}

EXPORT int io_getevents(io_context_t ctx, long min_nr, long nr,
			struct io_event *events, struct timespec *timeout)
{
	__typeof__(&io_getevents) fn = REAL(io_getevents);
	int ret;

	if (!fn) {
		return no_real();
	}
	ret = release(ctx);
	if (ret < 0) {
		errno = -ret;
		return ret;
	}
	return fn(ctx, min_nr, nr, events, timeout);
}

EXPORT int io_pgetevents(io_context_t ctx, long min_nr, long nr,
			 struct io_event *events, struct timespec *timeout,
			 sigset_t *sigmask)
{
	__typeof__(&io_pgetevents) fn = REAL(io_pgetevents);
	int ret;

	if (!fn) {
		return no_real();
	}
	ret = release(ctx);
	if (ret < 0) {
		errno = -ret;
		return ret;
	}
	return fn(ctx, min_nr, nr, events, timeout, sigmask);
}

EXPORT int io_destroy(io_context_t ctx)
{
	__typeof__(&io_destroy) fn = REAL(io_destroy);

	if (!fn) {
		return no_real();
	}
	pthread_mutex_lock(&held.lock);
	if (held.ctx == ctx) {
		held.nr = 0;
	}
	pthread_mutex_unlock(&held.lock);
	return fn(ctx);
}

static void shrink_reads(struct io_uring *ring)
{
	const char *v = getenv("TW_FAULT_SQE_SHRINK");
	struct io_uring_sq *sq = &ring->sq;
	unsigned shift = (ring->flags & IORING_SETUP_SQE128) ? 1 : 0;
	unsigned long max;
	unsigned idx;

	if (!v) {
		return;
	}
	max = strtoul(v, NULL, 10);
	/* From sqe_head to sqe_tail: prepared, not yet given to the kernel. */
	for (idx = sq->sqe_head; idx != sq->sqe_tail; idx++) {
		struct io_uring_sqe *sqe =
			&sq->sqes[(idx & *sq->kring_mask) << shift];

		if (sqe->opcode == IORING_OP_READ && sqe->len > max) {
			sqe->len = (__u32)max;
		}
	}
}

EXPORT int io_uring_submit(struct io_uring *ring)
{
	__typeof__(&io_uring_submit) fn = REAL(io_uring_submit);

	if (!fn) {
		return no_real();
	}
	shrink_reads(ring);
	return fn(ring);
}

EXPORT int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	__typeof__(&io_uring_submit_and_wait) fn =
		REAL(io_uring_submit_and_wait);

	if (!fn) {
		return no_real();
	}
	shrink_reads(ring);
	return fn(ring, wait_nr);
}

EXPORT int io_uring_submit_and_get_events(struct io_uring *ring)
{
	__typeof__(&io_uring_submit_and_get_events) fn =
		REAL(io_uring_submit_and_get_events);

	if (!fn) {
		return no_real();
	}
	shrink_reads(ring);
	return fn(ring);
}
