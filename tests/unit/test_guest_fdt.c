// SPDX-License-Identifier: MIT
/* The guest device tree generator, read back with the host's libfdt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "board/guest_fdt.h"

static char buf[65536];

static const struct guest_fdt_params params = {
	.ram_base = 0x40000000,
	.ram_size = 0x10000000,
	.ncpus = 4,
	.uart_base = 0x09000000,
	.bootargs = "console=ttyAMA0",
	.initrd_base = 0x48000000,
	.initrd_size = 0x123456,
};

static void test_tree_contents(void **state)
{
	const fdt64_t *reg;
	const fdt32_t *cpu;
	int node, len, n = 0;

	(void)state;
	assert_int_equal(guest_fdt_build(&params, buf, sizeof(buf)), 0);
	assert_int_equal(fdt_check_full(buf, sizeof(buf)), 0);
	reg = fdt_getprop(buf, fdt_path_offset(buf, "/memory@40000000"), "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_to_cpu(reg[0]), 0x40000000);
	assert_int_equal(fdt64_to_cpu(reg[1]), 0x10000000);
	fdt_for_each_subnode(node, buf, fdt_path_offset(buf, "/cpus"))
	{
		cpu = fdt_getprop(buf, node, "reg", &len);
		assert_int_equal(fdt32_to_cpu(*cpu), n++);
	}
	assert_int_equal(n, 4);
	node = fdt_path_offset(buf, "/chosen");
	assert_string_equal(fdt_getprop(buf, node, "bootargs", NULL), "console=ttyAMA0");
	assert_string_equal(fdt_getprop(buf, node, "stdout-path", NULL), "/pl011@9000000");
	reg = fdt_getprop(buf, node, "linux,initrd-end", &len);
	assert_int_equal(fdt64_to_cpu(*reg), 0x48000000 + 0x123456);
	assert_string_equal(fdt_getprop(buf, fdt_path_offset(buf, "/psci"), "method", NULL), "hvc");
	node = fdt_path_offset(buf, "/pl011@9000000");
	assert_int_equal(fdt_node_check_compatible(buf, node, "arm,pl011"), 0);
	/* The UART's clock phandle resolves to the 24 MHz fixed clock. */
	cpu = fdt_getprop(buf, node, "clocks", &len);
	node = fdt_node_offset_by_phandle(buf, fdt32_to_cpu(*cpu));
	assert_int_equal(
		fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(buf, node, "clock-frequency", NULL)),
		24000000);
}

static void test_no_initrd_no_bootargs(void **state)
{
	struct guest_fdt_params p = params;
	int chosen;

	(void)state;
	p.initrd_size = 0;
	p.bootargs = NULL;
	assert_int_equal(guest_fdt_build(&p, buf, sizeof(buf)), 0);
	chosen = fdt_path_offset(buf, "/chosen");
	assert_null(fdt_getprop(buf, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(buf, chosen, "bootargs", NULL));
}

/* A VM's own counter frequency: the system-register timer offers only the physical timers. */
static void test_scaled_sysreg_timer(void **state)
{
	struct guest_fdt_params p = params;
	const fdt32_t *v;
	int node, len;

	(void)state;
	p.gic_version = 3;
	p.counter_hz = 25000000;
	assert_int_equal(guest_fdt_build(&p, buf, sizeof(buf)), 0);
	node = fdt_node_offset_by_compatible(buf, -1, "arm,armv8-timer");
	assert_true(node >= 0);
	v = fdt_getprop(buf, node, "clock-frequency", NULL);
	assert_int_equal(fdt32_ld(v), 25000000);
	assert_non_null(fdt_getprop(buf, node, "interrupts", &len));
	assert_int_equal(len, 2 * 3 * 4); /* secure and non-secure physical */
	assert_true(fdt_node_offset_by_compatible(buf, -1, "arm,armv7-timer-mem") < 0);
}

/*
 * counter-mode "mmio": no system-register timer at all (Linux would read the
 * virtual counter), a memory-mapped one whose frame 0 has the SPI; the
 * frame's address translates through the parent's empty ranges.
 */
static void test_memory_mapped_timer(void **state)
{
	struct guest_fdt_params p = params;
	const fdt64_t *reg;
	const fdt32_t *v;
	int node, frame, len;

	(void)state;
	p.gic_version = 3;
	p.counter_hz = 25000000;
	p.counter_mmio = true;
	assert_int_equal(guest_fdt_build(&p, buf, sizeof(buf)), 0);
	assert_int_equal(fdt_check_full(buf, sizeof(buf)), 0);
	assert_true(fdt_node_offset_by_compatible(buf, -1, "arm,armv8-timer") < 0);
	node = fdt_path_offset(buf, "/timer@9020000");
	assert_int_equal(fdt_node_check_compatible(buf, node, "arm,armv7-timer-mem"), 0);
	reg = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld(&reg[0]), 0x09020000);
	assert_int_equal(fdt64_ld(&reg[1]), 0x1000);
	assert_non_null(fdt_getprop(buf, node, "ranges", &len));
	assert_int_equal(len, 0);
	assert_null(fdt_getprop(buf, node, "clock-frequency", NULL)); /* CNTFRQ says it */
	frame = fdt_subnode_offset(buf, node, "frame@9030000");
	assert_true(frame >= 0);
	v = fdt_getprop(buf, frame, "frame-number", NULL);
	assert_int_equal(fdt32_ld(v), 0);
	reg = fdt_getprop(buf, frame, "reg", NULL);
	assert_int_equal(fdt64_ld(&reg[0]), 0x09030000);
	v = fdt_getprop(buf, frame, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_ld(&v[0]), 0); /* an SPI */
	assert_int_equal(fdt32_ld(&v[1]), 3); /* INTID 35 */
	assert_int_equal(fdt32_ld(&v[2]), 4); /* level, high */
}

static void test_too_small_buffer(void **state)
{
	(void)state;
	assert_int_equal(guest_fdt_build(&params, buf, 256), -FDT_ERR_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_contents),
		cmocka_unit_test(test_no_initrd_no_bootargs),
		cmocka_unit_test(test_scaled_sysreg_timer),
		cmocka_unit_test(test_memory_mapped_timer),
		cmocka_unit_test(test_too_small_buffer),
	};

	return cmocka_run_group_tests_name("guest_fdt", tests, NULL, NULL);
}
