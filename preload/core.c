/* SPDX-License-Identifier: MIT */
/*
 * Constructor, the table of real functions, caller identity, diagnostics
 * and fork.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <unistd.h>
#include "core.h"
#include "options.h"
#include "write-track.h"
#include "tornwatch-events.h"
#include "emit.h"
#include "inflight.h"
#include "maps.h"
#include "unseen.h"
#include "uring.h"
#include "stack.h"

#define TW_REAL_DEF(ret, name, params) ret (*tw_real_##name) params;
TW_HOOKED(TW_REAL_DEF)
#undef TW_REAL_DEF

struct tw_sym {
	const char *name;
	void **slot;
};

#define TW_SYM_ENTRY(ret, name, params) { #name, (void **)&tw_real_##name },
static const struct tw_sym tw_syms[] = {
	TW_HOOKED(TW_SYM_ENTRY)
};
#undef TW_SYM_ENTRY

TW_TLS int tw_depth;
TW_TLS uintptr_t tw_handler_frame;
static TW_TLS int tw_resolving;
static TW_TLS int32_t tw_cached_tid;
static int32_t tw_cached_pid;
int tw_active;

#define TW_TRACER_RANGES 16
static uintptr_t tw_tracer_lo[TW_TRACER_RANGES], tw_tracer_hi[TW_TRACER_RANGES];
static int tw_tracer_n;
int tw_full_check;

void tw_resolve(void)
{
	size_t i;
	int saved = errno;

	/* dlsym may allocate and copy: those calls come back here and must fall through. */
	if (tw_resolving) {
		return;
	}
	tw_resolving = 1;
	for (i = 0; i < sizeof(tw_syms) / sizeof(tw_syms[0]); i++) {
		if (__atomic_load_n(tw_syms[i].slot, __ATOMIC_RELAXED) == NULL) {
			void *p = dlsym(RTLD_NEXT, tw_syms[i].name);

			__atomic_store_n(tw_syms[i].slot, p, __ATOMIC_RELEASE);
		}
	}
	tw_resolving = 0;
	errno = saved;
}

/*
 * A hook abandoned by siglongjmp out of a signal handler never leaves the
 * guard, and its thread would never be traced again. While the handler
 * runs, every call of this thread is below its trampoline's frame (on the
 * same stack, or on the alternate one); a call above it means the handler
 * is gone without returning. Its jump went back to the program, outside
 * any hook: hooks never sigsetjmp.
 */
__attribute__((noinline))
void tw_handler_check(void)
{
	uintptr_t f = (uintptr_t)__builtin_frame_address(0);

	if (f > tw_handler_frame) {
		tw_handler_frame = 0;
		/* A parked depth is not the guard's to reset (clone-hooks.c). */
		if (!tw_parked()) {
			tw_depth = 0;
		}
	}
}

int32_t tw_pid(void)
{
	int32_t p = __atomic_load_n(&tw_cached_pid, __ATOMIC_RELAXED);

	if (unlikely(p == 0)) {
		p = (int32_t)syscall(SYS_getpid);
		__atomic_store_n(&tw_cached_pid, p, __ATOMIC_RELAXED);
	}
	return p;
}

int32_t tw_tid(void)
{
	if (unlikely(tw_cached_tid == 0)) {
		tw_cached_tid = (int32_t)syscall(SYS_gettid);
	}
	return tw_cached_tid;
}

/*
 * A call's id: the tid above, the thread's own sequence below. A fork
 * child keeps counting, under its new tid.
 */
static TW_TLS uint32_t tw_call_seq;

uint64_t tw_new_cid(void)
{
	return (uint64_t)(uint32_t)tw_tid() << 32 | ++tw_call_seq;
}

void tw_call_init(struct tw_call *c, const char *name, int op, int fd,
		  uint64_t dev, uint64_t ino, int64_t offset, uint64_t length,
		  uint64_t addr)
{
	c->pid = tw_pid();
	c->tid = tw_tid();
	c->cid = tw_new_cid();
	c->fn = (uint16_t)tw_fn_of(name);
	c->op = op;
	c->fd = fd;
	c->dev = dev;
	c->ino = ino;
	c->offset = offset;
	c->length = length;
	c->addr = addr;
	c->flags = 0;
	c->ret = 0;
	c->err = 0;
}

/* A terminal, pipe or socket: somewhere a diagnostic line is read, not data. */
static int stderr_is_stream(void)
{
	struct statx stx;

	if (statx(2, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE,
		  &stx) != 0) {
		return 0;
	}
	return S_ISCHR(stx.stx_mode) || S_ISFIFO(stx.stx_mode) ||
	       S_ISSOCK(stx.stx_mode);
}

void tw_log(const char *fmt, ...)
{
	char buf[512];
	int saved = errno;
	int n = snprintf(buf, sizeof(buf), "tornwatch[%d]: ", (int)tw_pid());
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(buf)) {
		n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	}
	va_end(ap);
	if (n > (int)sizeof(buf) - 2) {
		n = (int)sizeof(buf) - 2;
	}
	buf[n++] = '\n';
	/*
	 * fd 2 may be the program's data file (2>file, or a number it reused
	 * after closing stderr): a line of ours there changes its output.
	 */
	if (stderr_is_stream() &&
	    tw_real_syscall && tw_real_syscall(SYS_write, 2, buf, (size_t)n) < 0) {
		/* Nothing else to tell it to. */
	}
	errno = saved;
}

static int noted(uintptr_t lo)
{
	int i;

	for (i = 0; i < tw_tracer_n; i++) {
		if (tw_tracer_lo[i] == lo) {
			return 1;
		}
	}
	return 0;
}

/*
 * Appended behind the readers' backs: each range is written before the
 * count that makes it visible (tw_from_tracer loads the count first).
 */
static int note_tracer_text(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name;
	int i;

	(void)size;
	(void)data;
	if (!name || (!strstr(name, "liblttng-ust") && !strstr(name, "liburcu") &&
		      !strstr(name, "libunwind"))) {
		return 0;
	}
	for (i = 0; i < info->dlpi_phnum && tw_tracer_n < TW_TRACER_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && !noted(lo)) {
			tw_tracer_lo[tw_tracer_n] = lo;
			tw_tracer_hi[tw_tracer_n] = lo + ph->p_memsz;
			__atomic_store_n(&tw_tracer_n, tw_tracer_n + 1, __ATOMIC_RELEASE);
		}
	}
	return 0;
}

void tw_tracer_text_loaded(void)
{
	dl_iterate_phdr(note_tracer_text, NULL);
}

/*
 * lttng-ust's constructor runs before ours (it is our dependency) and its
 * listener thread registers meanwhile: the first hook that asks notes the
 * ranges, and a hook in another thread waits for them (dl_iterate_phdr
 * calls no hook, so the wait cannot be on itself).
 */
static int tw_tracer_state;	/* 0 not noted, 1 being noted, 2 noted */

static void note_tracer_ranges(void)
{
	int state = 0;

	if (__atomic_compare_exchange_n(&tw_tracer_state, &state, 1, 0,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		dl_iterate_phdr(note_tracer_text, NULL);
		__atomic_store_n(&tw_tracer_state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&tw_tracer_state, __ATOMIC_ACQUIRE) != 2) {
		__builtin_ia32_pause();
	}
}

int tw_from_tracer(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;
	int i, n;

	if (unlikely(__atomic_load_n(&tw_tracer_state, __ATOMIC_ACQUIRE) != 2)) {
		note_tracer_ranges();
	}
	n = __atomic_load_n(&tw_tracer_n, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++) {
		if (a >= tw_tracer_lo[i] && a < tw_tracer_hi[i]) {
			return 1;
		}
	}
	return 0;
}

static void tw_emit_process(int what, int32_t ppid)
{
	static char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct tw_process p = {
		.pid = tw_pid(),
		.ppid = ppid,
		.tid = tw_tid(),
		.what = what,
		.exe = exe,
		.page_size = (uint32_t)sysconf(_SC_PAGESIZE),
	};

	struct timex tx = { .modes = 0 };
	int saved = errno, st;

	exe[n > 0 ? n : 0] = '\0';
	/* Read only (modes 0): the clock error a cross-host order must allow. */
	st = adjtimex(&tx);
	p.clock_sync = st < 0 ? TW_CLOCK_UNKNOWN :
		       st == TIME_ERROR ? TW_CLOCK_UNSYNCED : TW_CLOCK_SYNCED;
	p.clock_maxerror_us = st < 0 || st == TIME_ERROR ? 0 : tx.maxerror;
	errno = saved;
	tw_emit_process_event(&p);
}

/*
 * The parent's pid, taken before the fork: by the time the child asks,
 * a double-forking parent may have exited and the child been reparented.
 */
static int32_t tw_fork_parent;
static TW_TLS int tw_in_fork_hook;

static void tw_note_parent(void)
{
	tw_fork_parent = tw_pid();
}

/*
 * fork() inside libc (daemon()) reaches no hook: the caches still must not
 * lie, and the child owns none of its parent's async I/O or held locks.
 * Its process event is emitted here, so that its events are not taken for
 * another program's; our own fork hook emits it once lttng-ust is back.
 */
static void tw_forget_ids(void)
{
	__atomic_store_n(&tw_cached_pid, 0, __ATOMIC_RELAXED);
	tw_cached_tid = 0;
	tw_inflight_forget_all();
	tw_uring_after_fork_child();
	tw_track_after_fork_child();
	if (!tw_in_fork_hook && tw_active && !tw_parked()) {
		tw_enter();
		tw_emit_process(TW_START_FORK, tw_fork_parent);
		tw_leave();
	}
}

/*
 * lttng-ust cancels its threads at exit, and glibc then loads libgcc_s for
 * the unwinding: a program that exits with every descriptor of its limit in
 * use has none left for that, and aborts ("libgcc_s.so.1 must be installed
 * for pthread_cancel to work") where the bare program exits 0. Loaded now,
 * glibc finds it by name then and opens nothing.
 */
static void keep_unwinder(void)
{
	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) {
		/* Without it the exit may abort: nothing better to do here. */
	}
}

/* Early: resolve the real functions before other constructors call hooks. */
__attribute__((constructor(101)))
static void tw_init(void)
{
	tw_enter();
	keep_unwinder();
	tw_resolve();
	tw_fn_table_init();
	note_tracer_ranges();
	pthread_atfork(tw_note_parent, NULL, tw_forget_ids);
	tw_options_init();
	tw_full_check = tw_opts.full_check;
	tw_exec_init();
	tw_stack_init();
	tw_leave();
}

void tw_start(void)
{
	tw_options_init();
	if (tw_opts.disable) {
		return;
	}
	tw_enter();
	tw_emit_process(TW_START_EXEC, (int32_t)getppid());
	__atomic_store_n(&tw_active, 1, __ATOMIC_RELEASE);
	tw_unseen_start();
	tw_leave();
}

void tw_fork_prepare(sigset_t *set)
{
	tw_unseen_fork();
	tw_emit_before_fork(set);
	tw_maps_lock();
	tw_in_fork_hook = 1;
	tw_fork_parent = tw_pid();
}

void tw_fork_parent_done(sigset_t *set)
{
	tw_maps_unlock();
	tw_emit_after_fork_parent(set);
	tw_in_fork_hook = 0;
}

void tw_fork_child_done(sigset_t *set)
{
	tw_maps_unlock();
	tw_forget_ids();
	tw_emit_after_fork_child(set);
	if (tw_active) {
		tw_emit_process(TW_START_FORK, tw_fork_parent);
	}
	tw_in_fork_hook = 0;
}

/*
 * lttng-ust must quiesce its threads around fork and re-register in the
 * child (what liblttng-ust-fork.so does); our own registry lock must not be
 * held by another thread at the moment of the fork. A parked thread
 * (clone-hooks.c) shares lttng-ust's per-thread state with a running
 * child: it forks without it, and its child is not traced either.
 */
TW_EXPORT pid_t fork(void)
{
	pid_t (*real)(void) = TW_REAL(fork);
	sigset_t set;
	pid_t ret;
	int saved;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (tw_parked()) {
		return real();
	}
	/*
	 * lttng-ust's own fork (a child that makes its wait shm and _exits):
	 * lttng-ust's fork handlers do nothing then, nor may ours, nor is its
	 * child one of the program's.
	 */
	if (tw_from_tracer(TW_CALLER())) {
		tw_in_fork_hook = 1;
		ret = real();
		saved = errno;
		tw_in_fork_hook = 0;
		errno = saved;
		return ret;
	}
	tw_enter();
	tw_fork_prepare(&set);
	ret = real();
	saved = errno;
	if (ret == 0) {
		tw_fork_child_done(&set);
	} else {
		tw_fork_parent_done(&set);
	}
	tw_leave();
	errno = saved;
	return ret;
}
