/* SPDX-License-Identifier: MIT */
/*
 * Trace reader: for the CTF traces below each directory (trace-find.c)
 * builds one libbabeltrace2 graph (source.ctf.fs per trace → utils.muxer → simple
 * sink) and turns tornwatch event messages into struct tw_event records.
 */
#define _POSIX_C_SOURCE 200809L

#include "trace-reader.h"
#include "event-decode.h"
#include "loss.h"
#include "trace-find.h"
#include "tornwatch-events.h"
#include "grow.h"

#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define TW_PROVIDER "tornwatch:"

struct tw_reader {
	tw_event_fn fn;
	void *data;
	struct tw_trace_stats *stats;
	struct tw_trace_list found;
	struct tw_event ev;		/* reused: it is large */
	struct tw_decoder dec;
	struct tw_loss_reader loss;	/* each stream's packets */
	int64_t last_ts;
	const char *what;		/* message being read, for errors */
	bool failed;			/* err already holds our own cause */
	char *err;
	size_t errlen;
};

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One line only: control characters become spaces, runs collapse. */
static void flatten_line(char *s)
{
	char *w = s;
	bool space = true;	/* also drops leading blanks */

	for (char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (!space) {
				*w++ = ' ';
			}
			space = true;
			continue;
		}
		*w++ = (char)c;
		space = false;
	}
	while (w > s && w[-1] == ' ') {
		w--;
	}
	*w = '\0';
}

static void set_err(struct tw_reader *r, const char *fmt, ...)
{
	va_list ap;

	r->failed = true;
	if (!r->err || r->errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	flatten_line(r->err);
}

/* Index of the trace whose source component raised cause, or -1. */
static long cause_trace(const bt_error_cause *cause)
{
	const char *name = NULL;
	char *endp;
	long idx;

	switch (bt_error_cause_get_actor_type(cause)) {
	case BT_ERROR_CAUSE_ACTOR_TYPE_COMPONENT:
		name = bt_error_cause_component_actor_get_component_name(cause);
		break;
	case BT_ERROR_CAUSE_ACTOR_TYPE_MESSAGE_ITERATOR:
		name = bt_error_cause_message_iterator_actor_get_component_name(cause);
		break;
	default:
		break;
	}
	if (!name || strncmp(name, "src-", 4)) {
		return -1;
	}
	errno = 0;
	idx = strtol(name + 4, &endp, 10);
	if (errno || *endp || idx < 0) {
		return -1;
	}
	return idx;
}

/* Whether a cause message names a file, as ctf.fs quotes paths. */
static bool names_file(const char *m)
{
	return strstr(m, "`/") || strstr(m, "'/") || strstr(m, "\"/");
}

/* Drops "foo-addr=0x..." items: object addresses mean nothing to a user. */
static void strip_addresses(char *s)
{
	char *p;

	while ((p = strstr(s, "addr=0x"))) {
		char *b = p, *e = p + 7;

		while (b > s && b[-1] != ' ' && b[-1] != ',') {
			b--;
		}
		while (*e && *e != ',' && *e != ' ') {
			e++;
		}
		if (*e == ',') {
			e++;
		}
		while (*e == ' ') {
			e++;
		}
		memmove(b, e, strlen(e) + 1);
	}
	/* "Cause: " left with nothing after it, or a dangling comma. */
	for (size_t l = strlen(s); l > 0 && strchr(":, ", s[l - 1]); l--) {
		s[l - 1] = '\0';
	}
}

/*
 * Takes the current thread's babeltrace2 error and copies its most telling
 * cause into buf as one line; *trace gets the trace whose source raised it
 * (left alone when none did). False when there was no error to take.
 *
 * Causes run from the root (index 0) to the outermost wrapper. The library's
 * own wrappers ("Component initialization method failed: comp-addr=...")
 * only say where it failed, so the root-most cause a plugin gave wins; when
 * it does not say which file, the first wrapper that does is put before it.
 */
static bool take_cause(struct tw_reader *r, char *buf, size_t len,
		       long *trace)
{
	const bt_error *error = bt_current_thread_take_error();
	const char *root = NULL, *where = NULL, *any = NULL;
	bool named = false;
	uint64_t n;

	if (!error) {
		return false;
	}
	n = bt_error_get_cause_count(error);
	for (uint64_t i = 0; i < n; i++) {
		const bt_error_cause *c = bt_error_borrow_cause_by_index(error, i);
		const char *m = bt_error_cause_get_message(c);
		long t = cause_trace(c);

		if (!named && t >= 0 && (size_t)t < r->found.n) {
			*trace = t;
			named = true;
		}
		if (!m || !*m) {
			continue;
		}
		if (!any) {
			any = m;
		}
		if (bt_error_cause_get_actor_type(c) ==
		    BT_ERROR_CAUSE_ACTOR_TYPE_UNKNOWN) {
			continue;
		}
		if (!root) {
			root = m;
		} else if (!where && !names_file(root) && names_file(m)) {
			where = m;
		}
	}
	if (root && where) {
		int k = snprintf(buf, len, "%s", where);

		/* "...(`/x/channel0_0`)." then ": root". */
		if (k > 0 && (size_t)k < len && buf[k - 1] == '.') {
			buf[--k] = '\0';
		}
		if (k > 0 && (size_t)k < len) {
			snprintf(buf + k, len - (size_t)k, ": %s", root);
		}
	} else {
		snprintf(buf, len, "%s", root ? root : any ? any : "unknown error");
	}
	flatten_line(buf);
	strip_addresses(buf);
	bt_error_release(error);
	return true;
}

/*
 * Sets err from the current babeltrace2 error. what names the object when
 * no cause points at a trace; trace is a default trace index, or -1.
 */
static void take_bt_error(struct tw_reader *r, const char *what, long trace,
			  const char *fallback)
{
	char cause[512];

	if (!take_cause(r, cause, sizeof(cause), &trace)) {
		snprintf(cause, sizeof(cause), "%s", fallback);
	}
	if (r->failed) {
		/* Our own cause is more precise than the graph's echo of it. */
		return;
	}
	if (trace >= 0 && (size_t)trace < r->found.n) {
		set_err(r, "cannot read trace \"%s\": %s",
			r->found.dir[trace].path, cause);
	} else {
		set_err(r, "%s: %s", what, cause);
	}
}

static int call_back(struct tw_reader *r)
{
	if (r->fn && r->fn(&r->ev, r->data)) {
		set_err(r, "reading stopped by the analyzer");
		return -1;
	}
	return 0;
}

static int clock_ns(struct tw_reader *r, const bt_clock_snapshot *cs,
		    int64_t *ns)
{
	if (bt_clock_snapshot_get_ns_from_origin(cs, ns) !=
	    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		set_err(r, "cannot read event \"%s\": timestamp out of range (%llu cycles)",
			r->what,
			(unsigned long long)bt_clock_snapshot_get_value(cs));
		return -1;
	}
	return 0;
}

static int handle_event(struct tw_reader *r, const bt_message *msg)
{
	const bt_event *event = bt_message_event_borrow_event_const(msg);
	int ret = tw_decode_event(&r->dec, event, &r->ev);

	r->what = bt_event_class_get_name(bt_event_borrow_class_const(event));
	if (ret == 1) {
		/* Unknown tornwatch: names (a newer provider) count as foreign. */
		r->stats->other_events++;
		return 0;
	}
	if (ret == -EPROTO) {
		/* Another tracer's processes in the same session, or an old trace. */
		r->stats->old_format_events++;
		return 0;
	}
	if (ret != 0) {
		set_err(r, "cannot read event \"%s\": %s", r->what,
			ret == -ENOMEM ? "out of memory" : "malformed array");
		return -1;
	}
	if (r->ev.type == TW_EV_PROCESS && r->ev.format != TW_FORMAT_VERSION) {
		set_err(r, "cannot read trace: its tornwatch events are in trace "
			"format %lld; this tornwatch reads format %d",
			(long long)r->ev.format, TW_FORMAT_VERSION);
		return -1;
	}
	if (bt_message_event_borrow_stream_class_default_clock_class_const(msg)) {
		const bt_clock_snapshot *cs =
			bt_message_event_borrow_default_clock_snapshot_const(msg);

		if (clock_ns(r, cs, &r->last_ts)) {
			return -1;
		}
	}
	r->ev.ts = r->last_ts;
	r->ev.stream = tw_loss_reader_stream(&r->loss,
					     bt_event_borrow_stream_const(event));
	r->stats->events++;
	r->stats->processes += r->ev.type == TW_EV_PROCESS;
	return call_back(r);
}

static int handle_discarded(struct tw_reader *r, const bt_message *msg,
			    bool packets)
{
	const bt_stream *stream;
	const bt_stream_class *sc;
	const bt_clock_snapshot *cs = NULL, *ce = NULL;
	bt_property_availability avail;
	uint64_t count = 0;

	r->what = packets ? "discarded packets" : "discarded events";
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = TW_EV_DISCARDED;
	if (packets) {
		stream = bt_message_discarded_packets_borrow_stream_const(msg);
		sc = bt_stream_borrow_class_const(stream);
		if (bt_stream_class_discarded_packets_have_default_clock_snapshots(sc)) {
			cs = bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(msg);
			ce = bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(msg);
		}
		avail = bt_message_discarded_packets_get_count(msg, &count);
	} else {
		stream = bt_message_discarded_events_borrow_stream_const(msg);
		sc = bt_stream_borrow_class_const(stream);
		if (bt_stream_class_discarded_events_have_default_clock_snapshots(sc)) {
			cs = bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(msg);
			ce = bt_message_discarded_events_borrow_end_default_clock_snapshot_const(msg);
		}
		avail = bt_message_discarded_events_get_count(msg, &count);
	}
	if (avail != BT_PROPERTY_AVAILABILITY_AVAILABLE) {
		count = 0;
	}
	if (cs && clock_ns(r, cs, &r->last_ts)) {
		return -1;
	}
	if (packets) {
		r->stats->discarded_packets += count;
	} else {
		r->stats->discarded_events += count;
	}
	r->ev.ts = r->last_ts;
	r->ev.lost_end = r->last_ts;
	if (ce && clock_ns(r, ce, &r->ev.lost_end)) {
		return -1;
	}
	r->ev.stream = tw_loss_reader_stream(&r->loss, stream);
	r->ev.count = count;
	r->ev.packets = packets;
	return call_back(r);
}

/* Stream and packet messages: losses libbabeltrace2 does not report. */
static int handle_stream(struct tw_reader *r, const bt_message *msg)
{
	int ret = tw_loss_reader_message(&r->loss, msg, &r->ev);

	if (ret < 0) {
		set_err(r, "cannot read trace: out of memory");
		return -1;
	}
	r->what = "packet";
	return ret ? call_back(r) : 0;
}

/* Once the graph ran to its end: the streams cut short at their end. */
static int report_cut_short(struct tw_reader *r)
{
	size_t pos = 0;

	r->what = "stream end";
	while (tw_loss_reader_cut_short(&r->loss, &pos, &r->ev)) {
		if (call_back(r)) {
			return -1;
		}
	}
	return 0;
}

static int handle_message(struct tw_reader *r, const bt_message *msg)
{
	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_EVENT:
		return handle_event(r, msg);
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		return handle_discarded(r, msg, false);
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		return handle_discarded(r, msg, true);
	default:
		return handle_stream(r, msg);
	}
}

static bt_graph_simple_sink_component_consume_func_status
consume(bt_message_iterator *it, void *data)
{
	struct tw_reader *r = data;
	bt_message_array_const msgs;
	uint64_t count = 0, i = 0;
	bt_graph_simple_sink_component_consume_func_status status;

	switch (bt_message_iterator_next(it, &msgs, &count)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_END;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_MEMORY_ERROR;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_ERROR:
	default:
		return BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
	}
	status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_OK;
	for (; i < count; i++) {
		if (handle_message(r, msgs[i])) {
			status = BT_GRAPH_SIMPLE_SINK_COMPONENT_CONSUME_FUNC_STATUS_ERROR;
			break;
		}
		bt_message_put_ref(msgs[i]);
	}
	/* On a stop, the rest of the batch is still ours to put. */
	for (; i < count; i++) {
		bt_message_put_ref(msgs[i]);
	}
	return status;
}

/* The muxer grows a fresh input port after each connection. */
static const bt_port_input *free_muxer_port(const bt_component_filter *mux)
{
	uint64_t n = bt_component_filter_get_input_port_count(mux);

	for (uint64_t i = 0; i < n; i++) {
		const bt_port_input *p =
			bt_component_filter_borrow_input_port_by_index_const(mux, i);

		if (!bt_port_is_connected(bt_port_input_as_port_const(p))) {
			return p;
		}
	}
	return NULL;
}

static const bt_plugin *find_plugin(struct tw_reader *r, const char *name)
{
	const bt_plugin *plugin = NULL;
	char what[64];

	switch (bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE,
			       BT_FALSE, &plugin)) {
	case BT_PLUGIN_FIND_STATUS_OK:
		return plugin;
	case BT_PLUGIN_FIND_STATUS_NOT_FOUND:
		set_err(r, "cannot load babeltrace2 plugin \"%s\": not found",
			name);
		return NULL;
	case BT_PLUGIN_FIND_STATUS_MEMORY_ERROR:
		set_err(r, "cannot load babeltrace2 plugin \"%s\": out of memory",
			name);
		return NULL;
	default:
		snprintf(what, sizeof(what), "cannot load babeltrace2 plugin \"%s\"",
			 name);
		take_bt_error(r, what, -1, "error");
		return NULL;
	}
}

/*
 * babeltrace2 2.0 only logs why it could not decode a trace's metadata: the
 * error says "Cannot create trace". Ask the metadata-info query, which
 * fails with a cause naming the step, to tell a bad metadata file apart.
 */
static bool metadata_broken(struct tw_reader *r,
			    const bt_component_class_source *fs, const char *path,
			    char *buf, size_t len)
{
	const bt_component_class *cls =
		bt_component_class_source_as_component_class_const(fs);
	bt_query_executor *q = NULL;
	const bt_value *result = NULL;
	bt_value *params = bt_value_map_create();
	bool broken = false;
	long unused = -1;

	if (!params || bt_value_map_insert_string_entry(params, "path", path)) {
		goto end;
	}
	q = bt_query_executor_create(cls, "metadata-info", params);
	if (!q) {
		goto end;
	}
	bt_query_executor_set_logging_level(q, BT_LOGGING_LEVEL_NONE);
	switch (bt_query_executor_query(q, &result)) {
	case BT_QUERY_EXECUTOR_QUERY_STATUS_ERROR:
		broken = take_cause(r, buf, len, &unused);
		break;
	default:
		break;
	}
end:
	/* Whatever the query left behind is not the trace's problem. */
	bt_current_thread_clear_error();
	bt_value_put_ref(result);
	bt_query_executor_put_ref(q);
	bt_value_put_ref(params);
	return broken;
}

/* Sets err after source.ctf.fs refused to open trace idx. */
static void source_failed(struct tw_reader *r,
			  const bt_component_class_source *fs, size_t idx)
{
	const char *path = r->found.dir[idx].path;
	char cause[512], meta[512];
	long trace = (long)idx;

	if (!take_cause(r, cause, sizeof(cause), &trace)) {
		snprintf(cause, sizeof(cause), "cannot open the trace");
	}
	if (!strncmp(cause, "Cannot create trace for ", 24) &&
	    metadata_broken(r, fs, path, meta, sizeof(meta))) {
		/* The query repeats the path we already print. */
		char *p = strstr(meta, ": path=\"");

		if (p) {
			*p = '\0';
		}
		set_err(r, "cannot read trace \"%s\": invalid CTF metadata (%s)",
			path, meta);
		return;
	}
	set_err(r, "cannot read trace \"%s\": %s", path, cause);
}

static int add_source(struct tw_reader *r, bt_graph *graph,
		      const bt_component_class_source *fs, size_t idx,
		      const bt_component_filter *mux)
{
	const struct tw_trace_dir *t = &r->found.dir[idx];
	bt_value *params = NULL, *inputs = NULL;
	const bt_component_source *src = NULL;
	char name[32];
	uint64_t nports;
	int ret = -1;

	params = bt_value_map_create();
	inputs = bt_value_array_create();
	if (!params || !inputs ||
	    bt_value_array_append_string_element(inputs, t->path) ||
	    bt_value_map_insert_entry(params, "inputs", inputs)) {
		set_err(r, "cannot read trace \"%s\": out of memory", t->path);
		goto end;
	}
	/* The index in the name maps babeltrace2's causes back to t. */
	snprintf(name, sizeof(name), "src-%zu", idx);
	switch (bt_graph_add_source_component(graph, fs, name, params,
					      BT_LOGGING_LEVEL_NONE, &src)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	case BT_GRAPH_ADD_COMPONENT_STATUS_MEMORY_ERROR:
		set_err(r, "cannot read trace \"%s\": out of memory", t->path);
		goto end;
	default:
		source_failed(r, fs, idx);
		goto end;
	}
	nports = bt_component_source_get_output_port_count(src);
	for (uint64_t i = 0; i < nports; i++) {
		const bt_port_output *out =
			bt_component_source_borrow_output_port_by_index_const(src, i);
		const bt_port_input *in = free_muxer_port(mux);

		if (!in) {
			set_err(r, "cannot read trace \"%s\": the muxer has no free input port",
				t->path);
			goto end;
		}
		if (bt_graph_connect_ports(graph, out, in, NULL) !=
		    BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
			take_bt_error(r, "cannot read trace", (long)idx,
				      "cannot connect it to the muxer");
			goto end;
		}
	}
	ret = 0;
end:
	bt_value_put_ref(inputs);
	bt_value_put_ref(params);
	return ret;
}

/* Describes the arguments for errors that no single trace owns. */
static void traces_label(const char *const *dirs, size_t ndirs, char *buf,
			 size_t len)
{
	size_t used;

	used = (size_t)snprintf(buf, len, "cannot read trace%s",
				ndirs > 1 ? "s" : "");
	for (size_t i = 0; i < ndirs && used < len; i++) {
		used += (size_t)snprintf(buf + used, len - used, "%s\"%s\"",
					 i ? ", " : " ", dirs[i]);
	}
}

static int run_graph(struct tw_reader *r, const char *const *dirs,
		     size_t ndirs)
{
	const bt_plugin *ctf = NULL, *utils = NULL;
	const bt_component_class_source *fs;
	const bt_component_class_filter *muxer_cls;
	const bt_component_filter *mux = NULL;
	const bt_component_sink *sink = NULL;
	bt_graph *graph = NULL;
	bt_graph_run_status rs;
	char label[512];
	int ret = -1;

	traces_label(dirs, ndirs, label, sizeof(label));
	ctf = find_plugin(r, "ctf");
	if (!ctf) {
		goto end;
	}
	utils = find_plugin(r, "utils");
	if (!utils) {
		goto end;
	}
	fs = bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs");
	muxer_cls = bt_plugin_borrow_filter_component_class_by_name_const(utils,
									  "muxer");
	if (!fs || !muxer_cls) {
		set_err(r, "cannot load babeltrace2 component class \"%s\": not found",
			fs ? "filter.utils.muxer" : "source.ctf.fs");
		goto end;
	}
	graph = bt_graph_create(0);
	if (!graph) {
		set_err(r, "%s: out of memory", label);
		goto end;
	}
	switch (bt_graph_add_filter_component(graph, muxer_cls, "muxer", NULL,
					      BT_LOGGING_LEVEL_NONE, &mux)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	default:
		take_bt_error(r, label, -1, "cannot create the muxer");
		goto end;
	}
	for (size_t i = 0; i < r->found.n; i++) {
		if (add_source(r, graph, fs, i, mux)) {
			goto end;
		}
	}
	switch (bt_graph_add_simple_sink_component(graph, "sink", NULL, consume,
						   NULL, r, &sink)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	default:
		take_bt_error(r, label, -1, "cannot create the sink");
		goto end;
	}
	if (bt_graph_connect_ports(graph,
			bt_component_filter_borrow_output_port_by_index_const(mux, 0),
			bt_component_sink_borrow_input_port_by_index_const(sink, 0),
			NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		take_bt_error(r, label, -1, "cannot connect the sink");
		goto end;
	}
	/* Metadata is parsed: say so, then read. */
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = TW_EV_READING;
	if (call_back(r) != 0) {
		goto end;
	}
	for (;;) {
		rs = bt_graph_run(graph);
		if (rs != BT_GRAPH_RUN_STATUS_AGAIN) {
			break;
		}
		/* Nothing ready yet (live sources): wait a little, retry. */
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	switch (rs) {
	case BT_GRAPH_RUN_STATUS_OK: {
		/*
		 * libbabeltrace2 2.0.4 ends a stream it cannot decode as if that
		 * were its end, leaving only an error behind: a trace cut short
		 * must not pass for a whole one.
		 */
		const bt_error *left = bt_current_thread_take_error();

		if (left) {
			bt_current_thread_move_error(left);
			take_bt_error(r, label, -1, "cannot decode the trace");
			break;
		}
		ret = report_cut_short(r);
		break;
	}
	case BT_GRAPH_RUN_STATUS_MEMORY_ERROR:
		take_bt_error(r, label, -1, "out of memory");
		break;
	default:
		take_bt_error(r, label, -1, "cannot decode the trace");
		break;
	}
end:
	/* The graph holds its own references to the component classes. */
	bt_graph_put_ref(graph);
	bt_plugin_put_ref(utils);
	bt_plugin_put_ref(ctf);
	return ret;
}

int tw_trace_read(const char *const *dirs, size_t ndirs, tw_event_fn fn,
		  void *data, struct tw_trace_stats *stats, char *err,
		  size_t errlen)
{
	struct tw_trace_stats local;
	struct tw_reader *r;
	int ret = -1;

	if (!stats) {
		stats = &local;
	}
	memset(stats, 0, sizeof(*stats));
	if (err && errlen) {
		err[0] = '\0';
	}
	if (!dirs || ndirs == 0) {
		if (err && errlen) {
			snprintf(err, errlen, "cannot read trace: no directory given");
		}
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (err && errlen) {
			snprintf(err, errlen, "cannot read trace: out of memory");
		}
		return -1;
	}
	r->fn = fn;
	r->data = data;
	r->stats = stats;
	r->err = err;
	r->errlen = errlen;
	/* A stale error left on this thread would be blamed on us. */
	bt_current_thread_clear_error();
	for (size_t i = 0; i < ndirs; i++) {
		if (tw_find_traces(&r->found, dirs[i], r->err, r->errlen)) {
			r->failed = true;
			goto end;
		}
	}
	stats->traces = r->found.n;
	if (run_graph(r, dirs, ndirs)) {
		goto end;
	}
	ret = 0;
end:
	/* err has the cause; leave no babeltrace2 error on the thread. */
	bt_current_thread_clear_error();
	tw_trace_list_free(&r->found);
	tw_decoder_free(&r->dec);
	tw_loss_reader_free(&r->loss);
	free(r);
	return ret;
}
