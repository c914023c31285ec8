/* SPDX-License-Identifier: MIT */
/*
 * The JSON report (schema TW_JSON_SCHEMA). Timestamps are strings of
 * nanoseconds since the Unix epoch: they exceed 2^53, and jq reads every
 * number as a double.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hosts.h"
#include "report.h"
#include "report-int.h"
#include "report-stacks.h"
#include "summary.h"
#include "tornwatch-events.h"
#include "version.h"

void tw_json_str(FILE *f, const char *s)
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
	const struct tw_rec *io = tw_row_io(r, y);

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

static void json_strs(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i) {
			fputc(',', f);
		}
		tw_json_str(f, v[i]);
	}
	fputc(']', f);
}

/* What made the report and from what: tool, schema, command, traces, clock. */
static void json_head(FILE *f, const struct tw_report_opts *o)
{
	size_t n = 0;

	fprintf(f, "{\"tool\":{\"name\":\"tornwatch\",\"version\":\"" TW_VERSION
		"\"},\"schema\":%d,\"command\":", TW_JSON_SCHEMA);
	if (o && o->command) {
		while (o->command[n]) {
			n++;
		}
		json_strs(f, (const char *const *)o->command, n);
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\"trace\":");
	json_strs(f, o ? o->dirs : NULL, o ? o->ndirs : 0);
	fprintf(f, ",\"clock\":{\"unit\":\"ns\",\"origin\":\"unix_epoch\","
		"\"ts_type\":\"string\",\"text_zone\":\"" TW_TEXT_ZONE "\"}");
}

static void json_kinds(FILE *f, const struct tw_tally *t)
{
	const char *sep = "";
	size_t k;

	fprintf(f, "\"by_kind\":{");
	for (k = 0; k < TW_SUMMARY_KINDS; k++) {
		if (t->kinds[k]) {
			fprintf(f, "%s\"%s\":%zu", sep, tw_kind_name((int)k),
				t->kinds[k]);
			sep = ",";
		}
	}
	fprintf(f, "}");
}

static void json_summary(FILE *f, const struct tw_summary *s)
{
	size_t i, k;

	fprintf(f, ",\"summary\":{\"anomalies\":%zu,\"groups\":%zu,"
		"\"by_kind\":{", s->n, s->ngroups);
	for (i = 0; i < s->nkinds; i++) {
		fprintf(f, "%s\"%s\":%zu", i ? "," : "",
			tw_kind_name((int)s->kinds[i].key), s->kinds[i].count);
	}
	fprintf(f, "},\"by_file\":[");
	for (i = 0; i < s->nfiles; i++) {
		const struct tw_tally *t = &s->files[i];

		fprintf(f, "%s{\"file\":", i ? "," : "");
		tw_json_str(f, t->name);
		fprintf(f, ",\"count\":%zu,", t->count);
		json_kinds(f, t);
		fprintf(f, ",\"pages\":[");
		for (k = 0; k < t->nranges; k++) {
			fprintf(f, "%s{\"first\":%" PRIu64 ",\"last\":%" PRIu64
				",\"state\":\"%s\"}", k ? "," : "",
				t->ranges[k].first, t->ranges[k].last,
				tw_state_name(t->ranges[k].state));
		}
		fprintf(f, "]}");
	}
	fprintf(f, "],\"by_process\":[");
	for (i = 0; i < s->nprocs; i++) {
		fprintf(f, "%s{\"pid\":%" PRId64 ",\"count\":%zu,", i ? "," : "",
			s->procs[i].key, s->procs[i].count);
		json_kinds(f, &s->procs[i]);
		fprintf(f, "}");
	}
	fprintf(f, "]},\"groups\":[");
	for (i = 0; i < s->ngroups; i++) {
		const struct tw_group *g = &s->groups[i];

		fprintf(f, "%s{\"kind\":\"%s\",\"file\":", i ? "," : "",
			tw_kind_name(g->kind));
		tw_json_str(f, g->file);
		fprintf(f, ",\"count\":%zu,\"calls\":", g->count);
		tw_json_str(f, g->calls);
		fprintf(f, ",\"first\":%zu,\"first_ts\":\"%" PRId64 "\",\"last_ts\":\"%"
			PRId64 "\",\"processes\":%zu}", g->first, g->t_first,
			g->t_last, g->nprocs);
	}
	fprintf(f, "]");
}

/* Hosts, ε and models, only when there is more than one host or a choice. */
static void json_hosts(FILE *f)
{
	if (!tw_hosts_shown()) {
		return;
	}
	fprintf(f, ",\"hosts\":[");
	for (size_t i = 0; i < tw_hosts.n; i++) {
		fprintf(f, "%s{\"name\":", i ? "," : "");
		tw_json_str(f, tw_host_label((uint32_t)i));
		fprintf(f, ",\"events\":%" PRIu64 ",\"clock\":\"%s\",\"clock_maxerror_ns\":%" PRId64 "}",
			tw_hosts.events[i],
			tw_hosts.clock_sync[i] == TW_CLOCK_SYNCED ? "synchronized" :
			tw_hosts.clock_sync[i] == TW_CLOCK_UNSYNCED ? "unsynchronized" :
			"unknown", tw_hosts.clock_err_ns[i]);
	}
	fprintf(f, "],\"clock_uncertainty_ns\":%" PRId64 ",\"clock_uncertainty\":\"%s\""
		",\"cross_host_judged\":%" PRIu64 ",\"cross_host_concurrent\":%" PRIu64
		",\"models\":[", tw_hosts_eps(0, 1),
		tw_hosts_eps_source(), tw_hosts.cross_judged,
		tw_hosts.cross_undecided);
	for (size_t i = 0; i < tw_hosts.nmodels; i++) {
		fprintf(f, "%s{\"root\":", i ? "," : "");
		tw_json_str(f, tw_hosts.models[i].root);
		fprintf(f, ",\"model\":\"%s\"}", tw_model_name(tw_hosts.models[i].model));
	}
	fprintf(f, "]");
}

/* 0, or -ENOMEM when the interleaving could not be written. */
static int json_anomaly(FILE *f, const struct tw_records *r,
			const struct tw_anomaly *a, size_t group)
{
	const struct tw_rec *x = tw_rec_find(r, a->rec);
	char name[4200];
	struct tw_row *rows;
	size_t n, i;
	int ret;

	tw_anomaly_file(r, a, name, sizeof(name));
	fprintf(f, "{\"kind\":\"%s\",\"file\":", tw_kind_name(a->kind));
	tw_json_str(f, name);
	fprintf(f, ",\"dev\":%" PRIu64 ",\"ino\":%" PRIu64 ",\"offset\":%" PRIu64
		",\"length\":%" PRIu64 ",\"pid\":%d,\"tid\":%d,\"call\":",
		a->dev, a->ino, a->offset, a->length, x->pid, x->tid);
	tw_json_str(f, x->call);
	fprintf(f, ",\"ts\":\"%" PRId64 "\",\"group\":%zu,\"uncertain\":%s"
		",\"unseen_io\":%s,\"unseen_stores\":%s,\"history_cut\":%s",
		x->t_begin, group, a->uncertain ? "true" : "false",
		a->unseen_io ? "true" : "false",
		a->unseen_stores ? "true" : "false",
		a->history_cut ? "true" : "false");
	if (a->kind == TW_SYNC_RACE) {
		fprintf(f, ",\"untracked_store\":%s", a->untracked ? "true" : "false");
	}
	if (tw_hosts_shown()) {
		fprintf(f, ",\"host\":");
		tw_json_str(f, tw_host_label(x->host));
	}
	if (a->model) {
		fprintf(f, ",\"model\":\"%s\",\"written_on\":",
			tw_model_name(a->model - 1));
		tw_json_str(f, tw_host_label(a->whost));
	} else if (tw_hosts_shown()) {
		fprintf(f, ",\"model\":\"posix\",\"written_on\":");
		tw_json_str(f, tw_host_label(x->host));
	}
	if (x->aio) {
		fprintf(f, ",\"engine\":\"%s\",\"opcode\":\"%s\",\"io\":\"0x%"
			PRIx64 "\",\"file_size\":%" PRId64 ",\"completed\":",
			tw_engine_name(x), tw_opcode_name(x), x->id, x->size);
		if (x->ended) {
			fprintf(f, "%" PRId64, x->ret);
		} else {
			fprintf(f, "null");
		}
	}
	tw_json_stack(f, r, x->stack);
	fprintf(f, ",\"pages\":[");
	for (i = 0; i < a->npages; i++) {
		fprintf(f, "%s{\"index\":%" PRIu64 ",\"offset\":%" PRIu64
			",\"length\":%" PRIu64 ",\"state\":\"%s\"}", i ? "," : "",
			a->pages[i].index, a->pages[i].offset, a->pages[i].length,
			tw_state_name(a->pages[i].state));
	}
	fprintf(f, "],\"interleaving\":[");
	rows = tw_rows_of(r, a, &n);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = tw_rec_find(r, rows[i].rec);

		tw_file_name(r, y->dev, y->ino, name, sizeof(name));
		fprintf(f, "%s{\"ts\":\"%" PRId64 "\",\"pid\":%d,\"tid\":%d,\"call\":",
			i ? "," : "", rows[i].ts, y->pid, y->tid);
		tw_json_str(f, tw_row_call(y, rows[i].end));
		fprintf(f, ",\"op\":\"%s\",\"phase\":\"%s\",\"file\":",
			tw_row_op(y), tw_row_phase(y, rows[i].end));
		tw_json_str(f, name);
		fprintf(f, ",\"offset\":%" PRId64 ",\"length\":%" PRIu64, y->offset,
			y->length);
		json_row_detail(f, r, y, rows[i].end);
		tw_json_stack(f, r, tw_row_stack(y, rows[i].end));
		fprintf(f, "}");
	}
	ret = rows ? 0 : -ENOMEM;
	free(rows);
	fprintf(f, "]}");
	return ret;
}

static const char *untraced_why(int32_t why)
{
	switch (why) {
	case TW_EXEC_ENV_CLONE_TLS:
		return "clone_shares_tls";
	case TW_EXEC_ENV_CLONE_FILES:
		return "clone_shares_files";
	default:
		return "exec";
	}
}

static void json_unseen(FILE *f, const struct tw_records *r,
			const struct tw_anomalies *a)
{
	char name[4200];
	size_t i;

	fprintf(f, ",\"unseen_writes\":[");
	for (i = 0; i < a->nunseen; i++) {
		const struct tw_unseen_report *u = &a->unseen[i];

		tw_file_name(r, u->dev, u->ino, name, sizeof(name));
		fprintf(f, "%s{\"file\":", i ? "," : "");
		tw_json_str(f, name);
		fprintf(f, ",\"dev\":%" PRIu64 ",\"ino\":%" PRIu64 ",\"via\":\"%s\","
			"\"pid\":%d,\"exe\":", u->dev, u->ino,
			tw_unseen_via(u->how), u->pid);
		tw_json_str(f, u->exe);
		fprintf(f, ",\"call\":");
		tw_json_str(f, u->call ? u->call : "");
		fprintf(f, ",\"processes\":%zu,\"reads_undecided\":%" PRIu64 "}",
			u->processes, u->reads_undecided);
	}
	fputc(']', f);
}

static void json_tail(FILE *f, const struct tw_records *r,
		      const struct tw_anomalies *a)
{
	size_t i;

	fprintf(f, "],\"exec_env_restored\":%" PRIu64 ",\"exec_env_dropped\":%"
		PRIu64 ",\"not_traced\":[", r->exec_restored, r->exec_dropped);
	for (i = 0; i < r->nuntraced; i++) {
		fprintf(f, "%s{\"pid\":%d,\"exe\":", i ? "," : "",
			r->untraced[i].pid);
		tw_json_str(f, r->untraced[i].path);
		fprintf(f, ",\"why\":\"%s\",\"tid\":%d}",
			untraced_why(r->untraced[i].why), r->untraced[i].tid);
	}
	fputc(']', f);
	json_unseen(f, r, a);
	fprintf(f, "}\n");
}

static void json_map_modes(FILE *f, const struct tw_records *r)
{
	const struct tw_map_modes *mm = &r->modes;
	size_t i, k = 0;

	fprintf(f, ",\"write_tracking\":{\"kernel\":%" PRIu64 ",\"hooks_only\":%"
		PRIu64 ",\"untracked\":%" PRIu64 ",\"files\":[", mm->kernel,
		mm->hooks, mm->none);
	for (i = 0; i < mm->n; i++) {
		char name[512];

		tw_file_name(r, mm->m[i].dev, mm->m[i].ino, name, sizeof(name));
		fprintf(f, "%s{\"file\":", k++ ? "," : "");
		tw_json_str(f, name);
		fprintf(f, ",\"kernel\":%" PRIu32 ",\"hooks_only\":%" PRIu32
			",\"untracked\":%" PRIu32 ",\"refused\":", mm->m[i].kernel,
			mm->m[i].hooks, mm->m[i].none);
		if (mm->m[i].err) {
			tw_json_str(f, tw_map_mode_why(mm->m[i].err));
		} else {
			fputs("null", f);
		}
		fputc('}', f);
	}
	fputs("]}", f);
}

int tw_report_json(FILE *f, const struct tw_records *r,
		   const struct tw_anomalies *a, const struct tw_report_opts *o)
{
	struct tw_summary s;
	size_t i;
	int ret;

	ret = tw_summary_build(&s, r, a);
	if (ret != 0) {
		tw_summary_free(&s);
		return ret;
	}
	json_head(f, o);
	fprintf(f, ",\"events\":%" PRIu64 ",\"lost_events\":%" PRIu64
		",\"lost_packets\":%" PRIu64 ",\"lost_at_start\":%" PRIu64
		",\"lost_at_end\":%" PRIu64 ",\"processes\":%zu,\"calls\":%zu,"
		"\"reads_checked\":%" PRIu64 ",\"foreign_events\":%" PRIu64
		",\"blocks_live_cut\":%" PRIu64 ",\"overdue_ios\":%" PRIu64
		",\"late_ends\":%" PRIu64,
		r->events, r->lost_events, r->lost_packets, r->loss.at_start,
		r->loss.at_end, r->npids, r->end, a->reads_checked, r->foreign,
		a->blocks_live_cut, a->overdue, r->late_ends);
	if (r->session_counted) {
		fprintf(f, ",\"session_counts\":{\"discarded_events\":%" PRIu64
			",\"lost_packets\":%" PRIu64 ",\"more_than_trace\":%s}",
			r->session_discarded, r->session_lost,
			r->unplaced_loss ? "true" : "false");
	}
	if (r->session_filter) {
		fprintf(f, ",\"session_filter\":");
		tw_json_str(f, r->session_filter);
	}
	json_map_modes(f, r);
	json_hosts(f);
	fprintf(f, ",\"unseen_async_io\":{\"completions\":%" PRIu64
		",\"first_pid\":%d,\"first_ts\":\"%" PRId64 "\"}", r->missed,
		r->missed ? r->missed_pid : 0, r->missed ? r->t_missed : 0);
	fprintf(f, ",\"children_in_parent_buffers\":{\"count\":%" PRIu64
		",\"first_pid\":%d,\"first_ts\":\"%" PRId64 "\"}", r->parent_buffered,
		r->parent_buffered_pid, r->t_parent_buffered);
	fprintf(f, ",\"memory_writes\":%" PRIu64 ",\"unsynced_stores\":{\"bytes\":%"
		PRIu64 ",\"pages\":%" PRIu64 ",\"files\":%" PRIu64 "}", r->mem_writes,
		a->unsynced_bytes, a->unsynced_pages, a->unsynced_files);
	json_summary(f, &s);
	fprintf(f, ",\"anomalies\":[");
	for (i = 0; i < a->n && ret == 0; i++) {
		if (i) {
			fputc(',', f);
		}
		ret = json_anomaly(f, r, &a->a[i], s.group_of[i]);
	}
	json_tail(f, r, a);
	tw_summary_free(&s);
	return ret;
}

void tw_report_json_untraced(FILE *f, const struct tw_report_opts *o,
			     pid_t pid, const char *exe)
{
	struct tw_summary s = { 0 };

	json_head(f, o);
	fprintf(f, ",\"events\":0,\"lost_events\":0,\"lost_packets\":0,"
		"\"lost_at_start\":0,\"lost_at_end\":0,\"processes\":0,\"calls\":0,\"reads_checked\":0,"
		"\"foreign_events\":0");
	json_summary(f, &s);
	fprintf(f, ",\"anomalies\":[],\"exec_env_restored\":0,"
		"\"exec_env_dropped\":0,\"not_traced\":[{\"pid\":%d,\"exe\":",
		(int)pid);
	tw_json_str(f, exe);
	fprintf(f, ",\"why\":\"exec\",\"tid\":0}],\"unseen_writes\":[]}\n");
}
