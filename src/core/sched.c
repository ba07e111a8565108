// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/ipi.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/trap.h"
#include "core/vm.h"
#include "lib/format.h"
#include "vdev/memtimer.h"
#include "vdev/psci.h"

#define SLICES_PER_SECOND 100 /* 10 ms time slices */
#define MAX_TICK_HOOKS	  4

static unsigned int sched_ncpus;
static unsigned int next_cpu;
static unsigned int online_mask;
static enum when_idle idle_policy;
static int conduit;
static unsigned int boot_cpu;
static int released;
static unsigned int timer_intid;
static uint64_t slice_ticks;
/* Work done each time slice on every CPU (boot-time registrations, read-only after). */
static void (*tick_hooks[MAX_TICK_HOOKS])(void);
static unsigned int ntick_hooks;

/*
 * Each host CPU's scheduling state (per-CPU objects: only that CPU writes them),
 * a cache line each: no CPU's writes evict another's (and an index is a shift).
 */
static struct sched_cpu {
	unsigned int cursor; /* where the round robin resumes */
	bool need_resched;
	const struct vm *last_vm; /* whose vCPU ran here last (branch predictors) */
	uint64_t slice_end;	  /* host count at which the running vCPU's slice ends */
} __attribute__((aligned(64))) sched_cpus[PLATFORM_MAX_CPUS];

static void timer_irq(unsigned int intid, struct vcpu *loaded);

void sched_init(const struct platform *plat, unsigned int boot, enum when_idle when_idle,
		uint64_t counter_hz)
{
	sched_ncpus = plat->ncpus;
	boot_cpu = boot;
	conduit = plat->psci;
	/* The EL2 physical timer: PPI 10 (INTID 26) unless the device tree says otherwise. */
	timer_intid = plat->timer.nirqs > TIMER_IRQ_HYP_PHYS
			      ? plat->timer.irq[TIMER_IRQ_HYP_PHYS].intid
			      : TIMER_BSA_INTID_HYP_PHYS;
	slice_ticks = counter_hz / SLICES_PER_SECOND;
	idle_policy = when_idle;
	irq_reserve(timer_intid, timer_irq, "scheduler tick");
}

void sched_on_tick(void (*fn)(void))
{
	if (ntick_hooks == MAX_TICK_HOOKS)
		panic("more than %u time-slice hooks", MAX_TICK_HOOKS);
	tick_hooks[ntick_hooks++] = fn;
}

void sched_cpu_online(unsigned int cpu)
{
	__atomic_fetch_or(&online_mask, 1U << cpu, __ATOMIC_RELEASE);
}

unsigned int sched_cpus_online(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

unsigned int sched_cpu_after(unsigned int cpu, unsigned int n)
{
	unsigned int online = sched_cpus_online();

	while (n) {
		cpu = (cpu + 1) % sched_ncpus;
		if (online & (1U << cpu))
			n--;
	}
	return cpu;
}

int sched_place(int requested, char *err, size_t errlen)
{
	unsigned int online = sched_cpus_online();
	unsigned int i;

	if (requested >= 0) {
		if ((unsigned int)requested >= sched_ncpus || !(online & (1U << requested))) {
			format(err, errlen, "'cpu' is %d but the host has CPUs 0-%u online",
			       requested, sched_ncpus - 1);
			return -1;
		}
		return requested;
	}
	for (i = 0; i < sched_ncpus; i++) {
		unsigned int cpu = next_cpu++ % sched_ncpus;

		if (online & (1U << cpu))
			return (int)cpu;
	}
	format(err, errlen, "no host CPU online");
	return -1;
}

void sched_vm_stopped(void)
{
	if (vm_all_stopped())
		ipi_send(boot_cpu, IPI_KICK);
}

void sched_yield(void)
{
	sched_cpus[arch_cpu_index()].need_resched = true;
}

void sched_wake(struct vcpu *v)
{
	if (!vcpu_swap_state(v, VCPU_BLOCKED, VCPU_RUNNABLE))
		return;
	if (v->pcpu == arch_cpu_index())
		sched_cpus[v->pcpu].need_resched = true;
	else
		ipi_send(v->pcpu, IPI_RESCHED);
}

/*
 * The earliest of the vCPU's timers' deadlines, in host ticks: its virtual and
 * physical timers, and the VM's memory-mapped timer when it watches that one.
 */
static uint64_t timer_deadline(const struct vcpu *v)
{
	uint64_t vt = vtimer_deadline(v), pt = ptimer_deadline(v), mt = memtimer_deadline(v);
	uint64_t first = vt < pt ? vt : pt;

	return mt < first ? mt : first;
}

/* What ends a wait: an interrupt for the vCPU, or a timer condition met. */
static bool wakeup_due(struct vcpu *v)
{
	return vgic_vcpu_pending(v) || timer_deadline(v) <= arch_counter();
}

void sched_block(struct vcpu *v)
{
	/* Without an interrupt controller nothing could end the wait: just yield. */
	if (!v->vm->vgic.present) {
		sched_yield();
		return;
	}
	arch_vcpu_vtimer_save(v);
	if (wakeup_due(v))
		return;
	if (!vcpu_swap_state(v, VCPU_RUNNABLE, VCPU_BLOCKED))
		return; /* stopped or turned off meanwhile */
	/* An interrupt raised since the check above found the vCPU still runnable. */
	if (wakeup_due(v))
		sched_wake(v);
	sched_yield();
}

/*
 * Wakes the blocked vCPUs placed on @cpu whose timer has fired (their software
 * deadline); returns the earliest deadline still ahead.
 */
static uint64_t wake_expired(unsigned int cpu)
{
	uint64_t now = arch_counter(), next = VTIMER_NO_DEADLINE;
	unsigned int i, j;

	for (i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		for (j = 0; j < vm->nvcpus; j++) {
			struct vcpu *v = &vm->vcpus[j];
			uint64_t deadline;

			if (v->pcpu != cpu || vcpu_state(v) != VCPU_BLOCKED)
				continue;
			deadline = timer_deadline(v);
			if (deadline <= now)
				sched_wake(v);
			else if (deadline < next)
				next = deadline;
		}
	}
	return next;
}

/* The EL2 timer serves both the time slice and the blocked vCPUs' deadlines. */
static void arm_timer(const struct sched_cpu *sc, uint64_t next_deadline)
{
	arch_hyp_timer_arm_at(sc->slice_end < next_deadline ? sc->slice_end : next_deadline);
}

void sched_timer_moved(struct vcpu *v)
{
	unsigned int cpu = arch_cpu_index();

	/* Loaded: it arms its hardware stand-in again at its next exit (counter_reload). */
	__atomic_store_n(&v->counter_changed, true, __ATOMIC_RELEASE);
	if (v->pcpu == cpu)
		arm_timer(&sched_cpus[cpu], wake_expired(cpu)); /* blocked here: the EL2 timer */
	else
		ipi_send(v->pcpu, IPI_TIMER);
}

void sched_timers_moved(void)
{
	unsigned int cpu = arch_cpu_index();

	arm_timer(&sched_cpus[cpu], wake_expired(cpu));
}

static void sched_timer_fired(void)
{
	unsigned int cpu = arch_cpu_index();
	struct sched_cpu *sc = &sched_cpus[cpu];
	uint64_t next = wake_expired(cpu);
	uint64_t now = arch_counter();

	if (now >= sc->slice_end) {
		sc->need_resched = true;
		sc->slice_end = now + slice_ticks;
	}
	arm_timer(sc, next);
}

static void timer_irq(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	(void)loaded;
	sched_timer_fired();
	for (unsigned int i = 0; i < ntick_hooks; i++)
		tick_hooks[i]();
}

/* Round robin over the runnable vCPUs placed on @cpu, starting after the last one run. */
static struct vcpu *pick(unsigned int cpu)
{
	struct sched_cpu *sc = &sched_cpus[cpu];
	unsigned int slots = vm_count() * VM_MAX_VCPUS;
	unsigned int n;

	for (n = 1; n <= slots; n++) {
		unsigned int slot = (sc->cursor + n) % slots;
		struct vm *vm = vm_get(slot / VM_MAX_VCPUS);
		struct vcpu *v = &vm->vcpus[slot % VM_MAX_VCPUS];

		if (slot % VM_MAX_VCPUS < vm->nvcpus && v->pcpu == cpu &&
		    vcpu_state(v) == VCPU_RUNNABLE &&
		    !__atomic_load_n(&vm->frozen, __ATOMIC_RELAXED)) {
			sc->cursor = slot;
			return v;
		}
	}
	return 0;
}

/* After each exit: true when another vCPU should have the CPU now. */
static bool slice_over(struct vcpu *v)
{
	struct sched_cpu *sc = &sched_cpus[v->pcpu];
	unsigned int cursor = sc->cursor;

	if (!sc->need_resched)
		return false;
	sc->need_resched = false;
	if (pick(v->pcpu) != v) {
		sc->cursor = cursor; /* the loop's next pick() starts after @v again */
		return true;
	}
	return false; /* alone on this CPU: carry on */
}

/*
 * The VM's counter was adjusted (core/hostclock.c), or a timer deadline the
 * vCPU watches moved (sched_timer_moved): the loaded vCPU follows.
 */
static void counter_reload(struct vcpu *v)
{
	arch_vcpu_counter_load(v);
	ptimer_program(v);
}

/*
 * A flag other CPUs set, read as one load: what a relaxed atomic load is on a
 * byte, which GCC's atomic load would spend an extra instruction on (it takes
 * no offset).
 */
static inline uint8_t flag_peek(const bool *flag)
{
	return *(const volatile uint8_t *)flag; /* a bool's byte: 0 or 1 */
}

/*
 * Whether the loop in run_vcpu() would go straight back into @v after an exit
 * served inline: the exit's handler left it nothing to do. What other CPUs
 * ask for (a freeze, an operator's reset, a panic) comes with an IPI or waits
 * for the next time slice, and either interrupt takes the vCPU out as soon as
 * it is entered again.
 */
static inline __attribute__((always_inline)) bool reenter_at_once(const struct vcpu *v)
{
	/* The flags or'ed and tested once: the usual answer costs no branch per flag. */
	uint8_t peeked = flag_peek(&v->counter_changed) | flag_peek(&v->vgic.dirty);
	unsigned int work = (unsigned int)v->reload | peeked | (unsigned int)v->vtimer.asserted |
			    (unsigned int)sched_cpus[v->pcpu].need_resched;

	return !work && vcpu_state_peek(v) == VCPU_RUNNABLE;
}

/* List registers or a timer in use: the loop reads their state back before an exit is served. */
static bool may_serve_inline(const struct vcpu *v)
{
	return !v->vgic.lr_used && !v->vtimer.asserted;
}

enum sched_inline sched_serve_inline(struct vcpu *v)
{
	if (!may_serve_inline(v))
		return SCHED_INLINE_DECLINED;
	trap_handle_sync(v);
	return reenter_at_once(v) ? SCHED_INLINE_REENTER : SCHED_INLINE_SERVED;
}

enum sched_inline sched_serve_mmio_fast(struct vcpu *v, uint64_t esr, uint64_t ipa)
{
	if (!may_serve_inline(v) || !trap_mmio_fast(v, esr, ipa))
		return SCHED_INLINE_DECLINED;
	return reenter_at_once(v) ? SCHED_INLINE_REENTER : SCHED_INLINE_SERVED;
}

static void run_vcpu(struct vcpu *v)
{
	struct sched_cpu *sc = &sched_cpus[v->pcpu];

	/*
	 * Loaded first, then the state checked again: whoever turns a vCPU off
	 * (a reset, CPU_ON's target check) changes the state first and then reads
	 * "loaded", so one of the two sees the other and the vCPU is never entered
	 * after it was turned off and found unloaded.
	 */
	__atomic_store_n(&v->loaded, true, __ATOMIC_SEQ_CST);
	/* As for the state: vm_freeze() sets the flag, then reads "loaded". */
	if (vcpu_state(v) != VCPU_RUNNABLE || __atomic_load_n(&v->vm->frozen, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&v->loaded, false, __ATOMIC_SEQ_CST);
		vm_vcpu_left(v);
		return;
	}
	if (sc->last_vm != v->vm) {
		arch_vm_switch();
		sc->last_vm = v->vm;
	}
	arch_vcpu_load(v);
	ptimer_program(v);
	vtimer_loaded(v);
	v->reload = false;
	sc->need_resched = false;
	sc->slice_end = arch_counter() + slice_ticks;
	arm_timer(sc, wake_expired(v->pcpu));
	while (vcpu_state(v) == VCPU_RUNNABLE && !panic_in_progress()) {
		/* Both flags are rare: a plain load first keeps the exit path free of stores. */
		if (__atomic_load_n(&v->vm->reset_requested, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&v->vm->reset_requested, false, __ATOMIC_ACQ_REL)) {
			/* Asked for by the operator: before the guest runs another instruction. */
			vm_reset(v->vm, v);
			if (v->reload) {
				v->reload = false;
				arch_vcpu_load(v);
				vtimer_loaded(v);
			}
			continue;
		}
		/* The vGIC's work is skipped inline when there is none (the common exit). */
		if (__atomic_load_n(&v->vgic.dirty, __ATOMIC_RELAXED))
			vgic_flush(v);
		arch_vcpu_run(v);
		if (v->vgic.lr_used)
			vgic_sync(v);
		if (v->vtimer.asserted)
			vtimer_exited(v);
		trap_handle_exit(v);
		if (v->reload) {
			v->reload = false;
			arch_vcpu_load(v);
			vtimer_loaded(v);
		}
		if (__atomic_load_n(&v->counter_changed, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&v->counter_changed, false, __ATOMIC_ACQUIRE))
			counter_reload(v);
		if (slice_over(v) || __atomic_load_n(&v->vm->frozen, __ATOMIC_RELAXED))
			break;
	}
	arch_hyp_timer_disarm();
	arch_vcpu_put(v);
	/* Stored before vm_vcpu_left() reads the others' (each leaver sees the last). */
	__atomic_store_n(&v->loaded, false, __ATOMIC_SEQ_CST);
	vm_vcpu_left(v);
}

/*
 * Nothing to run: sleep until an interrupt. The EL2 timer is armed for the next
 * blocked vCPU's deadline, and at least once a slice, which also paces the
 * polling of the host's serial line for input.
 */
static void idle(unsigned int cpu)
{
	struct sched_cpu *sc = &sched_cpus[cpu];
	uint64_t next = wake_expired(cpu);

	if (pick(cpu))
		return;
	sc->slice_end = arch_counter() + slice_ticks;
	arm_timer(sc, next);
	/* Interrupts stay masked in EL2: WFI still wakes, then we poll the GIC. */
	arch_cpu_idle();
	irq_handle(0);
}

static void host_power_off(void)
{
	struct smccc_result res;

	log_info("all VMs have stopped: powering off (when-idle = \"poweroff\")");
	arch_smccc(conduit, PSCI_SYSTEM_OFF_FID, 0, 0, 0, &res);
	log_error("PSCI SYSTEM_OFF returned %ld; halting", (long)res.a0);
	arch_cpu_halt();
}

void sched_release(void)
{
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	arch_cpu_wake_all();
}

void sched_run(void)
{
	unsigned int cpu = arch_cpu_index();

	/* VMs are being created while the other CPUs come up: wait until they exist. */
	while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
		arch_cpu_wait_event();
	irq_enable_private_reserved();
	for (;;) {
		struct vcpu *v;

		if (panic_in_progress())
			panic_stop_this_cpu();
		v = pick(cpu);
		if (v) {
			run_vcpu(v);
			continue;
		}
		if (cpu == boot_cpu && idle_policy == WHEN_IDLE_POWEROFF && vm_all_stopped())
			host_power_off();
		idle(cpu);
	}
}
