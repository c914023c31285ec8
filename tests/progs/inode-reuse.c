/* SPDX-License-Identifier: MIT */
/*
 * A file unlinked and made again under the same name with
 * open(O_CREAT | O_RDWR), neither O_EXCL nor O_TRUNC: ext4 and xfs give the
 * new file the old one's inode number. The new file's holes read as zeros
 * where the old file held data; a tracer that takes it for the old file
 * calls those zeros stale.
 *
 *   inode-reuse plain FILE
 *	64 KiB of one pattern written and read back, the file mapped
 *	MAP_SHARED once (what the fault preload's stale window keys on),
 *	unlinked; made again, 16 KiB written at each end of 64 KiB and the
 *	whole read back: pattern, zeros, pattern.
 *   inode-reuse aio FILE ROUNDS
 *	LTP aiodio_sparse's shape: each round makes the file, extends it to
 *	1 MiB with ftruncate, writes every other 64 KiB chunk with O_DIRECT
 *	through libaio (4 in flight) while a child reads the file over and
 *	over, each byte zero or the round's; verifies it; unlinks it. Rounds
 *	write the chunks the round before left as holes.
 *
 * Exit 0 when the data is right, 1 on a data comparison error, 2 on a usage
 * or system error, 77 when the new file did not get the old inode number
 * (aio: in no round) or O_DIRECT libaio is refused, with the reason on the
 * last line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIB 1024
#define CHUNK (64 * KIB)
#define SPARSE (1024 * KIB)

static void die(const char *what)
{
	fprintf(stderr, "inode-reuse: %s: %s\n", what, strerror(errno));
	exit(2);
}

static ino_t ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		die("fstat");
	}
	return st.st_ino;
}

static void put(int fd, const void *buf, size_t n, off_t off)
{
	if (pwrite(fd, buf, n, off) != (ssize_t)n) {
		die("pwrite");
	}
}

/* 1 and a DATA COMPARISON ERROR line when [off, off+n) is not want. */
static int expect(int fd, const unsigned char *want, size_t n, off_t off)
{
	static unsigned char got[SPARSE];
	size_t i;

	if (pread(fd, got, n, off) != (ssize_t)n) {
		die("pread");
	}
	for (i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			printf("DATA COMPARISON ERROR at offset %lld: 0x%02x, want 0x%02x\n",
			       (long long)off + (long long)i, got[i], want[i]);
			return 1;
		}
	}
	return 0;
}

/* The file made again; *reused says whether it got the old number. */
static int recreate(const char *path, ino_t old, int *reused)
{
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	ino_t now;

	if (fd < 0) {
		die(path);
	}
	now = ino_of(fd);
	*reused = now == old;
	if (!*reused) {
		printf("the file system gave inode %llu, not the unlinked %llu\n",
		       (unsigned long long)now, (unsigned long long)old);
	}
	return fd;
}

static int plain(const char *path)
{
	static unsigned char a[CHUNK], b[CHUNK];
	int fd = open(path, O_CREAT | O_RDWR, 0644), bad, reused;
	ino_t old;
	void *m;

	if (fd < 0) {
		die(path);
	}
	memset(a, 'A', sizeof(a));
	put(fd, a, CHUNK, 0);
	m = mmap(NULL, CHUNK, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		die("mmap");
	}
	munmap(m, CHUNK);
	bad = expect(fd, a, CHUNK, 0);
	old = ino_of(fd);
	close(fd);
	if (unlink(path) != 0) {
		die("unlink");
	}
	fd = recreate(path, old, &reused);
	if (!reused) {
		exit(77);
	}
	memset(b, 'B', 16 * KIB);
	memset(b + 48 * KIB, 'B', 16 * KIB);
	put(fd, b, 16 * KIB, 0);
	put(fd, b + 48 * KIB, 16 * KIB, 48 * KIB);
	bad |= expect(fd, b, CHUNK, 0);
	printf("inode %llu reused\n", (unsigned long long)old);
	close(fd);
	unlink(path);
	return bad;
}

/* Chunk i holds data in round r when i and r have the same parity. */
static int written(int i, int r)
{
	return i % 2 == r % 2;
}

/* aiodio_sparse's reader: every byte is zero or the round's. */
static int reader(const char *path, unsigned char c, int stop)
{
	static unsigned char buf[CHUNK];
	char x;
	int fd = open(path, O_RDONLY);
	off_t off;
	size_t i;

	if (fd < 0) {
		die(path);
	}
	for (;;) {
		for (off = 0; off < SPARSE; off += CHUNK) {
			ssize_t n = pread(fd, buf, CHUNK, off);

			for (i = 0; n > 0 && i < (size_t)n; i++) {
				if (buf[i] != 0 && buf[i] != c) {
					printf("DATA COMPARISON ERROR at offset %lld: 0x%02x\n",
					       (long long)off + (long long)i, buf[i]);
					return 1;
				}
			}
		}
		if (read(stop, &x, 1) == 0) {
			return 0;
		}
	}
}

static int aio_round(const char *path, int r, ino_t *ino, int *reused)
{
	static unsigned char want[SPARSE];
	struct iocb cbs[SPARSE / CHUNK], *cbp[SPARSE / CHUNK];
	struct io_event ev[SPARSE / CHUNK];
	unsigned char c = (unsigned char)('a' + r % 26);
	io_context_t ctx = 0;
	int fd, pipefd[2], n = 0, done = 0, status, bad, i, j, k;
	pid_t child;
	void *buf;

	*reused = 0;
	fd = r == 0 ? open(path, O_CREAT | O_RDWR, 0644) :
		      recreate(path, *ino, reused);
	if (fd < 0) {
		die(path);
	}
	*ino = ino_of(fd);
	close(fd);
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0) {
		printf("O_DIRECT refused: %s\n", strerror(errno));
		exit(77);
	}
	if (ftruncate(fd, SPARSE) != 0) {
		die("ftruncate");
	}
	if (posix_memalign(&buf, 4096, CHUNK) != 0) {
		die("posix_memalign");
	}
	memset(buf, c, CHUNK);
	if (pipe(pipefd) != 0) {
		die("pipe");
	}
	child = fork();
	if (child < 0) {
		die("fork");
	}
	if (child == 0) {
		close(pipefd[1]);
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
		_exit(reader(path, c, pipefd[0]));
	}
	close(pipefd[0]);
	if (io_setup(4, &ctx) != 0) {
		die("io_setup");
	}
	for (i = 0; i < SPARSE / CHUNK; i++) {
		if (!written(i, r)) {
			continue;
		}
		io_prep_pwrite(&cbs[n], fd, buf, CHUNK, (long long)i * CHUNK);
		cbp[n] = &cbs[n];
		n++;
	}
	/* At most 4 in flight, as aiodio_sparse's default. */
	for (i = 0; done < n;) {
		while (i < n && i - done < 4) {
			k = io_submit(ctx, 1, &cbp[i]);
			if (k == -EINVAL && i == 0) {
				printf("O_DIRECT libaio refused\n");
				exit(77);
			}
			if (k != 1) {
				errno = -k;
				die("io_submit");
			}
			i++;
		}
		k = io_getevents(ctx, 1, 4, ev, NULL);
		if (k < 0) {
			errno = -k;
			die("io_getevents");
		}
		for (j = 0; j < k; j++) {
			long res = (long)ev[j].res;

			if (res != CHUNK) {
				errno = res < 0 ? (int)-res : EIO;
				die("aio write");
			}
		}
		done += k;
	}
	io_destroy(ctx);
	close(pipefd[1]);
	if (waitpid(child, &status, 0) != child) {
		die("waitpid");
	}
	bad = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		die(path);
	}
	for (i = 0; i < SPARSE / CHUNK; i++) {
		memset(want + i * CHUNK, written(i, r) ? c : 0, CHUNK);
	}
	bad |= expect(fd, want, SPARSE, 0);
	close(fd);
	free(buf);
	if (unlink(path) != 0) {
		die("unlink");
	}
	return bad;
}

int main(int argc, char **argv)
{
	ino_t ino = 0;
	int r, rounds, bad = 0, reused, times = 0;

	if (argc == 3 && !strcmp(argv[1], "plain")) {
		return plain(argv[2]);
	}
	if (argc != 4 || strcmp(argv[1], "aio") || (rounds = atoi(argv[3])) < 2) {
		fprintf(stderr, "usage: inode-reuse plain FILE | aio FILE ROUNDS (>= 2)\n");
		return 2;
	}
	for (r = 0; r < rounds && !bad; r++) {
		bad = aio_round(argv[2], r, &ino, &reused);
		times += reused;
	}
	if (bad) {
		return 1;
	}
	printf("inode number reused in %d of %d rounds\n", times, rounds - 1);
	return times ? 0 : 77;
}
