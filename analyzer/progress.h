/* SPDX-License-Identifier: MIT */
/*
 * A progress line on a terminal while a long trace is read: events, events
 * per second, the share of the trace's time span read, time left.
 */
#ifndef TW_PROGRESS_H
#define TW_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tw_progress {
	int fd;			/* the terminal, or -1: no progress at all */
	uint64_t events;
	int64_t first_ts;	/* of the first event, ns */
	uint64_t span;		/* the traces' time span (packet index), ns; 0 unknown */
	struct timespec start, last;
	int shown;		/* a line is on the terminal */
};

/* fd: where to draw, or -1. The span comes from the traces' index files. */
void tw_progress_start(struct tw_progress *p, int fd, const char *const *dirs,
		       size_t ndirs);
void tw_progress_update(struct tw_progress *p, int64_t ts);
/* After reading: what comes next, on a line already drawn only. */
void tw_progress_say(struct tw_progress *p, const char *what);
/* Erases the line, if one was drawn. */
void tw_progress_end(struct tw_progress *p);

/* Per event: the clock is looked at only every 4096 events. */
static inline void tw_progress_event(struct tw_progress *p, int64_t ts)
{
	if (p->fd < 0) {
		return;
	}
	if (p->events++ == 0) {
		p->first_ts = ts;
	}
	if ((p->events & 4095) == 0) {
		tw_progress_update(p, ts);
	}
}

#endif
