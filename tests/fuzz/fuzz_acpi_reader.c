// SPDX-License-Identifier: MIT
/*
 * The ACPI reader (acpi/reader.c) on any table set. The input's first byte is
 * a flag byte, the rest an image of memory at physical address BASE with the
 * RSDP at its start (what `dt2acpi --image FILE --base 0x48000000` writes);
 * the map callback gives access to that image only, so any read beyond what
 * a table's fields allow is caught by AddressSanitizer. With flag bit 0 the
 * harness first makes the checksums right (of the RSDP, the XSDT and every
 * table it lists), so mutations reach the tables' contents rather than being
 * refused for their checksum. The reader refuses with the table named, or
 * describes a platform within its limits.
 */
#include "acpi/reader.h"
#include "acpi/table.h"
#include "fuzz.h"

#define BASE	      0x48000000UL
#define FIX_CHECKSUMS 1U

struct image {
	uint8_t *p;
	size_t len;
};

/* @len bytes of the image at @pa, or NULL. */
FUZZ_ORACLE static uint8_t *image_at(const struct image *im, uint64_t pa, size_t len)
{
	if (pa < BASE || pa - BASE > im->len || len > im->len - (pa - BASE))
		return NULL;
	return im->p + (pa - BASE);
}

FUZZ_ORACLE static const void *map(void *ctx, uint64_t pa, size_t len)
{
	return image_at(ctx, pa, len);
}

FUZZ_ORACLE static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* The table at @pa with its checksum made right; NULL if it is not in the image. */
FUZZ_ORACLE static uint8_t *fix_table(struct image *im, uint64_t pa)
{
	uint8_t *t = image_at(im, pa, ACPI_HEADER_SIZE);
	uint32_t len;

	if (!t)
		return NULL;
	len = (uint32_t)le(t + 4, 4);
	if (len < ACPI_HEADER_SIZE || !image_at(im, pa, len))
		return NULL;
	t[9] = 0;
	t[9] = acpi_checksum(t, len);
	return t;
}

FUZZ_ORACLE static void fix_checksums(struct image *im)
{
	uint8_t *rsdp = im->p, *xsdt;

	if (im->len < 36)
		return;
	rsdp[8] = 0;
	rsdp[8] = acpi_checksum(rsdp, 20);
	rsdp[32] = 0;
	rsdp[32] = acpi_checksum(rsdp, 36);
	xsdt = fix_table(im, le(rsdp + 24, 8));
	if (!xsdt)
		return;
	for (uint32_t i = 0; i < (le(xsdt + 4, 4) - ACPI_HEADER_SIZE) / 8; i++)
		fix_table(im, le(xsdt + ACPI_HEADER_SIZE + 8 * i, 8));
	/* The entries' fixes may have landed inside the XSDT itself. */
	fix_table(im, le(rsdp + 24, 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform plat;
	struct image im;
	char err[200] = "";
	int r;

	if (size < 1)
		return 0;
	/* A copy of exactly the image's size: reads past it are caught. */
	im.len = size - 1;
	im.p = malloc(im.len ? im.len : 1);
	memcpy(im.p, data + 1, im.len);
	if (data[0] & FIX_CHECKSUMS)
		fix_checksums(&im);
	memset(&plat, 0, sizeof(plat));
	r = acpi_read_platform(BASE, map, &im, &plat, err, sizeof(err));
	free(im.p);
	if (r) {
		FUZZ_CHECK(!strncmp(err, "ACPI: ", 6) && strlen(err) > 12,
			   "refusal without a reason: \"%s\"", err);
		return 0;
	}
	FUZZ_CHECK(plat.ncpus >= 1 && plat.ncpus <= PLATFORM_MAX_CPUS, "%u CPUs", plat.ncpus);
	FUZZ_CHECK(plat.gic.version == 2 || plat.gic.version == 3, "GIC version %u",
		   plat.gic.version);
	FUZZ_CHECK(plat.gic.nredist <= PLATFORM_MAX_REDIST, "%u GICR", plat.gic.nredist);
	FUZZ_CHECK(plat.gic.version != 3 || plat.gic.nredist, "GICv3 without a GICR");
	FUZZ_CHECK(plat.timer.nirqs <= TIMER_IRQ_COUNT, "%u timer interrupts", plat.timer.nirqs);
	FUZZ_CHECK(fuzz_terminated(plat.uart.compatible, sizeof(plat.uart.compatible)),
		   "UART compatible not terminated");
	return 0;
}
