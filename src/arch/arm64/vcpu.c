// SPDX-License-Identifier: MIT
/* Loading, running and putting vCPUs, and injecting exceptions into them. */
#include <string.h>

#include "arch/arch.h"
#include "arch/arm64/at.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/percpu.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/exit.h"
#include "core/esr.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/sysreg.h"
#include "core/trap.h"
#include "core/vm.h"

/*
 * FEAT_SME: its streaming mode and registers trap (CPTR_EL2.TSM), but
 * TPIDR2_EL0 is reachable on CPUs without fine-grained traps: switched, so
 * every vCPU has its own.
 */
static bool cpu_has_sme(void)
{
	return FIELD(read_sysreg(ID_AA64PFR1_EL1), 24, 4) != 0;
}

static bool cpu_has_sve(void)
{
	return FIELD(read_sysreg(ID_AA64PFR0_EL1), 32, 4) != 0;
}

/*
 * FEAT_RAS. With HCR_EL2.AMO set, the guest's DISR_EL1 is VDISR_EL2, one register
 * of the CPU's: switched per vCPU.
 */
static bool cpu_has_ras(void)
{
	return FIELD(read_sysreg(ID_AA64PFR0_EL1), 28, 4) != 0;
}

#define VDISR_EL2 S3_4_C12_C1_1

/* Vector offsets from VBAR_EL1 (ARM ARM D1.10.2). */
#define VEC_CURRENT_SP0 0x000
#define VEC_CURRENT_SPX 0x200
#define VEC_LOWER_A64	0x400
#define VEC_LOWER_A32	0x600

void arch_vcpu_reset(struct vcpu *vcpu, ipaddr_t entry, uint64_t x0)
{
	memset(&vcpu->ctx, 0, sizeof(vcpu->ctx));
	memset(&vcpu->el1, 0, sizeof(vcpu->el1));
	memset(&vcpu->fp, 0, sizeof(vcpu->fp));
	memset(&vcpu->vtimer, 0, sizeof(vcpu->vtimer));
	vcpu->ptimer.ctl = 0;
	vcpu->ptimer.cval = 0;
	vcpu->vptimer.ctl = 0;
	vcpu->vptimer.cval = 0;
	vcpu->ctx.x[0] = x0;
	vcpu->ctx.pc = ipa_addr(entry);
	vcpu->ctx.pstate = PSR_MODE_EL1h | PSR_DAIF;
	vcpu->el1.sctlr = SCTLR_EL1_RES1;
}

/* Pointer authentication keys: per vCPU (Linux gives every task its own). */
#define PAUTH_KEYS(op)       \
	op(0, S3_0_C2_C1_0); \
	op(1, S3_0_C2_C1_1); \
	op(2, S3_0_C2_C1_2); \
	op(3, S3_0_C2_C1_3); \
	op(4, S3_0_C2_C2_0); \
	op(5, S3_0_C2_C2_1); \
	op(6, S3_0_C2_C2_2); \
	op(7, S3_0_C2_C2_3); \
	op(8, S3_0_C2_C3_0); \
	op(9, S3_0_C2_C3_1)
#define SAVE_KEY(i, reg)    (e->pauth_keys[i] = read_sysreg(reg))
#define RESTORE_KEY(i, reg) write_sysreg(reg, e->pauth_keys[i])

static bool cpu_has_pauth(void)
{
	uint64_t isar1 = read_sysreg(ID_AA64ISAR1_EL1);
	uint64_t isar2 = read_sysreg(S3_0_C0_C6_2); /* ID_AA64ISAR2_EL1: RAZ before v8.7 */

	return FIELD(isar1, 4, 8) || FIELD(isar1, 24, 8) || FIELD(isar2, 8, 8);
}

#define SAVE(field, reg)    (e->field = read_sysreg(reg))
#define RESTORE(field, reg) write_sysreg(reg, e->field)

/* EL3 absent: EL2 is the highest EL and may set the frequency guests read. */
static bool cntfrq_writable(void)
{
	return FIELD(read_sysreg(ID_AA64PFR0_EL1), 12, 4) == 0;
}

/*
 * Every VM's physical counter and timer trap and are emulated (vdev/ptimer.c):
 * the EL1 physical timer is not switched with the vCPU, and its registers
 * would otherwise be shared by every VM that runs on this CPU. A VM with a
 * counter frequency of its own also gets its virtual counter and timer
 * trapped where the CPU has FEAT_ECV, and, where EL2 may write it,
 * CNTFRQ_EL0 set to that frequency; other VMs use the virtual ones directly.
 */
void arch_vcpu_counter_load(const struct vcpu *vcpu)
{
	const struct vtimer_counter *c = &vcpu->vm->counter;
	uint64_t cnthctl = 0; /* EL1PCTEN, EL1PCEN clear: CNTPCT and CNTP_* trap */

	if (c->virtual_trapped)
		cnthctl |= CNTHCTL_EL1TVT | CNTHCTL_EL1TVCT;
	write_sysreg(cnthctl_el2, cnthctl);
	if (cntfrq_writable())
		write_sysreg(cntfrq_el0, vtimer_scale(c)->guest_hz);
	write_sysreg(cntvoff_el2, c->offset);
}

/*
 * What the VM's CPU profile makes Skiff trap or take away (docs/migration.md,
 * "CPU profiles"): its ID, cache and revision registers (TID1-3, emulated by
 * core/sysreg.c), SVE (CPTR_EL2.TZ), PAuth (HCR_EL2.API/APK clear: PAC
 * instructions and the key registers trap and give UNDEF), DC ZVA (TDZ), and
 * the MIDR it reads (VPIDR).
 */
static uint64_t profile_hcr(const struct cpu_view *v, uint64_t hcr)
{
	if (v->trapped)
		hcr |= HCR_TID1 | HCR_TID2 | HCR_TID3;
	if (v->no_pauth)
		hcr &= ~(HCR_API | HCR_APK);
	if (v->no_dc_zva)
		hcr |= HCR_TDZ;
	return hcr;
}

/*
 * CPTR_EL2.TZ traps EL2's own SVE accesses too: it is set last in
 * arch_vcpu_load and cleared before the SVE registers are touched again, in
 * arch_vcpu_put or in a second arch_vcpu_load without a put between (a reset
 * by the vCPU itself reloads it).
 */
static void sve_untrap(void)
{
	uint64_t cptr = read_sysreg(cptr_el2);

	if (cptr & CPTR_TZ) {
		write_sysreg(cptr_el2, cptr & ~CPTR_TZ);
		isb();
	}
}

void arch_vcpu_load(struct vcpu *vcpu)
{
	const struct cpu_view *view = &vcpu->vm->cpu;
	const struct el1_sysregs *e = &vcpu->el1;

	sve_untrap();
	RESTORE(sctlr, sctlr_el1);
	RESTORE(cpacr, cpacr_el1);
	RESTORE(ttbr0, ttbr0_el1);
	RESTORE(ttbr1, ttbr1_el1);
	RESTORE(tcr, tcr_el1);
	RESTORE(mair, mair_el1);
	RESTORE(amair, amair_el1);
	RESTORE(vbar, vbar_el1);
	RESTORE(esr, esr_el1);
	RESTORE(far, far_el1);
	RESTORE(afsr0, afsr0_el1);
	RESTORE(afsr1, afsr1_el1);
	RESTORE(par, par_el1);
	RESTORE(contextidr, contextidr_el1);
	RESTORE(tpidr, tpidr_el1);
	RESTORE(tpidr_el0, tpidr_el0);
	if (cpu_has_sme())
		RESTORE(tpidr2_el0, TPIDR2_EL0);
	if (cpu_has_ras())
		RESTORE(disr, VDISR_EL2);
	RESTORE(tpidrro_el0, tpidrro_el0);
	RESTORE(sp_el0, sp_el0);
	RESTORE(sp_el1, sp_el1);
	RESTORE(elr, elr_el1);
	RESTORE(spsr, spsr_el1);
	RESTORE(cntkctl, cntkctl_el1);
	RESTORE(csselr, csselr_el1);
	arch_vcpu_counter_load(vcpu);
	write_sysreg(cntv_cval_el0, vcpu->vtimer.cval);
	write_sysreg(cntv_ctl_el0, vcpu->vtimer.ctl);
	if (cpu_has_pauth()) {
		PAUTH_KEYS(RESTORE_KEY);
	}
	/* Several vCPUs share a CPU: each has its own FP/SIMD registers. */
	fpsimd_restore(&vcpu->fp);
	if (cpu_has_sve()) {
		sve_pregs_restore(vcpu->fp.p);
		write_sysreg(S3_0_C1_C2_0, vcpu->fp.zcr); /* ZCR_EL1 */
	}
	if (view->no_sve)
		write_sysreg(cptr_el2, read_sysreg(cptr_el2) | CPTR_TZ);
	vgic_hw_load(vcpu);
	/* "host": this CPU's own MIDR, as before profiles existed. */
	write_sysreg(vpidr_el2, view->trapped ? view->midr : read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, vcpu->mpidr);
	write_sysreg(vttbr_el2, (uint64_t)vcpu->vm->s2.root | ((uint64_t)vcpu->vm->s2.vmid << 48));
	write_sysreg(vtcr_el2, stage2_vtcr(&vcpu->vm->s2));
	write_sysreg(hcr_el2,
		     profile_hcr(view, ((struct arch_percpu *)read_sysreg(tpidr_el2))->hcr_guest));
	isb();
	/* VMIDs are not recycled yet, but a reset VM must not see stale translations. */
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	dsb(nsh);
	isb();
}

void arch_vcpu_vtimer_save(struct vcpu *vcpu)
{
	vcpu->vtimer.ctl = read_sysreg(cntv_ctl_el0);
	vcpu->vtimer.cval = read_sysreg(cntv_cval_el0);
}

void arch_vcpu_put(struct vcpu *vcpu)
{
	struct el1_sysregs *e = &vcpu->el1;

	if (vcpu->vm->cpu.no_sve)
		sve_untrap();
	SAVE(sctlr, sctlr_el1);
	SAVE(cpacr, cpacr_el1);
	SAVE(ttbr0, ttbr0_el1);
	SAVE(ttbr1, ttbr1_el1);
	SAVE(tcr, tcr_el1);
	SAVE(mair, mair_el1);
	SAVE(amair, amair_el1);
	SAVE(vbar, vbar_el1);
	SAVE(esr, esr_el1);
	SAVE(far, far_el1);
	SAVE(afsr0, afsr0_el1);
	SAVE(afsr1, afsr1_el1);
	SAVE(par, par_el1);
	SAVE(contextidr, contextidr_el1);
	SAVE(tpidr, tpidr_el1);
	SAVE(tpidr_el0, tpidr_el0);
	if (cpu_has_sme())
		SAVE(tpidr2_el0, TPIDR2_EL0);
	if (cpu_has_ras())
		SAVE(disr, VDISR_EL2);
	SAVE(tpidrro_el0, tpidrro_el0);
	SAVE(sp_el0, sp_el0);
	SAVE(sp_el1, sp_el1);
	SAVE(elr, elr_el1);
	SAVE(spsr, spsr_el1);
	SAVE(cntkctl, cntkctl_el1);
	/* With a profile, CSSELR_EL1 traps (TID2): core/sysreg.c keeps the guest's value. */
	if (!vcpu->vm->cpu.trapped)
		SAVE(csselr, csselr_el1);
	arch_vcpu_vtimer_save(vcpu);
	if (cpu_has_pauth()) {
		PAUTH_KEYS(SAVE_KEY);
	}
	/* The guest's timers must not fire while another vCPU runs here. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	fpsimd_save(&vcpu->fp);
	if (cpu_has_sve()) {
		sve_pregs_save(vcpu->fp.p);
		vcpu->fp.zcr = read_sysreg(S3_0_C1_C2_0); /* ZCR_EL1 */
	}
	vgic_hw_put(vcpu);
	/* Host-only EL2 state from here on: no stage 2, no guest routing. */
	write_sysreg(hcr_el2, HCR_RW);
	isb();
}

/*
 * HPFAR_EL2 of the stage-2 abort @esr at @far, read where the architecture
 * writes it: translation and address size faults, and faults on a walk of the
 * guest's own tables (S1PTW). For the others (a permission or access flag
 * fault of the access itself) it is UNKNOWN: QEMU writes it, hardware need
 * not, and then it still names the page of an earlier fault, perhaps another
 * VM's. The IPA is then found again by translating FAR_EL2 through the guest's
 * stage 1, as the access did; EXIT_HPFAR_UNKNOWN if that fails now (another
 * vCPU changed the guest's tables since): the guest retries the access.
 */
static uint64_t abort_hpfar(uint64_t esr, uint64_t far)
{
	const struct arch_percpu *cpu = (const struct arch_percpu *)read_sysreg(tpidr_el2);
	ipaddr_t ipa;

	if (esr_abt_s1ptw(esr) || esr_abt_address_size(esr) ||
	    (esr_abt_translation(esr) && !cpu->s2_translation_unreliable) ||
	    (esr & ESR_ABT_FNV)) /* no address to translate: as the register says */
		return read_sysreg(hpfar_el2);
	if (!arch_vcpu_va_access(NULL, va_init(far), VA_EL1_READ, &ipa))
		return EXIT_HPFAR_UNKNOWN;
	return ipa_addr(ipa) >> 12 << 4;
}

/* HPFAR_EL2 for the record of the synchronous exit @esr at @far (abort_hpfar()). */
static uint64_t exit_hpfar(uint64_t esr, uint64_t far)
{
	unsigned int ec = esr_ec(esr);

	if (ec == EC_DABT_LOW || ec == EC_IABT_LOW)
		return abort_hpfar(esr, far);
	return read_sysreg(hpfar_el2);
}

void arch_vcpu_run(struct vcpu *vcpu)
{
	vcpu->exit.kind = (unsigned int)guest_enter(&vcpu->ctx);
	/* Every synchronous exit the vector does not serve goes through guest_sync_exit(). */
	if (vcpu->exit.kind == EXIT_SYNC)
		return;
	vcpu->exit.esr = read_sysreg(esr_el2);
	vcpu->exit.far = read_sysreg(far_el2);
	vcpu->exit.hpfar = read_sysreg(hpfar_el2);
}

/* What vectors.S does next: 0 re-enters the guest, else guest_enter() returns that. */
static uint64_t inline_exit(enum sched_inline served)
{
	switch (served) {
	case SCHED_INLINE_REENTER:
		return 0;
	case SCHED_INLINE_SERVED:
		return EXIT_SERVED;
	default:
		return EXIT_SYNC;
	}
}

/*
 * vectors.S: a synchronous exit, with every guest register saved, served on the
 * spot when the scheduler lets it. Returns 0 to re-enter the guest, or the exit
 * kind guest_enter() returns to arch_vcpu_run().
 */
uint64_t guest_sync_exit(struct cpu_context *ctx, uint64_t esr)
{
	struct vcpu *vcpu = (struct vcpu *)ctx;

	vcpu->exit.kind = EXIT_SYNC;
	vcpu->exit.esr = esr;
	vcpu->exit.far = read_sysreg(far_el2);
	vcpu->exit.hpfar = exit_hpfar(esr, vcpu->exit.far);
	return inline_exit(sched_serve_inline(vcpu));
}

/*
 * vectors.S: a data abort, with x0-x18, x29, x30, PC and PSTATE saved: an
 * AArch64 access to an emulated device through one of those registers may be
 * served on the spot (the vector then steps over it). Returns as
 * guest_sync_exit() does, EXIT_SYNC meaning that the full path takes the exit
 * (it then saves the rest and asks again).
 */
uint64_t guest_dabt_fast(struct cpu_context *ctx, uint64_t esr)
{
	struct vcpu *vcpu = (struct vcpu *)ctx;
	unsigned int rt = esr_dabt_srt(esr);

	_Static_assert(ESR_EC_DABT_LOW == EC_DABT_LOW, "exit.h: the EC of a data abort");
	/*
	 * x19-x28 are not saved: they could not be read or restored. AArch32 EL0 may
	 * be Thumb. A device is never mapped at stage 2, so an access to one is a
	 * translation fault, the kind whose HPFAR_EL2 can be read as it is
	 * (abort_hpfar()); any other fault is RAM's, for the full path.
	 */
	if ((rt >= 19 && rt <= 28) || (ctx->pstate & PSR_MODE32) || !esr_abt_translation(esr) ||
	    ((const struct arch_percpu *)read_sysreg(tpidr_el2))->s2_translation_unreliable)
		return EXIT_SYNC;
	/* vcpu->exit is left as it is: guest_sync_exit() fills it in if the exit goes on. */
	return inline_exit(sched_serve_mmio_fast(
		vcpu, esr, esr_fault_ipa(read_sysreg(hpfar_el2), read_sysreg(far_el2))));
}

/* vectors.S: a trapped "mrs xzr, mdccsr_el0", with x0-x18, x29, x30, PC, PSTATE saved. */
bool guest_backdoor_fast(struct cpu_context *ctx)
{
	_Static_assert(__builtin_offsetof(struct vcpu, ctx) == 0, "the context is the vCPU");
	_Static_assert(ESR_MRS_XZR_MDCCSR == (((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
					      SYS_ENC(2, 3, 0, 1, 0) | (31 << 5) | 1),
		       "exit.h: the ESR of mrs xzr, mdccsr_el0");
	return trap_backdoor_fast((struct vcpu *)ctx);
}

/* vectors.S: an "hvc #0", with x0-x18, x29, x30, PC (past the HVC) and PSTATE saved. */
bool guest_hvc_fast(struct cpu_context *ctx)
{
	_Static_assert(ESR_HVC64_IMM0 == (((uint64_t)EC_HVC64 << ESR_EC_SHIFT) | ESR_IL),
		       "exit.h: the ESR of hvc #0");
	return trap_hvc_fast((struct vcpu *)ctx);
}

/*
 * vectors.S: a trapped AArch64 system-register access, with x0-x18, x29, x30,
 * PC and PSTATE saved: a read into one of those registers (or XZR) may be
 * served on the spot.
 */
int guest_sysreg_fast(struct cpu_context *ctx, uint64_t esr)
{
	unsigned int rt = esr_sys_rt(esr);

	_Static_assert(ESR_EC_POS == ESR_EC_SHIFT && ESR_EC_SYSREG64 == EC_SYS64,
		       "exit.h: the EC of a system-register trap");
	if (rt >= 19 && rt <= 28)
		return 0; /* not saved by the fast path: it could not be restored */
	return trap_sysreg_fast((struct vcpu *)ctx, esr);
}

/* AArch32 PSTATE: Thumb, and the IT block's state (ITSTATE[1:0] at 26:25, [7:2] at 15:10). */
#define PSR_AA32_T	 BIT(5)
#define PSR_AA32_IT_LO	 (3UL << 25)
#define PSR_AA32_IT_HI	 (0x3fUL << 10)
#define PSR_AA32_IT_MASK (PSR_AA32_IT_LO | PSR_AA32_IT_HI)

static unsigned int aa32_itstate(uint64_t pstate)
{
	return (unsigned int)(((pstate >> 25) & 3) | ((pstate >> 8) & 0xfc));
}

/*
 * A Thumb instruction inside an IT block was completed: the block moves on
 * (ARM ARM, ITAdvance()), or ends after its last instruction.
 */
static uint64_t aa32_it_advance(uint64_t pstate)
{
	unsigned int it = aa32_itstate(pstate);

	if (!(pstate & PSR_AA32_T) || !it)
		return pstate;
	it = (it & 7) ? (it & 0xe0) | ((it << 1) & 0x1f) : 0;
	return (pstate & ~PSR_AA32_IT_MASK) | ((uint64_t)(it & 3) << 25) |
	       ((uint64_t)(it & 0xfc) << 8);
}

void arch_vcpu_skip_instr(struct vcpu *vcpu)
{
	/* ESR_EL2.IL: a 32-bit instruction, or a 16-bit Thumb one at AArch32 EL0. */
	vcpu->ctx.pc += (vcpu->exit.esr & BIT(25)) ? 4 : 2;
	if (vcpu->ctx.pstate & PSR_MODE32) {
		vcpu->ctx.pc &= 0xffffffffUL;
		vcpu->ctx.pstate = aa32_it_advance(vcpu->ctx.pstate);
	} else {
		/* As executing it would: the next instruction is no branch target. */
		vcpu->ctx.pstate &= ~PSR_BTYPE_MASK;
	}
}

/* Whether AArch32 condition @cond holds for flags NZCV in PSTATE (ARM ARM, ConditionHolds()). */
static bool aa32_condition_holds(unsigned int cond, uint64_t pstate)
{
	bool n = pstate & BIT(31), z = pstate & BIT(30), c = pstate & BIT(29), v = pstate & BIT(28);
	bool r;

	switch (cond >> 1) {
	case 0:
		r = z;
		break;
	case 1:
		r = c;
		break;
	case 2:
		r = n;
		break;
	case 3:
		r = v;
		break;
	case 4:
		r = c && !z;
		break;
	case 5:
		r = n == v;
		break;
	case 6:
		r = n == v && !z;
		break;
	default:
		return true; /* AL, and 0b1111 */
	}
	return (cond & 1) ? !r : r;
}

/* ECs whose ISS carries CV/COND for a trapped AArch32 instruction. */
static bool aa32_ec_has_cond(unsigned int ec)
{
	return ec == 0x01 || (ec >= 0x03 && ec <= 0x08) || ec == 0x0c;
}

bool arch_vcpu_condition_failed(const struct vcpu *vcpu)
{
	uint64_t esr = vcpu->exit.esr, pstate = vcpu->ctx.pstate;
	unsigned int cond;

	if (!(pstate & PSR_MODE32) || !aa32_ec_has_cond((unsigned int)(esr >> 26) & 0x3f))
		return false;
	if (esr & BIT(24)) /* CV: the condition is in the syndrome */
		cond = (unsigned int)(esr >> 20) & 0xf;
	else if (aa32_itstate(pstate)) /* Thumb in an IT block: ITSTATE has it */
		cond = aa32_itstate(pstate) >> 4;
	else
		return false; /* unconditional */
	return !aa32_condition_holds(cond, pstate);
}

static void inject_sync(struct vcpu *vcpu, uint64_t esr);

/*
 * AT by access kind: EL1 or EL0 permissions, read or write. False, with PAR_EL1
 * UNKNOWN, if the walk took an exception at EL2 (at.S): counted, and said in the
 * log at the 1st, 2nd, 4th, 8th... time.
 */
static bool at_stage1(uint64_t va, enum va_access access)
{
	static uint64_t faults;
	uint64_t n;

	_Static_assert(VA_EL1_READ == 0 && VA_EL1_WRITE == 1 && VA_EL0_READ == 2 &&
			       VA_EL0_WRITE == 3,
		       "at.S: the AT of each access kind");
	if ((unsigned int)access > VA_EL0_WRITE)
		return false; /* not an access kind: nothing is translated */
	if (at_walk(va, access))
		return true;
	n = __atomic_add_fetch(&faults, 1, __ATOMIC_RELAXED);
	if (!(n & (n - 1)))
		log_warn("a walk of a guest's stage-1 tables took an exception at EL2 (%lu so "
			 "far): its translation is refused",
			 (unsigned long)n);
	return false;
}

bool arch_vcpu_va_access(struct vcpu *vcpu, vaddr_t va, enum va_access access, ipaddr_t *ipa)
{
	uint64_t par, saved;
	bool ok;

	(void)vcpu;
	if (!(read_sysreg(sctlr_el1) & SCTLR_M)) {
		*ipa = ipa_init(va_addr(va)); /* stage 1 off: the guest's VA is its IPA */
		return true;
	}
	/* AT writes PAR_EL1, which is the guest's: keep its value. */
	saved = read_sysreg(par_el1);
	ok = at_stage1(va_addr(va), access);
	par = read_sysreg(par_el1);
	write_sysreg(par_el1, saved);
	if (!ok || (par & 1))
		return false; /* not mapped, or not with that permission, at stage 1 now */
	*ipa = ipa_init((par & 0x000ffffffffff000UL) | (va_addr(va) & 0xfff));
	return true;
}

bool arch_vcpu_va_to_ipa(struct vcpu *vcpu, vaddr_t va, ipaddr_t *ipa)
{
	return arch_vcpu_va_access(vcpu, va, VA_EL1_READ, ipa);
}

bool arch_vcpu_data_big_endian(const struct vcpu *vcpu)
{
	if (vcpu->ctx.pstate & PSR_MODE32)
		return vcpu->ctx.pstate & PSR_E32; /* SETEND, or SPSR.E */
	if ((vcpu->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t)
		return read_sysreg(sctlr_el1) & SCTLR_E0E;
	return read_sysreg(sctlr_el1) & SCTLR_EE;
}

bool arch_vcpu_at_el0(const struct vcpu *vcpu)
{
	return (vcpu->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

void arch_vcpu_inject_sync(struct vcpu *vcpu, uint64_t esr)
{
	inject_sync(vcpu, esr);
}

/*
 * Takes a synchronous exception to the guest's EL1 as the hardware would
 * (ARM ARM D1.10): ELR/SPSR/ESR set, PSTATE to EL1h with DAIF masked, PC to the
 * vector for the mode the exception came from. The vCPU is loaded.
 */
static void inject_sync(struct vcpu *vcpu, uint64_t esr)
{
	uint64_t mode = vcpu->ctx.pstate & PSR_MODE_MASK;
	uint64_t offset;
	uint64_t pstate;

	if (vcpu->ctx.pstate & PSR_MODE32)
		offset = VEC_LOWER_A32; /* AArch32 EL0 */
	else if (mode == PSR_MODE_EL0t)
		offset = VEC_LOWER_A64;
	else if (mode == PSR_MODE_EL1t)
		offset = VEC_CURRENT_SP0;
	else
		offset = VEC_CURRENT_SPX;
	write_sysreg(elr_el1, vcpu->ctx.pc);
	write_sysreg(spsr_el1, vcpu->ctx.pstate);
	write_sysreg(esr_el1, esr);
	pstate = PSR_MODE_EL1h | PSR_DAIF;
	/* With FEAT_PAN, PAN is set on entry when SCTLR_EL1.SPAN is 0, else kept. */
	if (FIELD(read_sysreg(ID_AA64MMFR1_EL1), 20, 4)) {
		if (!(read_sysreg(sctlr_el1) & BIT(23)))
			pstate |= PSR_PAN;
		else
			pstate |= vcpu->ctx.pstate & PSR_PAN;
	}
	vcpu->ctx.pstate = pstate;
	vcpu->ctx.pc = read_sysreg(vbar_el1) + offset;
}

uint64_t arch_vcpu_trapped_pc(const struct vcpu *vcpu)
{
	/* HVC's preferred return address is the next instruction (A64 only: EL1 is AArch64). */
	return esr_ec(vcpu->exit.esr) == EC_HVC64 ? vcpu->ctx.pc - 4 : vcpu->ctx.pc;
}

void arch_vcpu_inject_undef(struct vcpu *vcpu)
{
	/* An UNDEFINED instruction returns to itself, a trapped HVC past itself. */
	vcpu->ctx.pc = arch_vcpu_trapped_pc(vcpu);
	/* EC 0 (unknown reason), whose IL is 1 whatever the instruction's length. */
	inject_sync(vcpu, ESR_IL);
}

void arch_vcpu_inject_dabt(struct vcpu *vcpu, uint64_t far)
{
	bool from_el0 = (vcpu->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	/* Data abort from the guest's view, synchronous external abort (DFSC 0x10). */
	uint64_t esr = ((uint64_t)(from_el0 ? 0x24 : 0x25) << 26) | (1UL << 25) | 0x10;

	if (vcpu->exit.esr & (1UL << 6))
		esr |= 1UL << 6; /* WnR */
	inject_sync(vcpu, esr);
	write_sysreg(far_el1, far);
}
