// SPDX-License-Identifier: MIT
/*
 * The virtual GIC's generic part: distributor registers of both versions, GICv2
 * SGIs with their source, list-register filling and reading back, the
 * underflow (maintenance) request, and wake-ups of waiting vCPUs.
 */
#define sched_yield posix_sched_yield /* <pthread.h>'s, not Skiff's of core/sched.h */
#include <pthread.h>
#undef sched_yield
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

void arch_vgic_write_lrs(const uint64_t *lr, uint32_t mask)
{
	for (unsigned int i = 0; i < NR_LRS; i++)
		if (mask & (1U << i))
			hw_lr[i] = lr[i];
}

void arch_vgic_read_lrs(uint64_t *lr, uint32_t mask)
{
	for (unsigned int i = 0; i < NR_LRS; i++)
		if (mask & (1U << i))
			lr[i] = hw_lr[i];
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

uint64_t arch_counter(void)
{
	return 0;
}

uint64_t arch_counter_freq(void)
{
	return 1000;
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

static char warning[256];
static unsigned int warnings;

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(warning, sizeof(warning), fmt, ap);
	va_end(ap);
	warnings++;
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
	wakes = ipis = mapped = warnings = 0;
	vm.config = &cfg;
	vm.nvcpus = 3;
	guestlog_init(&vm.log, "t");
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

/* Accesses of any size and offset, as the MMIO bus passes them (value masked to the size). */
static uint64_t size_mask(unsigned int size)
{
	return size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
}

static uint64_t dist_rd_n(unsigned int vcpu, uint64_t off, unsigned int size)
{
	return vgic_dist_ops.read(&vm, &vm.vcpus[vcpu], off, size) & size_mask(size);
}

static void dist_wr_n(unsigned int vcpu, uint64_t off, unsigned int size, uint64_t v)
{
	vgic_dist_ops.write(&vm, &vm.vcpus[vcpu], off, size, v & size_mask(size));
}

/* @vcpu's GICv3 redistributor, RD frame (0) or SGI frame (0x10000) offsets. */
static uint64_t redist_rd_n(unsigned int vcpu, uint64_t off, unsigned int size)
{
	return vgic_redist_ops.read(&vm, &vm.vcpus[vcpu], vcpu * GUEST_GICR_STRIDE + off, size) &
	       size_mask(size);
}

static void redist_wr_n(unsigned int vcpu, uint64_t off, unsigned int size, uint64_t v)
{
	vgic_redist_ops.write(&vm, &vm.vcpus[vcpu], vcpu * GUEST_GICR_STRIDE + off, size,
			      v & size_mask(size));
}

#define SGI_FRAME 0x10000

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

/*
 * GICv3: an access to the redistributor's SGI frame that runs past INTID 31
 * (unaligned, or wider than the register) must not reach the SPIs, which are
 * the distributor's; such accesses are not ones the GIC permits: they read as
 * zero and change nothing.
 */
static void test_v3_redistributor_access_cannot_reach_spis(void **state)
{
	(void)state;
	redist_wr_n(1, SGI_FRAME + 0x100 + 2, 4, 0xffffffff); /* ISENABLER0 + 2: INTIDs 16-47? */
	redist_wr_n(1, SGI_FRAME + 0x100 + 3, 2, 0xffff);     /* INTIDs 24-39? */
	redist_wr_n(1, SGI_FRAME + 0x200 + 2, 4, 0xffffffff); /* ISPENDR0 + 2 */
	assert_int_equal(dist_rd(0, 0x104), 0);		      /* no SPI enabled */
	assert_int_equal(dist_rd(0, 0x204), 0);		      /* nor pending */
	assert_int_equal(redist_rd_n(1, SGI_FRAME + 0x100, 4), 0);
	/* Nor the private interrupts of the vCPU by a size the register does not take. */
	assert_int_equal(redist_rd_n(1, SGI_FRAME + 0x200, 4), 0);
	assert_int_equal(redist_rd_n(1, SGI_FRAME + 0x100 + 2, 4), 0); /* reads as zero */
}

/* GICv2: INTIDs 0-31 are banked in the distributor, the SPIs shared; no access spans both. */
static void test_v2_access_straddling_private_and_shared_changes_nothing(void **state)
{
	(void)state;
	dist_wr(1, 0x41c, 0xa0a0a0a0);	/* IPRIORITYR7: INTIDs 28-31 of vCPU 1 */
	dist_wr(1, 0x420, 0xa0a0a0a0);	/* IPRIORITYR8: SPIs 32-35 */
	dist_wr_n(1, 0x41f, 2, 0x8080); /* a halfword over INTIDs 31 and 32 */
	assert_int_equal(dist_rd(1, 0x41c), 0xa0a0a0a0);
	assert_int_equal(dist_rd(1, 0x420), 0xa0a0a0a0);
	assert_int_equal(dist_rd_n(1, 0x41f, 2), 0);
	dist_wr_n(1, 0x102, 4, 0xffffffff); /* ISENABLER over INTIDs 16-47 */
	assert_int_equal(dist_rd(1, 0x100), 0);
	assert_int_equal(dist_rd(1, 0x104), 0);
	/* Another vCPU's bank is out of reach altogether. */
	dist_wr(1, 0x410, 0x80808080); /* IPRIORITYR4: INTIDs 16-19 of vCPU 1 */
	assert_int_equal(dist_rd(0, 0x410), 0);
	assert_int_equal(dist_rd(1, 0x410), 0x80808080);
}

/*
 * GICD_ICFGR is word-accessible only: a byte write must not rewrite the other
 * twelve fields of the word (it used to), and is ignored as a whole.
 */
static void test_icfgr_byte_write_leaves_other_fields(void **state)
{
	(void)state;
	dist_wr(0, 0xc08, 0xaaaaaaaa); /* ICFGR2: SPIs 32-47 edge-triggered */
	assert_int_equal(dist_rd(0, 0xc08), 0xaaaaaaaa);
	dist_wr_n(0, 0xc09, 1, 0x00); /* byte 1: the fields of SPIs 36-39 */
	assert_int_equal(dist_rd(0, 0xc08), 0xaaaaaaaa);
	assert_int_equal(dist_rd_n(0, 0xc09, 1), 0);
	dist_wr(0, 0xc08, 0x0000a0a0); /* a word write changes all sixteen */
	assert_int_equal(dist_rd(0, 0xc08), 0x0000a0a0);
	/* SGIs are always edge-triggered: their fields ignore writes. */
	redist_wr_n(0, SGI_FRAME + 0xc00, 4, 0);
	assert_int_equal(redist_rd_n(0, SGI_FRAME + 0xc00, 4), 0xaaaaaaaa);
}

/*
 * Each register takes the sizes the GIC architecture gives it: bytes and words
 * for IPRIORITYR, words elsewhere, words or doublewords for the 64-bit
 * IROUTER and GICR_TYPER; always naturally aligned. Anything else reads as zero
 * and changes nothing.
 */
static void test_v3_access_sizes(void **state)
{
	(void)state;
	dist_wr(0, 0x420, 0xa0a0a0a0);
	dist_wr_n(0, 0x421, 1, 0x80); /* a byte: one priority */
	assert_int_equal(dist_rd(0, 0x420), 0xa0a080a0);
	assert_int_equal(dist_rd_n(0, 0x421, 1), 0x80);
	dist_wr_n(0, 0x420, 2, 0x1010); /* halfword: not permitted */
	/* Reported once per VM, naming the access and the register. */
	assert_int_equal(warnings, 1);
	assert_non_null(
		strstr(warning, "vm t: vcpu 0: 2-byte write at GICD offset 0x420 (IPRIORITYR)"));
	dist_wr_n(0, 0x420, 8, 0x1010101010101010UL); /* doubleword: not permitted */
	assert_int_equal(dist_rd(0, 0x420), 0xa0a080a0);
	assert_int_equal(dist_rd(0, 0x424), 0);
	assert_int_equal(dist_rd_n(0, 0x420, 2), 0);
	dist_wr_n(0, 0x104, 1, 0xff); /* ISENABLER1 by a byte */
	dist_wr_n(0, 0x104, 2, 0xffff);
	assert_int_equal(dist_rd(0, 0x104), 0);
	dist_wr(0, 0x000, 3);
	assert_int_equal(dist_rd_n(0, 0x000, 1), 0); /* GICD_CTLR by a byte */
	dist_wr_n(0, 0x000, 1, 0);
	assert_int_equal(dist_rd(0, 0x000) & 3, 3);
	/* IROUTER<32>: a doubleword, or either word; never a halfword or an unaligned doubleword.
	 */
	dist_wr_n(0, 0x6100, 8, 0x0000000100000002UL);
	assert_int_equal(dist_rd_n(0, 0x6100, 8), 0x0000000100000002UL);
	dist_wr_n(0, 0x6104, 4, 0x5);
	assert_int_equal(dist_rd_n(0, 0x6100, 8), 0x0000000500000002UL);
	dist_wr_n(0, 0x6100, 4, 0x1);
	assert_int_equal(dist_rd_n(0, 0x6100, 8), 0x0000000500000001UL);
	dist_wr_n(0, 0x6100, 2, 0x2);
	dist_wr_n(0, 0x6104, 8, 0x77);
	assert_int_equal(dist_rd_n(0, 0x6100, 8), 0x0000000500000001UL);
	assert_int_equal(dist_rd_n(0, 0x6100, 2), 0);
	/* GICR_TYPER: whole, or its two words. */
	assert_int_equal(redist_rd_n(2, 0x8, 8) >> 32, 2);
	assert_int_equal(redist_rd_n(2, 0xc, 4), 2);
	assert_int_equal(redist_rd_n(2, 0x8, 4), redist_rd_n(2, 0x8, 8) & 0xffffffff);
	assert_int_equal(redist_rd_n(2, 0xc, 8), 0);
	assert_int_equal(warnings, 1);
}

/* GICv2: ITARGETSR and [CS]PENDSGIR take bytes; GICD_SGIR only words. */
static void test_v2_access_sizes(void **state)
{
	(void)state;
	dist_wr(0, 0x820, 0x01010101); /* ITARGETSR8: SPIs 32-35 to vCPU 0 */
	dist_wr_n(0, 0x821, 1, 0x04);  /* SPI 33 to vCPU 2 */
	assert_int_equal(dist_rd(0, 0x820), 0x01010401);
	dist_wr_n(0, 0x820, 2, 0x0202);
	assert_int_equal(dist_rd(0, 0x820), 0x01010401);
	dist_wr_n(0, 0x801, 1, 0x04); /* SGI/PPI targets are read-only */
	assert_int_equal(dist_rd_n(2, 0x801, 1), 0x04);
	assert_int_equal(dist_rd_n(1, 0x801, 1), 0x02);
	dist_wr_n(0, 0xf00, 2, (1U << 16) | 5); /* GICD_SGIR by a halfword: ignored */
	dist_wr_n(0, 0xf02, 2, 0x2);
	assert_int_equal(dist_rd(1, 0xf14), 0);
	dist_wr_n(0, 0xf25, 1, 0x4); /* SPENDSGIR1, SGI 5: source vCPU 2 */
	assert_int_equal(dist_rd(0, 0xf14), 0x0400);
	assert_int_equal(dist_rd_n(0, 0xf15, 1), 0x04);
	dist_wr_n(0, 0xf15, 1, 0x4); /* CPENDSGIR */
	assert_int_equal(dist_rd(0, 0xf14), 0);
}

/*
 * GICv2 keeps an SGI pending per source: GICD_ISPENDR0 and GICD_ICPENDR0 ignore
 * writes to SGI bits (GICD_[SC]PENDSGIR set and clear them). A write there made
 * an SGI pending with no source (delivered as if from vCPU 0), or cleared it
 * with its sources still set (found by tests/fuzz/fuzz_vgic.c).
 */
static void test_v2_sgi_pending_only_by_source(void **state)
{
	(void)state;
	dist_wr(1, 0x200, 1U << 5); /* ISPENDR0: SGI 5 */
	assert_int_equal(dist_rd(1, 0x200), 0);
	assert_false(vm.vcpus[1].vgic.priv[5].pending);
	dist_wr_n(1, 0xf25, 1, 1U << 2); /* SPENDSGIR1: SGI 5 from vCPU 2 */
	assert_int_equal(dist_rd(1, 0x200), 1U << 5);
	dist_wr(1, 0x280, 1U << 5); /* ICPENDR0: ignored too */
	assert_int_equal(dist_rd(1, 0x200), 1U << 5);
	assert_int_equal(dist_rd(1, 0xf14), 1U << 10);
	dist_wr_n(1, 0xf15, 1, 1U << 2); /* CPENDSGIR1 */
	assert_int_equal(dist_rd(1, 0x200), 0);
	/* PPIs and SPIs are set and cleared there as before. */
	dist_wr(1, 0x200, (1U << 20) | (1U << 16));
	dist_wr(1, 0x204, 1U << 3);
	assert_int_equal(dist_rd(1, 0x200), (1U << 20) | (1U << 16));
	assert_int_equal(dist_rd(1, 0x204), 1U << 3);
}

/*
 * GICv3: an IROUTER with Aff1, Aff2 or Aff3 set names no vCPU of the VM (their
 * MPIDRs have only Aff0): the SPI goes to vCPU 0, as for an Aff0 past the last
 * vCPU. It went to the vCPU of its Aff0 (found by tests/fuzz/fuzz_vgic.c).
 */
static void test_v3_route_to_foreign_affinity(void **state)
{
	(void)state;
	dist_wr_n(0, 0x6000 + 8 * 50, 8, 0x0000000000000101UL); /* Aff1 1, Aff0 1 */
	assert_ptr_equal(vgic_spi_target(&vm, 50), &vm.vcpus[0]);
	dist_wr_n(0, 0x6000 + 8 * 50, 8, 0x0000000100000002UL); /* Aff3 1, Aff0 2 */
	assert_ptr_equal(vgic_spi_target(&vm, 50), &vm.vcpus[0]);
	dist_wr_n(0, 0x6000 + 8 * 50, 8, 0x0000000000010002UL); /* Aff2 1 */
	assert_ptr_equal(vgic_spi_target(&vm, 50), &vm.vcpus[0]);
	dist_wr_n(0, 0x6000 + 8 * 50, 8, 2); /* Aff0 2 alone: vCPU 2 */
	assert_ptr_equal(vgic_spi_target(&vm, 50), &vm.vcpus[2]);
}

/* The list registers fill highest priority first, the lower INTID first among equals. */
static void test_v3_priority_order(void **state)
{
	struct vcpu *v0 = &vm.vcpus[0];

	(void)state;
	dist_wr(0, 0x000, 2);
	dist_wr(0, 0x428, 0x00c04080); /* SPIs 40-42: priorities 0x80, 0x40, 0xc0 */
	redist_wr_n(0, SGI_FRAME + 0x418, 4, 0x40000000); /* PPI 27: 0x40 */
	dist_wr(0, 0x104, 7U << 8);			  /* enable SPIs 40-42 */
	redist_wr_n(0, SGI_FRAME + 0x100, 4, 1U << 27);
	for (unsigned int intid = 40; intid < 43; intid++)
		vgic_inject(&vm, 0, intid);
	vgic_inject(&vm, v0, 27);
	vgic_flush(v0);
	assert_int_equal(v0->vgic.lr_used, 0xf);
	assert_int_equal(v0->vgic.lr[0] & 0x3ff, 27); /* 0x40, and a lower INTID than 41 */
	assert_int_equal(v0->vgic.lr[1] & 0x3ff, 41);
	assert_int_equal(v0->vgic.lr[2] & 0x3ff, 40);
	assert_int_equal(v0->vgic.lr[3] & 0x3ff, 42);
	assert_int_equal((v0->vgic.lr[1] >> 48) & 0xff, 0x40);
}

/* A pending SPI follows its route: re-routed while it waits, it goes to the new vCPU. */
static void test_spi_routing(void **state)
{
	struct vcpu *v1 = &vm.vcpus[1], *v2 = &vm.vcpus[2];

	(void)state;
	if (vm.vgic.version == 3) {
		dist_wr(0, 0x000, 2);
		dist_wr_n(0, 0x6000 + 8 * 50, 8, 1); /* IROUTER: Aff0 1 */
	} else {
		dist_wr(0, 0x000, 1);
		dist_wr_n(0, 0x800 + 50, 1, 1U << 1); /* ITARGETSR: vCPU 1 */
	}
	dist_wr(0, 0x104, 1U << 18); /* enable SPI 50 */
	vgic_inject(&vm, 0, 50);
	assert_true(v1->vgic.dirty);
	assert_true(vgic_vcpu_pending(v1));
	assert_false(vgic_vcpu_pending(v2));
	if (vm.vgic.version == 3)
		dist_wr_n(0, 0x6000 + 8 * 50, 4, 2); /* the low word: Aff0 2 */
	else
		dist_wr_n(0, 0x800 + 50, 1, 1U << 2);
	assert_false(vgic_vcpu_pending(v1));
	assert_true(vgic_vcpu_pending(v2));
	assert_true(v2->vgic.dirty);
	vgic_flush(v1);
	assert_int_equal(v1->vgic.lr_used, 0);
	vgic_flush(v2);
	assert_int_equal(v2->vgic.lr[0] & 0x3ff, 50);
}

/*
 * The ready sets against a model written here from the GIC's rules, after each
 * of many random changes: register writes of every kind, line levels,
 * injections, SGIs, and list registers filled and emptied.
 */
static unsigned int model_target(const struct vgic_irq *irq)
{
	uint64_t aff0 = irq->route & 0xff;

	if (vm.vgic.version == 2)
		aff0 = aff0 ? (uint64_t)__builtin_ctzll(aff0) : 0;
	else if (irq->route & (1UL << 31))
		aff0 = 0;
	return aff0 < vm.nvcpus ? (unsigned int)aff0 : 0;
}

static bool model_deliverable(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->in_lr && (irq->pending || (!irq->edge && irq->level)) &&
	       (vm.vgic.ctlr & (irq->group1 ? 2U : 1U));
}

static void check_ready_sets(void)
{
	for (unsigned int c = 0; c < vm.nvcpus; c++) {
		uint64_t want[VGIC_READY_WORDS] = { 0 };

		for (unsigned int i = 0; i < VGIC_NR_IRQS; i++) {
			const struct vgic_irq *irq =
				i < 32 ? &vm.vcpus[c].vgic.priv[i] : &vm.vgic.spi[i - 32];

			if (model_deliverable(irq) && (i < 32 || model_target(irq) == c))
				want[i / 64] |= 1UL << (i % 64);
		}
		for (unsigned int w = 0; w < VGIC_READY_WORDS; w++)
			assert_int_equal(vm.vcpus[c].vgic.ready[w], want[w]);
	}
}

static uint64_t rnd_state = 88172645463325252UL;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

static void random_register_write(void)
{
	static const uint64_t bit_regs[] = { 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380 };
	unsigned int c = (unsigned int)rnd(3), word = (unsigned int)rnd(3);
	uint64_t bits = rnd(4) ? 1UL << rnd(32) : rnd(1UL << 32);

	switch (rnd(5)) {
	case 0: /* a bit register: the distributor's word, or a redistributor's (v3) */
		if (vm.vgic.version == 3 && word == 0)
			redist_wr_n(c, SGI_FRAME + bit_regs[rnd(7)], 4, bits);
		else
			dist_wr_n(c, bit_regs[rnd(7)] + 4 * word, 4, bits);
		break;
	case 1:
		dist_wr_n(c, 0x400 + rnd(VGIC_NR_IRQS), 1, rnd(256));
		break;
	case 2:
		dist_wr_n(c, 0xc00 + 4 * rnd(VGIC_NR_IRQS / 16), 4, rnd(1UL << 32));
		break;
	case 3:
		if (vm.vgic.version == 3)
			dist_wr_n(c, 0x6000 + 8 * (32 + rnd(VGIC_NR_SPIS)), 8,
				  rnd(4) | (rnd(8) ? 0 : 1UL << 31));
		else
			dist_wr_n(c, 0x800 + 32 + rnd(VGIC_NR_SPIS), 1, rnd(256));
		break;
	default:
		dist_wr_n(c, 0x000, 4, rnd(4));
		break;
	}
}

static void random_change(void)
{
	unsigned int c = (unsigned int)rnd(3), intid = (unsigned int)rnd(VGIC_NR_IRQS);
	struct vcpu *v = &vm.vcpus[c];

	switch (rnd(6)) {
	case 0:
		random_register_write();
		break;
	case 1:
		vgic_set_level(&vm, intid < 32 ? v : 0, intid, rnd(2));
		break;
	case 2:
		vgic_inject(&vm, intid < 32 ? v : 0, intid);
		break;
	case 3:
		if (vm.vgic.version == 3)
			vgic_send_sgi(v, (rnd(16) << 24) | rnd(8));
		else
			dist_wr_n(c, 0xf00, 4, (rnd(3) << 24) | (rnd(8) << 16) | rnd(16));
		break;
	case 4:
		vgic_flush(v);
		break;
	default: /* the guest ends some of what it was given */
		for (unsigned int i = 0; i < NR_LRS; i++)
			hw_lr[i] = rnd(2) ? 0 : v->vgic.lr[i];
		vgic_sync(v);
		break;
	}
}

static void test_ready_sets_follow_every_change(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		random_change();
		check_ready_sets();
	}
}

/*
 * Every register write changes the interrupt state under vgic.lock, which the
 * delivery path holds: with the lock held elsewhere, a write on another thread
 * (another vCPU's CPU) must wait for it. The pause only gives a write that does
 * not wait the time to land; a write that waits passes however long it is.
 */
struct locked_write {
	uint64_t off;
	unsigned int size;
	uint64_t value;
	bool started;
};

static void *do_write(void *arg)
{
	struct locked_write *w = arg;

	__atomic_store_n(&w->started, true, __ATOMIC_SEQ_CST);
	dist_wr_n(0, w->off, w->size, w->value);
	return 0;
}

static bool write_waits_for_lock(uint64_t off, unsigned int size, uint64_t value, const void *state,
				 size_t len)
{
	struct locked_write w = { off, size, value, false };
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	unsigned char before[64];
	pthread_t t;
	bool unchanged;

	assert_true(len <= sizeof(before));
	memcpy(before, state, len);
	spin_lock(&vm.vgic.lock);
	assert_int_equal(pthread_create(&t, 0, do_write, &w), 0);
	while (!__atomic_load_n(&w.started, __ATOMIC_SEQ_CST))
		;
	nanosleep(&pause, 0);
	unchanged = memcmp(before, state, len) == 0;
	spin_unlock(&vm.vgic.lock);
	pthread_join(t, 0);
	return unchanged && memcmp(before, state, len) != 0;
}

static void test_v3_register_writes_take_the_lock(void **state)
{
	struct vgic_irq *spi = &vm.vgic.spi[0];

	(void)state;
	assert_true(write_waits_for_lock(0x420, 1, 0x80, &spi->priority, sizeof(spi->priority)));
	assert_true(write_waits_for_lock(0xc08, 4, 0xaaaaaaaa, &spi->edge, sizeof(spi->edge)));
	assert_true(write_waits_for_lock(0x6100, 8, 2, &spi->route, sizeof(spi->route)));
	assert_true(write_waits_for_lock(0x000, 4, 2, &vm.vgic.ctlr, sizeof(vm.vgic.ctlr)));
}

static void test_v2_register_writes_take_the_lock(void **state)
{
	struct vgic_irq *spi = &vm.vgic.spi[0];

	(void)state;
	assert_true(write_waits_for_lock(0x820, 1, 4, &spi->route, sizeof(spi->route)));
	assert_true(write_waits_for_lock(0x420, 4, 0x80, &spi->priority, sizeof(spi->priority)));
}

/*
 * Saving the model folds list registers back: an SPI the guest is handling
 * (active in its list register) comes out active, a PPI waiting in one comes
 * out pending, and no list register is left in use. Restored into a fresh
 * VM, the pending one is delivered again and the active one is not.
 */
static void test_save_folds_list_registers_back(void **state)
{
	static struct vgic_dist_state dist;
	static struct vgic_cpu_state cpus[3];
	struct vcpu *v0 = &vm.vcpus[0];

	(void)state;
	dist_wr(0, 0x000, 2);				/* group 1 on */
	dist_wr(0, 0x6000 + 8 * 33, 0);			/* IROUTER: SPI 1 to vCPU 0 */
	dist_wr(0, 0x100 + 4, 1U << 1);			/* enable INTID 33 */
	dist_wr_n(0, 0x400 + 33, 1, 0xa0);		/* its priority */
	dist_wr(0, 0xc00 + 8, 2U << 2);			/* edge-triggered */
	redist_wr_n(0, SGI_FRAME + 0x100, 4, 1U << 20); /* enable PPI 20 */
	vgic_inject(&vm, 0, 33);
	vgic_inject(&vm, v0, 20);
	vgic_flush(v0);
	assert_int_equal(v0->vgic.lr_used, 3);
	assert_true(vm.vgic.spi[1].in_lr);
	/* The guest acknowledged INTID 33 (active) and not yet PPI 20 (still pending). */
	for (unsigned int i = 0; i < 2; i++)
		if ((v0->vgic.lr[i] & 0x3ff) == 33)
			hw_lr[i] = (v0->vgic.lr[i] & ~(3UL << 62)) | (2UL << 62);
		else
			hw_lr[i] = v0->vgic.lr[i];
	vgic_sync(v0);
	vgic_save(&vm, &dist, cpus);
	assert_int_equal(v0->vgic.lr_used, 0);
	assert_false(vm.vgic.spi[1].in_lr);
	assert_true(dist.spi[1].active);
	assert_false(dist.spi[1].pending);
	assert_true(dist.spi[1].enabled);
	assert_true(dist.spi[1].edge);
	assert_int_equal(dist.spi[1].priority, 0xa0);
	assert_true(cpus[0].priv[20].pending);
	assert_false(cpus[0].priv[20].active);
	assert_int_equal(dist.enables, 2);
	assert_int_equal(dist.version, 3);

	setup(NULL);
	vgic_restore(&vm, &dist, cpus);
	assert_true(vm.vgic.spi[1].active);
	vgic_flush(v0);
	/* Only PPI 20 comes (INTID 33 is active, not pending). */
	assert_int_equal(v0->vgic.lr_used, 1);
	assert_int_equal(v0->vgic.lr[0] & 0x3ff, 20);
	assert_int_equal(dist_rd(0, 0x300 + 4) & 2, 2); /* ISACTIVER1: INTID 33 active */
}

/* GICv2: an SGI in a list register goes back to its source's bit. */
static void test_save_folds_a_v2_sgi_source(void **state)
{
	static struct vgic_dist_state dist;
	static struct vgic_cpu_state cpus[3];
	struct vcpu *v1 = &vm.vcpus[1];

	(void)state;
	dist_wr(0, 0x000, 1);
	dist_wr(1, 0x100, 1U << 5);
	dist_wr(2, 0xf00, (1U << (16 + 1)) | 5); /* vCPU 2 sends SGI 5 to vCPU 1 */
	vgic_flush(v1);
	assert_int_equal(v1->vgic.lr_used, 1);
	assert_int_equal(v1->vgic.priv[5].sources, 0);
	hw_lr[0] = v1->vgic.lr[0];
	vgic_sync(v1);
	vgic_save(&vm, &dist, cpus);
	assert_int_equal(cpus[1].priv[5].sources, 1U << 2);
	assert_true(cpus[1].priv[5].pending);
}

/* GICD_IROUTER keeps its fields only: RES0 bits read as zero (were kept, and sent on). */
static void test_irouter_res0_bits(void **state)
{
	(void)state;
	vgic_dist_ops.write(&vm, &vm.vcpus[0], 0x6000 + 8 * 40, 8, 0xffffffffffffffffUL);
	assert_int_equal(vgic_dist_ops.read(&vm, &vm.vcpus[0], 0x6000 + 8 * 40, 8), 0xff80ffffffUL);
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
		cmocka_unit_test_setup(test_save_folds_list_registers_back, setup_v3),
		cmocka_unit_test_setup(test_save_folds_a_v2_sgi_source, setup_v2),
		cmocka_unit_test_setup(test_irouter_res0_bits, setup_v3),
		cmocka_unit_test_setup(test_blocked_vcpu_is_woken_by_an_interrupt, setup_v3),
		cmocka_unit_test_setup(test_v3_redistributor_access_cannot_reach_spis, setup_v3),
		cmocka_unit_test_setup(test_v2_access_straddling_private_and_shared_changes_nothing,
				       setup_v2),
		cmocka_unit_test_setup(test_icfgr_byte_write_leaves_other_fields, setup_v3),
		cmocka_unit_test_setup(test_v3_access_sizes, setup_v3),
		cmocka_unit_test_setup(test_v2_access_sizes, setup_v2),
		cmocka_unit_test_setup(test_v2_sgi_pending_only_by_source, setup_v2),
		cmocka_unit_test_setup(test_v3_route_to_foreign_affinity, setup_v3),
		cmocka_unit_test_setup(test_v3_priority_order, setup_v3),
		cmocka_unit_test_setup(test_spi_routing, setup_v3),
		cmocka_unit_test_setup(test_spi_routing, setup_v2),
		cmocka_unit_test_setup(test_ready_sets_follow_every_change, setup_v3),
		cmocka_unit_test_setup(test_ready_sets_follow_every_change, setup_v2),
		cmocka_unit_test_setup(test_v3_register_writes_take_the_lock, setup_v3),
		cmocka_unit_test_setup(test_v2_register_writes_take_the_lock, setup_v2),
	};

	return cmocka_run_group_tests_name("vgic", tests, NULL, NULL);
}
