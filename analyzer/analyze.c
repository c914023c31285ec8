/* SPDX-License-Identifier: MIT */
/*
 * The analysis runs in a child process: libbabeltrace2 2.0.4 loops forever
 * on some truncated metadata and crashes on some corrupt streams, and a
 * damaged trace must still get one line and exit status 2, not a hang or a
 * crash. The child says when the traces are open; opening gets a deadline,
 * reading does not (a large trace takes what it takes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "records.h"
#include "report.h"
#include "rules.h"
#include "trace-reader.h"

#define TW_OPEN_TIMEOUT_S 60

struct child_ctx {
	struct tw_records *r;
	int ready_fd;
};

static int on_event(const struct tw_event *ev, void *data)
{
	struct child_ctx *c = data;

	if (ev->type == TW_EV_READING && c->ready_fd >= 0) {
		if (write(c->ready_fd, "r", 1) != 1) {
			/* The parent is gone; reading on is harmless. */
		}
		close(c->ready_fd);
		c->ready_fd = -1;
	}
	return tw_records_add(c->r, ev);
}

static int write_json(const char *path, const struct tw_records *r,
		      const struct tw_anomalies *a)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (!f) {
		fprintf(stderr, "tornwatch: cannot write JSON report \"%s\": %s\n",
			path, strerror(errno));
		return -1;
	}
	tw_report_json(f, r, a);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "tornwatch: cannot write JSON report \"%s\": %s\n",
			path, strerror(errno));
		return -1;
	}
	return 0;
}

static enum tw_analyze_status analyze_here(const char *const *dirs,
					   size_t ndirs, const char *json_path,
					   int ready_fd)
{
	enum tw_analyze_status status = TW_ANALYZE_BAD_INPUT;
	struct tw_trace_stats stats = { 0 };
	struct tw_anomalies anomalies = { 0 };
	struct tw_records r;
	struct child_ctx c = { &r, ready_fd };
	char err[512] = "";

	tw_records_init(&r);
	if (tw_trace_read(dirs, ndirs, on_event, &c, &stats, err,
			  sizeof(err)) != 0) {
		fprintf(stderr, "tornwatch: %s\n", err);
		goto end;
	}
	if (stats.events == 0) {
		fprintf(stderr, "tornwatch: no tornwatch events in \"%s\"%s: was "
			"libtornwatch.so preloaded and tornwatch:* enabled?\n",
			dirs[0], ndirs > 1 ? " and the others" : "");
		goto end;
	}
	if (tw_rules_run(&r, &anomalies) != 0) {
		fprintf(stderr, "tornwatch: out of memory analyzing \"%s\"\n",
			dirs[0]);
		goto end;
	}
	tw_report_text(stdout, &r, &anomalies);
	if (json_path && write_json(json_path, &r, &anomalies) != 0) {
		goto end;
	}
	status = anomalies.n ? TW_ANALYZE_ANOMALIES : TW_ANALYZE_CLEAN;
end:
	if (c.ready_fd >= 0) {
		close(c.ready_fd);
	}
	tw_anomalies_free(&anomalies);
	tw_records_free(&r);
	return status;
}

static int open_timeout_ms(void)
{
	const char *v = getenv("TORNWATCH_OPEN_TIMEOUT");
	long s = v ? strtol(v, NULL, 10) : 0;

	return (int)((s > 0 && s < 86400 ? s : TW_OPEN_TIMEOUT_S) * 1000);
}

static pid_t reap(pid_t pid, int *status)
{
	pid_t ret;

	while ((ret = waitpid(pid, status, 0)) < 0 && errno == EINTR) {
	}
	return ret;
}

enum tw_analyze_status tw_analyze(const char *const *dirs, size_t ndirs,
				  const char *json_path)
{
	struct pollfd p;
	int fds[2], status, n;
	pid_t pid;

	if (pipe(fds) != 0) {
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dirs[0],
			strerror(errno));
		return TW_ANALYZE_BAD_INPUT;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dirs[0],
			strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return TW_ANALYZE_BAD_INPUT;
	}
	if (pid == 0) {
		close(fds[0]);
		status = analyze_here(dirs, ndirs, json_path, fds[1]);
		fflush(stdout);
		_exit(status);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	do {
		n = poll(&p, 1, open_timeout_ms());
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == 0) {
		kill(pid, SIGKILL);
		reap(pid, &status);
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": its metadata "
			"could not be parsed within %d s (truncated metadata?)\n",
			dirs[0], open_timeout_ms() / 1000);
		return TW_ANALYZE_BAD_INPUT;
	}
	if (reap(pid, &status) < 0) {
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dirs[0],
			strerror(errno));
		return TW_ANALYZE_BAD_INPUT;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": the CTF reader "
			"died of %s on damaged data\n", dirs[0],
			strsignal(WTERMSIG(status)));
		return TW_ANALYZE_BAD_INPUT;
	}
	return (enum tw_analyze_status)WEXITSTATUS(status);
}
