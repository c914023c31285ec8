/* SPDX-License-Identifier: MIT */
/*
 * Seed 001: a libaio O_DIRECT write whose io_getevents is interrupted by a
 * signal. The program takes -EINTR for "the write is over", frees the
 * buffer and reuses the memory while the kernel has yet to read it, so the
 * file gets the recycled bytes instead of the written ones.
 *
 *   aio-phantom healthy FILE   reap the write, then free and reuse its buffer
 *   aio-phantom eintr FILE     SIGALRM after 200 ms interrupts io_getevents;
 *                              on -EINTR free and reuse the buffer at once
 *   aio-phantom eintr-read FILE  the same with an O_DIRECT read: the kernel
 *                              later fills memory the program reused
 *   aio-phantom eintr-mapped FILE  the write's buffer is a MAP_SHARED mapping
 *                              of FILE.buf; on -EINTR the program stores 'S'
 *                              into it (a store into a mapping and into an
 *                              in-flight buffer at once), then waits again
 *   aio-phantom eintr-unmap FILE  the write's buffer is an anonymous mapping
 *                              the program unmaps on -EINTR, then waits again
 *                              (the kernel may fail the write with EFAULT)
 *
 * The write only stays in flight long enough with a slow device, e.g.
 * TW_FAULT_AIO_HOLD=1 and bin/async-fault.so preloaded.
 *
 * Exit 0 when the file holds what was written, 1 on a data comparison error
 * or unexpected result, 2 on a usage or system error, 77 when the file
 * system refuses O_DIRECT.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#define BLK		4096
#define FILE_SIZE	(4 * BLK)
#define WRITE_OFF	(2 * BLK)
/* Buffers this large are each an mmap of their own, see main(). */
#define IO_ALLOC	(1024 * 1024)

/* Called through a pointer: real memset calls, which the tracer sees. */
static void *(*volatile fill)(void *, int, size_t) = memset;

static volatile sig_atomic_t alarmed;

static void die(const char *what)
{
	fprintf(stderr, "aio-phantom: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* libaio returns -errno instead of setting errno. */
static void die_aio(const char *what, int ret)
{
	errno = -ret;
	die(what);
}

static void expect_one(const char *what, int ret)
{
	if (ret < 0) {
		die_aio(what, ret);
	}
	if (ret != 1) {
		printf("aio-phantom: %s returned %d, expected 1\n", what, ret);
		exit(1);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static void *aligned(size_t size)
{
	void *p;
	int err = posix_memalign(&p, BLK, size);

	if (err) {
		errno = err;
		die("posix_memalign");
	}
	return p;
}

static int open_direct(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);

	if (fd < 0 && errno == EINVAL) {
		printf("aio-phantom: %s: O_DIRECT not supported here\n", path);
		exit(77);
	}
	if (fd < 0) {
		die(path);
	}
	return fd;
}

static void write_initial(int fd)
{
	char *b = aligned(BLK);
	off_t off;

	fill(b, 'A', BLK);
	for (off = 0; off < FILE_SIZE; off += BLK) {
		if (pwrite(fd, b, BLK, off) != BLK) {
			die("pwrite");
		}
	}
	if (fsync(fd) != 0) {
		die("fsync");
	}
	free(b);
}

/* No SA_RESTART: the interrupted io_getevents must come back with -EINTR. */
static void arm_alarm(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, 200000 } };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0) {
		die("sigaction");
	}
	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		die("setitimer");
	}
}

/* A late alarm must not interrupt the verification instead. */
static void disarm_alarm(void)
{
	struct itimerval it = { 0 };

	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		die("setitimer");
	}
}

static void report_event(const struct io_event *ev)
{
	printf("io_getevents: reaped the I/O, res %ld\n", (long)ev->res);
}

static void *recycle(void *buf)
{
	void *buf2;

	free(buf);
	buf2 = aligned(IO_ALLOC);
	printf("reallocated buffer %s the freed one\n",
	       buf2 == buf ? "is" : "is not");
	fill(buf2, 'R', BLK);
	return buf2;
}

/* Returns the buffer now held: the freed one's replacement, filled with 'R'. */
static void *reap_eintr(io_context_t ctx, void *buf)
{
	struct io_event ev;
	int ret = io_getevents(ctx, 1, 1, &ev, NULL);

	disarm_alarm();
	if (ret == -EINTR) {
		printf("io_getevents: interrupted (-EINTR), I/O still in flight; freeing its buffer\n");
		buf = recycle(buf);
		ret = io_getevents(ctx, 1, 1, &ev, NULL);
		expect_one("io_getevents", ret);
		report_event(&ev);
		return buf;
	}
	expect_one("io_getevents", ret);
	printf("io_getevents: not interrupted, got the event\n");
	report_event(&ev);
	return recycle(buf);
}

static void *reap_healthy(io_context_t ctx, void *buf)
{
	struct io_event ev;
	int ret = io_getevents(ctx, 1, 1, &ev, NULL);

	expect_one("io_getevents", ret);
	report_event(&ev);
	return recycle(buf);
}

static int check_block(const unsigned char *b, off_t base, char want)
{
	off_t o;

	for (o = base; o < base + BLK; o++) {
		unsigned char c = b[o - base];

		if (c == (unsigned char)want) {
			continue;
		}
		if (isprint(c)) {
			printf("DATA COMPARISON ERROR at offset %lld: expected '%c', found '%c'\n",
			       (long long)o, want, c);
		} else {
			printf("DATA COMPARISON ERROR at offset %lld: expected '%c', found 0x%02x\n",
			       (long long)o, want, c);
		}
		return 1;
	}
	return 0;
}

/* The reused memory must still hold what the program put there. */
static int check_recycled(const unsigned char *b)
{
	size_t i;

	for (i = 0; i < BLK; i++) {
		if (b[i] != 'R') {
			printf("MEMORY CORRUPTION at byte %zu of the reused buffer: expected 'R', found 0x%02x\n",
			       i, b[i]);
			return 1;
		}
	}
	return 0;
}

static int verify(int fd, char at_write_off)
{
	unsigned char *vbuf = aligned(BLK);
	off_t off;
	int bad = 0;

	for (off = 0; off < FILE_SIZE && !bad; off += BLK) {
		if (pread(fd, vbuf, BLK, off) != BLK) {
			die("pread");
		}
		bad = check_block(vbuf, off, off == WRITE_OFF ? at_write_off : 'A');
	}
	free(vbuf);
	return bad;
}

/* The buffer is a page of another file, mapped shared. */
static void *mapped_buffer(const char *path)
{
	char name[4096];
	void *p;
	int fd;

	snprintf(name, sizeof(name), "%s.buf", path);
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 4 * BLK) != 0) {
		die(name);
	}
	p = mmap(NULL, 4 * BLK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		die("mmap");
	}
	close(fd);
	return p;
}

/*
 * On -EINTR the program writes into the buffer it still thinks is its own,
 * or unmaps it.
 */
static void scribble_on_eintr(io_context_t ctx, void *buf, int unmap)
{
	struct io_event ev;
	int ret = io_getevents(ctx, 1, 1, &ev, NULL);

	disarm_alarm();
	if (ret == -EINTR && unmap) {
		printf("io_getevents: interrupted (-EINTR), I/O still in flight; unmapping its buffer\n");
		munmap(buf, 4 * BLK);
		ret = io_getevents(ctx, 1, 1, &ev, NULL);
	} else if (ret == -EINTR) {
		printf("io_getevents: interrupted (-EINTR), I/O still in flight; storing into its buffer\n");
		fill(buf, 'S', BLK);
		ret = io_getevents(ctx, 1, 1, &ev, NULL);
	}
	expect_one("io_getevents", ret);
	report_event(&ev);
}

static int run_mapped(const char *path, int unmap)
{
	struct iocb iocb, *iocbp = &iocb;
	io_context_t ctx = 0;
	int fd = open_direct(path);
	void *buf = unmap ? mmap(NULL, 4 * BLK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
			    mapped_buffer(path);
	int ret;

	if (buf == MAP_FAILED) {
		die("mmap");
	}
	write_initial(fd);
	ret = io_setup(8, &ctx);
	if (ret < 0) {
		die_aio("io_setup", ret);
	}
	fill(buf, 'W', BLK);
	io_prep_pwrite(&iocb, fd, buf, BLK, WRITE_OFF);
	arm_alarm();
	ret = io_submit(ctx, 1, &iocbp);
	expect_one("io_submit", ret);
	scribble_on_eintr(ctx, buf, unmap);
	if (unmap) {
		io_destroy(ctx);
		close(fd);
		return 0;
	}
	ret = verify(fd, 'W');
	io_destroy(ctx);
	munmap(buf, 4 * BLK);
	close(fd);
	return ret;
}

static int run(const char *mode, const char *path)
{
	int eintr = strcmp(mode, "healthy") != 0;
	int reading = strcmp(mode, "eintr-read") == 0;
	struct iocb iocb, *iocbp = &iocb;
	io_context_t ctx = 0;
	int fd = open_direct(path);
	void *buf;
	int ret;

	write_initial(fd);
	ret = io_setup(8, &ctx);
	if (ret < 0) {
		die_aio("io_setup", ret);
	}
	buf = aligned(IO_ALLOC);
	fill(buf, reading ? 0 : 'W', BLK);
	if (reading) {
		io_prep_pread(&iocb, fd, buf, BLK, WRITE_OFF);
	} else {
		io_prep_pwrite(&iocb, fd, buf, BLK, WRITE_OFF);
	}
	if (eintr) {
		arm_alarm();
	}
	ret = io_submit(ctx, 1, &iocbp);
	expect_one("io_submit", ret);
	buf = eintr ? reap_eintr(ctx, buf) : reap_healthy(ctx, buf);
	ret = reading ? check_recycled(buf) | verify(fd, 'A') : verify(fd, 'W');
	io_destroy(ctx);
	free(buf);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "healthy") != 0 &&
			  strcmp(argv[1], "eintr") != 0 &&
			  strcmp(argv[1], "eintr-read") != 0 &&
			  strcmp(argv[1], "eintr-mapped") != 0 &&
			  strcmp(argv[1], "eintr-unmap") != 0)) {
		fprintf(stderr, "usage: aio-phantom healthy|eintr|eintr-read|eintr-mapped|eintr-unmap FILE\n");
		return 2;
	}
	/*
	 * glibc's memalign seldom hands a freed 4 KiB heap buffer back: the
	 * fragments that aligning it left usually sit in tcache, so the freed
	 * chunk cannot coalesce to the size memalign asks for. With a fixed
	 * threshold (no raise after a free), each I/O buffer is an mmap of its
	 * own that free unmaps and the next allocation maps again at the same
	 * address: the seed's reuse, made certain.
	 */
	mallopt(M_MMAP_THRESHOLD, IO_ALLOC);
	if (strncmp(argv[1], "eintr-", 6) == 0 && strcmp(argv[1], "eintr-read") != 0) {
		return run_mapped(argv[2], strcmp(argv[1], "eintr-unmap") == 0);
	}
	return run(argv[1], argv[2]);
}
