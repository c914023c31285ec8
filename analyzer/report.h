/* SPDX-License-Identifier: MIT */
/* The report: text for people, JSON for programs. */
#ifndef TW_REPORT_H
#define TW_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "records.h"
#include "rules.h"

/* What the report says about how it was made. */
struct tw_report_opts {
	const char *const *dirs;	/* the trace directories given */
	size_t ndirs;
	char *const *command;	/* tornwatch run's command, NULL-ended; or NULL */
	size_t max_full;	/* anomalies the text shows in full (SIZE_MAX: no limit) */
};

/* 0, or -ENOMEM (what was printed may then be incomplete). */
int tw_report_text(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o);
int tw_report_json(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o);
/* One self-contained HTML page; 0 or -ENOMEM. */
int tw_report_html(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o);
/* The JSON and HTML of a run whose command never loaded the preload: nothing read. */
void tw_report_json_untraced(FILE *f, const struct tw_report_opts *o,
			     pid_t pid, const char *exe);
void tw_report_html_untraced(FILE *f, const struct tw_report_opts *o,
			     pid_t pid, const char *exe);

#endif
