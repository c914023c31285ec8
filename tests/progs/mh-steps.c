// SPDX-License-Identifier: MIT
/*
 * One host's side of a multi-host case, as steps on one file:
 *   mh-steps FILE STEP...
 * open, close, fsync, write:C (4096 bytes of C at 0), read (4096 at 0, printed
 * as its first byte), truncate:N (ftruncate to N), punch (a hole over the
 * first 4096 bytes, the size kept), rename:PATH (FILE is PATH from then on), wait:FLAG (until the file FLAG exists), post:FLAG
 * (create it), nap:MS. The other host's process runs its own steps; the
 * flags order the two.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char buf[4096];
	int fd = -1, i, tries;

	if (argc < 3) {
		fprintf(stderr, "usage: mh-steps FILE STEP...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "open") == 0) {
			fd = open(argv[1], O_RDWR | O_CREAT, 0644);
			if (fd < 0) {
				perror(argv[1]);
				return 1;
			}
		} else if (strcmp(s, "fsync") == 0) {
			if (fsync(fd) != 0) {
				perror("fsync");
				return 1;
			}
		} else if (strncmp(s, "truncate:", 9) == 0) {
			if (ftruncate(fd, atol(s + 9)) != 0) {
				perror("ftruncate");
				return 1;
			}
		} else if (strcmp(s, "punch") == 0) {
			if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      0, sizeof(buf)) != 0) {
				perror("fallocate");
				return 1;
			}
		} else if (strncmp(s, "rename:", 7) == 0) {
			if (rename(argv[1], s + 7) != 0) {
				perror("rename");
				return 1;
			}
			argv[1] = (char *)s + 7;
		} else if (strcmp(s, "close") == 0) {
			close(fd);
			fd = -1;
		} else if (strncmp(s, "write:", 6) == 0) {
			memset(buf, s[6], sizeof(buf));
			if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
				perror("pwrite");
				return 1;
			}
		} else if (strcmp(s, "read") == 0) {
			ssize_t n = pread(fd, buf, sizeof(buf), 0);

			printf("read %zd '%c'\n", n, n > 0 ? buf[0] : '-');
			fflush(stdout);
		} else if (strncmp(s, "wait:", 5) == 0) {
			for (tries = 0; access(s + 5, F_OK) != 0; tries++) {
				if (tries > 3000) {
					fprintf(stderr, "no %s\n", s + 5);
					return 1;
				}
				nap(10);
			}
		} else if (strncmp(s, "post:", 5) == 0) {
			int f = open(s + 5, O_WRONLY | O_CREAT, 0644);

			if (f >= 0) {
				close(f);
			}
		} else if (strncmp(s, "nap:", 4) == 0) {
			nap(atol(s + 4));
		} else {
			fprintf(stderr, "unknown step %s\n", s);
			return 2;
		}
	}
	return 0;
}
