/* SPDX-License-Identifier: MIT */
/* What the text and JSON reports share: rows of an interleaving, names. */
#ifndef TW_REPORT_INT_H
#define TW_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "records.h"
#include "rules.h"

/* The zone the text report's times are in (gmtime_r). */
#define TW_TEXT_ZONE "UTC"

struct tw_row {
	int64_t ts;
	size_t rec;
	int end;
};

/* Begin and end of every call of the interleaving, in time order; NULL out of memory. */
struct tw_row *tw_rows_of(const struct tw_records *r, const struct tw_anomaly *a,
			  size_t *n);
const char *tw_op_name(int op);
/* "stdio" or "posix_aio": how a file was written unseen (TW_UNSEEN_*). */
const char *tw_unseen_via(int how);
const char *tw_row_op(const struct tw_rec *y);
const char *tw_row_call(const struct tw_rec *y, int end);
const char *tw_row_phase(const struct tw_rec *y, int end);
/* The I/O a row is about: itself, or the one a touch hit; or NULL. */
const struct tw_rec *tw_row_io(const struct tw_records *r, const struct tw_rec *y);
const char *tw_engine_name(const struct tw_rec *x);
const char *tw_opcode_name(const struct tw_rec *x);
void tw_file_name(const struct tw_records *r, uint64_t dev, uint64_t ino,
		  char *buf, size_t len);
/* The name the anomaly's file had when it was judged. */
void tw_anomaly_file(const struct tw_records *r, const struct tw_anomaly *a,
		     char *buf, size_t len);
/* The text report's headline and its notes on loss. */
void tw_text_head(FILE *f, const struct tw_records *r,
		  const struct tw_anomalies *a);
/* Its context lines: execs, mapping modes, bounds, blind spots. */
void tw_text_context(FILE *f, const struct tw_records *r,
		     const struct tw_anomalies *a);
/* s as a JSON string, quoted. */
void tw_json_str(FILE *f, const char *s);
/* HH:MM:SS.nnnnnnnnn in TW_TEXT_ZONE; YYYY-MM-DD. */
void tw_fmt_ts(char *buf, size_t len, int64_t ns);
void tw_fmt_date(char *buf, size_t len, int64_t ns);

#endif
