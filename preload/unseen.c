/* SPDX-License-Identifier: MIT */
/*
 * The marks of files written past every hook. glibc's stdio flushes a
 * FILE, and its POSIX AIO helper threads write, with libc's internal
 * write and pwrite: the bytes reach the file and no hook sees them. Such a
 * file is marked when a writer may start (a writing fopen, fd 1 or 2 made
 * a file, an aio_write accepted) and released when it can write no more
 * (fclose, the fd closed or replaced, the I/O reaped). A mark costs two
 * events; the table is only looked at while a mark of its kind is open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "core.h"
#include "emit.h"
#include "fdtable.h"
#include "tornwatch-events.h"
#include "unseen.h"

#define TW_UNSEEN_MAX 256

struct mark {
	const void *key;	/* the FILE or aiocb writing */
	uint64_t cid;		/* the mark's call id, named by its release */
	uint64_t dev;
	uint64_t ino;
	int fd;
	int how;		/* TW_UNSEEN_STDIO, TW_UNSEEN_POSIX_AIO */
	int used;
};

static struct mark marks[TW_UNSEEN_MAX];
static int nslots;		/* slots ever used: the scans' bound */
static int lock;
int tw_unseen_stdio_n;
int tw_unseen_aio_n;

static int *count_of(int how)
{
	return how == TW_UNSEEN_STDIO ? &tw_unseen_stdio_n : &tw_unseen_aio_n;
}

static void marker(const struct tw_call *c)
{
	tw_emit_call_begin(c);
	tw_emit_call_end(c);
}

static void marker_init(struct tw_call *c, const char *call, int fd,
			uint64_t dev, uint64_t ino, uint64_t addr, int flags)
{
	tw_call_init(c, call, TW_OP_UNSEEN, fd, dev, ino, -1, 0, addr);
	c->flags = flags;
}

/* A slot taken out under the lock; its release is emitted after. */
static void take(struct mark *m, struct mark *out)
{
	*out = *m;
	m->used = 0;
	__atomic_sub_fetch(count_of(m->how), 1, __ATOMIC_RELAXED);
}

static void release_all(const char *call, const struct mark *gone, int n)
{
	struct tw_call c;
	int i;

	for (i = 0; i < n; i++) {
		marker_init(&c, call, gone[i].fd, gone[i].dev, gone[i].ino,
			    gone[i].cid, TW_UNSEEN_RELEASE | gone[i].how);
		marker(&c);
	}
}

void tw_unseen_mark(const char *call, int fd, const void *key, int how)
{
	struct tw_call c;
	struct tw_fd f;
	int saved = errno, i, slot = -1, known = 0;

	if (tw_fd_get(fd, &f) != 0 || !f.regular ||
	    (f.flags & O_ACCMODE) == O_RDONLY) {
		errno = saved;
		return;
	}
	marker_init(&c, call, fd, f.dev, f.ino, 0, TW_UNSEEN_MARK | how);
	tw_spin_lock(&lock);
	for (i = 0; i < nslots && !known; i++) {
		known = marks[i].used && marks[i].key == key &&
			marks[i].fd == fd && marks[i].dev == f.dev &&
			marks[i].ino == f.ino;
		if (!marks[i].used && slot < 0) {
			slot = i;
		}
	}
	if (!known && slot < 0 && nslots < TW_UNSEEN_MAX) {
		slot = nslots++;
	}
	/* A full table keeps no slot: the mark is never released, which is safe. */
	if (!known && slot >= 0) {
		marks[slot] = (struct mark){ key, c.cid, f.dev, f.ino, fd, how, 1 };
		__atomic_add_fetch(count_of(how), 1, __ATOMIC_RELAXED);
	}
	tw_spin_unlock(&lock);
	if (!known) {
		marker(&c);
	}
	errno = saved;
}

/* Takes out the marks match() selects, up to max; how many. */
static int take_if(int (*match)(const struct mark *, const void *, int),
		   const void *key, int fd, struct mark *out, int max)
{
	int i, n = 0;

	tw_spin_lock(&lock);
	for (i = 0; i < nslots && n < max; i++) {
		if (marks[i].used && match(&marks[i], key, fd)) {
			take(&marks[i], &out[n++]);
		}
	}
	tw_spin_unlock(&lock);
	return n;
}

static int by_key(const struct mark *m, const void *key, int fd)
{
	(void)fd;
	return m->key == key;
}

static int stdio_by_fd(const struct mark *m, const void *key, int fd)
{
	(void)key;
	return m->how == TW_UNSEEN_STDIO && m->fd == fd;
}

void tw_unseen_release_key(const char *call, const void *key)
{
	struct mark gone[8];
	int saved = errno, n;

	do {
		n = take_if(by_key, key, -1, gone, 8);
		release_all(call, gone, n);
	} while (n == 8);
	errno = saved;
}

void tw_unseen_fd_gone(const char *call, int fd)
{
	struct mark gone[8];
	int saved = errno, n;

	if (!__atomic_load_n(&tw_unseen_stdio_n, __ATOMIC_RELAXED)) {
		return;
	}
	do {
		n = take_if(stdio_by_fd, NULL, fd, gone, 8);
		release_all(call, gone, n);
	} while (n == 8);
	errno = saved;
}

/*
 * The FILEs writing through fd now write to the file fd names now: their
 * marks move to it. stdout and stderr write through 1 and 2 whatever made
 * them (open after close(1), dup2, F_DUPFD).
 */
void tw_unseen_fd_made(const char *call, int fd)
{
	const void *keys[9];
	struct mark gone[8];
	int saved = errno, n = 0, k, std = 0;

	if (__atomic_load_n(&tw_unseen_stdio_n, __ATOMIC_RELAXED)) {
		n = take_if(stdio_by_fd, NULL, fd, gone, 8);
		release_all(call, gone, n);
	}
	for (k = 0; k < n; k++) {
		keys[k] = gone[k].key;
	}
	if (fd == 1 || fd == 2) {
		const void *s = fd == 1 ? (const void *)stdout : (const void *)stderr;

		for (k = 0; k < n && keys[k] != s; k++) {
		}
		std = k == n;
		keys[n] = s;
	}
	for (k = 0; k < n + std; k++) {
		tw_unseen_mark(call, fd, keys[k], TW_UNSEEN_STDIO);
	}
	errno = saved;
}

void tw_unseen_name(const char *call, int fd)
{
	char link[64], target[PATH_MAX];
	struct tw_file_open o;
	struct tw_fd f;
	ssize_t n;

	if (tw_fd_get(fd, &f) != 0 || !f.regular) {
		return;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	o.pid = tw_pid();
	o.tid = tw_tid();
	o.fn = (uint16_t)tw_fn_of(call);
	o.fd = fd;
	o.flags = f.flags;
	o.dev = f.dev;
	o.ino = f.ino;
	o.path = target;
	tw_emit_file_open(&o);
}

/* A thread holding the lock at fork is gone in the child. */
static void unlock_in_child(void)
{
	lock = 0;
}

void tw_unseen_start(void)
{
	int fd;

	pthread_atfork(NULL, NULL, unlock_in_child);
	/* Opened before us (a shell's redirection): named here, for the report. */
	for (fd = 1; fd <= 2; fd++) {
		int n = tw_unseen_stdio_n;

		tw_unseen_mark("start", fd, fd == 1 ? (const void *)stdout :
						      (const void *)stderr,
			       TW_UNSEEN_STDIO);
		if (tw_unseen_stdio_n != n) {
			tw_unseen_name("start", fd);
		}
	}
}

void tw_unseen_fork(void)
{
	struct tw_call c;
	int saved = errno;

	if (tw_depth != 1 || !tw_active ||
	    !(__atomic_load_n(&tw_unseen_stdio_n, __ATOMIC_RELAXED) |
	      __atomic_load_n(&tw_unseen_aio_n, __ATOMIC_RELAXED))) {
		return;
	}
	marker_init(&c, "fork", -1, 0, 0, 0, TW_UNSEEN_FORK);
	marker(&c);
	errno = saved;
}
