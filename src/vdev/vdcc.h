/* SPDX-License-Identifier: MIT */
/*
 * The Debug Communications Channel registers of a vCPU (MDCCSR_EL0, DBGDTR_EL0,
 * DBGDTRRX_EL0/DBGDTRTX_EL0), trapped with the other debug registers
 * (MDCR_EL2.TDA). A read of MDCCSR_EL0 whose registers carry the backdoor
 * encoding is a hypercall (hypercall/backdoor.h); every other access is the
 * DCC: what the guest transmits is a second console of the VM, shown a line at
 * a time as "NAME/dcc| "; what the operator types while that console has the
 * input (console/mux.c) waits in a small receive ring, one byte at a time in
 * DTRRX (MDCCSR_EL0.RXfull set while the ring holds a byte, a DBGDTRRX_EL0 or
 * DBGDTR_EL0 read takes it). An EL0 access while the guest's MDSCR_EL1.TDCC is set
 * goes to the guest's own EL1, as the architecture says, except a backdoor call
 * (unless the VM's configuration says backdoor-el0 = "tdcc"): see vdcc.c.
 */
#ifndef SKIFF_VDEV_VDCC_H
#define SKIFF_VDEV_VDCC_H

#include <stdbool.h>
#include <stdint.h>

#include "console/lineout.h"
#include "lib/spinlock.h"

#define VDCC_RX_RING 256 /* typed input not yet read; more is dropped, counted */

struct vcpu;

/*
 * One DCC per VM: its vCPUs share the console (the architecture has one per
 * PE; a VM with one DCC reader, Linux's hvc_dcc, needs no more).
 */
struct vdcc {
	struct spinlock lock; /* protects: every field below (the vCPUs, the console's input) */
	struct lineout out;   /* what the vCPUs transmit, as "NAME/dcc| ..." */
	uint8_t rx[VDCC_RX_RING];
	unsigned int rx_head, rx_count;
	uint64_t rx_typed;   /* bytes given to vdcc_receive() */
	uint64_t rx_dropped; /* of those, typed while the ring was full */
	uint32_t dtrtx;	     /* the last value written to DTRTX (a DBGDTR_EL0 read's 63:32) */
};

enum vdcc_result {
	VDCC_NOT_DCC,	/* not a DCC register (or not an access it has): not handled */
	VDCC_DONE,	/* emulated or served: skip the instruction */
	VDCC_FORWARDED, /* delivered to the guest's EL1 as an exception */
};

void vdcc_init(struct vdcc *d, const char *owner);
/*
 * Input from the operator's console: false (and counted) when the ring is
 * full. Never waits for the guest, which may not read its DCC at all.
 */
bool vdcc_receive(struct vdcc *d, char c);
/* Handles a trapped system-register access (ESR EC 0x18) if it is a DCC one. */
enum vdcc_result vdcc_access(struct vcpu *vcpu, uint64_t esr);

/*
 * Whether trapped system-register access @esr may be a DCC one: those are debug
 * registers (op0 = 2, ISS bits 21:20), so the common traps (timers, ID
 * registers: op0 = 3) are told apart without a call to vdcc_access().
 */
static inline bool vdcc_may_own(uint64_t esr)
{
	return ((esr >> 20) & 3) == 2;
}

/*
 * A read of MDCCSR_EL0 on the exception vector's fast path (core/trap.h):
 * serves it if it is a backdoor call the backdoor can answer at once (reads
 * x0-x7 only). False for anything else, which vdcc_access() then gets.
 */
bool vdcc_backdoor_fast(struct vcpu *vcpu);
/* Emits a partial line (on VM stop). */
void vdcc_flush(struct vdcc *d);

#endif
