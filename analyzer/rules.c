/* SPDX-License-Identifier: MIT */
/*
 * Three passes over the calls, in order of their beginning:
 * 1. when each store became required-visible, and which raced an msync
 *    (sync-rules.c);
 * 2. every version of every grain block (version-build.c);
 * 3. every read, and every load from a mapping, piece by piece, against the
 *    version it was required to see (read-rules.c);
 * then the async rules (async-rules.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rules-int.h"
#include "tornwatch-events.h"

static int by_time(const void *pa, const void *pb, void *arg)
{
	const struct tw_records *r = arg;
	int64_t a = r->rec[*(const size_t *)pa].t_begin;
	int64_t b = r->rec[*(const size_t *)pb].t_begin;

	return a < b ? -1 : a > b;
}

/* Anomalies another one explains (unknown data a phantom write left) go. */
static void drop_explained(struct tw_anomalies *out)
{
	size_t i, k = 0;

	for (i = 0; i < out->n; i++) {
		if (out->a[i].dropped) {
			free(out->a[i].pages);
			free(out->a[i].inter);
			continue;
		}
		out->a[k++] = out->a[i];
	}
	out->n = k;
}

int tw_rules_run(const struct tw_records *r, struct tw_anomalies *out)
{
	struct ctx c = { .r = r, .out = out };
	size_t i;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	tw_versions_init(&c.vs);
	c.visible = calloc(r->n + 1, sizeof(*c.visible));
	c.synced_by = calloc(r->n + 1, sizeof(*c.synced_by));
	c.race_of = calloc(r->n + 1, sizeof(*c.race_of));
	c.synced = calloc(r->n + 1, sizeof(*c.synced));
	if (!c.visible || !c.synced_by || !c.race_of || !c.synced) {
		goto end;
	}
	ret = tw_settle_stores(&c);
	if (ret == 0) {
		ret = tw_build_versions(&c);
	}
	if (ret == 0) {
		ret = tw_versions_index(&c.vs);
	}
	for (i = 0; i < r->n && ret == 0; i++) {
		const struct tw_rec *x = &r->rec[i];

		if ((x->op == TW_OP_READ || x->op == TW_OP_LOAD) && x->ended &&
		    x->ret > 0 && x->data.n) {
			ret = tw_judge_read(&c, i);
		}
	}
	if (ret == 0) {
		tw_finish_races(&c);
		ret = tw_async_rules(r, out);
	}
	if (ret == 0) {
		drop_explained(out);
		for (i = 0; i < out->n; i++) {
			qsort_r(out->a[i].inter, out->a[i].ninter, sizeof(size_t),
				by_time, (void *)r);
		}
	}
end:
	tw_versions_free(&c.vs);
	free(c.visible);
	free(c.synced_by);
	free(c.race_of);
	free(c.inval);
	for (i = 0; c.synced && i < r->n; i++) {
		free(c.synced[i].rec);
	}
	free(c.synced);
	return ret;
}

void tw_anomalies_free(struct tw_anomalies *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->a[i].pages);
		free(a->a[i].inter);
	}
	free(a->a);
	memset(a, 0, sizeof(*a));
}

