/* SPDX-License-Identifier: MIT */
/* Rows of an interleaving and the names both reports print. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "report-int.h"
#include "tornwatch-events.h"

static int row_cmp(const void *pa, const void *pb)
{
	const struct tw_row *a = pa, *b = pb;

	if (a->ts != b->ts) {
		return a->ts < b->ts ? -1 : 1;
	}
	return a->end - b->end;
}

struct tw_row *tw_rows_of(const struct tw_records *r,
			  const struct tw_anomaly *a, size_t *n)
{
	struct tw_row *rows = calloc(a->ninter * 2 + 1, sizeof(*rows));
	size_t i, k = 0;

	if (!rows) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < a->ninter; i++) {
		const struct tw_rec *x = tw_rec_find(r, a->inter[i]);

		rows[k++] = (struct tw_row){ x->t_begin, a->inter[i], 0 };
		if (x->ended) {
			rows[k++] = (struct tw_row){ x->t_end, a->inter[i], 1 };
		}
	}
	qsort(rows, k, sizeof(*rows), row_cmp);
	*n = k;
	return rows;
}

void tw_fmt_ts(char *buf, size_t len, int64_t ns)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns < 0 || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "%" PRId64, ns);
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%09" PRId64, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, ns % 1000000000);
}

void tw_fmt_date(char *buf, size_t len, int64_t ns)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	if (ns < 0 || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
}

const char *tw_op_name(int op)
{
	static const char *const names[] = {
		"read", "write", "store", "load", "msync", "sync", "other",
		"zero", "unseen", "unlink", "mark",
	};

	return op >= 0 && op <= TW_OP_UNSEEN ? names[op] : "?";
}

const char *tw_row_op(const struct tw_rec *y)
{
	static const char *const notes[] = { "", "touch", "wait", "signal" };

	return y->note > 0 && y->note <= TW_NOTE_SIGNAL ? notes[y->note] :
							  tw_op_name(y->op);
}

const char *tw_row_call(const struct tw_rec *y, int end)
{
	return y->aio && end ? y->done_call : y->call;
}

const char *tw_row_phase(const struct tw_rec *y, int end)
{
	if (y->aio) {
		return end ? "complete" : "submit";
	}
	switch (y->note) {
	case TW_NOTE_TOUCH:
		return y->released ? "release" : "store";
	case TW_NOTE_WAIT:
		return y->missed ? "lost" : "return";
	case TW_NOTE_SIGNAL:
		return "deliver";
	default:
		return end ? "end" : "begin";
	}
}

const struct tw_rec *tw_row_io(const struct tw_records *r,
				   const struct tw_rec *y)
{
	if (y->aio) {
		return y;
	}
	if (y->note == TW_NOTE_TOUCH) {
		return tw_rec_find(r, y->io);
	}
	return NULL;
}

const char *tw_engine_name(const struct tw_rec *x)
{
	return x->engine == TW_ENGINE_LIBAIO ? "libaio" : "io_uring";
}

/* The engine's own name of the operation, as its headers spell it. */
const char *tw_opcode_name(const struct tw_rec *x)
{
	static const char *const aio[] = {
		"pread", "pwrite", "fsync", "fdsync", "poll", "poll", "noop",
		"preadv", "pwritev",
	};
	static const char *const uring[] = {
		"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed",
		"poll_add", "poll_remove", "sync_file_range", "sendmsg",
		"recvmsg", "timeout", "timeout_remove", "accept", "async_cancel",
		"link_timeout", "connect", "fallocate", "openat", "close",
		"files_update", "statx", "read", "write", "fadvise", "madvise",
		"send", "recv", "openat2", "epoll_ctl", "splice",
		"provide_buffers", "remove_buffers", "tee", "shutdown",
		"renameat", "unlinkat", "mkdirat", "symlinkat", "linkat",
		"msg_ring", "fsetxattr", "setxattr", "fgetxattr", "getxattr",
		"socket", "uring_cmd", "send_zc", "sendmsg_zc",
	};

	if (x->engine == TW_ENGINE_LIBAIO) {
		return x->opcode >= 0 && x->opcode < (int)(sizeof(aio) / sizeof(aio[0])) ?
		       aio[x->opcode] : "?";
	}
	return x->opcode >= 0 && x->opcode < (int)(sizeof(uring) / sizeof(uring[0])) ?
	       uring[x->opcode] : "?";
}

void tw_anomaly_file(const struct tw_records *r, const struct tw_anomaly *a,
		     char *buf, size_t len)
{
	if (a->path && *a->path) {
		snprintf(buf, len, "%s", a->path);
	} else {
		tw_file_name(r, a->dev, a->ino, buf, len);
	}
}

void tw_file_name(const struct tw_records *r, uint64_t dev, uint64_t ino,
		      char *buf, size_t len)
{
	const char *p = tw_records_path(r, dev, ino);

	if (p && *p) {
		snprintf(buf, len, "%s", p);
	} else {
		snprintf(buf, len, "(dev %" PRIu64 ", ino %" PRIu64 ")", dev, ino);
	}
}
