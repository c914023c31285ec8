/* SPDX-License-Identifier: MIT */
/*
 * Plain I/O on regular files: the open family names files, read/write and
 * their vector and positional forms carry data, fsync and friends are
 * context. A call on anything else (pipe, socket, tty) is passed straight on,
 * known from the fd table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core.h"
#include "engines.h"
#include "fdtable.h"
#include "emit.h"
#include "maps.h"
#include "pieces.h"
#include "unseen.h"
#include "uring.h"
#include "tracer-fds.h"
#include "write-track.h"

struct tw_io {
	struct tw_call c;
	const char *name;
	int op;
	int watched;		/* depth 1, tracing on, not the tracer's own I/O */
	int tracked;		/* and a regular file: the call is recorded */
	int shared;		/* the offset is the fd's, others may move it */
	int append;		/* the kernel puts the data at the end */
	int overlapped;		/* another call on the fd was in flight */
	uint32_t seq;
	int64_t size;		/* at the start of an appending write */
};

/* pwritev2's offset, or "at the end" for RWF_APPEND. */
#define TW_OFF_APPEND INT64_MIN
static inline int64_t rwf_off(int flags, off_t off)
{
	return (flags & RWF_APPEND) ? TW_OFF_APPEND : off;
}

/* From the fd table: no fstat, which on FUSE refreshes the size the program sees. */
static int regular_file(int fd, struct tw_fd *f)
{
	return tw_fd_get(fd, f) == 0 && f->regular;
}

/*
 * What an iovec array asks for, before the real call has looked at it: the
 * array may be a bad address, or longer than IOV_MAX, which the kernel
 * refuses by the count alone without reading it. Copied through the kernel
 * a chunk at a time; 0 when it cannot be read (the call then fails).
 */
#define TW_IOV_CHUNK 64

static size_t iov_total(const struct iovec *iov, int iovcnt)
{
	struct iovec chunk[TW_IOV_CHUNK];
	size_t n = 0;
	int i, k, take;

	if (!iov || iovcnt <= 0 || iovcnt > IOV_MAX) {
		return 0;
	}
	for (i = 0; i < iovcnt; i += take) {
		take = iovcnt - i < TW_IOV_CHUNK ? iovcnt - i : TW_IOV_CHUNK;
		if (tw_safe_copy(chunk, iov + i, (size_t)take * sizeof(*iov))) {
			return 0;
		}
		for (k = 0; k < take; k++) {
			n += chunk[k].iov_len;
		}
	}
	return n;
}

/*
 * iovcnt >= 0: addr is an iovec array, whose total is taken only once the
 * call is known to be recorded (a pipe or socket pays no copy).
 */
static void io_begin(struct tw_io *io, const char *name, int op, int fd,
		     int64_t offset, size_t len, const void *addr, int iovcnt,
		     const void *caller)
{
	int saved = errno;
	struct tw_fd f;

	io->name = name;
	io->op = op;
	io->tracked = 0;
	io->watched = tw_enter() && tw_active && !tw_from_tracer(caller);
	if (!io->watched || !regular_file(fd, &f)) {
		errno = saved;
		return;
	}
	io->tracked = 1;
	if (iovcnt >= 0) {
		len = iov_total(addr, iovcnt);
	}
	if (unlikely(__atomic_load_n(&tw_uring_rings, __ATOMIC_RELAXED))) {
		tw_uring_poll_all(name);
	}
	/* Linux appends on O_APPEND whatever offset pwrite was given. */
	io->append = op == TW_OP_WRITE &&
		     (offset == TW_OFF_APPEND || (f.flags & O_APPEND));
	io->shared = (op == TW_OP_READ || op == TW_OP_WRITE) &&
		     (offset < 0 || io->append);
	if (io->append) {
		offset = -1;
		io->size = tw_fd_size(fd);
	}
	if (io->shared) {
		io->seq = tw_fd_busy_begin(fd, &io->overlapped);
	}
	tw_call_init(&io->c, name, op, fd, f.dev, f.ino, offset, len,
		     (uint64_t)(uintptr_t)addr);
	io->c.flags = f.flags;
	tw_emit_call_begin(&io->c);
	errno = saved;
}

/*
 * Where the kernel put the bytes. Without an offset the call moved the
 * fd's position by ret: it began ret earlier. Appending, the file grew by
 * exactly ret from where it began, or someone else wrote too. Another call
 * on the same fd in flight meanwhile may have moved either: unknown (-1),
 * which the analyzer takes as "may have written anywhere".
 */
static void io_settle(struct tw_io *io, ssize_t ret, int err)
{
	int64_t end = -1;

	io->c.ret = ret;
	io->c.err = ret < 0 ? err : 0;
	if (!io->shared) {
		return;
	}
	if (ret > 0 && io->append) {
		end = tw_fd_size(io->c.fd);
		io->c.offset = io->size >= 0 && end - io->size == ret ?
			       io->size : -1;
	} else if (ret > 0) {
		end = lseek(io->c.fd, 0, SEEK_CUR);
		io->c.offset = end >= ret ? (int64_t)(end - ret) : -1;
	}
	if (tw_fd_busy_end(io->c.fd, io->seq, io->overlapped)) {
		io->c.offset = -1;
	}
}

/* The bytes a read delivered, by buffer, for stores into mappings. */
static void delivered(const char *name, ssize_t ret, const void *buf,
		      const struct iovec *iov, int iovcnt)
{
	size_t left = (size_t)ret;
	int i;

	if (!iov) {
		tw_kernel_stored(name, buf, left);
		return;
	}
	for (i = 0; i < iovcnt && left > 0; i++) {
		size_t take = iov[i].iov_len < left ? iov[i].iov_len : left;

		tw_kernel_stored(name, iov[i].iov_base, take);
		left -= take;
	}
}

static void io_end(struct tw_io *io, ssize_t ret, const void *buf,
		   const struct iovec *iov, int iovcnt)
{
	int saved = errno;

	if (io->tracked) {
		io_settle(io, ret, saved);
		if (ret > 0 && io->c.offset >= 0 &&
		    (io->c.op == TW_OP_READ || io->c.op == TW_OP_WRITE)) {
			if (iov) {
				tw_pieces_emit_iov(io->c.cid, TW_PIECE_DATA,
						   (uint64_t)io->c.offset, iov,
						   iovcnt, (size_t)ret);
			} else {
				tw_pieces_emit(io->c.cid, TW_PIECE_DATA,
					       (uint64_t)io->c.offset, buf,
					       (size_t)ret);
			}
		}
		tw_emit_call_end(&io->c);
	}
	/* From a pipe or a file, the bytes may land in a mapped file. */
	if (io->watched && ret > 0 && io->op == TW_OP_READ) {
		delivered(io->name, ret, buf, iov, iovcnt);
	}
	tw_leave();
	errno = saved;
}


/* Buffer calls: name, op, parameters, arguments, offset expression. */
#define TW_BUF_HOOK(name, op, params, args, fd, buf, n, off)		\
TW_EXPORT ssize_t name params						\
{									\
	struct tw_io io;						\
	ssize_t ret;							\
									\
	TW_NOSYS_RET(name, -1);					\
	io_begin(&io, #name, op, fd, off, n, buf, -1, TW_CALLER());	\
	ret = tw_real_##name args;					\
	io_end(&io, ret, buf, NULL, 0);					\
	return ret;							\
}

#define TW_IOV_HOOK(name, op, params, args, fd, iov, cnt, off)		\
TW_EXPORT ssize_t name params						\
{									\
	struct tw_io io;						\
	ssize_t ret;							\
									\
	TW_NOSYS_RET(name, -1);					\
	io_begin(&io, #name, op, fd, off, 0, iov, cnt, TW_CALLER());	\
	ret = tw_real_##name args;					\
	io_end(&io, ret, NULL, iov, cnt);				\
	return ret;							\
}

TW_BUF_HOOK(read, TW_OP_READ, (int fd, void *b, size_t n), (fd, b, n),
	    fd, b, n, -1)
TW_BUF_HOOK(__read_chk, TW_OP_READ, (int fd, void *b, size_t n, size_t bl),
	    (fd, b, n, bl), fd, b, n, -1)
TW_BUF_HOOK(pread, TW_OP_READ, (int fd, void *b, size_t n, off_t o),
	    (fd, b, n, o), fd, b, n, o)
TW_BUF_HOOK(pread64, TW_OP_READ, (int fd, void *b, size_t n, off_t o),
	    (fd, b, n, o), fd, b, n, o)
TW_BUF_HOOK(__pread_chk, TW_OP_READ,
	    (int fd, void *b, size_t n, off_t o, size_t bl), (fd, b, n, o, bl),
	    fd, b, n, o)
TW_BUF_HOOK(__pread64_chk, TW_OP_READ,
	    (int fd, void *b, size_t n, off_t o, size_t bl), (fd, b, n, o, bl),
	    fd, b, n, o)
TW_BUF_HOOK(write, TW_OP_WRITE, (int fd, const void *b, size_t n),
	    (fd, b, n), fd, b, n, -1)
TW_BUF_HOOK(pwrite, TW_OP_WRITE, (int fd, const void *b, size_t n, off_t o),
	    (fd, b, n, o), fd, b, n, o)
TW_BUF_HOOK(pwrite64, TW_OP_WRITE,
	    (int fd, const void *b, size_t n, off_t o), (fd, b, n, o),
	    fd, b, n, o)

TW_IOV_HOOK(readv, TW_OP_READ, (int fd, const struct iovec *v, int c),
	    (fd, v, c), fd, v, c, -1)
TW_IOV_HOOK(preadv, TW_OP_READ,
	    (int fd, const struct iovec *v, int c, off_t o), (fd, v, c, o),
	    fd, v, c, o)
TW_IOV_HOOK(preadv64, TW_OP_READ,
	    (int fd, const struct iovec *v, int c, off_t o), (fd, v, c, o),
	    fd, v, c, o)
TW_IOV_HOOK(preadv2, TW_OP_READ,
	    (int fd, const struct iovec *v, int c, off_t o, int f),
	    (fd, v, c, o, f), fd, v, c, o)
TW_IOV_HOOK(preadv64v2, TW_OP_READ,
	    (int fd, const struct iovec *v, int c, off_t o, int f),
	    (fd, v, c, o, f), fd, v, c, o)
TW_IOV_HOOK(writev, TW_OP_WRITE, (int fd, const struct iovec *v, int c),
	    (fd, v, c), fd, v, c, -1)
TW_IOV_HOOK(pwritev, TW_OP_WRITE,
	    (int fd, const struct iovec *v, int c, off_t o), (fd, v, c, o),
	    fd, v, c, o)
TW_IOV_HOOK(pwritev64, TW_OP_WRITE,
	    (int fd, const struct iovec *v, int c, off_t o), (fd, v, c, o),
	    fd, v, c, o)
TW_IOV_HOOK(pwritev2, TW_OP_WRITE,
	    (int fd, const struct iovec *v, int c, off_t o, int f),
	    (fd, v, c, o, f), fd, v, c, rwf_off(f, o))
TW_IOV_HOOK(pwritev64v2, TW_OP_WRITE,
	    (int fd, const struct iovec *v, int c, off_t o, int f),
	    (fd, v, c, o, f), fd, v, c, rwf_off(f, o))

/*
 * The fsync family writes back the file's pages, those stored through its
 * mappings too: each mapping of the file in this process is synced as an
 * msync would, a barrier when the call waits for the write-back.
 */
#define TW_SYNC_HOOK(name, op, params, args, fd, off, len, barrier)	\
TW_EXPORT int name params						\
{									\
	struct msync_state *st = NULL;					\
	struct tw_io io;						\
	int ret, saved;							\
	uint64_t lo = (off) > 0 ? (uint64_t)(off) : 0;			\
	uint64_t hi = (len) > 0 ? lo + (uint64_t)(len) : UINT64_MAX;	\
									\
	TW_NOSYS_RET(name, -1);					\
	io_begin(&io, #name, op, fd, off, len, NULL, -1, TW_CALLER());	\
	if (io.tracked) {						\
		saved = errno;						\
		st = tw_mapped_sync_begin(#name, io.c.dev, io.c.ino, lo,	\
					  hi, (barrier));		\
		errno = saved;						\
	}								\
	ret = tw_real_##name args;					\
	saved = errno;							\
	tw_mapped_sync_end(st, #name, ret, saved);			\
	errno = saved;							\
	io_end(&io, ret, NULL, NULL, 0);				\
	return ret;							\
}

TW_SYNC_HOOK(fsync, TW_OP_FSYNC, (int fd), (fd), fd, 0, 0, 1)
TW_SYNC_HOOK(fdatasync, TW_OP_FSYNC, (int fd), (fd), fd, 0, 0, 1)
TW_SYNC_HOOK(sync_file_range, TW_OP_FSYNC,
	     (int fd, off_t o, off_t n, unsigned int f),
	     (fd, o, n, f), fd, o, (size_t)n,
	     (f & SYNC_FILE_RANGE_WRITE) && (f & SYNC_FILE_RANGE_WAIT_AFTER))

/* Closing a ring's fd ends its I/O as far as the program can know. */
TW_EXPORT int close(int fd)
{
	struct tw_io io;
	int ret;

	TW_NOSYS_RET(close, -1);
	io_begin(&io, "close", TW_OP_OTHER, fd, -1, 0, NULL, -1,
		 TW_CALLER());
	if (io.watched && unlikely(__atomic_load_n(&tw_uring_rings,
						   __ATOMIC_RELAXED))) {
		int saved = errno;

		tw_uring_closing(fd);
		errno = saved;
	}
	ret = tw_close_guarded(fd);
	/* Linux frees the number even when close fails with EINTR or EIO. */
	tw_fd_forget(fd);
	if (io.watched) {
		tw_unseen_fd_gone("close", fd);
	}
	io_end(&io, ret, NULL, NULL, 0);
	return ret;
}

/*
 * Truncated, or created: nothing written before is required any more. A
 * file system that reuses an unlinked file's inode number for the new one
 * makes this the line between the two files' versions. An O_CREAT open
 * without O_EXCL does not say whether it created the file: the analyzer
 * learns that from the removal of the number's last name (name-hooks.c).
 */
static void emptied(const char *call, int fd, const struct tw_fd *f)
{
	struct tw_call c;

	tw_call_init(&c, call, TW_OP_ZERO, fd, f->dev, f->ino, 0, 0, 0);
	tw_emit_call_begin(&c);
	tw_emit_call_end(&c);
}

/* A new descriptor for a regular file: say which file and by what path. */
static void opened(const char *call, int fd, int flags, const char *path)
{
	char link[64], target[PATH_MAX];
	struct tw_file_open o;
	struct tw_fd f;
	ssize_t n;

	if (!regular_file(fd, &f)) {
		return;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		path = target;
	}
	o.pid = tw_pid();
	o.tid = tw_tid();
	o.fn = (uint16_t)tw_fn_of(call);
	o.fd = fd;
	o.flags = flags;
	o.dev = f.dev;
	o.ino = f.ino;
	o.path = path ? path : "";
	tw_emit_file_open(&o);
	if ((flags & O_TRUNC) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) ||
	    (flags & O_TMPFILE) == O_TMPFILE) {
		emptied(call, fd, &f);
	}
}

/*
 * A new fd: what the table knew of the number is gone, at any depth (the
 * tracer's own fds reuse numbers too). A dup shares its source's file.
 */
static int fd_end(const char *call, int ret, int flags, const char *path,
		  const void *caller, int src)
{
	int saved = errno;

	if (ret >= 0 && src >= 0) {
		tw_fd_dup(src, ret);
	} else if (ret >= 0) {
		tw_fd_forget(ret);
	}
	if (tw_depth == 1 && tw_active && ret >= 0 && !tw_from_tracer(caller)) {
		opened(call, ret, flags, path);
		/* stdout and stderr write through 1 and 2, whatever made them. */
		tw_unseen_fd_made(call, ret);
	}
	tw_leave();
	errno = saved;
	return ret;
}

static int needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* The optional mode argument, there only when the flags create a file. */
#define TW_MODE_ARG(flags, mode)					\
	do {								\
		va_list ap;						\
									\
		if (needs_mode(flags)) {				\
			va_start(ap, flags);				\
			mode = va_arg(ap, mode_t);			\
			va_end(ap);					\
		}							\
	} while (0)

#define TW_OPEN_HOOK(name)						\
TW_EXPORT int name(const char *path, int flags, ...)			\
{									\
	mode_t mode = 0;						\
									\
	TW_NOSYS_RET(name, -1);					\
	TW_MODE_ARG(flags, mode);					\
	tw_enter();							\
	return fd_end(#name, tw_real_##name(path, flags, mode), flags,	\
		      path, TW_CALLER(), -1);				\
}

#define TW_OPENAT_HOOK(name)						\
TW_EXPORT int name(int dirfd, const char *path, int flags, ...)		\
{									\
	mode_t mode = 0;						\
									\
	TW_NOSYS_RET(name, -1);					\
	TW_MODE_ARG(flags, mode);					\
	tw_enter();							\
	return fd_end(#name, tw_real_##name(dirfd, path, flags, mode),	\
		      flags, path, TW_CALLER(), -1);			\
}

TW_OPEN_HOOK(open)
TW_OPEN_HOOK(open64)
TW_OPENAT_HOOK(openat)
TW_OPENAT_HOOK(openat64)

TW_EXPORT int __open_2(const char *path, int flags)
{
	TW_NOSYS_RET(__open_2, -1);
	tw_enter();
	return fd_end("__open_2", tw_real___open_2(path, flags), flags, path,
		      TW_CALLER(), -1);
}

TW_EXPORT int __open64_2(const char *path, int flags)
{
	TW_NOSYS_RET(__open64_2, -1);
	tw_enter();
	return fd_end("__open64_2", tw_real___open64_2(path, flags), flags,
		      path, TW_CALLER(), -1);
}

TW_EXPORT int creat(const char *path, mode_t mode)
{
	TW_NOSYS_RET(creat, -1);
	tw_enter();
	return fd_end("creat", tw_real_creat(path, mode),
		      O_CREAT | O_WRONLY | O_TRUNC, path, TW_CALLER(), -1);
}

TW_EXPORT int creat64(const char *path, mode_t mode)
{
	TW_NOSYS_RET(creat64, -1);
	tw_enter();
	return fd_end("creat64", tw_real_creat64(path, mode),
		      O_CREAT | O_WRONLY | O_TRUNC, path, TW_CALLER(), -1);
}

TW_EXPORT int dup(int fd)
{
	TW_NOSYS_RET(dup, -1);
	tw_enter();
	return fd_end("dup", tw_real_dup(fd), 0, NULL, TW_CALLER(), fd);
}

TW_EXPORT int dup2(int fd, int fd2)
{
	TW_NOSYS_RET(dup2, -1);
	tw_track_fd_wanted(fd2);
	tw_enter();
	return fd_end("dup2", tw_real_dup2(fd, fd2), 0, NULL, TW_CALLER(),
		      fd);
}

TW_EXPORT int dup3(int fd, int fd2, int flags)
{
	TW_NOSYS_RET(dup3, -1);
	tw_track_fd_wanted(fd2);
	tw_enter();
	return fd_end("dup3", tw_real_dup3(fd, fd2, flags), flags, NULL,
		      TW_CALLER(), fd);
}
