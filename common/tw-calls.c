/* SPDX-License-Identifier: MIT */
/*
 * Call names to numbers and back. The preload passes names around as
 * string literals and turns them into numbers only when an event goes out;
 * a small hash table built once makes that one hash and one compare.
 */
#include <stdint.h>
#include <string.h>
#include "tw-calls.h"

static const char *const tw_fn_names[TW_FN_COUNT] = {
#define TW_FN_NAME(id, name) name,
	TW_CALLS(TW_FN_NAME)
#undef TW_FN_NAME
};

#define TW_FN_SLOTS 512u	/* a power of two, well above TW_FN_COUNT */

static uint8_t tw_fn_slot[TW_FN_SLOTS];	/* id + 1, 0: empty */
static int tw_fn_ready;

_Static_assert(TW_FN_COUNT < 255, "ids fit the slots");

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h = (h ^ (unsigned char)*s++) * 16777619u;
	}
	return h;
}

const char *tw_fn_name(unsigned int fn)
{
	return fn < TW_FN_COUNT ? tw_fn_names[fn] : "?";
}

void tw_fn_table_init(void)
{
	unsigned int i;

	if (__atomic_load_n(&tw_fn_ready, __ATOMIC_ACQUIRE)) {
		return;
	}
	for (i = 1; i < TW_FN_COUNT; i++) {
		uint32_t k = hash(tw_fn_names[i]) & (TW_FN_SLOTS - 1);

		while (tw_fn_slot[k] && tw_fn_slot[k] != i + 1) {
			k = (k + 1) & (TW_FN_SLOTS - 1);
		}
		tw_fn_slot[k] = (uint8_t)(i + 1);
	}
	__atomic_store_n(&tw_fn_ready, 1, __ATOMIC_RELEASE);
}

unsigned int tw_fn_of(const char *name)
{
	unsigned int i;

	if (!name) {
		return TW_FN_unknown;
	}
	if (__atomic_load_n(&tw_fn_ready, __ATOMIC_ACQUIRE)) {
		uint32_t k = hash(name) & (TW_FN_SLOTS - 1);

		while (tw_fn_slot[k]) {
			i = tw_fn_slot[k] - 1u;
			if (strcmp(tw_fn_names[i], name) == 0) {
				return i;
			}
			k = (k + 1) & (TW_FN_SLOTS - 1);
		}
		return TW_FN_unknown;
	}
	/* Before the constructor ran (a call from an earlier library's). */
	for (i = 1; i < TW_FN_COUNT; i++) {
		if (strcmp(tw_fn_names[i], name) == 0) {
			return i;
		}
	}
	return TW_FN_unknown;
}
