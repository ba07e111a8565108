/* SPDX-License-Identifier: MIT */
/*
 * Between a VM and its state in the format of migrate/vmstate.h: what a
 * migration's source takes from its frozen VM, and what its destination checks
 * and gives the VM it builds. Everything here is in guest terms: the counter
 * in guest ticks at the guest's frequency, the interrupt controller as a model
 * (list registers folded back), device registers and queues; never a host
 * address, VMID, list register or host count.
 */
#ifndef SKIFF_MIGRATE_VMCAPTURE_H
#define SKIFF_MIGRATE_VMCAPTURE_H

#include <stddef.h>

#include "migrate/vmstate.h"

/* A whole VM's state but its memory. */
struct vm_image {
	struct vmstate_machine machine;
	struct vcpu_image vcpus[VM_MAX_VCPUS];
	struct vmstate_counter counter;
	struct vgic_dist_state gic;
	struct vgic_cpu_state gic_cpus[VM_MAX_VCPUS];
	struct vmstate_pl011 uart;
	struct vmstate_pl031 rtc;
	struct vmstate_dcc dcc;
	struct vmstate_backdoor backdoor;
	struct vmstate_guestinfo guestinfo;
};

/* What @vm is built as (the machine record); its CPU profile as resolved here. */
void vmcapture_machine(const struct vm *vm, struct vmstate_machine *m);

/*
 * The state of @vm, whose vCPUs are all off their CPUs and kept off (frozen):
 * the interrupt controller's list registers are folded back into its model
 * first. Its counter is read now: the freeze's moment.
 */
void vmcapture_save(struct vm *vm, struct vm_image *img);

/*
 * Whether this host can run the machine @m: its CPU profile (checked, not
 * resolved again), an interrupt controller, its counter at its frequency.
 * 0, or -1 with @err naming what is missing. Fills @config for vm_incoming().
 */
int vmcapture_accept(const struct vmstate_machine *m, const struct vmstate_counter *counter,
		     struct vm_config *config, char *err, size_t errlen);

/*
 * Checks the whole state against @vm (built from the machine record, vCPUs
 * off): vCPU count, GIC version, routes and sources within its vCPUs, the
 * counter. 0, or -1 with @err.
 */
int vmcapture_check(const struct vm *vm, const struct vm_image *img, char *err, size_t errlen);

/* Gives @vm (built, not running) the state @img, checked by vmcapture_check(). */
void vmcapture_apply(struct vm *vm, const struct vm_image *img);

#endif
