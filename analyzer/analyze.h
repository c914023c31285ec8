/* SPDX-License-Identifier: MIT */
/* From trace directories to a report: what `tornwatch analyze` runs. */
#ifndef TW_ANALYZE_H
#define TW_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

enum tw_analyze_status {
	TW_ANALYZE_CLEAN = 0,
	TW_ANALYZE_ANOMALIES = 3,
	TW_ANALYZE_BAD_INPUT = 2,
	TW_ANALYZE_UNTRACED = 4,	/* root_pid's tree left no event at all */
};

/*
 * Reads the traces, prints the text report on stdout and, when json_path is
 * not NULL, the JSON report there ("-" is stdout). A trace that cannot be
 * read gets one line on stderr. root_pid: only that process and those it
 * started are analyzed (0: every process).
 */
enum tw_analyze_status tw_analyze(const char *const *dirs, size_t ndirs,
				  const char *json_path, int32_t root_pid);

#endif
