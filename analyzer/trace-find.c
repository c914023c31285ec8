/* SPDX-License-Identifier: MIT */
/*
 * Finds the CTF traces below a directory: every directory holding a
 * "metadata" file, an LTTng session output's ust/uid/... and ust/pid/...
 * alike. Symbolic links are followed, loops stopped, the order is sorted.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "grow.h"
#include "trace-find.h"

/* Deeper trees are not LTTng output; the cap keeps recursion bounded. */
#define TW_MAX_DEPTH 64

struct tw_dir_id {
	dev_t dev;
	ino_t ino;
};

/* State of the directory walk for one argument. */
struct tw_walk {
	const char *arg;
	struct tw_dir_id *seen;		/* directories already walked */
	size_t nseen, capseen;
	bool found;			/* a metadata file, even a duplicate */
	char *denied;			/* first subdirectory we could not open */
	int denied_errno;
};

struct tw_find {
	struct tw_trace_list *list;
	char *err;
	size_t errlen;
};

static void find_err(struct tw_find *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->err || f->errlen == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(f->err, f->errlen, fmt, ap);
	va_end(ap);
}

static char *join_path(const char *dir, const char *name)
{
	size_t ld = strlen(dir), ln = strlen(name);
	bool slash = ld > 0 && dir[ld - 1] == '/';
	char *p = malloc(ld + ln + 2);

	if (!p) {
		return NULL;
	}
	memcpy(p, dir, ld);
	if (!slash) {
		p[ld++] = '/';
	}
	memcpy(p + ld, name, ln + 1);
	return p;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a trace directory unless another argument already named it. */
static int add_trace(struct tw_trace_list *l, const char *path,
		     const struct stat *st)
{
	char *copy;

	for (size_t i = 0; i < l->n; i++) {
		if (l->dir[i].dev == st->st_dev && l->dir[i].ino == st->st_ino) {
			return 0;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct tw_trace_dir *d = realloc(l->dir, cap * sizeof(*d));

		if (!d) {
			return -1;
		}
		l->dir = d;
		l->cap = cap;
	}
	copy = strdup(path);
	if (!copy) {
		return -1;
	}
	l->dir[l->n].path = copy;
	l->dir[l->n].dev = st->st_dev;
	l->dir[l->n].ino = st->st_ino;
	l->n++;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}

/* Reads the names in dir, sorted so the trace order does not depend on it. */
static int list_dir(const char *dir, char ***out, size_t *nout)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = -1;

	if (!d) {
		return -1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				goto end;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			continue;
		}
		if (tw_grow_to((void **)&names, &cap, n + 1, sizeof(*names))) {
			errno = ENOMEM;
			goto end;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			errno = ENOMEM;
			goto end;
		}
		n++;
	}
	if (n > 1) {
		qsort(names, n, sizeof(*names), cmp_names);
	}
	*out = names;
	*nout = n;
	names = NULL;
	n = 0;
	ret = 0;
end:
	if (ret) {
		int saved = errno;

		free_names(names, n);
		closedir(d);
		errno = saved;
		return ret;
	}
	closedir(d);
	return ret;
}

/*
 * Walks dir (already stat'ed into st) looking for directories that hold a
 * "metadata" file. Symbolic links are followed; the seen set stops loops.
 */
static int walk_dir(struct tw_find *f, struct tw_walk *w, const char *dir,
		    const struct stat *st, int depth)
{
	char **names = NULL;
	size_t nnames = 0;
	char *meta = NULL;
	struct stat mst;
	int ret = -1;

	for (size_t i = 0; i < w->nseen; i++) {
		if (w->seen[i].dev == st->st_dev &&
		    w->seen[i].ino == st->st_ino) {
			return 0;
		}
	}
	if (tw_grow_to((void **)&w->seen, &w->capseen, w->nseen + 1,
		 sizeof(*w->seen))) {
		find_err(f, "cannot read trace \"%s\": out of memory", w->arg);
		return -1;
	}
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen].ino = st->st_ino;
	w->nseen++;

	meta = join_path(dir, "metadata");
	if (!meta) {
		find_err(f, "cannot read trace \"%s\": out of memory", w->arg);
		goto end;
	}
	if (stat(meta, &mst) == 0 && S_ISREG(mst.st_mode)) {
		/* A CTF trace directory: its subdirectories are indexes. */
		w->found = true;
		if (add_trace(f->list, dir, st)) {
			find_err(f, "cannot read trace \"%s\": out of memory",
				w->arg);
			goto end;
		}
		ret = 0;
		goto end;
	}
	if (depth >= TW_MAX_DEPTH) {
		ret = 0;
		goto end;
	}
	if (list_dir(dir, &names, &nnames)) {
		if (depth == 0) {
			find_err(f, "cannot read trace \"%s\": %s", w->arg,
				strerror(errno));
			goto end;
		}
		/* Unreadable subdirectories only matter if nothing is found. */
		if (!w->denied) {
			w->denied = strdup(dir);
			w->denied_errno = errno;
		}
		ret = 0;
		goto end;
	}
	for (size_t i = 0; i < nnames; i++) {
		struct stat cst;
		char *child = join_path(dir, names[i]);

		if (!child) {
			find_err(f, "cannot read trace \"%s\": out of memory",
				w->arg);
			goto end;
		}
		/* Dangling links and vanished entries are not traces. */
		if (stat(child, &cst) == 0 && S_ISDIR(cst.st_mode)) {
			if (walk_dir(f, w, child, &cst, depth + 1)) {
				free(child);
				goto end;
			}
		}
		free(child);
	}
	ret = 0;
end:
	free_names(names, nnames);
	free(meta);
	return ret;
}

int tw_find_traces(struct tw_trace_list *list, const char *arg, char *err,
		   size_t errlen)
{
	struct tw_find fctx = { list, err, errlen }, *f = &fctx;
	struct tw_walk w = { .arg = arg };
	struct stat st;
	int ret = -1;

	if (stat(arg, &st)) {
		find_err(f, "cannot read trace \"%s\": %s", arg,
			strerror(errno));
		goto end;
	}
	if (!S_ISDIR(st.st_mode)) {
		find_err(f, "cannot read trace \"%s\": %s", arg,
			strerror(ENOTDIR));
		goto end;
	}
	if (walk_dir(f, &w, arg, &st, 0)) {
		goto end;
	}
	if (!w.found) {
		if (w.denied) {
			find_err(f, "cannot read trace \"%s\": no CTF metadata found (cannot open \"%s\": %s)",
				arg, w.denied, strerror(w.denied_errno));
		} else {
			find_err(f, "cannot read trace \"%s\": no CTF metadata found",
				arg);
		}
		goto end;
	}
	ret = 0;
end:
	free(w.seen);
	free(w.denied);
	return ret;
}

void tw_trace_list_free(struct tw_trace_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->dir[i].path);
	}
	free(list->dir);
	list->dir = NULL;
	list->n = list->cap = 0;
}
