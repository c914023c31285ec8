/* SPDX-License-Identifier: MIT */
#ifndef TW_FHANDLE_H
#define TW_FHANDLE_H

#include <stdint.h>
#include "tornwatch-events.h"

/* Fills o's handle fields from o->fd, into buf (TW_HANDLE_MAX); errno kept. */
void tw_file_handle(struct tw_file_open *o, uint8_t *buf);

#endif
