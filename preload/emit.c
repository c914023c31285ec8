/* SPDX-License-Identifier: MIT */
/* Instantiates the tornwatch tracepoint provider: the one .c that does. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "tornwatch-tp.h"
#include <lttng/ust-fork.h>
#include "core.h"
#include "emit.h"
#include "fhandle.h"
#include "options.h"
#include "stack.h"
#include "tracer-fds.h"

/*
 * The provider registers in a constructor the tracepoint header defined
 * above; constructors of one file run in order, so this one runs after it
 * and the first events are not dropped for want of a provider.
 */
__attribute__((constructor))
static void tw_emit_ready(void)
{
	tw_start();
}

void tw_emit_call_begin(const struct tw_call *c)
{
	lttng_ust_tracepoint(tornwatch, call_begin, c);
	if (tw_stack_wanted(c->op) &&
	    lttng_ust_tracepoint_enabled(tornwatch, stack)) {
		tw_stack_emit(c->cid, TW_STACK_CALL);
	}
}

void tw_emit_stack(const struct tw_stack *s)
{
	lttng_ust_tracepoint(tornwatch, stack, s);
}

static int stacks_on(void)
{
	return tw_stack_wanted(TW_OP_READ) &&
	       lttng_ust_tracepoint_enabled(tornwatch, stack);
}

void tw_emit_call_end(const struct tw_call *c)
{
	lttng_ust_tracepoint(tornwatch, call_end, c);
}

void tw_emit_pieces(const struct tw_pieces *p)
{
	lttng_ust_tracepoint(tornwatch, pieces, p);
}

void tw_emit_sync_pages(const struct tw_sync_pages *s)
{
	lttng_ust_tracepoint(tornwatch, sync_pages, s);
}

/* The handle costs a system call: only when the event is recorded. */
void tw_emit_file_open(const struct tw_file_open *o)
{
	struct tw_file_open h;
	uint8_t buf[TW_HANDLE_MAX];

	if (!lttng_ust_tracepoint_enabled(tornwatch, file_open)) {
		return;
	}
	h = *o;
	tw_file_handle(&h, buf);
	lttng_ust_tracepoint(tornwatch, file_open, &h);
}

void tw_emit_map(const struct tw_map *m)
{
	lttng_ust_tracepoint(tornwatch, map, m);
}

void tw_emit_process_event(const struct tw_process *p)
{
	lttng_ust_tracepoint(tornwatch, process, p);
}

void tw_emit_aio_submit(const struct tw_aio_submit *s)
{
	lttng_ust_tracepoint(tornwatch, aio_submit, s);
	if (stacks_on()) {
		tw_stack_emit(s->c.cid, TW_STACK_CALL);
	}
}

void tw_emit_aio_complete(const struct tw_aio_complete *c)
{
	/* Before the completion, which closes the I/O the stack names. */
	if (c->seen != TW_SEEN_NEVER && stacks_on()) {
		tw_stack_emit(c->cid, TW_STACK_DONE);
	}
	lttng_ust_tracepoint(tornwatch, aio_complete, c);
}

void tw_emit_aio_touch(const struct tw_aio_touch *t)
{
	lttng_ust_tracepoint(tornwatch, aio_touch, t);
	if (stacks_on()) {
		tw_stack_emit(t->cid, TW_STACK_TOUCH);
	}
}

void tw_emit_aio_wait(const struct tw_aio_wait *w)
{
	lttng_ust_tracepoint(tornwatch, aio_wait, w);
}

void tw_emit_signal(const struct tw_signal *s)
{
	lttng_ust_tracepoint(tornwatch, signal, s);
}

void tw_emit_exec(const struct tw_exec *x)
{
	lttng_ust_tracepoint(tornwatch, exec_env, x);
}

/* Whether the fork about to happen keeps the parent's channels (below). */
static TW_TLS int tw_fork_keeps_channels;

void tw_emit_before_fork(sigset_t *set)
{
	tw_fork_keeps_channels = !tw_opts.fork_register &&
				 lttng_ust_tracepoint_enabled(tornwatch, process);
	lttng_ust_before_fork(set);
}

void tw_emit_after_fork_parent(sigset_t *set)
{
	lttng_ust_after_fork_parent(set);
}

/* liblttng-ust-common's, exported but in no public header. */
void lttng_ust_urcu_after_fork_child(void);
void lttng_ust_urcu_before_fork(void);

/*
 * lttng_ust_after_fork_child() unmaps every buffer, registers the child
 * with the session daemon as a new application and waits for its channels
 * to be mapped and populated again: 5-20 ms a fork, measured. The child
 * needs none of it to write its events: the per-UID buffers its parent
 * mapped are shared, and their mappings are inherited. So by default the
 * child keeps its parent's tracing state: its urcu registry is pruned of
 * the threads fork left behind (a synchronize_rcu would wait for them
 * forever), its copies of lttng-ust's sockets to the session daemon become
 * /dev/null (tracer-fds.h), and lttng-ust's locks are released as in the
 * parent (the urcu locks are taken again for that release to balance).
 * That is done only when a session records our events at the fork: the
 * parent not recording (no session yet, or stopped), the child registers
 * as liblttng-ust-fork has it do, so that a session started later reaches
 * it; TORNWATCH_FORK_REGISTER=1 has every child do so. README, "Forked
 * children".
 */
void tw_emit_after_fork_child(sigset_t *set)
{
	if (!tw_fork_keeps_channels) {
		lttng_ust_after_fork_child(set);
		return;
	}
	lttng_ust_urcu_after_fork_child();
	lttng_ust_urcu_before_fork();
	tw_tracer_sockets_drop();
	lttng_ust_after_fork_parent(set);
}
