/* SPDX-License-Identifier: MIT */
/*
 * Seed 004: an io_uring O_DIRECT read of a whole 8 KiB file that completes
 * short. The file is two separately written and synced 4 KiB extents, and
 * the buffer is an anonymous mapping of which only the first page was ever
 * touched, as MariaDB's was: a short completion leaves the second page
 * zero, which the program must notice from the CQE rather than trust.
 *
 *   uring-short-read FILE
 *
 * TW_FAULT_SQE_SHRINK=4096 with bin/async-fault.so preloaded makes the
 * kernel complete the read short.
 *
 * Exit 0 when the whole file was read back intact, 1 on a short read or
 * data comparison error, 2 on a usage or system error, 77 when O_DIRECT or
 * io_uring is unavailable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXTENT		4096
#define FILE_SIZE	(2 * EXTENT)

static void die(const char *what)
{
	fprintf(stderr, "uring-short-read: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Position-dependent, so that a page of zeros cannot pass for file data. */
static unsigned char pattern(long long o)
{
	return (unsigned char)((o * 7 + 3) & 0xff);
}

/* Two writes, each synced: two extents, as the seed's file had. */
static void create(const char *path)
{
	unsigned char b[EXTENT];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long long o, i;

	if (fd < 0) {
		die(path);
	}
	for (o = 0; o < FILE_SIZE; o += EXTENT) {
		for (i = 0; i < EXTENT; i++) {
			b[i] = pattern(o + i);
		}
		if (pwrite(fd, b, EXTENT, o) != EXTENT) {
			die("pwrite");
		}
		if (fsync(fd) != 0) {
			die("fsync");
		}
	}
	if (close(fd) != 0) {
		die("close");
	}
}

static int open_direct(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECT);

	if (fd < 0 && errno == EINVAL) {
		printf("uring-short-read: %s: O_DIRECT not supported here\n",
		       path);
		exit(77);
	}
	if (fd < 0) {
		die(path);
	}
	return fd;
}

/* Only the first page is faulted in; the kernel must fault in the second. */
static unsigned char *half_touched_buffer(void)
{
	unsigned char *buf = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED) {
		die("mmap");
	}
	*(volatile unsigned char *)buf = 0;
	return buf;
}

static void init_ring(struct io_uring *ring)
{
	int ret = io_uring_queue_init(4, ring, 0);

	if (ret < 0) {
		printf("io_uring unavailable: %s\n", strerror(-ret));
		exit(77);
	}
}

static int read_all(struct io_uring *ring, int fd, unsigned char *buf)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret, res;

	if (!sqe) {
		fprintf(stderr, "uring-short-read: no free SQE\n");
		exit(2);
	}
	io_uring_prep_read(sqe, fd, buf, FILE_SIZE, 0);
	sqe->user_data = 0x1234;
	ret = io_uring_submit(ring);
	if (ret != 1) {
		errno = ret < 0 ? -ret : EIO;
		die("io_uring_submit");
	}
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0) {
		errno = -ret;
		die("io_uring_wait_cqe");
	}
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (res < 0) {
		printf("read failed: %s\n", strerror(-res));
		return res;
	}
	printf("read completed with %d of %d bytes\n", res, FILE_SIZE);
	return res;
}

static int verify(const unsigned char *buf)
{
	long long o;

	for (o = 0; o < FILE_SIZE; o++) {
		if (buf[o] != pattern(o)) {
			printf("DATA COMPARISON ERROR at offset %lld: expected 0x%02x, found 0x%02x\n",
			       o, pattern(o), buf[o]);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	unsigned char *buf;
	int fd, res, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: uring-short-read FILE\n");
		return 2;
	}
	create(argv[1]);
	fd = open_direct(argv[1]);
	buf = half_touched_buffer();
	init_ring(&ring);
	res = read_all(&ring, fd, buf);
	if (res < 0) {
		ret = 1;
	} else if (res != FILE_SIZE) {
		printf("SHORT READ: %d of %d bytes at offset 0, file size %d\n",
		       res, FILE_SIZE, FILE_SIZE);
		ret = 1;
	} else {
		ret = verify(buf);
	}
	io_uring_queue_exit(&ring);
	munmap(buf, FILE_SIZE);
	close(fd);
	return ret;
}
