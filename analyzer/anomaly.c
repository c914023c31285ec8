/* SPDX-License-Identifier: MIT */
/* Anomalies as the rules build them: kind, bytes by state, interleaving. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "rules.h"


const char *tw_kind_name(int kind)
{
	static const char *const names[] = {
		"torn_read", "stale_read", "unknown_data", "sync_race",
		"phantom_write", "abandoned_io", "buffer_modified_in_flight",
		"short_read", "incoherent_view",
	};

	return kind >= 0 && kind <= TW_INCOHERENT_VIEW ? names[kind] : "?";
}

const char *tw_state_name(int state)
{
	static const char *const names[] = {
		"new", "old", "unknown", "changed", "undecided", "not_read",
		"released",
	};

	return state >= 0 && state <= TW_S_RELEASED ? names[state] : "?";
}

int tw_anomaly_add_inter(struct tw_anomaly *a, size_t rec)
{
	size_t i;

	for (i = 0; i < a->ninter; i++) {
		if (a->inter[i] == rec) {
			return 0;
		}
	}
	/* A call the window no longer holds is not cited (README). */
	if (a->ninter >= TW_INTERLEAVING_MAX || (a->r && !tw_rec_find(a->r, rec))) {
		return 0;
	}
	if (!TW_GROW(a->inter, a->ninter, a->capinter)) {
		return -ENOMEM;
	}
	a->inter[a->ninter++] = rec;
	if (a->r) {
		tw_records_pin(a->r, rec);
	}
	return 0;
}

static int add_piece(struct tw_anomaly *a, uint64_t index, uint64_t off,
		     uint64_t len, int state)
{
	struct tw_page_entry *last = a->npages ? &a->pages[a->npages - 1] : NULL;

	a->bytes[state] += len;
	if (last && last->index == index && last->state == state &&
	    last->offset + last->length == off) {
		last->length += len;
		return 0;
	}
	if (!TW_GROW(a->pages, a->npages, a->cappages)) {
		return -ENOMEM;
	}
	a->pages[a->npages].index = index;
	a->pages[a->npages].offset = off;
	a->pages[a->npages].length = len;
	a->pages[a->npages].state = state;
	a->npages++;
	return 0;
}

/* Bytes [off, off+len) in state, cut at page boundaries, runs merged. */
int tw_anomaly_add_bytes(struct tw_anomaly *a, uint64_t page_size,
			 uint64_t off, uint64_t len, int state)
{
	int ret = 0;

	while (len > 0 && ret == 0) {
		uint64_t index = off / page_size;
		uint64_t take = (index + 1) * page_size - off;

		if (take > len) {
			take = len;
		}
		ret = add_piece(a, index, off, take, state);
		off += take;
		len -= take;
	}
	return ret;
}

/* Whether a loss known so far may hide an event call x depends on. */
static int loss_may_hide(const struct tw_records *r, const struct tw_rec *x)
{
	return tw_records_lost_before(r, x->t_end) ||
	       tw_loss_affects(&r->loss, x->pid, x->dev, x->ino, x->t_end);
}

void tw_anomalies_recheck_doubt(struct tw_anomalies *out,
			       const struct tw_records *r)
{
	for (size_t i = 0; i < out->n; i++) {
		struct tw_anomaly *a = &out->a[i];

		const struct tw_rec *x = tw_rec_find(r, a->rec);

		a->lost |= loss_may_hide(r, x);
		/* Unseen I/O may have written any file at any time. */
		a->unseen_io |= r->missed > 0;
		/* What a read found may be a store by pointer no one saw. */
		a->unseen_stores |= a->kind != TW_SYNC_RACE &&
				    tw_map_modes_blind(&r->modes, a->dev, a->ino,
						       x->t_end);
		a->uncertain |= a->lost || a->unseen_io || a->unseen_stores;
	}
}

struct tw_anomaly *tw_anomaly_new(struct tw_anomalies *out,
				  struct tw_records *r, int kind, size_t rec)
{
	const struct tw_rec *x = tw_rec_find(r, rec);
	struct tw_anomaly *a;
	const char *path;

	if (!TW_GROW(out->a, out->n, out->cap)) {
		return NULL;
	}
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->rec = rec;
	a->r = r;
	tw_records_pin(r, rec);
	a->dev = x->dev;
	a->ino = x->ino;
	a->lost = loss_may_hide(r, x);
	a->uncertain = a->lost;
	path = tw_records_path(r, x->dev, x->ino);
	a->path = path ? strdup(path) : NULL;	/* without it: the newest name */
	return a;
}
