/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "report.h"
#include "tornwatch-events.h"

struct row {
	int64_t ts;
	size_t rec;
	int end;
};

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->ts != b->ts) {
		return a->ts < b->ts ? -1 : 1;
	}
	return a->end - b->end;
}

/* Begin and end of every call of the interleaving, in time order. */
static struct row *rows_of(const struct tw_records *r,
			   const struct tw_anomaly *a, size_t *n)
{
	struct row *rows = calloc(a->ninter * 2 + 1, sizeof(*rows));
	size_t i, k = 0;

	if (!rows) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < a->ninter; i++) {
		const struct tw_rec *x = &r->rec[a->inter[i]];

		rows[k++] = (struct row){ x->t_begin, a->inter[i], 0 };
		if (x->ended) {
			rows[k++] = (struct row){ x->t_end, a->inter[i], 1 };
		}
	}
	qsort(rows, k, sizeof(*rows), row_cmp);
	*n = k;
	return rows;
}

static void fmt_ts(char *buf, size_t len, int64_t ns)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns < 0 || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "%" PRId64, ns);
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%09" PRId64, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, ns % 1000000000);
}

static const char *op_name(int op)
{
	static const char *const names[] = {
		"read", "write", "store", "load", "msync", "sync", "other",
		"zero", "unseen",
	};

	return op >= 0 && op <= TW_OP_OPAQUE ? names[op] : "?";
}

static const char *row_op(const struct tw_rec *y)
{
	static const char *const notes[] = { "", "touch", "wait", "signal" };

	return y->note > 0 && y->note <= TW_NOTE_SIGNAL ? notes[y->note] :
							  op_name(y->op);
}

static const char *row_call(const struct tw_rec *y, int end)
{
	return y->aio && end ? y->done_call : y->call;
}

static const char *row_phase(const struct tw_rec *y, int end)
{
	if (y->aio) {
		return end ? "complete" : "submit";
	}
	switch (y->note) {
	case TW_NOTE_TOUCH:
		return y->released ? "release" : "store";
	case TW_NOTE_WAIT:
		return y->missed ? "lost" : "return";
	case TW_NOTE_SIGNAL:
		return "deliver";
	default:
		return end ? "end" : "begin";
	}
}

/* The I/O a row is about: itself, or the one a touch hit. */
static const struct tw_rec *row_io(const struct tw_records *r,
				   const struct tw_rec *y)
{
	if (y->aio) {
		return y;
	}
	if (y->note == TW_NOTE_TOUCH && y->io < r->n) {
		return &r->rec[y->io];
	}
	return NULL;
}

static const char *engine_name(const struct tw_rec *x)
{
	return x->engine == TW_ENGINE_LIBAIO ? "libaio" : "io_uring";
}

/* The engine's own name of the operation, as its headers spell it. */
static const char *opcode_name(const struct tw_rec *x)
{
	static const char *const aio[] = {
		"pread", "pwrite", "fsync", "fdsync", "poll", "poll", "noop",
		"preadv", "pwritev",
	};
	static const char *const uring[] = {
		"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed",
		"poll_add", "poll_remove", "sync_file_range", "sendmsg",
		"recvmsg", "timeout", "timeout_remove", "accept", "async_cancel",
		"link_timeout", "connect", "fallocate", "openat", "close",
		"files_update", "statx", "read", "write", "fadvise", "madvise",
		"send", "recv", "openat2", "epoll_ctl", "splice",
		"provide_buffers", "remove_buffers", "tee", "shutdown",
		"renameat", "unlinkat", "mkdirat", "symlinkat", "linkat",
		"msg_ring", "fsetxattr", "setxattr", "fgetxattr", "getxattr",
		"socket", "uring_cmd", "send_zc", "sendmsg_zc",
	};

	if (x->engine == TW_ENGINE_LIBAIO) {
		return x->opcode >= 0 && x->opcode < (int)(sizeof(aio) / sizeof(aio[0])) ?
		       aio[x->opcode] : "?";
	}
	return x->opcode >= 0 && x->opcode < (int)(sizeof(uring) / sizeof(uring[0])) ?
	       uring[x->opcode] : "?";
}

/* One line on an async I/O: what was asked, and how it ended. */
static void text_io(FILE *f, const struct tw_rec *x)
{
	fprintf(f, "  %s %s id 0x%" PRIx64 ": %" PRIu64 " B at %" PRId64
		", file size %" PRId64 " at submission; ", engine_name(x),
		opcode_name(x), x->id, x->length, x->offset, x->size);
	if (x->ended) {
		fprintf(f, "completed with %" PRId64 " (seen by %s)\n", x->ret,
			x->done_call);
	} else {
		fprintf(f, "completion never seen\n");
	}
}

static const char *kind_verb(int kind)
{
	switch (kind) {
	case TW_SYNC_RACE:
		return "synced";
	case TW_INCOHERENT_VIEW:
		return "loaded";
	case TW_PHANTOM_WRITE:
	case TW_ABANDONED_IO:
	case TW_BUFFER_MODIFIED:
	case TW_SHORT_READ:
		return "submitted";
	default:
		return "read";
	}
}

static void file_name(const struct tw_records *r, uint64_t dev, uint64_t ino,
		      char *buf, size_t len)
{
	const char *p = tw_records_path(r, dev, ino);

	if (p && *p) {
		snprintf(buf, len, "%s", p);
	} else {
		snprintf(buf, len, "(dev %" PRIu64 ", ino %" PRIu64 ")", dev, ino);
	}
}

static void text_pages(FILE *f, const struct tw_records *r,
		       const struct tw_anomaly *a)
{
	uint64_t ps = r->page_size;
	size_t i;

	fprintf(f, "  pages: ");
	for (i = 0; i < a->npages; i++) {
		const struct tw_page_entry *p = &a->pages[i];
		uint64_t base = p->index * ps;

		if (i > 0) {
			fprintf(f, " · ");
		}
		if (p->offset == base && p->length == ps) {
			fprintf(f, "page %" PRIu64 " %s", p->index,
				tw_state_name(p->state));
		} else {
			fprintf(f, "page %" PRIu64 " [%" PRIu64 ",%" PRIu64
				"): bytes %" PRIu64 "..%" PRIu64 " (%" PRIu64
				" B) %s", p->index, base, base + ps, p->offset,
				p->offset + p->length - 1, p->length,
				tw_state_name(p->state));
		}
	}
	fprintf(f, "\n");
}

static void text_row_detail(FILE *f, const struct tw_records *r,
			    const struct tw_rec *y, int end)
{
	const struct tw_rec *io = row_io(r, y);

	switch (y->note) {
	case TW_NOTE_TOUCH:
		fprintf(f, " [0x%" PRIx64 ", +%" PRIu64 ") in flight: %s id 0x%"
			PRIx64, y->addr, y->length, op_name(io->op), io->id);
		return;
	case TW_NOTE_WAIT:
		if (y->missed) {
			fprintf(f, " %" PRIu64 " completions overwritten unseen",
				y->missed);
		} else {
			fprintf(f, " ret %" PRId64 " with %" PRIu64 " in flight",
				y->ret, y->inflight);
		}
		return;
	case TW_NOTE_SIGNAL:
		return;
	default:
		break;
	}
	fprintf(f, " offset %" PRId64 " length %" PRIu64, y->offset, y->length);
	if (io) {
		fprintf(f, " id 0x%" PRIx64, io->id);
	}
	if (end) {
		fprintf(f, " ret %" PRId64, y->ret);
	}
}

static void text_anomaly(FILE *f, const struct tw_records *r,
			 const struct tw_anomaly *a)
{
	const struct tw_rec *x = &r->rec[a->rec];
	char name[4200], ts[64];
	struct row *rows;
	size_t n, i;

	file_name(r, a->dev, a->ino, name, sizeof(name));
	fprintf(f, "%s%s: %s bytes %" PRIu64 "..%" PRIu64 " (%" PRIu64 " B)\n",
		tw_kind_name(a->kind), a->uncertain ? " (uncertain: events were lost)" : "",
		name, a->offset, a->offset + a->length - 1, a->length);
	fmt_ts(ts, sizeof(ts), x->t_begin);
	fprintf(f, "  %s by pid %d tid %d (%s) at %s:", kind_verb(a->kind),
		x->pid, x->tid, x->call, ts);
	for (i = 0; i < TW_S_COUNT; i++) {
		if (a->bytes[i]) {
			fprintf(f, " %" PRIu64 " B %s", a->bytes[i],
				tw_state_name((int)i));
		}
	}
	fprintf(f, "\n");
	if (x->aio) {
		text_io(f, x);
	}
	if (a->untracked) {
		fprintf(f, "  pages changed while the sync ran with no hooked store to "
			"explain it: a copy the compiler inlined, or the file "
			"system refilling the page\n");
	}
	text_pages(f, r, a);
	fprintf(f, "  interleaving:\n");
	rows = rows_of(r, a, &n);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = &r->rec[rows[i].rec];

		fmt_ts(ts, sizeof(ts), rows[i].ts);
		fprintf(f, "    %s  pid %-6d tid %-6d %-6s %-8s %-5s", ts, y->pid,
			y->tid, row_op(y), row_call(y, rows[i].end),
			row_phase(y, rows[i].end));
		text_row_detail(f, r, y, rows[i].end);
		fprintf(f, "%s\n", rows[i].rec == a->rec ? "   <==" : "");
	}
	free(rows);
}

/* What the tracer could not follow is said, never left to a silent 0. */
static void text_execs(FILE *f, const struct tw_records *r)
{
	size_t i;

	if (r->exec_restored) {
		fprintf(f, "  %" PRIu64 " exec%s had LD_PRELOAD removed; traced "
			"anyway\n", r->exec_restored,
			r->exec_restored == 1 ? "" : "s");
	}
	if (r->exec_dropped) {
		fprintf(f, "  %" PRIu64 " exec%s had LD_PRELOAD removed and %s "
			"not followed (TORNWATCH_FOLLOW_EXEC=0)\n",
			r->exec_dropped, r->exec_dropped == 1 ? "" : "s",
			r->exec_dropped == 1 ? "was" : "were");
	}
	for (i = 0; i < r->nuntraced; i++) {
		fprintf(f, "  not traced: process %d \"%s\" (static, setuid or "
			"without the preload)\n", r->untraced[i].pid,
			r->untraced[i].path);
	}
}

void tw_report_text(FILE *f, const struct tw_records *r,
		    const struct tw_anomalies *a)
{
	size_t i;

	fprintf(f, "tornwatch: %" PRIu64 " events from %zu process%s, %zu calls, %"
		PRIu64 " reads checked, %" PRIu64 " events lost, %" PRIu64
		" packets lost: %zu anomal%s\n", r->events, r->npids,
		r->npids == 1 ? "" : "es", r->n, a->reads_checked,
		r->lost_events, r->lost_packets, a->n, a->n == 1 ? "y" : "ies");
	if (r->foreign) {
		fprintf(f, "  (%" PRIu64 " events of processes the command did not "
			"start were left out)\n", r->foreign);
	}
	text_execs(f, r);
	for (i = 0; i < a->n; i++) {
		fprintf(f, "\n");
		text_anomaly(f, r, &a->a[i]);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
		} else if (ch < 0x20) {
			fprintf(f, "\\u%04x", ch);
		} else {
			fputc(ch, f);
		}
	}
	fputc('"', f);
}

static void json_row_detail(FILE *f, const struct tw_records *r,
			    const struct tw_rec *y, int end)
{
	const struct tw_rec *io = row_io(r, y);

	if (io) {
		fprintf(f, ",\"io\":\"0x%" PRIx64 "\"", io->id);
	}
	if (y->note == TW_NOTE_TOUCH) {
		fprintf(f, ",\"addr\":\"0x%" PRIx64 "\"", y->addr);
	} else if (y->note == TW_NOTE_WAIT) {
		fprintf(f, ",\"ret\":%" PRId64 ",\"in_flight\":%" PRIu64
			",\"missed\":%" PRIu64, y->ret, y->inflight, y->missed);
	} else if (end) {
		fprintf(f, ",\"ret\":%" PRId64, y->ret);
	}
}

static void json_anomaly(FILE *f, const struct tw_records *r,
			 const struct tw_anomaly *a)
{
	const struct tw_rec *x = &r->rec[a->rec];
	char name[4200];
	struct row *rows;
	size_t n, i;

	file_name(r, a->dev, a->ino, name, sizeof(name));
	fprintf(f, "{\"kind\":\"%s\",\"file\":", tw_kind_name(a->kind));
	json_str(f, name);
	fprintf(f, ",\"dev\":%" PRIu64 ",\"ino\":%" PRIu64 ",\"offset\":%" PRIu64
		",\"length\":%" PRIu64 ",\"pid\":%d,\"tid\":%d,\"call\":",
		a->dev, a->ino, a->offset, a->length, x->pid, x->tid);
	json_str(f, x->call);
	fprintf(f, ",\"ts\":%" PRId64 ",\"uncertain\":%s", x->t_begin,
		a->uncertain ? "true" : "false");
	if (a->kind == TW_SYNC_RACE) {
		fprintf(f, ",\"untracked_store\":%s", a->untracked ? "true" : "false");
	}
	if (x->aio) {
		fprintf(f, ",\"engine\":\"%s\",\"opcode\":\"%s\",\"io\":\"0x%"
			PRIx64 "\",\"file_size\":%" PRId64 ",\"completed\":",
			engine_name(x), opcode_name(x), x->id, x->size);
		if (x->ended) {
			fprintf(f, "%" PRId64, x->ret);
		} else {
			fprintf(f, "null");
		}
	}
	fprintf(f, ",\"pages\":[");
	for (i = 0; i < a->npages; i++) {
		fprintf(f, "%s{\"index\":%" PRIu64 ",\"offset\":%" PRIu64
			",\"length\":%" PRIu64 ",\"state\":\"%s\"}", i ? "," : "",
			a->pages[i].index, a->pages[i].offset, a->pages[i].length,
			tw_state_name(a->pages[i].state));
	}
	fprintf(f, "],\"interleaving\":[");
	rows = rows_of(r, a, &n);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = &r->rec[rows[i].rec];

		file_name(r, y->dev, y->ino, name, sizeof(name));
		fprintf(f, "%s{\"ts\":%" PRId64 ",\"pid\":%d,\"tid\":%d,\"call\":",
			i ? "," : "", rows[i].ts, y->pid, y->tid);
		json_str(f, row_call(y, rows[i].end));
		fprintf(f, ",\"op\":\"%s\",\"phase\":\"%s\",\"file\":",
			row_op(y), row_phase(y, rows[i].end));
		json_str(f, name);
		fprintf(f, ",\"offset\":%" PRId64 ",\"length\":%" PRIu64, y->offset,
			y->length);
		json_row_detail(f, r, y, rows[i].end);
		fprintf(f, "}");
	}
	free(rows);
	fprintf(f, "]}");
}

void tw_report_json(FILE *f, const struct tw_records *r,
		    const struct tw_anomalies *a)
{
	size_t i;

	fprintf(f, "{\"events\":%" PRIu64 ",\"lost_events\":%" PRIu64
		",\"lost_packets\":%" PRIu64 ",\"processes\":%zu,\"calls\":%zu,"
		"\"reads_checked\":%" PRIu64 ",\"foreign_events\":%" PRIu64
		",\"anomalies\":[", r->events, r->lost_events, r->lost_packets,
		r->npids, r->n, a->reads_checked, r->foreign);
	for (i = 0; i < a->n; i++) {
		if (i) {
			fputc(',', f);
		}
		json_anomaly(f, r, &a->a[i]);
	}
	fprintf(f, "],\"exec_env_restored\":%" PRIu64 ",\"exec_env_dropped\":%"
		PRIu64 ",\"not_traced\":[", r->exec_restored, r->exec_dropped);
	for (i = 0; i < r->nuntraced; i++) {
		fprintf(f, "%s{\"pid\":%d,\"exe\":", i ? "," : "",
			r->untraced[i].pid);
		json_str(f, r->untraced[i].path);
		fputc('}', f);
	}
	fprintf(f, "]}\n");
}
