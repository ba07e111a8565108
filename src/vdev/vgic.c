// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/ipi.h"
#include "core/sched.h"
#include "core/vm.h"
#include "vdev/vgic.h"

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8

#define GICR_CTLR     0x0000
#define GICR_IIDR     0x0004
#define GICR_TYPER    0x0008
#define GICR_WAKER    0x0014
#define GICR_PIDR2    0xffe8
#define GICR_SGI_BASE 0x10000

#define CTLR_ARE_DS	 ((1U << 4) | (1U << 6)) /* affinity routing, one security state */
#define CTLR_ENABLE_MASK 3U
#define IIDR_ARM	 0x43b
#define PIDR2_GICV3	 0x30
#define WAKER_SLEEP	 (1U << 1)
#define WAKER_ASLEEP	 (1U << 2)

#define LR_STATE_SHIFT 62
#define LR_GROUP1      (1UL << 60)
#define LR_PRIO_SHIFT  48
#define LR_PENDING     (1UL << LR_STATE_SHIFT)

static struct vgic_irq *irq_of(struct vm *vm, struct vcpu *vcpu, unsigned int intid)
{
	if (intid < 32)
		return vcpu ? &vcpu->vgic.priv[intid] : 0;
	if (intid < VGIC_NR_IRQS)
		return &vm->vgic.spi[intid - 32];
	return 0;
}

/* The vCPU an SPI goes to: IROUTER's Aff0 (our vCPUs' MPIDR), or vCPU 0. */
static struct vcpu *spi_target(struct vm *vm, const struct vgic_irq *irq)
{
	uint64_t aff0 = irq->route & 0xff;

	if ((irq->route & (1UL << 31)) || aff0 >= vm->nvcpus)
		return &vm->vcpus[0];
	return &vm->vcpus[aff0];
}

static bool deliverable(const struct vm *vm, const struct vgic_irq *irq)
{
	unsigned int group = irq->group1 ? 2 : 1;

	return irq->enabled && !irq->in_lr && (irq->pending || (!irq->edge && irq->level)) &&
	       (vm->vgic.ctlr & group);
}

/* Makes @vcpu look at its interrupts soon: it may be running on another CPU. */
static void kick(struct vcpu *vcpu)
{
	/* Ordered before reading the state: sched_block() checks in the other order. */
	__atomic_store_n(&vcpu->vgic.dirty, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vcpu->state, __ATOMIC_SEQ_CST) == VCPU_BLOCKED)
		sched_wake(vcpu);
	else if (vcpu->loaded && vcpu->pcpu != arch_cpu_index())
		ipi_send(vcpu->pcpu, IPI_KICK);
}

static void reset_irq(struct vgic_irq *irq, unsigned int intid)
{
	memset(irq, 0, sizeof(*irq));
	irq->group1 = true; /* Linux runs everything in group 1 */
	irq->edge = intid < 16;
	irq->priority = 0;
}

void vgic_reset(struct vm *vm)
{
	unsigned int i, c;

	if (!vm->vgic.present)
		return;
	spin_lock(&vm->vgic.lock);
	vm->vgic.ctlr = 0;
	for (i = 0; i < VGIC_NR_SPIS; i++)
		reset_irq(&vm->vgic.spi[i], 32 + i);
	for (c = 0; c < vm->config->vcpus; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		for (i = 0; i < 32; i++)
			reset_irq(&vc->priv[i], i);
		memset(vc->lr, 0, sizeof(vc->lr));
		vc->vmcr = 0;
		vc->ap1r0 = 0;
		vc->sleeping = true;
		vc->dirty = true;
	}
	spin_unlock(&vm->vgic.lock);
}

int vgic_init(struct vm *vm)
{
	vm->vgic.present = arch_vgic_present();
	if (!vm->vgic.present)
		return 0;
	vgic_reset(vm);
	if (mmio_bus_add(&vm->mmio, VGIC_DIST_BASE, VGIC_DIST_SIZE, &vgic_dist_ops, vm, "gicd") ||
	    mmio_bus_add(&vm->mmio, VGIC_REDIST_BASE, VGIC_REDIST_STRIDE * vm->config->vcpus,
			 &vgic_redist_ops, vm, "gicr"))
		return -1;
	return 0;
}

void vgic_set_level(struct vm *vm, struct vcpu *vcpu, unsigned int intid, bool level)
{
	struct vgic_irq *irq = irq_of(vm, vcpu, intid);
	struct vcpu *target;

	if (!vm->vgic.present || !irq)
		return;
	spin_lock(&vm->vgic.lock);
	if (irq->edge && level && !irq->level)
		irq->pending = true;
	irq->level = level;
	target = intid < 32 ? vcpu : spi_target(vm, irq);
	spin_unlock(&vm->vgic.lock);
	if (level)
		kick(target);
}

void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned int intid)
{
	struct vgic_irq *irq = irq_of(vm, vcpu, intid);
	struct vcpu *target;

	if (!vm->vgic.present || !irq)
		return;
	spin_lock(&vm->vgic.lock);
	irq->pending = true;
	target = intid < 32 ? vcpu : spi_target(vm, irq);
	spin_unlock(&vm->vgic.lock);
	kick(target);
}

/* The highest-priority deliverable interrupt for @vcpu, or -1. */
static int best_pending(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int best = -1;
	unsigned int prio = 0x100, i;

	for (i = 0; i < VGIC_NR_IRQS; i++) {
		struct vgic_irq *irq = irq_of(vm, vcpu, i);

		if (i >= 32 && spi_target(vm, irq) != vcpu)
			continue;
		if (deliverable(vm, irq) && irq->priority < prio) {
			prio = irq->priority;
			best = (int)i;
		}
	}
	return best;
}

bool vgic_vcpu_pending(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	unsigned int n = arch_vgic_nr_lrs(), i;
	bool pending;

	for (i = 0; i < n; i++)
		if (vcpu->vgic.lr[i] & LR_PENDING)
			return true;
	spin_lock(&vm->vgic.lock);
	pending = best_pending(vcpu) >= 0;
	spin_unlock(&vm->vgic.lock);
	return pending;
}

/*
 * Runs before every entry, so it costs nothing unless something changed since the
 * last scan (the dirty flag, set by every change that can make an interrupt
 * deliverable).
 */
void vgic_flush(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool changed = false;
	unsigned int n, i;

	if (!vm->vgic.present || !__atomic_exchange_n(&vcpu->vgic.dirty, false, __ATOMIC_ACQ_REL))
		return;
	n = arch_vgic_nr_lrs();
	spin_lock(&vm->vgic.lock);
	for (i = 0; i < n; i++) {
		struct vgic_irq *irq;
		int intid;

		if (vcpu->vgic.lr[i])
			continue;
		intid = best_pending(vcpu);
		if (intid < 0)
			break;
		irq = irq_of(vm, vcpu, (unsigned int)intid);
		irq->in_lr = true;
		irq->pending = false; /* the list register holds it now */
		vcpu->vgic.lr[i] = LR_PENDING | LR_GROUP1 |
				   ((uint64_t)irq->priority << LR_PRIO_SHIFT) | (unsigned int)intid;
		changed = true;
	}
	if (i == n)
		vcpu->vgic.dirty = true; /* all slots full: look again when one frees */
	spin_unlock(&vm->vgic.lock);
	if (changed)
		arch_vgic_write_lrs(vcpu->vgic.lr, n);
}

void vgic_sync(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool in_flight = false;
	unsigned int n, i;

	if (!vm->vgic.present)
		return;
	n = arch_vgic_nr_lrs();
	for (i = 0; i < n; i++)
		in_flight |= vcpu->vgic.lr[i] != 0;
	if (!in_flight)
		return; /* nothing handed to the hardware: nothing to read back */
	arch_vgic_read_lrs(vcpu->vgic.lr, n);
	spin_lock(&vm->vgic.lock);
	for (i = 0; i < n; i++) {
		uint64_t lr = vcpu->vgic.lr[i];
		struct vgic_irq *irq;

		if (!lr || (lr >> LR_STATE_SHIFT))
			continue; /* empty, or still pending/active in the hardware */
		/* Deactivated by the guest: the slot is free, the interrupt may come again. */
		irq = irq_of(vm, vcpu, (unsigned int)(lr & 0xffffffff));
		if (irq)
			irq->in_lr = false;
		vcpu->vgic.lr[i] = 0;
		vcpu->vgic.dirty = true;
	}
	spin_unlock(&vm->vgic.lock);
}

void vgic_send_sgi(struct vcpu *vcpu, uint64_t sgi1r)
{
	struct vm *vm = vcpu->vm;
	unsigned int intid = (sgi1r >> 24) & 0xf;
	unsigned int rs = (sgi1r >> 44) & 0xf;
	bool all = sgi1r & (1UL << 40);
	unsigned int i;

	/* Our vCPUs' MPIDRs have only Aff0: Aff1-3 must be zero to name any of them. */
	if (!all && (sgi1r & ((0xffUL << 16) | (0xffUL << 32) | (0xffUL << 48))))
		return;
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = &vm->vcpus[i];
		bool named = all ? t != vcpu : i / 16 == rs && (sgi1r & (1UL << (i % 16)));

		if (!named)
			continue;
		spin_lock(&vm->vgic.lock);
		t->vgic.priv[intid].pending = true;
		spin_unlock(&vm->vgic.lock);
		kick(t);
	}
}

/* --- register files shared by the distributor (SPIs) and redistributors (SGI/PPI) --- */

static uint64_t bits_read(struct vm *vm, struct vcpu *vcpu, unsigned int first, uint64_t base)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		const struct vgic_irq *irq = irq_of(vm, vcpu, first + i);
		bool bit = false;

		if (!irq)
			break;
		if (base == GICD_IGROUPR)
			bit = irq->group1;
		else if (base == GICD_ISENABLER || base == GICD_ICENABLER)
			bit = irq->enabled;
		else if (base == GICD_ISPENDR || base == GICD_ICPENDR)
			bit = irq->pending || irq->in_lr || (!irq->edge && irq->level);
		else
			bit = irq->active;
		v |= (uint64_t)bit << i;
	}
	return v;
}

static void bits_write(struct vm *vm, struct vcpu *vcpu, unsigned int first, uint64_t base,
		       uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 32; i++) {
		struct vgic_irq *irq = irq_of(vm, vcpu, first + i);
		bool bit = v & (1U << i);

		if (!irq)
			break;
		if (base == GICD_IGROUPR)
			irq->group1 = bit;
		else if (bit && base == GICD_ISENABLER)
			irq->enabled = true;
		else if (bit && base == GICD_ICENABLER)
			irq->enabled = false;
		else if (bit && base == GICD_ISPENDR)
			irq->pending = true;
		else if (bit && base == GICD_ICPENDR)
			irq->pending = false;
		else if (bit && base == GICD_ISACTIVER)
			irq->active = true;
		else if (bit && base == GICD_ICACTIVER)
			irq->active = false;
	}
}

/*
 * The interrupt registers at the same offsets in GICD and in GICR's SGI frame:
 * @private selects INTIDs 0-31 of @vcpu, else the SPIs. Returns false if @off is
 * not one of them.
 */
static bool irq_regs(struct vm *vm, struct vcpu *vcpu, bool private, uint64_t off,
		     unsigned int size, bool write, uint64_t *val)
{
	unsigned int first, i;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		uint64_t base = off & ~0x7fUL;

		first = (unsigned int)(off - base) * 8;
		if (private != (first < 32)) {
			if (!write)
				*val = 0; /* the other block's registers: RAZ/WI */
			return true;
		}
		spin_lock(&vm->vgic.lock);
		if (write)
			bits_write(vm, vcpu, first, base, (uint32_t)*val);
		else
			*val = bits_read(vm, vcpu, first, base);
		spin_unlock(&vm->vgic.lock);
		return true;
	}
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
		first = (unsigned int)(off - GICD_IPRIORITYR);
		if (!write)
			*val = 0;
		for (i = 0; i < size; i++) {
			struct vgic_irq *irq = irq_of(vm, vcpu, first + i);

			if (!irq || private != (first + i < 32))
				continue;
			if (write)
				irq->priority = (uint8_t)(*val >> (8 * i)) & 0xf8;
			else
				*val |= (uint64_t)irq->priority << (8 * i);
		}
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		first = (unsigned int)(off - GICD_ICFGR) * 4;
		if (!write)
			*val = 0;
		for (i = 0; i < 16; i++) {
			struct vgic_irq *irq = irq_of(vm, vcpu, first + i);

			if (!irq || private != (first + i < 32))
				continue;
			if (write && first + i >= 16) /* SGIs are always edge */
				irq->edge = *val & (2UL << (2 * i));
			else if (!write)
				*val |= (uint64_t)irq->edge << (2 * i + 1);
		}
		return true;
	}
	return false;
}

/* --- distributor --- */

static uint64_t dist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	uint64_t v = 0;

	if (irq_regs(vm, vcpu, false, off, size, false, &v))
		return v;
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		const struct vgic_irq *irq =
			irq_of(vm, 0, (unsigned int)((off - GICD_IROUTER) / 8));

		return (off & 4) ? irq->route >> 32 : irq->route;
	}
	switch (off) {
	case GICD_CTLR:
		return vm->vgic.ctlr | CTLR_ARE_DS;
	case GICD_TYPER:
		/* ITLinesNumber, 10 INTID bits, no LPIs, one security state. */
		return (VGIC_NR_IRQS / 32 - 1) | (9U << 19);
	case GICD_IIDR:
		return IIDR_ARM;
	case GICD_PIDR2:
		return PIDR2_GICV3;
	default:
		return 0;
	}
}

static void dist_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
		       uint64_t value)
{
	struct vm *vm = dev;

	if (irq_regs(vm, vcpu, false, off, size, true, &value)) {
		for (unsigned int i = 0; i < vm->nvcpus; i++)
			kick(&vm->vcpus[i]);
		return;
	}
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		struct vgic_irq *irq = irq_of(vm, 0, (unsigned int)((off - GICD_IROUTER) / 8));

		if (size == 8)
			irq->route = value;
		else if (off & 4)
			irq->route = (irq->route & 0xffffffffUL) | (value << 32);
		else
			irq->route = (irq->route & ~0xffffffffUL) | (value & 0xffffffffUL);
		return;
	}
	if (off == GICD_CTLR) {
		vm->vgic.ctlr = (uint32_t)value & CTLR_ENABLE_MASK;
		for (unsigned int i = 0; i < vm->nvcpus; i++)
			kick(&vm->vcpus[i]);
	}
}

const struct mmio_ops vgic_dist_ops = { .read = dist_read, .write = dist_write };

/* --- redistributors, one 128 KiB pair of frames per vCPU --- */

static uint64_t redist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	unsigned int index = (unsigned int)(off / VGIC_REDIST_STRIDE);
	struct vcpu *t = &vm->vcpus[index];
	uint64_t typer, v = 0;

	(void)vcpu;
	off %= VGIC_REDIST_STRIDE;
	if (off >= GICR_SGI_BASE)
		return irq_regs(vm, t, true, off - GICR_SGI_BASE, size, false, &v) ? v : 0;
	/* Affinity (our MPIDR Aff0), processor number, Last on the final frame. */
	typer = ((t->mpidr & 0xff) << 32) | ((uint64_t)index << 8) |
		(index + 1 == vm->nvcpus ? 1UL << 4 : 0);
	switch (off) {
	case GICR_TYPER:
		return size == 8 ? typer : typer & 0xffffffff;
	case GICR_TYPER + 4:
		return typer >> 32;
	case GICR_IIDR:
		return IIDR_ARM;
	case GICR_WAKER:
		return t->vgic.sleeping ? WAKER_SLEEP | WAKER_ASLEEP : 0;
	case GICR_PIDR2:
		return PIDR2_GICV3;
	default:
		return 0;
	}
}

static void redist_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vm *vm = dev;
	struct vcpu *t = &vm->vcpus[off / VGIC_REDIST_STRIDE];

	(void)vcpu;
	off %= VGIC_REDIST_STRIDE;
	if (off >= GICR_SGI_BASE) {
		if (irq_regs(vm, t, true, off - GICR_SGI_BASE, size, true, &value))
			kick(t);
		return;
	}
	if (off == GICR_WAKER)
		t->vgic.sleeping = value & WAKER_SLEEP;
}

const struct mmio_ops vgic_redist_ops = { .read = redist_read, .write = redist_write };
