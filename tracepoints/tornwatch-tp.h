/* SPDX-License-Identifier: MIT */
/*
 * LTTng-UST provider "tornwatch". Every event carries pid and tid in its
 * payload, so a trace taken by a user's own session without contexts still
 * tells who did what.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER tornwatch

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "tornwatch-tp.h"

#if !defined(TORNWATCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TORNWATCH_TP_H

#include <lttng/tracepoint.h>
#include "tornwatch-events.h"

#define TW_TP_CALL_FIELDS(c)							\
	lttng_ust_field_integer(int32_t, pid, (c)->pid)				\
	lttng_ust_field_integer(int32_t, tid, (c)->tid)				\
	lttng_ust_field_string(call, (c)->call)					\
	lttng_ust_field_integer(int32_t, op, (c)->op)				\
	lttng_ust_field_integer(int32_t, fd, (c)->fd)				\
	lttng_ust_field_integer(uint64_t, dev, (c)->dev)			\
	lttng_ust_field_integer(uint64_t, ino, (c)->ino)			\
	lttng_ust_field_integer(int64_t, offset, (c)->offset)			\
	lttng_ust_field_integer(uint64_t, length, (c)->length)			\
	lttng_ust_field_integer_hex(uint64_t, addr, (c)->addr)			\
	lttng_ust_field_integer(int32_t, flags, (c)->flags)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, call_begin,
	LTTNG_UST_TP_ARGS(const struct tw_call *, c),
	LTTNG_UST_TP_FIELDS(TW_TP_CALL_FIELDS(c))
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, call_end,
	LTTNG_UST_TP_ARGS(const struct tw_call *, c),
	LTTNG_UST_TP_FIELDS(
		TW_TP_CALL_FIELDS(c)
		lttng_ust_field_integer(int64_t, ret, c->ret)
		lttng_ust_field_integer(int32_t, err, c->err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, pieces,
	LTTNG_UST_TP_ARGS(const struct tw_pieces *, p),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, p->pid)
		lttng_ust_field_integer(int32_t, tid, p->tid)
		lttng_ust_field_integer(uint64_t, dev, p->dev)
		lttng_ust_field_integer(uint64_t, ino, p->ino)
		lttng_ust_field_integer(uint64_t, offset, p->offset)
		lttng_ust_field_integer(uint64_t, length, p->length)
		lttng_ust_field_integer(int32_t, kind, p->kind)
		lttng_ust_field_integer(uint32_t, grain, TW_GRAIN)
		lttng_ust_field_sequence_hex(uint32_t, crc, p->crc, uint32_t, p->count)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, sync_pages,
	LTTNG_UST_TP_ARGS(const struct tw_sync_pages *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, s->pid)
		lttng_ust_field_integer(int32_t, tid, s->tid)
		lttng_ust_field_integer(uint64_t, dev, s->dev)
		lttng_ust_field_integer(uint64_t, ino, s->ino)
		lttng_ust_field_integer(int32_t, phase, s->phase)
		lttng_ust_field_integer(uint32_t, grain, TW_GRAIN)
		lttng_ust_field_sequence(uint64_t, page, s->page, uint32_t, s->count)
		lttng_ust_field_sequence_hex(uint32_t, crc, s->crc, uint32_t,
					     s->count * s->blocks_per_page)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, file_open,
	LTTNG_UST_TP_ARGS(const struct tw_file_open *, o),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, o->pid)
		lttng_ust_field_integer(int32_t, tid, o->tid)
		lttng_ust_field_string(call, o->call)
		lttng_ust_field_integer(int32_t, fd, o->fd)
		lttng_ust_field_integer(int32_t, flags, o->flags)
		lttng_ust_field_integer(uint64_t, dev, o->dev)
		lttng_ust_field_integer(uint64_t, ino, o->ino)
		lttng_ust_field_string(path, o->path)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, map,
	LTTNG_UST_TP_ARGS(const struct tw_map *, m),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, m->pid)
		lttng_ust_field_integer(int32_t, tid, m->tid)
		lttng_ust_field_string(call, m->call)
		lttng_ust_field_integer_hex(uint64_t, addr, m->addr)
		lttng_ust_field_integer(uint64_t, length, m->length)
		lttng_ust_field_integer_hex(uint64_t, new_addr, m->new_addr)
		lttng_ust_field_integer(uint64_t, new_length, m->new_length)
		lttng_ust_field_integer(int32_t, fd, m->fd)
		lttng_ust_field_integer(int32_t, prot, m->prot)
		lttng_ust_field_integer(int32_t, flags, m->flags)
		lttng_ust_field_integer(uint64_t, dev, m->dev)
		lttng_ust_field_integer(uint64_t, ino, m->ino)
		lttng_ust_field_integer(int64_t, offset, m->offset)
		lttng_ust_field_integer(int64_t, ret, m->ret)
		lttng_ust_field_integer(int32_t, err, m->err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_submit,
	LTTNG_UST_TP_ARGS(const struct tw_aio_submit *, s),
	LTTNG_UST_TP_FIELDS(
		TW_TP_CALL_FIELDS(&s->c)
		lttng_ust_field_integer(int32_t, engine, s->engine)
		lttng_ust_field_integer(int32_t, opcode, s->opcode)
		lttng_ust_field_integer_hex(uint64_t, ctx, s->ctx)
		lttng_ust_field_integer_hex(uint64_t, id, s->id)
		lttng_ust_field_integer(int64_t, size, s->size)
		lttng_ust_field_integer(uint32_t, nseg, s->nseg)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_complete,
	LTTNG_UST_TP_ARGS(const struct tw_aio_complete *, c),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, c->pid)
		lttng_ust_field_integer(int32_t, tid, c->tid)
		lttng_ust_field_string(call, c->call)
		lttng_ust_field_integer(int32_t, engine, c->engine)
		lttng_ust_field_integer_hex(uint64_t, ctx, c->ctx)
		lttng_ust_field_integer_hex(uint64_t, id, c->id)
		lttng_ust_field_integer(int64_t, res, c->res)
		lttng_ust_field_integer(int64_t, res2, c->res2)
		lttng_ust_field_integer(int32_t, seen, c->seen)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_touch,
	LTTNG_UST_TP_ARGS(const struct tw_aio_touch *, t),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, t->pid)
		lttng_ust_field_integer(int32_t, tid, t->tid)
		lttng_ust_field_string(call, t->call)
		lttng_ust_field_integer_hex(uint64_t, addr, t->addr)
		lttng_ust_field_integer(uint64_t, length, t->length)
		lttng_ust_field_integer(int32_t, engine, t->engine)
		lttng_ust_field_integer_hex(uint64_t, ctx, t->ctx)
		lttng_ust_field_integer_hex(uint64_t, id, t->id)
		lttng_ust_field_integer(int32_t, released, t->released)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_wait,
	LTTNG_UST_TP_ARGS(const struct tw_aio_wait *, w),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, w->pid)
		lttng_ust_field_integer(int32_t, tid, w->tid)
		lttng_ust_field_string(call, w->call)
		lttng_ust_field_integer(int32_t, engine, w->engine)
		lttng_ust_field_integer_hex(uint64_t, ctx, w->ctx)
		lttng_ust_field_integer(int64_t, ret, w->ret)
		lttng_ust_field_integer(int32_t, err, w->err)
		lttng_ust_field_integer(uint32_t, inflight, w->inflight)
		lttng_ust_field_integer(uint64_t, missed, w->missed)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, signal,
	LTTNG_UST_TP_ARGS(const struct tw_signal *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, s->pid)
		lttng_ust_field_integer(int32_t, tid, s->tid)
		lttng_ust_field_integer(int32_t, signo, s->signo)
		lttng_ust_field_integer(int32_t, code, s->code)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, process,
	LTTNG_UST_TP_ARGS(const struct tw_process *, p),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, p->pid)
		lttng_ust_field_integer(int32_t, tid, p->tid)
		lttng_ust_field_integer(int32_t, ppid, p->ppid)
		lttng_ust_field_string(what, p->what)
		lttng_ust_field_string(exe, p->exe)
		lttng_ust_field_integer(uint32_t, page_size, p->page_size)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, exec_env,
	LTTNG_UST_TP_ARGS(const struct tw_exec *, x),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, pid, x->pid)
		lttng_ust_field_integer(int32_t, tid, x->tid)
		lttng_ust_field_integer(int32_t, ppid, x->ppid)
		lttng_ust_field_integer(int32_t, child, x->child)
		lttng_ust_field_integer(int32_t, restored, x->restored)
		lttng_ust_field_integer(int32_t, err, x->err)
		lttng_ust_field_string(path, x->path)
	)
)

#endif /* TORNWATCH_TP_H */

#include <lttng/tracepoint-event.h>
