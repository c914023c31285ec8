/* SPDX-License-Identifier: MIT */
/* Where the text report goes: a file, stdout or stderr. */
#ifndef TW_OUTPUT_H
#define TW_OUTPUT_H

#include <stdio.h>

/* path NULL: dflt; "-": stdout; else the file, created or emptied. 0 or -1. */
int tw_open_report(const char *path, FILE *dflt, FILE **out);
/* Closes a file opened above (flushes a standard stream); 0 or -1. */
int tw_close_report(FILE *f);

#endif
