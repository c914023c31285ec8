/* SPDX-License-Identifier: MIT */
/*
 * Reads tornwatch events out of one or more CTF traces with a libbabeltrace2
 * graph (source.ctf.fs per trace → utils.muxer → our sink) and hands them,
 * in timestamp order, to a callback as flat records.
 */
#ifndef TW_TRACE_READER_H
#define TW_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>
#include "tornwatch-events.h"

enum tw_ev_type {
	TW_EV_CALL_BEGIN,
	TW_EV_CALL_END,
	TW_EV_PIECES,
	TW_EV_SYNC_PAGES,
	TW_EV_FILE_OPEN,
	TW_EV_MAP,
	TW_EV_PROCESS,
	TW_EV_AIO_SUBMIT,
	TW_EV_AIO_COMPLETE,
	TW_EV_AIO_TOUCH,
	TW_EV_AIO_WAIT,
	TW_EV_SIGNAL,
	TW_EV_EXEC,
	TW_EV_DISCARDED,	/* events or packets lost by the tracer */
	TW_EV_READING,		/* every trace opened, its metadata parsed */
	TW_EV_STACK,		/* return addresses of call cid (page, npage) */
	/*
	 * lttng-ust's statedump and dlopen events, pid from their vpid
	 * context: a binary (path) mapped at addr for length bytes, and the
	 * start of a process's statedump.
	 */
	TW_EV_BIN_INFO,
	TW_EV_BIN_START,
};

/* Where in its stream a loss was (loss.h). */
enum tw_lost_at {
	TW_LOST_BETWEEN,	/* between two packets: the tracer's own count */
	TW_LOST_AT_START,	/* the stream's first packets */
	TW_LOST_AT_END,		/* its last ones: it ends before its trace */
};

/* One event, its integers widened to 64 bits; strings last (see decoding). */
struct tw_event {
	enum tw_ev_type type;
	int64_t ts;		/* ns from the clock's origin */
	int64_t pid, tid, ppid;
	uint64_t cid;		/* the call an event belongs to */
	int64_t fn;		/* enum tw_fn: payload member "call" */
	int64_t what, format;
	int64_t op, fd, flags, prot, kind, grain, phase, err, page_size;
	uint64_t dev, ino, length, addr, new_addr, new_length;
	int64_t offset, ret;
	int64_t engine, opcode, size, nseg, res, res2, seen, released;
	int64_t signo, code;
	int64_t child, restored;
	int64_t track, track_err;	/* mmap: enum tw_track, the refusal's errno */
	int64_t clock_sync, clock_maxerror;	/* process: enum tw_clock_sync, µs */
	uint64_t ctx, id, inflight, missed;
	uint64_t count;		/* TW_EV_DISCARDED: how many (0: unknown) */
	int packets;		/* TW_EV_DISCARDED: 1 when packets were lost */
	int lost_at;		/* TW_EV_DISCARDED: enum tw_lost_at */
	int64_t lost_end;	/* TW_EV_DISCARDED: the lost range is [ts, lost_end] */
	uint32_t stream;	/* the CTF stream it came in, from 1; 0: unknown */
	uint32_t host;		/* its trace's host (hosts.h), from 0 */
	/*
	 * process: a forked child's start found in another process's
	 * per-process buffer (it kept its parent's channels, emit.c)
	 */
	int in_parent_buffers;
	const uint32_t *crc;	/* valid during the callback only */
	size_t ncrc;
	const uint64_t *page;
	size_t npage;
	int64_t handle_type;	/* file_open: the file handle's type, */
	size_t nhandle;		/* its length (0: none) */
	char path[4096];
	char exe[256];
	uint8_t handle[TW_HANDLE_MAX];	/* and bytes */
};

struct tw_trace_stats {
	uint64_t traces;		/* CTF trace directories read */
	uint64_t events;		/* tornwatch events */
	uint64_t other_events;		/* events of other providers */
	uint64_t old_format_events;	/* tornwatch events of trace format 1 */
	uint64_t processes;		/* process events of this format */
	uint64_t discarded_events;	/* as counted by the tracer */
	uint64_t discarded_packets;
};

/* Return non-zero to stop reading (tw_trace_read then fails with that cause). */
typedef int (*tw_event_fn)(const struct tw_event *ev, void *data);

/*
 * Returns 0 when every trace under dirs was read to its end, -1 otherwise
 * with a one-line cause in err (no trailing newline), e.g.
 * `cannot read trace "DIR": no CTF metadata found`.
 */
int tw_trace_read(const char *const *dirs, size_t ndirs, tw_event_fn fn,
		  void *data, struct tw_trace_stats *stats, char *err,
		  size_t errlen);

#endif
