// SPDX-License-Identifier: MIT
/*
 * The ACPI reader (src/acpi/reader.c): the platform read back out of the tables
 * generated from QEMU's device trees equals the one discovered from the trees
 * themselves (CPUs, PSCI, GIC, timer, console); damaged tables are refused with
 * the table and the fault named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "acpi/dt2acpi.h"
#include "acpi/reader.h"
#include "dtb_file.h"

#define BASE 0x48000000UL

static uint8_t dtb[1 << 16];
static uint8_t buf[1 << 16];
static struct acpi_tables t;
static char err[200];

static const void *map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < BASE || pa - BASE > sizeof(buf) || len > sizeof(buf) - (pa - BASE))
		return NULL;
	return buf + (pa - BASE);
}

static void generate(const char *name)
{
	dtb_file_load(name, dtb, sizeof(dtb));
	acpi_tables_init(&t, buf, sizeof(buf), BASE);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &t, NULL, err, sizeof(err)), 0);
}

static void same_irq(const struct irq_desc *a, const struct irq_desc *b)
{
	assert_int_equal(a->intid, b->intid);
	/* ACPI keeps edge/level and polarity: DT's 1 and 4 and 8 come back as they were. */
	assert_int_equal(a->flags, b->flags);
}

static void round_trip(const char *name)
{
	struct platform dt, acpi;

	generate(name);
	memset(&dt, 0, sizeof(dt));
	memset(&acpi, 0, sizeof(acpi));
	assert_int_equal(platform_discover(dtb_open(dtb), &dt, err, sizeof(err)), 0);
	assert_int_equal(acpi_read_platform(BASE, map, NULL, &acpi, err, sizeof(err)), 0);
	assert_int_equal(acpi.ncpus, dt.ncpus);
	assert_memory_equal(acpi.cpu_mpidr, dt.cpu_mpidr, dt.ncpus * sizeof(dt.cpu_mpidr[0]));
	assert_int_equal(acpi.psci, dt.psci);
	assert_int_equal(acpi.gic.version, dt.gic.version);
	assert_int_equal(acpi.gic.dist.base, dt.gic.dist.base);
	assert_int_equal(acpi.gic.nredist, dt.gic.version == 3 ? dt.gic.nredist : 0);
	for (unsigned int i = 0; i < acpi.gic.nredist; i++) {
		assert_int_equal(acpi.gic.redist[i].base, dt.gic.redist[i].base);
		assert_int_equal(acpi.gic.redist[i].size, dt.gic.redist[i].size);
	}
	assert_int_equal(acpi.gic.cpuif.base, dt.gic.cpuif.base);
	assert_int_equal(acpi.gic.hyp.base, dt.gic.hyp.base);
	assert_int_equal(acpi.gic.vcpu.base, dt.gic.vcpu.base);
	assert_true(!dt.gic.vcpu.size || acpi.gic.vcpu.size >= 0x2000);
	assert_int_equal(acpi.gic.maint_irq.intid, dt.gic.maint_irq.intid);
	assert_int_equal(acpi.timer.nirqs, dt.timer.nirqs);
	for (unsigned int i = 0; i < dt.timer.nirqs; i++)
		same_irq(&acpi.timer.irq[i], &dt.timer.irq[i]);
	assert_string_equal(acpi.uart.compatible, "arm,pl011");
	assert_int_equal(acpi.uart.regs.base, dt.uart.regs.base);
	assert_int_equal(acpi.uart.regs.size, dt.uart.regs.size);
	assert_int_equal(acpi.uart.irq.intid, dt.uart.irq.intid);
}

static void test_qemu_trees_round_trip(void **state)
{
	static const char *const trees[] = { "virt-gicv2-smp1", "virt-gicv2-smp2",
					     "virt-gicv2-smp4", "virt-gicv3-smp1",
					     "virt-gicv3-smp2", "virt-gicv3-smp4",
					     "virt-gicv3-a57",	"virt-noel2" };

	(void)state;
	for (unsigned int i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		round_trip(trees[i]);
}

static void expect_refused(const char *what)
{
	struct platform p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(acpi_read_platform(BASE, map, NULL, &p, err, sizeof(err)), -1);
	if (!strstr(err, what))
		fail_msg("expected \"%s\" in \"%s\"", what, err);
}

static void test_damaged_tables_are_refused(void **state)
{
	const struct acpi_table_ref *xsdt;
	size_t madt;

	(void)state;
	generate("virt-gicv3-smp2");
	madt = t.table[acpi_table_find(&t, "APIC")].offset;
	buf[madt + 50] ^= 1;
	expect_refused("APIC: bad checksum");
	generate("virt-gicv3-smp2");
	buf[0] = 'X';
	expect_refused("RSDP: no valid RSDP");
	generate("virt-gicv3-smp2");
	buf[24] += 8; /* the XSDT pointer, its checksum now wrong too */
	buf[32] -= 8;
	expect_refused("XSDT: wrong signature");
	generate("virt-gicv3-smp2");
	/* An XSDT entry pointing outside memory, with the XSDT's checksum made right again. */
	xsdt = &t.table[acpi_table_find(&t, "XSDT")];
	memset(buf + xsdt->offset + 36, 0xff, 8);
	buf[xsdt->offset + 9] = 0;
	buf[xsdt->offset + 9] = acpi_checksum(buf + xsdt->offset, xsdt->len);
	expect_refused("not in readable memory");
}

/* A table's field changed and its checksum made right again. */
static void patch32(const char *sig, size_t field, uint32_t v)
{
	const struct acpi_table_ref *r = &t.table[acpi_table_find(&t, sig)];

	memcpy(buf + r->offset + field, &v, 4);
	buf[r->offset + 9] = 0;
	buf[r->offset + 9] = acpi_checksum(buf + r->offset, r->len);
}

/* The DBG2's device offset and the sizes in its device structure are checked, without wrapping. */
static void test_dbg2_device_outside_the_table_is_refused(void **state)
{
	(void)state;
	generate("virt-gicv3-smp2");
	patch32("DBG2", 36, 0xfffffff0); /* offset + 22 wraps to 6 in 32 bits */
	expect_refused("DBG2: ");
	generate("virt-gicv3-smp2");
	patch32("DBG2", 36, t.table[acpi_table_find(&t, "DBG2")].len - 21);
	expect_refused("DBG2: ");
	generate("virt-gicv3-smp2");
	patch32("DBG2", 44 + 20 - 2, 0xfff00000); /* the address size's offset: 0xfff0 */
	expect_refused("DBG2: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_trees_round_trip),
		cmocka_unit_test(test_damaged_tables_are_refused),
		cmocka_unit_test(test_dbg2_device_outside_the_table_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
