/* SPDX-License-Identifier: MIT */
/*
 * clone() called by the program itself; pthread_create enters the kernel
 * inside libc and never comes here.
 *
 * Without CLONE_VM the child is a process with a copy of our state: it
 * goes through lttng-ust's fork protocol and gets its own pid and tid, as
 * after fork(). Unless it shares the descriptor table (CLONE_FILES): the
 * re-registration closes lttng-ust's sockets first, which would be the
 * parent's; that child is not traced.
 *
 * With CLONE_VM but no CLONE_SETTLS the child runs on its caller's TLS,
 * so our depth guard and lttng-ust's per-thread state (urcu reader, nest
 * counts) would be used by two threads at once: a hang in
 * lttng_ust_urcu_synchronize_rcu at exit and lost events. Neither thread
 * can tell itself from the other without a system call, so both are
 * parked (core.h) until the child's function returns; a child that leaves
 * by _exit, exec or a signal leaves its caller parked to the end. The
 * trace says so in an exec_env event. A CLONE_SETTLS child runs on a TLS
 * the program made: the tracer does not touch it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include "core.h"
#include "emit.h"
#include "fdtable.h"
#include "tornwatch-events.h"

typedef int (*tw_clone_fn)(void *);
typedef int (*tw_clone_real)(tw_clone_fn, void *, int, void *, ...);

/*
 * Children on a caller's TLS that have not returned from their function,
 * plus one while the caller writes its note: a hook nested in lttng-ust
 * then stays parked.
 */
static int tw_shared_live;

/*
 * What the child starts from. On its own stack, just above where libc's
 * clone stores fn and arg: with CLONE_VM the caller's frame may be gone
 * before the child reads it, without it the copy is the child's.
 */
struct tw_clone_start {
	tw_clone_fn fn;
	void *arg;
	int flags;
	sigset_t set;
};

int tw_parked_enter(void)
{
	if (__atomic_load_n(&tw_shared_live, __ATOMIC_ACQUIRE) != 0) {
		return 0;
	}
	/*
	 * Only the caller runs on this TLS now. The fd table is kept at any
	 * depth, so the child's opens and closes (its own table, or ours
	 * with CLONE_FILES) went into it: forget it all, it is looked up again.
	 */
	tw_depth = 1;
	tw_fd_forget_range(0, ~0u);
	return 1;
}

static void note(int how, pid_t child)
{
	struct tw_exec x = {
		.pid = tw_pid(),
		.tid = tw_tid(),
		.ppid = 0,
		.child = child,
		.restored = how,
		.err = 0,
		.path = "",
	};

	if (tw_active) {
		tw_emit_exec(&x);
	}
}

static int shared_child(void *p)
{
	const struct tw_clone_start *s = p;
	int flags = s->flags;
	int ret = s->fn(s->arg);

	/* The caller counts a vfork child off itself, once it runs again. */
	if (!(flags & CLONE_VFORK)) {
		__atomic_sub_fetch(&tw_shared_live, 1, __ATOMIC_RELEASE);
	}
	return ret;
}

static int shared_clone(tw_clone_real real, struct tw_clone_start *s,
			void *ptid, void *tls, void *ctid)
{
	int outer = tw_depth, flags = s->flags, ret, saved;

	__atomic_add_fetch(&tw_shared_live, 2, __ATOMIC_ACQ_REL);
	tw_depth = TW_DEPTH_PARKED;
	ret = real(shared_child, s, flags, s, ptid, tls, ctid);
	saved = errno;
	/* The child does not touch lttng-ust: this thread alone uses its TLS there. */
	if (ret > 0 && outer == 0) {
		note(TW_EXEC_ENV_CLONE_TLS, ret);
	}
	if (ret < 0 || (flags & CLONE_VFORK)) {
		__atomic_sub_fetch(&tw_shared_live, 1, __ATOMIC_RELEASE);
	}
	if (__atomic_sub_fetch(&tw_shared_live, 1, __ATOMIC_ACQ_REL) == 0 &&
	    outer < TW_DEPTH_PARKED / 2) {
		tw_depth = outer;
		if (ret > 0) {
			tw_fd_forget_range(0, ~0u);
		}
	}
	errno = saved;
	return ret;
}

static int forked_child(void *p)
{
	struct tw_clone_start *s = p;

	tw_fork_child_done(&s->set);
	tw_leave();
	/*
	 * libc ends a clone child with the exit of its one thread; lttng-ust's
	 * re-registration started listener threads, which would keep the
	 * process alive and its parent waiting. The whole process goes.
	 */
	_exit(s->fn(s->arg));
}

/* lttng-ust's locks are released, nothing re-registered; never traced. */
static int files_child(void *p)
{
	struct tw_clone_start *s = p;

	tw_fork_parent_done(&s->set);
	tw_depth = TW_DEPTH_PARKED;
	return s->fn(s->arg);
}

static int forked_clone(tw_clone_real real, struct tw_clone_start *s,
			void *ptid, void *tls, void *ctid)
{
	int files = s->flags & CLONE_FILES, ret, saved;
	sigset_t set;

	tw_enter();
	tw_fork_prepare(&s->set);
	/* The child has its copy; ours may be gone once a vfork child ran. */
	set = s->set;
	ret = real(files ? files_child : forked_child, s, s->flags, s, ptid,
		   tls, ctid);
	saved = errno;
	tw_fork_parent_done(&set);
	if (ret > 0 && files && tw_depth == 1) {
		note(TW_EXEC_ENV_CLONE_FILES, ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}

/*
 * libc's clone reads ptid, tls and ctid whatever the flags; so do we.
 * Its x86_64 wrapper refuses a NULL fn or stack with EINVAL and stores fn
 * and arg at the top of the child's stack before the system call: our
 * start record goes just above, where a bad stack faults as it would there.
 */
TW_EXPORT int clone(tw_clone_fn fn, void *stack, int flags, void *arg, ...)
{
	tw_clone_real real = (tw_clone_real)TW_REAL(clone);
	struct tw_clone_start *s;
	void *ptid, *tls, *ctid;
	va_list ap;

	va_start(ap, arg);
	ptid = va_arg(ap, void *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, void *);
	va_end(ap);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (!fn || !stack || (flags & CLONE_SETTLS) ||
	    (!(flags & CLONE_VM) && tw_parked())) {
		return real(fn, stack, flags, arg, ptid, tls, ctid);
	}
	s = (struct tw_clone_start *)(((uintptr_t)stack - sizeof(*s)) &
				      ~(uintptr_t)15);
	s->fn = fn;
	s->arg = arg;
	s->flags = flags;
	return (flags & CLONE_VM) ? shared_clone(real, s, ptid, tls, ctid) :
				    forked_clone(real, s, ptid, tls, ctid);
}
