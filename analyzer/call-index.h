/* SPDX-License-Identifier: MIT */
/*
 * Calls whose follow-up events may still come, by (pid, call id): the
 * trace says which call a piece, an end or a completion belongs to, so
 * matching is one lookup, never a guess.
 */
#ifndef TW_CALL_INDEX_H
#define TW_CALL_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct tw_call_slot {
	uint64_t cid;
	int32_t pid;
	int used;
	size_t rec;
};

struct tw_call_index {
	struct tw_call_slot *slot;
	size_t cap;		/* a power of two, or 0 */
	size_t n;
};

/* 0 or -ENOMEM; a call id seen again (a new image after exec) takes over. */
int tw_call_index_put(struct tw_call_index *x, int32_t pid, uint64_t cid,
		      size_t rec);
/* The record, or (size_t)-1. */
size_t tw_call_index_get(const struct tw_call_index *x, int32_t pid,
			 uint64_t cid);
void tw_call_index_del(struct tw_call_index *x, int32_t pid, uint64_t cid);
void tw_call_index_free(struct tw_call_index *x);

#endif
