// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "board/layout.h"
#include "core/sysreg.h"
#include "core/vm.h"
#include "vdev/memtimer.h"
#include "vdev/ptimer.h"
#include "vdev/timescale.h"
#include "vdev/vgic.h"

/* A timer's registers, its interrupt and the hardware timer that stands in for it. */
struct timer_kind {
	uint32_t count, count_ss, tval, ctl, cval;
	unsigned int intid;
	void (*arm)(uint64_t host_deadline);
};

static const struct timer_kind kinds[] = {
	[PTIMER_PHYS] = { SYS_ENC(3, 3, 14, 0, 1), SYS_ENC(3, 3, 14, 0, 5), SYS_ENC(3, 3, 14, 2, 0),
			  SYS_ENC(3, 3, 14, 2, 1), SYS_ENC(3, 3, 14, 2, 2), GUEST_INTID_PTIMER,
			  arch_ptimer_arm },
	[PTIMER_VIRT] = { SYS_ENC(3, 3, 14, 0, 2), SYS_ENC(3, 3, 14, 0, 6), SYS_ENC(3, 3, 14, 3, 0),
			  SYS_ENC(3, 3, 14, 3, 1), SYS_ENC(3, 3, 14, 3, 2), GUEST_INTID_VTIMER,
			  arch_vtimer_arm_host },
};

static struct ptimer *timer(struct vcpu *vcpu, enum ptimer_kind k)
{
	return k == PTIMER_PHYS ? &vcpu->ptimer : &vcpu->vptimer;
}

static const struct ptimer *ctimer(const struct vcpu *vcpu, enum ptimer_kind k)
{
	return k == PTIMER_PHYS ? &vcpu->ptimer : &vcpu->vptimer;
}

/* The kinds this VM emulates: the physical timer, and the virtual one with FEAT_ECV. */
static unsigned int nkinds(const struct vcpu *vcpu)
{
	return vcpu->vm->counter.virtual_trapped ? 2 : 1;
}

static uint64_t guest_now(const struct vcpu *vcpu)
{
	return timescale_to_guest(vtimer_scale(&vcpu->vm->counter), arch_counter());
}

/* The timer's output: enabled, condition met (in guest time), not masked. */
static bool output(const struct vcpu *vcpu, enum ptimer_kind k)
{
	const struct ptimer *t = ctimer(vcpu, k);

	return (t->ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK)) == PTIMER_CTL_ENABLE &&
	       guest_now(vcpu) >= t->cval;
}

static uint64_t deadline(const struct vcpu *vcpu, enum ptimer_kind k)
{
	const struct ptimer *t = ctimer(vcpu, k);

	if ((t->ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK)) != PTIMER_CTL_ENABLE)
		return UINT64_MAX;
	return timescale_to_host(vtimer_scale(&vcpu->vm->counter), t->cval);
}

uint64_t ptimer_deadline(const struct vcpu *vcpu)
{
	/* The virtual one's is seen through its hardware stand-in (vtimer_deadline). */
	return deadline(vcpu, PTIMER_PHYS);
}

/*
 * The interrupt is a level: it follows the output, both ways. Returns the host
 * tick at which the output rises, or UINT64_MAX when it is up already (nothing
 * left to wait for) or never rises.
 */
static uint64_t update_level(struct vcpu *vcpu, enum ptimer_kind k)
{
	bool out = output(vcpu, k);

	vgic_set_level(vcpu->vm, vcpu, kinds[k].intid, out);
	return out ? UINT64_MAX : deadline(vcpu, k);
}

/*
 * Drives timer @k's interrupt and arms its hardware stand-in for what is left
 * to wait for. The physical one also stands in for the VM's memory-mapped
 * timer while this vCPU watches it (vdev/memtimer.h): armed for the earlier.
 */
static void program(struct vcpu *vcpu, enum ptimer_kind k)
{
	uint64_t when = update_level(vcpu, k);

	if (k == PTIMER_PHYS) {
		uint64_t mem = memtimer_update(vcpu);

		if (mem < when)
			when = mem;
	}
	kinds[k].arm(when);
}

void ptimer_program(struct vcpu *vcpu)
{
	for (unsigned int k = 0; k < nkinds(vcpu); k++)
		program(vcpu, k);
}

void ptimer_fired(struct vcpu *vcpu, enum ptimer_kind k)
{
	/* Raises what is due; early by a rounding of the host's, or for another timer: arm again.
	 */
	program(vcpu, k);
}

static uint64_t sign_extend32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static bool access(struct vcpu *vcpu, enum ptimer_kind k, uint32_t enc, bool read, uint64_t *val)
{
	const struct timer_kind *r = &kinds[k];
	struct ptimer *t = timer(vcpu, k);
	uint64_t now = guest_now(vcpu);

	t->traps++;
	if (read) {
		if (enc == r->ctl)
			*val = t->ctl |
			       (t->ctl & PTIMER_CTL_ENABLE && now >= t->cval ? PTIMER_CTL_ISTATUS
									     : 0);
		else if (enc == r->cval)
			*val = t->cval;
		else
			*val = (uint32_t)(t->cval - now); /* TVAL: CVAL - count, 32 bits */
		return true;
	}
	if (enc == r->ctl)
		t->ctl = *val & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK);
	else if (enc == r->cval)
		t->cval = *val;
	else
		t->cval = now + sign_extend32(*val); /* TVAL is a signed 32-bit value */
	program(vcpu, k);
	return true;
}

/*
 * A read of the counter, the most frequent trap of a scaled VM, kept apart from
 * the timer's registers: it needs the time and nothing else. Writes: the
 * counter is read-only (ignored).
 */
static bool counter_access(struct vcpu *vcpu, enum ptimer_kind k, bool read, uint64_t *val)
{
	timer(vcpu, k)->traps++;
	if (read)
		*val = guest_now(vcpu);
	return true;
}

/* The kind whose counter (CNTxCT or CNTxCTSS) @enc names, among those emulated; -1 if none. */
static int counter_kind(const struct vcpu *vcpu, uint32_t enc)
{
	for (unsigned int k = 0; k < nkinds(vcpu); k++)
		if (enc == kinds[k].count || enc == kinds[k].count_ss)
			return (int)k;
	return -1;
}

bool ptimer_read_counter(struct vcpu *vcpu, uint32_t enc, uint64_t *val)
{
	int k = counter_kind(vcpu, enc);

	return k >= 0 && counter_access(vcpu, (enum ptimer_kind)k, true, val);
}

bool ptimer_access(struct vcpu *vcpu, uint32_t enc, bool read, uint64_t *val)
{
	int counter = counter_kind(vcpu, enc);

	if (counter >= 0)
		return counter_access(vcpu, (enum ptimer_kind)counter, read, val);
	for (unsigned int k = 0; k < nkinds(vcpu); k++) {
		const struct timer_kind *r = &kinds[k];

		if (enc == r->tval || enc == r->ctl || enc == r->cval)
			return access(vcpu, k, enc, read, val);
	}
	return false;
}
