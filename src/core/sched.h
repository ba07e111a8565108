/* SPDX-License-Identifier: MIT */
/*
 * Placement of vCPUs on host CPUs and each CPU's run loop: round robin among the
 * vCPUs placed on a CPU, with 10 ms time slices from the EL2 physical timer
 * (docs/scheduling.md).
 */
#ifndef SKIFF_CORE_SCHED_H
#define SKIFF_CORE_SCHED_H

#include <stddef.h>

#include "core/config.h"
#include "platform/platform.h"

void sched_init(const struct platform *plat, unsigned int boot_cpu, enum when_idle when_idle,
		uint64_t counter_hz);
/* Lets every CPU's run loop start picking vCPUs (once the VMs exist). */
void sched_release(void);
void sched_cpu_online(unsigned int cpu);
unsigned int sched_cpus_online(void);

/* Picks the host CPU for a VM: @requested (-1 = any) or round robin. -1 with @err set. */
int sched_place(int requested, char *err, size_t errlen);

/*
 * Runs @fn on every CPU at each time slice (10 ms), from the time-slice
 * interrupt: the console's polling, the host clock's watch. Boot only.
 */
void sched_on_tick(void (*fn)(void));

/* Gives up the rest of the slice (a vCPU spinning, e.g. in WFE). */
void sched_yield(void);

struct vcpu;
/*
 * The loaded vCPU @v waits for an interrupt (WFI): unless one is already due, it
 * leaves the CPU until sched_wake() or its virtual timer's deadline.
 */
void sched_block(struct vcpu *v);
/* Makes @v runnable if it is blocked (any CPU; interrupt injection calls it). */
void sched_wake(struct vcpu *v);

/*
 * A timer deadline @v watches was moved by another vCPU (the VM's
 * memory-mapped timer, vdev/memtimer.h), or the VM's counter itself (the host
 * clock's watch, core/hostclock.c): @v loads its counter and re-arms its
 * hardware stand-in at its next exit if it is loaded, and its CPU works out its
 * blocked vCPUs' deadlines again (at once, or through IPI_TIMER on another CPU,
 * whose interrupt also makes a running @v exit: no exit served on the spot
 * needs to look for this).
 */
void sched_timer_moved(struct vcpu *v);
/* IPI_TIMER: this CPU's blocked vCPUs' deadlines moved; arm the EL2 timer for them again. */
void sched_timers_moved(void);

/* The @n-th online CPU after @cpu (wrapping): where a VM's further vCPUs go. */
unsigned int sched_cpu_after(unsigned int cpu, unsigned int n);

/* Called when a VM stops: the idle policy may apply. */
void sched_vm_stopped(void);

/* What became of a synchronous exit offered to sched_serve_inline(). */
enum sched_inline {
	SCHED_INLINE_DECLINED, /* not served: run_vcpu()'s loop serves it */
	SCHED_INLINE_SERVED,   /* served, but the loop has work before the next entry */
	SCHED_INLINE_REENTER,  /* served, and the guest may run again at once */
};

/*
 * A synchronous exit of the loaded vCPU @v (exit.esr/far/hpfar filled in, every
 * register saved), served where the exception was taken, before returning to
 * run_vcpu(): the arch code re-enters the guest without the loop's round trip
 * when this says so.
 */
enum sched_inline sched_serve_inline(struct vcpu *v);

/*
 * sched_serve_inline() for a data abort (ESR_EL2 @esr, at @ipa) taken with only
 * some of the guest's registers saved and vcpu->exit not filled in (the arch
 * code's fast path): only an access to an emulated device is served
 * (trap_mmio_fast()); anything else is declined untouched.
 */
enum sched_inline sched_serve_mmio_fast(struct vcpu *v, uint64_t esr, uint64_t ipa);

/* The CPU's scheduling loop. */
__attribute__((noreturn)) void sched_run(void);

#endif
