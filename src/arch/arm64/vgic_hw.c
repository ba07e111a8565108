// SPDX-License-Identifier: MIT
/*
 * The hardware side of a VM's virtual GIC: the list registers and the virtual
 * CPU interface's state, in the GICv3 system registers (ICH_*_EL2) or in the
 * GICv2 virtualization extension's memory-mapped GICH frame. Generic code uses
 * the GICv3 list-register format throughout; for GICv2 it is converted here.
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/sysreg.h"
#include "board/layout.h"
#include "core/vm.h"
#include "platform/platform.h"

#define ICH_VTR_EL2   S3_4_C12_C11_1
#define ICH_VMCR_EL2  S3_4_C12_C11_7
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_HCR_EN    (1UL << 0)
#define ICH_HCR_UIE   (1UL << 1) /* the same bits in GICH_HCR */
#define CNTV_ENABLE   (1UL << 0)
#define CNTV_IMASK    (1UL << 1)
#define CNTV_ISTATUS  (1UL << 2)

#define GICH_HCR  0x000
#define GICH_VTR  0x004
#define GICH_VMCR 0x008
#define GICH_APR  0x0f0
#define GICH_LR0  0x100

/* GICv2 list register fields (GIC architecture spec, GICH_LR<n>). */
#define V2LR_ID_MASK	 0x1fffU /* VirtualID and, for SGIs, the source CPUID */
#define V2LR_PRIO_SHIFT	 23
#define V2LR_STATE_SHIFT 28
#define V2LR_GROUP1	 (1U << 30)
#define V2LR_EOI	 (1U << 19)

/* The GICv3 list register fields the generic code fills in. */
#define LR_STATE_SHIFT 62
#define LR_GROUP1      (1UL << 60)
#define LR_PRIO_SHIFT  48
#define LR_EOI	       (1UL << 41)

#define MAINT_INTID_DEFAULT 25 /* PPI 9, the GIC architecture's recommendation */

static unsigned int version;
static unsigned int nr_lrs;
static unsigned int maint_intid;
static uintptr_t gich;
static paddr_t gicv_pa; /* GICV, the frame a GICv2 guest gets as its GICC */

static inline uint32_t gich_read(unsigned int off)
{
	return *(volatile uint32_t *)(gich + off);
}

static inline void gich_write(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(gich + off) = v;
}

static unsigned int clamp_lrs(unsigned int n)
{
	return n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
}

void vgic_hw_init(const struct platform *plat)
{
	const struct platform_gic *g = &plat->gic;

	version = 0;
	maint_intid = g->maint_irq.intid ? g->maint_irq.intid : MAINT_INTID_DEFAULT;
	if (g->version == 3 && FIELD(read_sysreg(ID_AA64PFR0_EL1), 24, 4) != 0) {
		version = 3;
		nr_lrs = clamp_lrs((unsigned int)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1);
	} else if (g->version == 2 && g->hyp.size && g->vcpu.size >= GUEST_GICC_SIZE &&
		   !arch_map_device(g->hyp.base, g->hyp.size)) {
		version = 2;
		gich = g->hyp.base;
		gicv_pa = pa_init(g->vcpu.base);
		nr_lrs = clamp_lrs((gich_read(GICH_VTR) & 0x3f) + 1);
	}
}

unsigned int arch_vgic_version(void)
{
	return version;
}

unsigned int arch_vgic_maint_intid(void)
{
	return maint_intid;
}

paddr_t arch_vgic_cpuif_base(void)
{
	return gicv_pa;
}

unsigned int arch_vgic_nr_lrs(void)
{
	return nr_lrs; /* read once: the same on every CPU */
}

static uint32_t all_lrs(void)
{
	return (1U << nr_lrs) - 1;
}

#define LR_CASE(i, c, o)                                      \
	case i:                                               \
		if (write)                                    \
			write_sysreg(S3_4_C12_##c##_##o, *v); \
		else                                          \
			*v = read_sysreg(S3_4_C12_##c##_##o); \
		break

/* ICH_LR<n>_EL2 by number: each is its own system register. */
static void lr_access(unsigned int i, uint64_t *v, bool write)
{
	switch (i) {
		LR_CASE(0, C12, 0);
		LR_CASE(1, C12, 1);
		LR_CASE(2, C12, 2);
		LR_CASE(3, C12, 3);
		LR_CASE(4, C12, 4);
		LR_CASE(5, C12, 5);
		LR_CASE(6, C12, 6);
		LR_CASE(7, C12, 7);
		LR_CASE(8, C13, 0);
		LR_CASE(9, C13, 1);
		LR_CASE(10, C13, 2);
		LR_CASE(11, C13, 3);
		LR_CASE(12, C13, 4);
		LR_CASE(13, C13, 5);
		LR_CASE(14, C13, 6);
		LR_CASE(15, C13, 7);
	default:
		break;
	}
}

static uint32_t lr_to_v2(uint64_t lr)
{
	uint32_t prio = (uint32_t)(lr >> LR_PRIO_SHIFT) & 0xff;

	return ((uint32_t)lr & V2LR_ID_MASK) | (prio >> 3) << V2LR_PRIO_SHIFT |
	       (uint32_t)(lr >> LR_STATE_SHIFT) << V2LR_STATE_SHIFT |
	       ((lr & LR_GROUP1) ? V2LR_GROUP1 : 0) | ((lr & LR_EOI) ? V2LR_EOI : 0);
}

static uint64_t lr_from_v2(uint32_t v)
{
	uint64_t prio = ((v >> V2LR_PRIO_SHIFT) & 0x1f) << 3;

	return (v & V2LR_ID_MASK) | prio << LR_PRIO_SHIFT |
	       (uint64_t)((v >> V2LR_STATE_SHIFT) & 3) << LR_STATE_SHIFT |
	       ((v & V2LR_GROUP1) ? LR_GROUP1 : 0) | ((v & V2LR_EOI) ? LR_EOI : 0);
}

void arch_vgic_write_lrs(const uint64_t *lr, uint32_t mask)
{
	for (; mask; mask &= mask - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(mask);
		uint64_t v = lr[i];

		if (version == 2)
			gich_write(GICH_LR0 + 4 * i, lr_to_v2(v));
		else
			lr_access(i, &v, true);
	}
	isb();
}

void arch_vgic_read_lrs(uint64_t *lr, uint32_t mask)
{
	for (; mask; mask &= mask - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(mask);

		if (version == 2)
			lr[i] = lr_from_v2(gich_read(GICH_LR0 + 4 * i));
		else
			lr_access(i, &lr[i], false);
	}
}

static void write_hcr(const struct vcpu *vcpu)
{
	uint64_t hcr = ICH_HCR_EN | (vcpu->vgic.underflow_irq ? ICH_HCR_UIE : 0);

	if (version == 2)
		gich_write(GICH_HCR, (uint32_t)hcr);
	else
		write_sysreg(ICH_HCR_EL2, hcr);
	isb();
}

void arch_vgic_set_underflow_irq(struct vcpu *vcpu, bool on)
{
	if (vcpu->vgic.underflow_irq == on)
		return;
	vcpu->vgic.underflow_irq = on;
	write_hcr(vcpu);
}

void vgic_hw_load(struct vcpu *vcpu)
{
	if (!vcpu->vm->vgic.present)
		return;
	if (version == 2) {
		gich_write(GICH_VMCR, (uint32_t)vcpu->vgic.vmcr);
		gich_write(GICH_APR, (uint32_t)vcpu->vgic.apr);
	} else {
		write_sysreg(ICH_VMCR_EL2, vcpu->vgic.vmcr);
		write_sysreg(ICH_AP1R0_EL2, vcpu->vgic.apr);
		write_sysreg(ICH_AP0R0_EL2, vcpu->vgic.apr0);
	}
	arch_vgic_write_lrs(vcpu->vgic.lr, all_lrs());
	write_hcr(vcpu);
}

void vgic_hw_put(struct vcpu *vcpu)
{
	uint64_t none[VGIC_MAX_LRS] = { 0 };

	if (!vcpu->vm->vgic.present)
		return;
	if (version == 2) {
		vcpu->vgic.vmcr = gich_read(GICH_VMCR);
		vcpu->vgic.apr = gich_read(GICH_APR);
		gich_write(GICH_HCR, 0);
	} else {
		vcpu->vgic.vmcr = read_sysreg(ICH_VMCR_EL2);
		vcpu->vgic.apr = read_sysreg(ICH_AP1R0_EL2);
		vcpu->vgic.apr0 = read_sysreg(ICH_AP0R0_EL2);
		write_sysreg(ICH_HCR_EL2, 0);
	}
	/* The list registers were read back at the last exit (vgic_sync). */
	arch_vgic_write_lrs(none, all_lrs());
}

void arch_ptimer_arm(uint64_t when)
{
	if (when == UINT64_MAX) {
		write_sysreg(cntp_ctl_el0, 0);
	} else {
		write_sysreg(cntp_cval_el0, when);
		write_sysreg(cntp_ctl_el0, 1); /* enabled, not masked */
	}
	isb();
}

void arch_vtimer_arm_host(uint64_t when)
{
	uint64_t off = read_sysreg(cntvoff_el2);

	if (when == UINT64_MAX) {
		write_sysreg(cntv_ctl_el0, 0);
	} else {
		/* It compares CNTPCT - CNTVOFF: already past when @when is below the offset. */
		write_sysreg(cntv_cval_el0, when > off ? when - off : 0);
		write_sysreg(cntv_ctl_el0, 1);
	}
	isb();
}

void arch_ptimer_mask(void)
{
	write_sysreg(cntp_ctl_el0, read_sysreg(cntp_ctl_el0) | CNTV_IMASK);
	isb();
}

void arch_vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNTV_IMASK);
	isb();
}

bool arch_vtimer_output(void)
{
	return (read_sysreg(cntv_ctl_el0) & (CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS)) ==
	       (CNTV_ENABLE | CNTV_ISTATUS);
}
