/* SPDX-License-Identifier: MIT */
/*
 * What one call stack costs the preload: libunwind's local unwinder,
 * loaded and set up as preload/stack.c does (dlopen RTLD_LOCAL, per-thread
 * caching), timed from a call chain DEPTH functions deep.
 *
 *   stack-bench CALLS [DEPTH]   prints "unwind_ns=N frames=F"
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define MAX_IPS 32

static int (*bt)(void **, int);
static volatile int frames;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static int chain(int d, long calls)
{
	void *ips[MAX_IPS];
	long i;

	if (d > 0) {
		int r = chain(d - 1, calls);

		/* Opaque to the compiler: no loop made of the recursion. */
		__asm__ volatile("" : "+r"(r));
		return r + 1;
	}
	for (i = 0; i < calls; i++) {
		frames = bt(ips, MAX_IPS);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int (*set_policy)(unw_addr_space_t, unw_caching_policy_t);
	unw_addr_space_t *as;
	long calls = argc > 1 ? atol(argv[1]) : 100000;
	int depth = argc > 2 ? atoi(argv[2]) : 8;
	void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	double t0, t1;

	if (!h || calls <= 0) {
		fprintf(stderr, "stack-bench: cannot load libunwind.so.8\n");
		return 77;
	}
	bt = (int (*)(void **, int))dlsym(h, "unw_backtrace");
	set_policy = (int (*)(unw_addr_space_t, unw_caching_policy_t))
		dlsym(h, "_ULx86_64_set_caching_policy");
	as = (unw_addr_space_t *)dlsym(h, "_ULx86_64_local_addr_space");
	if (!bt || !set_policy || !as) {
		return 77;
	}
	set_policy(*as, UNW_CACHE_PER_THREAD);
	chain(depth, 1);
	t0 = now();
	chain(depth, calls);
	t1 = now();
	printf("unwind_ns=%.1f frames=%d\n", (t1 - t0) * 1e9 / (double)calls, frames);
	return 0;
}
