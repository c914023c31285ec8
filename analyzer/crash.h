/* SPDX-License-Identifier: MIT */
/*
 * Whose crash it was: a fatal signal in the analysis child is ours when it
 * hit in our code, the trace's when it hit inside libbabeltrace2 reading
 * it. The child writes one byte saying which before it dies.
 */
#ifndef TW_CRASH_H
#define TW_CRASH_H

#include <signal.h>

enum tw_crash {
	TW_CRASH_UNKNOWN,	/* no byte: killed from outside, or no handler ran */
	TW_CRASH_OURS,
	TW_CRASH_READER,
	TW_CRASH_NOMEM,		/* abort() with errno ENOMEM: GLib's g_malloc failed */
};

/* Non-zero while libbabeltrace2 runs the graph and our callback is not on the stack. */
extern volatile sig_atomic_t tw_in_reader;

/* In the child: handlers for the fatal signals, reporting to fd. */
void tw_crash_arm(int fd);
/* In the parent, after the child died: what its byte said. */
enum tw_crash tw_crash_read(int fd);

#endif
