// SPDX-License-Identifier: MIT
/*
 * The virtual GIC's generic part: distributor registers of both versions, GICv2
 * SGIs with their source, list-register filling and reading back, the
 * underflow (maintenance) request, and wake-ups of waiting vCPUs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/ipi.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "board/layout.h"
#include "vdev/vgic.h"

#define NR_LRS 4

/* --- the hardware, faked --- */
static unsigned int version = 3;
static uint64_t hw_lr[NR_LRS];
static bool underflow;
static unsigned int wakes, ipis, mapped;

unsigned int arch_vgic_version(void)
{
	return version;
}

unsigned int arch_vgic_nr_lrs(void)
{
	return NR_LRS;
}

void arch_vgic_write_lrs(const uint64_t *lr, unsigned int n)
{
	memcpy(hw_lr, lr, n * sizeof(*lr));
}

void arch_vgic_read_lrs(uint64_t *lr, unsigned int n)
{
	memcpy(lr, hw_lr, n * sizeof(*lr));
}

void arch_vgic_set_underflow_irq(struct vcpu *vcpu, bool on)
{
	vcpu->vgic.underflow_irq = on;
	underflow = on;
}

paddr_t arch_vgic_cpuif_base(void)
{
	return pa_init(0x08040000);
}

int arch_stage2_map_device(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size)
{
	(void)s2;
	(void)ipa;
	(void)pa;
	(void)size;
	mapped++;
	return 0;
}

unsigned int arch_cpu_index(void)
{
	return 0;
}

void ipi_send(unsigned int cpu, enum ipi ipi)
{
	(void)cpu;
	(void)ipi;
	ipis++;
}

void sched_wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	wakes++;
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
}

/* --- a VM with 3 vCPUs --- */
static struct vm vm;
static struct vm_config cfg = { .vcpus = 3 };

static int setup(void **state)
{
	char err[80];

	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(hw_lr, 0, sizeof(hw_lr));
	wakes = ipis = mapped = 0;
	vm.config = &cfg;
	vm.nvcpus = 3;
	for (unsigned int i = 0; i < 3; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		vm.vcpus[i].mpidr = i;
		vm.vcpus[i].state = VCPU_RUNNABLE;
	}
	return vgic_init(&vm, err, sizeof(err));
}

static uint64_t dist_rd(unsigned int vcpu, uint64_t off)
{
	return vgic_dist_ops.read(&vm, &vm.vcpus[vcpu], off, 4);
}

static void dist_wr(unsigned int vcpu, uint64_t off, uint32_t v)
{
	vgic_dist_ops.write(&vm, &vm.vcpus[vcpu], off, 4, v);
}

static void test_v2_distributor_and_sgis(void **state)
{
	struct vcpu *v1 = &vm.vcpus[1];

	(void)state;
	assert_int_equal(vm.vgic.version, 2);
	assert_int_equal(mapped, 1);			 /* GICV at the guest's GICC */
	assert_int_equal(dist_rd(0, 0x004) >> 5 & 7, 2); /* TYPER.CPUNumber: 3 CPUs */
	assert_int_equal(dist_rd(1, 0x800), 0x02020202); /* ITARGETSR0: its own bit */
	dist_wr(0, 0x000, 1);				 /* GICD_CTLR: enable group 0 */
	dist_wr(1, 0x100, 1U << 5);			 /* vCPU 1 enables SGI 5 (banked) */
	dist_wr(0, 0xf00, (1U << (16 + 1)) | 5);	 /* vCPU 0 sends SGI 5 to vCPU 1 */
	dist_wr(2, 0xf00, (1U << (16 + 1)) | 5);	 /* and vCPU 2 too */
	assert_int_equal(dist_rd(1, 0xf14) & 0xff00, (1U << 8) | (1U << 10)); /* sources */
	vgic_flush(v1);
	/* One source at a time, its CPUID beside the INTID; group 0 (Linux's). */
	assert_int_equal(v1->vgic.lr[0] & 0x1fff, 5);
	assert_int_equal(v1->vgic.lr[0] & (1UL << 60), 0);
	assert_int_equal(v1->vgic.lr_used, 1);
	/* The guest takes and ends it: the slot frees and the next source comes. */
	hw_lr[0] = v1->vgic.lr[0] & ~(3UL << 62);
	vgic_sync(v1);
	assert_int_equal(v1->vgic.lr_used, 0);
	vgic_flush(v1);
	assert_int_equal(v1->vgic.lr[0] & 0x1fff, 5 | (2 << 10));
	/* Filter 1: everyone but the sender. */
	dist_wr(2, 0x100, 1U << 6);
	dist_wr(0, 0xf00, (1U << 24) | 6);
	assert_true(vm.vcpus[2].vgic.priv[6].pending);
	assert_false(vm.vcpus[0].vgic.priv[6].pending);
}

static void test_v3_spis_lrs_and_underflow(void **state)
{
	struct vcpu *v0 = &vm.vcpus[0];

	(void)state;
	assert_int_equal(vm.vgic.version, 3);
	dist_wr(0, 0x000, 2); /* group 1 on */
	for (unsigned int i = 0; i < 6; i++) {
		dist_wr(0, 0x6000 + 8 * (32 + i), 0); /* IROUTER: vCPU 0 */
		dist_wr(0, 0x100 + 4, 1U << i);	      /* enable SPI i */
		vgic_inject(&vm, 0, 32 + i);
	}
	vgic_flush(v0);
	assert_int_equal(v0->vgic.lr_used, 0xf); /* 4 list registers, 6 interrupts */
	assert_true(underflow);			 /* more waiting: maintenance wanted */
	assert_int_equal(v0->vgic.lr[0] & 0xffffffff, 32);
	assert_true(v0->vgic.lr[0] & (1UL << 60)); /* group 1 */
	/* The guest handles three; the maintenance interrupt says so. */
	for (unsigned int i = 0; i < 3; i++)
		hw_lr[i] = 0;
	hw_lr[3] = v0->vgic.lr[3];
	vgic_sync(v0);
	vgic_maintenance(v0);
	vgic_flush(v0);
	assert_int_equal(v0->vgic.lr_used, 0xb); /* the last two in slots 0 and 1 */
	assert_false(underflow);		 /* all six handed over */
	assert_int_equal(v0->vgic.maintenance_irqs, 1);
	assert_int_equal(v0->vgic.delivered, 6);
}

static void test_blocked_vcpu_is_woken_by_an_interrupt(void **state)
{
	struct vcpu *v2 = &vm.vcpus[2];

	(void)state;
	dist_wr(0, 0x000, 2);
	v2->state = VCPU_BLOCKED;
	vgic_send_sgi(&vm.vcpus[0], (3UL << 24) | (1UL << 2)); /* SGI 3 to vCPU 2 */
	assert_int_equal(wakes, 1);
	assert_int_equal(v2->state, VCPU_RUNNABLE);
	assert_false(vgic_vcpu_pending(v2)); /* SGI 3 is not enabled yet */
	vgic_redist_ops.write(&vm, v2, 2 * GUEST_GICR_STRIDE + 0x10000 + 0x100, 4, 1U << 3);
	assert_true(vgic_vcpu_pending(v2));
}

static int setup_v2(void **state)
{
	version = 2;
	return setup(state);
}

static int setup_v3(void **state)
{
	version = 3;
	return setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_v2_distributor_and_sgis, setup_v2),
		cmocka_unit_test_setup(test_v3_spis_lrs_and_underflow, setup_v3),
		cmocka_unit_test_setup(test_blocked_vcpu_is_woken_by_an_interrupt, setup_v3),
	};

	return cmocka_run_group_tests_name("vgic", tests, NULL, NULL);
}
