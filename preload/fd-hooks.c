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
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "core.h"
#include "fdtable.h"
#include "pieces.h"
#include "tracer-fds.h"

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

TW_EXPORT int pipe(int fds[2])
{
	TW_NOSYS_RET(pipe, -1);
	return made_pair(tw_real_pipe(fds), fds);
}

/* lttng-ust's buffers' wakeup pipes (tracer-fds.h). */
TW_EXPORT int pipe2(int fds[2], int flags)
{
	int ret;

	TW_NOSYS_RET(pipe2, -1);
	ret = tw_real_pipe2(fds, flags);
	if (ret == 0 && unlikely(tw_from_tracer(TW_CALLER()))) {
		fds[0] = tw_tracer_fd_up(fds[0]);
		fds[1] = tw_tracer_fd_up(fds[1]);
		return 0;
	}
	return made_pair(ret, fds);
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

/* lttng-ust's sockets to the session daemon (tracer-fds.h). */
TW_EXPORT int socket(int domain, int type, int proto)
{
	int ret, saved;

	TW_NOSYS_RET(socket, -1);
	ret = tw_real_socket(domain, type, proto);
	if (ret >= 0 && unlikely(tw_from_tracer(TW_CALLER()))) {
		return tw_tracer_socket_made(ret);
	}
	saved = errno;
	made_fd(ret);
	errno = saved;
	return ret;
}

TW_MAKER_HOOK(accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TW_MAKER_HOOK(accept4, (int fd, struct sockaddr *a, socklen_t *l, int fl),
	      (fd, a, l, fl))
TW_MAKER_HOOK(memfd_create, (const char *name, unsigned int fl), (name, fl))
TW_MAKER_HOOK(eventfd, (unsigned int v, int fl), (v, fl))
TW_MAKER_HOOK(epoll_create1, (int fl), (fl))
TW_MAKER_HOOK(epoll_create, (int size), (size))
TW_MAKER_HOOK(signalfd, (int fd, const sigset_t *mask, int fl), (fd, mask, fl))
TW_MAKER_HOOK(timerfd_create, (int clock, int fl), (clock, fl))
TW_MAKER_HOOK(inotify_init, (void), ())
TW_MAKER_HOOK(inotify_init1, (int fl), (fl))
TW_MAKER_HOOK(fanotify_init, (unsigned int fl, unsigned int ev), (fl, ev))
TW_MAKER_HOOK(posix_openpt, (int fl), (fl))
TW_MAKER_HOOK(open_by_handle_at, (int mount, struct file_handle *h, int fl),
	      (mount, h, fl))

/* The stream libc just made: reading its number is safe. */
TW_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	FILE *f;
	int saved;

	TW_NOSYS_RET(popen, NULL);
	f = tw_real_popen(cmd, mode);
	saved = errno;
	if (f) {
		made_fd(fileno(f));
	}
	errno = saved;
	return f;
}

TW_EXPORT DIR *opendir(const char *name)
{
	DIR *d;
	int saved;

	TW_NOSYS_RET(opendir, NULL);
	d = tw_real_opendir(name);
	saved = errno;
	if (d) {
		made_fd(dirfd(d));
	}
	errno = saved;
	return d;
}

/*
 * Each descriptor of the SCM_RIGHTS messages in a control buffer; a
 * message cut short (received() copies at most 512 bytes) is read only as
 * far as the buffer goes.
 */
static void each_passed_fd(struct msghdr *h, void (*each)(int *fd))
{
	const unsigned char *end =
		(const unsigned char *)h->msg_control + h->msg_controllen;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		int *fds = (int *)CMSG_DATA(c);
		size_t n, room, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0) || (const unsigned char *)fds > end) {
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		room = (size_t)(end - (const unsigned char *)fds) / sizeof(int);
		if (n > room) {
			n = room;
		}
		for (i = 0; i < n; i++) {
			each(&fds[i]);
		}
	}
}

static void note_passed(int *fd)
{
	made_fd(*fd);
}

/*
 * Descriptors passed over a socket (SCM_RIGHTS): the kernel installed them
 * when the call succeeded, in the control buffer it filled; read through
 * the kernel all the same, into a copy.
 */
static void received(const struct msghdr *m)
{
	struct msghdr h;
	unsigned char ctl[512];

	if (tw_safe_copy(&h, m, sizeof(h)) != 0 || !h.msg_control ||
	    h.msg_controllen == 0) {
		return;
	}
	if (h.msg_controllen > sizeof(ctl)) {
		h.msg_controllen = sizeof(ctl);
	}
	if (tw_safe_copy(ctl, h.msg_control, h.msg_controllen) != 0) {
		return;
	}
	h.msg_control = ctl;
	each_passed_fd(&h, note_passed);
}

static void move_up(int *fd)
{
	*fd = tw_tracer_fd_up(*fd);
}

/*
 * What lttng-ust receives from the session daemon (its buffers' shm and
 * wakeup fds) moved out of the program's low range before lttng-ust reads
 * the numbers from its own control buffer (tracer-fds.h).
 */
static void tracer_received(struct msghdr *m)
{
	each_passed_fd(m, move_up);
}

TW_EXPORT ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t ret;
	int saved;

	TW_NOSYS_RET(recvmsg, -1);
	ret = tw_real_recvmsg(fd, m, flags);
	saved = errno;
	if (ret >= 0 && unlikely(tw_from_tracer(TW_CALLER()))) {
		tracer_received(m);
	} else if (ret >= 0) {
		received(m);
	}
	errno = saved;
	return ret;
}

TW_EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
		       struct timespec *timeout)
{
	int ret, saved, i;

	TW_NOSYS_RET(recvmmsg, -1);
	ret = tw_real_recvmmsg(fd, v, n, flags, timeout);
	saved = errno;
	for (i = 0; i < ret; i++) {
		received(&v[i].msg_hdr);
	}
	errno = saved;
	return ret;
}
