// SPDX-License-Identifier: MIT
/*
 * A heartbeat beside a hostile VM: one line every "period_ms=N" milliseconds of
 * guest time (5), "beats=N" times, then power off. Tests pin one to each host CPU and
 * count its beats: a host CPU stuck in EL2 stops its heart.
 */
#include "libguest.h"

void main_test(void)
{
	uint64_t beats = bootarg_u64("beats", 20);
	uint64_t period = read_sysreg(cntfrq_el0) * bootarg_u64("period_ms", 5) / 1000;

	report_info("test: heartbeat");
	for (uint64_t i = 1; i <= beats; i++) {
		uint64_t until = read_vcounter() + period;

		while (read_vcounter() < until)
			yield_cpu();
		printf("# beat %lu\n", (unsigned long)i);
	}
	report(true, "%lu beats", (unsigned long)beats);
}
