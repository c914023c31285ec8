// SPDX-License-Identifier: MIT
/*
 * daemon-child MODE FILE: the I/O is done by a process the command's own
 * process does not wait for. MODE daemon: daemon(); double: fork, setsid,
 * fork, the middle one exits. The worker writes FILE and reads it back
 * once its parent is gone, so it has been reparented when it does I/O.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int work(const char *path)
{
	char out[4096], in[4096];
	int fd;

	usleep(200 * 1000);
	memset(out, 'd', sizeof(out));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pwrite(fd, out, sizeof(out), 0) != (ssize_t)sizeof(out) ||
	    pread(fd, in, sizeof(in), 0) != (ssize_t)sizeof(in) ||
	    memcmp(in, out, sizeof(in)) != 0) {
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	pid_t p;

	if (argc != 3) {
		fprintf(stderr, "usage: daemon-child daemon|double FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "daemon") == 0) {
		if (daemon(1, 1) != 0) {
			return 1;
		}
		return work(argv[2]);
	}
	p = fork();
	if (p < 0) {
		return 1;
	}
	if (p > 0) {
		return waitpid(p, NULL, 0) == p ? 0 : 1;
	}
	setsid();
	p = fork();
	if (p < 0) {
		_exit(1);
	}
	if (p > 0) {
		_exit(0);
	}
	_exit(work(argv[2]));
}
