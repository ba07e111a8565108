// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "board/layout.h"
#include "core/vm.h"
#include "vdev/host_irqs.h"
#include "vdev/vgic.h"
#include "vdev/vtimer.h"

void vtimer_counter_init(struct vm *vm, uint64_t guest_hz)
{
	uint64_t host_hz = arch_counter_freq(), now = arch_counter();

	vm->counter.offset = now;
	/* Configured (even at the host's rate): the physical counter and timer are emulated. */
	vm->counter.scaled = guest_hz != 0;
	vm->counter.current = 0;
	vm->counter.adjustments = 0;
	timescale_init(&vm->counter.scales[0], guest_hz, host_hz, now, 0);
}

void vtimer_counter_advance(struct vm *vm, uint64_t missed, uint64_t host_now)
{
	struct vtimer_counter *c = &vm->counter;
	unsigned int next = c->current ^ 1U;

	c->adjustments++;
	/* Unscaled: the guest reads CNTPCT - CNTVOFF; a smaller offset moves it on. */
	c->offset -= missed;
	c->scales[next] = c->scales[c->current];
	timescale_rebase(&c->scales[next], 0, host_now,
			 timescale_to_guest(&c->scales[c->current], host_now + missed));
	__atomic_store_n(&c->current, next, __ATOMIC_RELEASE);
}

uint64_t vtimer_guest_count(const struct vm *vm, uint64_t host)
{
	return host - vm->counter.offset;
}

uint64_t vtimer_deadline(const struct vcpu *vcpu)
{
	const struct vtimer *t = &vcpu->vtimer;
	uint64_t now = arch_counter(), guest_now = vtimer_guest_count(vcpu->vm, now);

	if (t->asserted || (t->ctl & (VTIMER_CTL_ENABLE | VTIMER_CTL_IMASK)) != VTIMER_CTL_ENABLE)
		return VTIMER_NO_DEADLINE;
	/*
	 * CVAL is compared with the guest's count, which may be ahead of this
	 * host's (a VM that ran longer elsewhere: CNTVOFF "negative", taken
	 * modulo 2^64 as the hardware does): how far ahead of the guest's count
	 * it lies is how far ahead of now it fires. One past the end never does.
	 */
	if (t->cval <= guest_now) /* due: when it was, as callers compare with their own now */
		return guest_now - t->cval > now ? 0 : now - (guest_now - t->cval);
	if (t->cval - guest_now > VTIMER_NO_DEADLINE - 1 - now)
		return VTIMER_NO_DEADLINE - 1;
	return now + (t->cval - guest_now);
}

void vtimer_fired(struct vcpu *vcpu)
{
	vcpu->vtimer.asserted = true;
	host_irqs_vtimer_hold(true);
	vgic_set_level(vcpu->vm, vcpu, GUEST_INTID_VTIMER, true);
}

void vtimer_loaded(struct vcpu *vcpu)
{
	/* An emulated virtual timer (FEAT_ECV) drives the line itself (vdev/ptimer.c). */
	if (vcpu->vm->counter.virtual_trapped) {
		host_irqs_vtimer_hold(false);
		return;
	}
	/* A reset vCPU starts with its line down: the vGIC follows. */
	host_irqs_vtimer_hold(vcpu->vtimer.asserted);
	vgic_set_level(vcpu->vm, vcpu, GUEST_INTID_VTIMER, vcpu->vtimer.asserted);
}

void vtimer_exited(struct vcpu *vcpu)
{
	if (arch_vtimer_output())
		return;
	vcpu->vtimer.asserted = false;
	vgic_set_level(vcpu->vm, vcpu, GUEST_INTID_VTIMER, false);
	host_irqs_vtimer_hold(false);
}
