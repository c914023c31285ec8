/* SPDX-License-Identifier: MIT */
/*
 * glibc's POSIX AIO: aio_write and lio_listio hand the request to helper
 * threads that write with libc's internal pwrite, which no hook sees. An
 * accepted write marks its file (unseen.h) by its aiocb; the mark ends when
 * the program learns the I/O is done (aio_error other than EINPROGRESS,
 * aio_return). The aiocb is read only after the real call accepted it,
 * when glibc itself has read it; reads (aio_read) need no mark.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include "core.h"
#include "pieces.h"
#include "tornwatch-events.h"
#include "unseen.h"

/* struct aiocb64 is struct aiocb where off_t is 64 bits (every 64-bit ABI). */
_Static_assert(sizeof(struct aiocb64) == sizeof(struct aiocb), "aiocb64");

#define TW_AIO_WRITE_HOOK(name, cbt)							\
TW_EXPORT int name(cbt *cb)							\
{										\
	int ret, w, saved;							\
										\
	TW_NOSYS_RET(name, -1);							\
	w = tw_watch(TW_CALLER());						\
	ret = tw_real_##name(cb);						\
	saved = errno;								\
	if (w && ret == 0) {							\
		tw_unseen_mark(#name, cb->aio_fildes, cb, TW_UNSEEN_POSIX_AIO);	\
	}									\
	tw_leave();								\
	errno = saved;								\
	return ret;								\
}

TW_AIO_WRITE_HOOK(aio_write, struct aiocb)
TW_AIO_WRITE_HOOK(aio_write64, struct aiocb64)

/*
 * A failure with EAGAIN, EINTR or EIO may still have queued some of the
 * list: every LIO_WRITE entry is marked then too. The array is copied
 * through the kernel, a chunk at a time: glibc may have refused it unread.
 */
static void listed(const char *call, int ret, int err,
		   struct aiocb *const *list, int n)
{
	struct aiocb *chunk[64];
	struct aiocb cb;
	int i, k, take;

	if (ret != 0 && err != EAGAIN && err != EINTR && err != EIO) {
		return;
	}
	for (i = 0; i < n; i += take) {
		take = n - i < 64 ? n - i : 64;
		if (tw_safe_copy(chunk, list + i, (size_t)take * sizeof(*chunk))) {
			return;
		}
		for (k = 0; k < take; k++) {
			if (chunk[k] && tw_safe_copy(&cb, chunk[k], sizeof(cb)) == 0 &&
			    cb.aio_lio_opcode == LIO_WRITE) {
				tw_unseen_mark(call, cb.aio_fildes, chunk[k],
					       TW_UNSEEN_POSIX_AIO);
			}
		}
	}
}

#define TW_LIO_HOOK(name, cbt)							\
TW_EXPORT int name(int mode, cbt *const list[], int n,			\
		   struct sigevent *sev)					\
{										\
	int ret, w, saved;							\
										\
	TW_NOSYS_RET(name, -1);							\
	w = tw_watch(TW_CALLER());						\
	ret = tw_real_##name(mode, (void *const *)list, n, sev);		\
	saved = errno;								\
	if (w) {								\
		listed(#name, ret, saved, (struct aiocb *const *)list, n);				\
	}									\
	tw_leave();								\
	errno = saved;								\
	return ret;								\
}

TW_LIO_HOOK(lio_listio, struct aiocb)
TW_LIO_HOOK(lio_listio64, struct aiocb64)

/* cb is only compared: a request no mark names costs one load. */
static void reaped(const char *call, const struct aiocb *cb, int w)
{
	if (w && __atomic_load_n(&tw_unseen_aio_n, __ATOMIC_RELAXED)) {
		tw_unseen_release_key(call, cb);
	}
}

#define TW_AIO_ERROR_HOOK(name, cbt)							\
TW_EXPORT int name(const cbt *cb)						\
{										\
	int ret, w, saved;							\
										\
	TW_NOSYS_RET(name, -1);							\
	w = tw_watch(TW_CALLER());						\
	ret = tw_real_##name(cb);						\
	saved = errno;								\
	if (ret != EINPROGRESS && ret != -1) {					\
		reaped(#name, (const struct aiocb *)cb, w);						\
	}									\
	tw_leave();								\
	errno = saved;								\
	return ret;								\
}

TW_AIO_ERROR_HOOK(aio_error, struct aiocb)
TW_AIO_ERROR_HOOK(aio_error64, struct aiocb64)

#define TW_AIO_RETURN_HOOK(name, cbt)						\
TW_EXPORT ssize_t name(cbt *cb)						\
{										\
	ssize_t ret;								\
	int w, saved;								\
										\
	TW_NOSYS_RET(name, -1);							\
	w = tw_watch(TW_CALLER());						\
	ret = tw_real_##name(cb);						\
	saved = errno;								\
	reaped(#name, (const struct aiocb *)cb, w);							\
	tw_leave();								\
	errno = saved;								\
	return ret;								\
}

TW_AIO_RETURN_HOOK(aio_return, struct aiocb)
TW_AIO_RETURN_HOOK(aio_return64, struct aiocb64)
