// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/sysreg.h"
#include "core/vm.h"
#include "vdev/ptimer.h"
#include "vdev/timescale.h"
#include "vdev/vgic.h"

#define CNTPCT_EL0    SYS_ENC(3, 3, 14, 0, 1)
#define CNTPCTSS_EL0  SYS_ENC(3, 3, 14, 0, 5)
#define CNTP_TVAL_EL0 SYS_ENC(3, 3, 14, 2, 0)
#define CNTP_CTL_EL0  SYS_ENC(3, 3, 14, 2, 1)
#define CNTP_CVAL_EL0 SYS_ENC(3, 3, 14, 2, 2)

static uint64_t guest_now(const struct vcpu *vcpu)
{
	return timescale_to_guest(&vcpu->vm->counter.scale, arch_counter());
}

/* The timer's output: enabled, condition met (in guest time), not masked. */
static bool output(const struct vcpu *vcpu)
{
	const struct ptimer *t = &vcpu->ptimer;

	return (t->ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK)) == PTIMER_CTL_ENABLE &&
	       guest_now(vcpu) >= t->cval;
}

uint64_t ptimer_deadline(const struct vcpu *vcpu)
{
	const struct ptimer *t = &vcpu->ptimer;

	if (!vcpu->vm->counter.scaled ||
	    (t->ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK)) != PTIMER_CTL_ENABLE)
		return UINT64_MAX;
	return timescale_to_host(&vcpu->vm->counter.scale, t->cval);
}

void ptimer_program(struct vcpu *vcpu)
{
	uint64_t deadline = ptimer_deadline(vcpu);

	/* The interrupt is a level: it follows the output, both ways. */
	vgic_set_level(vcpu->vm, vcpu, PTIMER_INTID, output(vcpu));
	arch_ptimer_arm(deadline);
}

void ptimer_fired(struct vcpu *vcpu)
{
	if (output(vcpu))
		vgic_set_level(vcpu->vm, vcpu, PTIMER_INTID, true);
	else
		ptimer_program(vcpu); /* early by a rounding of the host's: arm again */
}

static uint64_t sign_extend32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

bool ptimer_access(struct vcpu *vcpu, uint32_t enc, bool read, uint64_t *val)
{
	struct ptimer *t = &vcpu->ptimer;
	uint64_t now;

	if (enc != CNTPCT_EL0 && enc != CNTPCTSS_EL0 && enc != CNTP_TVAL_EL0 &&
	    enc != CNTP_CTL_EL0 && enc != CNTP_CVAL_EL0)
		return false;
	t->traps++;
	now = guest_now(vcpu);
	if (enc == CNTPCT_EL0 || enc == CNTPCTSS_EL0) {
		if (read)
			*val = now;
		return true; /* writes: the counter is read-only (ignored) */
	}
	if (read) {
		if (enc == CNTP_CTL_EL0)
			*val = t->ctl |
			       (t->ctl & PTIMER_CTL_ENABLE && now >= t->cval ? PTIMER_CTL_ISTATUS
									     : 0);
		else if (enc == CNTP_CVAL_EL0)
			*val = t->cval;
		else
			*val = (uint32_t)(t->cval - now); /* TVAL: CVAL - count, 32 bits */
		return true;
	}
	if (enc == CNTP_CTL_EL0)
		t->ctl = *val & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK);
	else if (enc == CNTP_CVAL_EL0)
		t->cval = *val;
	else
		t->cval = now + sign_extend32(*val); /* TVAL is a signed 32-bit value */
	ptimer_program(vcpu);
	return true;
}
