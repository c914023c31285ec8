/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "locate.h"

int tw_locate_lib(char *buf, size_t len)
{
	static const char *const rel[] = {
		"../lib/libtornwatch.so", "../preload/libtornwatch.so",
		"libtornwatch.so",
	};
	const char *env = getenv("TORNWATCH_LIB");
	char exe[4096], *slash;
	ssize_t n;
	size_t i;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, R_OK) == 0 ? 0 : -1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		return -1;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash) {
		return -1;
	}
	*slash = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char cand[8192], *real;

		snprintf(cand, sizeof(cand), "%s/%s", exe, rel[i]);
		real = realpath(cand, NULL);
		if (real && access(real, R_OK) == 0) {
			snprintf(buf, len, "%s", real);
			free(real);
			return 0;
		}
		free(real);
	}
	return -1;
}
