/* SPDX-License-Identifier: MIT */
/*
 * Anomalies counted (by kind, file, process) and grouped: the same kind on
 * the same file after the same sequence of calls is one group, whatever
 * the times, offsets and process ids.
 */
#ifndef TW_SUMMARY_H
#define TW_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include "records.h"
#include "rules.h"

/* Kinds a breakdown keeps apart; later ones are counted, not broken down. */
#define TW_SUMMARY_KINDS 32

/* Pages first..last of a file, all in one state. */
struct tw_range {
	uint64_t first;
	uint64_t last;
	int state;
};

struct tw_tally {
	int64_t key;		/* kind or pid */
	const char *name;	/* by file: the path */
	size_t count;
	size_t kinds[TW_SUMMARY_KINDS];
	struct tw_range *ranges;	/* by file: pages seen other than new */
	size_t nranges, capranges, merged;
};

struct tw_group {
	int kind;
	const char *file;
	size_t count;
	size_t first;		/* its first anomaly */
	size_t nprocs;		/* distinct processes */
	int64_t t_first;	/* earliest and latest of its anomalies */
	int64_t t_last;
	char *calls;		/* "memcpy (store) → msync → read", as printed */
};

struct tw_summary {
	size_t n;		/* anomalies */
	struct tw_tally *kinds, *files, *procs;	/* largest first */
	size_t nkinds, nfiles, nprocs;
	struct tw_group *groups;	/* in the order of their first anomaly */
	size_t ngroups;
	size_t *group_of;	/* per anomaly */
	size_t *next;		/* per anomaly: the next of its group, or SIZE_MAX */
	char **names;		/* per anomaly: its file */
};

/* 0, or -ENOMEM. */
int tw_summary_build(struct tw_summary *s, const struct tw_records *r,
		     const struct tw_anomalies *a);
void tw_summary_free(struct tw_summary *s);

#endif
