/* SPDX-License-Identifier: MIT */
/*
 * rwtest04's shape as LTP doio runs it, for timing: per operation fstat,
 * mmap(MAP_SHARED) of the whole 12.8 MB file, memcpy into (mmwrite) or out
 * of (mmread) it, msync(MS_SYNC) of the whole file, munmap; each write is
 * verified by lseek + read on a second O_RDONLY fd.
 *
 *   mm-bench FILE OPS          prints "ops=N seconds=S"
 *   mm-bench --memcpy CALLS [SIZE [between]]
 *        ns per SIZE-byte (default 64) memcpy outside any mapping while one
 *        file mapping is tracked; with "between", into memory that lies
 *        between two tracked mappings of the file (inside their bounds);
 *        with "into", into the tracked mapping itself (each copy a store
 *        the tracer records, and a call stack it captures)
 *   mm-bench --pio FILE OPS
 *        ns per call of OPS pairs of 4 KiB pwrite + pread at the same offset
 *        of a 16 MiB file
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE 12800000L
#define MAX_LEN 25000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BENCH_MAP (1L << 20)
#define BENCH_BUF (128L << 10)

/*
 * Three MiB reserved: the file mapped at the first and the last, anonymous
 * memory in the middle, so a copy there lies inside the tracked bounds.
 */
static char *between_maps(int fd)
{
	int rw = PROT_READ | PROT_WRITE;
	char *r = mmap(NULL, 3 * BENCH_MAP, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED ||
	    mmap(r, BENCH_MAP, rw, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(r + 2 * BENCH_MAP, BENCH_MAP, rw, MAP_SHARED | MAP_FIXED, fd,
		 0) == MAP_FAILED ||
	    mmap(r + BENCH_MAP, BENCH_MAP, rw,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		return NULL;
	}
	return r + BENCH_MAP;
}

static int memcpy_bench(long calls, size_t size, int between, int into)
{
	char path[] = "/tmp/tornwatch-bench.XXXXXX";
	static char a0[2 * BENCH_BUF], b[2 * BENCH_BUF];
	char *a = a0;
	volatile size_t len = size;
	int fd = mkstemp(path);
	void *map;
	double t0, t1;
	long i;

	if (fd < 0 || ftruncate(fd, BENCH_MAP) != 0 || size > BENCH_BUF) {
		return 2;
	}
	map = between ? between_maps(fd) :
			mmap(NULL, BENCH_MAP, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unlink(path);
	if (!map || map == MAP_FAILED) {
		return 2;
	}
	if (between || into) {
		a = map;
	}
	t0 = now();
	for (i = 0; i < calls; i++) {
		memcpy(a + (i & 1023), b + (i & 511), len);
	}
	t1 = now();
	printf("memcpy_ns=%.2f\n", (t1 - t0) * 1e9 / (double)calls);
	return 0;
}

static int pio_bench(const char *path, long ops)
{
	static char out[4096], in[4096];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	double t0;
	long i;

	if (fd < 0 || ops <= 0) {
		perror(path);
		return 2;
	}
	memset(out, 'p', sizeof(out));
	t0 = now();
	for (i = 0; i < ops; i++) {
		off_t off = (off_t)(i & 4095) * 4096;

		if (pwrite(fd, out, sizeof(out), off) != (ssize_t)sizeof(out) ||
		    pread(fd, in, sizeof(in), off) != (ssize_t)sizeof(in)) {
			perror("pwrite/pread");
			return 2;
		}
	}
	printf("pio_ns=%.1f\n", (now() - t0) * 1e9 / (double)(2 * ops));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAX_LEN], got[MAX_LEN];
	unsigned int seed = 1;
	long ops, i;
	double t0;
	int fd, vfd;

	if (argc >= 3 && argc <= 5 && strcmp(argv[1], "--memcpy") == 0) {
		return memcpy_bench(atol(argv[2]), argc > 3 ? (size_t)atol(argv[3]) : 64,
				    argc > 4 && strcmp(argv[4], "between") == 0,
				    argc > 4 && strcmp(argv[4], "into") == 0);
	}
	if (argc == 4 && strcmp(argv[1], "--pio") == 0) {
		return pio_bench(argv[2], atol(argv[3]));
	}
	if (argc != 3 || (ops = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: mm-bench FILE OPS | --memcpy CALLS [SIZE [between|into]] | --pio FILE OPS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, FILE_SIZE) != 0) {
		perror(argv[1]);
		return 2;
	}
	vfd = open(argv[1], O_RDONLY);
	t0 = now();
	for (i = 0; i < ops; i++) {
		size_t len = (size_t)(rand_r(&seed) % MAX_LEN) + 1;
		off_t off = rand_r(&seed) % (FILE_SIZE - (long)len);
		int write_op = i % 2 == 0;
		struct stat st;
		char *map;

		fstat(fd, &st);
		map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		if (write_op) {
			memset(buf, (int)(i & 0xff), len);
			memcpy(map + off, buf, len);
		} else {
			memcpy(got, map + off, len);
		}
		if (msync(map, (size_t)st.st_size, MS_SYNC) != 0) {
			perror("msync");
			return 2;
		}
		munmap(map, (size_t)st.st_size);
		if (write_op && (lseek(vfd, off, SEEK_SET) != off ||
				 read(vfd, got, len) != (ssize_t)len ||
				 memcmp(got, buf, len) != 0)) {
			printf("*** DATA COMPARISON ERROR *** op %ld\n", i);
			return 1;
		}
	}
	printf("ops=%ld seconds=%.3f\n", ops, now() - t0);
	return 0;
}
