/* SPDX-License-Identifier: MIT */
/* Known CRC32C vectors (RFC 3720 B.4) and block/streaming agreement. */
#include <stdio.h>
#include <string.h>
#include "crc32c.h"

static int fails;

static void expect(const char *what, uint32_t got, uint32_t want)
{
	if (got != want) {
		printf("FAIL %s: got %08x want %08x\n", what, got, want);
		fails++;
	}
}

int main(void)
{
	unsigned char buf[4096 + 7];
	uint32_t blocks[8];
	size_t i;

	expect("123456789", tw_crc32c(0, "123456789", 9), 0xe3069283);
	memset(buf, 0, 32);
	expect("32 zeros", tw_crc32c(0, buf, 32), 0x8a9136aa);
	memset(buf, 0xff, 32);
	expect("32 ones", tw_crc32c(0, buf, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++) {
		buf[i] = (unsigned char)i;
	}
	expect("0..31", tw_crc32c(0, buf, 32), 0x46dd794e);
	for (i = 0; i < 32; i++) {
		buf[i] = (unsigned char)(31 - i);
	}
	expect("31..0", tw_crc32c(0, buf, 32), 0x113fdb5c);
	expect("empty", tw_crc32c(0, "", 0), 0);

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (unsigned char)(i * 131 + 7);
	}
	expect("split", tw_crc32c(tw_crc32c(0, buf, 1000), buf + 1000, 3097),
	       tw_crc32c(0, buf, 4097));
	/* Unaligned start, 8 blocks: the 3-way path and the tail path. */
	tw_crc32c_blocks(buf + 7, 512, 8, blocks);
	for (i = 0; i < 8; i++) {
		expect("block", blocks[i], tw_crc32c(0, buf + 7 + i * 512, 512));
	}
	tw_crc32c_blocks(buf + 3, 13, 5, blocks);
	for (i = 0; i < 5; i++) {
		expect("odd block", blocks[i], tw_crc32c(0, buf + 3 + i * 13, 13));
	}
	if (fails) {
		return 1;
	}
	printf("crc32c: all vectors match\n");
	return 0;
}
