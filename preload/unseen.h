/* SPDX-License-Identifier: MIT */
/*
 * Files written by means no hook sees (stdio's and POSIX AIO's internal
 * writes): marked, so that the analyzer leaves their reads undecided
 * instead of calling data it never saw unknown.
 */
#ifndef TW_UNSEEN_H
#define TW_UNSEEN_H

#include <stdint.h>

/* Marks of stdio (by FILE) and of POSIX AIO (by aiocb) now open. */
extern int tw_unseen_stdio_n;
extern int tw_unseen_aio_n;

/*
 * fd names a regular file open for writing: mark it as written through
 * key (a FILE *, an aiocb *) from now on. how: TW_UNSEEN_STDIO or
 * TW_UNSEEN_POSIX_AIO. Already marked for key and file: nothing new.
 * From a hook at depth 1, tracing on.
 */
void tw_unseen_mark(const char *call, int fd, const void *key, int how);
/* key's marks end: the FILE was closed, the aiocb's I/O is done. */
void tw_unseen_release_key(const char *call, const void *key);
/* fd was closed or now names another file: stdio cannot reach it through fd. */
void tw_unseen_fd_gone(const char *call, int fd);
/* fd was just made (open, dup, dup2, F_DUPFD): fd 1 or 2 is stdout's, stderr's. */
void tw_unseen_fd_made(const char *call, int fd);
/* A file_open event naming what fd names (libc's own open was not seen). */
void tw_unseen_name(const char *call, int fd);
/* The library came up: stdout and stderr may already be files. */
void tw_unseen_start(void);
/* Before fork: a child inherits the open marks (buffers, in-flight I/O). */
void tw_unseen_fork(void);

#endif
