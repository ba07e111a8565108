/* SPDX-License-Identifier: MIT */
/* Decoding ESR_EL2 values (the syndrome of a trap). Pure functions on the value. */
#ifndef SKIFF_CORE_ESR_H
#define SKIFF_CORE_ESR_H

#include <stdbool.h>
#include <stdint.h>

#define ESR_EC_SHIFT 26
#define ESR_EC_COUNT 64
#define ESR_IL	     (1UL << 25)
#define ESR_ISS_MASK 0x1ffffffUL

enum esr_ec {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_CP15_32 = 0x03, /* AArch32 MCR/MRC p15 */
	EC_CP15_64 = 0x04, /* AArch32 MCRR/MRRC p15 */
	EC_CP14_32 = 0x05, /* AArch32 MCR/MRC p14 */
	EC_CP14_LS = 0x06, /* AArch32 LDC/STC p14 */
	EC_FP = 0x07,
	EC_CP10_ID = 0x08, /* AArch32 VMRS of an ID register */
	EC_PAUTH = 0x09,
	EC_CP14_64 = 0x0c, /* AArch32 MRRC p14 */
	EC_ILLEGAL = 0x0e,
	EC_SVC64 = 0x15,
	EC_HVC64 = 0x16,
	EC_SMC64 = 0x17,
	EC_SYS64 = 0x18,
	EC_SVE = 0x19,
	EC_IABT_LOW = 0x20,
	EC_IABT_CUR = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24,
	EC_DABT_CUR = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_SERROR = 0x2f,
	EC_BRK64 = 0x3c,
};

static inline unsigned int esr_ec(uint64_t esr)
{
	return (esr >> ESR_EC_SHIFT) & 0x3f;
}

static inline uint64_t esr_iss(uint64_t esr)
{
	return esr & ESR_ISS_MASK;
}

/* Data aborts (EC 0x24): instruction syndrome, valid when ISV is set. */
static inline bool esr_dabt_isv(uint64_t esr)
{
	return esr & (1UL << 24);
}

static inline unsigned int esr_dabt_size(uint64_t esr)
{
	return 1U << ((esr >> 22) & 3);
}

static inline bool esr_dabt_sign_extend(uint64_t esr)
{
	return esr & (1UL << 21);
}

static inline unsigned int esr_dabt_srt(uint64_t esr)
{
	return (esr >> 16) & 0x1f;
}

static inline bool esr_dabt_sf(uint64_t esr)
{
	return esr & (1UL << 15);
}

static inline bool esr_dabt_write(uint64_t esr)
{
	return esr & (1UL << 6);
}

/* Fault status code of instruction and data aborts. */
static inline unsigned int esr_abt_fsc(uint64_t esr)
{
	return esr & 0x3f;
}

/* Its class (bits 5:2; bits 1:0 give the level of the lookup that faulted). */
static inline bool esr_abt_address_size(uint64_t esr)
{
	return (esr & 0x3c) == 0x00;
}

static inline bool esr_abt_translation(uint64_t esr)
{
	return (esr & 0x3c) == 0x04;
}

/* FnV: FAR_EL2 holds no address (some external aborts). */
#define ESR_ABT_FNV (1UL << 10)

/* S1PTW: the stage-2 fault was on a walk of the guest's own (stage-1) tables. */
static inline bool esr_abt_s1ptw(uint64_t esr)
{
	return esr & (1UL << 7);
}

/*
 * A data abort Skiff can perform for the guest: the instruction's own access
 * (not a walk of its stage-1 tables, which reads no register) with a syndrome
 * (ISV). One test on the device paths.
 */
static inline bool esr_dabt_emulable(uint64_t esr)
{
	return esr_dabt_isv(esr) && !esr_abt_s1ptw(esr); /* two bit tests */
}

/* WFx traps (EC 0x01): ISS.TI bit 0 tells WFE from WFI. */
static inline bool esr_wfx_is_wfe(uint64_t esr)
{
	return esr & 1;
}

/* System register traps (EC 0x18). */
static inline bool esr_sys_read(uint64_t esr)
{
	return esr & 1;
}

static inline unsigned int esr_sys_rt(uint64_t esr)
{
	return (esr >> 5) & 0x1f;
}

/* op0, op1, CRn, CRm, op2 packed as the "S<op0>_<op1>_C<n>_C<m>_<op2>" name is. */
static inline uint32_t esr_sys_encoding(uint64_t esr)
{
	return (uint32_t)(esr & 0x3ffc1e);
}

/* Guest IPA of a stage-2 abort from HPFAR_EL2 and FAR_EL2. */
static inline uint64_t esr_fault_ipa(uint64_t hpfar, uint64_t far)
{
	return ((hpfar >> 4) << 12) | (far & 0xfff);
}

const char *esr_ec_name(unsigned int ec);

/*
 * The low @size bytes of @v in the other order: what a big-endian access of @size
 * bytes reads or writes as the register value of a little-endian one.
 */
static inline uint64_t esr_swap_bytes(uint64_t v, unsigned int size)
{
	return size >= 8 ? __builtin_bswap64(v) : __builtin_bswap64(v) >> (64 - 8 * size);
}

#endif
