/* SPDX-License-Identifier: MIT */
/* Virtual machines and their vCPUs. */
#ifndef SKIFF_CORE_VM_H
#define SKIFF_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
/* The register file a vCPU carries is the architecture's own (Hafnium keeps its arch_regs so). */
#include "arch/arm64/context.h"
#include "console/conbuf.h"
#include "core/config.h"
#include "core/guestlog.h"
#include "core/mmio.h"
#include "core/stage2_fault.h"
#include "lib/addr.h"
#include "lib/spinlock.h"
#include "hypercall/backdoor.h"
#include "hypercall/rpci.h"
#include "hypercall/tclo.h"
#include "vdev/vdcc.h"
#include "vdev/vgic.h"
#include "vdev/vpl011.h"
#include "vdev/vpl031.h"
#include "vdev/ptimer.h"
#include "vdev/vtimer.h"

#define VM_MAX		8
#define VM_CONSOLE_RING (64 * 1024) /* scrollback per VM, replayed when attached */
#define VM_DCC_RING	(16 * 1024) /* the DCC console\'s scrollback */
#define VM_MAX_VCPUS	8

enum vcpu_state {
	VCPU_OFF = 0,
	VCPU_RUNNABLE,
	VCPU_BLOCKED, /* waiting in WFI for an interrupt or its timer */
	VCPU_STOPPED, /* its VM is no longer running */
};

enum vm_state {
	VM_EMPTY = 0,
	VM_RUNNING,
	VM_POWERED_OFF,
	VM_CRASHED,
	VM_FAILED, /* could not be created */
};

struct vcpu {
	struct cpu_context ctx; /* guest registers while it is in EL2 */
	struct el1_sysregs el1;
	struct fpsimd_state fp;
	struct vgic_cpu vgic;
	struct vtimer vtimer;
	struct ptimer ptimer;  /* emulated physical timer (scaled VMs) */
	struct ptimer vptimer; /* emulated virtual timer (scaled VMs, FEAT_ECV) */
	struct exit_info exit;
	struct vm *vm;
	unsigned int id;
	unsigned int pcpu; /* host CPU it runs on */
	uint64_t mpidr;	   /* virtual MPIDR_EL1 */
	volatile enum vcpu_state state;
	bool reload;	      /* registers were reset while loaded: load them again */
	bool loaded;	      /* its state is in a CPU's registers right now */
	bool os_lock;	      /* emulated OS lock (OSLAR_EL1/OSLSR_EL1) */
	bool counter_changed; /* the VM's counter was adjusted (any CPU sets it) */
	uint64_t exits;
};

struct vm {
	char name[CONFIG_NAME_MAX];
	unsigned int id;
	volatile enum vm_state state;
	const struct vm_config *config;
	struct stage2 s2;
	struct spinlock s2_lock; /* stage-2 updates */
	struct stage2_stats s2stats;
	ipaddr_t ram_ipa; /* guest RAM: one range in both spaces, IPA -> PA by vm_ram_pa() */
	paddr_t ram_pa;
	uint64_t ram_size;
	uint64_t *ram_ready; /* one bit per 2 MiB block: zeroed and cleaned to PoC */
	ipaddr_t entry_ipa;
	ipaddr_t kernel_end; /* just past the kernel's footprint */
	ipaddr_t dtb_ipa;    /* the guest's device tree, passed in x0 */
	unsigned int nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct mmio_bus mmio;
	struct vpl011 uart;
	struct vpl031 rtc;
	struct vdcc dcc;
	struct conbuf console;	   /* its UART's output, for the console (console/mux.c) */
	struct conbuf dcc_console; /* its DCC's output, a second console */
	char console_text[VM_CONSOLE_RING];
	char dcc_console_text[VM_DCC_RING];
	uint64_t started; /* host count when it last started or reset */
	struct backdoor backdoor;
	struct rpci rpci; /* the backdoor's RPCI commands and guestinfo */
	struct tclo tclo; /* requests to the guest's tools */
	struct vgic vgic;
	struct vtimer_counter counter;
	struct guestlog log; /* the lines it causes, rate-limited */
	struct spinlock lock;
	bool resetting;	       /* a vCPU is carrying out a reset */
	bool reset_requested;  /* by the operator: the next vCPU to run carries it out */
	uint64_t traps_logged; /* one bit per ESR EC: unhandled traps already reported */
};

/* Creates and starts every VM the configuration describes; returns how many started. */
unsigned int vm_create_all(const struct config *cfg);

/* Iteration over the VM table. */
unsigned int vm_count(void);
struct vm *vm_get(unsigned int index);

/* Stops the VM: every vCPU leaves the CPU at its next exit. */
void vm_power_off(struct vm *vm);
void vm_crash(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Reloads the images and restarts the VM on its boot vCPU (PSCI SYSTEM_RESET
 * from @caller, the vCPU loaded on this CPU).
 */
void vm_reset(struct vm *vm, struct vcpu *caller);

/*
 * The operator resets a running VM, or starts a stopped one afresh (its images
 * loaded again): from any CPU but the VM's own vCPUs, which carry the reset out
 * themselves (vm_reset). False for a VM that failed to build.
 */
bool vm_request_reset(struct vm *vm);

/* True when no VM is running any more. */
bool vm_all_stopped(void);

/* The state's name for people: "running", "powered off", ... */
const char *vm_state_name(enum vm_state state);

/* Exits of all the VM's vCPUs so far. */
uint64_t vm_exits(const struct vm *vm);

/*
 * Zeroes and cleans to the point of coherency every 2 MiB block of RAM that
 * [ipa, ipa + len) touches and that was not prepared yet. Guest RAM is prepared
 * this way on first use, not all at VM creation. Caller holds vm->s2_lock.
 */
void vm_ram_prepare(struct vm *vm, ipaddr_t ipa, uint64_t len);

/* True when [ipa, ipa + len) lies within the VM's RAM. */
static inline bool vm_ram_contains(const struct vm *vm, ipaddr_t ipa, uint64_t len)
{
	return ipa_addr(ipa) >= ipa_addr(vm->ram_ipa) && len <= vm->ram_size &&
	       ipa_diff(ipa, vm->ram_ipa) <= vm->ram_size - len;
}

/*
 * The host physical address behind @ipa, which must be in the VM's RAM
 * (vm_ram_contains): the one place an IPA is turned into a PA.
 */
static inline paddr_t vm_ram_pa(const struct vm *vm, ipaddr_t ipa)
{
	return pa_add(vm->ram_pa, ipa_diff(ipa, vm->ram_ipa));
}

/* Where EL2 reaches [ipa, ipa + len) of the VM's RAM; false if not all of it is RAM. */
static inline bool vm_ram_ptr(const struct vm *vm, ipaddr_t ipa, uint64_t len, void **ptr)
{
	if (!vm_ram_contains(vm, ipa, len))
		return false;
	*ptr = pa_ptr(vm_ram_pa(vm, ipa));
	return true;
}

/* Powered on: running, runnable or waiting for an interrupt. */
static inline bool vcpu_is_on(const struct vcpu *v)
{
	enum vcpu_state s = __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);

	return s == VCPU_RUNNABLE || s == VCPU_BLOCKED;
}

/* Guest register access; register 31 reads as zero and ignores writes (XZR). */
static inline uint64_t vcpu_get_reg(const struct vcpu *vcpu, unsigned int n)
{
	return n < 31 ? vcpu->ctx.x[n] : 0;
}

static inline void vcpu_set_reg(struct vcpu *vcpu, unsigned int n, uint64_t v)
{
	if (n < 31)
		vcpu->ctx.x[n] = v;
}

#endif
