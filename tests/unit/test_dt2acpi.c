// SPDX-License-Identifier: MIT
/*
 * The device tree -> ACPI mapping rules (src/acpi/), table by table, on
 * tests/unit/dts/acpi-rules.dts: nested bus translation, disabled nodes and
 * CPUs, the PRP0001 fallback with its _DSD, non-memory-mapped children,
 * spin-table CPUs, the timer flags, the console, cpu-map; and the errors.
 */
#define _GNU_SOURCE /* memmem */
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi/dt2acpi.h"
#include "dtb_file.h"

static uint8_t dtb[1 << 16];
static uint8_t buf[1 << 16];
static struct acpi_tables t;

static void load(const char *name)
{
	dtb_file_load(name, dtb, sizeof(dtb));
}

static int build(bool guest)
{
	struct acpi_options opt = { .guest = guest };
	char err[200];

	acpi_tables_init(&t, buf, sizeof(buf), 0x40000000);
	return acpi_from_dt(dtb_open(dtb), &t, &opt, err, sizeof(err));
}

static const uint8_t *table(const char *sig, size_t *len)
{
	int i = acpi_table_find(&t, sig);

	assert_true(i >= 0);
	*len = t.table[i].len;
	return t.buf + t.table[i].offset;
}

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static bool contains(const uint8_t *p, size_t len, const void *what, size_t wlen)
{
	return memmem(p, len, what, wlen) != NULL;
}

static bool has_string(const uint8_t *p, size_t len, const char *s)
{
	return contains(p, len, s, strlen(s) + 1);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static int setup(void **state)
{
	(void)state;
	load("acpi-rules");
	return build(false);
}

static void test_every_table_is_there_and_sums_to_zero(void **state)
{
	static const char *const present[] = { "RSDP", "DSDT", "FACP", "APIC", "GTDT",
					       "SPCR", "DBG2", "PPTT", "XSDT" };
	const uint8_t *rsdp = t.buf;
	size_t len;

	(void)state;
	for (unsigned int i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		const uint8_t *p = table(present[i], &len);

		if (i)
			assert_int_equal(sum(p, len), 0);
	}
	assert_int_equal(acpi_table_find(&t, "MCFG"), -1); /* no PCIe host */
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(le(rsdp + 24, 8), acpi_table_address(&t, acpi_table_find(&t, "XSDT")));
	/* The XSDT lists every table but the RSDP and the DSDT (the FADT points to it). */
	table("XSDT", &len);
	assert_int_equal(len, 36 + 8 * 6);
}

static void test_madt_has_enabled_cpus_gicd_gicr_its(void **state)
{
	size_t len;
	const uint8_t *p = table("APIC", &len), *s = p + 44;
	unsigned int gicc = 0, gicd = 0, gicr = 0, its = 0;

	(void)state;
	while (s < p + len) {
		switch (s[0]) {
		case 0x0b:
			assert_int_equal(s[1], 80);
			assert_int_equal(le(s + 8, 4), gicc);		   /* processor UID */
			assert_int_equal(le(s + 68, 8), gicc ? 0x101 : 0); /* MPIDR */
			assert_int_equal(le(s + 56, 4), 25);		   /* maintenance PPI */
			gicc++;
			break;
		case 0x0c:
			assert_int_equal(le(s + 8, 8), 0x8000000);
			assert_int_equal(s[20], 3);
			gicd++;
			break;
		case 0x0e:
			assert_int_equal(le(s + 4, 8), 0x80a0000);
			assert_int_equal(le(s + 12, 4), 0xf60000);
			gicr++;
			break;
		case 0x0f:
			assert_int_equal(le(s + 8, 8), 0x8080000);
			its++;
			break;
		default:
			fail_msg("unexpected MADT structure type %u", s[0]);
		}
		assert_true(s[1] > 0);
		s += s[1];
	}
	assert_int_equal(gicc, 2); /* the disabled CPU is left out */
	assert_int_equal(gicd, 1);
	assert_int_equal(gicr, 1);
	assert_int_equal(its, 1);
}

static void test_gtdt_takes_interrupts_and_flags_from_the_timer_node(void **state)
{
	size_t len;
	const uint8_t *p = table("GTDT", &len);

	(void)state;
	assert_int_equal(len, 104);
	assert_int_equal(le(p + 48, 4), 29);	/* secure EL1 */
	assert_int_equal(le(p + 52, 4), 4);	/* level, active high, always-on */
	assert_int_equal(le(p + 56, 4), 30);	/* non-secure EL1 */
	assert_int_equal(le(p + 64, 4), 27);	/* virtual */
	assert_int_equal(le(p + 68, 4), 2 | 4); /* level-low: active low */
	assert_int_equal(le(p + 72, 4), 26);	/* EL2 */
	assert_int_equal(le(p + 76, 4), 1 | 4); /* edge */
}

static void test_spcr_and_dbg2_name_the_console_through_nested_buses(void **state)
{
	size_t len;
	const uint8_t *spcr = table("SPCR", &len), *dbg2;

	(void)state;
	assert_int_equal(spcr[36], 3);			/* PL011 */
	assert_int_equal(le(spcr + 44, 8), 0x11002000); /* 0x10000000 + 0x1000000 + 0x2000 */
	assert_int_equal(le(spcr + 54, 4), 37);		/* SPI 5 */
	assert_int_equal(spcr[58], 7);			/* 115200 from stdout-path */
	dbg2 = table("DBG2", &len);
	assert_true(has_string(dbg2, len, "\\_SB.COM0"));
}

static void test_dsdt_devices_and_the_prp0001_fallback(void **state)
{
	static const uint8_t uuid[16] = { 0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
					  0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01 };
	static const uint8_t com0_mem[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x20, 0x00, 0x11 };
	size_t len;
	const uint8_t *p = table("DSDT", &len);

	(void)state;
	assert_int_equal(p[8], 2); /* 64-bit integers */
	assert_true(has_string(p, len, "ACPI0007"));
	assert_true(contains(p, len, "C001", 4));
	assert_false(contains(p, len, "C002", 4)); /* the disabled CPU */
	assert_true(has_string(p, len, "ARMH0011"));
	assert_true(contains(p, len, com0_mem, sizeof(com0_mem)));
	assert_true(has_string(p, len, "PRP0001"));
	assert_true(contains(p, len, uuid, sizeof(uuid)));
	assert_true(has_string(p, len, "acme,widget"));
	assert_true(has_string(p, len, "acme,mode"));
	assert_true(has_string(p, len, "fast"));
	assert_true(has_string(p, len, "acme,names"));
	assert_true(has_string(p, len, "acme,enabled"));
	assert_false(has_string(p, len, "acme,gadget")); /* disabled */
	assert_false(has_string(p, len, "acme,sensor")); /* on I2C, not memory-mapped */
	assert_false(has_string(p, len, "clocks"));	 /* phandles are not copied */
	assert_false(has_string(p, len, "vdd-supply"));
	assert_false(has_string(p, len, "fixed-clock")); /* no resources: no device */
}

static void test_fadt_psci_flags_for_host_and_guest(void **state)
{
	size_t len;
	const uint8_t *p = table("FACP", &len);

	(void)state;
	assert_int_equal(len, 276);
	assert_int_equal(p[8], 6);
	assert_true(le(p + 112, 4) & (1U << 20)); /* hardware-reduced */
	assert_int_equal(le(p + 129, 2), 1);	  /* PSCI, through SMC as the DT says */
	assert_int_equal(le(p + 140, 8), acpi_table_address(&t, acpi_table_find(&t, "DSDT")));
	assert_int_equal(build(true), 0);
	p = table("FACP", &len);
	assert_int_equal(le(p + 129, 2), 3); /* a VM's: PSCI through HVC */
	assert_int_equal(build(false), 0);
}

static void test_pptt_follows_cpu_map(void **state)
{
	size_t len;
	const uint8_t *p = table("PPTT", &len);

	(void)state;
	assert_int_equal(len, 36 + 3 * 20);
	assert_int_equal(le(p + 40, 4), 1);	 /* cluster0: a physical package */
	assert_int_equal(le(p + 60, 4), 2 | 8);	 /* core0: leaf with a valid ID */
	assert_int_equal(le(p + 64, 4), 36);	 /* its parent: cluster0 */
	assert_int_equal(le(p + 68 + 20, 4), 1); /* core1 is CPU 1 */
}

static void test_errors_name_what_is_wrong(void **state)
{
	struct acpi_tables small;
	char err[200];
	uint8_t tiny[200];

	(void)state;
	acpi_tables_init(&small, tiny, sizeof(tiny), 0);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &small, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "fit"));

	fdt_set_totalsize(dtb, fdt_totalsize(dtb) - 64); /* truncated structure */
	acpi_tables_init(&t, buf, sizeof(buf), 0);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &t, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device tree"));

	load("acpi-rules");
	assert_int_equal(fdt_nop_node(dtb, fdt_path_offset(dtb, "/interrupt-controller@8000000")),
			 0);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &t, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no GIC"));
	load("acpi-rules");
}

/* Collects the generator's notes, one after another, for the test to search. */
static void collect_note(void *ctx, const char *fmt, va_list ap)
{
	char *notes = ctx;
	size_t used = strlen(notes);

	vsnprintf(notes + used, 4096 - used, fmt, ap);
	strncat(notes, "\n", 4096 - strlen(notes) - 1);
}

/*
 * An ECAM host whose configuration space cannot be read from the tree used to be
 * described from a register window that was never filled in (stack garbage as its
 * base and bus range): it must be left out, with a note saying why.
 */
static void test_ecam_host_without_reg_is_left_out(void **state)
{
	static const uint8_t pnp0a08[] = { 0x0c, 0x41, 0xd0, 0x0a, 0x08 }; /* EISAID */
	static char notes[4096];
	struct acpi_options opt = { .note = collect_note, .note_ctx = notes };
	char err[200];
	size_t len;
	const uint8_t *p;

	(void)state;
	load("ecam-no-reg");
	notes[0] = 0;
	acpi_tables_init(&t, buf, sizeof(buf), 0x40000000);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &t, &opt, err, sizeof(err)), 0);
	p = table("DSDT", &len);
	assert_false(contains(p, len, pnp0a08, sizeof(pnp0a08)));
	assert_false(contains(p, len, "PCI0", 4));
	assert_false(contains(p, len, "RES0", 4));
	assert_int_equal(acpi_table_find(&t, "MCFG"), -1);
	assert_non_null(strstr(notes, "/pcie@10000000: PCIe ECAM host without 'reg'"));
	load("acpi-rules");
	assert_int_equal(build(false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_table_is_there_and_sums_to_zero),
		cmocka_unit_test(test_madt_has_enabled_cpus_gicd_gicr_its),
		cmocka_unit_test(test_gtdt_takes_interrupts_and_flags_from_the_timer_node),
		cmocka_unit_test(test_spcr_and_dbg2_name_the_console_through_nested_buses),
		cmocka_unit_test(test_dsdt_devices_and_the_prp0001_fallback),
		cmocka_unit_test(test_fadt_psci_flags_for_host_and_guest),
		cmocka_unit_test(test_pptt_follows_cpu_map),
		cmocka_unit_test(test_errors_name_what_is_wrong),
		cmocka_unit_test(test_ecam_host_without_reg_is_left_out),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
