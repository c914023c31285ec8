/* SPDX-License-Identifier: MIT */
/*
 * tornwatch event messages into struct tw_event. The payload layout of an
 * event class is looked at once: each member's place in struct tw_event is
 * kept per class, so an event costs a walk over its fields, no name
 * compares. Classes are few (one set per trace), so a short list will do.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event-decode.h"
#include "grow.h"
#include "tornwatch-events.h"

#define TW_PROVIDER "tornwatch:"

enum how {
	HOW_SKIP,
	HOW_INT,
	HOW_STR,
	HOW_CRC,
	HOW_PAGE,
	HOW_HANDLE,
};

/* Signedness is the class's: learnt once, not asked of every field. */
struct slot {
	uint8_t how;
	uint8_t is_signed;	/* integers, and array elements */
	uint16_t off;		/* in struct tw_event */
	uint16_t size;		/* strings: room there */
};

struct tw_class {
	const bt_event_class *ec;
	int type;		/* enum tw_ev_type, or -1: not ours */
	int old_format;		/* a format 1 layout (see class_of) */
	uint64_t n;
	struct slot *slot;
};

struct tw_int_member {
	const char *name;
	size_t off;
};

struct tw_str_member {
	const char *name;
	size_t off;
	size_t size;
};

#define TW_INT(f, m) { f, offsetof(struct tw_event, m) }
#define TW_STR(m) { #m, offsetof(struct tw_event, m), \
		    sizeof(((struct tw_event *)0)->m) }

/* Every integer member is 64 bits wide, so one store fits all. */
_Static_assert(sizeof(int64_t) == sizeof(uint64_t), "64-bit members");
_Static_assert(sizeof(struct tw_event) < 65536, "offsets fit a slot");

static const struct tw_int_member tw_int_members[] = {
	TW_INT("pid", pid), TW_INT("tid", tid), TW_INT("ppid", ppid),
	TW_INT("cid", cid), TW_INT("call", fn), TW_INT("what", what),
	TW_INT("format", format), TW_INT("op", op), TW_INT("fd", fd),
	TW_INT("flags", flags), TW_INT("prot", prot), TW_INT("kind", kind),
	TW_INT("grain", grain), TW_INT("phase", phase), TW_INT("err", err),
	TW_INT("page_size", page_size), TW_INT("dev", dev),
	TW_INT("ino", ino), TW_INT("length", length), TW_INT("addr", addr),
	TW_INT("new_addr", new_addr), TW_INT("new_length", new_length),
	TW_INT("offset", offset), TW_INT("ret", ret),
	TW_INT("engine", engine), TW_INT("opcode", opcode),
	TW_INT("size", size), TW_INT("nseg", nseg), TW_INT("res", res),
	TW_INT("res2", res2), TW_INT("seen", seen),
	TW_INT("released", released), TW_INT("signo", signo),
	TW_INT("code", code), TW_INT("ctx", ctx), TW_INT("id", id),
	TW_INT("inflight", inflight), TW_INT("missed", missed),
	TW_INT("child", child), TW_INT("restored", restored),
	TW_INT("track", track), TW_INT("track_err", track_err),
	TW_INT("clock_sync", clock_sync), TW_INT("clock_maxerror_us", clock_maxerror),
	TW_INT("handle_type", handle_type),
	/* lttng-ust's bin_info and dlopen: where a binary was mapped. */
	TW_INT("baddr", addr), TW_INT("memsz", length),
};

static const struct tw_str_member tw_str_members[] = {
	TW_STR(path), TW_STR(exe),
};

static const struct {
	const char *name;
	enum tw_ev_type type;
} tw_event_names[] = {
	{ "call_begin", TW_EV_CALL_BEGIN },
	{ "call_end", TW_EV_CALL_END },
	{ "pieces", TW_EV_PIECES },
	{ "sync_pages", TW_EV_SYNC_PAGES },
	{ "file_open", TW_EV_FILE_OPEN },
	{ "map", TW_EV_MAP },
	{ "process", TW_EV_PROCESS },
	{ "aio_submit", TW_EV_AIO_SUBMIT },
	{ "aio_complete", TW_EV_AIO_COMPLETE },
	{ "aio_touch", TW_EV_AIO_TOUCH },
	{ "aio_wait", TW_EV_AIO_WAIT },
	{ "signal", TW_EV_SIGNAL },
	{ "exec_env", TW_EV_EXEC },
	{ "stack", TW_EV_STACK },
};

/* Other providers' events the analyzer reads: what is mapped where. */
static const struct {
	const char *name;
	enum tw_ev_type type;
} tw_bin_event_names[] = {
	{ "lttng_ust_statedump:bin_info", TW_EV_BIN_INFO },
	{ "lttng_ust_dl:dlopen", TW_EV_BIN_INFO },
	{ "lttng_ust_statedump:start", TW_EV_BIN_START },
};

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int event_type(const char *name)
{
	size_t lp = strlen(TW_PROVIDER);

	if (!name) {
		return -1;
	}
	for (size_t i = 0; i < TW_ARRAY_SIZE(tw_bin_event_names); i++) {
		if (!strcmp(name, tw_bin_event_names[i].name)) {
			return (int)tw_bin_event_names[i].type;
		}
	}
	if (strncmp(name, TW_PROVIDER, lp)) {
		return -1;
	}
	for (size_t i = 0; i < TW_ARRAY_SIZE(tw_event_names); i++) {
		if (!strcmp(name + lp, tw_event_names[i].name)) {
			return (int)tw_event_names[i].type;
		}
	}
	return -1;
}

static int is_int_class(bt_field_class_type t)
{
	return bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER) ||
	       bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER);
}

static int is_signed_class(bt_field_class_type t)
{
	return bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
}

static struct slot slot_of(const char *name, const bt_field_class *fc,
			   int *old_format)
{
	bt_field_class_type t = bt_field_class_get_type(fc);
	struct slot s = { HOW_SKIP, 0, 0, 0 };

	if (is_int_class(t)) {
		for (size_t i = 0; i < TW_ARRAY_SIZE(tw_int_members); i++) {
			if (!strcmp(name, tw_int_members[i].name)) {
				s.how = HOW_INT;
				s.is_signed = (uint8_t)is_signed_class(t);
				s.off = (uint16_t)tw_int_members[i].off;
				break;
			}
		}
	} else if (t == BT_FIELD_CLASS_TYPE_STRING) {
		for (size_t i = 0; i < TW_ARRAY_SIZE(tw_str_members); i++) {
			if (!strcmp(name, tw_str_members[i].name)) {
				s.how = HOW_STR;
				s.off = (uint16_t)tw_str_members[i].off;
				s.size = (uint16_t)tw_str_members[i].size;
				break;
			}
		}
		if (!strcmp(name, "call") || !strcmp(name, "what")) {
			*old_format = 1;
		}
	} else if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY)) {
		bt_field_class_type et = bt_field_class_get_type(
			bt_field_class_array_borrow_element_field_class_const(fc));

		/* Arrays of anything but integers are not ours: skipped. */
		if (is_int_class(et) && !strcmp(name, "crc")) {
			s.how = HOW_CRC;
		} else if (is_int_class(et) &&
			   (!strcmp(name, "page") || !strcmp(name, "ip"))) {
			/* A stack's return addresses: 64-bit, as pages are. */
			s.how = HOW_PAGE;
		} else if (is_int_class(et) && !strcmp(name, "handle")) {
			s.how = HOW_HANDLE;
		}
		s.is_signed = (uint8_t)is_signed_class(et);
	}
	return s;
}

static struct tw_class *class_of(struct tw_decoder *d, const bt_event_class *ec)
{
	const bt_field_class *pc;
	struct tw_class *c;
	int has_cid = 0;
	uint64_t i;

	if (d->last < d->n && d->classes[d->last].ec == ec) {
		return &d->classes[d->last];
	}
	for (i = 0; i < d->n; i++) {
		if (d->classes[i].ec == ec) {
			d->last = i;
			return &d->classes[i];
		}
	}
	if (!TW_GROW(d->classes, d->n, d->cap)) {
		return NULL;
	}
	c = &d->classes[d->n];
	memset(c, 0, sizeof(*c));
	c->ec = ec;
	c->type = event_type(bt_event_class_get_name(ec));
	pc = bt_event_class_borrow_payload_field_class_const(ec);
	if (c->type >= 0 && pc &&
	    bt_field_class_get_type(pc) == BT_FIELD_CLASS_TYPE_STRUCTURE) {
		c->n = bt_field_class_structure_get_member_count(pc);
		c->slot = calloc(c->n ? c->n : 1, sizeof(*c->slot));
		if (!c->slot) {
			return NULL;
		}
		for (i = 0; i < c->n; i++) {
			const bt_field_class_structure_member *m =
				bt_field_class_structure_borrow_member_by_index_const(pc, i);

			c->slot[i] = slot_of(
				bt_field_class_structure_member_get_name(m),
				bt_field_class_structure_member_borrow_field_class_const(m),
				&c->old_format);
			has_cid |= !strcmp(bt_field_class_structure_member_get_name(m),
					   "cid");
		}
	}
	/* Format 1 named calls with strings and follow-ups by guesswork. */
	switch (c->type) {
	case TW_EV_CALL_BEGIN:
	case TW_EV_CALL_END:
	case TW_EV_PIECES:
	case TW_EV_SYNC_PAGES:
	case TW_EV_AIO_SUBMIT:
	case TW_EV_AIO_COMPLETE:
	case TW_EV_AIO_TOUCH:
		c->old_format |= !has_cid;
		break;
	default:
		break;
	}
	d->last = d->n++;
	return c;
}

static uint64_t int_value(const bt_field *f, int is_signed)
{
	return is_signed ? (uint64_t)bt_field_integer_signed_get_value(f) :
	       bt_field_integer_unsigned_get_value(f);
}

/* A file handle: bytes; one longer than any the kernel makes is none. */
static void get_handle(struct tw_event *ev, const bt_field *f)
{
	uint64_t n = bt_field_array_get_length(f);

	if (n > sizeof(ev->handle)) {
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		ev->handle[i] = (uint8_t)bt_field_integer_unsigned_get_value(
			bt_field_array_borrow_element_field_by_index_const(f, i));
	}
	ev->nhandle = (size_t)n;
}

static int get_array(struct tw_decoder *d, struct tw_event *ev,
		     const struct slot *s, const bt_field *f)
{
	int crc = s->how == HOW_CRC;
	uint64_t n = bt_field_array_get_length(f);

	if (crc ? tw_grow_to((void **)&d->crc, &d->capcrc, n, sizeof(*d->crc)) :
	    tw_grow_to((void **)&d->page, &d->cappage, n, sizeof(*d->page))) {
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++) {
		const bt_field *e =
			bt_field_array_borrow_element_field_by_index_const(f, i);

		if (crc) {
			d->crc[i] = (uint32_t)int_value(e, s->is_signed);
		} else {
			d->page[i] = int_value(e, s->is_signed);
		}
	}
	if (crc) {
		ev->crc = d->crc;
		ev->ncrc = (size_t)n;
	} else {
		ev->page = d->page;
		ev->npage = (size_t)n;
	}
	return 0;
}

static void get_string(struct tw_event *ev, const struct slot *s,
		       const bt_field *f)
{
	const char *v = bt_field_string_get_value(f);
	uint64_t len = bt_field_string_get_length(f);
	char *dst = (char *)ev + s->off;

	if (len > (uint64_t)s->size - 1) {
		len = s->size - 1;
	}
	memcpy(dst, v, (size_t)len);
	dst[len] = '\0';
}

/* The vpid context of an lttng-ust event, -1 without one. */
static int64_t vpid_of(const bt_event *event)
{
	const bt_field *ctx = bt_event_borrow_common_context_field_const(event);
	const bt_field *f;

	if (!ctx || bt_field_get_class_type(ctx) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
		return -1;
	}
	f = bt_field_structure_borrow_member_field_by_name_const(ctx, "vpid");
	if (!f || !is_int_class(bt_field_get_class_type(f))) {
		return -1;
	}
	return (int64_t)int_value(f, is_signed_class(bt_field_get_class_type(f)));
}

int tw_decode_event(struct tw_decoder *d, const bt_event *event,
		    struct tw_event *ev)
{
	const bt_event_class *ec = bt_event_borrow_class_const(event);
	struct tw_class *c = class_of(d, ec);
	const bt_field *payload;
	uint64_t i, v;

	if (!c) {
		return -ENOMEM;
	}
	if (c->type < 0) {
		return 1;
	}
	if (c->old_format) {
		return -EPROTO;
	}
	memset(ev, 0, offsetof(struct tw_event, path));
	ev->path[0] = ev->exe[0] = '\0';
	ev->type = (enum tw_ev_type)c->type;
	payload = bt_event_borrow_payload_field_const(event);
	for (i = 0; payload && i < c->n; i++) {
		const struct slot *s = &c->slot[i];
		const bt_field *f;

		if (s->how == HOW_SKIP) {
			continue;
		}
		f = bt_field_structure_borrow_member_field_by_index_const(payload, i);
		switch (s->how) {
		case HOW_INT:
			/* Two's complement bits suit int64 and uint64. */
			v = int_value(f, s->is_signed);
			memcpy((char *)ev + s->off, &v, sizeof(v));
			break;
		case HOW_STR:
			get_string(ev, s, f);
			break;
		case HOW_HANDLE:
			get_handle(ev, f);
			break;
		default: {
			int e = get_array(d, ev, s, f);

			if (e) {
				return e;
			}
			break;
		}
		}
	}
	if (ev->type == TW_EV_BIN_INFO || ev->type == TW_EV_BIN_START) {
		ev->pid = vpid_of(event);
	}
	return 0;
}

void tw_decoder_free(struct tw_decoder *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->classes[i].slot);
	}
	free(d->classes);
	free(d->crc);
	free(d->page);
	memset(d, 0, sizeof(*d));
}
