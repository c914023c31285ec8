/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include "core.h"
#include "tracer-fds.h"
#include "write-track.h"

/* liblttng-ust-common's fd tracker (what liblttng-ust-fd.so preloads). */
int lttng_ust_safe_close_fd(int fd, int (*close_cb)(int fd));
int lttng_ust_safe_closefrom_fd(int lowfd, int (*close_cb)(int fd));

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
