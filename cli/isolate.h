/* SPDX-License-Identifier: MIT */
/* A run's own namespace, so that its session records only its own processes. */
#ifndef TW_ISOLATE_H
#define TW_ISOLATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Moves this process into a new UTS namespace: its inode number, or 0 where
 * the kernel refuses (not root): then the session records every traced
 * program, and the analysis leaves the others out as before.
 */
uint64_t tw_isolate_uts(void);
/* The event filter that keeps the namespace's processes: as snprintf. */
int tw_isolate_filter(uint64_t ns, char *buf, size_t len);

#endif
