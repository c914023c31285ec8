/* SPDX-License-Identifier: MIT */
/*
 * Calls that change file data without a buffer to checksum: truncation and
 * hole punching make ranges read as zeros; copy_file_range, sendfile,
 * splice and some ioctls write data the process never held. Recorded as ranges, so that no
 * earlier version is still required there: without them a read after
 * truncate would look like data no one wrote.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "core.h"
#include "emit.h"
#include "pieces.h"
#include "fdtable.h"
#include "uffd-uapi.h"
#include "write-track.h"

struct tw_range_call {
	struct tw_call c;
	int recorded;
};

/*
 * truncate() names a path: looked up from the kernel's cache, as the fd
 * table does, since a stat on FUSE refreshes the size the program sees.
 */
static int path_file(const char *path, struct tw_fd *f)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO,
		  &stx) != 0) {
		return -errno;
	}
	f->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	f->ino = stx.stx_ino;
	f->flags = 0;
	f->regular = S_ISREG(stx.stx_mode);
	return 0;
}

/* The file is looked at only when the call is recorded: by fd, else by path. */
static int range_begin(struct tw_range_call *r, const char *name, int op,
		       int fd, const char *path, int64_t off, uint64_t len,
		       int flags, const void *caller)
{
	int saved = errno;
	struct tw_fd f;

	r->recorded = 0;
	if (!tw_enter() || !tw_active || tw_from_tracer(caller) ||
	    (path ? path_file(path, &f) : tw_fd_get(fd, &f)) != 0 ||
	    !f.regular) {
		errno = saved;
		return 0;
	}
	r->recorded = 1;
	tw_call_init(&r->c, name, op, fd, f.dev, f.ino, off, len, 0);
	r->c.flags = flags;
	tw_emit_call_begin(&r->c);
	errno = saved;
	return 1;
}

/* A call that moved a file offset by ret began ret before where it is now. */
static void range_end(struct tw_range_call *r, int64_t ret, int fixed_offset)
{
	int saved = errno;

	if (r->recorded) {
		r->c.ret = ret;
		r->c.err = ret < 0 ? saved : 0;
		if (!fixed_offset && ret > 0) {
			off_t cur = lseek(r->c.fd, 0, SEEK_CUR);

			r->c.offset = cur >= ret ? (int64_t)(cur - ret) : -1;
		}
		if (r->c.op == TW_OP_OPAQUE && ret > 0) {
			r->c.length = (uint64_t)ret;
		}
		tw_emit_call_end(&r->c);
	}
	tw_leave();
	errno = saved;
}

/*
 * An offset the program passes by pointer, read before the real call has
 * accepted the pointer: through the kernel, -1 when it cannot be read (the
 * call then fails with EFAULT and no offset is needed).
 */
static int64_t user_offset(const off_t *p)
{
	off_t v;

	if (!p || tw_depth != 0 || !tw_active || tw_safe_copy(&v, p, sizeof(v))) {
		return -1;
	}
	return (int64_t)v;
}

/*
 * Truncation makes the bytes past the new size absent, not zero; growing
 * the file makes [old size, new size) read as zeros: recorded as a range
 * of its own (length given), the only zeros a later read may be old for.
 */
static void grown(const struct tw_range_call *r, int64_t old, int64_t len,
		  int ret)
{
	struct tw_call c;
	int saved = errno;

	if (!r->recorded || ret != 0 || old < 0 || len <= old) {
		return;
	}
	tw_call_init(&c, tw_fn_name(r->c.fn), TW_OP_ZERO, r->c.fd, r->c.dev,
		     r->c.ino, old, (uint64_t)(len - old), 0);
	tw_emit_call_begin(&c);
	tw_emit_call_end(&c);
	errno = saved;
}

#define TW_FTRUNCATE(name)							\
TW_EXPORT int name(int fd, off_t len)						\
{										\
	struct tw_range_call r;							\
	int64_t old = -1;							\
	int ret;								\
										\
	TW_NOSYS_RET(name, -1);						\
	if (range_begin(&r, #name, TW_OP_ZERO, fd, NULL, len, 0, 0,		\
			TW_CALLER())) {						\
		old = tw_fd_size(fd);						\
	}									\
	ret = tw_real_##name(fd, len);						\
	grown(&r, old, len, ret);						\
	range_end(&r, ret, 1);							\
	return ret;								\
}

#define TW_TRUNCATE(name)							\
TW_EXPORT int name(const char *path, off_t len)				\
{										\
	struct tw_range_call r;							\
	int ret;								\
										\
	TW_NOSYS_RET(name, -1);						\
	range_begin(&r, #name, TW_OP_ZERO, -1, path, len, 0, 0, TW_CALLER());	\
	ret = tw_real_##name(path, len);					\
	range_end(&r, ret, 1);							\
	return ret;								\
}

TW_FTRUNCATE(ftruncate)
TW_FTRUNCATE(ftruncate64)
TW_TRUNCATE(truncate)
TW_TRUNCATE(truncate64)

/* Punch and zero clear a range; collapse and insert shift all that follows. */
static int fallocate_op(int mode, off_t off, off_t len, int64_t *from,
			uint64_t *count)
{
	*from = off;
	*count = (uint64_t)len;
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
		*count = 0;
		return TW_OP_OPAQUE;	/* data moved: unseen from off on */
	}
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		return TW_OP_ZERO;
	}
	return TW_OP_OTHER;
}

#define TW_FALLOCATE(name)							\
TW_EXPORT int name(int fd, int mode, off_t off, off_t len)			\
{										\
	struct tw_range_call r;							\
	uint64_t count;								\
	int64_t from;								\
	int ret, op = fallocate_op(mode, off, len, &from, &count);		\
										\
	TW_NOSYS_RET(name, -1);						\
	range_begin(&r, #name, op, fd, NULL, from, count, mode, TW_CALLER());	\
	ret = tw_real_##name(fd, mode, off, len);				\
	range_end(&r, ret, 1);							\
	return ret;								\
}

TW_FALLOCATE(fallocate)
TW_FALLOCATE(fallocate64)

TW_EXPORT ssize_t copy_file_range(int in, off_t *in_off, int out,
				  off_t *out_off, size_t len,
				  unsigned int flags)
{
	struct tw_range_call r;
	ssize_t ret;

	TW_NOSYS_RET(copy_file_range, -1);
	range_begin(&r, "copy_file_range", TW_OP_OPAQUE, out, NULL,
		    user_offset(out_off), len, 0, TW_CALLER());
	ret = tw_real_copy_file_range(in, in_off, out, out_off, len, flags);
	range_end(&r, ret, out_off != NULL);
	return ret;
}

#define TW_SENDFILE(name)							\
TW_EXPORT ssize_t name(int out, int in, off_t *in_off, size_t count)		\
{										\
	struct tw_range_call r;							\
	ssize_t ret;								\
										\
	TW_NOSYS_RET(name, -1);						\
	range_begin(&r, #name, TW_OP_OPAQUE, out, NULL, -1, count, 0,		\
		    TW_CALLER());						\
	ret = tw_real_##name(out, in, in_off, count);				\
	range_end(&r, ret, 0);							\
	return ret;								\
}

TW_SENDFILE(sendfile)
TW_SENDFILE(sendfile64)

TW_EXPORT ssize_t splice(int in, off_t *in_off, int out, off_t *out_off,
			 size_t len, unsigned int flags)
{
	struct tw_range_call r;
	ssize_t ret;

	TW_NOSYS_RET(splice, -1);
	range_begin(&r, "splice", TW_OP_OPAQUE, out, NULL,
		    user_offset(out_off), len, 0, TW_CALLER());
	ret = tw_real_splice(in, in_off, out, out_off, len, flags);
	range_end(&r, ret, out_off != NULL);
	return ret;
}

/*
 * ioctls that change a file's data without a buffer: FICLONE and
 * FICLONERANGE replace it with another file's, XFS's space calls (also
 * served by ext4: fsstress punches holes with XFS_IOC_UNRESVSP64) zero or
 * free ranges. Recorded as unseen from the destination offset to the end:
 * coarse, never wrong.
 */
static int data_ioctl(unsigned long req)
{
	unsigned int type = _IOC_TYPE(req), nr = _IOC_NR(req);

	if (type == 0x94) {
		return nr == 9 || nr == 13;	/* FICLONE, FICLONERANGE */
	}
	return type == 'X' && (nr == 10 || nr == 11 || (nr >= 40 && nr <= 45) ||
			       nr == 57);
}

TW_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	struct tw_range_call r;
	int64_t from = 0;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	TW_NOSYS_RET(ioctl, -1);
	/* A userfaultfd from /dev/userfaultfd: ours steps aside, as for the system call. */
	if (unlikely(req == TW_USERFAULTFD_IOC_NEW) && !tw_from_tracer(TW_CALLER())) {
		tw_track_step_aside();
	}
	if (likely(!data_ioctl(req))) {
		return tw_real_ioctl(fd, req, arg);
	}
	/* The kernel has not accepted arg yet: read it through the kernel. */
	if (req == FICLONERANGE && arg) {
		struct file_clone_range fcr;

		if (tw_safe_copy(&fcr, arg, sizeof(fcr)) == 0) {
			from = (int64_t)fcr.dest_offset;
		}
	}
	range_begin(&r, "ioctl", TW_OP_OPAQUE, fd, NULL, from, 0, (int)req,
		    TW_CALLER());
	ret = tw_real_ioctl(fd, req, arg);
	range_end(&r, ret, 1);
	return ret;
}
