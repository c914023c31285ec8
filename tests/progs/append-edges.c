/* SPDX-License-Identifier: MIT */
/*
 * Writes whose offset the kernel chooses, not the caller: pwrite on an
 * O_APPEND descriptor (Linux appends whatever the offset), pwritev2 with
 * RWF_APPEND, and threads sharing one descriptor's offset with write(). And
 * a load from a fresh mapping of a file just written, which on a FUSE file
 * system whose getattr lags its acknowledged writes works only as long as
 * nobody asks for the file's attributes. Each mode checks its own data.
 *
 *   append-edges MODE FILE
 *
 * MODE: pwrite-append, rwf-append, setfl-append, dup-append, threads,
 * threads-dup, map-load, map-load-fstat.
 * Exit 0 when the data is right, 1 on a data comparison error, 2 on a usage
 * or system error, 77 when the kernel refuses the operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define BLK 4096
#define NTHREADS 4
#define NRECS 200
#define REC 512

static char a[BLK], b[BLK], r[2 * BLK];
static int shared_fd, fds[NTHREADS];

static void fill(char *p, size_t n, unsigned int x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (char)x;
	}
}

static void die(const char *what)
{
	fprintf(stderr, "append-edges: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int check(const char *what, const void *got, const void *want, size_t n)
{
	if (memcmp(got, want, n) != 0) {
		fprintf(stderr, "append-edges: %s: DATA COMPARISON ERROR\n", what);
		return 1;
	}
	return 0;
}

/* Both blocks in order: the second went to the end, not to offset 0. */
static int verify_two(int fd)
{
	if (pread(fd, r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		die("pread");
	}
	return check("first block", r, a, BLK) |
	       check("appended block", r + BLK, b, BLK);
}

static int pwrite_append(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);

	if (fd < 0) {
		die("open");
	}
	if (write(fd, a, BLK) != BLK || pwrite(fd, b, BLK, 0) != BLK) {
		die("write");
	}
	return verify_two(fd);
}

/* O_APPEND set later by fcntl: the tracer learns it from F_SETFL. */
static int setfl_append(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		die("open");
	}
	if (pwrite(fd, a, BLK, 0) != BLK) {
		die("pwrite");
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND) != 0) {
		die("fcntl");
	}
	if (pwrite(fd, b, BLK, 0) != BLK) {
		die("pwrite");
	}
	return verify_two(fd);
}

/* Through F_DUPFD and dup2 of an O_APPEND fd, its first number closed. */
static int dup_append(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
	int fd2, fd3;

	if (fd < 0 || write(fd, a, BLK) != BLK) {
		die("open");
	}
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	if (fd2 < 0 || close(fd) != 0) {
		die("fcntl");
	}
	fd3 = dup2(fd2, 200);
	if (fd3 < 0 || close(fd2) != 0) {
		die("dup2");
	}
	if (pwrite(fd3, b, BLK, 0) != BLK) {
		die("pwrite");
	}
	return verify_two(fd3);
}

static int rwf_append(const char *path)
{
	struct iovec v = { b, BLK };
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		die("open");
	}
	if (pwrite(fd, a, BLK, 0) != BLK) {
		die("pwrite");
	}
	if (pwritev2(fd, &v, 1, 0, RWF_APPEND) != BLK) {
		if (errno == EOPNOTSUPP || errno == EINVAL) {
			exit(77);
		}
		die("pwritev2");
	}
	return verify_two(fd);
}

/* A record names its writer and sequence; the rest follows from them. */
static void record(char *p, unsigned int t, unsigned int s)
{
	fill(p, REC, t * 1000 + s + 1);
	memcpy(p, &t, sizeof(t));
	memcpy(p + sizeof(t), &s, sizeof(s));
}

static void *writer(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg, s;
	char rec[REC];

	for (s = 0; s < NRECS; s++) {
		record(rec, t, s);
		if (write(fds[t], rec, REC) != REC) {
			die("write");
		}
	}
	return NULL;
}

/* With dups, every thread has its own fd and all share one offset. */
static int threads(const char *path, int dups)
{
	static char file[NTHREADS * NRECS * REC], seen[NTHREADS][NRECS];
	pthread_t th[NTHREADS];
	char want[REC];
	unsigned int t, s, i;
	int bad = 0;

	shared_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (shared_fd < 0) {
		die("open");
	}
	for (i = 0; i < NTHREADS; i++) {
		fds[i] = dups ? dup(shared_fd) : shared_fd;
		if (fds[i] < 0) {
			die("dup");
		}
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)i);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
	}
	if (pread(shared_fd, file, sizeof(file), 0) != (ssize_t)sizeof(file)) {
		die("pread");
	}
	for (i = 0; i < NTHREADS * NRECS; i++) {
		memcpy(&t, file + i * REC, sizeof(t));
		memcpy(&s, file + i * REC + sizeof(t), sizeof(s));
		if (t >= NTHREADS || s >= NRECS || seen[t][s]++) {
			fprintf(stderr, "append-edges: record %u: DATA COMPARISON ERROR\n", i);
			return 1;
		}
		record(want, t, s);
		bad |= check("record", file + i * REC, want, REC);
	}
	return bad;
}

/*
 * 16 KiB written to a new file, synced, mapped and loaded: the load needs
 * the kernel's size to cover it. With "fstat", the attributes are asked
 * for first, as a tracer that stats on every call would.
 */
static int map_load(const char *path, int ask)
{
	static char w[4 * BLK];
	struct stat st;
	char *m;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		die("open");
	}
	fill(w, sizeof(w), 7);
	if (pwrite(fd, w, sizeof(w), 0) != (ssize_t)sizeof(w) || fsync(fd)) {
		die("pwrite");
	}
	if (ask && fstat(fd, &st)) {
		die("fstat");
	}
	m = mmap(NULL, sizeof(w), PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		die("mmap");
	}
	return check("mapping", m + 3 * BLK, w + 3 * BLK, BLK);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: append-edges MODE FILE\n");
		return 2;
	}
	fill(a, BLK, 1);
	fill(b, BLK, 2);
	if (!strcmp(argv[1], "pwrite-append")) {
		return pwrite_append(argv[2]);
	}
	if (!strcmp(argv[1], "rwf-append")) {
		return rwf_append(argv[2]);
	}
	if (!strcmp(argv[1], "setfl-append")) {
		return setfl_append(argv[2]);
	}
	if (!strcmp(argv[1], "dup-append")) {
		return dup_append(argv[2]);
	}
	if (!strcmp(argv[1], "threads")) {
		return threads(argv[2], 0);
	}
	if (!strcmp(argv[1], "threads-dup")) {
		return threads(argv[2], 1);
	}
	if (!strcmp(argv[1], "map-load")) {
		return map_load(argv[2], 0);
	}
	if (!strcmp(argv[1], "map-load-fstat")) {
		return map_load(argv[2], 1);
	}
	fprintf(stderr, "append-edges: unknown mode %s\n", argv[1]);
	return 2;
}
