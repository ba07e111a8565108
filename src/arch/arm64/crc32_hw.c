// SPDX-License-Identifier: MIT
/*
 * CRC-32 with the CPU's CRC32X/CRC32B instructions (FEAT_CRC32: optional in
 * Armv8.0, required from Armv8.1): the polynomial of lib/crc32.c, 8 bytes an
 * instruction where the table takes one. The link's frames are checksummed
 * whole, so this is most of what a migration spends per page (docs/migration.md).
 */
#include <string.h>

#include "arch/arm64/internal.h"
#include "arch/arm64/sysreg.h"
#include "lib/crc32.h"

__asm__(".arch_extension crc");

static uint32_t crc32_hw(uint32_t crc, const void *p, size_t len)
{
	const uint8_t *b = p;

	crc = ~crc;
	for (; len && ((uintptr_t)b & 7); len--)
		__asm__("crc32b %w0, %w0, %w1" : "+r"(crc) : "r"((uint32_t)*b++));
	for (; len >= 8; len -= 8, b += 8) {
		uint64_t v;

		memcpy(&v, b, 8);
		__asm__("crc32x %w0, %w0, %x1" : "+r"(crc) : "r"(v));
	}
	for (; len; len--)
		__asm__("crc32b %w0, %w0, %w1" : "+r"(crc) : "r"((uint32_t)*b++));
	return ~crc;
}

void crc32_hw_init(void)
{
	/* ID_AA64ISAR0_EL1.CRC32 (bits 19:16): 1 when CRC32* exist. */
	if (FIELD(read_sysreg(id_aa64isar0_el1), 16, 4))
		crc32_use(crc32_hw);
}
