/* SPDX-License-Identifier: MIT */
/*
 * The signal that interrupts a wait (seed 001: io_getevents returned -EINTR
 * and the program went on to free its buffer) belongs in the interleaving.
 * sigaction installs a trampoline in front of the program's handler that
 * records the delivery while async I/O is in flight, then calls the handler
 * exactly as the kernel would have. Asking for the current action gets the
 * program's own handler back, never the trampoline. LTTng-UST records
 * through lock-free per-CPU buffers, so the trampoline may emit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "core.h"
#include "emit.h"
#include "inflight.h"

/* What the program asked for, per signal; read by the trampoline. */
static struct sigaction tw_program_act[NSIG];

static void trampoline(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *a = &tw_program_act[sig];
	uintptr_t outer = tw_handler_frame;
	int saved = errno;

	if (__atomic_load_n(&tw_active, __ATOMIC_RELAXED) && !tw_parked() &&
	    __atomic_load_n(&tw_inflight_hi, __ATOMIC_RELAXED)) {
		struct tw_signal s = {
			.pid = tw_pid(),
			.tid = tw_tid(),
			.signo = sig,
			.code = si ? si->si_code : 0,
		};

		tw_emit_signal(&s);
	}
	errno = saved;
	/* Restored only on return: a siglongjmp leaves it for tw_enter to see. */
	tw_handler_frame = (uintptr_t)__builtin_frame_address(0);
	if (a->sa_flags & SA_SIGINFO) {
		a->sa_sigaction(sig, si, uc);
	} else {
		a->sa_handler(sig);
	}
	tw_handler_frame = outer;
}

static int wrappable(int sig, const struct sigaction *act)
{
	return act && sig > 0 && sig < NSIG && !(act->sa_flags & SA_SIGINFO ?
		act->sa_sigaction == NULL :
		act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN);
}

TW_EXPORT int sigaction(int sig, const struct sigaction *act,
			struct sigaction *old)
{
	struct sigaction mine, before;
	int ret, saved;

	if (!TW_REAL(sigaction)) {
		errno = ENOSYS;
		return -1;
	}
	if (sig > 0 && sig < NSIG) {
		before = tw_program_act[sig];
	}
	if (!wrappable(sig, act)) {
		ret = tw_real_sigaction(sig, act, old);
	} else {
		mine = *act;
		mine.sa_sigaction = trampoline;
		mine.sa_flags |= SA_SIGINFO;
		tw_program_act[sig] = *act;
		ret = tw_real_sigaction(sig, &mine, old);
		if (ret != 0) {
			saved = errno;
			tw_program_act[sig] = before;
			errno = saved;
		}
	}
	if (ret == 0 && old && old->sa_sigaction == trampoline) {
		*old = before;
	}
	return ret;
}
