// SPDX-License-Identifier: MIT
/*
 * The typed addresses of lib/addr.h must not mix. unit.mk (unit-misuse) compiles
 * this file as it is, which must work (the correct uses), and once per misuse below
 * with -DMISUSE=n, which must fail with an error about incompatible types: one kind of
 * address, or a plain number, where another kind belongs. With plain integers for
 * addresses every misuse would compile. Nothing here is ever run.
 */
#include "arch/arch.h"
#include "core/stage2_fault.h"
#include "core/vm.h"

void addr_uses(struct vm *vm, struct vcpu *vcpu);

void addr_uses(struct vm *vm, struct vcpu *vcpu)
{
	ipaddr_t ipa = ipa_add(vm->ram_ipa, 0x1000);
	paddr_t pa = vm_ram_pa(vm, ipa);
	vaddr_t va = va_init(vcpu->ctx.pc);
	void *p;

	(void)arch_stage2_map(&vm->s2, ipa, pa, 4096, S2_PERM_R);
	(void)arch_vcpu_va_access(vcpu, va, VA_EL1_READ, &ipa);
	(void)vm_ram_ptr(vm, ipa, 8, &p);
	(void)stage2_fault(vcpu, ipa, false, 0);
	vm->entry_ipa = ipa;
	vm->ram_pa = pa;
#if MISUSE == 1 /* stage 2 told to map an IPA to an IPA */
	(void)arch_stage2_map(&vm->s2, ipa, vm->ram_ipa, 4096, S2_PERM_R);
#elif MISUSE == 2 /* ... or from a host PA */
	(void)arch_stage2_map(&vm->s2, pa, pa, 4096, S2_PERM_R);
#elif MISUSE == 3 /* a host PA looked up as guest RAM */
	(void)vm_ram_ptr(vm, pa, 8, &p);
#elif MISUSE == 4 /* an IPA translated as a guest virtual address */
	(void)arch_vcpu_va_access(vcpu, ipa, VA_EL1_READ, &ipa);
#elif MISUSE == 5 /* a plain number as a faulting IPA */
	(void)stage2_fault(vcpu, 0x40000000, false, 0);
#elif MISUSE == 6 /* guest RAM's IPA stored as its PA */
	vm->ram_pa = vm->ram_ipa;
#elif MISUSE == 7 /* a PA used as a pointer without pa_ptr() */
	p = vm->ram_pa;
#elif MISUSE == 8 /* an entry point taken from the backing PA */
	arch_vcpu_reset(vcpu, pa, 0);
#endif
}
