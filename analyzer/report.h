/* SPDX-License-Identifier: MIT */
/* The report: text for people, JSON for programs. */
#ifndef TW_REPORT_H
#define TW_REPORT_H

#include <stdio.h>
#include "records.h"
#include "rules.h"

void tw_report_text(FILE *f, const struct tw_records *r,
		    const struct tw_anomalies *a);
void tw_report_json(FILE *f, const struct tw_records *r,
		    const struct tw_anomalies *a);

#endif
