/* SPDX-License-Identifier: MIT */
/* PSCI and SMCCC as seen by guests (conduit HVC). */
#ifndef SKIFF_VDEV_PSCI_H
#define SKIFF_VDEV_PSCI_H

#include <stdint.h>

struct vcpu;

#define SMCCC_VERSION_FID	    0x80000000U
#define SMCCC_ARCH_FEATURES_FID	    0x80000001U
#define SMCCC_ARCH_WORKAROUND_1_FID 0x80008000U /* Spectre v2 */
#define SMCCC_ARCH_WORKAROUND_2_FID 0x80007fffU /* SSBD */
#define SMCCC_ARCH_WORKAROUND_3_FID 0x80003fffU /* Spectre-BHB */
#define PSCI_VERSION_FID	    0x84000000U
#define PSCI_CPU_SUSPEND_FID	    0x84000001U
#define PSCI_CPU_OFF_FID	    0x84000002U
#define PSCI_CPU_ON_FID		    0x84000003U
#define PSCI_AFFINITY_INFO_FID	    0x84000004U
#define PSCI_MIGRATE_INFO_TYPE_FID  0x84000006U
#define PSCI_SYSTEM_OFF_FID	    0x84000008U
#define PSCI_SYSTEM_RESET_FID	    0x84000009U
#define PSCI_FEATURES_FID	    0x8400000AU
#define PSCI_64BIT		    0x40000000U

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED		(-3)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_INTERNAL_FAILURE	(-6)
#define PSCI_INVALID_ADDRESS	(-9)

/* Handles the SMCCC call in the vCPU's x0..x3 and writes the results back. */
void psci_handle_call(struct vcpu *vcpu);

/*
 * The same for the calls that only ask (PSCI_VERSION, PSCI_FEATURES,
 * MIGRATE_INFO_TYPE, SMCCC_VERSION, SMCCC_ARCH_FEATURES) and the speculation
 * workarounds: reads x0 and x1, writes x0, and needs no other register or lock,
 * so an exception vector may call it before the full exit. False, with nothing
 * done, for any other call.
 */
bool psci_answer_query(struct vcpu *vcpu);

#endif
