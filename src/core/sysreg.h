/* SPDX-License-Identifier: MIT */
/*
 * Emulation of trapped system registers (ESR_EL2.EC 0x18), a table keyed by the
 * register's encoding. The debug registers trap (MDCR_EL2.TDA/TDOSA) so that no
 * VM reaches the host's debug hardware; those an unmodified Linux touches are
 * emulated here, as per-vCPU state or RAZ/WI.
 */
#ifndef SKIFF_CORE_SYSREG_H
#define SKIFF_CORE_SYSREG_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Encoding as in ESR_EL2.ISS for EC 0x18 (Rt and direction masked out). */
#define SYS_ENC(op0, op1, crn, crm, op2)                                               \
	(((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | ((uint32_t)(op1) << 14) | \
	 ((uint32_t)(crn) << 10) | ((uint32_t)(crm) << 1))

/*
 * Emulates the access described by @esr on @vcpu. Returns false when the
 * register is not one Skiff emulates (the caller injects UNDEF).
 */
bool sysreg_emulate(struct vcpu *vcpu, uint64_t esr);
/* The same for AArch32 EL0's MRC/MCR (EC 0x03) and MRRC/MCRR (EC 0x04) of CP15. */
bool sysreg_emulate_cp15_32(struct vcpu *vcpu, uint64_t esr);
bool sysreg_emulate_cp15_64(struct vcpu *vcpu, uint64_t esr);

#endif
