// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "board/layout.h"
#include "lib/format.h"
#include "core/guestlog.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "lib/gic.h"
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
#define LR_EOI		  (1UL << 41) /* maintenance interrupt when the guest deactivates it */
#define LR_STATE_PENDING  1U
#define LR_STATE_ACTIVE	  2U
#define LR_PENDING	  (1UL << LR_STATE_SHIFT)
#define LR_V2_CPUID_SHIFT 10 /* GICv2 SGIs: the source vCPU, beside the INTID */
#define LR_INTID_MASK	  0x3ffU

static struct vgic_irq *irq_of(struct vm *vm, struct vcpu *vcpu, unsigned int intid)
{
	if (GIC_IS_PRIVATE(intid))
		return vcpu ? &vcpu->vgic.priv[intid] : 0;
	if (intid < VGIC_NR_IRQS)
		return &vm->vgic.spi[intid - GIC_NR_PRIVATE];
	return 0;
}

/* Implemented INTID @intid as @vcpu sees it: its own SGI or PPI, or the VM's SPI. */
static struct vgic_irq *vcpu_irq(struct vcpu *vcpu, unsigned int intid)
{
	return GIC_IS_PRIVATE(intid) ? &vcpu->vgic.priv[intid]
				     : &vcpu->vm->vgic.spi[intid - GIC_NR_PRIVATE];
}

#define IROUTER_IRM    (1UL << 31)			  /* Interrupt_Routing_Mode: any PE */
#define IROUTER_AFF123 ((0xffUL << 32) | (0xffffUL << 8)) /* Aff3, Aff2, Aff1 */

/*
 * The index of the vCPU an SPI with @route goes to: GICv3's IROUTER Aff0 (our
 * vCPUs' MPIDRs have Aff1-3 zero), GICv2's lowest target in ITARGETSR, or vCPU
 * 0 when the route names no vCPU of the VM.
 */
static uint8_t spi_target_index(const struct vm *vm, uint64_t route)
{
	uint64_t aff0 = route & 0xff;

	if (vm->vgic.version == 2)
		aff0 = aff0 ? (uint64_t)__builtin_ctzll(aff0) : 0;
	else if (route & (IROUTER_IRM | IROUTER_AFF123))
		aff0 = 0; /* "any", or a PE that is not ours: vCPU 0 takes it */
	return aff0 < vm->nvcpus ? (uint8_t)aff0 : 0;
}

/* The vCPU interrupt @intid goes to (@bank: whose SGIs and PPIs these are). */
static struct vcpu *irq_target(struct vm *vm, struct vcpu *bank, const struct vgic_irq *irq,
			       unsigned int intid)
{
	return GIC_IS_PRIVATE(intid) ? bank : &vm->vcpus[irq->target];
}

static bool deliverable(const struct vm *vm, const struct vgic_irq *irq)
{
	unsigned int group = irq->group1 ? 2 : 1;

	return irq->enabled && !irq->in_lr && (irq->pending || (!irq->edge && irq->level)) &&
	       (vm->vgic.ctlr & group);
}

/*
 * After a change to interrupt @intid's state: its bit in its target's ready
 * set follows. Returns the target if the interrupt is deliverable, else NULL.
 * Lock held.
 */
static struct vcpu *irq_update(struct vm *vm, struct vcpu *bank, const struct vgic_irq *irq,
			       unsigned int intid)
{
	struct vcpu *t = irq_target(vm, bank, irq, intid);
	uint64_t *word = &t->vgic.ready[intid / 64], bit = 1UL << (intid % 64);

	if (!deliverable(vm, irq)) {
		*word &= ~bit;
		return 0;
	}
	*word |= bit;
	return t;
}

/* An SPI's route changes: its ready bit leaves the old target (the caller updates). Lock held. */
static void spi_set_route(struct vm *vm, struct vgic_irq *irq, unsigned int intid, uint64_t route)
{
	vm->vcpus[irq->target].vgic.ready[intid / 64] &= ~(1UL << (intid % 64));
	irq->route = route;
	irq->target = spi_target_index(vm, route);
}

/* Every interrupt's ready bit again (the group enables changed). Lock held. */
static void update_all(struct vm *vm)
{
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		irq_update(vm, 0, &vm->vgic.spi[i], GIC_NR_PRIVATE + i);
	for (unsigned int c = 0; c < vm->nvcpus; c++)
		for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
			irq_update(vm, &vm->vcpus[c], &vm->vcpus[c].vgic.priv[i], i);
}

static bool any_ready(const struct vcpu *vcpu)
{
	uint64_t any = 0;

	for (unsigned int w = 0; w < VGIC_READY_WORDS; w++)
		any |= vcpu->vgic.ready[w];
	return any != 0;
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
	irq->edge = GIC_IS_SGI(intid);
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
		reset_irq(&vm->vgic.spi[i], GIC_NR_PRIVATE + i, vm->vgic.version);
	for (c = 0; c < vm->config->vcpus; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		for (i = 0; i < GIC_NR_PRIVATE; i++)
			reset_irq(&vc->priv[i], i, vm->vgic.version);
		memset(vc->lr, 0, sizeof(vc->lr));
		memset(vc->ready, 0, sizeof(vc->ready)); /* nothing is enabled */
		vc->lr_used = 0;
		vc->lr_requests = false;
		vc->vmcr = 0;
		vc->apr = 0;
		vc->apr0 = 0;
		vc->sleeping = true;
		vc->dirty = true;
	}
	spin_unlock(&vm->vgic.lock);
}

/* Each version's distributor handlers (below). */
static const struct mmio_ops dist_v2_ops, dist_v3_ops;

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
	if (mmio_bus_add(&vm->mmio, GUEST_GICD_BASE, GUEST_GICD_SIZE,
			 version == 2 ? &dist_v2_ops : &dist_v3_ops, vm, "gicd"))
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
	/* Devices restate their line on every register access: most calls change nothing. */
	if (irq->level != level) {
		if (irq->edge && level)
			irq->pending = true;
		irq->level = level;
		irq_update(vm, vcpu, irq, intid);
	}
	target = irq_target(vm, vcpu, irq, intid);
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
	target = irq_target(vm, 0, irq, intid);
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
	irq_update(vm, vcpu, irq, intid);
	target = irq_target(vm, vcpu, irq, intid);
	spin_unlock(&vm->vgic.lock);
	kick(target);
}

/*
 * The highest-priority interrupt deliverable to @vcpu (the lowest INTID of
 * equal priorities), or -1: a look at each of its ready bits, usually one or
 * none. Lock held.
 */
static int best_pending(struct vcpu *vcpu)
{
	unsigned int prio = 0x100;
	int best = -1;

	for (unsigned int w = 0; w < VGIC_READY_WORDS; w++) {
		for (uint64_t bits = vcpu->vgic.ready[w]; bits; bits &= bits - 1) {
			unsigned int intid = w * 64 + (unsigned int)__builtin_ctzll(bits);
			const struct vgic_irq *irq = vcpu_irq(vcpu, intid);

			if (irq->priority < prio) {
				prio = irq->priority;
				best = (int)intid;
			}
		}
	}
	return best;
}

bool vgic_vcpu_pending(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool pending;

	for (uint32_t used = vcpu->vgic.lr_used; used; used &= used - 1)
		if (vcpu->vgic.lr[__builtin_ctz(used)] & LR_PENDING)
			return true;
	spin_lock(&vm->vgic.lock);
	pending = any_ready(vcpu);
	spin_unlock(&vm->vgic.lock);
	return pending;
}

/* A list register for @vcpu's interrupt @intid, which leaves the queue for the hardware. Lock held.
 */
static uint64_t make_lr(struct vm *vm, struct vcpu *vcpu, struct vgic_irq *irq, unsigned int intid)
{
	uint64_t lr = LR_PENDING | ((uint64_t)irq->priority << LR_PRIO_SHIFT) | intid;

	if (irq->group1)
		lr |= LR_GROUP1;
	/*
	 * A level-sensitive interrupt may be pending again once deactivated, if
	 * its line is still up: Skiff must look then (vtimer_exited samples the
	 * timer's), and a deactivation by the guest causes no exit of itself.
	 */
	if (!irq->edge)
		lr |= LR_EOI;
	irq->in_lr = true;
	irq->lr_vcpu = (uint8_t)vcpu->id;
	irq->lr_clear = 0;
	irq->pending = false; /* the list register holds it now */
	if (vm->vgic.version == 2 && GIC_IS_SGI(intid)) {
		/* One source at a time: the guest reads it in GICC_IAR.CPUID. */
		unsigned int src = irq->sources ? (unsigned int)__builtin_ctz(irq->sources) : 0;

		irq->sources &= (uint8_t) ~(1U << src);
		irq->pending = irq->sources != 0;
		lr |= (uint64_t)src << LR_V2_CPUID_SHIFT;
	}
	/* In a list register it is not deliverable (in_lr): it leaves @vcpu's ready set. */
	vcpu->vgic.ready[intid / 64] &= ~(1UL << (intid % 64));
	return lr;
}

/* Adds @t to the vCPUs to kick (a bit each) unless it is @vcpu, which is about to look. */
static void mark_other(const struct vcpu *vcpu, const struct vcpu *t, uint32_t *others)
{
	if (t && t != vcpu)
		*others |= 1U << t->id;
}

static void kick_others(struct vm *vm, uint32_t others)
{
	for (unsigned int i = 0; others; i++, others >>= 1)
		if (others & 1)
			kick(&vm->vcpus[i]);
}

/*
 * List register @i of @vcpu no longer holds an interrupt: the interrupt may be
 * delivered again. Returns the vCPU it is deliverable to, or NULL. Lock held.
 */
static struct vcpu *lr_free(struct vcpu *vcpu, unsigned int i)
{
	unsigned int intid = (unsigned int)vcpu->vgic.lr[i] & LR_INTID_MASK; /* make_lr wrote it */
	struct vgic_irq *irq = vcpu_irq(vcpu, intid);

	irq->in_lr = false;
	irq->lr_clear = 0;
	vcpu->vgic.lr[i] = 0;
	vcpu->vgic.lr_used &= ~(1U << i);
	vcpu->vgic.dirty = true;
	return irq_update(vcpu->vm, vcpu, irq, intid);
}

/*
 * The guest cleared the pending or active state of interrupts held in @vcpu's
 * list registers (GICD/GICR_ICPENDR, ICACTIVER): the list registers follow,
 * as the GIC's own state would. Runs on @vcpu's CPU before it is entered
 * (the list registers were read back at its exit); returns the ones changed.
 * Lock held.
 */
static uint32_t lr_apply_requests(struct vcpu *vcpu, uint32_t *others)
{
	uint32_t changed = 0;

	vcpu->vgic.lr_requests = false;
	for (uint32_t used = vcpu->vgic.lr_used; used; used &= used - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(used);
		uint64_t lr = vcpu->vgic.lr[i];
		struct vgic_irq *irq = vcpu_irq(vcpu, (unsigned int)lr & LR_INTID_MASK);
		uint64_t state = lr >> LR_STATE_SHIFT;

		if (!irq->lr_clear)
			continue;
		if (irq->lr_clear & VGIC_LR_CLEAR_PENDING)
			state &= ~(uint64_t)LR_STATE_PENDING;
		if (irq->lr_clear & VGIC_LR_CLEAR_ACTIVE)
			state &= ~(uint64_t)LR_STATE_ACTIVE;
		irq->lr_clear = 0;
		changed |= 1U << i;
		vcpu->vgic.lr[i] = (lr & ~(3UL << LR_STATE_SHIFT)) | state << LR_STATE_SHIFT;
		if (!state)
			mark_other(vcpu, lr_free(vcpu, i), others);
	}
	return changed;
}

/*
 * The dirty flag is set by every change that can make an interrupt deliverable;
 * the run loop calls this only when it is set (sched.c: run_vcpu).
 */
void vgic_flush(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint32_t free, filled = 0, changed = 0, others = 0;
	bool more;

	if (!vm->vgic.present || !__atomic_exchange_n(&vcpu->vgic.dirty, false, __ATOMIC_ACQ_REL))
		return;
	spin_lock(&vm->vgic.lock);
	if (vcpu->vgic.lr_requests)
		changed = lr_apply_requests(vcpu, &others);
	free = ((1U << arch_vgic_nr_lrs()) - 1) & ~vcpu->vgic.lr_used;
	for (; free && any_ready(vcpu); free &= free - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(free);
		int intid = best_pending(vcpu);

		vcpu->vgic.lr[i] =
			make_lr(vm, vcpu, vcpu_irq(vcpu, (unsigned int)intid), (unsigned int)intid);
		filled |= 1U << i;
		vcpu->vgic.delivered++;
	}
	/* All slots full and more waiting: the maintenance interrupt says when some free up. */
	more = !free && any_ready(vcpu);
	spin_unlock(&vm->vgic.lock);
	vcpu->vgic.lr_used |= filled;
	/* Only the slots filled or changed now: the others still hold what the hardware has. */
	if (filled | changed)
		arch_vgic_write_lrs(vcpu->vgic.lr, filled | changed);
	arch_vgic_set_underflow_irq(vcpu, more);
	kick_others(vm, others);
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
	uint32_t others = 0, freed = 0; /* others: vCPUs an SPI freed here is routed to now */

	/* A free slot keeps stale fields in the hardware: only the used ones are read. */
	arch_vgic_read_lrs(vcpu->vgic.lr, vcpu->vgic.lr_used);
	spin_lock(&vm->vgic.lock);
	for (uint32_t used = vcpu->vgic.lr_used; used; used &= used - 1) {
		unsigned int i = (unsigned int)__builtin_ctz(used);

		if (vcpu->vgic.lr[i] >> LR_STATE_SHIFT)
			continue; /* still pending or active in the hardware */
		/* Deactivated by the guest: the slot is free, the interrupt may come again. */
		if (vcpu->vgic.lr[i] & LR_EOI)
			freed |= 1U << i;
		mark_other(vcpu, lr_free(vcpu, i), &others);
	}
	spin_unlock(&vm->vgic.lock);
	/* An EOI bit left in a free slot would keep the maintenance interrupt up. */
	if (freed)
		arch_vgic_write_lrs(vcpu->vgic.lr, freed);
	kick_others(vm, others);
}

/* --- the model a migration carries (docs/migration.md, "Interrupt controller") --- */

#define VMCR_ENG0    (1U << 0)
#define VMCR_ENG1    (1U << 1)
#define VMCR_ACKCTL  (1U << 2)
#define VMCR_FIQEN   (1U << 3)
#define VMCR_CBPR    (1U << 4)
#define VMCR_EOIMODE (1U << 9)
#define VMCR_BPR1(v) (((v) >> 18) & 7U)
#define VMCR_BPR0(v) (((v) >> 21) & 7U)

static void irq_save(const struct vgic_irq *irq, struct vgic_irq_state *s)
{
	*s = (struct vgic_irq_state){ irq->enabled,  irq->pending, irq->active,
				      irq->group1,   irq->edge,	   irq->level,
				      irq->priority, irq->sources, irq->route };
}

/*
 * The state list register @lr holds goes back into its interrupt, which
 * leaves the hardware. A level-sensitive interrupt whose line is still up
 * stays pending through its line; one whose line fell keeps the pending
 * state it was offered with. Lock held.
 */
static void lr_fold(struct vm *vm, struct vcpu *vcpu, uint64_t lr)
{
	unsigned int intid = (unsigned int)lr & LR_INTID_MASK;
	struct vgic_irq *irq = vcpu_irq(vcpu, intid);
	unsigned int state = (unsigned int)(lr >> LR_STATE_SHIFT);

	if (state & LR_STATE_PENDING) {
		if (vm->vgic.version == 2 && GIC_IS_SGI(intid))
			irq->sources |= (uint8_t)(1U << ((lr >> LR_V2_CPUID_SHIFT) & 7));
		if (irq->edge || !irq->level)
			irq->pending = true;
	}
	if (state & LR_STATE_ACTIVE)
		irq->active = true;
	irq->in_lr = false;
	irq->lr_clear = 0;
}

/* ICH_VMCR_EL2 (v3) and GICH_VMCR (v2) bits, and the model's flags for them. */
static const struct {
	uint32_t vmcr;
	uint8_t flag;
	bool v2_only;
} cpuif_bits[] = {
	{ VMCR_ENG0, VGIC_CPUIF_ENG0, false },	  { VMCR_ENG1, VGIC_CPUIF_ENG1, false },
	{ VMCR_CBPR, VGIC_CPUIF_CBPR, false },	  { VMCR_EOIMODE, VGIC_CPUIF_EOIMODE, false },
	{ VMCR_ACKCTL, VGIC_CPUIF_ACKCTL, true }, { VMCR_FIQEN, VGIC_CPUIF_FIQEN, true },
};

#define NR_CPUIF_BITS (sizeof(cpuif_bits) / sizeof(cpuif_bits[0]))

/* The CPU interface's fields from its VMCR: the same places in both versions but PMR. */
static void cpuif_save(const struct vm *vm, const struct vgic_cpu *vc, struct vgic_cpu_state *s)
{
	uint64_t v = vc->vmcr;
	bool v2 = vm->vgic.version == 2;

	s->pmr = v2 ? (uint8_t)(((v >> 27) & 0x1f) << 3) : (uint8_t)(v >> 24);
	s->bpr0 = (uint8_t)VMCR_BPR0(v);
	s->bpr1 = (uint8_t)VMCR_BPR1(v);
	s->flags = 0;
	for (unsigned int i = 0; i < NR_CPUIF_BITS; i++)
		if ((v & cpuif_bits[i].vmcr) && (v2 || !cpuif_bits[i].v2_only))
			s->flags |= cpuif_bits[i].flag;
	/* GICv2 has one active-priorities register for both groups. */
	s->apr0 = (uint32_t)(v2 ? vc->apr : vc->apr0);
	s->apr1 = v2 ? 0 : (uint32_t)vc->apr;
	s->sleeping = vc->sleeping;
}

static void cpuif_restore(const struct vm *vm, struct vgic_cpu *vc, const struct vgic_cpu_state *s)
{
	bool v2 = vm->vgic.version == 2;
	uint64_t v = (uint64_t)s->bpr0 << 21 | (uint64_t)s->bpr1 << 18;

	v |= v2 ? (uint64_t)(s->pmr >> 3) << 27 : (uint64_t)s->pmr << 24;
	for (unsigned int i = 0; i < NR_CPUIF_BITS; i++)
		if (s->flags & cpuif_bits[i].flag)
			v |= cpuif_bits[i].vmcr;
	vc->vmcr = v;
	vc->apr = v2 ? s->apr0 : s->apr1;
	vc->apr0 = v2 ? 0 : s->apr0;
	vc->sleeping = s->sleeping;
}

void vgic_save(struct vm *vm, struct vgic_dist_state *dist, struct vgic_cpu_state *cpus)
{
	spin_lock(&vm->vgic.lock);
	for (unsigned int c = 0; c < vm->nvcpus; c++) {
		struct vcpu *vcpu = &vm->vcpus[c];

		for (uint32_t used = vcpu->vgic.lr_used; used; used &= used - 1) {
			unsigned int i = (unsigned int)__builtin_ctz(used);

			lr_fold(vm, vcpu, vcpu->vgic.lr[i]);
			vcpu->vgic.lr[i] = 0;
		}
		vcpu->vgic.lr_used = 0;
		vcpu->vgic.lr_requests = false;
	}
	/* Folded back, interrupts may be deliverable again (were the VM to resume here). */
	update_all(vm);
	dist->version = (uint8_t)vm->vgic.version;
	dist->enables = (uint8_t)(vm->vgic.ctlr & CTLR_ENABLE_MASK);
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		irq_save(&vm->vgic.spi[i], &dist->spi[i]);
	for (unsigned int c = 0; c < vm->nvcpus; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
			irq_save(&vc->priv[i], &cpus[c].priv[i]);
		cpuif_save(vm, vc, &cpus[c]);
		__atomic_store_n(&vc->dirty, true, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&vm->vgic.lock);
}

static void irq_restore(struct vgic_irq *irq, const struct vgic_irq_state *s)
{
	memset(irq, 0, sizeof(*irq));
	irq->enabled = s->enabled;
	irq->pending = s->pending;
	irq->active = s->active;
	irq->group1 = s->group1;
	irq->edge = s->edge;
	irq->level = s->level;
	irq->priority = s->priority;
	irq->sources = s->sources;
}

void vgic_restore(struct vm *vm, const struct vgic_dist_state *dist,
		  const struct vgic_cpu_state *cpus)
{
	spin_lock(&vm->vgic.lock);
	vm->vgic.ctlr = dist->enables & CTLR_ENABLE_MASK;
	for (unsigned int c = 0; c < vm->nvcpus; c++) {
		struct vgic_cpu *vc = &vm->vcpus[c].vgic;

		for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
			irq_restore(&vc->priv[i], &cpus[c].priv[i]);
		memset(vc->lr, 0, sizeof(vc->lr));
		memset(vc->ready, 0, sizeof(vc->ready));
		vc->lr_used = 0;
		vc->lr_requests = false;
		cpuif_restore(vm, vc, &cpus[c]);
		__atomic_store_n(&vc->dirty, true, __ATOMIC_SEQ_CST);
	}
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++) {
		struct vgic_irq *irq = &vm->vgic.spi[i];

		irq_restore(irq, &dist->spi[i]);
		irq->route = dist->spi[i].route;
		irq->target = spi_target_index(vm, irq->route);
	}
	update_all(vm);
	spin_unlock(&vm->vgic.lock);
}

void vgic_send_sgi(struct vcpu *vcpu, uint64_t sgi1r)
{
	struct vm *vm = vcpu->vm;
	unsigned int intid = (sgi1r >> 24) & 0xf;
	unsigned int rs = (sgi1r >> 44) & 0xf;
	bool all = sgi1r & (1UL << 40);
	uint32_t targets = 0;
	unsigned int i;

	/* Our vCPUs' MPIDRs have only Aff0: Aff1-3 must be zero to name any of them. */
	if (!all && (sgi1r & ((0xffUL << 16) | (0xffUL << 32) | (0xffUL << 48))))
		return;
	spin_lock(&vm->vgic.lock);
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = &vm->vcpus[i];
		bool named = all ? t != vcpu : i / 16 == rs && (sgi1r & (1UL << (i % 16)));

		if (!named)
			continue;
		t->vgic.priv[intid].pending = true;
		irq_update(vm, t, &t->vgic.priv[intid], intid);
		targets |= 1U << i;
	}
	spin_unlock(&vm->vgic.lock);
	for (i = 0; targets; i++, targets >>= 1)
		if (targets & 1)
			kick(&vm->vcpus[i]);
}

/*
 * --- register decoding ---
 *
 * Each frame (the distributor, a redistributor's RD and SGI frames) has a table
 * of register descriptors. An access is decoded once: offset -> register ->
 * the INTIDs (or the register) it covers. Sizes and alignments the GIC
 * architecture does not permit for that register read as zero and are ignored,
 * and each INTID an access covers is looked up in the bank it belongs to, so
 * an access cannot reach state the frame does not hold.
 */

/* Which INTIDs a frame holds and a register reaches: a vCPU's private ones, the SPIs. */
#define BANK_PRIVATE 1U
#define BANK_SHARED  2U
#define BANK_BOTH    (BANK_PRIVATE | BANK_SHARED)

/* Access sizes in bytes; a descriptor has the bit of each size it takes. */
#define ACC_8  1U
#define ACC_32 4U
#define ACC_64 8U

#define PRIORITY_MASK 0xf8U /* 5 bits of priority, as the list registers carry */

/* The extent of the distributor's per-INTID arrays: 10 INTID bits (GICD_TYPER.IDbits). */
#define NR_INTIDS (GIC_INTID_SPURIOUS + 1)

/* One access being served. */
struct access {
	struct vm *vm;
	struct vcpu *bank;  /* whose private INTIDs the frame shows */
	struct vcpu *from;  /* the vCPU making the access */
	unsigned int banks; /* BANK_*: the INTIDs the frame holds */
	uint32_t kick;	    /* vCPUs to look at their interrupts after the access, a bit each */
};

/*
 * A register, or an array of per-INTID fields (@banks not 0): INTID n's field
 * is the n-th of @bits bits from @off. A plain register is one element of
 * @bits (32 or 64) bits. The handlers run under vgic.lock; @irq is the field's
 * interrupt (NULL for a plain register). A missing read handler reads as zero,
 * a missing write handler ignores writes.
 */
struct vgic_reg {
	const char *name;
	uint32_t off, len; /* bytes */
	uint8_t bits;	   /* per element */
	uint8_t sizes;	   /* ACC_*: the access sizes the architecture permits */
	uint8_t banks;	   /* BANK_*: the INTIDs a per-INTID array reaches; 0: plain register */
	uint64_t (*read)(struct access *a, struct vgic_irq *irq, unsigned int intid);
	void (*write)(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v);
};

struct vgic_frame {
	const char *name;
	const struct vgic_reg *regs;
	unsigned int nregs;
	unsigned int banks; /* BANK_*: the INTIDs this frame holds */
};

/* A per-INTID array over @n INTIDs, and a plain register. */
#define IRQ_REG(name, off, n, bits, sizes, banks, rd, wr)               \
	{                                                               \
		name, off, (n) * (bits) / 8, bits, sizes, banks, rd, wr \
	}
#define PLAIN_REG(name, off, bits, sizes, rd, wr)             \
	{                                                     \
		name, off, (bits) / 8, bits, sizes, 0, rd, wr \
	}

static void mark_kick(struct access *a, const struct vcpu *vcpu)
{
	a->kick |= 1U << vcpu->id;
}

/* INTID @intid's state if the frame holds it and the register reaches it, else NULL (RAZ/WI). */
static struct vgic_irq *field_irq(const struct access *a, const struct vgic_reg *r,
				  unsigned int intid)
{
	unsigned int banks = a->banks & r->banks;

	if (GIC_IS_PRIVATE(intid))
		return banks & BANK_PRIVATE ? &a->bank->vgic.priv[intid] : 0;
	if (intid < VGIC_NR_IRQS)
		return banks & BANK_SHARED ? &a->vm->vgic.spi[intid - GIC_NR_PRIVATE] : 0;
	return 0;
}

/* After a field changed: the vCPU it is for looks again if it may now be delivered. */
static void field_changed(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	struct vcpu *t = irq_update(a->vm, a->bank, irq, intid);

	if (t)
		mark_kick(a, t);
}

static const struct vgic_reg *find_reg(const struct vgic_frame *f, uint64_t off)
{
	/* Below a register's offset, the difference wraps to a huge value: one test for both ends.
	 */
	for (unsigned int i = 0; i < f->nregs; i++)
		if (off - f->regs[i].off < f->regs[i].len)
			return &f->regs[i];
	return 0;
}

static void log_bad_access(const struct access *a, const struct vgic_frame *f,
			   const struct vgic_reg *r, uint64_t off, unsigned int size, bool write)
{
	if (__atomic_exchange_n(&a->vm->vgic.bad_access_logged, true, __ATOMIC_RELAXED))
		return;
	guestlog_warn(&a->vm->log,
		      "vcpu %u: %u-byte %s at %s offset 0x%lx (%s), a size or alignment the GIC "
		      "does not permit there: read as zero, write ignored (logged once per VM)",
		      a->from->id, size, write ? "write" : "read", f->name, (unsigned long)off,
		      r->name);
}

/* One element of @r (an INTID's field or the register) read whole, or 0. */
static uint64_t element_read(struct access *a, const struct vgic_reg *r, struct vgic_irq *irq,
			     unsigned int index)
{
	return r->read ? r->read(a, irq, index) : 0;
}

/* The elements an access covers, one at a time; a word of a 64-bit element by itself. */
static uint64_t elements_access(struct access *a, const struct vgic_reg *r, uint64_t off,
				unsigned int size, bool write, uint64_t value)
{
	unsigned int width = r->bits, first = (unsigned int)((off - r->off) * 8 / width);
	unsigned int count = size * 8 >= width ? size * 8 / width : 1;
	uint64_t mask = width == 64 ? ~0UL : (1UL << width) - 1, result = 0;

	for (unsigned int i = 0; i < count; i++) {
		unsigned int index = first + i;
		struct vgic_irq *irq = r->banks ? field_irq(a, r, index) : 0;
		uint64_t field = (value >> (i * width)) & mask;

		if (r->banks && !irq)
			continue; /* not this frame's, or not implemented: RAZ/WI */
		if (size * 8 < width) {
			uint64_t whole = element_read(a, r, irq, index);

			if (!write) {
				result = mmio_reg64_word(whole, off - r->off);
				continue;
			}
			field = mmio_reg64_set_word(whole, off - r->off, (uint32_t)value);
		}
		if (!write) {
			result |= (element_read(a, r, irq, index) & mask) << (i * width);
			continue;
		}
		if (r->write)
			r->write(a, irq, index, field);
		if (irq)
			field_changed(a, irq, index);
	}
	return result;
}

/*
 * An access to register @r under the VM's vGIC lock; then the vCPUs it made
 * work for are kicked. Kept out of line: frame_access()'s early returns then
 * need none of its registers.
 */
static __attribute__((noinline)) uint64_t locked_access(struct access *a, const struct vgic_reg *r,
							uint64_t off, unsigned int size, bool write,
							uint64_t value)
{
	uint64_t result;

	spin_lock(&a->vm->vgic.lock);
	result = elements_access(a, r, off, size, write, value);
	spin_unlock(&a->vm->vgic.lock);
	/* Outside the lock: a kick may wake the vCPU or send an IPI. */
	for (unsigned int i = 0; a->kick; i++, a->kick >>= 1)
		if (a->kick & 1)
			kick(&a->vm->vcpus[i]);
	return result;
}

/* Serves an access to frame @f; returns what a read reads. */
static inline __attribute__((always_inline)) uint64_t frame_access(const struct vgic_frame *f,
								   struct access *a, uint64_t off,
								   unsigned int size, bool write,
								   uint64_t value)
{
	const struct vgic_reg *r = find_reg(f, off);

	a->banks = f->banks;
	a->kick = 0;
	if (!r)
		return 0; /* reserved, or not implemented: RAZ/WI */
	if (!(r->sizes & size) || (off & (size - 1))) {
		log_bad_access(a, f, r, off, size, write);
		return 0;
	}
	/* A plain register nothing writes (an ID, TYPER) is the same for the VM's whole life. */
	if (!r->banks && !r->write && size * 8 == r->bits)
		return write ? 0 : element_read(a, r, 0, 0);
	return locked_access(a, r, off, size, write, value);
}

/* --- the interrupt registers, in GICD and in GICR's SGI frame --- */

static uint64_t group_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->group1;
}

static void group_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	irq->group1 = v;
}

static uint64_t enable_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->enabled;
}

static void enable_set(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	if (v)
		irq->enabled = true;
}

static void enable_clear(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	if (v)
		irq->enabled = false;
}

static uint64_t pending_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->pending || irq->in_lr || (!irq->edge && irq->level);
}

/*
 * GICv2 keeps an SGI pending per source vCPU: its bits in GICD_I[SC]PENDR0 are
 * read-only, GICD_[SC]PENDSGIR set and clear it (GICv3 without affinity
 * routing says the same).
 */
static bool pending_by_source(const struct access *a, unsigned int intid)
{
	return a->vm->vgic.version == 2 && GIC_IS_SGI(intid);
}

static void pending_set(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	if (v && !pending_by_source(a, intid))
		irq->pending = true;
}

/*
 * A clear of state that a list register holds: the vCPU whose register it is
 * applies it before it next runs (vgic_flush), on its own CPU.
 */
static void lr_request(struct access *a, struct vgic_irq *irq, uint8_t clear)
{
	struct vcpu *holder = &a->vm->vcpus[irq->lr_vcpu];

	irq->lr_clear |= clear;
	holder->vgic.lr_requests = true;
	mark_kick(a, holder);
}

static void pending_clear(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	if (!v || pending_by_source(a, intid))
		return;
	irq->pending = false;
	if (irq->in_lr)
		lr_request(a, irq, VGIC_LR_CLEAR_PENDING);
}

static uint64_t active_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->active;
}

static void active_set(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	if (v)
		irq->active = true;
}

static void active_clear(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)intid;
	if (!v)
		return;
	irq->active = false;
	if (irq->in_lr)
		lr_request(a, irq, VGIC_LR_CLEAR_ACTIVE);
}

static uint64_t priority_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->priority;
}

static void priority_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	irq->priority = (uint8_t)(v & PRIORITY_MASK);
}

/*
 * ICFGR: bit 1 of each field says edge-triggered. SGIs are always edge-triggered;
 * PPIs are level-sensitive, read-only (the architecture lets an implementation
 * fix them): each stands for a device whose output is a level, the timers
 * first, whose line Skiff holds up until the guest lowers it (vdev/vtimer.h).
 * Made edge-triggered, a timer's interrupt would come once per rising of that
 * line, and a guest that reprograms its timer between two exits raises none.
 */
static uint64_t config_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->edge ? 2 : 0;
}

static void config_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	if (!GIC_IS_PRIVATE(intid))
		irq->edge = v & 2;
}

/* The interrupt registers for @n INTIDs (GICD: all of them; GICR's SGI frame: 32). */
#define IRQ_REGS(n)                                                                         \
	IRQ_REG("IGROUPR", GICD_IGROUPR, n, 1, ACC_32, BANK_BOTH, group_read, group_write), \
		IRQ_REG("ISENABLER", GICD_ISENABLER, n, 1, ACC_32, BANK_BOTH, enable_read,  \
			enable_set),                                                        \
		IRQ_REG("ICENABLER", GICD_ICENABLER, n, 1, ACC_32, BANK_BOTH, enable_read,  \
			enable_clear),                                                      \
		IRQ_REG("ISPENDR", GICD_ISPENDR, n, 1, ACC_32, BANK_BOTH, pending_read,     \
			pending_set),                                                       \
		IRQ_REG("ICPENDR", GICD_ICPENDR, n, 1, ACC_32, BANK_BOTH, pending_read,     \
			pending_clear),                                                     \
		IRQ_REG("ISACTIVER", GICD_ISACTIVER, n, 1, ACC_32, BANK_BOTH, active_read,  \
			active_set),                                                        \
		IRQ_REG("ICACTIVER", GICD_ICACTIVER, n, 1, ACC_32, BANK_BOTH, active_read,  \
			active_clear),                                                      \
		IRQ_REG("IPRIORITYR", GICD_IPRIORITYR, n, 8, ACC_8 | ACC_32, BANK_BOTH,     \
			priority_read, priority_write),                                     \
		IRQ_REG("ICFGR", GICD_ICFGR, n, 2, ACC_32, BANK_BOTH, config_read, config_write)

/* --- registers that are not per INTID --- */

static uint64_t ctlr_v3_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)irq;
	(void)intid;
	return a->vm->vgic.ctlr | CTLR_ARE_DS;
}

static uint64_t ctlr_v2_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)irq;
	(void)intid;
	return a->vm->vgic.ctlr;
}

static void ctlr_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)irq;
	(void)intid;
	a->vm->vgic.ctlr = (uint32_t)v & CTLR_ENABLE_MASK;
	update_all(a->vm);
	for (unsigned int i = 0; i < a->vm->nvcpus; i++)
		mark_kick(a, &a->vm->vcpus[i]);
}

static uint64_t typer_v3_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)irq;
	(void)intid;
	/* ITLinesNumber (in 32s of INTIDs), 10 INTID bits, no LPIs, one security state. */
	return (VGIC_NR_IRQS / 32 - 1) | (9U << 19);
}

static uint64_t typer_v2_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)irq;
	(void)intid;
	/* ITLinesNumber (in 32s of INTIDs), CPUNumber, no security extension. */
	return (VGIC_NR_IRQS / 32 - 1) | ((a->vm->nvcpus - 1) << 5);
}

static uint64_t iidr_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)irq;
	(void)intid;
	return IIDR_ARM;
}

static uint64_t pidr2_v3_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)irq;
	(void)intid;
	return PIDR2_GICV3;
}

static uint64_t pidr2_v2_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)irq;
	(void)intid;
	return PIDR2_GICV2;
}

/* --- GICv3 distributor --- */

/* GICD_IROUTER: affinity routing of an SPI (our vCPUs' MPIDRs have only Aff0). */
static uint64_t route_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->route;
}

static void route_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	/* Aff3, IRM, Aff2-Aff0: the rest is RES0, kept as the GIC keeps it (not at all). */
	spi_set_route(a->vm, irq, intid, v & VGIC_IROUTER_BITS);
}

static const struct vgic_reg v3_dist_regs[] = {
	PLAIN_REG("GICD_CTLR", GICD_CTLR, 32, ACC_32, ctlr_v3_read, ctlr_write),
	PLAIN_REG("GICD_TYPER", GICD_TYPER, 32, ACC_32, typer_v3_read, 0),
	PLAIN_REG("GICD_IIDR", GICD_IIDR, 32, ACC_32, iidr_read, 0),
	IRQ_REGS(NR_INTIDS),
	IRQ_REG("IROUTER", GICD_IROUTER, NR_INTIDS, 64, ACC_32 | ACC_64, BANK_SHARED, route_read,
		route_write),
	PLAIN_REG("GICD_PIDR2", GICD_PIDR2, 32, ACC_32, pidr2_v3_read, 0),
};

/* With affinity routing the distributor holds the SPIs only (INTIDs 0-31: RAZ/WI). */
static const struct vgic_frame v3_dist = { "GICD", v3_dist_regs,
					   sizeof(v3_dist_regs) / sizeof(v3_dist_regs[0]),
					   BANK_SHARED };

/* --- GICv2 distributor: INTIDs 0-31 banked per vCPU, CPU-mask targets, GICD_SGIR --- */

/* ITARGETSR: a byte per INTID; SGIs and PPIs read the accessing vCPU's own bit. */
static uint64_t targets_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	return GIC_IS_PRIVATE(intid) ? 1U << a->bank->id : irq->route & 0xff;
}

static void targets_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	if (!GIC_IS_PRIVATE(intid)) /* SGI and PPI targets are read-only */
		spi_set_route(a->vm, irq, intid, v & ((1UL << a->vm->nvcpus) - 1));
}

/* GICD_SGIR: TargetListFilter 0 = the list, 1 = all but the sender, 2 = the sender. */
static void sgir_write(struct access *a, struct vgic_irq *unused, unsigned int intid, uint64_t v)
{
	unsigned int filter = (v >> 24) & 3, list = (v >> 16) & 0xff, sgi = v & 0xf;
	struct vm *vm = a->vm;

	(void)unused;
	(void)intid;
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = &vm->vcpus[i];
		struct vgic_irq *irq = &t->vgic.priv[sgi];
		bool named = filter == 0   ? (list >> i) & 1
			     : filter == 1 ? t != a->from
					   : t == a->from;

		if (!named)
			continue;
		irq->sources |= (uint8_t)(1U << a->from->id);
		irq->pending = true;
		irq_update(vm, t, irq, sgi);
		mark_kick(a, t);
	}
}

/* GICD_[CS]PENDSGIR: a byte per SGI, a bit per source vCPU. */
static uint64_t sgi_sources_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)a;
	(void)intid;
	return irq->sources;
}

static void sgi_sources_set(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)a;
	(void)intid;
	irq->sources |= (uint8_t)v;
	irq->pending = irq->sources != 0;
}

static void sgi_sources_clear(struct access *a, struct vgic_irq *irq, unsigned int intid,
			      uint64_t v)
{
	(void)a;
	(void)intid;
	irq->sources &= (uint8_t)~v;
	irq->pending = irq->sources != 0;
}

static const struct vgic_reg v2_dist_regs[] = {
	PLAIN_REG("GICD_CTLR", GICD_CTLR, 32, ACC_32, ctlr_v2_read, ctlr_write),
	PLAIN_REG("GICD_TYPER", GICD_TYPER, 32, ACC_32, typer_v2_read, 0),
	PLAIN_REG("GICD_IIDR", GICD_IIDR, 32, ACC_32, iidr_read, 0),
	IRQ_REGS(NR_INTIDS),
	IRQ_REG("ITARGETSR", GICD_ITARGETSR, NR_INTIDS, 8, ACC_8 | ACC_32, BANK_BOTH, targets_read,
		targets_write),
	PLAIN_REG("GICD_SGIR", GICD_SGIR, 32, ACC_32, 0, sgir_write),
	IRQ_REG("CPENDSGIR", GICD_CPENDSGIR, GIC_NR_SGIS, 8, ACC_8 | ACC_32, BANK_PRIVATE,
		sgi_sources_read, sgi_sources_clear),
	IRQ_REG("SPENDSGIR", GICD_SPENDSGIR, GIC_NR_SGIS, 8, ACC_8 | ACC_32, BANK_PRIVATE,
		sgi_sources_read, sgi_sources_set),
	PLAIN_REG("GICD_PIDR2", GICD_V2_PIDR2, 32, ACC_32, pidr2_v2_read, 0),
};

/* GICv2 banks INTIDs 0-31 per vCPU in the distributor itself: the accessing vCPU's. */
static const struct vgic_frame v2_dist = { "GICD", v2_dist_regs,
					   sizeof(v2_dist_regs) / sizeof(v2_dist_regs[0]),
					   BANK_BOTH };

/*
 * Each version's distributor has handlers of its own, so that its frame, a
 * constant, is folded into the inlined frame access; vgic_init() registers the
 * VM's. The distributor banks private INTIDs by the accessing vCPU.
 */
static inline __attribute__((always_inline)) uint64_t dist_access(const struct vgic_frame *f,
								  void *dev, struct vcpu *vcpu,
								  uint64_t off, unsigned int size,
								  bool write, uint64_t value)
{
	struct access a = { .vm = dev, .bank = vcpu, .from = vcpu };

	return frame_access(f, &a, off, size, write, value);
}

static uint64_t dist_v3_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	return dist_access(&v3_dist, dev, vcpu, off, size, false, 0);
}

static void dist_v3_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			  uint64_t value)
{
	dist_access(&v3_dist, dev, vcpu, off, size, true, value);
}

static uint64_t dist_v2_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	return dist_access(&v2_dist, dev, vcpu, off, size, false, 0);
}

static void dist_v2_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			  uint64_t value)
{
	dist_access(&v2_dist, dev, vcpu, off, size, true, value);
}

static const struct mmio_ops dist_v3_ops = { .read = dist_v3_read, .write = dist_v3_write };
static const struct mmio_ops dist_v2_ops = { .read = dist_v2_read, .write = dist_v2_write };

/* The VM's version's handlers, chosen at each access (vgic.h: vgic_dist_ops). */
static uint64_t dist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	const struct vm *vm = dev;

	return vm->vgic.version == 2 ? dist_v2_read(dev, vcpu, off, size)
				     : dist_v3_read(dev, vcpu, off, size);
}

static void dist_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
		       uint64_t value)
{
	const struct vm *vm = dev;

	if (vm->vgic.version == 2)
		dist_v2_write(dev, vcpu, off, size, value);
	else
		dist_v3_write(dev, vcpu, off, size, value);
}

const struct mmio_ops vgic_dist_ops = { .read = dist_read, .write = dist_write };

/* --- redistributors, one 128 KiB pair of frames per vCPU --- */

/* Affinity (our MPIDR Aff0), processor number, Last on the final frame. */
static uint64_t rd_typer_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	const struct vcpu *t = a->bank;

	(void)irq;
	(void)intid;
	return ((t->mpidr & 0xff) << 32) | ((uint64_t)t->id << 8) |
	       (t->id + 1 == a->vm->nvcpus ? 1UL << 4 : 0);
}

static uint64_t waker_read(struct access *a, struct vgic_irq *irq, unsigned int intid)
{
	(void)irq;
	(void)intid;
	return a->bank->vgic.sleeping ? WAKER_SLEEP | WAKER_ASLEEP : 0;
}

static void waker_write(struct access *a, struct vgic_irq *irq, unsigned int intid, uint64_t v)
{
	(void)irq;
	(void)intid;
	a->bank->vgic.sleeping = v & WAKER_SLEEP;
}

static const struct vgic_reg rd_regs[] = {
	PLAIN_REG("GICR_IIDR", GICR_IIDR, 32, ACC_32, iidr_read, 0),
	PLAIN_REG("GICR_TYPER", GICR_TYPER, 64, ACC_32 | ACC_64, rd_typer_read, 0),
	PLAIN_REG("GICR_WAKER", GICR_WAKER, 32, ACC_32, waker_read, waker_write),
	PLAIN_REG("GICR_PIDR2", GICR_PIDR2, 32, ACC_32, pidr2_v3_read, 0),
};

static const struct vgic_reg sgi_regs[] = { IRQ_REGS(GIC_NR_PRIVATE) };

static const struct vgic_frame rd_frame = { "GICR", rd_regs, sizeof(rd_regs) / sizeof(rd_regs[0]),
					    0 };

/* The SGI frame holds its vCPU's private INTIDs only. */
static const struct vgic_frame sgi_frame = { "GICR SGI frame", sgi_regs,
					     sizeof(sgi_regs) / sizeof(sgi_regs[0]), BANK_PRIVATE };

/* The frame at @off in the redistributor region, and the vCPU it belongs to. */
static const struct vgic_frame *redist_frame(struct vm *vm, uint64_t *off, struct vcpu **owner)
{
	*owner = &vm->vcpus[*off / GUEST_GICR_STRIDE];
	*off %= GUEST_GICR_STRIDE;
	if (*off < GICR_SGI_BASE)
		return &rd_frame;
	*off -= GICR_SGI_BASE;
	return &sgi_frame;
}

static uint64_t redist_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	struct access a = { .vm = vm, .from = vcpu };
	const struct vgic_frame *f = redist_frame(vm, &off, &a.bank);

	return frame_access(f, &a, off, size, false, 0);
}

static void redist_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vm *vm = dev;
	struct access a = { .vm = vm, .from = vcpu };
	const struct vgic_frame *f = redist_frame(vm, &off, &a.bank);

	frame_access(f, &a, off, size, true, value);
}

const struct mmio_ops vgic_redist_ops = { .read = redist_read, .write = redist_write };
