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
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "crash.h"
#include "progress.h"
#include "records.h"
#include "report.h"
#include "rules.h"
#include "trace-reader.h"
#include "tornwatch-events.h"

#define TW_OPEN_TIMEOUT_S 60

struct child_ctx {
	struct tw_records *r;
	int ready_fd;
	int err;		/* what made reading stop: -ENOMEM */
	int test_crash;		/* TORNWATCH_TEST_CRASH, tests only */
	struct tw_progress progress;
	struct tw_rules *rules;	/* judging as the trace is read */
};

/*
 * TORNWATCH_TEST_CRASH (test-only, see tests/cases/failures.sh) fails the
 * analysis on purpose inside our callback: "ours" aborts, "kill" dies of
 * SIGKILL as under the OOM killer, "enomem" runs out of memory.
 */
enum { TEST_NONE, TEST_OURS, TEST_KILL, TEST_ENOMEM };

static int test_crash_mode(void)
{
	const char *v = getenv("TORNWATCH_TEST_CRASH");

	if (!v) {
		return TEST_NONE;
	}
	if (strcmp(v, "ours") == 0) {
		return TEST_OURS;
	}
	if (strcmp(v, "kill") == 0) {
		return TEST_KILL;
	}
	return strcmp(v, "enomem") == 0 ? TEST_ENOMEM : TEST_NONE;
}

static int test_crash(int mode)
{
	switch (mode) {
	case TEST_OURS:
		abort();
	case TEST_KILL:
		raise(SIGKILL);
		break;
	case TEST_ENOMEM:
		return -ENOMEM;
	default:
		break;
	}
	return 0;
}

/* Called from inside libbabeltrace2's graph run: our code until it returns. */
static int on_event(const struct tw_event *ev, void *data)
{
	struct child_ctx *c = data;
	int ret = 0;

	tw_in_reader = 0;
	if (ev->type == TW_EV_READING) {
		if (c->ready_fd >= 0) {
			if (write(c->ready_fd, "r", 1) != 1) {
				/* The parent is gone; reading on is harmless. */
			}
			close(c->ready_fd);
			c->ready_fd = -1;
		}
	} else {
		tw_progress_event(&c->progress, ev->ts);
		ret = test_crash(c->test_crash);
	}
	if (ret == 0) {
		ret = tw_records_add(c->r, ev);
	}
	if (ret == 0 && ev->type == TW_EV_PROCESS) {
		ret = tw_rules_process(c->rules, ev);
	}
	if (ret == 0 && ev->type != TW_EV_READING) {
		ret = tw_rules_step(c->rules);
	}
	if (ret != 0) {
		c->err = ret;
	}
	tw_in_reader = 1;
	return ret;
}

/* The report's reader went away (`| head`): the report ends there, quietly. */
static int out_gone(FILE *f)
{
	struct pollfd p = { fileno(f), POLLOUT, 0 };

	return errno == EPIPE ||
	       (poll(&p, 1, 0) == 1 && (p.revents & POLLERR));
}

/* 0 when f took the report or its reader left; -1 with one line. */
static int check_out(FILE *f)
{
	if (fflush(f) == 0 && !ferror(f)) {
		return 0;
	}
	if (out_gone(f)) {
		return 0;
	}
	fprintf(stderr, "tornwatch: cannot write the report: %s\n",
		strerror(errno));
	return -1;
}

static void no_memory(const char *dir)
{
	fprintf(stderr, "tornwatch: out of memory analyzing \"%s\"\n", dir);
}

typedef int (*report_fn)(FILE *f, const struct tw_records *r,
			 const struct tw_anomalies *a,
			 const struct tw_report_opts *o);

/* The JSON or HTML report to path ("-": stdout); 0, or -1 with one line. */
static int write_report(const char *path, const char *what, report_fn fn,
			const struct tw_records *r, const struct tw_anomalies *a,
			const struct tw_report_opts *ro)
{
	int to_stdout = strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "w");

	if (!f) {
		fprintf(stderr, "tornwatch: cannot write %s report \"%s\": %s\n",
			what, path, strerror(errno));
		return -1;
	}
	if (fn(f, r, a, ro) != 0) {
		no_memory(ro->dirs[0]);
		if (!to_stdout) {
			fclose(f);
		}
		return -1;
	}
	if (to_stdout) {
		return check_out(stdout);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "tornwatch: cannot write %s report \"%s\": %s\n",
			what, path, strerror(errno));
		return -1;
	}
	return 0;
}

static enum tw_analyze_status analyze_here(const struct tw_analyze_opts *o,
					   FILE *text, int ready_fd, int tty_fd)
{
	enum tw_analyze_status status = TW_ANALYZE_BAD_INPUT;
	struct tw_trace_stats stats = { 0 };
	struct tw_anomalies anomalies = { 0 };
	struct tw_report_opts ro = { o->dirs, o->ndirs, o->command, o->max_full };
	struct tw_records r;
	struct child_ctx c = { &r, ready_fd, 0, test_crash_mode(), { 0 }, NULL };
	char err[512] = "";
	int rc;

	tw_records_init(&r);
	r.root_pid = o->root_pid;
	tw_progress_start(&c.progress, tty_fd, o->dirs, o->ndirs);
	c.rules = tw_rules_new(&r, &anomalies);
	if (!c.rules) {
		no_memory(o->dirs[0]);
		goto end;
	}
	tw_in_reader = 1;
	rc = tw_trace_read(o->dirs, o->ndirs, on_event, &c, &stats, err,
			   sizeof(err));
	tw_in_reader = 0;
	if (rc != 0) {
		tw_progress_end(&c.progress);
		if (c.err == -ENOMEM) {
			no_memory(o->dirs[0]);
		} else {
			fprintf(stderr, "tornwatch: %s\n", err);
		}
		goto end;
	}
	/* The caller names the command that never registered (static, setuid). */
	if (o->root_pid && r.npids == 0) {
		status = TW_ANALYZE_UNTRACED;
		goto end;
	}
	if (stats.processes == 0 && stats.old_format_events > 0) {
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": its tornwatch "
			"events are in trace format 1; this tornwatch reads format "
			"%d (record it again with this version)\n", o->dirs[0],
			TW_FORMAT_VERSION);
		goto end;
	}
	if (stats.old_format_events > 0) {
		fprintf(stderr, "tornwatch: %llu tornwatch events in trace format 1 "
			"(processes of an older tornwatch) were left out\n",
			(unsigned long long)stats.old_format_events);
	}
	if (stats.events == 0) {
		if (o->recording) {
			fprintf(stderr, "tornwatch: no tornwatch events in \"%s\"%s "
				"yet: stop its session first\n", o->dirs[0],
				o->ndirs > 1 ? " and the others" : "");
		} else {
			fprintf(stderr, "tornwatch: no tornwatch events in \"%s\"%s: was "
				"libtornwatch.so preloaded and tornwatch:* enabled?\n",
				o->dirs[0], o->ndirs > 1 ? " and the others" : "");
		}
		goto end;
	}
	r.session_counted = o->session_counted;
	r.session_filter = o->session_filter;
	r.session_discarded = o->session_discarded;
	r.session_lost = o->session_lost;
	r.unplaced_loss = o->session_counted &&
			  (o->session_discarded > r.lost_events ||
			   o->session_lost > r.lost_packets);
	tw_progress_say(&c.progress, "judging the last calls");
	rc = tw_rules_end(c.rules);
	tw_progress_end(&c.progress);
	if (rc != 0 || (text && tw_report_text(text, &r, &anomalies, &ro) != 0)) {
		no_memory(o->dirs[0]);
		goto end;
	}
	if (text && check_out(text) != 0) {
		goto end;
	}
	if (o->json_path && write_report(o->json_path, "JSON", tw_report_json,
					 &r, &anomalies, &ro) != 0) {
		goto end;
	}
	if (o->html_path && write_report(o->html_path, "HTML", tw_report_html,
					 &r, &anomalies, &ro) != 0) {
		goto end;
	}
	status = anomalies.n ? TW_ANALYZE_ANOMALIES : TW_ANALYZE_CLEAN;
end:
	tw_progress_end(&c.progress);
	if (c.ready_fd >= 0) {
		close(c.ready_fd);
	}
	if (tty_fd >= 0) {
		close(tty_fd);
	}
	tw_rules_free(c.rules);
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

/* The child died of sig: whose fault, in one line. */
static enum tw_analyze_status died(const char *dir, int sig, enum tw_crash who)
{
	const char *abbrev = sigabbrev_np(sig);

	/* A progress line may still be on the terminal. */
	if (isatty(STDERR_FILENO)) {
		fputs("\r\033[K", stderr);
	}
	switch (who) {
	case TW_CRASH_OURS:
		fprintf(stderr, "tornwatch: internal error (signal SIG%s) analyzing "
			"\"%s\", please report\n", abbrev ? abbrev : "?", dir);
		break;
	case TW_CRASH_NOMEM:
		no_memory(dir);
		break;
	case TW_CRASH_UNKNOWN:
		/* Not from us (the deadline's SIGKILL is handled before). */
		if (sig == SIGKILL) {
			fprintf(stderr, "tornwatch: killed (out of memory?) analyzing "
				"\"%s\"\n", dir);
			break;
		}
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
		    sig == SIGQUIT) {
			fprintf(stderr, "tornwatch: killed by signal SIG%s analyzing "
				"\"%s\"\n", abbrev ? abbrev : "?", dir);
			break;
		}
		/* A crash whose handler could not run: the old wording. */
		/* fall through */
	case TW_CRASH_READER:
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": the CTF reader "
			"died of %s on damaged data\n", dir, strsignal(sig));
		break;
	}
	return TW_ANALYZE_BAD_INPUT;
}

enum tw_analyze_status tw_analyze(const struct tw_analyze_opts *o)
{
	const char *dir = o->dirs[0];
	int ready[2], err[2], crash[2], status, late, tty;
	enum tw_analyze_status ret;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
	    pipe2(crash, O_CLOEXEC) != 0) {
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dir,
			strerror(errno));
		return TW_ANALYZE_BAD_INPUT;
	}
	tty = isatty(STDERR_FILENO);
	fflush(stdout);
	fflush(stderr);
	if (o->text) {
		fflush(o->text);
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dir,
			strerror(errno));
		return TW_ANALYZE_BAD_INPUT;
	}
	if (pid == 0) {
		/* Progress goes to the terminal itself, past the parent's filter. */
		int tty_fd = tty ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3) : -1;
		/*
		 * The report's stream as the caller had it (it may be stderr,
		 * which is about to become the filter's pipe).
		 */
		int text_fd = o->text ? fcntl(fileno(o->text), F_DUPFD_CLOEXEC, 3) : -1;
		FILE *text = text_fd >= 0 ? fdopen(text_fd, "w") : NULL;

		close(ready[0]);
		close(err[0]);
		close(crash[0]);
		dup2(err[1], 2);
		close(err[1]);
		/* A reader of stdout that left is seen as EPIPE, not as a death. */
		signal(SIGPIPE, SIG_IGN);
		tw_crash_arm(crash[1]);
		status = analyze_here(o, text, ready[1], tty_fd);
		if (text) {
			fclose(text);
		}
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	close(ready[1]);
	close(err[1]);
	close(crash[1]);
	late = watch(ready[0], err[0]);
	if (late) {
		kill(pid, SIGKILL);
		reap(pid, &status);
		close(crash[0]);
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": its metadata "
			"could not be parsed within %d s (truncated metadata?)\n",
			dir, open_timeout_ms() / 1000);
		return TW_ANALYZE_BAD_INPUT;
	}
	if (reap(pid, &status) < 0) {
		close(crash[0]);
		fprintf(stderr, "tornwatch: cannot analyze \"%s\": %s\n", dir,
			strerror(errno));
		return TW_ANALYZE_BAD_INPUT;
	}
	if (WIFSIGNALED(status)) {
		ret = died(dir, WTERMSIG(status), tw_crash_read(crash[0]));
		close(crash[0]);
		return ret;
	}
	close(crash[0]);
	switch (WEXITSTATUS(status)) {
	case TW_ANALYZE_CLEAN:
	case TW_ANALYZE_ANOMALIES:
	case TW_ANALYZE_BAD_INPUT:
	case TW_ANALYZE_UNTRACED:
		return (enum tw_analyze_status)WEXITSTATUS(status);
	default:
		fprintf(stderr, "tornwatch: cannot read trace \"%s\": the analysis "
			"failed with status %d\n", dir, WEXITSTATUS(status));
		return TW_ANALYZE_BAD_INPUT;
	}
}
