/* SPDX-License-Identifier: MIT */
/* The verdicts of ../shared/design.md, drawn from the rebuilt calls. */
#ifndef TW_RULES_H
#define TW_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "records.h"

enum tw_kind {
	TW_TORN_READ,
	TW_STALE_READ,
	TW_UNKNOWN_DATA,
	TW_SYNC_RACE,
	TW_PHANTOM_WRITE,	/* an abandoned write's buffer changed: the file */
				/* got data no one asked for */
	TW_ABANDONED_IO,	/* buffer freed or unmapped while in flight */
	TW_BUFFER_MODIFIED,	/* a write's buffer changed while in flight */
	TW_SHORT_READ,		/* an async read completed short, not at EOF */
	TW_INCOHERENT_VIEW,	/* a load from a mapping shows older data */
};

enum tw_state {
	TW_S_NEW,	/* the version required, or a later one */
	TW_S_OLD,	/* a version older than required */
	TW_S_UNKNOWN,	/* no version anyone traced produced */
	TW_S_CHANGED,	/* changed while a sync ran */
	TW_S_UNDECIDED,	/* nothing to compare with */
	TW_S_NOT_READ,	/* asked for, not delivered */
	TW_S_RELEASED,	/* its buffer was released while the I/O was in flight */
	TW_S_COUNT,
};

struct tw_page_entry {
	uint64_t index;
	uint64_t offset;	/* the bytes of this page the access covered */
	uint64_t length;
	int state;
};

struct tw_anomaly {
	int kind;
	size_t rec;		/* the read, or the msync that was raced */
	uint64_t dev;
	uint64_t ino;
	uint64_t offset;
	uint64_t length;
	int uncertain;		/* one of the below, or another cause of doubt */
	int lost;		/* uncertain: events it depends on may be lost */
	int unseen_io;		/* uncertain: async I/O no event describes ran */
	int unseen_stores;	/* uncertain: a mapping of its file was not write-tracked */
	int untracked;		/* sync_race: a change no hooked store explains */
	int dropped;		/* explained by another anomaly */
	int history_cut;	/* unknown data that may be older than the kept versions */
	int model;		/* 1 + enum tw_model that judged a version of another host; 0: none */
	uint32_t whost;		/* that version's host */
	struct tw_records *r;	/* whose records it cites (and keeps) */
	char *path;		/* the file's name when judged: a reused inode number is named anew later */
	uint64_t bytes[TW_S_COUNT];	/* per state */
	struct tw_page_entry *pages;
	size_t npages, cappages;
	size_t *inter;		/* calls of the interleaving, by record index */
	size_t ninter, capinter;
};

/*
 * A file written by means no hook sees (stdio, POSIX AIO; README): its
 * reads since were left undecided.
 */
struct tw_unseen_report {
	uint64_t dev;
	uint64_t ino;
	int how;		/* TW_UNSEEN_STDIO, TW_UNSEEN_POSIX_AIO */
	int32_t pid;		/* the first process that marked it */
	const char *call;	/* and where */
	char exe[256];
	size_t processes;	/* that marked it */
	uint64_t reads_undecided;
};

struct tw_anomalies {
	struct tw_anomaly *a;
	size_t n, cap;
	uint64_t reads_checked;
	/* Blind spots of the bounded version store (versions.h). */
	uint64_t blocks_history_cut;
	uint64_t blocks_live_cut;
	/* Stores through mappings no msync or fsync ever synced. */
	uint64_t unsynced_bytes, unsynced_pages, unsynced_files;
	uint64_t overdue;	/* calls judged as never ended */
	struct tw_unseen_report *unseen;	/* in the order first marked */
	size_t nunseen;
};

const char *tw_kind_name(int kind);
const char *tw_state_name(int state);

/* Building blocks, anomaly.c. */
struct tw_anomaly *tw_anomaly_new(struct tw_anomalies *out,
				  struct tw_records *r, int kind, size_t rec);
/*
 * One pass judges before the trace's end is known: losses found later (a
 * stream cut short, a call returning after it was judged overdue) make the
 * anomalies they may have hidden events of uncertain here, and so does
 * async I/O found to have run where no hook saw it.
 */
void tw_anomalies_recheck_doubt(struct tw_anomalies *out,
				const struct tw_records *r);
#define TW_INTERLEAVING_MAX 64
/* 0 or -ENOMEM; an interleaving keeps at most TW_INTERLEAVING_MAX calls. */
int tw_anomaly_add_inter(struct tw_anomaly *a, size_t rec);
/* Bytes [off, off+len) in state, cut at page boundaries, runs merged. */
int tw_anomaly_add_bytes(struct tw_anomaly *a, uint64_t page_size,
			 uint64_t off, uint64_t len, int state);

/*
 * The rules, run as the trace is read (rules.c): tw_rules_step after
 * records were added judges what can no longer change and prunes the
 * window; tw_rules_end judges the rest. tw_rules_run does both on records
 * already read.
 */
struct tw_rules;
struct tw_rules *tw_rules_new(struct tw_records *r, struct tw_anomalies *out);
/* 0 or -ENOMEM. */
int tw_rules_step(struct tw_rules *s);
/* A process started (exec, fork): what its earlier marks became. 0 or -ENOMEM. */
int tw_rules_process(struct tw_rules *s, const struct tw_event *ev);
int tw_rules_end(struct tw_rules *s);
void tw_rules_free(struct tw_rules *s);
int tw_rules_run(struct tw_records *r, struct tw_anomalies *out);
void tw_anomalies_free(struct tw_anomalies *a);

#endif
