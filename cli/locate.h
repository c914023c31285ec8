/* SPDX-License-Identifier: MIT */
#ifndef TW_LOCATE_H
#define TW_LOCATE_H

#include <stddef.h>

/*
 * libtornwatch.so beside this executable: ../lib when installed,
 * ../preload in the build tree; TORNWATCH_LIB overrides. 0 or -1.
 */
int tw_locate_lib(char *buf, size_t len);

#endif
