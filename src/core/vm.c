// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <string.h>

#include <libfdt.h>

#include "board/guest_acpi.h"
#include "board/guest_fdt.h"
#include "board/layout.h"
#include "core/guestlog.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/wallclock.h"
#include "core/vm.h"
#include "enclave/measure.h"
#include "lib/format.h"

#define RAM_ALIGN	  VM_RAM_BLOCK /* lets stage 2 use 2 MiB blocks */
#define IMAGE_TEXT_OFFSET 8
#define IMAGE_SIZE_OFF	  16
#define PAGE_BYTES	  4096UL
#define STATS_LINE_MAX	  256
#define UNLOAD_TIMEOUT_S  10 /* a vCPU leaves its CPU at its next exit: far less than this */

static struct vm vms[VM_MAX];
static unsigned int nvms;

/* Grows when a VM arrives from another host (vm_incoming_start): read with acquire. */
unsigned int vm_count(void)
{
	return __atomic_load_n(&nvms, __ATOMIC_ACQUIRE);
}

struct vm *vm_get(unsigned int index)
{
	return index < vm_count() ? &vms[index] : 0;
}

/* Copies the kernel into RAM per its format and sets the entry point; -1 with @err set. */
static int load_kernel(struct vm_s2_locked s2, char *err, size_t errlen)
{
	struct vm *vm = s2.vm;
	const struct vm_config *c = vm->config;
	uint64_t offset = 0, footprint = c->kernel_size;
	uint64_t below_dtb = ipa_diff(vm->dtb_ipa, vm->ram_ipa);
	ipaddr_t entry;
	void *dst;

	if (c->kernel_format == KERNEL_IMAGE) {
		uint64_t image_size;

		memcpy(&offset, (const char *)c->kernel + IMAGE_TEXT_OFFSET, sizeof(offset));
		memcpy(&image_size, (const char *)c->kernel + IMAGE_SIZE_OFF, sizeof(image_size));
		if (image_size > footprint)
			footprint = image_size;
	}
	entry = ipa_add(vm->ram_ipa, offset);
	if (footprint > below_dtb || offset > below_dtb - footprint ||
	    !vm_ram_ptr(vm, entry, footprint, &dst)) {
		format(err, errlen,
		       "kernel needs 0x%lx bytes at offset 0x%lx but RAM below the device tree "
		       "is 0x%lx",
		       (unsigned long)footprint, (unsigned long)offset, (unsigned long)below_dtb);
		return -1;
	}
	vm_ram_prepare(s2, entry, footprint);
	memcpy(dst, c->kernel, c->kernel_size);
	arch_dcache_clean_inval_poc(dst, c->kernel_size);
	vm->entry_ipa = entry;
	vm->kernel_end = ipa_add(entry, footprint);
	return 0;
}

/*
 * The initrd goes right below the device tree, on a page boundary, clear of the
 * kernel: its start rounds down, so the room is what lies between the kernel's
 * last page and the device tree.
 */
static int load_initrd(struct vm_s2_locked s2, ipaddr_t *base, char *err, size_t errlen)
{
	struct vm *vm = s2.vm;
	const struct vm_config *c = vm->config;
	ipaddr_t first = ipa_align_down(ipa_add(vm->kernel_end, PAGE_BYTES - 1), PAGE_BYTES);
	uint64_t room = ipa_addr(vm->dtb_ipa) > ipa_addr(first) ? ipa_diff(vm->dtb_ipa, first) : 0;
	void *dst;

	*base = ipa_init(0);
	if (!c->initrd)
		return 0;
	if (c->initrd_size > room) {
		format(err, errlen,
		       "initrd of %lu KiB does not fit between the kernel and the "
		       "device tree (%lu KiB free): give the VM more memory",
		       (unsigned long)((c->initrd_size + 1023) >> 10), (unsigned long)(room >> 10));
		return -1;
	}
	*base = ipa_align_down(ipa_sub(vm->dtb_ipa, c->initrd_size), PAGE_BYTES);
	if (!vm_ram_ptr(vm, *base, c->initrd_size, &dst))
		return -1; /* cannot happen: checked against the kernel's end above */
	vm_ram_prepare(s2, *base, c->initrd_size);
	memcpy(dst, c->initrd, c->initrd_size);
	arch_dcache_clean_inval_poc(dst, c->initrd_size);
	return 0;
}

static int build_fdt(struct vm_s2_locked s2, ipaddr_t initrd, char *err, size_t errlen)
{
	struct vm *vm = s2.vm;
	struct guest_fdt_params p = {
		.ram_base = ipa_addr(vm->ram_ipa),
		.ram_size = vm->ram_size,
		.ncpus = vm->config->vcpus,
		.uart_base = GUEST_UART_BASE,
		.rtc_base = GUEST_RTC_BASE,
		.bootargs = vm->config->bootargs,
		.gic_version = vm->vgic.version,
		.counter_hz = vm->counter.scaled ? vtimer_scale(&vm->counter)->guest_hz : 0,
		.counter_mmio = vm->memtimer.present,
		.gicd_base = GUEST_GICD_BASE,
		.gic_cpu_base = vm->vgic.version == 2 ? GUEST_GICC_BASE : GUEST_GICR_BASE,
		.gic_cpu_size = vm->vgic.version == 2 ? GUEST_GICC_SIZE
						      : GUEST_GICR_STRIDE * vm->config->vcpus,
		.initrd_base = ipa_addr(initrd),
		.initrd_size = ipa_addr(initrd) ? vm->config->initrd_size : 0,
	};
	void *dst = 0;
	int r = -FDT_ERR_NOSPACE;

	if (vm_ram_ptr(vm, vm->dtb_ipa, GUEST_BOOT_REGION_SIZE, &dst)) {
		vm_ram_prepare(s2, vm->dtb_ipa, GUEST_BOOT_REGION_SIZE);
		r = vm->config->acpi ? guest_fdt_build(&p, (char *)dst + GUEST_ACPI_FULL_DT,
						       GUEST_ACPI_DT_ROOM)
				     : guest_fdt_build(&p, dst, GUEST_BOOT_REGION_SIZE);
	}
	if (r) {
		format(err, errlen, "cannot build the device tree (%s)", fdt_strerror(r));
		return r;
	}
	if (vm->config->acpi) {
		const struct guest_acpi_layout l = { ipa_addr(vm->ram_ipa), vm->ram_size,
						     ipa_addr(vm->dtb_ipa) };

		r = guest_acpi_build(&l, dst, err, errlen);
	}
	arch_dcache_clean_inval_poc(dst, GUEST_BOOT_REGION_SIZE);
	return r;
}

/*
 * Puts kernel, initrd and device tree in RAM (docs/config.md: layout) and sets
 * the entry point; -1 with @err set.
 */
static int load_images(struct vm *vm, char *err, size_t errlen)
{
	ipaddr_t region = ipa_add(vm->ram_ipa, vm->ram_size - GUEST_BOOT_REGION_SIZE);
	ipaddr_t initrd = ipa_init(0);
	struct vm_s2_locked s2;
	int r;

	if (!vm->config->kernel) {
		format(err, errlen, "it came from another host: there are no images to load again");
		return -1;
	}
	/*
	 * The device tree starts on the last 2 MiB boundary that leaves it room (a page
	 * boundary in a VM too small for that), so a kernel's early mapping finds it.
	 */
	vm->dtb_ipa = ipa_align_down(region, RAM_ALIGN);
	if (ipa_addr(vm->dtb_ipa) <= ipa_addr(vm->ram_ipa))
		vm->dtb_ipa = ipa_align_down(region, PAGE_BYTES);
	s2 = vm_s2_lock(vm);
	r = load_kernel(s2, err, errlen);
	if (!r)
		r = load_initrd(s2, &initrd, err, errlen);
	if (!r)
		r = build_fdt(s2, initrd, err, errlen);
	vm_s2_unlock(&s2);
	return r ? -1 : 0;
}

static uint64_t ready_bitmap_bytes(uint64_t ram_size)
{
	uint64_t blocks = (ram_size + RAM_ALIGN - 1) / RAM_ALIGN;

	return (blocks + 63) / 64 * 8;
}

void vm_ram_prepare(struct vm_s2_locked locked, ipaddr_t ipa, uint64_t len)
{
	struct vm *vm = locked.vm;
	uint64_t first = ipa_diff(ipa, vm->ram_ipa) / RAM_ALIGN;
	uint64_t last = (ipa_diff(ipa, vm->ram_ipa) + len - 1) / RAM_ALIGN;
	uint64_t b;

	for (b = first; b <= last && b * RAM_ALIGN < vm->ram_size; b++) {
		uint64_t size = vm->ram_size - b * RAM_ALIGN;
		void *p = pa_ptr(pa_add(vm->ram_pa, b * RAM_ALIGN));

		if (vm_ram_block_ready(vm, b))
			continue;
		if (size > RAM_ALIGN)
			size = RAM_ALIGN;
		/* Nothing of a previous owner may show; the guest may read with caches off. */
		arch_zero_to_poc(p, size);
		vm->ram_ready[b / 64] |= 1UL << (b % 64);
	}
}

/*
 * An enclave's RAM is zeroed: every block it was given (a block not prepared yet
 * never reached the guest), written back to memory, so nothing of it stays in
 * the caches either. The blocks stay prepared: zeroed and clean is what that means.
 */
static void ram_scrub(struct vm_s2_locked locked)
{
	struct vm *vm = locked.vm;

	for (uint64_t b = 0; b * RAM_ALIGN < vm->ram_size; b++) {
		uint64_t size = vm->ram_size - b * RAM_ALIGN;
		void *p = pa_ptr(pa_add(vm->ram_pa, b * RAM_ALIGN));

		if (!vm_ram_block_ready(vm, b))
			continue;
		if (size > RAM_ALIGN)
			size = RAM_ALIGN;
		arch_zero_to_poc(p, size);
	}
	vm->scrubs++;
	__atomic_store_n(&vm->scrub_pending, false, __ATOMIC_SEQ_CST);
}

/* True when none of the VM's vCPUs is on a CPU (their last guest store is done). */
static bool vcpus_all_left(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i].loaded, __ATOMIC_SEQ_CST))
			return false;
	return true;
}

/*
 * Scrubs a stopped enclave's RAM once no vCPU of it is on a CPU any more. Every
 * vCPU checks as it leaves (vm_vcpu_left) and the stop itself checks, so the last
 * one to go does it. Under s2_lock, where a reset scrubs and reloads too: a
 * restart that got in first has cleared scrub_pending, and is not undone.
 */
static void scrub_if_stopped(struct vm *vm)
{
	struct vm_s2_locked s2;
	bool scrubbed = false;

	if (!__atomic_load_n(&vm->scrub_pending, __ATOMIC_SEQ_CST))
		return;
	s2 = vm_s2_lock(vm);
	if (__atomic_load_n(&vm->scrub_pending, __ATOMIC_SEQ_CST) && vm_state(vm) != VM_RUNNING &&
	    vcpus_all_left(vm)) {
		ram_scrub(s2);
		scrubbed = true;
	}
	vm_s2_unlock(&s2);
	if (!scrubbed)
		return;
	guestlog_info(&vm->log, "enclave RAM zeroed after the stop (%lu MiB)",
		      (unsigned long)(vm->ram_size >> 20));
	sched_vm_stopped(); /* the host may wait for this to power off */
}

void vm_vcpu_left(struct vcpu *v)
{
	scrub_if_stopped(v->vm);
}

/*
 * No other CPU looks at the VM before sched_release(); the lock is taken all
 * the same, so that states are only ever written one way.
 */
static void vcpus_init(struct vm *vm, unsigned int pcpu)
{
	struct vm_locked locked;
	unsigned int i;

	vm->nvcpus = vm->config->vcpus;
	locked = vm_lock(vm);
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		v->pcpu = sched_cpu_after(pcpu, i); /* spread over the online CPUs */
		v->mpidr = (1UL << 31) | i;
		vcpu_set_state(locked, v, VCPU_OFF);
	}
	arch_vcpu_reset(&vm->vcpus[0], vm->entry_ipa, ipa_addr(vm->dtb_ipa));
	vcpu_set_state(locked, &vm->vcpus[0], VCPU_RUNNABLE);
	vm_unlock(&locked);
}

static void uart_irq(void *ctx, bool level)
{
	struct vm *vm = ctx;

	vgic_set_level(vm, 0, GUEST_INTID_UART, level);
}

static void rtc_irq(void *ctx, bool level)
{
	struct vm *vm = ctx;

	vgic_set_level(vm, 0, GUEST_INTID_RTC, level);
}

/* What the VM writes to its UART and its DCC, kept for the operator's console. */
static void console_init(struct vm *vm)
{
	conbuf_init(&vm->console, vm->console_text, sizeof(vm->console_text));
	conbuf_init(&vm->dcc_console, vm->dcc_console_text, sizeof(vm->dcc_console_text));
	vm->uart.out.keep = &vm->console;
	vm->dcc.out.keep = &vm->dcc_console;
}

/* The backdoor's state and the guestinfo keys the configuration sets. */
static void backdoor_init(struct vm *vm)
{
	const struct vm_config *c = vm->config;
	int prop;

	vm->backdoor.enabled = c->backdoor;
	vm->backdoor.honour_tdcc = c->backdoor_el0_tdcc;
	vm->rpci.log = &vm->log;
	vm->tclo.log = &vm->log;
	/* What an enclave's tools send is its own: the log shows sizes, not text. */
	vm->rpci.withhold = c->enclave;
	vm->tclo.withhold = c->enclave;
	if (c->guestinfo_node < 0)
		return;
	fdt_for_each_property_offset(prop, c->fdt, c->guestinfo_node)
	{
		const char *name, *val;
		int len;

		val = fdt_getprop_by_offset(c->fdt, prop, &name, &len);
		if (val && len > 0 && guestinfo_set(&vm->rpci.info, name, val, (size_t)len - 1))
			log_warn("vm %s: guestinfo.%s not set: more than %u keys", vm->name, name,
				 GUESTINFO_MAX);
	}
}

/*
 * With FEAT_ECV the virtual counter and timer trap too (CNTHCTL_EL2.EL1TVCT,
 * EL1TVT) and are scaled like the physical ones. Without it the virtual counter
 * runs at the host's rate whatever the VM's frequency; Linux reads it for its
 * clocksource when its device tree names the system-register timer, so its
 * clock would run at the wrong rate. Such a VM gets a memory-mapped timer
 * instead (counter-mode "auto" or "mmio"), whose counter traps (docs/time.md).
 */
static int choose_counter_mode(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *c = vm->config;
	uint64_t hz = vtimer_scale(&vm->counter)->guest_hz;
	enum counter_mode mode = c->counter_mode;
	struct cpu_features f;

	arch_cpu_features(&f);
	vm->counter.virtual_trapped = f.ecv;
	if (mode == COUNTER_MODE_AUTO)
		mode = f.ecv || c->acpi ? COUNTER_MODE_SYSREG : COUNTER_MODE_MMIO;
	if (mode == COUNTER_MODE_MMIO) {
		if (memtimer_init(vm)) {
			format(err, errlen, "cannot register the memory-mapped timer's frames");
			return -1;
		}
		log_info("vm %s: counter-frequency %lu Hz: a memory-mapped timer (CNTCTLBase "
			 "0x%lx, CNTBase0 0x%lx, SPI %u) in place of the system-register one",
			 vm->name, (unsigned long)hz, GUEST_CNTCTL_BASE, GUEST_CNTBASE0,
			 GUEST_INTID_MEMTIMER - 32);
		return 0;
	}
	if (!f.ecv && hz != f.counter_hz)
		log_warn("vm %s: counter-frequency %lu Hz: this CPU has no FEAT_ECV, so only the "
			 "physical counter and timer are scaled; the virtual counter (Linux's "
			 "clocksource) runs at the host's %lu Hz",
			 vm->name, (unsigned long)hz, (unsigned long)f.counter_hz);
	return 0;
}

/*
 * What the VM's stage-2 tables may grow to: all of its RAM mapped page by page
 * (blocks split later need no more) and GICv2's CPU interface, the one device
 * Skiff maps. Only a leak could take more, and then it is the VM that stops.
 */
static uint64_t stage2_table_quota(const struct vm *vm)
{
	return arch_stage2_tables_for(&vm->s2, vm->ram_ipa, vm->ram_size) +
	       arch_stage2_tables_for(&vm->s2, ipa_init(GUEST_GICC_BASE), GUEST_GICC_SIZE);
}

/*
 * The CPU the VM is shown: its profile, taking from this host what it takes
 * ("host", PAuth), refused when this host cannot give all of it. A config
 * that names no profile (one built in code, not parsed) is "host" too.
 */
static int cpu_profile_setup(struct vm *vm, char *err, size_t errlen)
{
	struct host_cpu host;
	char why[160];

	arch_cpu_id_regs(&host);
	vm->cpu_profile = vm->config->cpu_profile;
	if (!vm->cpu_profile.version)
		cpu_profile_named("host", &vm->cpu_profile);
	cpu_profile_resolve(&vm->cpu_profile, &host);
	if (cpu_profile_check(&vm->cpu_profile, &host, why, sizeof(why))) {
		format(err, errlen, "cpu-profile %s %s", vm->cpu_profile.name, why);
		return -1;
	}
	cpu_view_init(&vm->cpu, &vm->cpu_profile, &host);
	return 0;
}

static int vm_build(struct vm *vm, unsigned int pcpu, char *err, size_t errlen)
{
	const struct vm_config *c = vm->config;
	void *ram;

	if (cpu_profile_setup(vm, err, errlen))
		return -1;
	ram = mem_alloc_uninit(c->memory_size, RAM_ALIGN);

	vm->enclave = c->enclave;
	vm->guest_maintains_code = c->guest_maintains_code;
	vm->ram_ipa = ipa_init(GUEST_RAM_BASE);
	vm->ram_size = c->memory_size;
	vm->ram_pa = pa_from_ptr(ram);
	if (ram)
		vm->ram_ready = mem_alloc(ready_bitmap_bytes(c->memory_size), 8);
	if (!vm->ram_ready) {
		format(err, errlen, "not enough host memory for %lu MiB of RAM (%lu MiB free)",
		       (unsigned long)(c->memory_size >> 20),
		       (unsigned long)(mem_free_bytes() >> 20));
		return -1;
	}
	/* RAM is mapped lazily, on first access (core/stage2_fault.c). */
	if (arch_stage2_init(&vm->s2, (uint16_t)(vm->id + 1))) {
		format(err, errlen, "cannot build stage-2 tables (out of memory?)");
		return -1;
	}
	vm->s2.table_quota = stage2_table_quota(vm);
	vpl011_init(&vm->uart, vm->name, uart_irq, vm);
	if (mmio_bus_add(&vm->mmio, GUEST_UART_BASE, GUEST_UART_SIZE, &vpl011_ops, &vm->uart,
			 "pl011")) {
		format(err, errlen, "cannot register the UART");
		return -1;
	}
	vpl031_init(&vm->rtc, wallclock_seconds, rtc_irq, vm);
	vdcc_init(&vm->dcc, vm->name);
	console_init(vm);
	backdoor_init(vm);
	if (mmio_bus_add(&vm->mmio, GUEST_RTC_BASE, GUEST_RTC_SIZE, &vpl031_ops, &vm->rtc,
			 "pl031")) {
		format(err, errlen, "cannot register the RTC");
		return -1;
	}
	if (vgic_init(vm, err, errlen))
		return -1;
	vtimer_counter_init(vm, c->counter_hz); /* before the device tree, which names it */
	if (c->counter_hz && choose_counter_mode(vm, err, errlen))
		return -1;
	/* A VM coming from another host has its images and state in what it is sent. */
	if (!c->kernel) {
		vm->nvcpus = c->vcpus;
		for (unsigned int i = 0; i < vm->nvcpus; i++) {
			vm->vcpus[i].vm = vm;
			vm->vcpus[i].id = i;
			vm->vcpus[i].pcpu = sched_cpu_after(pcpu, i);
			vm->vcpus[i].mpidr = (1UL << 31) | i;
			vm->vcpus[i].state = VCPU_OFF;
		}
		return 0;
	}
	/* What it is launched with, before anything of it is in RAM. */
	if (c->enclave)
		measure_vm(c, vm->measurement);
	if (load_images(vm, err, errlen))
		return -1;
	vcpus_init(vm, pcpu);
	return 0;
}

/* Each time slice: the counts of lines VMs had left out, once their second is over. */
static void flush_guestlogs(void)
{
	for (unsigned int i = 0; i < nvms; i++)
		guestlog_flush(&vms[i].log, false);
}

/*
 * A VM that failed to build gives back what it had taken: it can never start.
 * An enclave's RAM is zeroed first (its images may be in it).
 */
static void vm_release(struct vm *vm)
{
	if (vm->enclave && vm->ram_ready) {
		struct vm_s2_locked s2 = vm_s2_lock(vm);

		ram_scrub(s2);
		vm_s2_unlock(&s2);
	}
	arch_stage2_destroy(&vm->s2);
	if (vm->ram_ready)
		mem_free(vm->ram_ready, ready_bitmap_bytes(vm->ram_size));
	if (pa_addr(vm->ram_pa))
		mem_free(pa_ptr(vm->ram_pa), vm->ram_size);
	vm->ram_ready = 0;
	vm->ram_pa = pa_init(0);
}

static void log_enclave(const struct vm *vm)
{
	char hex[2 * TOKEN_MEASUREMENT_LEN + 1];

	format_hex(hex, sizeof(hex), vm->measurement, sizeof(vm->measurement));
	log_info("vm %s: enclave: measurement %s (CPU profile %s)", vm->name, hex,
		 vm->cpu_profile.name);
}

/* Creation's outcome (before sched_release(): the lock as in vcpus_init). */
static void vm_created(struct vm *vm, enum vm_state state)
{
	struct vm_locked locked = vm_lock(vm);

	vm_set_state(locked, state);
	vm_unlock(&locked);
}

unsigned int vm_create_all(const struct config *cfg)
{
	unsigned int i, started = 0;
	char err[224];

	for (i = 0; i < cfg->nvms && nvms < VM_MAX; i++) {
		const struct vm_config *c = &cfg->vms[i];
		struct vm *vm = &vms[nvms];
		int pcpu;

		memset(vm, 0, sizeof(*vm));
		vm->id = nvms++;
		vm->config = c;
		format(vm->name, sizeof(vm->name), "%s", c->name);
		guestlog_init(&vm->log, vm->name);
		err[0] = '\0';
		pcpu = sched_place(c->cpu, err, sizeof(err));
		if (c->error[0])
			format(err, sizeof(err), "%s", c->error);
		else if (pcpu >= 0)
			vm_build(vm, (unsigned int)pcpu, err, sizeof(err));
		if (err[0]) {
			vm_created(vm, VM_FAILED);
			vm_release(vm);
			log_error("vm %s: not started: %s", vm->name, err);
			continue;
		}
		vm->started = arch_counter();
		vm_created(vm, VM_RUNNING);
		started++;
		log_info("vm %s: %lu MiB RAM at IPA 0x%lx, %u vCPU(s) on CPU %d, entry 0x%lx",
			 vm->name, (unsigned long)(vm->ram_size >> 20),
			 (unsigned long)ipa_addr(vm->ram_ipa), vm->nvcpus, pcpu,
			 (unsigned long)ipa_addr(vm->entry_ipa));
		if (vm->cpu.trapped)
			log_info("vm %s: cpu-profile %s: MIDR 0x%lx, ID registers emulated%s%s%s",
				 vm->name, vm->cpu_profile.name, (unsigned long)vm->cpu.midr,
				 vm->cpu.no_sve ? ", SVE trapped" : "",
				 vm->cpu.no_pauth ? ", PAuth trapped" : "",
				 vm->cpu.no_dc_zva ? ", DC ZVA trapped" : "");
		if (vm->guest_maintains_code)
			log_info("vm %s: cache-maintenance = \"guest\": code is made coherent at "
				 "its "
				 "first fetch, then the guest maintains what it writes (no W^X)",
				 vm->name);
		if (vm->enclave)
			log_enclave(vm);
	}
	sched_on_tick(flush_guestlogs);
	return started;
}

/*
 * A running VM becomes @state, its vCPUs STOPPED; false if it was not running.
 * An enclave's RAM is to be scrubbed once they have all left their CPUs.
 */
static bool stop_locked(struct vm_locked locked, enum vm_state state)
{
	struct vm *vm = locked.vm;

	if (vm_state(vm) != VM_RUNNING && vm_state(vm) != VM_HELD && vm_state(vm) != VM_COMMITTED)
		return false;
	if (vm->enclave)
		__atomic_store_n(&vm->scrub_pending, true, __ATOMIC_SEQ_CST);
	vm_set_state(locked, state);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_set_state(locked, &vm->vcpus[i], VCPU_STOPPED);
	return true;
}

static void note_reset_memory(struct reset_memory *m)
{
	uint64_t free = mem_free_bytes(), runs = mem_free_runs();

	if (!m->resets++) {
		m->first = m->lowest = free;
		m->first_runs = m->most_runs = runs;
	}
	if (free < m->lowest)
		m->lowest = free;
	if (runs > m->most_runs)
		m->most_runs = runs;
	m->last = free;
	m->last_runs = runs;
}

/* Once per stop, not through the VM's log budget (the reset lines may have been left out). */
static void report_reset_memory(const struct vm *vm)
{
	const struct reset_memory *m = &vm->reset_mem;

	if (!m->resets)
		return;
	log_info("vm %s: after each of its %lu resets, host memory free: first %lu KiB, lowest %lu "
		 "KiB, last %lu KiB; free ranges: first %lu, most %lu, last %lu",
		 vm->name, (unsigned long)m->resets, (unsigned long)(m->first >> 10),
		 (unsigned long)(m->lowest >> 10), (unsigned long)(m->last >> 10),
		 (unsigned long)m->first_runs, (unsigned long)m->most_runs,
		 (unsigned long)m->last_runs);
}

static void vm_stop(struct vm *vm, enum vm_state state)
{
	char line[STATS_LINE_MAX];
	struct vm_locked locked = vm_lock(vm);
	bool stopped = stop_locked(locked, state);
	unsigned int i;

	vm_unlock(&locked);
	if (!stopped)
		return;
	vpl011_flush(&vm->uart);
	vdcc_flush(&vm->dcc);
	guestlog_flush(&vm->log, true);
	stage2_summary(vm, line, sizeof(line));
	log_info("vm %s: %s", vm->name, line);
	report_reset_memory(vm);
	vgic_report(vm);
	/* vCPUs running elsewhere notice at their next exit; make that now. */
	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != arch_cpu_index())
			ipi_send(vm->vcpus[i].pcpu, IPI_KICK);
	/* None of them on a CPU (all waiting, or off): nobody else would scrub. */
	scrub_if_stopped(vm);
	sched_vm_stopped();
}

void vm_power_off(struct vm *vm)
{
	vm_stop(vm, VM_POWERED_OFF);
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	format_v(why, sizeof(why), fmt, ap);
	va_end(ap);
	vpl011_flush(&vm->uart);
	log_error("vm %s: crashed: %s; VM stopped, other VMs unaffected", vm->name, why);
	vm_stop(vm, VM_CRASHED);
}

/*
 * A reset (PSCI SYSTEM_RESET, or the operator's) is claimed under vm->lock:
 * vm->resetting is set and every other vCPU turned off in one step, and CPU_ON
 * refuses while the flag is set, so no vCPU comes back on until the reset is
 * over. False when the VM is stopping or another vCPU is resetting it (that
 * one has turned @caller off already).
 */
static bool reset_claim(struct vm_locked locked, const struct vcpu *caller)
{
	struct vm *vm = locked.vm;

	if (vm_state(vm) != VM_RUNNING || vm->resetting)
		return false;
	vm->resetting = true;
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (&vm->vcpus[i] != caller)
			vcpu_set_state(locked, &vm->vcpus[i], VCPU_OFF);
	return true;
}

/*
 * Waits until no vCPU but @caller is loaded on a CPU (they were turned off:
 * each leaves at its next exit, which the kick makes now). The wait is
 * bounded: a vCPU that never leaves its CPU means EL2 itself is stuck there.
 */
static void wait_others_unloaded(struct vm *vm, const struct vcpu *caller)
{
	uint64_t start = arch_counter(), limit = arch_counter_freq() * UNLOAD_TIMEOUT_S;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		if (v == caller)
			continue;
		if (v->pcpu != arch_cpu_index())
			ipi_send(v->pcpu, IPI_KICK);
		while (__atomic_load_n(&v->loaded, __ATOMIC_SEQ_CST)) {
			if (panic_in_progress())
				panic_stop_this_cpu();
			if (arch_counter() - start > limit)
				panic("vm %s: vcpu %u did not leave host CPU %u within %u s of a "
				      "reset",
				      vm->name, v->id, v->pcpu, UNLOAD_TIMEOUT_S);
		}
	}
}

/*
 * Ends a reset: the boot vCPU runs from the entry point, unless the VM was
 * stopped meanwhile. Returns the boot vCPU when it is another than @caller, to
 * be told to run.
 */
static struct vcpu *reset_finish(struct vm_locked locked, struct vcpu *caller)
{
	struct vm *vm = locked.vm;
	struct vcpu *boot = &vm->vcpus[0];

	vm->resetting = false;
	if (vm_state(vm) != VM_RUNNING)
		return NULL;
	vm->started = arch_counter();
	arch_vcpu_reset(boot, vm->entry_ipa, ipa_addr(vm->dtb_ipa));
	if (caller == boot) {
		boot->reload = true;
		return NULL;
	}
	/* @boot is off every CPU now; @caller stops at its next exit. */
	vcpu_set_state(locked, caller, VCPU_OFF);
	vcpu_set_state(locked, boot, VCPU_RUNNABLE);
	return boot;
}

/* A reset that could not be carried out: the VM stops, and may be started again. */
static void reset_failed(struct vm *vm, const char *why)
{
	struct vm_locked locked = vm_lock(vm);

	vm->resetting = false;
	vm_unlock(&locked);
	vm_crash(vm, "reset failed: %s", why);
}

void vm_reset(struct vm *vm, struct vcpu *caller)
{
	char err[160], line[STATS_LINE_MAX];
	struct vm_locked locked = vm_lock(vm);
	bool claimed = reset_claim(locked, caller);
	struct vm_s2_locked s2;
	struct vcpu *boot;

	vm_unlock(&locked);
	if (!claimed)
		return;
	/* Other vCPUs may be running (Linux parks them in a loop, not CPU_OFF). */
	wait_others_unloaded(vm, caller);
	vpl011_flush(&vm->uart);
	/* The image is rewritten: forget every mapping, so code is maintained again. */
	stage2_summary(vm, line, sizeof(line));
	s2 = vm_s2_lock(vm);
	arch_stage2_unmap_all(&vm->s2);
	memset(&vm->s2stats, 0, sizeof(vm->s2stats));
	/* An enclave starts again with nothing of its last run in RAM. */
	if (vm->enclave)
		ram_scrub(s2);
	vm_s2_unlock(&s2);
	/* Every reset returns the same tables: a figure that drifts down is a leak. */
	note_reset_memory(&vm->reset_mem);
	guestlog_info(&vm->log, "%s; emptied for the reset, host memory free: %lu KiB", line,
		      (unsigned long)(vm->reset_mem.last >> 10));
	if (load_images(vm, err, sizeof(err))) {
		reset_failed(vm, err);
		return;
	}
	vgic_reset(vm);
	if (vm->memtimer.present)
		memtimer_reset(vm);
	backdoor_reset(vm);
	if (vgic_map_cpuif(vm)) {
		reset_failed(vm, "cannot map the GIC's virtual CPU interface");
		return;
	}
	locked = vm_lock(vm);
	boot = reset_finish(locked, caller);
	vm_unlock(&locked);
	if (boot && boot->pcpu != arch_cpu_index())
		ipi_send(boot->pcpu, IPI_RESCHED);
}

/* Asks for the reset; true when the boot vCPU must be woken to carry it out. */
static bool request_reset(struct vm_locked locked)
{
	struct vm *vm = locked.vm;
	struct vcpu *boot = &vm->vcpus[0];

	if (vm->resetting) {
		/* The boot vCPU runs when that reset is over, and then carries this one out. */
		__atomic_store_n(&vm->reset_requested, true, __ATOMIC_RELEASE);
		return false;
	}
	if (vm_state(vm) != VM_RUNNING) {
		/* Stopped: only the boot vCPU runs, to do the reset first thing. */
		for (unsigned int i = 1; i < vm->nvcpus; i++)
			vcpu_set_state(locked, &vm->vcpus[i], VCPU_OFF);
		vm_set_state(locked, VM_RUNNING);
	}
	__atomic_store_n(&vm->reset_requested, true, __ATOMIC_RELEASE);
	if (!vcpu_is_on(boot))
		vcpu_set_state(locked, boot, VCPU_RUNNABLE);
	return true;
}

bool vm_request_reset(struct vm *vm)
{
	struct vcpu *boot = &vm->vcpus[0];
	struct vm_locked locked;
	bool wake;

	/* All for good: a VM's state never leaves them (a migrated one's RAM is gone). */
	if (vm_state(vm) == VM_FAILED || vm_state(vm) == VM_EMPTY || vm_state(vm) == VM_MIGRATED ||
	    __atomic_load_n(&vm->frozen, __ATOMIC_SEQ_CST))
		return false;
	/* One that came from another host has no images: it cannot start afresh once stopped. */
	if (vm_state(vm) != VM_RUNNING && !vm->config->kernel)
		return false;
	locked = vm_lock(vm);
	wake = request_reset(locked);
	vm_unlock(&locked);
	if (!wake)
		return true;
	sched_wake(boot);
	if (boot->pcpu != arch_cpu_index())
		ipi_send(boot->pcpu, IPI_RESCHED);
	return true;
}

const char *vm_state_name(enum vm_state state)
{
	static const char *const names[] = {
		[VM_EMPTY] = "empty",
		[VM_RUNNING] = "running",
		[VM_POWERED_OFF] = "powered off",
		[VM_CRASHED] = "crashed",
		[VM_FAILED] = "failed",
		[VM_MIGRATED] = "migrated away",
		[VM_HELD] = "held",
		[VM_COMMITTED] = "committed away",
	};

	return names[state];
}

uint64_t vm_exits(const struct vm *vm)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		n += vm->vcpus[i].exits;
	return n;
}

uint64_t vm_backdoor_calls(const struct vm *vm)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		n += vm->vcpus[i].backdoor_calls;
	return n;
}

bool vm_all_stopped(void)
{
	unsigned int i;

	for (i = 0; i < nvms; i++)
		if (vm_state(&vms[i]) == VM_RUNNING || vm_state(&vms[i]) == VM_HELD ||
		    __atomic_load_n(&vms[i].scrub_pending, __ATOMIC_SEQ_CST))
			return false;
	return true;
}

/* ---- migration ---- */

void vm_freeze(struct vm *vm)
{
	__atomic_store_n(&vm->frozen, true, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != arch_cpu_index())
			ipi_send(vm->vcpus[i].pcpu, IPI_KICK);
		else
			sched_yield();
}

bool vm_unloaded(const struct vm *vm)
{
	return vcpus_all_left(vm);
}

void vm_thaw(struct vm *vm)
{
	__atomic_store_n(&vm->frozen, false, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != arch_cpu_index())
			ipi_send(vm->vcpus[i].pcpu, IPI_RESCHED);
}

void vm_commit_hold(struct vm *vm)
{
	struct vm_locked locked = vm_lock(vm);

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		enum vcpu_state s = vcpu_state(&vm->vcpus[i]);

		/* Waiting (WFI) comes back runnable: a spurious wake-up the guest allows. */
		vm->held_on[i] = s != VCPU_OFF && s != VCPU_STOPPED;
		vcpu_set_state(locked, &vm->vcpus[i], VCPU_STOPPED);
	}
	vm_set_state(locked, VM_COMMITTED);
	vm_unlock(&locked);
}

bool vm_commit_resume(struct vm *vm)
{
	struct vm_locked locked = vm_lock(vm);
	bool committed = vm_state(vm) == VM_COMMITTED;

	if (committed) {
		for (unsigned int i = 0; i < vm->nvcpus; i++)
			vcpu_set_state(locked, &vm->vcpus[i],
				       vm->held_on[i] ? VCPU_RUNNABLE : VCPU_OFF);
		vm_set_state(locked, VM_RUNNING);
	}
	vm_unlock(&locked);
	if (committed)
		vm_thaw(vm);
	return committed;
}

void vm_migrated_away(struct vm *vm)
{
	struct vm_locked locked = vm_lock(vm);

	stop_locked(locked, VM_MIGRATED);
	vm_unlock(&locked);
	vpl011_flush(&vm->uart);
	vdcc_flush(&vm->dcc);
	guestlog_flush(&vm->log, true);
	/* Frozen and unloaded: nothing of it runs, and nothing will. An enclave's RAM is zeroed. */
	vm_release(vm);
	if (vm->enclave)
		guestlog_info(&vm->log, "enclave RAM zeroed as it left (%lu MiB)",
			      (unsigned long)(vm->ram_size >> 20));
	sched_vm_stopped();
}

struct vm *vm_incoming_build(const struct vm_config *c, char *err, size_t errlen)
{
	struct vm *vm;
	int pcpu;

	if (nvms >= VM_MAX) {
		format(err, errlen, "this host runs %u VMs already, its most", VM_MAX);
		return 0;
	}
	vm = &vms[nvms];
	memset(vm, 0, sizeof(*vm));
	vm->id = nvms;
	vm->config = c;
	format(vm->name, sizeof(vm->name), "%s", c->name);
	guestlog_init(&vm->log, vm->name);
	for (unsigned int i = 0; i < nvms; i++) {
		if (!strcmp(vms[i].name, vm->name) && vm_state(&vms[i]) != VM_MIGRATED) {
			format(err, errlen, "a VM named %s is here already", vm->name);
			return 0;
		}
	}
	pcpu = sched_place(c->cpu, err, errlen);
	if (pcpu < 0 || vm_build(vm, (unsigned int)pcpu, err, errlen)) {
		vm_release(vm);
		return 0;
	}
	return vm;
}

/* Runs the vCPUs @on says: the VM is in the table already. */
static void run_arrived(struct vm_locked locked, const bool *on)
{
	struct vm *vm = locked.vm;

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_set_state(locked, &vm->vcpus[i], on[i] ? VCPU_RUNNABLE : VCPU_OFF);
	vm->started = arch_counter();
	vm_set_state(locked, VM_RUNNING);
}

static void kick_arrived(struct vm *vm, const bool *on)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (on[i] && vm->vcpus[i].pcpu != arch_cpu_index())
			ipi_send(vm->vcpus[i].pcpu, IPI_RESCHED);
}

void vm_incoming_start(struct vm *vm, const bool *on)
{
	struct vm_locked locked = vm_lock(vm);

	run_arrived(locked, on);
	vm_unlock(&locked);
	/* In the table now: the schedulers of every CPU see it from here on. */
	__atomic_store_n(&nvms, nvms + 1, __ATOMIC_RELEASE);
	kick_arrived(vm, on);
}

void vm_incoming_hold(struct vm *vm, const bool *on)
{
	struct vm_locked locked = vm_lock(vm);

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		vm->held_on[i] = on[i];
		vcpu_set_state(locked, &vm->vcpus[i], VCPU_OFF);
	}
	vm_set_state(locked, VM_HELD);
	vm_unlock(&locked);
	__atomic_store_n(&nvms, nvms + 1, __ATOMIC_RELEASE);
}

bool vm_start_held(struct vm *vm)
{
	struct vm_locked locked = vm_lock(vm);
	bool held = vm_state(vm) == VM_HELD;

	if (held)
		run_arrived(locked, vm->held_on);
	vm_unlock(&locked);
	if (held)
		kick_arrived(vm, vm->held_on);
	return held;
}

void vm_incoming_abort(struct vm *vm)
{
	vm_release(vm);
	memset(vm, 0, sizeof(*vm));
}
