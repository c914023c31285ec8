/* SPDX-License-Identifier: MIT */
/*
 * Where a file's lifetime ends and a new one begins under the same
 * (st_dev, st_ino): ext4 and xfs give a freed inode number to the next file
 * made. The number is free only once its last name is gone and no fd or
 * mapping holds it, so the first open of it after the removal of its last
 * name opens a new file, and every later call on it is the new file's.
 */
#ifndef TW_LIFETIMES_H
#define TW_LIFETIMES_H

#include <stdint.h>

struct tw_lifetimes;

/* What the first open of a new lifetime means for the file's content. */
enum tw_life_start {
	TW_LIFE_SAME = 0,	/* the same file as before: nothing to do */
	TW_LIFE_EMPTY,		/* a new file made by this open: it was empty */
	TW_LIFE_UNKNOWN,	/* a new file, made where no traced open did */
	TW_LIFE_SEEN,		/* a new file, emptied by the open's own event */
};

void tw_lifetimes_free(struct tw_lifetimes *l);

/* A name of (dev, ino) with nlink links is being removed: 0, or -ENOMEM. */
int tw_lifetimes_removing(struct tw_lifetimes **l, uint64_t dev, uint64_t ino,
			  int64_t nlink);
/* That removal returned; done: it succeeded. */
void tw_lifetimes_removed(struct tw_lifetimes *l, uint64_t dev, uint64_t ino,
			  int64_t nlink, int done);
/*
 * An open of (dev, ino) with open(2) flags, the path the kernel gave its
 * fd: whether it starts a new lifetime, and how.
 */
enum tw_life_start tw_lifetimes_opened(struct tw_lifetimes *l, uint64_t dev,
				       uint64_t ino, int64_t flags,
				       const char *path);

#endif
