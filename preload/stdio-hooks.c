/* SPDX-License-Identifier: MIT */
/*
 * stdio: a FILE's bytes reach the kernel through libc's internal write,
 * which no hook sees. A FILE that can write to a regular file is marked
 * (unseen.h) from the moment it exists, and released by fclose. fopen's
 * own open is internal too: the hook names the file (file_open) and makes
 * the fd table forget what it knew of the number, which libc may have
 * closed inside itself (fclose) and now reuses.
 *
 * The FILE is only looked into (fileno) once libc returned it; the mode
 * string is read once the real call accepted it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core.h"
#include "emit.h"
#include "fdtable.h"
#include "tornwatch-events.h"
#include "unseen.h"

static int writing(const char *mode)
{
	return mode && (mode[0] == 'w' || mode[0] == 'a' || strchr(mode, '+'));
}

/* The FILE libc just made (f may be NULL); watched: depth 1, traced. */
static FILE *made_file(const char *call, FILE *f, const char *mode,
		       int watched)
{
	int saved = errno, fd;

	if (f) {
		fd = fileno(f);
		if (fd >= 0) {
			tw_fd_forget(fd);
		}
		if (watched && fd >= 0) {
			tw_unseen_name(call, fd);
			if (writing(mode)) {
				tw_unseen_mark(call, fd, f, TW_UNSEEN_STDIO);
			}
		}
	}
	tw_leave();
	errno = saved;
	return f;
}

TW_EXPORT FILE *fopen(const char *path, const char *mode)
{
	int w;

	TW_NOSYS_RET(fopen, NULL);
	w = tw_watch(TW_CALLER());
	return made_file("fopen", tw_real_fopen(path, mode), mode, w);
}

TW_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	int w;

	TW_NOSYS_RET(fopen64, NULL);
	w = tw_watch(TW_CALLER());
	return made_file("fopen64", tw_real_fopen64(path, mode), mode, w);
}

TW_EXPORT FILE *tmpfile(void)
{
	int w;

	TW_NOSYS_RET(tmpfile, NULL);
	w = tw_watch(TW_CALLER());
	return made_file("tmpfile", tw_real_tmpfile(), "w+", w);
}

TW_EXPORT FILE *tmpfile64(void)
{
	int w;

	TW_NOSYS_RET(tmpfile64, NULL);
	w = tw_watch(TW_CALLER());
	return made_file("tmpfile64", tw_real_tmpfile64(), "w+", w);
}

/* No new fd: the FILE now writes through one the program had. */
TW_EXPORT FILE *fdopen(int fd, const char *mode)
{
	FILE *f;
	int w, saved;

	TW_NOSYS_RET(fdopen, NULL);
	w = tw_watch(TW_CALLER());
	f = tw_real_fdopen(fd, mode);
	saved = errno;
	if (w && f && writing(mode)) {
		tw_unseen_mark("fdopen", fd, f, TW_UNSEEN_STDIO);
	}
	tw_leave();
	errno = saved;
	return f;
}

/*
 * freopen closes the FILE's old fd inside libc: its marks end whether the
 * new open worked or not (f is only compared, never looked into).
 */
#define TW_FREOPEN_HOOK(name)							\
TW_EXPORT FILE *name(const char *path, const char *mode, FILE *f)		\
{										\
	FILE *ret;								\
	int w, saved;								\
										\
	TW_NOSYS_RET(name, NULL);						\
	w = tw_watch(TW_CALLER());						\
	ret = tw_real_##name(path, mode, f);					\
	saved = errno;								\
	if (w && __atomic_load_n(&tw_unseen_stdio_n, __ATOMIC_RELAXED)) {	\
		tw_unseen_release_key(#name, f);				\
	}									\
	errno = saved;								\
	return made_file(#name, ret, mode, w);					\
}

TW_FREOPEN_HOOK(freopen)
TW_FREOPEN_HOOK(freopen64)

/*
 * The flush is done when fclose returns: the FILE writes no more. A FILE
 * never marked costs one load.
 */
TW_EXPORT int fclose(FILE *f)
{
	int ret, w, saved;

	TW_NOSYS_RET(fclose, EOF);
	w = tw_watch(TW_CALLER());
	ret = tw_real_fclose(f);
	saved = errno;
	if (w && __atomic_load_n(&tw_unseen_stdio_n, __ATOMIC_RELAXED)) {
		tw_unseen_release_key("fclose", f);
	}
	tw_leave();
	errno = saved;
	return ret;
}
