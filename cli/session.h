/* SPDX-License-Identifier: MIT */
/* An LTTng session of our own, driven through liblttng-ctl. */
#ifndef TW_SESSION_H
#define TW_SESSION_H

#include <stddef.h>
#include <stdint.h>

struct tw_session {
	char name[96];
	char dir[4096];		/* absolute trace output directory */
	char log[4200];		/* what a session daemon we started said */
	int created;
	/* The channel's own loss counters, read at stop (counted: read). */
	int counted;
	uint64_t discarded;	/* events */
	uint64_t lost_packets;
	/* The UTS namespace whose processes alone are recorded; 0: all. */
	uint64_t uts_ns;
};

/* The channel's buffers; 0 in a field: tornwatch's default. */
struct tw_channel_opts {
	uint64_t subbuf_size;	/* bytes, a power of 2 */
	uint64_t num_subbuf;	/* a power of 2 */
	int64_t blocking_us;	/* -1: tornwatch's default; 0: never block */
	int all_processes;	/* record every traced program, not the run's own */
};

/*
 * 0, or -1 with a one-line message already printed. relay_url (or NULL):
 * the trace goes to that lttng-relayd, not to dir (which keeps the log).
 */
int tw_session_start(struct tw_session *s, const char *dir,
		     const char *relay_url, const struct tw_channel_opts *co);
/*
 * Is a session still recording into dir (or a directory around or under
 * it)? 1 with its name, else 0: its buffers are not in the files yet.
 */
int tw_session_recording(const char *dir, char *name, size_t len);
/* Stops (flushing every buffer) and destroys; 0 or -1. */
int tw_session_stop(struct tw_session *s);

#endif
