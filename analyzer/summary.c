/* SPDX-License-Identifier: MIT */
/*
 * Counts and groups are made by sorting the anomalies' indices on one key at
 * a time and taking the runs: no hash table, and n log n for the 30,000
 * anomalies of a badly broken file system.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "report-int.h"
#include "summary.h"

/* A growing string; oom set once an allocation failed. */
struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (b->oom) {
		return;
	}
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || tw_grow_to((void **)&b->s, &b->cap, b->n + (size_t)len + 1,
				  1) != 0) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

static char *sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	return b->s ? b->s : strdup("");
}

/*
 * A process's part in an interleaving: 0 for the anomaly's own process,
 * then 1, 2... for the others in the order they first appear. Pids differ
 * from run to run; the parts do not.
 */
static int role_of(int32_t *pids, size_t *n, size_t max, int32_t pid)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (pids[i] == pid) {
			return (int)i;
		}
	}
	if (*n < max) {
		pids[(*n)++] = pid;
	}
	return (int)i;
}

/* What makes two anomalies the same: kind, file, then each row's op, call, phase and part. */
static char *pattern_key(const struct tw_records *r, const struct tw_anomaly *a,
			 const char *name)
{
	const struct tw_rec *x = tw_rec_find(r, a->rec);
	int32_t pids[160] = { x->pid };
	struct sbuf b = { 0 };
	struct tw_row *rows;
	size_t n, i, npids = 1;

	rows = tw_rows_of(r, a, &n);
	if (!rows) {
		return NULL;
	}
	sb_add(&b, "%d %d %d %s\n", a->kind, a->uncertain, a->untracked, name);
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = tw_rec_find(r, rows[i].rec);
		int end = rows[i].end;

		sb_add(&b, "%s/%s/%s/%d%s;", tw_row_op(y), tw_row_call(y, end),
		       tw_row_phase(y, end), role_of(pids, &npids, 160, y->pid),
		       rows[i].rec == a->rec ? "*" : "");
	}
	free(rows);
	return sb_take(&b);
}

static void flush_label(struct sbuf *b, const char *label, size_t times,
			int *any)
{
	if (!times) {
		return;
	}
	sb_add(b, "%s%s", *any ? " → " : "", label);
	if (times > 1) {
		sb_add(b, " ×%zu", times);
	}
	*any = 1;
}

/*
 * The calls as a person reads them: one label per call, "B:" (C:, ...) in
 * front of another process's, repeats counted.
 */
static char *pattern_calls(const struct tw_records *r,
			   const struct tw_anomaly *a)
{
	const struct tw_rec *x = tw_rec_find(r, a->rec);
	int32_t pids[160] = { x->pid };
	char prev[96] = "", label[96];
	struct sbuf b = { 0 };
	struct tw_row *rows;
	size_t n, i, npids = 1, times = 0;
	int any = 0;

	rows = tw_rows_of(r, a, &n);
	if (!rows) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct tw_rec *y = tw_rec_find(r, rows[i].rec);
		const char *call = tw_row_call(y, 0), *op = tw_row_op(y);
		int role = role_of(pids, &npids, 160, y->pid);
		char who[8] = "";

		if (rows[i].end) {
			continue;
		}
		if (role > 0) {
			snprintf(who, sizeof(who), "%c:", role < 26 ? 'A' + role : '?');
		}
		if (strstr(call, op)) {
			snprintf(label, sizeof(label), "%s%s", who, call);
		} else {
			snprintf(label, sizeof(label), "%s%s (%s)", who, call, op);
		}
		if (strcmp(label, prev) == 0) {
			times++;
			continue;
		}
		flush_label(&b, prev, times, &any);
		snprintf(prev, sizeof(prev), "%s", label);
		times = 1;
	}
	flush_label(&b, prev, times, &any);
	free(rows);
	return sb_take(&b);
}

struct sctx {
	const struct tw_records *r;
	const struct tw_anomalies *a;
	char **names;
	char **keys;
	int (*key_cmp)(const struct sctx *c, size_t i, size_t j);
};

static int32_t pid_of(const struct sctx *c, size_t i)
{
	return tw_rec_find(c->r, c->a->a[i].rec)->pid;
}

static int cmp_key(const struct sctx *c, size_t i, size_t j)
{
	return strcmp(c->keys[i], c->keys[j]);
}

static int cmp_name(const struct sctx *c, size_t i, size_t j)
{
	return strcmp(c->names[i], c->names[j]);
}

static int cmp_pid(const struct sctx *c, size_t i, size_t j)
{
	return (pid_of(c, i) > pid_of(c, j)) - (pid_of(c, i) < pid_of(c, j));
}

static int cmp_kind(const struct sctx *c, size_t i, size_t j)
{
	return (c->a->a[i].kind > c->a->a[j].kind) -
	       (c->a->a[i].kind < c->a->a[j].kind);
}

/* The key, then the index: a run's first member is its first anomaly. */
static int by_key_then_index(const void *pa, const void *pb, void *arg)
{
	const struct sctx *c = arg;
	size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
	int k = c->key_cmp(c, i, j);

	return k ? k : (i > j) - (i < j);
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct tw_range *a = pa, *b = pb;

	if (a->state != b->state) {
		return a->state - b->state;
	}
	return (a->first > b->first) - (a->first < b->first);
}

/* Sorted, and overlapping or touching ranges of one state made one. */
static void merge_ranges(struct tw_tally *t)
{
	size_t i, k = 0;

	qsort(t->ranges, t->nranges, sizeof(*t->ranges), range_cmp);
	for (i = 0; i < t->nranges; i++) {
		struct tw_range *p = k ? &t->ranges[k - 1] : NULL;
		const struct tw_range *q = &t->ranges[i];

		if (p && p->state == q->state && q->first <= p->last + 1) {
			if (q->last > p->last) {
				p->last = q->last;
			}
			continue;
		}
		t->ranges[k++] = *q;
	}
	t->nranges = k;
	t->merged = k;
}

/*
 * Identical anomalies repeat the same ranges: merging whenever the list
 * doubled keeps it as small as the distinct ranges.
 */
static int add_ranges(struct tw_tally *t, const struct tw_anomaly *a)
{
	size_t i;

	for (i = 0; i < a->npages; i++) {
		const struct tw_page_entry *p = &a->pages[i];
		struct tw_range *last = t->nranges ? &t->ranges[t->nranges - 1] : NULL;

		if (p->state == TW_S_NEW) {
			continue;
		}
		if (last && last->state == p->state && p->index >= last->first &&
		    p->index <= last->last + 1) {
			if (p->index > last->last) {
				last->last = p->index;
			}
			continue;
		}
		if (!TW_GROW(t->ranges, t->nranges, t->capranges)) {
			return -ENOMEM;
		}
		t->ranges[t->nranges++] = (struct tw_range){ p->index, p->index,
							     p->state };
	}
	if (t->nranges > 2 * t->merged + 256) {
		merge_ranges(t);
	}
	return 0;
}

static int tally_cmp(const void *pa, const void *pb)
{
	const struct tw_tally *a = pa, *b = pb;

	if (a->count != b->count) {
		return a->count < b->count ? 1 : -1;
	}
	if (a->name && b->name) {
		return strcmp(a->name, b->name);
	}
	return (a->key > b->key) - (a->key < b->key);
}

/* One tally per run of idx sorted on key_cmp, largest first. */
static int tally(struct sctx *c, size_t *idx, size_t n,
		 int (*key_cmp)(const struct sctx *, size_t, size_t),
		 int files, struct tw_tally **out, size_t *nout)
{
	size_t i, j, k, cap = 0;

	c->key_cmp = key_cmp;
	qsort_r(idx, n, sizeof(*idx), by_key_then_index, c);
	for (i = 0; i < n; i = j) {
		struct tw_tally *t;

		for (j = i + 1; j < n && key_cmp(c, idx[i], idx[j]) == 0; j++) {
		}
		if (!TW_GROW(*out, *nout, cap)) {
			return -ENOMEM;
		}
		t = &(*out)[(*nout)++];
		memset(t, 0, sizeof(*t));
		t->key = key_cmp == cmp_pid ? pid_of(c, idx[i]) : c->a->a[idx[i]].kind;
		t->name = files ? c->names[idx[i]] : NULL;
		t->count = j - i;
		for (k = i; k < j; k++) {
			const struct tw_anomaly *an = &c->a->a[idx[k]];

			if (an->kind >= 0 && an->kind < TW_SUMMARY_KINDS) {
				t->kinds[an->kind]++;
			}
			if (files && add_ranges(t, an) != 0) {
				return -ENOMEM;
			}
		}
		if (files) {
			merge_ranges(t);
		}
	}
	if (*nout) {
		qsort(*out, *nout, sizeof(**out), tally_cmp);
	}
	return 0;
}

static int int32_cmp(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;

	return (a > b) - (a < b);
}

/* The group of members idx[0..n): times, processes, calls. */
static int fill_group(struct sctx *c, struct tw_group *g, const size_t *idx,
		      size_t n, int32_t *pids)
{
	size_t k;

	memset(g, 0, sizeof(*g));
	g->kind = c->a->a[idx[0]].kind;
	g->file = c->names[idx[0]];
	g->count = n;
	g->first = idx[0];
	g->t_first = INT64_MAX;
	g->t_last = INT64_MIN;
	for (k = 0; k < n; k++) {
		int64_t t = tw_rec_find(c->r, c->a->a[idx[k]].rec)->t_begin;

		g->t_first = t < g->t_first ? t : g->t_first;
		g->t_last = t > g->t_last ? t : g->t_last;
		pids[k] = pid_of(c, idx[k]);
	}
	qsort(pids, n, sizeof(*pids), int32_cmp);
	for (k = 0; k < n; k++) {
		g->nprocs += k == 0 || pids[k] != pids[k - 1];
	}
	g->calls = pattern_calls(c->r, &c->a->a[g->first]);
	return g->calls ? 0 : -ENOMEM;
}

static int group_first_cmp(const void *pa, const void *pb)
{
	const struct tw_group *a = pa, *b = pb;

	return (a->first > b->first) - (a->first < b->first);
}

static int make_groups(struct sctx *c, struct tw_summary *s, size_t *idx,
		       size_t n)
{
	int32_t *pids = calloc(n + 1, sizeof(*pids));
	size_t i, j, k, cap = 0;
	int ret = -ENOMEM;

	if (!pids) {
		return -ENOMEM;
	}
	c->key_cmp = cmp_key;
	qsort_r(idx, n, sizeof(*idx), by_key_then_index, c);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && cmp_key(c, idx[i], idx[j]) == 0; j++) {
		}
		if (!TW_GROW(s->groups, s->ngroups, cap)) {
			goto end;
		}
		if (fill_group(c, &s->groups[s->ngroups++], &idx[i], j - i,
			       pids) != 0) {
			goto end;
		}
	}
	qsort(s->groups, s->ngroups, sizeof(*s->groups), group_first_cmp);
	/* Each member's group, now that the groups have their final order. */
	for (k = 0; k < s->ngroups; k++) {
		s->group_of[s->groups[k].first] = k;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && cmp_key(c, idx[i], idx[j]) == 0; j++) {
			s->group_of[idx[j]] = s->group_of[idx[i]];
		}
	}
	for (i = n; i-- > 0;) {
		s->next[i] = SIZE_MAX;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && cmp_key(c, idx[i], idx[j]) == 0; j++) {
			s->next[idx[j - 1]] = idx[j];
		}
	}
	ret = 0;
end:
	free(pids);
	return ret;
}

int tw_summary_build(struct tw_summary *s, const struct tw_records *r,
		     const struct tw_anomalies *a)
{
	struct sctx c = { .r = r, .a = a };
	size_t *idx = NULL, i, n = a->n;
	char name[4200];
	int ret = -ENOMEM;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0) {
		return 0;
	}
	idx = calloc(n, sizeof(*idx));
	s->names = calloc(n, sizeof(*s->names));
	s->group_of = calloc(n, sizeof(*s->group_of));
	s->next = calloc(n, sizeof(*s->next));
	c.keys = calloc(n, sizeof(*c.keys));
	if (!idx || !s->names || !s->group_of || !s->next || !c.keys) {
		goto end;
	}
	c.names = s->names;
	for (i = 0; i < n; i++) {
		tw_anomaly_file(r, &a->a[i], name, sizeof(name));
		s->names[i] = strdup(name);
		if (!s->names[i]) {
			goto end;
		}
		c.keys[i] = pattern_key(r, &a->a[i], name);
		if (!c.keys[i]) {
			goto end;
		}
		idx[i] = i;
	}
	if (make_groups(&c, s, idx, n) != 0 ||
	    tally(&c, idx, n, cmp_kind, 0, &s->kinds, &s->nkinds) != 0 ||
	    tally(&c, idx, n, cmp_name, 1, &s->files, &s->nfiles) != 0 ||
	    tally(&c, idx, n, cmp_pid, 0, &s->procs, &s->nprocs) != 0) {
		goto end;
	}
	ret = 0;
end:
	for (i = 0; c.keys && i < n; i++) {
		free(c.keys[i]);
	}
	free(c.keys);
	free(idx);
	return ret;
}

void tw_summary_free(struct tw_summary *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].ranges);
	}
	for (i = 0; i < s->ngroups; i++) {
		free(s->groups[i].calls);
	}
	for (i = 0; s->names && i < s->n; i++) {
		free(s->names[i]);
	}
	free(s->names);
	free(s->kinds);
	free(s->files);
	free(s->procs);
	free(s->groups);
	free(s->group_of);
	free(s->next);
	memset(s, 0, sizeof(*s));
}
