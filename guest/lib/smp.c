// SPDX-License-Identifier: MIT
/* Secondary vCPUs through PSCI CPU_ON. */
#include "libguest.h"

#define MAX_VCPUS 8

void secondary_start(void);
void secondary_main(unsigned int index);

static void (*volatile entry_fn[MAX_VCPUS])(unsigned int index);

int64_t smp_start_vcpu(unsigned int index, void (*fn)(unsigned int index))
{
	struct smccc_res r;

	if (index >= MAX_VCPUS)
		return -2; /* INVALID_PARAMETERS */
	entry_fn[index] = fn;
	smccc_hvc(PSCI_CPU_ON_64, index, (uint64_t)secondary_start, index, &r);
	return (int64_t)r.a0;
}

void secondary_main(unsigned int index)
{
	struct smccc_res r;

	if (index < MAX_VCPUS && entry_fn[index])
		entry_fn[index](index);
	smccc_hvc(PSCI_CPU_OFF, 0, 0, 0, &r);
	printf("# vCPU %u: CPU_OFF returned %ld\n", index, (long)r.a0);
	for (;;)
		__asm__ volatile("wfi");
}
