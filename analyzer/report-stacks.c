/* SPDX-License-Identifier: MIT */
/*
 * Call stacks in the reports. A trace without stack events (an old one,
 * TORNWATCH_STACKS=0) prints exactly as before: nothing is added.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "report-int.h"
#include "report-stacks.h"

uint32_t tw_row_stack(const struct tw_rec *y, int end)
{
	if (!end) {
		return y->stack;
	}
	return y->aio ? y->done_stack : 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void tw_text_stack(FILE *f, const struct tw_records *r, uint32_t id,
		   size_t max)
{
	size_t n = tw_stacks_depth(r->syms, id), k;
	struct tw_frame fr;

	for (k = 0; k < n && k < max; k++) {
		tw_stacks_frame(r->syms, id, k, &fr);
		fprintf(f, "      at %s", fr.function);
		if (fr.file && fr.line > 0) {
			fprintf(f, " (%s:%d)", base_name(fr.file), fr.line);
		}
		fprintf(f, " in %s", base_name(fr.binary));
		if (!fr.file) {
			fprintf(f, " (+0x%" PRIx64 ")", fr.offset ? fr.offset :
				fr.address);
		}
		if (fr.inlined) {
			fprintf(f, " [inlined %s]", fr.inlined);
		}
		fprintf(f, "\n");
	}
	if (n > max) {
		fprintf(f, "      … %zu more frame%s\n", n - max,
			n - max == 1 ? "" : "s");
	}
}

static void json_str_or_null(FILE *f, const char *s,
			     void (*str)(FILE *, const char *))
{
	if (s) {
		str(f, s);
	} else {
		fprintf(f, "null");
	}
}

void tw_json_stack(FILE *f, const struct tw_records *r, uint32_t id)
{
	tw_json_stack_with(f, r, id, tw_json_str);
}

void tw_json_stack_with(FILE *f, const struct tw_records *r, uint32_t id,
			void (*str)(FILE *, const char *))
{
	size_t n = tw_stacks_depth(r->syms, id), k;
	struct tw_frame fr;

	if (n == 0) {
		return;
	}
	fprintf(f, ",\"stack\":[");
	for (k = 0; k < n; k++) {
		tw_stacks_frame(r->syms, id, k, &fr);
		fprintf(f, "%s{\"function\":", k ? "," : "");
		str(f, fr.function);
		fprintf(f, ",\"inlined\":");
		json_str_or_null(f, fr.inlined, str);
		fprintf(f, ",\"file\":");
		json_str_or_null(f, fr.file, str);
		if (fr.line > 0) {
			fprintf(f, ",\"line\":%d", fr.line);
		} else {
			fprintf(f, ",\"line\":null");
		}
		fprintf(f, ",\"binary\":");
		str(f, fr.binary);
		fprintf(f, ",\"address\":\"0x%" PRIx64 "\",\"offset\":\"0x%" PRIx64
			"\"}", fr.address, fr.offset);
	}
	fprintf(f, "]");
}
