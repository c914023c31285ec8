/* SPDX-License-Identifier: MIT */
/*
 * Every hook must leave the program exactly as it would be without it:
 * errno and return values, also on failing calls; from a signal handler;
 * in a forked child; from many threads; from another library's constructor
 * (early-lib.c); sigaction, syscall(), ioctl, free, realloc and libaio as
 * well. Exits 0 when all of that holds, 1 naming what did not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaio.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

extern int early_status;
void *__memcpy_chk(void *, const void *, size_t, size_t);

static int fails;
static char *map;
static int map_fd;
static const size_t map_len = 1 << 20;
static volatile size_t sixteen = 16;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			printf("FAIL line %d: %s (errno %d)\n", __LINE__, #cond, \
			       errno);						\
			fails++;						\
		}								\
	} while (0)

static volatile sig_atomic_t got_usr2;

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_usr2 = sig == SIGUSR2 && si && si->si_signo == SIGUSR2;
}

static void on_usr2_plain(int sig)
{
	got_usr2 = sig == SIGUSR2 ? 2 : 0;
}

/*
 * sigaction shows the program its own handlers and flags, whichever way
 * they were installed; libc's syscall(), ioctl, free and realloc and libaio
 * keep their results and errno.
 */
static void wrapper_calls(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr2, .sa_flags = SA_SIGINFO };
	struct sigaction old, plain = { .sa_handler = on_usr2_plain };
	char *p;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&plain.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR2, &plain, &old) == 0 &&
	      old.sa_sigaction == on_usr2 && (old.sa_flags & SA_SIGINFO));
	CHECK(sigaction(SIGUSR2, NULL, &old) == 0 &&
	      old.sa_handler == on_usr2_plain && !(old.sa_flags & SA_SIGINFO));
	errno = 4321;
	CHECK(raise(SIGUSR2) == 0 && got_usr2 == 2 && errno == 4321);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0 && raise(SIGUSR2) == 0 &&
	      got_usr2 == 1);
	CHECK(sigaction(0, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_getpid) == getpid());
	CHECK(syscall(-1) == -1 && errno == ENOSYS);
	CHECK(syscall(SYS_io_destroy, 0) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_copy_file_range, -1, NULL, -1, NULL, 1, 0) == -1 &&
	      errno == EBADF);
	CHECK(ioctl(-1, FICLONE, 0) == -1 && errno == EBADF);
	errno = 4321;
	p = realloc(NULL, 100);
	CHECK(p && (p = realloc(p, 200000)) != NULL && errno == 4321);
	free(p);
	free(NULL);
	CHECK(errno == 4321);
	CHECK(io_destroy(0) == -EINVAL && errno == 4321);
}

/* A failing call must fail the same way, and set errno as libc would. */
static void failing_calls(void)
{
	char buf[16];
	int p[2];

	errno = 0;
	CHECK(read(-1, buf, 1) == -1 && errno == EBADF);
	CHECK(pread(-1, buf, 1, 0) == -1 && errno == EBADF);
	CHECK(write(-1, buf, 1) == -1 && errno == EBADF);
	CHECK(close(-1) == -1 && errno == EBADF);
	CHECK(open("/nonexistent/tornwatch", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(msync(map + 1, 16, MS_SYNC) == -1 && errno == EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED &&
	      errno == EBADF);
	CHECK(fsync(-1) == -1 && errno == EBADF);
	CHECK(pipe(p) == 0);
	CHECK(pread(p[0], buf, 1, 0) == -1 && errno == ESPIPE);
	CHECK(write(p[1], "x", 1) == 1 && read(p[0], buf, 1) == 1 && buf[0] == 'x');
	close(p[0]);
	close(p[1]);
}

/* Hooks that succeed leave errno alone and return what libc returns. */
static void succeeding_calls(void)
{
	char buf[64] = "0123456789abcdef";
	struct iovec iov[2] = { { buf, 5 }, { buf + 5, 11 } };

	errno = 4321;
	CHECK(memcpy(map + 100, buf, sixteen) == map + 100 && errno == 4321);
	CHECK(memmove(map + 101, map + 100, sixteen) == map + 101 && errno == 4321);
	CHECK(memset(map + 200, 'z', sixteen) == map + 200 && errno == 4321);
	CHECK(__memcpy_chk(map + 300, buf, sixteen, 64) == map + 300 &&
	      errno == 4321);
	CHECK(memcpy(buf, map + 300, sixteen) == buf && errno == 4321);
	CHECK(msync(map, map_len, MS_SYNC) == 0 && errno == 4321);
	CHECK(pwritev(map_fd, iov, 2, 8192) == 16 && errno == 4321);
	CHECK(preadv(map_fd, iov, 2, 8192) == 16 && errno == 4321);
	CHECK(memcmp(map + 8192, "0123456789abcdef", 16) == 0);
	CHECK(lseek(map_fd, 4096, SEEK_SET) == 4096);
	CHECK(write(map_fd, "tail", 4) == 4 && errno == 4321);
	CHECK(lseek(map_fd, 0, SEEK_CUR) == 4100);
	CHECK(fdatasync(map_fd) == 0 && errno == 4321);

	/* read() from a pipe straight into the mapping: a store by the kernel. */
	{
		int p[2];

		CHECK(pipe(p) == 0 && write(p[1], "piped into a map", 16) == 16);
		CHECK(read(p[0], map + 4096 * 6, 16) == 16 && errno == 4321);
		CHECK(memcmp(map + 4096 * 6, "piped into a map", 16) == 0);
		CHECK(msync(map, map_len, MS_SYNC) == 0);
		close(p[0]);
		close(p[1]);
	}
}

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	errno = 77;
	memcpy(map + 4096 * 3, "from a signal handler", sixteen);
	if (pwrite(map_fd, "sig", 3, 4096 * 4) != 3 || errno != 77) {
		fails++;
	}
	errno = saved;
}

static void *worker(void *arg)
{
	size_t id = (size_t)arg, i;
	char buf[256];

	for (i = 0; i < 200; i++) {
		memset(buf, (int)('a' + id), sizeof(buf));
		memcpy(map + 65536 * (id + 1) + (i % 16) * 256, buf, sixteen * 16);
		if (pread(map_fd, buf, sixteen, 65536 * (id + 1)) != 16) {
			__atomic_fetch_add(&fails, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

/*
 * Data changed without a buffer: truncate, a punched hole, copy_file_range.
 * Reads after them must see zeros or the copied bytes; none is an anomaly.
 */
static void resized(void)
{
	char path[] = "/tmp/tornwatch-resize.XXXXXX";
	char src[] = "/tmp/tornwatch-source.XXXXXX";
	char buf[4096], want[4096];
	int fd = mkstemp(path), in = mkstemp(src);
	off_t out_off = 0;

	memset(want, 'w', sizeof(want));
	CHECK(fd >= 0 && in >= 0);
	CHECK(pwrite(fd, want, sizeof(want), 0) == 4096);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 4096);
	CHECK(ftruncate(fd, 0) == 0 && ftruncate(fd, 4096) == 0);
	memset(want, 0, sizeof(want));
	CHECK(pread(fd, buf, sizeof(buf), 0) == 4096 && memcmp(buf, want, 4096) == 0);
	CHECK(pwrite(fd, "punch me", 8, 1024) == 8);
	CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0 ||
	      errno == EOPNOTSUPP);
	memset(want, 'c', sizeof(want));
	CHECK(pwrite(in, want, sizeof(want), 0) == 4096);
	CHECK(copy_file_range(in, NULL, fd, &out_off, 4096, 0) == 4096 &&
	      out_off == 4096);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 4096 && memcmp(buf, want, 4096) == 0);
	close(fd);
	close(in);
	unlink(path);
	unlink(src);
}

/* More files than the preload's file table holds, one after the other. */
static void many_files(void)
{
	char path[] = "/tmp/tornwatch-many.XXXXXX";
	char buf[16];
	int i;

	for (i = 0; i < 300; i++) {
		int fd = mkstemp(path);
		char *m;

		CHECK(fd >= 0 && ftruncate(fd, 8192) == 0);
		m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(m != MAP_FAILED);
		if (m == MAP_FAILED) {
			return;
		}
		snprintf(buf, sizeof(buf), "file %d", i);
		memcpy(m + 4096, buf, sixteen);
		CHECK(msync(m, 8192, MS_SYNC) == 0 && munmap(m, 8192) == 0);
		CHECK(pread(fd, buf, 16, 4096) == 16 && atoi(buf + 5) == i);
		close(fd);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

int main(void)
{
	char path[] = "/tmp/tornwatch-edges.XXXXXX";
	pthread_t t[4];
	int status;
	size_t i;
	pid_t pid;

	CHECK(early_status == 0);
	map_fd = mkstemp(path);
	CHECK(map_fd >= 0 && ftruncate(map_fd, (off_t)map_len) == 0);
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	failing_calls();
	succeeding_calls();
	wrapper_calls();

	signal(SIGUSR1, on_signal);
	errno = 99;
	raise(SIGUSR1);
	CHECK(errno == 99 && memcmp(map + 4096 * 3, "from a signal ha", 16) == 0);

	for (i = 0; i < 4; i++) {
		pthread_create(&t[i], NULL, worker, (void *)i);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
	}

	pid = fork();
	if (pid == 0) {
		memcpy(map + 4096 * 5, "child", 5 + sixteen - 16);
		_exit(msync(map, map_len, MS_SYNC) == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	CHECK(memcmp(map + 4096 * 5, "child", 5) == 0);
	/* Anonymous memory mapped over part of the file mapping is no file's. */
	CHECK(mmap(map, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == map);
	memcpy(map, "anonymous now", sixteen - 2);
	CHECK(munmap(map, map_len) == 0);
	CHECK(mremap(NULL, 0, 0, 0) == MAP_FAILED && errno == EINVAL);
	many_files();
	resized();
	close(map_fd);
	unlink(path);
	if (fails) {
		printf("%d check(s) failed\n", fails);
		return 1;
	}
	printf("hook-edges: the program saw no difference\n");
	return 0;
}
