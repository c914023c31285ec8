/* SPDX-License-Identifier: MIT */
/*
 * LTTng-UST provider "tornwatch", trace format 2 (../common/tornwatch-events.h).
 * Every event carries pid and tid in its payload, so a trace taken by a
 * user's own session without contexts still tells who did what.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER tornwatch

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "tornwatch-tp.h"

#if !defined(TORNWATCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TORNWATCH_TP_H

#include <lttng/tracepoint.h>
#include "tornwatch-events.h"

/* Enumerations: babeltrace2 and Trace Compass print their names. */
#define TW_TP_FN_VALUE(id, name) lttng_ust_field_enum_value(name, TW_FN_##id)
LTTNG_UST_TRACEPOINT_ENUM(tornwatch, fn,
	LTTNG_UST_TP_ENUM_VALUES(TW_CALLS(TW_TP_FN_VALUE))
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, op,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("read", TW_OP_READ)
		lttng_ust_field_enum_value("write", TW_OP_WRITE)
		lttng_ust_field_enum_value("store", TW_OP_STORE)
		lttng_ust_field_enum_value("load", TW_OP_LOAD)
		lttng_ust_field_enum_value("msync", TW_OP_MSYNC)
		lttng_ust_field_enum_value("fsync", TW_OP_FSYNC)
		lttng_ust_field_enum_value("other", TW_OP_OTHER)
		lttng_ust_field_enum_value("zero", TW_OP_ZERO)
		lttng_ust_field_enum_value("opaque", TW_OP_OPAQUE)
		lttng_ust_field_enum_value("unlink", TW_OP_UNLINK)
		lttng_ust_field_enum_value("unseen", TW_OP_UNSEEN)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, piece_kind,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("data", TW_PIECE_DATA)
		lttng_ust_field_enum_value("old", TW_PIECE_OLD)
		lttng_ust_field_enum_value("later", TW_PIECE_LATER)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, engine,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("libaio", TW_ENGINE_LIBAIO)
		lttng_ust_field_enum_value("io_uring", TW_ENGINE_URING)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, track,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("hooks", TW_TRACK_HOOKS)
		lttng_ust_field_enum_value("kernel", TW_TRACK_KERNEL)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, seen,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("first", TW_SEEN_FIRST)
		lttng_ust_field_enum_value("late", TW_SEEN_LATE)
		lttng_ust_field_enum_value("never", TW_SEEN_NEVER)
		lttng_ust_field_enum_value("refused", TW_SEEN_REFUSED)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, start,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("exec", TW_START_EXEC)
		lttng_ust_field_enum_value("fork", TW_START_FORK)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, exec_env,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("kept", TW_EXEC_ENV_KEPT)
		lttng_ust_field_enum_value("restored", TW_EXEC_ENV_RESTORED)
		lttng_ust_field_enum_value("dropped", TW_EXEC_ENV_DROPPED)
		lttng_ust_field_enum_value("clone_shares_tls", TW_EXEC_ENV_CLONE_TLS)
		lttng_ust_field_enum_value("clone_shares_files", TW_EXEC_ENV_CLONE_FILES)
	)
)

#define TW_TP_WHO(x)							\
	lttng_ust_field_integer(int32_t, pid, (x)->pid)			\
	lttng_ust_field_integer(int32_t, tid, (x)->tid)

/* A call: what begin knows. */
#define TW_TP_CALL_FIELDS(c)						\
	TW_TP_WHO(c)							\
	lttng_ust_field_integer_hex(uint64_t, cid, (c)->cid)		\
	lttng_ust_field_enum(tornwatch, fn, uint16_t, call, (c)->fn)	\
	lttng_ust_field_enum(tornwatch, op, uint8_t, op, (c)->op)	\
	lttng_ust_field_integer(int32_t, fd, (c)->fd)			\
	lttng_ust_field_integer(uint64_t, dev, (c)->dev)		\
	lttng_ust_field_integer(uint64_t, ino, (c)->ino)		\
	lttng_ust_field_integer(int64_t, offset, (c)->offset)		\
	lttng_ust_field_integer(uint64_t, length, (c)->length)		\
	lttng_ust_field_integer_hex(uint64_t, addr, (c)->addr)		\
	lttng_ust_field_integer(int32_t, flags, (c)->flags)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, call_begin,
	LTTNG_UST_TP_ARGS(const struct tw_call *, c),
	LTTNG_UST_TP_FIELDS(TW_TP_CALL_FIELDS(c))
)

/* Only what begin did not know; the offset is the one the kernel applied. */
LTTNG_UST_TRACEPOINT_EVENT(tornwatch, call_end,
	LTTNG_UST_TP_ARGS(const struct tw_call *, c),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(c)
		lttng_ust_field_integer_hex(uint64_t, cid, c->cid)
		lttng_ust_field_integer(int64_t, offset, c->offset)
		lttng_ust_field_integer(int64_t, ret, c->ret)
		lttng_ust_field_integer(int32_t, err, c->err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, pieces,
	LTTNG_UST_TP_ARGS(const struct tw_pieces *, p),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(p)
		lttng_ust_field_integer_hex(uint64_t, cid, p->cid)
		lttng_ust_field_enum(tornwatch, piece_kind, uint8_t, kind, p->kind)
		lttng_ust_field_integer(uint64_t, offset, p->offset)
		lttng_ust_field_integer(uint32_t, length, p->length)
		lttng_ust_field_sequence_hex(uint32_t, crc, p->crc, uint16_t, p->count)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, sync_pages,
	LTTNG_UST_TP_ARGS(const struct tw_sync_pages *, s),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(s)
		lttng_ust_field_integer_hex(uint64_t, cid, s->cid)
		lttng_ust_field_integer(uint8_t, phase, s->phase)
		lttng_ust_field_sequence(uint64_t, page, s->page, uint16_t, s->count)
		lttng_ust_field_sequence_hex(uint32_t, crc, s->crc, uint16_t,
					     s->count * s->blocks_per_page)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, file_open,
	LTTNG_UST_TP_ARGS(const struct tw_file_open *, o),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(o)
		lttng_ust_field_enum(tornwatch, fn, uint16_t, call, o->fn)
		lttng_ust_field_integer(int32_t, fd, o->fd)
		lttng_ust_field_integer(int32_t, flags, o->flags)
		lttng_ust_field_integer(uint64_t, dev, o->dev)
		lttng_ust_field_integer(uint64_t, ino, o->ino)
		lttng_ust_field_string(path, o->path)
		lttng_ust_field_integer(int32_t, handle_type, o->handle_type)
		lttng_ust_field_sequence_hex(uint8_t, handle, o->handle, uint8_t,
					     o->handle_len)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, map,
	LTTNG_UST_TP_ARGS(const struct tw_map *, m),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(m)
		lttng_ust_field_enum(tornwatch, fn, uint16_t, call, m->fn)
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
		lttng_ust_field_enum(tornwatch, track, uint8_t, track, m->track)
		lttng_ust_field_integer(int16_t, track_err, m->track_err)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_submit,
	LTTNG_UST_TP_ARGS(const struct tw_aio_submit *, s),
	LTTNG_UST_TP_FIELDS(
		TW_TP_CALL_FIELDS(&s->c)
		lttng_ust_field_enum(tornwatch, engine, uint8_t, engine, s->engine)
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
		TW_TP_WHO(c)
		lttng_ust_field_enum(tornwatch, fn, uint16_t, call, c->fn)
		lttng_ust_field_integer_hex(uint64_t, cid, c->cid)
		lttng_ust_field_integer(int64_t, res, c->res)
		lttng_ust_field_integer(int64_t, res2, c->res2)
		lttng_ust_field_enum(tornwatch, seen, uint8_t, seen, c->seen)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_touch,
	LTTNG_UST_TP_ARGS(const struct tw_aio_touch *, t),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(t)
		lttng_ust_field_enum(tornwatch, fn, uint16_t, call, t->fn)
		lttng_ust_field_integer_hex(uint64_t, cid, t->cid)
		lttng_ust_field_integer_hex(uint64_t, addr, t->addr)
		lttng_ust_field_integer(uint64_t, length, t->length)
		lttng_ust_field_integer(uint8_t, released, t->released)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, aio_wait,
	LTTNG_UST_TP_ARGS(const struct tw_aio_wait *, w),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(w)
		lttng_ust_field_enum(tornwatch, fn, uint16_t, call, w->fn)
		lttng_ust_field_enum(tornwatch, engine, uint8_t, engine, w->engine)
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
		TW_TP_WHO(s)
		lttng_ust_field_integer(int32_t, signo, s->signo)
		lttng_ust_field_integer(int32_t, code, s->code)
	)
)

LTTNG_UST_TRACEPOINT_ENUM(tornwatch, stack_kind,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("call", TW_STACK_CALL)
		lttng_ust_field_enum_value("done", TW_STACK_DONE)
		lttng_ust_field_enum_value("touch", TW_STACK_TOUCH)
	)
)

/* Right after the event it belongs to, from the same thread. */
LTTNG_UST_TRACEPOINT_EVENT(tornwatch, stack,
	LTTNG_UST_TP_ARGS(const struct tw_stack *, s),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(s)
		lttng_ust_field_integer_hex(uint64_t, cid, s->cid)
		lttng_ust_field_enum(tornwatch, stack_kind, uint8_t, kind, s->kind)
		lttng_ust_field_sequence_hex(uint64_t, ip, s->ip, uint16_t, s->count)
	)
)

/* Once per process: the format its events are in, and what it is. */
LTTNG_UST_TRACEPOINT_EVENT(tornwatch, process,
	LTTNG_UST_TP_ARGS(const struct tw_process *, p),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(p)
		lttng_ust_field_integer(uint16_t, format, TW_FORMAT_VERSION)
		lttng_ust_field_integer(int32_t, ppid, p->ppid)
		lttng_ust_field_enum(tornwatch, start, uint8_t, what, p->what)
		lttng_ust_field_string(exe, p->exe)
		lttng_ust_field_integer(uint32_t, page_size, p->page_size)
		lttng_ust_field_integer(uint32_t, grain, TW_GRAIN)
		lttng_ust_field_integer(uint8_t, clock_sync, p->clock_sync)
		lttng_ust_field_integer(int64_t, clock_maxerror_us, p->clock_maxerror_us)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(tornwatch, exec_env,
	LTTNG_UST_TP_ARGS(const struct tw_exec *, x),
	LTTNG_UST_TP_FIELDS(
		TW_TP_WHO(x)
		lttng_ust_field_integer(int32_t, ppid, x->ppid)
		lttng_ust_field_integer(int32_t, child, x->child)
		lttng_ust_field_enum(tornwatch, exec_env, uint8_t, restored, x->restored)
		lttng_ust_field_integer(int32_t, err, x->err)
		lttng_ust_field_string(path, x->path)
	)
)

#endif /* TORNWATCH_TP_H */

#include <lttng/tracepoint-event.h>
