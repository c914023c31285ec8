/* SPDX-License-Identifier: MIT */
/*
 * Calls rebuilt from the event stream: a begin and an end paired per thread,
 * with the piece checksums and msync page checksums emitted between them.
 */
#ifndef TW_RECORDS_H
#define TW_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include "trace-reader.h"

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

struct tw_rec {
	int64_t t_begin;
	int64_t t_end;		/* INT64_MAX while the call has not returned */
	int32_t pid;
	int32_t tid;
	char call[32];
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
};

struct tw_file_name {
	uint64_t dev;
	uint64_t ino;
	char *path;
};

struct tw_records {
	struct tw_rec *rec;	/* in order of begin */
	size_t n, cap;
	size_t *open;		/* indices of calls not yet ended */
	size_t nopen, capopen;
	struct tw_file_name *names;
	size_t nnames, capnames;
	int64_t *lost_ts;	/* when the tracer lost events or packets */
	size_t nlost, caplost;
	uint64_t lost_events;
	uint64_t lost_packets;
	uint64_t events;
	uint64_t orphans;	/* ends or pieces with no matching begin */
	int32_t *pids;		/* every traced process */
	size_t npids, cappids;
	unsigned int page_size;
};

void tw_records_init(struct tw_records *r);
void tw_records_free(struct tw_records *r);
/* 0, or -ENOMEM. */
int tw_records_add(struct tw_records *r, const struct tw_event *ev);
const char *tw_records_path(const struct tw_records *r, uint64_t dev,
			    uint64_t ino);
/* Lost events before t make what happened before t incomplete. */
int tw_records_lost_before(const struct tw_records *r, int64_t t);

#endif
