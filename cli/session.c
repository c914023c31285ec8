/* SPDX-License-Identifier: MIT */
/*
 * The session is created, its channel and events enabled and it is started
 * before the traced program runs: a short-lived program registers with the
 * session daemon in its constructor and must find its events enabled there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "session.h"
#include "spawn.h"

/*
 * 4 MiB × 8 sub-buffers per CPU: large enough that blocking is a rare
 * safety net (design.md measured 64 KiB × 2 losing 56,618 of 2 M events).
 * Blocking is bounded so that a dead consumer cannot hang the program.
 */
#define TW_SUBBUF "--subbuf-size=4M"
#define TW_NUM_SUBBUF "--num-subbuf=8"
#define TW_BLOCKING "--blocking-timeout=10000000"

static int lttng(struct tw_session *s, const char *what, char *const argv[])
{
	int rc = tw_spawn(argv, NULL, s->log, NULL);

	if (rc != 0) {
		fprintf(stderr, "tornwatch: cannot %s: lttng %s (see \"%s\")\n", what,
			rc < 0 ? strerror(errno) : "failed", s->log);
		return -1;
	}
	return 0;
}

static int ensure_sessiond(struct tw_session *s)
{
	char *list[] = { "lttng", "list", NULL };
	char *daemon[] = { "lttng-sessiond", "--daemonize", "--no-kernel", NULL };
	int rc = tw_spawn(list, NULL, s->log, NULL);

	if (rc == 0) {
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "tornwatch: cannot run lttng: %s (install lttng-tools)\n",
			strerror(errno));
		return -1;
	}
	return lttng(s, "start an LTTng session daemon", daemon);
}

int tw_session_start(struct tw_session *s, const char *dir)
{
	char out[4200];
	char *create[] = { "lttng", "create", s->name, out, NULL };
	char *channel[] = { "lttng", "enable-channel", "--userspace", "--session",
			    s->name, TW_SUBBUF, TW_NUM_SUBBUF, TW_BLOCKING,
			    "tornwatch", NULL };
	char *event[] = { "lttng", "enable-event", "--userspace", "--session",
			  s->name, "--channel", "tornwatch", "tornwatch:*", NULL };
	char *start[] = { "lttng", "start", s->name, NULL };

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "tornwatch-%d-%ld", (int)getpid(),
		 (long)time(NULL));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->log, sizeof(s->log), "%s/lttng.log", dir);
	snprintf(out, sizeof(out), "--output=%s", dir);
	if (ensure_sessiond(s) != 0 || lttng(s, "create a session", create) != 0) {
		return -1;
	}
	s->created = 1;
	if (lttng(s, "enable the tornwatch channel", channel) != 0 ||
	    lttng(s, "enable the tornwatch events", event) != 0 ||
	    lttng(s, "start tracing", start) != 0) {
		tw_session_stop(s);
		return -1;
	}
	return 0;
}

int tw_session_stop(struct tw_session *s)
{
	char *stop[] = { "lttng", "stop", s->name, NULL };
	char *destroy[] = { "lttng", "destroy", s->name, NULL };
	int ret = 0;

	if (!s->created) {
		return 0;
	}
	if (lttng(s, "stop tracing", stop) != 0) {
		ret = -1;
	}
	if (lttng(s, "destroy the session", destroy) != 0) {
		ret = -1;
	}
	s->created = 0;
	return ret;
}
