// SPDX-License-Identifier: MIT
/*
 * Platform discovery on device trees QEMU itself generates (dumped at build time by
 * scripts/dump-qemu-dtbs.sh) and on hand-written trees for what QEMU's lack. The
 * expected values are QEMU virt's documented memory map (hw/arm/virt.c), not
 * output of the code under test.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "platform/platform.h"
#include "dtb_file.h"

static unsigned char blob[1 << 20];
static struct platform plat;
static char err[200];
/* The tests run twice: with room to index every tree, and with too little (libfdt alone). */
static struct dt_node room[1024];
static unsigned int room_nodes;
static struct dt dt;

static uint32_t be32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static void load(const char *name)
{
	dtb_file_load(name, blob, sizeof(blob));
}

static const struct dt *opened(void)
{
	dt_open(&dt, blob, room, room_nodes);
	return &dt;
}

static int discover(const char *name)
{
	load(name);
	err[0] = '\0';
	return platform_discover(opened(), &plat, err, sizeof(err));
}

static void check_virt_common(unsigned int ncpus)
{
	unsigned int i;

	assert_int_equal(plat.nmem, 1);
	assert_int_equal(plat.mem[0].base, 0x40000000);
	assert_int_equal(plat.mem[0].size, 2UL << 30);
	assert_int_equal(plat.ncpus, ncpus);
	for (i = 0; i < ncpus; i++)
		assert_int_equal(plat.cpu_mpidr[i], i); /* QEMU puts Aff0 = index in reg */
	assert_string_equal(plat.uart.compatible, "arm,pl011");
	assert_int_equal(plat.uart.regs.base, 0x09000000);
	assert_int_equal(plat.uart.regs.size, 0x1000);
	assert_int_equal(plat.uart.irq.intid, 32 + 1); /* SPI 1 */
	assert_int_equal(plat.uart.irq.flags, 4);
	assert_int_equal(plat.rtc.base, 0x09010000); /* PL031: Skiff's wall clock */
	assert_int_equal(plat.rtc.size, 0x1000);
	assert_int_equal(plat.uart.clock_hz, 24000000); /* apb-pclk, "clk24mhz" */
	assert_int_equal(plat.timer.nirqs, 4);
	assert_int_equal(plat.timer.irq[TIMER_IRQ_SEC_PHYS].intid, 16 + 13);
	assert_int_equal(plat.timer.irq[TIMER_IRQ_PHYS].intid, 16 + 14);
	assert_int_equal(plat.timer.irq[TIMER_IRQ_VIRT].intid, 16 + 11);
	assert_int_equal(plat.timer.irq[TIMER_IRQ_HYP_PHYS].intid, 16 + 10);
	for (i = 0; i < 4; i++)
		assert_int_equal(plat.timer.irq[i].flags, 4); /* level high, CPU mask stripped */
	assert_int_equal(plat.gic.dist.base, 0x08000000);
	assert_int_equal(plat.gic.dist.size, 0x10000);
	assert_int_equal(plat.gic.maint_irq.intid, 16 + 9);
	assert_string_equal(plat.model, "linux,dummy-virt");
	assert_int_equal(plat.initrd.size, 0);
	/* 32 virtio-mmio transports of 0x200 bytes from 0x0a000000, SPIs 16-47, edge. */
	assert_int_equal(plat.nvirtio, 32);
	{
		uint32_t seen = 0;

		for (i = 0; i < plat.nvirtio; i++) {
			const struct platform_virtio *v = &plat.virtio[i];
			uint64_t n = (v->regs.base - 0x0a000000) / 0x200;

			assert_true(v->regs.base >= 0x0a000000 && n < 32);
			assert_int_equal(v->regs.base, 0x0a000000 + n * 0x200);
			assert_int_equal(v->regs.size, 0x200);
			assert_int_equal(v->irq.intid, 32 + 16 + n);
			assert_int_equal(v->irq.flags, 1);
			assert_true(v->dma_coherent);
			assert_false(seen & (1U << n));
			seen |= 1U << n;
		}
	}
}

static void test_virt_gicv3(void **state)
{
	unsigned int smp[] = { 1, 2, 4 };
	char name[32];

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "virt-gicv3-smp%u", smp[i]);
		assert_int_equal(discover(name), 0);
		check_virt_common(smp[i]);
		assert_int_equal(plat.psci, PSCI_CONDUIT_SMC); /* EL2 present: firmware at EL3 */
		assert_int_equal(plat.gic.version, 3);
		assert_int_equal(plat.gic.nredist, 1);
		assert_int_equal(plat.gic.redist[0].base, 0x080a0000);
		assert_int_equal(plat.gic.redist[0].size, 0xf60000);
		assert_int_equal(plat.gic.cpuif.size, 0);
	}
}

static void test_virt_gicv2(void **state)
{
	unsigned int smp[] = { 1, 2, 4 };
	char name[32];

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "virt-gicv2-smp%u", smp[i]);
		assert_int_equal(discover(name), 0);
		check_virt_common(smp[i]);
		assert_int_equal(plat.gic.version, 2);
		assert_int_equal(plat.gic.cpuif.base, 0x08010000);
		assert_int_equal(plat.gic.hyp.base, 0x08030000);
		assert_int_equal(plat.gic.vcpu.base, 0x08040000);
		assert_int_equal(plat.gic.nredist, 0);
	}
}

static void test_virt_a57_and_no_el2(void **state)
{
	(void)state;
	assert_int_equal(discover("virt-gicv3-a57"), 0);
	check_virt_common(2);
	assert_int_equal(discover("virt-noel2"), 0);
	assert_int_equal(plat.psci, PSCI_CONDUIT_HVC); /* no EL2: QEMU answers HVC */
	assert_int_equal(plat.gic.maint_irq.intid, 0); /* no virtualization extensions */
}

static void test_nested_board_tree(void **state)
{
	(void)state;
	assert_int_equal(discover("nested"), 0);
	assert_string_equal(plat.model, "Skiff test board");
	assert_int_equal(plat.nmem, 2);
	assert_int_equal(plat.mem[1].base, 0x880000000UL);
	assert_int_equal(plat.ncpus, 2); /* the disabled one is skipped */
	assert_int_equal(plat.cpu_mpidr[1], 0x100);
	assert_int_equal(plat.psci, PSCI_CONDUIT_HVC);
	assert_int_equal(plat.nreserved, 2);
	assert_int_equal(plat.reserved[0].base, 0x80000000); /* /memreserve/ */
	assert_int_equal(plat.reserved[1].base, 0x84000000); /* /reserved-memory */
	assert_int_equal(plat.gic.version, 2);
	assert_int_equal(plat.gic.dist.base, 0xff840000); /* through soc ranges */
	assert_int_equal(plat.gic.cpuif.base, 0xff842000);
	assert_int_equal(plat.gic.maint_irq.intid, 25);
	/* stdout-path "serial0:115200n8" -> alias -> /soc/apb/serial@1400, two buses up. */
	assert_int_equal(plat.uart.regs.base, 0xfe201400);
	assert_int_equal(plat.uart.irq.intid, 32 + 93); /* from interrupts-extended */
	assert_int_equal(plat.uart.clock_hz, 48000000);
	assert_int_equal(plat.timer.clock_frequency, 25000000);
	assert_int_equal(plat.rtc.size, 0); /* no PL031 there */
	assert_int_equal(plat.timer.irq[TIMER_IRQ_VIRT].flags, 8);
	/* The one usable virtio transport: disabled, without reg, of size 0 are left out. */
	assert_int_equal(plat.nvirtio, 1);
	assert_int_equal(plat.virtio[0].regs.base, 0xfe300000);
	assert_int_equal(plat.virtio[0].regs.size, 0x200);
	assert_int_equal(plat.virtio[0].irq.intid, 32 + 40);
	assert_true(plat.virtio[0].dma_coherent);
	assert_int_equal(plat.initrd.base, 0x88000000);
	assert_int_equal(plat.initrd.size, 0x100000);
	assert_string_equal(plat.bootargs, "skiff.selftest=none");
	assert_int_equal(plat.rng_seed_len, 64); /* of the 72 bytes 0x00..0x47 */
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(plat.rng_seed[i], i);
}

/* QEMU virt's /chosen/rng-seed: 32 random bytes, read as they are in the tree. */
static void test_rng_seed_is_read(void **state)
{
	const void *prop;
	int len;

	(void)state;
	assert_int_equal(discover("virt-gicv3-smp2"), 0);
	prop = fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "rng-seed", &len);
	assert_non_null(prop);
	assert_int_equal(len, 32);
	assert_int_equal(plat.rng_seed_len, 32);
	assert_memory_equal(plat.rng_seed, prop, 32);
}

/*
 * Once forgotten, the seed's bytes are nowhere in the tree, which stays valid with
 * everything else in it; a second discovery finds no seed.
 */
static void test_forgotten_rng_seed_is_gone_from_the_tree(void **state)
{
	unsigned char seed[32];
	size_t size;

	(void)state;
	assert_int_equal(discover("virt-gicv3-smp2"), 0);
	memcpy(seed, plat.rng_seed, sizeof(seed));
	size = fdt_totalsize(blob);
	assert_int_equal(platform_forget_rng_seed(&dt, blob), 0);
	assert_null(memmem(blob, size, seed, sizeof(seed)));
	assert_int_equal(fdt_check_full(blob, size), 0);
	assert_int_equal(fdt_totalsize(blob), size);
	assert_null(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "rng-seed", NULL));
	assert_non_null(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "kaslr-seed", NULL));
	/* The index of the tree before holds: the seed's bytes became no-ops in place. */
	assert_int_equal(platform_discover(&dt, &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.rng_seed_len, 0);
	check_virt_common(2);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.rng_seed_len, 0);
	check_virt_common(2);
	/* Nothing left to forget. */
	assert_int_equal(platform_forget_rng_seed(&dt, blob), -FDT_ERR_NOTFOUND);
}

/* A specifier's size from a huge #interrupt-cells: the reading stops, nothing wraps. */
static void test_huge_interrupt_cells(void **state)
{
	(void)state;
	assert_int_equal(discover("huge-interrupt-cells"), 0);
	assert_int_equal(plat.uart.regs.base, 0x9000000);
	assert_int_equal(plat.uart.irq.intid, 0); /* the first specifier cannot be read */
}

/*
 * stdout-path through aliases that are not paths from the root: one naming itself
 * (libfdt 1.6 recursed until the stack ran out), one without its NUL (read beyond
 * the property, into what follows). Neither is the console: the first PL011 is.
 */
static void test_stdout_through_bad_aliases(void **state)
{
	(void)state;
	assert_int_equal(discover("alias-loop"), 0);
	assert_int_equal(plat.uart.regs.base, 0x9000000);
	assert_true(dt_path(&dt, "loop") < 0);
	assert_true(dt_path(&dt, "trim") < 0);
	assert_int_equal(dt_path(&dt, "good"), fdt_path_offset(blob, "/pl011@9001000"));
	assert_int_equal(dt_path(&dt, "good/"), fdt_path_offset(blob, "/pl011@9001000"));
	assert_int_equal(fdt_setprop_inplace(blob, fdt_path_offset(blob, "/chosen"), "stdout-path",
					     "trim", 5),
			 0);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.uart.regs.base, 0x9000000);
}

static void expect_error(const char *name, const char *substring)
{
	assert_int_equal(discover(name), -1);
	if (!strstr(err, substring))
		fail_msg("%s: error \"%s\" does not contain \"%s\"", name, err, substring);
}

/*
 * Skiff's own console where /chosen names it the older ways (linux,stdout-path, then
 * /aliases/stdout): with the first UART of the tree enabled, only following them finds
 * the one named (serial@1400, at 0xfe201400 through two buses).
 */
static void test_console_from_older_stdout_properties(void **state)
{
	int chosen;

	(void)state;
	load("nested");
	assert_int_equal(fdt_open_into(blob, blob, sizeof(blob)), 0);
	assert_int_equal(fdt_setprop_string(blob, fdt_path_offset(blob, "/soc/serial@201000"),
					    "status", "okay"),
			 0);
	chosen = fdt_path_offset(blob, "/chosen");
	assert_int_equal(fdt_delprop(blob, chosen, "stdout-path"), 0);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.uart.regs.base, 0xfe201000); /* none named: the first PL011 */
	assert_int_equal(fdt_setprop_string(blob, chosen, "linux,stdout-path", "serial0:115200"),
			 0);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.uart.regs.base, 0xfe201400);
	assert_int_equal(fdt_delprop(blob, chosen, "linux,stdout-path"), 0);
	assert_int_equal(fdt_setprop_string(blob, fdt_path_offset(blob, "/aliases"), "stdout",
					    "/soc/apb/serial@1400"),
			 0);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), 0);
	assert_int_equal(plat.uart.regs.base, 0xfe201400);
}

static void test_malformed_trees(void **state)
{
	(void)state;
	expect_error("bad-reg", "memory@0: 'reg' length is not a multiple");
	expect_error("cpus-no-cells", "/cpus needs #address-cells of 1 or 2");
	expect_error("no-memory", "no memory node");
	expect_error("too-many-cpus", "17 CPUs found, Skiff supports at most 16");
	expect_error("bad-ranges", "serial@2000: 'reg' address not covered");
}

static void test_corrupt_blobs(void **state)
{
	uint32_t be, prop;

	(void)state;
	load("virt-gicv3-smp2");
	memcpy(blob, "\xde\xad\xbe\xef", 4);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad header (FDT_ERR_BADMAGIC)"));

	load("virt-gicv3-smp2");
	be = __builtin_bswap32(0x30); /* totalsize smaller than the header claims to hold */
	memcpy(blob + 4, &be, 4);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device tree: "));

	load("virt-gicv3-smp2");
	/* Corrupt the structure block: the first tag after the root node's name. */
	memcpy(&be, blob + 8, 4);
	memset(blob + __builtin_bswap32(be) + 8, 0x7f, 4);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device tree: malformed"));

	/* Older than version 16: libfdt's full check would dereference NULL. */
	load("virt-gicv3-smp2");
	be = __builtin_bswap32(15);
	memcpy(blob + 20, &be, 4); /* the version */
	be = __builtin_bswap32(2);
	memcpy(blob + 24, &be, 4); /* the oldest it is compatible with */
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device tree: version 15"));

	/*
	 * A property 12 bytes long less 12: libfdt 1.6's own walk stays on it for
	 * ever (a fuzzing find); refused before libfdt walks the tree.
	 */
	load("virt-gicv3-smp2");
	prop = be32_at(blob + 8) + 8; /* the first tag after the root's name */
	assert_int_equal(be32_at(blob + prop), FDT_PROP);
	be = __builtin_bswap32(0xfffffff4);
	memcpy(blob + prop + 4, &be, 4);
	assert_int_equal(platform_discover(opened(), &plat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device tree: malformed (FDT_ERR_BADSTRUCTURE)"));
}

/* The index's answers, against the tree's layout (paths and phandles as written). */
static void test_index_finds_parents_phandles_and_compatibles(void **state)
{
	int apb, uart1, clk, gic;

	(void)state;
	load("nested");
	opened();
	if (room_nodes == sizeof(room) / sizeof(room[0]))
		assert_non_null(dt.node);
	apb = fdt_path_offset(blob, "/soc/apb");
	uart1 = fdt_path_offset(blob, "/soc/apb/serial@1400");
	clk = fdt_path_offset(blob, "/soc/clock");
	gic = fdt_path_offset(blob, "/soc/interrupt-controller@1840000");
	assert_true(apb > 0 && uart1 > 0 && clk > 0 && gic > 0);
	assert_int_equal(dt_parent(&dt, uart1), apb);
	assert_int_equal(dt_parent(&dt, apb), fdt_path_offset(blob, "/soc"));
	assert_int_equal(dt_parent(&dt, fdt_path_offset(blob, "/soc")), 0);
	assert_true(dt_parent(&dt, 0) < 0);
	assert_int_equal(dt_node_by_phandle(&dt, fdt_get_phandle(blob, clk)), clk);
	assert_int_equal(dt_node_by_phandle(&dt, fdt_get_phandle(blob, gic)), gic);
	assert_int_equal(fdt_get_phandle(blob, uart1), 0); /* the alias is a path */
	assert_true(dt_node_by_phandle(&dt, 0x7777) < 0);
	assert_true(dt_node_by_phandle(&dt, 0) < 0);
	assert_true(dt_compatible(&dt, uart1, "arm,pl011"));
	assert_true(dt_compatible(&dt, uart1, "arm,primecell"));
	assert_false(dt_compatible(&dt, uart1, "arm,pl01"));
	assert_false(dt_compatible(&dt, 0, "simple-bus"));
	assert_int_equal(dt_irq_parent(&dt, uart1), gic); /* inherited from the root */
}

/* Two nodes with one phandle (a malformed tree libfdt reads): the first in the tree wins. */
static void test_index_takes_the_first_of_two_nodes_with_one_phandle(void **state)
{
	int clk, gic;

	(void)state;
	load("nested");
	clk = fdt_path_offset(blob, "/soc/clock");
	gic = fdt_path_offset(blob, "/soc/interrupt-controller@1840000");
	assert_true(gic < clk);
	assert_int_equal(fdt_setprop_inplace_u32(blob, clk, "phandle", fdt_get_phandle(blob, gic)),
			 0);
	opened();
	assert_int_equal(dt_node_by_phandle(&dt, fdt_get_phandle(blob, gic)), gic);
	assert_int_equal(fdt_setprop_inplace_u32(blob, gic, "phandle", 0x7777), 0);
	opened();
	assert_int_equal(dt_node_by_phandle(&dt, fdt_get_phandle(blob, clk)), clk);
}

/* With room for four nodes, no tree here is indexed: libfdt answers everything. */
static void test_a_tree_bigger_than_the_room_is_not_indexed(void **state)
{
	(void)state;
	load("nested");
	dt_open(&dt, blob, room, 4);
	assert_null(dt.node);
	assert_int_equal(dt.count, 0);
	dt_open(&dt, blob, room, 1024);
	assert_non_null(dt.node);
	assert_int_equal(dt.count, 23); /* the nodes of nested.dts */
}

static int with_index(void **state)
{
	(void)state;
	room_nodes = sizeof(room) / sizeof(room[0]);
	return 0;
}

static int with_libfdt_alone(void **state)
{
	(void)state;
	room_nodes = 4;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virt_gicv3),
		cmocka_unit_test(test_virt_gicv2),
		cmocka_unit_test(test_virt_a57_and_no_el2),
		cmocka_unit_test(test_nested_board_tree),
		cmocka_unit_test(test_rng_seed_is_read),
		cmocka_unit_test(test_forgotten_rng_seed_is_gone_from_the_tree),
		cmocka_unit_test(test_huge_interrupt_cells),
		cmocka_unit_test(test_console_from_older_stdout_properties),
		cmocka_unit_test(test_stdout_through_bad_aliases),
		cmocka_unit_test(test_malformed_trees),
		cmocka_unit_test(test_corrupt_blobs),
		cmocka_unit_test(test_index_finds_parents_phandles_and_compatibles),
		cmocka_unit_test(test_index_takes_the_first_of_two_nodes_with_one_phandle),
		cmocka_unit_test(test_a_tree_bigger_than_the_room_is_not_indexed),
	};

	return cmocka_run_group_tests_name("platform (indexed)", tests, with_index, NULL) |
	       cmocka_run_group_tests_name("platform (libfdt alone)", tests, with_libfdt_alone,
					   NULL);
}
