/* SPDX-License-Identifier: MIT */
/*
 * What the tracer knows of each descriptor of this process, so that a hook
 * need not ask the kernel (an fstat on FUSE refreshes the file's size from
 * the daemon and changes what the program sees).
 */
#ifndef TW_FDTABLE_H
#define TW_FDTABLE_H

#include <stdint.h>

struct tw_fd {
	uint64_t dev;
	uint64_t ino;
	int flags;		/* status flags: O_APPEND, O_DIRECT, ... */
	int regular;
};

/* Fills *f; 0 when fd is known or was looked up, a negative errno if not. */
int tw_fd_get(int fd, struct tw_fd *f);

/* A new descriptor, whatever made it: what was known of the number is gone. */
void tw_fd_forget(int fd);
void tw_fd_forget_range(unsigned int first, unsigned int last);

/* new shares old's open file description (dup family, F_DUPFD). */
void tw_fd_dup(int old, int new);

/* F_SETFL: the status flags the kernel kept. */
void tw_fd_setfl(int fd, int flags);

/* The size the kernel holds now, without asking a FUSE daemon; -1 if unknown. */
int64_t tw_fd_size(int fd);

/*
 * Around a call that uses the fd's shared offset: true at the end when
 * another call on the same fd overlapped it, so the offset derived from
 * the position after the call may be another call's.
 */
uint32_t tw_fd_busy_begin(int fd, int *overlapped);
int tw_fd_busy_end(int fd, uint32_t seq, int overlapped);

#endif
