/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "grow.h"
#include "map-modes.h"
#include "trace-reader.h"
#include "tornwatch-events.h"

int tw_map_modes_note(struct tw_map_modes *mm, const struct tw_event *ev)
{
	struct tw_map_mode *m = NULL;
	size_t i;

	/* An msync's: a tracked mapping the kernel stopped tracking. */
	int lost = ev->fn == TW_FN_msync;

	/* A tracer that did not say (no track field) is not counted. */
	if (ev->track == 0 ||
	    (!lost && (ev->fn != TW_FN_mmap || ev->ret == -1 ||
		       !(ev->prot & PROT_WRITE)))) {
		return 0;
	}
	for (i = mm->n; i-- > 0 && !m;) {
		if (mm->m[i].dev == ev->dev && mm->m[i].ino == ev->ino) {
			m = &mm->m[i];
		}
	}
	if (!m) {
		if (!TW_GROW(mm->m, mm->n, mm->cap)) {
			return -ENOMEM;
		}
		m = &mm->m[mm->n++];
		memset(m, 0, sizeof(*m));
		m->dev = ev->dev;
		m->ino = ev->ino;
	}
	if (lost && m->kernel > 0) {
		m->kernel--;
		mm->kernel--;
	}
	if ((ev->track_err == ENOSPC || ev->track_err == ENOMEM ||
	     ev->track != TW_TRACK_KERNEL) && !lost && m->hooks + m->none == 0) {
		m->t_blind = ev->ts;
	}
	if (ev->track_err == ENOSPC || ev->track_err == ENOMEM) {
		m->none++;
		mm->none++;
		m->err = (int32_t)ev->track_err;
	} else if (ev->track == TW_TRACK_KERNEL) {
		m->kernel++;
		mm->kernel++;
	} else {
		m->hooks++;
		mm->hooks++;
		if (ev->track_err) {
			m->err = (int32_t)ev->track_err;
		}
	}
	return 0;
}

int tw_map_modes_blind(const struct tw_map_modes *mm, uint64_t dev,
		       uint64_t ino, int64_t t)
{
	for (size_t i = 0; i < mm->n; i++) {
		const struct tw_map_mode *m = &mm->m[i];

		if (m->dev == dev && m->ino == ino) {
			return m->hooks + m->none > 0 && m->t_blind <= t;
		}
	}
	return 0;
}

void tw_map_modes_free(struct tw_map_modes *mm)
{
	free(mm->m);
	memset(mm, 0, sizeof(*mm));
}

/* Why the kernel did not track a file's mappings, in a few words. */
const char *tw_map_mode_why(int32_t err)
{
	switch (err) {
	case 0:
		return "not asked: full check";
	case ECANCELED:
		return "TORNWATCH_WRITE_TRACK=0";
	case ENOSPC:
	case ENOMEM:
		return "the tracer's tables were full: its file's reads are undecided from then on";
	case EINVAL:
		return "its file system cannot";
	case EBUSY:
		return "the program uses userfaultfd";
	case ENOSYS:
	case EPERM:
	case EACCES:
		return "the kernel or its policy refused";
	default:
		return strerror(err);
	}
}
