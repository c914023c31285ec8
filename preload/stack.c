/* SPDX-License-Identifier: MIT */
/*
 * Call stacks by libunwind's local unwinder. libunwind.so exports
 * _Unwind_* and backtrace: loaded as a dependency of the preload it would
 * come first in the global scope and take over the program's C++
 * exceptions. It is dlopen'ed RTLD_LOCAL instead, once, in the constructor.
 *
 * Per-thread caching: the global cache takes a lock a signal handler's hook
 * could find held. The unwinder is warmed up in the constructor, so that
 * its one-time set-up never runs from a hook. Its caches come from mmap
 * (measured: no malloc in 1,000 unwinds but glibc's one allocation of a
 * new thread's TLS for it, below); a hook calling it holds the guard, so
 * that mmap (and the msync or mincore it validates addresses with) passes
 * through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include "core.h"
#include "options.h"
#include "emit.h"
#include "stack.h"

#define TW_STACK_DEFAULT 16
/* Frames of the tracer and of libunwind above the program's. */
#define TW_STACK_SKIP_MAX 16

static int (*tw_unw_backtrace)(void **, int);
static int tw_stack_depth;
static uintptr_t tw_self_lo[8], tw_self_hi[8];
static int tw_self_n;
/*
 * libunwind's thread-local state is a dlopen'ed library's: glibc mallocs
 * it on a thread's first unwind. Never let that be inside a signal
 * handler, which may have interrupted malloc itself.
 */
static TW_TLS int tw_unwound;

static int note_self(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t me = (uintptr_t)data;
	int i, mine = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && me >= lo && me < lo + ph->p_memsz) {
			mine = 1;
		}
	}
	for (i = 0; mine && i < info->dlpi_phnum && tw_self_n < 8; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			tw_self_lo[tw_self_n] = info->dlpi_addr + ph->p_vaddr;
			tw_self_hi[tw_self_n] = tw_self_lo[tw_self_n] + ph->p_memsz;
			tw_self_n++;
		}
	}
	return 0;
}

static int in_self(uintptr_t ip)
{
	int i;

	for (i = 0; i < tw_self_n; i++) {
		if (ip >= tw_self_lo[i] && ip < tw_self_hi[i]) {
			return 1;
		}
	}
	return 0;
}

int tw_stack_wanted(int op)
{
	if (!tw_stack_depth) {
		return 0;
	}
	switch (op) {
	case TW_OP_READ:
	case TW_OP_WRITE:
	case TW_OP_STORE:
	case TW_OP_LOAD:
	case TW_OP_MSYNC:
	case TW_OP_FSYNC:
	case TW_OP_ZERO:
	case TW_OP_OPAQUE:
		return 1;
	default:
		return 0;
	}
}

void tw_stack_init(void)
{
	const char *v;
	int (*set_policy)(unw_addr_space_t, unw_caching_policy_t);
	unw_addr_space_t *as;
	void *ips[TW_STACK_SKIP_MAX];
	void *h;
	long d = TW_STACK_DEFAULT;

	if (!tw_opts.stacks) {
		return;
	}
	v = getenv("TORNWATCH_STACK_DEPTH");
	if (v && *v) {
		d = strtol(v, NULL, 10);
	}
	if (d <= 0) {
		return;
	}
	h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		tw_log("no call stacks: cannot load libunwind.so.8");
		return;
	}
	/* Its pipe (set_policy makes it) and its reads are the tracer's. */
	tw_tracer_text_loaded();
	tw_unw_backtrace = (int (*)(void **, int))dlsym(h, "unw_backtrace");
	set_policy = (int (*)(unw_addr_space_t, unw_caching_policy_t))
		dlsym(h, "_ULx86_64_set_caching_policy");
	as = (unw_addr_space_t *)dlsym(h, "_ULx86_64_local_addr_space");
	if (!tw_unw_backtrace || !set_policy || !as ||
	    set_policy(*as, UNW_CACHE_PER_THREAD) != 0) {
		tw_log("no call stacks: libunwind.so.8 lacks its local unwinder");
		tw_unw_backtrace = NULL;
		return;
	}
	/* The frames to leave out: this library's and libunwind's. */
	dl_iterate_phdr(note_self, (void *)(uintptr_t)&tw_stack_init);
	dl_iterate_phdr(note_self, (void *)(uintptr_t)tw_unw_backtrace);
	tw_unw_backtrace(ips, TW_STACK_SKIP_MAX);
	tw_unwound = 1;
	tw_stack_depth = d > TW_STACK_MAX ? TW_STACK_MAX : (int)d;
}

void tw_stack_emit(uint64_t cid, int kind)
{
	void *ips[TW_STACK_MAX + TW_STACK_SKIP_MAX];
	struct tw_stack s;
	int n, i = 0, k = 0;

	if (!tw_stack_depth || tw_depth != 1) {
		return;
	}
	if (!tw_unwound) {
		if (tw_handler_frame != 0) {
			return;
		}
		tw_unwound = 1;
	}
	n = tw_unw_backtrace(ips, tw_stack_depth + TW_STACK_SKIP_MAX);
	/* The innermost frames are ours: the hook, emit, this function, libunwind. */
	while (i < n && in_self((uintptr_t)ips[i])) {
		i++;
	}
	for (; i < n && k < tw_stack_depth; i++) {
		s.ip[k++] = (uint64_t)(uintptr_t)ips[i];
	}
	if (k == 0) {
		return;
	}
	s.pid = tw_pid();
	s.tid = tw_tid();
	s.cid = cid;
	s.kind = (uint8_t)kind;
	s.count = (uint16_t)k;
	tw_emit_stack(&s);
}
