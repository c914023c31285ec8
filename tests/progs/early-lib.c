/* SPDX-License-Identifier: MIT */
/*
 * A library whose constructor does file I/O and stores into a shared
 * mapping: it runs before libtornwatch.so's own constructor, so every hook
 * it reaches must work unresolved.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int early_status = -1;

__attribute__((constructor))
static void early(void)
{
	char path[] = "/tmp/tornwatch-early.XXXXXX", buf[64];
	volatile size_t n = 32;
	int fd = mkstemp(path);
	char *map;

	if (fd < 0 || ftruncate(fd, 4096) != 0) {
		return;
	}
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		return;
	}
	memset(buf, 'e', sizeof(buf));
	if (memcpy(map, buf, n) != map || msync(map, 4096, MS_SYNC) != 0 ||
	    pread(fd, buf, n, 0) != (ssize_t)n || buf[0] != 'e') {
		early_status = 1;
	} else {
		early_status = 0;
	}
	munmap(map, 4096);
	close(fd);
	unlink(path);
}
