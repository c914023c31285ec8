/* SPDX-License-Identifier: MIT */
/*
 * The records the preload fills and the tracepoints copy into the trace.
 * Shared by the provider (tornwatch-tp.h) and the hooks; no LTTng types here.
 */
#ifndef TORNWATCH_EVENTS_H
#define TORNWATCH_EVENTS_H

#include <stdint.h>

/* What a call does to file data; the analyzer's model keys on it. */
enum tw_op {
	TW_OP_READ = 0,		/* file → memory by a system call */
	TW_OP_WRITE = 1,	/* memory → file by a system call */
	TW_OP_STORE = 2,	/* store into a MAP_SHARED file mapping */
	TW_OP_LOAD = 3,		/* load from a MAP_SHARED file mapping */
	TW_OP_MSYNC = 4,
	TW_OP_FSYNC = 5,	/* fsync, fdatasync, sync_file_range */
	TW_OP_OTHER = 6,	/* close and the like: context only */
	TW_OP_ZERO = 7,		/* [offset, offset+length) now reads as zeros; */
				/* length 0: to the end (truncate, punch hole) */
	TW_OP_OPAQUE = 8,	/* [offset, offset+ret) written with data not seen */
				/* (copy_file_range, sendfile, splice) */
};

/* Which bytes a piece checksum describes. */
enum tw_piece_kind {
	TW_PIECE_DATA = 0,	/* the bytes transferred */
	TW_PIECE_OLD = 1,	/* what a store is about to overwrite */
};

/* Checksum grain: pieces are a transfer's intersection with each grain-aligned block of the file. */
#define TW_GRAIN 512u

struct tw_call {
	int32_t pid;
	int32_t tid;
	const char *call;
	int32_t op;		/* enum tw_op */
	int32_t fd;		/* -1 for mapping operations */
	uint64_t dev;
	uint64_t ino;
	int64_t offset;		/* file offset; -1 when not known before the call */
	uint64_t length;	/* bytes asked for */
	uint64_t addr;		/* memory address of the user buffer or mapping */
	int64_t ret;		/* end only */
	int32_t err;		/* errno at end, 0 on success */
	int32_t flags;
};

struct tw_pieces {
	int32_t pid;
	int32_t tid;
	uint64_t dev;
	uint64_t ino;
	uint64_t offset;	/* file offset of the first byte covered */
	uint64_t length;	/* bytes covered by these checksums */
	int32_t kind;		/* enum tw_piece_kind */
	uint32_t count;
	const uint32_t *crc;
};

struct tw_sync_pages {
	int32_t pid;
	int32_t tid;
	uint64_t dev;
	uint64_t ino;
	int32_t phase;		/* 0: changed before msync ran, 1: changed while it ran */
	uint32_t count;		/* pages */
	const uint64_t *page;	/* page indices */
	const uint32_t *crc;	/* count × blocks_per_page block checksums */
	uint32_t blocks_per_page;
};

struct tw_file_open {
	int32_t pid;
	int32_t tid;
	const char *call;
	int32_t fd;
	int32_t flags;
	uint64_t dev;
	uint64_t ino;
	const char *path;
};

struct tw_map {
	int32_t pid;
	int32_t tid;
	const char *call;	/* mmap, munmap, mremap */
	uint64_t addr;
	uint64_t length;
	uint64_t new_addr;	/* mremap */
	uint64_t new_length;
	int32_t fd;
	int32_t prot;
	int32_t flags;
	uint64_t dev;
	uint64_t ino;
	int64_t offset;		/* file offset of addr */
	int64_t ret;
	int32_t err;
};

struct tw_process {
	int32_t pid;
	int32_t ppid;
	int32_t tid;
	const char *what;	/* start, fork */
	const char *exe;
	uint32_t page_size;
};

#endif
