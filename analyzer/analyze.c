/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "analyze.h"
#include "records.h"
#include "report.h"
#include "rules.h"
#include "trace-reader.h"

static int on_event(const struct tw_event *ev, void *data)
{
	return tw_records_add(data, ev);
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

enum tw_analyze_status tw_analyze(const char *const *dirs, size_t ndirs,
				  const char *json_path)
{
	enum tw_analyze_status status = TW_ANALYZE_BAD_INPUT;
	struct tw_trace_stats stats = { 0 };
	struct tw_anomalies anomalies = { 0 };
	struct tw_records r;
	char err[512] = "";

	tw_records_init(&r);
	if (tw_trace_read(dirs, ndirs, on_event, &r, &stats, err,
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
	tw_anomalies_free(&anomalies);
	tw_records_free(&r);
	return status;
}
