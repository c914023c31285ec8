/* SPDX-License-Identifier: MIT */
#ifndef TW_CRC32C_H
#define TW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC32C (Castagnoli) of buf, continuing from crc (0 to start). */
uint32_t tw_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * n independent CRC32Cs of consecutive len-byte blocks starting at buf,
 * into out[0..n). Independent blocks keep three crc32 units busy at once
 * without any combination step.
 */
void tw_crc32c_blocks(const void *buf, size_t len, size_t n, uint32_t *out);

#endif
