// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "board/layout.h"
#include "core/irq.h"
#include "core/vm.h"
#include "platform/platform.h"
#include "vdev/host_irqs.h"
#include "vdev/ptimer.h"
#include "vdev/vtimer.h"
#include "vdev/vgic.h"

static unsigned int vtimer_intid;

/*
 * Each call writes the GIC, with no record of what this CPU's PPI is: a hold
 * follows the timer's interrupt and a release the line's fall, once each, so
 * only a vCPU's load (vtimer_loaded) may write what is already there.
 */
void host_irqs_vtimer_hold(bool hold)
{
	if (hold)
		arch_irq_disable_private(vtimer_intid);
	else
		arch_irq_enable_private(vtimer_intid);
}

/*
 * The loaded vCPU's virtual timer fired: its line goes up in the guest's
 * virtual GIC (vdev/vtimer.h). For a scaled VM the hardware timer only stood
 * in for the emulated one (FEAT_ECV), which decides; it is Skiff's to mask.
 */
static void vtimer_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	if (!loaded || loaded->vm->counter.virtual_trapped) {
		arch_vtimer_mask(); /* no vCPU's timer (a stale one), or Skiff's stand-in */
		if (loaded)
			ptimer_fired(loaded, PTIMER_VIRT);
		return;
	}
	vtimer_fired(loaded);
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
	vtimer_intid = timer_ppi(plat, TIMER_IRQ_VIRT, TIMER_BSA_INTID_VIRT);
	irq_reserve(vtimer_intid, vtimer_irq, "EL1 virtual timer");
	irq_reserve(timer_ppi(plat, TIMER_IRQ_PHYS, TIMER_BSA_INTID_PHYS), ptimer_irq,
		    "EL1 physical timer");
	if (arch_vgic_version())
		irq_reserve(arch_vgic_maint_intid(), maintenance_irq, "vGIC maintenance");
}
