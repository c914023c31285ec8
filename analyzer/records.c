/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "records.h"
#include "tornwatch-events.h"

void tw_records_init(struct tw_records *r)
{
	memset(r, 0, sizeof(*r));
	r->page_size = 4096;
}

void tw_records_free(struct tw_records *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->rec[i].data.crc);
		free(r->rec[i].old.crc);
		free(r->rec[i].pages[0]);
		free(r->rec[i].pages[1]);
	}
	for (i = 0; i < r->nnames; i++) {
		free(r->names[i].path);
	}
	free(r->rec);
	free(r->open);
	free(r->names);
	free(r->lost_ts);
	free(r->pids);
	memset(r, 0, sizeof(*r));
}

static int add_name(struct tw_records *r, const struct tw_event *ev)
{
	size_t i;

	for (i = 0; i < r->nnames; i++) {
		if (r->names[i].dev == ev->dev && r->names[i].ino == ev->ino) {
			if (strcmp(r->names[i].path, ev->path) == 0 ||
			    ev->path[0] == '\0') {
				return 0;
			}
			free(r->names[i].path);
			r->names[i].path = strdup(ev->path);
			return r->names[i].path ? 0 : -ENOMEM;
		}
	}
	if (!TW_GROW(r->names, r->nnames, r->capnames)) {
		return -ENOMEM;
	}
	r->names[r->nnames].dev = ev->dev;
	r->names[r->nnames].ino = ev->ino;
	r->names[r->nnames].path = strdup(ev->path);
	if (!r->names[r->nnames].path) {
		return -ENOMEM;
	}
	r->nnames++;
	return 0;
}

const char *tw_records_path(const struct tw_records *r, uint64_t dev,
			    uint64_t ino)
{
	size_t i;

	for (i = 0; i < r->nnames; i++) {
		if (r->names[i].dev == dev && r->names[i].ino == ino) {
			return r->names[i].path;
		}
	}
	return NULL;
}

int tw_records_lost_before(const struct tw_records *r, int64_t t)
{
	return r->nlost > 0 && r->lost_ts[0] <= t;
}

static int begin(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c;

	if (!TW_GROW(r->rec, r->n, r->cap) || !TW_GROW(r->open, r->nopen, r->capopen)) {
		return -ENOMEM;
	}
	c = &r->rec[r->n];
	memset(c, 0, sizeof(*c));
	c->t_begin = ev->ts;
	c->t_end = INT64_MAX;
	c->pid = (int32_t)ev->pid;
	c->tid = (int32_t)ev->tid;
	memcpy(c->call, ev->call, sizeof(c->call));
	c->call[sizeof(c->call) - 1] = '\0';
	c->op = (int)ev->op;
	c->fd = (int)ev->fd;
	c->flags = (int)ev->flags;
	c->dev = ev->dev;
	c->ino = ev->ino;
	c->offset = ev->offset;
	c->length = ev->length;
	r->open[r->nopen++] = r->n++;
	return 0;
}

/* The open call of this thread on this file that a follow-up event belongs to. */
static struct tw_rec *find_open(struct tw_records *r, const struct tw_event *ev,
				int want_op, const char *call, size_t *slot)
{
	size_t i;

	for (i = 0; i < r->nopen; i++) {
		struct tw_rec *c = &r->rec[r->open[i]];

		if (c->pid != ev->pid || c->tid != ev->tid || c->dev != ev->dev ||
		    c->ino != ev->ino) {
			continue;
		}
		if (want_op >= 0 && c->op != want_op) {
			continue;
		}
		if (call && strcmp(c->call, call) != 0) {
			continue;
		}
		if (slot) {
			*slot = i;
		}
		return c;
	}
	return NULL;
}

static int end(struct tw_records *r, const struct tw_event *ev)
{
	size_t slot;
	struct tw_rec *c = find_open(r, ev, (int)ev->op, ev->call, &slot);

	if (!c) {
		r->orphans++;
		return 0;
	}
	c->t_end = ev->ts;
	c->ret = ev->ret;
	c->err = (int)ev->err;
	c->offset = ev->offset;
	c->ended = 1;
	/* Keep begin order among the open calls: the first match wins. */
	memmove(&r->open[slot], &r->open[slot + 1],
		(r->nopen - slot - 1) * sizeof(size_t));
	r->nopen--;
	return 0;
}

static int append_crcs(struct tw_crcs *to, const struct tw_event *ev)
{
	uint32_t *p;

	if (ev->ncrc == 0) {
		return 0;
	}
	p = realloc(to->crc, (to->n + ev->ncrc) * sizeof(uint32_t));
	if (!p) {
		return -ENOMEM;
	}
	if (to->n == 0) {
		to->offset = (uint64_t)ev->offset;
	}
	memcpy(p + to->n, ev->crc, ev->ncrc * sizeof(uint32_t));
	to->crc = p;
	to->n += ev->ncrc;
	to->length += ev->length;
	return 0;
}

static int pieces(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c;

	if (ev->kind == TW_PIECE_OLD) {
		c = find_open(r, ev, TW_OP_STORE, NULL, NULL);
		return c ? append_crcs(&c->old, ev) : (r->orphans++, 0);
	}
	c = find_open(r, ev, -1, NULL, NULL);
	if (!c) {
		r->orphans++;
		return 0;
	}
	return append_crcs(&c->data, ev);
}

static int sync_pages(struct tw_records *r, const struct tw_event *ev)
{
	struct tw_rec *c = find_open(r, ev, TW_OP_MSYNC, NULL, NULL);
	size_t bpp, i, j, phase = ev->phase ? 1 : 0;
	struct tw_page_crcs *p;

	if (!c) {
		r->orphans++;
		return 0;
	}
	bpp = ev->npage ? ev->ncrc / ev->npage : 0;
	if (bpp == 0 || bpp > 16) {
		r->orphans++;
		return 0;
	}
	p = realloc(c->pages[phase],
		    (c->npages[phase] + ev->npage) * sizeof(*p));
	if (!p) {
		return -ENOMEM;
	}
	for (i = 0; i < ev->npage; i++) {
		p[c->npages[phase] + i].page = ev->page[i];
		for (j = 0; j < bpp; j++) {
			p[c->npages[phase] + i].crc[j] = ev->crc[i * bpp + j];
		}
	}
	c->pages[phase] = p;
	c->npages[phase] += ev->npage;
	c->blocks_per_page = (unsigned int)bpp;
	return 0;
}

static int note_pid(struct tw_records *r, int64_t pid)
{
	size_t i;

	for (i = r->npids; i > 0; i--) {
		if (r->pids[i - 1] == pid) {
			return 0;
		}
	}
	if (!TW_GROW(r->pids, r->npids, r->cappids)) {
		return -ENOMEM;
	}
	r->pids[r->npids++] = (int32_t)pid;
	return 0;
}

int tw_records_add(struct tw_records *r, const struct tw_event *ev)
{
	r->events++;
	if (ev->type != TW_EV_DISCARDED && ev->type != TW_EV_READING &&
	    note_pid(r, ev->pid) != 0) {
		return -ENOMEM;
	}
	switch (ev->type) {
	case TW_EV_CALL_BEGIN:
		return begin(r, ev);
	case TW_EV_CALL_END:
		return end(r, ev);
	case TW_EV_PIECES:
		return pieces(r, ev);
	case TW_EV_SYNC_PAGES:
		return sync_pages(r, ev);
	case TW_EV_FILE_OPEN:
		return add_name(r, ev);
	case TW_EV_PROCESS:
		if (ev->page_size >= 512 && ev->page_size <= 65536) {
			r->page_size = (unsigned int)ev->page_size;
		}
		return 0;
	case TW_EV_DISCARDED:
		r->events--;
		if (ev->packets) {
			r->lost_packets += ev->count ? ev->count : 1;
		} else {
			r->lost_events += ev->count;
		}
		if (!TW_GROW(r->lost_ts, r->nlost, r->caplost)) {
			return -ENOMEM;
		}
		r->lost_ts[r->nlost++] = ev->ts;
		return 0;
	case TW_EV_MAP:
		return 0;
	case TW_EV_READING:
		r->events--;
		return 0;
	}
	return 0;
}
