/* SPDX-License-Identifier: MIT */
/*
 * The text report: a header, the summary, then each group of identical
 * anomalies with its first few in full and the rest counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report-int.h"
#include "hosts.h"
#include "report-stacks.h"
#include "summary.h"
#include "tornwatch-events.h"
#include "versions.h"

/* Anomalies of one group shown in full; the others are counted. */
#define TW_GROUP_SHOWN 3
/* Lines of a summary list before "… and N more". */
#define TW_LIST_MAX 10
/* Frames under a row of the interleaving other than the anomaly's own call. */
#define TW_TEXT_FRAMES 3

/* One line on an async I/O: what was asked, and how it ended. */
static void text_io(FILE *f, const struct tw_rec *x)
{
	fprintf(f, "  %s %s id 0x%" PRIx64 ": %" PRIu64 " B at %" PRId64
		", file size %" PRId64 " at submission; ", tw_engine_name(x),
		tw_opcode_name(x), x->id, x->length, x->offset, x->size);
	if (x->ended) {
		fprintf(f, "completed with %" PRId64 " (seen by %s)\n", x->ret,
			x->done_call);
	} else {
		fprintf(f, "completion never seen\n");
	}
}

static const char *kind_verb(int kind, const struct tw_rec *x)
{
	if (kind == TW_SHORT_READ && !x->aio) {
		return "read";
	}
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

static int full_page(const struct tw_page_entry *p, uint64_t ps)
{
	return p->offset == p->index * ps && p->length == ps;
}

/* Whole pages in one state in a row are one entry: "pages 1085–1400 old". */
static void text_pages(FILE *f, const struct tw_records *r,
		       const struct tw_anomaly *a)
{
	uint64_t ps = r->page_size;
	size_t i, j;

	fprintf(f, "  pages: ");
	for (i = 0; i < a->npages; i = j) {
		const struct tw_page_entry *p = &a->pages[i];
		uint64_t base = p->index * ps;

		if (i > 0) {
			fprintf(f, " · ");
		}
		j = i + 1;
		if (!full_page(p, ps)) {
			fprintf(f, "page %" PRIu64 " [%" PRIu64 ",%" PRIu64
				"): bytes %" PRIu64 "..%" PRIu64 " (%" PRIu64
				" B) %s", p->index, base, base + ps, p->offset,
				p->offset + p->length - 1, p->length,
				tw_state_name(p->state));
			continue;
		}
		while (j < a->npages && full_page(&a->pages[j], ps) &&
		       a->pages[j].state == p->state &&
		       a->pages[j].index == a->pages[j - 1].index + 1) {
			j++;
		}
		if (j - i == 1) {
			fprintf(f, "page %" PRIu64 " %s", p->index,
				tw_state_name(p->state));
		} else {
			fprintf(f, "pages %" PRIu64 "–%" PRIu64 " %s", p->index,
				a->pages[j - 1].index, tw_state_name(p->state));
		}
	}
	fprintf(f, "\n");
}

static void text_row_detail(FILE *f, const struct tw_records *r,
			    const struct tw_rec *y, int end)
{
	const struct tw_rec *io = tw_row_io(r, y);

	switch (y->note) {
	case TW_NOTE_TOUCH:
		fprintf(f, " [0x%" PRIx64 ", +%" PRIu64 ") in flight: %s id 0x%"
			PRIx64, y->addr, y->length, tw_op_name(io->op), io->id);
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

/* What the bounded state of a streaming analysis could not judge. */
static void text_bounds(FILE *f, const struct tw_records *r,
			const struct tw_anomalies *a)
{
	if (a->unsynced_bytes) {
		fprintf(f, "  (%" PRIu64 " bytes in %" PRIu64 " pages of %" PRIu64
			" file%s were stored through mappings and never synced by "
			"msync or fsync: readers see them through Linux's page cache, "
			"POSIX does not promise it)\n", a->unsynced_bytes,
			a->unsynced_pages, a->unsynced_files,
			a->unsynced_files == 1 ? "" : "s");
	}
	if (a->blocks_live_cut) {
		fprintf(f, "  (%" PRIu64 " blocks had more than %d versions a read "
			"could need: reads of them were left undecided)\n",
			a->blocks_live_cut, TW_BLOCK_MAX);
	}
	if (a->overdue) {
		fprintf(f, "  (%" PRIu64 " async I/Os were open longer than %lld s: "
			"judged at the end of the trace)\n", a->overdue,
			TW_OPEN_WAIT_NS / 1000000000ll);
	}
	if (r->late_ends) {
		fprintf(f, "  (%" PRIu64 " calls returned after more than %lld s, "
			"when what came after them was judged: verdicts since are "
			"uncertain)\n", r->late_ends, TW_OPEN_WAIT_NS / 1000000000ll);
	}
}

const char *tw_unseen_via(int how)
{
	return how & TW_UNSEEN_POSIX_AIO ? "posix_aio" : "stdio";
}

/* Files written where no hook sees: their reads are undecided, not judged. */
#define TW_UNSEEN_LINES 10

static void text_unseen(FILE *f, const struct tw_records *r,
			const struct tw_anomalies *a)
{
	char name[4200];
	size_t i;

	for (i = 0; i < a->nunseen && i < TW_UNSEEN_LINES; i++) {
		const struct tw_unseen_report *u = &a->unseen[i];

		tw_file_name(r, u->dev, u->ino, name, sizeof(name));
		fprintf(f, "  blind spot: %s: written through %s by pid %d (%s)",
			name, u->how & TW_UNSEEN_POSIX_AIO ? "POSIX AIO" : "stdio",
			u->pid, u->exe[0] ? u->exe : "?");
		if (u->processes > 1) {
			fprintf(f, " and %zu other process%s", u->processes - 1,
				u->processes == 2 ? "" : "es");
		}
		fprintf(f, ", unseen; reads of it since are undecided (%" PRIu64
			" read%s)\n", u->reads_undecided,
			u->reads_undecided == 1 ? "" : "s");
	}
	if (a->nunseen > TW_UNSEEN_LINES) {
		fprintf(f, "  blind spot: … and %zu more files written unseen\n",
			a->nunseen - TW_UNSEEN_LINES);
	}
}

/* Why a verdict is uncertain, in the words of the report: " (uncertain: …)". */
static const char *doubt(const struct tw_anomaly *a)
{
	static char buf[160];
	int n;

	if (!a->uncertain) {
		return "";
	}
	n = snprintf(buf, sizeof(buf), " (uncertain: %s%s%s%s%s)",
		     a->lost || !(a->unseen_io || a->unseen_stores) ?
		     "events were lost" : "",
		     a->lost && (a->unseen_io || a->unseen_stores) ? "; " : "",
		     a->unseen_io ? "async I/O ran unseen" : "",
		     a->unseen_io && a->unseen_stores ? "; " : "",
		     a->unseen_stores ? "a mapping of the file was not write-tracked, "
					"a store by pointer is unseen" : "");
	return n > 0 ? buf : "";
}

/* 0, or -ENOMEM when the interleaving could not be printed. */
static int text_anomaly(FILE *f, const struct tw_records *r,
			const struct tw_anomaly *a)
{
	const struct tw_rec *x = tw_rec_find(r, a->rec);
	char name[4200], ts[64];
	struct tw_row *rows;
	size_t n, i;
	int ret;

	tw_anomaly_file(r, a, name, sizeof(name));
	fprintf(f, "%s%s: %s bytes %" PRIu64 "..%" PRIu64 " (%" PRIu64 " B)\n",
		tw_kind_name(a->kind), doubt(a),
		name, a->offset, a->offset + a->length - 1, a->length);
	if (a->history_cut) {
		fprintf(f, "  (the unknown bytes may be an old content of a %d-byte "
			"block rewritten so often that not all were kept)\n", TW_GRAIN);
	}
	tw_fmt_ts(ts, sizeof(ts), x->t_begin);
	fprintf(f, "  %s by pid %d tid %d (%s) at %s:", kind_verb(a->kind, x),
		x->pid, x->tid, x->call, ts);
	for (i = 0; i < TW_S_COUNT; i++) {
		if (a->bytes[i]) {
			fprintf(f, " %" PRIu64 " B %s", a->bytes[i],
				tw_state_name((int)i));
		}
	}
	fprintf(f, "\n");
	if (a->model) {
		fprintf(f, "  judged under %s: written on %s, read on %s (clock "
			"uncertainty %" PRId64 " ns)\n", tw_model_name(a->model - 1),
			tw_host_label(a->whost), tw_host_label(x->host),
			tw_hosts_eps(a->whost, x->host));
	} else if (tw_hosts_shown()) {
		fprintf(f, "  judged under posix: on %s alone\n",
			tw_host_label(x->host));
	}
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
	rows = tw_rows_of(r, a, &n);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = tw_rec_find(r, rows[i].rec);

		tw_fmt_ts(ts, sizeof(ts), rows[i].ts);
		fprintf(f, "    %s  pid %-6d tid %-6d %-6s %-8s %-5s", ts, y->pid,
			y->tid, tw_row_op(y), tw_row_call(y, rows[i].end),
			tw_row_phase(y, rows[i].end));
		text_row_detail(f, r, y, rows[i].end);
		if (tw_hosts.n > 1) {
			fprintf(f, " on %s", tw_host_label(y->host));
		}
		fprintf(f, "%s\n", rows[i].rec == a->rec ? "   <==" : "");
		tw_text_stack(f, r, tw_row_stack(y, rows[i].end),
			      rows[i].rec == a->rec ? SIZE_MAX : TW_TEXT_FRAMES);
	}
	ret = rows ? 0 : -ENOMEM;
	free(rows);
	return ret;
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
		const struct tw_untraced *u = &r->untraced[i];

		if (u->why == TW_EXEC_ENV_CLONE_TLS) {
			fprintf(f, "  not traced: process %d, a clone(CLONE_VM) "
				"child on the TLS of thread %d, not traced "
				"either from the clone until the child's "
				"function returned, or to its end\n", u->pid,
				u->tid);
		} else if (u->why == TW_EXEC_ENV_CLONE_FILES) {
			fprintf(f, "  not traced: process %d, a clone() child "
				"sharing the descriptors of thread %d "
				"(CLONE_FILES)\n", u->pid, u->tid);
		} else {
			fprintf(f, "  not traced: process %d \"%s\" (static, "
				"setuid or without the preload)\n", u->pid,
				u->path);
		}
	}
}


/* " (torn_read ×2, stale_read ×1)" when the report has more than one kind. */
static void text_kinds(FILE *f, const struct tw_summary *s,
		       const struct tw_tally *t)
{
	const char *sep = " (";
	size_t k;

	if (s->nkinds < 2) {
		return;
	}
	for (k = 0; k < TW_SUMMARY_KINDS; k++) {
		if (t->kinds[k]) {
			fprintf(f, "%s%s ×%zu", sep, tw_kind_name((int)k),
				t->kinds[k]);
			sep = ", ";
		}
	}
	fprintf(f, ")");
}

/* "pages 1085–1400, 1402 old; page 7 unknown": a file's pages, collapsed. */
static void text_ranges(FILE *f, const struct tw_tally *t)
{
	size_t i, j, k, pages;

	for (i = 0; i < t->nranges; i = j) {
		for (j = i, pages = 0; j < t->nranges &&
		     t->ranges[j].state == t->ranges[i].state; j++) {
			pages += t->ranges[j].last - t->ranges[j].first + 1;
		}
		fprintf(f, "%s%s ", i ? "; " : ": ", pages > 1 ? "pages" : "page");
		for (k = i; k < j && k < i + TW_LIST_MAX; k++) {
			const struct tw_range *g = &t->ranges[k];

			fprintf(f, "%s%" PRIu64, k > i ? ", " : "", g->first);
			if (g->last > g->first) {
				fprintf(f, "–%" PRIu64, g->last);
			}
		}
		if (j - i > TW_LIST_MAX) {
			fprintf(f, " and %zu more ranges", j - i - TW_LIST_MAX);
		}
		fprintf(f, " %s", tw_state_name(t->ranges[i].state));
	}
}

static int by_count(const void *pa, const void *pb, void *arg)
{
	const struct tw_group *g = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	if (g[a].count != g[b].count) {
		return g[a].count < g[b].count ? 1 : -1;
	}
	return (a > b) - (a < b);
}

/* The largest groups, one line each; only when some anomalies were alike. */
static void text_patterns(FILE *f, const struct tw_summary *s)
{
	size_t *order, i, n = s->ngroups;

	if (n == s->n || !(order = calloc(n, sizeof(*order)))) {
		return;
	}
	for (i = 0; i < n; i++) {
		order[i] = i;
	}
	qsort_r(order, n, sizeof(*order), by_count, s->groups);
	for (i = 0; i < n && i < TW_LIST_MAX; i++) {
		const struct tw_group *g = &s->groups[order[i]];

		fprintf(f, "  %-12s ×%zu %s in %s: %s\n", i ? "" : "by calls:",
			g->count, tw_kind_name(g->kind), g->file, g->calls);
	}
	if (n > TW_LIST_MAX) {
		fprintf(f, "  %-12s … and %zu more groups\n", "", n - TW_LIST_MAX);
	}
	free(order);
}

static void text_summary(FILE *f, const struct tw_summary *s)
{
	size_t i;

	fprintf(f, "\nsummary: %zu anomal%s in %zu group%s (same kind, file and "
		"calls)\n", s->n, s->n == 1 ? "y" : "ies", s->ngroups,
		s->ngroups == 1 ? "" : "s");
	fprintf(f, "  %-12s", "by kind:");
	for (i = 0; i < s->nkinds; i++) {
		fprintf(f, "%s%s ×%zu", i ? ", " : " ",
			tw_kind_name((int)s->kinds[i].key), s->kinds[i].count);
	}
	fprintf(f, "\n");
	for (i = 0; i < s->nfiles && i < TW_LIST_MAX; i++) {
		fprintf(f, "  %-12s %s ×%zu", i ? "" : "by file:",
			s->files[i].name, s->files[i].count);
		text_kinds(f, s, &s->files[i]);
		text_ranges(f, &s->files[i]);
		fprintf(f, "\n");
	}
	if (s->nfiles > TW_LIST_MAX) {
		fprintf(f, "  %-12s … and %zu more files\n", "",
			s->nfiles - TW_LIST_MAX);
	}
	fprintf(f, "  %-12s", "by process:");
	for (i = 0; i < s->nprocs && i < TW_LIST_MAX; i++) {
		fprintf(f, "%spid %" PRId64 " ×%zu", i ? ", " : " ",
			s->procs[i].key, s->procs[i].count);
		text_kinds(f, s, &s->procs[i]);
	}
	if (s->nprocs > TW_LIST_MAX) {
		fprintf(f, " … and %zu more processes", s->nprocs - TW_LIST_MAX);
	}
	fprintf(f, "\n");
	text_patterns(f, s);
}

/* A group: its heading, its first members in full, the rest counted. */
static int text_group(FILE *f, const struct tw_records *r,
		      const struct tw_anomalies *a, const struct tw_summary *s,
		      size_t g, size_t *budget)
{
	const struct tw_group *gr = &s->groups[g];
	size_t want = gr->count < TW_GROUP_SHOWN ? gr->count : TW_GROUP_SHOWN;
	size_t i, shown = 0;
	char t0[64], t1[64];

	if (want > *budget) {
		want = *budget;
	}
	if (gr->count > 1) {
		fprintf(f, "\n×%zu %s in %s: %s", gr->count,
			tw_kind_name(gr->kind), gr->file, gr->calls);
		if (want) {
			fprintf(f, "; the first %zu in full\n", want);
		} else {
			fprintf(f, "\n");
		}
	}
	for (i = gr->first; i != SIZE_MAX && shown < want; i = s->next[i]) {
		fprintf(f, "\n");
		if (text_anomaly(f, r, &a->a[i]) != 0) {
			return -ENOMEM;
		}
		shown++;
		if (ferror(f)) {
			return 0;
		}
	}
	*budget -= shown;
	if (shown < gr->count) {
		tw_fmt_ts(t0, sizeof(t0), gr->t_first);
		tw_fmt_ts(t1, sizeof(t1), gr->t_last);
		fprintf(f, "\n  … and %zu more like %s (%zu in all, %s to %s, "
			"%zu process%s)\n", gr->count - shown,
			shown == 1 ? "this one" : "these", gr->count, t0, t1,
			gr->nprocs, gr->nprocs == 1 ? "" : "es");
	}
	return 0;
}

static int text_groups(FILE *f, const struct tw_records *r,
		       const struct tw_anomalies *a, const struct tw_summary *s,
		       size_t max_full)
{
	size_t g, budget = max_full, left = 0;

	for (g = 0; g < s->ngroups && budget > 0; g++) {
		if (text_group(f, r, a, s, g, &budget) != 0) {
			return -ENOMEM;
		}
		if (ferror(f)) {
			return 0;
		}
	}
	if (g < s->ngroups) {
		for (size_t k = g; k < s->ngroups; k++) {
			left += s->groups[k].count;
		}
		fprintf(f, "\n%zu more group%s (%zu anomal%s) not shown: "
			"--max-anomalies %zu; the summary counts them\n",
			s->ngroups - g, s->ngroups - g == 1 ? "" : "s", left,
			left == 1 ? "y" : "ies", max_full);
	}
	return 0;
}

/* Each host, ε between them and the models: only when there is a choice. */
static void text_hosts(FILE *f)
{
	if (!tw_hosts_shown()) {
		return;
	}
	fprintf(f, "  hosts: %zu:", tw_hosts.n);
	for (size_t i = 0; i < tw_hosts.n; i++) {
		fprintf(f, "%s %s (%" PRIu64 " events", i ? "," : "",
			tw_host_label((uint32_t)i), tw_hosts.events[i]);
		if (tw_hosts.clock_sync[i] == TW_CLOCK_SYNCED) {
			fprintf(f, ", clock synchronized, NTP maximum error %" PRId64
				" ns", tw_hosts.clock_err_ns[i]);
		} else if (tw_hosts.clock_sync[i] == TW_CLOCK_UNSYNCED) {
			fprintf(f, ", clock not synchronized");
		}
		fputc(')', f);
	}
	fprintf(f, "; clock uncertainty between hosts %" PRId64 " ns (%s)\n",
		tw_hosts_eps(0, 1),
		tw_hosts.eps_ns >= 0 ? "declared" :
		strcmp(tw_hosts_eps_source(), "measured") == 0 ?
		"measured: the sum of the two hosts' NTP maximum errors" :
		"none declared; not measured: a host's clock is not known synchronized");
	fprintf(f, "  models:");
	if (!tw_hosts.nmodels) {
		fprintf(f, " posix (every file)");
	}
	for (size_t i = 0; i < tw_hosts.nmodels; i++) {
		const struct tw_model_rule *m = &tw_hosts.models[i];

		fprintf(f, "%s %s (%s)", i ? "," : "", tw_model_name(m->model),
			m->root[0] ? m->root : "every file");
	}
	for (size_t i = 0; i < tw_hosts.nfs; i++) {
		const struct tw_same_fs *fs = &tw_hosts.fs[i];

		fprintf(f, "; one file system: %s:%s = %s:%s", fs->host[0],
			fs->root[0], fs->host[1], fs->root[1]);
	}
	fprintf(f, "; read pieces judged against another host %" PRIu64
		", left concurrent %" PRIu64 "\n", tw_hosts.cross_judged,
		tw_hosts.cross_undecided);
}

/* Who saw the stores, when anything but the kernel did. */
static void text_map_modes(FILE *f, const struct tw_records *r)
{
	const struct tw_map_modes *mm = &r->modes;
	size_t i, shown = 0;

	if (mm->hooks == 0 && mm->none == 0) {
		return;
	}
	fprintf(f, "  (writable mappings: %" PRIu64 " with every written page seen "
		"by the kernel, %" PRIu64 " by the memcpy hooks only, where a store "
		"by pointer is not seen, %" PRIu64 " by no one:", mm->kernel,
		mm->hooks, mm->none);
	for (i = 0; i < mm->n && shown < 4; i++) {
		char name[512];

		if (mm->m[i].hooks || mm->m[i].none) {
			tw_file_name(r, mm->m[i].dev, mm->m[i].ino, name, sizeof(name));
			fprintf(f, "%s %s (%s)", shown ? ";" : "", name,
				tw_map_mode_why(mm->m[i].err));
			shown++;
		}
	}
	fprintf(f, "%s)\n", shown < 4 ? "" : " …");
}


/* Writes into process memory: any mapped file may have changed. */
static void text_mem_writes(FILE *f, const struct tw_records *r)
{
	char at[64];

	tw_fmt_ts(at, sizeof(at), r->t_mem_write);
	fprintf(f, "  blind spot: %" PRIu64 " write%s into process memory "
		"(process_vm_writev, /proc/PID/mem), the first at %s: any "
		"file mapped there may have changed; reads after %s are "
		"undecided until the bytes are written again\n",
		r->mem_writes, r->mem_writes == 1 ? "" : "s", at,
		r->mem_writes == 1 ? "it" : "each");
}

/* io_uring I/O no hook saw: any file may have been read or written. */
static void text_unseen_io(FILE *f, const struct tw_records *r)
{
	char at[64];

	tw_fmt_ts(at, sizeof(at), r->t_missed);
	fprintf(f, "  blind spot: %" PRIu64 " io_uring completion%s of I/O "
		"no hook saw submitted, the first found in pid %d at %s "
		"(a raw io_uring_enter instruction, as fio's io_uring "
		"engine makes, or a ring that wrapped between scans): "
		"what it read and wrote is unseen, so every verdict is "
		"uncertain\n", r->missed, r->missed == 1 ? "" : "s",
		r->missed_pid, at);
}

/* The context lines: who ran, how mappings were watched, what was not seen. */
void tw_text_context(FILE *f, const struct tw_records *r,
		     const struct tw_anomalies *a)
{
	text_execs(f, r);
	text_map_modes(f, r);
	if (r->mem_writes) {
		text_mem_writes(f, r);
	}
	if (r->missed) {
		text_unseen_io(f, r);
	}
	text_bounds(f, r, a);
	text_unseen(f, r, a);
}

/*
 * Written apart first: after a summary a blank line sets the context
 * off, when there is some.
 */
static int text_context(FILE *out, const struct tw_records *r,
			const struct tw_anomalies *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		return -ENOMEM;
	}
	tw_text_context(f, r, a);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	if (len) {
		fprintf(out, "%s%s", a->n ? "\n" : "", buf);
	}
	free(buf);
	return 0;
}

/* The headline and the notes on loss: the first lines of the report. */
void tw_text_head(FILE *f, const struct tw_records *r,
		  const struct tw_anomalies *a)
{
	char day[32] = "";

	if (r->end) {
		tw_fmt_date(day, sizeof(day), r->t_first);
	}
	fprintf(f, "tornwatch: %" PRIu64 " events from %zu process%s, %zu calls, %"
		PRIu64 " reads checked, %" PRIu64 " events lost, %" PRIu64
		" packets lost: %zu anomal%s (times in " TW_TEXT_ZONE "%s%s)\n",
		r->events, r->npids, r->npids == 1 ? "" : "es", r->end,
		a->reads_checked, r->lost_events, r->lost_packets, a->n,
		a->n == 1 ? "y" : "ies", *day ? ", trace of " : "", day);
	if (r->unplaced_loss) {
		fprintf(f, "  (the session's channel counted %" PRIu64 " events discarded "
			"and %" PRIu64 " packets lost, more than the trace shows: every "
			"anomaly is uncertain)\n", r->session_discarded, r->session_lost);
	}
	if (r->parent_buffered) {
		char at[64];

		tw_fmt_ts(at, sizeof(at), r->t_parent_buffered);
		fprintf(f, "  (%" PRIu64 " forked child%s, the first pid %d at %s, "
			"wrote into %s parent's per-process buffers (a session with "
			"--buffers-pid): what a child wrote after its parent exited "
			"is not in the trace, so every anomaly from then on is "
			"uncertain; trace with TORNWATCH_FORK_REGISTER=1 or per-user "
			"buffers)\n", r->parent_buffered,
			r->parent_buffered == 1 ? "" : "ren", r->parent_buffered_pid,
			at, r->parent_buffered == 1 ? "its" : "their");
	}
	if (r->foreign) {
		fprintf(f, "  (%" PRIu64 " events of processes the command did not "
			"start were left out)\n", r->foreign);
	}
	if (r->loss.at_start || r->loss.at_end) {
		fprintf(f, "  (of the packets lost, %" PRIu64 " at a stream's start; %"
			PRIu64 " stream%s cut short at %s end)\n", r->loss.at_start,
			r->loss.at_end, r->loss.at_end == 1 ? "" : "s",
			r->loss.at_end == 1 ? "its" : "their");
	}
	text_hosts(f);
}

int tw_report_text(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o)
{
	struct tw_summary s;
	int ret;

	/* Counted before anything is printed: out of memory prints nothing. */
	ret = tw_summary_build(&s, r, a);
	if (ret != 0) {
		tw_summary_free(&s);
		return ret;
	}
	tw_text_head(f, r, a);
	/*
	 * The summary comes before the blind spots and the other context:
	 * its ten lines tell the story; the context follows, set apart.
	 */
	if (a->n) {
		text_summary(f, &s);
	}
	ret = text_context(f, r, a);
	if (ret == 0 && a->n) {
		ret = text_groups(f, r, a, &s, o ? o->max_full : SIZE_MAX);
	}
	tw_summary_free(&s);
	return ret;
}
