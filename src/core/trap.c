// SPDX-License-Identifier: MIT
#include "arch/arm64/exit.h"
#include "core/esr.h"
#include "core/guestlog.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/sysreg.h"
#include "core/trap.h"
#include "core/vm.h"
#include "enclave/attest.h"
#include "vdev/psci.h"
#include "vdev/ptimer.h"
#include "vdev/vdcc.h"

typedef void (*trap_handler_fn)(struct vcpu *vcpu, uint64_t esr);

static void log_unhandled_once(struct vcpu *vcpu, unsigned int ec, uint64_t esr)
{
	uint64_t bit = 1UL << ec;
	struct vm *vm = vcpu->vm;

	if (__atomic_fetch_or(&vm->traps_logged, bit, __ATOMIC_RELAXED) & bit)
		return;
	guestlog_warn(&vm->log,
		      "vcpu %u: unhandled %s trap (EC 0x%02x, ESR 0x%08lx) at PC 0x%lx: "
		      "UNDEF injected (further ones of this kind not logged)",
		      vcpu->id, esr_ec_name(ec), ec, (unsigned long)esr,
		      (unsigned long)arch_vcpu_trapped_pc(vcpu));
}

/*
 * A conditional AArch32 instruction whose condition failed does nothing: it is
 * stepped over. Asked only by the handlers of the exception classes such an
 * instruction can raise (WFx, coprocessor accesses, and those without a
 * handler), so that the hot AArch64 exits (MMIO, system registers) skip it.
 */
static bool skipped_as_failed_condition(struct vcpu *vcpu)
{
	if (!arch_vcpu_condition_failed(vcpu))
		return false;
	arch_vcpu_skip_instr(vcpu);
	return true;
}

static void trap_undef(struct vcpu *vcpu, uint64_t esr)
{
	if (skipped_as_failed_condition(vcpu))
		return;
	log_unhandled_once(vcpu, esr_ec(esr), esr);
	arch_vcpu_inject_undef(vcpu);
}

/*
 * PAuth (HCR_EL2.API clear) or SVE (CPTR_EL2.TZ) used by a VM whose CPU
 * profile hides it: UNDEF, as on a CPU without the feature, logged once as
 * that rather than as an unhandled trap.
 */
static void trap_hidden_feature(struct vcpu *vcpu, uint64_t esr)
{
	unsigned int ec = esr_ec(esr);
	struct vm *vm = vcpu->vm;
	uint64_t bit = 1UL << ec;
	bool hidden = ec == EC_PAUTH ? vm->cpu.no_pauth : vm->cpu.no_sve;

	if (!hidden) {
		trap_undef(vcpu, esr);
		return;
	}
	if (!(__atomic_fetch_or(&vm->traps_logged, bit, __ATOMIC_RELAXED) & bit))
		guestlog_info(&vm->log,
			      "vcpu %u: %s at PC 0x%lx, which cpu-profile %s hides: UNDEF "
			      "injected (further ones not logged)",
			      vcpu->id, ec == EC_PAUTH ? "a PAuth instruction" : "SVE",
			      (unsigned long)vcpu->ctx.pc, vm->cpu_profile.name);
	arch_vcpu_inject_undef(vcpu);
}

static void trap_hvc(struct vcpu *vcpu, uint64_t esr)
{
	/* SMCCC reserves HVC #0; other immediates are not a call we define. */
	if (esr_iss(esr) & 0xffff) {
		trap_undef(vcpu, esr);
		return;
	}
	/* SMCCC owner 6, the vendor hypervisor service, is Skiff's own (enclaves). */
	if (attest_is_vendor_call((uint32_t)vcpu_get_reg(vcpu, 0)))
		attest_handle_call(vcpu);
	else
		psci_handle_call(vcpu);
}

/* A device read of @size bytes as the register sees it: byte order, sign, width. */
static inline __attribute__((always_inline)) uint64_t
loaded_value(uint64_t esr, uint64_t value, unsigned int size, bool big_endian)
{
	if (big_endian)
		value = esr_swap_bytes(value, size);
	if (esr_dabt_sign_extend(esr) && size < 8 && (value >> (size * 8 - 1)) & 1)
		value |= ~0UL << (size * 8);
	return esr_dabt_sf(esr) ? value : value & 0xffffffffUL;
}

/*
 * An access with a valid syndrome to the emulated device at @ipa, served (the
 * caller steps over it); false if no device is there. Only the access's
 * register is read or written. Inlined: the fast path saves a call's frame.
 */
static inline __attribute__((always_inline)) bool device_access(struct vcpu *vcpu, uint64_t esr,
								uint64_t ipa)
{
	unsigned int size = esr_dabt_size(esr), rt = esr_dabt_srt(esr);
	const struct mmio_region *r = mmio_bus_decode(&vcpu->vm->mmio, ipa, size);
	/* Devices are little-endian: a big-endian access sees their bytes the other way round. */
	bool big_endian;
	uint64_t value;

	if (!r)
		return false;
	big_endian = arch_vcpu_data_big_endian(vcpu);
	if (esr_dabt_write(esr)) {
		value = vcpu_get_reg(vcpu, rt);
		mmio_region_write(r, vcpu, ipa, size,
				  big_endian ? esr_swap_bytes(value, size) : value);
	} else {
		value = mmio_region_read(r, vcpu, ipa, size);
		vcpu_set_reg(vcpu, rt, loaded_value(esr, value, size, big_endian));
	}
	return true;
}

/* A data abort outside guest RAM: an access to an emulated device (or to nothing). */
static void trap_mmio(struct vcpu *vcpu, uint64_t esr, uint64_t ipa)
{
	bool write = esr_dabt_write(esr);

	if (esr_abt_s1ptw(esr)) {
		guestlog_warn(&vcpu->vm->log,
			      "vcpu %u: its stage-1 tables point at IPA 0x%lx, which is not RAM "
			      "(PC 0x%lx): external abort injected",
			      vcpu->id, (unsigned long)ipa, (unsigned long)vcpu->ctx.pc);
		arch_vcpu_inject_dabt(vcpu, vcpu->exit.far);
		return;
	}
	if (!esr_dabt_isv(esr)) {
		guestlog_warn(&vcpu->vm->log,
			      "vcpu %u: %s at IPA 0x%lx without instruction syndrome "
			      "(PC 0x%lx): external abort injected",
			      vcpu->id, write ? "write" : "read", (unsigned long)ipa,
			      (unsigned long)vcpu->ctx.pc);
		arch_vcpu_inject_dabt(vcpu, vcpu->exit.far);
		return;
	}
	if (device_access(vcpu, esr, ipa)) {
		arch_vcpu_skip_instr(vcpu);
		return;
	}
	guestlog_warn(&vcpu->vm->log,
		      "vcpu %u: %u-byte %s at IPA 0x%lx: no RAM or device there "
		      "(PC 0x%lx): external abort injected",
		      vcpu->id, esr_dabt_size(esr), write ? "write" : "read", (unsigned long)ipa,
		      (unsigned long)vcpu->ctx.pc);
	arch_vcpu_inject_dabt(vcpu, vcpu->exit.far);
}

/*
 * The IPA of the stage-2 abort being handled; false when the arch could not find
 * it (the guest's tables changed under the access): the guest retries it.
 */
static bool abort_ipa(const struct vcpu *vcpu, uint64_t *ipa)
{
	if (vcpu->exit.hpfar == EXIT_HPFAR_UNKNOWN)
		return false;
	*ipa = esr_fault_ipa(vcpu->exit.hpfar, vcpu->exit.far);
	return true;
}

static void trap_dabt(struct vcpu *vcpu, uint64_t esr)
{
	uint64_t ipa;

	if (!abort_ipa(vcpu, &ipa))
		return;
	/* Checked here rather than left to stage2_fault(): MMIO, the hot case, makes no call. */
	if (vm_ram_contains(vcpu->vm, ipa_init(ipa), 1))
		stage2_fault(vcpu, ipa_init(ipa), false, esr);
	else
		trap_mmio(vcpu, esr, ipa);
}

static void trap_iabt(struct vcpu *vcpu, uint64_t esr)
{
	uint64_t ipa;

	if (!abort_ipa(vcpu, &ipa))
		return;
	if (stage2_fault(vcpu, ipa_init(ipa), true, esr))
		return;
	/* Nothing sensible can run from outside RAM: the guest is beyond help. */
	vm_crash(vcpu->vm,
		 "vcpu %u fetched an instruction from IPA 0x%lx, which is not guest RAM "
		 "(PC 0x%lx, ESR 0x%08lx, fault status 0x%02x)",
		 vcpu->id, (unsigned long)ipa, (unsigned long)vcpu->ctx.pc, (unsigned long)esr,
		 esr_abt_fsc(esr));
}

/*
 * WFI waits for an interrupt: the vCPU leaves the CPU until one is pending or
 * its timer fires. WFE waits for an event, typically in a spinlock: the vCPU
 * yields so the lock holder can run (the architecture lets WFE end at any time).
 */
static void trap_wfx(struct vcpu *vcpu, uint64_t esr)
{
	if (skipped_as_failed_condition(vcpu))
		return;
	arch_vcpu_skip_instr(vcpu);
	if (esr_wfx_is_wfe(esr))
		sched_yield();
	else
		sched_block(vcpu);
}

static void trap_sysreg(struct vcpu *vcpu, uint64_t esr)
{
	enum vdcc_result dcc = vdcc_may_own(esr) ? vdcc_access(vcpu, esr) : VDCC_NOT_DCC;

	if (dcc == VDCC_FORWARDED)
		return;
	if (dcc == VDCC_NOT_DCC && !sysreg_emulate(vcpu, esr)) {
		trap_undef(vcpu, esr);
		return;
	}
	arch_vcpu_skip_instr(vcpu);
}

/* AArch32 EL0's CP15 accesses that trapped: the generic timer's are emulated. */
static void trap_cp15(struct vcpu *vcpu, uint64_t esr)
{
	bool done;

	if (skipped_as_failed_condition(vcpu))
		return;
	done = esr_ec(esr) == EC_CP15_32 ? sysreg_emulate_cp15_32(vcpu, esr)
					 : sysreg_emulate_cp15_64(vcpu, esr);
	if (!done) {
		trap_undef(vcpu, esr);
		return;
	}
	arch_vcpu_skip_instr(vcpu);
}

static const trap_handler_fn trap_handlers[ESR_EC_COUNT] = {
	[EC_SYS64] = trap_sysreg,	[EC_WFX] = trap_wfx,	   [EC_HVC64] = trap_hvc,
	[EC_DABT_LOW] = trap_dabt,	[EC_IABT_LOW] = trap_iabt, [EC_PAUTH] = trap_hidden_feature,
	[EC_SVE] = trap_hidden_feature, [EC_CP15_32] = trap_cp15,  [EC_CP15_64] = trap_cp15,
};

void trap_handle_sync(struct vcpu *vcpu)
{
	uint64_t esr = vcpu->exit.esr;
	trap_handler_fn fn = trap_handlers[esr_ec(esr)];

	vcpu->exits++;
	(fn ? fn : trap_undef)(vcpu, esr);
}

bool trap_backdoor_fast(struct vcpu *vcpu)
{
	return vdcc_backdoor_fast(vcpu);
}

bool trap_hvc_fast(struct vcpu *vcpu)
{
	if (!psci_answer_query(vcpu))
		return false;
	vcpu->exits++;
	return true;
}

bool trap_mmio_fast(struct vcpu *vcpu, uint64_t esr, uint64_t ipa)
{
	/*
	 * The device is looked for first: the board puts no device in RAM
	 * (board/layout.h), and a data abort in RAM, a stage-2 fault, is left to
	 * the full path.
	 */
	if (!esr_dabt_emulable(esr) || !device_access(vcpu, esr, ipa))
		return false;
	vcpu->exits++;
	return true;
}

int trap_sysreg_fast(struct vcpu *vcpu, uint64_t esr)
{
	uint64_t val;

	/*
	 * A held timer interrupt is work the run loop does at the next exit, which
	 * nothing else may bring soon (sched.c; a counter moved under the vCPU comes
	 * with an IPI, sched_timer_moved()).
	 */
	if (!esr_sys_read(esr) || vcpu->vtimer.asserted)
		return 0;
	if (!ptimer_read_counter(vcpu, esr_sys_encoding(esr), &val))
		return 0;
	vcpu_set_reg(vcpu, esr_sys_rt(esr), val);
	vcpu->exits++;
	return 1;
}

void trap_handle_exit(struct vcpu *vcpu)
{
	if (vcpu->exit.kind == EXIT_SERVED)
		return; /* served and counted by sched_serve_inline() */
	if (vcpu->exit.kind == EXIT_SYNC) {
		trap_handle_sync(vcpu);
		return;
	}
	vcpu->exits++;
	switch (vcpu->exit.kind) {
	case EXIT_IRQ:
	case EXIT_FIQ:
		irq_handle(vcpu);
		break;
	case EXIT_SERROR:
		vm_crash(vcpu->vm, "vcpu %u caused an SError (ESR 0x%08lx)", vcpu->id,
			 (unsigned long)vcpu->exit.esr);
		break;
	default:
		vm_crash(vcpu->vm, "vcpu %u: exit of unknown kind %u", vcpu->id, vcpu->exit.kind);
		break;
	}
}
