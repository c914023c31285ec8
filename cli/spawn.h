/* SPDX-License-Identifier: MIT */
#ifndef TW_SPAWN_H
#define TW_SPAWN_H

#include <sys/types.h>

/*
 * Runs argv (PATH lookup), output appended to log_path (NULL: inherited),
 * env NULL for ours; *child (when not NULL) gets its pid. Returns the exit
 * status, 128+signal, or -1 when it could not be started.
 */
int tw_spawn(char *const argv[], char *const envp[], const char *log_path,
	     pid_t *child);

/*
 * tw_spawn with the output inherited, as the subreaper of argv's process
 * tree: returns argv's own status once every descendant has exited (or,
 * after a caught signal, once argv's process has). -1 with errno EINTR
 * when a signal was caught before argv could start.
 */
int tw_spawn_tree(char *const argv[], char *const envp[], pid_t *child);

/*
 * From tw_signals_catch to tw_signals_restore, SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT do not end tornwatch: sent to it alone (kill, timeout), they are
 * sent on to the command tw_spawn_tree runs; from the terminal (which
 * signals the command too) they are only noted.
 */
void tw_signals_catch(void);
void tw_signals_restore(void);
/* The last signal caught since tw_signals_catch, or 0. */
int tw_signal_caught(void);

#endif
