/* SPDX-License-Identifier: MIT */
/* The hash of a file's (st_dev, st_ino) that the per-file tables share. */
#ifndef TW_FILE_HASH_H
#define TW_FILE_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline size_t tw_file_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ull ^ dev * 0xc2b2ae3d27d4eb4full;

	return (size_t)(h ^ (h >> 29));
}

#endif
