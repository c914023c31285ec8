/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "core.h"
#include "tracer-fds.h"
#include "write-track.h"

/* liblttng-ust-common's fd tracker (what liblttng-ust-fd.so preloads). */
int lttng_ust_safe_close_fd(int fd, int (*close_cb)(int fd));
int lttng_ust_safe_closefrom_fd(int lowfd, int (*close_cb)(int fd));

static long sys(long nr, long a, long b, long c)
{
	long (*real)(long, ...) = TW_REAL(syscall);

	return real ? real(nr, a, b, c) : (errno = ENOSYS, -1);
}

int tw_fd_up(int fd, long want, long spare)
{
	struct rlimit rl;
	int moved, flags, saved = errno;

	if (fd < 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		errno = saved;
		return fd;
	}
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur - spare < want) {
		want = (long)rl.rlim_cur - spare;
	}
	flags = want > fd ? (int)sys(SYS_fcntl, fd, F_GETFD, 0) : -1;
	moved = flags < 0 ? -1 : (int)sys(SYS_fcntl, fd, flags & FD_CLOEXEC ?
					  F_DUPFD_CLOEXEC : F_DUPFD, want);
	if (moved >= 0) {
		sys(SYS_close, fd, 0, 0);
		fd = moved;
	}
	errno = saved;
	return fd;
}

int tw_tracer_fd_up(int fd)
{
	return tw_fd_up(fd, TW_TRACER_FD_FROM, TW_TRACER_FD_SPARE);
}

/* The last sockets lttng-ust made, each with its inode, for a fork child. */
#define TW_TRACER_SOCKS 8
static struct {
	int fd;
	ino_t ino;
} tw_socks[TW_TRACER_SOCKS];
static unsigned int tw_nsocks;

int tw_tracer_socket_made(int fd)
{
	struct stat st;
	unsigned int k;
	int saved = errno;

	fd = tw_tracer_fd_up(fd);
	if (fstat(fd, &st) == 0) {
		/* lttng-ust's two listener threads may connect at once. */
		k = __atomic_fetch_add(&tw_nsocks, 1, __ATOMIC_RELAXED) % TW_TRACER_SOCKS;
		tw_socks[k].fd = -1;
		tw_socks[k].ino = st.st_ino;
		__atomic_store_n(&tw_socks[k].fd, fd, __ATOMIC_RELEASE);
	}
	errno = saved;
	return fd;
}

void tw_tracer_sockets_drop(void)
{
	unsigned int k, n = __atomic_load_n(&tw_nsocks, __ATOMIC_ACQUIRE);
	int null = -1, saved = errno;
	struct stat st;

	for (k = 0; k < n && k < TW_TRACER_SOCKS; k++) {
		int fd = __atomic_load_n(&tw_socks[k].fd, __ATOMIC_ACQUIRE);

		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
		    st.st_ino != tw_socks[k].ino) {
			continue;
		}
		if (null < 0) {
			null = (int)sys(SYS_open, (long)"/dev/null", O_RDWR | O_CLOEXEC, 0);
		}
		if (null >= 0) {
			sys(SYS_dup3, null, fd, O_CLOEXEC);
		}
	}
	if (null >= 0) {
		sys(SYS_close, null, 0, 0);
	}
	errno = saved;
}

static int real_close(int fd)
{
	int (*real)(int) = TW_REAL(close);

	if (tw_track_owns_fd(fd)) {
		errno = EBADF;
		return -1;
	}
	return real ? real(fd) : (errno = ENOSYS, -1);
}

int tw_close_guarded(int fd)
{
	return lttng_ust_safe_close_fd(fd, real_close);
}

static unsigned int tw_range_last;

/* For each number lttng-ust does not own, from the first on. */
static int close_in_range(int fd)
{
	if ((unsigned int)fd <= tw_range_last) {
		int saved = errno;

		real_close(fd);
		errno = saved;
	}
	return 0;
}

int tw_close_range_guarded(unsigned int first, unsigned int last, int flags)
{
	static int lock;
	int ret;

	/* Marking them close-on-exec takes nothing from the tracer. */
	if (flags & CLOSE_RANGE_CLOEXEC) {
		return tw_real_close_range(first, last, flags);
	}
	if ((flags & CLOSE_RANGE_UNSHARE) && unshare(CLONE_FILES) != 0) {
		return -1;
	}
	if (first > last || first > (unsigned int)INT32_MAX) {
		errno = EINVAL;
		return first > last ? -1 : 0;
	}
	tw_spin_lock(&lock);
	tw_range_last = last;
	ret = lttng_ust_safe_closefrom_fd((int)first, close_in_range);
	tw_spin_unlock(&lock);
	return ret < 0 ? -1 : 0;
}
