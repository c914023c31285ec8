/* SPDX-License-Identifier: MIT */
#ifndef TW_RUN_H
#define TW_RUN_H

#include <stddef.h>
#include "session.h"

struct tw_run_opts {
	const char *out_dir;	/* NULL: a new folder under ./tornwatch-traces/ */
	int force;		/* out_dir may hold files already */
	const char *report_path;	/* NULL: stderr; "-": stdout */
	const char *relay_url;	/* net://HOST...: the trace goes to lttng-relayd */
	const char *json_path;
	const char *html_path;
	size_t max_full;	/* anomalies the text shows in full; SIZE_MAX: all */
	int exit_code;		/* the status when anomalies were found */
	int full_check;
	struct tw_channel_opts channel;
	char **argv;		/* the command */
};

/*
 * The command's exit status, exit_code on anomalies, 2 when tornwatch
 * itself failed, 126/127 when the command could not be executed.
 */
int tw_run(const struct tw_run_opts *o);

#endif
