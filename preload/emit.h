/* SPDX-License-Identifier: MIT */
/* The only door to LTTng-UST: one function per tornwatch event. */
#ifndef TW_EMIT_H
#define TW_EMIT_H

#include <signal.h>
#include "tornwatch-events.h"

void tw_emit_call_begin(const struct tw_call *c);
void tw_emit_call_end(const struct tw_call *c);
void tw_emit_pieces(const struct tw_pieces *p);
void tw_emit_sync_pages(const struct tw_sync_pages *s);
void tw_emit_file_open(const struct tw_file_open *o);
void tw_emit_map(const struct tw_map *m);
void tw_emit_process_event(const struct tw_process *p);
void tw_emit_aio_submit(const struct tw_aio_submit *s);
void tw_emit_aio_complete(const struct tw_aio_complete *c);
void tw_emit_aio_touch(const struct tw_aio_touch *t);
void tw_emit_aio_wait(const struct tw_aio_wait *w);
void tw_emit_signal(const struct tw_signal *s);
void tw_emit_exec(const struct tw_exec *x);
void tw_emit_stack(const struct tw_stack *s);

void tw_emit_before_fork(sigset_t *set);
void tw_emit_after_fork_parent(sigset_t *set);
void tw_emit_after_fork_child(sigset_t *set);

#endif
