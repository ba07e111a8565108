// SPDX-License-Identifier: MIT
/*
 * The device tree Skiff hands the VM in x0 describes exactly its virtual
 * hardware. Read with libfdt, as a kernel would; the expected values are the
 * guest contract (docs/config.md), the configuration in tests/system.
 */
#include <libfdt.h>
#include <string.h>

#include "libguest.h"

static const void *fdt;

static uint64_t reg_u64(const char *path, int index)
{
	int len, node = fdt_path_offset(fdt, path);
	const fdt64_t *reg = node < 0 ? NULL : fdt_getprop(fdt, node, "reg", &len);

	if (!reg || len < (index + 1) * 8)
		return ~0UL;
	return fdt64_to_cpu(reg[index]);
}

static const char *string(const char *path, const char *prop)
{
	int node = fdt_path_offset(fdt, path);

	return node < 0 ? NULL : fdt_getprop(fdt, node, prop, NULL);
}

static void check_cpus(void)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, n = 0;

	fdt_for_each_subnode(node, fdt, cpus)
	{
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);

		if (reg && fdt32_to_cpu(*reg) == (uint32_t)n)
			n++;
	}
	report(n == 2, "two CPU nodes (the config asks for 2 vCPUs), reg 0 and 1");
	report(!strcmp(string("/cpus/cpu@0", "enable-method") ?: "", "psci"),
	       "CPUs are started with PSCI");
}

/*
 * With a GICv3 host Skiff gives the VM a virtual GICv3 and the timer; with a GICv2
 * host it offers neither yet, and then neither may be described.
 */
static void check_gic(void)
{
	int gic = fdt_path_offset(fdt, "/intc@8000000");
	int timer = fdt_path_offset(fdt, "/timer");
	const fdt32_t *irqs;
	int len = 0;

	if (gic < 0) {
		report(timer < 0, "no GIC node, and then no timer node either");
		return;
	}
	report(!fdt_node_check_compatible(fdt, gic, "arm,gic-v3") &&
		       reg_u64("/intc@8000000", 0) == 0x08000000 &&
		       reg_u64("/intc@8000000", 2) == 0x080a0000 &&
		       reg_u64("/intc@8000000", 3) == 2 * 0x20000,
	       "a GICv3 node: distributor 0x08000000, redistributors 0x080a0000 for 2 vCPUs");
	irqs = timer < 0 ? NULL : fdt_getprop(fdt, timer, "interrupts", &len);
	report(irqs && len == 48 && fdt32_to_cpu(irqs[7]) == 11,
	       "the timer node lists 4 PPIs, the virtual timer's is PPI 11");
	irqs = fdt_getprop(fdt, fdt_path_offset(fdt, "/pl011@9000000"), "interrupts", &len);
	report(irqs && len == 12 && fdt32_to_cpu(irqs[1]) == 1, "the UART is SPI 1");
}

static void check_initrd(void)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), l1 = 0, l2 = 0;
	const fdt64_t *start = fdt_getprop(fdt, chosen, "linux,initrd-start", &l1);
	const fdt64_t *end = fdt_getprop(fdt, chosen, "linux,initrd-end", &l2);
	uint64_t a = start && l1 == 8 ? fdt64_to_cpu(*start) : 0;
	uint64_t b = end && l2 == 8 ? fdt64_to_cpu(*end) : 0;
	static const char want[] = "SKIFF-INITRD-TEST";

	report(a && b - a == sizeof(want), "/chosen has linux,initrd-start/end, %lu bytes",
	       (unsigned long)(b - a));
	report(a && !(a & 0xfff) && b <= boot_x0, "the initrd is page aligned, below the tree");
	report(a && !memcmp((const void *)a, want, sizeof(want)), "it holds the config's initrd");
}

void main_test(void)
{
	uint64_t ram_end = GUEST_RAM_BASE + (8UL << 20);
	const char *stdout_path;

	report_info("test: fdt");
	report(boot_x0 > GUEST_RAM_BASE && boot_x0 < ram_end && !(boot_x0 & 7),
	       "x0 (0x%lx) points into RAM, 8-byte aligned", (unsigned long)boot_x0);
	mmu_enable_identity(); /* libfdt may make unaligned accesses: normal memory needed */
	fdt = (const void *)boot_x0;
	report(fdt_check_full(fdt, fdt_totalsize(fdt)) == 0, "libfdt's full check passes");
	report(reg_u64("/memory@40000000", 0) == GUEST_RAM_BASE &&
		       reg_u64("/memory@40000000", 1) == (8UL << 20),
	       "/memory is 8 MiB at 0x40000000");
	report(boot_x0 >= GUEST_RAM_BASE && boot_x0 + fdt_totalsize(fdt) <= ram_end,
	       "the tree lies inside RAM");
	check_cpus();
	report(!strcmp(string("/psci", "method") ?: "", "hvc"), "/psci uses the hvc conduit");
	stdout_path = string("/chosen", "stdout-path");
	report(stdout_path && !strcmp(stdout_path, "/pl011@9000000") &&
		       reg_u64(stdout_path, 0) == GUEST_UART_BASE,
	       "stdout-path names the PL011 at 0x09000000");
	report(!fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/pl011@9000000"),
					  "arm,primecell"),
	       "the UART is an arm,pl011 primecell");
	report(!strcmp(string("/chosen", "bootargs") ?: "", "console=ttyAMA0 skiff.test=fdt"),
	       "bootargs from the VM configuration");
	check_initrd();
	check_gic();
}
