// SPDX-License-Identifier: MIT
#include "core/esr.h"
#include "core/sysreg.h"
#include "core/vm.h"

#define ENC_MASK_ALL   0x3ffc1eU
#define ENC_MASK_NOCRM (ENC_MASK_ALL & ~(0xfU << 1))   /* any CRm: one entry per 16 regs */
#define ENC_MASK_NOOP2 (ENC_MASK_ALL & ~(0x7U << 17))  /* any op2 */
#define ENC_MASK_CRM8  (ENC_MASK_NOOP2 & ~(0x7U << 1)) /* CRm 8-15 (or 0-7), any op2 */

#define MDCCINT_EL1 SYS_ENC(2, 0, 0, 2, 0)
#define MDSCR_EL1   SYS_ENC(2, 0, 0, 2, 2)
#define OSLAR_EL1   SYS_ENC(2, 0, 1, 0, 4)
#define OSLSR_EL1   SYS_ENC(2, 0, 1, 1, 4)
#define OSDLR_EL1   SYS_ENC(2, 0, 1, 3, 4)
#define DBGBVRn_EL1 SYS_ENC(2, 0, 0, 0, 4)
#define DBGBCRn_EL1 SYS_ENC(2, 0, 0, 0, 5)
#define DBGWVRn_EL1 SYS_ENC(2, 0, 0, 0, 6)
#define DBGWCRn_EL1 SYS_ENC(2, 0, 0, 0, 7)
/* The PMU's registers: EL0's in CRn 9 (CRm 12-14) and CRn 14 (CRm 8-15), EL1's in CRn 9. */
#define PMU_EL0_C12    SYS_ENC(3, 3, 9, 12, 0)
#define PMU_EL0_C13    SYS_ENC(3, 3, 9, 13, 0)
#define PMU_EL0_C14    SYS_ENC(3, 3, 9, 14, 0)
#define PMU_EL0_EVENTS SYS_ENC(3, 3, 14, 8, 0)
#define PMU_EL1_C14    SYS_ENC(3, 0, 9, 14, 0)
#define ICC_SGI1R_EL1  SYS_ENC(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 SYS_ENC(3, 0, 12, 11, 6)
#define CSSELR_EL1     SYS_ENC(3, 2, 0, 0, 0)
#define CSSELR_VALID   0x1fUL /* TnD, Level, InD */

/* MDSCR_EL1 bits a guest may set: SS, TDCC, KDE, MDE (no external debugger here). */
#define MDSCR_WRITABLE ((1U << 0) | (1U << 12) | (1U << 13) | (1U << 15))
#define OSLSR_OSLM_V8  (1U << 3) /* OS lock implemented, Armv8 style */
#define OSLSR_OSLK     (1U << 1)

typedef void (*sysreg_fn)(struct vcpu *vcpu, bool read, uint64_t *val);

struct sysreg_entry {
	uint32_t enc;
	uint32_t mask;
	sysreg_fn fn;
};

static void raz_wi(struct vcpu *vcpu, bool read, uint64_t *val)
{
	(void)vcpu;
	if (read)
		*val = 0;
}

static void mdscr(struct vcpu *vcpu, bool read, uint64_t *val)
{
	if (read)
		*val = vcpu->el1.mdscr;
	else
		vcpu->el1.mdscr = *val & MDSCR_WRITABLE;
}

/* cppcheck-suppress constParameter ; the signature is the table's sysreg_fn */
static void oslar(struct vcpu *vcpu, bool read, uint64_t *val)
{
	if (!read)
		vcpu->os_lock = *val & 1;
}

static void oslsr(struct vcpu *vcpu, bool read, uint64_t *val)
{
	if (read)
		*val = OSLSR_OSLM_V8 | (vcpu->os_lock ? OSLSR_OSLK : 0);
}

/* SGIs from the guest (trapped with HCR_EL2.IMO): the virtual GIC delivers them. */
static void sgi1r(struct vcpu *vcpu, bool read, uint64_t *val)
{
	if (read)
		*val = 0;
	else
		vgic_send_sgi(vcpu, *val);
}

static const struct sysreg_entry sysregs[] = {
	{ ICC_SGI1R_EL1, ENC_MASK_ALL, sgi1r },
	{ ICC_ASGI1R_EL1, ENC_MASK_ALL, sgi1r },
	{ MDSCR_EL1, ENC_MASK_ALL, mdscr },
	{ MDCCINT_EL1, ENC_MASK_ALL, raz_wi },
	{ OSLAR_EL1, ENC_MASK_ALL, oslar },
	{ OSLSR_EL1, ENC_MASK_ALL, oslsr },
	{ OSDLR_EL1, ENC_MASK_ALL, raz_wi },
	/* No breakpoints or watchpoints are offered: their registers read as zero. */
	{ DBGBVRn_EL1, ENC_MASK_NOCRM, raz_wi },
	{ DBGBCRn_EL1, ENC_MASK_NOCRM, raz_wi },
	{ DBGWVRn_EL1, ENC_MASK_NOCRM, raz_wi },
	{ DBGWCRn_EL1, ENC_MASK_NOCRM, raz_wi },
	/*
	 * The PMU traps (MDCR_EL2.TPM): a VM sees one without counters. Its
	 * registers read as zero (PMCR_EL0.N = 0, no common events, the cycle
	 * counter stays at 0) and ignore writes. A device-tree guest is given no
	 * PMU node, but Linux resets PMUSERENR_EL0 on every CPU anyway, and on ACPI
	 * it probes the PMU of every CPU whatever the MADT says.
	 */
	{ PMU_EL0_C12, ENC_MASK_NOOP2, raz_wi },
	{ PMU_EL0_C13, ENC_MASK_NOOP2, raz_wi },
	{ PMU_EL0_C14, ENC_MASK_NOOP2, raz_wi },
	{ PMU_EL0_EVENTS, ENC_MASK_CRM8, raz_wi },
	{ PMU_EL1_C14, ENC_MASK_NOOP2, raz_wi },
};

/* The emulated physical counter and timer (every VM), and virtual ones (FEAT_ECV, scaled). */
static bool timer_access(struct vcpu *vcpu, uint32_t enc, bool read, unsigned int rt)
{
	uint64_t val = read ? 0 : vcpu_get_reg(vcpu, rt);

	if (!ptimer_access(vcpu, enc, read, &val))
		return false;
	if (read)
		vcpu_set_reg(vcpu, rt, val);
	return true;
}

/*
 * A VM with a CPU profile (HCR_EL2.TID1-3): its ID, cache and revision
 * registers come from its view, and CSSELR_EL1, which TID2 traps too, is
 * per-vCPU state that selects the CCSIDR_EL1 it reads. Writes to the
 * read-only ones are not emulated (UNDEF).
 */
static bool profile_access(struct vcpu *vcpu, uint32_t enc, bool read, unsigned int rt)
{
	const struct cpu_view *v = &vcpu->vm->cpu;
	uint64_t val;

	if (!v->trapped)
		return false;
	if (enc == CSSELR_EL1) {
		if (read)
			vcpu_set_reg(vcpu, rt, vcpu->el1.csselr);
		else
			vcpu->el1.csselr = vcpu_get_reg(vcpu, rt) & CSSELR_VALID;
		return true;
	}
	if (!read || !cpu_view_read(v, enc, vcpu->el1.csselr, &val))
		return false;
	vcpu_set_reg(vcpu, rt, val);
	return true;
}

/*
 * AArch32 EL0's view of the generic timer, where the guest kernel opens it to EL0
 * (CNTKCTL_EL1): MRC/MCR p15 with CRn 14 (CNTP_CTL/TVAL, CNTV_CTL/TVAL) and MRRC/MCRR
 * p15 with CRm 14 (the counters, CNTP_CVAL, CNTV_CVAL), served by the same
 * emulation as their AArch64 names. The syndrome of MRC/MCR packs opc2, opc1, CRn
 * and CRm where EC 0x18's packs op2, op1, CRn and CRm.
 */
#define CP15_64_OPC1(esr) (((esr) >> 16) & 0xf)
#define CP15_64_RT2(esr)  (((esr) >> 10) & 0x1f)
#define CP15_64_CRM(esr)  (((esr) >> 1) & 0xf)
#define AARCH32_PC	  15

bool sysreg_emulate_cp15_32(struct vcpu *vcpu, uint64_t esr)
{
	uint32_t enc = esr_sys_encoding(esr);
	unsigned int rt = esr_sys_rt(esr);
	bool read = esr_sys_read(esr);
	uint64_t val;

	/* CRn 14, opc1 0: the timers' 32-bit registers; the same op2/CRm as AArch64's op0 3, op1 3.
	 */
	if ((enc & SYS_ENC(0, 7, 15, 0, 0)) != SYS_ENC(0, 0, 14, 0, 0) || rt == AARCH32_PC)
		return false;
	val = read ? 0 : (uint32_t)vcpu_get_reg(vcpu, rt);
	if (!ptimer_access(vcpu, enc | SYS_ENC(3, 3, 0, 0, 0), read, &val))
		return false;
	if (read)
		vcpu_set_reg(vcpu, rt, (uint32_t)val);
	return true;
}

bool sysreg_emulate_cp15_64(struct vcpu *vcpu, uint64_t esr)
{
	static const uint8_t op2_of_opc1[10] = { 1, 2, 2, 2, 0xff, 0xff, 0xff, 0xff, 5, 6 };
	unsigned int opc1 = (unsigned int)CP15_64_OPC1(esr), rt = esr_sys_rt(esr);
	unsigned int rt2 = (unsigned int)CP15_64_RT2(esr);
	bool read = esr_sys_read(esr);
	uint32_t enc;
	uint64_t val;

	/* CNTPCT, CNTVCT, CNTP_CVAL, CNTV_CVAL (opc1 0-3), CNTPCTSS, CNTVCTSS (8, 9). */
	if (CP15_64_CRM(esr) != 14 || opc1 >= sizeof(op2_of_opc1) || op2_of_opc1[opc1] == 0xff ||
	    rt == AARCH32_PC || rt2 == AARCH32_PC)
		return false;
	enc = opc1 == 2 || opc1 == 3 ? SYS_ENC(3, 3, 14, opc1, 2)
				     : SYS_ENC(3, 3, 14, 0, op2_of_opc1[opc1]);
	val = read ? 0 : (uint32_t)vcpu_get_reg(vcpu, rt) | vcpu_get_reg(vcpu, rt2) << 32;
	if (!ptimer_access(vcpu, enc, read, &val))
		return false;
	if (read) {
		vcpu_set_reg(vcpu, rt, (uint32_t)val);
		vcpu_set_reg(vcpu, rt2, val >> 32);
	}
	return true;
}

bool sysreg_emulate(struct vcpu *vcpu, uint64_t esr)
{
	uint32_t enc = esr_sys_encoding(esr);
	bool read = esr_sys_read(esr);
	unsigned int rt = esr_sys_rt(esr);
	unsigned int i;

	if (timer_access(vcpu, enc, read, rt))
		return true;
	if (profile_access(vcpu, enc, read, rt))
		return true;
	for (i = 0; i < sizeof(sysregs) / sizeof(sysregs[0]); i++) {
		uint64_t val;

		if ((enc & sysregs[i].mask) != sysregs[i].enc)
			continue;
		val = read ? 0 : vcpu_get_reg(vcpu, rt);
		sysregs[i].fn(vcpu, read, &val);
		if (read)
			vcpu_set_reg(vcpu, rt, val);
		return true;
	}
	return false;
}
