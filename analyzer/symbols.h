/* SPDX-License-Identifier: MIT */
/*
 * Call stacks of the trace: interned (each distinct stack of a process kept
 * once, named by a 32-bit id a record holds), and symbolized at report time
 * from lttng-ust's statedump (which binary is mapped where in which
 * process) with elfutils' libdwfl, one handle per binary.
 */
#ifndef TW_SYMBOLS_H
#define TW_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include "trace-reader.h"

struct tw_symbols;

/* One frame as the reports print it; strings live as long as the table. */
struct tw_frame {
	const char *function;	/* the ELF symbol, or "??" */
	const char *inlined;	/* the innermost function inlined there, or NULL */
	const char *file;	/* the source file, or NULL */
	int line;		/* 0: not known */
	const char *binary;	/* its path, or "??" */
	uint64_t address;	/* the return address in the process */
	uint64_t offset;	/* the same in the binary's own addresses */
	char name[256];		/* function's room: the symbol without its @version */
};

/* NULL out of memory. */
struct tw_symbols *tw_symbols_new(void);
void tw_symbols_free(struct tw_symbols *s);

/* A statedump or dlopen event (TW_EV_BIN_*): 0, or -ENOMEM. */
int tw_symbols_note(struct tw_symbols *s, const struct tw_event *ev);

/*
 * pid was forked by parent: until a statedump of its own, its stacks are
 * symbolized in its parent's image. 0, or -ENOMEM.
 */
int tw_symbols_fork(struct tw_symbols *s, int32_t pid, int32_t parent);

/*
 * A stack event's return addresses: its id (from 1) in *id, 0 when the
 * table is full (stacks beyond TW_STACKS_MAX_IPS are not kept); 0, or
 * -ENOMEM.
 */
int tw_stacks_intern(struct tw_symbols *s, int32_t pid, const uint64_t *ip,
		     size_t n, uint32_t *id);
/* Frames of stack id (0: none). */
size_t tw_stacks_depth(const struct tw_symbols *s, uint32_t id);
/* Frame k of stack id, symbolized (cached per binary); never fails. */
void tw_stacks_frame(struct tw_symbols *s, uint32_t id, size_t k,
		     struct tw_frame *f);

#endif
