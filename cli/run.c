/* SPDX-License-Identifier: MIT */
/*
 * tornwatch run: session up, the command with libtornwatch.so first in
 * LD_PRELOAD (so it sees what lower preloads and the file system return),
 * session down, analysis.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "analyze.h"
#include "locate.h"
#include "output.h"
#include "report.h"
#include "run.h"
#include "isolate.h"
#include "session.h"
#include "spawn.h"

extern char **environ;

static int mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
				return -1;
			}
			*p = '/';
		}
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * 1 when dir exists and holds anything: an earlier trace there would be
 * read with the new one. -1 with one line when it is not a directory.
 */
static int occupied(const char *dir)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int any = 0;

	if (stat(dir, &st) != 0) {
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "tornwatch: cannot write the trace to \"%s\": it "
			"exists and is not a directory\n", dir);
		return -1;
	}
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "tornwatch: cannot write the trace to \"%s\": %s\n",
			dir, strerror(errno));
		return -1;
	}
	while (!any && (de = readdir(d))) {
		any = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	}
	closedir(d);
	return any;
}

static int trace_dir(const struct tw_run_opts *o, char *buf, size_t len)
{
	char rel[PATH_MAX], *abs;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (o->out_dir) {
		snprintf(rel, sizeof(rel), "%s", o->out_dir);
		rc = occupied(rel);
		if (rc < 0) {
			return -1;
		}
		if (rc > 0 && !o->force) {
			fprintf(stderr, "tornwatch: trace directory \"%s\" is not "
				"empty: choose a new or empty one, or add --force to "
				"write into it\n", rel);
			return -1;
		}
	} else {
		localtime_r(&now, &tm);
		snprintf(rel, sizeof(rel),
			 "tornwatch-traces/%04d%02d%02d-%02d%02d%02d-%d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)getpid());
	}
	if (mkdirs(rel) != 0) {
		fprintf(stderr, "tornwatch: cannot create trace directory \"%s\": %s\n",
			rel, strerror(errno));
		return -1;
	}
	abs = realpath(rel, NULL);
	if (!abs) {
		fprintf(stderr, "tornwatch: cannot resolve \"%s\": %s\n", rel,
			strerror(errno));
		return -1;
	}
	snprintf(buf, len, "%s", abs);
	free(abs);
	return 0;
}

/*
 * Our environment with LD_PRELOAD prepended and blocking allowed. The first
 * entry is the LD_PRELOAD string we allocated; free_env releases it.
 */
static char **child_env(const char *lib, int full_check)
{
	size_t n = 0, i, k = 0;
	const char *old = getenv("LD_PRELOAD");
	char **env;

	while (environ[n]) {
		n++;
	}
	env = calloc(n + 4, sizeof(char *));
	if (!env) {
		return NULL;
	}
	if (asprintf(&env[k++], "LD_PRELOAD=%s%s%s", lib, old && *old ? ":" : "",
		     old ? old : "") < 0) {
		free(env);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], "LTTNG_UST_ALLOW_BLOCKING=", 25) != 0) {
			env[k++] = environ[i];
		}
	}
	env[k++] = "LTTNG_UST_ALLOW_BLOCKING=1";
	if (full_check) {
		env[k++] = "TORNWATCH_FULL_CHECK=1";
	}
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	free(env[0]);
	free(env);
}

static int is_metadata(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	(void)st;
	return type == FTW_F && strcmp(path + ftw->base, "metadata") == 0;
}

/* Did any process register with the session (ours or another's)? */
static int has_trace(const char *dir)
{
	return nftw(dir, is_metadata, 16, FTW_PHYS) == 1;
}

/* The report of a run with no trace: nothing checked, the command named. */
static void write_untraced(const char *path, const struct tw_analyze_opts *ao,
			   pid_t child, const char *cmd,
			   void (*fn)(FILE *, const struct tw_report_opts *,
				      pid_t, const char *))
{
	struct tw_report_opts ro = { ao->dirs, ao->ndirs, ao->command, ao->max_full };
	int to_stdout = path && strcmp(path, "-") == 0;
	FILE *f;

	if (!path || !(f = to_stdout ? stdout : fopen(path, "w"))) {
		return;
	}
	fn(f, &ro, child, cmd);
	if (to_stdout) {
		fflush(f);
	} else {
		fclose(f);
	}
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/*
 * Why the command left no trace when the environment says so: tracing
 * turned off by TORNWATCH_DISABLE or TORNWATCH_OPTIONS' disable (the
 * variable wins, as in the preload). NULL: not by the environment.
 */
static const char *disabled_by_env(void)
{
	const char *v = getenv("TORNWATCH_DISABLE"), *e;
	size_t n;

	if (v && *v) {
		return strcmp(v, "0") != 0 ? "TORNWATCH_DISABLE is set" : NULL;
	}
	for (v = getenv("TORNWATCH_OPTIONS"); v && *v; v = e + (*e != '\0')) {
		n = strcspn(v, ":,");
		e = v + n;
		if (n > 8 && strncasecmp(v, "disable=", 8) == 0 &&
		    (word_is(v + 8, n - 8, "1") || word_is(v + 8, n - 8, "true") ||
		     word_is(v + 8, n - 8, "yes"))) {
			return "TORNWATCH_OPTIONS has disable";
		}
	}
	return NULL;
}

/* A command that could not be started: the shell's status and its cause. */
static int not_started(const char *cmd, int err)
{
	const char *why = strerror(err);
	int st = 126;

	if (err == ENOENT) {
		st = 127;
		why = strchr(cmd, '/') ? "no such file" : "command not found in PATH";
	} else if (err == EACCES) {
		why = "permission denied (not an executable file, or on a noexec "
		      "mount, or a directory on the way is not searchable)";
	} else if (err == ENOEXEC) {
		why = "not an executable format (a script needs a #! line)";
	}
	fprintf(stderr, "tornwatch: cannot run \"%s\": %s\n", cmd, why);
	return st;
}

/* The report's stream, "trace: DIR" last; 0 or -1 (it could not be written). */
static int end_report(FILE *text, const char *dir)
{
	fprintf(text, "trace: %s\n", dir);
	return tw_close_report(text);
}

int tw_run(const struct tw_run_opts *o)
{
	char lib[PATH_MAX], dir[PATH_MAX], why[PATH_MAX + 128], filter[64];
	const char *dirs[1] = { dir };
	struct tw_analyze_opts ao = { .dirs = dirs, .ndirs = 1,
				      .json_path = o->json_path,
				      .html_path = o->html_path,
				      .max_full = o->max_full,
				      .command = o->argv };
	struct tw_session s;
	char **env;
	pid_t child = 0;
	int rc, st, sig;

	if (tw_locate_lib(lib, sizeof(lib), why, sizeof(why)) != 0) {
		fprintf(stderr, "tornwatch: %s\n", why);
		return 2;
	}
	if (trace_dir(o, dir, sizeof(dir)) != 0) {
		return 2;
	}
	if (tw_open_report(o->report_path, stderr, &ao.text) != 0) {
		return 2;
	}
	env = child_env(lib, o->full_check);
	if (!env) {
		fprintf(stderr, "tornwatch: out of memory\n");
		tw_close_report(ao.text);
		return 2;
	}
	/* From here a signal must not leave the session behind. */
	tw_signals_catch();
	if (tw_session_start(&s, dir, o->relay_url, &o->channel) != 0) {
		tw_signals_restore();
		free_env(env);
		tw_close_report(ao.text);
		return 2;
	}
	rc = tw_spawn_tree(o->argv, env, &child);
	free_env(env);
	if (rc < 0) {
		/* Nothing ran, nothing to analyze. */
		int err = errno;

		tw_session_stop(&s);
		tw_signals_restore();
		tw_close_report(ao.text);
		if (err == EINTR && (sig = tw_signal_caught()) != 0) {
			fprintf(stderr, "tornwatch: SIG%s before \"%s\" could start: "
				"not run\n", sigabbrev_np(sig), o->argv[0]);
			return 128 + sig;
		}
		return not_started(o->argv[0], err);
	}
	sig = tw_signal_caught();
	rc = tw_session_stop(&s) != 0 ? -1 : rc;
	tw_signals_restore();
	if (sig) {
		fprintf(stderr, "tornwatch: caught SIG%s while \"%s\" ran: the "
			"session is stopped and what it recorded analyzed\n",
			sigabbrev_np(sig), o->argv[0]);
	}
	if (rc < 0) {
		tw_close_report(ao.text);
		return 2;
	}
	if (o->relay_url) {
		/* The trace is the relay's: analyzed there, with the other hosts'. */
		fprintf(ao.text, "trace: streamed to %s as session %s (the relay "
			"daemon's output directory: HOSTNAME/%s-DATE)\n",
			o->relay_url, s.name, s.name);
		tw_close_report(ao.text);
		return rc;
	}
	if (s.uts_ns) {
		tw_isolate_filter(s.uts_ns, filter, sizeof(filter));
		ao.session_filter = filter;
	}
	ao.session_counted = s.counted;
	ao.session_discarded = s.discarded;
	ao.session_lost = s.lost_packets;
	/* Only the command's own processes: others may share the session daemon. */
	ao.root_pid = (int32_t)child;
	st = has_trace(dir) ? tw_analyze(&ao) : TW_ANALYZE_UNTRACED;
	/*
	 * Only now, the command being done (it would inherit SIG_IGN): a
	 * reader of the report that left (`| head`) ends the output, not us.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (end_report(ao.text, dir) != 0) {
		return 2;
	}
	/*
	 * A static or setuid command never loads the preload: that is said,
	 * and its own status kept, not "bad input".
	 */
	if (st == TW_ANALYZE_UNTRACED) {
		const char *off = disabled_by_env();

		if (off) {
			fprintf(stderr, "tornwatch: \"%s\" was not traced: %s\n",
				o->argv[0], off);
		} else {
			fprintf(stderr, "tornwatch: \"%s\" was not traced: no "
				"process of it loaded libtornwatch.so (static, "
				"setuid or setgid)\n", o->argv[0]);
		}
		write_untraced(o->json_path, &ao, child, o->argv[0],
			       tw_report_json_untraced);
		write_untraced(o->html_path, &ao, child, o->argv[0],
			       tw_report_html_untraced);
		return rc;
	}
	if (st == TW_ANALYZE_ANOMALIES) {
		return o->exit_code;
	}
	if (st == TW_ANALYZE_BAD_INPUT) {
		return 2;
	}
	return rc;
}
