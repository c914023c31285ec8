/* SPDX-License-Identifier: MIT */
/*
 * Losses libbabeltrace2 does not report: packets missing at a stream's
 * start (its first packet's sequence number is not 0) and at its end (its
 * last packet ends before the trace's others, all closed at session stop).
 *
 * libbabeltrace2 2.0 keeps packet_seq_num out of the packet context it
 * gives, so the first packet's is read from the LTTng index, or else from
 * the stream file; either is trusted only when its begin timestamp is the
 * one the packet message has.
 */
#define _POSIX_C_SOURCE 200809L

#include "loss.h"
#include "grow.h"

#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CTF_MAGIC 0xc1fc1fc1u
#define INDEX_MAGIC 0xc1f1dcc1u

void tw_loss_reader_free(struct tw_loss_reader *lr)
{
	free(lr->s);
	free(lr->key);
	free(lr->at);
	memset(lr, 0, sizeof(*lr));
}

/* Big-endian 32 bits, in unsigned arithmetic (a byte shifted by 24 as an
 * int overflows). */
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	       (uint32_t)p[3];
}

/*
 * The muxer interleaves every stream (per-process buffers: thousands), so
 * an event finds its stream by a hash of its address, not a walk.
 */
static size_t key_slot(const void **key, const uint32_t *at, size_t cap,
		       const void *stream)
{
	uint64_t h = (uint64_t)(uintptr_t)stream * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 32) & (cap - 1);

	while (at[i] && key[i] != stream) {
		i = (i + 1) & (cap - 1);
	}
	return i;
}

/* Entry idx is now stream's newest: 0, or -1 out of memory. */
static int key_put(struct tw_loss_reader *lr, const void *stream, size_t idx)
{
	size_t i;

	if ((lr->nkey + 1) * 2 > lr->capkey) {
		size_t cap = lr->capkey ? lr->capkey * 2 : 64;
		const void **key = malloc(cap * sizeof(*key));
		uint32_t *at = calloc(cap, sizeof(*at));

		if (!key || !at) {
			free(key);
			free(at);
			return -1;
		}
		for (i = 0; i < lr->capkey; i++) {
			if (lr->at[i]) {
				size_t j = key_slot(key, at, cap, lr->key[i]);

				key[j] = lr->key[i];
				at[j] = lr->at[i];
			}
		}
		free(lr->key);
		free(lr->at);
		lr->key = key;
		lr->at = at;
		lr->capkey = cap;
	}
	i = key_slot(lr->key, lr->at, lr->capkey, stream);
	lr->nkey += !lr->at[i];
	lr->key[i] = stream;
	lr->at[i] = (uint32_t)idx + 1;
	return 0;
}

static struct tw_loss_seen *find(struct tw_loss_reader *lr, const void *stream)
{
	if (lr->last < lr->n && lr->s[lr->last].stream == stream) {
		return &lr->s[lr->last];
	}
	if (lr->capkey) {
		size_t i = key_slot(lr->key, lr->at, lr->capkey, stream);

		/* The newest begun at that address, unless it has ended. */
		if (lr->at[i] && lr->s[lr->at[i] - 1].stream == stream) {
			lr->last = lr->at[i] - 1;
			return &lr->s[lr->last];
		}
	}
	for (size_t i = lr->n; i > 0; i--) {
		if (lr->s[i - 1].stream == stream) {
			lr->last = i - 1;
			return &lr->s[i - 1];
		}
	}
	return NULL;
}

uint32_t tw_loss_reader_stream(struct tw_loss_reader *lr,
			       const bt_stream *stream)
{
	struct tw_loss_seen *s = find(lr, stream);

	return s ? (uint32_t)(s - lr->s) + 1 : 0;
}

int64_t tw_loss_reader_vpid(const struct tw_loss_reader *lr, uint32_t stream)
{
	return stream && stream <= lr->n ? lr->s[stream - 1].vpid : 0;
}

static uint64_t get_be(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--) {
		v = v << 8 | p[n];
	}
	return v;
}

static size_t read_head(const char *path, unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		return 0;
	}
	n = fread(buf, 1, len, f);
	fclose(f);
	return n;
}

/*
 * LTTng's index (ctf-index.h, 1.1): a big-endian header { magic, major,
 * minor, entry length } then entries of u64 offset, packet_size,
 * content_size, timestamp_begin, timestamp_end, events_discarded,
 * stream_id, stream_instance_id, packet_seq_num.
 */
static int seq_from_index(const char *path, uint64_t begin, uint64_t *seq)
{
	char idx[4096];
	const char *slash = strrchr(path, '/');
	unsigned char b[16 + 72];
	uint32_t elen;
	int k;

	if (!slash) {
		return -1;
	}
	k = snprintf(idx, sizeof(idx), "%.*s/index/%s.idx",
		     (int)(slash - path), path, slash + 1);
	if (k < 0 || (size_t)k >= sizeof(idx) ||
	    read_head(idx, b, sizeof(b)) != sizeof(b)) {
		return -1;
	}
	elen = be32(b + 12);
	if (be32(b) != INDEX_MAGIC ||
	    elen < 72 || get_be(b + 16) != 0 || get_be(b + 16 + 24) != begin) {
		return -1;
	}
	*seq = get_be(b + 16 + 64);
	return 0;
}

/*
 * lttng-ust's packet: header { u32 magic, u8 uuid[16], u32 stream_id,
 * u64 stream_instance_id }, context { u64 timestamp_begin, timestamp_end,
 * content_size, packet_size, packet_seq_num, ... }, little-endian here.
 */
static int seq_from_stream(const char *path, uint64_t begin, uint64_t *seq)
{
	unsigned char b[72];

	if (read_head(path, b, sizeof(b)) != sizeof(b) ||
	    get_le(b, 4) != CTF_MAGIC || get_le(b + 32, 8) != begin) {
		return -1;
	}
	*seq = get_le(b + 64, 8);
	return 0;
}

static int clock_ns(const bt_clock_snapshot *cs, int64_t *ns)
{
	return bt_clock_snapshot_get_ns_from_origin(cs, ns) ==
	       BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK ? 0 : -1;
}

static void loss_event(struct tw_event *ev, const struct tw_loss_seen *s,
		       uint32_t id, int at)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = TW_EV_DISCARDED;
	ev->packets = 1;
	ev->lost_at = at;
	ev->stream = id;
	ev->pid = s->vpid;
}

static int stream_begins(struct tw_loss_reader *lr, const bt_stream *stream)
{
	const bt_trace *trace = bt_stream_borrow_trace_const(stream);
	const bt_value *v =
		bt_trace_borrow_environment_entry_value_by_name_const(trace, "vpid");
	struct tw_loss_seen *s;

	if (lr->n >= UINT32_MAX - 1 || !TW_GROW(lr->s, lr->n, lr->cap) ||
	    key_put(lr, stream, lr->n) != 0) {
		return -ENOMEM;
	}
	s = &lr->s[lr->n++];
	memset(s, 0, sizeof(*s));
	s->stream = stream;
	s->trace = trace;
	/* A trace with a stream open is alive: its address is its own. */
	s->trace_no = (uint32_t)lr->n;
	for (size_t i = 0; i + 1 < lr->n; i++) {
		if (lr->s[i].stream && lr->s[i].trace == trace) {
			s->trace_no = lr->s[i].trace_no;
			break;
		}
	}
	/* LTTng names a per-process buffer's process in its trace's env. */
	if (v && bt_value_is_signed_integer(v)) {
		s->vpid = bt_value_integer_signed_get(v);
	}
	return 0;
}

/* The first packet: were some before it? */
static int first_packet(struct tw_loss_reader *lr, struct tw_loss_seen *s,
			const bt_message *msg, struct tw_event *ev)
{
	const bt_stream *stream =
		bt_packet_borrow_stream_const(
			bt_message_packet_beginning_borrow_packet_const(msg));
	const bt_clock_snapshot *cs;
	const char *path = bt_stream_get_name(stream);
	uint64_t seq;
	int64_t ns;

	if (!path || !bt_stream_class_packets_have_beginning_default_clock_snapshot(
			     bt_stream_borrow_class_const(stream))) {
		return 0;
	}
	cs = bt_message_packet_beginning_borrow_default_clock_snapshot_const(msg);
	if (clock_ns(cs, &ns) ||
	    (seq_from_index(path, bt_clock_snapshot_get_value(cs), &seq) &&
	     seq_from_stream(path, bt_clock_snapshot_get_value(cs), &seq)) ||
	    seq == 0) {
		return 0;
	}
	loss_event(ev, s, (uint32_t)(s - lr->s) + 1, TW_LOST_AT_START);
	ev->count = seq;
	/* Its time is when it was seen; what it lost came before. */
	ev->ts = ns;
	ev->lost_end = ns;
	return 1;
}

static void packet_ends(struct tw_loss_seen *s, const bt_message *msg)
{
	const bt_stream *stream =
		bt_packet_borrow_stream_const(
			bt_message_packet_end_borrow_packet_const(msg));
	int64_t ns;

	if (bt_stream_class_packets_have_end_default_clock_snapshot(
		    bt_stream_borrow_class_const(stream)) &&
	    !clock_ns(bt_message_packet_end_borrow_default_clock_snapshot_const(msg),
		      &ns)) {
		s->end = ns;
		s->has_end = 1;
	}
}

int tw_loss_reader_message(struct tw_loss_reader *lr, const bt_message *msg,
			   struct tw_event *ev)
{
	struct tw_loss_seen *s;

	switch (bt_message_get_type(msg)) {
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		return stream_begins(lr,
			bt_message_stream_beginning_borrow_stream_const(msg));
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		s = find(lr, bt_packet_borrow_stream_const(
				bt_message_packet_beginning_borrow_packet_const(msg)));
		if (!s || s->packets++) {
			return 0;
		}
		return first_packet(lr, s, msg, ev);
	case BT_MESSAGE_TYPE_PACKET_END:
		s = find(lr, bt_packet_borrow_stream_const(
				bt_message_packet_end_borrow_packet_const(msg)));
		if (s) {
			packet_ends(s, msg);
		}
		return 0;
	case BT_MESSAGE_TYPE_STREAM_END:
		s = find(lr, bt_message_stream_end_borrow_stream_const(msg));
		if (s) {
			/* Its address may serve a later stream. */
			s->stream = NULL;
		}
		return 0;
	default:
		return 0;
	}
}

int tw_loss_reader_cut_short(struct tw_loss_reader *lr, size_t *pos,
			     struct tw_event *ev)
{
	for (; *pos < lr->n; (*pos)++) {
		const struct tw_loss_seen *s = &lr->s[*pos];
		int64_t end = INT64_MIN;

		if (!s->has_end) {
			continue;
		}
		for (size_t i = 0; i < lr->n; i++) {
			if (lr->s[i].trace_no == s->trace_no && lr->s[i].has_end &&
			    lr->s[i].end > end) {
				end = lr->s[i].end;
			}
		}
		if (end - s->end > TW_LOSS_END_SLACK_NS) {
			loss_event(ev, s, (uint32_t)*pos + 1, TW_LOST_AT_END);
			ev->ts = s->end;
			ev->lost_end = end;
			(*pos)++;
			return 1;
		}
	}
	return 0;
}
