// SPDX-License-Identifier: MIT
/* GICv3 virtualization: list registers and the virtual CPU interface's state. */
#include "arch/arch.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"

#define ICH_VTR_EL2   S3_4_C12_C11_1
#define ICH_VMCR_EL2  S3_4_C12_C11_7
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EN    1UL
#define CNTV_IMASK    (1UL << 1)

static const struct platform *vgic_plat;
static unsigned int nr_lrs;

void vgic_hw_init(const struct platform *plat)
{
	vgic_plat = plat;
	if (arch_vgic_present()) {
		nr_lrs = (unsigned int)(read_sysreg(ICH_VTR_EL2) & 0x1f) + 1;
		if (nr_lrs > VGIC_MAX_LRS)
			nr_lrs = VGIC_MAX_LRS;
	}
}

bool arch_vgic_present(void)
{
	/* A GICv3 host whose CPUs have the system-register interface (hence ICH_*). */
	return vgic_plat && vgic_plat->gic.version == 3 &&
	       FIELD(read_sysreg(ID_AA64PFR0_EL1), 24, 4) != 0;
}

unsigned int arch_vgic_nr_lrs(void)
{
	return nr_lrs; /* ICH_VTR_EL2.ListRegs + 1, read once: the same on every CPU */
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

void arch_vgic_write_lrs(const uint64_t *lr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t v = lr[i];

		lr_access(i, &v, true);
	}
	isb();
}

void arch_vgic_read_lrs(uint64_t *lr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		lr_access(i, &lr[i], false);
}

void vgic_hw_load(struct vcpu *vcpu)
{
	if (!vcpu->vm->vgic.present)
		return;
	write_sysreg(ICH_VMCR_EL2, vcpu->vgic.vmcr);
	write_sysreg(ICH_AP1R0_EL2, vcpu->vgic.ap1r0);
	arch_vgic_write_lrs(vcpu->vgic.lr, arch_vgic_nr_lrs());
	write_sysreg(ICH_HCR_EL2, ICH_HCR_EN);
	isb();
}

void vgic_hw_put(struct vcpu *vcpu)
{
	uint64_t none[VGIC_MAX_LRS] = { 0 };

	if (!vcpu->vm->vgic.present)
		return;
	vcpu->vgic.vmcr = read_sysreg(ICH_VMCR_EL2);
	vcpu->vgic.ap1r0 = read_sysreg(ICH_AP1R0_EL2);
	write_sysreg(ICH_HCR_EL2, 0);
	/* The list registers were read back at the last exit (vgic_sync). */
	arch_vgic_write_lrs(none, arch_vgic_nr_lrs());
}

void arch_vtimer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNTV_IMASK);
	isb();
}
