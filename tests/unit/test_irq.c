// SPDX-License-Identifier: MIT
/* The host interrupt table (core/irq.c): reservations, dispatch, unowned interrupts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_arch.h"

static unsigned int calls[GIC_SPI_LIMIT];
static struct vcpu *last_loaded;

static void first_owner(unsigned int intid, struct vcpu *loaded)
{
	calls[intid]++;
	last_loaded = loaded;
}

static void second_owner(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	(void)loaded;
	fail_msg("a refused reservation took the interrupt");
}

static void take(unsigned int intid, struct vcpu *loaded)
{
	fake.pending_irq = intid;
	irq_handle(loaded);
}

static void test_an_interrupt_reaches_its_owner_after_its_eoi(void **state)
{
	struct vcpu v;

	(void)state;
	fake_reset();
	assert_int_equal(irq_reserve(26, first_owner, "tick"), 0);
	assert_int_equal(irq_reserve(40, first_owner, "uart"), 0);
	take(26, &v);
	assert_int_equal(calls[26], 1);
	assert_int_equal(fake.last_eoi, 26);
	assert_ptr_equal(last_loaded, &v);
	take(40, NULL); /* from the idle loop */
	assert_int_equal(calls[40], 1);
	assert_null(last_loaded);
	assert_int_equal(fake.eois, 2);
}

static void test_a_taken_intid_is_refused_naming_both_owners(void **state)
{
	(void)state;
	fake_reset();
	assert_int_equal(irq_reserve(27, first_owner, "EL1 virtual timer"), 0);
	assert_int_equal(irq_reserve(27, second_owner, "console UART"), -1);
	assert_non_null(strstr(fake.log[0], "console UART"));
	assert_non_null(strstr(fake.log[0], "EL1 virtual timer"));
	take(27, NULL);
	assert_int_equal(calls[27], 1);
}

static void test_intids_beyond_the_spis_are_refused(void **state)
{
	(void)state;
	fake_reset();
	assert_int_equal(irq_reserve(GIC_SPI_LIMIT, first_owner, "lpi"), -1);
	assert_int_equal(irq_reserve(8192, first_owner, "lpi"), -1);
	assert_int_equal(fake.nlogs, 2);
	assert_non_null(strstr(fake.log[1], "host interrupt 8192 is not an SGI, PPI or SPI"));
}

static void test_spurious_and_special_intids_are_not_ended(void **state)
{
	(void)state;
	fake_reset();
	take(0, NULL); /* the fake's "nothing pending": 1023 */
	fake.pending_irq = 1021;
	irq_handle(NULL);
	assert_int_equal(fake.eois, 0);
	assert_int_equal(fake.nlogs, 0);
}

static void test_an_unowned_interrupt_is_ended_and_reported_once(void **state)
{
	(void)state;
	fake_reset();
	for (int i = 0; i < 1000; i++)
		take(77, NULL);
	assert_int_equal(fake.eois, 1000); /* never left active: that would block its priority */
	assert_int_equal(fake.nlogs, 1);
	assert_non_null(strstr(fake.log[0], "77"));
}

static void test_only_owned_ppis_are_enabled_per_cpu(void **state)
{
	(void)state;
	fake_reset();
	assert_int_equal(irq_reserve(30, first_owner, "EL1 physical timer"), 0);
	assert_int_equal(irq_reserve(2, first_owner, "IPI"), 0);
	irq_enable_private_reserved();
	/* 26 and 27 were taken by the tests above; SGIs are always on, SPIs routed apart. */
	assert_int_equal(fake.enabled_private, (1U << 26) | (1U << 27) | (1U << 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_interrupt_reaches_its_owner_after_its_eoi),
		cmocka_unit_test(test_a_taken_intid_is_refused_naming_both_owners),
		cmocka_unit_test(test_intids_beyond_the_spis_are_refused),
		cmocka_unit_test(test_spurious_and_special_intids_are_not_ended),
		cmocka_unit_test(test_an_unowned_interrupt_is_ended_and_reported_once),
		cmocka_unit_test(test_only_owned_ppis_are_enabled_per_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
