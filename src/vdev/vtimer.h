/* SPDX-License-Identifier: MIT */
/*
 * The guest's virtual timer (CNTV) and its counter. Each VM's counter is the
 * host's minus an offset taken when the VM is created (CNTVOFF_EL2), so guest
 * time starts near zero. While a vCPU runs, the hardware timer is the vCPU's;
 * while it is descheduled, its registers live here and Skiff works out the
 * deadline in host counter ticks so it can wake the vCPU itself. Every
 * conversion between guest and host time goes through this module: the place
 * where counter scaling (docs/time-scaling.md) slots in.
 */
#ifndef SKIFF_VDEV_VTIMER_H
#define SKIFF_VDEV_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define VTIMER_CTL_ENABLE  (1UL << 0)
#define VTIMER_CTL_IMASK   (1UL << 1)
#define VTIMER_CTL_ISTATUS (1UL << 2)
#define VTIMER_NO_DEADLINE UINT64_MAX

struct vcpu;
struct vm;

/*
 * One vCPU's CNTV_CTL_EL0 and CNTV_CVAL_EL0 (saved copies while not loaded),
 * and the timer's interrupt line as Skiff last saw it. The timer's output is
 * a level: while it is up (@asserted), the guest's INTID 27 is a level-
 * sensitive input held high in its vGIC and the host's timer PPI is disabled
 * on the CPU that runs the vCPU (it would fire again at once). The guest's own
 * registers are never touched: only the guest lowers the line, by reprogramming
 * or masking the timer, which Skiff sees at the next exit (vtimer_exited).
 */
struct vtimer {
	uint64_t ctl;
	uint64_t cval;
	bool asserted;
};

#include "vdev/timescale.h"

/*
 * A VM's counter: guest count = host count - offset, at the host's frequency;
 * or, when the VM has a frequency of its own (@scaled), at that frequency. The
 * physical counter and timer of every VM are emulated (vdev/ptimer.h) through
 * vtimer_scale(), which for an unscaled VM is the host's rate from the same
 * offset, so both counters read the same.
 * The scale has two copies: an adjustment writes the one not in use and then
 * switches, so vCPUs reading it on other CPUs never see half of one (two
 * adjustments are seconds apart, a read takes nanoseconds).
 */
struct vtimer_counter {
	uint64_t offset;
	bool scaled;
	bool virtual_trapped; /* scaled, and the virtual counter/timer too (FEAT_ECV) */
	unsigned int current; /* which of @scales is in use */
	struct timescale scales[2];
	uint64_t adjustments; /* host count adjustments compensated */
};

static inline const struct timescale *vtimer_scale(const struct vtimer_counter *c)
{
	return &c->scales[__atomic_load_n(&c->current, __ATOMIC_ACQUIRE)];
}

/* Starts the VM's counter at zero now, at @guest_hz (0: the host's frequency). */
void vtimer_counter_init(struct vm *vm, uint64_t guest_hz);

/*
 * The host's count fell @missed ticks behind the wall clock (stopped, or set
 * back), as seen at host count @host_now (core/hostclock.c): the VM's count
 * moves on by as much, so its time follows the wall clock and never steps
 * back. (A count that ran ahead is left alone: the guest has seen it.) The
 * caller makes the VM's vCPUs load the counter again (vcpu->counter_changed).
 */
void vtimer_counter_advance(struct vm *vm, uint64_t missed, uint64_t host_now);

/*
 * The virtual timer's PPI fired while @vcpu (of a VM whose virtual timer is
 * not emulated) was loaded: its line goes up.
 */
void vtimer_fired(struct vcpu *vcpu);

/* @vcpu was loaded (again): the host's timer PPI and the vGIC's line follow its line. */
void vtimer_loaded(struct vcpu *vcpu);

/*
 * After an exit of @vcpu, whose line is up: down again if the guest lowered
 * its timer's output (a later CVAL, disabled or masked), so that the next
 * expiry raises it anew. The list register of a level-sensitive interrupt
 * asks for an exit when the guest deactivates it (vgic.c), so this runs at
 * the latest when the guest is done with the interrupt.
 */
void vtimer_exited(struct vcpu *vcpu);

/* The guest's counter value at host counter value @host. */
uint64_t vtimer_guest_count(const struct vm *vm, uint64_t host);

/*
 * When @vcpu's timer condition will be met, in host counter ticks, or
 * VTIMER_NO_DEADLINE if it is disabled or masked, or its line is up already
 * (the vGIC has the interrupt: whether it wakes the vCPU is the vGIC's
 * business). Uses the saved registers:
 * the vCPU is not loaded, or arch_vcpu_vtimer_save() ran.
 */
uint64_t vtimer_deadline(const struct vcpu *vcpu);

#endif
