/* SPDX-License-Identifier: MIT */
/*
 * liburing's exported functions. liburing enters the kernel with its own
 * syscall instructions, so these are the only doors: every submit form,
 * every wait and peek that is not inline, queue exit, file registration and
 * the raw setup/enter/register wrappers of liburing 2.3. Each returns what
 * liburing returned (a negative errno on failure) with errno kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include "core.h"
#include "engines.h"
#include "uring.h"

/*
 * Enters the guard. Submitting calls hand the kernel every SQE up to
 * liburing's own tail; the others only what was flushed already.
 */
static struct tw_ring *uring_before(struct io_uring *ring, const char *call,
				    int submits, const void *caller)
{
	struct tw_ring *r;

	if (!tw_watch(caller) || !ring) {
		return NULL;
	}
	r = tw_ring_of(ring);
	if (r) {
		tw_uring_submitting(r, call, submits ? ring->sq.sqe_tail :
					     __atomic_load_n(ring->sq.ktail,
							     __ATOMIC_ACQUIRE));
	}
	return r;
}

static void uring_after(struct tw_ring *r, const char *call, long ret,
			int saved)
{
	if (r) {
		tw_uring_reaped(r, call, ret);
	}
	tw_leave();
	errno = saved;
}

/* One shape for the calls on a ring: name, submits, parameters, arguments. */
#define TW_RING_HOOK(ret_t, name, submits, params, args)			\
TW_EXPORT ret_t name params							\
{										\
	int saved = errno;							\
	struct tw_ring *r;							\
	ret_t ret;								\
										\
	if (!TW_REAL(name)) {							\
		return (ret_t)-ENOSYS;						\
	}									\
	r = uring_before(ring, #name, submits, TW_CALLER());			\
	ret = tw_real_##name args;						\
	uring_after(r, #name, (long)ret, saved);				\
	return ret;								\
}

TW_RING_HOOK(int, io_uring_submit, 1, (struct io_uring *ring), (ring))
TW_RING_HOOK(int, io_uring_submit_and_wait, 1,
	     (struct io_uring *ring, unsigned int wait_nr), (ring, wait_nr))
TW_RING_HOOK(int, io_uring_submit_and_wait_timeout, 1,
	     (struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
	      unsigned int wait_nr, struct __kernel_timespec *ts,
	      sigset_t *sigmask),
	     (ring, cqe_ptr, wait_nr, ts, sigmask))
TW_RING_HOOK(int, io_uring_submit_and_get_events, 1, (struct io_uring *ring),
	     (ring))
TW_RING_HOOK(int, io_uring_get_events, 0, (struct io_uring *ring), (ring))
TW_RING_HOOK(int, io_uring_wait_cqes, 1,
	     (struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
	      unsigned int wait_nr, struct __kernel_timespec *ts,
	      sigset_t *sigmask),
	     (ring, cqe_ptr, wait_nr, ts, sigmask))
TW_RING_HOOK(int, io_uring_wait_cqe_timeout, 1,
	     (struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
	      struct __kernel_timespec *ts),
	     (ring, cqe_ptr, ts))
TW_RING_HOOK(int, __io_uring_get_cqe, 0,
	     (struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
	      unsigned int submit, unsigned int wait_nr, sigset_t *sigmask),
	     (ring, cqe_ptr, submit, wait_nr, sigmask))

/* Returns a count, never an error: not a wait that can fail. */
TW_EXPORT unsigned int io_uring_peek_batch_cqe(struct io_uring *ring,
					       struct io_uring_cqe **cqes,
					       unsigned int count)
{
	int saved = errno;
	struct tw_ring *r;
	unsigned int ret;

	if (!TW_REAL(io_uring_peek_batch_cqe)) {
		return 0;
	}
	r = uring_before(ring, "io_uring_peek_batch_cqe", 0, TW_CALLER());
	ret = tw_real_io_uring_peek_batch_cqe(ring, cqes, count);
	uring_after(r, "io_uring_peek_batch_cqe", 0, saved);
	return ret;
}

/* The ring's memory is gone after the real call: scan and forget it before. */
TW_EXPORT void io_uring_queue_exit(struct io_uring *ring)
{
	int saved = errno;

	if (!TW_REAL(io_uring_queue_exit)) {
		return;
	}
	if (tw_watch(TW_CALLER()) && ring) {
		tw_uring_closing(ring->ring_fd);
	}
	errno = saved;
	tw_real_io_uring_queue_exit(ring);
	tw_leave();
	errno = saved;
}

TW_EXPORT int io_uring_register_files(struct io_uring *ring, const int *files,
				      unsigned int nr_files)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_register_files)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	ret = tw_real_io_uring_register_files(ring, files, nr_files);
	if (watch && ret == 0 && ring) {
		struct tw_ring *r = tw_ring_of(ring);

		if (r) {
			tw_uring_files(r, files, nr_files);
		}
	}
	tw_leave();
	errno = saved;
	return ret;
}

TW_EXPORT int io_uring_unregister_files(struct io_uring *ring)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_unregister_files)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	ret = tw_real_io_uring_unregister_files(ring);
	if (watch && ring) {
		tw_uring_registered(ring->ring_fd, IORING_UNREGISTER_FILES, NULL,
				    0, ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}

TW_EXPORT int io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_setup)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	ret = tw_real_io_uring_setup(entries, p);
	if (watch && ret >= 0 && p) {
		tw_uring_setup_done(ret, p);
	}
	tw_leave();
	errno = saved;
	return ret;
}

static int enter_before(unsigned int fd, const char *call, const void *caller)
{
	int watch = tw_watch(caller);

	if (watch) {
		tw_uring_entering(call, (int)fd);
	}
	return watch;
}

static void enter_after(int watch, unsigned int fd, const char *call, int ret,
			int saved)
{
	if (watch) {
		tw_uring_entered(call, (int)fd, ret);
	}
	tw_leave();
	errno = saved;
}

TW_EXPORT int io_uring_enter(unsigned int fd, unsigned int to_submit,
			     unsigned int min_complete, unsigned int flags,
			     sigset_t *sig)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_enter)) {
		return -ENOSYS;
	}
	watch = enter_before(fd, "io_uring_enter", TW_CALLER());
	ret = tw_real_io_uring_enter(fd, to_submit, min_complete, flags, sig);
	enter_after(watch, fd, "io_uring_enter", ret, saved);
	return ret;
}

TW_EXPORT int io_uring_enter2(unsigned int fd, unsigned int to_submit,
			      unsigned int min_complete, unsigned int flags,
			      sigset_t *sig, size_t sz)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_enter2)) {
		return -ENOSYS;
	}
	watch = enter_before(fd, "io_uring_enter2", TW_CALLER());
	ret = tw_real_io_uring_enter2(fd, to_submit, min_complete, flags, sig,
				      sz);
	enter_after(watch, fd, "io_uring_enter2", ret, saved);
	return ret;
}

TW_EXPORT int io_uring_register(unsigned int fd, unsigned int opcode,
				const void *arg, unsigned int nr_args)
{
	int saved = errno, watch, ret;

	if (!TW_REAL(io_uring_register)) {
		return -ENOSYS;
	}
	watch = tw_watch(TW_CALLER());
	ret = tw_real_io_uring_register(fd, opcode, arg, nr_args);
	if (watch) {
		tw_uring_registered((int)fd, opcode, arg, nr_args, ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}
