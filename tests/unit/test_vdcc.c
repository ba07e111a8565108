// SPDX-License-Identifier: MIT
/*
 * The DCC registers of a vCPU as the ARM ARM defines them (D19 debug registers):
 * MDCCSR_EL0.RXfull (bit 30) while typed input waits, DBGDTRRX_EL0 and
 * DBGDTR_EL0 reads taking one byte each (DBGDTR_EL0 with DTRTX's last value in
 * 63:32), transmit never full, the receive ring's order, bound and drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/vm.h"
#include "vdev/vdcc.h"

/* ESR_EL2 of a trapped MSR/MRS (EC 0x18), fields as the ARM ARM lays out its ISS. */
#define ISS_OP0(x) ((uint64_t)(x) << 20)
#define ISS_OP2(x) ((uint64_t)(x) << 17)
#define ISS_OP1(x) ((uint64_t)(x) << 14)
#define ISS_CRN(x) ((uint64_t)(x) << 10)
#define ISS_RT(x)  ((uint64_t)(x) << 5)
#define ISS_CRM(x) ((uint64_t)(x) << 1)
#define ISS_READ   1UL

/* op0 2, op1 3, CRn 0, op2 0; CRm 1 MDCCSR_EL0, 4 DBGDTR_EL0, 5 DBGDTRRX/TX_EL0. */
#define CRM_MDCCSR 1
#define CRM_DBGDTR 4
#define CRM_DTRXX  5
#define RXFULL	   (1UL << 30)
#define TXFULL	   (1UL << 29)

static struct vm vm;
static struct vcpu *v;
static struct conbuf shown;
static char shown_text[256];
static bool at_el0;
static unsigned int injected;

/* What vdcc.c needs of the layers around it. */
bool arch_vcpu_at_el0(const struct vcpu *vcpu)
{
	(void)vcpu;
	return at_el0;
}

void arch_vcpu_inject_sync(struct vcpu *vcpu, uint64_t esr)
{
	(void)vcpu;
	(void)esr;
	injected++;
}

void backdoor_call(struct vcpu *vcpu)
{
	(void)vcpu;
	fail_msg("the backdoor is off in these tests");
}

bool backdoor_report(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void log_write_other(const char *s, size_t len)
{
	(void)s;
	(void)len;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	v = &vm.vcpus[0];
	v->vm = &vm;
	vdcc_init(&vm.dcc, "t");
	conbuf_init(&shown, shown_text, sizeof(shown_text));
	vm.dcc.out.keep = &shown;
	at_el0 = false;
	injected = 0;
	return 0;
}

static uint64_t esr(unsigned int crm, unsigned int rt, bool read)
{
	return (0x18UL << 26) | (1UL << 25) | ISS_OP0(2) | ISS_OP1(3) | ISS_CRN(0) | ISS_CRM(crm) |
	       ISS_OP2(0) | ISS_RT(rt) | (read ? ISS_READ : 0);
}

/* An MRS of the register: its value, after checking the access was the DCC's. */
static uint64_t mrs(unsigned int crm)
{
	v->ctx.x[3] = 0xdeadbeef;
	assert_int_equal(vdcc_access(v, esr(crm, 3, true)), VDCC_DONE);
	return v->ctx.x[3];
}

static void msr(unsigned int crm, uint64_t val)
{
	v->ctx.x[4] = val;
	assert_int_equal(vdcc_access(v, esr(crm, 4, false)), VDCC_DONE);
}

static void type(const char *s)
{
	for (; *s; s++)
		assert_true(vdcc_receive(&vm.dcc, *s));
}

static void test_nothing_typed_nothing_to_read(void **state)
{
	(void)state;
	assert_int_equal(mrs(CRM_MDCCSR), 0);
	assert_int_equal(mrs(CRM_DTRXX) & 0xffffffffUL, 0);
}

static void test_each_read_takes_one_byte_and_rxfull_follows(void **state)
{
	(void)state;
	type("ab");
	assert_int_equal(mrs(CRM_MDCCSR), RXFULL);
	assert_int_equal(mrs(CRM_DTRXX), 'a');
	assert_int_equal(mrs(CRM_MDCCSR), RXFULL); /* 'b' moved into DTRRX */
	assert_int_equal(mrs(CRM_DTRXX), 'b');
	assert_int_equal(mrs(CRM_MDCCSR), 0);
}

static void test_dbgdtr_el0_read_is_dtrtx_high_dtrrx_low(void **state)
{
	(void)state;
	msr(CRM_DTRXX, 'x'); /* DTRTX */
	type("q");
	assert_int_equal(mrs(CRM_DBGDTR), ((uint64_t)'x' << 32) | 'q');
	assert_int_equal(mrs(CRM_MDCCSR), 0);
	/* A DBGDTR_EL0 write's 31:0 are DTRTX: transmitted, and what the next read's 63:32 give. */
	msr(CRM_DBGDTR, ((uint64_t)0x1234 << 32) | 'y');
	type("r");
	assert_int_equal(mrs(CRM_DBGDTR), ((uint64_t)'y' << 32) | 'r');
	char out[8];
	size_t n = conbuf_tail(&shown, out, sizeof(out));
	assert_int_equal(n, 2);
	assert_memory_equal(out, "xy", 2);
}

static void test_transmit_is_never_full(void **state)
{
	(void)state;
	for (int i = 0; i < 300; i++) {
		msr(CRM_DTRXX, 'a' + i % 26);
		assert_int_equal(mrs(CRM_MDCCSR) & TXFULL, 0);
	}
	assert_int_equal(shown.total, 300);
}

static void test_ring_keeps_order_across_wrap_and_drops_when_full(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < VDCC_RX_RING - 10; i++)
		assert_true(vdcc_receive(&vm.dcc, (char)i));
	for (i = 0; i < VDCC_RX_RING - 10; i++)
		assert_int_equal(mrs(CRM_DTRXX), (uint8_t)i);
	/* Now the ring wraps: fill it whole, one more is dropped and counted. */
	for (i = 0; i < VDCC_RX_RING; i++)
		assert_true(vdcc_receive(&vm.dcc, (char)(i * 7)));
	assert_false(vdcc_receive(&vm.dcc, 'z'));
	assert_int_equal(vm.dcc.rx_dropped, 1);
	assert_int_equal(vm.dcc.rx_typed, 2 * VDCC_RX_RING - 10 + 1);
	for (i = 0; i < VDCC_RX_RING; i++) {
		assert_int_equal(mrs(CRM_MDCCSR), RXFULL);
		assert_int_equal(mrs(CRM_DTRXX), (uint8_t)(i * 7));
	}
	assert_int_equal(mrs(CRM_MDCCSR), 0);
}

static void test_mdccsr_write_is_not_emulated(void **state)
{
	(void)state;
	assert_int_equal(vdcc_access(v, esr(CRM_MDCCSR, 1, false)), VDCC_NOT_DCC);
}

static void test_el0_access_under_tdcc_goes_to_the_guest_and_takes_nothing(void **state)
{
	(void)state;
	type("k");
	at_el0 = true;
	v->el1.mdscr = 1UL << 12; /* TDCC */
	assert_int_equal(vdcc_access(v, esr(CRM_DTRXX, 3, true)), VDCC_FORWARDED);
	assert_int_equal(injected, 1);
	at_el0 = false;
	assert_int_equal(mrs(CRM_DTRXX), 'k');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nothing_typed_nothing_to_read, setup),
		cmocka_unit_test_setup(test_each_read_takes_one_byte_and_rxfull_follows, setup),
		cmocka_unit_test_setup(test_dbgdtr_el0_read_is_dtrtx_high_dtrrx_low, setup),
		cmocka_unit_test_setup(test_transmit_is_never_full, setup),
		cmocka_unit_test_setup(test_ring_keeps_order_across_wrap_and_drops_when_full,
				       setup),
		cmocka_unit_test_setup(test_mdccsr_write_is_not_emulated, setup),
		cmocka_unit_test_setup(
			test_el0_access_under_tdcc_goes_to_the_guest_and_takes_nothing, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
