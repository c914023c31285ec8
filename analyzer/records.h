/* SPDX-License-Identifier: MIT */
/*
 * Calls rebuilt from the event stream: a begin, an end, the piece checksums
 * and msync page checksums, all named by the call's id.
 */
#ifndef TW_RECORDS_H
#define TW_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include "call-index.h"
#include "loss.h"
#include "map-modes.h"
#include "pid-index.h"
#include "trace-reader.h"
#include "lifetimes.h"
#include "symbols.h"

struct tw_crcs {
	uint64_t offset;	/* file offset of the first piece */
	uint64_t length;	/* bytes covered */
	uint32_t *crc;
	size_t n;
};

struct tw_page_crcs {
	uint64_t page;
	uint32_t crc[16];	/* one per grain block of the page */
};

#define TW_LATER_MAX 8

/* What a record is, besides a call with a begin and an end. */
enum tw_note {
	TW_NOTE_NONE = 0,
	TW_NOTE_TOUCH,		/* an in-flight buffer stored into or released */
	TW_NOTE_WAIT,		/* a wait returned with I/O in flight */
	TW_NOTE_SIGNAL,		/* a signal delivered with I/O in flight */
};

struct tw_rec {
	int64_t t_begin;
	int64_t t_end;		/* INT64_MAX while the call has not returned */
	int32_t pid;
	int32_t tid;
	uint32_t host;		/* hosts.h */
	int64_t t_open;		/* when its fd was opened, if models need it; else 0 */
	uint64_t cid;
	const char *call;	/* a static name */
	int op;
	int fd;
	int flags;
	uint64_t dev;
	uint64_t ino;
	int64_t offset;
	uint64_t length;
	int64_t ret;
	int err;
	int ended;
	struct tw_crcs data;	/* what was transferred */
	struct tw_crcs old;	/* what a store overwrote */
	struct tw_page_crcs *pages[2];	/* msync: before / during the call */
	size_t npages[2];
	unsigned int blocks_per_page;
	/*
	 * An asynchronous I/O: submitted at t_begin, its completion seen at
	 * t_end; data holds what a write submitted or a read delivered.
	 */
	int aio;
	int engine;		/* enum tw_engine */
	int opcode;
	int seen;		/* enum tw_seen */
	uint64_t ctx;
	uint64_t id;
	int64_t size;		/* file size at submission */
	const char *done_call;	/* where the completion was seen */
	struct tw_crcs *later;	/* a write's buffer since: TW_LATER_MAX room */
	size_t nlater;
	/* A note (t_end == t_begin, never ended): touch, wait or signal. */
	int note;		/* enum tw_note */
	int anywhere;		/* opaque data written to no file known: any file */
	size_t io;		/* touch: the I/O's record */
	int released;
	int signo;
	uint64_t addr;
	uint64_t inflight;
	uint64_t missed;	/* completions a ring lost */
	/* Streaming: what the rules and the cite store need to know. */
	int closed;		/* no event of this call will come any more */
	int overdue;		/* open too long: judged as if it never ended */
	int pinned;		/* an anomaly cites it: kept to the report */
	uint32_t refs;		/* versions made by it, stores synced by it */
	size_t synced_by;	/* a store: the msync that made it visible */
	int64_t t_last_touch;	/* an I/O: its last touch note */
	int touch_released;	/* an I/O: a touch released its buffer */
	/* Where the call was made, where its completion was seen (symbols.h). */
	uint32_t stack;
	uint32_t done_stack;
};

/* A close or an fsync of a file: what non-posix models publish with. */
struct tw_barrier {
	uint64_t dev;
	uint64_t ino;
	uint32_t host;
	int fsync;
	int64_t t_begin;
	int64_t t_end;
};

/* The newest open of an fd by a process on a host. */
struct tw_fd_open {
	uint32_t host;
	int32_t pid;
	int32_t fd;
	int64_t ts;
};

struct tw_file_name {
	uint64_t dev;
	uint64_t ino;
	char *path;
};

/*
 * A new image that was exec'd or spawned and never registered, or a clone
 * the tracer does not follow (why: enum tw_exec_env): not traced.
 */
struct tw_untraced {
	int32_t pid;
	int32_t why;
	int32_t tid;		/* the clone's caller */
	char path[256];
};

/*
 * Records live in a window, in order of begin, named by a global index:
 * record g is in the window while first <= g < end, a ring so that pruning
 * moves nothing (tw_rec_at). The rules prune the
 * window's front; a pruned record something still names (a version it
 * made, an anomaly that cites it, a call still open) moves to the cite
 * store, without its checksums unless it is still open.
 */
struct tw_records {
	struct tw_rec *rec;	/* the window: a ring of cap */
	size_t nwin, cap;
	size_t head;		/* where record first is in rec */
	size_t first;		/* global index of the window's first record */
	size_t end;		/* global index of the next record: calls so far */
	struct tw_call_index cited;	/* global index -> struct tw_rec * */
	size_t ncited;
	size_t open_floor;	/* every record before it is closed or overdue */
	int64_t t_first;	/* begin of the first record */
	int64_t now;		/* timestamp of the newest event */
	struct tw_call_index calls;	/* calls and I/Os not yet ended */
	struct tw_file_name *names;	/* open addressing by (dev, ino) */
	size_t nnames, capnames;
	int64_t *lost_ts;	/* when the tracer lost events or packets */
	size_t nlost, caplost;
	uint64_t lost_events;
	uint64_t lost_packets;
	struct tw_loss loss;	/* losses placed in their stream */
	/*
	 * What the session's channel counted itself (tornwatch run reads it
	 * from liblttng-ctl); more than the trace shows is a loss placed
	 * nowhere: every verdict is uncertain.
	 */
	int session_counted;
	uint64_t session_discarded, session_lost;
	int unplaced_loss;
	const char *session_filter;	/* what the session recorded, or NULL */
	/* Writes into process memory (process_vm_writev, /proc/PID/mem) */
	uint64_t mem_writes;	/* that may have changed any file, from */
	int64_t t_mem_write;	/* the first one's begin on */
	/*
	 * Forked children writing into their parents' per-process buffers:
	 * what they wrote once the parent exited is not in the trace, so
	 * every verdict from the first one's start on is uncertain.
	 */
	uint64_t parent_buffered;
	int32_t parent_buffered_pid;
	int64_t t_parent_buffered;
	uint64_t events;
	uint64_t orphans;	/* ends or pieces with no matching begin */
	uint64_t late_ends;	/* calls that returned after TW_OPEN_WAIT_NS */
	int32_t *pids;		/* every traced process */
	size_t npids, cappids;
	struct tw_pid_index pid_at;	/* where each is in pids */
	uint64_t missed;	/* completions of I/O no event describes */
	int32_t missed_pid;	/* the first process they were found in */
	int64_t t_missed;	/* and when */
	int32_t root_pid;	/* non-zero: only this process tree counts */
	int32_t *tree;		/* its processes, as their start events came */
	size_t ntree, captree;
	struct tw_pid_index tree_at;	/* where each is in tree */
	uint64_t foreign;	/* events of processes outside it */
	uint64_t exec_restored;	/* execs whose environment lost LD_PRELOAD, put back */
	uint64_t exec_dropped;	/* the same, left lost (TORNWATCH_FOLLOW_EXEC=0) */
	struct tw_map_modes modes;	/* who saw the stores, per file */
	struct tw_untraced *untraced;	/* execs not followed by a start (yet) */
	size_t nuntraced, capuntraced;
	unsigned int page_size;
	struct tw_lifetimes *lives;	/* numbers whose last name went away */
	/* Kept only when a model other than posix is asked for (hosts.h). */
	struct tw_barrier *barriers;	/* in order of end */
	size_t nbarriers, capbarriers;
	struct tw_fd_open *fdopen;
	size_t nfdopen, capfdopen;
	struct tw_symbols *syms;	/* call stacks and where binaries were mapped */
	uint64_t stacks_orphaned;	/* stacks naming no call known */
};

/* The path (dev, ino) was opened by, or NULL. */
const char *tw_records_name(const struct tw_records *r, uint64_t dev,
			    uint64_t ino);

/* Walks the pieces of a checksum run: grain block, byte range inside it, CRC. */
struct tw_piece {
	const struct tw_crcs *cr;
	uint64_t pos;
	size_t i;
	uint64_t blk;
	unsigned int lo;
	unsigned int hi;
	uint32_t crc;
};

void tw_piece_start(struct tw_piece *p, const struct tw_crcs *cr);
/* 1 while there is a piece: its block, range and CRC are in p. */
int tw_piece_next(struct tw_piece *p);

/* window.c: the window of records and the cite store. */
void tw_rec_free_crcs(struct tw_rec *x);
/* Record g, in the window or the cite store; NULL once it is gone. */
struct tw_rec *tw_rec_find(const struct tw_records *r, size_t g);
/* Record g of the window (first <= g < end). */
static inline struct tw_rec *tw_rec_at(const struct tw_records *r, size_t g)
{
	size_t k = r->head + (g - r->first);

	return &r->rec[k < r->cap ? k : k - r->cap];
}
/* An anomaly cites g: kept to the report, with the records it names. */
void tw_records_pin(struct tw_records *r, size_t g);
/* One more, or one fewer, thing names g (a version, a synced store). */
void tw_records_ref(struct tw_records *r, size_t g);
void tw_records_unref(struct tw_records *r, size_t g);
/* n fewer things name g. */
void tw_records_unref_n(struct tw_records *r, size_t g, uint32_t n);
/* The first record of the window begun at t or later (records are in order of begin). */
size_t tw_records_first_begun(const struct tw_records *r, int64_t t);
/* Drops the window's records before g: 0, or -ENOMEM. */
int tw_records_prune(struct tw_records *r, size_t g);
/*
 * Open calls begun more than TW_OPEN_WAIT_NS before the newest event stop
 * holding the rules back: they are judged as never ended. The floor moves.
 */
#define TW_OPEN_WAIT_NS (60ll * 1000000000ll)
void tw_records_settle_floor(struct tw_records *r);

void tw_records_init(struct tw_records *r);
void tw_records_free(struct tw_records *r);
/* 0, or -ENOMEM. */
int tw_records_add(struct tw_records *r, const struct tw_event *ev);
const char *tw_records_path(const struct tw_records *r, uint64_t dev,
			    uint64_t ino);
/* Lost events before t make what happened before t incomplete. */
int tw_records_lost_before(const struct tw_records *r, int64_t t);

#endif
