/* SPDX-License-Identifier: MIT */
/* What the rules' files share: the passes' state and small predicates. */
#ifndef TW_RULES_INT_H
#define TW_RULES_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include "rules.h"
#include "versions.h"

#define T_NEVER INT64_MAX
#define NO_REC ((size_t)-1)

/* The stores an msync found done when it began: the bytes it wrote back. */
struct synced {
	size_t *rec;
	size_t n, cap;
};

/*
 * After truncate or a punched hole a range reads as zeros; after
 * copy_file_range, sendfile or splice it holds data no one traced. Either
 * way no earlier version is required there any more.
 */
struct inval {
	uint64_t dev;
	uint64_t ino;
	uint64_t lo;
	uint64_t hi;		/* UINT64_MAX: to the end of the file */
	int64_t t_begin;
	int64_t t_end;
	int zero;
	size_t rec;
};

struct ctx {
	const struct tw_records *r;
	struct tw_versions vs;
	int64_t *visible;	/* per store record: when it became required */
	size_t *synced_by;	/* per store record: the msync that did it */
	struct tw_anomalies *out;
	size_t *race_of;	/* per msync record: its sync_race anomaly + 1 */
	struct synced *synced;	/* per msync record: the stores it wrote back */
	struct inval *inval;	/* ranges truncated, punched or written unseen */
	size_t ninval, capinval;
	int64_t inval_lag;	/* longest such call */
	int64_t change_lag;	/* longest call that changes file data */
};

static inline int same_file(const struct tw_rec *a, const struct tw_rec *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static inline int ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* msync works on whole pages. */
static inline int sync_covers(const struct tw_records *r, const struct tw_rec *m,
		       const struct tw_rec *s)
{
	uint64_t ps = r->page_size;
	uint64_t lo = (uint64_t)m->offset / ps * ps;
	uint64_t hi = ((uint64_t)m->offset + m->length + ps - 1) / ps * ps;

	return same_file(m, s) && ranges_meet(lo, hi - lo, (uint64_t)s->offset,
					      s->length);
}


static inline int is_barrier(const struct tw_rec *m)
{
	return m->ended && m->ret == 0 && (m->flags & MS_SYNC);
}


/* Pass 1 (sync-rules.c): when each store became required, which raced. */
int tw_settle_stores(struct ctx *c);
/* After the reads: a raced msync's span is that of the bytes that changed. */
void tw_finish_races(struct ctx *c);
/* Pass 2 (version-build.c): every version of every grain block. */
int tw_build_versions(struct ctx *c);
/* Pass 3 (read-rules.c): one read or load, piece by piece. */
int tw_judge_read(struct ctx *c, size_t rd);

#endif
