/* SPDX-License-Identifier: MIT */
/*
 * File data changed past the write family and the memcpy hooks, then read
 * back with pread; each checks what it reads itself.
 *
 *   blind-writes madv FILE       madvise(MADV_REMOVE) punches pages 2-3 of a
 *                                shared mapping: they read as zeros
 *   blind-writes vmw-self FILE   process_vm_writev into our own mapping
 *   blind-writes vmw-other FILE  process_vm_writev into a child's mapping
 *   blind-writes procmem FILE    pwrite on /proc/self/mem at the mapping
 *
 * Exit 0 when every read showed what the kernel must give, 1 if not, 2 on
 * a system error, 77 when the file system refuses MADV_REMOVE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PS 4096
#define NPAGES 16

static void die(const char *what)
{
	fprintf(stderr, "blind-writes: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Page pg of the file holds byte v throughout? */
static int holds(int fd, int pg, int v)
{
	unsigned char got[PS];

	if (pread(fd, got, PS, (off_t)pg * PS) != PS) {
		die("pread");
	}
	for (int i = 0; i < PS; i++) {
		if (got[i] != (unsigned char)v) {
			printf("DATA COMPARISON ERROR: page %d byte %d is %d, want %d\n",
			       pg, i, got[i], v);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char a[NPAGES * PS], b[PS];
	struct iovec local = { b, PS }, remote;
	unsigned char *map;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: blind-writes madv|vmw-self|vmw-other|procmem FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	if (fd < 0 || pwrite(fd, a, sizeof(a), 0) != (ssize_t)sizeof(a)) {
		die(argv[2]);
	}
	map = mmap(NULL, sizeof(a), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		die("mmap");
	}
	remote.iov_base = map + PS;
	remote.iov_len = PS;
	if (strcmp(argv[1], "madv") == 0) {
		if (madvise(map + 2 * PS, 2 * PS, MADV_REMOVE) != 0) {
			if (errno == EOPNOTSUPP || errno == EINVAL) {
				printf("MADV_REMOVE refused here: %s\n", strerror(errno));
				return 77;
			}
			die("madvise");
		}
		return holds(fd, 2, 0) && holds(fd, 3, 0) && holds(fd, 4, 'a') ? 0 : 1;
	}
	if (strcmp(argv[1], "vmw-self") == 0) {
		if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != PS) {
			die("process_vm_writev");
		}
		return holds(fd, 1, 'b') ? 0 : 1;
	}
	if (strcmp(argv[1], "vmw-other") == 0) {
		int st;
		pid_t child = fork();

		if (child < 0) {
			die("fork");
		}
		if (child == 0) {
			pause();
			_exit(0);
		}
		/* The child shares the mapping: its page is the file's. */
		if (process_vm_writev(child, &local, 1, &remote, 1, 0) != PS) {
			die("process_vm_writev");
		}
		kill(child, SIGTERM);
		waitpid(child, &st, 0);
		return holds(fd, 1, 'b') ? 0 : 1;
	}
	if (strcmp(argv[1], "procmem") == 0) {
		int mem = open("/proc/self/mem", O_RDWR);

		if (mem < 0) {
			die("/proc/self/mem");
		}
		if (pwrite(mem, b, PS, (off_t)(uintptr_t)(map + PS)) != PS) {
			die("pwrite /proc/self/mem");
		}
		close(mem);
		return holds(fd, 1, 'b') ? 0 : 1;
	}
	fprintf(stderr, "blind-writes: unknown mode %s\n", argv[1]);
	return 2;
}
