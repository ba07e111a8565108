// SPDX-License-Identifier: MIT
/*
 * The boot sequence after the arch code has turned the MMU on: discover the
 * platform, bring up the console, memory and interrupt controller, read the VM
 * configuration, start the other CPUs and the VMs, and enter the scheduler.
 */
#include <libfdt.h>
#include <string.h>

#include "arch/arch.h"
#include "platform/uart.h"
#include "platform/acpi_boot.h"
#include "core/bootargs.h"
#include "core/hostclock.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/main.h"
#include "core/mem.h"
#include "console/mux.h"
#include "core/panic.h"
#include "core/random.h"
#include "platform/platform.h"
#include "core/sched.h"
#include "core/smp.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "enclave/agent_host.h"
#include "enclave/attest.h"
#include "migrate/link.h"
#include "migrate/migrate.h"
#include "vdev/host_irqs.h"

#ifndef SKIFF_VERSION
#define SKIFF_VERSION "unknown"
#endif

/* Never mapped in EL2: QEMU virt's flash, and below RAM on every platform we know. */
#define SELFTEST_FAULT_ADDR 0x8UL

/*
 * The host device tree's index (platform/dt.h), for the discovery and the ACPI
 * conversion at boot; a tree with more nodes is read with libfdt alone.
 */
#define HOST_DT_NODES 1024

static struct platform plat;
static struct config config;
static struct dt_node host_dt_nodes[HOST_DT_NODES];

static const char *conduit_name(enum psci_conduit c)
{
	return c == PSCI_CONDUIT_SMC ? "smc" : c == PSCI_CONDUIT_HVC ? "hvc" : "none";
}

static void print_banner(const struct cpu_features *f)
{
	char line[256];
	unsigned int i;
	uint64_t ram = 0;

	for (i = 0; i < plat.nmem; i++)
		ram += plat.mem[i].size;
	log_info("machine: %s", plat.model[0] ? plat.model : "(no model)");
	log_info("cpus: %u, boot CPU MPIDR 0x%lx, PSCI conduit %s", plat.ncpus,
		 (unsigned long)arch_cpu_mpidr(), conduit_name(plat.psci));
	for (i = 0; i < plat.ncpus; i++)
		log_info("  cpu %u: MPIDR 0x%lx", i, (unsigned long)plat.cpu_mpidr[i]);
	for (i = 0; i < plat.nmem; i++)
		log_info("memory: 0x%lx-0x%lx (%lu MiB)", (unsigned long)plat.mem[i].base,
			 (unsigned long)(plat.mem[i].base + plat.mem[i].size - 1),
			 (unsigned long)(plat.mem[i].size >> 20));
	log_info("memory: %lu MiB total, %lu MiB free for VMs", (unsigned long)(ram >> 20),
		 (unsigned long)(mem_free_bytes() >> 20));
	log_info("gic: v%u, distributor 0x%lx", plat.gic.version,
		 (unsigned long)plat.gic.dist.base);
	log_info("timer: counter frequency %lu Hz", (unsigned long)f->counter_hz);
	log_info("cpu features: MIDR 0x%lx, PARange %u bits, VHE %s, FEAT_ECV %s, "
		 "CTR_EL0.IDC %u, CTR_EL0.DIC %u, SVE %s",
		 (unsigned long)f->midr, f->pa_bits, f->vhe ? "yes" : "no", f->ecv ? "yes" : "no",
		 f->idc, f->dic, f->sve ? "yes" : "no");
	arch_mitigations_describe(line, sizeof(line));
	log_info("mitigations from the firmware: %s", line);
}

static void reserve_in_use(const void *fdt, const struct mem_range *image)
{
	struct mem_range in_use[3];
	unsigned int n = 0;

	in_use[n++] = *image;
	in_use[n++] = (struct mem_range){ (uint64_t)fdt, fdt_totalsize(fdt) };
	if (plat.initrd.size)
		in_use[n++] = plat.initrd;
	mem_init(&plat, in_use, n);
}

static void map_platform(void)
{
	unsigned int i;

	for (i = 0; i < plat.nmem; i++)
		if (arch_map_normal(plat.mem[i].base, plat.mem[i].size))
			panic("cannot map memory 0x%lx", (unsigned long)plat.mem[i].base);
}

static void load_config(void)
{
	char err[160];

	if (!plat.initrd.size) {
		log_warn("no VM configuration: pass one as the initrd (QEMU: -initrd vms.dtb)");
		return;
	}
	if (arch_map_normal(plat.initrd.base, plat.initrd.size))
		panic("cannot map the configuration blob at 0x%lx (%lu bytes)",
		      (unsigned long)plat.initrd.base, (unsigned long)plat.initrd.size);
	if (config_parse((const void *)plat.initrd.base, plat.initrd.size, &config, err,
			 sizeof(err))) {
		log_error("%s; no VM started", err);
		config.nvms = 0;
		return;
	}
	/* The blob is mapped writable: the key's bytes in it are erased once taken. */
	attest_init(&config, (void *)plat.initrd.base);
	agent_host_init(&config);
}

/*
 * skiff.selftest=el2-fault makes Skiff fault in EL2 on purpose once it is up, so
 * that the panic report and the stopping of the other CPUs are tested for real.
 */
static void run_selftest(void)
{
	char what[32];

	if (!bootargs_get(plat.bootargs, "selftest", what, sizeof(what)))
		return;
	if (!strcmp(what, "el2-fault")) {
		/* Through a volatile variable, so the compiler cannot see the address. */
		volatile uintptr_t addr = SELFTEST_FAULT_ADDR;

		log_warn("selftest: reading an unmapped address in EL2");
		(void)*(volatile uint64_t *)addr;
	}
	log_warn("selftest: unknown test \"%s\" (known: el2-fault)", what);
}

/*
 * Seeds the random generator from what the CPU and the firmware gave, then forgets
 * the firmware's seed: Skiff's copy, and the bytes in the device tree (mapped
 * writable at boot), so that nothing handed on later can reveal it.
 */
static void seed_random(const struct dt *dt, void *fdt)
{
	int r;

	random_init(plat.rng_seed, plat.rng_seed_len);
	if (!plat.rng_seed_len)
		return;
	memset(plat.rng_seed, 0, sizeof(plat.rng_seed));
	r = platform_forget_rng_seed(dt, fdt);
	if (r)
		log_warn("random: cannot remove /chosen/rng-seed from the device tree: %s",
			 fdt_strerror(r));
}

void skiff_main(void *fdt, unsigned int el, const struct mem_range *image)
{
	struct cpu_features f;
	unsigned int boot_cpu;
	struct dt dt;
	char err[160];
	int uart_ok;

	dt_open(&dt, fdt, host_dt_nodes, HOST_DT_NODES);
	if (platform_discover(&dt, &plat, err, sizeof(err)))
		arch_cpu_halt(); /* no console to say it on */
	uart_ok = plat.uart.regs.size &&
		  !arch_map_device(plat.uart.regs.base, plat.uart.regs.size) &&
		  uart_init(&plat.uart);
	if (uart_ok)
		mux_early_init(); /* the log goes out, and is kept for the console */
	if (el != 2) {
		log_error("Skiff must be entered at EL2 but was entered at EL%u: enable the "
			  "virtualization extensions (QEMU: -M virt,virtualization=on)",
			  el);
		arch_cpu_halt();
	}
	log_info("Skiff %s, a hypervisor for Arm (EL2)", SKIFF_VERSION);
	seed_random(&dt, fdt);
	arch_cpu_features(&f);
	map_platform();
	reserve_in_use(fdt, image);
	acpi_boot(&dt, &plat); /* the seed's bytes became no-ops in place: the index holds */
	arch_mitigations_init(plat.psci);
	print_banner(&f);
	if (arch_irq_init(&plat))
		panic("no usable interrupt controller (GIC version %u)", plat.gic.version);
	ipi_init();
	vdev_reserve_host_irqs(&plat);
	boot_cpu = smp_boot_cpu_init(&plat);
	if (uart_ok)
		mux_init(&plat);
	link_init(&plat);
	load_config();
	migrate_init(config.migrate_accept);
	sched_init(&plat, boot_cpu, config.when_idle, f.counter_hz);
	if (wallclock_init(&plat, f.counter_hz))
		log_info("rtc: PL031 at 0x%lx, %lu seconds since the epoch",
			 (unsigned long)plat.rtc.base, (unsigned long)wallclock_seconds());
	else
		log_warn("rtc: no PL031 in the device tree: guests' clocks start at the epoch");
	hostclock_init(f.counter_hz);
	smp_start_secondaries(&plat);
	if (!vm_create_all(&config) && config.nvms)
		log_error("no VM could be started");
	mux_start();
	sched_release();
	run_selftest();
	sched_run();
}
