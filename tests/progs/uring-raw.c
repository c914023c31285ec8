/* SPDX-License-Identifier: MIT */
/*
 * A raw io_uring user that never calls liburing, as fio is: it sets the
 * ring up with the system calls, maps the rings itself, registers the file
 * and writes through the fixed-file index. A tracer that only hooks
 * liburing sees none of this; one that watches the rings must also map
 * the registered index back to the file.
 *
 *   uring-raw FILE   write 4 KiB of 'Q' at offset 4096, then verify
 *   uring-raw --asm FILE  the same with io_uring_enter made by a syscall
 *                    instruction of the program's own, as fio's io_uring
 *                    engine makes it on x86-64: no hook can see it
 *
 * Exit 0 when the file holds what was written, 1 on a data comparison error
 * or unexpected result, 2 on a usage or system error, 77 when io_uring is
 * unavailable (or --asm on another architecture than x86-64).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BLK		4096
#define WRITE_OFF	4096
#define USER_DATA	7

/* Called through a pointer: a real memset call, which the tracer sees. */
static void *(*volatile fill)(void *, int, size_t) = memset;

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void die(const char *what)
{
	fprintf(stderr, "uring-raw: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *map_ring(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, off);

	if (p == MAP_FAILED) {
		die("mmap ring");
	}
	return p;
}

static void setup(struct ring *r)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len;
	char *sq, *cq;

	r->fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0) {
		printf("io_uring unavailable: %s\n", strerror(errno));
		exit(77);
	}
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	/* One mapping serves both rings when the kernel offers it. */
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		sq_len = cq_len > sq_len ? cq_len : sq_len;
		cq_len = sq_len;
	}
	sq = map_ring(r->fd, sq_len, IORING_OFF_SQ_RING);
	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ?
	     sq : map_ring(r->fd, cq_len, IORING_OFF_CQ_RING);
	r->sqes = map_ring(r->fd, p.sq_entries * sizeof(struct io_uring_sqe),
			   IORING_OFF_SQES);
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* The SQE names the file by its index in the registered table. */
static void register_file(struct ring *r, int fd)
{
	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_FILES,
		    &fd, 1) != 0) {
		die("io_uring_register");
	}
}

static void queue_write(struct ring *r, void *buf)
{
	unsigned tail = *r->sq_tail;
	unsigned idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_WRITE;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	sqe->addr = (uintptr_t)buf;
	sqe->len = BLK;
	sqe->off = WRITE_OFF;
	sqe->user_data = USER_DATA;
	r->sq_array[idx] = idx;
	/* The kernel must see the SQE and array entry before the new tail. */
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

static int use_asm;

/* io_uring_enter(fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) */
static long enter(int fd)
{
#if defined(__x86_64__)
	if (use_asm) {
		register long r10 __asm__("r10") = IORING_ENTER_GETEVENTS;
		register long r8 __asm__("r8") = 0;
		register long r9 __asm__("r9") = 0;
		long ret;

		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "0"((long)__NR_io_uring_enter), "D"((long)fd),
				   "S"(1L), "d"(1L), "r"(r10), "r"(r8), "r"(r9)
				 : "rcx", "r11", "memory");
		if (ret < 0) {
			errno = (int)-ret;
			return -1;
		}
		return ret;
	}
#endif
	return syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS,
		       NULL, 0);
}

static int submit_and_reap(struct ring *r)
{
	struct io_uring_cqe *cqe;
	unsigned head;
	int res;

	if (enter(r->fd) < 0) {
		die("io_uring_enter");
	}
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
		printf("io_uring_enter returned without a completion\n");
		exit(1);
	}
	cqe = &r->cqes[head & *r->cq_mask];
	printf("cqe user_data %llu res %d\n",
	       (unsigned long long)cqe->user_data, cqe->res);
	if (cqe->user_data != USER_DATA) {
		printf("unexpected completion: user_data %llu, expected %d\n",
		       (unsigned long long)cqe->user_data, USER_DATA);
		exit(1);
	}
	res = cqe->res;
	/* Done with the CQE before the kernel may reuse its slot. */
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int verify(int fd)
{
	unsigned char got[BLK];
	ssize_t n = pread(fd, got, BLK, WRITE_OFF);
	ssize_t i;

	if (n < 0) {
		die("pread");
	}
	if (n != BLK) {
		printf("SHORT READ: %zd of %d bytes at offset %d\n", n, BLK,
		       WRITE_OFF);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (got[i] != 'Q') {
			printf("DATA COMPARISON ERROR at offset %lld: expected 'Q', found '%c'\n",
			       (long long)(WRITE_OFF + i), got[i]);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ring r;
	char *buf;
	int fd, res;

	use_asm = argc == 3 && strcmp(argv[1], "--asm") == 0;
	if (argc != 2 + use_asm) {
		fprintf(stderr, "usage: uring-raw [--asm] FILE\n");
		return 2;
	}
#if !defined(__x86_64__)
	if (use_asm) {
		printf("--asm: a syscall instruction is only written for x86-64\n");
		return 77;
	}
#endif
	fd = open(argv[1 + use_asm], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		die(argv[1 + use_asm]);
	}
	setup(&r);
	register_file(&r, fd);
	buf = malloc(BLK);
	if (!buf) {
		die("malloc");
	}
	fill(buf, 'Q', BLK);
	queue_write(&r, buf);
	res = submit_and_reap(&r);
	if (res < 0) {
		printf("write failed: %s\n", strerror(-res));
		return 1;
	}
	if (res != BLK) {
		printf("SHORT WRITE: %d of %d bytes at offset %d\n", res, BLK,
		       WRITE_OFF);
		return 1;
	}
	res = verify(fd);
	free(buf);
	close(r.fd);
	close(fd);
	return res;
}
