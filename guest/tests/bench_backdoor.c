// SPDX-License-Identifier: MIT
/*
 * Backdoor benchmarks (bench/run.py converts ticks to instructions under
 * -icount shift=0): GETVERSION round trips from EL1 and from EL0 beside an HVC
 * round trip and an empty loop, then RPCI requests of 4000 bytes over low- and
 * high-bandwidth transfers.
 */
#include <string.h>

#include "libguest.h"

#define N     20000U
#define N_MSG 20U
#define MSG   4000U

static char msg[MSG + 64], reply[MSG + 64];

static uint64_t getversion_loop(uint64_t n)
{
	uint64_t t0 = read_vcounter();

	for (uint64_t i = 0; i < n; i++) {
		struct bdoor_regs r = { .ax = BDOOR_MAGIC, .cx = 10, .dx = 0x5658 };

		bdoor_lb(&r);
	}
	return read_vcounter() - t0;
}

static uint64_t el0_loop(uint64_t n)
{
	el0_exit(getversion_loop(n));
}

static uint64_t empty_loop(void)
{
	uint64_t t0 = read_vcounter();

	for (unsigned int i = 0; i < N; i++) {
		struct bdoor_regs r = { .ax = BDOOR_MAGIC, .cx = 10, .dx = 0x5658 };

		__asm__ volatile("" : : "r"(&r) : "memory");
	}
	return read_vcounter() - t0;
}

/*
 * Requests of MSG bytes (an unknown command, so the answer is short and nothing
 * is logged) and their replies: the cost of moving MSG bytes guest to host.
 */
static uint64_t rpc_loop(bool hb, bool *ok)
{
	struct bdoor_channel ch;
	uint64_t t0;

	memset(msg, 'z', MSG);
	*ok = bdoor_open(&ch, BDOOR_PROTO_RPCI);
	t0 = read_vcounter();
	for (unsigned int i = 0; i < N_MSG && *ok; i++)
		*ok = bdoor_send(&ch, msg, MSG, hb) &&
		      bdoor_recv(&ch, reply, sizeof(reply), hb) > 0;
	t0 = read_vcounter() - t0;
	bdoor_close(&ch);
	return t0;
}

void main_test(void)
{
	uint64_t el1, el0, hvc, empty;
	bool ok_lb, ok_hb;
	uint64_t lb, hb;

	write_sysreg(cntkctl_el1, 3); /* EL0 may read the counters (EL0PCTEN, EL0VCTEN) */
	isb();
	el1 = getversion_loop(N);
	el0 = run_at_el0(el0_loop, N);
	hvc = bench_hvc_loop(N);
	empty = empty_loop();
	lb = rpc_loop(false, &ok_lb);
	hb = rpc_loop(true, &ok_hb);

	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: getversion_el1 ticks=%lu iterations=%u\n", (unsigned long)el1, N);
	printf("bench: getversion_el0 ticks=%lu iterations=%u\n", (unsigned long)el0, N);
	printf("bench: hvc_roundtrip ticks=%lu iterations=%u\n", (unsigned long)hvc, N);
	printf("bench: empty_loop ticks=%lu iterations=%u\n", (unsigned long)empty, N);
	printf("bench: message_lb ticks=%lu iterations=%u bytes=%u\n", (unsigned long)lb, N_MSG,
	       MSG);
	printf("bench: message_hb ticks=%lu iterations=%u bytes=%u\n", (unsigned long)hb, N_MSG,
	       MSG);
	report(ok_lb && ok_hb, "the message loops completed");
	report(el1 > empty, "a backdoor call costs more than the empty loop");
}
