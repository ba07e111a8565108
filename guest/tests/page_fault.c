// SPDX-License-Identifier: MIT
/* The guest's own stage-1 page fault is handled by the guest, not the hypervisor. */
#include "libguest.h"

#define FAULT_VA 0x80000000UL /* not mapped by mmu_enable_identity() */

static uint8_t backing[4096] __attribute__((aligned(4096)));
static volatile unsigned int faults;
static volatile uint64_t fault_far, fault_esr;

static void on_dabt(struct pt_regs *regs)
{
	faults++;
	fault_far = regs->far;
	fault_esr = regs->esr;
	/* Map the page and return to the same instruction: it is retried. */
	mmu_map_page(regs->far & ~0xfffUL, (uint64_t)backing);
}

void main_test(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(FAULT_VA + 0x128);
	unsigned int dfsc;

	report_info("test: page_fault");
	mmu_enable_identity();
	report(read_sysreg(sctlr_el1) & 1, "stage-1 MMU enabled");
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_DABT_CUR, on_dabt);
	*p = 0x5eed5eed;
	dfsc = fault_esr & 0x3f;
	report(faults == 1, "one data abort taken by the guest's own handler (%u)", faults);
	report(ESR_EC(fault_esr) == EC_DABT_CUR, "EC is 0x25, data abort from EL1");
	report(fault_far == FAULT_VA + 0x128, "FAR is the faulting VA (0x%lx)",
	       (unsigned long)fault_far);
	report((dfsc & 0x3c) == 0x04, "DFSC 0x%x is a translation fault (level %u)", dfsc,
	       dfsc & 3);
	report(fault_esr & (1UL << 6), "WnR says it was a write");
	report(*(volatile uint64_t *)(backing + 0x128) == 0x5eed5eed,
	       "the retried write landed in the page, seen through the identity map");
	report(*p == 0x5eed5eed && faults == 1, "the new mapping stays: no second fault");
}
