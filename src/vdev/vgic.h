/* SPDX-License-Identifier: MIT */
/*
 * A virtual GIC for each VM, of the host GIC's version. GICv3: the distributor
 * and one redistributor per vCPU are emulated by MMIO traps; the CPU interface is
 * the hardware's virtual one (ICV_* registers). GICv2: the distributor is
 * emulated; the hardware's virtual CPU interface frame (GICV) is mapped at the
 * guest's GICC address. Both are fed through list registers. Interrupts a VM can
 * see: SGIs 0-15, PPIs 16-31 (the virtual timer is PPI 11, INTID 27) and
 * VGIC_NR_SPIS SPIs from INTID 32 (the UART is SPI 1, INTID 33). See docs/vgic.md.
 */
#ifndef SKIFF_VDEV_VGIC_H
#define SKIFF_VDEV_VGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mmio.h"
#include "lib/gic.h"
#include "lib/spinlock.h"

#define VGIC_NR_SPIS	  64
#define VGIC_NR_IRQS	  (GIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_READY_WORDS  ((VGIC_NR_IRQS + 63) / 64)
#define VGIC_MAX_LRS	  16
#define VGIC_V2_MAX_VCPUS 8
#define VGIC_IROUTER_BITS 0xff80ffffffULL /* GICD_IROUTER's fields: Aff3, IRM, Aff2-Aff0 */

/* Guest writes to GICD/GICR_ICPENDR and ICACTIVER reaching an interrupt in a list register. */
#define VGIC_LR_CLEAR_PENDING 1U
#define VGIC_LR_CLEAR_ACTIVE  2U

struct vcpu;
struct vm;

struct vgic_irq {
	uint8_t priority;
	bool group1;
	bool enabled;
	bool pending; /* latched (edge, or software-set) */
	bool level;   /* the input line, for level-sensitive interrupts */
	bool active;
	bool edge;
	bool in_lr;	  /* handed to the hardware: its state lives in a list register */
	uint8_t lr_vcpu;  /* in_lr: the index of the vCPU whose list register holds it */
	uint8_t lr_clear; /* in_lr: VGIC_LR_CLEAR_* the guest asked for, for that vCPU to apply */
	uint8_t sources;  /* GICv2 SGIs: the vCPUs that sent it, one bit each */
	uint8_t target;	  /* SPIs: the index of the vCPU it goes to, from route */
	uint64_t route;	  /* SPIs: GICD_IROUTER (v3) or GICD_ITARGETSR's CPU mask (v2) */
};

struct vgic_cpu {
	struct vgic_irq priv[GIC_NR_PRIVATE]; /* SGIs and PPIs */
	/*
	 * What is deliverable to this vCPU now, a bit per INTID: its own SGIs and
	 * PPIs, and the SPIs routed to it. Every change to what makes an interrupt
	 * deliverable updates it (under vgic.lock), so that finding the next
	 * interrupt to deliver scans these bits, not every interrupt.
	 */
	uint64_t ready[VGIC_READY_WORDS];
	uint64_t lr[VGIC_MAX_LRS];
	uint32_t lr_used; /* a bit per list register holding an interrupt */
	uint64_t vmcr;
	uint64_t apr, apr0; /* active priorities: group 1 (v3) or GICH_APR (v2); group 0 */
	bool sleeping;	    /* GICR_WAKER.ProcessorSleep */
	bool dirty;	    /* something may have become deliverable: scan before the next entry */
	bool underflow_irq; /* maintenance interrupt requested: more waiting than LRs */
	bool lr_requests;   /* some interrupt in its list registers has lr_clear set (lock) */
	uint64_t delivered; /* interrupts put into list registers */
	uint64_t maintenance_irqs; /* maintenance interrupts taken */
};

struct vgic {
	bool present;
	unsigned int version; /* 3 or 2, as the host's GIC */
	uint32_t ctlr;
	struct vgic_irq spi[VGIC_NR_SPIS];
	/*
	 * protects: every vgic_irq of the VM (spi[] and each vCPU's priv[]), ctlr,
	 * each vgic_cpu's sleeping. The rest of a vgic_cpu is its vCPU's own, used
	 * on the CPU that runs it (list registers, vmcr, apr, counters; the list
	 * registers are changed under the lock too, with the interrupts they hold),
	 * except dirty, which is atomic. Register emulation holds it around every
	 * handler (vgic.c's frame_access). A leaf: kicks come after letting go.
	 */
	struct spinlock lock;
	bool bad_access_logged; /* a register access the GIC does not permit was reported */
};

/*
 * The model of the interrupt controller as a migration carries it
 * (docs/migration.md): what the guest can see of each interrupt and of each
 * vCPU's CPU interface, with no list register, ready set or host layout in it.
 */
struct vgic_irq_state {
	bool enabled, pending, active, group1, edge, level;
	uint8_t priority;
	uint8_t sources; /* GICv2 SGIs: the vCPUs it is pending from */
	uint64_t route;	 /* SPIs: GICD_IROUTER (v3) or GICD_ITARGETSR's byte (v2) */
};

struct vgic_dist_state {
	uint8_t version; /* 2 or 3 */
	uint8_t enables; /* GICD_CTLR's group enables: bit 0 group 0, bit 1 group 1 */
	struct vgic_irq_state spi[VGIC_NR_SPIS];
};

/* The CPU interface's fields (ICH_VMCR_EL2 / GICH_VMCR, the active priorities). */
#define VGIC_CPUIF_ENG0	   (1U << 0)
#define VGIC_CPUIF_ENG1	   (1U << 1)
#define VGIC_CPUIF_ACKCTL  (1U << 2) /* GICv2 only */
#define VGIC_CPUIF_FIQEN   (1U << 3) /* GICv2 only */
#define VGIC_CPUIF_CBPR	   (1U << 4)
#define VGIC_CPUIF_EOIMODE (1U << 5)

struct vgic_cpu_state {
	struct vgic_irq_state priv[GIC_NR_PRIVATE];
	uint8_t pmr;	     /* priority mask, 8 bits as the guest writes it */
	uint8_t bpr0, bpr1;  /* binary points (3 bits each) */
	uint8_t flags;	     /* VGIC_CPUIF_* */
	uint32_t apr0, apr1; /* active priorities of groups 0 and 1 (32 preemption levels) */
	bool sleeping;	     /* GICR_WAKER.ProcessorSleep */
};

/*
 * The VM's interrupt controller as a model: each list register's state is
 * folded back into its interrupt first (pending, active, a GICv2 SGI's
 * source), and the list registers emptied. The VM's vCPUs are off every CPU
 * and stay so. @cpus has one entry per vCPU.
 */
void vgic_save(struct vm *vm, struct vgic_dist_state *dist, struct vgic_cpu_state *cpus);

/*
 * Makes the model the VM's (of the same GIC version, checked by the caller),
 * the vCPUs off every CPU: routes and ready sets are worked out again, no list
 * register holds anything, every vCPU looks at its interrupts before it runs.
 */
void vgic_restore(struct vm *vm, const struct vgic_dist_state *dist,
		  const struct vgic_cpu_state *cpus);

/* The distributor's handlers for either version, by the VM's (a VM's bus has its version's). */
extern const struct mmio_ops vgic_dist_ops;
extern const struct mmio_ops vgic_redist_ops;

/*
 * Sets the VM's GIC up, if the host's GIC can be virtualized: registers the
 * emulated regions (and maps GICV for GICv2). Returns -1 with @err filled.
 */
int vgic_init(struct vm *vm, char *err, size_t errlen);

/* GICv2: maps the hardware's virtual CPU interface at the guest's GICC (again, after a reset). */
int vgic_map_cpuif(struct vm *vm);

/* Logs the VM's interrupt counters (when it stops). */
void vgic_report(const struct vm *vm);

/* The maintenance interrupt (list registers freed up): look at the queue again. */
void vgic_maintenance(struct vcpu *vcpu);

/* Back to the state at power-on (VM reset); the VM's vCPUs are off every CPU but one. */
void vgic_reset(struct vm *vm);

/* Drives interrupt @intid's input line (@vcpu for SGIs/PPIs, NULL for SPIs). */
void vgic_set_level(struct vm *vm, struct vcpu *vcpu, unsigned int intid, bool level);

/* The vCPU SPI @intid goes to as the guest routed it; NULL without a vGIC or for no SPI. */
struct vcpu *vgic_spi_target(struct vm *vm, unsigned int intid);

/* Makes @intid pending once (@vcpu for SGIs/PPIs, NULL for SPIs). */
void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned int intid);

/*
 * Before entering the vCPU: put its deliverable interrupts into list registers.
 * The run loop calls it only when vgic.dirty is set, and vgic_sync() only when
 * vgic.lr_used is not empty: most exits need neither.
 */
void vgic_flush(struct vcpu *vcpu);
/* After it exits: take back what the guest did with them. */
void vgic_sync(struct vcpu *vcpu);

/*
 * True when @vcpu has an interrupt that would end a WFI: pending in a list
 * register (as read back by vgic_sync) or deliverable from the distributor.
 */
bool vgic_vcpu_pending(struct vcpu *vcpu);

/* A guest write to ICC_SGI1R_EL1 (trapped): raise the SGI on the vCPUs it names. */
void vgic_send_sgi(struct vcpu *vcpu, uint64_t sgi1r);

#endif
