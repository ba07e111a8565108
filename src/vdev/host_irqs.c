// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "board/layout.h"
#include "core/irq.h"
#include "core/vm.h"
#include "platform/platform.h"
#include "vdev/host_irqs.h"
#include "vdev/ptimer.h"
#include "vdev/vgic.h"

/*
 * The loaded vCPU's virtual timer fired. Its output is masked (the guest
 * unmasks it when it reprograms the timer) and the guest gets the interrupt
 * through its virtual GIC; for a scaled VM the hardware timer only stood in
 * for the emulated one (FEAT_ECV), which decides.
 */
static void vtimer_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	arch_vtimer_mask();
	if (!loaded)
		return; /* no vCPU's timer: a stale one, masked now */
	if (loaded->vm->counter.virtual_trapped)
		ptimer_fired(loaded, PTIMER_VIRT);
	else
		vgic_inject(loaded->vm, loaded, GUEST_INTID_VTIMER);
}

/* The hardware EL1 physical timer, behind the loaded vCPU's emulated one. */
static void ptimer_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	arch_ptimer_mask();
	if (loaded)
		ptimer_fired(loaded, PTIMER_PHYS);
}

static void maintenance_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	if (loaded)
		vgic_maintenance(loaded);
}

/* The device tree's timer PPI of kind @k, or the one the Arm BSA recommends. */
static unsigned int timer_ppi(const struct platform *plat, enum timer_irq_index k,
			      unsigned int dflt)
{
	return plat->timer.nirqs > (unsigned int)k ? plat->timer.irq[k].intid : dflt;
}

void vdev_reserve_host_irqs(const struct platform *plat)
{
	irq_reserve(timer_ppi(plat, TIMER_IRQ_VIRT, TIMER_BSA_INTID_VIRT), vtimer_irq,
		    "EL1 virtual timer");
	irq_reserve(timer_ppi(plat, TIMER_IRQ_PHYS, TIMER_BSA_INTID_PHYS), ptimer_irq,
		    "EL1 physical timer");
	if (arch_vgic_version())
		irq_reserve(arch_vgic_maint_intid(), maintenance_irq, "vGIC maintenance");
}
