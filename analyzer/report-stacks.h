/* SPDX-License-Identifier: MIT */
/* Call stacks in the reports: under an interleaving's rows, in its JSON. */
#ifndef TW_REPORT_STACKS_H
#define TW_REPORT_STACKS_H

#include <stddef.h>
#include <stdio.h>
#include "records.h"

/* The stack a row of the interleaving shows (0: none). */
uint32_t tw_row_stack(const struct tw_rec *y, int end);

/* Frames of stack id, one a line, at most max ("… N more" after). */
void tw_text_stack(FILE *f, const struct tw_records *r, uint32_t id,
		   size_t max);
/* ,"stack":[{function, inlined, file, line, binary, address, offset}] when id has frames. */
void tw_json_stack(FILE *f, const struct tw_records *r, uint32_t id);
/* The same, each string written by str (the HTML page escapes more). */
void tw_json_stack_with(FILE *f, const struct tw_records *r, uint32_t id,
			void (*str)(FILE *, const char *));

#endif
