/* SPDX-License-Identifier: MIT */
/*
 * The window of records and the cite store (records.h): records are pruned
 * from the window's front once the rules are done with them; one something
 * still names moves to the cite store, found by the same global index.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "records.h"

#define NO_REC ((size_t)-1)

void tw_rec_free_crcs(struct tw_rec *x)
{
	free(x->data.crc);
	free(x->old.crc);
	free(x->pages[0]);
	free(x->pages[1]);
	for (size_t k = 0; k < x->nlater; k++) {
		free(x->later[k].crc);
	}
	free(x->later);
	memset(&x->data, 0, sizeof(x->data));
	memset(&x->old, 0, sizeof(x->old));
	x->pages[0] = x->pages[1] = NULL;
	x->npages[0] = x->npages[1] = 0;
	x->later = NULL;
	x->nlater = 0;
}

struct tw_rec *tw_rec_find(const struct tw_records *r, size_t g)
{
	size_t k;

	if (g >= r->first && g < r->end) {
		return tw_rec_at(r, g);
	}
	if (g >= r->end || r->ncited == 0) {
		return NULL;
	}
	k = tw_call_index_get(&r->cited, 0, g);
	return k == NO_REC ? NULL : (struct tw_rec *)k;
}

void tw_records_pin(struct tw_records *r, size_t g)
{
	struct tw_rec *x = tw_rec_find(r, g);

	if (!x || x->pinned) {
		return;
	}
	x->pinned = 1;
	if (x->synced_by != NO_REC) {
		tw_records_pin(r, x->synced_by);
	}
	if (x->note == TW_NOTE_TOUCH && x->io != NO_REC) {
		tw_records_pin(r, x->io);
	}
}

void tw_records_ref(struct tw_records *r, size_t g)
{
	struct tw_rec *x = tw_rec_find(r, g);

	if (x) {
		x->refs++;
	}
}

/* A cited record nothing names any more goes, and lets go of its msync. */
static void drop_cited(struct tw_records *r, size_t g, struct tw_rec *x)
{
	size_t m = x->synced_by;

	tw_call_index_del(&r->cited, 0, g);
	r->ncited--;
	tw_rec_free_crcs(x);
	free(x);
	if (m != NO_REC) {
		tw_records_unref(r, m);
	}
}

void tw_records_unref_n(struct tw_records *r, size_t g, uint32_t n)
{
	struct tw_rec *x = tw_rec_find(r, g);

	if (!x || x->refs == 0) {
		return;
	}
	x->refs -= n < x->refs ? n : x->refs;
	if (x->refs == 0 && !x->pinned && g < r->first && x->closed) {
		drop_cited(r, g, x);
	}
}

void tw_records_unref(struct tw_records *r, size_t g)
{
	tw_records_unref_n(r, g, 1);
}

/*
 * A pruned record still named moves to the cite store (an open one's
 * later events find it there by the same global index): an open one whole,
 * a pinned one with what it transferred (a later phantom write is matched
 * against an unknown read's checksums), others without checksums.
 */
static int keep_cited(struct tw_records *r, size_t g, struct tw_rec *x)
{
	struct tw_rec *c = malloc(sizeof(*c));

	if (!c) {
		return -ENOMEM;
	}
	if (x->closed && !x->pinned) {
		tw_rec_free_crcs(x);
	} else if (x->closed) {
		free(x->old.crc);
		memset(&x->old, 0, sizeof(x->old));
	}
	*c = *x;
	if (tw_call_index_put(&r->cited, 0, g, (size_t)c) != 0) {
		free(c);
		return -ENOMEM;
	}
	r->ncited++;
	return 0;
}

int tw_records_prune(struct tw_records *r, size_t g)
{
	size_t k, n;

	if (g <= r->first) {
		return 0;
	}
	if (g > r->end) {
		g = r->end;
	}
	n = g - r->first;
	for (k = 0; k < n; k++) {
		struct tw_rec *x = tw_rec_at(r, r->first + k);
		size_t m = x->synced_by;

		if (x->pinned || x->refs || !x->closed) {
			if (keep_cited(r, r->first + k, x) != 0) {
				return -ENOMEM;
			}
			continue;
		}
		tw_rec_free_crcs(x);
		/* Its msync began after it ended: still in the window. */
		if (m != NO_REC && m >= r->first && tw_rec_at(r, m)->refs) {
			tw_rec_at(r, m)->refs--;
		}
	}
	r->head = r->head + n < r->cap ? r->head + n : r->head + n - r->cap;
	r->nwin -= n;
	r->first = g;
	return 0;
}

size_t tw_records_first_begun(const struct tw_records *r, int64_t t)
{
	size_t lo = r->first, hi = r->end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tw_rec_at(r, mid)->t_begin < t) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

void tw_records_settle_floor(struct tw_records *r)
{
	while (r->open_floor < r->end) {
		struct tw_rec *x = tw_rec_at(r, r->open_floor);

		if (!x->closed && !x->overdue) {
			if (x->t_begin >= r->now - TW_OPEN_WAIT_NS) {
				break;
			}
			x->overdue = 1;
		}
		r->open_floor++;
	}
}

