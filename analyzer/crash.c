/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crash.h"

volatile sig_atomic_t tw_in_reader;

static int crash_fd = -1;

static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP };

/*
 * Async-signal-safe: one write, then the default action, so the parent
 * still sees the child die of the signal. SA_RESETHAND|SA_NODEFER make the
 * raise below fatal at once.
 */
static void on_fatal(int sig)
{
	char who = tw_in_reader ? 'r' : 'o';

	/* GLib aborts when an allocation fails, errno still ENOMEM. */
	if (sig == SIGABRT && errno == ENOMEM) {
		who = 'm';
	}

	if (crash_fd >= 0 && write(crash_fd, &who, 1) != 1) {
		/* Nobody to tell: the parent falls back to its old wording. */
	}
	raise(sig);
}

void tw_crash_arm(int fd)
{
	/* A stack overflow must still find a stack to say so on. */
	static char alt[64 * 1024];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	struct sigaction sa;
	size_t i;

	crash_fd = fd;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		sigaction(fatal[i], &sa, NULL);
	}
}

enum tw_crash tw_crash_read(int fd)
{
	char who;

	if (read(fd, &who, 1) != 1) {
		return TW_CRASH_UNKNOWN;
	}
	switch (who) {
	case 'o':
		return TW_CRASH_OURS;
	case 'm':
		return TW_CRASH_NOMEM;
	default:
		return TW_CRASH_READER;
	}
}
