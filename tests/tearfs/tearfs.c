/* SPDX-License-Identifier: MIT */
/*
 * tearfs: a test-only FUSE file system, a passthrough over a backing
 * directory, with knobs that make it misbehave the way the seeds'
 * file-system clients did.
 *
 *   tearfs BACKING MOUNTPOINT [-o knob[=value],...] [fuse options]
 *
 * Every knob is off by default; with none, tearfs is a plain passthrough.
 * The request loop is single-threaded (-s is always added), so requests
 * are handled in the order the kernel queued them; one mutex guards the
 * state the lazy_write thread shares with it.
 *
 * lazy_write[=MS]  Acknowledge each write at once, apply it to the backing
 *     file MS ms later (default 2000): seed 000's CubeFS write cache.
 * partial_flush  Hold each write; flush and fsync apply only its first
 *     page, the rest waits for unmount: seed 000's torn verify.
 * window_reads  The first read of a 128 KiB window keeps a copy; later
 *     reads of it get the copy whatever was written, until unmount:
 *     seed 000's window cache.
 * short_direct_reads[=N]  Reads on O_DIRECT handles return at most N bytes
 *     (default 4096): seed 004's short O_DIRECT read. O_DIRECT opens get
 *     direct_io, or the kernel would fill the rest from the page cache.
 * direct_for_sync  O_SYNC, O_DSYNC and O_DIRECT opens get direct_io, so
 *     they read from tearfs, not the page cache: seed 000's verify fd.
 * lost_sync  Hold the write-back of mapped pages (writepage writes); fsync
 *     drops what is held of its file and fails with EIO: a device that
 *     lost the write-back of an msync and said so.
 * lagging_size  getattr reports the backing file's size, before held
 *     writes are applied: a write-back cache whose attributes lag its
 *     acknowledged writes. The kernel's size stays right until someone
 *     asks for the attributes (fstat); then a load from a mapping past
 *     the reported size raises SIGBUS.
 * own_ino  Inode numbers are the mount's own (FUSE node ids, in lookup
 *     order), not the backing file's: two clients of one file system
 *     that number its files each their own way.
 *
 * Held writes (lazy_write, partial_flush, lost_sync) are never seen by tearfs's own
 * reads, which return the backing data (zeros past the backing end of
 * file); getattr reports the size as if they were applied. They are
 * applied in arrival order. A truncate drops the parts of them past the
 * new size; a fallocate that changes data (punch, zero, collapse, insert)
 * applies them all first. Without lazy_write, a held write wholly covered
 * by a later one is dropped to save memory. Held writes outlive the last
 * release: closing the writer does not hide the fault. Whatever is held
 * at unmount is applied as the daemon exits, which may be after
 * fusermount3 -u has returned.
 *
 * Handles never keep the page cache (keep_cache = 0): each open drops the
 * inode's clean pages, so a descriptor opened after the writes reads from
 * tearfs even without direct_io.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define TF_PAGE 4096
#define TF_WINDOW (128 * 1024)

struct tf_opts {
	const char *backing;
	int help;
	int lazy_write;
	unsigned int lazy_ms;
	int partial_flush;
	int window_reads;
	int short_direct;
	unsigned int short_n;
	int direct_for_sync;
	int lagging_size;
	int lost_sync;
	int own_ino;
};

/* A write acknowledged to the kernel and not yet in the backing file. */
struct tf_pending {
	struct tf_pending *next;
	off_t off;
	size_t len;
	int head_done;		/* partial_flush applied its first page */
	struct timespec born;	/* CLOCK_MONOTONIC */
	char data[];
};

/* A 128 KiB window of a file as it was when first read (window_reads). */
struct tf_window {
	struct tf_window *next;
	off_t start;
	size_t len;		/* shorter at the backing end of file */
	char data[];
};

/* A backing inode with open handles, held writes or cached windows. */
struct tf_inode {
	struct tf_inode *next;
	dev_t dev;
	ino_t ino;
	int nopen;
	int wfd;		/* dup of a writable handle, for held writes */
	struct tf_pending *pending;	/* oldest first */
	struct tf_window *windows;
};

static struct {
	struct tf_opts opt;
	int dirfd;
	struct tf_inode *inodes;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t lazy_thread;
	int lazy_running;
	int stop;
} tf = {
	.dirfd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

enum {
	TF_KEY_HELP,
};

#define TF_OPT(t, field, v) { t, offsetof(struct tf_opts, field), v }

static const struct fuse_opt tf_optspec[] = {
	TF_OPT("lazy_write", lazy_write, 1),
	TF_OPT("lazy_write=", lazy_write, 1),
	TF_OPT("lazy_write=%u", lazy_ms, 0),
	TF_OPT("partial_flush", partial_flush, 1),
	TF_OPT("window_reads", window_reads, 1),
	TF_OPT("short_direct_reads", short_direct, 1),
	TF_OPT("short_direct_reads=", short_direct, 1),
	TF_OPT("short_direct_reads=%u", short_n, 0),
	TF_OPT("direct_for_sync", direct_for_sync, 1),
	TF_OPT("lagging_size", lagging_size, 1),
	TF_OPT("lost_sync", lost_sync, 1),
	TF_OPT("own_ino", own_ino, 1),
	FUSE_OPT_KEY("-h", TF_KEY_HELP),
	FUSE_OPT_KEY("--help", TF_KEY_HELP),
	FUSE_OPT_END
};

static size_t tf_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The backing path of a FUSE path, relative to tf.dirfd. */
static const char *tf_rel(const char *path)
{
	while (*path == '/') {
		path++;
	}
	return *path ? path : ".";
}

/* Reads len bytes at off, fewer only at the end of file. */
static ssize_t tf_pread_full(int fd, char *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done,
				  off + (off_t)done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			break;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int tf_pwrite_full(int fd, const char *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done,
				   off + (off_t)done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return -errno;
		}
		if (n == 0) {
			return -EIO;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Inode table; the caller holds tf.lock. */

static struct tf_inode *tf_inode_find(const struct stat *st)
{
	struct tf_inode *ino;

	for (ino = tf.inodes; ino; ino = ino->next) {
		if (ino->dev == st->st_dev && ino->ino == st->st_ino) {
			return ino;
		}
	}
	return NULL;
}

static struct tf_inode *tf_inode_get(const struct stat *st)
{
	struct tf_inode *ino = tf_inode_find(st);

	if (ino) {
		return ino;
	}
	ino = calloc(1, sizeof(*ino));
	if (!ino) {
		return NULL;
	}
	ino->dev = st->st_dev;
	ino->ino = st->st_ino;
	ino->wfd = -1;
	ino->next = tf.inodes;
	tf.inodes = ino;
	return ino;
}

/* fstat()s fd and finds its inode, NULL when tearfs keeps none. */
static int tf_inode_of_fd(int fd, struct stat *st, struct tf_inode **ino)
{
	if (fstat(fd, st) < 0) {
		return -errno;
	}
	*ino = tf_inode_find(st);
	return 0;
}

static void tf_windows_free(struct tf_inode *ino)
{
	struct tf_window *w;

	while ((w = ino->windows)) {
		ino->windows = w->next;
		free(w);
	}
}

/* Forgets an inode with no handle and no held write left. */
static void tf_inode_put(struct tf_inode *ino)
{
	struct tf_inode **pp;

	if (ino->nopen > 0 || ino->pending || ino->windows) {
		return;
	}
	for (pp = &tf.inodes; *pp != ino; pp = &(*pp)->next) {
		;
	}
	*pp = ino->next;
	tf_windows_free(ino);
	if (ino->wfd >= 0) {
		close(ino->wfd);
	}
	free(ino);
}

/* Held writes; the caller holds tf.lock. */

static void tf_apply(struct tf_inode *ino, const char *data, size_t len,
		     off_t off)
{
	int ret = tf_pwrite_full(ino->wfd, data, len, off);

	if (ret < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "tearfs: held write of %zu bytes at %lld lost: %s\n",
			 len, (long long)off, strerror(-ret));
	}
}

static void tf_apply_all(struct tf_inode *ino)
{
	struct tf_pending *p;

	while ((p = ino->pending)) {
		ino->pending = p->next;
		tf_apply(ino, p->data, p->len, p->off);
		free(p);
	}
}

/* partial_flush: the first page each held write touches, once. */
static void tf_apply_heads(struct tf_inode *ino)
{
	struct tf_pending *p;

	for (p = ino->pending; p; p = p->next) {
		off_t page_end = (p->off / TF_PAGE + 1) * TF_PAGE;
		size_t head = tf_min(p->len, (size_t)(page_end - p->off));

		if (!p->head_done) {
			tf_apply(ino, p->data, head, p->off);
			p->head_done = 1;
		}
	}
}

static void tf_due(struct timespec *due, const struct timespec *born)
{
	due->tv_sec = born->tv_sec + tf.opt.lazy_ms / 1000;
	due->tv_nsec = born->tv_nsec + (long)(tf.opt.lazy_ms % 1000) * 1000000;
	if (due->tv_nsec >= 1000000000) {
		due->tv_sec++;
		due->tv_nsec -= 1000000000;
	}
}

static int tf_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * lazy_write: applies the held writes due by now; lowers *next to the
 * time the next one falls due.
 */
static void tf_apply_due(struct tf_inode *ino, const struct timespec *now,
			 struct timespec *next)
{
	struct tf_pending *p;
	struct timespec due;

	while ((p = ino->pending)) {
		tf_due(&due, &p->born);
		if (tf_before(now, &due)) {
			if (tf_before(&due, next)) {
				*next = due;
			}
			return;
		}
		ino->pending = p->next;
		tf_apply(ino, p->data, p->len, p->off);
		free(p);
	}
}

/* A truncate to size: what held writes had past it is gone. */
static void tf_trim(struct tf_inode *ino, off_t size)
{
	struct tf_pending **pp = &ino->pending, *p;

	while ((p = *pp)) {
		if (p->off >= size) {
			*pp = p->next;
			free(p);
			continue;
		}
		if (p->off + (off_t)p->len > size) {
			p->len = (size_t)(size - p->off);
		}
		pp = &p->next;
	}
}

/* The size the kernel was told: the backing one, grown by held writes. */
static off_t tf_size(const struct tf_inode *ino, const struct stat *st)
{
	const struct tf_pending *p;
	off_t size = st->st_size;

	for (p = ino ? ino->pending : NULL; p; p = p->next) {
		if (p->off + (off_t)p->len > size) {
			size = p->off + (off_t)p->len;
		}
	}
	return size;
}

static int tf_hold(struct tf_inode *ino, int fd, const char *buf, size_t len,
		   off_t off)
{
	struct tf_pending *p, **pp;

	if (ino->wfd < 0) {
		ino->wfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (ino->wfd < 0) {
			return -errno;
		}
	}
	p = malloc(sizeof(*p) + len);
	if (!p) {
		return -ENOMEM;
	}
	p->next = NULL;
	p->off = off;
	p->len = len;
	p->head_done = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->born);
	memcpy(p->data, buf, len);
	for (pp = &ino->pending; *pp;) {
		struct tf_pending *q = *pp;

		if (!tf.opt.lazy_write && q->off >= off &&
		    q->off + (off_t)q->len <= off + (off_t)len) {
			*pp = q->next;
			free(q);
			continue;
		}
		pp = &q->next;
	}
	*pp = p;
	pthread_cond_signal(&tf.wake);
	return 0;
}

static void *tf_lazy_main(void *arg)
{
	struct tf_inode *ino, *next_ino;
	struct timespec now, next;

	(void)arg;
	pthread_mutex_lock(&tf.lock);
	while (!tf.stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		next = now;
		next.tv_sec++;
		for (ino = tf.inodes; ino; ino = next_ino) {
			next_ino = ino->next;
			tf_apply_due(ino, &now, &next);
			tf_inode_put(ino);
		}
		pthread_cond_timedwait(&tf.wake, &tf.lock, &next);
	}
	pthread_mutex_unlock(&tf.lock);
	return NULL;
}

/* Windows (window_reads); the caller holds tf.lock. */

static int tf_window_get(struct tf_inode *ino, int fd, off_t start,
			 struct tf_window **out)
{
	struct tf_window *w;
	ssize_t n;

	for (w = ino->windows; w; w = w->next) {
		if (w->start == start) {
			*out = w;
			return 0;
		}
	}
	w = malloc(sizeof(*w) + TF_WINDOW);
	if (!w) {
		return -ENOMEM;
	}
	n = tf_pread_full(fd, w->data, TF_WINDOW, start);
	if (n < 0) {
		free(w);
		return (int)n;
	}
	w->start = start;
	w->len = (size_t)n;
	w->next = ino->windows;
	ino->windows = w;
	*out = w;
	return 0;
}

/*
 * len bytes at pos within the window at start: the cached copy, then the
 * backing file past what the copy holds.
 */
static ssize_t tf_window_part(struct tf_inode *ino, int fd, char *buf,
			      size_t len, off_t pos, off_t start)
{
	size_t in = (size_t)(pos - start), got = 0;
	struct tf_window *w = NULL;
	ssize_t n;
	int ret;

	ret = tf_window_get(ino, fd, start, &w);
	if (ret < 0) {
		return ret;
	}
	if (in < w->len) {
		got = tf_min(len, w->len - in);
		memcpy(buf, w->data + in, got);
	}
	if (got == len) {
		return (ssize_t)got;
	}
	n = tf_pread_full(fd, buf + got, len - got, pos + (off_t)got);
	return n < 0 ? n : (ssize_t)got + n;
}

static ssize_t tf_window_read(struct tf_inode *ino, int fd, char *buf,
			      size_t size, off_t off)
{
	size_t done = 0;

	while (done < size) {
		off_t pos = off + (off_t)done;
		off_t start = pos & ~(off_t)(TF_WINDOW - 1);
		size_t len = tf_min(size - done,
				    (size_t)(start + TF_WINDOW - pos));
		ssize_t n;

		n = tf_window_part(ino, fd, buf + done, len, pos, start);
		if (n < 0) {
			return n;
		}
		done += (size_t)n;
		if ((size_t)n < len) {
			break;
		}
	}
	return (ssize_t)done;
}

/* File operations. */

static void *tf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	pthread_condattr_t attr;

	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	cfg->use_ino = !tf.opt.own_ino;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&tf.wake, &attr);
	pthread_condattr_destroy(&attr);
	if (tf.opt.lazy_write) {
		if (pthread_create(&tf.lazy_thread, NULL, tf_lazy_main,
				   NULL) != 0) {
			fuse_log(FUSE_LOG_ERR, "tearfs: no lazy thread\n");
			abort();
		}
		tf.lazy_running = 1;
	}
	return NULL;
}

static void tf_destroy(void *data)
{
	struct tf_inode *ino;

	(void)data;
	pthread_mutex_lock(&tf.lock);
	tf.stop = 1;
	pthread_cond_signal(&tf.wake);
	pthread_mutex_unlock(&tf.lock);
	if (tf.lazy_running) {
		pthread_join(tf.lazy_thread, NULL);
		tf.lazy_running = 0;
	}
	pthread_mutex_lock(&tf.lock);
	while ((ino = tf.inodes)) {
		tf_apply_all(ino);
		tf_windows_free(ino);
		ino->nopen = 0;
		tf_inode_put(ino);
	}
	pthread_mutex_unlock(&tf.lock);
}

static int tf_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	int ret;

	if (fi) {
		ret = fstat((int)fi->fh, st);
	} else {
		ret = fstatat(tf.dirfd, tf_rel(path), st, AT_SYMLINK_NOFOLLOW);
	}
	if (ret < 0) {
		return -errno;
	}
	if (S_ISREG(st->st_mode) && !tf.opt.lagging_size) {
		pthread_mutex_lock(&tf.lock);
		st->st_size = tf_size(tf_inode_find(st), st);
		pthread_mutex_unlock(&tf.lock);
	}
	return 0;
}

static int tf_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct dirent *de;
	DIR *dir;
	int fd;

	(void)off;
	(void)fi;
	(void)flags;
	fd = openat(tf.dirfd, tf_rel(path),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	dir = fdopendir(fd);
	if (!dir) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	while ((de = readdir(dir))) {
		struct stat st = {
			.st_ino = de->d_ino,
			.st_mode = (mode_t)de->d_type << 12,
		};

		if (filler(buf, de->d_name, &st, 0, 0)) {
			break;
		}
	}
	closedir(dir);
	return 0;
}

static int tf_mkdir(const char *path, mode_t mode)
{
	return mkdirat(tf.dirfd, tf_rel(path), mode) < 0 ? -errno : 0;
}

static int tf_rmdir(const char *path)
{
	return unlinkat(tf.dirfd, tf_rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int tf_unlink(const char *path)
{
	return unlinkat(tf.dirfd, tf_rel(path), 0) < 0 ? -errno : 0;
}

static int tf_rename(const char *from, const char *to, unsigned int flags)
{
	if (renameat2(tf.dirfd, tf_rel(from), tf.dirfd, tf_rel(to),
		      flags) < 0) {
		return -errno;
	}
	return 0;
}

static int tf_symlink(const char *target, const char *path)
{
	return symlinkat(target, tf.dirfd, tf_rel(path)) < 0 ? -errno : 0;
}

static int tf_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0) {
		return -EINVAL;
	}
	n = readlinkat(tf.dirfd, tf_rel(path), buf, size - 1);
	if (n < 0) {
		return -errno;
	}
	buf[n] = '\0';
	return 0;
}

static int tf_link(const char *from, const char *to)
{
	if (linkat(tf.dirfd, tf_rel(from), tf.dirfd, tf_rel(to), 0) < 0) {
		return -errno;
	}
	return 0;
}

/* Truncates fd to size, and the held writes with it. */
static int tf_truncate_fd(int fd, off_t size)
{
	struct tf_inode *ino;
	struct stat st;
	int ret;

	pthread_mutex_lock(&tf.lock);
	ret = tf_inode_of_fd(fd, &st, &ino);
	if (ret == 0 && ino) {
		tf_trim(ino, size);
	}
	if (ret == 0 && ftruncate(fd, size) < 0) {
		ret = -errno;
	}
	pthread_mutex_unlock(&tf.lock);
	return ret;
}

static int tf_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	int fd, ret;

	if (fi) {
		return tf_truncate_fd((int)fi->fh, size);
	}
	fd = openat(tf.dirfd, tf_rel(path), O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	ret = tf_truncate_fd(fd, size);
	close(fd);
	return ret;
}

/*
 * The kernel gives the offset of every write, appends included: the
 * backing file must not move it (O_APPEND). O_DIRECT is dropped too: the
 * backing file's page cache is coherent, so it changes nothing tearfs
 * serves, and libfuse's buffers are not aligned for it.
 */
static int tf_backing_flags(int flags)
{
	return (flags & ~(O_APPEND | O_DIRECT)) | O_CLOEXEC;
}

/* Whether a handle bypasses the page cache (FOPEN_DIRECT_IO). */
static int tf_direct_io(int flags)
{
	if (tf.opt.direct_for_sync && (flags & (O_DSYNC | O_DIRECT))) {
		return 1;
	}
	/*
	 * Without it the kernel reads the rest of a short O_DIRECT read
	 * through the page cache, and the program never sees it short.
	 */
	return tf.opt.short_direct && (flags & O_DIRECT);
}

/*
 * Opens the backing file and records the handle in fi; under tf.lock,
 * so that no held write lands between an O_TRUNC and the trim.
 */
static int tf_open_backing(const char *path, mode_t mode,
			   struct fuse_file_info *fi)
{
	struct tf_inode *ino;
	struct stat st;
	int fd;

	fd = openat(tf.dirfd, tf_rel(path), tf_backing_flags(fi->flags), mode);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	ino = tf_inode_get(&st);
	if (!ino) {
		close(fd);
		return -ENOMEM;
	}
	ino->nopen++;
	if (fi->flags & O_TRUNC) {
		tf_trim(ino, 0);
	}
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 0;
	if (tf_direct_io(fi->flags)) {
		fi->direct_io = 1;
	}
	return 0;
}

static int tf_open(const char *path, struct fuse_file_info *fi)
{
	int ret;

	pthread_mutex_lock(&tf.lock);
	ret = tf_open_backing(path, 0, fi);
	pthread_mutex_unlock(&tf.lock);
	return ret;
}

static int tf_create(const char *path, mode_t mode,
		     struct fuse_file_info *fi)
{
	int ret;

	fi->flags |= O_CREAT;
	pthread_mutex_lock(&tf.lock);
	ret = tf_open_backing(path, mode, fi);
	pthread_mutex_unlock(&tf.lock);
	return ret;
}

/*
 * A read as tearfs serves it: the backing file (or a cached window) up to
 * the size the kernel knows, zeros past the backing end of file; never
 * the held writes.
 */
static int tf_read_at(struct tf_inode *ino, int fd, char *buf, size_t size,
		      off_t off, off_t eof)
{
	ssize_t n;

	if (off >= eof) {
		return 0;
	}
	size = tf_min(size, (size_t)(eof - off));
	if (tf.opt.window_reads && ino) {
		n = tf_window_read(ino, fd, buf, size, off);
	} else {
		n = tf_pread_full(fd, buf, size, off);
	}
	if (n < 0) {
		return (int)n;
	}
	memset(buf + n, 0, size - (size_t)n);
	return (int)size;
}

static int tf_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct tf_inode *ino;
	struct stat st;
	int ret;

	(void)path;
	if (tf.opt.short_direct && (fi->flags & O_DIRECT)) {
		size = tf_min(size, tf.opt.short_n);
	}
	pthread_mutex_lock(&tf.lock);
	ret = tf_inode_of_fd((int)fi->fh, &st, &ino);
	if (ret == 0) {
		ret = tf_read_at(ino, (int)fi->fh, buf, size, off,
				 tf_size(ino, &st));
	}
	pthread_mutex_unlock(&tf.lock);
	return ret;
}

static int tf_write(const char *path, const char *buf, size_t size,
		    off_t off, struct fuse_file_info *fi)
{
	struct tf_inode *ino;
	struct stat st;
	int ret;

	(void)path;
	if (!tf.opt.lazy_write && !tf.opt.partial_flush &&
	    !(tf.opt.lost_sync && fi->writepage)) {
		ret = tf_pwrite_full((int)fi->fh, buf, size, off);
		return ret < 0 ? ret : (int)size;
	}
	pthread_mutex_lock(&tf.lock);
	ret = tf_inode_of_fd((int)fi->fh, &st, &ino);
	if (ret == 0 && !ino) {
		ret = -EBADF;
	}
	if (ret == 0) {
		ret = tf_hold(ino, (int)fi->fh, buf, size, off);
	}
	pthread_mutex_unlock(&tf.lock);
	return ret < 0 ? ret : (int)size;
}

/* partial_flush: what flush and fsync do with the held writes. */
static void tf_flush_heads(int fd)
{
	struct tf_inode *ino;
	struct stat st;

	if (!tf.opt.partial_flush) {
		return;
	}
	pthread_mutex_lock(&tf.lock);
	if (tf_inode_of_fd(fd, &st, &ino) == 0 && ino) {
		tf_apply_heads(ino);
	}
	pthread_mutex_unlock(&tf.lock);
}

static int tf_flush(const char *path, struct fuse_file_info *fi)
{
	int fd;

	(void)path;
	tf_flush_heads((int)fi->fh);
	/* What close() would do: release the locks and report errors. */
	fd = dup((int)fi->fh);
	if (fd < 0) {
		return -errno;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* lost_sync: the held writes of fd's file are gone; were there any? */
static int tf_lose_held(int fd)
{
	struct tf_inode *ino;
	struct tf_pending *p;
	struct stat st;
	int lost = 0;

	pthread_mutex_lock(&tf.lock);
	if (tf_inode_of_fd(fd, &st, &ino) == 0 && ino) {
		while ((p = ino->pending)) {
			ino->pending = p->next;
			free(p);
			lost = 1;
		}
	}
	pthread_mutex_unlock(&tf.lock);
	return lost;
}

static int tf_fsync(const char *path, int datasync,
		    struct fuse_file_info *fi)
{
	int ret;

	(void)path;
	if (tf.opt.lost_sync && tf_lose_held((int)fi->fh)) {
		return -EIO;
	}
	tf_flush_heads((int)fi->fh);
	if (datasync) {
		ret = fdatasync((int)fi->fh);
	} else {
		ret = fsync((int)fi->fh);
	}
	return ret < 0 ? -errno : 0;
}

static int tf_release(const char *path, struct fuse_file_info *fi)
{
	struct tf_inode *ino;
	struct stat st;

	(void)path;
	pthread_mutex_lock(&tf.lock);
	if (tf_inode_of_fd((int)fi->fh, &st, &ino) == 0 && ino &&
	    --ino->nopen == 0) {
		tf_inode_put(ino);
	}
	pthread_mutex_unlock(&tf.lock);
	close((int)fi->fh);
	return 0;
}

/* Whether a fallocate mode changes the data held writes may overlap. */
static int tf_falloc_moves_data(int mode)
{
	return (mode & ~FALLOC_FL_KEEP_SIZE) != 0;
}

static int tf_fallocate_fd(int fd, int mode, off_t off, off_t len)
{
	struct tf_inode *ino;
	struct stat st;
	int ret;

	pthread_mutex_lock(&tf.lock);
	ret = tf_inode_of_fd(fd, &st, &ino);
	if (ret == 0 && ino && tf_falloc_moves_data(mode)) {
		tf_apply_all(ino);
	}
	if (ret == 0 && fallocate(fd, mode, off, len) < 0) {
		ret = -errno;
	}
	pthread_mutex_unlock(&tf.lock);
	return ret;
}

static int tf_fallocate(const char *path, int mode, off_t off, off_t len,
			struct fuse_file_info *fi)
{
	int fd, ret;

	if (fi) {
		return tf_fallocate_fd((int)fi->fh, mode, off, len);
	}
	fd = openat(tf.dirfd, tf_rel(path), O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	ret = tf_fallocate_fd(fd, mode, off, len);
	close(fd);
	return ret;
}

static int tf_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	int ret;

	if (fi) {
		ret = futimens((int)fi->fh, tv);
	} else {
		ret = utimensat(tf.dirfd, tf_rel(path), tv,
				AT_SYMLINK_NOFOLLOW);
	}
	return ret < 0 ? -errno : 0;
}

static int tf_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return fstatvfs(tf.dirfd, sv) < 0 ? -errno : 0;
}

static int tf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int ret;

	if (fi) {
		ret = fchmod((int)fi->fh, mode);
	} else {
		ret = fchmodat(tf.dirfd, tf_rel(path), mode, 0);
	}
	return ret < 0 ? -errno : 0;
}

static int tf_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	int ret;

	if (fi) {
		ret = fchown((int)fi->fh, uid, gid);
	} else {
		ret = fchownat(tf.dirfd, tf_rel(path), uid, gid,
			       AT_SYMLINK_NOFOLLOW);
	}
	return ret < 0 ? -errno : 0;
}

static const struct fuse_operations tf_ops = {
	.init = tf_init,
	.destroy = tf_destroy,
	.getattr = tf_getattr,
	.readdir = tf_readdir,
	.mkdir = tf_mkdir,
	.rmdir = tf_rmdir,
	.unlink = tf_unlink,
	.rename = tf_rename,
	.symlink = tf_symlink,
	.readlink = tf_readlink,
	.link = tf_link,
	.truncate = tf_truncate,
	.open = tf_open,
	.create = tf_create,
	.read = tf_read,
	.write = tf_write,
	.flush = tf_flush,
	.fsync = tf_fsync,
	.release = tf_release,
	.fallocate = tf_fallocate,
	.utimens = tf_utimens,
	.statfs = tf_statfs,
	.chmod = tf_chmod,
	.chown = tf_chown,
};

static void tf_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s BACKING MOUNTPOINT [-o knob[=value],...] [fuse opts]\n"
		"knobs (all off by default):\n"
		"  -o lazy_write[=MS]         apply writes MS ms late (2000)\n"
		"  -o partial_flush           fsync, flush apply first pages\n"
		"  -o window_reads            reads from 128 KiB snapshots\n"
		"  -o short_direct_reads[=N]  O_DIRECT reads <= N bytes (4096)\n"
		"  -o direct_for_sync         direct_io for sync, direct opens\n"
		"  -o lagging_size            getattr: size before held writes\n"
		"  -o lost_sync               fsync drops mapped write-back, EIO\n",
		prog);
}

static int tf_opt_proc(void *data, const char *arg, int key,
		       struct fuse_args *outargs)
{
	struct tf_opts *opt = data;

	(void)outargs;
	if (key == FUSE_OPT_KEY_NONOPT && !opt->backing) {
		opt->backing = arg;
		return 0;
	}
	if (key == TF_KEY_HELP) {
		opt->help = 1;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	int ret;

	tf.opt.lazy_ms = 2000;
	tf.opt.short_n = 4096;
	if (fuse_opt_parse(&args, &tf.opt, tf_optspec, tf_opt_proc) < 0) {
		return 1;
	}
	if (tf.opt.help) {
		tf_usage(argv[0]);
		ret = fuse_main(args.argc, args.argv, &tf_ops, NULL);
		fuse_opt_free_args(&args);
		return ret;
	}
	if (!tf.opt.backing || tf.opt.short_n == 0) {
		tf_usage(argv[0]);
		fuse_opt_free_args(&args);
		return 1;
	}
	tf.dirfd = open(tf.opt.backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tf.dirfd < 0) {
		fprintf(stderr, "tearfs: %s: %s\n", tf.opt.backing,
			strerror(errno));
		fuse_opt_free_args(&args);
		return 1;
	}
	if (fuse_opt_add_arg(&args, "-s") < 0) {
		fuse_opt_free_args(&args);
		return 1;
	}
	ret = fuse_main(args.argc, args.argv, &tf_ops, NULL);
	fuse_opt_free_args(&args);
	close(tf.dirfd);
	return ret;
}
