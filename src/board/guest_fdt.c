// SPDX-License-Identifier: MIT
/*
 * Built with libfdt's sequential-write API. Addresses and sizes use two cells, as
 * on QEMU virt, so that a kernel sees the same shape of tree it would there.
 */
#include <libfdt.h>

#include "board/guest_fdt.h"
#include "board/layout.h"
#include "lib/format.h"
#include "lib/gic.h"

#define UART_CLOCK_HZ  24000000 /* what a PL011 driver expects to divide down from */
#define PHANDLE_APBCLK 1
#define PHANDLE_GIC    2
#define GIC_SPI	       0
#define GIC_PPI	       1
#define IRQ_LEVEL_HIGH 4
#define PPI(intid)     ((intid)-GIC_NR_SGIS) /* the DT names PPIs and SPIs by number */
#define SPI(intid)     ((intid)-GIC_NR_PRIVATE)

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };

	return fdt_property(fdt, name, v, sizeof(v));
}

static int add_chosen(void *fdt, const struct guest_fdt_params *p, const char *uart_path)
{
	int r = fdt_begin_node(fdt, "chosen");

	if (!r && p->bootargs)
		r = fdt_property_string(fdt, "bootargs", p->bootargs);
	if (!r)
		r = fdt_property_string(fdt, "stdout-path", uart_path);
	if (!r && p->initrd_size) {
		r = fdt_property_u64(fdt, "linux,initrd-start", p->initrd_base);
		if (!r)
			r = fdt_property_u64(fdt, "linux,initrd-end",
					     p->initrd_base + p->initrd_size);
	}
	return r ? r : fdt_end_node(fdt);
}

static int add_memory(void *fdt, const struct guest_fdt_params *p)
{
	char name[32];
	int r;

	format(name, sizeof(name), "memory@%lx", (unsigned long)p->ram_base);
	r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property_string(fdt, "device_type", "memory");
	if (!r)
		r = prop_u64_pair(fdt, "reg", p->ram_base, p->ram_size);
	return r ? r : fdt_end_node(fdt);
}

static int add_cpus(void *fdt, const struct guest_fdt_params *p)
{
	int r = fdt_begin_node(fdt, "cpus");
	unsigned int i;

	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 1);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; !r && i < p->ncpus; i++) {
		char name[16];

		format(name, sizeof(name), "cpu@%u", i);
		r = fdt_begin_node(fdt, name);
		if (!r)
			r = fdt_property_string(fdt, "device_type", "cpu");
		if (!r)
			r = fdt_property_string(fdt, "compatible", "arm,armv8");
		if (!r)
			r = fdt_property_u32(fdt, "reg", i); /* the vCPU's MPIDR affinity */
		if (!r)
			r = fdt_property_string(fdt, "enable-method", "psci");
		if (!r)
			r = fdt_end_node(fdt);
	}
	return r ? r : fdt_end_node(fdt);
}

static int add_psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	int r = fdt_begin_node(fdt, "psci");

	if (!r)
		r = fdt_property(fdt, "compatible", compat, sizeof(compat));
	if (!r)
		r = fdt_property_string(fdt, "method", "hvc");
	return r ? r : fdt_end_node(fdt);
}

static int prop_irq(void *fdt, const char *name, const uint32_t *cells, unsigned int n)
{
	fdt32_t v[12];
	unsigned int i;

	for (i = 0; i < n && i < 12; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, v, (int)(n * sizeof(fdt32_t)));
}

/*
 * The memory-mapped timer (arm,armv7-timer-mem): CNTCTLBase with frame 0 as a
 * child, whose first interrupt is its physical timer's. No clock-frequency:
 * the frames' CNTFRQ says it, and Linux reads it there.
 */
static int add_timer_mem(void *fdt)
{
	static const uint32_t irq[] = { GIC_SPI, SPI(GUEST_INTID_MEMTIMER), IRQ_LEVEL_HIGH };
	char name[32];
	int r;

	format(name, sizeof(name), "timer@%lx", GUEST_CNTCTL_BASE);
	r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property_string(fdt, "compatible", "arm,armv7-timer-mem");
	if (!r)
		r = prop_u64_pair(fdt, "reg", GUEST_CNTCTL_BASE, GUEST_CNT_FRAME_SIZE);
	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 2);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 2);
	if (!r)
		r = fdt_property(fdt, "ranges", NULL, 0); /* the frames' addresses are the bus's */
	format(name, sizeof(name), "frame@%lx", GUEST_CNTBASE0);
	if (!r)
		r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property_u32(fdt, "frame-number", 0);
	if (!r)
		r = prop_irq(fdt, "interrupts", irq, 3);
	if (!r)
		r = prop_u64_pair(fdt, "reg", GUEST_CNTBASE0, GUEST_CNT_FRAME_SIZE);
	if (!r)
		r = fdt_end_node(fdt);
	return r ? r : fdt_end_node(fdt);
}

static int add_gic_and_timer(void *fdt, const struct guest_fdt_params *p)
{
	/* Secure physical, non-secure physical, virtual, hypervisor timers, in the binding's order.
	 */
	static const uint32_t ppis[] = { PPI(GUEST_INTID_SEC_PTIMER), PPI(GUEST_INTID_PTIMER),
					 PPI(GUEST_INTID_VTIMER), PPI(GUEST_INTID_HYP_TIMER) };
	/* GICv2 bindings also name the CPUs a PPI reaches (flags bits 15:8). */
	uint32_t flags = IRQ_LEVEL_HIGH | (p->gic_version == 2 ? ((1U << p->ncpus) - 1) << 8 : 0);
	uint32_t timer_irqs[12];
	fdt64_t reg[4] = { cpu_to_fdt64(p->gicd_base), cpu_to_fdt64(GUEST_GICD_SIZE),
			   cpu_to_fdt64(p->gic_cpu_base), cpu_to_fdt64(p->gic_cpu_size) };
	char name[32];
	unsigned int i;
	int r;

	for (i = 0; i < 4; i++) {
		timer_irqs[3 * i] = GIC_PPI;
		timer_irqs[3 * i + 1] = ppis[i];
		timer_irqs[3 * i + 2] = flags;
	}
	format(name, sizeof(name), "intc@%lx", (unsigned long)p->gicd_base);
	r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property_string(fdt, "compatible",
					p->gic_version == 3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	if (!r)
		r = fdt_property_u32(fdt, "#interrupt-cells", 3);
	if (!r)
		r = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!r)
		r = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!r && p->gic_version == 3)
		r = fdt_property_u32(fdt, "#redistributor-regions", 1);
	if (!r)
		r = fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	if (!r)
		r = fdt_end_node(fdt);
	if (!r && p->counter_mmio)
		return add_timer_mem(fdt);
	if (!r)
		r = fdt_begin_node(fdt, "timer");
	if (!r)
		r = fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	/*
	 * Linux takes the virtual timer when the tree names one and the physical
	 * timer otherwise; without FEAT_ECV only the physical one can be scaled.
	 */
	if (!r)
		r = prop_irq(fdt, "interrupts", timer_irqs, p->counter_hz ? 6 : 12);
	if (!r && p->counter_hz)
		r = fdt_property_u32(fdt, "clock-frequency", (uint32_t)p->counter_hz);
	if (!r)
		r = fdt_property(fdt, "always-on", NULL, 0);
	return r ? r : fdt_end_node(fdt);
}

static int add_uart(void *fdt, const struct guest_fdt_params *p, const char *name)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	fdt32_t clocks[2] = { cpu_to_fdt32(PHANDLE_APBCLK), cpu_to_fdt32(PHANDLE_APBCLK) };
	int r = fdt_begin_node(fdt, "apb-pclk");

	if (!r)
		r = fdt_property_string(fdt, "compatible", "fixed-clock");
	if (!r)
		r = fdt_property_u32(fdt, "#clock-cells", 0);
	if (!r)
		r = fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ);
	if (!r)
		r = fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	if (!r)
		r = fdt_property_u32(fdt, "phandle", PHANDLE_APBCLK);
	if (!r)
		r = fdt_end_node(fdt);
	if (!r)
		r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property(fdt, "compatible", compat, sizeof(compat));
	if (!r)
		r = prop_u64_pair(fdt, "reg", p->uart_base, GUEST_UART_SIZE);
	if (!r)
		r = fdt_property(fdt, "clocks", clocks, sizeof(clocks));
	if (!r)
		r = fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names));
	if (!r && p->gic_version) {
		static const uint32_t irq[] = { GIC_SPI, SPI(GUEST_INTID_UART), IRQ_LEVEL_HIGH };

		r = prop_irq(fdt, "interrupts", irq, 3);
	}
	return r ? r : fdt_end_node(fdt);
}

static int add_rtc(void *fdt, const struct guest_fdt_params *p)
{
	static const char compat[] = "arm,pl031\0arm,primecell";
	fdt32_t clock = cpu_to_fdt32(PHANDLE_APBCLK);
	char name[32];
	int r;

	format(name, sizeof(name), "pl031@%lx", (unsigned long)p->rtc_base);
	r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property(fdt, "compatible", compat, sizeof(compat));
	if (!r)
		r = prop_u64_pair(fdt, "reg", p->rtc_base, GUEST_RTC_SIZE);
	if (!r)
		r = fdt_property(fdt, "clocks", &clock, sizeof(clock));
	if (!r)
		r = fdt_property_string(fdt, "clock-names", "apb_pclk");
	if (!r && p->gic_version) {
		static const uint32_t irq[] = { GIC_SPI, SPI(GUEST_INTID_RTC), IRQ_LEVEL_HIGH };

		r = prop_irq(fdt, "interrupts", irq, 3);
	}
	return r ? r : fdt_end_node(fdt);
}

int guest_fdt_build(const struct guest_fdt_params *p, void *buf, size_t size)
{
	char uart[32], uart_path[40];
	int r;

	format(uart, sizeof(uart), "pl011@%lx", (unsigned long)p->uart_base);
	format(uart_path, sizeof(uart_path), "/%s", uart);
	r = fdt_create(buf, (int)size);
	if (!r)
		r = fdt_finish_reservemap(buf);
	if (!r)
		r = fdt_begin_node(buf, "");
	if (!r)
		r = fdt_property_string(buf, "compatible", "skiff,vm");
	if (!r)
		r = fdt_property_string(buf, "model", "Skiff virtual machine");
	if (!r)
		r = fdt_property_u32(buf, "#address-cells", 2);
	if (!r)
		r = fdt_property_u32(buf, "#size-cells", 2);
	if (!r && p->gic_version)
		r = fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC);
	if (!r)
		r = add_chosen(buf, p, uart_path);
	if (!r)
		r = add_memory(buf, p);
	if (!r)
		r = add_cpus(buf, p);
	if (!r)
		r = add_psci(buf);
	if (!r && p->gic_version)
		r = add_gic_and_timer(buf, p);
	if (!r)
		r = add_uart(buf, p, uart);
	if (!r)
		r = add_rtc(buf, p);
	if (!r)
		r = fdt_end_node(buf);
	return r ? r : fdt_finish(buf);
}
