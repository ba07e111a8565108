/* SPDX-License-Identifier: MIT */
/*
 * Handling of guest exits. Synchronous exceptions are dispatched through a table
 * indexed by ESR_EL2.EC; a trap without a handler is reported once per VM and
 * kind and turned into an UNDEF exception inside the guest, as the architecture
 * would have raised had EL2 not trapped it.
 */
#ifndef SKIFF_CORE_TRAP_H
#define SKIFF_CORE_TRAP_H

struct vcpu;

/* Handles the exit recorded in vcpu->exit. */
void trap_handle_exit(struct vcpu *vcpu);

/* Host interrupt handling, from an IRQ exit (@vcpu loaded) or the idle loop (NULL). */
void trap_handle_host_irq(struct vcpu *vcpu);

#endif
