// SPDX-License-Identifier: MIT
/*
 * The host's GIC, version 2 or 3: only what Skiff itself needs from it so far,
 * software-generated interrupts between CPUs. Physical interrupts are routed to
 * EL2 (HCR_EL2.IMO) and acknowledged here.
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/percpu.h"
#include "arch/arm64/sysreg.h"
#include "core/log.h"
#include "lib/gic.h"
#include "platform/platform.h"

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR	0x0800
#define GICD_IROUTER	0x6000
#define GICD_SGIR	0x0f00

#define GICR_TYPER	  0x0008
#define GICR_WAKER	  0x0014
#define GICR_SGI_BASE	  0x10000
#define GICR_IGROUPR0	  (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0	  (GICR_SGI_BASE + 0x0100)
#define GICR_IPRIORITYR	  (GICR_SGI_BASE + 0x0400)
#define GICR_TYPER_LAST	  (1UL << 4)
#define GICR_TYPER_VLPIS  (1UL << 1)
#define GICR_WAKER_SLEEP  (1U << 1)
#define GICR_WAKER_ASLEEP (1U << 2)

/* The SGI and PPI registers, at the same offsets in GICv3's SGI frame and GICv2's GICD. */
#define PRIVATE_ISENABLER  0x0100
#define PRIVATE_ICENABLER  0x0180
#define PRIVATE_IPRIORITYR 0x0400

#define GICC_CTLR 0x0000
#define GICC_PMR  0x0004
#define GICC_IAR  0x000c
#define GICC_EOIR 0x0010

#define SKIFF_SGI_MASK 0xfU /* IPI_KICK, IPI_STOP, IPI_RESCHED, IPI_TIMER (core/ipi.h) */
#define SGI_PRIORITY   0x80
#define REG_WAIT_LOOPS 1000000
#define MPIDR_AFF_MASK 0xff00ffffffUL

static const struct platform *gic_plat;
static uintptr_t gicd, gicc;
static uint32_t gicv2_last_iar[PLATFORM_MAX_CPUS];

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline uint64_t rd64(uintptr_t a)
{
	return *(volatile uint64_t *)a;
}

static inline void wr8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static int map_range(const struct mem_range *r)
{
	return r->size ? arch_map_device(r->base, r->size) : 0;
}

int arch_irq_init(const struct platform *plat)
{
	gic_plat = plat;
	vgic_hw_init(plat);
	if (plat->gic.version != 2 && plat->gic.version != 3)
		return -1;
	if (map_range(&plat->gic.dist))
		return -1;
	gicd = plat->gic.dist.base;
	if (plat->gic.version == 3) {
		for (unsigned int i = 0; i < plat->gic.nredist; i++)
			if (map_range(&plat->gic.redist[i]))
				return -1;
		/* Affinity routing, both groups enabled (DS=1 or non-secure view alike). */
		wr32(gicd + GICD_CTLR, (1U << 4) | (1U << 1) | 1U);
		return 0;
	}
	if (!plat->gic.cpuif.size || map_range(&plat->gic.cpuif))
		return -1;
	gicc = plat->gic.cpuif.base;
	wr32(gicd + GICD_CTLR, 1);
	return 0;
}

/* Finds this CPU's redistributor frame by its affinity in GICR_TYPER. */
static uintptr_t find_redist(uint64_t mpidr)
{
	uint64_t aff = ((mpidr >> 8) & 0xff000000UL) | (mpidr & 0xffffffUL);
	unsigned int r;

	for (r = 0; r < gic_plat->gic.nredist; r++) {
		uintptr_t base = gic_plat->gic.redist[r].base;
		uintptr_t end = base + gic_plat->gic.redist[r].size;

		while (base < end) {
			uint64_t typer = rd64(base + GICR_TYPER);

			if ((typer >> 32) == aff)
				return base;
			if (typer & GICR_TYPER_LAST)
				break;
			base += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
		}
	}
	return 0;
}

static void gicv3_init_cpu(unsigned int cpu)
{
	uintptr_t rd = find_redist(read_sysreg(mpidr_el1));
	unsigned int i, loops = REG_WAIT_LOOPS;

	if (!rd) {
		log_error("cpu %u: no GICv3 redistributor for MPIDR 0x%lx", cpu,
			  (unsigned long)read_sysreg(mpidr_el1));
		return;
	}
	arch_percpu[cpu].gic_private = rd + GICR_SGI_BASE;
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while ((rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP) && --loops)
		;
	wr32(rd + GICR_IGROUPR0, ~0U);
	for (i = 0; i < GIC_NR_SGIS; i++)
		wr8(rd + GICR_IPRIORITYR + i, SGI_PRIORITY);
	wr32(rd + GICR_ISENABLER0, SKIFF_SGI_MASK);
	/* System-register interface at EL2, and let EL1 use it too (for guests). */
	write_sysreg(ICC_SRE_EL2, read_sysreg(ICC_SRE_EL2) | 0x9);
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_CTLR_EL1, 0);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	write_sysreg(ICH_HCR_EL2, 0);
	isb();
}

static void gicv2_init_cpu(unsigned int cpu)
{
	unsigned int i;

	/* GICD_ITARGETSR0-7 read back this CPU's own interface bit. */
	arch_percpu[cpu].gicv2_mask = rd32(gicd + GICD_ITARGETSR) & 0xff;
	arch_percpu[cpu].gic_private = gicd;
	for (i = 0; i < GIC_NR_SGIS; i++)
		wr8(gicd + GICD_IPRIORITYR + i, SGI_PRIORITY);
	wr32(gicd + GICD_ISENABLER, SKIFF_SGI_MASK);
	wr32(gicc + GICC_PMR, 0xff);
	wr32(gicc + GICC_CTLR, 1);
}

void arch_irq_init_cpu(void)
{
	unsigned int cpu = arch_cpu_index();

	if (gic_plat->gic.version == 3)
		gicv3_init_cpu(cpu);
	else
		gicv2_init_cpu(cpu);
}

/* This CPU's SGI and PPI registers (struct arch_percpu), 0 if it has none. */
static uintptr_t private_regs(void)
{
	return ((const struct arch_percpu *)read_sysreg(tpidr_el2))->gic_private;
}

/* Cheap enough for the virtual timer's PPI, held and released on each of its interrupts. */
void arch_irq_enable_private(unsigned int intid)
{
	uintptr_t regs = private_regs();

	if (!GIC_IS_PPI(intid) || !regs)
		return;
	wr8(regs + PRIVATE_IPRIORITYR + intid, SGI_PRIORITY);
	wr32(regs + PRIVATE_ISENABLER, 1U << intid);
}

void arch_irq_disable_private(unsigned int intid)
{
	uintptr_t regs = private_regs();

	/*
	 * No wait for GICR_CTLR.RWP: an interrupt already on its way is taken
	 * once more, which its owner must bear anyway (a level seen twice).
	 */
	if (GIC_IS_PPI(intid) && regs)
		wr32(regs + PRIVATE_ICENABLER, 1U << intid);
}

void arch_irq_enable_shared(unsigned int intid, unsigned int cpu)
{
	uint32_t bit = 1U << (intid % 32);

	if (!GIC_IS_SPI(intid) || cpu >= gic_plat->ncpus)
		return;
	wr8(gicd + GICD_IPRIORITYR + intid, SGI_PRIORITY);
	if (gic_plat->gic.version == 3) {
		uint64_t mpidr = gic_plat->cpu_mpidr[cpu] & MPIDR_AFF_MASK;
		uintptr_t router = gicd + GICD_IROUTER + intid * 8;
		uintptr_t group = gicd + GICD_IGROUPR + intid / 32 * 4;

		/* Group 1, which Skiff acknowledges (ICC_IAR1); GICv2 keeps group 0 (GICC). */
		wr32(group, rd32(group) | bit);
		wr32(router, (uint32_t)mpidr);
		wr32(router + 4, (uint32_t)(mpidr >> 32));
	} else {
		wr8(gicd + GICD_ITARGETSR + intid, (uint8_t)arch_percpu[cpu].gicv2_mask);
	}
	wr32(gicd + GICD_ISENABLER + intid / 32 * 4, bit);
}

void arch_irq_send_sgi(unsigned int cpu, unsigned int intid)
{
	uint64_t mpidr;

	if (cpu >= gic_plat->ncpus)
		return;
	dsb(ishst);
	if (gic_plat->gic.version == 2) {
		wr32(gicd + GICD_SGIR, (arch_percpu[cpu].gicv2_mask << 16) | (intid & 0xf));
		return;
	}
	mpidr = gic_plat->cpu_mpidr[cpu] & MPIDR_AFF_MASK;
	write_sysreg(ICC_SGI1R_EL1,
		     (((mpidr >> 32) & 0xff) << 48) | (((mpidr >> 16) & 0xff) << 32) |
			     ((uint64_t)(intid & 0xf) << 24) | (((mpidr >> 8) & 0xff) << 16) |
			     (((mpidr & 0xff) >> 4) << 44) | (1UL << (mpidr & 0xf)));
	isb();
}

unsigned int arch_irq_ack(void)
{
	uint32_t iar;

	if (gic_plat->gic.version == 3) {
		iar = (uint32_t)read_sysreg(ICC_IAR1_EL1);
		dsb(sy);
		return iar & 0xffffff;
	}
	iar = rd32(gicc + GICC_IAR);
	gicv2_last_iar[arch_cpu_index()] = iar;
	return iar & 0x3ff;
}

void arch_irq_eoi(unsigned int intid)
{
	if (gic_plat->gic.version == 3) {
		write_sysreg(ICC_EOIR1_EL1, intid);
		isb();
		return;
	}
	/* GICv2 wants the whole IAR value back, source CPU of an SGI included. */
	wr32(gicc + GICC_EOIR, gicv2_last_iar[arch_cpu_index()]);
}
