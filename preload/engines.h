/* SPDX-License-Identifier: MIT */
/*
 * What the libaio and io_uring hooks share with libc's syscall(): the same
 * operations entered by a program that makes the system calls itself.
 * Every function here runs at hook depth 1; results are the kernel's
 * (a negative errno on failure).
 */
#ifndef TW_ENGINES_H
#define TW_ENGINES_H

#include <stddef.h>
#include <stdint.h>

struct iocb;
struct io_event;

void tw_aio_submitting(const char *call, uint64_t ctx, long nr,
		       struct iocb **ios);
void tw_aio_submitted(const char *call, uint64_t ctx, long nr,
		      struct iocb **ios, long ret);
void tw_aio_reaped(const char *call, uint64_t ctx, long min_nr, long ret,
		   const struct io_event *ev);
void tw_aio_cancelled(const char *call, uint64_t ctx, const struct iocb *iocb,
		      long ret, const struct io_event *ev);
void tw_aio_destroying(const char *call, uint64_t ctx);
/* Contexts the kernel made and destroyed: only their rings are read. */
void tw_aio_context_made(uint64_t ctx);
void tw_aio_destroyed(uint64_t ctx, long ret);

/* A ring set up by io_uring_setup(2) itself: its memory comes by mmap. */
void tw_uring_setup_done(int fd, const void *params);
/* mmap of a ring's fd at one of its IORING_OFF_* offsets. */
void tw_uring_mapped(int fd, int64_t offset, void *addr);
extern int tw_uring_raw_rings;	/* rings waiting for their mmaps */
void tw_uring_entering(const char *call, int fd);
void tw_uring_entered(const char *call, int fd, long ret);
void tw_uring_registered(int fd, unsigned int opcode, const void *arg,
			 unsigned int nr, long ret);
void tw_uring_closing(int fd);
/* Before munmap: a ring whose memory goes is scanned a last time, then forgotten. */
void tw_uring_unmapping(const void *addr, size_t len);

#endif
