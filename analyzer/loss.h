/* SPDX-License-Identifier: MIT */
/*
 * Losses placed in their stream and time. The reader side (loss-reader.c)
 * watches each CTF stream's packets: a first packet whose sequence number
 * is not 0 lost the packets before it, a stream ending before its trace
 * does lost its last ones; between packets libbabeltrace2 counts the loss
 * itself. Each loss reaches the records as a TW_EV_DISCARDED event naming
 * its stream and time range.
 *
 * The records side (loss.c) learns which processes and files each stream
 * carried, so that a loss makes uncertain only the anomalies it may have
 * hidden events of.
 */
#ifndef TW_LOSS_H
#define TW_LOSS_H

#include "pid-index.h"
#include <stddef.h>
#include <stdint.h>
#include "trace-reader.h"

/* A stream's final packet is closed at session stop; the flushes of all
 * streams take far less than this. */
#define TW_LOSS_END_SLACK_NS 20000000

struct tw_loss_file {
	uint64_t dev;
	uint64_t ino;
};

#define TW_LOSS_FILES_MAX 64

/* What one stream carried, as far as what is left of it says. */
struct tw_loss_stream {
	int32_t *pids;
	size_t npids, cappids;
	struct tw_pid_index pid_at;	/* where each is in pids */
	struct tw_loss_file files[TW_LOSS_FILES_MAX];
	size_t nfiles;
	int many_files;		/* more than TW_LOSS_FILES_MAX: any file */
};

struct tw_loss_range {
	int64_t lo, hi;
	uint32_t stream;	/* from 1 */
};

struct tw_loss {
	struct tw_loss_stream *streams;	/* by stream number - 1 */
	size_t nstreams;
	struct tw_loss_range *ranges;
	size_t nranges, capranges;
	uint64_t at_start;	/* packets lost at a stream's start */
	uint64_t at_end;	/* streams cut short at their end */
};

void tw_loss_free(struct tw_loss *l);
/* Notes which process and file an event's stream carried: 0 or -ENOMEM. */
int tw_loss_note(struct tw_loss *l, const struct tw_event *ev);
/*
 * Keeps a TW_EV_DISCARDED event that names its stream: 1 when kept, 0 when
 * it has no stream (what is lost is then placed in time only), -ENOMEM.
 */
int tw_loss_add(struct tw_loss *l, const struct tw_event *ev);
/*
 * Whether a loss that began by t, in a stream that carried events of pid
 * or of file dev:ino (or of no one known), may hide what a call needs.
 */
int tw_loss_affects(const struct tw_loss *l, int32_t pid, uint64_t dev,
		    uint64_t ino, int64_t t);

/* Reader side: each stream's packets, while the graph runs. */
struct tw_loss_seen {
	const void *stream;	/* the bt_stream, NULL once it ended */
	const void *trace;	/* the bt_trace */
	uint32_t trace_no;	/* streams of one trace share it */
	int64_t end;		/* its last packet's end, ns */
	int64_t vpid;		/* a per-process buffer's process, or 0 */
	int packets;		/* packets begun */
	int has_end;
};

struct tw_loss_reader {
	struct tw_loss_seen *s;
	size_t n, cap;
	size_t last;		/* the stream last looked up */
	/* Each stream's newest entry in s, by address: index + 1, 0 free. */
	const void **key;
	uint32_t *at;
	size_t nkey, capkey;
};

struct bt_message;
struct bt_stream;

/* The number of a stream (from 1), 0 when it was never begun. */
uint32_t tw_loss_reader_stream(struct tw_loss_reader *lr,
			       const struct bt_stream *stream);
/* The process a stream's per-process buffer is of (its trace's env), or 0. */
int64_t tw_loss_reader_vpid(const struct tw_loss_reader *lr, uint32_t stream);
/*
 * Follows stream and packet messages; fills ev and returns 1 when the
 * message shows a loss, 0 when not, -ENOMEM.
 */
int tw_loss_reader_message(struct tw_loss_reader *lr,
			   const struct bt_message *msg, struct tw_event *ev);
/*
 * Once every stream ended: fills ev with the next stream cut short at its
 * end, from *pos on, and returns 1; 0 when there is none left.
 */
int tw_loss_reader_cut_short(struct tw_loss_reader *lr, size_t *pos,
			     struct tw_event *ev);
void tw_loss_reader_free(struct tw_loss_reader *lr);

#endif
