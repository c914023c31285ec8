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
#include "tornwatch-events.h"

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
					   int32_t root_pid, int ready_fd)
{
	enum tw_analyze_status status = TW_ANALYZE_BAD_INPUT;
	struct tw_trace_stats stats = { 0 };
	struct tw_anomalies anomalies = { 0 };
	struct tw_records r;
	struct child_ctx c = { &r, ready_fd };
	char err[512] = "";

	tw_records_init(&r);
	r.root_pid = root_pid;
	if (tw_trace_read(dirs, ndirs, on_event, &c, &stats, err,
			  sizeof(err)) != 0) {
		fprintf(stderr, "tornwatch: %s\n", err);
		goto end;
	}
	/* The caller names the command that never registered (static, setuid). */
	if (root_pid && r.npids == 0) {
		status = TW_ANALYZE_UNTRACED;
		goto end;
	}
	if (stats.processes == 0 && stats.old_format_events > 0) {
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": its tornwatch "
			"events are in trace format 1; this tornwatch reads format "
			"%d (record it again with this version)\n", dirs[0],
			TW_FORMAT_VERSION);
		goto end;
	}
	if (stats.old_format_events > 0) {
		fprintf(stderr, "tornwatch: %llu tornwatch events in trace format 1 "
			"(processes of an older tornwatch) were left out\n",
			(unsigned long long)stats.old_format_events);
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

/*
 * The child's stderr comes through here, less the GLib criticals and the
 * log lines that libbabeltrace2 lets out on damaged data ("(process:PID):
 * GLib-CRITICAL **: ...", after a blank line; its precondition aborts):
 * the user gets our one line.
 */
struct errbuf {
	char line[1024];
	size_t n;
};

/* "12-02 23:06:26.334 25387 25387 F LIB/PACKET ...": libbabeltrace2's log. */
static int reader_log(const char *l)
{
	int n = 0;

	if (l[0] == '(' && strstr(l, "): GLib")) {
		return 1;
	}
	sscanf(l, "%*2d-%*2d %*2d:%*2d:%*2d.%*d %*d %*d %*1[FEWIDT] %*[A-Z]/%n", &n);
	return n > 0;
}

static void err_take(struct errbuf *e, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != '\n' && e->n < sizeof(e->line) - 2) {
			e->line[e->n++] = p[i];
			continue;
		}
		if (p[i] != '\n') {
			continue;
		}
		e->line[e->n++] = '\n';
		if (e->n > 1 && !reader_log(e->line)) {
			fwrite(e->line, 1, e->n, stderr);
		}
		e->n = 0;
	}
}

/*
 * Waits for the child: until it says the traces are open (or exits) within
 * the deadline, then for as long as it reads. 1 when the deadline passed.
 */
static int watch(int ready_fd, int err_fd)
{
	struct pollfd p[2] = { { ready_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	struct errbuf e = { .n = 0 };
	int timeout = open_timeout_ms(), open = 1, n;
	char buf[4096];

	while (p[1].fd >= 0) {
		n = poll(p, 2, open ? timeout : -1);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return 1;
		}
		if (p[0].revents) {
			open = 0;
			close(p[0].fd);
			p[0].fd = -1;
		}
		if (p[1].revents) {
			ssize_t got = read(p[1].fd, buf, sizeof(buf));

			if (got > 0) {
				err_take(&e, buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(p[1].fd);
				p[1].fd = -1;
			}
		}
	}
	if (p[0].fd >= 0) {
		close(p[0].fd);
	}
	return 0;
}

enum tw_analyze_status tw_analyze(const char *const *dirs, size_t ndirs,
				  const char *json_path, int32_t root_pid)
{
	int ready[2], err[2], status, late;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(err) != 0) {
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
		return TW_ANALYZE_BAD_INPUT;
	}
	if (pid == 0) {
		close(ready[0]);
		close(err[0]);
		dup2(err[1], 2);
		close(err[1]);
		status = analyze_here(dirs, ndirs, json_path, root_pid, ready[1]);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	close(ready[1]);
	close(err[1]);
	late = watch(ready[0], err[0]);
	if (late) {
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
	switch (WEXITSTATUS(status)) {
	case TW_ANALYZE_CLEAN:
	case TW_ANALYZE_ANOMALIES:
	case TW_ANALYZE_BAD_INPUT:
	case TW_ANALYZE_UNTRACED:
		return (enum tw_analyze_status)WEXITSTATUS(status);
	default:
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": the analysis "
			"failed with status %d\n", dirs[0], WEXITSTATUS(status));
		return TW_ANALYZE_BAD_INPUT;
	}
}
