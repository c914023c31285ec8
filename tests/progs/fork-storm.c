/* SPDX-License-Identifier: MIT */
/*
 * Forks where a tracer's fork handling breaks (test fork-child):
 *
 *   fork-storm threads N FILE   two threads pwrite and pread their own
 *                               blocks, in bursts, while the main thread
 *                               forks N children; each child pwrites and
 *                               preads its block, has a thread of its own
 *                               do the same, forks a grandchild that does
 *                               too, and ends with exit() (destructors run)
 *   fork-storm alarm N FILE     a 1 ms SIGALRM handler forks a child that
 *                               pwrites one block and _exits, N times
 *   fork-storm orphan N FILE    the parent forks a child and exits; the
 *                               child waits until it is gone, 200 ms more,
 *                               then pwrites and preads its block N times
 *                               and makes FILE.done
 *
 * Every block is 4 KiB of one byte: block k of the file is filled with
 * 'a' + k % 26. Prints "children=N" and exits 0 when every read saw its
 * block; 1 on a data comparison error, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK 4096

static int fd = -1;
static volatile sig_atomic_t stop, forked, failed;
static int nkids;

/* Writes block k and reads it back: 0, 1 on a mismatch, 2 on an error. */
static int write_read(long k)
{
	char want[BLOCK], got[BLOCK];

	memset(want, 'a' + (int)(k % 26), sizeof(want));
	if (pwrite(fd, want, sizeof(want), k * BLOCK) != BLOCK ||
	    pread(fd, got, sizeof(got), k * BLOCK) != BLOCK) {
		return 2;
	}
	return memcmp(want, got, sizeof(got)) != 0;
}

/*
 * Blocks 0 and 1: the parent's two threads, until stop. In bursts, so that
 * a fork often finds them inside the tracer, and the trace stays small.
 */
static void *spin(void *arg)
{
	long k = (long)arg;
	int i;

	while (!stop) {
		for (i = 0; i < 16; i++) {
			if (write_read(k) != 0) {
				failed = 1;
				return NULL;
			}
		}
		usleep(500);
	}
	return NULL;
}

static void *child_thread(void *arg)
{
	return (void *)(long)write_read((long)arg);
}

/* Child i: blocks 2 + 3i (its own), + 1 (its thread), + 2 (grandchild). */
static int child(int i)
{
	long k = 2 + 3L * i;
	pthread_t t;
	void *tr = (void *)2L;
	int st, rc = write_read(k);
	pid_t g;

	if (rc == 0 && (pthread_create(&t, NULL, child_thread, (void *)(k + 1)) != 0 ||
			pthread_join(t, &tr) != 0 || tr != NULL)) {
		rc = tr == NULL ? 2 : (int)(long)tr;
	}
	if (rc != 0) {
		return rc;
	}
	g = fork();
	if (g == 0) {
		exit(write_read(k + 2));
	}
	if (g < 0 || waitpid(g, &st, 0) != g) {
		return 2;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static int run_threads(int n)
{
	pthread_t t[2];
	int i, st, rc = 0;
	pid_t p;

	for (i = 0; i < 2; i++) {
		if (pthread_create(&t[i], NULL, spin, (void *)(long)i) != 0) {
			return 2;
		}
	}
	for (i = 0; i < n && rc == 0; i++) {
		p = fork();
		if (p == 0) {
			exit(child(i));
		}
		if (p < 0 || waitpid(p, &st, 0) != p) {
			rc = 2;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
		}
	}
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
	}
	return rc ? rc : failed;
}

static void on_alarm(int sig)
{
	int saved = errno;
	pid_t p;

	(void)sig;
	if (forked >= nkids) {
		errno = saved;
		return;
	}
	p = fork();
	if (p == 0) {
		char b[BLOCK];
		long k = forked;

		memset(b, 'a' + (int)(k % 26), sizeof(b));
		_exit(pwrite(fd, b, sizeof(b), k * BLOCK) == BLOCK ? 0 : 2);
	}
	if (p < 0) {
		failed = 2;
	} else {
		forked++;
	}
	errno = saved;
}

static int run_alarm(int n)
{
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct sigaction sa;
	int reaped = 0, st, rc = 0;
	pid_t p;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	nkids = n;
	if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &it, NULL) != 0) {
		return 2;
	}
	while (reaped < n && !failed) {
		p = waitpid(-1, &st, 0);
		if (p < 0) {
			if (errno == EINTR || errno == ECHILD) {
				continue;
			}
			return 2;
		}
		reaped++;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			rc = 2;
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	return rc ? rc : failed;
}

/* The child outlives its parent, as a daemon's does. */
static int run_orphan(int n, const char *file)
{
	char done[4096];
	pid_t parent = getpid(), p = fork();
	int i, rc = 0;

	if (p < 0) {
		return 2;
	}
	if (p > 0) {
		return 0;
	}
	while (getppid() == parent) {
		usleep(1000);
	}
	usleep(200000);
	for (i = 0; i < n && rc == 0; i++) {
		rc = write_read(0);
	}
	snprintf(done, sizeof(done), "%s.done", file);
	close(open(done, O_WRONLY | O_CREAT, 0644));
	_exit(rc);
}

int main(int argc, char **argv)
{
	int n, rc;

	if (argc != 4 || (n = atoi(argv[2])) <= 0 ||
	    (strcmp(argv[1], "threads") != 0 && strcmp(argv[1], "alarm") != 0 &&
	     strcmp(argv[1], "orphan") != 0)) {
		fprintf(stderr, "usage: fork-storm threads|alarm|orphan N FILE\n");
		return 2;
	}
	fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[3]);
		return 2;
	}
	if (strcmp(argv[1], "orphan") == 0) {
		return run_orphan(n, argv[3]);
	}
	rc = strcmp(argv[1], "threads") == 0 ? run_threads(n) : run_alarm(n);
	if (rc == 0) {
		printf("children=%d\n", n);
	} else {
		fprintf(stderr, "fork-storm: %s\n", rc == 1 ? "DATA COMPARISON ERROR" : "failed");
	}
	return rc;
}
