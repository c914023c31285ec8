/* SPDX-License-Identifier: MIT */
/*
 * The tracer's descriptors, ours (write-track.h) and lttng-ust's (its fd
 * tracker): the program never had them, so its close and close_range never
 * take them, and it sees what it would see bare (EBADF for a lone close).
 * A daemon's close_range(3, ~0) would otherwise kill lttng-ust at exit.
 */
#ifndef TW_TRACER_FDS_H
#define TW_TRACER_FDS_H

/*
 * fd moved to the lowest free number from min(want, soft RLIMIT_NOFILE -
 * spare) on, its close-on-exec flag kept, errno too; fd itself where
 * there is no such room or the move fails.
 */
int tw_fd_up(int fd, long want, long spare);

/*
 * lttng-ust's long-lived descriptors (its sockets to the session daemon,
 * the buffers' shm and wakeup pipes it makes or receives), out of the
 * program's low range: a dup2 onto a number the program knows it never
 * opened (bash's `exec 3>file`) would otherwise make lttng-ust write its
 * messages and wakeup bytes into the program's file. Below our own (up to
 * 4,096) with room for a few hundred CPUs' streams.
 */
#define TW_TRACER_FD_FROM 2048
#define TW_TRACER_FD_SPARE 512
int tw_tracer_fd_up(int fd);

/* A socket lttng-ust made: moved up as above, and remembered; its number. */
int tw_tracer_socket_made(int fd);
/*
 * In a fork child that keeps its parent's channels (emit.c): lttng-ust's
 * sockets to the session daemon are its parent's connection, which no
 * thread of the child reads. Each becomes /dev/null under the same number
 * (lttng-ust closes it at exit), so that the session daemon sees the
 * parent's end when the parent ends, and never waits on the child.
 */
void tw_tracer_sockets_drop(void);

/* close(fd) unless the tracer's: then -1 with EBADF. */
int tw_close_guarded(int fd);
/* close_range over the program's descriptors only: 0 or -1 with errno. */
int tw_close_range_guarded(unsigned int first, unsigned int last, int flags);

#endif
