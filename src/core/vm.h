/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines and their vCPUs.
 *
 * Locking (docs/architecture.md, "Locking", says the same for people). EL2 runs
 * with interrupts masked, so a lock's holder is never interrupted on its own CPU
 * and no lock has to be interrupt-safe. Skiff's spinlocks, outermost first; a
 * CPU holding one may take only locks further down, and what each one is
 * actually held around (read off every spin_lock site) is on its right:
 *
 *   mux.poll_lock           -> vm->lock, the device locks, vm->backdoor.lock,
 *     (console/mux.c)          link.lock and everything below them: the
 *                              console's input runs shell commands (vm
 *                              start/stop/reset, guestinfo, tools requests,
 *                              link), feeds keys to a VM's UART or DCC, draws
 *                              from the rings to the host UART.
 *                              Only ever trylocked.
 *   watch_lock              -> log_lock (a clock jump is logged). Trylocked.
 *     (core/hostclock.c)
 *   link.lock               -> log_lock (session lines), the random generator's
 *     (migrate/link.c)         lock (session ids), and for a migration
 *                              (migrate/migrate.c) a migrating VM's vm->lock,
 *                              device locks, vm->backdoor.lock, vm->vgic.lock,
 *                              vm->s2_lock and the page allocator's lock.
 *                              Trylocked by the interrupt and the time slice;
 *                              the shell spins on it.
 *   vm->backdoor.lock       -> vm->s2_lock (guest buffers: vm_ram_prepare,
 *                              stage2_host_write), the random generator's lock
 *                              (new channels' cookies), vm->log.lock, log_lock, and,
 *                              when a reply cannot be written (the stage-2
 *                              quota), vm_crash(): vm->lock, the device locks,
 *                              vm->s2_lock (a stopped enclave's scrub).
 *   vm->uart.lock           -> vm->vgic.lock (its interrupt line), the VM's
 *                              console conbuf, log_lock (its lines).
 *   vm->rtc.lock            -> vm->vgic.lock (its interrupt line).
 *   vm->memtimer.lock       -> vm->vgic.lock (its interrupt line, its SPI's
 *                              target); the watcher is re-armed after letting go.
 *   vm->dcc.lock            -> the VM's DCC conbuf, log_lock.
 *   vm->s2_lock             -> the page allocator's lock (table pages),
 *                              log_lock (mem_free's double-free error).
 *                              Also held while an enclave's RAM is zeroed
 *                              (vm.c's ram_scrub), so a restart's reload and a
 *                              late scrub never overlap.
 *   log_lock (core/log.c)   -> the log's conbuf, uart_lock: the sinks.
 *   leaves, holding nothing else: vm->lock, vm->vgic.lock, vm->log.lock
 *   (core/guestlog.c), the page allocator's lock (core/palloc.c), the random
 *   generator's lock (core/random.c), every conbuf's lock (console/conbuf.c),
 *   uart_lock (platform/drivers/pl011.c).
 *
 * The device locks (uart, rtc, memtimer, dcc) are never held two at a time, nor two VMs'
 * locks of one kind. Nothing is taken in two orders. Work that would need an
 * outer lock is done after letting go: vm_crash() after vm->s2_lock in the
 * fault path, kicking and waking vCPUs after vm->vgic.lock and vm->lock,
 * logging a rate-limited line after vm->log.lock. No lock is held while
 * waiting for another CPU (a reset waits for the VM's other vCPUs to leave
 * their CPUs holding nothing; CPU_ON takes vm->lock for each attempt).
 *
 * Locked handles: a function whose signature takes struct vm_locked needs
 * vm->lock held (vm_lock() returns one, vm_unlock() ends it), one taking
 * struct vm_s2_locked needs vm->s2_lock (vm_s2_lock(), vm_s2_unlock()). The
 * states' rules are by vcpu_state() below.
 */
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
#include "core/cpu_profile.h"
#include "core/dirty_log.h"
#include "core/guestlog.h"
#include "core/mmio.h"
#include "core/stage2_fault.h"
#include "enclave/abi.h"
#include "lib/addr.h"
#include "lib/spinlock.h"
#include "hypercall/backdoor.h"
#include "hypercall/rpci.h"
#include "hypercall/tclo.h"
#include "vdev/memtimer.h"
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
	VM_FAILED,    /* could not be created */
	VM_MIGRATED,  /* moved to another host (vm migrate): its memory given back */
	VM_HELD,      /* arrived, but the source's last word did not: runs on `vm start` */
	VM_COMMITTED, /* an enclave committed to another host, no answer: never runs here again */
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
	unsigned int pcpu;     /* host CPU it runs on */
	uint64_t mpidr;	       /* virtual MPIDR_EL1 */
	enum vcpu_state state; /* only through vcpu_state(), vcpu_state_peek() and the setters */
	bool reload;	       /* registers were reset while loaded: load them again */
	bool loaded;	       /* its state is in a CPU's registers right now */
	bool os_lock;	       /* emulated OS lock (OSLAR_EL1/OSLSR_EL1) */
	/* The VM's counter was adjusted, or a timer it watches moved (any CPU sets it). */
	bool counter_changed;
	uint64_t exits;
	uint64_t backdoor_calls; /* this vCPU's own: counted without an atomic */
};

/*
 * Host memory just after each reset emptied the VM's stage 2 (every reset gives
 * back the same tables, so any fall is a leak), reported when the VM stops.
 */
struct reset_memory {
	uint64_t resets;
	uint64_t first, lowest, last; /* free bytes */
	uint64_t first_runs, most_runs, last_runs;
};

struct vm {
	char name[CONFIG_NAME_MAX];
	unsigned int id;
	enum vm_state state; /* only through vm_state() and vm_set_state() */
	const struct vm_config *config;
	/* Near the start: the device-access fast path reaches it with short offsets. */
	struct mmio_bus mmio;
	struct stage2 s2;
	/*
	 * protects: s2 (its tables and table_pages), s2stats, the ram_ready bitmap,
	 * and the loading of images into RAM (entry_ipa, kernel_end, dtb_ipa). The
	 * reports (stage2_summary) read the counters without it: a moment old.
	 */
	struct spinlock s2_lock;
	struct stage2_stats s2stats;
	ipaddr_t ram_ipa; /* guest RAM: one range in both spaces, IPA -> PA by vm_ram_pa() */
	paddr_t ram_pa;
	uint64_t ram_size;
	uint64_t *ram_ready;	/* one bit per 2 MiB block: zeroed and cleaned to PoC */
	struct dirty_log dirty; /* on while a pre-copy migration runs (also under s2_lock) */
	ipaddr_t entry_ipa;
	ipaddr_t kernel_end; /* just past the kernel's footprint */
	ipaddr_t dtb_ipa;    /* the guest's device tree, passed in x0 */
	unsigned int nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
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
	/* counter-mode "mmio": the memory-mapped timer (its lock: the fields it writes). */
	struct memtimer memtimer;
	struct cpu_profile cpu_profile; /* as resolved on this host (a migration sends it) */
	struct cpu_view cpu;		/* what its vCPUs are shown, and what is hidden */
	struct guestlog log;		/* the lines it causes, rate-limited */
	/*
	 * protects: state (written only under it), resetting, every vCPU's state
	 * but the lock-free BLOCKED <-> RUNNABLE moves (vcpu_state()), started
	 * after creation (the status view reads it without), and a reset's or
	 * CPU_ON's reset of a vCPU's registers (arch_vcpu_reset). A leaf.
	 */
	struct spinlock lock;
	bool resetting; /* a vCPU is carrying out a reset */
	/*
	 * A migration froze it (atomic): no vCPU of it is picked to run, and a
	 * running one leaves its CPU at its next exit (vm_freeze, vm_thaw).
	 */
	bool frozen;
	bool held_on[VM_MAX_VCPUS]; /* VM_HELD: the vCPUs that were on when it left the source */
	bool reset_requested;  /* by the operator: the next vCPU to run carries it out (atomic) */
	uint64_t traps_logged; /* one bit per ESR EC: unhandled traps already reported */
	/*
	 * An enclave (docs/enclaves.md): its measurement, taken at creation, never
	 * changes. scrub_pending (atomic; cleared under s2_lock) says it stopped and
	 * its RAM is still to be zeroed, which the last of its vCPUs to leave a CPU
	 * does (vm_vcpu_left); scrubs counts the times its RAM was zeroed (stops,
	 * resets).
	 */
	bool enclave;
	/* Its code is the guest's to keep coherent once Skiff made it so (docs/memory.md). */
	bool guest_maintains_code;
	unsigned char measurement[TOKEN_MEASUREMENT_LEN];
	/* Which run of it this is (random, given at its first move) and how often it moved. */
	uint8_t instance[16];
	uint64_t generation;
	/* VM_COMMITTED: the ABORT token that would let it run here again (migrate.c). */
	uint8_t abort_token[32];
	bool scrub_pending;
	uint64_t scrubs;
	uint64_t tokens; /* attestation tokens issued (atomic) */
	struct reset_memory reset_mem;
};

/* RAM is prepared (zeroed, cleaned to PoC) a block of this size at a time, on first use. */
#define VM_RAM_BLOCK (2UL << 20)

/* Whether RAM block @b (from the start of RAM) was prepared: vm->s2_lock, or a moment old. */
static inline bool vm_ram_block_ready(const struct vm *vm, uint64_t b)
{
	return vm->ram_ready[b / 64] & (1UL << (b % 64));
}

/* vm->lock held: what a function that needs it takes (see the top of this file). */
struct vm_locked {
	struct vm *vm;
};

static inline struct vm_locked vm_lock(struct vm *vm)
{
	spin_lock(&vm->lock);
	return (struct vm_locked){ vm };
}

/* Lets go; the handle is of no use after. */
static inline void vm_unlock(struct vm_locked *locked)
{
	spin_unlock(&locked->vm->lock);
	locked->vm = NULL;
}

/* vm->s2_lock held: for what changes the VM's stage 2 or prepares its RAM. */
struct vm_s2_locked {
	struct vm *vm;
};

static inline struct vm_s2_locked vm_s2_lock(struct vm *vm)
{
	spin_lock(&vm->s2_lock);
	return (struct vm_s2_locked){ vm };
}

static inline void vm_s2_unlock(struct vm_s2_locked *locked)
{
	spin_unlock(&locked->vm->s2_lock);
	locked->vm = NULL;
}

/*
 * vcpu->state and vm->state are read anywhere, without a lock, through
 * vcpu_state() and vm_state(), and written only through the helpers here:
 *
 *  - vm->state changes under vm->lock (vm_set_state() takes the locked VM).
 *  - A vCPU moves between BLOCKED and RUNNABLE without a lock, by
 *    compare-and-swap (vcpu_swap_state()): sched_block() RUNNABLE -> BLOCKED
 *    (the vCPU itself, on its CPU), sched_wake() BLOCKED -> RUNNABLE (anyone).
 *  - Every other vCPU change, to or from OFF or STOPPED, is made under
 *    vm->lock (vcpu_set_state() takes the locked VM): such changes depend on
 *    vm->state and vm->resetting. It overwrites BLOCKED or RUNNABLE, whichever
 *    it finds; a compare-and-swap it races with then fails and does nothing
 *    (a vCPU turned off is never woken). So under vm->lock a vCPU's state stays
 *    put except for BLOCKED <-> RUNNABLE, which is why code there asks
 *    vcpu_is_on(), not for one of the two.
 *
 * All of it sequentially consistent: sched.c's run_vcpu() stores "loaded" then
 * reads the state while whoever turns a vCPU off stores the state then reads
 * "loaded", and the vGIC's kick() stores "dirty" then reads the state while
 * sched_block() stores the state then reads for pending interrupts; each pair
 * needs both orders kept. (On AArch64 that is LDAR/STLR, as acquire/release.)
 */
static inline enum vcpu_state vcpu_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->state, __ATOMIC_SEQ_CST);
}

/*
 * The state as one plain load, ordered with nothing: for the CPU running @v,
 * which sees its own changes, where another CPU's change comes with an IPI
 * anyway (sched.c's inline exits).
 */
static inline enum vcpu_state vcpu_state_peek(const struct vcpu *v)
{
	return *(const volatile enum vcpu_state *)&v->state;
}

static inline void vcpu_set_state(struct vm_locked locked, struct vcpu *v, enum vcpu_state s)
{
	(void)locked;
	__atomic_store_n(&v->state, s, __ATOMIC_SEQ_CST);
}

/* BLOCKED <-> RUNNABLE only: @from -> @to if the vCPU is still @from. */
static inline bool vcpu_swap_state(struct vcpu *v, enum vcpu_state from, enum vcpu_state to)
{
	return __atomic_compare_exchange_n(&v->state, &from, to, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline enum vm_state vm_state(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_SEQ_CST);
}

static inline void vm_set_state(struct vm_locked locked, enum vm_state s)
{
	__atomic_store_n(&locked.vm->state, s, __ATOMIC_SEQ_CST);
}

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

/*
 * True when no VM is running any more, nor has RAM still to be scrubbed (a
 * stopped enclave's, which the host must not power off with).
 */
bool vm_all_stopped(void);

/*
 * The scheduler has just taken @v off its CPU (v->loaded is false): when its VM
 * has stopped, it may be the last vCPU to leave, which scrubs an enclave's RAM.
 */
void vm_vcpu_left(struct vcpu *v);

/*
 * A migration's source (migrate/migrate.c): vm_freeze() takes every vCPU off
 * its CPU at its next exit and keeps it off (its state stays what it was:
 * runnable, waiting, off); vm_unloaded() says when none is on a CPU any more,
 * so its registers and devices can be read; vm_thaw() lets it run on (the
 * migration failed). vm_migrated_away() ends a frozen VM that now runs
 * elsewhere: VM_MIGRATED, its RAM and tables given back. vm_commit_hold()
 * keeps a frozen enclave whose move was committed and never answered:
 * VM_COMMITTED, it never runs here again (vm stop discards it) unless
 * vm_commit_resume() (the destination's ABORT token came) runs it again as it
 * was.
 */
void vm_freeze(struct vm *vm);
bool vm_unloaded(const struct vm *vm);
void vm_thaw(struct vm *vm);
void vm_migrated_away(struct vm *vm);
void vm_commit_hold(struct vm *vm);
bool vm_commit_resume(struct vm *vm);

/*
 * A migration's destination: builds a VM from @c (which must outlive it)
 * without loading any image, in the next free slot of the VM table but not in
 * it yet (nothing else sees it): vCPUs off, RAM not prepared. NULL with @err.
 * Then vm_incoming_start() puts it in the table and runs the vCPUs @on says,
 * or vm_incoming_abort() gives back all it took.
 */
struct vm *vm_incoming_build(const struct vm_config *c, char *err, size_t errlen);
void vm_incoming_start(struct vm *vm, const bool *on);
/*
 * Or vm_incoming_hold() puts it in the table held: state and RAM in place, no
 * vCPU running, until the operator's vm_start_held() (false: it is not held).
 */
void vm_incoming_hold(struct vm *vm, const bool *on);
bool vm_start_held(struct vm *vm);
void vm_incoming_abort(struct vm *vm);

/* The state's name for people: "running", "powered off", ... */
const char *vm_state_name(enum vm_state state);

/* Exits of all the VM's vCPUs so far. */
uint64_t vm_exits(const struct vm *vm);
/* The backdoor calls of all its vCPUs. */
uint64_t vm_backdoor_calls(const struct vm *vm);

/*
 * Zeroes and cleans to the point of coherency every 2 MiB block of RAM that
 * [ipa, ipa + len) touches and that was not prepared yet. Guest RAM is prepared
 * this way on first use, not all at VM creation.
 */
void vm_ram_prepare(struct vm_s2_locked vm, ipaddr_t ipa, uint64_t len);

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
	enum vcpu_state s = vcpu_state(v);

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
