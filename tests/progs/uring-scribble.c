/* SPDX-License-Identifier: MIT */
/*
 * Seed 002's user-space twin: a program that scribbles into an io_uring
 * write buffer before reaping the write's CQE. The kernel reads the buffer
 * whenever it issues the write, so the file may get the scribble.
 *
 *   uring-scribble healthy FILE    reap both CQEs, then scribble (legal)
 *   uring-scribble scribble FILE   scribble while the write is in flight
 *
 * The in-flight window is made deterministic by the kernel itself: the
 * write is linked (IOSQE_IO_LINK) behind a one-byte read of an empty pipe,
 * so it cannot start before the program writes to the pipe.
 *
 * Exit 0 when the file holds what was written, 1 on a data comparison error
 * or unexpected result, 2 on a usage or system error, 77 when io_uring is
 * unavailable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE	8192
#define HALF		(BUF_SIZE / 2)

/* Called through a pointer: real memset calls, which the tracer sees. */
static void *(*volatile fill)(void *, int, size_t) = memset;

/* The pipe read's target: must outlive the submission. */
static char gate_byte;

static void die(const char *what)
{
	fprintf(stderr, "uring-scribble: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void init_ring(struct io_uring *ring)
{
	int ret = io_uring_queue_init(4, ring, 0);

	if (ret < 0) {
		printf("io_uring unavailable: %s\n", strerror(-ret));
		exit(77);
	}
}

static struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		fprintf(stderr, "uring-scribble: no free SQE\n");
		exit(2);
	}
	return sqe;
}

/* The write waits for the pipe read it is linked to. */
static void submit_gated_write(struct io_uring *ring, int gate, int fd,
			       void *buf)
{
	struct io_uring_sqe *sqe;
	int ret;

	sqe = get_sqe(ring);
	io_uring_prep_read(sqe, gate, &gate_byte, 1, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = get_sqe(ring);
	io_uring_prep_write(sqe, fd, buf, BUF_SIZE, 0);
	sqe->user_data = 2;
	ret = io_uring_submit(ring);
	if (ret != 2) {
		errno = ret < 0 ? -ret : EIO;
		die("io_uring_submit");
	}
}

static void open_gate(int gate_wr)
{
	if (write(gate_wr, "x", 1) != 1) {
		die("write to pipe");
	}
}

static void reap(struct io_uring *ring, int n)
{
	struct io_uring_cqe *cqe;
	int ret;

	while (n-- > 0) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0) {
			errno = -ret;
			die("io_uring_wait_cqe");
		}
		printf("cqe user_data %llu res %d\n",
		       (unsigned long long)cqe->user_data, cqe->res);
		io_uring_cqe_seen(ring, cqe);
	}
}

static int verify(int fd)
{
	unsigned char got[BUF_SIZE];
	ssize_t n = pread(fd, got, BUF_SIZE, 0);
	ssize_t i;

	if (n < 0) {
		die("pread");
	}
	if (n != BUF_SIZE) {
		printf("SHORT READ: %zd of %d bytes at offset 0\n", n,
		       BUF_SIZE);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (got[i] != 'A') {
			printf("DATA COMPARISON ERROR at offset %zd: expected 'A', found '%c'\n",
			       i, got[i]);
			return 1;
		}
	}
	return 0;
}

static int run(int scribble, const char *path)
{
	struct io_uring ring;
	int gate[2], fd, ret;
	char *buf;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		die(path);
	}
	if (pipe(gate) != 0) {
		die("pipe");
	}
	ret = posix_memalign((void **)&buf, 4096, BUF_SIZE);
	if (ret) {
		errno = ret;
		die("posix_memalign");
	}
	fill(buf, 'A', BUF_SIZE);
	init_ring(&ring);
	submit_gated_write(&ring, gate[0], fd, buf);
	if (scribble) {
		fill(buf + HALF, 'X', HALF);
		open_gate(gate[1]);
		reap(&ring, 2);
	} else {
		open_gate(gate[1]);
		reap(&ring, 2);
		fill(buf + HALF, 'X', HALF);
	}
	ret = verify(fd);
	io_uring_queue_exit(&ring);
	free(buf);
	close(gate[0]);
	close(gate[1]);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "healthy") != 0 &&
			  strcmp(argv[1], "scribble") != 0)) {
		fprintf(stderr,
			"usage: uring-scribble healthy|scribble FILE\n");
		return 2;
	}
	return run(strcmp(argv[1], "scribble") == 0, argv[2]);
}
