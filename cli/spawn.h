/* SPDX-License-Identifier: MIT */
#ifndef TW_SPAWN_H
#define TW_SPAWN_H

/*
 * Runs argv (PATH lookup), output appended to log_path (NULL: inherited),
 * env NULL for ours. Returns the exit status, 128+signal, or -1 when it
 * could not be started.
 */
int tw_spawn(char *const argv[], char *const envp[], const char *log_path);

#endif
