/* SPDX-License-Identifier: MIT */
/*
 * One hostile call per case: a pointer argument the kernel refuses, an
 * iovec count past IOV_MAX, a libaio context that is not one, an msync over
 * pages that can no longer be loaded. The kernel answers each with an error
 * (or, for msync, success); a tracer that looks at the arguments itself
 * before the kernel does turns that answer into a signal.
 *
 *   hostile-calls CASE DIR OUT
 *
 * Works in DIR; writes "CASE ret=R errno=E" to OUT, so that a tracer's own
 * output on stdout cannot mix with it. Exits 0, or 2 on a setup error; a
 * signal kills it, which is what the test compares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <liburing.h>
#include <limits.h>
#include <linux/fs.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

extern char **environ;

/* An address no mapping holds: the kernel says EFAULT, a load faults. */
#define BAD ((void *)16)

static const char *dir;
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;
static char buf[8192];

static int file(const char *name, size_t size)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	memset(buf, 'a', sizeof(buf));
	if (size && pwrite(fd, buf, size, 0) != (ssize_t)size) {
		perror("pwrite");
		exit(2);
	}
	return fd;
}

/*
 * IOV_MAX valid entries that end where a page nobody maps begins: the
 * kernel refuses IOV_MAX + 1 by the count alone, a walk of all of them
 * faults on the last.
 */
static struct iovec *big_iov(void)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = IOV_MAX * sizeof(struct iovec);
	size_t span = (size + ps - 1) / ps * ps;
	struct iovec *v;
	char *m;
	int i;

	m = mmap(NULL, span + ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m + span, ps)) {
		exit(2);
	}
	v = (struct iovec *)(m + span - size);
	for (i = 0; i < IOV_MAX; i++) {
		v[i].iov_base = buf;
		v[i].iov_len = 1;
	}
	return v;
}

static long run(const char *c)
{
	off_t off = 0;
	int in, out, p[2];

	if (!strcmp(c, "cfr-bad-off-in") || !strcmp(c, "cfr-bad-off-out") ||
	    !strcmp(c, "syscall-cfr-bad-off")) {
		in = file("in", 4096);
		out = file("out", 0);
		if (!strcmp(c, "cfr-bad-off-in")) {
			return copy_file_range(in, BAD, out, &off, 4096, 0);
		}
		if (!strcmp(c, "cfr-bad-off-out")) {
			return copy_file_range(in, &off, out, BAD, 4096, 0);
		}
		return syscall(SYS_copy_file_range, in, &off, out, BAD, 4096, 0);
	}
	if (!strcmp(c, "splice-bad-off-out")) {
		out = file("out", 0);
		if (pipe(p) || write(p[1], "x", 1) != 1) {
			exit(2);
		}
		return splice(p[0], NULL, out, BAD, 1, 0);
	}
	if (!strcmp(c, "ficlonerange-bad-ptr")) {
		out = file("out", 0);
		return ioctl(out, FICLONERANGE, BAD);
	}
	if (!strncmp(c, "readv-", 6) || !strncmp(c, "writev-", 7) ||
	    !strncmp(c, "preadv-", 7) || !strncmp(c, "pwritev2-", 9)) {
		int many = strstr(c, "-iovmax") != NULL;
		const struct iovec *v = many ? big_iov() : BAD;
		int n = many ? IOV_MAX + 1 : 1;

		out = file("rw", 4096);
		switch (c[1]) {
		case 'e':
			return readv(out, v, n);
		case 'r':
			return c[2] == 'i' ? writev(out, v, n) : preadv(out, v, n, 0);
		default:
			return pwritev2(out, v, n, 0, 0);
		}
	}
	if (!strcmp(c, "io-submit-bogus-ctx")) {
		struct iocb cb, *cbs[1] = { &cb };

		out = file("out", 4096);
		io_prep_pread(&cb, out, buf, 4096, 0);
		return io_submit((io_context_t)BAD, 1, cbs);
	}
	if (!strcmp(c, "io-submit-bad-write-buf")) {
		struct iocb cb, *cbs[1] = { &cb };
		struct io_event ev;
		io_context_t ctx = 0;
		long r;

		out = file("out", 4096);
		if (io_setup(4, &ctx)) {
			exit(2);
		}
		io_prep_pwrite(&cb, out, BAD, 4096, 0);
		r = io_submit(ctx, 1, cbs);
		if (r == 1) {
			r = io_getevents(ctx, 1, 1, &ev, NULL);
			r = r == 1 ? (long)ev.res : r;
		}
		io_destroy(ctx);
		return r;
	}
	/*
	 * io_uring: a write SQE whose buffer, a writev SQE whose iovec array is
	 * bad; the kernel completes each with -EFAULT before the tracer may look.
	 */
	if (!strcmp(c, "uring-write-bad-buf") || !strcmp(c, "uring-writev-bad-iov")) {
		struct io_uring ring;
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		long r;

		out = file("out", 4096);
		if (io_uring_queue_init(4, &ring, 0) != 0) {
			exit(77);
		}
		sqe = io_uring_get_sqe(&ring);
		if (c[6] == 'w' && c[11] == 'v') {
			io_uring_prep_writev(sqe, out, BAD, 1, 0);
		} else {
			io_uring_prep_write(sqe, out, BAD, 4096, 0);
		}
		r = io_uring_submit(&ring);
		if (r == 1 && io_uring_wait_cqe(&ring, &cqe) == 0) {
			r = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
		io_uring_queue_exit(&ring);
		return r;
	}
	if (!strcmp(c, "io-destroy-bogus-ctx")) {
		return io_destroy((io_context_t)BAD);
	}
	if (!strcmp(c, "msync-after-shrink") ||
	    !strcmp(c, "msync-after-prot-none")) {
		char *m;

		out = file("map", 8192);
		m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
		if (m == MAP_FAILED) {
			exit(2);
		}
		/* Through the library's memcpy, as a program's store is. */
		copy(m + 4096, "hostile", 7);
		if (c[12] == 's') {
			if (ftruncate(out, 0)) {
				exit(2);
			}
		} else if (mprotect(m, 8192, PROT_NONE)) {
			exit(2);
		}
		return msync(m, 8192, MS_SYNC);
	}
	/*
	 * fd 2 is the program's data file: more mappings than the tracer
	 * tracks must not put its warning there. Returns the file's size.
	 */
	/*
	 * Every number above the program's first free one taken by dup2, as
	 * bash's `exec 5>file` takes one, then enough traced calls to fill a
	 * few of lttng-ust's sub-buffers (each one full wakes the consumer
	 * through a pipe). Returns the first free number times 10^6 plus the
	 * data file's size: the same bare and traced only when the tracer
	 * keeps out of the low range and writes nothing into the file.
	 */
	if (!strcmp(c, "dup2-over-low")) {
		struct stat st;
		int n, data = file("data", 0), w = -1;

		for (n = data + 1; n < 64; n++) {
			if (dup2(data, n) != n) {
				exit(2);
			}
		}
		w = file("w", 0);
		for (n = 0; n < 50000; n++) {
			if (pwrite(w, buf, 512, (off_t)(n % 64) * 512) != 512) {
				exit(2);
			}
		}
		if (fsync(w) != 0 || fstat(data, &st) != 0) {
			exit(2);
		}
		return (long)data * 1000000 + (long)st.st_size;
	}
	/* A program at its descriptor limit exits (main fills it again). */
	if (!strcmp(c, "fd-limit-exit")) {
		struct rlimit rl = { 64, 64 };

		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			exit(2);
		}
		while (open("/dev/null", O_RDONLY) >= 0) {
		}
		errno = errno == EMFILE ? 0 : errno;
		return 0;
	}
	if (!strcmp(c, "stderr-is-data")) {
		struct stat st;
		int i, data = file("data", 0);

		out = file("maps", 4096);
		if (dup2(data, 2) != 2) {
			exit(2);
		}
		for (i = 0; i < 600; i++) {
			if (mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
				 out, 0) == MAP_FAILED) {
				exit(2);
			}
		}
		if (fstat(data, &st)) {
			exit(2);
		}
		return (long)st.st_size;
	}
	/*
	 * More mappings than the tracer tracks, a store through the last one,
	 * a read of it: a store no hook sees must not make a certain verdict.
	 */
	if (!strcmp(c, "untracked-map-store")) {
		char back[512], *m = MAP_FAILED;
		int i;

		out = file("maps", 4096);
		for (i = 0; i < 600; i++) {
			m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
				 out, 0);
			if (m == MAP_FAILED) {
				exit(2);
			}
		}
		/* A whole 512-byte piece, so a verdict on it can be certain. */
		memset(buf, 'h', 512);
		copy(m + 512, buf, 512);
		if (msync(m, 4096, MS_SYNC) ||
		    pread(out, back, 512, 512) != 512 || memcmp(back, buf, 512)) {
			exit(1);
		}
		return 0;
	}
	/*
	 * fclose closes inside libc, where no hook sees it, and fopen gets the
	 * same number for another file: a write there must not be taken for
	 * one to the first file, which then reads back "stale".
	 */
	if (!strcmp(c, "fd-reused-by-fopen")) {
		char path[PATH_MAX], back[512];
		FILE *fa, *fb;
		int a, b;

		a = file("a", 512);
		memset(buf, 'a', 512);
		if (pwrite(a, buf, 512, 0) != 512 || !(fa = fdopen(a, "r+"))) {
			exit(2);
		}
		fclose(fa);
		snprintf(path, sizeof(path), "%s/b", dir);
		if (!(fb = fopen(path, "w+")) || (b = fileno(fb)) != a) {
			exit(2);
		}
		memset(buf, 'b', 512);
		if (pwrite(b, buf, 512, 0) != 512) {
			exit(2);
		}
		snprintf(path, sizeof(path), "%s/a", dir);
		a = open(path, O_RDONLY);
		if (a < 0 || pread(a, back, 512, 0) != 512 || back[0] != 'a') {
			exit(1);
		}
		return 0;
	}
	/*
	 * The same number made again by calls no open hook sees: a raw dup of
	 * another file's fd, or a descriptor passed over a socket (SCM_RIGHTS).
	 */
	if (!strcmp(c, "fd-reused-by-raw-dup") || !strcmp(c, "fd-reused-by-scm-rights")) {
		char path[PATH_MAX], back[512], ctl[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec one = { back, 1 };
		struct msghdr m = { .msg_iov = &one, .msg_iovlen = 1,
				    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		FILE *fa;
		int a, b, n, sv[2];

		a = file("a", 512);
		memset(buf, 'a', 512);
		snprintf(path, sizeof(path), "%s/b", dir);
		b = open(path, O_RDWR | O_CREAT, 0600);
		if (pwrite(a, buf, 512, 0) != 512 || !(fa = fdopen(a, "r+")) ||
		    b < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) {
			exit(2);
		}
		/* Closed inside libc: the table still names a for the number. */
		fclose(fa);
		if (c[12] == 'r') {
			n = (int)syscall(SYS_dup, b);
		} else {
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &b, sizeof(int));
			if (sendmsg(sv[0], &m, 0) != 1) {
				exit(2);
			}
			/* The number a had is free: the passed fd gets it. */
			m.msg_controllen = sizeof(ctl);
			if (recvmsg(sv[1], &m, 0) != 1) {
				exit(2);
			}
			memcpy(&n, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
		}
		if (n != a) {
			exit(2);
		}
		memset(buf, 'b', 512);
		if (pwrite(n, buf, 512, 0) != 512) {
			exit(2);
		}
		snprintf(path, sizeof(path), "%s/a", dir);
		a = open(path, O_RDONLY);
		if (a < 0 || pread(a, back, 512, 0) != 512 || back[0] != 'a') {
			exit(1);
		}
		return 0;
	}
	/* Data written or stored raw, then read back: recorded, or unknown_data. */
	if (!strcmp(c, "raw-write-read") || !strcmp(c, "raw-mmap-store")) {
		static const char msg[] = "written through syscall()";
		char back[sizeof(msg)], path[PATH_MAX];
		char *m;

		snprintf(path, sizeof(path), "%s/raw", dir);
		out = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT, 0600);
		if (out < 0 || syscall(SYS_fallocate, out, 0, 0L, 8192L)) {
			exit(2);
		}
		if (c[4] == 'w') {
			if (syscall(SYS_pwrite64, out, msg, sizeof(msg), 100L) !=
			    (long)sizeof(msg)) {
				exit(2);
			}
		} else {
			m = (char *)syscall(SYS_mmap, NULL, 8192L, PROT_READ | PROT_WRITE,
					    MAP_SHARED, out, 0L);
			if (m == MAP_FAILED) {
				exit(2);
			}
			copy(m + 100, msg, sizeof(msg));
			if (syscall(SYS_msync, m, 8192L, MS_SYNC) ||
			    syscall(SYS_munmap, m, 8192L)) {
				exit(2);
			}
		}
		if (pread(out, back, sizeof(back), 100) != (ssize_t)sizeof(back) ||
		    memcmp(back, msg, sizeof(msg))) {
			exit(1);
		}
		return syscall(SYS_close, out);
	}
	if (!strcmp(c, "unlink-bad-path") || !strcmp(c, "rename-bad-new") ||
	    !strcmp(c, "syscall-unlinkat-bad-dirfd")) {
		char from[PATH_MAX];

		snprintf(from, sizeof(from), "%s/from", dir);
		close(file("from", 0));
		if (!strcmp(c, "unlink-bad-path")) {
			return unlink(BAD);
		}
		if (!strcmp(c, "rename-bad-new")) {
			return rename(from, BAD);
		}
		return syscall(SYS_unlinkat, 12345, "from", 0);
	}
	if (!strncmp(c, "execve-", 7) || !strcmp(c, "posix-spawn-bad-envp")) {
		char *argv[] = { "/bin/true", NULL };
		/* Through a volatile: the compiler would warn of a known bad read. */
		char **volatile bad = BAD;
		char *bad_string[] = { (char *)bad, NULL };
		pid_t pid;

		if (!strcmp(c, "execve-bad-envp")) {
			return execve("/bin/true", argv, bad);
		}
		if (!strcmp(c, "execve-bad-env-string")) {
			return execve("/bin/true", argv, bad_string);
		}
		if (!strcmp(c, "execve-bad-path")) {
			return execve((char *)bad, argv, environ);
		}
		/* The child's exec fails: posix_spawn returns its errno. */
		return posix_spawn(&pid, "/bin/true", NULL, NULL, argv, bad);
	}
	fprintf(stderr, "unknown case %s\n", c);
	exit(2);
}

int main(int argc, char **argv)
{
	FILE *f;
	long ret;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: hostile-calls CASE DIR OUT\n");
		return 2;
	}
	dir = argv[2];
	/* Opened first: a case may leave no descriptor free. */
	f = fopen(argv[3], "w");
	if (!f) {
		perror(argv[3]);
		return 2;
	}
	errno = 0;
	ret = run(argv[1]);
	err = errno;
	/* libaio returns a negative errno and leaves errno alone. */
	fprintf(f, "%s ret=%ld errno=%s\n", argv[1], ret,
		ret == -1 ? strerrorname_np(err) : "-");
	if (fclose(f)) {
		return 2;
	}
	/* Exit with no descriptor left, as a program at its limit does. */
	while (!strcmp(argv[1], "fd-limit-exit") &&
	       open("/dev/null", O_RDONLY) >= 0) {
	}
	return 0;
}
