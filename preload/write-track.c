/* SPDX-License-Identifier: MIT */
/*
 * Kernel write tracking (write-track.h): one userfaultfd of ours per
 * process, in asynchronous write-protect mode, so a write fault is resolved
 * by the kernel at once and only leaves its mark (the program never waits
 * on us), and /proc/self/pagemap for PAGEMAP_SCAN. Both descriptors are
 * kept high and close-on-exec, and the close hooks never let the program
 * close them (it never had them). A fork child drops its parent's: their
 * registrations do not cross fork, and the child's mappings register again
 * at their first scan.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core.h"
#include "options.h"
#include "uffd-uapi.h"
#include "tracer-fds.h"
#include "write-track.h"

static int tw_uffd = -1;
static int tw_pagemap = -1;
static int32_t tw_track_pid;	/* the process the descriptors belong to */
static int tw_track_state;	/* 0 untried, 1 ready, a negative errno: off */
static int tw_track_lock;

/* TORNWATCH_WRITE_TRACK=0: the hooks alone, as on a kernel without it. */
__attribute__((constructor))
static void tw_track_env(void)
{
	tw_options_init();
	if (!tw_opts.write_track) {
		tw_track_state = -ECANCELED;
	}
}

static long sys(long nr, long a, long b, long c)
{
	long (*real)(long, ...) = TW_REAL(syscall);

	return real ? real(nr, a, b, c) : (errno = ENOSYS, -1);
}

/*
 * The kernel's own pid, not the cached one: a child made by a raw clone
 * or syscall(SYS_fork) runs no atfork handler, and the parent's pagemap
 * descriptor would scan (and protect again) the parent's pages.
 */
static int32_t real_pid(void)
{
	return (int32_t)sys(SYS_getpid, 0, 0, 0);
}

static int ioctl_fd(int fd, unsigned long req, void *arg)
{
	return (int)sys(SYS_ioctl, fd, (long)req, (long)arg);
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		sys(SYS_close, *fd, 0, 0);
		*fd = -1;
	}
}

/* Out of the program's low range: at most 4,096, under its limit. */
static int high(int fd)
{
	return tw_fd_up(fd, 4096, 16);
}

static int open_uffd(void)
{
	struct tw_uffdio_api api = {
		.api = TW_UFFD_API,
		.features = TW_UFFD_FEATURE_WP_ASYNC | TW_UFFD_FEATURE_WP_UNPOPULATED |
			    TW_UFFD_FEATURE_WP_HUGETLBFS_SHMEM,
	};
	int fd = (int)sys(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK |
			  TW_UFFD_USER_MODE_ONLY, 0, 0);

	if (fd < 0) {
		return -errno;
	}
	if (ioctl_fd(fd, TW_UFFDIO_API, &api) != 0) {
		int err = -errno;

		sys(SYS_close, fd, 0, 0);
		return err;
	}
	return high(fd);
}

/* Under the lock: the descriptors of this process, opened once. */
static int setup(void)
{
	int fd;

	/* A raw clone or syscall(SYS_fork) runs no atfork handler. */
	if (tw_track_pid != real_pid()) {
		close_fd(&tw_uffd);
		close_fd(&tw_pagemap);
		tw_track_state = tw_track_state == 1 ? 0 : tw_track_state;
		tw_track_pid = real_pid();
	}
	if (tw_track_state != 0) {
		return tw_track_state > 0 ? 0 : tw_track_state;
	}
	fd = open_uffd();
	if (fd < 0) {
		tw_track_state = fd;
		return fd;
	}
	tw_uffd = fd;
	fd = (int)sys(SYS_openat, AT_FDCWD, (long)"/proc/self/pagemap",
		      O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tw_track_state = -errno;
		close_fd(&tw_uffd);
		return tw_track_state;
	}
	tw_pagemap = high(fd);
	tw_track_state = 1;
	return 0;
}

int tw_track_register(uintptr_t addr, size_t len)
{
	struct tw_uffdio_register reg = {
		.range = { addr, len }, .mode = TW_UFFDIO_REGISTER_MODE_WP,
	};
	struct tw_uffdio_writeprotect wp = {
		.range = { addr, len }, .mode = TW_UFFDIO_WRITEPROTECT_MODE_WP,
	};
	int ret;

	tw_spin_lock(&tw_track_lock);
	ret = setup();
	if (ret == 0 && (ioctl_fd(tw_uffd, TW_UFFDIO_REGISTER, &reg) != 0 ||
			 ioctl_fd(tw_uffd, TW_UFFDIO_WRITEPROTECT, &wp) != 0)) {
		ret = -errno;
	}
	tw_spin_unlock(&tw_track_lock);
	return ret;
}

int tw_track_scan(uintptr_t addr, size_t len,
		  void (*mark)(void *arg, uintptr_t start, uintptr_t end),
		  void *arg)
{
	struct tw_page_region v[32];
	struct tw_pm_scan_arg a = {
		.size = sizeof(a),
		.flags = TW_PM_SCAN_WP_MATCHING | TW_PM_SCAN_CHECK_WPASYNC,
		.start = addr, .end = addr + len,
		.vec = (uint64_t)(uintptr_t)v, .vec_len = 32,
		.category_mask = TW_PAGE_IS_WRITTEN,
		.return_mask = TW_PAGE_IS_WRITTEN,
	};
	int fd = __atomic_load_n(&tw_pagemap, __ATOMIC_ACQUIRE);

	/* A fork child holds its parent's: they describe the parent. */
	if (fd < 0 || tw_track_pid != real_pid() ||
	    __atomic_load_n(&tw_track_state, __ATOMIC_RELAXED) != 1) {
		return -EPERM;
	}
	while (a.start < a.end) {
		int n = ioctl_fd(fd, TW_PAGEMAP_SCAN, &a), i;

		if (n < 0) {
			return -errno;
		}
		for (i = 0; i < n; i++) {
			mark(arg, (uintptr_t)v[i].start, (uintptr_t)v[i].end);
		}
		/* A full vector stops the walk early: go on from there. */
		if (a.walk_end <= a.start) {
			break;
		}
		a.start = a.walk_end;
	}
	return 0;
}

int tw_track_refused(void)
{
	int s = __atomic_load_n(&tw_track_state, __ATOMIC_RELAXED);

	return s < 0 ? s : 0;
}

void tw_track_step_aside(void)
{
	tw_spin_lock(&tw_track_lock);
	/* Closing the last reference unregisters and unprotects it all. */
	close_fd(&tw_uffd);
	close_fd(&tw_pagemap);
	tw_track_state = -EBUSY;
	tw_track_pid = real_pid();
	tw_spin_unlock(&tw_track_lock);
}

void tw_track_after_fork_child(void)
{
	/* The forking thread is the only one left: a holder's lock is void. */
	tw_track_lock = 0;
	close_fd(&tw_uffd);
	close_fd(&tw_pagemap);
	if (tw_track_state == 1) {
		tw_track_state = 0;
	}
	tw_track_pid = 0;
}

int tw_track_owns_fd(int fd)
{
	return fd >= 0 && (fd == __atomic_load_n(&tw_uffd, __ATOMIC_RELAXED) ||
			   fd == __atomic_load_n(&tw_pagemap, __ATOMIC_RELAXED));
}

void tw_track_fd_wanted(int fd)
{
	int *mine;

	if (!tw_track_owns_fd(fd)) {
		return;
	}
	tw_spin_lock(&tw_track_lock);
	mine = fd == tw_uffd ? &tw_uffd : fd == tw_pagemap ? &tw_pagemap : NULL;
	if (mine) {
		int moved = (int)sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, fd + 1);

		sys(SYS_close, fd, 0, 0);
		*mine = moved;
		if (moved < 0 && tw_track_state == 1) {
			close_fd(&tw_uffd);
			close_fd(&tw_pagemap);
			tw_track_state = -EBADF;
		}
	}
	tw_spin_unlock(&tw_track_lock);
}
