/* SPDX-License-Identifier: MIT */
/*
 * One store that spans two mappings of one file: file pages 0-1 mapped at A,
 * pages 4-5 at A + 2 pages, and an 8 KiB memcpy from A + 4 KiB that ends
 * in file page 4. Then msync(MS_SYNC) of both and a pread of file page 4.
 * The file's earlier content was never traced: what the store overwrote
 * is known only from its own checksums, span by span.
 *
 *   two-maps FILE   (FILE: at least 6 pages, written before the run)
 *
 * Exit 0 when page 4 reads back as stored, 1 on a data comparison error,
 * 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

int main(int argc, char **argv)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char src[8192], back[4096];
	unsigned char *a;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDWR)) < 0) {
		fprintf(stderr, "usage: two-maps FILE (an existing file of 6 pages)\n");
		return 2;
	}
	a = mmap(NULL, 4 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED ||
	    mmap(a, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(a + 2 * ps, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 4 * ps) == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	memset(src, 0x5a, sizeof(src));
	copy(a + ps, src, 2 * (size_t)ps);
	if (msync(a, 4 * ps, MS_SYNC) != 0) {
		perror("msync");
		return 2;
	}
	if (pread(fd, back, sizeof(back), 4 * ps) != (ssize_t)sizeof(back)) {
		perror("pread");
		return 2;
	}
	if (memcmp(back, src, sizeof(back)) != 0) {
		printf("DATA COMPARISON ERROR in file page 4\n");
		return 1;
	}
	return 0;
}
