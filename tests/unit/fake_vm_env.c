// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/internal.h"
#include "arch/arm64/mmu.h"
#include "board/guest_acpi.h"
#include "board/layout.h"
#include "core/mem.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "fake_vm_env.h"
#include "lib/format.h"

struct fake_env env;

void arch_cpu_features(struct cpu_features *f)
{
	memset(f, 0, sizeof(*f));
	f->pa_bits = env.pa_bits;
	f->counter_hz = 62500000;
}

/* A host with nothing in its ID registers: "host" profiles take that, others are refused. */
void arch_cpu_id_regs(struct host_cpu *host)
{
	memset(host, 0, sizeof(*host));
	host->midr = 0x410fd083;
}

unsigned int mmu_pa_bits(void)
{
	return env.pa_bits;
}

/* A panic in the code under test ends the test program, saying why. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

int panic_in_progress(void)
{
	return 0;
}

void panic_stop_this_cpu(void)
{
	abort();
}

void s2_tlb_flush_ipa(ipaddr_t ipa)
{
	(void)ipa;
	env.tlb_ipa_flushes++;
}

void s2_tlb_flush_vmid(void)
{
	env.tlb_vmid_flushes++;
	env.free_at_flush = mem_free_bytes();
}

void arch_stage2_flush_tlb(const struct stage2 *s2)
{
	(void)s2;
	env.tlb_vmid_flushes++;
}

void s2_publish(void)
{
}

/* Two host CPUs; a VM goes where it asks, or on CPU 0. */
int sched_place(int requested, char *err, size_t errlen)
{
	if (requested > 1) {
		format(err, errlen, "cpu %d does not exist (2 CPUs)", requested);
		return -1;
	}
	return requested < 0 ? 0 : requested;
}

/* Time-slice work is not run here: the VMs' log budgets are tested on their own. */
void sched_on_tick(void (*fn)(void))
{
	(void)fn;
}

unsigned int sched_cpu_after(unsigned int cpu, unsigned int n)
{
	return (cpu + n) % 2;
}

void sched_vm_stopped(void)
{
	env.vms_stopped++;
}

void sched_wake(struct vcpu *v)
{
	(void)v;
	env.wakes++;
}

static uint64_t no_read(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size)
{
	(void)dev;
	(void)vcpu;
	(void)offset;
	(void)size;
	return 0;
}

static void no_write(void *dev, struct vcpu *vcpu, uint64_t offset, unsigned int size,
		     uint64_t value)
{
	(void)dev;
	(void)vcpu;
	(void)offset;
	(void)size;
	(void)value;
}

const struct mmio_ops vpl011_ops = { no_read, no_write };
const struct mmio_ops vpl031_ops = { no_read, no_write };

void vpl011_init(struct vpl011 *u, const char *owner, void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx)
{
	(void)u;
	(void)owner;
	(void)set_irq;
	(void)irq_ctx;
}

void vpl011_flush(struct vpl011 *u)
{
	(void)u;
	env.uart_flushes++;
}

void vpl031_init(struct vpl031 *rtc, uint64_t (*now)(void), void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx)
{
	(void)rtc;
	(void)now;
	(void)set_irq;
	(void)irq_ctx;
}

void vdcc_init(struct vdcc *d, const char *owner)
{
	(void)d;
	(void)owner;
}

void vdcc_flush(struct vdcc *d)
{
	(void)d;
}

/* GICv2 maps its CPU interface into stage 2 for real, as vdev/vgic.c does. */
int vgic_map_cpuif(struct vm *vm)
{
	struct vm_s2_locked s2;
	int r;

	if (env.cpuif_fails)
		return -1;
	if (vm->vgic.version != 2)
		return 0;
	s2 = vm_s2_lock(vm);
	r = arch_stage2_map_device(&vm->s2, ipa_init(GUEST_GICC_BASE), pa_init(0x08040000),
				   GUEST_GICC_SIZE);
	vm_s2_unlock(&s2);
	return r;
}

int vgic_init(struct vm *vm, char *err, size_t errlen)
{
	vm->vgic.present = true;
	vm->vgic.version = env.gic_version;
	if (vgic_map_cpuif(vm)) {
		format(err, errlen, "cannot map the virtual CPU interface (out of memory?)");
		return -1;
	}
	return 0;
}

void vgic_reset(struct vm *vm)
{
	(void)vm;
	env.vgic_resets++;
}

void vgic_report(const struct vm *vm)
{
	(void)vm;
}

void vgic_set_level(struct vm *vm, struct vcpu *vcpu, unsigned int intid, bool level)
{
	(void)vm;
	(void)vcpu;
	(void)intid;
	(void)level;
}

void vtimer_counter_init(struct vm *vm, uint64_t guest_hz)
{
	(void)vm;
	(void)guest_hz;
}

int memtimer_init(struct vm *vm)
{
	vm->memtimer.present = true;
	return 0;
}

void memtimer_reset(struct vm *vm)
{
	(void)vm;
}

void backdoor_reset(struct vm *vm)
{
	(void)vm;
}

int guestinfo_set(struct guestinfo *g, const char *key, const char *value, size_t value_len)
{
	(void)g;
	(void)key;
	(void)value;
	(void)value_len;
	return 0;
}

/* The test's VMs have no ACPI: vm.c never asks. */
int guest_acpi_build(const struct guest_acpi_layout *l, void *region, char *err, size_t errlen)
{
	(void)l;
	(void)region;
	format(err, errlen, "no ACPI in this test");
	return -1;
}

uint64_t wallclock_seconds(void)
{
	return 0;
}
