/* SPDX-License-Identifier: MIT */
/* Open addressing with linear probing; deletion shifts back, no tombstones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "call-index.h"

#define NO_REC ((size_t)-1)

static size_t hash(int32_t pid, uint64_t cid)
{
	uint64_t h = cid ^ ((uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ull);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

static size_t find(const struct tw_call_index *x, int32_t pid, uint64_t cid)
{
	size_t m = x->cap - 1, k = hash(pid, cid) & m;

	while (x->slot[k].used &&
	       (x->slot[k].pid != pid || x->slot[k].cid != cid)) {
		k = (k + 1) & m;
	}
	return k;
}

static int grow(struct tw_call_index *x)
{
	struct tw_call_index bigger = { 0 };
	size_t i;

	bigger.cap = x->cap ? x->cap * 2 : 64;
	bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
	if (!bigger.slot) {
		return -ENOMEM;
	}
	for (i = 0; i < x->cap; i++) {
		if (x->slot[i].used) {
			bigger.slot[find(&bigger, x->slot[i].pid, x->slot[i].cid)] =
				x->slot[i];
			bigger.n++;
		}
	}
	free(x->slot);
	*x = bigger;
	return 0;
}

int tw_call_index_put(struct tw_call_index *x, int32_t pid, uint64_t cid,
		      size_t rec)
{
	size_t k;

	if ((x->n + 1) * 2 > x->cap && grow(x) != 0) {
		return -ENOMEM;
	}
	k = find(x, pid, cid);
	if (!x->slot[k].used) {
		x->n++;
	}
	x->slot[k] = (struct tw_call_slot){ cid, pid, 1, rec };
	return 0;
}

size_t tw_call_index_get(const struct tw_call_index *x, int32_t pid,
			 uint64_t cid)
{
	size_t k;

	if (x->cap == 0) {
		return NO_REC;
	}
	k = find(x, pid, cid);
	return x->slot[k].used ? x->slot[k].rec : NO_REC;
}

void tw_call_index_del(struct tw_call_index *x, int32_t pid, uint64_t cid)
{
	size_t m, k, j;

	if (x->cap == 0) {
		return;
	}
	m = x->cap - 1;
	k = find(x, pid, cid);
	if (!x->slot[k].used) {
		return;
	}
	x->slot[k].used = 0;
	x->n--;
	/* Move back every later entry of the run that may not stay behind the hole. */
	for (j = (k + 1) & m; x->slot[j].used; j = (j + 1) & m) {
		size_t home = hash(x->slot[j].pid, x->slot[j].cid) & m;

		if ((j > k && (home <= k || home > j)) ||
		    (j < k && home <= k && home > j)) {
			x->slot[k] = x->slot[j];
			x->slot[j].used = 0;
			k = j;
		}
	}
}

void tw_call_index_free(struct tw_call_index *x)
{
	free(x->slot);
	memset(x, 0, sizeof(*x));
}
