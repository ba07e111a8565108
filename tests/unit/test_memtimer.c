// SPDX-License-Identifier: MIT
/*
 * The memory-mapped generic timer (vdev/memtimer.c) through the VM's MMIO bus:
 * its registers, access control and access sizes, the SPI's level, and which
 * vCPU watches the deadline. The VM runs at 25 MHz on a 62.5 MHz host whose
 * count the test sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "board/layout.h"
#include "core/sched.h"
#include "core/vm.h"
#include "vdev/memtimer.h"
#include "vdev/ptimer.h"
#include "vdev/vgic.h"

#define HOST_HZ	 62500000UL
#define GUEST_HZ 25000000UL

static struct vm vm;
static uint64_t host_now;
static struct {
	unsigned int levels; /* vgic_set_level() calls for the timer's SPI */
	bool level;
	struct vcpu *target; /* what vgic_spi_target() answers */
	struct vcpu *programmed, *moved;
} seen;

uint64_t arch_counter(void)
{
	return host_now;
}

void vgic_set_level(struct vm *v, struct vcpu *vcpu, unsigned int intid, bool level)
{
	assert_ptr_equal(v, &vm);
	assert_null(vcpu);
	assert_int_equal(intid, GUEST_INTID_MEMTIMER);
	seen.levels++;
	seen.level = level;
}

struct vcpu *vgic_spi_target(struct vm *v, unsigned int intid)
{
	(void)v;
	assert_int_equal(intid, GUEST_INTID_MEMTIMER);
	return seen.target;
}

void ptimer_program(struct vcpu *vcpu)
{
	seen.programmed = vcpu;
}

void sched_timer_moved(struct vcpu *v)
{
	seen.moved = v;
}

static uint64_t rd(uint64_t addr, unsigned int size)
{
	uint64_t v = 0xdeadbeef;

	assert_true(mmio_bus_access(&vm.mmio, &vm.vcpus[0], addr, size, false, &v));
	return v;
}

static void wr(struct vcpu *from, uint64_t addr, unsigned int size, uint64_t v)
{
	assert_true(mmio_bus_access(&vm.mmio, from, addr, size, true, &v));
}

#define CTL(off)   (GUEST_CNTCTL_BASE + (off))
#define FRAME(off) (GUEST_CNTBASE0 + (off))
#define CVAL	   FRAME(0x20)
#define TVAL	   FRAME(0x28)
#define PCTL	   FRAME(0x2c)

/* The VM's count at host count @host: 25/62.5 of the ticks since host count 1000. */
static uint64_t guest_at(uint64_t host)
{
	return (host - 1000) * 2 / 5;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&seen, 0, sizeof(seen));
	vm.nvcpus = 2;
	for (unsigned int i = 0; i < 2; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		vm.vcpus[i].state = VCPU_RUNNABLE;
	}
	vm.counter.scaled = true;
	timescale_init(&vm.counter.scales[0], GUEST_HZ, HOST_HZ, 1000, 0);
	host_now = 1000 + 5000000; /* 2 000 000 guest ticks */
	seen.target = &vm.vcpus[0];
	assert_int_equal(memtimer_init(&vm), 0);
	return 0;
}

static void test_control_frame(void **state)
{
	(void)state;
	assert_int_equal(rd(CTL(0x000), 4), GUEST_HZ);
	assert_int_equal(rd(CTL(0x004), 4), 0); /* CNTNSAR: Secure software's */
	assert_int_equal(rd(CTL(0x008), 4), 1); /* frame 0, physical timer only */
	/* What firmware would leave: RPCT, RVCT, RFRQ, RWPT; RVOFF and RWVT are RES0. */
	assert_int_equal(rd(CTL(0x040), 4), 0x27);
	wr(&vm.vcpus[0], CTL(0x040), 4, 0x3f);
	assert_int_equal(rd(CTL(0x040), 4), 0x27);
	wr(&vm.vcpus[0], CTL(0x044), 4, 0x3f); /* frame 1 is not implemented */
	assert_int_equal(rd(CTL(0x044), 4), 0);
	wr(&vm.vcpus[0], CTL(0x000), 4, 1234); /* CNTFRQ is the configuration's */
	assert_int_equal(rd(CTL(0x000), 4), GUEST_HZ);
	assert_int_equal(rd(CTL(0x080), 8), 0); /* CNTVOFF0: no virtual timer */
}

static void test_counter_and_frequency(void **state)
{
	uint64_t now = guest_at(host_now);

	(void)state;
	assert_int_equal(rd(FRAME(0x00), 8), now);
	assert_int_equal(rd(FRAME(0x08), 8), now); /* CNTVCT: CNTVOFF is 0 */
	host_now += (5UL << 32) / 2;		   /* the low half wraps twice */
	now = guest_at(host_now);
	assert_int_equal(rd(FRAME(0x0c), 4), now >> 32);
	assert_int_equal(rd(FRAME(0x08), 4), (uint32_t)now);
	assert_int_equal(rd(FRAME(0x04), 4), now >> 32);
	assert_int_equal(rd(FRAME(0x10), 4), GUEST_HZ);
	assert_int_equal(rd(FRAME(0x14), 4), 0); /* CNTEL0ACR: no EL0 view */
	assert_int_equal(rd(FRAME(0x18), 8), 0); /* CNTVOFF */
	wr(&vm.vcpus[0], FRAME(0x00), 8, 5);	 /* read-only */
	assert_int_equal(rd(FRAME(0x00), 8), now);
}

static void test_access_control(void **state)
{
	(void)state;
	wr(&vm.vcpus[0], CVAL, 8, 777);
	wr(&vm.vcpus[0], CTL(0x040), 4, 0);
	assert_int_equal(rd(FRAME(0x00), 8), 0);
	assert_int_equal(rd(FRAME(0x08), 8), 0);
	assert_int_equal(rd(FRAME(0x10), 4), 0);
	assert_int_equal(rd(CVAL, 8), 0);
	wr(&vm.vcpus[0], CVAL, 8, 5);
	wr(&vm.vcpus[0], CTL(0x040), 4, 0x20); /* RWPT alone */
	assert_int_equal(rd(CVAL, 8), 777);
	assert_int_equal(rd(FRAME(0x00), 8), 0);
	wr(&vm.vcpus[0], CTL(0x040), 4, 0x01); /* RPCT alone */
	assert_int_equal(rd(FRAME(0x00), 8), guest_at(host_now));
	assert_int_equal(rd(FRAME(0x08), 8), 0);
}

static void test_timer_registers(void **state)
{
	uint64_t now = guest_at(host_now);

	(void)state;
	wr(&vm.vcpus[0], TVAL, 4, 1000);
	assert_int_equal(rd(CVAL, 8), now + 1000);
	host_now += 250; /* 100 guest ticks */
	assert_int_equal(rd(TVAL, 4), 900);
	wr(&vm.vcpus[0], TVAL, 4, (uint32_t)-5);
	assert_int_equal(rd(CVAL, 8), now + 100 - 5);
	assert_int_equal((int32_t)rd(TVAL, 4), -5);
	assert_int_equal(rd(PCTL, 4), 0); /* disabled: no ISTATUS */
	wr(&vm.vcpus[0], PCTL, 4, 0xff);
	assert_int_equal(rd(PCTL, 4), 1 | 2 | 4); /* ENABLE, IMASK kept; ISTATUS met */
	wr(&vm.vcpus[0], CVAL, 4, 0x89abcdef);	  /* the halves */
	wr(&vm.vcpus[0], CVAL + 4, 4, 0x01234567);
	assert_int_equal(rd(CVAL, 8), 0x0123456789abcdefUL);
	assert_int_equal(rd(CVAL + 4, 4), 0x01234567);
	assert_int_equal(rd(PCTL, 4), 1 | 2);
	wr(&vm.vcpus[0], CVAL, 8, ~0UL);
	assert_int_equal(rd(PCTL, 4), 1 | 2);
}

static void test_odd_accesses_are_ignored(void **state)
{
	(void)state;
	wr(&vm.vcpus[0], CVAL, 8, 4242);
	assert_int_equal(rd(FRAME(0x00), 2), 0);
	assert_int_equal(rd(FRAME(0x02), 4), 0);
	assert_int_equal(rd(FRAME(0x28), 8), 0); /* TVAL and CTL are 32-bit registers */
	wr(&vm.vcpus[0], FRAME(0x28), 8, 1);
	wr(&vm.vcpus[0], CVAL, 1, 0);
	wr(&vm.vcpus[0], CVAL + 2, 4, 0);
	assert_int_equal(rd(CVAL, 8), 4242);
	assert_int_equal(rd(PCTL, 4), 0);
	assert_int_equal(rd(FRAME(0x30), 8), 0); /* no virtual timer */
	assert_int_equal(rd(FRAME(0xfd0), 4), 0);
}

static void test_line_follows_the_output(void **state)
{
	uint64_t now = guest_at(host_now);

	(void)state;
	wr(&vm.vcpus[0], CVAL, 8, now + 10);
	wr(&vm.vcpus[0], PCTL, 4, 1);
	assert_false(seen.level);
	assert_int_equal(seen.levels, 0); /* driven on changes only */
	assert_ptr_equal(seen.programmed, &vm.vcpus[0]);
	/* The host (the SPI's target) arms for the first host tick at which CVAL is reached. */
	assert_int_equal(memtimer_update(&vm.vcpus[0]), 1000 + (now + 10) * 5 / 2);
	assert_int_equal(memtimer_deadline(&vm.vcpus[0]), 1000 + (now + 10) * 5 / 2);
	assert_int_equal(memtimer_update(&vm.vcpus[1]), UINT64_MAX);
	assert_int_equal(memtimer_deadline(&vm.vcpus[1]), UINT64_MAX);
	host_now += 25; /* 10 guest ticks: the condition is met */
	assert_int_equal(memtimer_update(&vm.vcpus[0]), UINT64_MAX);
	assert_true(seen.level);
	assert_int_equal(memtimer_deadline(&vm.vcpus[0]), UINT64_MAX); /* raised: no wait */
	wr(&vm.vcpus[0], PCTL, 4, 1 | 2);			       /* IMASK */
	assert_false(seen.level);
	wr(&vm.vcpus[0], PCTL, 4, 1);
	assert_true(seen.level);
	wr(&vm.vcpus[0], TVAL, 4, 100);
	assert_false(seen.level);
	wr(&vm.vcpus[0], PCTL, 4, 0);
	assert_int_equal(memtimer_deadline(&vm.vcpus[0]), UINT64_MAX);
	assert_int_equal(seen.levels, 4);
	memtimer_reset(&vm);
	assert_int_equal(rd(PCTL, 4), 0);
	assert_int_equal(rd(CVAL, 8), 0);
}

static void test_the_spis_target_watches_the_deadline(void **state)
{
	(void)state;
	/* Routed to vCPU 1, written by vCPU 0: vCPU 1 is told to re-arm. */
	seen.target = &vm.vcpus[1];
	wr(&vm.vcpus[0], TVAL, 4, 100);
	wr(&vm.vcpus[0], PCTL, 4, 1);
	assert_ptr_equal(seen.moved, &vm.vcpus[1]);
	assert_ptr_equal(seen.programmed, &vm.vcpus[0]); /* gives up its own stand-in */
	assert_int_equal(memtimer_update(&vm.vcpus[0]), UINT64_MAX);
	assert_true(memtimer_deadline(&vm.vcpus[1]) < UINT64_MAX);
	/* A target that is off would never see it: the writer watches. */
	seen.moved = 0;
	vm.vcpus[1].state = VCPU_OFF;
	wr(&vm.vcpus[0], TVAL, 4, 100);
	assert_null(seen.moved);
	assert_true(memtimer_deadline(&vm.vcpus[0]) < UINT64_MAX);
	assert_int_equal(memtimer_deadline(&vm.vcpus[1]), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_control_frame, setup),
		cmocka_unit_test_setup(test_counter_and_frequency, setup),
		cmocka_unit_test_setup(test_access_control, setup),
		cmocka_unit_test_setup(test_timer_registers, setup),
		cmocka_unit_test_setup(test_odd_accesses_are_ignored, setup),
		cmocka_unit_test_setup(test_line_follows_the_output, setup),
		cmocka_unit_test_setup(test_the_spis_target_watches_the_deadline, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
