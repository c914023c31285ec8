/* SPDX-License-Identifier: MIT */
/*
 * Stores by pointer into a MAP_SHARED file mapping: no memcpy, so no hook
 * sees them, only the kernel's write tracking does. Each mode stores, syncs
 * and verifies through a second descriptor; a healthy file system passes.
 *
 *   ptr-store store FILE    pages 3 and 7, msync, pread
 *   ptr-store fork FILE     the child of a fork stores into page 5 of its
 *                           parent's mapping, msyncs and verifies
 *   ptr-store mremap FILE   the mapping moved and grown, then a store past
 *                           its old end
 *   ptr-store uffd FILE     the program registers the mapping with a
 *                           userfaultfd of its own (it must not meet ours)
 *   ptr-store devuffd FILE  the same with one from /dev/userfaultfd's
 *                           USERFAULTFD_IOC_NEW, no userfaultfd system call
 *   ptr-store unmapped FILE page 6 stored, munmap with no msync, then read:
 *                           the page cache serves what was stored
 *   ptr-store closeall FILE close_range(3, ~0) and a store after it
 *   ptr-store fsync FILE    page 4 stored, fsync instead of msync
 *   ptr-store fsync-race FILE  race's shape, fsync holding instead
 *   ptr-store race FILE     page 3 stored, then a second thread stores into
 *                           it again while msync is inside its call (the
 *                           fault preload holds it there): the page changed
 *                           under its own write-back, seed 002's shape
 *
 * Exit 0 when the data read back is what was stored, 1 on a data comparison
 * error, 2 on a system error (with the call), 77 when the kernel refuses
 * what a mode needs.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PS 4096
#define NPAGES 32

static const char *path;

static void die(const char *what)
{
	fprintf(stderr, "ptr-store: %s: %s\n", what, strerror(errno));
	exit(2);
}

static unsigned char pattern(int page, int i)
{
	return (unsigned char)(page * 31 + i * 7 + 1);
}

/* Byte by byte through a volatile pointer: never a call to memcpy. */
static void store_page(volatile unsigned char *map, int page)
{
	for (int i = 0; i < PS; i++) {
		map[(size_t)page * PS + i] = pattern(page, i);
	}
}

static int verify(int page)
{
	unsigned char got[PS];
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		die("open for verify");
	}
	if (pread(fd, got, PS, (off_t)page * PS) != PS) {
		die("pread");
	}
	close(fd);
	for (int i = 0; i < PS; i++) {
		if (got[i] != pattern(page, i)) {
			printf("DATA COMPARISON ERROR at offset %d\n", page * PS + i);
			return 1;
		}
	}
	return 0;
}

static int sync_map(void *map, size_t len)
{
	if (msync(map, len, MS_SYNC) != 0) {
		die("msync");
	}
	return 0;
}

static int in_child(unsigned char *map)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		store_page(map, 5);
		sync_map(map, (size_t)NPAGES * PS);
		_exit(verify(5));
	}
	if (waitpid(pid, &st, 0) != pid) {
		die("waitpid");
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static int moved(unsigned char *map)
{
	unsigned char *m = mremap(map, (size_t)NPAGES / 2 * PS,
				  (size_t)NPAGES * PS, MREMAP_MAYMOVE);

	if (m == MAP_FAILED) {
		die("mremap");
	}
	store_page(m, 20);
	sync_map(m, (size_t)NPAGES * PS);
	return verify(20);
}

/* Its own userfaultfd, registered over the mapping in write-protect mode. */
static int own_uffd(unsigned char *map, int from_dev)
{
	/* File pages take asynchronous write-protect only (WP_ASYNC, WP_UNPOPULATED). */
	struct uffdio_api api = { .api = UFFD_API,
				  .features = (1ull << 15) | (1ull << 13) };
	struct uffdio_register reg = {
		.range = { (unsigned long)map, (unsigned long)NPAGES * PS },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int u;

	if (from_dev) {
		/* USERFAULTFD_IOC_NEW: the way that needs no system call of its own. */
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);

		u = dev < 0 ? -1 : ioctl(dev, _IO(0xAA, 0x00), O_CLOEXEC | O_NONBLOCK);
		if (dev >= 0) {
			close(dev);
		}
	} else {
		u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | 1);
	}

	if (u < 0 || ioctl(u, UFFDIO_API, &api) != 0) {
		printf("userfaultfd refused: %s\n", strerror(errno));
		return 77;
	}
	if (ioctl(u, UFFDIO_REGISTER, &reg) != 0) {
		printf("UFFDIO_REGISTER: %s\n", strerror(errno));
		return 2;
	}
	printf("registered\n");
	if (ioctl(u, UFFDIO_UNREGISTER, &reg.range) != 0) {
		die("UFFDIO_UNREGISTER");
	}
	close(u);
	store_page(map, 3);
	sync_map(map, (size_t)NPAGES * PS);
	return verify(3);
}

static int close_all(unsigned char *map)
{
	long r = syscall(SYS_close_range, 3u, ~0u, 0u);

	printf("close_range: %ld\n", r);
	store_page(map, 6);
	sync_map(map, (size_t)NPAGES * PS);
	return verify(6);
}

struct racer {
	volatile unsigned char *map;
	int *in_msync;
	int *release;
};

static void *race_store(void *arg)
{
	struct racer *r = arg;
	struct timespec ts = { 0, 1000000 };

	for (int i = 0; i < 5000 &&
	     !__atomic_load_n(r->in_msync, __ATOMIC_ACQUIRE); i++) {
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < PS; i += 64) {
		r->map[3 * PS + i] ^= 0xff;
	}
	__atomic_store_n(r->release, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int race(unsigned char *map, int fd)
{
	struct racer r = { map, dlsym(RTLD_DEFAULT, "tw_fault_in_msync"),
			   dlsym(RTLD_DEFAULT, "tw_fault_release") };
	pthread_t t;

	if (!r.in_msync || !r.release) {
		fprintf(stderr, "ptr-store: race needs the fault preload\n");
		return 2;
	}
	store_page(map, 3);
	pthread_create(&t, NULL, race_store, &r);
	if (fd >= 0 && fsync(fd) != 0) {
		die("fsync");
	}
	if (fd < 0) {
		sync_map(map, (size_t)NPAGES * PS);
	}
	pthread_join(t, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char *map;
	const char *mode;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: ptr-store store|fork|mremap|uffd|devuffd|unmapped|closeall|fsync|race|fsync-race FILE\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)NPAGES * PS) != 0) {
		die(path);
	}
	map = mmap(NULL, (size_t)(strcmp(mode, "mremap") ? NPAGES : NPAGES / 2) * PS,
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		die("mmap");
	}
	if (strcmp(mode, "unmapped") == 0) {
		store_page(map, 6);
		if (munmap(map, (size_t)NPAGES * PS) != 0) {
			die("munmap");
		}
		return verify(6);
	}
	if (strcmp(mode, "store") == 0) {
		store_page(map, 3);
		store_page(map, 7);
		sync_map(map, (size_t)NPAGES * PS);
		return verify(3) | verify(7);
	}
	if (strcmp(mode, "fork") == 0) {
		return in_child(map);
	}
	if (strcmp(mode, "mremap") == 0) {
		return moved(map);
	}
	if (strcmp(mode, "uffd") == 0 || strcmp(mode, "devuffd") == 0) {
		return own_uffd(map, mode[0] == 'd');
	}
	if (strcmp(mode, "closeall") == 0) {
		return close_all(map);
	}
	if (strcmp(mode, "race") == 0) {
		return race(map, -1);
	}
	if (strcmp(mode, "fsync-race") == 0) {
		return race(map, fd);
	}
	if (strcmp(mode, "fsync") == 0) {
		store_page(map, 4);
		if (fsync(fd) != 0) {
			die("fsync");
		}
		return verify(4);
	}
	fprintf(stderr, "ptr-store: unknown mode %s\n", mode);
	return 2;
}
