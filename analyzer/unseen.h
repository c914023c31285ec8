/* SPDX-License-Identifier: MIT */
/*
 * Files written by means no hook sees (TW_OP_UNSEEN marks): from a mark's
 * begin until it ends, a read of its file may show anything; after it, a
 * read is undecided until a version made since becomes the one required.
 */
#ifndef TW_UNSEEN_AN_H
#define TW_UNSEEN_AN_H

#include <stddef.h>
#include <stdint.h>
#include "records.h"
#include "rules.h"

struct tw_unseen_mark {
	int32_t pid;
	uint64_t cid;
	int64_t t_begin;
	int64_t t_release;	/* INT64_MAX until released */
};

struct tw_unseen_file {
	uint64_t dev;
	uint64_t ino;
	int used;
	struct tw_unseen_mark *m;
	size_t n, cap;
	size_t order;		/* files in the order of their first mark */
	int32_t pid;		/* the first mark's process, call, exe */
	int how;
	const char *call;
	char *exe;
	int32_t *pids;		/* every process that marked it */
	size_t npids, cappids;
	uint64_t undecided;	/* reads it left undecided */
};

/* A process's starts (exec, or a reused pid), forks and fork notes. */
struct tw_unseen_step {
	int64_t ts;
	int kind;
	int32_t child;
};

struct tw_unseen_proc {
	int32_t pid;
	int used;
	char *exe;
	struct tw_unseen_step *s;	/* in order of ts */
	size_t n, cap;
};

struct tw_unseen {
	struct tw_unseen_file *files;	/* open addressing by (dev, ino) */
	size_t nfiles, capfiles;
	struct tw_unseen_proc *procs;	/* open addressing by pid */
	size_t nprocs, capprocs;
};

/* What a read of a file has to reckon with. */
struct tw_unseen_view {
	struct tw_unseen_file *file;	/* NULL: never marked */
	int ongoing;		/* a mark is open while the read runs */
	int64_t since;		/* the earliest such mark's begin */
	int64_t ended;		/* the latest end of one before it, or INT64_MIN */
	int64_t ended_since;	/* that mark's begin */
};

/* A process event: 0 or -ENOMEM. */
int tw_unseen_process(struct tw_unseen *u, const struct tw_event *ev);
/* A settled TW_OP_UNSEEN call: 0 or -ENOMEM. */
int tw_unseen_settle(struct tw_unseen *u, const struct tw_rec *x);
void tw_unseen_view(struct tw_unseen *u, uint64_t dev, uint64_t ino,
		    int64_t t_begin, int64_t t_end, struct tw_unseen_view *v);
/* Could the file have been written unseen at some time in [t0, t1]? */
int tw_unseen_during(struct tw_unseen *u, uint64_t dev, uint64_t ino,
		     int64_t t0, int64_t t1);
/* The files marked, for the report: 0 or -ENOMEM. */
int tw_unseen_export(const struct tw_unseen *u, struct tw_anomalies *out);
void tw_unseen_free(struct tw_unseen *u);

#endif
