/* SPDX-License-Identifier: MIT */
/*
 * The doio sequence of seed 000, as LTP rwtest04 runs it: fill a file,
 * map it MAP_SHARED, memcpy a range into the mapping, msync(MS_SYNC) the
 * whole file, unmap, then verify with lseek + read on a second O_SYNC fd.
 *
 *   mmsync-verify seed000 FILE [SIZE OFFSET LENGTH]
 *   mmsync-verify race FILE      a second thread stores while msync runs
 *   mmsync-verify race-inline FILE  the same store, inlined by the compiler
 *   mmsync-verify split FILE     the verify runs in a child process (exec)
 *   mmsync-verify forked FILE    the verify runs in a forked child, no exec
 *   mmsync-verify resync FILE    an msync that fails is tried again, then
 *                                the verify (a file system that lost it)
 *   mmsync-verify verify FILE OFFSET LENGTH
 *
 * MMSYNC_SYNC_MAY_FAIL=1: a failed msync is said on stderr, not fatal.
 * MMSYNC_PAUSE_MS=N sleeps N ms after the fill and before the verify.
 * MMSYNC_VERIFY_CPU=N moves the process to CPU N for the verify: a per-CPU
 * trace then has its read in another stream than its stores.
 *
 * Exit 0 when the verify read saw what was written, 1 on a data comparison
 * error, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long size = 12800000, offset = 4442856, length = 9927;

static unsigned char old_byte(long long o)
{
	return (unsigned char)((o * 7 + 1) ^ (o >> 9));
}

static unsigned char new_byte(long long o)
{
	return (unsigned char)(((o * 13 + 5) ^ 0xa5) + (o >> 9));
}

static void die(const char *what)
{
	fprintf(stderr, "mmsync-verify: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void fill(const char *path)
{
	static unsigned char chunk[65536];
	long long o = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		die(path);
	}
	while (o < size) {
		size_t n = size - o < (long long)sizeof(chunk) ?
			   (size_t)(size - o) : sizeof(chunk);
		size_t i;

		for (i = 0; i < n; i++) {
			chunk[i] = old_byte(o + (long long)i);
		}
		if (write(fd, chunk, n) != (ssize_t)n) {
			die("write");
		}
		o += (long long)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		die("fsync");
	}
}

static unsigned char *new_data(void)
{
	unsigned char *b = malloc((size_t)length);
	long long i;

	if (!b) {
		die("malloc");
	}
	for (i = 0; i < length; i++) {
		b[i] = new_byte(offset + i);
	}
	return b;
}

/* Lets a tracer's consumer drain its buffers: MMSYNC_PAUSE_MS. */
static void pause_ms(void)
{
	const char *v = getenv("MMSYNC_PAUSE_MS");
	long ms = v ? atol(v) : 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0) {
		nanosleep(&ts, NULL);
	}
}

static void verify_cpu(void)
{
	const char *v = getenv("MMSYNC_VERIFY_CPU");
	cpu_set_t set;

	if (!v) {
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(v), &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		die("sched_setaffinity");
	}
}

static int verify(const char *path)
{
	unsigned char *want = new_data(), *got = malloc((size_t)length);
	int fd;

	pause_ms();
	verify_cpu();
	/* O_SYNC as rwtest04's doio (-f sync): a FUSE client may read it direct. */
	fd = open(path, O_RDONLY | O_SYNC);
	ssize_t n;
	long long i;

	if (fd < 0 || !got) {
		die(path);
	}
	if (lseek(fd, offset, SEEK_SET) != offset) {
		die("lseek");
	}
	n = read(fd, got, (size_t)length);
	if (n != length) {
		die("short read");
	}
	close(fd);
	for (i = 0; i < length; i++) {
		if (got[i] != want[i]) {
			printf("*** DATA COMPARISON ERROR *** at file offset %lld\n",
			       offset + i);
			return 1;
		}
	}
	return 0;
}

struct racer {
	unsigned char *map;
	int inline_copy;
	int *in_msync;
	int *release;
};

/* Stores while the (test-held) msync is inside its call. */
static void *race_store(void *arg)
{
	struct racer *r = arg;
	struct timespec ts = { 0, 1000000 };
	unsigned char junk[4096];
	/* Not a constant: the compiler would inline the copy, unseen by hooks. */
	volatile size_t len = sizeof(junk);
	int i;

	for (i = 0; i < 5000 && !__atomic_load_n(r->in_msync, __ATOMIC_ACQUIRE);
	     i++) {
		nanosleep(&ts, NULL);
	}
	memset(junk, 0x5a, sizeof(junk));
	if (r->inline_copy) {
		/* A struct assignment: compiled to moves, no call to hook. */
		struct blob {
			unsigned char b[64];
		} *to = (struct blob *)(r->map + offset);

		*to = *(struct blob *)junk;
	} else {
		memcpy(r->map + offset, junk, len);
	}
	__atomic_store_n(r->release, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int run(const char *mode, const char *path, const char *self)
{
	unsigned char *data = new_data(), *map;
	pthread_t racer_thread;
	struct racer r = { 0 };
	struct stat st;
	int fd, status;
	pid_t pid;

	fill(path);
	pause_ms();
	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st) != 0) {
		die(path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED) {
		die("mmap");
	}
	memcpy(map + offset, data, (size_t)length);
	if (strncmp(mode, "race", 4) == 0) {
		r.map = map;
		r.inline_copy = strcmp(mode, "race-inline") == 0;
		r.in_msync = dlsym(RTLD_DEFAULT, "tw_fault_in_msync");
		r.release = dlsym(RTLD_DEFAULT, "tw_fault_release");
		if (!r.in_msync || !r.release) {
			fprintf(stderr, "mmsync-verify: race needs the fault preload\n");
			return 2;
		}
		pthread_create(&racer_thread, NULL, race_store, &r);
	}
	if (msync(map, (size_t)st.st_size, MS_SYNC) != 0) {
		if (!getenv("MMSYNC_SYNC_MAY_FAIL") && strcmp(mode, "resync") != 0) {
			die("msync");
		}
		fprintf(stderr, "mmsync-verify: msync: %s\n", strerror(errno));
		/* The kernel reports a lost write-back once: this one says 0. */
		if (strcmp(mode, "resync") == 0 &&
		    msync(map, (size_t)st.st_size, MS_SYNC) != 0) {
			die("msync again");
		}
	}
	if (strncmp(mode, "race", 4) == 0) {
		pthread_join(racer_thread, NULL);
		return 0;
	}
	munmap(map, (size_t)st.st_size);
	close(fd);
	if (strcmp(mode, "split") != 0 && strcmp(mode, "forked") != 0) {
		return verify(path);
	}
	pid = fork();
	if (pid == 0 && strcmp(mode, "forked") == 0) {
		_exit(verify(path));
	}
	if (pid == 0) {
		char o[32], l[32];

		snprintf(o, sizeof(o), "%lld", offset);
		snprintf(l, sizeof(l), "%lld", length);
		execl("/proc/self/exe", self, "verify", path, o, l, (char *)NULL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		die("fork");
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "verify") == 0) {
		offset = atoll(argv[3]);
		length = atoll(argv[4]);
		return verify(argv[2]);
	}
	if (argc == 6) {
		size = atoll(argv[3]);
		offset = atoll(argv[4]);
		length = atoll(argv[5]);
	}
	if ((argc != 3 && argc != 6) ||
	    (strcmp(argv[1], "seed000") != 0 && strcmp(argv[1], "race") != 0 &&
	     strcmp(argv[1], "race-inline") != 0 &&
	     strcmp(argv[1], "split") != 0 && strcmp(argv[1], "forked") != 0 &&
	     strcmp(argv[1], "resync") != 0) ||
	    offset < 0 || length <= 0 || offset + length > size) {
		fprintf(stderr, "usage: mmsync-verify seed000|race|race-inline|split|forked|resync FILE "
			"[SIZE OFFSET LENGTH] | verify FILE OFFSET LENGTH\n");
		return 2;
	}
	return run(argv[1], argv[2], argv[0]);
}
