// SPDX-License-Identifier: MIT
#include "libguest.h"

void smccc_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3, struct smccc_res *res)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC 1.1: x0-x3 are results, x4-x17 are preserved by the callee. */
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	res->a0 = x0;
	res->a1 = x1;
	res->a2 = x2;
	res->a3 = x3;
}

uint32_t psci_version(void)
{
	struct smccc_res res;

	smccc_hvc(PSCI_VERSION, 0, 0, 0, &res);
	return (uint32_t)res.a0;
}

/* SYSTEM_OFF and SYSTEM_RESET do not return; if one does, it says so and waits. */
static __attribute__((noreturn)) void system_call(uint32_t fid, const char *name)
{
	struct smccc_res res;

	smccc_hvc(fid, 0, 0, 0, &res);
	printf("# %s returned %ld\n", name, (long)res.a0);
	for (;;)
		__asm__ volatile("wfi");
}

void psci_system_off(void)
{
	system_call(PSCI_SYSTEM_OFF, "SYSTEM_OFF");
}

void psci_system_reset(void)
{
	system_call(PSCI_SYSTEM_RESET, "SYSTEM_RESET");
}
