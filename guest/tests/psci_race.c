// SPDX-License-Identifier: MIT
/*
 * PSCI calls racing each other on every vCPU, as a hostile guest may make
 * them: vCPUs 1..N-1 call CPU_ON on themselves and on each other and turn
 * themselves off, while vCPU 0 resets the VM with SYSTEM_RESET in the middle
 * of it, "rounds=R" times. Every call must be answered as PSCI says and every
 * reset carried out; the system test runs heartbeat VMs beside this one to
 * see that no host CPU gets stuck in EL2.
 */
#include "libguest.h"

#define STATE_ADDR	  (GUEST_RAM_BASE + 0x300000) /* past the image: kept across resets */
#define STATE_MAGIC	  0x9ace5eedUL
#define ALREADY_ON	  (-4)
#define DENIED		  (-3)
#define SUCCESS		  0
#define INTERNAL_FAILURE  (-6)
#define HAMMER_ITERATIONS 64
#define VCPUS_MAX	  8

struct race_state {
	uint64_t magic;
	uint64_t round;
	uint64_t bad_self;  /* CPU_ON on itself answered other than ALREADY_ON or DENIED */
	uint64_t bad_other; /* CPU_ON on a sibling answered outside the PSCI set */
	int64_t last_bad;
};

static struct race_state *const st = (struct race_state *)STATE_ADDR;
static unsigned int nvcpus;

static void hammer(unsigned int me)
{
	for (unsigned int k = 0; k < HAMMER_ITERATIONS; k++) {
		unsigned int other = 1 + (me + k) % (nvcpus - 1);
		int64_t r = smp_start_vcpu(me, hammer);

		if (r != ALREADY_ON && r != DENIED) {
			st->bad_self++;
			st->last_bad = r;
		}
		r = smp_start_vcpu(other, hammer);
		if (r != SUCCESS && r != ALREADY_ON && r != DENIED && r != INTERNAL_FAILURE) {
			st->bad_other++;
			st->last_bad = r;
		}
	}
	/* Returning turns this vCPU off (CPU_OFF); a sibling turns it on again. */
}

void main_test(void)
{
	uint64_t rounds = bootarg_u64("rounds", 10);
	uint64_t spin = read_sysreg(cntfrq_el0) / 1000; /* 1 ms of racing per round */

	nvcpus = (unsigned int)bootarg_u64("vcpus", 4);
	if (nvcpus < 2 || nvcpus > VCPUS_MAX)
		nvcpus = 4;
	if (st->magic != STATE_MAGIC) {
		st->magic = STATE_MAGIC;
		st->round = 0;
		st->bad_self = st->bad_other = 0;
	}
	printf("# round %lu\n", (unsigned long)st->round);
	if (st->round < rounds) {
		st->round++;
		for (unsigned int i = 1; i < nvcpus; i++)
			smp_start_vcpu(i, hammer);
		uint64_t until = read_vcounter() + spin;

		while (read_vcounter() < until)
			;
		psci_system_reset();
	}
	report_info("test: psci_race");
	report(st->round == rounds, "%lu resets carried out while the other vCPUs raced",
	       (unsigned long)st->round);
	report(st->bad_self == 0, "CPU_ON on itself: ALREADY_ON or DENIED (%lu others, last %ld)",
	       (unsigned long)st->bad_self, (long)st->last_bad);
	report(st->bad_other == 0, "CPU_ON on a sibling: a PSCI answer (%lu others, last %ld)",
	       (unsigned long)st->bad_other, (long)st->last_bad);
	st->magic = 0;
}
