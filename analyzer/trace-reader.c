/* SPDX-License-Identifier: MIT */
/*
 * Trace reader: for the CTF traces below each directory (trace-find.c)
 * builds one libbabeltrace2 graph (source.ctf.fs per trace → utils.muxer → simple
 * sink) and runs it; the sink's messages become struct tw_event records
 * (trace-messages.c), errors one line (trace-errors.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "trace-reader-int.h"
#include "event-decode.h"
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
		tw_reader_err(r, "cannot load babeltrace2 plugin \"%s\": not found",
			name);
		return NULL;
	case BT_PLUGIN_FIND_STATUS_MEMORY_ERROR:
		tw_reader_err(r, "cannot load babeltrace2 plugin \"%s\": out of memory",
			name);
		return NULL;
	default:
		snprintf(what, sizeof(what), "cannot load babeltrace2 plugin \"%s\"",
			 name);
		tw_reader_bt_error(r, what, -1, "error");
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
		broken = tw_reader_cause(r, buf, len, &unused);
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

	if (!tw_reader_cause(r, cause, sizeof(cause), &trace)) {
		snprintf(cause, sizeof(cause), "cannot open the trace");
	}
	if (!strncmp(cause, "Cannot create trace for ", 24) &&
	    metadata_broken(r, fs, path, meta, sizeof(meta))) {
		/* The query repeats the path we already print. */
		char *p = strstr(meta, ": path=\"");

		if (p) {
			*p = '\0';
		}
		tw_reader_err(r, "cannot read trace \"%s\": invalid CTF metadata (%s)",
			path, meta);
		return;
	}
	tw_reader_err(r, "cannot read trace \"%s\": %s", path, cause);
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
		tw_reader_err(r, "cannot read trace \"%s\": out of memory", t->path);
		goto end;
	}
	/* The index in the name maps babeltrace2's causes back to t. */
	snprintf(name, sizeof(name), "src-%zu", idx);
	switch (bt_graph_add_source_component(graph, fs, name, params,
					      BT_LOGGING_LEVEL_NONE, &src)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	case BT_GRAPH_ADD_COMPONENT_STATUS_MEMORY_ERROR:
		tw_reader_err(r, "cannot read trace \"%s\": out of memory", t->path);
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
			tw_reader_err(r, "cannot read trace \"%s\": the muxer has no free input port",
				t->path);
			goto end;
		}
		if (bt_graph_connect_ports(graph, out, in, NULL) !=
		    BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
			tw_reader_bt_error(r, "cannot read trace", (long)idx,
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
		tw_reader_err(r, "cannot load babeltrace2 component class \"%s\": not found",
			fs ? "filter.utils.muxer" : "source.ctf.fs");
		goto end;
	}
	graph = bt_graph_create(0);
	if (!graph) {
		tw_reader_err(r, "%s: out of memory", label);
		goto end;
	}
	switch (bt_graph_add_filter_component(graph, muxer_cls, "muxer", NULL,
					      BT_LOGGING_LEVEL_NONE, &mux)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	default:
		tw_reader_bt_error(r, label, -1, "cannot create the muxer");
		goto end;
	}
	for (size_t i = 0; i < r->found.n; i++) {
		if (add_source(r, graph, fs, i, mux)) {
			goto end;
		}
	}
	switch (bt_graph_add_simple_sink_component(graph, "sink", NULL, tw_reader_consume,
						   NULL, r, &sink)) {
	case BT_GRAPH_ADD_COMPONENT_STATUS_OK:
		break;
	default:
		tw_reader_bt_error(r, label, -1, "cannot create the sink");
		goto end;
	}
	if (bt_graph_connect_ports(graph,
			bt_component_filter_borrow_output_port_by_index_const(mux, 0),
			bt_component_sink_borrow_input_port_by_index_const(sink, 0),
			NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
		tw_reader_bt_error(r, label, -1, "cannot connect the sink");
		goto end;
	}
	/* Metadata is parsed: say so, then read. */
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.type = TW_EV_READING;
	if (tw_reader_call_back(r) != 0) {
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
			tw_reader_bt_error(r, label, -1, "cannot decode the trace");
			break;
		}
		ret = tw_reader_cut_short(r);
		break;
	}
	case BT_GRAPH_RUN_STATUS_MEMORY_ERROR:
		tw_reader_bt_error(r, label, -1, "out of memory");
		break;
	default:
		tw_reader_bt_error(r, label, -1, "cannot decode the trace");
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

