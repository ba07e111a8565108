// SPDX-License-Identifier: MIT
/*
 * The generator: register values, addresses across the guest's map, and the
 * instruction of each kind of operation. Addresses an EL1 instruction writes are
 * worked out before it runs and never fall on the image, its state or its code
 * (protected()): the guest must survive its own operations to go on testing.
 * EL0 has no mapping of those at all.
 */
#include "fuzz.h"

#define A64_SYS(l, op0, op1, crn, crm, op2, rt)                                                    \
	(0xd5000000U | ((uint32_t)(l) << 21) | ((uint32_t)(op0) << 19) | ((uint32_t)(op1) << 16) | \
	 ((uint32_t)(crn) << 12) | ((uint32_t)(crm) << 8) | ((uint32_t)(op2) << 5) |               \
	 (uint32_t)(rt))
#define A64_NOP	    0xd503201fU
#define X7_BACKDOOR (0x86UL << 32)
#define BIT(n)	    (1U << (n))
#define REG_BIT(r)  ((r) < 31 ? BIT(r) : 0U)
#define MAX_REGIONS 40
#define ACCESS_SPAN 64 /* what one access may cover, pairs of q registers included */
#define ZVA_SPAN    2048

struct features feat;

/* --- the generator's random numbers --- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15UL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t round, uint64_t cpu)
{
	uint64_t x = seed ^ (round * 0x100000001b3UL) ^ (cpu << 56);

	r->s = splitmix(&x) | 1;
}

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dUL;
}

uint64_t rnd(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

bool one_in(struct rng *r, uint64_t n)
{
	return rnd(r, n) == 0;
}

/* --- where operations aim --- */

struct region {
	uint64_t base, size;
	uint8_t weight;
	uint8_t el0; /* EL0 reaches it (at this VA) */
	uint8_t el1;
};

static struct region regions[MAX_REGIONS];
static unsigned int nregions;

static void add_region(uint64_t base, uint64_t size, unsigned int weight, bool el1, bool el0)
{
	if (nregions < MAX_REGIONS && size)
		regions[nregions++] = (struct region){ base, size, (uint8_t)weight, el0, el1 };
}

static uint64_t ram_end(void)
{
	return GUEST_RAM_BASE + feat.ram_size;
}

/* The device regions twice: as Device memory and, at VA_NORMAL_DEV, as Normal memory. */
static void add_devices(void)
{
	uint64_t gicr_size = 0x20000UL * (feat.nvcpus + 1);

	for (unsigned int normal = 0; normal < 2; normal++) {
		uint64_t va = normal ? VA_NORMAL_DEV : 0;

		add_region(va + 0x08000000, 0x10000, 8, true, true); /* GICD */
		if (feat.gic == 3)
			add_region(va + 0x080a0000, gicr_size, 8, true, true);
		else
			add_region(va + 0x08010000, 0x2000, 4, true, true); /* GICV */
		add_region(va + 0x09000004, 0xffc, 3, true, true);	    /* PL011, not UARTDR */
		add_region(va + 0x09010000, 0x1000, 4, true, true);	    /* PL031 */
		add_region(va + 0x08000000, 0x02000000, 4, true, true);	    /* the device window */
		add_region(va + 0x0a000000, 0x06000000, 3, true, true); /* QEMU's, not Skiff's */
		add_region(va + 0x00000000, 0x08000000, 2, true, true); /* below: nothing */
	}
}

void gen_init(void);

void gen_init(void)
{
	nregions = 0;
	add_devices();
	/* RAM at its IPA for EL1 and, 2 GiB up, for EL0. */
	for (unsigned int el0 = 0; el0 < 2; el0++) {
		uint64_t va = el0 ? VA_EL0_RAM : 0;

		add_region(va + SCRATCH, BLOCK, 8, !el0, el0);
		add_region(va + LAZY, BLOCK, 3, !el0, el0);
		add_region(va + HOLE, BLOCK, 2, !el0, el0);
		add_region(va + HOLE + BLOCK, ram_end() - HOLE - BLOCK, 2, !el0, el0);
		add_region(va + ram_end(), GUEST_RAM_BASE + (1UL << 30) - ram_end(), 3, !el0, el0);
	}
	add_region(VA_HIGH, 4UL << 30, 5, true, true);
}

/* What no EL1 operation may write: everything below the scratch block but its own data. */
static bool protected(unsigned int cpu, uint64_t a, uint64_t len)
{
	uint64_t own = el1_code_va(cpu, 0) + CODE_DATA;
	uint64_t end = a + len;

	if (end < a)
		return true; /* wraps: keep away from it */
	if (a >= own && end <= own + (PAGE - CODE_DATA))
		return false;
	if (a < PROTECT_END && end > GUEST_RAM_BASE)
		return true;
	return a < VA_EL0_RAM + PROTECT_END && end > VA_EL0_RAM + GUEST_RAM_BASE;
}

static const struct region *pick_region(struct rng *r, unsigned int el)
{
	unsigned int total = 0, pick;

	for (unsigned int i = 0; i < nregions; i++)
		if (el ? regions[i].el1 : regions[i].el0)
			total += regions[i].weight;
	pick = (unsigned int)rnd(r, total);
	for (unsigned int i = 0; i < nregions; i++) {
		if (!(el ? regions[i].el1 : regions[i].el0))
			continue;
		if (pick < regions[i].weight)
			return &regions[i];
		pick -= regions[i].weight;
	}
	return &regions[0];
}

/* An address somewhere an operation at @el can aim, aligned to @align sometimes. */
static uint64_t target(struct rng *r, unsigned int cpu, unsigned int el, uint64_t align)
{
	for (;;) {
		uint64_t a;

		if (el && one_in(r, 16)) {
			/* Its own code page's data half: stores into the page it runs from. */
			a = el1_code_va(cpu, 0) + CODE_DATA +
			    rnd(r, PAGE - CODE_DATA - ACCESS_SPAN);
		} else {
			const struct region *g = pick_region(r, el);
			uint64_t off = one_in(r, 2) ? rnd(r, 0x400) : rnd(r, g->size);

			a = g->base + (off < g->size ? off : 0);
		}
		if (align > 1 && !one_in(r, 3))
			a &= ~(align - 1);
		if (!el || !protected(cpu, a, ACCESS_SPAN))
			return a;
	}
}

/* A 32-bit address for AArch32 EL0: the devices, EL0's RAM and the unbacked IPAs below 4 GiB. */
static uint32_t target32(struct rng *r, unsigned int cpu, uint64_t align)
{
	for (;;) {
		uint64_t a = target(r, cpu, 0, align);

		if (a < (1UL << 32))
			return (uint32_t)a;
	}
}

static const uint64_t interesting[] = {
	0,
	1,
	2,
	3,
	4,
	7,
	8,
	0x10,
	0x7f,
	0x80,
	0xff,
	0x100,
	0xfff,
	0x1000,
	0xffff,
	0x5658,
	0x5659,
	0x564d5868,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0x100000000UL,
	0x7fffffffffffffffUL,
	0x8000000000000000UL,
	0xfffffffffffff000UL,
	0xfffffffffffffffeUL,
	0xffffffffffffffffUL,
	0x84000000,
	0xc4000003,
	0x86UL << 32,
};

/* Any value a register may hold; an EL1 value never points at what protected() keeps. */
static uint64_t any_value(struct rng *r, unsigned int cpu, unsigned int el)
{
	uint64_t v;

	switch (rnd(r, 8)) {
	case 0:
	case 1:
		v = interesting[rnd(r, sizeof(interesting) / sizeof(interesting[0]))];
		break;
	case 2:
		v = rng_next(r);
		break;
	case 3:
		v = (uint32_t)rng_next(r);
		break;
	case 4:
		v = rnd(r, 256);
		break;
	case 5:
		v = (1UL << rnd(r, 64)) + rnd(r, 3) - 1;
		break;
	default:
		return target(r, cpu, el, 8);
	}
	if (el && protected(cpu, v, ZVA_SPAN))
		return target(r, cpu, el, 8);
	return v;
}

static void fill_registers(struct rng *r, unsigned int cpu, struct op *op)
{
	for (unsigned int i = 0; i < 31; i++)
		op->x[i] = any_value(r, cpu, op->el);
	op->sp = target(r, cpu, op->el, 16);
}

/* Sets register @n (31: SP) to @v. */
static void set_reg(struct op *op, unsigned int n, uint64_t v)
{
	if (n == 31)
		op->sp = v;
	else
		op->x[n] = v;
}

/* --- system registers and instructions --- */

/* Registers Skiff emulates or traps, so a fair share of picks reaches it. */
static const uint32_t trapped_sys[][5] = {
	{ 2, 0, 0, 2, 2 },   /* MDSCR_EL1 */
	{ 2, 0, 0, 2, 0 },   /* MDCCINT_EL1 */
	{ 2, 0, 1, 0, 4 },   /* OSLAR_EL1 */
	{ 2, 0, 1, 1, 4 },   /* OSLSR_EL1 */
	{ 2, 0, 1, 3, 4 },   /* OSDLR_EL1 */
	{ 2, 0, 1, 4, 4 },   /* DBGPRCR_EL1 */
	{ 2, 0, 0, 0, 4 },   /* DBGBVR0_EL1 */
	{ 2, 0, 0, 5, 5 },   /* DBGBCR5_EL1 */
	{ 2, 0, 0, 15, 6 },  /* DBGWVR15_EL1 */
	{ 2, 0, 0, 1, 7 },   /* DBGWCR1_EL1 */
	{ 2, 0, 7, 8, 6 },   /* DBGCLAIMSET_EL1 */
	{ 2, 0, 7, 9, 6 },   /* DBGCLAIMCLR_EL1 */
	{ 2, 0, 1, 0, 0 },   /* MDRAR_EL1 */
	{ 2, 3, 0, 1, 0 },   /* MDCCSR_EL0 */
	{ 2, 3, 0, 4, 0 },   /* DBGDTR_EL0 */
	{ 2, 3, 0, 5, 0 },   /* DBGDTRRX/TX_EL0 */
	{ 2, 4, 0, 7, 0 },   /* DBGVCR32_EL2 */
	{ 3, 3, 9, 12, 0 },  /* PMCR_EL0 */
	{ 3, 3, 9, 12, 1 },  /* PMCNTENSET_EL0 */
	{ 3, 3, 9, 13, 0 },  /* PMCCNTR_EL0 */
	{ 3, 3, 9, 14, 0 },  /* PMUSERENR_EL0 */
	{ 3, 3, 9, 12, 5 },  /* PMSELR_EL0 */
	{ 3, 3, 14, 8, 3 },  /* PMEVCNTR3_EL0 */
	{ 3, 3, 14, 15, 7 }, /* PMCCFILTR_EL0 */
	{ 3, 0, 9, 14, 1 },  /* PMINTENSET_EL1 */
	{ 3, 0, 12, 11, 5 }, /* ICC_SGI1R_EL1 */
	{ 3, 0, 12, 11, 6 }, /* ICC_ASGI1R_EL1 */
	{ 3, 0, 12, 11, 7 }, /* ICC_SGI0R_EL1 */
	{ 3, 3, 14, 2, 1 },  /* CNTP_CTL_EL0 */
	{ 3, 3, 14, 0, 1 },  /* CNTPCT_EL0 */
	{ 3, 0, 15, 0, 0 },  /* IMPLEMENTATION DEFINED */
	{ 3, 0, 1, 0, 1 },   /* ACTLR_EL1 (HCR_EL2.TACR) */
	{ 3, 0, 0, 0, 5 },   /* MPIDR_EL1 */
	{ 3, 3, 0, 0, 7 },   /* DCZID_EL0 */
	{ 3, 0, 5, 3, 0 },   /* ERRIDR_EL1 */
	{ 3, 0, 2, 1, 0 },   /* APIAKeyLo_EL1 (a key: HCR_EL2.APK) */
};

/* MSR to these would take the ground from under the fuzzer's feet (MMU, vectors, SP). */
static bool msr_forbidden(unsigned int op0, unsigned int op1, unsigned int crn, unsigned int crm,
			  unsigned int op2)
{
	if (op0 == 0)
		return crn == 1 || (crn == 2 && crm == 0 && (op2 == 2 || op2 == 3)) ||
		       (crn == 4 && op1 == 0 && op2 == 5); /* WFxT, WFE/WFI, SPSel */
	if (op0 != 3 || op1 != 0)
		return false;
	return crn == 1 || crn == 2 || crn == 10 || (crn == 4 && crm != 6) ||
	       (crn == 12 && crm == 0);
}

static void gen_sysreg(struct rng *r, unsigned int cpu, struct op *op)
{
	unsigned int op0, op1, crn, crm, op2, l, rt = (unsigned int)rnd(r, 32);

	do {
		if (one_in(r, 4)) {
			const uint32_t *t =
				trapped_sys[rnd(r, sizeof(trapped_sys) / sizeof(trapped_sys[0]))];

			op0 = t[0], op1 = t[1], crn = t[2], crm = t[3], op2 = t[4];
		} else {
			static const uint8_t op0_pick[8] = { 0, 1, 1, 2, 2, 3, 3, 3 };

			op0 = op0_pick[rnd(r, 8)];
			op1 = (unsigned int)rnd(r, 8), crn = (unsigned int)rnd(r, 16);
			crm = (unsigned int)rnd(r, 16), op2 = (unsigned int)rnd(r, 8);
		}
		l = op0 ? (unsigned int)rnd(r, 2) : 0;
	} while (!l && msr_forbidden(op0, op1, crn, crm, op2));
	op->insn = A64_SYS(l, op0, op1, crn, crm, op2, rt);
	fill_registers(r, cpu, op);
	if (op0 == 1 && rt != 31) /* DC, IC, AT, TLBI...: Xt may be an address */
		op->x[rt] = target(r, cpu, op->el, 64);
	if (op0 == 2 && one_in(r, 4))
		op->x[7] = X7_BACKDOOR | rnd(r, 0x2000);
	op->dest = l ? REG_BIT(rt) : 0;
	if (op0 == 0 && crn == 2) /* PAC hints and CHKFEAT write x16, x17, x30 */
		op->dest |= BIT(16) | BIT(17) | BIT(30);
	if (op0 == 2 && l && op1 == 3 && crn == 0 && crm == 1 && op2 == 0)
		op->dest |= 0x7f; /* MDCCSR_EL0: the backdoor, if x7 says so */
}

/* --- loads and stores --- */

/* A load or store of one of many shapes at @ea, Rn set so that it gets there. */
struct ldst {
	uint32_t insn;
	unsigned int rn;
	uint64_t offset;  /* EA = Rn + offset (before any writeback) */
	uint32_t dest;	  /* GPRs it may write */
	bool needs_align; /* exclusives, atomics: aligned or nothing happens but a fault */
};

static unsigned int pick_size(struct rng *r)
{
	return (unsigned int)rnd(r, 4);
}

static int64_t simm(struct rng *r, unsigned int bits)
{
	return (int64_t)rnd(r, 1UL << bits) - (int64_t)(1UL << (bits - 1));
}

static void ld_unsigned(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int size = pick_size(r), opc = (unsigned int)rnd(r, 4), v = one_in(r, 6);
	unsigned int scale = v && (opc & 2) ? 4 : size;
	uint64_t imm = one_in(r, 2) ? rnd(r, 16) : rnd(r, 4096);

	l->insn = (size << 30) | 0x39000000U | (v << 26) | (opc << 22) | ((uint32_t)imm << 10) |
		  (l->rn << 5) | rt;
	l->offset = imm << scale;
	l->dest = !v && opc ? REG_BIT(rt) : 0;
}

static void ld_imm9(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int size = pick_size(r), opc = (unsigned int)rnd(r, 4), v = one_in(r, 6);
	unsigned int idx = (unsigned int)rnd(r, 4); /* unscaled, post, unprivileged, pre */
	int64_t imm = simm(r, 9);

	l->insn = (size << 30) | 0x38000000U | (v << 26) | (opc << 22) |
		  (((uint32_t)imm & 0x1ff) << 12) | (idx << 10) | (l->rn << 5) | rt;
	l->offset = idx == 1 ? 0 : (uint64_t)imm;
	l->dest = (!v && opc ? REG_BIT(rt) : 0) | (idx & 1 ? REG_BIT(l->rn) : 0);
}

static uint64_t extend(uint64_t v, unsigned int option)
{
	switch (option) {
	case 2:
		return (uint32_t)v;
	case 6:
		return (uint64_t)(int64_t)(int32_t)v;
	default:
		return v;
	}
}

/* Register offset: EA = Rn + extend(Rm) << S; Rm's value is chosen here. */
static void ld_regoff(struct rng *r, struct ldst *l, unsigned int rt, struct op *op)
{
	static const uint8_t options[4] = { 2, 3, 6, 7 };
	unsigned int size = pick_size(r), opc = (unsigned int)rnd(r, 4), v = one_in(r, 6);
	unsigned int option = options[rnd(r, 4)], s = (unsigned int)rnd(r, 2);
	unsigned int rm = (unsigned int)rnd(r, 31), scale = v && (opc & 2) ? 4 : size;
	uint64_t xm = one_in(r, 2) ? rnd(r, 64) : (uint64_t)simm(r, 12);

	op->x[rm] = xm;
	l->insn = (size << 30) | 0x38200800U | (v << 26) | (opc << 22) | (rm << 16) |
		  (option << 13) | (s << 12) | (l->rn << 5) | rt;
	l->offset = extend(xm, option) << (s ? scale : 0);
	l->dest = !v && opc ? REG_BIT(rt) : 0;
	if (rm == l->rn)
		l->rn = 32; /* Rn is Rm: no base to solve for, the caller rerolls */
}

static void ld_pair(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int opc = (unsigned int)rnd(r, 4), idx = (unsigned int)rnd(r, 4);
	unsigned int ld = (unsigned int)rnd(r, 2), v = one_in(r, 5), rt2 = (unsigned int)rnd(r, 32);
	unsigned int scale = v ? 2 + opc : (opc & 2 ? 3 : 2);
	int64_t imm = simm(r, 7);

	l->insn = (opc << 30) | 0x28000000U | (v << 26) | (idx << 23) | (ld << 22) |
		  (((uint32_t)imm & 0x7f) << 15) | (rt2 << 10) | (l->rn << 5) | rt;
	l->offset = idx == 1 ? 0 : (uint64_t)(imm * (1L << (scale > 4 ? 4 : scale)));
	l->dest = (!v && ld ? REG_BIT(rt) | REG_BIT(rt2) : 0) | (idx & 1 ? REG_BIT(l->rn) : 0);
}

/* Load/store exclusive, acquire/release, and (with LSE) compare-and-swap: one encoding group. */
static void ld_exclusive(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int size = pick_size(r), bits = (unsigned int)rnd(r, 16);
	unsigned int rs = (unsigned int)rnd(r, 32),
		     rt2 = one_in(r, 2) ? 31 : (unsigned int)rnd(r, 32);

	l->insn = (size << 30) | 0x08000000U | ((bits >> 3 & 1) << 23) | ((bits >> 2 & 1) << 22) |
		  ((bits >> 1 & 1) << 21) | (rs << 16) | ((bits & 1) << 15) | (rt2 << 10) |
		  (l->rn << 5) | rt;
	l->offset = 0;
	l->dest =
		REG_BIT(rt) | REG_BIT(rt2) | REG_BIT(rs) | (REG_BIT(rs) << 1) | (REG_BIT(rt) << 1);
	l->needs_align = true;
}

static void ld_atomic(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int size = pick_size(r), ar = (unsigned int)rnd(r, 4);
	unsigned int rs = (unsigned int)rnd(r, 32), o3 = one_in(r, 4),
		     opc = (unsigned int)rnd(r, 8);

	l->insn = (size << 30) | 0x38200000U | (ar << 22) | (rs << 16) | (o3 << 15) | (opc << 12) |
		  (l->rn << 5) | rt;
	l->offset = 0;
	l->dest = REG_BIT(rt);
	l->needs_align = true;
}

/* LDAPUR/STLUR (RCpc, immediate). */
static void ld_rcpc(struct rng *r, struct ldst *l, unsigned int rt)
{
	unsigned int size = pick_size(r), opc = (unsigned int)rnd(r, 4);
	int64_t imm = simm(r, 9);

	l->insn = (size << 30) | 0x19000000U | (opc << 22) | (((uint32_t)imm & 0x1ff) << 12) |
		  (l->rn << 5) | rt;
	l->offset = (uint64_t)imm;
	l->dest = opc ? REG_BIT(rt) : 0;
}

/* LD1-LD4 / ST1-ST4 (multiple structures, no offset): up to 64 bytes. */
static void ld_simd_multi(struct rng *r, struct ldst *l, unsigned int rt)
{
	static const uint8_t opcodes[] = { 0x0, 0x2, 0x4, 0x6, 0x7, 0x8, 0xa };
	unsigned int q = (unsigned int)rnd(r, 2), ld = (unsigned int)rnd(r, 2);
	unsigned int opcode = opcodes[rnd(r, sizeof(opcodes))], size = pick_size(r);

	l->insn = 0x0c000000U | (q << 30) | (ld << 22) | (opcode << 12) | (size << 10) |
		  (l->rn << 5) | rt;
	l->offset = 0;
	l->dest = 0;
}

static void dc_by_va(struct rng *r, struct op *op, unsigned int cpu)
{
	static const uint8_t ops[][3] = {
		{ 3, 4, 1 },  /* DC ZVA */
		{ 3, 14, 1 }, /* DC CIVAC */
		{ 3, 10, 1 }, /* DC CVAC */
		{ 3, 11, 1 }, /* DC CVAU */
		{ 3, 12, 1 }, /* DC CVAP */
		{ 3, 13, 1 }, /* DC CVADP */
		{ 3, 5, 1 },  /* IC IVAU */
		{ 0, 6, 1 },  /* DC IVAC */
		{ 3, 4, 3 },  /* DC GVA */
		{ 3, 4, 4 },  /* DC GZVA */
	};
	const uint8_t *o = ops[rnd(r, sizeof(ops) / sizeof(ops[0]))];
	unsigned int rt = (unsigned int)rnd(r, 31);
	uint64_t a;

	do
		a = target(r, cpu, op->el, 64);
	while (op->el && protected(cpu, a & ~(ZVA_SPAN - 1UL), ZVA_SPAN));
	op->insn = A64_SYS(0, 1, o[0], 7, o[1], o[2], rt);
	op->x[rt] = a;
	op->dest = 0;
}

/* LDR (literal): reads near its own slot, never writes. */
static void ld_literal(struct rng *r, struct op *op)
{
	unsigned int opc = (unsigned int)rnd(r, 4), v = one_in(r, 4), rt = (unsigned int)rnd(r, 32);
	int64_t imm = simm(r, 9);

	op->insn = (opc << 30) | 0x18000000U | (v << 26) | (((uint32_t)imm & 0x7ffff) << 5) | rt;
	op->dest = !v && opc != 3 ? REG_BIT(rt) : 0;
}

static void gen_ldst(struct rng *r, unsigned int cpu, struct op *op)
{
	fill_registers(r, cpu, op);
	for (;;) {
		struct ldst l = { .rn = (unsigned int)rnd(r, 32) };
		unsigned int rt = (unsigned int)rnd(r, 32), form = (unsigned int)rnd(r, 10);
		uint64_t ea;

		switch (form) {
		case 0:
			ld_unsigned(r, &l, rt);
			break;
		case 1:
			ld_imm9(r, &l, rt);
			break;
		case 2:
			ld_regoff(r, &l, rt, op);
			break;
		case 3:
			ld_pair(r, &l, rt);
			break;
		case 4:
			ld_exclusive(r, &l, rt);
			break;
		case 5:
			if (!feat.lse)
				continue;
			ld_atomic(r, &l, rt);
			break;
		case 6:
			ld_rcpc(r, &l, rt);
			break;
		case 7:
			ld_simd_multi(r, &l, rt);
			break;
		case 8:
			dc_by_va(r, op, cpu);
			return;
		default:
			ld_literal(r, op);
			return;
		}
		if (l.rn > 31)
			continue;
		ea = target(r, cpu, op->el, l.needs_align && !one_in(r, 4) ? 16 : 1);
		if (op->el && protected(cpu, ea, ACCESS_SPAN))
			continue;
		set_reg(op, l.rn, ea - l.offset);
		op->insn = l.insn;
		op->dest = l.dest;
		return;
	}
}

/* --- the backdoor with random registers --- */

static void gen_backdoor(struct rng *r, unsigned int cpu, struct op *op)
{
	static const uint16_t cmds[] = { 1, 10, 23, 30, 45, 46, 55, 0, 2, 0xffff };
	unsigned int rt = one_in(r, 5) ? (unsigned int)rnd(r, 32) : 31;

	fill_registers(r, cpu, op);
	op->insn = A64_SYS(1, 2, 3, 0, 1, 0, rt); /* mrs Xt, mdccsr_el0 */
	if (!one_in(r, 5))
		op->x[0] = 0x564d5868 | (one_in(r, 10) ? rng_next(r) << 32 : 0);
	op->x[2] = one_in(r, 4) ? rng_next(r) : cmds[rnd(r, sizeof(cmds) / 2)];
	if ((uint16_t)op->x[2] == 30)
		op->x[2] = 30 | (rnd(r, 8) << 16); /* a message call of some type */
	op->x[3] = (one_in(r, 4)   ? rng_next(r)
		    : one_in(r, 4) ? 0x5659
				   : 0x5658) |
		   (rnd(r, 6) << 16);
	op->x[7] = one_in(r, 8) ? rng_next(r) : X7_BACKDOOR | (one_in(r, 3) ? rnd(r, 0x2000) : 0xe);
	op->dest = 0x7f | REG_BIT(rt);
}

/* --- the interrupt controller --- */

static const uint16_t gicd_regs[] = {
	0x0000, 0x0004, 0x0008, 0x0080, 0x0084, 0x0100, 0x0104, 0x0108, 0x0180, 0x0184,
	0x0200, 0x0204, 0x0280, 0x0284, 0x0300, 0x0304, 0x0380, 0x0384, 0x0400, 0x0420,
	0x045c, 0x0800, 0x0820, 0x0c00, 0x0c04, 0x0c08, 0x0f00, 0x0f10, 0x0f1c, 0x0f20,
	0x0f2c, 0x6100, 0x6108, 0x6200, 0x6304, 0xffe8, 0xfffc,
};
static const uint32_t gicr_regs[] = {
	0x00000, 0x00004, 0x00008, 0x0000c, 0x00014, 0x0ffe8, 0x10080, 0x10100, 0x10180,
	0x10200, 0x10280, 0x10300, 0x10380, 0x10400, 0x10418, 0x10c00, 0x10c04,
};

/* A load or store of @size (0-3: 1-8 bytes, 4: a pair) at @ea with the value in a register. */
static void access_at(struct rng *r, struct op *op, uint64_t ea, unsigned int size, bool store)
{
	unsigned int rn = (unsigned int)rnd(r, 31), rt = (unsigned int)rnd(r, 31);

	if (rt == rn)
		rt = (rt + 1) % 31;
	if (size == 4) {
		unsigned int rt2 = (rt + 1 + (unsigned int)rnd(r, 29)) % 31;

		if (rt2 == rn)
			rt2 = (rt2 + 1) % 31;
		op->insn = (2U << 30) | 0x29000000U | (!store << 22) | (rt2 << 10) | (rn << 5) | rt;
		op->dest = store ? 0 : REG_BIT(rt) | REG_BIT(rt2);
	} else {
		op->insn = (size << 30) | 0x39000000U | (!store << 22) | (rn << 5) | rt;
		op->dest = store ? 0 : REG_BIT(rt);
	}
	op->x[rn] = ea;
}

static uint64_t gic_value(struct rng *r)
{
	switch (rnd(r, 5)) {
	case 0:
		return ~0UL;
	case 1:
		return 1UL << rnd(r, 64);
	case 2:
		return rnd(r, 0x100);
	default:
		return rng_next(r);
	}
}

static void gen_gic(struct rng *r, unsigned int cpu, struct op *op)
{
	uint64_t base = one_in(r, 4) ? VA_NORMAL_DEV : 0, ea;
	unsigned int size = (unsigned int)rnd(r, 5);

	fill_registers(r, cpu, op);
	if (feat.gic == 3 && one_in(r, 2))
		ea = base + 0x080a0000 + 0x20000UL * rnd(r, feat.nvcpus + 1) +
		     gicr_regs[rnd(r, sizeof(gicr_regs) / sizeof(gicr_regs[0]))];
	else
		ea = base + 0x08000000 + gicd_regs[rnd(r, sizeof(gicd_regs) / 2)];
	if (one_in(r, 3))
		ea += rnd(r, 4) * 4; /* a neighbour in the bank */
	if (one_in(r, 5))
		ea += 1 + rnd(r, 7); /* partial, unaligned */
	access_at(r, op, ea, size, one_in(r, 3) ? false : true);
	for (unsigned int i = 0; i < 31; i++)
		if (!(op->dest >> i & 1) && op->x[i] != ea && one_in(r, 2))
			op->x[i] = gic_value(r);
}

static void gen_sgi(struct rng *r, unsigned int cpu, struct op *op)
{
	unsigned int rt = (unsigned int)rnd(r, 31);
	uint64_t v, ea;

	fill_registers(r, cpu, op);
	if (feat.gic == 3 && !one_in(r, 8)) {
		v = (rnd(r, 16) << 24) | rnd(r, 1UL << (feat.nvcpus + 1));
		if (one_in(r, 5))
			v |= 1UL << 40; /* IRM: everyone but me */
		if (one_in(r, 10))
			v |= rnd(r, 256) << 16; /* Aff1 */
		if (one_in(r, 10))
			v |= rnd(r, 16) << 44; /* RS */
		if (one_in(r, 20))
			v |= rng_next(r) & ~0xffffUL;
		op->x[rt] = v;
		op->insn = A64_SYS(0, 3, 0, 12, 11, one_in(r, 6) ? 6 : 5, rt);
		op->dest = 0;
		return;
	}
	v = (rnd(r, 4) << 24) | (rnd(r, 256) << 16) | rnd(r, 16);
	if (one_in(r, 10))
		v |= rng_next(r);
	ea = 0x08000f00 + (one_in(r, 6) ? rnd(r, 0x30) : 0);
	access_at(r, op, ea, one_in(r, 5) ? pick_size(r) : 2, true);
	for (unsigned int i = 0; i < 31; i++)
		if (op->x[i] != ea && one_in(r, 2))
			op->x[i] = v;
}

/* --- the timers --- */

static void gen_timer(struct rng *r, unsigned int cpu, struct op *op)
{
	static const uint8_t regs[][5] = {
		{ 3, 3, 14, 3, 1 }, /* CNTV_CTL_EL0 */
		{ 3, 3, 14, 3, 2 }, /* CNTV_CVAL_EL0 */
		{ 3, 3, 14, 3, 0 }, /* CNTV_TVAL_EL0 */
		{ 3, 3, 14, 2, 1 }, /* CNTP_CTL_EL0 */
		{ 3, 3, 14, 2, 2 }, /* CNTP_CVAL_EL0 */
		{ 3, 3, 14, 2, 0 }, /* CNTP_TVAL_EL0 */
		{ 3, 3, 14, 0, 1 }, /* CNTPCT_EL0 */
		{ 3, 3, 14, 0, 2 }, /* CNTVCT_EL0 */
		{ 3, 3, 14, 0, 5 }, /* CNTPCTSS_EL0 */
		{ 3, 3, 14, 0, 6 }, /* CNTVCTSS_EL0 */
		{ 3, 0, 14, 1, 0 }, /* CNTKCTL_EL1 */
		{ 3, 3, 14, 0, 0 }, /* CNTFRQ_EL0 */
		{ 3, 5, 14, 2, 1 }, /* CNTP_CTL_EL02 */
		{ 3, 4, 14, 2, 1 }, /* CNTHP_CTL_EL2 */
	};
	const uint8_t *t = regs[rnd(r, sizeof(regs) / sizeof(regs[0]))];
	unsigned int rt = (unsigned int)rnd(r, 32), l = one_in(r, 3);
	uint64_t now = read_vcounter();

	fill_registers(r, cpu, op);
	if (rt < 31) {
		switch (rnd(r, 4)) {
		case 0:
			op->x[rt] = rnd(r, 8);
			break;
		case 1:
			op->x[rt] = now + rnd(r, 100000);
			break;
		case 2:
			op->x[rt] = (uint64_t)simm(r, 32);
			break;
		default:
			break;
		}
	}
	op->insn = A64_SYS(l, t[0], t[1], t[2], t[3], t[4], rt);
	op->dest = l ? REG_BIT(rt) : 0;
}

/* --- calls: HVC, SMC, SVC, BRK, HLT, DCPS, UDF --- */

extern void secondary_start(void);

/* PSCI calls that would end the VM, move a vCPU somewhere random or turn it off. */
static uint64_t sanitize_fid(uint64_t x0)
{
	static const uint8_t dangerous[] = { 2, 3, 5, 8, 9, 0xb, 0xc, 0xe, 0x12, 0x13 };
	uint32_t low = (uint32_t)x0;

	if ((low & 0xbfffffe0U) != 0x84000000U)
		return x0;
	for (unsigned int i = 0; i < sizeof(dangerous); i++)
		if ((low & 0x1f) == dangerous[i])
			return (x0 & ~0xffffffffUL) | 0x84000000U; /* PSCI_VERSION */
	return x0;
}

static uint64_t random_fid(struct rng *r)
{
	static const uint32_t known[] = { 0x84000000, 0x8400000a, 0x80000000, 0x80000001,
					  0x84000004, 0xc4000004, 0x84000006, 0x84000001,
					  0xc4000001, 0x80008000, 0x80007fff, 0x8400000d };
	uint64_t fid;

	switch (rnd(r, 5)) {
	case 0:
		fid = (one_in(r, 2) ? 0x84000000U : 0xc4000000U) | rnd(r, 0x20);
		break;
	case 1:
		fid = 0x80000000U | (one_in(r, 2) ? rnd(r, 0x10) : rnd(r, 0x10000));
		break;
	case 2:
		fid = known[rnd(r, sizeof(known) / sizeof(known[0]))];
		break;
	default:
		fid = (uint32_t)rng_next(r);
		break;
	}
	if (one_in(r, 5))
		fid |= rng_next(r) << 32; /* SMCCC: only w0 counts */
	return sanitize_fid(fid);
}

static void gen_call(struct rng *r, unsigned int cpu, struct op *op)
{
	unsigned int imm = one_in(r, 3) ? (unsigned int)rnd(r, 0x10000) : 0;

	fill_registers(r, cpu, op);
	op->x[0] = random_fid(r);
	op->dest = 0;
	op->arm_timer = 1; /* CPU_SUSPEND waits like WFI */
	op->arg = rnd(r, 20000);
	switch (rnd(r, 12)) {
	case 0:
		op->insn = 0xd4000003U | (imm << 5); /* SMC */
		op->dest = 0xf;
		break;
	case 1:
		if (imm == RET_IMM || imm == BAD_IMM)
			imm = 0;
		op->insn = 0xd4000001U | (imm << 5); /* SVC */
		break;
	case 2:
		op->insn = 0xd4200000U | (imm << 5); /* BRK */
		break;
	case 3:
		op->insn = 0xd4400000U | (imm << 5); /* HLT */
		break;
	case 4:
		op->insn = 0xd4a00001U | (imm << 5) | (unsigned int)rnd(r, 3); /* DCPS1-3 */
		break;
	case 5:
		op->insn = imm; /* UDF #imm */
		break;
	default:
		op->insn = 0xd4000002U | ((one_in(r, 4) ? imm : 0) << 5); /* HVC */
		op->dest = 0xf;
		break;
	}
	if (((uint32_t)op->x[0] & 0xbfffffffU) == 0x84000001U) { /* CPU_SUSPEND */
		op->x[2] = (uint64_t)secondary_start;
		op->x[3] = cpu;
		if (!cpu)
			op->x[1] &= ~((1UL << 16) | (1UL << 30)); /* vCPU 0: standby only */
	}
}

/* --- WFI, WFE and friends --- */

static void gen_wfx(struct rng *r, unsigned int cpu, struct op *op)
{
	static const uint32_t insns[] = { 0xd503207fU, 0xd503207fU, 0xd503205fU,
					  0xd503203fU, 0xd503209fU, 0xd50320bfU };
	unsigned int rt = (unsigned int)rnd(r, 31);

	fill_registers(r, cpu, op);
	op->arm_timer = 1;
	op->arg = one_in(r, 4) ? 0 : rnd(r, 62500); /* up to 1 ms at 62.5 MHz */
	op->dest = 0;
	if (one_in(r, 8)) {
		/* WFIT/WFET (FEAT_WFxT) with a deadline in Xt, UNDEF without it. */
		op->insn = 0xd5031000U | (one_in(r, 2) ? 0x20U : 0) | rt;
		op->x[rt] = read_vcounter() + rnd(r, 62500);
		return;
	}
	op->insn = insns[rnd(r, sizeof(insns) / sizeof(insns[0]))];
}

/* --- loads through page tables Skiff has to find at MMIO or unbacked IPAs --- */

static void gen_walk(struct rng *r, unsigned int cpu, struct op *op)
{
	static const uint64_t tables[] = { 0x08000000, 0x080a0000, 0x09000000,	  0x09010000,
					   0x00000000, 0x0c000000, 0x100000000UL, LAZY };
	unsigned int rn = (unsigned int)rnd(r, 31), rt = (unsigned int)rnd(r, 31);

	fill_registers(r, cpu, op);
	op->walk = 1;
	op->walk_table = tables[rnd(r, sizeof(tables) / sizeof(tables[0]))] + rnd(r, 16) * PAGE;
	op->x[rn] = VA_TTBR1 + (rng_next(r) & ((1UL << 39) - 8));
	op->insn = (3U << 30) | 0x39400000U | (rn << 5) | rt; /* ldr Xt, [Xn] */
	op->dest = REG_BIT(rt);
}

/* --- Thumb at AArch32 EL0 --- */

static uint16_t low_reg(struct rng *r)
{
	return (uint16_t)rnd(r, 8);
}

static void t32_one(struct op *op, uint16_t a)
{
	op->t32_insn[0] = a;
	op->t32_len = 2;
}

static void t32_two(struct op *op, uint16_t a, uint16_t b)
{
	op->t32_insn[0] = a;
	op->t32_insn[1] = b;
	op->t32_len = 4;
}

/* One Thumb instruction at a low-register address; returns the registers it may write. */
static uint32_t t32_insn(struct rng *r, unsigned int cpu, struct op *op)
{
	uint16_t rn = low_reg(r), rt = low_reg(r), rm = low_reg(r), rt2 = low_reg(r);
	unsigned int kind = (unsigned int)rnd(r, 11);

	op->x[rn] = target32(r, cpu, one_in(r, 2) ? 4 : 1);
	switch (kind) {
	case 0: /* LDR/STR{,B,H} (immediate, 16-bit) */
		t32_one(op, (uint16_t)((0x6000 + 0x1000 * rnd(r, 3)) | (rnd(r, 2) << 11) |
				       (rnd(r, 32) << 6) | (rn << 3) | rt));
		return BIT(rt);
	case 1: /* LDR/STR (register, 16-bit) */
		if (rm == rn)
			rm = (rm + 1) % 8;
		op->x[rm] = rnd(r, 16);
		t32_one(op, (uint16_t)(0x5000 | (rnd(r, 8) << 9) | (rm << 6) | (rn << 3) | rt));
		return BIT(rt);
	case 2: /* LDR/STR{,B,H}.W (imm12) */
		t32_two(op, (uint16_t)(0xf880 | (rnd(r, 3) << 5) | (rnd(r, 2) << 4) | rn),
			(uint16_t)((rt << 12) | rnd(r, 64)));
		return BIT(rt);
	case 3: /* LDRD/STRD (immediate) */
		t32_two(op, (uint16_t)(0xe9c0 | (rnd(r, 2) << 4) | rn),
			(uint16_t)((rt << 12) | (rt2 << 8) | rnd(r, 16)));
		return BIT(rt) | BIT(rt2);
	case 4: /* LDREX / STREX */
		if (one_in(r, 2))
			t32_two(op, (uint16_t)(0xe850 | rn), (uint16_t)((rt << 12) | 0xf00));
		else
			t32_two(op, (uint16_t)(0xe840 | rn), (uint16_t)((rt << 12) | (rt2 << 8)));
		return BIT(rt) | BIT(rt2);
	case 5: /* LDA / STL */
		t32_two(op, (uint16_t)((one_in(r, 2) ? 0xe8d0 : 0xe8c0) | rn),
			(uint16_t)((rt << 12) | 0xfaf));
		return BIT(rt);
	case 6: /* MRC/MCR p15 or p14, any registers */
		t32_two(op, (uint16_t)(0xee00 | (rnd(r, 8) << 5) | (rnd(r, 2) << 4) | rnd(r, 16)),
			(uint16_t)((rt << 12) | ((one_in(r, 3) ? 14 : 15) << 8) | (rnd(r, 8) << 5) |
				   0x10 | rnd(r, 16)));
		return BIT(rt);
	case 7: /* MRRC/MCRR p15 (the counters and timers: CRm 14), any */
		t32_two(op, (uint16_t)(0xec40 | (rnd(r, 2) << 4) | rt2),
			(uint16_t)((rt << 12) | (15 << 8) | (rnd(r, 4) << 4) |
				   (one_in(r, 2) ? 14 : rnd(r, 16))));
		return BIT(rt) | BIT(rt2);
	case 8: /* LDM/STM (32-bit), low registers */
		t32_two(op, (uint16_t)((one_in(r, 2) ? 0xe890 : 0xe880) | (rnd(r, 2) << 5) | rn),
			(uint16_t)(1 + rnd(r, 0xff)));
		return 0xff;
	case 9: /* WFI, WFE, YIELD, SEV, NOP */
		op->arm_timer = 1;
		op->arg = rnd(r, 62500);
		t32_one(op, (uint16_t)(0xbf00 | (rnd(r, 5) << 4)));
		return 0;
	default: /* UDF, BKPT, SVC */
		t32_one(op, (uint16_t)((one_in(r, 2) ? 0xde00 : 0xbe00) | rnd(r, 256)));
		return 0;
	}
}

static void gen_t32(struct rng *r, unsigned int cpu, struct op *op)
{
	uint32_t dest;

	op->el = 0;
	op->t32 = 1;
	fill_registers(r, cpu, op);
	for (unsigned int i = 0; i < 15; i++)
		op->x[i] = (uint32_t)op->x[i];
	dest = t32_insn(r, cpu, op);
	/* Sometimes in an IT block: one conditional instruction. */
	if (one_in(r, 3) && op->t32_len <= 4) {
		op->t32_insn[2] = op->t32_insn[1];
		op->t32_insn[1] = op->t32_insn[0];
		op->t32_insn[0] = (uint16_t)(0xbf08 | (rnd(r, 14) << 4));
		op->t32_len += 2;
	}
	op->dest = dest | (0xffU << 8) | BIT(13) | BIT(14); /* writeback, banked SP/LR */
}

/* --- device registers of known value: a load of one has one right answer --- */

struct known_reg {
	uint64_t ipa;
	uint32_t value;
	uint8_t gic; /* 0: any VM; 2 or 3: that GIC version's only */
};

static const struct known_reg known_regs[] = {
	{ 0x08000008, 0x43b, 0 }, /* GICD_IIDR */
	{ 0x0800ffe8, 0x30, 3 },  /* GICD_PIDR2 */
	{ 0x08000fe8, 0x20, 2 },  /* GICD_PIDR2, GICv2 */
	{ 0x080a0004, 0x43b, 3 }, /* GICR_IIDR of vCPU 0 */
	{ 0x080affe8, 0x30, 3 },  /* GICR_PIDR2 of vCPU 0 */
	{ 0x09000fe0, 0x11, 0 },  { 0x09000fe4, 0x10, 0 }, { 0x09000fe8, 0x14, 0 },
	{ 0x09000fec, 0x00, 0 },  { 0x09000ff0, 0x0d, 0 }, { 0x09000ff4, 0xf0, 0 },
	{ 0x09000ff8, 0x05, 0 },  { 0x09000ffc, 0xb1, 0 }, /* PL011 PrimeCell IDs */
	{ 0x09010fe0, 0x31, 0 },  { 0x09010fe4, 0x10, 0 }, { 0x09010fe8, 0x04, 0 },
	{ 0x09010fec, 0x00, 0 },  { 0x09010ff0, 0x0d, 0 }, { 0x09010ff4, 0xf0, 0 },
	{ 0x09010ff8, 0x05, 0 },  { 0x09010ffc, 0xb1, 0 }, /* PL031 PrimeCell IDs */
};

static uint64_t sign_extend(uint64_t v, unsigned int bits, unsigned int to)
{
	uint64_t r = (v >> (bits - 1)) & 1 ? v | (~0UL << bits) : v;

	return to == 64 ? r : r & 0xffffffffUL;
}

/* The register's first @bytes bytes as a load of that width and order reads them. */
static uint64_t loaded(uint32_t value, unsigned int bytes, bool big_endian)
{
	uint64_t v = value & (bytes == 4 ? 0xffffffffUL : (1UL << (8 * bytes)) - 1);

	if (!big_endian || bytes == 1)
		return v;
	return bytes == 4 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap16((uint16_t)v);
}

/*
 * 32-bit loads only: these devices define their registers as 32 bits wide (the PL031
 * decodes nothing else, the GIC leaves other sizes unpredictable).
 */
static void known_a64(struct rng *r, struct op *op, uint64_t ea, uint32_t value)
{
	/* ldr wt, [xn] or ldrsw xt, [xn] */
	unsigned int opc = 1 + (unsigned int)rnd(r, 2), rn = (unsigned int)rnd(r, 31);
	unsigned int rt = (unsigned int)rnd(r, 31);
	uint64_t v = loaded(value, 4, op->big_endian);

	op->insn = (2U << 30) | 0x39000000U | (opc << 22) | (rn << 5) | rt;
	op->x[rn] = ea;
	op->dest = REG_BIT(rt);
	op->check_rt = (uint8_t)(rt + 1);
	op->expect = opc == 2 ? sign_extend(v, 32, 64) : v;
}

static void known_t32(struct rng *r, struct op *op, uint64_t ea, uint32_t value)
{
	unsigned int rn = (unsigned int)rnd(r, 8), rt = (unsigned int)rnd(r, 8);

	op->t32_insn[0] = (uint16_t)(0x6800 | (rn << 3) | rt); /* ldr rt, [rn] */
	op->t32_len = 2;
	op->x[rn] = ea;
	op->dest = BIT(rt);
	op->check_rt = (uint8_t)(rt + 1);
	op->expect = loaded(value, 4, op->big_endian);
}

static void gen_known(struct rng *r, unsigned int cpu, struct op *op)
{
	const struct known_reg *k;
	uint64_t ea;

	do
		k = &known_regs[rnd(r, sizeof(known_regs) / sizeof(known_regs[0]))];
	while (k->gic && k->gic != feat.gic);
	ea = k->ipa + (one_in(r, 3) ? VA_NORMAL_DEV : 0);
	fill_registers(r, cpu, op);
	op->arg = ea;
	op->big_endian = !op->el && one_in(r, 2);
	if (!op->el && feat.a32_el0 && (feat.classes & BIT(OP_T32)) && one_in(r, 2)) {
		op->t32 = 1;
		for (unsigned int i = 0; i < 15; i++)
			op->x[i] = (uint32_t)op->x[i];
		known_t32(r, op, ea, k->value);
	} else {
		known_a64(r, op, ea, k->value);
	}
}

/* --- the operation mix --- */

static const uint8_t weights[OP_KINDS] = {
	[OP_SYSREG] = 16, [OP_LDST] = 30, [OP_BACKDOOR] = 5, [OP_GIC] = 10, [OP_SGI] = 5,
	[OP_TIMER] = 6,	  [OP_CALL] = 6,  [OP_WFX] = 2,	     [OP_WALK] = 2, [OP_T32] = 6,
	[OP_KNOWN] = 4,	  [OP_PSCI] = 2,  [OP_RPC] = 2,
};

static bool kind_enabled(unsigned int k)
{
	if (!(feat.classes & BIT(k)))
		return false;
	if (k == OP_T32)
		return feat.a32_el0;
	return true;
}

static unsigned int pick_kind(struct rng *r)
{
	unsigned int total = 0, pick;

	for (unsigned int k = 0; k < OP_KINDS; k++)
		if (kind_enabled(k))
			total += weights[k];
	if (!total)
		return OP_SYSREG;
	pick = (unsigned int)rnd(r, total);
	for (unsigned int k = 0; k < OP_KINDS; k++) {
		if (!kind_enabled(k))
			continue;
		if (pick < weights[k])
			return k;
		pick -= weights[k];
	}
	return OP_SYSREG;
}

void gen_op(struct rng *r, unsigned int cpu, struct op *op)
{
	unsigned int kind = pick_kind(r);

	*op = (struct op){ .kind = (uint8_t)kind, .el = (uint8_t)!one_in(r, 4) };
	op->unmask = one_in(r, 10);
	switch (kind) {
	case OP_SYSREG:
		gen_sysreg(r, cpu, op);
		break;
	case OP_LDST:
		gen_ldst(r, cpu, op);
		break;
	case OP_BACKDOOR:
		gen_backdoor(r, cpu, op);
		break;
	case OP_GIC:
		op->el = 1;
		gen_gic(r, cpu, op);
		break;
	case OP_SGI:
		op->el = !one_in(r, 10);
		gen_sgi(r, cpu, op);
		break;
	case OP_TIMER:
		gen_timer(r, cpu, op);
		break;
	case OP_CALL:
		gen_call(r, cpu, op);
		break;
	case OP_WFX:
		gen_wfx(r, cpu, op);
		break;
	case OP_WALK:
		op->el = 1;
		gen_walk(r, cpu, op);
		break;
	case OP_T32:
		gen_t32(r, cpu, op);
		break;
	case OP_KNOWN:
		gen_known(r, cpu, op);
		break;
	default:
		/* PSCI and RPC: C operations, their choices made when they run. */
		op->arg = rng_next(r);
		break;
	}
}
