/* SPDX-License-Identifier: MIT */
/*
 * A store from a signal handler that interrupted a hook: SIGALRM every
 * 200 µs while the program pwrites 1 MiB blocks (each a long stay inside
 * the pwrite hook); the first handler copies 'H' into page 1 of a shared
 * mapping of FILE; then msync, and a pread of page 1 checks it.
 *
 *   handler-store FILE
 *
 * Prints whether the handler ran. Exit 0 when the page
 * holds the handler's store, 1 when not, 2 on a system error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#define PS 4096

static char *map;
static char pat[PS];
static volatile sig_atomic_t fired;
/* Called through a pointer: a real memcpy call, which the hook sees. */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

static void on_alarm(int sig)
{
	(void)sig;
	if (!fired) {
		copy(map + PS, pat, PS);
		fired = 1;
	}
}

static int timer(long us)
{
	struct itimerval it = { { 0, us }, { 0, us } };

	return setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	static char big[1 << 20], got[PS];
	struct sigaction sa = { .sa_handler = on_alarm };
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: handler-store FILE\n");
		return 2;
	}
	memset(pat, 'H', sizeof(pat));
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 2 * PS) != 0) {
		perror(argv[1]);
		return 2;
	}
	map = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || sigaction(SIGALRM, &sa, NULL) != 0 ||
	    timer(200) != 0) {
		perror("setup");
		return 2;
	}
	for (i = 0; i < 2000 && !fired; i++) {
		if (pwrite(fd, big, sizeof(big), 4 * PS) != sizeof(big)) {
			perror("pwrite");
			return 2;
		}
	}
	if (timer(0) != 0 || msync(map, 2 * PS, MS_SYNC) != 0 ||
	    pread(fd, got, PS, PS) != PS) {
		perror("check");
		return 2;
	}
	printf("the handler %s\n", fired ? "ran" : "never ran");
	return fired && got[0] == 'H' ? 0 : 1;
}
