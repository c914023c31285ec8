/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#include "core.h"
#include "crc32c.h"
#include "emit.h"
#include "pieces.h"

void tw_piecer_init(struct tw_piecer *p, uint64_t cid, int kind,
		    uint64_t offset)
{
	p->ev.pid = tw_pid();
	p->ev.tid = tw_tid();
	p->ev.cid = cid;
	p->ev.kind = kind;
	p->ev.offset = offset;
	p->ev.length = 0;
	p->ev.count = 0;
	p->ev.crc = p->crc;
	p->pos = offset;
	p->partial = 0;
	p->in_piece = 0;
}

static void flush(struct tw_piecer *p)
{
	if (p->ev.count == 0) {
		return;
	}
	tw_emit_pieces(&p->ev);
	p->ev.offset += p->ev.length;
	p->ev.length = 0;
	p->ev.count = 0;
}

static void push(struct tw_piecer *p, uint32_t crc)
{
	p->crc[p->ev.count++] = crc;
	if (p->ev.count == TW_PIECES_BATCH) {
		flush(p);
	}
}

void tw_piecer_feed(struct tw_piecer *p, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	while (len > 0) {
		uint64_t block_end = (p->pos / TW_GRAIN + 1) * TW_GRAIN;
		size_t take = block_end - p->pos;

		if (!p->in_piece && p->pos % TW_GRAIN == 0 && len >= TW_GRAIN) {
			/* Whole aligned blocks: many at once, up to the batch end. */
			size_t k = len / TW_GRAIN;
			size_t room = TW_PIECES_BATCH - p->ev.count;

			if (k > room) {
				k = room;
			}
			tw_crc32c_blocks(b, TW_GRAIN, k, p->crc + p->ev.count);
			p->ev.count += (uint32_t)k;
			p->ev.length += (uint32_t)(k * TW_GRAIN);
			p->pos += k * TW_GRAIN;
			b += k * TW_GRAIN;
			len -= k * TW_GRAIN;
			if (p->ev.count == TW_PIECES_BATCH) {
				flush(p);
			}
			continue;
		}
		if (take > len) {
			take = len;
		}
		p->partial = tw_crc32c(p->in_piece ? p->partial : 0, b, take);
		p->in_piece = 1;
		p->pos += take;
		p->ev.length += (uint32_t)take;
		b += take;
		len -= take;
		if (p->pos == block_end) {
			p->in_piece = 0;
			push(p, p->partial);
		}
	}
}

void tw_piecer_finish(struct tw_piecer *p)
{
	if (p->in_piece) {
		p->in_piece = 0;
		push(p, p->partial);
	}
	flush(p);
}

void tw_pieces_emit(uint64_t cid, int kind, uint64_t off, const void *buf,
		    size_t len)
{
	struct tw_piecer p;

	tw_piecer_init(&p, cid, kind, off);
	tw_piecer_feed(&p, buf, len);
	tw_piecer_finish(&p);
}

void tw_pieces_emit_iov(uint64_t cid, int kind, uint64_t off,
			const struct iovec *iov, int iovcnt, size_t len)
{
	struct tw_piecer p;
	int i;

	tw_piecer_init(&p, cid, kind, off);
	for (i = 0; i < iovcnt && len > 0; i++) {
		size_t take = iov[i].iov_len < len ? iov[i].iov_len : len;

		tw_piecer_feed(&p, iov[i].iov_base, take);
		len -= take;
	}
	tw_piecer_finish(&p);
}

void tw_pieces_emit_iov_safe(uint64_t cid, int kind, uint64_t off,
			     const struct iovec *iov, int iovcnt, size_t len)
{
	unsigned char bounce[4096];
	struct tw_piecer p;
	int i;

	tw_piecer_init(&p, cid, kind, off);
	for (i = 0; i < iovcnt && len > 0; i++) {
		size_t take = iov[i].iov_len < len ? iov[i].iov_len : len;
		const unsigned char *src = iov[i].iov_base;

		len -= take;
		while (take > 0) {
			size_t n = take < sizeof(bounce) ? take : sizeof(bounce);

			if (tw_safe_copy(bounce, src, n) != 0) {
				/* Unmapped since: the snapshot stops short here. */
				tw_piecer_finish(&p);
				return;
			}
			tw_piecer_feed(&p, bounce, n);
			src += n;
			take -= n;
		}
	}
	tw_piecer_finish(&p);
}

/*
 * A hook that must look at the program's memory before the kernel has
 * accepted it (an argument the call may refuse), or at memory the program
 * may have made unreadable (a mapping shrunk under its file, mprotect),
 * copies it through the kernel: process_vm_readv of our own process says
 * EFAULT, or copies less, where a load would raise SIGSEGV or SIGBUS in the
 * program. Reading one's own process needs no ptrace permission.
 */
int tw_safe_copy_as(int32_t pid, void *dst, const void *src, size_t n)
{
	struct iovec local = { dst, n };
	struct iovec remote = { (void *)src, n };
	int saved = errno;
	ssize_t r;

	if (n == 0) {
		return 0;
	}
	r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	errno = saved;
	return r == (ssize_t)n ? 0 : -EFAULT;
}

int tw_safe_copy(void *dst, const void *src, size_t n)
{
	return tw_safe_copy_as(tw_pid(), dst, src, n);
}
