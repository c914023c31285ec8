// SPDX-License-Identifier: MIT
/*
 * siglongjmp FILE: a memcpy from a shared mapping past the end of FILE
 * raises SIGBUS inside the hooked memcpy; the handler siglongjmps out of
 * it. The pwrite and pread after that must still be traced: the hook that
 * was abandoned never left its reentrancy guard.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t bus;

static void on_bus(int sig)
{
	(void)sig;
	bus++;
	siglongjmp(env, 1);
}

/* Not inlined: the copy goes through the PLT, into the hook. */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_bus };
	static char buf[8192], out[4096], in[4096];
	long page = sysconf(_SC_PAGESIZE);
	char *m;
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: siglongjmp FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, page) != 0) {
		perror(argv[1]);
		return 1;
	}
	/* Two pages mapped over a one-page file: the second is past EOF. */
	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(env, 1) == 0) {
		copy(buf, m, 2 * (size_t)page);
	}
	if (bus != 1) {
		fprintf(stderr, "no SIGBUS from the copy past EOF\n");
		return 77;
	}
	memset(out, 'j', sizeof(out));
	for (i = 0; i < 4; i++) {
		if (pwrite(fd, out, sizeof(out), 0) != (ssize_t)sizeof(out) ||
		    pread(fd, in, sizeof(in), 0) != (ssize_t)sizeof(in) ||
		    memcmp(in, out, sizeof(in)) != 0) {
			fprintf(stderr, "pwrite/pread mismatch\n");
			return 1;
		}
	}
	munmap(m, 2 * page);
	close(fd);
	return 0;
}
