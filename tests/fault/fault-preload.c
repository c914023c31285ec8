/* SPDX-License-Identifier: MIT */
/*
 * Test-only preload, loaded after libtornwatch.so, that makes a file system
 * misbehave the way the seeds' did. Each fault is off unless its variable
 * is set; faults apply to the file named by TW_FAULT_PATH only.
 *
 * TW_FAULT_STALE_PAGES=FIRST-LAST  When the file is first mapped MAP_SHARED,
 *     keep its pages FIRST..LAST as they are then (in TW_FAULT_STATE, so
 *     that other processes see them too); every later read returns those
 *     bytes for those pages: the window cache of seed 000.
 * TW_FAULT_FLIP=OFFSET  Reads return the byte at OFFSET inverted: data no
 *     one wrote.
 * TW_FAULT_ZERO=OFFSET+LENGTH  Reads return zeros there: the zero-fill of a
 *     write that never reached the disk.
 * TW_FAULT_MSYNC_HOLD=1  msync, once done, waits (up to 5 s) for the program
 *     to set tw_fault_release, after setting tw_fault_in_msync: a slow sync
 *     that a racing store can meet deterministically. Both flags are clear
 *     again when it returns, so they always mean this sync.
 * TW_FAULT_FSYNC_HOLD=1  fsync the same (a program that also fsyncs while it
 *     fills its file would otherwise set the flag before its msync).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

__attribute__((visibility("default"))) int tw_fault_in_msync;
__attribute__((visibility("default"))) int tw_fault_release;

struct snapshot_head {
	uint64_t first;		/* byte offset */
	uint64_t length;
};

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_msync)(void *, size_t, int);
static int (*real_fsync)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);

/* Called first by every hook: libraries initialized before us call them too. */
static void fault_init(void)
{
	if (real_msync) {
		return;
	}
	real_read = dlsym(RTLD_NEXT, "read");
	real_pread = dlsym(RTLD_NEXT, "pread");
	real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_open = dlsym(RTLD_NEXT, "open");
	real_close = dlsym(RTLD_NEXT, "close");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	__atomic_store_n(&real_msync, dlsym(RTLD_NEXT, "msync"),
			 __ATOMIC_RELEASE);
}

static int is_target(int fd)
{
	const char *path = getenv("TW_FAULT_PATH");
	struct stat a, b;

	return path && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void snapshot(int fd)
{
	const char *pages = getenv("TW_FAULT_STALE_PAGES");
	const char *state = getenv("TW_FAULT_STATE");
	struct snapshot_head h;
	unsigned long first, last;
	char *buf;
	int out;

	if (!pages || !state || sscanf(pages, "%lu-%lu", &first, &last) != 2 ||
	    last < first || access(state, F_OK) == 0) {
		return;
	}
	h.first = first * 4096;
	h.length = (last - first + 1) * 4096;
	buf = malloc(h.length);
	out = real_open(state, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (buf && out >= 0) {
		ssize_t n = real_pread(fd, buf, h.length, (off_t)h.first);

		h.length = n > 0 ? (uint64_t)n : 0;
		real_pwrite(out, &h, sizeof(h), 0);
		real_pwrite(out, buf, h.length, sizeof(h));
	}
	if (out >= 0) {
		real_close(out);
	}
	free(buf);
}

/* The bytes of [off, off+n) that the snapshot holds replace what was read. */
static void apply_stale(unsigned char *buf, uint64_t off, size_t n)
{
	const char *state = getenv("TW_FAULT_STATE");
	struct snapshot_head h;
	uint64_t lo, hi;
	int in;

	if (!state || !getenv("TW_FAULT_STALE_PAGES")) {
		return;
	}
	in = real_open(state, O_RDONLY);
	if (in < 0) {
		return;
	}
	if (real_pread(in, &h, sizeof(h), 0) == sizeof(h)) {
		lo = off > h.first ? off : h.first;
		hi = off + n < h.first + h.length ? off + n : h.first + h.length;
		if (lo < hi) {
			real_pread(in, buf + (lo - off), hi - lo,
				   (off_t)(sizeof(h) + lo - h.first));
		}
	}
	real_close(in);
}

static void apply_flip(unsigned char *buf, uint64_t off, size_t n)
{
	const char *v = getenv("TW_FAULT_FLIP");
	uint64_t at;

	if (!v) {
		return;
	}
	at = strtoull(v, NULL, 10);
	if (at >= off && at < off + n) {
		buf[at - off] ^= 0xff;
	}
}

static void apply_zero(unsigned char *buf, uint64_t off, size_t n)
{
	const char *v = getenv("TW_FAULT_ZERO");
	uint64_t at, len, lo, hi;
	char *plus;

	if (!v) {
		return;
	}
	at = strtoull(v, &plus, 10);
	len = *plus == '+' ? strtoull(plus + 1, NULL, 10) : 1;
	lo = at > off ? at : off;
	hi = at + len < off + n ? at + len : off + n;
	if (lo < hi) {
		memset(buf + (lo - off), 0, hi - lo);
	}
}

static void misread(int fd, void *buf, ssize_t ret, uint64_t off)
{
	if (ret > 0 && is_target(fd)) {
		apply_stale(buf, off, (size_t)ret);
		apply_flip(buf, off, (size_t)ret);
		apply_zero(buf, off, (size_t)ret);
	}
}

__attribute__((visibility("default")))
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	fault_init();
	if (fd >= 0 && (flags & MAP_SHARED) && is_target(fd)) {
		snapshot(fd);
	}
	return real_mmap(addr, len, prot, flags, fd, off);
}

__attribute__((visibility("default")))
ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t ret;
	int saved;

	fault_init();
	ret = real_read(fd, buf, n);
	saved = errno;
	if (ret > 0 && is_target(fd)) {
		off_t cur = lseek(fd, 0, SEEK_CUR);

		if (cur >= ret) {
			misread(fd, buf, ret, (uint64_t)(cur - ret));
		}
	}
	errno = saved;
	return ret;
}

__attribute__((visibility("default")))
ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t ret;
	int saved;

	fault_init();
	ret = real_pread(fd, buf, n, off);
	saved = errno;
	misread(fd, buf, ret, (uint64_t)off);
	errno = saved;
	return ret;
}

/* A slow sync, once the real one is done: until the program releases it. */
static void hold(const char *knob)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (getenv(knob)) {
		__atomic_store_n(&tw_fault_in_msync, 1, __ATOMIC_RELEASE);
		for (i = 0; i < 5000 &&
		     !__atomic_load_n(&tw_fault_release, __ATOMIC_ACQUIRE); i++) {
			nanosleep(&ts, NULL);
		}
		__atomic_store_n(&tw_fault_in_msync, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&tw_fault_release, 0, __ATOMIC_RELEASE);
	}
}

__attribute__((visibility("default")))
int msync(void *addr, size_t len, int flags)
{
	int ret;

	fault_init();
	ret = real_msync(addr, len, flags);
	hold("TW_FAULT_MSYNC_HOLD");
	return ret;
}

__attribute__((visibility("default")))
int fsync(int fd)
{
	int ret;

	fault_init();
	ret = real_fsync(fd);
	hold("TW_FAULT_FSYNC_HOLD");
	return ret;
}
