/* SPDX-License-Identifier: MIT */
/*
 * CPU profiles: the CPU a VM is shown, the same on every host (docs/migration.md, "CPU profiles").
 *
 * A profile is a set of ID-register field values with a name: the AArch64 and
 * AArch32 feature registers HCR_EL2.TID3 traps, CTR_EL0 and CLIDR_EL1 (TID2),
 * the cache geometry (CCSIDR_EL1 per CSSELR_EL1 selector), MIDR/REVIDR/AIDR,
 * and DCZID_EL0 (DC ZVA's block size, the host's: checked, not shown otherwise).
 * What a VM sees (its view) is the profile's values capped by the host's, each
 * field in the direction the architecture says is safe for it; a profile that
 * asks for more than a host has is refused there (cpu_profile_check), which is
 * what a migration destination calls too. "host" is the exception: no register
 * traps, the VM sees the hardware as it is.
 */
#ifndef SKIFF_CORE_CPU_PROFILE_H
#define SKIFF_CORE_CPU_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bumped whenever the meaning of struct cpu_profile's contents changes. */
#define CPU_PROFILE_VERSION  1
#define CPU_PROFILE_NAME_MAX 32
/* CSSELR_EL1 selectors: Level (0-6) << 1 | InD. */
#define CPU_CACHE_SELECTORS 14

/*
 * The registers a profile holds, in the order of its id[] array:
 * X(name, op0, op1, CRn, CRm, op2). Every other register of the ID space
 * (op0 3, op1 0, CRn 0, CRm 1-7) reads as zero in a VM with a profile.
 */
#define CPU_ID_REGS(X)                     \
	X(ID_AA64ISAR0_EL1, 3, 0, 0, 6, 0) \
	X(ID_AA64ISAR1_EL1, 3, 0, 0, 6, 1) \
	X(ID_AA64ISAR2_EL1, 3, 0, 0, 6, 2) \
	X(ID_AA64PFR0_EL1, 3, 0, 0, 4, 0)  \
	X(ID_AA64PFR1_EL1, 3, 0, 0, 4, 1)  \
	X(ID_AA64ZFR0_EL1, 3, 0, 0, 4, 4)  \
	X(ID_AA64SMFR0_EL1, 3, 0, 0, 4, 5) \
	X(ID_AA64MMFR0_EL1, 3, 0, 0, 7, 0) \
	X(ID_AA64MMFR1_EL1, 3, 0, 0, 7, 1) \
	X(ID_AA64MMFR2_EL1, 3, 0, 0, 7, 2) \
	X(ID_AA64DFR0_EL1, 3, 0, 0, 5, 0)  \
	X(ID_AA64DFR1_EL1, 3, 0, 0, 5, 1)  \
	X(ID_AA64AFR0_EL1, 3, 0, 0, 5, 4)  \
	X(ID_AA64AFR1_EL1, 3, 0, 0, 5, 5)  \
	X(ID_PFR0_EL1, 3, 0, 0, 1, 0)      \
	X(ID_PFR1_EL1, 3, 0, 0, 1, 1)      \
	X(ID_PFR2_EL1, 3, 0, 0, 3, 4)      \
	X(ID_DFR0_EL1, 3, 0, 0, 1, 2)      \
	X(ID_DFR1_EL1, 3, 0, 0, 3, 5)      \
	X(ID_AFR0_EL1, 3, 0, 0, 1, 3)      \
	X(ID_MMFR0_EL1, 3, 0, 0, 1, 4)     \
	X(ID_MMFR1_EL1, 3, 0, 0, 1, 5)     \
	X(ID_MMFR2_EL1, 3, 0, 0, 1, 6)     \
	X(ID_MMFR3_EL1, 3, 0, 0, 1, 7)     \
	X(ID_MMFR4_EL1, 3, 0, 0, 2, 6)     \
	X(ID_MMFR5_EL1, 3, 0, 0, 3, 6)     \
	X(ID_ISAR0_EL1, 3, 0, 0, 2, 0)     \
	X(ID_ISAR1_EL1, 3, 0, 0, 2, 1)     \
	X(ID_ISAR2_EL1, 3, 0, 0, 2, 2)     \
	X(ID_ISAR3_EL1, 3, 0, 0, 2, 3)     \
	X(ID_ISAR4_EL1, 3, 0, 0, 2, 4)     \
	X(ID_ISAR5_EL1, 3, 0, 0, 2, 5)     \
	X(ID_ISAR6_EL1, 3, 0, 0, 2, 7)     \
	X(MVFR0_EL1, 3, 0, 0, 3, 0)        \
	X(MVFR1_EL1, 3, 0, 0, 3, 1)        \
	X(MVFR2_EL1, 3, 0, 0, 3, 2)        \
	X(CTR_EL0, 3, 3, 0, 0, 1)          \
	X(CLIDR_EL1, 3, 1, 0, 0, 1)        \
	X(DCZID_EL0, 3, 3, 0, 0, 7)

enum cpu_id_reg {
#define CPU_ID_ENUM(name, op0, op1, crn, crm, op2) CPU_##name,
	CPU_ID_REGS(CPU_ID_ENUM)
#undef CPU_ID_ENUM
		CPU_ID_REG_COUNT
};

/* What the host has: read once from the boot CPU (arch_cpu_id_regs). */
struct host_cpu {
	uint64_t midr, revidr, aidr;
	uint64_t id[CPU_ID_REG_COUNT];
};

/* The profile is the host's own registers, untrapped ("host"). */
#define CPU_PROFILE_HOST (1U << 0)
/* PAuth as the host has it, filled in by cpu_profile_resolve ("pauth" = "on"). */
#define CPU_PROFILE_HOST_PAUTH (1U << 1)

/*
 * A profile, portable between hosts: plain numbers, no pointers, no host
 * values except those a "host" profile was made from. A migration sends it
 * as it is; the destination checks it with cpu_profile_check().
 */
struct cpu_profile {
	uint32_t version; /* CPU_PROFILE_VERSION */
	uint32_t flags;	  /* CPU_PROFILE_* */
	char name[CPU_PROFILE_NAME_MAX];
	uint64_t midr, revidr, aidr;
	uint64_t id[CPU_ID_REG_COUNT];
	uint32_t ccsidr[CPU_CACHE_SELECTORS];
};

/* What one VM is shown, and what must be made unusable for it (arch_vcpu_load). */
struct cpu_view {
	bool trapped;	 /* ID, cache and revision registers trap (TID1-3) and read from here */
	bool no_sve;	 /* CPTR_EL2.TZ: SVE gives UNDEF */
	bool no_pauth;	 /* HCR_EL2.API/APK clear: PAC instructions and keys give UNDEF */
	bool no_dc_zva;	 /* HCR_EL2.TDZ: DCZID_EL0.DZP reads 1, DC ZVA gives UNDEF */
	uint64_t midr;	 /* VPIDR_EL2 */
	uint64_t revidr; /* the rest as the registers read */
	uint64_t aidr;
	uint64_t id[CPU_ID_REG_COUNT];
	uint32_t ccsidr[CPU_CACHE_SELECTORS];
};

/* How a field's values are ordered, i.e. which way is safe (docs/migration.md, "CPU profiles"). */
enum cpu_field_kind {
	CPU_FIELD_LOWER = 0, /* unsigned; a lower value is a subset: min(profile, host) */
	CPU_FIELD_SIGNED,    /* signed (0xf = -1 = absent); lower is safe */
	CPU_FIELD_HIGHER,    /* a higher value is safe (levels to maintain to) */
	CPU_FIELD_HIGHER0,   /* higher is safe, and 0 ("not known": assume the most) safest */
	CPU_FIELD_EXACT,     /* the profile's value must be the host's, or the field's safe one */
	CPU_FIELD_HOST,	     /* always the host's value, not part of the profile's promise */
	CPU_FIELD_VIRTUAL,   /* always the profile's value; the hardware's does not matter */
};

struct cpu_field {
	uint8_t reg;   /* enum cpu_id_reg */
	uint8_t shift; /* lowest bit */
	uint8_t width; /* bits */
	uint8_t kind;  /* enum cpu_field_kind */
	uint8_t safe;  /* CPU_FIELD_EXACT: the value always acceptable */
	const char *name;
	const char *feature; /* the FEAT_ name people know it by, or NULL */
};

/* The registers' names ("ID_AA64ISAR0_EL1") and encodings (as core/sysreg.h's SYS_ENC). */
const char *cpu_id_reg_name(enum cpu_id_reg reg);
uint32_t cpu_id_reg_encoding(enum cpu_id_reg reg);

/* The named fields; every other 4-bit field of the ID registers is CPU_FIELD_LOWER. */
const struct cpu_field *cpu_fields(size_t *count);
const struct cpu_field *cpu_field_find(const char *reg_dot_field);

/* The field arithmetic: whether @want may be shown on a host with @host, and what is. */
bool cpu_field_acceptable(const struct cpu_field *f, uint64_t want, uint64_t host);
uint64_t cpu_field_capped(const struct cpu_field *f, uint64_t want, uint64_t host);

/*
 * Fills @p with the named profile ("armv8.0", "armv8.2" or "host"; the last
 * takes its values in cpu_profile_resolve). -1 for a name Skiff does not know.
 */
int cpu_profile_named(const char *name, struct cpu_profile *p);
/* The names cpu_profile_named knows, ", "-separated, for messages and docs. */
const char *cpu_profile_names(void);

/*
 * Changes in a profile node: a feature ("lse", "sve", ...) on or off, a field
 * ("ID_AA64ISAR0_EL1.Atomic", any case) to a value. -1 with @why set for a
 * name Skiff does not know, a value that does not fit, or a field Skiff never
 * offers to a VM with a profile.
 */
int cpu_profile_set_feature(struct cpu_profile *p, const char *feature, bool on, char *why,
			    size_t len);
int cpu_profile_set_field(struct cpu_profile *p, const char *reg_dot_field, uint64_t value,
			  char *why, size_t len);

/* Fills in what a profile takes from the host it starts on ("host", "pauth" = "on"). */
void cpu_profile_resolve(struct cpu_profile *p, const struct host_cpu *host);

/*
 * Whether @host can give a VM everything @p promises. 0 if so; -1 with the
 * first field it cannot give in @why, e.g. "needs FEAT_LSE
 * (ID_AA64ISAR0_EL1.Atomic 2), this host has 0".
 */
int cpu_profile_check(const struct cpu_profile *p, const struct host_cpu *host, char *why,
		      size_t len);

/* What a VM with profile @p sees on @host, and what Skiff must hide from it. */
void cpu_view_init(struct cpu_view *v, const struct cpu_profile *p, const struct host_cpu *host);

/*
 * A trapped read of the register with encoding @enc (core/sysreg.h's SYS_ENC)
 * in a VM whose CSSELR_EL1 is @csselr: its value from the view, true if the
 * register is one the view answers (the ID space, CTR_EL0, CLIDR_EL1,
 * CCSIDR_EL1, REVIDR_EL1, AIDR_EL1).
 */
bool cpu_view_read(const struct cpu_view *v, uint32_t enc, uint64_t csselr, uint64_t *val);

#endif
