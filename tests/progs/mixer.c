/* SPDX-License-Identifier: MIT */
/*
 * Random I/O mixes that check their own data, the way LTP rwtest/doio and
 * xfstests fsx do:
 *
 *   mixer rwtest FILE OPS NPROC SEED  NPROC processes, each owning a slice
 *       of FILE, store through MAP_SHARED mappings (memcpy, msync MS_SYNC),
 *       load from them, pwrite and pread, at random offsets and lengths
 *   mixer fsx FILE OPS SEED  one process over the whole file: the same plus
 *       ftruncate, fsync, and reads and writes through io_uring (liburing)
 *       and libaio, where the kernel offers them
 *
 * Every write is verified at once through a second descriptor opened with
 * O_SYNC (the seeds' verify fd), every read against the process's own copy
 * of what it wrote. FILE is 1 MiB (MIXER_SIZE overrides). Exit 0 when all
 * data was right, 1 at the first DATA COMPARISON ERROR (with the file offset
 * of the first wrong byte), 2 on a usage or system error. MIXER_KEEP_GOING=1
 * prints every error and goes on to the last operation, then exits 1: a
 * faulty file system then gives one wrong read after another (the analyzer
 * benchmark's many-anomalies trace).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_IO (16 * 1024)

struct mixer {
	const char *path;
	int fd;			/* stores, mappings, writes */
	int vfd;		/* verification: O_SYNC */
	size_t size;		/* of the file */
	size_t lo, hi;		/* the slice this process owns */
	unsigned char *shadow;	/* what [lo, hi) must hold */
	uint64_t rng;
	long op;
	int fsx;
	struct io_uring ring;
	int have_ring;
	io_context_t aio;
	int have_aio;
};

static int keep_going;		/* MIXER_KEEP_GOING: errors do not stop us */
static int had_error;

/* Called through pointers: real memcpy calls, which the tracer sees. */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

static void die(const char *what)
{
	fprintf(stderr, "mixer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t next(struct mixer *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

/* A random range inside the slice: any offset, 1 byte to MAX_IO. */
static void pick(struct mixer *m, size_t *off, size_t *len)
{
	size_t span = m->hi - m->lo;

	*len = 1 + next(m) % (span < MAX_IO ? span : MAX_IO);
	*off = m->lo + next(m) % (span - *len + 1);
}

static void fill(struct mixer *m, unsigned char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		b[i] = (unsigned char)next(m);
	}
}

static void compare(struct mixer *m, const unsigned char *got, size_t off,
		    size_t len, const char *how)
{
	const unsigned char *want = m->shadow + (off - m->lo);
	size_t i;

	for (i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			printf("DATA COMPARISON ERROR pid %d op %ld (%s %zu+%zu) at offset %zu: expected 0x%02x, found 0x%02x\n",
			       (int)getpid(), m->op, how, off, len, off + i,
			       want[i], got[i]);
			if (!keep_going) {
				exit(1);
			}
			had_error = 1;
			return;
		}
	}
}

static void verify(struct mixer *m, size_t off, size_t len, const char *how)
{
	unsigned char buf[MAX_IO];

	if (pread(m->vfd, buf, len, (off_t)off) != (ssize_t)len) {
		die("pread (verify)");
	}
	compare(m, buf, off, len, how);
}

static unsigned char *map_file(struct mixer *m)
{
	unsigned char *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
				MAP_SHARED, m->fd, 0);

	if (p == MAP_FAILED) {
		die("mmap");
	}
	return p;
}

static void map_write(struct mixer *m)
{
	unsigned char buf[MAX_IO], *p = map_file(m);
	size_t off, len;

	pick(m, &off, &len);
	fill(m, buf, len);
	copy(p + off, buf, len);
	copy(m->shadow + (off - m->lo), buf, len);
	if (msync(p, m->size, MS_SYNC) != 0) {
		die("msync");
	}
	munmap(p, m->size);
	verify(m, off, len, "mapwrite");
}

static void map_read(struct mixer *m)
{
	unsigned char buf[MAX_IO], *p = map_file(m);
	size_t off, len;

	pick(m, &off, &len);
	copy(buf, p + off, len);
	munmap(p, m->size);
	compare(m, buf, off, len, "mapread");
}

static void plain_write(struct mixer *m)
{
	unsigned char buf[MAX_IO];
	size_t off, len;

	pick(m, &off, &len);
	fill(m, buf, len);
	if (pwrite(m->fd, buf, len, (off_t)off) != (ssize_t)len) {
		die("pwrite");
	}
	copy(m->shadow + (off - m->lo), buf, len);
	verify(m, off, len, "write");
}

static void plain_read(struct mixer *m)
{
	size_t off, len;

	pick(m, &off, &len);
	verify(m, off, len, "read");
}

/* One I/O through io_uring, waited for; false when the ring is missing. */
static int uring_io(struct mixer *m, int write, void *buf, size_t len,
		    size_t off)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int res;

	if (!m->have_ring || !(sqe = io_uring_get_sqe(&m->ring))) {
		return 0;
	}
	if (write) {
		io_uring_prep_write(sqe, m->fd, buf, (unsigned int)len, off);
	} else {
		io_uring_prep_read(sqe, m->vfd, buf, (unsigned int)len, off);
	}
	sqe->user_data = (uint64_t)m->op;
	if (io_uring_submit(&m->ring) != 1 || io_uring_wait_cqe(&m->ring, &cqe)) {
		die("io_uring");
	}
	res = cqe->res;
	io_uring_cqe_seen(&m->ring, cqe);
	if (res != (int)len) {
		errno = res < 0 ? -res : EIO;
		die(write ? "io_uring write" : "io_uring read");
	}
	return 1;
}

/* The same through libaio (buffered: the kernel completes it at submit). */
static int aio_io(struct mixer *m, int write, void *buf, size_t len,
		  size_t off)
{
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;

	if (!m->have_aio) {
		return 0;
	}
	if (write) {
		io_prep_pwrite(&cb, m->fd, buf, len, (long long)off);
	} else {
		io_prep_pread(&cb, m->vfd, buf, len, (long long)off);
	}
	if (io_submit(m->aio, 1, cbs) != 1 ||
	    io_getevents(m->aio, 1, 1, &ev, NULL) != 1 ||
	    (long)ev.res != (long)len) {
		die(write ? "libaio write" : "libaio read");
	}
	return 1;
}

static void async_write(struct mixer *m, int uring)
{
	unsigned char buf[MAX_IO];
	size_t off, len;

	pick(m, &off, &len);
	fill(m, buf, len);
	if (!(uring ? uring_io(m, 1, buf, len, off) : aio_io(m, 1, buf, len, off))) {
		return;
	}
	copy(m->shadow + (off - m->lo), buf, len);
	verify(m, off, len, uring ? "uring write" : "aio write");
}

static void async_read(struct mixer *m, int uring)
{
	unsigned char buf[MAX_IO];
	size_t off, len;

	pick(m, &off, &len);
	if (uring ? uring_io(m, 0, buf, len, off) : aio_io(m, 0, buf, len, off)) {
		compare(m, buf, off, len, uring ? "uring read" : "aio read");
	}
}

/* fsx: cut the file somewhere in its second half and grow it back. */
static void truncate_back(struct mixer *m)
{
	size_t cut = m->size / 2 + next(m) % (m->size / 2);

	if (ftruncate(m->fd, (off_t)cut) != 0 ||
	    ftruncate(m->fd, (off_t)m->size) != 0) {
		die("ftruncate");
	}
	memset(m->shadow + cut, 0, m->size - cut);
	verify(m, cut, m->size - cut < MAX_IO ? m->size - cut : MAX_IO,
	       "truncate");
}

static void run(struct mixer *m, long ops)
{
	int kinds = m->fsx ? 10 : 4;

	for (m->op = 0; m->op < ops; m->op++) {
		switch (next(m) % kinds) {
		case 0:
			map_write(m);
			break;
		case 1:
			map_read(m);
			break;
		case 2:
			plain_write(m);
			break;
		case 3:
			plain_read(m);
			break;
		case 4:
			truncate_back(m);
			break;
		case 6:
		case 7:
			async_write(m, m->op % 2);
			break;
		case 8:
		case 9:
			async_read(m, m->op % 2);
			break;
		default:
			if (fsync(m->fd) != 0) {
				die("fsync");
			}
			break;
		}
	}
}

static void open_both(struct mixer *m)
{
	m->fd = open(m->path, O_RDWR);
	m->vfd = open(m->path, O_RDONLY | O_SYNC);
	if (m->fd < 0 || m->vfd < 0) {
		die(m->path);
	}
}

/* The file starts as a known pattern, written and synced once. */
static unsigned char *create(const char *path, size_t size, uint64_t seed)
{
	struct mixer m = { .rng = seed * 2654435761u + 1 };
	unsigned char *all = malloc(size);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!all || fd < 0) {
		die(path);
	}
	fill(&m, all, size);
	if (pwrite(fd, all, size, 0) != (ssize_t)size || fsync(fd) != 0) {
		die("initial write");
	}
	close(fd);
	return all;
}

static int child(const char *path, unsigned char *all, size_t size, int p,
		 int n, long ops, uint64_t seed)
{
	struct mixer m = { .path = path, .size = size, .fsx = 0 };

	m.lo = size / (size_t)n * (size_t)p;
	m.hi = p == n - 1 ? size : size / (size_t)n * (size_t)(p + 1);
	m.shadow = all + m.lo;
	m.rng = seed * 2654435761u + (uint64_t)p + 7;
	open_both(&m);
	run(&m, ops);
	return had_error;
}

static int rwtest(const char *path, long ops, int n, uint64_t seed,
		  size_t size)
{
	unsigned char *all = create(path, size, seed);
	int p, status, bad = 0;

	for (p = 0; p < n; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			die("fork");
		}
		if (pid == 0) {
			_exit(child(path, all, size, p, n, ops, seed));
		}
	}
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			bad = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
		}
	}
	free(all);
	return bad;
}

static int fsx(const char *path, long ops, uint64_t seed, size_t size)
{
	struct mixer m = { .path = path, .size = size, .fsx = 1 };

	m.shadow = create(path, size, seed);
	m.lo = 0;
	m.hi = size;
	m.rng = seed * 2654435761u + 3;
	open_both(&m);
	/* Where the kernel refuses io_uring or aio, those operations are skipped. */
	m.have_ring = io_uring_queue_init(4, &m.ring, 0) == 0;
	m.have_aio = io_setup(4, &m.aio) == 0;
	run(&m, ops);
	if (m.have_ring) {
		io_uring_queue_exit(&m.ring);
	}
	if (m.have_aio) {
		io_destroy(m.aio);
	}
	free(m.shadow);
	return had_error;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MIXER_SIZE");
	const char *keep = getenv("MIXER_KEEP_GOING");
	size_t size = env ? strtoul(env, NULL, 0) : 1 << 20;

	keep_going = keep && strcmp(keep, "0") != 0 && *keep;

	if (size < 2 * MAX_IO) {
		fprintf(stderr, "mixer: MIXER_SIZE must be at least %d\n",
			2 * MAX_IO);
		return 2;
	}
	if (argc == 6 && !strcmp(argv[1], "rwtest") && atoi(argv[4]) > 0) {
		return rwtest(argv[2], atol(argv[3]), atoi(argv[4]),
			      strtoull(argv[5], NULL, 0), size);
	}
	if (argc == 5 && !strcmp(argv[1], "fsx")) {
		return fsx(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0),
			   size);
	}
	fprintf(stderr, "usage: mixer rwtest FILE OPS NPROC SEED | mixer fsx FILE OPS SEED\n");
	return 2;
}
