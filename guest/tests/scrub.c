// SPDX-License-Identifier: MIT
/*
 * Leaves marks in RAM and waits, so that the system test can reset or stop and
 * start the VM and see whether the next boot finds them: an enclave's RAM is
 * zeroed when it stops or resets (docs/enclaves.md), a plain VM's is kept. Each
 * boot prints "scrub: no mark" or "scrub: N mark words found", then
 * "scrub: marks written", then waits for interrupts (none come) for ever.
 */
#include "libguest.h"

/* One page in each 2 MiB block of a 4 MiB VM, clear of the image and the device tree. */
static const uint64_t mark_pages[] = { GUEST_RAM_BASE + 0x100000, GUEST_RAM_BASE + 0x300000 };

#define PAGE_WORDS 512

static uint64_t mark(unsigned int page, unsigned int word)
{
	return 0x534b4946464d524bUL ^ ((uint64_t)page << 32) ^ word; /* "SKIFFMRK" */
}

void main_test(void)
{
	unsigned int found = 0;

	report_info("test: scrub");
	for (unsigned int p = 0; p < 2; p++) {
		const volatile uint64_t *w = (const volatile uint64_t *)mark_pages[p];

		for (unsigned int i = 0; i < PAGE_WORDS; i++)
			found += w[i] == mark(p, i);
	}
	if (found)
		printf("scrub: %u mark words found\n", found);
	else
		printf("scrub: no mark\n");
	for (unsigned int p = 0; p < 2; p++) {
		volatile uint64_t *w = (volatile uint64_t *)mark_pages[p];

		for (unsigned int i = 0; i < PAGE_WORDS; i++)
			w[i] = mark(p, i);
	}
	printf("scrub: marks written\n");
	for (;;)
		__asm__ volatile("wfi");
}
