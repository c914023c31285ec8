/* SPDX-License-Identifier: MIT */
/*
 * The tracer's descriptors, ours (write-track.h) and lttng-ust's (its fd
 * tracker): the program never had them, so its close and close_range never
 * take them, and it sees what it would see bare (EBADF for a lone close).
 * A daemon's close_range(3, ~0) would otherwise kill lttng-ust at exit.
 */
#ifndef TW_TRACER_FDS_H
#define TW_TRACER_FDS_H

/* close(fd) unless the tracer's: then -1 with EBADF. */
int tw_close_guarded(int fd);
/* close_range over the program's descriptors only: 0 or -1 with errno. */
int tw_close_range_guarded(unsigned int first, unsigned int last, int flags);

#endif
