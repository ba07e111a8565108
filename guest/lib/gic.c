// SPDX-License-Identifier: MIT
/*
 * A minimal GIC driver for test guests: GICv3 (distributor, redistributors,
 * system-register CPU interface) or GICv2 (distributor and memory-mapped CPU
 * interface), whichever the device tree Skiff wrote describes.
 */
#include <libfdt.h>

#include "libguest.h"

#define GICD_CTLR      0x0000
#define GICD_IGROUPR   0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITY 0x0400
#define GICD_TARGETS   0x0800
#define GICD_SGIR      0x0f00
#define GICD_IROUTER   0x6000
#define GICR_TYPER     0x0008
#define GICR_WAKER     0x0014
#define GICR_SGI       0x10000
#define GICR_STRIDE    0x20000
#define GICC_CTLR      0x0000
#define GICC_PMR       0x0004
#define GICC_IAR       0x000c
#define GICC_EOIR      0x0010

/* Per-INTID clear registers, in GICD and in GICR's SGI frame. */
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR   0x0280
#define GICD_ICACTIVER 0x0380

/* EOImode: EOIR drops the priority only. */
#define GICC_CTLR_EOIMODE (1U << 9)
#define ICC_CTLR_EOIMODE  (1U << 1)

#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

#define PRIO_DEFAULT 0xa0

static unsigned int version;
static uint64_t dist, cpuif; /* cpuif: GICR region (v3) or GICC (v2) */

static inline uint32_t rd(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static bool find(const void *fdt, const char *compatible, unsigned int v)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compatible);
	const fdt64_t *reg;
	int len;

	if (node < 0)
		return false;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < 32)
		return false;
	dist = fdt64_to_cpu(reg[0]);
	cpuif = fdt64_to_cpu(reg[2]);
	version = v;
	return true;
}

/* This vCPU's redistributor: the frame whose GICR_TYPER affinity is our MPIDR's. */
static uint64_t redist(void)
{
	uint32_t aff = read_sysreg(mpidr_el1) & 0xffffff;
	uint64_t rd_base = cpuif;

	for (;;) {
		uint64_t typer = rd(rd_base + GICR_TYPER) | (uint64_t)rd(rd_base + GICR_TYPER + 4)
								    << 32;

		if ((typer >> 32) == aff)
			return rd_base;
		if (typer & (1U << 4)) /* Last */
			return 0;
		rd_base += GICR_STRIDE;
	}
}

uint64_t gic_dist_base(void)
{
	return dist;
}

uint64_t gic_redist_base(void)
{
	return version == 3 ? redist() : 0;
}

void gic_init_cpu(void)
{
	if (version == 3) {
		uint64_t r = redist();

		if (r)
			wr(r + GICR_WAKER, 0);
		write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
		isb();
		write_sysreg(ICC_PMR_EL1, 0xff);
		write_sysreg(ICC_IGRPEN1_EL1, 1);
		isb();
	} else if (version == 2) {
		wr(cpuif + GICC_PMR, 0xff);
		wr(cpuif + GICC_CTLR, 1);
	}
}

/* QEMU's virt machine, for a guest run on bare QEMU (which passes an ELF image no device tree). */
#define VIRT_GICD 0x08000000UL
#define VIRT_GICR 0x080a0000UL

unsigned int gic_init(void)
{
	const void *fdt = (const void *)boot_x0;

	version = 0;
	if (!boot_x0 || fdt_check_header(fdt)) {
		/* Only the benchmarks run so, on QEMU's virt with gic-version=3. */
		dist = VIRT_GICD;
		cpuif = VIRT_GICR;
		version = 3;
	} else if (!find(fdt, "arm,gic-v3", 3) && !find(fdt, "arm,cortex-a15-gic", 2)) {
		return 0;
	}
	/* Group 0 and 1, affinity routing for v3. */
	wr(dist + GICD_CTLR, version == 3 ? (1U << 4) | 3 : 1);
	gic_init_cpu();
	return version;
}

/* Registers of INTIDs 0-31 live in the redistributor's SGI frame on GICv3. */
static uint64_t irq_regs(unsigned int intid)
{
	return version == 3 && intid < 32 ? redist() + GICR_SGI : dist;
}

void gic_enable_irq(unsigned int intid)
{
	uint64_t base = irq_regs(intid);
	uint64_t prio = base + GICD_IPRIORITY + (intid & ~3U);
	uint64_t group = base + GICD_IGROUPR + (intid / 32) * 4;
	unsigned int shift = (intid & 3) * 8;

	wr(prio, (rd(prio) & ~(0xffU << shift)) | (PRIO_DEFAULT << shift));
	/* GICv3: group 1, what ICC_IAR1_EL1 acknowledges (a real GIC resets to group 0). */
	if (version == 3)
		wr(group, rd(group) | 1U << (intid % 32));
	wr(base + GICD_ISENABLER + (intid / 32) * 4, 1U << (intid % 32));
	dsb(sy);
}

void gic_route_spi(unsigned int intid, unsigned int vcpu)
{
	if (version == 3) {
		/* Our vCPUs' MPIDRs have Aff0 = index; Interrupt_Routing_Mode 0. */
		wr(dist + GICD_IROUTER + intid * 8, vcpu);
		wr(dist + GICD_IROUTER + intid * 8 + 4, 0);
	} else if (version == 2) {
		uint64_t reg = dist + GICD_TARGETS + (intid & ~3U);
		unsigned int shift = (intid & 3) * 8;

		wr(reg, (rd(reg) & ~(0xffU << shift)) | ((1U << vcpu) << shift));
	}
	dsb(sy);
}

unsigned int gic_ack(void)
{
	if (version == 3)
		return read_sysreg(ICC_IAR1_EL1) & 0xffffff;
	return rd(cpuif + GICC_IAR) & 0x3ff;
}

void gic_eoi(unsigned int intid)
{
	if (version == 3) {
		write_sysreg(ICC_EOIR1_EL1, intid);
		isb();
	} else {
		wr(cpuif + GICC_EOIR, intid);
	}
}

void gic_send_sgi(unsigned int vcpu, unsigned int intid)
{
	dsb(sy);
	if (version == 3) {
		/* Our vCPUs' MPIDRs have Aff0 = index and Aff1-3 = 0. */
		write_sysreg(ICC_SGI1R_EL1, ((uint64_t)intid << 24) | (1UL << vcpu));
		isb();
	} else {
		wr(dist + GICD_SGIR, (1U << (16 + vcpu)) | intid);
	}
}

void gic_drain(void)
{
	unsigned int intid;

	while (version && (intid = gic_ack()) < 1020)
		gic_eoi(intid);
}

/* Sets bit @intid of the per-INTID register at @off: this vCPU's bank, or vCPU @vcpu's (v3). */
static void write_bit(unsigned int off, unsigned int vcpu, bool own, unsigned int intid)
{
	uint64_t base = dist;

	if (version == 3 && intid < 32)
		base = (own ? redist() : cpuif + vcpu * GICR_STRIDE) + GICR_SGI;
	wr(base + off + (intid / 32) * 4, 1U << (intid % 32));
	dsb(sy);
}

void gic_disable_irq(unsigned int intid)
{
	write_bit(GICD_ICENABLER, 0, true, intid);
}

void gic_clear_pending(unsigned int intid)
{
	write_bit(GICD_ICPENDR, 0, true, intid);
}

void gic_clear_active(unsigned int intid)
{
	write_bit(GICD_ICACTIVER, 0, true, intid);
}

void gic_clear_active_of(unsigned int vcpu, unsigned int intid)
{
	write_bit(GICD_ICACTIVER, vcpu, false, intid);
}

void gic_split_eoi(bool on)
{
	if (version == 3) {
		uint64_t ctlr = read_sysreg(ICC_CTLR_EL1) & ~(uint64_t)ICC_CTLR_EOIMODE;

		write_sysreg(ICC_CTLR_EL1, ctlr | (on ? ICC_CTLR_EOIMODE : 0));
		isb();
	} else if (version == 2) {
		wr(cpuif + GICC_CTLR, 1 | (on ? GICC_CTLR_EOIMODE : 0));
	}
}
