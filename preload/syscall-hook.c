/* SPDX-License-Identifier: MIT */
/*
 * libc's syscall(): programs that drive libaio's or io_uring's system calls
 * themselves (fio's io_uring setup and registration, test programs) pass
 * here, and so does copy_file_range (fsx, fsstress). Any other number goes
 * straight on. syscall() returns -1 and sets
 * errno; the engines want the kernel's negative errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core.h"
#include "engines.h"

static int async_nr(long nr)
{
	switch (nr) {
	case SYS_io_setup:
	case SYS_io_destroy:
	case SYS_io_submit:
	case SYS_io_cancel:
	case SYS_io_getevents:
	case SYS_io_pgetevents:
	case SYS_io_uring_setup:
	case SYS_io_uring_enter:
	case SYS_io_uring_register:
		return 1;
	default:
		return 0;
	}
}

static void before(long nr, const long *a)
{
	switch (nr) {
	case SYS_io_submit:
		tw_aio_submitting("syscall(io_submit)", (uint64_t)a[0], a[1],
				  (struct iocb **)a[2]);
		break;
	case SYS_io_destroy:
		tw_aio_destroying("syscall(io_destroy)", (uint64_t)a[0]);
		break;
	case SYS_io_uring_enter:
		tw_uring_entering("syscall(io_uring_enter)", (int)a[0]);
		break;
	default:
		break;
	}
}

static void after(long nr, const long *a, long kret)
{
	switch (nr) {
	case SYS_io_submit:
		tw_aio_submitted("syscall(io_submit)", (uint64_t)a[0], a[1],
				 (struct iocb **)a[2], kret);
		break;
	case SYS_io_getevents:
	case SYS_io_pgetevents:
		tw_aio_reaped(nr == SYS_io_getevents ? "syscall(io_getevents)" :
						       "syscall(io_pgetevents)",
			      (uint64_t)a[0], a[1], kret,
			      (const struct io_event *)a[3]);
		break;
	case SYS_io_cancel:
		tw_aio_cancelled("syscall(io_cancel)", (uint64_t)a[0],
				 (const struct iocb *)a[1], kret,
				 (const struct io_event *)a[2]);
		break;
	case SYS_io_uring_setup:
		if (kret >= 0 && a[1]) {
			tw_uring_setup_done((int)kret, (const void *)a[1]);
		}
		break;
	case SYS_io_uring_enter:
		tw_uring_entered("syscall(io_uring_enter)", (int)a[0], kret);
		break;
	case SYS_io_uring_register:
		tw_uring_registered((int)a[0], (unsigned int)a[1],
				    (const void *)a[2], (unsigned int)a[3], kret);
		break;
	default:
		break;
	}
}

static __attribute__((noinline)) long slow_syscall(long nr, const long *a,
						  const void *caller)
{
	int watch = tw_watch(caller);
	int saved = errno;
	long ret;

	if (watch) {
		before(nr, a);
	}
	errno = saved;
	ret = tw_real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	saved = errno;
	/*
	 * Whether traced or not: a ring is read only once io_setup made it.
	 * On success the kernel wrote the context through a[1].
	 */
	if (nr == SYS_io_setup && ret == 0 && a[1]) {
		tw_aio_context_made((uint64_t)*(const unsigned long *)a[1]);
	} else if (nr == SYS_io_destroy) {
		tw_aio_destroyed((uint64_t)a[0], ret < 0 ? -saved : ret);
	}
	if (watch) {
		after(nr, a, ret < 0 ? -saved : ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}

/* Reads six arguments whatever the call takes, as glibc's own syscall() does. */
TW_EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++) {
		a[i] = va_arg(ap, long);
	}
	va_end(ap);
	if (!TW_REAL(syscall)) {
		errno = ENOSYS;
		return -1;
	}
	/* fsx and fsstress copy this way: the hook records what it writes. */
	if (nr == SYS_copy_file_range) {
		return copy_file_range((int)a[0], (off_t *)a[1], (int)a[2],
				       (off_t *)a[3], (size_t)a[4],
				       (unsigned int)a[5]);
	}
	if (likely(!async_nr(nr))) {
		return tw_real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return slow_syscall(nr, a, TW_CALLER());
}
