/* SPDX-License-Identifier: MIT */
/*
 * Healthy sequences that random-length checkers (xfstests fsx, fsstress)
 * run all the time and that a version model can get wrong: reads of part
 * of what a write covered, blocks written partly by two writes, data moved
 * by copy_file_range entered through syscall(), collapse and insert range,
 * a hole punched through XFS's ioctl, a new file that gets an unlinked
 * file's inode number, and a private mapping where a shared one was unmapped
 * with a length that ends inside a page (fsstress's mwrite). Each mode checks its own data: the file system is
 * right, so a tracer must report nothing.
 *
 *   healthy-edges MODE FILE
 *
 * Exit 0 when the data is right, 1 on a data comparison error, 2 on a usage
 * or system error, 77 when the file system refuses the operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* XFS's space reservation call, which ext4 serves too (fsstress's unresvsp). */
struct xfs_flock64 {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_sysid;
	uint32_t l_pid;
	int32_t l_pad[4];
};
#define XFS_IOC_UNRESVSP64 _IOW('X', 43, struct xfs_flock64)

static char a[16384], b[16384], r[16384];

static void fill(char *p, size_t n, unsigned int x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (char)x;
	}
}

static void die(const char *what)
{
	fprintf(stderr, "healthy-edges: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* An operation the file system does not offer is a skip, not a failure. */
static void refused(const char *what)
{
	if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL ||
	    errno == ENOSYS) {
		printf("healthy-edges: %s: not supported here (%s)\n", what,
		       strerror(errno));
		exit(77);
	}
	die(what);
}

static void put(int fd, const char *p, size_t n, off_t off)
{
	if (pwrite(fd, p, n, off) != (ssize_t)n) {
		die("pwrite");
	}
}

static int expect(int fd, const char *want, size_t n, off_t off)
{
	if (pread(fd, r, n, off) != (ssize_t)n) {
		die("pread");
	}
	if (memcmp(r, want, n) != 0) {
		printf("DATA COMPARISON ERROR in %zu bytes at offset %lld\n", n,
		       (long long)off);
		return 1;
	}
	return 0;
}

static int copy_raw(int fd)
{
	loff_t from = 4096, to = 0;

	put(fd, a, 4096, 0);
	put(fd, b, 4096, 4096);
	if (syscall(SYS_copy_file_range, fd, &from, fd, &to, 4096, 0) != 4096) {
		refused("copy_file_range");
	}
	return expect(fd, b, 4096, 0);
}

static int shift(int fd, int mode)
{
	put(fd, a, 8192, 0);
	if (fallocate(fd, mode, 0, 4096) != 0) {
		refused(mode == FALLOC_FL_COLLAPSE_RANGE ? "collapse range" :
							    "insert range");
	}
	return mode == FALLOC_FL_COLLAPSE_RANGE ? expect(fd, a + 4096, 4096, 0) :
						  expect(fd, a, 4096, 4096);
}

static int punch_ioctl(int fd)
{
	struct xfs_flock64 f = { .l_whence = SEEK_SET, .l_len = 4096 };

	put(fd, a, 8192, 0);
	if (ioctl(fd, XFS_IOC_UNRESVSP64, &f) != 0) {
		refused("XFS_IOC_UNRESVSP64");
	}
	memset(b, 0, 4096);
	return expect(fd, b, 4096, 0);
}

/* Unlink a file and create others until one gets its inode number. */
static int reuse(int fd, const char *path)
{
	char other[4096];
	struct stat st;
	ino_t old;
	int i;

	put(fd, a, 4096, 0);
	if (fstat(fd, &st) != 0) {
		die("fstat");
	}
	old = st.st_ino;
	close(fd);
	unlink(path);
	for (i = 0; i < 100; i++) {
		snprintf(other, sizeof(other), "%s.%d", path, i);
		fd = open(other, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || fstat(fd, &st) != 0) {
			die(other);
		}
		if (st.st_ino == old) {
			break;
		}
		close(fd);
		fd = -1;
	}
	printf("inode %s\n", fd >= 0 ? "reused" : "not reused");
	if (fd < 0) {
		fd = open(other, O_RDWR);
	}
	put(fd, b, 512, 4096);
	memset(a, 0, 4096);
	return expect(fd, a, 4096, 0);
}

/*
 * munmap of a length that ends inside a page unmaps the whole page; a
 * private mapping then placed there stores into memory, never the file.
 */
static int unmap_unaligned(int fd)
{
	/* volatile: the memsets must be calls, not stores the compiler inlined */
	volatile size_t len = 4096 + 100, n = 8192;
	char *p, *q;

	put(fd, a, 8192, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		die("mmap shared");
	}
	memset(p, 0x5a, n / 4);
	memcpy(p, a, n / 4);	/* the same data: the file does not change */
	if (munmap(p, len) != 0) {
		die("munmap");
	}
	q = mmap(p, n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (q == MAP_FAILED) {
		die("mmap private");
	}
	printf("private mapping %s\n", q == p ? "at the same address" : "elsewhere");
	memset(q, 0x77, n);
	if (fsync(fd) != 0) {
		die("fsync");
	}
	munmap(q, n);
	return expect(fd, a, 8192, 0);
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : "";
	int fd, bad;

	if (argc != 3) {
		fprintf(stderr, "usage: healthy-edges partial|partial-older|two-writes|"
			"copy-raw|collapse|insert|punch-ioctl|reuse|unmap-unaligned FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		die(argv[2]);
	}
	fill(a, sizeof(a), 2463534242u);
	fill(b, sizeof(b), 88675123u);
	if (!strcmp(mode, "partial")) {
		/* The read covers 100 bytes of a block the write filled. */
		if (ftruncate(fd, 0) != 0) {
			die("ftruncate");
		}
		put(fd, a, 1024, 0);
		bad = expect(fd, a, 100, 0);
	} else if (!strcmp(mode, "partial-older")) {
		/* An older write of the read's shape, then one over the whole block. */
		put(fd, a, 100, 0);
		put(fd, b, 512, 0);
		bad = expect(fd, b, 100, 0);
	} else if (!strcmp(mode, "two-writes")) {
		/* Block 0 is 100 bytes of one write and 412 of another. */
		put(fd, a, 512, 0);
		put(fd, b, 100, 0);
		memcpy(a, b, 100);
		bad = expect(fd, a, 512, 0);
	} else if (!strcmp(mode, "copy-raw")) {
		bad = copy_raw(fd);
	} else if (!strcmp(mode, "collapse")) {
		bad = shift(fd, FALLOC_FL_COLLAPSE_RANGE);
	} else if (!strcmp(mode, "insert")) {
		bad = shift(fd, FALLOC_FL_INSERT_RANGE);
	} else if (!strcmp(mode, "punch-ioctl")) {
		bad = punch_ioctl(fd);
	} else if (!strcmp(mode, "unmap-unaligned")) {
		bad = unmap_unaligned(fd);
	} else if (!strcmp(mode, "reuse")) {
		return reuse(fd, argv[2]);
	} else {
		fprintf(stderr, "healthy-edges: unknown mode \"%s\"\n", mode);
		return 2;
	}
	close(fd);
	return bad;
}
