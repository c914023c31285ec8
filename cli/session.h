/* SPDX-License-Identifier: MIT */
/* An LTTng session of our own, driven through the lttng command. */
#ifndef TW_SESSION_H
#define TW_SESSION_H

struct tw_session {
	char name[96];
	char dir[4096];		/* absolute trace output directory */
	char log[4200];		/* what the lttng commands said */
	int created;
};

/* 0, or -1 with a one-line message already printed. */
int tw_session_start(struct tw_session *s, const char *dir);
/* Stops (flushing every buffer) and destroys; 0 or -1. */
int tw_session_stop(struct tw_session *s);

#endif
