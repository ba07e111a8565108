// SPDX-License-Identifier: MIT
/*
 * A VM on ACPI (src/board/guest_acpi.c): its device tree turned into ACPI tables,
 * a UEFI system table with the RSDP and "no runtime services", a UEFI memory
 * map, and a device tree with only /chosen naming them; read back here as the
 * kernel reads them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "acpi/reader.h"
#include "board/guest_acpi.h"
#include "board/guest_fdt.h"

#define RAM_BASE   0x40000000UL
#define RAM_SIZE   0x10000000UL
#define REGION_IPA (RAM_BASE + RAM_SIZE - (2UL << 20))

static uint8_t region[GUEST_BOOT_REGION_SIZE];

static const struct guest_fdt_params params = {
	.ram_base = RAM_BASE,
	.ram_size = RAM_SIZE,
	.ncpus = 2,
	.uart_base = 0x09000000,
	.rtc_base = 0x09010000,
	.bootargs = "quiet",
	.gic_version = 3,
	.gicd_base = 0x08000000,
	.gic_cpu_base = 0x080a0000,
	.gic_cpu_size = 0x40000,
	.initrd_base = 0x48000000,
	.initrd_size = 0x1000,
};

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* The guest's view of its RAM: IPAs inside the region map to the buffer. */
static const void *map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < REGION_IPA || pa - REGION_IPA > sizeof(region) ||
	    len > sizeof(region) - (pa - REGION_IPA))
		return NULL;
	return region + (pa - REGION_IPA);
}

static int setup(void **state)
{
	const struct guest_acpi_layout l = { RAM_BASE, RAM_SIZE, REGION_IPA };
	char err[160];

	(void)state;
	memset(region, 0xaa, sizeof(region));
	assert_int_equal(guest_fdt_build(&params, region + GUEST_ACPI_FULL_DT, GUEST_ACPI_DT_ROOM),
			 0);
	assert_int_equal(guest_acpi_build(&l, region, err, sizeof(err)), 0);
	return 0;
}

static uint64_t chosen_u64(const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(region, fdt_path_offset(region, "/chosen"), name, &len);

	assert_non_null(p);
	return len == 8 ? (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1])
			: fdt32_to_cpu(p[0]);
}

static void test_the_device_tree_has_only_chosen(void **state)
{
	int node, n = 0, chosen = fdt_path_offset(region, "/chosen");

	(void)state;
	assert_int_equal(fdt_check_full(region, 4096), 0);
	fdt_for_each_subnode(node, region, 0) n++;
	assert_int_equal(n, 1); /* so Linux prefers ACPI without being told */
	assert_string_equal(fdt_getprop(region, chosen, "bootargs", NULL), "quiet");
	assert_null(fdt_getprop(region, chosen, "stdout-path", NULL));
	assert_int_equal(chosen_u64("linux,initrd-start"), 0x48000000);
	assert_int_equal(chosen_u64("linux,uefi-mmap-desc-ver"), 1);
	assert_int_equal(chosen_u64("linux,uefi-secure-boot"), 2);
	/* The full tree given on input is gone. */
	for (size_t i = GUEST_ACPI_FULL_DT; i < GUEST_BOOT_REGION_SIZE; i++)
		assert_int_equal(region[i], 0);
}

static void test_uefi_system_table_names_the_rsdp_and_no_runtime(void **state)
{
	static const uint8_t acpi20[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
					    0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
	const uint8_t *st = map(NULL, chosen_u64("linux,uefi-system-table"), 120), *cfg, *rt;

	(void)state;
	assert_non_null(st);
	assert_memory_equal(st, "IBI SYST", 8);
	assert_int_equal(le(st + 8, 4) >> 16, 2);
	assert_memory_equal(map(NULL, le(st + 24, 8), 12), "S\0k\0i\0f\0f\0\0", 12);
	assert_int_equal(le(st + 88, 8), 0); /* no runtime services table */
	assert_int_equal(le(st + 104, 4), 2);
	cfg = map(NULL, le(st + 112, 8), 48);
	assert_memory_equal(cfg, acpi20, 16);
	assert_memory_equal(map(NULL, le(cfg + 16, 8), 8), "RSD PTR ", 8);
	rt = map(NULL, le(cfg + 24 + 16, 8), 8);
	assert_int_equal(le(rt, 2), 1);
	assert_int_equal(le(rt + 4, 4), 0); /* RuntimeServicesSupported: none */
}

static void test_memory_map_covers_ram_with_the_region_reclaimable(void **state)
{
	const uint8_t *m = map(NULL, chosen_u64("linux,uefi-mmap-start"), 3 * 48);
	uint64_t size = chosen_u64("linux,uefi-mmap-size"), next = RAM_BASE;

	(void)state;
	assert_int_equal(chosen_u64("linux,uefi-mmap-desc-size"), 48);
	assert_int_equal(size, 3 * 48);
	for (unsigned int i = 0; i < 3; i++, m += 48) {
		assert_int_equal(le(m + 8, 8), next);	    /* contiguous, in order */
		assert_int_equal(le(m, 4), i == 1 ? 9 : 7); /* ACPI reclaim : conventional */
		assert_int_equal(le(m + 32, 8), 0xf);	    /* cacheable */
		next += le(m + 24, 8) << 12;
	}
	assert_int_equal(next, RAM_BASE + RAM_SIZE);
}

static void test_tables_describe_the_vm(void **state)
{
	const uint8_t *st = map(NULL, chosen_u64("linux,uefi-system-table"), 120);
	const uint8_t *config = map(NULL, le(st + 112, 8), 24);
	uint64_t rsdp = le(config + 16, 8);
	struct platform p;
	char err[160];

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(acpi_read_platform(rsdp, map, NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ncpus, 2);
	assert_int_equal(p.psci, PSCI_CONDUIT_HVC);
	assert_int_equal(p.gic.version, 3);
	assert_int_equal(p.gic.dist.base, 0x08000000);
	assert_int_equal(p.gic.redist[0].base, 0x080a0000);
	assert_int_equal(p.uart.regs.base, 0x09000000);
	assert_int_equal(p.timer.nirqs, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_device_tree_has_only_chosen),
		cmocka_unit_test(test_uefi_system_table_names_the_rsdp_and_no_runtime),
		cmocka_unit_test(test_memory_map_covers_ram_with_the_region_reclaimable),
		cmocka_unit_test(test_tables_describe_the_vm),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
