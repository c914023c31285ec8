/* SPDX-License-Identifier: MIT */
/* From trace directories to a report: what `tornwatch analyze` runs. */
#ifndef TW_ANALYZE_H
#define TW_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum tw_analyze_status {
	TW_ANALYZE_CLEAN = 0,
	TW_ANALYZE_ANOMALIES = 3,
	TW_ANALYZE_BAD_INPUT = 2,
	TW_ANALYZE_UNTRACED = 4,	/* root_pid's tree left no event at all */
};

struct tw_analyze_opts {
	const char *const *dirs;	/* the traces */
	size_t ndirs;
	FILE *text;		/* the text report's stream; NULL: none */
	const char *json_path;	/* NULL: no JSON; "-": stdout */
	const char *html_path;	/* NULL: no HTML; "-": stdout */
	int32_t root_pid;	/* only this process and those it started; 0: all */
	size_t max_full;	/* anomalies the text shows in full; SIZE_MAX: all */
	char *const *command;	/* tornwatch run's command, for the JSON; or NULL */
	/* The session channel's own loss counters, when read (tornwatch run). */
	int session_counted;
	uint64_t session_discarded, session_lost;
	/* A session still records into one of the traces (said already). */
	int recording;
	/* The session's event filter (tornwatch run), or NULL: every process. */
	const char *session_filter;
};

/*
 * Reads the traces, prints the text report on o->text and the JSON report
 * when asked. A trace that cannot be read, a crash, running out of memory
 * get one line on stderr; a reader of the report that went away gets nothing,
 * and the status stays what the analysis found.
 */
enum tw_analyze_status tw_analyze(const struct tw_analyze_opts *o);

#endif
