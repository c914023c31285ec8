/* SPDX-License-Identifier: MIT */
/*
 * clone() without pthreads, one case per run:
 *
 *   clone-calls CASE DIR OUT
 *
 *   vm        clone(CLONE_VM|CLONE_FS|CLONE_FILES|SIGCHLD): the child runs
 *             on its parent's TLS, does pwrite, pread, mmap + memcpy +
 *             msync on its own file and returns
 *   vm-exit   the same child leaving by _exit(3)
 *   vm-signal the same child raising a signal whose handler (installed by
 *             the parent with sigaction) writes
 *   vm-vfork  CLONE_VM|CLONE_VFORK|SIGCHLD, the same I/O
 *   fork      clone(SIGCHLD): a process with a copy, the same I/O
 *   files     clone(CLONE_FILES|SIGCHLD): a copy sharing the fd table
 *
 * The parent writes its own file before the clone and reads it back after
 * the child was reaped; then checks the child's file. It writes what each
 * side saw to OUT (no pids: the bare and traced runs must print the same)
 * and exits with the child's exit status. The child's pid goes to
 * OUT.pid for the trace checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK (256 * 1024)
#define LEN 8192

static void *(*volatile copy)(void *, const void *, size_t) = memcpy;
static char path_p[PATH_MAX], path_c[PATH_MAX];
static int fd_out = -1;
static volatile int child_result;

/* The child's own I/O on its file; its result in child_result. */
static int child_io(void)
{
	char w[LEN], r[LEN];
	char *m;
	int fd = open(path_c, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		return 10;
	}
	memset(w, 'c', sizeof(w));
	if (pwrite(fd, w, LEN, 0) != LEN || pread(fd, r, LEN, 0) != LEN ||
	    memcmp(w, r, LEN) != 0) {
		return 11;
	}
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		return 12;
	}
	memset(w, 'd', 4096);
	copy(m, w, 4096);
	if (msync(m, LEN, MS_SYNC) != 0 || munmap(m, LEN) != 0) {
		return 13;
	}
	return close(fd) == 0 ? 0 : 14;
}

static void on_usr1(int sig)
{
	static const char line[] = "handler wrote\n";

	(void)sig;
	if (pwrite(fd_out, line, sizeof(line) - 1, 256) < 0) {
		child_result = 20;
	}
}

static int child(void *arg)
{
	const char *c = arg;

	child_result = child_io();
	if (strcmp(c, "vm-signal") == 0) {
		kill(getpid(), SIGUSR1);
	}
	if (strcmp(c, "vm-exit") == 0) {
		_exit(3 + child_result);
	}
	return child_result;
}

static int flags_of(const char *c)
{
	if (strcmp(c, "vm") == 0 || strcmp(c, "vm-exit") == 0 ||
	    strcmp(c, "vm-signal") == 0) {
		return CLONE_VM | CLONE_FS | CLONE_FILES | SIGCHLD;
	}
	if (strcmp(c, "vm-vfork") == 0) {
		return CLONE_VM | CLONE_VFORK | SIGCHLD;
	}
	if (strcmp(c, "fork") == 0) {
		return SIGCHLD;
	}
	if (strcmp(c, "files") == 0) {
		return CLONE_FILES | SIGCHLD;
	}
	return -1;
}

static int check_file(const char *path, char first, char rest)
{
	char r[LEN];
	int fd = open(path, O_RDONLY), i, ok;

	if (fd < 0) {
		return 0;
	}
	ok = pread(fd, r, LEN, 0) == LEN;
	for (i = 0; ok && i < LEN; i++) {
		ok = r[i] == (i < 4096 ? first : rest);
	}
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	char w[LEN], r[LEN], pidpath[PATH_MAX + 8], line[256];
	struct sigaction sa = { .sa_handler = on_usr1 };
	int flags, fd, status = 0, n;
	char *stack;
	pid_t pid, got;
	FILE *pf;

	if (argc != 4 || (flags = flags_of(argv[1])) < 0) {
		fprintf(stderr, "usage: clone-calls vm|vm-exit|vm-signal|vm-vfork|fork|files DIR OUT\n");
		return 2;
	}
	snprintf(path_p, sizeof(path_p), "%s/parent", argv[2]);
	snprintf(path_c, sizeof(path_c), "%s/child", argv[2]);
	fd_out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fd = open(path_p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (fd_out < 0 || fd < 0 || stack == MAP_FAILED ||
	    sigaction(SIGUSR1, &sa, NULL) != 0) {
		perror("setup");
		return 2;
	}
	memset(w, 'p', sizeof(w));
	if (pwrite(fd, w, LEN, 0) != LEN) {
		perror("pwrite");
		return 2;
	}
	pid = clone(child, stack + STACK, flags, argv[1]);
	if (pid < 0) {
		perror("clone");
		return 2;
	}
	got = waitpid(pid, &status, 0);
	n = snprintf(line, sizeof(line),
		     "%s waited=%d exited=%d status=%d parent=%s child=%s\n",
		     argv[1], got == pid, WIFEXITED(status),
		     WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		     pread(fd, r, LEN, 0) == LEN && memcmp(w, r, LEN) == 0 ?
		     "same" : "differs",
		     check_file(path_c, 'd', 'c') ? "written" : "wrong");
	if (write(fd_out, line, (size_t)n) != n) {
		return 2;
	}
	snprintf(pidpath, sizeof(pidpath), "%s.pid", argv[3]);
	pf = fopen(pidpath, "w");
	if (!pf || fprintf(pf, "%d %d\n", (int)getpid(), (int)pid) < 0 ||
	    fclose(pf) != 0) {
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
