// SPDX-License-Identifier: MIT
/*
 * The VM configuration parser (core/config.c) on any blob: it refuses with a
 * reason or returns VMs whose accepted fields hold what docs/config.md
 * promises, pointing inside the blob; the guestinfo keys it accepts are then
 * taken by the RPCI store as vm.c gives them (never refused but for a full
 * table).
 */
#include <libfdt.h>

#include "arch/arch.h"
#include "core/config.h"
#include "core/log.h"
#include "hypercall/rpci.h"
#include "fuzz.h"

/* The log and the counter, for the RPCI store's log budget (core/guestlog.c). */
void log_info(const char *fmt, ...)
{
	(void)fmt;
}

void log_warn(const char *fmt, ...)
{
	(void)fmt;
}

uint64_t arch_counter(void)
{
	return 0;
}

uint64_t arch_counter_freq(void)
{
	return 1;
}

FUZZ_ORACLE static bool inside(const void *p, size_t len, const uint8_t *data, size_t size)
{
	const uint8_t *b = p;

	return b >= data && len <= size && b - data <= (ptrdiff_t)(size - len);
}

/* What vm.c's backdoor_init does with the "guestinfo" subnode. */
static void take_guestinfo(const struct vm_config *vm)
{
	static struct guestinfo info;
	int prop;

	memset(&info, 0, sizeof(info));
	if (vm->guestinfo_node < 0)
		return;
	fdt_for_each_property_offset(prop, vm->fdt, vm->guestinfo_node)
	{
		const char *name, *val;
		int len;

		val = fdt_getprop_by_offset(vm->fdt, prop, &name, &len);
		FUZZ_CHECK(val && len > 0, "vm %s: guestinfo property accepted without a value",
			   vm->name);
		FUZZ_CHECK(!guestinfo_set(&info, name, val, (size_t)len - 1) ||
				   info.count == GUESTINFO_MAX,
			   "vm %s: guestinfo.%s (%d bytes) accepted by config, refused by rpci",
			   vm->name, name, len);
	}
}

FUZZ_ORACLE static void check_vm(const struct vm_config *vm, const uint8_t *data, size_t size)
{
	FUZZ_CHECK(fuzz_terminated(vm->name, sizeof(vm->name)), "name not terminated");
	FUZZ_CHECK(fuzz_terminated(vm->error, sizeof(vm->error)), "error not terminated");
	if (vm->error[0])
		return;
	FUZZ_CHECK(vm->memory_size >= (256UL << 10) && !(vm->memory_size & 0xfff),
		   "vm %s: memory-size 0x%lx accepted", vm->name, (unsigned long)vm->memory_size);
	FUZZ_CHECK(vm->vcpus >= 1 && vm->vcpus <= 8, "vm %s: %u vcpus", vm->name, vm->vcpus);
	FUZZ_CHECK(vm->cpu >= -1 && vm->cpu <= 255, "vm %s: cpu %d", vm->name, vm->cpu);
	FUZZ_CHECK(vm->kernel_size > 0 && inside(vm->kernel, vm->kernel_size, data, size),
		   "vm %s: kernel outside the blob", vm->name);
	FUZZ_CHECK(vm->kernel_format != KERNEL_IMAGE ||
			   (vm->kernel_size >= 64 &&
			    !memcmp((const char *)vm->kernel + 56, "ARM\x64", 4)),
		   "vm %s: Image without its magic", vm->name);
	FUZZ_CHECK(vm->initrd ? vm->initrd_size && inside(vm->initrd, vm->initrd_size, data, size)
			      : !vm->initrd_size,
		   "vm %s: initrd outside the blob", vm->name);
	if (vm->bootargs) {
		size_t room = size - (size_t)((const uint8_t *)vm->bootargs - data);

		FUZZ_CHECK(inside(vm->bootargs, 1, data, size) && memchr(vm->bootargs, '\0', room),
			   "vm %s: bootargs not a string inside the blob", vm->name);
	}
	FUZZ_CHECK(!vm->counter_hz || (vm->counter_hz >= 1000000 && vm->counter_hz <= 4000000000UL),
		   "vm %s: counter-frequency %lu", vm->name, (unsigned long)vm->counter_hz);
	FUZZ_CHECK(vm->cpu_profile.version == CPU_PROFILE_VERSION &&
			   fuzz_terminated(vm->cpu_profile.name, sizeof(vm->cpu_profile.name)) &&
			   vm->cpu_profile.name[0],
		   "vm %s: cpu-profile without a version or a name", vm->name);
	take_guestinfo(vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char err[160] = "";

	if (config_parse(data, size, &cfg, err, sizeof(err))) {
		FUZZ_CHECK(!strncmp(err, "config: ", 8), "refusal without a reason: \"%s\"", err);
		return 0;
	}
	FUZZ_CHECK(cfg.nvms >= 1 && cfg.nvms <= CONFIG_MAX_VMS, "%u VMs", cfg.nvms);
	FUZZ_CHECK(cfg.when_idle == WHEN_IDLE_WAIT || cfg.when_idle == WHEN_IDLE_POWEROFF,
		   "when-idle %d", cfg.when_idle);
	for (unsigned int i = 0; i < cfg.nvms; i++)
		check_vm(&cfg.vms[i], data, size);
	return 0;
}
