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
	fprintf(f, "  %s by pid %d tid %d (%s) at %s:", a->kind == TW_SYNC_RACE ?
		"synced" : "read", x->pid, x->tid, x->call, ts);
	for (i = 0; i < 5; i++) {
		if (a->bytes[i]) {
			fprintf(f, " %" PRIu64 " B %s", a->bytes[i],
				tw_state_name((int)i));
		}
	}
	fprintf(f, "\n");
	if (a->untracked) {
		fprintf(f, "  a store no hook saw (a copy the compiler inlined) changed "
			"pages while the sync ran\n");
	}
	text_pages(f, r, a);
	fprintf(f, "  interleaving:\n");
	rows = rows_of(r, a, &n);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = &r->rec[rows[i].rec];

		fmt_ts(ts, sizeof(ts), rows[i].ts);
		fprintf(f, "    %s  pid %-6d tid %-6d %-6s %-8s %-5s offset %" PRId64
			" length %" PRIu64, ts, y->pid, y->tid, op_name(y->op),
			y->call, rows[i].end ? "end" : "begin", y->offset,
			y->length);
		if (rows[i].end) {
			fprintf(f, " ret %" PRId64, y->ret);
		}
		fprintf(f, "%s\n", rows[i].rec == a->rec ? "   <==" : "");
	}
	free(rows);
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
		json_str(f, y->call);
		fprintf(f, ",\"op\":\"%s\",\"phase\":\"%s\",\"file\":",
			op_name(y->op), rows[i].end ? "end" : "begin");
		json_str(f, name);
		fprintf(f, ",\"offset\":%" PRId64 ",\"length\":%" PRIu64, y->offset,
			y->length);
		if (rows[i].end) {
			fprintf(f, ",\"ret\":%" PRId64, y->ret);
		}
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
		"\"reads_checked\":%" PRIu64 ",\"anomalies\":[", r->events,
		r->lost_events, r->lost_packets, r->npids, r->n,
		a->reads_checked);
	for (i = 0; i < a->n; i++) {
		if (i) {
			fputc(',', f);
		}
		json_anomaly(f, r, &a->a[i]);
	}
	fprintf(f, "]}\n");
}
