/* SPDX-License-Identifier: MIT */
/* tornwatch event messages into struct tw_event (trace-reader.h). */
#ifndef TW_EVENT_DECODE_H
#define TW_EVENT_DECODE_H

#include <babeltrace2/babeltrace.h>
#include <stddef.h>
#include <stdint.h>
#include "trace-reader.h"

struct tw_class;

struct tw_decoder {
	struct tw_class *classes;	/* event classes seen, ours or not */
	size_t n, cap, last;
	uint32_t *crc;			/* array members, reused */
	size_t capcrc;
	uint64_t *page;
	size_t cappage;
};

/*
 * 0: ev holds the event (all but its type-independent ts); 1: not a
 * tornwatch event; -EPROTO: a tornwatch event of trace format 1;
 * -ENOMEM.
 */
int tw_decode_event(struct tw_decoder *d, const bt_event *event,
		    struct tw_event *ev);
void tw_decoder_free(struct tw_decoder *d);

#endif
