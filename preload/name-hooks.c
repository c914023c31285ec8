/* SPDX-License-Identifier: MIT */
/*
 * unlink, unlinkat, remove, rename, renameat, renameat2: a name of a regular
 * file goes away. When it was the file's last link, the file lives on only
 * for the descriptors and mappings that hold it; once they are gone, ext4
 * and xfs give its inode number to the next file made, and the analyzer,
 * which knows files by (st_dev, st_ino), must not take the new file for the
 * old one. So the removal is recorded (op unlink) with the (dev, ino) and
 * link count the name had just before the call.
 *
 * The name's inode is asked of the kernel by one statx before the call:
 * AT_STATX_DONT_SYNC (the attributes the kernel holds, never a round trip
 * to a FUSE daemon or NFS server) and AT_SYMLINK_NOFOLLOW (the name itself,
 * as unlink and rename see it). The call itself looks the same name up
 * right after; the path is read by the kernel only, so a bad pointer makes
 * statx fail, never the program. Nothing is learnt from the fd table: the
 * remover is often not the process that opened the file (rm, a cleanup).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "core.h"
#include "emit.h"
#include "tornwatch-events.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

struct name_of {
	uint64_t dev;
	uint64_t ino;
	uint32_t nlink;
};

/* 1 when the name is a regular file's, with its identity in *n. */
static int regular_name(int dirfd, const char *path, struct name_of *n)
{
	struct statx stx;

	if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO | STATX_NLINK, &stx) != 0 ||
	    (stx.stx_mask & (STATX_TYPE | STATX_INO)) !=
		    (STATX_TYPE | STATX_INO) ||
	    !S_ISREG(stx.stx_mode)) {
		return 0;
	}
	n->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	n->ino = stx.stx_ino;
	/* Unknown: taken as the last link, the safe side for the analyzer. */
	n->nlink = (stx.stx_mask & STATX_NLINK) ? stx.stx_nlink : 1;
	return 1;
}

struct removal {
	struct tw_call c;
	int recorded;
};

/* Before the call, errno kept: the begin event of a name going away. */
static void removal_begin(struct removal *r, const char *call,
			  const struct name_of *n)
{
	tw_call_init(&r->c, call, TW_OP_UNLINK, -1, n->dev, n->ino, 0, 0, 0);
	r->c.flags = (int32_t)n->nlink;
	tw_emit_call_begin(&r->c);
	r->recorded = 1;
}

static int removal_end(struct removal *r, int ret)
{
	int saved = errno;

	if (r->recorded) {
		r->c.ret = ret;
		r->c.err = ret < 0 ? saved : 0;
		tw_emit_call_end(&r->c);
	}
	tw_leave();
	errno = saved;
	return ret;
}

/* Entered the guard; the name's file, looked up when the call is traced. */
static void unlinking(struct removal *r, const char *call, int dirfd,
		      const char *path, int flags, const void *caller)
{
	struct name_of n;
	int saved = errno;

	r->recorded = 0;
	if (tw_watch(caller) && !(flags & AT_REMOVEDIR) &&
	    regular_name(dirfd, path, &n)) {
		removal_begin(r, call, &n);
	}
	errno = saved;
}

/*
 * A rename removes what newpath named, unless it exchanges the two, or
 * both names are links of one file (then rename does nothing).
 */
static void renaming(struct removal *r, const char *call, int olddir,
		     const char *oldpath, int newdir, const char *newpath,
		     unsigned int flags, const void *caller)
{
	struct name_of to, from;
	int saved = errno;

	r->recorded = 0;
	if (tw_watch(caller) && !(flags & RENAME_EXCHANGE) &&
	    regular_name(newdir, newpath, &to) &&
	    !(regular_name(olddir, oldpath, &from) && from.dev == to.dev &&
	      from.ino == to.ino)) {
		removal_begin(r, call, &to);
	}
	errno = saved;
}

TW_EXPORT int unlink(const char *path)
{
	struct removal r;

	TW_NOSYS_RET(unlink, -1);
	unlinking(&r, "unlink", AT_FDCWD, path, 0, TW_CALLER());
	return removal_end(&r, tw_real_unlink(path));
}

TW_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	struct removal r;

	TW_NOSYS_RET(unlinkat, -1);
	unlinking(&r, "unlinkat", dirfd, path, flags, TW_CALLER());
	return removal_end(&r, tw_real_unlinkat(dirfd, path, flags));
}

/* glibc's remove unlinks through an internal alias no unlink hook sees. */
TW_EXPORT int remove(const char *path)
{
	struct removal r;

	TW_NOSYS_RET(remove, -1);
	unlinking(&r, "remove", AT_FDCWD, path, 0, TW_CALLER());
	return removal_end(&r, tw_real_remove(path));
}

TW_EXPORT int rename(const char *oldpath, const char *newpath)
{
	struct removal r;

	TW_NOSYS_RET(rename, -1);
	renaming(&r, "rename", AT_FDCWD, oldpath, AT_FDCWD, newpath, 0,
		 TW_CALLER());
	return removal_end(&r, tw_real_rename(oldpath, newpath));
}

TW_EXPORT int renameat(int olddir, const char *oldpath, int newdir,
		       const char *newpath)
{
	struct removal r;

	TW_NOSYS_RET(renameat, -1);
	renaming(&r, "renameat", olddir, oldpath, newdir, newpath, 0,
		 TW_CALLER());
	return removal_end(&r, tw_real_renameat(olddir, oldpath, newdir,
						newpath));
}

TW_EXPORT int renameat2(int olddir, const char *oldpath, int newdir,
			const char *newpath, unsigned int flags)
{
	struct removal r;

	TW_NOSYS_RET(renameat2, -1);
	renaming(&r, "renameat2", olddir, oldpath, newdir, newpath, flags,
		 TW_CALLER());
	return removal_end(&r, tw_real_renameat2(olddir, oldpath, newdir,
						 newpath, flags));
}
