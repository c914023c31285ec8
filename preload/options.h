/* SPDX-License-Identifier: MIT */
/*
 * The library's settings: TORNWATCH_OPTIONS=key=value:key=value (as
 * ASAN_OPTIONS), each key also a variable of its own (TORNWATCH_KEY),
 * which wins over the same key in TORNWATCH_OPTIONS.
 */
#ifndef TW_OPTIONS_H
#define TW_OPTIONS_H

struct tw_options {
	int full_check;		/* msync checksums every page of its range */
	int disable;		/* no tracing at all */
	int follow_exec;	/* the preload is put back into an exec's env */
	int write_track;	/* kernel write tracking (userfaultfd) */
	int stacks;		/* call stacks at the calls a verdict may name */
	int fork_register;	/* a forked child registers with lttng anew */
};

extern struct tw_options tw_opts;

/*
 * Reads the environment once (later calls return at once); from the
 * constructor, before any thread: no malloc, diagnostics by write(2).
 */
void tw_options_init(void);

#endif
