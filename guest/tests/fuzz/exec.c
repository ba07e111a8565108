// SPDX-License-Identifier: MIT
/*
 * Running snippets: a generated instruction in its slot of this vCPU's code page,
 * entered with every register set (fuzz_enter: ERET to EL1t, EL0t or AArch32
 * EL0), left through "svc #RET_IMM" (the handler ERETs to fuzz_resume). Every
 * exception on the way is counted by class and stepped over; the oracles here
 * are the ones a snippet can check itself: the exception came back at the
 * instruction that took it, and no register changed that the instruction may
 * not write.
 */
#include "fuzz.h"

#define SPSR_EL1T  0x4UL
#define SPSR_EL0T  0x0UL
#define SPSR_USR32 0x10UL
#define SPSR_T	   (1UL << 5)
#define SPSR_F	   (1UL << 6)
#define SPSR_I	   (1UL << 7)
#define SPSR_A	   (1UL << 8)
#define SPSR_D	   (1UL << 9)
#define SPSR_DAIF  (SPSR_D | SPSR_A | SPSR_I | SPSR_F)
#define SPSR_EL1H  0x5UL

#define EC_SVC32    0x11
#define EC_SVC64    0x15
#define EC_HVC64    0x16
#define EC_SMC64    0x17
#define A64_SVC(i)  (0xd4000001U | ((uint32_t)(i) << 5))
#define T16_SVC(i)  (0xdf00U | (i))
#define LINE	    64
#define DRAIN_LIMIT 16

/* The part fuzz_enter and fuzz_resume use (offsets below); the rest is C's. */
struct snip_ctx {
	uint64_t x[31];	   /* 0: registers to enter with */
	uint64_t sp;	   /* 248 */
	uint64_t pc;	   /* 256 */
	uint64_t spsr;	   /* 264 */
	uint64_t save[13]; /* 272: x19-x30, then sp (368) */
	uint64_t out[31];  /* 376: registers at "svc #RET_IMM" */
	uint64_t slot_pc;  /* the instruction's address as it runs */
	uint32_t slot_len;
	uint32_t t32;
	volatile uint32_t in_snippet;
	uint32_t exceptions;
	uint32_t returned_bad;
	uint32_t from; /* the vector group its exceptions must come through (vector / 4) */
} __attribute__((aligned(64)));

_Static_assert(__builtin_offsetof(struct snip_ctx, out) == 376, "exec.c: fuzz_enter's layout");
_Static_assert(sizeof(struct snip_ctx) == 704, "exec.c: fuzz_resume's stride");

struct snip_ctx snip_ctxs[FUZZ_MAX_VCPUS];

void fuzz_enter(struct snip_ctx *ctx);
void fuzz_resume(void);

__asm__(".text\n"
	".globl fuzz_enter\n"
	"fuzz_enter:\n"
	"	stp x19, x20, [x0, #272]\n"
	"	stp x21, x22, [x0, #288]\n"
	"	stp x23, x24, [x0, #304]\n"
	"	stp x25, x26, [x0, #320]\n"
	"	stp x27, x28, [x0, #336]\n"
	"	stp x29, x30, [x0, #352]\n"
	"	mov x1, sp\n"
	"	str x1, [x0, #368]\n"
	"	ldp x1, x2, [x0, #256]\n"
	"	msr elr_el1, x1\n"
	"	msr spsr_el1, x2\n"
	"	ldr x1, [x0, #248]\n"
	"	msr sp_el0, x1\n"
	"	ldp x2, x3, [x0, #16]\n"
	"	ldp x4, x5, [x0, #32]\n"
	"	ldp x6, x7, [x0, #48]\n"
	"	ldp x8, x9, [x0, #64]\n"
	"	ldp x10, x11, [x0, #80]\n"
	"	ldp x12, x13, [x0, #96]\n"
	"	ldp x14, x15, [x0, #112]\n"
	"	ldp x16, x17, [x0, #128]\n"
	"	ldp x18, x19, [x0, #144]\n"
	"	ldp x20, x21, [x0, #160]\n"
	"	ldp x22, x23, [x0, #176]\n"
	"	ldp x24, x25, [x0, #192]\n"
	"	ldp x26, x27, [x0, #208]\n"
	"	ldp x28, x29, [x0, #224]\n"
	"	ldr x30, [x0, #240]\n"
	"	ldp x0, x1, [x0]\n"
	"	eret\n"
	"	dsb nsh\n"
	"	isb\n"
	/* Back at EL1h from the handler, with the snippet's registers: find our context. */
	".globl fuzz_resume\n"
	"fuzz_resume:\n"
	"	mrs x0, mpidr_el1\n"
	"	and x0, x0, #0xff\n"
	"	adrp x1, snip_ctxs\n"
	"	add x1, x1, :lo12:snip_ctxs\n"
	"	mov x2, #704\n"
	"	madd x0, x0, x2, x1\n"
	"	ldp x19, x20, [x0, #272]\n"
	"	ldp x21, x22, [x0, #288]\n"
	"	ldp x23, x24, [x0, #304]\n"
	"	ldp x25, x26, [x0, #320]\n"
	"	ldp x27, x28, [x0, #336]\n"
	"	ldp x29, x30, [x0, #352]\n"
	"	ldr x1, [x0, #368]\n"
	"	mov sp, x1\n"
	"	ret\n");

uint64_t el1_code_va(unsigned int cpu, unsigned int slot)
{
	return EL1_CODE + cpu * PAGE + slot * SLOT_BYTES;
}

uint64_t el0_code_va(unsigned int cpu, unsigned int slot)
{
	return VA_EL0_RAM + EL0_CODE + cpu * PAGE + slot * SLOT_BYTES;
}

/* Where EL1 writes an EL0 slot (EL0's view of the page is read-only). */
static uint64_t el0_code_written(unsigned int cpu, unsigned int slot)
{
	return EL0_CODE + cpu * PAGE + slot * SLOT_BYTES;
}

static bool is_snippet(const struct op *op)
{
	return op->kind != OP_PSCI && op->kind != OP_RPC;
}

static void write_a64_slot(uint32_t *slot, uint32_t insn)
{
	slot[0] = insn;
	slot[1] = A64_SVC(RET_IMM);
	slot[2] = A64_SVC(BAD_IMM);
	slot[3] = A64_SVC(BAD_IMM);
}

static void write_t32_slot(uint16_t *slot, const struct op *op)
{
	unsigned int n = op->t32_len / 2, i;

	for (i = 0; i < n; i++)
		slot[i] = op->t32_insn[i];
	slot[i++] = T16_SVC(T32_RET_IMM);
	for (; i < SLOT_BYTES / 2; i++)
		slot[i] = T16_SVC(T32_BAD_IMM);
}

/* The architecture's steps for code written as data: clean to PoU, invalidate, sync. */
static void sync_code(uint64_t written, uint64_t executed, uint64_t len)
{
	for (uint64_t a = 0; a < len; a += LINE)
		__asm__ volatile("dc cvau, %0" : : "r"(written + a) : "memory");
	dsb(ish);
	for (uint64_t a = 0; a < len; a += LINE)
		__asm__ volatile("ic ivau, %0" : : "r"(executed + a) : "memory");
	dsb(ish);
	isb();
}

void exec_write_slots(unsigned int cpu, struct op *ops, unsigned int n)
{
	unsigned int el1 = 0, el0 = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct op *op = &ops[i];

		if (!is_snippet(op))
			continue;
		if (op->el) {
			op->slot = el1++;
			write_a64_slot((uint32_t *)el1_code_va(cpu, op->slot), op->insn);
		} else if (op->t32) {
			op->slot = el0++;
			write_t32_slot((uint16_t *)el0_code_written(cpu, op->slot), op);
		} else {
			op->slot = el0++;
			write_a64_slot((uint32_t *)el0_code_written(cpu, op->slot), op->insn);
		}
	}
	if (el1)
		sync_code(el1_code_va(cpu, 0), el1_code_va(cpu, 0), el1 * SLOT_BYTES);
	if (el0)
		sync_code(el0_code_written(cpu, 0), el0_code_va(cpu, 0), el0 * SLOT_BYTES);
}

void exec_init_cpu(unsigned int cpu)
{
	snip_ctxs[cpu].in_snippet = 0;
}

/* The width of the T32 instruction at @pc: 32 bits if its first halfword says so. */
static unsigned int t32_width(uint64_t pc)
{
	uint16_t hw = *(volatile const uint16_t *)(pc - VA_EL0_RAM);

	return (hw >> 11) >= 0x1d ? 4 : 2;
}

/* PSTATE.IT after one instruction of an IT block (ITAdvance()). */
static uint64_t it_advance(uint64_t spsr)
{
	uint64_t it = ((spsr >> 25) & 3) | (((spsr >> 10) & 0x3f) << 2);

	if (!it)
		return spsr;
	it = (it & 7) ? (it & 0xe0) | ((it << 1) & 0x1f) : 0;
	spsr &= ~((3UL << 25) | (0x3fUL << 10));
	return spsr | ((it & 3) << 25) | ((it >> 2) << 10);
}

static void drain_irqs(void)
{
	for (unsigned int i = 0; i < DRAIN_LIMIT; i++) {
		unsigned int intid = gic_ack();

		if (intid >= 1020)
			break;
		gic_eoi(intid);
	}
}

static bool is_return(const struct snip_ctx *c, unsigned int ec, const struct pt_regs *r,
		      unsigned int *bad)
{
	unsigned int imm = r->esr & 0xffff;

	*bad = 0;
	if (c->t32) {
		if (ec != EC_SVC32)
			return false;
		if (imm == T32_RET_IMM && r->elr == c->slot_pc + c->slot_len + 2)
			return true;
		*bad = imm == T32_BAD_IMM;
		return *bad;
	}
	if (ec != EC_SVC64)
		return false;
	if (imm == RET_IMM && r->elr == c->slot_pc + 8)
		return true;
	*bad = imm == BAD_IMM;
	return *bad;
}

/* The snippet's own exception (not its return): count it, check where it came from, step. */
static void snippet_exception(unsigned int cpu, struct snip_ctx *c, unsigned int ec,
			      struct pt_regs *r)
{
	bool call = ec == EC_SVC64 || ec == EC_HVC64 || ec == EC_SMC64 || ec == EC_SVC32;

	c->exceptions++;
	if (c->t32) {
		if (!call && (r->elr < c->slot_pc || r->elr >= c->slot_pc + c->slot_len))
			anomaly(cpu, 0, "T32 exception EC 0x%x at 0x%lx, outside its slot 0x%lx",
				ec, (unsigned long)r->elr, (unsigned long)c->slot_pc);
		if (!call) {
			r->elr += t32_width(r->elr);
			r->spsr = it_advance(r->spsr);
		}
		return;
	}
	if (r->elr != c->slot_pc + (call ? 4 : 0))
		anomaly(cpu, 0, "exception EC 0x%x (ESR 0x%lx) came back at 0x%lx, not at 0x%lx",
			ec, (unsigned long)r->esr, (unsigned long)r->elr,
			(unsigned long)(c->slot_pc + (call ? 4 : 0)));
	/* Step past the instruction, whatever the ELR said (it was checked above). */
	r->elr = c->slot_pc + 4;
}

static void on_sync(unsigned int cpu, unsigned int vector, struct pt_regs *r)
{
	struct snip_ctx *c = &snip_ctxs[cpu];
	unsigned int ec = ESR_EC(r->esr), bad;

	if (vector / 4 != c->from && c->in_snippet && vector / 4 != 1)
		anomaly(cpu, 0,
			"an exception from the snippet (ESR 0x%lx) came through vector %u, "
			"not one of %u-%u",
			(unsigned long)r->esr, vector, c->from * 4, c->from * 4 + 3);
	if (vector / 4 == 1 || !c->in_snippet) {
		/* EL1h: the fuzzer's own C code, which never faults on purpose. */
		cpus[cpu].st.ec[ec]++;
		anomaly(cpu, 0,
			"exception in the fuzzer's own code: vector %u ESR 0x%lx ELR 0x%lx "
			"FAR 0x%lx",
			vector, (unsigned long)r->esr, (unsigned long)r->elr,
			(unsigned long)r->far);
		r->elr += 4;
		return;
	}
	if (is_return(c, ec, r, &bad)) {
		if (bad) {
			c->returned_bad++;
			anomaly(cpu, 0, "the snippet at 0x%lx resumed past its end (ELR 0x%lx)",
				(unsigned long)c->slot_pc, (unsigned long)r->elr);
		}
		for (unsigned int i = 0; i < 31; i++)
			c->out[i] = r->regs[i];
		c->in_snippet = 0;
		r->elr = (uint64_t)fuzz_resume;
		r->spsr = SPSR_EL1H | SPSR_DAIF;
		return;
	}
	cpus[cpu].st.ec[ec]++;
	snippet_exception(cpu, c, ec, r);
}

static void on_exception(unsigned int vector, struct pt_regs *r)
{
	unsigned int cpu = this_cpu();

	switch (vector % 4) {
	case 0:
		on_sync(cpu, vector, r);
		break;
	case 1:
		cpus[cpu].st.irqs++;
		drain_irqs();
		r->spsr |= SPSR_I;
		break;
	case 2:
		cpus[cpu].st.fiqs++;
		r->spsr |= SPSR_F;
		break;
	default:
		cpus[cpu].st.serrors++;
		r->spsr |= SPSR_A;
		break;
	}
}

#define VECTOR_FN(n)                                 \
	static void on_vector_##n(struct pt_regs *r) \
	{                                            \
		on_exception(n, r);                  \
	}
VECTOR_FN(0)
VECTOR_FN(1)
VECTOR_FN(2)
VECTOR_FN(3)
VECTOR_FN(4)
VECTOR_FN(5)
VECTOR_FN(6)
VECTOR_FN(7)
VECTOR_FN(8)
VECTOR_FN(9)
VECTOR_FN(10)
VECTOR_FN(11)
VECTOR_FN(12)
VECTOR_FN(13)
VECTOR_FN(14)
VECTOR_FN(15)

static const exception_fn vector_fns[VEC_COUNT] = {
	on_vector_0,  on_vector_1,  on_vector_2,  on_vector_3,	on_vector_4,  on_vector_5,
	on_vector_6,  on_vector_7,  on_vector_8,  on_vector_9,	on_vector_10, on_vector_11,
	on_vector_12, on_vector_13, on_vector_14, on_vector_15,
};

void exec_install_handlers(void);

void exec_install_handlers(void)
{
	for (unsigned int v = 0; v < VEC_COUNT; v++)
		install_exception_handler((enum vector)v, EC_ANY, vector_fns[v]);
}

/* The registers the snippet had no business changing, one anomaly for all of them. */
static void check_registers(unsigned int cpu, const struct op *op, const struct snip_ctx *c)
{
	unsigned int n = op->t32 ? 15 : 31, first = 99, count = 0;
	uint64_t mask = op->t32 ? 0xffffffffUL : ~0UL;

	for (unsigned int i = 0; i < n; i++) {
		if ((op->dest >> i) & 1 || ((c->out[i] ^ op->x[i]) & mask) == 0)
			continue;
		if (first == 99)
			first = i;
		count++;
	}
	if (count)
		anomaly(cpu, op,
			"%u register(s) changed that the instruction does not write: x%u was "
			"0x%lx, "
			"is 0x%lx",
			count, first, (unsigned long)op->x[first], (unsigned long)c->out[first]);
}

/* SCTLR_EL1.E0E: EL0's data accesses big-endian. */
static void set_e0e(bool on)
{
	uint64_t sctlr = read_sysreg(sctlr_el1);

	write_sysreg(sctlr_el1, on ? sctlr | (1UL << 24) : sctlr & ~(1UL << 24));
	isb();
}

/* A load of a register whose value is known read what it must (when nothing faulted). */
static void check_known(unsigned int cpu, const struct op *op, const struct snip_ctx *c)
{
	unsigned int rt = op->check_rt - 1U;
	uint64_t got;

	if (!op->check_rt || c->exceptions)
		return;
	got = op->t32 ? (uint32_t)c->out[rt] : c->out[rt];
	if (got == op->expect)
		return;
	anomaly(cpu, op, "a %s load of the device register at 0x%lx read 0x%lx, not 0x%lx",
		op->big_endian ? "big-endian" : "little-endian", (unsigned long)op->arg,
		(unsigned long)got, (unsigned long)op->expect);
}

void exec_snippet(unsigned int cpu, struct op *op)
{
	struct snip_ctx *c = &snip_ctxs[cpu];
	uint64_t daif = op->unmask ? SPSR_D | SPSR_A | SPSR_F : SPSR_DAIF;

	for (unsigned int i = 0; i < 31; i++)
		c->x[i] = op->x[i];
	c->sp = op->sp;
	c->t32 = op->t32;
	if (op->el) {
		c->pc = el1_code_va(cpu, op->slot);
		c->spsr = SPSR_EL1T | daif;
		c->slot_len = 4;
		c->from = 0; /* current EL with SP_EL0 */
	} else if (op->t32) {
		c->pc = el0_code_va(cpu, op->slot);
		/* AArch32: bit 9 is E, big-endian data. */
		c->spsr = SPSR_USR32 | SPSR_T | (daif & ~SPSR_D) | (op->big_endian ? SPSR_D : 0);
		c->slot_len = op->t32_len;
		c->from = 3; /* lower EL, AArch32 */
	} else {
		c->pc = el0_code_va(cpu, op->slot);
		c->spsr = SPSR_EL0T | daif;
		c->slot_len = 4;
		c->from = 2; /* lower EL, AArch64 */
	}
	c->slot_pc = c->pc;
	c->exceptions = 0;
	if (op->arm_timer) {
		wake_ready(cpu);
		arm_vtimer(op->arg);
	}
	if (op->walk)
		walk_on(op->walk_table);
	if (op->big_endian && !op->t32)
		set_e0e(true);
	c->in_snippet = 1;
	fuzz_enter(c);
	if (op->big_endian && !op->t32)
		set_e0e(false);
	if (op->walk)
		walk_off();
	if (op->arm_timer)
		write_sysreg(cntv_ctl_el0, 0);
	cpus[cpu].st.snippets++;
	check_registers(cpu, op, c);
	check_known(cpu, op, c);
}
