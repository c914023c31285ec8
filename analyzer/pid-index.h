/* SPDX-License-Identifier: MIT */
/*
 * Where a pid sits in an array of its owner (the traced processes, a
 * stream's, the tree's): a hash beside the array, so an event finds its
 * process without walking all of them (xfstests runs thousands).
 */
#ifndef TW_PID_INDEX_H
#define TW_PID_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct tw_pid_index {
	int32_t *pid;
	uint32_t *at;		/* index + 1 in the owner's array; 0: free */
	size_t n, cap;
};

static inline size_t tw_pid_slot(const struct tw_pid_index *x, int32_t pid)
{
	size_t i = ((uint32_t)pid * 0x9e3779b1u) & (x->cap - 1);

	while (x->at[i] && x->pid[i] != pid) {
		i = (i + 1) & (x->cap - 1);
	}
	return i;
}

/* The index of pid in the owner's array, or -1. */
static inline long tw_pid_find(const struct tw_pid_index *x, int32_t pid)
{
	size_t i;

	if (!x->cap) {
		return -1;
	}
	i = tw_pid_slot(x, pid);
	return x->at[i] ? (long)x->at[i] - 1 : -1;
}

/* pid is at index at of the owner's array (it was not there): 0, or -1. */
static inline int tw_pid_put(struct tw_pid_index *x, int32_t pid, size_t at)
{
	size_t i;

	if ((x->n + 1) * 2 > x->cap) {
		struct tw_pid_index g = { NULL, NULL, 0, x->cap ? x->cap * 2 : 64 };

		g.pid = malloc(g.cap * sizeof(*g.pid));
		g.at = calloc(g.cap, sizeof(*g.at));
		if (!g.pid || !g.at) {
			free(g.pid);
			free(g.at);
			return -1;
		}
		for (i = 0; i < x->cap; i++) {
			if (x->at[i]) {
				size_t j = tw_pid_slot(&g, x->pid[i]);

				g.pid[j] = x->pid[i];
				g.at[j] = x->at[i];
			}
		}
		g.n = x->n;
		free(x->pid);
		free(x->at);
		*x = g;
	}
	i = tw_pid_slot(x, pid);
	x->pid[i] = pid;
	x->at[i] = (uint32_t)at + 1;
	x->n++;
	return 0;
}

static inline void tw_pid_index_free(struct tw_pid_index *x)
{
	free(x->pid);
	free(x->at);
	x->pid = NULL;
	x->at = NULL;
	x->n = x->cap = 0;
}

#endif
