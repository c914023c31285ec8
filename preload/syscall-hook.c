/* SPDX-License-Identifier: MIT */
/*
 * libc's syscall(): programs that drive libaio's or io_uring's system calls
 * themselves (fio's io_uring setup and registration, test programs) pass
 * here, and so do the calls on file data below. Any other number goes
 * straight on. syscall() returns -1 and sets
 * errno; the engines want the kernel's negative errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "core.h"
#include "engines.h"
#include "fdtable.h"
#include "pieces.h"
#include "write-track.h"

/* Raw calls that return a new descriptor, whose number the fd table forgets. */
static int fd_maker_nr(long nr)
{
	switch (nr) {
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
	case SYS_fcntl:
	case SYS_socket:
	case SYS_accept:
	case SYS_accept4:
	case SYS_eventfd2:
	case SYS_memfd_create:
	case SYS_epoll_create1:
	case SYS_signalfd4:
	case SYS_timerfd_create:
	case SYS_inotify_init1:
	case SYS_pidfd_open:
	case SYS_openat2:
	case SYS_open_by_handle_at:
	case SYS_pipe2:
	case SYS_socketpair:
		return 1;
	default:
		return 0;
	}
}

/* After a raw descriptor maker: its numbers name something new. */
static long made_raw(long nr, const long *a, long ret)
{
	int saved = errno, two[2];

	if (ret < 0) {
		return ret;
	}
	if (nr == SYS_fcntl) {
		if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) {
			tw_fd_forget((int)ret);
		}
	} else if (nr == SYS_pipe2 || nr == SYS_socketpair) {
		if (tw_safe_copy(two, (const void *)a[nr == SYS_pipe2 ? 0 : 3],
				 sizeof(two)) == 0) {
			tw_fd_forget(two[0]);
			tw_fd_forget(two[1]);
		}
	} else {
		tw_fd_forget((int)ret);
	}
	errno = saved;
	return ret;
}

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

/*
 * Calls that change or read file data, entered raw (fsx and fsstress copy
 * this way; other programs write, map or allocate so): recorded like their
 * libc forms by calling those hooks, which enter the same system call and
 * return -1 with errno as syscall() does. On x86_64 a positional vector
 * call's offset is its low word alone.
 */
static int libc_form(long nr)
{
	switch (nr) {
	case SYS_copy_file_range:
	case SYS_read:
	case SYS_write:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_readv:
	case SYS_writev:
	case SYS_preadv:
	case SYS_pwritev:
	case SYS_preadv2:
	case SYS_pwritev2:
	case SYS_mmap:
	case SYS_munmap:
	case SYS_msync:
	case SYS_ftruncate:
	case SYS_fallocate:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_open:
	case SYS_openat:
	case SYS_close:
	case SYS_close_range:
	case SYS_unlink:
	case SYS_unlinkat:
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
	case SYS_madvise:
	case SYS_process_vm_writev:
		return 1;
	default:
		return 0;
	}
}

static long as_libc(long nr, const long *a)
{
	const struct iovec *v = (const struct iovec *)a[1];
	int fd = (int)a[0];

	switch (nr) {
	case SYS_copy_file_range:
		return copy_file_range(fd, (off_t *)a[1], (int)a[2],
				       (off_t *)a[3], (size_t)a[4],
				       (unsigned int)a[5]);
	case SYS_read:
		return read(fd, (void *)a[1], (size_t)a[2]);
	case SYS_write:
		return write(fd, (const void *)a[1], (size_t)a[2]);
	case SYS_pread64:
		return pread(fd, (void *)a[1], (size_t)a[2], (off_t)a[3]);
	case SYS_pwrite64:
		return pwrite(fd, (const void *)a[1], (size_t)a[2], (off_t)a[3]);
	case SYS_readv:
		return readv(fd, v, (int)a[2]);
	case SYS_writev:
		return writev(fd, v, (int)a[2]);
	case SYS_preadv:
		return preadv(fd, v, (int)a[2], (off_t)a[3]);
	case SYS_pwritev:
		return pwritev(fd, v, (int)a[2], (off_t)a[3]);
	case SYS_preadv2:
		return preadv2(fd, v, (int)a[2], (off_t)a[3], (int)a[5]);
	case SYS_pwritev2:
		return pwritev2(fd, v, (int)a[2], (off_t)a[3], (int)a[5]);
	case SYS_mmap: {
		void *p = mmap((void *)a[0], (size_t)a[1], (int)a[2],
			       (int)a[3], (int)a[4], (off_t)a[5]);

		return p == MAP_FAILED ? -1 : (long)p;
	}
	case SYS_munmap:
		return munmap((void *)a[0], (size_t)a[1]);
	case SYS_msync:
		return msync((void *)a[0], (size_t)a[1], (int)a[2]);
	case SYS_ftruncate:
		return ftruncate(fd, (off_t)a[1]);
	case SYS_fallocate:
		return fallocate(fd, (int)a[1], (off_t)a[2], (off_t)a[3]);
	case SYS_fsync:
		return fsync(fd);
	case SYS_fdatasync:
		return fdatasync(fd);
	case SYS_open:
		return open((const char *)a[0], (int)a[1], (mode_t)a[2]);
	case SYS_openat:
		return openat(fd, (const char *)a[1], (int)a[2], (mode_t)a[3]);
	case SYS_close_range:
		return close_range((unsigned int)a[0], (unsigned int)a[1], (int)a[2]);
	case SYS_madvise:
		return madvise((void *)a[0], (size_t)a[1], (int)a[2]);
	case SYS_process_vm_writev:
		return process_vm_writev((pid_t)a[0], (const struct iovec *)a[1],
					 (unsigned long)a[2],
					 (const struct iovec *)a[3],
					 (unsigned long)a[4], (unsigned long)a[5]);
	case SYS_unlink:
		return unlink((const char *)a[0]);
	case SYS_unlinkat:
		return unlinkat(fd, (const char *)a[1], (int)a[2]);
	case SYS_rename:
		return rename((const char *)a[0], (const char *)a[1]);
	case SYS_renameat:
		return renameat(fd, (const char *)a[1], (int)a[2],
				(const char *)a[3]);
	case SYS_renameat2:
		return renameat2(fd, (const char *)a[1], (int)a[2],
				 (const char *)a[3], (unsigned int)a[4]);
	default:
		return close(fd);
	}
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
	if (unlikely(libc_form(nr)) && !tw_from_tracer(TW_CALLER())) {
		return as_libc(nr, a);
	}
	/* The program's own userfaultfd must never meet our registrations. */
	if (unlikely(nr == SYS_userfaultfd) && !tw_from_tracer(TW_CALLER())) {
		tw_track_step_aside();
	}
	if (unlikely(fd_maker_nr(nr))) {
		return made_raw(nr, a, tw_real_syscall(nr, a[0], a[1], a[2], a[3],
						       a[4], a[5]));
	}
	if (likely(!async_nr(nr))) {
		return tw_real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return slow_syscall(nr, a, TW_CALLER());
}
