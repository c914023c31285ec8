/* SPDX-License-Identifier: MIT */
/*
 * File lifetimes: the (dev, ino) numbers whose last name was removed
 * (unlink, rename over it), until they are opened again. The preload
 * records a removal with the link count the name had just before; one
 * with more links leaves the file alive under its other names.
 *
 * A removal is a call with a begin and an end, and an open's event comes
 * after its system call returned, so an open seen while the removal is in
 * flight is not ordered with it: it may have opened the old file or a new
 * one. Its content is then taken as unknown (never a false verdict); it
 * ends the old lifetime only when it could have made the file (O_CREAT),
 * since no other open can make one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "file-hash.h"
#include "lifetimes.h"

struct life {
	uint64_t dev;
	uint64_t ino;
	uint32_t pending;	/* removals of its last name in flight */
	int removed;		/* one returned 0: a next open is a new file */
	int reopened;		/* an O_CREAT open met a removal in flight */
	int used;
};

struct tw_lifetimes {
	struct life *tab;
	size_t cap;		/* a power of two */
	size_t n;
};

void tw_lifetimes_free(struct tw_lifetimes *l)
{
	if (l) {
		free(l->tab);
		free(l);
	}
}

static struct life *slot(struct life *tab, size_t cap, uint64_t dev,
			 uint64_t ino)
{
	size_t i = tw_file_hash(dev, ino) & (cap - 1);

	while (tab[i].used && (tab[i].dev != dev || tab[i].ino != ino)) {
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static struct life *find(struct tw_lifetimes *l, uint64_t dev, uint64_t ino)
{
	struct life *e;

	if (!l || l->n == 0) {
		return NULL;
	}
	e = slot(l->tab, l->cap, dev, ino);
	return e->used ? e : NULL;
}

/* Linear probing: the entries after a freed slot move back into the gap. */
static void drop(struct tw_lifetimes *l, struct life *e)
{
	size_t i = (size_t)(e - l->tab), j = i, want;

	for (;;) {
		l->tab[i].used = 0;
		for (;;) {
			j = (j + 1) & (l->cap - 1);
			if (!l->tab[j].used) {
				l->n--;
				return;
			}
			want = tw_file_hash(l->tab[j].dev, l->tab[j].ino) &
			       (l->cap - 1);
			/* Stays when its home lies cyclically in (i, j]. */
			if (i <= j ? (i < want && want <= j) :
				     (i < want || want <= j)) {
				continue;
			}
			l->tab[i] = l->tab[j];
			i = j;
			break;
		}
	}
}

static int grow(struct tw_lifetimes *l)
{
	size_t cap = l->cap ? l->cap * 2 : 64, i;
	struct life *tab = calloc(cap, sizeof(*tab));

	if (!tab) {
		return -ENOMEM;
	}
	for (i = 0; i < l->cap; i++) {
		if (l->tab[i].used) {
			*slot(tab, cap, l->tab[i].dev, l->tab[i].ino) = l->tab[i];
		}
	}
	free(l->tab);
	l->tab = tab;
	l->cap = cap;
	return 0;
}

int tw_lifetimes_removing(struct tw_lifetimes **lp, uint64_t dev, uint64_t ino,
			  int64_t nlink)
{
	struct tw_lifetimes *l = *lp;
	struct life *e;

	if (nlink > 1) {
		return 0;
	}
	if (!l && !(l = *lp = calloc(1, sizeof(*l)))) {
		return -ENOMEM;
	}
	if ((l->n + 1) * 2 > l->cap && grow(l) != 0) {
		return -ENOMEM;
	}
	e = slot(l->tab, l->cap, dev, ino);
	if (!e->used) {
		memset(e, 0, sizeof(*e));
		e->used = 1;
		e->dev = dev;
		e->ino = ino;
		l->n++;
	}
	e->pending++;
	return 0;
}

void tw_lifetimes_removed(struct tw_lifetimes *l, uint64_t dev, uint64_t ino,
			  int64_t nlink, int done)
{
	struct life *e = nlink > 1 ? NULL : find(l, dev, ino);

	if (!e || e->pending == 0) {
		return;
	}
	e->pending--;
	if (done && !e->reopened) {
		e->removed = 1;
	}
	if (e->pending == 0) {
		e->reopened = 0;
		if (!e->removed) {
			drop(l, e);
		}
	}
}

/* " (deleted)": /proc/PID/fd/N reopened a file that still lives unlinked. */
static int still_old(const char *path)
{
	static const char tag[] = " (deleted)";
	size_t n = strlen(path);

	return n >= sizeof(tag) - 1 &&
	       strcmp(path + n - (sizeof(tag) - 1), tag) == 0;
}

enum tw_life_start tw_lifetimes_opened(struct tw_lifetimes *l, uint64_t dev,
				       uint64_t ino, int64_t flags,
				       const char *path)
{
	struct life *e = find(l, dev, ino);
	int creat = (flags & O_CREAT) != 0;
	int tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
	/* O_TRUNC, O_CREAT|O_EXCL, O_TMPFILE: the preload emptied it already. */
	int seen = (flags & O_TRUNC) || tmpfile ||
		   (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);

	if (!e || (!tmpfile && still_old(path))) {
		return TW_LIFE_SAME;
	}
	if (e->removed) {
		drop(l, e);
		return seen ? TW_LIFE_SEEN :
		       creat ? TW_LIFE_EMPTY : TW_LIFE_UNKNOWN;
	}
	/* Unordered with a removal in flight: its content is not known. */
	if (creat || tmpfile) {
		e->reopened = 1;
	}
	return seen ? TW_LIFE_SEEN : TW_LIFE_UNKNOWN;
}
