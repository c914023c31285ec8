/* SPDX-License-Identifier: MIT */
/*
 * tornwatch run: session up, the command with libtornwatch.so first in
 * LD_PRELOAD (so it sees what lower preloads and the file system return),
 * session down, analysis.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "analyze.h"
#include "locate.h"
#include "report.h"
#include "run.h"
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

static int trace_dir(const struct tw_run_opts *o, char *buf, size_t len)
{
	char rel[PATH_MAX], *abs;
	time_t now = time(NULL);
	struct tm tm;

	if (o->out_dir) {
		snprintf(rel, sizeof(rel), "%s", o->out_dir);
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
static void write_untraced_json(const char *path, const struct tw_analyze_opts *ao,
				pid_t child, const char *cmd)
{
	struct tw_report_opts ro = { ao->dirs, ao->ndirs, ao->command, ao->max_full };
	FILE *f;

	if (!path || !(f = fopen(path, "w"))) {
		return;
	}
	tw_report_json_untraced(f, &ro, child, cmd);
	fclose(f);
}

int tw_run(const struct tw_run_opts *o)
{
	char lib[PATH_MAX], dir[PATH_MAX];
	const char *dirs[1] = { dir };
	struct tw_analyze_opts ao = { .dirs = dirs, .ndirs = 1,
				      .json_path = o->json_path,
				      .max_full = o->max_full,
				      .command = o->argv };
	struct tw_session s;
	char **env;
	pid_t child = 0;
	int rc, st;

	if (tw_locate_lib(lib, sizeof(lib)) != 0) {
		fprintf(stderr, "tornwatch: cannot find libtornwatch.so beside the "
			"tornwatch executable (set TORNWATCH_LIB)\n");
		return 2;
	}
	if (trace_dir(o, dir, sizeof(dir)) != 0) {
		return 2;
	}
	env = child_env(lib, o->full_check);
	if (!env) {
		fprintf(stderr, "tornwatch: out of memory\n");
		return 2;
	}
	if (tw_session_start(&s, dir, o->relay_url, &o->channel) != 0) {
		free_env(env);
		return 2;
	}
	rc = tw_spawn_tree(o->argv, env, &child);
	free_env(env);
	if (rc < 0) {
		/* Nothing ran, nothing to analyze: the shell's status for it. */
		fprintf(stderr, "tornwatch: cannot run \"%s\": %s\n", o->argv[0],
			strerror(errno));
		tw_session_stop(&s);
		return 127;
	}
	if (tw_session_stop(&s) != 0) {
		return 2;
	}
	if (o->relay_url) {
		/* The trace is the relay's: analyzed there, with the other hosts'. */
		printf("trace: streamed to %s as session %s (the relay daemon's "
		       "output directory: HOSTNAME/%s-DATE)\n", o->relay_url,
		       s.name, s.name);
		fflush(stdout);
		return rc;
	}
	ao.session_counted = s.counted;
	ao.session_discarded = s.discarded;
	ao.session_lost = s.lost_packets;
	/* Only the command's own processes: others may share the session daemon. */
	ao.root_pid = (int32_t)child;
	st = has_trace(dir) ? tw_analyze(&ao) : TW_ANALYZE_UNTRACED;
	/*
	 * Only now, the command being done (it would inherit SIG_IGN): a
	 * reader of stdout that left (`| head`) ends the output, not us.
	 */
	signal(SIGPIPE, SIG_IGN);
	printf("trace: %s\n", dir);
	fflush(stdout);
	/*
	 * A static or setuid command never loads the preload: that is said,
	 * and its own status kept, not "bad input".
	 */
	if (st == TW_ANALYZE_UNTRACED) {
		fprintf(stderr, "tornwatch: \"%s\" was not traced: no process "
			"of it loaded libtornwatch.so (static, setuid or setgid)\n",
			o->argv[0]);
		write_untraced_json(o->json_path, &ao, child, o->argv[0]);
		return rc;
	}
	if (st == TW_ANALYZE_ANOMALIES) {
		return 3;
	}
	if (st == TW_ANALYZE_BAD_INPUT) {
		return 2;
	}
	return rc;
}
