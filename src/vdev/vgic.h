/* SPDX-License-Identifier: MIT */
/*
 * A virtual GICv3 for each VM: the distributor and one redistributor per vCPU are
 * emulated by MMIO traps; the CPU interface is the hardware's virtual one
 * (ICV_* registers), fed through the list registers. Interrupts a VM can see:
 * SGIs 0-15, PPIs 16-31 (the virtual timer is PPI 11, INTID 27) and VGIC_NR_SPIS
 * SPIs from INTID 32 (the UART is SPI 1, INTID 33).
 */
#ifndef SKIFF_VDEV_VGIC_H
#define SKIFF_VDEV_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mmio.h"
#include "lib/spinlock.h"

#define VGIC_NR_SPIS	   64
#define VGIC_NR_IRQS	   (32 + VGIC_NR_SPIS)
#define VGIC_MAX_LRS	   16
#define VGIC_DIST_BASE	   0x08000000UL
#define VGIC_DIST_SIZE	   0x10000UL
#define VGIC_REDIST_BASE   0x080a0000UL
#define VGIC_REDIST_STRIDE 0x20000UL /* RD_base and SGI_base frames */
#define VGIC_VTIMER_INTID  27
#define VGIC_UART_INTID	   33

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
	bool in_lr;	/* handed to the hardware: its state lives in a list register */
	uint64_t route; /* SPIs: GICD_IROUTER */
};

struct vgic_cpu {
	struct vgic_irq priv[32]; /* SGIs and PPIs */
	uint64_t lr[VGIC_MAX_LRS];
	uint64_t vmcr;
	uint64_t ap1r0;
	bool sleeping; /* GICR_WAKER.ProcessorSleep */
	bool dirty;    /* something may have become deliverable: scan before the next entry */
};

struct vgic {
	bool present;
	uint32_t ctlr;
	struct vgic_irq spi[VGIC_NR_SPIS];
	struct spinlock lock;
};

extern const struct mmio_ops vgic_dist_ops;
extern const struct mmio_ops vgic_redist_ops;

/* Sets the VM's GIC up (if the host has a GICv3) and registers its MMIO regions. */
int vgic_init(struct vm *vm);

/* Back to the state at power-on (VM reset); the VM's vCPUs are off every CPU but one. */
void vgic_reset(struct vm *vm);

/* Drives interrupt @intid's input line (@vcpu for SGIs/PPIs, NULL for SPIs). */
void vgic_set_level(struct vm *vm, struct vcpu *vcpu, unsigned int intid, bool level);

/* Makes @intid pending once (@vcpu for SGIs/PPIs, NULL for SPIs). */
void vgic_inject(struct vm *vm, struct vcpu *vcpu, unsigned int intid);

/* Before entering the vCPU: put its deliverable interrupts into list registers. */
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
