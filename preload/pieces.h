/* SPDX-License-Identifier: MIT */
/*
 * Piece checksums: bytes at file offsets are cut at every TW_GRAIN-aligned
 * file boundary, each piece gets its CRC32C, and batches go out as
 * tornwatch:pieces events naming the call they belong to. Fed in file
 * order, from one buffer or many (iovecs).
 */
#ifndef TW_PIECES_H
#define TW_PIECES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "tornwatch-events.h"

#define TW_PIECES_BATCH 256

struct tw_piecer {
	struct tw_pieces ev;
	uint64_t pos;		/* file offset of the next byte */
	uint32_t partial;	/* running CRC of the current unfinished piece */
	int in_piece;
	uint32_t crc[TW_PIECES_BATCH];
};

void tw_piecer_init(struct tw_piecer *p, uint64_t cid, int kind,
		    uint64_t offset);
void tw_piecer_feed(struct tw_piecer *p, const void *buf, size_t len);
void tw_piecer_finish(struct tw_piecer *p);

/* One call: the pieces of len bytes of buf that sit at file offset off. */
void tw_pieces_emit(uint64_t cid, int kind, uint64_t off, const void *buf,
		    size_t len);
/* The first len bytes held by iov, at file offset off. */
void tw_pieces_emit_iov(uint64_t cid, int kind, uint64_t off,
			const struct iovec *iov, int iovcnt, size_t len);

/* The same through tw_safe_copy: memory the program may have unmapped. */
void tw_pieces_emit_iov_safe(uint64_t cid, int kind, uint64_t off,
			     const struct iovec *iov, int iovcnt, size_t len);

/* n bytes of the program's memory into dst without faulting: 0 or -EFAULT. */
int tw_safe_copy(void *dst, const void *src, size_t n);
/* The same as process pid: a vfork child must name itself, not the cached parent. */
int tw_safe_copy_as(int32_t pid, void *dst, const void *src, size_t n);

#endif
