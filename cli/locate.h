/* SPDX-License-Identifier: MIT */
#ifndef TW_LOCATE_H
#define TW_LOCATE_H

#include <stddef.h>

/*
 * libtornwatch.so: TORNWATCH_LIB when set; else ../preload beside this
 * executable (the build tree), the library directory it was installed
 * with, and that directory and ../lib relative to this executable (an
 * installed tree moved elsewhere). 0, or -1 with the cause in why.
 */
int tw_locate_lib(char *buf, size_t len, char *why, size_t wlen);

#endif
