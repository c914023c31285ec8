/* SPDX-License-Identifier: MIT */
/* Messages the graph delivers, turned into struct tw_event for the analyzer. */
#define _POSIX_C_SOURCE 200809L

#include "trace-reader-int.h"
#include "event-decode.h"
#include "tornwatch-events.h"
#include "hosts.h"

#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tw_reader_call_back(struct tw_reader *r)
{
	if (r->fn && r->fn(&r->ev, r->data)) {
		tw_reader_err(r, "reading stopped by the analyzer");
		return -1;
	}
	return 0;
}

static int clock_ns(struct tw_reader *r, const bt_clock_snapshot *cs,
		    int64_t *ns)
{
	if (bt_clock_snapshot_get_ns_from_origin(cs, ns) !=
	    BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
		tw_reader_err(r, "cannot read event \"%s\": timestamp out of range (%llu cycles)",
			r->what,
			(unsigned long long)bt_clock_snapshot_get_value(cs));
		return -1;
	}
	return 0;
}

/* The host a trace was taken on: its session daemon's hostname. */
static int trace_host(struct tw_reader *r, const bt_trace *tr)
{
	const bt_value *v;
	int h;

	if (tr == r->host_trace) {
		return 0;
	}
	v = bt_trace_borrow_environment_entry_value_by_name_const(tr, "hostname");
	h = tw_hosts_index(v && bt_value_is_string(v) ?
			   bt_value_string_get(v) : NULL);
	if (h < 0) {
		tw_reader_err(r, "cannot read trace: more than %d hosts",
			TW_HOSTS_MAX);
		return -1;
	}
	r->host_trace = tr;
	r->host = (uint32_t)h;
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
		tw_reader_err(r, "cannot read event \"%s\": out of memory", r->what);
		return -1;
	}
	if (r->ev.type == TW_EV_PROCESS && r->ev.format != TW_FORMAT_VERSION) {
		tw_reader_err(r, "cannot read trace: its tornwatch events are in trace "
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
	if (r->ev.type == TW_EV_BIN_INFO || r->ev.type == TW_EV_BIN_START) {
		/*
		 * lttng-ust's own: not tornwatch events, nor its streams'; its
		 * pid told apart by host as the program's events are.
		 */
		if (trace_host(r, bt_stream_borrow_trace_const(
					  bt_event_borrow_stream_const(event)))) {
			return -1;
		}
		r->ev.pid = tw_hosts_pid(r->host, r->ev.pid);
		r->stats->other_events++;
		return tw_reader_call_back(r);
	}
	r->ev.stream = tw_loss_reader_stream(&r->loss,
					     bt_event_borrow_stream_const(event));
	if (trace_host(r, bt_stream_borrow_trace_const(
				  bt_event_borrow_stream_const(event)))) {
		return -1;
	}
	r->ev.host = r->host;
	tw_hosts.events[r->host]++;
	r->ev.in_parent_buffers = 0;
	if (r->ev.type == TW_EV_PROCESS) {
		int64_t vpid = tw_loss_reader_vpid(&r->loss, r->ev.stream);

		tw_hosts_clock(r->host, r->ev.clock_sync, r->ev.clock_maxerror);
		r->ev.in_parent_buffers = r->ev.what == TW_START_FORK &&
					  vpid > 0 && vpid != r->ev.pid;
	}
	if (r->host) {
		r->ev.pid = tw_hosts_pid(r->host, r->ev.pid);
		r->ev.tid = tw_hosts_pid(r->host, r->ev.tid);
		r->ev.ppid = tw_hosts_pid(r->host, r->ev.ppid);
		r->ev.child = tw_hosts_pid(r->host, r->ev.child);
	}
	if (r->ev.type == TW_EV_FILE_OPEN) {
		struct tw_fhandle fh = { (int32_t)r->ev.handle_type,
					 (uint32_t)r->ev.nhandle, r->ev.handle };

		r->ev.ino = tw_hosts_ino(r->host, r->ev.dev, r->ev.ino,
					 r->ev.path, &fh);
	} else {
		r->ev.ino = tw_hosts_ino(r->host, r->ev.dev, r->ev.ino, NULL, NULL);
	}
	r->ev.dev = tw_hosts_dev(r->host, r->ev.dev,
				 r->ev.type == TW_EV_FILE_OPEN ? r->ev.path : NULL);
	r->stats->events++;
	r->stats->processes += r->ev.type == TW_EV_PROCESS;
	return tw_reader_call_back(r);
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
	return tw_reader_call_back(r);
}

/* Stream and packet messages: losses libbabeltrace2 does not report. */
static int handle_stream(struct tw_reader *r, const bt_message *msg)
{
	int ret = tw_loss_reader_message(&r->loss, msg, &r->ev);

	if (ret < 0) {
		tw_reader_err(r, "cannot read trace: out of memory");
		return -1;
	}
	r->what = "packet";
	return ret ? tw_reader_call_back(r) : 0;
}

int tw_reader_cut_short(struct tw_reader *r)
{
	size_t pos = 0;

	r->what = "stream end";
	while (tw_loss_reader_cut_short(&r->loss, &pos, &r->ev)) {
		if (tw_reader_call_back(r)) {
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

bt_graph_simple_sink_component_consume_func_status
tw_reader_consume(bt_message_iterator *it, void *data)
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

