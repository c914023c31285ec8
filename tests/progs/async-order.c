/* SPDX-License-Identifier: MIT */
/*
 * Async writes whose completions say nothing of the order they landed in.
 * Buffered libaio writes land inside io_submit; the program reaps them
 * later, in whatever order it likes.
 *
 *   async-order reaped FILE  an io_uring write of X linked behind a 100 ms
 *                            timeout, then a libaio write of Y over the same
 *                            range (buffered: it lands inside io_submit).
 *                            X lands last; the program reaps X, then Y. The
 *                            file holds X: the last completion reaped is
 *                            not the data.
 *   async-order killed FILE  a pwrite of O, then a process submits a write
 *                            of K and is killed before reaping it; the
 *                            file holds K.
 *
 * Each ends with a pread checking what the file holds. Exit 0 when the
 * data is right, 1 on a data comparison error, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN 4096

static char want[LEN], got[LEN];

static void die(const char *what)
{
	fprintf(stderr, "async-order: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Submit a write of LEN bytes of c at 0 on a context of its own. */
static io_context_t submit(int fd, struct iocb *cb, char *buf, char c)
{
	struct iocb *list[1] = { cb };
	io_context_t ctx = 0;
	int ret;

	memset(buf, c, LEN);
	if ((ret = io_setup(1, &ctx)) != 0) {
		errno = -ret;
		die("io_setup");
	}
	io_prep_pwrite(cb, fd, buf, LEN, 0);
	if ((ret = io_submit(ctx, 1, list)) != 1) {
		errno = ret < 0 ? -ret : EIO;
		die("io_submit");
	}
	return ctx;
}

static void reap(io_context_t ctx)
{
	struct io_event ev;
	int ret = io_getevents(ctx, 1, 1, &ev, NULL);

	if (ret != 1 || (long)ev.res != LEN) {
		errno = ret < 0 ? -ret : EIO;
		die("io_getevents");
	}
	io_destroy(ctx);
}

static void wait_child(pid_t pid, int sig)
{
	int st;

	if (waitpid(pid, &st, 0) != pid) {
		die("waitpid");
	}
	if (sig ? !WIFSIGNALED(st) || WTERMSIG(st) != sig :
		  !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "async-order: child ended with status %#x\n", st);
		exit(2);
	}
}

static void reaped(int fd)
{
	static char x[LEN], y[LEN];
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct iocb cb;
	io_context_t ctx;
	int i, ret;

	if ((ret = io_uring_queue_init(4, &ring, 0)) != 0) {
		errno = -ret;
		die("io_uring_queue_init");
	}
	memset(x, 'X', LEN);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->flags |= IOSQE_IO_HARDLINK;	/* its -ETIME breaks no hard link */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, fd, x, LEN, 0);
	sqe->user_data = 1;
	if ((ret = io_uring_submit(&ring)) != 2) {
		errno = ret < 0 ? -ret : EIO;
		die("io_uring_submit");
	}
	ctx = submit(fd, &cb, y, 'Y');
	for (i = 0; i < 2; i++) {
		if ((ret = io_uring_wait_cqe(&ring, &cqe)) != 0) {
			errno = -ret;
			die("io_uring_wait_cqe");
		}
		if (cqe->user_data == 1 && cqe->res != LEN) {
			errno = cqe->res < 0 ? -cqe->res : EIO;
			die("io_uring write");
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	reap(ctx);
	memset(want, 'X', LEN);
}

static void killed(int fd)
{
	static char k[LEN];
	pid_t pid;

	memset(want, 'O', LEN);
	if (pwrite(fd, want, LEN, 0) != LEN) {
		die("pwrite");
	}
	pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		struct iocb cb;

		submit(fd, &cb, k, 'K');
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	wait_child(pid, SIGKILL);
	memset(want, 'K', LEN);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3 || (strcmp(argv[1], "reaped") && strcmp(argv[1], "killed"))) {
		fprintf(stderr, "usage: async-order reaped|killed FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		die(argv[2]);
	}
	if (!strcmp(argv[1], "reaped")) {
		reaped(fd);
	} else {
		killed(fd);
	}
	if (pread(fd, got, LEN, 0) != LEN) {
		die("pread");
	}
	if (memcmp(got, want, LEN) != 0) {
		printf("DATA COMPARISON ERROR: the file holds '%c', not '%c'\n",
		       got[0], want[0]);
		return 1;
	}
	return 0;
}
