/* SPDX-License-Identifier: MIT */
/*
 * The trace ABI: the records the preload fills and the tracepoints copy into
 * the trace, and the numbers both sides agree on. Shared by the provider
 * (tracepoints/tornwatch-tp.h), the hooks and the analyzer; no LTTng types.
 *
 * Format 2: every event of one call carries the call's id (cid): the tid
 * of the thread that made the call in the high 32 bits, that thread's
 * sequence in the low 32, so it is unique within a process. Follow-up
 * events (pieces, sync pages, completions, touches) name the call by it.
 */
#ifndef TORNWATCH_EVENTS_H
#define TORNWATCH_EVENTS_H

#include <stdint.h>
#include "tw-calls.h"

/* In every process event; the analyzer refuses other versions. */
#define TW_FORMAT_VERSION 2

/* What a call does to file data; the analyzer's model keys on it. */
enum tw_op {
	TW_OP_READ = 0,		/* file → memory by a system call */
	TW_OP_WRITE = 1,	/* memory → file by a system call */
	TW_OP_STORE = 2,	/* store into a MAP_SHARED file mapping */
	TW_OP_LOAD = 3,		/* load from a MAP_SHARED file mapping */
	TW_OP_MSYNC = 4,
	TW_OP_FSYNC = 5,	/* fsync, fdatasync, sync_file_range */
	TW_OP_OTHER = 6,	/* close and the like: context only */
	TW_OP_ZERO = 7,		/* [offset, offset+length) now reads as zeros; */
				/* length 0: to the end (truncate, punch hole) */
	TW_OP_OPAQUE = 8,	/* [offset, offset+ret) written with data not seen */
				/* (copy_file_range, sendfile, splice) */
	TW_OP_UNLINK = 9,	/* a name of (dev, ino) removed (unlink, rename */
				/* over it); flags: the links it had before */
	TW_OP_UNSEEN = 10,	/* a marker, no data: see enum tw_unseen_flag */
};

/*
 * TW_OP_UNSEEN's flags. Some writers reach the kernel through libc's
 * internal write, past every hook: stdio flushing a FILE, glibc's POSIX
 * AIO helper threads. A mark says the file (dev, ino, through fd) may be
 * written so from its begin on, until a release names the mark by its cid
 * (in addr), or the process execs, or forever.
 */
enum tw_unseen_flag {
	TW_UNSEEN_MARK = 1,	/* may be written unseen from now on */
	TW_UNSEEN_RELEASE = 2,	/* the mark whose cid is addr ended */
	TW_UNSEEN_FORK = 4,	/* about to fork with marks open: the child */
				/* inherits them (buffers, in-flight I/O) */
	TW_UNSEEN_STDIO = 16,	/* through a FILE */
	TW_UNSEEN_POSIX_AIO = 32,	/* aio_write, lio_listio */
};

/* Which bytes a piece checksum describes. */
enum tw_piece_kind {
	TW_PIECE_DATA = 0,	/* the bytes transferred */
	TW_PIECE_OLD = 1,	/* what a store is about to overwrite */
	TW_PIECE_LATER = 2,	/* an in-flight write's buffer, after a store */
				/* into it or at its completion */
};

/* Who carried an asynchronous I/O. */
enum tw_engine {
	TW_ENGINE_LIBAIO = 1,
	TW_ENGINE_URING = 2,
};

/* Checksum grain: pieces are a transfer's intersection with each grain-aligned block of the file. */
#define TW_GRAIN 512u

struct tw_call {
	int32_t pid;
	int32_t tid;
	uint64_t cid;		/* the call's id */
	uint16_t fn;		/* enum tw_fn */
	int32_t op;		/* enum tw_op */
	int32_t fd;		/* -1 for mapping operations */
	uint64_t dev;
	uint64_t ino;
	int64_t offset;		/* file offset; -1 when not known before the call */
	uint64_t length;	/* bytes asked for */
	uint64_t addr;		/* memory address of the user buffer or mapping */
	int64_t ret;		/* end only */
	int32_t err;		/* errno at end, 0 on success */
	int32_t flags;
};

struct tw_pieces {
	int32_t pid;
	int32_t tid;
	uint64_t cid;		/* the call (or asynchronous I/O) they belong to */
	uint64_t offset;	/* file offset of the first byte covered */
	uint32_t length;	/* bytes covered by these checksums */
	int32_t kind;		/* enum tw_piece_kind */
	uint32_t count;
	const uint32_t *crc;
};

struct tw_sync_pages {
	int32_t pid;
	int32_t tid;
	uint64_t cid;		/* the msync span call */
	int32_t phase;		/* 0: changed before msync ran, 1: changed while it ran */
	uint32_t count;		/* pages */
	const uint64_t *page;	/* page indices */
	const uint32_t *crc;	/* count × blocks_per_page block checksums */
	uint32_t blocks_per_page;
};

struct tw_file_open {
	int32_t pid;
	int32_t tid;
	uint16_t fn;
	int32_t fd;
	int32_t flags;
	uint64_t dev;
	uint64_t ino;
	const char *path;
	/*
	 * The file system's handle for the file (name_to_handle_at): its type
	 * and bytes, handle_len 0 where the file system gives none.
	 */
	int32_t handle_type;
	uint8_t handle_len;
	const uint8_t *handle;
};

/* MAX_HANDLE_SZ: the largest handle the kernel encodes. */
#define TW_HANDLE_MAX 128

struct tw_map {
	int32_t pid;
	int32_t tid;
	uint16_t fn;		/* mmap, munmap, mremap */
	uint64_t addr;
	uint64_t length;
	uint64_t new_addr;	/* mremap */
	uint64_t new_length;
	int32_t fd;
	int32_t prot;
	int32_t flags;
	uint64_t dev;
	uint64_t ino;
	int64_t offset;		/* file offset of addr */
	int64_t ret;
	int32_t err;
	uint8_t track;		/* mmap: enum tw_track */
	int16_t track_err;	/* mmap: why the kernel refused to track it, errno */
};

/* Who sees the stores into a mapping (mmap events); 0: a tracer that did not say. */
enum tw_track {
	TW_TRACK_HOOKS = 1,	/* the memcpy family's hooks only */
	TW_TRACK_KERNEL = 2,	/* the kernel marks every written page */
};

/* One asynchronous I/O handed to the kernel (an iocb, an SQE). */
struct tw_aio_submit {
	struct tw_call c;	/* op, fd, dev, ino, offset, length, addr */
	int32_t engine;		/* enum tw_engine */
	int32_t opcode;		/* the engine's own opcode */
	uint64_t ctx;		/* io_context_t, or the ring's fd */
	uint64_t id;		/* iocb address, or user_data */
	int64_t size;		/* file size at submission */
	uint32_t nseg;		/* buffers (iovec entries) */
};

/* Its completion, as the tracer saw it. */
struct tw_aio_complete {
	int32_t pid;
	int32_t tid;
	uint16_t fn;		/* where it was seen */
	uint64_t cid;		/* the submission's */
	int64_t res;
	int64_t res2;		/* libaio res2, io_uring CQE flags */
	int32_t seen;		/* enum tw_seen */
};

/* How the tracer came to know of a completion. */
enum tw_seen {
	TW_SEEN_FIRST = 0,	/* before the program did: the buffer is evidence */
	TW_SEEN_LATE = 1,	/* the program had consumed it already: its */
				/* buffer is no longer the I/O's */
	TW_SEEN_NEVER = 2,	/* the context was destroyed with it in flight */
	TW_SEEN_REFUSED = 3,	/* the submission was refused: no I/O happened */
};

/* The program freed, unmapped or stored into an in-flight buffer. */
struct tw_aio_touch {
	int32_t pid;
	int32_t tid;
	uint16_t fn;
	uint64_t cid;		/* the I/O's submission */
	uint64_t addr;
	uint64_t length;
	int32_t released;	/* free, realloc, munmap: no longer the program's */
};

/*
 * Where in the program a call was made: return addresses, innermost first,
 * the tracer's own frames left out. Symbolized by the analyzer from the
 * trace's lttng_ust_statedump:bin_info events.
 */
#define TW_STACK_MAX 64

enum tw_stack_kind {
	TW_STACK_CALL = 0,	/* the call cid names, at its begin */
	TW_STACK_DONE = 1,	/* where the completion of I/O cid was seen */
	TW_STACK_TOUCH = 2,	/* a touch of I/O cid's buffer (aio_touch) */
};

struct tw_stack {
	int32_t pid;
	int32_t tid;
	uint64_t cid;
	uint8_t kind;		/* enum tw_stack_kind */
	uint16_t count;
	uint64_t ip[TW_STACK_MAX];
};

/* A wait that returned with I/O still in flight: -EINTR, a timeout, short. */
struct tw_aio_wait {
	int32_t pid;
	int32_t tid;
	uint16_t fn;
	int32_t engine;
	uint64_t ctx;
	int64_t ret;
	int32_t err;
	uint32_t inflight;	/* this context's I/Os still in flight */
	uint64_t missed;	/* completions lost to a ring wrap */
};

struct tw_signal {
	int32_t pid;
	int32_t tid;
	int32_t signo;
	int32_t code;
};

/* Why a process event was written. */
enum tw_start {
	TW_START_EXEC = 0,	/* the preload came up in a new image */
	TW_START_FORK = 1,	/* the child of a fork */
};

struct tw_process {
	int32_t pid;
	int32_t ppid;
	int32_t tid;
	int32_t what;		/* enum tw_start */
	const char *exe;
	uint32_t page_size;
	/* The kernel's NTP state at start (adjtimex): the clock's own error. */
	uint8_t clock_sync;		/* enum tw_clock_sync */
	int64_t clock_maxerror_us;	/* its maximum error, when synchronized */
};

enum tw_clock_sync {
	TW_CLOCK_UNKNOWN = 0,		/* not asked (traces before this field) */
	TW_CLOCK_SYNCED = 1,
	TW_CLOCK_UNSYNCED = 2,		/* TIME_ERROR: no time source disciplines it */
};

/* How an exec or spawn passed the tracer's environment on. */
enum tw_exec_env {
	TW_EXEC_ENV_KEPT = 0,		/* the new environment still had it */
	TW_EXEC_ENV_RESTORED = 1,	/* put back: the new image is traced */
	TW_EXEC_ENV_DROPPED = 2,	/* lost, TORNWATCH_FOLLOW_EXEC=0 */
	/*
	 * A clone the tracer does not follow (child: its pid): CLONE_VM on
	 * the caller's TLS, which the calling thread (tid) is not traced
	 * while it shares; or a process sharing the caller's descriptors,
	 * among them lttng-ust's own, which its re-registration would close.
	 */
	TW_EXEC_ENV_CLONE_TLS = 3,
	TW_EXEC_ENV_CLONE_FILES = 4,
};

/*
 * An exec (child == pid, before the call; again with err set when it
 * returned) or a spawn (child: the new process, after the call).
 */
struct tw_exec {
	int32_t pid;
	int32_t tid;
	int32_t ppid;		/* a vfork child has no start event of its own */
	int32_t child;
	int32_t restored;	/* enum tw_exec_env */
	int32_t err;
	const char *path;
};

#endif
