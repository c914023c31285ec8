/* SPDX-License-Identifier: MIT */
/*
 * Who saw the stores into each file's writable mappings: the kernel (every
 * page written by any means) or the memcpy family's hooks only, and why
 * the kernel refused. Told per file, as mmap events report it.
 */
#ifndef TW_MAP_MODES_H
#define TW_MAP_MODES_H

#include <stddef.h>
#include <stdint.h>

struct tw_map_mode {
	uint64_t dev;
	uint64_t ino;
	uint32_t kernel;	/* mappings the kernel tracked */
	uint32_t hooks;		/* mappings only the hooks watched */
	uint32_t none;		/* mappings no one watched: tables full */
	int32_t err;		/* the last refusal's errno */
	int64_t t_blind;	/* the first mapping the kernel did not track */
};

struct tw_map_modes {
	struct tw_map_mode *m;
	size_t n, cap;
	uint64_t kernel, hooks, none;
};

struct tw_event;
/* An mmap event: 0 or -ENOMEM. */
int tw_map_modes_note(struct tw_map_modes *mm, const struct tw_event *ev);
void tw_map_modes_free(struct tw_map_modes *mm);
/*
 * Could a store by pointer into a mapping of (dev, ino) made before t have
 * gone unseen: was one of them watched by the hooks only, or by no one?
 */
int tw_map_modes_blind(const struct tw_map_modes *mm, uint64_t dev,
		       uint64_t ino, int64_t t);
/* Why the kernel did not track a file's mappings, in a few words. */
const char *tw_map_mode_why(int32_t err);

#endif
