/* SPDX-License-Identifier: MIT */
/*
 * A copy out of a shared mapping while another copy stores into the same
 * bytes, with no lock between, as two doio processes do (mmread against
 * mmwrite): what a load sees is a mix of before and after, which the
 * program allows. It checks only that every byte is one a store wrote.
 *
 *   racing-copies threads FILE   a storing thread, a loading thread
 *   racing-copies procs FILE     a storing child, a loading parent
 *
 * Exit 0, 1 when a loaded byte is no store's, 2 on a system error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SZ (256 << 10)
#define ROUNDS 100

static unsigned char *map;
static volatile int *done;
/* Through a pointer: a call the hooks see, never an inlined copy. */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

static void store_rounds(void)
{
	static unsigned char buf[SZ];

	for (int i = 0; i < ROUNDS; i++) {
		memset(buf, 'a' + i % 26, SZ);
		copy(map, buf, SZ);
	}
	*done = 1;
}

static void *storer(void *arg)
{
	(void)arg;
	store_rounds();
	return NULL;
}

static int load_rounds(void)
{
	static unsigned char got[SZ];
	int n = 0;

	while (!*done || n == 0) {
		copy(got, map, SZ);
		for (int i = 0; i < SZ; i++) {
			if (got[i] != 0 && (got[i] < 'a' || got[i] > 'z')) {
				printf("byte %d is %d: no store wrote it\n", i, got[i]);
				return 1;
			}
		}
		n++;
	}
	printf("%d loads\n", n > 0);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t child;
	int fd, st, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: racing-copies threads|procs FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, SZ) != 0) {
		perror(argv[2]);
		return 2;
	}
	map = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	done = mmap(NULL, sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || done == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if (strcmp(argv[1], "threads") == 0) {
		pthread_create(&t, NULL, storer, NULL);
		ret = load_rounds();
		pthread_join(t, NULL);
		return ret;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		store_rounds();
		_exit(0);
	}
	ret = load_rounds();
	waitpid(child, &st, 0);
	return ret;
}
