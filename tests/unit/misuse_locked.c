// SPDX-License-Identifier: MIT
/*
 * The lock handles of core/vm.h: a function that needs vm->lock takes a struct
 * vm_locked, one that needs vm->s2_lock a struct vm_s2_locked, so calling it
 * with the bare VM, or with the other lock's handle, does not compile. unit.mk
 * (unit-misuse) compiles this file as it is, which must work, and once per misuse
 * below with -DMISUSE=n, which must fail on incompatible types. Nothing here is
 * ever run.
 */
#include "core/stage2_fault.h"
#include "core/vm.h"

void locked_uses(struct vm *vm, struct vcpu *vcpu);

void locked_uses(struct vm *vm, struct vcpu *vcpu)
{
	struct vm_locked locked = vm_lock(vm);
	struct vm_s2_locked s2;

	vcpu_set_state(locked, vcpu, VCPU_OFF);
	vm_set_state(locked, VM_RUNNING);
	vm_unlock(&locked);
	s2 = vm_s2_lock(vm);
	vm_ram_prepare(s2, vm->ram_ipa, 4096);
	(void)stage2_host_write(s2, vm->ram_ipa, 4096);
	vm_s2_unlock(&s2);
	(void)vcpu_swap_state(vcpu, VCPU_BLOCKED, VCPU_RUNNABLE); /* needs no lock */
#if MISUSE == 1 /* a vCPU turned off without vm->lock */
	vcpu_set_state(vm, vcpu, VCPU_OFF);
#elif MISUSE == 2 /* the VM's state changed without vm->lock */
	vm_set_state(vm, VM_POWERED_OFF);
#elif MISUSE == 3 /* RAM prepared without vm->s2_lock */
	vm_ram_prepare(vm, vm->ram_ipa, 4096);
#elif MISUSE == 4 /* ... or under the wrong lock */
	vm_ram_prepare(locked, vm->ram_ipa, 4096);
#elif MISUSE == 5 /* stage 2 changed under vm->lock instead of vm->s2_lock */
	(void)stage2_host_write(locked, vm->ram_ipa, 4096);
#elif MISUSE == 6 /* a state change under vm->s2_lock instead of vm->lock */
	vcpu_set_state(s2, vcpu, VCPU_OFF);
#endif
}
