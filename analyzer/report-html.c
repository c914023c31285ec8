/* SPDX-License-Identifier: MIT */
/*
 * The HTML report: one self-contained page. The facts go in one JSON blob
 * (<script type="application/json">), which inline JS renders lazily: a
 * group's anomalies are drawn when it is opened, so a report of thousands
 * loads at once. Calls are embedded once and cited by index, as anomalies
 * of one workload share most of their stores and syncs. Times are ns since
 * "t0" (a string: epoch ns exceed 2^53), small enough for a JS number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report-int.h"
#include "report-stacks.h"
#include "summary.h"
#include "tornwatch-events.h"
#include "version.h"

/*
 * The page's own CSS and JS, kept as files of their own and included
 * whole: no network, no build step beyond the assembler.
 */
__asm__(".section .rodata\n"
	".balign 1\n"
	".globl tw_html_css\n.hidden tw_html_css\n"
	"tw_html_css:\n.incbin \"report-html.css\"\n"
	".globl tw_html_css_end\n.hidden tw_html_css_end\n"
	"tw_html_css_end:\n"
	".globl tw_html_js\n.hidden tw_html_js\n"
	"tw_html_js:\n.incbin \"report-html.js\"\n"
	".globl tw_html_js_end\n.hidden tw_html_js_end\n"
	"tw_html_js_end:\n"
	".previous\n");
extern const char tw_html_css[], tw_html_css_end[];
extern const char tw_html_js[], tw_html_js_end[];

/* A file of the report, by device and inode: its index in "files". */
struct html_file {
	uint64_t dev;
	uint64_t ino;
};

struct html_ctx {
	FILE *f;
	const struct tw_records *r;
	const struct tw_anomalies *a;
	size_t *recs;		/* the calls embedded, by record index, sorted */
	size_t nrecs;
	struct html_file *files;	/* sorted */
	size_t nfiles;
	int64_t t0;
};

/*
 * s as a JSON string that is safe inside <script>: "<", ">" and "&" as
 * \u escapes, so neither "</script>" nor "<!--" can end or change the blob.
 */
static void html_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
		} else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' ||
			   ch == 0x7f) {
			fprintf(f, "\\u%04x", ch);
		} else {
			fputc(ch, f);
		}
	}
	fputc('"', f);
}

static int cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return (a > b) - (a < b);
}

static int cmp_file(const void *pa, const void *pb)
{
	const struct html_file *a = pa, *b = pb;

	if (a->dev != b->dev) {
		return a->dev < b->dev ? -1 : 1;
	}
	return (a->ino > b->ino) - (a->ino < b->ino);
}

static size_t call_index(const struct html_ctx *c, size_t rec)
{
	size_t *p = bsearch(&rec, c->recs, c->nrecs, sizeof(rec), cmp_size);

	return p ? (size_t)(p - c->recs) : 0;
}

static long file_index(const struct html_ctx *c, uint64_t dev, uint64_t ino)
{
	struct html_file key = { dev, ino }, *p;

	p = bsearch(&key, c->files, c->nfiles, sizeof(key), cmp_file);
	return p ? (long)(p - c->files) : -1;
}

/* Every call any anomaly cites, once; and every file they name. 0 or -ENOMEM. */
static int collect(struct html_ctx *c)
{
	const struct tw_anomalies *a = c->a;
	size_t i, k, n = 0;

	for (i = 0; i < a->n; i++) {
		n += a->a[i].ninter + 1;
	}
	c->recs = calloc(n + 1, sizeof(*c->recs));
	c->files = calloc(2 * n + 1, sizeof(*c->files));
	if (!c->recs || !c->files) {
		return -ENOMEM;
	}
	for (i = 0, n = 0; i < a->n; i++) {
		c->recs[n++] = a->a[i].rec;
		for (k = 0; k < a->a[i].ninter; k++) {
			c->recs[n++] = a->a[i].inter[k];
		}
	}
	if (n) {
		qsort(c->recs, n, sizeof(*c->recs), cmp_size);
	}
	for (i = 0, k = 0; i < n; i++) {
		if (k == 0 || c->recs[k - 1] != c->recs[i]) {
			c->recs[k++] = c->recs[i];
		}
	}
	c->nrecs = k;
	c->t0 = c->r->t_first;
	for (i = 0, n = 0; i < c->nrecs; i++) {
		const struct tw_rec *y = tw_rec_find(c->r, c->recs[i]);

		if (i == 0 || y->t_begin < c->t0) {
			c->t0 = y->t_begin;
		}
		c->files[n++] = (struct html_file){ y->dev, y->ino };
	}
	for (i = 0; i < a->n; i++) {
		c->files[n++] = (struct html_file){ a->a[i].dev, a->a[i].ino };
	}
	if (n) {
		qsort(c->files, n, sizeof(*c->files), cmp_file);
	}
	for (i = 0, k = 0; i < n; i++) {
		if (k == 0 || cmp_file(&c->files[k - 1], &c->files[i]) != 0) {
			c->files[k++] = c->files[i];
		}
	}
	c->nfiles = k;
	return 0;
}

/* The text report's headline and notes, one string a line. 0 or -ENOMEM. */
static int html_head_lines(struct html_ctx *c)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	const char *sep = "";
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		return -ENOMEM;
	}
	tw_text_head(m, c->r, c->a);
	tw_text_context(m, c->r, c->a);
	if (fclose(m) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	fprintf(c->f, ",\"head\":[");
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		fputs(sep, c->f);
		html_str(c->f, line + strspn(line, " "));
		sep = ",";
	}
	fputc(']', c->f);
	free(buf);
	return 0;
}

static void html_kinds(FILE *f, const struct tw_tally *t)
{
	const char *sep = "";
	size_t k;

	fputc('{', f);
	for (k = 0; k < TW_SUMMARY_KINDS; k++) {
		if (t->kinds[k]) {
			fprintf(f, "%s\"%s\":%zu", sep, tw_kind_name((int)k),
				t->kinds[k]);
			sep = ",";
		}
	}
	fputc('}', f);
}

static void html_summary(struct html_ctx *c, const struct tw_summary *s)
{
	const struct tw_records *r = c->r;
	FILE *f = c->f;
	size_t i, k;

	fprintf(f, ",\"counts\":{\"anomalies\":%zu,\"groups\":%zu,\"events\":%"
		PRIu64 ",\"processes\":%zu,\"calls\":%zu,\"reads_checked\":%" PRIu64
		",\"lost_events\":%" PRIu64 ",\"lost_packets\":%" PRIu64
		",\"unseen_files\":%zu}", s->n, s->ngroups, r->events, r->npids,
		r->end, c->a->reads_checked, r->lost_events, r->lost_packets,
		c->a->nunseen);
	fprintf(f, ",\"by_kind\":[");
	for (i = 0; i < s->nkinds; i++) {
		fprintf(f, "%s[\"%s\",%zu]", i ? "," : "",
			tw_kind_name((int)s->kinds[i].key), s->kinds[i].count);
	}
	fprintf(f, "],\"by_file\":[");
	for (i = 0; i < s->nfiles; i++) {
		const struct tw_tally *t = &s->files[i];

		fprintf(f, "%s{\"file\":", i ? "," : "");
		html_str(f, t->name);
		fprintf(f, ",\"count\":%zu,\"kinds\":", t->count);
		html_kinds(f, t);
		fprintf(f, ",\"ranges\":[");
		for (k = 0; k < t->nranges; k++) {
			fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",\"%s\"]", k ? "," : "",
				t->ranges[k].first, t->ranges[k].last,
				tw_state_name(t->ranges[k].state));
		}
		fprintf(f, "]}");
	}
	fprintf(f, "],\"by_process\":[");
	for (i = 0; i < s->nprocs; i++) {
		fprintf(f, "%s[%" PRId64 ",%zu,", i ? "," : "", s->procs[i].key,
			s->procs[i].count);
		html_kinds(f, &s->procs[i]);
		fputc(']', f);
	}
	fprintf(f, "],\"groups\":[");
	for (i = 0; i < s->ngroups; i++) {
		const struct tw_group *g = &s->groups[i];
		const char *sep = "";

		fprintf(f, "%s{\"kind\":\"%s\",\"file\":", i ? "," : "",
			tw_kind_name(g->kind));
		html_str(f, g->file);
		fprintf(f, ",\"calls\":");
		html_str(f, g->calls);
		fprintf(f, ",\"count\":%zu,\"b\":%" PRId64 ",\"e\":%" PRId64
			",\"processes\":%zu,\"members\":[", g->count,
			g->t_first - c->t0, g->t_last - c->t0, g->nprocs);
		for (k = g->first; k != SIZE_MAX; k = s->next[k]) {
			fprintf(f, "%s%zu", sep, k);
			sep = ",";
		}
		fprintf(f, "]}");
	}
	fputc(']', f);
}

/*
 * A call: what the tooltip shows. "stack" is the call's frames
 * ({function, inlined, file, line, binary, address, offset}), empty when
 * the trace carries none.
 */
static void html_call(struct html_ctx *c, const struct tw_rec *y)
{
	const struct tw_rec *io = tw_row_io(c->r, y);
	const char *en = y->err ? strerrorname_np(y->err) : NULL;
	FILE *f = c->f;

	fprintf(f, "{\"pid\":%d,\"tid\":%d,\"call\":", y->pid, y->tid);
	html_str(f, y->call);
	fprintf(f, ",\"op\":\"%s\",\"file\":%ld,\"b\":%" PRId64, tw_row_op(y),
		file_index(c, y->dev, y->ino), y->t_begin - c->t0);
	if (y->ended) {
		fprintf(f, ",\"e\":%" PRId64 ",\"ret\":%" PRId64, y->t_end - c->t0,
			y->ret);
	} else {
		fprintf(f, ",\"e\":null,\"ret\":null");
	}
	fprintf(f, ",\"offset\":%" PRId64 ",\"length\":%" PRIu64 ",\"errno\":%d",
		y->offset, y->length, y->err);
	if (en) {
		fprintf(f, ",\"errname\":\"%s\"", en);
	}
	if (y->aio) {
		fprintf(f, ",\"engine\":\"%s\",\"opcode\":\"%s\",\"done_call\":",
			tw_engine_name(y), tw_opcode_name(y));
		html_str(f, y->done_call ? y->done_call : "");
	}
	if (io) {
		fprintf(f, ",\"io\":\"0x%" PRIx64 "\"", io->id);
	}
	if (y->note == TW_NOTE_TOUCH) {
		fprintf(f, ",\"addr\":\"0x%" PRIx64 "\"", y->addr);
	} else if (y->note == TW_NOTE_WAIT) {
		fprintf(f, ",\"in_flight\":%" PRIu64 ",\"missed\":%" PRIu64,
			y->inflight, y->missed);
	}
	if (y->note) {
		fprintf(f, ",\"phase\":\"%s\"", tw_row_phase(y, 0));
	}
	if (tw_row_stack(y, 0)) {
		tw_json_stack_with(f, c->r, tw_row_stack(y, 0), html_str);
		fputc('}', f);
	} else {
		fprintf(f, ",\"stack\":[]}");
	}
}

static void html_anomaly(struct html_ctx *c, const struct tw_anomaly *a,
			 size_t group)
{
	FILE *f = c->f;
	const char *sep = "";
	size_t i;

	fprintf(f, "{\"kind\":\"%s\",\"file\":%ld,\"offset\":%" PRIu64
		",\"length\":%" PRIu64 ",\"call\":%zu,\"group\":%zu,"
		"\"uncertain\":%d,\"history_cut\":%d,\"untracked\":%d,\"bytes\":{",
		tw_kind_name(a->kind), file_index(c, a->dev, a->ino), a->offset,
		a->length, call_index(c, a->rec), group, a->uncertain,
		a->history_cut, a->kind == TW_SYNC_RACE && a->untracked);
	for (i = 0; i < TW_S_COUNT; i++) {
		if (a->bytes[i]) {
			fprintf(f, "%s\"%s\":%" PRIu64, sep, tw_state_name((int)i),
				a->bytes[i]);
			sep = ",";
		}
	}
	fprintf(f, "},\"pages\":[");
	for (i = 0; i < a->npages; i++) {
		fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",\"%s\"]",
			i ? "," : "", a->pages[i].index, a->pages[i].offset,
			a->pages[i].length, tw_state_name(a->pages[i].state));
	}
	fprintf(f, "],\"calls\":[");
	for (i = 0; i < a->ninter; i++) {
		fprintf(f, "%s%zu", i ? "," : "", call_index(c, a->inter[i]));
	}
	fprintf(f, "]}");
}

/* What made the page and from what. */
static void html_meta(FILE *f, const struct tw_report_opts *o,
		      unsigned int page_size, int64_t t0)
{
	size_t i, n = 0;

	fprintf(f, ",\"tool\":\"tornwatch\",\"version\":\"" TW_VERSION "\","
		"\"zone\":\"" TW_TEXT_ZONE "\",\"page_size\":%u,\"t0\":\"%" PRId64
		"\",\"trace\":[", page_size, t0);
	for (i = 0; o && i < o->ndirs; i++) {
		fputs(i ? "," : "", f);
		html_str(f, o->dirs[i]);
	}
	fprintf(f, "],\"command\":");
	if (o && o->command) {
		fputc('[', f);
		for (; o->command[n]; n++) {
			fputs(n ? "," : "", f);
			html_str(f, o->command[n]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
}

static void html_data(struct html_ctx *c, const struct tw_summary *s,
		      const struct tw_report_opts *o)
{
	FILE *f = c->f;
	char name[4200];
	size_t i;

	html_meta(f, o, c->r->page_size, c->t0);
	html_summary(c, s);
	fprintf(f, ",\"files\":[");
	for (i = 0; i < c->nfiles; i++) {
		tw_file_name(c->r, c->files[i].dev, c->files[i].ino, name,
			     sizeof(name));
		fputs(i ? "," : "", f);
		html_str(f, name);
	}
	fprintf(f, "],\"calls_table\":[");
	for (i = 0; i < c->nrecs; i++) {
		fputs(i ? ",\n" : "", f);
		html_call(c, tw_rec_find(c->r, c->recs[i]));
	}
	fprintf(f, "],\"anomalies\":[");
	for (i = 0; i < c->a->n; i++) {
		fputs(i ? ",\n" : "", f);
		html_anomaly(c, &c->a->a[i], s->group_of[i]);
	}
	fputc(']', f);
}

static void page_open(FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>tornwatch report</title>\n<style>\n", f);
	fwrite(tw_html_css, 1, (size_t)(tw_html_css_end - tw_html_css), f);
	fputs("</style></head>\n<body><div id=\"app\"><noscript>This report "
	      "draws itself with JavaScript.</noscript></div>\n"
	      "<script type=\"application/json\" id=\"tw-data\">{\"schema\":1", f);
}

static void page_close(FILE *f)
{
	fputs("}</script>\n<script>\n", f);
	fwrite(tw_html_js, 1, (size_t)(tw_html_js_end - tw_html_js), f);
	fputs("</script>\n</body></html>\n", f);
}

int tw_report_html(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o)
{
	struct html_ctx c = { .f = f, .r = r, .a = a };
	struct tw_summary s;
	int ret;

	ret = tw_summary_build(&s, r, a);
	if (ret != 0) {
		goto end;
	}
	ret = collect(&c);
	if (ret != 0) {
		goto end;
	}
	page_open(f);
	ret = html_head_lines(&c);
	if (ret != 0) {
		goto end;
	}
	html_data(&c, &s, o);
	page_close(f);
end:
	free(c.recs);
	free(c.files);
	tw_summary_free(&s);
	return ret;
}

void tw_report_html_untraced(FILE *f, const struct tw_report_opts *o,
			     pid_t pid, const char *exe)
{
	char line[4400];

	page_open(f);
	snprintf(line, sizeof(line), "tornwatch: \"%s\" (pid %d) was not traced: "
		 "no process of it loaded libtornwatch.so (static, setuid or "
		 "setgid); nothing was checked", exe, (int)pid);
	fputs(",\"head\":[", f);
	html_str(f, line);
	fputc(']', f);
	html_meta(f, o, 0, 0);
	fputs(",\"counts\":{\"anomalies\":0,\"groups\":0,\"events\":0,"
	      "\"processes\":0,\"calls\":0,\"reads_checked\":0,\"lost_events\":0,"
	      "\"lost_packets\":0,\"unseen_files\":0},\"by_kind\":[],\"by_file\":[],"
	      "\"by_process\":[],\"groups\":[],\"files\":[],\"calls_table\":[],"
	      "\"anomalies\":[]", f);
	page_close(f);
}
