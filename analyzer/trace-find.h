/* SPDX-License-Identifier: MIT */
#ifndef TW_TRACE_FIND_H
#define TW_TRACE_FIND_H

#include <stddef.h>
#include <sys/types.h>

struct tw_trace_dir {
	char *path;
	dev_t dev;
	ino_t ino;
};

struct tw_trace_list {
	struct tw_trace_dir *dir;
	size_t n, cap;
};

/*
 * Adds every CTF trace directory below arg (or arg itself) to list, once
 * each. 0, or -1 with one line in err: `cannot read trace "ARG": CAUSE`.
 */
int tw_find_traces(struct tw_trace_list *list, const char *arg, char *err,
		   size_t errlen);
void tw_trace_list_free(struct tw_trace_list *list);

#endif
