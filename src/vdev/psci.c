// SPDX-License-Identifier: MIT
#include "core/ipi.h"
#include "core/guestlog.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "vdev/psci.h"

#define PSCI_VERSION_1_1    0x10001U
#define SMCCC_VERSION_1_1   0x10001U
#define MIGRATE_NOT_PRESENT 2 /* no Trusted OS that would need migrating */
#define MPIDR_AFF_MASK	    0xff00ffffffUL
#define AFFINITY_ON	    0
#define AFFINITY_OFF	    1
#define CPU_ON_WAIT_DIV	    10 /* a target still leaving its CPU: wait up to 100 ms */
#define CPU_ON_RETRY	    1  /* not a PSCI status: the target is still leaving its CPU */

static int64_t psci_features(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION_FID:
	case PSCI_CPU_ON_FID:
	case PSCI_CPU_ON_FID | PSCI_64BIT:
	case PSCI_CPU_SUSPEND_FID:
	case PSCI_CPU_SUSPEND_FID | PSCI_64BIT:
	case PSCI_CPU_OFF_FID:
	case PSCI_AFFINITY_INFO_FID:
	case PSCI_AFFINITY_INFO_FID | PSCI_64BIT:
	case PSCI_MIGRATE_INFO_TYPE_FID:
	case PSCI_SYSTEM_OFF_FID:
	case PSCI_SYSTEM_RESET_FID:
	case PSCI_FEATURES_FID:
	case SMCCC_VERSION_FID:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

static struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	unsigned int i;

	for (i = 0; i < vm->nvcpus; i++)
		if ((vm->vcpus[i].mpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return &vm->vcpus[i];
	return 0;
}

/* Off, and saved: no CPU holds its registers any more. */
static bool vcpu_powered_down(const struct vcpu *v)
{
	return !vcpu_is_on(v) && !__atomic_load_n(&v->loaded, __ATOMIC_SEQ_CST);
}

static int64_t affinity_info(struct vcpu *vcpu, uint64_t target, uint64_t level)
{
	struct vcpu *t = vcpu_by_mpidr(vcpu->vm, target);

	if (level != 0 || !t)
		return PSCI_INVALID_PARAMETERS;
	/* A vCPU still leaving its CPU is not off yet (Linux waits for OFF before CPU_ON). */
	return vcpu_powered_down(t) ? AFFINITY_OFF : AFFINITY_ON;
}

/*
 * One attempt at CPU_ON under the VM's lock: refused while the VM is stopping
 * or being reset, or when the caller itself was turned off meanwhile (a reset
 * by another vCPU); CPU_ON_RETRY when @t is still leaving its CPU.
 */
static int64_t cpu_on_locked(struct vm_locked locked, struct vcpu *vcpu, struct vcpu *t,
			     ipaddr_t entry, uint64_t context_id)
{
	struct vm *vm = locked.vm;

	if (vm_state(vm) != VM_RUNNING || vm->resetting || vcpu_state(vcpu) != VCPU_RUNNABLE)
		return PSCI_DENIED;
	if (vcpu_is_on(t))
		return PSCI_ALREADY_ON;
	if (__atomic_load_n(&t->loaded, __ATOMIC_SEQ_CST))
		return CPU_ON_RETRY;
	arch_vcpu_reset(t, entry, context_id);
	vcpu_set_state(locked, t, VCPU_RUNNABLE);
	return PSCI_SUCCESS;
}

/*
 * Starts vCPU @target at @entry with @context_id in x0, as PSCI CPU_ON says: EL1h,
 * MMU and caches off, interrupts masked. A target that just turned itself off
 * may not be saved yet on its CPU: that is waited for, a bounded time.
 */
static int64_t cpu_on(struct vcpu *vcpu, uint64_t target, ipaddr_t entry, uint64_t context_id)
{
	struct vm *vm = vcpu->vm;
	struct vcpu *t = vcpu_by_mpidr(vm, target);
	uint64_t start = arch_counter(), limit = arch_counter_freq() / CPU_ON_WAIT_DIV;
	int64_t r;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (t == vcpu)
		return PSCI_ALREADY_ON;
	/* It runs with its MMU off: the entry is an IPA, and must be an instruction in RAM. */
	if (!vm_ram_contains(vm, entry, 4) || (ipa_addr(entry) & 3))
		return PSCI_INVALID_ADDRESS;
	for (;;) {
		struct vm_locked locked = vm_lock(vm);

		r = cpu_on_locked(locked, vcpu, t, entry, context_id);
		vm_unlock(&locked);
		if (r != CPU_ON_RETRY)
			break;
		if (arch_counter() - start > limit)
			return PSCI_INTERNAL_FAILURE;
	}
	if (r == PSCI_SUCCESS && t->pcpu != arch_cpu_index())
		ipi_send(t->pcpu, IPI_KICK);
	return r;
}

/*
 * The caller turns itself off. It is running this call, so it is RUNNABLE
 * (only it could block itself) unless a reset or a stop turned it off first.
 */
static void cpu_off(struct vcpu *vcpu)
{
	struct vm_locked locked = vm_lock(vcpu->vm);

	if (vcpu_state(vcpu) == VCPU_RUNNABLE)
		vcpu_set_state(locked, vcpu, VCPU_OFF);
	vm_unlock(&locked);
}

/*
 * Owner 0, the Arm architecture service: SMCCC itself and the speculation
 * workarounds, each of them one of answer_query()'s.
 */
static int64_t arch_call(uint32_t fid, uint64_t a1)
{
	switch (fid) {
	case SMCCC_VERSION_FID:
		return SMCCC_VERSION_1_1;
	case SMCCC_ARCH_FEATURES_FID:
		if ((uint32_t)a1 == SMCCC_VERSION_FID || (uint32_t)a1 == SMCCC_ARCH_FEATURES_FID)
			return PSCI_SUCCESS;
		/* The speculation workarounds: as the host's firmware has them. */
		return arch_smccc_workaround_features((uint32_t)a1);
	case SMCCC_ARCH_WORKAROUND_1_FID:
	case SMCCC_ARCH_WORKAROUND_2_FID:
	case SMCCC_ARCH_WORKAROUND_3_FID:
		arch_smccc_workaround_call(fid, a1);
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/* Whether PSCI function number @fn has an SMC64 form: those taking an address or an affinity. */
static bool has_smc64_form(uint32_t fn)
{
	return fn == (PSCI_AFFINITY_INFO_FID & 0xff) || fn == (PSCI_CPU_ON_FID & 0xff) ||
	       fn == (PSCI_CPU_SUSPEND_FID & 0xff);
}

/*
 * Owner 4, PSCI, but for its queries (answer_query): @fn is the function
 * number (the ID's low byte, the rest checked by the caller), @wide whether the
 * SMC64 form was called.
 */
static int64_t psci_call(struct vcpu *vcpu, uint32_t fn, bool wide)
{
	uint64_t a1 = vcpu_get_reg(vcpu, 1);

	if (wide && !has_smc64_form(fn))
		return PSCI_NOT_SUPPORTED;
	switch (fn) {
	case PSCI_AFFINITY_INFO_FID & 0xff:
		return affinity_info(vcpu, a1, vcpu_get_reg(vcpu, 2));
	case PSCI_CPU_ON_FID & 0xff:
		if (wide)
			return cpu_on(vcpu, a1, ipa_init(vcpu_get_reg(vcpu, 2)),
				      vcpu_get_reg(vcpu, 3));
		return cpu_on(vcpu, a1 & 0xffffffffUL,
			      ipa_init(vcpu_get_reg(vcpu, 2) & 0xffffffffUL),
			      vcpu_get_reg(vcpu, 3) & 0xffffffffUL);
	case PSCI_CPU_SUSPEND_FID & 0xff:
		/* Every state is treated as standby: a WFI (PSCI lets it end early). */
		sched_block(vcpu);
		return PSCI_SUCCESS;
	case PSCI_CPU_OFF_FID & 0xff:
		cpu_off(vcpu);
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_OFF_FID & 0xff:
		/* Once in the VM's life (a reset may come again and again): never left out. */
		log_info("vm %s: powered off by the guest (PSCI SYSTEM_OFF)", vcpu->vm->name);
		vm_power_off(vcpu->vm);
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/*
 * The calls answered from the function ID and x1 alone, which change nothing
 * of the VM: PSCI's and SMCCC's queries, and the speculation workarounds
 * (forwarded to the firmware as the host's needs them). False for any other.
 */
static bool answer_query(uint32_t fid, uint64_t a1, int64_t *ret)
{
	switch (fid) {
	case PSCI_VERSION_FID:
		*ret = PSCI_VERSION_1_1;
		return true;
	case PSCI_FEATURES_FID:
		*ret = psci_features((uint32_t)a1);
		return true;
	case PSCI_MIGRATE_INFO_TYPE_FID:
		*ret = MIGRATE_NOT_PRESENT;
		return true;
	case SMCCC_VERSION_FID:
	case SMCCC_ARCH_FEATURES_FID:
	case SMCCC_ARCH_WORKAROUND_1_FID:
	case SMCCC_ARCH_WORKAROUND_2_FID:
	case SMCCC_ARCH_WORKAROUND_3_FID:
		*ret = arch_call(fid, a1);
		return true;
	default:
		return false;
	}
}

bool psci_answer_query(struct vcpu *vcpu)
{
	int64_t ret;

	if (!answer_query((uint32_t)vcpu_get_reg(vcpu, 0), vcpu_get_reg(vcpu, 1), &ret))
		return false;
	vcpu_set_reg(vcpu, 0, (uint64_t)ret);
	return true;
}

/* The PSCI function IDs, 32- and 64-bit forms, with their number (low byte) cleared. */
#define PSCI_FID_BLOCK_MASK (~(PSCI_64BIT | 0xffU))

static bool is_psci_call(uint32_t fid)
{
	return (fid & PSCI_FID_BLOCK_MASK) == PSCI_VERSION_FID;
}

void psci_handle_call(struct vcpu *vcpu)
{
	uint32_t fid = (uint32_t)vcpu_get_reg(vcpu, 0);
	int64_t ret;

	if (fid == PSCI_SYSTEM_RESET_FID) {
		/* It rewrites the registers: no answer in x0. */
		guestlog_info(&vcpu->vm->log, "reset by the guest (PSCI SYSTEM_RESET)");
		vm_reset(vcpu->vm, vcpu);
		return;
	}
	if (psci_answer_query(vcpu))
		return;
	/* Owner 0's calls are all queries or workarounds: any other owner is not ours. */
	ret = is_psci_call(fid) ? psci_call(vcpu, fid & 0xff, fid & PSCI_64BIT)
				: PSCI_NOT_SUPPORTED;
	vcpu_set_reg(vcpu, 0, (uint64_t)ret);
}
