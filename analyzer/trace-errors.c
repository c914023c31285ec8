/* SPDX-License-Identifier: MIT */
/*
 * Errors of the trace reader in one line: libbabeltrace2's cause chain is
 * searched for the cause that names the trace and what went wrong.
 */
#define _POSIX_C_SOURCE 200809L

#include "trace-reader-int.h"
#include "event-decode.h"
#include "tornwatch-events.h"

#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void tw_reader_err(struct tw_reader *r, const char *fmt, ...)
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
bool tw_reader_cause(struct tw_reader *r, char *buf, size_t len,
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
void tw_reader_bt_error(struct tw_reader *r, const char *what, long trace,
			  const char *fallback)
{
	char cause[512];

	if (!tw_reader_cause(r, cause, sizeof(cause), &trace)) {
		snprintf(cause, sizeof(cause), "%s", fallback);
	}
	if (r->failed) {
		/* Our own cause is more precise than the graph's echo of it. */
		return;
	}
	if (trace >= 0 && (size_t)trace < r->found.n) {
		tw_reader_err(r, "cannot read trace \"%s\": %s",
			r->found.dir[trace].path, cause);
	} else {
		tw_reader_err(r, "%s: %s", what, cause);
	}
}
