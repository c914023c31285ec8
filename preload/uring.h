/* SPDX-License-Identifier: MIT */
/* io_uring rings known to the tracer (uring-ring.c), for the liburing hooks. */
#ifndef TW_URING_H
#define TW_URING_H

struct io_uring;
struct tw_ring;

/* Rings known: zero keeps close() and mmap() on their fast path. */
extern int tw_uring_rings;

/* The ring behind a liburing struct io_uring, registered on first sight. */
struct tw_ring *tw_ring_of(struct io_uring *u);
/* Before a submission: SQEs up to sqe_tail; also scans for completions. */
void tw_uring_submitting(struct tw_ring *r, const char *call,
			 unsigned int sqe_tail);
/* After a call that may have waited: completions, and an early return. */
void tw_uring_reaped(struct tw_ring *r, const char *call, long ret);
void tw_uring_files(struct tw_ring *r, const int *files, unsigned int nr);
void tw_uring_after_fork_child(void);
/* Scans every known ring for completions; call names where they were seen. */
void tw_uring_poll_all(const char *call);

#endif
