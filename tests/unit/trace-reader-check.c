/* SPDX-License-Identifier: MIT */
/*
 * Test-only driver for the trace reader: prints one line per event and a
 * final stats line, so tests can compare what tw_trace_read delivered.
 * Usage: trace-reader-check DIR...
 * Exit: 0 when read to the end, 2 with the reader's cause on stderr.
 */
#include <inttypes.h>
#include <stdio.h>

#include "trace-reader.h"

static const char *const type_names[] = {
	[TW_EV_CALL_BEGIN] = "call_begin",
	[TW_EV_CALL_END] = "call_end",
	[TW_EV_PIECES] = "pieces",
	[TW_EV_SYNC_PAGES] = "sync_pages",
	[TW_EV_FILE_OPEN] = "file_open",
	[TW_EV_MAP] = "map",
	[TW_EV_PROCESS] = "process",
	[TW_EV_DISCARDED] = "discarded",
};

static int print_event(const struct tw_event *ev, void *data)
{
	const char *type = "?";

	(void)data;
	if ((size_t)ev->type < sizeof(type_names) / sizeof(type_names[0]) &&
	    type_names[ev->type]) {
		type = type_names[ev->type];
	}
	printf("%s ts=%" PRId64 " pid=%" PRId64 " tid=%" PRId64
	       " call=%s offset=%" PRId64 " length=%" PRIu64
	       " ret=%" PRId64 " ncrc=%zu",
	       type, ev->ts, ev->pid, ev->tid, ev->call[0] ? ev->call : "-",
	       ev->offset, ev->length, ev->ret, ev->ncrc);
	if (ev->type == TW_EV_DISCARDED) {
		printf(" count=%" PRIu64 " packets=%d", ev->count, ev->packets);
	}
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	struct tw_trace_stats st;
	char err[512];

	if (argc < 2) {
		fprintf(stderr, "usage: trace-reader-check DIR...\n");
		return 2;
	}
	if (tw_trace_read((const char *const *)(argv + 1), (size_t)(argc - 1),
			  print_event, NULL, &st, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	printf("stats traces=%" PRIu64 " events=%" PRIu64
	       " other_events=%" PRIu64 " discarded_events=%" PRIu64
	       " discarded_packets=%" PRIu64 "\n",
	       st.traces, st.events, st.other_events, st.discarded_events,
	       st.discarded_packets);
	return 0;
}
