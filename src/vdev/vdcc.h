/* SPDX-License-Identifier: MIT */
/*
 * The Debug Communications Channel registers of a vCPU (MDCCSR_EL0, DBGDTR_EL0,
 * DBGDTRRX_EL0/DBGDTRTX_EL0), trapped with the other debug registers
 * (MDCR_EL2.TDA). A read of MDCCSR_EL0 whose registers carry the backdoor
 * encoding is a hypercall (hypercall/backdoor.h); every other access is the
 * DCC: what the guest transmits is a second console of the VM, shown a line at
 * a time as "NAME/dcc| ". An EL0 access while the guest's MDSCR_EL1.TDCC is set
 * goes to the guest's own EL1, as the architecture says, except a backdoor call
 * (unless the VM's configuration says backdoor-el0 = "tdcc"): see vdcc.c.
 */
#ifndef SKIFF_VDEV_VDCC_H
#define SKIFF_VDEV_VDCC_H

#include <stdbool.h>
#include <stdint.h>

#include "console/lineout.h"
#include "lib/spinlock.h"

struct vcpu;

struct vdcc {
	struct spinlock lock; /* protects: out (the VM's vCPUs write it) */
	struct lineout out;   /* what the vCPUs transmit, as "NAME/dcc| ..." */
};

enum vdcc_result {
	VDCC_NOT_DCC,	/* not a DCC register (or not an access it has): not handled */
	VDCC_DONE,	/* emulated or served: skip the instruction */
	VDCC_FORWARDED, /* delivered to the guest's EL1 as an exception */
};

void vdcc_init(struct vdcc *d, const char *owner);
/* Handles a trapped system-register access (ESR EC 0x18) if it is a DCC one. */
enum vdcc_result vdcc_access(struct vcpu *vcpu, uint64_t esr);

/*
 * A read of MDCCSR_EL0 on the exception vector's fast path (core/trap.h):
 * serves it if it is a backdoor call the backdoor can answer at once (reads
 * x0-x7 only). False for anything else, which vdcc_access() then gets.
 */
bool vdcc_backdoor_fast(struct vcpu *vcpu);
/* Emits a partial line (on VM stop). */
void vdcc_flush(struct vdcc *d);

#endif
