/* SPDX-License-Identifier: MIT */
#ifndef TW_RUN_H
#define TW_RUN_H

#include <stddef.h>
#include "session.h"

struct tw_run_opts {
	const char *out_dir;	/* NULL: a new folder under ./tornwatch-traces/ */
	const char *relay_url;	/* net://HOST...: the trace goes to lttng-relayd */
	const char *json_path;
	size_t max_full;	/* anomalies the text shows in full; SIZE_MAX: all */
	int full_check;
	struct tw_channel_opts channel;
	char **argv;		/* the command */
};

/* The command's exit status, 3 on anomalies, 2 when tornwatch itself failed. */
int tw_run(const struct tw_run_opts *o);

#endif
