/* SPDX-License-Identifier: MIT */
/*
 * Kernel write tracking of the tracked MAP_SHARED mappings (Linux 6.7+):
 * the kernel marks every page written by any means (a store by pointer, a
 * copy the compiler inlined, read() into it), and a scan reads the marks
 * and protects the pages again in one step. Where it is refused, the
 * hooks' own marks are all there is ("hooks only").
 */
#ifndef TW_WRITE_TRACK_H
#define TW_WRITE_TRACK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Registers [addr, addr+len) (page-aligned) and protects it: 0, or the
 * negative errno of the refusal (-EINVAL: the file system cannot, -EBUSY:
 * the program owns userfaultfd there or uses it, -ENOSYS/-EPERM: the
 * kernel or its policy). Depth 1 only.
 */
int tw_track_register(uintptr_t addr, size_t len);

/*
 * Calls mark(arg, start, end) for each run of pages of [addr, addr+len)
 * written since the last scan, and protects them again: 0, or -EPERM when
 * the range is not (or no longer) registered in this process (then the
 * caller cannot know what was written), another negative errno on failure.
 */
int tw_track_scan(uintptr_t addr, size_t len,
		  void (*mark)(void *arg, uintptr_t start, uintptr_t end),
		  void *arg);

/* Tracking on in this process: what a failed registration said, or 0. */
int tw_track_refused(void);

/*
 * The program creates a userfaultfd of its own: ours steps aside (every
 * registration dropped, tracking off for good in this process) so that
 * its registrations never meet ours.
 */
void tw_track_step_aside(void);

/* In a fork child: the parent's descriptors go (they describe its mappings). */
void tw_track_after_fork_child(void);

/* Is fd one of ours? Then the program never held it (tracer-fds.h). */
int tw_track_owns_fd(int fd);
/* dup2/dup3 are about to take fd: ours moves out of the way first. */
void tw_track_fd_wanted(int fd);

#endif
