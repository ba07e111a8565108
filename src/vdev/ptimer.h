/* SPDX-License-Identifier: MIT */
/*
 * The guest's physical counter and timer, in every VM: the hardware's EL1
 * physical timer is not switched with the vCPU, so no VM uses it directly
 * (another VM on the same CPU would read and overwrite it). In a VM with a
 * counter frequency of its own they run at that frequency (docs/time.md),
 * otherwise at the host's, reading as the virtual counter does. Accesses to CNTPCT_EL0 and
 * CNTP_{CTL,CVAL,TVAL}_EL0 trap (CNTHCTL_EL2.EL1PCTEN/EL1PCEN clear) and are
 * emulated here in guest units through vdev/timescale.c: the counter is the
 * host's scaled, CVAL is the guest's, TVAL a signed 32-bit down-counter,
 * ISTATUS computed in guest time. While the vCPU runs, the hardware EL1
 * physical timer is armed for the host tick at which the guest's condition
 * becomes true (rounded up: never early); its interrupt is delivered through
 * the vGIC as a level (INTID 30).
 *
 * On a CPU with FEAT_ECV, CNTVCT_EL0 and CNTV_* trap too (CNTHCTL_EL2.EL1TVCT,
 * EL1TVT) and are emulated the same way, in the same guest time, with the
 * hardware virtual timer standing in (INTID 27): Linux's clocksource is scaled.
 */
#ifndef SKIFF_VDEV_PTIMER_H
#define SKIFF_VDEV_PTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define PTIMER_CTL_ENABLE  (1UL << 0)
#define PTIMER_CTL_IMASK   (1UL << 1)
#define PTIMER_CTL_ISTATUS (1UL << 2)

struct vcpu;

/* The physical timer; with FEAT_ECV the virtual timer too, emulated the same way. */
enum ptimer_kind { PTIMER_PHYS, PTIMER_VIRT };

struct ptimer {
	uint64_t ctl;  /* ENABLE and IMASK as the guest wrote them */
	uint64_t cval; /* in guest ticks */
	uint64_t traps;
};

/* Emulates a trapped counter/timer register access; false if @enc is none of them. */
bool ptimer_access(struct vcpu *vcpu, uint32_t enc, bool read, uint64_t *val);

/*
 * A read of an emulated counter (CNTPCT_EL0, CNTPCTSS_EL0; the virtual ones too
 * where they are trapped) into *val; false for any other register. It changes
 * nothing but the trap count, so an exit path that saved only part of the vCPU
 * may serve it (core/trap.h).
 */
bool ptimer_read_counter(struct vcpu *vcpu, uint32_t enc, uint64_t *val);

/* The hardware timer standing in for timer @k fired (its output is masked already). */
void ptimer_fired(struct vcpu *vcpu, enum ptimer_kind k);

/* Re-arms the hardware timer for the loaded vCPU (after load or a register write). */
void ptimer_program(struct vcpu *vcpu);

/*
 * The host tick at which the physical timer's output rises, or UINT64_MAX
 * (blocked vCPUs; the emulated virtual timer's is its hardware stand-in's).
 */
uint64_t ptimer_deadline(const struct vcpu *vcpu);

#endif
