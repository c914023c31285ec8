/* SPDX-License-Identifier: MIT */
/*
 * The descriptor table: an array indexed by fd, mapped on first use with
 * the real mmap, read without locks. A slot is filled by one statx with
 * AT_STATX_DONT_SYNC the first time its fd is used after an open or a
 * close, and copied by the dup family: no hook then stats a file, which on
 * a FUSE client would refresh its size from the daemon. Beyond the table,
 * every use looks the fd up the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "core.h"
#include "fdtable.h"
#include "tracer-fds.h"
#include "unseen.h"

#define TW_FDS 65536

struct slot {
	/*
	 * Sequence lock: odd while a writer fills the slot. Writers are the
	 * hooks of the call that made or closed the fd, readers any thread.
	 */
	uint32_t seq;
	int known;
	/*
	 * The fd whose counters stand for the open file description: dups
	 * share one offset, so they share counters. A reused owner number
	 * only makes more calls look overlapped, never fewer.
	 */
	int owner;
	struct tw_fd f;
	uint32_t ops;		/* calls on the shared offset begun */
	uint32_t busy;		/* and not yet ended */
};

static struct slot *table;

static struct slot *slots(void)
{
	struct slot *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
	struct slot *none = NULL;
	void *p;

	if (likely(t != NULL)) {
		return t;
	}
	if (!TW_REAL(mmap)) {
		return NULL;
	}
	/* Anonymous and untouched: only the pages of fds in use cost memory. */
	p = tw_real_mmap(NULL, TW_FDS * sizeof(struct slot),
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	if (!__atomic_compare_exchange_n(&table, &none, p, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (TW_REAL(munmap)) {
			tw_real_munmap(p, TW_FDS * sizeof(struct slot));
		}
		return none;
	}
	return p;
}

static struct slot *slot_of(int fd)
{
	struct slot *t;

	if (fd < 0 || fd >= TW_FDS || !(t = slots())) {
		return NULL;
	}
	return &t[fd];
}

static void slot_write(struct slot *s, const struct tw_fd *f, int known,
		       int owner)
{
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_ACQ_REL);
	if (f) {
		s->f = *f;
	}
	s->known = known;
	s->owner = owner;
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELEASE);
}

/* Whether a consistent copy was read. */
static int slot_read(struct slot *s, struct tw_fd *f, int *owner)
{
	uint32_t seq;
	int known, tries;

	for (tries = 0; tries < 8; tries++) {
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			continue;
		}
		known = s->known;
		*owner = s->owner;
		*f = s->f;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq) {
			return known;
		}
	}
	return 0;
}

/*
 * DONT_SYNC: the attributes the kernel has, never a round trip to a FUSE
 * daemon or an NFS server, which could change the size the program sees.
 */
static int lookup(int fd, struct tw_fd *f)
{
	struct statx stx;
	int fl;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO, &stx) != 0) {
		return -errno;
	}
	fl = TW_REAL(fcntl) ? tw_real_fcntl(fd, F_GETFL) : -1;
	f->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	f->ino = stx.stx_ino;
	f->regular = S_ISREG(stx.stx_mode);
	f->flags = fl < 0 ? 0 : fl;
	return 0;
}

int tw_fd_get(int fd, struct tw_fd *f)
{
	struct slot *s = slot_of(fd);
	int saved = errno, err, owner;

	if (fd < 0) {
		return -EBADF;
	}
	if (s && slot_read(s, f, &owner)) {
		return 0;
	}
	err = lookup(fd, f);
	if (err == 0 && s) {
		slot_write(s, f, 1, fd);
	}
	errno = saved;
	return err;
}

void tw_fd_forget(int fd)
{
	struct slot *s = slot_of(fd);

	if (s) {
		slot_write(s, NULL, 0, fd);
	}
}

void tw_fd_forget_range(unsigned int first, unsigned int last)
{
	unsigned int fd;

	if (!__atomic_load_n(&table, __ATOMIC_ACQUIRE)) {
		return;
	}
	for (fd = first; fd <= last && fd < TW_FDS; fd++) {
		tw_fd_forget((int)fd);
	}
}

void tw_fd_dup(int old, int new)
{
	struct slot *s = slot_of(new), *o = slot_of(old);
	struct tw_fd f;
	int owner = new;

	if (!s || old == new) {
		return;
	}
	if (tw_fd_get(old, &f) != 0) {
		slot_write(s, NULL, 0, new);
		return;
	}
	if (o && !slot_read(o, &f, &owner)) {
		owner = new;
	}
	slot_write(s, &f, 1, owner);
}

void tw_fd_setfl(int fd, int flags)
{
	struct slot *s = slot_of(fd);
	struct tw_fd f;
	int owner;

	/* Another fd of the same description keeps its copy: looked up again on close. */
	if (s && slot_read(s, &f, &owner)) {
		f.flags = (f.flags & ~(O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME |
				       O_NONBLOCK)) |
			  (flags & (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME |
				    O_NONBLOCK));
		slot_write(s, &f, 1, owner);
	}
}

int64_t tw_fd_size(int fd)
{
	struct statx stx;
	int saved = errno;
	int64_t size = -1;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_SIZE,
		  &stx) == 0 && (stx.stx_mask & STATX_SIZE)) {
		size = (int64_t)stx.stx_size;
	}
	errno = saved;
	return size;
}

/* The counters of fd's open file description, shared with its dups. */
static struct slot *counters(int fd)
{
	struct slot *s = slot_of(fd);
	struct tw_fd f;
	int owner;

	if (s && slot_read(s, &f, &owner) && owner != fd) {
		return slot_of(owner);
	}
	return s;
}

uint32_t tw_fd_busy_begin(int fd, int *overlapped)
{
	struct slot *s = counters(fd);

	if (!s) {
		*overlapped = 1;
		return 0;
	}
	*overlapped = __atomic_fetch_add(&s->busy, 1, __ATOMIC_ACQ_REL) != 0;
	return __atomic_fetch_add(&s->ops, 1, __ATOMIC_ACQ_REL);
}

/* Called after the position was read: any call begun since overlapped. */
int tw_fd_busy_end(int fd, uint32_t seq, int overlapped)
{
	struct slot *s = counters(fd);

	if (!s) {
		return 1;
	}
	overlapped |= __atomic_load_n(&s->ops, __ATOMIC_ACQUIRE) != seq + 1;
	__atomic_sub_fetch(&s->busy, 1, __ATOMIC_ACQ_REL);
	return overlapped;
}

/*
 * fcntl keeps the table: F_DUPFD* make a dup, F_SETFL changes O_APPEND and
 * O_DIRECT. The third argument is an int or a pointer by command; it is
 * passed on as the pointer-sized word the caller put there, as glibc does.
 * The table is kept at any depth: a close or dup the tracer missed would
 * leave a slot naming another file.
 */
static int fcntl_end(int fd, int cmd, void *arg, int ret)
{
	int saved = errno;

	if (ret >= 0) {
		switch (cmd) {
		case F_DUPFD:
		case F_DUPFD_CLOEXEC:
			tw_fd_dup(fd, ret);
			if (tw_depth == 1 && tw_active) {
				tw_unseen_fd_made("fcntl", ret);
			}
			break;
		case F_SETFL:
			tw_fd_setfl(fd, (int)(long)arg);
			break;
		default:
			break;
		}
	}
	tw_leave();
	errno = saved;
	return ret;
}

#define TW_FCNTL_HOOK(name)						\
TW_EXPORT int name(int fd, int cmd, ...)				\
{									\
	va_list ap;							\
	void *arg;							\
									\
	if (unlikely(!TW_REAL(name))) {					\
		errno = ENOSYS;						\
		return -1;						\
	}								\
	va_start(ap, cmd);						\
	arg = va_arg(ap, void *);					\
	va_end(ap);							\
	tw_enter();							\
	return fcntl_end(fd, cmd, arg, tw_real_##name(fd, cmd, arg));	\
}

TW_FCNTL_HOOK(fcntl)
TW_FCNTL_HOOK(fcntl64)

TW_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int ret, saved;

	if (unlikely(!TW_REAL(close_range))) {
		errno = ENOSYS;
		return -1;
	}
	tw_enter();
	ret = tw_close_range_guarded(first, last, flags);
	saved = errno;
	/* CLOEXEC only marks them; they still name their files. */
	if (ret == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
		tw_fd_forget_range(first, last);
	}
	tw_leave();
	errno = saved;
	return ret;
}
