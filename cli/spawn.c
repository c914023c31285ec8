/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "spawn.h"

extern char **environ;

/* Reaps every orphan reparented to us until none is left. */
static void reap_descendants(void)
{
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
	}
}

static int spawn_wait(char *const argv[], char *const envp[],
		      const char *log_path, pid_t *child, int tree)
{
	posix_spawn_file_actions_t fa;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	pid_t pid;
	int status, err;

	/*
	 * daemon() and double-forked children of the command are its work:
	 * as their subreaper we outlive them, and the session with them.
	 */
	if (tree && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		tree = 0;
	}
	posix_spawn_file_actions_init(&fa);
	if (log_path) {
		posix_spawn_file_actions_addopen(&fa, 1, log_path,
						 O_WRONLY | O_CREAT | O_APPEND,
						 0644);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0) {
		if (tree) {
			prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		}
		errno = err;
		return -1;
	}
	if (child) {
		*child = pid;
	}
	/* ^C belongs to the child; we stay to stop the session and analyze. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (tree) {
		reap_descendants();
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (status == -1) {
		return -1;
	}
	if (WIFSIGNALED(status)) {
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

int tw_spawn(char *const argv[], char *const envp[], const char *log_path,
	     pid_t *child)
{
	return spawn_wait(argv, envp, log_path, child, 0);
}

int tw_spawn_tree(char *const argv[], char *const envp[], pid_t *child)
{
	return spawn_wait(argv, envp, NULL, child, 1);
}
