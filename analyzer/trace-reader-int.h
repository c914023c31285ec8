/* SPDX-License-Identifier: MIT */
/* What the trace reader's files share: its state and its error handling. */
#ifndef TW_TRACE_READER_INT_H
#define TW_TRACE_READER_INT_H

#include <babeltrace2/babeltrace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event-decode.h"
#include "loss.h"
#include "trace-find.h"
#include "trace-reader.h"

struct tw_reader {
	tw_event_fn fn;
	void *data;
	struct tw_trace_stats *stats;
	struct tw_trace_list found;
	struct tw_event ev;		/* reused: it is large */
	struct tw_decoder dec;
	struct tw_loss_reader loss;	/* each stream's packets */
	int64_t last_ts;
	const bt_trace *host_trace;	/* the trace host was looked up for */
	uint32_t host;
	const char *what;		/* message being read, for errors */
	bool failed;			/* err already holds our own cause */
	char *err;
	size_t errlen;
};

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* trace-errors.c: one line in r->err, ours or libbabeltrace2's cause. */
void tw_reader_err(struct tw_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool tw_reader_cause(struct tw_reader *r, char *buf, size_t len, long *trace);
void tw_reader_bt_error(struct tw_reader *r, const char *what, long trace,
			const char *fallback);
/* trace-messages.c: the event in r->ev to the analyzer; 0, or -1 to stop. */
int tw_reader_call_back(struct tw_reader *r);
/* trace-messages.c: the simple sink's consume function. */
bt_graph_simple_sink_component_consume_func_status
tw_reader_consume(bt_message_iterator *it, void *data);
/* trace-messages.c: once the graph ran to its end, the streams cut short at
 * their end; 0, or -1 to stop. */
int tw_reader_cut_short(struct tw_reader *r);

#endif
