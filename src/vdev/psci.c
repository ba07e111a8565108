// SPDX-License-Identifier: MIT
#include "core/log.h"
#include "core/vm.h"
#include "vdev/psci.h"

#define PSCI_VERSION_1_1    0x10001U
#define SMCCC_VERSION_1_1   0x10001U
#define MIGRATE_NOT_PRESENT 2 /* no Trusted OS that would need migrating */

static int64_t psci_features(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION_FID:
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

static int64_t affinity_info(struct vcpu *vcpu, uint64_t target, uint64_t level)
{
	struct vm *vm = vcpu->vm;
	unsigned int i;

	if (level != 0)
		return PSCI_INVALID_PARAMETERS;
	for (i = 0; i < vm->nvcpus; i++)
		if ((vm->vcpus[i].mpidr & 0xff00ffffffUL) == (target & 0xff00ffffffUL))
			return vm->vcpus[i].state == VCPU_RUNNABLE ? 0 : 1; /* ON : OFF */
	return PSCI_INVALID_PARAMETERS;
}

static int64_t dispatch(struct vcpu *vcpu, uint32_t fid)
{
	uint64_t a1 = vcpu_get_reg(vcpu, 1);

	switch (fid) {
	case SMCCC_VERSION_FID:
		return SMCCC_VERSION_1_1;
	case SMCCC_ARCH_FEATURES_FID:
		/* Only SMCCC_VERSION itself; no CPU-erratum workaround calls are offered. */
		return (uint32_t)a1 == SMCCC_VERSION_FID ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
	case PSCI_VERSION_FID:
		return PSCI_VERSION_1_1;
	case PSCI_FEATURES_FID:
		return psci_features((uint32_t)a1);
	case PSCI_MIGRATE_INFO_TYPE_FID:
		return MIGRATE_NOT_PRESENT;
	case PSCI_AFFINITY_INFO_FID:
	case PSCI_AFFINITY_INFO_FID | PSCI_64BIT:
		return affinity_info(vcpu, a1, vcpu_get_reg(vcpu, 2));
	case PSCI_CPU_OFF_FID:
		vcpu->state = VCPU_OFF;
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_OFF_FID:
		log_info("vm %s: powered off by the guest (PSCI SYSTEM_OFF)", vcpu->vm->name);
		vm_power_off(vcpu->vm);
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET_FID:
		log_info("vm %s: reset by the guest (PSCI SYSTEM_RESET)", vcpu->vm->name);
		vm_reset(vcpu->vm);
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

void psci_handle_call(struct vcpu *vcpu)
{
	uint32_t fid = (uint32_t)vcpu_get_reg(vcpu, 0);
	int64_t ret;

	/* SYSTEM_RESET rewrites the registers: only answer calls that return. */
	if (fid == PSCI_SYSTEM_RESET_FID) {
		dispatch(vcpu, fid);
		return;
	}
	ret = dispatch(vcpu, fid);
	vcpu_set_reg(vcpu, 0, (uint64_t)ret);
}
