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
 * tree: returns argv's own status once every descendant has exited.
 */
int tw_spawn_tree(char *const argv[], char *const envp[], pid_t *child);

#endif
