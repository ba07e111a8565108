// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/trap.h"
#include "core/vm.h"
#include "lib/format.h"
#include "vdev/psci.h"

static unsigned int sched_ncpus;
static unsigned int next_cpu;
static unsigned int online_mask;
static enum when_idle idle_policy;
static int host_conduit;
static unsigned int boot_cpu;
static int released;

void sched_init(unsigned int ncpus, unsigned int boot, enum when_idle when_idle, int conduit)
{
	sched_ncpus = ncpus;
	boot_cpu = boot;
	idle_policy = when_idle;
	host_conduit = conduit;
}

void sched_cpu_online(unsigned int cpu)
{
	__atomic_fetch_or(&online_mask, 1U << cpu, __ATOMIC_RELEASE);
}

unsigned int sched_cpus_online(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
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

static struct vcpu *pick(unsigned int cpu)
{
	unsigned int i, j;

	for (i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);

		for (j = 0; j < vm->nvcpus; j++)
			if (vm->vcpus[j].pcpu == cpu && vm->vcpus[j].state == VCPU_RUNNABLE)
				return &vm->vcpus[j];
	}
	return 0;
}

static void run_vcpu(struct vcpu *v)
{
	arch_vcpu_load(v);
	v->reload = false;
	while (v->state == VCPU_RUNNABLE && !panic_in_progress()) {
		arch_vcpu_run(v);
		trap_handle_exit(v);
		if (v->reload) {
			v->reload = false;
			arch_vcpu_load(v);
		}
	}
	arch_vcpu_put(v);
}

static void host_power_off(void)
{
	struct smccc_result res;

	log_info("all VMs have stopped: powering off (when-idle = \"poweroff\")");
	arch_smccc(host_conduit, PSCI_SYSTEM_OFF_FID, 0, 0, 0, &res);
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
		/* Interrupts stay masked in EL2: WFI still wakes, then we poll the GIC. */
		arch_cpu_idle();
		trap_handle_host_irq();
	}
}
