/* SPDX-License-Identifier: MIT */
/*
 * Host interrupts and their owners. Each owner (the scheduler's tick, the
 * IPIs, the console's UART, the timers behind guests' timers, the vGIC's
 * maintenance interrupt) reserves its INTID once at boot, before any CPU
 * takes interrupts; from then on the table is only read. The trap code
 * acknowledges an interrupt, ends it and calls its owner, knowing none of them.
 */
#ifndef SKIFF_CORE_IRQ_H
#define SKIFF_CORE_IRQ_H

#include <stdbool.h>

#include "lib/gic.h"

struct vcpu;

/*
 * Called on the CPU that took @intid, after the interrupt was acknowledged and
 * ended; @loaded is the vCPU whose exit it caused, NULL when the CPU was idle.
 */
typedef void (*irq_handler_fn)(unsigned int intid, struct vcpu *loaded);

/*
 * Makes @fn the owner of host interrupt @intid; @owner names it in messages.
 * Returns 0, or -1 (logged, naming both owners) when the INTID is out of range
 * or already has an owner.
 */
int irq_reserve(unsigned int intid, irq_handler_fn fn, const char *owner);

/* Enables on this CPU every private interrupt (PPI) that has an owner. */
void irq_enable_private_reserved(void);

/* Takes the highest pending host interrupt and hands it to its owner. */
void irq_handle(struct vcpu *loaded);

#endif
