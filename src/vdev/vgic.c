// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "board/layout.h"
#include "lib/format.h"
#include "core/ipi.h"
#include "core/log.h"
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
#define GICD_ITARGETSR	0x0800
#define GICD_SGIR	0x0f00
#define GICD_CPENDSGIR	0x0f10
#define GICD_SPENDSGIR	0x0f20
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8
#define GICD_V2_PIDR2	0x0fe8

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
#define PIDR2_GICV2	 0x20
#define WAKER_SLEEP	 (1U << 1)
#define WAKER_ASLEEP	 (1U << 2)

#define LR_STATE_SHIFT	  62
#define LR_GROUP1	  (1UL << 60)
#define LR_PRIO_SHIFT	  48
#define LR_PENDING	  (1UL << LR_STATE_SHIFT)
#define LR_V2_CPUID_SHIFT 10 /* GICv2 SGIs: the source vCPU, beside the INTID */
#define LR_INTID_MASK	  0x3ffU

/* Which interrupts a register block covers: a vCPU's private ones, the SPIs, or both (v2). */
#define BLOCK_PRIVATE 1U
#define BLOCK_SHARED  2U

static struct vgic_irq *irq_of(struct vm *vm, struct vcpu *vcpu, unsigned int intid)
{
	if (intid < 32)
		return vcpu ? &vcpu->vgic.priv[intid] : 0;
	if (intid < VGIC_NR_IRQS)
		return &vm->vgic.spi[intid - 32];
	return 0;
}

static unsigned int block_of(unsigned int intid)
{
	return intid < 32 ? BLOCK_PRIVATE : BLOCK_SHARED;
}

/*
 * The vCPU an SPI goes to: GICv3's IROUTER Aff0 (our vCPUs' MPIDR), GICv2's
 * lowest target in ITARGETSR, or vCPU 0.
 */
static struct vcpu *spi_target(struct vm *vm, const struct vgic_irq *irq)
{
	uint64_t aff0 = irq->route & 0xff;

	if (vm->vgic.version == 2) {
		aff0 = aff0 ? (uint64_t)__builtin_ctzll(aff0) : 0;
		return &vm->vcpus[aff0 < vm->nvcpus ? aff0 : 0];
	}

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
	if (vcpu_state(vcpu) == VCPU_BLOCKED)
		sched_wake(vcpu);
	else if (vcpu->loaded && vcpu->pcpu != arch_cpu_index())
		ipi_send(vcpu->pcpu, IPI_KICK);
}

static void reset_irq(struct vgic_irq *irq, unsigned int intid, unsigned int version)
{
	memset(irq, 0, sizeof(*irq));
	/* GICv3 guests use group 1; a GICv2 guest's interrupts stay in group 0. */
	irq->group1 = version == 3;
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
		reset_irq(&vm->vgic.spi[i], 32 + i, vm->vgic.version);
	for (c = 0; c < vm->config->vcpus; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		for (i = 0; i < 32; i++)
			reset_irq(&vc->priv[i], i, vm->vgic.version);
		memset(vc->lr, 0, sizeof(vc->lr));
		vc->lr_used = 0;
		vc->vmcr = 0;
		vc->apr = 0;
		vc->apr0 = 0;
		vc->sleeping = true;
		vc->dirty = true;
	}
	spin_unlock(&vm->vgic.lock);
}

int vgic_init(struct vm *vm, char *err, size_t errlen)
{
	unsigned int version = arch_vgic_version();

	vm->vgic.version = version;
	vm->vgic.present = version != 0;
	if (!version)
		return 0;
	if (version == 2 && vm->config->vcpus > VGIC_V2_MAX_VCPUS) {
		format(err, errlen, "%u vCPUs, but a GICv2 host gives a VM at most %u",
		       vm->config->vcpus, VGIC_V2_MAX_VCPUS);
		return -1;
	}
	vgic_reset(vm);
	if (mmio_bus_add(&vm->mmio, GUEST_GICD_BASE, GUEST_GICD_SIZE, &vgic_dist_ops, vm, "gicd"))
		goto no_room;
	if (version == 3) {
		if (mmio_bus_add(&vm->mmio, GUEST_GICR_BASE, GUEST_GICR_STRIDE * vm->config->vcpus,
				 &vgic_redist_ops, vm, "gicr"))
			goto no_room;
		return 0;
	}
	/* The guest's GICC is the hardware's virtual CPU interface: no traps. */
	if (vgic_map_cpuif(vm)) {
		format(err, errlen, "cannot map the virtual CPU interface (out of memory?)");
		return -1;
	}
	return 0;
no_room:
	format(err, errlen, "cannot register the interrupt controller's registers");
	return -1;
}

int vgic_map_cpuif(struct vm *vm)
{
	struct vm_s2_locked s2;
	int r;

	if (vm->vgic.version != 2)
		return 0;
	s2 = vm_s2_lock(vm);
	r = arch_stage2_map_device(&vm->s2, ipa_init(GUEST_GICC_BASE), arch_vgic_cpuif_base(),
				   GUEST_GICC_SIZE);
	vm_s2_unlock(&s2);
	return r;
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

struct vcpu *vgic_spi_target(struct vm *vm, unsigned int intid)
{
	struct vgic_irq *irq = intid >= 32 ? irq_of(vm, 0, intid) : 0;
	struct vcpu *target;

	if (!vm->vgic.present || !irq)
		return 0;
	spin_lock(&vm->vgic.lock);
	target = spi_target(vm, irq);
	spin_unlock(&vm->vgic.lock);
	return target;
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
		if ((vcpu->vgic.lr_used & (1U << i)) && (vcpu->vgic.lr[i] & LR_PENDING))
			return true;
	spin_lock(&vm->vgic.lock);
	pending = best_pending(vcpu) >= 0;
	spin_unlock(&vm->vgic.lock);
	return pending;
}

/* A list register for @irq, which leaves the queue for the hardware. Lock held. */
static uint64_t make_lr(const struct vm *vm, struct vgic_irq *irq, unsigned int intid)
{
	uint64_t lr = LR_PENDING | ((uint64_t)irq->priority << LR_PRIO_SHIFT) | intid;

	if (irq->group1)
		lr |= LR_GROUP1;
	irq->in_lr = true;
	irq->pending = false; /* the list register holds it now */
	if (vm->vgic.version == 2 && intid < 16) {
		/* One source at a time: the guest reads it in GICC_IAR.CPUID. */
		unsigned int src = irq->sources ? (unsigned int)__builtin_ctz(irq->sources) : 0;

		irq->sources &= (uint8_t) ~(1U << src);
		irq->pending = irq->sources != 0;
		lr |= (uint64_t)src << LR_V2_CPUID_SHIFT;
	}
	return lr;
}

/*
 * The dirty flag is set by every change that can make an interrupt deliverable;
 * the run loop calls this only when it is set (sched.c: run_vcpu).
 */
void vgic_flush(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool changed = false, more;
	unsigned int n, i;

	if (!vm->vgic.present || !__atomic_exchange_n(&vcpu->vgic.dirty, false, __ATOMIC_ACQ_REL))
		return;
	n = arch_vgic_nr_lrs();
	spin_lock(&vm->vgic.lock);
	for (i = 0; i < n; i++) {
		struct vgic_irq *irq;
		int intid;

		if (vcpu->vgic.lr_used & (1U << i))
			continue;
		intid = best_pending(vcpu);
		if (intid < 0)
			break;
		irq = irq_of(vm, vcpu, (unsigned int)intid);
		vcpu->vgic.lr[i] = make_lr(vm, irq, (unsigned int)intid);
		vcpu->vgic.lr_used |= 1U << i;
		vcpu->vgic.delivered++;
		changed = true;
	}
	/* All slots full and more waiting: the maintenance interrupt says when some free up. */
	more = i == n && best_pending(vcpu) >= 0;
	spin_unlock(&vm->vgic.lock);
	if (changed)
		arch_vgic_write_lrs(vcpu->vgic.lr, n);
	arch_vgic_set_underflow_irq(vcpu, more);
}

void vgic_maintenance(struct vcpu *vcpu)
{
	/* vgic_sync() has freed what the guest finished with; fill the slots again. */
	__atomic_store_n(&vcpu->vgic.dirty, true, __ATOMIC_RELAXED);
	vcpu->vgic.maintenance_irqs++;
}

void vgic_report(const struct vm *vm)
{
	uint64_t delivered = 0, maintenance = 0;

	if (!vm->vgic.present)
		return;
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		delivered += vm->vcpus[i].vgic.delivered;
		maintenance += vm->vcpus[i].vgic.maintenance_irqs;
	}
	log_info("vm %s: vgic: GICv%u, %lu interrupts delivered, %lu maintenance interrupts",
		 vm->name, vm->vgic.version, (unsigned long)delivered, (unsigned long)maintenance);
}

void vgic_sync(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	unsigned int n, i;

	n = arch_vgic_nr_lrs();
	arch_vgic_read_lrs(vcpu->vgic.lr, n);
	spin_lock(&vm->vgic.lock);
	for (i = 0; i < n; i++) {
		uint64_t lr = vcpu->vgic.lr[i];
		struct vgic_irq *irq;

		/* A free slot keeps stale fields in the hardware: only look at used ones. */
		if (!(vcpu->vgic.lr_used & (1U << i)) || (lr >> LR_STATE_SHIFT))
			continue; /* free, or still pending/active in the hardware */
		/* Deactivated by the guest: the slot is free, the interrupt may come again. */
		irq = irq_of(vm, vcpu, (unsigned int)lr & LR_INTID_MASK);
		if (irq)
			irq->in_lr = false;
		vcpu->vgic.lr[i] = 0;
		vcpu->vgic.lr_used &= ~(1U << i);
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
 * @blocks says which INTIDs the frame covers (BLOCK_PRIVATE: 0-31 of @vcpu;
 * BLOCK_SHARED: the SPIs); the others read as zero. Returns false if @off is not
 * one of them.
 */
static bool irq_regs(struct vm *vm, struct vcpu *vcpu, unsigned int blocks, uint64_t off,
		     unsigned int size, bool write, uint64_t *val)
{
	unsigned int first, i;

	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		uint64_t base = off & ~0x7fUL;

		first = (unsigned int)(off - base) * 8;
		if (!(blocks & block_of(first))) {
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
		spin_lock(&vm->vgic.lock);
		for (i = 0; i < size; i++) {
			struct vgic_irq *irq = irq_of(vm, vcpu, first + i);

			if (!irq || !(blocks & block_of(first + i)))
				continue;
			if (write)
				irq->priority = (uint8_t)(*val >> (8 * i)) & 0xf8;
			else
				*val |= (uint64_t)irq->priority << (8 * i);
		}
		spin_unlock(&vm->vgic.lock);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
		first = (unsigned int)(off - GICD_ICFGR) * 4;
		if (!write)
			*val = 0;
		spin_lock(&vm->vgic.lock);
		for (i = 0; i < 16; i++) {
			struct vgic_irq *irq = irq_of(vm, vcpu, first + i);

			if (!irq || !(blocks & block_of(first + i)))
				continue;
			if (write && first + i >= 16) /* SGIs are always edge */
				irq->edge = *val & (2UL << (2 * i));
			else if (!write)
				*val |= (uint64_t)irq->edge << (2 * i + 1);
		}
		spin_unlock(&vm->vgic.lock);
		return true;
	}
	return false;
}

static void kick_all(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		kick(&vm->vcpus[i]);
}

/* GICD_CTLR's enables, which deliverable() reads under the lock. */
static uint32_t ctlr_read(struct vm *vm)
{
	uint32_t v;

	spin_lock(&vm->vgic.lock);
	v = vm->vgic.ctlr;
	spin_unlock(&vm->vgic.lock);
	return v;
}

static void ctlr_write(struct vm *vm, uint64_t value)
{
	spin_lock(&vm->vgic.lock);
	vm->vgic.ctlr = (uint32_t)value & CTLR_ENABLE_MASK;
	spin_unlock(&vm->vgic.lock);
	kick_all(vm);
}

/* --- GICv2 distributor: INTIDs 0-31 banked per vCPU, CPU-mask targets, GICD_SGIR --- */

static uint64_t v2_targets_read(struct vm *vm, const struct vcpu *vcpu, unsigned int first,
				unsigned int size)
{
	uint64_t v = 0;

	spin_lock(&vm->vgic.lock);
	for (unsigned int i = 0; i < size; i++) {
		const struct vgic_irq *irq = irq_of(vm, 0, first + i);
		uint64_t mask = first + i < 32 ? 1UL << vcpu->id : irq ? irq->route & 0xff : 0;

		v |= mask << (8 * i);
	}
	spin_unlock(&vm->vgic.lock);
	return v;
}

static void v2_targets_write(struct vm *vm, unsigned int first, unsigned int size, uint64_t value)
{
	uint64_t valid = (1UL << vm->nvcpus) - 1;

	spin_lock(&vm->vgic.lock);
	for (unsigned int i = 0; i < size; i++) {
		struct vgic_irq *irq = irq_of(vm, 0, first + i);

		if (first + i >= 32 && irq) /* SGI and PPI targets are read-only */
			irq->route = (value >> (8 * i)) & valid;
	}
	spin_unlock(&vm->vgic.lock);
}

/* GICD_SGIR: TargetListFilter 0 = the list, 1 = all but the sender, 2 = the sender. */
static void v2_send_sgi(struct vm *vm, struct vcpu *from, uint32_t sgir)
{
	unsigned int filter = (sgir >> 24) & 3, list = (sgir >> 16) & 0xff, intid = sgir & 0xf;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = &vm->vcpus[i];
		bool named = filter == 0 ? (list >> i) & 1 : filter == 1 ? t != from : t == from;

		if (!named)
			continue;
		spin_lock(&vm->vgic.lock);
		t->vgic.priv[intid].sources |= (uint8_t)(1U << from->id);
		t->vgic.priv[intid].pending = true;
		spin_unlock(&vm->vgic.lock);
		kick(t);
	}
}

/* GICD_[CS]PENDSGIR: a byte per SGI, a bit per source vCPU. */
static uint64_t v2_sgi_pending(struct vm *vm, struct vcpu *vcpu, unsigned int first,
			       unsigned int size, bool write, bool set, uint64_t value)
{
	uint64_t v = 0;

	spin_lock(&vm->vgic.lock);
	for (unsigned int i = 0; i < size && first + i < 16; i++) {
		struct vgic_irq *irq = &vcpu->vgic.priv[first + i];
		uint8_t bits = (uint8_t)(value >> (8 * i));

		if (write) {
			irq->sources = set ? irq->sources | bits : irq->sources & (uint8_t)~bits;
			irq->pending = irq->sources != 0;
		}
		v |= (uint64_t)irq->sources << (8 * i);
	}
	spin_unlock(&vm->vgic.lock);
	return v;
}

static uint64_t v2_dist_read(struct vm *vm, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	if (irq_regs(vm, vcpu, BLOCK_PRIVATE | BLOCK_SHARED, off, size, false, &v))
		return v;
	if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + VGIC_NR_IRQS)
		return v2_targets_read(vm, vcpu, (unsigned int)(off - GICD_ITARGETSR), size);
	if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10)
		return v2_sgi_pending(vm, vcpu, (unsigned int)(off & 0xf), size, false, false, 0);
	switch (off) {
	case GICD_CTLR:
		return ctlr_read(vm);
	case GICD_TYPER:
		/* ITLinesNumber, CPUNumber, no security extension. */
		return (VGIC_NR_IRQS / 32 - 1) | ((vm->nvcpus - 1) << 5);
	case GICD_IIDR:
		return IIDR_ARM;
	case GICD_V2_PIDR2:
		return PIDR2_GICV2;
	default:
		return 0;
	}
}

static void v2_dist_write(struct vm *vm, struct vcpu *vcpu, uint64_t off, unsigned int size,
			  uint64_t value)
{
	if (irq_regs(vm, vcpu, BLOCK_PRIVATE | BLOCK_SHARED, off, size, true, &value)) {
		kick_all(vm);
	} else if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + VGIC_NR_IRQS) {
		v2_targets_write(vm, (unsigned int)(off - GICD_ITARGETSR), size, value);
		kick_all(vm);
	} else if (off == GICD_SGIR && size == 4) {
		v2_send_sgi(vm, vcpu, (uint32_t)value);
	} else if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
		v2_sgi_pending(vm, vcpu, (unsigned int)(off & 0xf), size, true,
			       off >= GICD_SPENDSGIR, value);
		kick(vcpu);
	} else if (off == GICD_CTLR) {
		ctlr_write(vm, value);
	}
}

/* --- distributor (GICv3; GICv2 above) --- */

static uint64_t dist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	uint64_t v = 0;

	if (vm->vgic.version == 2)
		return v2_dist_read(vm, vcpu, off, size);
	if (irq_regs(vm, vcpu, BLOCK_SHARED, off, size, false, &v))
		return v;
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		const struct vgic_irq *irq =
			irq_of(vm, 0, (unsigned int)((off - GICD_IROUTER) / 8));

		spin_lock(&vm->vgic.lock);
		v = (off & 4) ? irq->route >> 32 : irq->route;
		spin_unlock(&vm->vgic.lock);
		return v;
	}
	switch (off) {
	case GICD_CTLR:
		return ctlr_read(vm) | CTLR_ARE_DS;
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

	if (vm->vgic.version == 2) {
		v2_dist_write(vm, vcpu, off, size, value);
		return;
	}
	if (irq_regs(vm, vcpu, BLOCK_SHARED, off, size, true, &value)) {
		kick_all(vm);
		return;
	}
	if (off >= GICD_IROUTER + 8 * 32 && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		struct vgic_irq *irq = irq_of(vm, 0, (unsigned int)((off - GICD_IROUTER) / 8));

		spin_lock(&vm->vgic.lock);
		if (size == 8)
			irq->route = value;
		else if (off & 4)
			irq->route = (irq->route & 0xffffffffUL) | (value << 32);
		else
			irq->route = (irq->route & ~0xffffffffUL) | (value & 0xffffffffUL);
		spin_unlock(&vm->vgic.lock);
		return;
	}
	if (off == GICD_CTLR)
		ctlr_write(vm, value);
}

const struct mmio_ops vgic_dist_ops = { .read = dist_read, .write = dist_write };

/* --- redistributors, one 128 KiB pair of frames per vCPU --- */

static uint64_t redist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	unsigned int index = (unsigned int)(off / GUEST_GICR_STRIDE);
	struct vcpu *t = &vm->vcpus[index];
	uint64_t typer, v = 0;

	(void)vcpu;
	off %= GUEST_GICR_STRIDE;
	if (off >= GICR_SGI_BASE)
		return irq_regs(vm, t, BLOCK_PRIVATE, off - GICR_SGI_BASE, size, false, &v) ? v : 0;
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
		spin_lock(&vm->vgic.lock);
		v = t->vgic.sleeping ? WAKER_SLEEP | WAKER_ASLEEP : 0;
		spin_unlock(&vm->vgic.lock);
		return v;
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
	struct vcpu *t = &vm->vcpus[off / GUEST_GICR_STRIDE];

	(void)vcpu;
	off %= GUEST_GICR_STRIDE;
	if (off >= GICR_SGI_BASE) {
		if (irq_regs(vm, t, BLOCK_PRIVATE, off - GICR_SGI_BASE, size, true, &value))
			kick(t);
		return;
	}
	if (off == GICR_WAKER) {
		spin_lock(&vm->vgic.lock);
		t->vgic.sleeping = value & WAKER_SLEEP;
		spin_unlock(&vm->vgic.lock);
	}
}

const struct mmio_ops vgic_redist_ops = { .read = redist_read, .write = redist_write };
