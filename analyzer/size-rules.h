/* SPDX-License-Identifier: MIT */
/*
 * How long each file had to be. Writes that returned make it at least as
 * long as what they wrote; truncation (and O_TRUNC, a new lifetime) sets
 * it. A synchronous read that returned fewer bytes than that allows, with
 * no call that could shorten the file running meanwhile, is a short_read
 * naming the call that made the file longer (fio's "full resid").
 */
#ifndef TW_SIZE_RULES_H
#define TW_SIZE_RULES_H

#include <stddef.h>
#include <stdint.h>

struct tw_size_step {
	int64_t t_begin;
	int64_t t_end;
	int64_t size;
	int set;		/* truncation: the size is this; else at least */
	uint32_t host;
	size_t rec;
};

#define TW_SIZE_STEPS 32

struct tw_file_size {
	uint64_t dev;
	uint64_t ino;
	int used;
	int64_t base;		/* what the folded steps left: -1 unknown */
	int64_t t_base;		/* the newest folded step's end */
	size_t base_rec;
	struct tw_size_step s[TW_SIZE_STEPS];	/* by t_end */
	size_t n;
};

struct tw_sizes {
	struct tw_file_size *f;	/* open addressing by (dev, ino) */
	size_t n, cap;
};

struct ctx;
/* A settled call: its size step, if it has one. 0 or -ENOMEM. */
int tw_size_settle(struct ctx *c, size_t i);
/* A settled, closed read that returned short: 0 or -ENOMEM. */
int tw_size_judge(struct ctx *c, size_t rd);
/*
 * Might a truncation have cut rd's file short while rd ran: one on its host
 * that ran meanwhile, or one on another host within ε or that rd was not
 * required to see (hosts.h)? Then a short read owes nothing.
 */
struct tw_rec;
int tw_size_cut_during(const struct ctx *c, const struct tw_rec *rd);
void tw_sizes_free(struct tw_sizes *z);

#endif
