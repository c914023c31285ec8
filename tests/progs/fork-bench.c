/* SPDX-License-Identifier: MIT */
/*
 * What a process pays per child (make bench):
 *
 *   fork-bench fork N    N times fork, the child _exits, waitpid
 *   fork-bench spawn N [FILE]  N times fork + exec of cat FILE (default
 *                        /dev/null), its output to /dev/null, waitpid: what
 *                        a suite's short helper processes cost
 *   fork-bench io N      N times fork, the child pwrites one block, waitpid
 *
 * Prints "ms_per_child=X".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	char block[4096];
	int n, i, fd = -1;

	if (argc < 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: fork-bench fork|spawn|io N [FILE]\n");
		return 2;
	}
	if (strcmp(argv[1], "io") == 0) {
		fd = open(argc > 3 ? argv[3] : "fork-bench.data",
			  O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			perror("open");
			return 2;
		}
	}
	memset(block, 'f', sizeof(block));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			if (strcmp(argv[1], "spawn") == 0) {
				int null = open("/dev/null", O_WRONLY);

				if (null < 0 || dup2(null, 1) != 1) {
					_exit(126);
				}
				execlp("cat", "cat", argc > 3 ? argv[3] : "/dev/null",
				       (char *)NULL);
				_exit(127);
			}
			if (fd >= 0 && pwrite(fd, block, sizeof(block),
					      (off_t)i * 4096) < 0) {
				_exit(1);
			}
			_exit(0);
		}
		if (p < 0 || waitpid(p, NULL, 0) != p) {
			perror("fork");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ms_per_child=%.3f\n", ((double)(b.tv_sec - a.tv_sec) * 1e3 +
				       (double)(b.tv_nsec - a.tv_nsec) / 1e6) / n);
	return 0;
}
