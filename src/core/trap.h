/* SPDX-License-Identifier: MIT */
/*
 * Handling of guest exits. Synchronous exceptions are dispatched through a table
 * indexed by ESR_EL2.EC; a trap without a handler is reported once per VM and
 * kind and turned into an UNDEF exception inside the guest, as the architecture
 * would have raised had EL2 not trapped it.
 */
#ifndef SKIFF_CORE_TRAP_H
#define SKIFF_CORE_TRAP_H

#include <stdbool.h>

struct vcpu;

/* Handles the exit recorded in vcpu->exit. */
void trap_handle_exit(struct vcpu *vcpu);

/*
 * Handles the synchronous exit (EXIT_SYNC) recorded in vcpu->exit, counting it:
 * trap_handle_exit() for that kind, called directly by the scheduler when it
 * serves an exit on the spot.
 */
void trap_handle_sync(struct vcpu *vcpu);

/*
 * The fast path of a trapped "mrs xzr, mdccsr_el0", called from the exception
 * vector before the full exit (arch code), with only x0-x18, x29, x30, the PC
 * and PSTATE in vcpu->ctx: true when it was a backdoor call that needed nothing
 * more and is served (the arch code steps over the instruction and resumes the
 * guest at once; such calls are counted by the backdoor, not as exits). False:
 * the full exit path takes it.
 */
bool trap_backdoor_fast(struct vcpu *vcpu);

/*
 * The fast path of an "hvc #0", called from the exception vector as
 * trap_backdoor_fast() is, with the same registers saved: true when it was an
 * SMCCC query answered from x0 and x1 alone (psci_answer_query(); the result
 * is in x0 and the arch code resumes the guest, counting it as an exit).
 * False: the full exit path takes it.
 */
bool trap_hvc_fast(struct vcpu *vcpu);

/*
 * The fast path of a trapped AArch64 system-register access (ESR_EL2 @esr),
 * called as trap_hvc_fast() is, for one whose target register the exception
 * vector saved: 1 when it was a read of an emulated counter, which changes
 * nothing else (ptimer_read_counter(); the value is in its register, the arch
 * code steps over the instruction and resumes the guest; counted as an exit).
 * 0: the full exit path takes it. (An int, which the vector tests whole.)
 */
int trap_sysreg_fast(struct vcpu *vcpu, uint64_t esr);

/*
 * The fast path of a data abort (ESR_EL2 @esr, at @ipa), called through
 * sched_serve_mmio_fast() with the registers trap_hvc_fast() has and the
 * access's own, for an AArch64 access: true when it was one with a valid
 * syndrome to an emulated device, now served (counted as an exit; the arch
 * code steps over the instruction); the device changed no other register of
 * the vCPU. False, having done nothing: the full exit path takes it (guest
 * RAM, no device, no syndrome).
 */
bool trap_mmio_fast(struct vcpu *vcpu, uint64_t esr, uint64_t ipa);

#endif
