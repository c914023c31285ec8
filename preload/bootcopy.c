/* SPDX-License-Identifier: MIT */
/*
 * Byte loops used only before the real memcpy family is resolved. This file
 * is built with -fno-builtin -fno-tree-loop-distribute-patterns so that the
 * compiler cannot turn the loops back into calls to the hooks themselves.
 */
#include "core.h"

void *tw_boot_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--) {
		*d++ = *s++;
	}
	return dst;
}

void *tw_boot_move(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n) {
		return tw_boot_copy(dst, src, n);
	}
	while (n--) {
		d[n] = s[n];
	}
	return dst;
}

void *tw_boot_set(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--) {
		*d++ = (unsigned char)c;
	}
	return dst;
}
