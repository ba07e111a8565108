/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 as Ethernet, zlib and PNG compute it (IEEE 802.3 polynomial,
 * reflected, initial value and final XOR 0xffffffff): crc32("123456789") is
 * 0xcbf43926. A check against accidents on a link, not against anyone.
 */
#ifndef SKIFF_LIB_CRC32_H
#define SKIFF_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues @crc (0 to start) over @len bytes at @p. */
uint32_t crc32_update(uint32_t crc, const void *p, size_t len);

/*
 * From now on crc32_update() is @update, which gives the same results faster
 * (the CPU's own instructions): for the architecture's code, once at boot.
 */
void crc32_use(uint32_t (*update)(uint32_t crc, const void *p, size_t len));

#endif
