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

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NCAUGHT (sizeof(caught) / sizeof(caught[0]))

static struct sigaction saved[NCAUGHT];
static int taken[NCAUGHT];	/* ignored ones (nohup) stay ignored */
static int catching;
static volatile sig_atomic_t fwd_pid;	/* the command, while it runs */
static volatile sig_atomic_t fwd_sig;	/* the last signal caught */

static void forward(int sig, siginfo_t *si, void *uc)
{
	int err = errno;

	(void)uc;
	fwd_sig = sig;
	/*
	 * The terminal's ^C, ^\ and hangup (SI_KERNEL) reach the whole
	 * foreground group, the command with it: sending it again would make
	 * a second ^C of one.
	 */
	if (fwd_pid > 0 && si->si_code != SI_KERNEL) {
		kill((pid_t)fwd_pid, sig);
	}
	errno = err;
}

static void caught_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < NCAUGHT; i++) {
		sigaddset(set, caught[i]);
	}
}

void tw_signals_catch(void)
{
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO };
	size_t i;

	/* No SA_RESTART: a wait must return to see the signal. */
	caught_set(&sa.sa_mask);
	fwd_sig = 0;
	for (i = 0; i < NCAUGHT; i++) {
		sigaction(caught[i], NULL, &saved[i]);
		taken[i] = saved[i].sa_handler != SIG_IGN;
		if (taken[i]) {
			sigaction(caught[i], &sa, NULL);
		}
	}
	catching = 1;
}

void tw_signals_restore(void)
{
	size_t i;

	if (!catching) {
		return;
	}
	fwd_pid = 0;
	for (i = 0; i < NCAUGHT; i++) {
		if (taken[i]) {
			sigaction(caught[i], &saved[i], NULL);
		}
	}
	catching = 0;
}

int tw_signal_caught(void)
{
	return fwd_sig;
}

/* Reaps every orphan reparented to us until none is left. */
static void reap_descendants(void)
{
	int flags = fwd_sig ? WNOHANG : 0;

	/*
	 * After a caught signal the command is gone; what it left running is
	 * not waited for (the session must go down now).
	 */
	while (waitpid(-1, NULL, flags) > 0 || (errno == EINTR && !fwd_sig)) {
		flags = fwd_sig ? WNOHANG : 0;
	}
}

static int spawn_wait(char *const argv[], char *const envp[],
		      const char *log_path, pid_t *child, int tree)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t block, old;
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
	/*
	 * Blocked from the check to the pid being known, so that no signal
	 * falls between; the command starts with our mask as it was.
	 */
	caught_set(&block);
	sigprocmask(SIG_BLOCK, &block, &old);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &old);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (tree && fwd_sig) {
		err = EINTR;
	} else {
		err = posix_spawnp(&pid, argv[0], &fa, &attr, argv,
				   envp ? envp : environ);
	}
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (err == 0 && tree) {
		fwd_pid = pid;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
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
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (tree) {
		fwd_pid = 0;
		reap_descendants();
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	}
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
