/* SPDX-License-Identifier: MIT */
/*
 * fio psync verify's "full resid": 64 KiB written with pwrite, the file's
 * size asked with fstat (as fio's verify does), the bytes read back with
 * pread. A client whose attributes lag its acknowledged writes gives the
 * read the old size: it returns short.
 *
 *   short-read FILE
 *
 * Exit 0 when the read returned all 64 KiB, 1 when it returned fewer, 2 on
 * a system error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SZ 65536

int main(int argc, char **argv)
{
	static unsigned char data[SZ], got[SZ];
	struct stat st;
	ssize_t r;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: short-read FILE\n");
		return 2;
	}
	memset(data, 'w', SZ);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pwrite(fd, data, SZ, 0) != SZ || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 2;
	}
	r = pread(fd, got, SZ, 0);
	printf("size %lld, pread returned %zd of %d\n", (long long)st.st_size, r, SZ);
	return r == SZ ? 0 : r < 0 ? 2 : 1;
}
