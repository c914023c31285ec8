/* SPDX-License-Identifier: MIT */
/* What the rules' files share: the passes' state and small predicates. */
#ifndef TW_RULES_INT_H
#define TW_RULES_INT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include "rules.h"
#include "unseen.h"
#include "versions.h"
#include "size-rules.h"

#define T_NEVER INT64_MAX
#define NO_REC ((size_t)-1)

/* What the sync rules keep of a store: enough to compare, not its data. */
struct span {
	size_t rec;
	uint64_t dev;
	uint64_t ino;
	int64_t offset;
	uint64_t length;
	int64_t t_begin;
	int64_t t_end;
};

/* An msync a store begun later may still race: the stores it wrote back. */
struct live_sync {
	size_t rec;
	size_t race;		/* its sync_race anomaly + 1, or 0 */
	struct span *done;
	size_t ndone, capdone;
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
	int anywhere;		/* in any file (dev and ino not known) */
	uint32_t host;		/* where the call ran (hosts.h) */
	size_t rec;
};

/* An async write with an anomaly whose later content a read may show. */
struct candidate {
	size_t rec;
	size_t anomaly;
};

/*
 * The rules run as the trace is read: calls are settled (sync rules, then
 * their versions) in order of begin once every call begun before them has
 * returned, and reads and I/Os judged once every call begun before they
 * ended is settled.
 */
struct ctx {
	struct tw_records *r;
	struct tw_versions vs;
	struct tw_anomalies *out;
	size_t settled;		/* next record to settle */
	size_t judged;		/* next record to judge */
	struct span *pending;	/* stores no barrier msync synced yet */
	size_t npending, cappending;
	struct live_sync *syncs;
	size_t nsyncs, capsyncs;
	struct inval *inval;	/* ranges truncated, punched or written unseen */
	size_t ninval, capinval;
	int64_t inval_lag;	/* longest such call */
	int64_t change_lag;	/* longest call that changes file data */
	struct candidate *cand;
	size_t ncand, capcand;
	struct tw_unseen unseen;	/* files written where no hook sees */
	struct tw_sizes sizes;		/* how long each file had to be */
};

/* cross-rules.c: what judged a version of another host. */
struct tw_cross {
	int model;		/* enum tw_model */
	uint32_t whost;		/* the writer's host */
};

/* 1 when v, made on another host maybe, was required for rd; else 0 (concurrent). */
int tw_cross_required(const struct ctx *c, const struct tw_version *v,
		      const struct tw_rec *rd, struct tw_cross *out);
/* The same for what call w made visible at t_visible (w NULL: gone, 1). */
int tw_cross_required_by(const struct ctx *c, const struct tw_rec *w,
			 int64_t t_visible, const struct tw_rec *rd,
			 struct tw_cross *out);
/* The same for what host made visible at t_visible in (dev, ino): a range, a size. */
int tw_cross_required_at(const struct ctx *c, uint32_t host, uint64_t dev,
			 uint64_t ino, int64_t t_visible,
			 const struct tw_rec *rd, struct tw_cross *out);
/*
 * inval-rules.c: the newest invalidation of the bytes [lo, hi) of rd's file
 * that ended before rd began and after `after`, or NULL.
 */
const struct inval *tw_newest_inval(const struct ctx *c, uint64_t lo,
				    uint64_t hi, const struct tw_rec *rd,
				    int64_t after);
/*
 * Might the bytes [lo, hi) of rd's file have been truncated, punched or
 * written unseen with no order against rd: on another host, against rd or
 * against req (the version the verdict rests on; NULL: none), 1; on rd's
 * host while rd ran, 2? Then the read may show either side: its piece is
 * undecided (1: concurrent across hosts). 0: no such range.
 */
int tw_inval_unordered(const struct ctx *c, uint64_t lo, uint64_t hi,
		       const struct tw_rec *rd, const struct tw_version *req);

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
			      const struct span *s)
{
	uint64_t ps = r->page_size;
	uint64_t lo = (uint64_t)m->offset / ps * ps;
	uint64_t hi = ((uint64_t)m->offset + m->length + ps - 1) / ps * ps;

	return m->dev == s->dev && m->ino == s->ino &&
	       ranges_meet(lo, hi - lo, (uint64_t)s->offset, s->length);
}

static inline struct span span_of(const struct tw_rec *x, size_t rec)
{
	return (struct span){ rec, x->dev, x->ino, x->offset, x->length,
			      x->t_begin, x->t_end };
}


static inline int is_barrier(const struct tw_rec *m)
{
	return m->ended && m->ret == 0 && (m->flags & MS_SYNC);
}

/*
 * An msync that failed other than by its arguments (EIO, ENOSPC...): what
 * it was writing back may never reach the file, and the kernel said so.
 */
static inline int sync_may_lose(const struct tw_rec *m)
{
	return m->ended && m->ret < 0 && m->err != EINVAL && m->err != ENOMEM;
}


/* Sync rules (sync-rules.c): a store or msync, settled. */
int tw_settle_store(struct ctx *c, size_t i);
int tw_settle_msync(struct ctx *c, size_t i);
void tw_sync_rules_free(struct ctx *c);
/* At the end: a raced msync's span is that of the bytes that changed. */
void tw_finish_races(struct ctx *c);
/* version-build.c: the versions a settled call made. */
int tw_build_versions(struct ctx *c, size_t i);
/* A barrier msync made store s visible at t. */
int tw_store_visible(struct ctx *c, const struct span *s, size_t m, int64_t t);
/* A failed msync: what it was writing back may be lost (sync-rules.c). */
int tw_settle_failed_msync(struct ctx *c, size_t i);
/* read-rules.c: one read or load, piece by piece. */
int tw_judge_read(struct ctx *c, size_t rd);
/* async-rules.c: one async I/O once done; an unknown read it may explain. */
int tw_async_rules(struct ctx *c, size_t i);
int tw_async_explain(struct ctx *c, size_t u);

#endif
