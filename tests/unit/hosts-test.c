/* SPDX-License-Identifier: MIT */
/*
 * Files of two hosts under a declared --same-fs pair (host-files.c): one
 * file by its file handle wherever it was renamed to, else by its path;
 * a path the same host gives another handle is a new file; and the tables
 * stay fast with many files (they are hashed, not searched).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "hosts.h"

static int fails;
static const char *scenario;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			printf("FAIL %s line %d: %s\n", scenario, __LINE__,	\
			       #cond);						\
			fails++;						\
		}								\
	} while (0)

enum { A, B };
static const uint64_t DEV_A = 10, DEV_B = 20;

static void setup(void)
{
	tw_hosts_free();
	tw_hosts_index("hosta");
	tw_hosts_index("hostb");
	if (tw_hosts_add_same_fs("hosta:/a=hostb:/b") != 0) {
		printf("FAIL setup\n");
		fails++;
	}
}

/* An open on host h with a handle of type: the number the file is known by. */
static uint64_t open_t(int h, uint64_t ino, const char *path, const char *handle,
		       int32_t type)
{
	struct tw_fhandle fh = { type, handle ? (uint32_t)strlen(handle) : 0,
				 (const uint8_t *)handle };

	return tw_hosts_ino((uint32_t)h, h == A ? DEV_A : DEV_B, ino, path,
			    handle ? &fh : NULL);
}

static uint64_t open_on(int h, uint64_t ino, const char *path, const char *handle)
{
	return open_t(h, ino, path, handle, 1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	uint64_t c, c2;

	/* A wrote x and renamed it y; B opens y: the same handle, one file. */
	scenario = "renamed, by handle";
	setup();
	c = open_on(A, 100, "/a/x", "H-one");
	CHECK(open_on(B, 500, "/b/y", "H-one") == c);
	CHECK(open_on(B, 500, "/b/y", "H-one") == c);
	/* Another name of it later on A is the same file too. */
	CHECK(open_on(A, 100, "/a/z", "H-one") == c);

	scenario = "renamed, without handles";
	setup();
	c = open_on(A, 100, "/a/x", NULL);
	CHECK(open_on(B, 500, "/b/y", NULL) != c);

	/* FUSE-like handles, each mount its own: the path still joins them. */
	scenario = "handles per mount, by path";
	setup();
	c = open_on(A, 101, "/a/p", "HA-p");
	CHECK(open_on(B, 700, "/b/p", "HB-p") == c);
	/* And B's handle is known from then on: B's file renamed is still it. */
	CHECK(open_on(B, 701, "/b/p2", "HB-p") == c);

	/* q renamed away on A and a new q made: the path is a new file. */
	scenario = "a path reused on the same host";
	setup();
	c = open_on(A, 102, "/a/q", "H-q1");
	c2 = open_on(A, 103, "/a/q", "H-q2");
	CHECK(c2 != c);
	CHECK(open_on(B, 800, "/b/q", "H-q2") == c2);
	CHECK(open_on(B, 801, "/b/old-q", "H-q1") == c);
	/* The same number for two files of one host stays two files. */
	scenario = "a number another file took";
	CHECK(open_on(B, 102, "/b/other", NULL) != c);

	/* A was renamed over b on A: b names x's file now, to B as well. */
	scenario = "renamed over another file";
	setup();
	c = open_on(A, 110, "/a/x", "H-x");
	c2 = open_on(A, 111, "/a/b", "H-b");
	CHECK(open_on(A, 110, "/a/b", "H-x") == c);
	CHECK(open_on(B, 900, "/b/b", NULL) == c);

	/* FUSE's handles are node ids each mount numbers in its own order. */
	scenario = "FUSE node ids";
	setup();
	c = open_t(A, 120, "/a/f", "node-2", 0x81);
	CHECK(open_t(B, 920, "/b/g", "node-2", 0x81) != c);
	CHECK(open_t(B, 921, "/b/f", "node-3", 0x81) == c);

	/* Handles some other file system gives per mount: learned, then unused. */
	scenario = "handles found to be per mount";
	setup();
	c = open_on(A, 130, "/a/m", "HA-m");
	CHECK(open_on(B, 930, "/b/m", "HB-m") == c);
	c2 = open_on(A, 131, "/a/n", "H-alike");
	CHECK(open_on(B, 931, "/b/k", "H-alike") != c2);

	/* Outside the roots nothing is joined. */
	scenario = "outside the roots";
	CHECK(open_on(A, 104, "/elsewhere/f", "H-e") == 104);

	/*
	 * 50,000 files opened on both hosts: searched linearly, the path,
	 * number and handle tables took minutes; hashed, well under a second.
	 */
	scenario = "many files";
	setup();
	{
		enum { N = 50000 };
		char path[64], h[32];
		double t0 = now_s(), dt;
		int bad = 0;

		for (int i = 0; i < N; i++) {
			snprintf(path, sizeof(path), "/a/d/f%d", i);
			snprintf(h, sizeof(h), "H%d", i);
			c = open_on(A, 1000 + (uint64_t)i, path, h);
			snprintf(path, sizeof(path), "/b/d/f%d", i);
			bad += open_on(B, 900000 + (uint64_t)i, path, i % 2 ? h : NULL) != c;
		}
		dt = now_s() - t0;
		printf("many files: %d files on two hosts in %.3f s\n", N, dt);
		CHECK(bad == 0);
		CHECK(dt < 3.0);
	}
	tw_hosts_free();
	if (fails) {
		return 1;
	}
	printf("hosts: all scenarios pass\n");
	return 0;
}
