/* SPDX-License-Identifier: MIT */
/* Call stacks at the calls a verdict may name: return addresses only. */
#ifndef TW_STACK_H
#define TW_STACK_H

#include <stdint.h>
#include "tornwatch-events.h"

/* From the constructor, inside the guard: TORNWATCH_STACKS, _STACK_DEPTH. */
void tw_stack_init(void);

/* Would a call of this op get a stack? */
int tw_stack_wanted(int op);

/*
 * Unwinds the calling thread and emits a tornwatch:stack event naming cid.
 * Only at guard depth 1: the guard stays held while libunwind runs, so its
 * own mmap, msync and copies pass through the hooks unrecorded.
 */
void tw_stack_emit(uint64_t cid, int kind);

#endif
