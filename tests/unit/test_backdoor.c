// SPDX-License-Identifier: MIT
/*
 * The backdoor's channel cookies (hypercall/backdoor.c with message.c and the host's
 * random generator) on the fake CPU, driven through backdoor_call as a guest's call
 * arrives. The cookies are what keeps one program in a guest from using another's
 * channel: nothing the guest sees (the time, its PC, the channel's number, the
 * cookies of its own channels) may tell them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/panic.h"
#include "core/random.h"
#include "core/stage2_fault.h"
#include "core/wallclock.h"
#include "fake_arch.h"
#include "hypercall/backdoor.h"

#define GUEST_PC    0x40001000UL
#define COUNTER_NOW 5000 /* what every open reads, less FAKE_COUNTER_STEP */
#define OPENS	    64

static struct vm vm;
static struct vcpu *v;

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

void wallclock_now(uint64_t *secs, uint32_t *usecs)
{
	*secs = 0;
	*usecs = 0;
}

/* Only the message calls are made here: no guest memory, all at EL1. */
bool arch_vcpu_at_el0(const struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

bool arch_vcpu_va_access(struct vcpu *vcpu, vaddr_t va, enum va_access access, ipaddr_t *ipa)
{
	(void)vcpu;
	(void)va;
	(void)access;
	(void)ipa;
	return false;
}

int stage2_host_write(struct vm_s2_locked locked, ipaddr_t ipa, uint64_t len)
{
	(void)locked;
	(void)ipa;
	(void)len;
	return -1;
}

static int setup(void **state)
{
	static const unsigned char fw_seed[32] = "a fixed seed for the unit test";

	(void)state;
	fake_reset();
	random_init(fw_seed, sizeof(fw_seed));
	memset(&vm, 0, sizeof(vm));
	snprintf(vm.name, sizeof(vm.name), "t");
	guestlog_init(&vm.log, vm.name);
	vm.backdoor.enabled = true;
	vm.nvcpus = 1;
	v = &vm.vcpus[0];
	v->vm = &vm;
	return 0;
}

struct cookies {
	uint32_t id, high, low;
};

/*
 * A guest's "open RPCI channel" call, made at the same PC and the same counter
 * value every time: all a guest program could know when another one opens.
 */
static struct cookies open_channel(void)
{
	uint64_t *x = v->ctx.x;
	struct cookies c;

	v->ctx.pc = GUEST_PC;
	fake.counter = COUNTER_NOW;
	memset(x, 0, 8 * sizeof(x[0]));
	x[0] = BDOOR_MAGIC;
	x[1] = MSG_PROTO_RPCI | MSG_FLAG_COOKIE;
	x[2] = BDOOR_CMD_MESSAGE; /* subcommand MSG_OPEN (0) in the high half */
	x[3] = BDOOR_PORT;
	x[7] = (BDOOR_X7_MAGIC << 32) | BDOOR_X7_DIR_IN | BDOOR_X7_WITH_DX | 2;
	backdoor_call(v);
	assert_int_equal(x[2] >> 16, MSG_STATUS_SUCCESS);
	c.id = (uint32_t)(x[3] >> 16);
	c.high = (uint32_t)x[4];
	c.low = (uint32_t)x[5];
	return c;
}

static void close_channel(const struct cookies *c)
{
	uint64_t *x = v->ctx.x;

	x[0] = BDOOR_MAGIC;
	x[2] = BDOOR_CMD_MESSAGE | ((uint64_t)MSG_CLOSE << 16);
	x[3] = BDOOR_PORT | ((uint64_t)c->id << 16);
	x[4] = c->high;
	x[5] = c->low;
	x[7] = (BDOOR_X7_MAGIC << 32) | BDOOR_X7_DIR_IN | BDOOR_X7_WITH_DX | 2;
	backdoor_call(v);
	assert_int_equal(x[2] >> 16, MSG_STATUS_SUCCESS);
}

/*
 * One channel number, opened and closed again and again at the same PC and time:
 * every time other cookies, none seen before (a fixed function of the counter, the
 * PC and the channel number gives the same ones each time).
 */
static void test_reopened_channel_gets_new_cookies(void **state)
{
	uint64_t seen[OPENS];

	(void)state;
	for (unsigned int i = 0; i < OPENS; i++) {
		struct cookies c = open_channel();

		assert_int_equal(c.id, 0);
		seen[i] = (uint64_t)c.high << 32 | c.low;
		for (unsigned int j = 0; j < i; j++)
			if (seen[j] == seen[i])
				fail_msg("open %u gave the cookies of open %u: 0x%016llx", i, j,
					 (unsigned long long)seen[i]);
		close_channel(&c);
	}
}

/*
 * Channels open side by side, opened at the same PC and time: neither half of one's
 * cookies is another's, nor another's XORed with a constant that a program could
 * learn from its own two channels and apply to a third.
 */
static void test_channels_have_unrelated_cookies(void **state)
{
	struct cookies c[MSG_MAX_CHANNELS];

	(void)state;
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++) {
		c[i] = open_channel();
		assert_int_equal(c[i].id, i);
	}
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++)
		for (unsigned int j = i + 1; j < MSG_MAX_CHANNELS; j++) {
			assert_int_not_equal(c[i].low, c[j].low);
			assert_int_not_equal(c[i].high, c[j].high);
		}
	/* From channels 0 and 1 a program would guess 2's from 1's with the same XOR. */
	assert_int_not_equal(c[0].high ^ c[1].high, c[1].high ^ c[2].high);
	assert_int_not_equal(c[0].low ^ c[1].low, c[1].low ^ c[2].low);
	assert_int_not_equal(c[0].high ^ c[1].high, c[2].high ^ c[3].high);
	assert_int_not_equal(c[0].low ^ c[1].low, c[2].low ^ c[3].low);
}

/* The cookies are the host generator's next 8 bytes (random_u64: high half, low half). */
static void test_cookies_come_from_the_host_generator(void **state)
{
	static const unsigned char fw_seed[32] = "another seed for the unit test";
	struct cookies c;
	uint64_t want;

	(void)state;
	fake.counter = 0;
	random_init(fw_seed, sizeof(fw_seed));
	want = random_u64();
	fake.counter = 0; /* the same seed again: the same stream */
	random_init(fw_seed, sizeof(fw_seed));
	c = open_channel();
	assert_int_equal(c.high, (uint32_t)(want >> 32));
	assert_int_equal(c.low, (uint32_t)want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reopened_channel_gets_new_cookies, setup),
		cmocka_unit_test_setup(test_channels_have_unrelated_cookies, setup),
		cmocka_unit_test_setup(test_cookies_come_from_the_host_generator, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
