/* SPDX-License-Identifier: MIT */
/*
 * Writers whose bytes reach the file through libc's internal write, past
 * every hook, each followed by a reader in another process (exec) that
 * reads the file back with pread:
 *
 *   unseen-writers stdio FILE     write() other bytes, then fopen("r+"),
 *                                 fprintf, fwrite, fclose over them
 *   unseen-writers aio FILE       aio_write, then lio_listio(LIO_WAIT)
 *   unseen-writers pread FILE     the reader: pread of the whole file
 *
 * Exit 0 when the reader saw what was written, 1 when not, 2 on error.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 16384

static unsigned char want[SIZE];

static void fill(void)
{
	int i;

	for (i = 0; i < SIZE; i++) {
		want[i] = (unsigned char)('a' + (i * 7 + i / 512) % 26);
	}
}

static int die(const char *what)
{
	fprintf(stderr, "unseen-writers: %s: %s\n", what, strerror(errno));
	return 2;
}

static int reader(const char *path)
{
	static unsigned char got[SIZE];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		return die(path);
	}
	n = pread(fd, got, SIZE, 0);
	close(fd);
	if (n != SIZE) {
		return die("short pread");
	}
	if (memcmp(got, want, SIZE) != 0) {
		printf("*** DATA COMPARISON ERROR ***\n");
		return 1;
	}
	return 0;
}

static int by_stdio(const char *path)
{
	static unsigned char old[SIZE];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FILE *f;

	/* A version the tracer saw, which the unseen bytes then replace. */
	memset(old, 'x', sizeof(old));
	if (fd < 0 || write(fd, old, SIZE) != SIZE || close(fd) != 0) {
		return die(path);
	}
	f = fopen(path, "r+");
	if (!f) {
		return die(path);
	}
	/* Many small writes: stdio turns them into a few internal writes. */
	if (fprintf(f, "%.*s", SIZE / 2, (const char *)want) != SIZE / 2 ||
	    fwrite(want + SIZE / 2, 1, SIZE / 2, f) != SIZE / 2) {
		return die("fprintf");
	}
	return fclose(f) == 0 ? 0 : die("fclose");
}

static int wait_aio(struct aiocb *cb)
{
	const struct aiocb *list[1] = { cb };
	int err;

	while ((err = aio_error(cb)) == EINPROGRESS) {
		aio_suspend(list, 1, NULL);
	}
	errno = err;
	return err == 0 && aio_return(cb) == SIZE / 2 ? 0 : -1;
}

static int by_aio(const char *path)
{
	struct aiocb cb, cb2;
	struct aiocb *list[1] = { &cb2 };
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		return die(path);
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = want;
	cb.aio_nbytes = SIZE / 2;
	cb.aio_offset = 0;
	if (aio_write(&cb) != 0 || wait_aio(&cb) != 0) {
		return die("aio_write");
	}
	memset(&cb2, 0, sizeof(cb2));
	cb2.aio_fildes = fd;
	cb2.aio_buf = want + SIZE / 2;
	cb2.aio_nbytes = SIZE / 2;
	cb2.aio_offset = SIZE / 2;
	cb2.aio_lio_opcode = LIO_WRITE;
	if (lio_listio(LIO_WAIT, list, 1, NULL) != 0 || wait_aio(&cb2) != 0) {
		return die("lio_listio");
	}
	return close(fd) == 0 ? 0 : die("close");
}

int main(int argc, char **argv)
{
	int status, ret;
	pid_t pid;

	fill();
	if (argc != 3) {
		fprintf(stderr, "usage: unseen-writers stdio|aio|pread FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "pread") == 0) {
		return reader(argv[2]);
	}
	ret = strcmp(argv[1], "stdio") == 0 ? by_stdio(argv[2]) :
	      strcmp(argv[1], "aio") == 0 ? by_aio(argv[2]) : 2;
	if (ret != 0) {
		return ret;
	}
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "pread", argv[2], (char *)NULL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		return die("fork");
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
