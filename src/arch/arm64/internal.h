/* SPDX-License-Identifier: MIT */
/*
 * What the arm64 files share among themselves and nobody else sees: entry
 * points written in assembly, and functions one arm64 file calls in another.
 * Every definition includes this header, so a changed signature is a compile
 * error on both sides.
 */
#ifndef SKIFF_ARCH_ARM64_INTERNAL_H
#define SKIFF_ARCH_ARM64_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/context.h"
#include "lib/addr.h"

/*
 * HCR_EL2 while a guest runs, before the traps for newer features this CPU
 * has (boot.c adds them; arch_percpu.hcr_guest holds the result).
 */
#define HCR_GUEST                                                                          \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TSC | \
	 HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW | HCR_APK | HCR_API | HCR_TWI | HCR_TWE)

struct platform;
struct stage2;
struct vcpu;

/* head.S: the C entry of the boot CPU (device tree address, entry EL) and of the others. */
void boot_primary(uint64_t fdt, uint64_t el);
void boot_secondary(uint64_t index);

/* vectors.S, on an exception taken from EL2 itself: reports it and stops (exception.c). */
struct el2_frame;
void el2_exception(struct el2_frame *f, uint64_t kind);

/* vectors.S: runs the guest whose registers are @ctx until it exits; returns EXIT_*. */
uint64_t guest_enter(struct cpu_context *ctx);
/* vcpu.c, called by vectors.S: serves a backdoor call without a full exit if it can. */
bool guest_backdoor_fast(struct cpu_context *ctx);
/* vcpu.c, called by vectors.S: serves an SMCCC query (hvc #0) without a full exit if it can. */
bool guest_hvc_fast(struct cpu_context *ctx);
/* vcpu.c, called by vectors.S: serves a counter read (EC 0x18) without a full exit: 1, else 0. */
int guest_sysreg_fast(struct cpu_context *ctx, uint64_t esr);
/* vcpu.c, called by vectors.S: a device access (EC 0x24) without a full exit: as below. */
uint64_t guest_dabt_fast(struct cpu_context *ctx, uint64_t esr);
/* vcpu.c, called by vectors.S: a synchronous exit; 0 re-enters the guest, else EXIT_*. */
uint64_t guest_sync_exit(struct cpu_context *ctx, uint64_t esr);

/* fpsimd.S and sve.S: the FP/SIMD and SVE predicate registers. */
void fpsimd_save(struct fpsimd_state *fp);
void fpsimd_restore(const struct fpsimd_state *fp);
void sve_pregs_save(uint16_t *p);
void sve_pregs_restore(const uint16_t *p);

/* vgic_hw.c: the GIC's virtualization interface (ICH_*_EL2 or GICH). */
void vgic_hw_init(const struct platform *plat);
void vgic_hw_load(struct vcpu *vcpu);
void vgic_hw_put(struct vcpu *vcpu);

/* mitigations.c: this CPU's part (SSBD kept on), once the firmware was asked. */
void mitigations_cpu_init(void);
/* crc32_hw.c: lib/crc32.c's CRC-32 with the CPU's instructions, when it has them. */
void crc32_hw_init(void);

/* stage2_hw.c: VTCR_EL2 for a VM's stage-2 tables. */
uint64_t stage2_vtcr(const struct stage2 *s2);
/*
 * stage2_hw.c, for the tables stage2.c changes, in the VMID loaded on this CPU:
 * drop the stage-2 and combined TLB entries for @ipa, or all of them; make the
 * descriptor stores so far visible to table walks (DSB ISHST).
 */
void s2_tlb_flush_ipa(ipaddr_t ipa);
void s2_tlb_flush_vmid(void);
void s2_publish(void);

#endif
