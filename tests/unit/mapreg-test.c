/* SPDX-License-Identifier: MIT */
/* The mapping registry: add, find, partial unmap (trim and split), mremap. */
#include <stdio.h>
#include "maps.h"

static int fails;

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			printf("FAIL line %d: %s\n", __LINE__, #cond);		\
			fails++;						\
		}								\
	} while (0)

static struct tw_mapreg reg;

int main(void)
{
	struct tw_span s[4];
	int n;

	CHECK(!tw_mapreg_maybe(&reg, (void *)0x1000, 16));
	CHECK(tw_mapreg_add(&reg, 0x10000, 0x8000, 3, 0x2000) == 0);
	CHECK(tw_mapreg_maybe(&reg, (void *)0x10010, 16));
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x18000, 16));

	/* An access straddling the start: only the tracked part, at its file offset. */
	n = tw_mapreg_find(&reg, 0xff00, 0x200, s, 4);
	CHECK(n == 1 && s[0].addr == 0x10000 && s[0].len == 0x100 &&
	      s[0].file_off == 0x2000 && s[0].file == 3);

	/* munmap of the middle page splits the mapping; offsets follow. */
	CHECK(tw_mapreg_remove(&reg, 0x12000, 0x1000) == 0);
	n = tw_mapreg_find(&reg, 0x11ff0, 0x1020, s, 4);
	CHECK(n == 2 && s[0].addr == 0x11ff0 && s[0].len == 0x10 &&
	      s[1].addr == 0x13000 && s[1].len == 0x10 &&
	      s[1].file_off == 0x2000 + 0x3000);
	CHECK(tw_mapreg_find(&reg, 0x12000, 0x1000, s, 4) == 0);

	/* mremap moves the tail part elsewhere, file offset kept. */
	CHECK(tw_mapreg_move(&reg, 0x13000, 0x5000, 0x40000, 0x6000) == 0);
	CHECK(tw_mapreg_find(&reg, 0x13000, 0x5000, s, 4) == 0);
	n = tw_mapreg_find(&reg, 0x45000, 0x10, s, 4);
	CHECK(n == 1 && s[0].file_off == 0x5000 + 0x5000);

	/* Between two mappings, inside their bounds: the page bits say no. */
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x20000, 0x1000));
	CHECK(tw_mapreg_maybe(&reg, (void *)0x20000, 0x1000 * TW_GRAIN_SCAN + 1));
	CHECK(tw_mapreg_maybe(&reg, (void *)0x11fff, 1));
	CHECK(!tw_mapreg_hit(&reg, (void *)0x20000, 0x1000));
	CHECK(!tw_mapreg_hit(&reg, (void *)0x12000, 0x1000));
	CHECK(tw_mapreg_hit(&reg, (void *)0x12000, 0x2e001));
	CHECK(tw_mapreg_hit(&reg, (void *)0x11fff, 1));
	CHECK(tw_mapreg_hit(&reg, (void *)0x3ffff, 2));
	CHECK(!tw_mapreg_hit(&reg, (void *)0x3f000, 0x1000));

	/* MAP_FIXED over a tracked range replaces it. */
	CHECK(tw_mapreg_add(&reg, 0x10000, 0x1000, 7, 0) == 0);
	n = tw_mapreg_find(&reg, 0x10000, 0x10, s, 4);
	CHECK(n == 1 && s[0].file == 7);

	/* Across the end of the hashed bits: pages 32766..32769 alias 32766, 32767, 0, 1. */
	CHECK(tw_mapreg_add(&reg, 0x7ffe000, 0x4000, 4, 0) == 0);
	CHECK(tw_mapreg_maybe(&reg, (void *)0x8001ff0, 16));
	CHECK(tw_mapreg_maybe(&reg, (void *)0x7ffe000, 1));
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x8002000, 16));
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x7ffd000, 16));
	CHECK(tw_mapreg_remove(&reg, 0x7ffe000, 0x4000) == 0);
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x8001ff0, 16));

	/* A mapping of more pages than bits sets every bit, and clears them on removal. */
	CHECK(tw_mapreg_add(&reg, 0x10000000, 0x9000000, 5, 0) == 0);
	CHECK(tw_mapreg_maybe(&reg, (void *)0x20000, 16));
	CHECK(!tw_mapreg_hit(&reg, (void *)0x20000, 16));
	CHECK(tw_mapreg_remove(&reg, 0x10000000, 0x9000000) == 0);
	CHECK(!tw_mapreg_maybe(&reg, (void *)0x20000, 16));

	CHECK(tw_mapreg_remove(&reg, 0, ~(size_t)0 >> 1) == 0);
	CHECK(reg.count == 0 && !tw_mapreg_maybe(&reg, (void *)0x10000, 1));
	if (fails) {
		return 1;
	}
	printf("mapreg: all checks pass\n");
	return 0;
}
