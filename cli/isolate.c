/* SPDX-License-Identifier: MIT */
/*
 * Every traced program on the machine registers with the one session
 * daemon and would write into every session that enables tornwatch:*, so a
 * run's trace held them all, and a stalled one slowed every other. As root,
 * tornwatch run moves itself (and so the command and all it starts) into a
 * UTS namespace of its own and records only what runs there. The hostname
 * is the same copy; only sethostname would differ, and then not for the
 * rest of the machine.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include "isolate.h"

uint64_t tw_isolate_uts(void)
{
	struct stat st;

	if (unshare(CLONE_NEWUTS) != 0 || stat("/proc/self/ns/uts", &st) != 0) {
		return 0;
	}
	return (uint64_t)st.st_ino;
}

int tw_isolate_filter(uint64_t ns, char *buf, size_t len)
{
	return snprintf(buf, len, "$ctx.uts_ns == %llu", (unsigned long long)ns);
}
