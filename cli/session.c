/* SPDX-License-Identifier: MIT */
/*
 * The session is created, its channel and events enabled and it is started
 * before the traced program runs: a short-lived program registers with the
 * session daemon in its constructor and must find its events enabled there.
 * Driven in-process through liblttng-ctl (the library the lttng command is
 * built on): no lttng command needed, errors in its own words, and the
 * channel's own loss counters read back before the session goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <lttng/lttng.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "isolate.h"
#include "session.h"
#include "spawn.h"

/*
 * 4 MiB × 8 sub-buffers per CPU: large enough that blocking is a rare
 * safety net (design.md measured 64 KiB × 2 losing 56,618 of 2 M events).
 * Blocking is bounded so that a dead consumer cannot hang the program.
 */
#define TW_SUBBUF_SIZE (4u << 20)
#define TW_NUM_SUBBUF 8
#define TW_BLOCKING_US 10000000
#define TW_CHANNEL "tornwatch"
/*
 * lttng-ust's statedump (what is mapped where in each process) and dlopen
 * events, for the analyzer to symbolize call stacks: a channel of their
 * own, so that the vpid context they need (they carry no pid) is not added
 * to every tornwatch event. A few events per process: small buffers.
 * tornwatch:stack events stay in the tornwatch channel: each names the
 * call it follows, and one stream keeps a thread's events in order.
 */
#define TW_BIN_CHANNEL "tornwatch-bin"
#define TW_BIN_SUBBUF_SIZE (256u << 10)
#define TW_BIN_NUM_SUBBUF 4

static int failed(const char *what, int code)
{
	fprintf(stderr, "tornwatch: cannot %s: %s\n", what,
		lttng_strerror(code < 0 ? code : -code));
	return -1;
}

/* A session daemon of its own when none runs (as `lttng create` would). */
static int ensure_sessiond(struct tw_session *s)
{
	char *daemon[] = { "lttng-sessiond", "--daemonize", "--no-kernel", NULL };
	int rc;

	if (lttng_session_daemon_alive() == 1) {
		return 0;
	}
	rc = tw_spawn(daemon, NULL, s->log, NULL);
	if (rc < 0) {
		fprintf(stderr, "tornwatch: cannot run lttng-sessiond: %s "
			"(install lttng-tools)\n", strerror(errno));
		return -1;
	}
	if (rc != 0 || lttng_session_daemon_alive() != 1) {
		fprintf(stderr, "tornwatch: cannot start an LTTng session daemon "
			"(see \"%s\")\n", s->log);
		return -1;
	}
	return 0;
}

static int enable_channel(struct lttng_handle *h, struct lttng_domain *dom,
			  const struct tw_channel_opts *co)
{
	struct lttng_channel *ch = lttng_channel_create(dom);
	int rc;

	if (!ch) {
		fprintf(stderr, "tornwatch: cannot enable the tornwatch channel: "
			"out of memory\n");
		return -1;
	}
	snprintf(ch->name, sizeof(ch->name), "%s", TW_CHANNEL);
	ch->attr.overwrite = 0;
	ch->attr.subbuf_size = co->subbuf_size ? co->subbuf_size : TW_SUBBUF_SIZE;
	ch->attr.num_subbuf = co->num_subbuf ? co->num_subbuf : TW_NUM_SUBBUF;
	rc = lttng_channel_set_blocking_timeout(
		ch, co->blocking_us >= 0 ? co->blocking_us : TW_BLOCKING_US);
	if (rc == 0) {
		rc = lttng_enable_channel(h, ch);
	}
	lttng_channel_destroy(ch);
	return rc < 0 ? failed("enable the tornwatch channel", rc) : 0;
}

static int enable_pattern(struct lttng_handle *h, const char *pattern,
			  const char *channel, uint64_t uts_ns)
{
	struct lttng_event *ev = lttng_event_create();
	char what[128], filter[64];
	int rc;

	snprintf(what, sizeof(what), "enable the %s events", pattern);
	if (!ev) {
		fprintf(stderr, "tornwatch: cannot %s: out of memory\n", what);
		return -1;
	}
	ev->type = LTTNG_EVENT_TRACEPOINT;
	ev->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	snprintf(ev->name, sizeof(ev->name), "%s", pattern);
	if (uts_ns) {
		tw_isolate_filter(uts_ns, filter, sizeof(filter));
		rc = lttng_enable_event_with_filter(h, ev, channel, filter);
	} else {
		rc = lttng_enable_event(h, ev, channel);
	}
	lttng_event_destroy(ev);
	return rc < 0 ? failed(what, rc) : 0;
}

static int enable_events(struct lttng_handle *h, uint64_t uts_ns)
{
	return enable_pattern(h, "tornwatch:*", TW_CHANNEL, uts_ns);
}

/* Where each binary is mapped in each process: the vpid tells whose. */
static int enable_bin_info(struct lttng_handle *h, struct lttng_domain *dom,
			   uint64_t uts_ns)
{
	struct lttng_channel *ch = lttng_channel_create(dom);
	struct lttng_event_context ctx;
	int rc;

	if (!ch) {
		fprintf(stderr, "tornwatch: cannot enable the %s channel: "
			"out of memory\n", TW_BIN_CHANNEL);
		return -1;
	}
	snprintf(ch->name, sizeof(ch->name), "%s", TW_BIN_CHANNEL);
	ch->attr.overwrite = 0;
	ch->attr.subbuf_size = TW_BIN_SUBBUF_SIZE;
	ch->attr.num_subbuf = TW_BIN_NUM_SUBBUF;
	rc = lttng_enable_channel(h, ch);
	lttng_channel_destroy(ch);
	if (rc < 0) {
		return failed("enable the " TW_BIN_CHANNEL " channel", rc);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.ctx = LTTNG_EVENT_CONTEXT_VPID;
	rc = lttng_add_context(h, &ctx, NULL, TW_BIN_CHANNEL);
	if (rc < 0) {
		return failed("add the vpid context", rc);
	}
	if (enable_pattern(h, "lttng_ust_statedump:*", TW_BIN_CHANNEL, uts_ns) != 0) {
		return -1;
	}
	return enable_pattern(h, "lttng_ust_dl:*", TW_BIN_CHANNEL, uts_ns);
}

static int session_start(struct tw_session *s, const char *dir,
			 const char *relay_url, const struct tw_channel_opts *co);

/*
 * liblttng-ctl sends without MSG_NOSIGNAL: a session daemon that drops the
 * connection (a relay it cannot reach) would kill us with SIGPIPE and leave
 * the session behind. Ignored only meanwhile: the command must not inherit it.
 */
int tw_session_start(struct tw_session *s, const char *dir,
		     const char *relay_url, const struct tw_channel_opts *co)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc;

	sigaction(SIGPIPE, &ign, &old);
	rc = session_start(s, dir, relay_url, co);
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

static int session_start(struct tw_session *s, const char *dir,
			 const char *relay_url, const struct tw_channel_opts *co)
{
	struct lttng_domain dom = { .type = LTTNG_DOMAIN_UST,
				    .buf_type = LTTNG_BUFFER_PER_UID };
	struct lttng_handle *h;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "tornwatch-%d-%ld", (int)getpid(),
		 (long)time(NULL));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->log, sizeof(s->log), "%s/lttng-sessiond.log", dir);
	if (ensure_sessiond(s) != 0) {
		return -1;
	}
	/* After the daemon is up: a daemon we started stays in the machine's. */
	if (!co->all_processes) {
		s->uts_ns = tw_isolate_uts();
	}
	/* A URL (net://HOST[:CTRL[:DATA]]) streams to lttng-relayd. */
	rc = lttng_create_session(s->name, relay_url ? relay_url : s->dir);
	if (rc < 0) {
		return failed("create a session", rc);
	}
	s->created = 1;
	h = lttng_create_handle(s->name, &dom);
	if (!h) {
		fprintf(stderr, "tornwatch: cannot create a session handle: out of memory\n");
		tw_session_stop(s);
		return -1;
	}
	rc = enable_channel(h, &dom, co);
	if (rc == 0) {
		rc = enable_events(h, s->uts_ns);
	}
	if (rc == 0) {
		rc = enable_bin_info(h, &dom, s->uts_ns);
	}
	lttng_destroy_handle(h);
	if (rc == 0 && (rc = lttng_start_tracing(s->name)) < 0) {
		failed("start tracing", rc);
	}
	if (rc != 0) {
		tw_session_stop(s);
		return -1;
	}
	return 0;
}

/* The channel's own count of what it dropped, once its buffers are flushed. */
static void read_counters(struct tw_session *s)
{
	struct lttng_domain dom = { .type = LTTNG_DOMAIN_UST,
				    .buf_type = LTTNG_BUFFER_PER_UID };
	struct lttng_handle *h = lttng_create_handle(s->name, &dom);
	struct lttng_channel *chs = NULL;
	int n = h ? lttng_list_channels(h, &chs) : -1;

	for (int i = 0; i < n; i++) {
		uint64_t d = 0, l = 0;

		if (strcmp(chs[i].name, TW_CHANNEL) != 0 ||
		    lttng_channel_get_discarded_event_count(&chs[i], &d) != 0 ||
		    lttng_channel_get_lost_packet_count(&chs[i], &l) != 0) {
			continue;
		}
		s->discarded = d;
		s->lost_packets = l;
		s->counted = 1;
	}
	free(chs);
	lttng_destroy_handle(h);
}

static int session_stop(struct tw_session *s);

int tw_session_stop(struct tw_session *s)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int rc;

	sigaction(SIGPIPE, &ign, &old);
	rc = session_stop(s);
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

static int session_stop(struct tw_session *s)
{
	int ret = 0, rc;

	if (!s->created) {
		return 0;
	}
	rc = lttng_stop_tracing(s->name);
	if (rc < 0) {
		ret = failed("stop tracing", rc);
	} else {
		read_counters(s);
	}
	rc = lttng_destroy_session(s->name);
	if (rc < 0) {
		ret = failed("destroy the session", rc);
	}
	s->created = 0;
	return ret;
}

/* Does path lie under dir, or dir under path (both real paths)? */
static int nested(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	return strncmp(a, b, n) == 0 &&
	       (na == nb || (na < nb ? b[n] : a[n]) == '/');
}

int tw_session_recording(const char *dir, char *name, size_t len)
{
	struct lttng_session *ss = NULL;
	char want[PATH_MAX], got[PATH_MAX];
	int n, i, found = 0;

	if (!realpath(dir, want)) {
		return 0;
	}
	/* No session daemon: nothing records (liblttng-ctl says so at once). */
	n = lttng_list_sessions(&ss);
	for (i = 0; i < n && !found; i++) {
		if (ss[i].enabled && realpath(ss[i].path, got) && nested(want, got)) {
			snprintf(name, len, "%s", ss[i].name);
			found = 1;
		}
	}
	free(ss);
	return found;
}
