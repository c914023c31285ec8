/* SPDX-License-Identifier: MIT */
/*
 * free and realloc of a buffer the kernel still reads or fills: the memory
 * goes back to the allocator while an async I/O owns it (seed 001). Only
 * when something is in flight does a call leave the one-compare fast path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include "core.h"
#include "inflight.h"

/* Before resolution (dlsym's own allocations) a block can only be leaked. */
static void released(const char *call, void *p, const void *caller)
{
	struct tw_io_key keys[1];
	int saved = errno;

	if (tw_watch(caller)) {
		size_t n = malloc_usable_size(p);

		if (tw_inflight_maybe(p, n)) {
			tw_inflight_touch(call, p, n, 1, keys, 0);
		}
	}
	tw_leave();
	errno = saved;
}

TW_EXPORT void free(void *p)
{
	if (unlikely(p && __atomic_load_n(&tw_inflight_hi, __ATOMIC_RELAXED))) {
		released("free", p, TW_CALLER());
	}
	if (likely(TW_REAL(free) != NULL)) {
		tw_real_free(p);
	}
}

TW_EXPORT void *realloc(void *p, size_t n)
{
	if (unlikely(p && __atomic_load_n(&tw_inflight_hi, __ATOMIC_RELAXED))) {
		released("realloc", p, TW_CALLER());
	}
	if (unlikely(!TW_REAL(realloc))) {
		errno = ENOMEM;
		return NULL;
	}
	return tw_real_realloc(p, n);
}
