/* SPDX-License-Identifier: MIT */
/*
 * Which zeros were ever visible. A file made empty by O_TRUNC and written
 * whole has none; a file grown by ftruncate has them where it grew.
 *
 *   zero-fill created FILE   O_TRUNC, pwrite 16 KiB of a pattern, pread
 *   zero-fill grown FILE     an empty FILE (made before, not truncated
 *                            here) grown by ftruncate to 16 KiB (zeros),
 *                            its pages 1-2 written, then read
 *
 * Exit 0 when the read shows what was written, 1 on a data comparison
 * error (as under a fault that zero-fills), 2 on a system error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SZ 16384

int main(int argc, char **argv)
{
	static unsigned char data[SZ], got[SZ];
	int grown, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: zero-fill created|grown FILE\n");
		return 2;
	}
	grown = strcmp(argv[1], "grown") == 0;
	for (int i = 0; i < SZ; i++) {
		data[i] = (unsigned char)(i * 13 + 7) | 1;
	}
	fd = open(argv[2], grown ? O_RDWR : O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (grown && ftruncate(fd, SZ) != 0) ||
	    pwrite(fd, data + (grown ? 4096 : 0), grown ? 8192 : SZ,
		   grown ? 4096 : 0) != (grown ? 8192 : SZ) ||
	    pread(fd, got, SZ, 0) != SZ) {
		perror(argv[2]);
		return 2;
	}
	for (int i = grown ? 4096 : 0; i < (grown ? 12288 : SZ); i++) {
		if (got[i] != data[i]) {
			printf("DATA COMPARISON ERROR at offset %d\n", i);
			return 1;
		}
	}
	return 0;
}
