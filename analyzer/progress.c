/* SPDX-License-Identifier: MIT */
/*
 * The share read is the time of the event being read within the traces'
 * span: the muxer delivers events in time order, and LTTng's packet index
 * (index/STREAM.idx beside the streams) gives each stream's first and last
 * timestamp for the price of two small reads per stream. The index counts
 * clock cycles; LTTng's clock ticks at 1 GHz, which is assumed.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "progress.h"

/* Drawn after this long only, and at most this often. */
#define TW_PROGRESS_AFTER_MS 1000
#define TW_PROGRESS_EVERY_MS 250

#define TW_INDEX_MAGIC 0xC1F1DCC1u

/* nftw has no user argument: the walk's bounds, for one walk at a time. */
static uint64_t walk_begin, walk_end;

static int read_u64(int fd, off_t at, uint64_t *v)
{
	uint64_t be;

	if (pread(fd, &be, sizeof(be), at) != (ssize_t)sizeof(be)) {
		return -1;
	}
	*v = be64toh(be);
	return 0;
}

/* First packet's begin and last packet's end of one stream's index. */
static void index_span(const char *path, off_t size)
{
	uint32_t head[4];
	uint64_t begin, end, len, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return;
	}
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    be32toh(head[0]) != TW_INDEX_MAGIC) {
		goto end;
	}
	len = be32toh(head[3]);
	if (len < 40 || size < (off_t)(sizeof(head) + len)) {
		goto end;
	}
	n = ((uint64_t)size - sizeof(head)) / len;
	if (read_u64(fd, (off_t)sizeof(head) + 24, &begin) == 0 &&
	    read_u64(fd, (off_t)(sizeof(head) + (n - 1) * len + 32), &end) == 0 &&
	    begin <= end) {
		walk_begin = begin < walk_begin ? begin : walk_begin;
		walk_end = end > walk_end ? end : walk_end;
	}
end:
	close(fd);
}

static int on_file(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t len = strlen(base);

	if (type == FTW_F && len > 4 && strcmp(base + len - 4, ".idx") == 0) {
		index_span(path, st->st_size);
	}
	return 0;
}

static int64_t ms_since(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

void tw_progress_start(struct tw_progress *p, int fd, const char *const *dirs,
		       size_t ndirs)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	if (fd < 0) {
		return;
	}
	walk_begin = UINT64_MAX;
	walk_end = 0;
	for (i = 0; i < ndirs; i++) {
		nftw(dirs[i], on_file, 16, FTW_PHYS);
	}
	p->span = walk_end > walk_begin ? walk_end - walk_begin : 0;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

void tw_progress_update(struct tw_progress *p, int64_t ts)
{
	struct timespec now;
	int64_t ms, left;
	double share = 0;
	char line[160];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = ms_since(&p->start, &now);
	if (ms < TW_PROGRESS_AFTER_MS ||
	    (p->shown && ms_since(&p->last, &now) < TW_PROGRESS_EVERY_MS)) {
		return;
	}
	p->last = now;
	n = snprintf(line, sizeof(line), "\rtornwatch: %llu events read, %llu/s",
		     (unsigned long long)p->events,
		     (unsigned long long)(p->events * 1000 / (uint64_t)ms));
	if (p->span && ts > p->first_ts) {
		share = (double)(ts - p->first_ts) / (double)p->span;
		share = share > 0.999 ? 0.999 : share;
	}
	if (share >= 0.01) {
		left = (int64_t)((double)ms * (1 - share) / share / 1000);
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      ", %d%% of the trace, about %lld:%02lld left",
			      (int)(share * 100), (long long)(left / 60),
			      (long long)(left % 60));
	}
	n += snprintf(line + n, sizeof(line) - (size_t)n, "\033[K");
	if (write(p->fd, line, (size_t)n) > 0) {
		p->shown = 1;
	}
}

void tw_progress_say(struct tw_progress *p, const char *what)
{
	char line[160];
	int n;

	if (p->fd < 0 || !p->shown) {
		return;
	}
	n = snprintf(line, sizeof(line), "\rtornwatch: %s\033[K", what);
	if (n > 0 && write(p->fd, line, (size_t)n < sizeof(line) ? (size_t)n :
			   sizeof(line) - 1) < 0) {
		p->shown = 0;
	}
}

void tw_progress_end(struct tw_progress *p)
{
	if (p->fd >= 0 && p->shown && write(p->fd, "\r\033[K", 4) != 4) {
		/* The terminal is gone: nothing to erase. */
	}
	p->shown = 0;
}
