/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "locate.h"
#include "paths.h"

#define LIB "libtornwatch.so"

/* 0 when path names a readable regular file; else -1 with errno. */
static int usable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return access(path, R_OK);
}

static int from_env(const char *env, char *buf, size_t len, char *why,
		    size_t wlen)
{
	if (usable(env) != 0) {
		snprintf(why, wlen, "TORNWATCH_LIB=\"%s\": %s", env,
			 errno == ENOENT ? "that path does not exist" :
			 strerror(errno));
		return -1;
	}
	snprintf(buf, len, "%s", env);
	return 0;
}

static int take(const char *cand, char *buf, size_t len)
{
	char *real;

	if (usable(cand) != 0 || !(real = realpath(cand, NULL))) {
		return -1;
	}
	snprintf(buf, len, "%s", real);
	free(real);
	return 0;
}

int tw_locate_lib(char *buf, size_t len, char *why, size_t wlen)
{
	const char *env = getenv("TORNWATCH_LIB");
	char exe[4096], cand[3][8192];
	ssize_t n;
	char *slash = NULL;
	size_t i, k = 0;

	if (env && *env) {
		return from_env(env, buf, len, why, wlen);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
		}
	}
	if (n > 0 && slash) {
		snprintf(cand[k++], sizeof(cand[0]), "%s/../preload/" LIB, exe);
	}
	snprintf(cand[k++], sizeof(cand[0]), "%s/" LIB, TW_LIBDIR);
	if (n > 0 && slash) {
		snprintf(cand[k++], sizeof(cand[0]), "%s/../%s/" LIB, exe,
			 TW_LIBDIR_REL);
	}
	for (i = 0; i < k; i++) {
		if (take(cand[i], buf, len) == 0) {
			return 0;
		}
	}
	snprintf(why, wlen, "cannot find " LIB " (not in %s%s%s); set "
		 "TORNWATCH_LIB to its path", TW_LIBDIR,
		 n > 0 && slash ? " nor beside the tornwatch executable in " : "",
		 n > 0 && slash ? exe : "");
	return -1;
}
