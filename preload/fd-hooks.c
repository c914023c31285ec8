/* SPDX-License-Identifier: MIT */
/*
 * Descriptors made by calls no open hook sees. libc closes inside itself
 * (fclose), so a number the fd table still names a file for can come back
 * from fopen, pipe or socket: each such call makes the table forget the
 * numbers it returned, or a write there would be taken for one to the old
 * file. Nothing is recorded; the real call's result and errno are kept.
 * The stdio makers (fopen, tmpfile...) are in stdio-hooks.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core.h"
#include "fdtable.h"

static void made_fd(int fd)
{
	if (fd >= 0) {
		tw_fd_forget(fd);
	}
}

/* A pair written by the kernel only when the call succeeded. */
static int made_pair(int ret, const int *fds)
{
	if (ret == 0) {
		made_fd(fds[0]);
		made_fd(fds[1]);
	}
	return ret;
}

#define TW_NOSYS_RET(name, fail)						\
	do {									\
		if (unlikely(!TW_REAL(name))) {					\
			errno = ENOSYS;						\
			return fail;						\
		}								\
	} while (0)

TW_EXPORT int pipe(int fds[2])
{
	TW_NOSYS_RET(pipe, -1);
	return made_pair(tw_real_pipe(fds), fds);
}

TW_EXPORT int pipe2(int fds[2], int flags)
{
	TW_NOSYS_RET(pipe2, -1);
	return made_pair(tw_real_pipe2(fds, flags), fds);
}

TW_EXPORT int socketpair(int domain, int type, int proto, int fds[2])
{
	TW_NOSYS_RET(socketpair, -1);
	return made_pair(tw_real_socketpair(domain, type, proto, fds), fds);
}

/* One descriptor returned: forget its number, keep errno. */
#define TW_MAKER_HOOK(name, params, args)					\
TW_EXPORT int name params							\
{										\
	int ret, saved;								\
										\
	TW_NOSYS_RET(name, -1);							\
	ret = tw_real_##name args;						\
	saved = errno;								\
	made_fd(ret);								\
	errno = saved;								\
	return ret;								\
}

TW_MAKER_HOOK(socket, (int domain, int type, int proto), (domain, type, proto))
TW_MAKER_HOOK(accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TW_MAKER_HOOK(accept4, (int fd, struct sockaddr *a, socklen_t *l, int fl),
	      (fd, a, l, fl))
TW_MAKER_HOOK(memfd_create, (const char *name, unsigned int fl), (name, fl))
TW_MAKER_HOOK(eventfd, (unsigned int v, int fl), (v, fl))
TW_MAKER_HOOK(epoll_create1, (int fl), (fl))
