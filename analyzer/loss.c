/* SPDX-License-Identifier: MIT */
/* Losses by stream: which processes and files they may have hidden events of. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "loss.h"

void tw_loss_free(struct tw_loss *l)
{
	for (size_t i = 0; i < l->nstreams; i++) {
		free(l->streams[i].pids);
		tw_pid_index_free(&l->streams[i].pid_at);
	}
	free(l->streams);
	free(l->ranges);
	memset(l, 0, sizeof(*l));
}

static struct tw_loss_stream *stream_of(struct tw_loss *l, uint32_t id)
{
	struct tw_loss_stream *s;

	if (id == 0) {
		return NULL;
	}
	if (id > l->nstreams) {
		s = realloc(l->streams, id * sizeof(*s));
		if (!s) {
			return NULL;
		}
		memset(s + l->nstreams, 0, (id - l->nstreams) * sizeof(*s));
		l->streams = s;
		l->nstreams = id;
	}
	return &l->streams[id - 1];
}

static int add_pid(struct tw_loss_stream *s, int32_t pid)
{
	/* A stream's events come in runs of one process: the newest first. */
	if ((s->npids && s->pids[s->npids - 1] == pid) ||
	    tw_pid_find(&s->pid_at, pid) >= 0) {
		return 0;
	}
	if (!TW_GROW(s->pids, s->npids, s->cappids) ||
	    tw_pid_put(&s->pid_at, pid, s->npids) != 0) {
		return -ENOMEM;
	}
	s->pids[s->npids++] = pid;
	return 0;
}

static void add_file(struct tw_loss_stream *s, uint64_t dev, uint64_t ino)
{
	if ((!dev && !ino) || s->many_files) {
		return;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		if (s->files[i].dev == dev && s->files[i].ino == ino) {
			return;
		}
	}
	if (s->nfiles == TW_LOSS_FILES_MAX) {
		s->many_files = 1;
		return;
	}
	s->files[s->nfiles].dev = dev;
	s->files[s->nfiles++].ino = ino;
}

int tw_loss_note(struct tw_loss *l, const struct tw_event *ev)
{
	struct tw_loss_stream *s;

	if (ev->stream == 0 || ev->type == TW_EV_DISCARDED ||
	    ev->type == TW_EV_READING) {
		return 0;
	}
	s = stream_of(l, ev->stream);
	if (!s || add_pid(s, (int32_t)ev->pid)) {
		return -ENOMEM;
	}
	add_file(s, ev->dev, ev->ino);
	return 0;
}

int tw_loss_add(struct tw_loss *l, const struct tw_event *ev)
{
	struct tw_loss_stream *s;

	if (ev->stream == 0) {
		return 0;
	}
	s = stream_of(l, ev->stream);
	if (!s || !TW_GROW(l->ranges, l->nranges, l->capranges)) {
		return -ENOMEM;
	}
	/* A per-process buffer names its process even with no event left. */
	if (ev->pid && add_pid(s, (int32_t)ev->pid)) {
		return -ENOMEM;
	}
	l->ranges[l->nranges].lo =
		ev->lost_at == TW_LOST_AT_START ? INT64_MIN : ev->ts;
	l->ranges[l->nranges].hi = ev->lost_end;
	l->ranges[l->nranges++].stream = ev->stream;
	if (ev->lost_at == TW_LOST_AT_START) {
		l->at_start += ev->count;
	} else if (ev->lost_at == TW_LOST_AT_END) {
		l->at_end++;
	}
	return 1;
}

static int carried(const struct tw_loss_stream *s, int32_t pid, uint64_t dev,
		   uint64_t ino)
{
	if (s->npids == 0 || s->many_files) {
		return 1;	/* no one known: it may have carried anyone */
	}
	if (tw_pid_find(&s->pid_at, pid) >= 0) {
		return 1;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		if (s->files[i].dev == dev && s->files[i].ino == ino) {
			return 1;
		}
	}
	return 0;
}

int tw_loss_affects(const struct tw_loss *l, int32_t pid, uint64_t dev,
		    uint64_t ino, int64_t t)
{
	/*
	 * Events lost after t cannot have changed what a call that ended by t
	 * saw; before it, any store of the stream's processes may be missing.
	 */
	for (size_t i = 0; i < l->nranges; i++) {
		const struct tw_loss_range *g = &l->ranges[i];

		if (g->lo <= t && g->stream <= l->nstreams &&
		    carried(&l->streams[g->stream - 1], pid, dev, ino)) {
			return 1;
		}
	}
	return 0;
}
