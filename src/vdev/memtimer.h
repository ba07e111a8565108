/* SPDX-License-Identifier: MIT */
/*
 * A memory-mapped generic timer (Arm ARM, "System level implementation of the
 * Generic Timer"): a CNTCTLBase frame and one timer frame, CNTBase0, with a
 * physical timer, no virtual timer (CNTTIDR says so) and no EL0 view. A VM
 * whose counter runs at a frequency of its own gets it instead of the
 * system-register timer in its device tree where the CPU has no FEAT_ECV
 * (counter-mode, docs/time.md): Linux then reads its clocksource and
 * sched_clock from the frame's CNTVCT, which traps at stage 2 and is the VM's
 * scaled count, where CNTVCT_EL0 could not be trapped.
 *
 * The frame's counter is the VM's (vdev/timescale.c: what its emulated
 * CNTPCT_EL0 reads); CNTVOFF is 0, so CNTVCT = CNTPCT. The timer belongs to
 * the VM, not to a vCPU: its interrupt is an SPI (INTID 35), a level through the
 * vGIC. One vCPU watches its deadline, its "host": the SPI's target when that
 * vCPU is on, otherwise the vCPU that programmed it, chosen at each write.
 * While the host runs, the hardware EL1 physical timer stands in for the
 * deadline (vdev/ptimer.c arms it for the earlier of the two timers); while
 * it is blocked, the scheduler wakes it at the deadline; either way the host
 * raises the line. A write from another vCPU makes the host re-arm
 * (sched_timer_moved).
 *
 * Registers, all in the VM's ticks:
 *  - CNTCTLBase: CNTFRQ reads the VM's frequency (writes ignored: the
 *    frequency is the configuration's); CNTNSAR reads 0 (Secure software's);
 *    CNTTIDR = 1 (frame 0 implemented, physical timer only); CNTACR0 keeps
 *    RPCT, RVCT, RFRQ and RWPT (RVOFF and RWVT are RES0 without a virtual
 *    timer) and starts with all four set, as firmware would leave it; CNTVOFF0
 *    and the unimplemented frames' registers read 0.
 *  - CNTBase0: CNTPCT, CNTVCT, CNTFRQ, CNTP_CVAL, CNTP_TVAL (CVAL - count,
 *    32 bits; a write sets CVAL = count + the signed value) and CNTP_CTL
 *    (ENABLE, IMASK; ISTATUS = ENABLE and count >= CVAL). A register whose
 *    CNTACR0 bit is clear reads 0 and ignores writes. CNTEL0ACR, CNTVOFF and
 *    the virtual timer's registers read 0.
 * Aligned 32-bit accesses reach every register, 64-bit ones the 64-bit
 * registers (CNTPCT, CNTVCT, CNTVOFF, CNTP_CVAL, CNTV_CVAL, CNTVOFF<n>); other
 * accesses and offsets read 0 and are ignored.
 */
#ifndef SKIFF_VDEV_MEMTIMER_H
#define SKIFF_VDEV_MEMTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"

/* CNTACR<n> bits (frame access control). */
#define MEMTIMER_CNTACR_RPCT  (1U << 0)
#define MEMTIMER_CNTACR_RVCT  (1U << 1)
#define MEMTIMER_CNTACR_RFRQ  (1U << 2)
#define MEMTIMER_CNTACR_RVOFF (1U << 3)
#define MEMTIMER_CNTACR_RWVT  (1U << 4)
#define MEMTIMER_CNTACR_RWPT  (1U << 5)

struct vcpu;
struct vm;

struct memtimer {
	/* protects: ctl, cval, line, host (cntacr and traps are atomics). Takes vm->vgic.lock. */
	struct spinlock lock;
	bool present;	   /* the VM has one (counter-mode "mmio") */
	uint32_t cntacr;   /* CNTACR0 */
	uint32_t ctl;	   /* CNTP_CTL's ENABLE and IMASK */
	uint64_t cval;	   /* CNTP_CVAL */
	bool line;	   /* the SPI's level, as last driven */
	struct vcpu *host; /* the vCPU that watches the deadline */
	uint64_t traps;	   /* accesses to either frame */
};

/*
 * Gives the VM its memory-mapped timer and registers both frames on its MMIO
 * bus (after the VM's counter is set up). Returns -1 if the bus has no room.
 */
int memtimer_init(struct vm *vm);

/* Back to the state at power-on (a VM reset): disabled, the line low. */
void memtimer_reset(struct vm *vm);

/*
 * For @vcpu, loaded on this CPU: when it is the timer's host, drives the line
 * as the timer's output stands, and returns the host counter value at which
 * the output rises; otherwise, or when the line is up already or the timer
 * disabled or masked, UINT64_MAX. vdev/ptimer.c arms the hardware stand-in
 * with it.
 */
uint64_t memtimer_update(struct vcpu *vcpu);

/*
 * The host counter value at which blocked @vcpu must be woken for the timer
 * (it is the host and the line is not up yet), or UINT64_MAX.
 */
uint64_t memtimer_deadline(const struct vcpu *vcpu);

#endif
