// SPDX-License-Identifier: MIT
/*
 * A guest that loops on accesses Skiff cannot serve: "loads=N" loads from an
 * IPA with neither RAM nor a device behind it (each one an external abort
 * Skiff injects and logs), and as many load pairs there, which carry no
 * instruction syndrome. The log lines they cause are rate-limited; the system
 * test counts them.
 */
#include "libguest.h"

#define NOTHING_THERE 0x7f000000UL /* below RAM, beyond every device */

static volatile uint64_t aborts;

static void skip_abort(struct pt_regs *regs)
{
	aborts++;
	regs->elr += 4;
}

void main_test(void)
{
	uint64_t loads = bootarg_u64("loads", 1000);
	volatile uint64_t *p = (volatile uint64_t *)NOTHING_THERE;

	report_info("test: abort_flood");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_DABT_CUR, skip_abort);
	for (uint64_t i = 0; i < loads; i++)
		(void)*p;
	report(aborts == loads, "%lu loads from nothing, %lu aborts", (unsigned long)loads,
	       (unsigned long)aborts);
	aborts = 0;
	for (uint64_t i = 0; i < loads; i++) {
		uint64_t a, b;

		__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(p) : "memory");
	}
	report(aborts == loads, "%lu load pairs without a syndrome, %lu aborts",
	       (unsigned long)loads, (unsigned long)aborts);
}
