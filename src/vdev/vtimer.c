// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/vm.h"
#include "vdev/vtimer.h"

void vtimer_counter_init(struct vm *vm)
{
	vm->counter.offset = arch_counter();
}

uint64_t vtimer_guest_count(const struct vm *vm, uint64_t host)
{
	return host - vm->counter.offset;
}

uint64_t vtimer_deadline(const struct vcpu *vcpu)
{
	const struct vtimer *t = &vcpu->vtimer;
	uint64_t offset = vcpu->vm->counter.offset;

	if ((t->ctl & (VTIMER_CTL_ENABLE | VTIMER_CTL_IMASK)) != VTIMER_CTL_ENABLE)
		return VTIMER_NO_DEADLINE;
	/* CVAL is compared with the guest's count; a sum past the end never fires. */
	if (t->cval > VTIMER_NO_DEADLINE - offset)
		return VTIMER_NO_DEADLINE - 1;
	return t->cval + offset;
}
