// SPDX-License-Identifier: MIT
/*
 * The virtual GIC (vdev/vgic.c) of either version on the fake architecture
 * (tests/unit/fake_arch.c, with list registers per vCPU faked here), fed guest
 * register accesses of any offset, size and value through the VM's MMIO bus,
 * mixed with what devices and the run loop do: line levels, injections, SGIs
 * sent through ICC_SGI1R_EL1, list registers filled before an entry, the guest
 * acknowledging and deactivating what they hold, read back after an exit,
 * maintenance interrupts, a vCPU waiting in WFI, a VM reset.
 *
 * The checks use the GIC architecture's register map, written here from the
 * specification (docs/vgic.md says which registers are implemented), not the
 * vGIC's tables. After each access: one the architecture does not permit (a
 * size the register does not take, unaligned) or one of a register not
 * implemented reads as zero and changes nothing; a read changes nothing, and
 * reads each field it covers as the interrupt state says (zero for an INTID
 * the frame does not hold: the GICv3 distributor's INTIDs 0-31, anything past
 * the implemented SPIs, a write-only register); a write changes only the
 * fields of the INTIDs its bytes cover, in the bank the frame holds (the
 * redistributor's SGI frame: its vCPU's INTIDs 0-31 and never an SPI; the
 * GICv3 distributor: SPIs and never an SGI or PPI; a GICv2 distributor: the
 * accessing vCPU's bank and the SPIs; GICD_SGIR: that SGI of the vCPUs it
 * names), only the field that register holds, and to the value written (set
 * and clear registers, priorities, triggers, routes, SGI sources).
 *
 * After every operation: each vCPU's ready set equals what is deliverable to
 * it recomputed from scratch; every SPI's target is a vCPU of the VM and the
 * one its route names; an interrupt is in a list register exactly when it is
 * marked so, and in one at most; list registers hold what their interrupt
 * says (INTID, group, priority); a vCPU with a deliverable interrupt is not
 * left waiting (it is not blocked, and it will look at its interrupts before
 * the next entry, or its list registers are full and the maintenance
 * interrupt is asked for); a flush fills list registers highest priority
 * first; at most one line is logged per VM however many bad accesses.
 *
 * Input: a setup byte (bit 0: GICv2, else GICv3; bits 1-3: vCPUs - 1; bits
 * 4-7: list registers - 1), then operations: a byte (low 4 bits: which; high
 * 4: the vCPU doing it, modulo the vCPUs) and its arguments, see run_op().
 */
#include <stdarg.h>

#include "board/layout.h"
#include "core/ipi.h"
#include "core/mmio.h"
#include "core/sched.h"
#include "core/vm.h"
#include "fake_arch.h"
#include "fuzz.h"
#include "vdev/vgic.h"

#define NR_IRQS	     VGIC_NR_IRQS
#define LR_STATE(lr) ((unsigned int)((lr) >> 62))
#define LR_PENDING   1U
#define LR_ACTIVE    2U
#define LR_INTID(lr) ((unsigned int)((lr)&0x3ff))
#define LR_PRIO(lr)  ((unsigned int)((lr) >> 48) & 0xff)
#define LR_GROUP1    (1UL << 60)
#define SGI_FRAME    0x10000UL
#define FRAME_SIZE   0x10000UL

/* --- the hardware's list registers, one set per vCPU (saved and restored with it) --- */

static unsigned int version, nr_lrs;
static unsigned int current; /* the vCPU on the CPU: whose list registers the arch calls use */
static uint64_t hw_lr[VM_MAX_VCPUS][VGIC_MAX_LRS];

unsigned int arch_vgic_version(void)
{
	return version;
}

unsigned int arch_vgic_nr_lrs(void)
{
	return nr_lrs;
}

void arch_vgic_write_lrs(const uint64_t *lr, uint32_t mask)
{
	FUZZ_CHECK(!(mask >> nr_lrs), "list registers 0x%x written, %u exist", mask, nr_lrs);
	for (unsigned int i = 0; i < nr_lrs; i++)
		if (mask & (1U << i))
			hw_lr[current][i] = lr[i];
}

void arch_vgic_read_lrs(uint64_t *lr, uint32_t mask)
{
	FUZZ_CHECK(!(mask >> nr_lrs), "list registers 0x%x read, %u exist", mask, nr_lrs);
	for (unsigned int i = 0; i < nr_lrs; i++)
		if (mask & (1U << i))
			lr[i] = hw_lr[current][i];
}

void arch_vgic_set_underflow_irq(struct vcpu *vcpu, bool on)
{
	vcpu->vgic.underflow_irq = on;
}

paddr_t arch_vgic_cpuif_base(void)
{
	return pa_init(0x08040000);
}

int arch_stage2_map_device(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size)
{
	(void)s2;
	(void)ipa;
	(void)pa;
	(void)size;
	return 0;
}

/* The scheduler: a kicked vCPU waiting in WFI runs again. */
void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
}

/* --- the VM --- */

static struct vm vm;
static struct vm_config cfg;

static void vm_setup(unsigned int nvcpus)
{
	char err[128];

	/* What vgic.c uses of the VM (the rest of it, 170 KiB, stays zero). */
	memset(&vm.vgic, 0, sizeof(vm.vgic));
	memset(&vm.mmio, 0, sizeof(vm.mmio));
	memset(vm.vcpus, 0, sizeof(vm.vcpus));
	memset(hw_lr, 0, sizeof(hw_lr));
	fake_reset();
	cfg.vcpus = nvcpus;
	vm.config = &cfg;
	vm.nvcpus = nvcpus;
	strcpy(vm.name, "fuzz");
	guestlog_init(&vm.log, vm.name);
	for (unsigned int i = 0; i < nvcpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		vm.vcpus[i].mpidr = (1UL << 31) | i; /* as vm.c sets it */
		vm.vcpus[i].state = VCPU_RUNNABLE;
	}
	FUZZ_CHECK(!vgic_init(&vm, err, sizeof(err)), "vgic_init: %s", err);
}

FUZZ_ORACLE static struct vgic_irq *irq_at(unsigned int c, unsigned int intid)
{
	return intid < GIC_NR_PRIVATE ? &vm.vcpus[c].vgic.priv[intid]
				      : &vm.vgic.spi[intid - GIC_NR_PRIVATE];
}

/* --- the architecture's register map --- */

enum kind {
	K_GROUP,
	K_SETENABLE,
	K_CLRENABLE,
	K_SETPEND,
	K_CLRPEND,
	K_SETACT,
	K_CLRACT,
	K_PRIO,
	K_TARGETS,
	K_CFG,
	K_ROUTE,
	K_SGIR,
	K_CPENDSGI,
	K_SPENDSGI,
	K_CTLR,
	K_TYPER,
	K_IIDR,
	K_PIDR2,
	K_RD_TYPER,
	K_WAKER,
};

struct reg {
	uint32_t off, len; /* bytes */
	uint8_t bits;	   /* per INTID; 0: not a per-INTID register */
	uint8_t sizes;	   /* access sizes permitted, a bit per byte count */
	enum kind kind;
};

#define ARRAY(off, n, bits, sizes, kind)                 \
	{                                                \
		off, (n) * (bits) / 8, bits, sizes, kind \
	}
#define PLAIN(off, bytes, sizes, kind)     \
	{                                  \
		off, bytes, 0, sizes, kind \
	}
#define S1  1U
#define S4  4U
#define S8  8U
#define ALL 1024 /* INTIDs a distributor's arrays span */

#define IRQ_ARRAYS(n)                                                                   \
	ARRAY(0x080, n, 1, S4, K_GROUP), ARRAY(0x100, n, 1, S4, K_SETENABLE),           \
		ARRAY(0x180, n, 1, S4, K_CLRENABLE), ARRAY(0x200, n, 1, S4, K_SETPEND), \
		ARRAY(0x280, n, 1, S4, K_CLRPEND), ARRAY(0x300, n, 1, S4, K_SETACT),    \
		ARRAY(0x380, n, 1, S4, K_CLRACT), ARRAY(0x400, n, 8, S1 | S4, K_PRIO),  \
		ARRAY(0xc00, n, 2, S4, K_CFG)

static const struct reg v3_dist[] = {
	PLAIN(0x0000, 4, S4, K_CTLR),
	PLAIN(0x0004, 4, S4, K_TYPER),
	PLAIN(0x0008, 4, S4, K_IIDR),
	IRQ_ARRAYS(ALL),
	ARRAY(0x6000, ALL, 64, S4 | S8, K_ROUTE),
	PLAIN(0xffe8, 4, S4, K_PIDR2),
};

static const struct reg v2_dist[] = {
	PLAIN(0x000, 4, S4, K_CTLR),
	PLAIN(0x004, 4, S4, K_TYPER),
	PLAIN(0x008, 4, S4, K_IIDR),
	IRQ_ARRAYS(ALL),
	ARRAY(0x800, ALL, 8, S1 | S4, K_TARGETS),
	PLAIN(0xf00, 4, S4, K_SGIR),
	ARRAY(0xf10, GIC_NR_SGIS, 8, S1 | S4, K_CPENDSGI),
	ARRAY(0xf20, GIC_NR_SGIS, 8, S1 | S4, K_SPENDSGI),
	PLAIN(0xfe8, 4, S4, K_PIDR2),
};

static const struct reg rd_frame[] = {
	PLAIN(0x0004, 4, S4, K_IIDR),
	PLAIN(0x0008, 8, S4 | S8, K_RD_TYPER),
	PLAIN(0x0014, 4, S4, K_WAKER),
	PLAIN(0xffe8, 4, S4, K_PIDR2),
};

static const struct reg sgi_frame[] = { IRQ_ARRAYS(GIC_NR_PRIVATE) };

#define NREGS(a) (sizeof(a) / sizeof((a)[0]))

enum frame { F_DIST, F_RD, F_SGI };

/* One access as the harness sees it: which frame, whose bank, which register. */
struct acc {
	enum frame frame;
	unsigned int from, bank; /* the accessing vCPU; whose private INTIDs the frame holds */
	uint64_t off;		 /* in the frame */
	unsigned int size;
	const struct reg *reg; /* NULL: no register there */
	bool permitted;
	unsigned int first, count; /* a per-INTID register: the INTIDs the bytes cover */
};

FUZZ_ORACLE static const struct reg *find(const struct reg *regs, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (off >= regs[i].off && off - regs[i].off < regs[i].len)
			return &regs[i];
	return 0;
}

FUZZ_ORACLE static void decode(struct acc *a)
{
	const struct reg *r;

	if (a->frame == F_DIST)
		r = version == 2 ? find(v2_dist, NREGS(v2_dist), a->off)
				 : find(v3_dist, NREGS(v3_dist), a->off);
	else if (a->frame == F_RD)
		r = find(rd_frame, NREGS(rd_frame), a->off);
	else
		r = find(sgi_frame, NREGS(sgi_frame), a->off);
	a->reg = r;
	a->permitted = r && (r->sizes & a->size) && !(a->off % a->size) &&
		       a->off + a->size <= r->off + r->len;
	if (r && r->bits) {
		a->first = (unsigned int)((a->off - r->off) * 8 / r->bits);
		a->count = a->size * 8 >= r->bits ? a->size * 8 / r->bits : 1;
	} else {
		a->first = a->count = 0;
	}
}

/* Does the frame hold INTID @intid for this register (else its field is RAZ/WI)? */
FUZZ_ORACLE static bool holds(const struct acc *a, unsigned int intid)
{
	if (intid >= NR_IRQS)
		return false;
	switch (a->frame) {
	case F_SGI:
		return intid < GIC_NR_PRIVATE;
	case F_DIST:
		if (version == 3)
			return intid >= GIC_NR_PRIVATE; /* affinity routing: SPIs only */
		return a->reg->kind != K_CPENDSGI && a->reg->kind != K_SPENDSGI
			       ? true
			       : intid < GIC_NR_SGIS;
	default:
		return false;
	}
}

/* --- the interrupt state, before and after --- */

struct snapshot {
	struct vgic_irq spi[VGIC_NR_SPIS];
	struct vgic_irq priv[VM_MAX_VCPUS][GIC_NR_PRIVATE];
	uint64_t lr[VM_MAX_VCPUS][VGIC_MAX_LRS];
	uint32_t lr_used[VM_MAX_VCPUS];
	bool sleeping[VM_MAX_VCPUS];
	uint32_t ctlr;
};

static struct snapshot before;

FUZZ_ORACLE static void take(struct snapshot *s)
{
	memcpy(s->spi, vm.vgic.spi, sizeof(s->spi));
	for (unsigned int c = 0; c < vm.nvcpus; c++) {
		memcpy(s->priv[c], vm.vcpus[c].vgic.priv, sizeof(s->priv[c]));
		memcpy(s->lr[c], vm.vcpus[c].vgic.lr, sizeof(s->lr[c]));
		s->lr_used[c] = vm.vcpus[c].vgic.lr_used;
		s->sleeping[c] = vm.vcpus[c].vgic.sleeping;
	}
	s->ctlr = vm.vgic.ctlr;
}

/* Fields a register may change, a bit each. */
#define F_GROUP	  (1U << 0)
#define F_ENABLED (1U << 1)
#define F_PENDING (1U << 2)
#define F_ACTIVE  (1U << 3)
#define F_PRIO	  (1U << 4)
#define F_EDGE	  (1U << 5)
#define F_ROUTE	  (1U << 6) /* route and target */
#define F_SOURCES (1U << 7)

/* Names the first field outside @may that differs, or NULL. */
FUZZ_ORACLE static const char *irq_diff(const struct vgic_irq *a, const struct vgic_irq *b,
					unsigned int may)
{
	if (!(may & F_GROUP) && a->group1 != b->group1)
		return "group";
	if (!(may & F_ENABLED) && a->enabled != b->enabled)
		return "enabled";
	if (!(may & F_PENDING) && a->pending != b->pending)
		return "pending";
	if (!(may & F_ACTIVE) && a->active != b->active)
		return "active";
	if (!(may & F_PRIO) && a->priority != b->priority)
		return "priority";
	if (!(may & F_EDGE) && a->edge != b->edge)
		return "trigger";
	if (!(may & F_ROUTE) && (a->route != b->route || a->target != b->target))
		return "route";
	if (!(may & F_SOURCES) && a->sources != b->sources)
		return "sources";
	if (a->level != b->level)
		return "level";
	if (a->in_lr != b->in_lr)
		return "in_lr";
	return 0;
}

FUZZ_ORACLE static unsigned int fields_of(enum kind k)
{
	switch (k) {
	case K_GROUP:
		return F_GROUP;
	case K_SETENABLE:
	case K_CLRENABLE:
		return F_ENABLED;
	case K_SETPEND:
	case K_CLRPEND:
		return F_PENDING;
	case K_SETACT:
	case K_CLRACT:
		return F_ACTIVE;
	case K_PRIO:
		return F_PRIO;
	case K_CFG:
		return F_EDGE;
	case K_TARGETS:
	case K_ROUTE:
		return F_ROUTE;
	case K_SGIR:
	case K_CPENDSGI:
	case K_SPENDSGI:
		return F_SOURCES | F_PENDING;
	default:
		return 0;
	}
}

/* The vCPU an SPI with @route goes to, from the architecture's routing rules. */
FUZZ_ORACLE static unsigned int route_target(uint64_t route)
{
	uint64_t aff0 = route & 0xff;

	if (version == 2)
		aff0 = aff0 ? (uint64_t)__builtin_ctzll(aff0) : 0; /* the lowest CPU named */
	else if (route & (1UL << 31))
		aff0 = 0; /* "any": vCPU 0 */
	else if (route & 0xff00ffff00UL)
		aff0 = vm.nvcpus; /* Aff1-3 name no vCPU of ours */
	return aff0 < vm.nvcpus ? (unsigned int)aff0 : 0;
}

/* --- reads --- */

FUZZ_ORACLE static uint64_t field_value(const struct acc *a, unsigned int intid)
{
	const struct vgic_irq *irq = irq_at(a->bank, intid);

	switch (a->reg->kind) {
	case K_GROUP:
		return irq->group1;
	case K_SETENABLE:
	case K_CLRENABLE:
		return irq->enabled;
	case K_SETPEND:
	case K_CLRPEND: /* latched, level-high, or handed to the guest */
		return irq->pending || irq->in_lr || (!irq->edge && irq->level);
	case K_SETACT:
	case K_CLRACT:
		return irq->active;
	case K_PRIO:
		return irq->priority;
	case K_CFG:
		return irq->edge ? 2 : 0;
	case K_TARGETS: /* SGIs and PPIs: the reading CPU's own bit */
		return intid < GIC_NR_PRIVATE ? 1U << a->bank : irq->route & 0xff;
	case K_ROUTE:
		return irq->route;
	case K_CPENDSGI:
	case K_SPENDSGI:
		return irq->sources;
	default:
		return 0;
	}
}

FUZZ_ORACLE static uint64_t size_mask(unsigned int size)
{
	return size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
}

/* What the read of a plain register must give, with the bits that are checked. */
FUZZ_ORACLE static void plain_expect(const struct acc *a, uint64_t *want, uint64_t *mask)
{
	const struct vcpu *b = &vm.vcpus[a->bank];
	uint64_t v = 0, m = 0;

	switch (a->reg->kind) {
	case K_CTLR: /* the group enables; GICv3 with ARE and DS set, read-as-one */
		v = vm.vgic.ctlr | (version == 3 ? (1U << 4) | (1U << 6) : 0);
		m = 0xff;
		break;
	case K_TYPER: /* ITLinesNumber; GICv3 IDbits; GICv2 CPUNumber */
		v = (NR_IRQS / 32 - 1) | (version == 3 ? 9U << 19 : (vm.nvcpus - 1) << 5);
		m = version == 3 ? 0x1f | (0x1fU << 19) : 0xff;
		break;
	case K_PIDR2: /* ArchRev */
		v = version << 4;
		m = 0xf0;
		break;
	case K_RD_TYPER: /* Aff0, Processor_Number, Last */
		v = ((b->mpidr & 0xff) << 32) | ((uint64_t)b->id << 8) |
		    (b->id + 1 == vm.nvcpus ? 1U << 4 : 0);
		m = (0xffUL << 32) | (0xffffUL << 8) | (1U << 4);
		break;
	case K_WAKER: /* ProcessorSleep, ChildrenAsleep */
		v = b->vgic.sleeping ? 6 : 0;
		m = 6;
		break;
	case K_SGIR: /* write-only: reads as zero */
		v = 0;
		m = ~0UL;
		break;
	default: /* IIDR: the implementer's choice */
		break;
	}
	if (a->size == 4 && a->reg->len == 8) { /* one word of a 64-bit register */
		unsigned int shift = (unsigned int)(a->off - a->reg->off) * 8;

		v >>= shift;
		m >>= shift;
	}
	*want = v & size_mask(a->size);
	*mask = m & size_mask(a->size);
}

FUZZ_ORACLE static void check_read(const struct acc *a, uint64_t got)
{
	if (!a->permitted) {
		FUZZ_CHECK(!got,
			   "%u-byte read at frame %d offset 0x%lx (no register, or a size or "
			   "alignment it does not take) read 0x%lx",
			   a->size, a->frame, (unsigned long)a->off, (unsigned long)got);
		return;
	}
	if (!a->reg->bits) {
		uint64_t want, mask;

		plain_expect(a, &want, &mask);
		FUZZ_CHECK((got & mask) == want, "read at frame %d offset 0x%lx: 0x%lx, want 0x%lx",
			   a->frame, (unsigned long)a->off, (unsigned long)got,
			   (unsigned long)want);
		return;
	}
	for (unsigned int i = 0; i < a->count; i++) {
		unsigned int intid = a->first + i, bits = a->reg->bits, shift = i * bits;
		uint64_t field = holds(a, intid) ? field_value(a, intid) : 0;
		uint64_t fmask = bits == 64 ? ~0UL : (1UL << bits) - 1;

		if (bits == 64 && a->size == 4) { /* one word of the route */
			field = (field >> ((a->off & 4) * 8)) & 0xffffffffUL;
			fmask = 0xffffffffUL;
		}
		FUZZ_CHECK(((got >> shift) & fmask) == field,
			   "read at frame %d offset 0x%lx (INTID %u, vCPU %u's bank): field 0x%lx, "
			   "want 0x%lx",
			   a->frame, (unsigned long)a->off, intid, a->bank,
			   (unsigned long)((got >> shift) & fmask), (unsigned long)field);
	}
}

/* --- writes --- */

/* May a write through @a change (vCPU @c's, for INTIDs 0-31) INTID @intid? */
FUZZ_ORACLE static bool reaches(const struct acc *a, uint64_t value, unsigned int c,
				unsigned int intid)
{
	if (!a->permitted)
		return false;
	if (a->reg->kind == K_SGIR) /* that SGI of the vCPUs it names */
		return intid == (value & 0xf);
	if (!a->reg->bits || intid < a->first || intid >= a->first + a->count || !holds(a, intid))
		return false;
	return intid >= GIC_NR_PRIVATE || c == a->bank;
}

/* The field of INTID @intid in the value written. */
FUZZ_ORACLE static uint64_t written_field(const struct acc *a, uint64_t value, unsigned int intid)
{
	unsigned int bits = a->reg->bits;

	if (bits == 64)
		return value;
	return (value >> ((intid - a->first) * bits)) & ((1UL << bits) - 1);
}

/*
 * A clear (@f set) of state @what of an interrupt a list register holds is asked
 * of the vCPU holding it, which applies it before its next entry (see flush()).
 */
FUZZ_ORACLE static void check_lr_clear(const struct vgic_irq *old, const struct vgic_irq *now,
				       uint64_t f, uint8_t what, unsigned int intid)
{
	uint8_t want = old->lr_clear | (f && old->in_lr ? what : 0);

	FUZZ_CHECK(now->lr_clear == want, "INTID %u: list register clears 0x%x, want 0x%x", intid,
		   now->lr_clear, want);
	if (want)
		FUZZ_CHECK(vm.vcpus[old->lr_vcpu].vgic.lr_requests,
			   "INTID %u: a clear asked of vCPU %u, which does not know", intid,
			   old->lr_vcpu);
}

/* INTID @intid's new state after a write through @a of @value, from @old. */
FUZZ_ORACLE static void check_written(const struct acc *a, uint64_t value, unsigned int intid,
				      const struct vgic_irq *old, const struct vgic_irq *now)
{
	uint64_t f = written_field(a, value, intid);
	bool want;

	switch (a->reg->kind) {
	case K_GROUP:
		FUZZ_CHECK(now->group1 == f, "INTID %u group %d after writing %lu", intid,
			   now->group1, (unsigned long)f);
		return;
	case K_SETENABLE:
	case K_CLRENABLE:
		want = f ? a->reg->kind == K_SETENABLE : old->enabled;
		FUZZ_CHECK(now->enabled == want, "INTID %u enabled %d, want %d", intid,
			   now->enabled, want);
		return;
	case K_SETPEND:
	case K_CLRPEND:
		/* GICv2: an SGI's pending state is set and cleared per source (S/CPENDSGIR). */
		if (version == 2 && intid < GIC_NR_SGIS)
			want = old->pending;
		else
			want = f ? a->reg->kind == K_SETPEND : old->pending;
		FUZZ_CHECK(now->pending == want, "INTID %u pending %d, want %d", intid,
			   now->pending, want);
		if (a->reg->kind == K_CLRPEND && !(version == 2 && intid < GIC_NR_SGIS))
			check_lr_clear(old, now, f, VGIC_LR_CLEAR_PENDING, intid);
		return;
	case K_SETACT:
	case K_CLRACT:
		want = f ? a->reg->kind == K_SETACT : old->active;
		FUZZ_CHECK(now->active == want, "INTID %u active %d, want %d", intid, now->active,
			   want);
		if (a->reg->kind == K_CLRACT)
			check_lr_clear(old, now, f, VGIC_LR_CLEAR_ACTIVE, intid);
		return;
	case K_PRIO: /* 5 bits implemented: the low 3 are RAZ/WI */
		FUZZ_CHECK(now->priority == (f & 0xf8),
			   "INTID %u priority 0x%x after writing 0x%lx", intid, now->priority,
			   (unsigned long)f);
		return;
	case K_CFG: /* SGIs are always edge-triggered, PPIs level-sensitive */
		want = intid < GIC_NR_PRIVATE ? intid < GIC_NR_SGIS : (f & 2) != 0;
		FUZZ_CHECK(now->edge == want, "INTID %u edge %d after writing %lu", intid,
			   now->edge, (unsigned long)f);
		return;
	case K_TARGETS: /* SPIs: the CPUs that exist; SGI and PPI targets are read-only */
		if (intid >= GIC_NR_PRIVATE)
			FUZZ_CHECK(now->route == (f & ((1UL << vm.nvcpus) - 1)),
				   "SPI %u targets 0x%lx after writing 0x%lx", intid,
				   (unsigned long)now->route, (unsigned long)f);
		else
			FUZZ_CHECK(now->route == old->route, "INTID %u targets written", intid);
		return;
	case K_ROUTE: /* Aff3, Interrupt_Routing_Mode, Aff2, Aff1, Aff0; the rest RES0 */
		if (a->size == 4)
			f = mmio_reg64_set_word(old->route, a->off, (uint32_t)value);
		f &= (0xffUL << 32) | (1UL << 31) | 0xffffffUL;
		FUZZ_CHECK(now->route == f, "SPI %u route 0x%lx after writing 0x%lx", intid,
			   (unsigned long)now->route, (unsigned long)f);
		return;
	case K_CPENDSGI:
	case K_SPENDSGI: {
		uint8_t src = a->reg->kind == K_SPENDSGI ? old->sources | (uint8_t)f
							 : old->sources & (uint8_t)~f;

		FUZZ_CHECK(now->sources == src && now->pending == (src != 0),
			   "SGI %u sources 0x%x pending %d after writing 0x%lx to sources 0x%x",
			   intid, now->sources, now->pending, (unsigned long)f, old->sources);
		return;
	}
	default:
		return;
	}
}

/* GICv2 GICD_SGIR: is vCPU @c named by @value, sent from @from? */
FUZZ_ORACLE static int sgir_names(uint64_t value, unsigned int from, unsigned int c)
{
	switch ((value >> 24) & 3) {
	case 0:
		return (int)((value >> (16 + c)) & 1);
	case 1:
		return c != from;
	case 2:
		return c == from;
	default:
		return -1; /* reserved: not checked */
	}
}

/* One interrupt after a write through @a: changed only where the write reaches, as written. */
FUZZ_ORACLE static void check_irq_written(const struct acc *a, uint64_t value, unsigned int c,
					  unsigned int intid)
{
	const struct vgic_irq *old = intid < GIC_NR_PRIVATE ? &before.priv[c][intid]
							    : &before.spi[intid - GIC_NR_PRIVATE];
	const struct vgic_irq *now = irq_at(c, intid);
	bool reach = reaches(a, value, c, intid);
	const char *diff = irq_diff(old, now, reach ? fields_of(a->reg->kind) : 0);
	int named;

	FUZZ_CHECK(!diff,
		   "%u-byte write of 0x%lx at frame %d offset 0x%lx (vCPU %u's bank, from vCPU "
		   "%u) changed the %s of INTID %u (vCPU %u)",
		   a->size, (unsigned long)value, a->frame, (unsigned long)a->off, a->bank, a->from,
		   diff, intid, c);
	if (!reach)
		return;
	if (a->reg->kind != K_SGIR) {
		check_written(a, value, intid, old, now);
		return;
	}
	named = sgir_names(value, a->from, c);
	if (named == 1)
		FUZZ_CHECK(now->pending && now->sources == (old->sources | 1U << a->from),
			   "SGI %u to vCPU %u from vCPU %u: sources 0x%x", intid, c, a->from,
			   now->sources);
	else if (!named)
		FUZZ_CHECK(!irq_diff(old, now, 0), "SGI %u reached vCPU %u, which was not named",
			   intid, c);
}

/* May a write through @a change vCPU @c's (for INTIDs 0-31) INTIDs in [from, to)? */
FUZZ_ORACLE static bool may_reach(const struct acc *a, uint64_t value, unsigned int c,
				  unsigned int from, unsigned int to)
{
	for (unsigned int intid = from; intid < to; intid++)
		if (reaches(a, value, c, intid))
			return true;
	return false;
}

FUZZ_ORACLE static void check_ctlr(const struct acc *a, uint64_t value, bool waker);

/*
 * Are @n interrupts' states byte for byte the same in @a and @b? The vGIC
 * writes them field by field (padding stays as it was); bytes that differ
 * send the caller to the comparison field by field, which has the last word.
 */
FUZZ_ORACLE static bool irqs_same(const struct vgic_irq *a, const struct vgic_irq *b,
				  unsigned int n)
{
	return !memcmp((const unsigned char *)a, (const unsigned char *)b, n * sizeof(*a));
}

/* After a write through @a (a read is checked as a write not permitted: nothing changes). */
FUZZ_ORACLE static void check_write(const struct acc *a, uint64_t value)
{
	bool waker = a->permitted && a->reg->kind == K_WAKER;

	for (unsigned int c = 0; c < vm.nvcpus; c++) {
		const struct vgic_cpu *vc = &vm.vcpus[c].vgic;

		FUZZ_CHECK(!memcmp(before.lr[c], vc->lr, sizeof(before.lr[c])) &&
				   before.lr_used[c] == vc->lr_used,
			   "an access at frame %d offset 0x%lx changed vCPU %u's list registers",
			   a->frame, (unsigned long)a->off, c);
		FUZZ_CHECK(before.sleeping[c] == vc->sleeping || (waker && c == a->bank),
			   "an access at frame %d offset 0x%lx changed vCPU %u's GICR_WAKER",
			   a->frame, (unsigned long)a->off, c);
		/* Where nothing may change and nothing did, one pass without branches. */
		if (!may_reach(a, value, c, 0, GIC_NR_PRIVATE) &&
		    irqs_same(before.priv[c], vc->priv, GIC_NR_PRIVATE))
			continue;
		for (unsigned int intid = 0; intid < GIC_NR_PRIVATE; intid++)
			check_irq_written(a, value, c, intid);
	}
	if (!may_reach(a, value, a->bank, GIC_NR_PRIVATE, NR_IRQS) &&
	    irqs_same(before.spi, vm.vgic.spi, VGIC_NR_SPIS)) {
		check_ctlr(a, value, waker);
		return;
	}
	for (unsigned int intid = GIC_NR_PRIVATE; intid < NR_IRQS; intid++)
		check_irq_written(a, value, a->bank, intid);
	check_ctlr(a, value, waker);
}

/* GICD_CTLR and GICR_WAKER after an access. */
FUZZ_ORACLE static void check_ctlr(const struct acc *a, uint64_t value, bool waker)
{
	if (waker)
		FUZZ_CHECK(vm.vcpus[a->bank].vgic.sleeping == ((value & 2) != 0),
			   "GICR_WAKER 0x%lx written: sleeping %d", (unsigned long)value,
			   vm.vcpus[a->bank].vgic.sleeping);
	if (a->permitted && a->reg->kind == K_CTLR)
		FUZZ_CHECK(vm.vgic.ctlr == (value & 3), "GICD_CTLR 0x%lx written: enables 0x%x",
			   (unsigned long)value, vm.vgic.ctlr);
	else
		FUZZ_CHECK(vm.vgic.ctlr == before.ctlr,
			   "an access at frame %d offset 0x%lx changed GICD_CTLR", a->frame,
			   (unsigned long)a->off);
}

/* --- invariants after every operation --- */

FUZZ_ORACLE static bool deliverable(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->in_lr && (irq->pending || (!irq->edge && irq->level)) &&
	       (vm.vgic.ctlr & (irq->group1 ? 2U : 1U));
}

FUZZ_ORACLE static uint32_t all_lrs(void)
{
	return (1U << nr_lrs) - 1;
}

/*
 * The INTIDs vCPU @c's list registers hold, a bit each in @held (SPIs also in
 * @spis, which must not have them already: an SPI is in one vCPU's at most).
 */
FUZZ_ORACLE static void check_lrs(unsigned int c, uint64_t *held, uint64_t *spis)
{
	const struct vgic_cpu *vc = &vm.vcpus[c].vgic;

	FUZZ_CHECK(!(vc->lr_used & ~all_lrs()), "vCPU %u: list registers 0x%x in use, %u exist", c,
		   vc->lr_used, nr_lrs);
	for (uint32_t used = vc->lr_used; used; used &= used - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(used), intid = LR_INTID(vc->lr[i]);
		uint64_t bit = 1UL << (intid % 64);

		FUZZ_CHECK(intid < NR_IRQS, "vCPU %u LR%u: INTID %u", c, i, intid);
		FUZZ_CHECK(!(held[intid / 64] & bit), "vCPU %u: INTID %u in two list registers", c,
			   intid);
		held[intid / 64] |= bit;
		if (intid >= GIC_NR_PRIVATE) {
			FUZZ_CHECK(!(spis[intid / 64] & bit), "SPI %u in two vCPUs' list registers",
				   intid);
			spis[intid / 64] |= bit;
		}
	}
}

FUZZ_ORACLE static void check_invariants(void)
{
	uint64_t spis[VGIC_READY_WORDS] = { 0 };

	FUZZ_CHECK(fake.nlogs <= 1, "%u lines logged for one VM: bad accesses flood the log",
		   fake.nlogs);
	for (unsigned int c = 0; c < vm.nvcpus; c++) {
		const struct vcpu *v = &vm.vcpus[c];
		const struct vgic_cpu *vc = &v->vgic;
		uint64_t want[VGIC_READY_WORDS] = { 0 }, held[VGIC_READY_WORDS] = { 0 }, any = 0;

		check_lrs(c, held, spis);
		for (unsigned int intid = 0; intid < NR_IRQS; intid++) {
			const struct vgic_irq *irq = irq_at(c, intid);
			bool in_lr = (held[intid / 64] >> (intid % 64)) & 1;

			FUZZ_CHECK(!(irq->priority & 7), "INTID %u priority 0x%x: more than 5 bits",
				   intid, irq->priority);
			if (intid < GIC_NR_PRIVATE) {
				FUZZ_CHECK(irq->in_lr == in_lr,
					   "vCPU %u INTID %u: in_lr %d, in a list register %d", c,
					   intid, irq->in_lr, in_lr);
				FUZZ_CHECK(intid >= GIC_NR_SGIS || irq->edge,
					   "vCPU %u SGI %u level-sensitive", c, intid);
			} else if (in_lr) {
				FUZZ_CHECK(irq->in_lr, "vCPU %u holds SPI %u, not marked in_lr", c,
					   intid);
			}
			if (deliverable(irq) &&
			    (intid < GIC_NR_PRIVATE || route_target(irq->route) == c))
				want[intid / 64] |= 1UL << (intid % 64);
		}
		for (unsigned int w = 0; w < VGIC_READY_WORDS; w++) {
			FUZZ_CHECK(vc->ready[w] == want[w],
				   "vCPU %u ready word %u: 0x%lx, deliverable 0x%lx", c, w,
				   (unsigned long)vc->ready[w], (unsigned long)want[w]);
			any |= want[w];
		}
		/* Something deliverable is never stranded: it is looked at before the next entry.
		 */
		if (any) {
			FUZZ_CHECK(v->state != VCPU_BLOCKED,
				   "vCPU %u waits in WFI with an interrupt deliverable", c);
			FUZZ_CHECK(vc->dirty || (vc->lr_used == all_lrs() && vc->underflow_irq),
				   "vCPU %u has an interrupt deliverable but will not look (LRs "
				   "0x%x, maintenance %d)",
				   c, vc->lr_used, vc->underflow_irq);
		}
	}
	for (unsigned int intid = GIC_NR_PRIVATE; intid < NR_IRQS; intid++) {
		const struct vgic_irq *irq = irq_at(0, intid);

		FUZZ_CHECK(irq->target < vm.nvcpus && irq->target == route_target(irq->route),
			   "SPI %u: target %u for route 0x%lx (%u vCPUs)", intid, irq->target,
			   (unsigned long)irq->route, vm.nvcpus);
		FUZZ_CHECK(irq->in_lr == ((spis[intid / 64] >> (intid % 64)) & 1),
			   "SPI %u: in_lr %d, in a list register %d", intid, irq->in_lr,
			   (int)((spis[intid / 64] >> (intid % 64)) & 1));
	}
}

/* --- operations --- */

static uint64_t frame_base(const struct acc *a)
{
	if (a->frame == F_DIST)
		return GUEST_GICD_BASE;
	return GUEST_GICR_BASE + a->bank * GUEST_GICR_STRIDE + (a->frame == F_SGI ? SGI_FRAME : 0);
}

static void do_access(struct acc *a, bool write, uint64_t value)
{
	uint64_t addr = frame_base(a) + a->off;

	decode(a);
	value = write ? value & size_mask(a->size) : 0;
	take(&before);
	FUZZ_CHECK(mmio_bus_access(&vm.mmio, &vm.vcpus[a->from], addr, a->size, write, &value),
		   "%u-byte access at 0x%lx not decoded", a->size, (unsigned long)addr);
	if (write) {
		check_write(a, value);
	} else {
		struct acc none = *a;

		check_read(a, value);
		none.permitted = false; /* a read changes nothing */
		check_write(&none, 0);
	}
}

/* Any offset and size: u16 offset in the frame, u8 size (1 << its low 2 bits). */
static void raw_access(struct fuzz_in *in, struct acc *a, bool write, bool perform)
{
	a->off = fuzz_u16(in);
	a->size = 1U << (fuzz_u8(in) & 3);
	uint64_t value;

	if (a->off + a->size > FRAME_SIZE) /* within the frame (64 KiB, all of them) */
		a->off = FRAME_SIZE - a->size;
	value = write ? fuzz_u64(in) : 0;
	if (perform)
		do_access(a, write, value);
}

/*
 * A register of the frame by its index in the map (u8), an element of it (u8),
 * a size (u8: 1 << its low 2 bits): offsets the guest uses, mostly permitted.
 */
static void reg_access(struct fuzz_in *in, struct acc *a, bool write, bool perform)
{
	const struct reg *regs = a->frame == F_SGI  ? sgi_frame
				 : a->frame == F_RD ? rd_frame
				 : version == 2	    ? v2_dist
						    : v3_dist;
	size_t n = a->frame == F_SGI  ? NREGS(sgi_frame)
		   : a->frame == F_RD ? NREGS(rd_frame)
		   : version == 2     ? NREGS(v2_dist)
				      : NREGS(v3_dist);
	const struct reg *r = &regs[fuzz_u8(in) % n];
	unsigned int index = fuzz_u8(in);

	a->size = 1U << (fuzz_u8(in) & 3);
	uint64_t value;

	a->off = r->off + (uint64_t)index * a->size % r->len;
	value = write ? fuzz_u64(in) : 0;
	if (perform)
		do_access(a, write, value);
}

/* Frame selector (u8): bit 7 the redistributor (GICv3; bit 6: its SGI frame), else GICD. */
static bool pick_frame(struct fuzz_in *in, struct acc *a, unsigned int from)
{
	uint8_t sel = fuzz_u8(in);

	a->from = from;
	a->bank = from;
	a->frame = F_DIST;
	if (!(sel & 0x80))
		return true;
	if (version != 3)
		return false; /* a GICv2 VM has no redistributors */
	a->frame = sel & 0x40 ? F_SGI : F_RD;
	a->bank = (sel & 0x3f) % vm.nvcpus;
	return true;
}

/* Before an entry: deliverable interrupts into free list registers, best first. */
/* INTID @intid in snapshot @s, as vCPU @c sees it. */
FUZZ_ORACLE static struct vgic_irq *snap_irq(struct snapshot *s, unsigned int c, unsigned int intid)
{
	return intid < GIC_NR_PRIVATE ? &s->priv[c][intid] : &s->spi[intid - GIC_NR_PRIVATE];
}

/*
 * The clears the guest asked for (ICPENDR, ICACTIVER) reach vCPU @c's list
 * registers (@used before the flush, from snapshot @s): each holds its old
 * state less what was cleared, in the hardware too, or is freed when nothing
 * is left, its interrupt then free to be delivered again (marked so in @s).
 * Returns the slots freed.
 */
FUZZ_ORACLE static uint32_t check_lr_clears(struct snapshot *s, unsigned int c, uint32_t used)
{
	const struct vgic_cpu *vc = &vm.vcpus[c].vgic;
	uint32_t freed = 0;

	for (uint32_t u = used; u; u &= u - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(u), intid = LR_INTID(s->lr[c][i]);
		struct vgic_irq *old = snap_irq(s, c, intid);
		unsigned int state = LR_STATE(s->lr[c][i]) & ~(unsigned int)old->lr_clear;

		if (!old->lr_clear)
			continue;
		FUZZ_CHECK(!irq_at(c, intid)->lr_clear || !irq_at(c, intid)->in_lr ||
				   irq_at(c, intid)->lr_vcpu != c,
			   "vCPU %u INTID %u: clears 0x%x not applied", c, intid, old->lr_clear);
		if (state) {
			FUZZ_CHECK(
				LR_STATE(vc->lr[i]) == state && hw_lr[c][i] == vc->lr[i],
				"vCPU %u LR%u = 0x%lx (hardware 0x%lx) for INTID %u, want state %u",
				c, i, (unsigned long)vc->lr[i], (unsigned long)hw_lr[c][i], intid,
				state);
			continue;
		}
		freed |= 1U << i;
		old->in_lr = false; /* deliverable again from here on */
	}
	return freed;
}

FUZZ_ORACLE static void flush(unsigned int c)
{
	struct vcpu *v = &vm.vcpus[c];
	struct vgic_cpu *vc = &v->vgic;
	uint32_t used = vc->lr_used, fresh, freed;
	bool dirty = vc->dirty;
	unsigned int last = 0;
	struct snapshot *s = &before;

	take(s);
	current = c;
	vgic_flush(v);
	freed = dirty ? check_lr_clears(s, c, used) : 0;
	for (uint32_t f = freed & ~vc->lr_used; f; f &= f - 1)
		FUZZ_CHECK(!LR_STATE(hw_lr[c][__builtin_ctz(f)]),
			   "vCPU %u LR%u freed by a clear but left in the hardware", c,
			   __builtin_ctz(f));
	fresh = vc->lr_used & ~(used & ~freed);
	FUZZ_CHECK(dirty || !fresh, "vCPU %u: list registers filled while not dirty", c);
	for (uint32_t f = fresh; f; f &= f - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(f), intid = LR_INTID(vc->lr[i]);
		const struct vgic_irq *old = snap_irq(s, c, intid);
		uint64_t lr = vc->lr[i];

		FUZZ_CHECK(hw_lr[c][i] == lr, "vCPU %u LR%u not written to the hardware", c, i);
		FUZZ_CHECK(intid < NR_IRQS && LR_STATE(lr) == LR_PENDING,
			   "vCPU %u LR%u = 0x%lx: not a pending implemented INTID", c, i,
			   (unsigned long)lr);
		FUZZ_CHECK(deliverable(old) &&
				   (intid < GIC_NR_PRIVATE || route_target(old->route) == c),
			   "vCPU %u got INTID %u, which was not deliverable to it", c, intid);
		FUZZ_CHECK(LR_PRIO(lr) == old->priority && !!(lr & LR_GROUP1) == old->group1,
			   "vCPU %u LR%u = 0x%lx for INTID %u (priority 0x%x, group %d)", c, i,
			   (unsigned long)lr, intid, old->priority, old->group1);
		if (version == 2 && intid < GIC_NR_SGIS) {
			unsigned int src = (unsigned int)(lr >> 10) & 7;

			FUZZ_CHECK(old->sources ? (old->sources >> src) & 1 : !src,
				   "vCPU %u SGI %u from vCPU %u, sources 0x%x", c, intid, src,
				   old->sources);
		}
		/* Slots fill in order, best priority first. */
		FUZZ_CHECK(LR_PRIO(lr) >= last, "vCPU %u LR%u: priority 0x%x after 0x%x", c, i,
			   LR_PRIO(lr), last);
		last = LR_PRIO(lr);
	}
	if (!dirty)
		return;
	for (unsigned int w = 0; w < VGIC_READY_WORDS; w++)
		for (uint64_t bits = vc->ready[w]; bits; bits &= bits - 1) {
			unsigned int intid = w * 64 + (unsigned int)__builtin_ctzll(bits);

			FUZZ_CHECK(vc->lr_used == all_lrs(),
				   "vCPU %u: INTID %u left out with list registers free", c, intid);
			FUZZ_CHECK(irq_at(c, intid)->priority >= last,
				   "vCPU %u: INTID %u (priority 0x%x) left out for 0x%x", c, intid,
				   irq_at(c, intid)->priority, last);
		}
}

/*
 * The guest runs (u32: two bits per list register: 1 acknowledge, 2 deactivate,
 * 3 both), then exits: what it finished with is read back.
 */
FUZZ_ORACLE static void guest_and_sync(uint32_t actions, unsigned int c)
{
	struct vgic_cpu *vc = &vm.vcpus[c].vgic;
	uint32_t used = vc->lr_used, freed = 0;

	for (uint32_t u = used; u; u &= u - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(u), act = (actions >> (2 * i)) & 3;
		uint64_t *lr = &hw_lr[c][i];

		if ((act & 1) && LR_STATE(*lr) == LR_PENDING)
			*lr = (*lr & ~(3UL << 62)) | (uint64_t)LR_ACTIVE << 62;
		if ((act & 2) && LR_STATE(*lr) == LR_ACTIVE)
			*lr &= ~(3UL << 62);
		if (!LR_STATE(*lr))
			freed |= 1U << i;
	}
	current = c;
	vgic_sync(&vm.vcpus[c]);
	FUZZ_CHECK(vc->lr_used == (used & ~freed),
		   "vCPU %u: LRs 0x%x in use after the guest "
		   "finished with 0x%x of 0x%x",
		   c, vc->lr_used, freed, used);
	FUZZ_CHECK(!freed || vc->dirty, "vCPU %u: LRs freed, but it will not look again", c);
	for (uint32_t u = vc->lr_used; u; u &= u - 1)
		FUZZ_CHECK(vc->lr[__builtin_ctz(u)] == hw_lr[c][__builtin_ctz(u)],
			   "vCPU %u LR%d not read back", c, __builtin_ctz(u));
}

/* The vCPU waits in WFI unless it has something to take (sched_block()'s test). */
FUZZ_ORACLE static void wait_for_interrupt(unsigned int c)
{
	struct vcpu *v = &vm.vcpus[c];
	bool want = false, pending;

	for (uint32_t u = v->vgic.lr_used; u; u &= u - 1)
		want |= (LR_STATE(v->vgic.lr[__builtin_ctz(u)]) & LR_PENDING) != 0;
	for (unsigned int w = 0; w < VGIC_READY_WORDS; w++)
		want |= v->vgic.ready[w] != 0;
	pending = vgic_vcpu_pending(v);
	FUZZ_CHECK(pending == want, "vCPU %u: vgic_vcpu_pending %d, want %d", c, pending, want);
	if (!pending)
		v->state = VCPU_BLOCKED;
}

enum op {
	OP_READ_RAW,
	OP_WRITE_RAW,
	OP_READ_REG,
	OP_WRITE_REG,
	OP_INJECT,
	OP_SET_LEVEL,
	OP_FLUSH,
	OP_GUEST,
	OP_SEND_SGI,
	OP_MAINTENANCE,
	OP_WFI,
	OP_RESET,
	OP_MOVE,
};

static void run_op(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	unsigned int c = (b >> 4) % vm.nvcpus, intid;
	struct vcpu *v = &vm.vcpus[c];
	/* A vCPU waiting in WFI runs nothing: no access, no SGI, no entry or exit. */
	bool runs = vcpu_state(v) != VCPU_BLOCKED;
	uint64_t sgi1r;
	uint32_t actions;
	struct acc a;

	switch (b & 15) {
	case OP_READ_RAW:  /* u8 frame, u16 offset, u8 size */
	case OP_WRITE_RAW: /* and u64 value */
		if (pick_frame(in, &a, c))
			raw_access(in, &a, (b & 15) == OP_WRITE_RAW, runs);
		break;
	case OP_READ_REG:  /* u8 frame, u8 register, u8 element, u8 size */
	case OP_WRITE_REG: /* and u64 value */
	case 13:
	case 14:
		if (pick_frame(in, &a, c))
			reg_access(in, &a, (b & 15) != OP_READ_REG, runs);
		break;
	case OP_INJECT: /* u8 INTID: a device's edge, or a timer's */
		intid = fuzz_u8(in);
		vgic_inject(&vm, intid < GIC_NR_PRIVATE ? v : 0, intid);
		break;
	case OP_SET_LEVEL: /* u8 INTID, bit 7 the level */
		intid = fuzz_u8(in);
		vgic_set_level(&vm, (intid & 0x7f) < GIC_NR_PRIVATE ? v : 0, intid & 0x7f,
			       intid >> 7);
		break;
	case OP_FLUSH:
		if (runs)
			flush(c);
		break;
	case OP_GUEST: /* u32 actions */
		actions = fuzz_u32(in);
		if (runs)
			guest_and_sync(actions, c);
		break;
	case OP_SEND_SGI: /* u64 ICC_SGI1R_EL1 (GICv3) */
		if (version != 3)
			break;
		sgi1r = fuzz_u64(in);
		if (runs)
			vgic_send_sgi(v, sgi1r);
		break;
	case OP_MAINTENANCE:
		if (runs)
			vgic_maintenance(v);
		break;
	case OP_WFI:
		if (runs)
			wait_for_interrupt(c);
		break;
	case OP_RESET:
		vgic_reset(&vm);
		break;
	case OP_MOVE: /* the vCPU goes on or off another host CPU (kicks become IPIs) */
		v->loaded = !v->loaded;
		v->pcpu = 1;
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t setup = fuzz_u8(&in);

	version = setup & 1 ? 2 : 3;
	nr_lrs = 1 + (setup >> 4);
	vm_setup(1 + ((setup >> 1) & 7));
	check_invariants();
	while (fuzz_more(&in)) {
		run_op(&in);
		check_invariants();
	}
	for (unsigned int intid = GIC_NR_PRIVATE; intid < NR_IRQS; intid++)
		FUZZ_CHECK(vgic_spi_target(&vm, intid) == &vm.vcpus[vm.vgic.spi[intid - 32].target],
			   "SPI %u: vgic_spi_target says another vCPU than its target %u", intid,
			   vm.vgic.spi[intid - 32].target);
	return 0;
}
