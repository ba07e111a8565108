// SPDX-License-Identifier: MIT
/* Trap dispatch by ESR_EL2.EC, MMIO emulation and PSCI, on a fake arch layer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/exit.h"
#include "core/cpu_profile.h"
#include "core/esr.h"
#include "core/panic.h"
#include "core/sysreg.h"
#include "core/trap.h"
#include "enclave/abi.h"
#include "fake_arch.h"
#include "vdev/psci.h"

static struct vm vm;
static struct vcpu *v;
static uint64_t dev_reg;

/* The attestation service links the random generator, which may panic. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
static uint64_t dev_written;

static uint64_t dev_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	(void)dev;
	(void)vcpu;
	(void)off;
	(void)size;
	return dev_reg;
}

static void dev_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size, uint64_t val)
{
	(void)dev;
	(void)vcpu;
	(void)off;
	(void)size;
	dev_written = val;
}

static const struct mmio_ops dev_ops = { .read = dev_read, .write = dev_write };

static int setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&vm, 0, sizeof(vm));
	strcpy(vm.name, "t");
	guestlog_init(&vm.log, vm.name);
	vm.nvcpus = 1;
	v = &vm.vcpus[0];
	v->vm = &vm;
	v->mpidr = 1UL << 31;
	v->state = VCPU_RUNNABLE;
	v->ctx.pc = 0x40001000;
	assert_int_equal(mmio_bus_add(&vm.mmio, 0x9000000, 0x1000, &dev_ops, 0, "dev"), 0);
	return 0;
}

static void trap(uint64_t ec, uint64_t iss)
{
	v->exit.kind = EXIT_SYNC;
	v->exit.esr = (ec << ESR_EC_SHIFT) | ESR_IL | iss;
	trap_handle_exit(v);
}

static void test_unknown_traps_undef_and_log_once_per_kind(void **state)
{
	(void)state;
	trap(EC_SYS64, 0x300000);
	trap(EC_SYS64, 0x300001);
	trap(EC_SMC64, 0);
	trap(0x3f, 0); /* an EC nobody handles */
	assert_int_equal(fake.undefs, 4);
	assert_int_equal(fake.nlogs, 3); /* SYS64 once, SMC once, 0x3f once */
	assert_non_null(strstr(fake.log[0], "vm t: vcpu 0: unhandled system register access trap"));
	assert_non_null(strstr(fake.log[1], "unhandled SMC trap"));
	assert_int_equal(vm.traps_logged, (1UL << EC_SYS64) | (1UL << EC_SMC64) | (1UL << 0x3f));
}

static void test_hvc_nonzero_immediate_is_undef(void **state)
{
	(void)state;
	v->ctx.x[0] = PSCI_VERSION_FID;
	trap(EC_HVC64, 0x1234);
	assert_int_equal(fake.undefs, 1);
	assert_int_equal(v->ctx.x[0], PSCI_VERSION_FID);
}

static void test_psci_calls(void **state)
{
	(void)state;
	v->ctx.x[0] = PSCI_VERSION_FID;
	trap(EC_HVC64, 0);
	assert_int_equal(v->ctx.x[0], 0x10001);
	v->ctx.x[0] = SMCCC_VERSION_FID;
	trap(EC_HVC64, 0);
	assert_int_equal(v->ctx.x[0], 0x10001);
	v->ctx.x[0] = PSCI_FEATURES_FID;
	v->ctx.x[1] = PSCI_SYSTEM_OFF_FID;
	trap(EC_HVC64, 0);
	assert_int_equal(v->ctx.x[0], 0);
	v->ctx.x[0] = PSCI_FEATURES_FID;
	v->ctx.x[1] = 0x8400ffff;
	trap(EC_HVC64, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_NOT_SUPPORTED);
	v->ctx.x[0] = 0xc6000000; /* a vendor call we do not offer */
	trap(EC_HVC64, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_NOT_SUPPORTED);
	v->ctx.x[0] = PSCI_AFFINITY_INFO_FID;
	v->ctx.x[1] = 0;
	v->ctx.x[2] = 0;
	trap(EC_HVC64, 0);
	assert_int_equal(v->ctx.x[0], 0); /* vCPU 0 is ON */
	v->ctx.x[0] = PSCI_AFFINITY_INFO_FID;
	v->ctx.x[1] = 5;
	trap(EC_HVC64, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_INVALID_PARAMETERS);
	v->ctx.x[0] = PSCI_SYSTEM_OFF_FID;
	trap(EC_HVC64, 0);
	assert_int_equal(fake.power_offs, 1);
	v->ctx.x[0] = PSCI_SYSTEM_RESET_FID;
	trap(EC_HVC64, 0);
	assert_int_equal(fake.resets, 1);
	assert_int_equal(fake.undefs, 0);
}

static void hvc_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	v->ctx.x[0] = fid;
	v->ctx.x[1] = a1;
	v->ctx.x[2] = a2;
	v->ctx.x[3] = a3;
	trap(EC_HVC64, 0);
}

/* SMCCC owner 6 goes to Skiff's vendor hypervisor service (enclave/attest.c), not PSCI. */
static void test_vendor_hyp_calls_reach_skiff_s_service(void **state)
{
	(void)state;
	hvc_call(SKIFF_HVC_CALL_UID, 0, 0, 0);
	assert_int_equal(v->ctx.x[0], SKIFF_UID_W0);
	assert_int_equal(v->ctx.x[3], SKIFF_UID_W3);
	hvc_call(SKIFF_HVC_ATTEST, 0x40000000, 0x40001000, TOKEN_LEN);
	assert_int_equal((int64_t)v->ctx.x[0], SKIFF_HVC_DENIED); /* not an enclave */
	hvc_call(PSCI_VERSION_FID, 0, 0, 0);
	assert_int_equal(v->ctx.x[0], 0x10001);
	assert_int_equal(fake.undefs, 0);
}

/* The test VM gets a second vCPU, off, on host CPU 1, and 1 MiB of RAM at 0x40000000. */
static void add_second_vcpu(struct vcpu *v1)
{
	vm.nvcpus = 2;
	vm.state = VM_RUNNING;
	vm.ram_ipa = ipa_init(0x40000000);
	vm.ram_size = 0x100000;
	v1->vm = &vm;
	v1->mpidr = (1UL << 31) | 1;
	v1->pcpu = 1;
	v1->state = VCPU_OFF;
}

static void test_psci_cpu_on_off(void **state)
{
	struct vcpu *v1 = &vm.vcpus[1];

	(void)state;
	add_second_vcpu(v1);
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0xc0ffee);
	assert_int_equal(v->ctx.x[0], PSCI_SUCCESS);
	assert_int_equal(v1->state, VCPU_RUNNABLE);
	assert_int_equal(v1->ctx.pc, 0x40000800);
	assert_int_equal(v1->ctx.x[0], 0xc0ffee); /* context id */
	assert_int_equal(fake.last_kick_cpu, 1);  /* its host CPU is told */
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_ALREADY_ON);
	hvc_call(PSCI_AFFINITY_INFO_FID | PSCI_64BIT, 1, 0, 0);
	assert_int_equal(v->ctx.x[0], 0);
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 5, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_INVALID_PARAMETERS);
	v1->state = VCPU_OFF;
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x50000000, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_INVALID_ADDRESS);
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000802, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_INVALID_ADDRESS); /* misaligned */
	hvc_call(PSCI_AFFINITY_INFO_FID, 1, 0, 0);
	assert_int_equal(v->ctx.x[0], 1); /* OFF */
	hvc_call(PSCI_CPU_OFF_FID, 0, 0, 0);
	assert_int_equal(v->state, VCPU_OFF);
}

/*
 * CPU_ON never waits for something that cannot happen: a caller naming itself,
 * a VM being reset or stopped, a caller a reset turned off, a target that
 * stays on another CPU. Before, each of these hung the host CPU in EL2.
 */
static void test_psci_cpu_on_refusals(void **state)
{
	struct vcpu *v1 = &vm.vcpus[1];

	(void)state;
	add_second_vcpu(v1);
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 0, 0x40000800, 0); /* itself */
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_ALREADY_ON);
	vm.resetting = true;
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_DENIED);
	assert_int_equal(v1->state, VCPU_OFF);
	vm.resetting = false;
	vm.state = VM_POWERED_OFF;
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_DENIED);
	vm.state = VM_RUNNING;
	v->state = VCPU_OFF; /* a reset by another vCPU turned the caller off mid-call */
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_DENIED);
	assert_int_equal(v1->state, VCPU_OFF);
	v->state = VCPU_RUNNABLE;
	/* Off but still on its CPU (never leaving, here): refused after a bounded wait. */
	v1->loaded = true;
	hvc_call(PSCI_AFFINITY_INFO_FID, 1, 0, 0);
	assert_int_equal(v->ctx.x[0], 0); /* not OFF until it has left its CPU */
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_INTERNAL_FAILURE);
	assert_int_equal(v1->state, VCPU_OFF);
	v1->loaded = false;
	hvc_call(PSCI_CPU_ON_FID | PSCI_64BIT, 1, 0x40000800, 0);
	assert_int_equal(v->ctx.x[0], PSCI_SUCCESS);
}

/* The speculation workarounds are offered as the host's firmware has them, and passed on. */
static void test_smccc_workarounds_follow_the_firmware(void **state)
{
	(void)state;
	fake.fw_wa1 = 0; /* the firmware has it and this CPU needs it */
	hvc_call(SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_WORKAROUND_1_FID, 0, 0);
	assert_int_equal(v->ctx.x[0], 0);
	fake.fw_wa1 = 1; /* not needed here */
	hvc_call(SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_WORKAROUND_1_FID, 0, 0);
	assert_int_equal(v->ctx.x[0], 1);
	hvc_call(SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_WORKAROUND_2_FID, 0, 0);
	assert_int_equal((int64_t)v->ctx.x[0], PSCI_NOT_SUPPORTED);
	hvc_call(SMCCC_ARCH_FEATURES_FID, SMCCC_ARCH_FEATURES_FID, 0, 0);
	assert_int_equal(v->ctx.x[0], 0);
	hvc_call(SMCCC_ARCH_WORKAROUND_1_FID, 0, 0, 0);
	assert_int_equal(fake.wa_calls, 1);
	assert_int_equal(fake.last_wa, SMCCC_ARCH_WORKAROUND_1_FID);
	hvc_call(SMCCC_ARCH_WORKAROUND_3_FID, 0, 0, 0);
	assert_int_equal(fake.last_wa, SMCCC_ARCH_WORKAROUND_3_FID);
	assert_int_equal(fake.undefs, 0);
}

/* ISS of a data abort with a valid syndrome: SAS, SSE, SRT, SF, WnR. */
static uint64_t dabt_iss(unsigned int sas, int sse, unsigned int srt, int sf, int wnr)
{
	return (1UL << 24) | ((uint64_t)sas << 22) | ((uint64_t)sse << 21) | ((uint64_t)srt << 16) |
	       ((uint64_t)sf << 15) | ((uint64_t)wnr << 6) | 0x07;
}

static void dabt(uint64_t ipa, uint64_t iss)
{
	v->exit.hpfar = (ipa >> 12) << 4;
	v->exit.far = 0xffff000012345000UL | (ipa & 0xfff);
	trap(EC_DABT_LOW, iss);
}

static void test_mmio_read_write_and_sign_extension(void **state)
{
	(void)state;
	v->ctx.x[3] = 0xdeadbeefcafef00dUL;
	dabt(0x9000010, dabt_iss(2, 0, 3, 1, 1)); /* str w3 */
	assert_int_equal(dev_written, 0xcafef00d);
	assert_int_equal(v->ctx.pc, 0x40001004);

	dev_reg = 0x80;
	dabt(0x9000000, dabt_iss(0, 1, 5, 1, 0)); /* ldrsb x5 */
	assert_int_equal(v->ctx.x[5], 0xffffffffffffff80UL);
	dabt(0x9000000, dabt_iss(0, 1, 6, 0, 0)); /* ldrsb w6 */
	assert_int_equal(v->ctx.x[6], 0xffffff80UL);
	dabt(0x9000000, dabt_iss(0, 0, 7, 0, 0)); /* ldrb w7 */
	assert_int_equal(v->ctx.x[7], 0x80);
	dev_reg = 0x1122;
	dabt(0x9000000, dabt_iss(1, 0, 31, 0, 0)); /* ldrh wzr: discarded */
	assert_int_equal(v->ctx.pc, 0x40001014);
	assert_int_equal(fake.dabts, 0);
}

/* A big-endian guest (or EL0, or AArch32 after SETEND BE) sees the device's bytes reversed. */
static void test_mmio_big_endian(void **state)
{
	(void)state;
	fake.big_endian = true;
	v->ctx.x[3] = 0xdeadbeef11223344UL;
	dabt(0x9000010, dabt_iss(2, 0, 3, 1, 1)); /* str w3 */
	assert_int_equal(dev_written, 0x44332211);
	dabt(0x9000010, dabt_iss(3, 0, 3, 1, 1)); /* str x3 */
	assert_int_equal(dev_written, 0x44332211efbeaddeUL);
	dabt(0x9000010, dabt_iss(0, 0, 3, 1, 1)); /* strb w3: one byte has no order */
	assert_int_equal(dev_written, 0x44);
	dev_reg = 0x0080;
	dabt(0x9000000, dabt_iss(1, 1, 5, 1, 0)); /* ldrsh x5: bytes 80 00 read as 0x8000 */
	assert_int_equal(v->ctx.x[5], 0xffffffffffff8000UL);
	dev_reg = 0x11223344;
	dabt(0x9000000, dabt_iss(2, 0, 6, 0, 0)); /* ldr w6 */
	assert_int_equal(v->ctx.x[6], 0x44332211);
	assert_int_equal(fake.dabts, 0);
}

static void test_abort_outside_ram_and_devices(void **state)
{
	(void)state;
	dabt(0x7000000, dabt_iss(2, 0, 1, 0, 0));
	assert_int_equal(fake.dabts, 1);
	assert_int_equal(fake.dabt_far & 0xfff, 0);
	assert_int_equal(v->ctx.pc, 0x40001000); /* not skipped: the guest takes an abort */
	dabt(0x9000000, 0x07);			 /* no instruction syndrome */
	assert_int_equal(fake.dabts, 2);
	/* A walk of the guest's stage-1 tables into a device: no access performed. */
	dev_reg = 0x55;
	v->ctx.x[5] = 5;
	dabt(0x9000000, dabt_iss(3, 0, 5, 1, 0) | 1UL << 7);
	assert_int_equal(fake.dabts, 3);
	assert_int_equal(v->ctx.x[5], 5);
	assert_int_equal(v->ctx.pc, 0x40001000);
}

static void test_wfi_blocks_and_wfe_yields(void **state)
{
	(void)state;
	trap(EC_WFX, 0); /* WFI */
	assert_int_equal(fake.blocks, 1);
	assert_int_equal(fake.yields, 0);
	assert_int_equal(v->ctx.pc, 0x40001004);
	trap(EC_WFX, 1); /* WFE */
	assert_int_equal(fake.blocks, 1);
	assert_int_equal(fake.yields, 1);
	assert_int_equal(v->ctx.pc, 0x40001008);
	assert_int_equal(fake.undefs, 0);
}

/*
 * A conditional AArch32 instruction whose condition failed is only stepped over,
 * whichever class it raised: WFx (no block), CP15 (no timer access), CP14 (no
 * handler: no UNDEF). The classes only AArch64 raises do not ask: an MMIO
 * access is made even while the (fake) check would say "failed".
 */
static void test_failed_condition_only_steps_over(void **state)
{
	(void)state;
	fake.cond_fails = true;
	fake.ptimer_serves = true;
	trap(EC_WFX, 0);					  /* WFI */
	trap(EC_CP15_32, SYS_ENC(0, 0, 14, 2, 1) | (7 << 5) | 1); /* mrc CNTP_CTL */
	trap(0x05, 0);						  /* mrc p14 */
	assert_int_equal(fake.skips, 3);
	assert_int_equal(fake.blocks, 0);
	assert_int_equal(fake.ptimer_enc, 0);
	assert_int_equal(fake.undefs, 0);
	assert_int_equal(v->ctx.pc, 0x4000100c);
	dev_reg = 0x42;
	dabt(0x9000000, dabt_iss(0, 0, 7, 0, 0)); /* ldrb w7 */
	assert_int_equal(v->ctx.x[7], 0x42);
	fake.cond_fails = false;
	trap(0x05, 0); /* the same CP14 access, condition passed: UNDEF */
	assert_int_equal(fake.undefs, 1);
}

/* Gives the VM profile "armv8.0" on a host that has it, and SVE and PAuth besides. */
static void give_profile(void)
{
	struct host_cpu host;
	char why[160];

	memset(&host, 0, sizeof(host));
	assert_int_equal(cpu_profile_named("armv8.0", &vm.cpu_profile), 0);
	memcpy(host.id, vm.cpu_profile.id, sizeof(host.id));
	host.id[CPU_ID_AA64PFR0_EL1] |= 1UL << 32;   /* SVE */
	host.id[CPU_ID_AA64ISAR1_EL1] |= 0x01000010; /* APA, GPA */
	assert_int_equal(cpu_profile_check(&vm.cpu_profile, &host, why, sizeof(why)), 0);
	cpu_view_init(&vm.cpu, &vm.cpu_profile, &host);
}

/* A trapped MRS (read) or MSR of register @enc with Rt @rt. */
static void sysreg_access(uint32_t enc, unsigned int rt, bool read)
{
	trap(EC_SYS64, enc | ((uint64_t)rt << 5) | (read ? 1 : 0));
}

#define ID_AA64ISAR0 SYS_ENC(3, 0, 0, 6, 0)
#define CSSELR	     SYS_ENC(3, 2, 0, 0, 0)
#define CCSIDR	     SYS_ENC(3, 1, 0, 0, 0)

/* A VM with a profile reads its ID and cache registers from it; CSSELR_EL1 is its own. */
static void test_profile_registers(void **state)
{
	(void)state;
	give_profile();
	v->ctx.x[3] = 0x5a5a;
	sysreg_access(ID_AA64ISAR0, 3, true);
	assert_int_equal(v->ctx.x[3], 0x11120);
	assert_int_equal(v->ctx.pc, 0x40001004);
	v->ctx.x[4] = 0x1f; /* TnD, level 8 (none), InD: kept as written */
	sysreg_access(CSSELR, 4, false);
	assert_int_equal(v->el1.csselr, 0x1f);
	v->ctx.x[4] = 0xffff0001; /* level 1 instruction, with bits CSSELR_EL1 does not have */
	sysreg_access(CSSELR, 4, false);
	assert_int_equal(v->el1.csselr, 1);
	sysreg_access(CSSELR, 5, true);
	assert_int_equal(v->ctx.x[5], 1);
	sysreg_access(CCSIDR, 6, true);
	assert_int_equal(v->ctx.x[6], 0x201fe012); /* armv8.0's L1 instruction cache */
	assert_int_equal(fake.undefs, 0);
	/* The ID registers are read-only. */
	sysreg_access(ID_AA64ISAR0, 3, false);
	assert_int_equal(fake.undefs, 1);
}

/* Without a profile ("host") nothing traps, and a stray ID register trap is not answered. */
static void test_no_profile_no_answers(void **state)
{
	(void)state;
	v->ctx.x[3] = 0x5a5a;
	sysreg_access(ID_AA64ISAR0, 3, true);
	assert_int_equal(fake.undefs, 1);
	assert_int_equal(v->ctx.x[3], 0x5a5a);
	trap(EC_SVE, 0);
	trap(EC_PAUTH, 0);
	assert_int_equal(fake.undefs, 3);
	assert_non_null(strstr(fake.log[1], "unhandled SVE access trap"));
}

/* SVE and PAuth the profile hides: UNDEF, logged once each as hidden. */
static void test_hidden_features_undef(void **state)
{
	(void)state;
	give_profile();
	trap(EC_SVE, 0);
	trap(EC_SVE, 0);
	trap(EC_PAUTH, 0);
	assert_int_equal(fake.undefs, 3);
	assert_int_equal(fake.nlogs, 2);
	assert_non_null(strstr(fake.log[0], "vcpu 0: SVE at PC 0x40001000, which cpu-profile "
					    "armv8.0 hides: UNDEF injected"));
	assert_non_null(strstr(fake.log[1], "a PAuth instruction"));
}

/* MRRC/MCRR p15 syndrome: opc1, Rt2, Rt, CRm, read. */
static uint64_t cp15_64(unsigned int opc1, unsigned int rt2, unsigned int rt, unsigned int crm,
			bool read)
{
	return ((uint64_t)opc1 << 16) | (rt2 << 10) | (rt << 5) | (crm << 1) | read;
}

static void test_aarch32_el0_timer_registers(void **state)
{
	(void)state;
	fake.ptimer_serves = true;
	fake.ptimer_value = 0x123456789abcUL;
	v->ctx.x[3] = ~0UL;
	trap(EC_CP15_64, cp15_64(0, 4, 3, 14, true)); /* mrrc p15, 0, r3, r4, c14: CNTPCT */
	assert_int_equal(fake.ptimer_enc, SYS_ENC(3, 3, 14, 0, 1));
	assert_int_equal(v->ctx.x[3], 0x56789abc);
	assert_int_equal(v->ctx.x[4], 0x1234);
	v->ctx.x[5] = 0xffffffff00000010UL;
	v->ctx.x[6] = 0x2;
	trap(EC_CP15_64, cp15_64(2, 6, 5, 14, false)); /* mcrr p15, 2, r5, r6, c14: CNTP_CVAL */
	assert_int_equal(fake.ptimer_enc, SYS_ENC(3, 3, 14, 2, 2));
	assert_int_equal(fake.ptimer_value, 0x200000010UL);
	/* mrc p15, 0, r7, c14, c2, 1: CNTP_CTL (the same bits as EC 0x18's op2, op1, CRn, CRm) */
	fake.ptimer_value = 5;
	trap(EC_CP15_32, SYS_ENC(0, 0, 14, 2, 1) | (7 << 5) | 1);
	assert_int_equal(fake.ptimer_enc, SYS_ENC(3, 3, 14, 2, 1));
	assert_int_equal(v->ctx.x[7], 5);
	assert_int_equal(fake.skips, 3);
	assert_int_equal(fake.undefs, 0);
	trap(EC_CP15_32, SYS_ENC(0, 0, 9, 12, 0) | 1); /* PMCR: not the timer's */
	trap(EC_CP15_64, cp15_64(4, 1, 0, 14, true));  /* opc1 4: nothing */
	trap(EC_CP15_64, cp15_64(0, 15, 0, 14, true)); /* Rt2 the PC */
	assert_int_equal(fake.undefs, 3);
}

/*
 * The exception vector's fast path for system registers: a counter read lands in
 * its register and counts as an exit; a write, a register the timer does not
 * serve, or a vCPU with work for the run loop is left to the full path untouched.
 */
static void test_sysreg_fast_path_serves_counter_reads(void **state)
{
	uint64_t mrs_x5_cntpct = ((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
				 SYS_ENC(3, 3, 14, 0, 1) | (5 << 5) | 1;

	(void)state;
	fake.ptimer_serves = true;
	fake.ptimer_value = 77;
	assert_true(trap_sysreg_fast(v, mrs_x5_cntpct));
	assert_int_equal(fake.ptimer_enc, SYS_ENC(3, 3, 14, 0, 1));
	assert_int_equal(v->ctx.x[5], 77);
	assert_int_equal(v->exits, 1);
	assert_int_equal(fake.skips, 0); /* the vector steps over it */
	v->ctx.x[5] = 1;
	assert_false(trap_sysreg_fast(v, mrs_x5_cntpct & ~1UL)); /* msr: a write */
	/* Work waiting for the run loop: a timer interrupt held. */
	v->vtimer.asserted = true;
	assert_false(trap_sysreg_fast(v, mrs_x5_cntpct));
	v->vtimer.asserted = false;
	fake.ptimer_serves = false;
	assert_false(trap_sysreg_fast(v, mrs_x5_cntpct));
	assert_int_equal(v->ctx.x[5], 1);
	assert_int_equal(v->exits, 1);
}

/*
 * The fast path of a device access serves a read or a write with a valid
 * syndrome and leaves the step to the vector; anything else it leaves alone
 * for the full path (which logs and injects).
 */
static void test_mmio_fast_path_serves_device_accesses_only(void **state)
{
	uint64_t dabt_ec = (uint64_t)EC_DABT_LOW << ESR_EC_SHIFT | ESR_IL;

	(void)state;
	dev_reg = 0x80;
	assert_true(trap_mmio_fast(v, dabt_ec | dabt_iss(0, 1, 5, 1, 0), 0x9000004)); /* ldrsb x5 */
	assert_int_equal(v->ctx.x[5], 0xffffffffffffff80UL);
	v->ctx.x[3] = 0x1234;
	assert_true(trap_mmio_fast(v, dabt_ec | dabt_iss(2, 0, 3, 0, 1), 0x9000008)); /* str w3 */
	assert_int_equal(dev_written, 0x1234);
	assert_int_equal(v->exits, 2);
	assert_int_equal(v->ctx.pc, 0x40001000); /* the vector steps over it */
	assert_int_equal(fake.skips, 0);

	v->ctx.x[6] = 6;
	assert_false(trap_mmio_fast(v, dabt_ec | dabt_iss(2, 0, 6, 0, 0), 0x7000000)); /* nothing */
	assert_false(trap_mmio_fast(v, dabt_ec | 0x07, 0x9000000)); /* no syndrome */
	assert_false(trap_mmio_fast(v, dabt_ec | dabt_iss(2, 0, 6, 0, 0) | 1UL << 7, 0x9000000));
	assert_false(trap_mmio_fast(v, dabt_ec | dabt_iss(3, 0, 6, 1, 0), 0x9000ffc)); /* past */
	assert_int_equal(v->ctx.x[6], 6);
	assert_int_equal(v->exits, 2);
	assert_int_equal(fake.dabts, 0);
	assert_int_equal(fake.nlogs, 0);
}

static void test_instruction_abort_crashes_vm(void **state)
{
	(void)state;
	v->exit.hpfar = (0x7f000000UL >> 12) << 4;
	v->exit.far = 0x7f000000;
	trap(EC_IABT_LOW, 0x05);
	assert_int_equal(fake.crashes, 1);
	assert_non_null(strstr(fake.crash, "fetched an instruction from IPA 0x7f000000"));
}

/*
 * An abort whose IPA the arch could not find (EXIT_HPFAR_UNKNOWN: a permission
 * fault, HPFAR_EL2 UNKNOWN, and the guest's tables changed before FAR_EL2 was
 * translated) is retried: nothing served, injected or crashed, the PC unmoved.
 */
static void test_abort_of_unknown_ipa_is_retried(void **state)
{
	(void)state;
	dev_reg = 0x80;
	v->exit.hpfar = EXIT_HPFAR_UNKNOWN;
	v->exit.far = 0x9000000;
	trap(EC_DABT_LOW, dabt_iss(0, 0, 5, 1, 0) | 0x0c); /* a permission fault */
	trap(EC_IABT_LOW, 0x0f);
	assert_int_equal(v->ctx.pc, 0x40001000);
	assert_int_equal(v->ctx.x[5], 0);
	assert_int_equal(fake.dabts, 0);
	assert_int_equal(fake.crashes, 0);
}

/* The fault status classes of data and instruction aborts (ISS bits 5:2, and S1PTW). */
static void test_abort_fault_classes(void **state)
{
	(void)state;
	for (uint64_t level = 0; level < 4; level++) {
		assert_true(esr_abt_address_size(level)); /* 0b0000xx */
		assert_true(esr_abt_translation(0x04 | level));
		assert_false(esr_abt_translation(0x08 | level)); /* access flag */
		assert_false(esr_abt_translation(0x0c | level)); /* permission */
		assert_false(esr_abt_address_size(0x0c | level));
	}
	assert_false(esr_abt_translation(0x10)); /* a synchronous external abort */
	assert_true(esr_abt_s1ptw(0x8c));
	assert_false(esr_abt_s1ptw(0x0c));
}

static unsigned int owner_calls, owner_intid;
static struct vcpu *owner_vcpu;

static void owner(unsigned int intid, struct vcpu *loaded)
{
	owner_calls++;
	owner_intid = intid;
	owner_vcpu = loaded;
}

static void test_host_irq_reaches_its_owner_and_serror(void **state)
{
	(void)state;
	assert_int_equal(irq_reserve(27, owner, "test timer"), 0);
	owner_calls = 0;
	fake.pending_irq = 27;
	v->exit.kind = EXIT_IRQ;
	trap_handle_exit(v);
	assert_int_equal(fake.last_eoi, 27);
	assert_int_equal(owner_calls, 1);
	assert_int_equal(owner_intid, 27);
	assert_ptr_equal(owner_vcpu, v);
	fake.pending_irq = 0;
	trap_handle_exit(v); /* spurious: no EOI, no owner called */
	assert_int_equal(fake.eois, 1);
	assert_int_equal(owner_calls, 1);
	v->exit.kind = EXIT_SERROR;
	trap_handle_exit(v);
	assert_int_equal(fake.crashes, 1);
	assert_non_null(strstr(fake.crash, "SError"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown_traps_undef_and_log_once_per_kind, setup),
		cmocka_unit_test_setup(test_hvc_nonzero_immediate_is_undef, setup),
		cmocka_unit_test_setup(test_psci_calls, setup),
		cmocka_unit_test_setup(test_vendor_hyp_calls_reach_skiff_s_service, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_off, setup),
		cmocka_unit_test_setup(test_psci_cpu_on_refusals, setup),
		cmocka_unit_test_setup(test_smccc_workarounds_follow_the_firmware, setup),
		cmocka_unit_test_setup(test_mmio_read_write_and_sign_extension, setup),
		cmocka_unit_test_setup(test_mmio_big_endian, setup),
		cmocka_unit_test_setup(test_abort_outside_ram_and_devices, setup),
		cmocka_unit_test_setup(test_wfi_blocks_and_wfe_yields, setup),
		cmocka_unit_test_setup(test_failed_condition_only_steps_over, setup),
		cmocka_unit_test_setup(test_aarch32_el0_timer_registers, setup),
		cmocka_unit_test_setup(test_sysreg_fast_path_serves_counter_reads, setup),
		cmocka_unit_test_setup(test_mmio_fast_path_serves_device_accesses_only, setup),
		cmocka_unit_test_setup(test_instruction_abort_crashes_vm, setup),
		cmocka_unit_test_setup(test_abort_of_unknown_ipa_is_retried, setup),
		cmocka_unit_test_setup(test_abort_fault_classes, setup),
		cmocka_unit_test_setup(test_profile_registers, setup),
		cmocka_unit_test_setup(test_no_profile_no_answers, setup),
		cmocka_unit_test_setup(test_hidden_features_undef, setup),
		cmocka_unit_test_setup(test_host_irq_reaches_its_owner_and_serror, setup),
	};

	return cmocka_run_group_tests_name("trap", tests, NULL, NULL);
}
