// SPDX-License-Identifier: MIT
/* The smallest test: we run at EL1 in a VM, with PSCI and sane ID registers. */
#include "libguest.h"

void main_test(void)
{
	uint64_t el = (read_sysreg(CurrentEL) >> 2) & 3;
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint64_t midr = read_sysreg(midr_el1);
	uint32_t ver = psci_version();

	report_info("test: hello");
	printf("Hello from a Skiff test guest\n");
	report(el == 1, "running at EL1 (CurrentEL says EL%lu)", (unsigned long)el);
	report(ver >= 0x10000, "PSCI version %u.%u is at least 1.0", ver >> 16, ver & 0xffff);
	report(mpidr & (1UL << 31), "MPIDR_EL1 0x%lx has bit 31 (RES1) set", (unsigned long)mpidr);
	report((mpidr & 0xff00ffffffUL) == 0, "MPIDR_EL1 affinity of vCPU 0 is 0");
	report(midr != 0, "MIDR_EL1 reads 0x%lx", (unsigned long)midr);
}
