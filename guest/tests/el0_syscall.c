// SPDX-License-Identifier: MIT
/*
 * EL0 -> EL1 system calls inside the guest, and EL0's limits: CurrentEL is
 * UNDEF there, and the physical counter is EL0's to read only while
 * CNTKCTL_EL1.EL0PCTEN allows it (Skiff then serves the read it traps; else the
 * read traps to the guest's EL1, before any trap to EL2).
 */
#include "libguest.h"

#define SVC_ADD		 2
#define CNTKCTL_EL0PCTEN 1UL

static volatile uint64_t seen_esr;
static volatile unsigned int el0_undefs;

static uint64_t svc_add(struct pt_regs *regs)
{
	seen_esr = regs->esr;
	return regs->regs[0] + regs->regs[1] + regs->regs[2];
}

static uint64_t add_at_el0(uint64_t base)
{
	register uint64_t x0 __asm__("x0") = base;
	register uint64_t x1 __asm__("x1") = 20;
	register uint64_t x2 __asm__("x2") = 300;

	__asm__ volatile("svc #2" : "+r"(x0) : "r"(x1), "r"(x2) : "memory");
	el0_exit(x0);
}

static uint64_t print_at_el0(uint64_t arg)
{
	register uint64_t x0 __asm__("x0") = arg;

	__asm__ volatile("svc #1" : "+r"(x0) : : "memory");
	el0_exit(0x600d);
}

static uint64_t read_currentel_at_el0(uint64_t arg)
{
	uint64_t v = arg;

	__asm__ volatile("mrs %0, CurrentEL" : "+r"(v));
	el0_exit(v);
}

static volatile uint64_t el0_sysreg_esr;

static uint64_t counter_at_el0(uint64_t arg)
{
	uint64_t v = arg; /* kept when the read is refused and stepped over */

	__asm__ volatile("mrs %0, cntpct_el0" : "+r"(v));
	el0_exit(v);
}

static void on_el0_sysreg(struct pt_regs *regs)
{
	el0_sysreg_esr = regs->esr;
	regs->elr += 4;
}

static void check_counter_at_el0(void)
{
	uint64_t kctl = read_sysreg(cntkctl_el1), t0, t1, r;

	write_sysreg(cntkctl_el1, kctl | CNTKCTL_EL0PCTEN);
	isb();
	t0 = read_sysreg(cntpct_el0);
	r = run_at_el0(counter_at_el0, 0);
	t1 = read_sysreg(cntpct_el0);
	report(r != 0 && t0 <= r && r <= t1,
	       "CNTPCT_EL0 at EL0, allowed by CNTKCTL_EL1: %lu <= %lu <= %lu", (unsigned long)t0,
	       (unsigned long)r, (unsigned long)t1);
	write_sysreg(cntkctl_el1, kctl & ~CNTKCTL_EL0PCTEN);
	isb();
	install_exception_handler(VEC_LOWER_SYNC, EC_SYS64, on_el0_sysreg);
	r = run_at_el0(counter_at_el0, 0x5a5a);
	report(ESR_EC(el0_sysreg_esr) == EC_SYS64 && r == 0x5a5a,
	       "CNTPCT_EL0 at EL0, refused by CNTKCTL_EL1: trapped to the guest's EL1 (ESR 0x%lx)",
	       (unsigned long)el0_sysreg_esr);
	write_sysreg(cntkctl_el1, kctl);
	isb();
}

static void on_el0_undef(struct pt_regs *regs)
{
	el0_undefs++;
	regs->elr += 4;
}

static uint64_t mode_of_el0(uint64_t arg)
{
	(void)arg;
	/* NZCV is readable at EL0: proves we ran an instruction there and came back. */
	el0_exit(read_sysreg(nzcv) | 0xe10);
}

void main_test(void)
{
	uint64_t r;

	report_info("test: el0_syscall");
	install_svc_handler(SVC_ADD, svc_add);
	r = run_at_el0(add_at_el0, 4000);
	report(r == 4320, "svc #2 from EL0 returns the sum computed at EL1 (%lu)",
	       (unsigned long)r);
	report(ESR_EC(seen_esr) == EC_SVC64 && (seen_esr & 0xffff) == SVC_ADD,
	       "EL1 saw ESR EC 0x15 with immediate 2 (ESR 0x%lx)", (unsigned long)seen_esr);
	r = run_at_el0(print_at_el0, (uint64_t) "# printed from EL0 through svc #1\n");
	report(r == 0x600d, "EL0 printed through EL1 and exited");
	r = run_at_el0(mode_of_el0, 0);
	report((r & 0xfff) == 0xe10, "EL0 code ran and returned its value");
	install_exception_handler(VEC_LOWER_SYNC, EC_UNKNOWN, on_el0_undef);
	r = run_at_el0(read_currentel_at_el0, 0x1234);
	report(el0_undefs == 1 && r == 0x1234,
	       "mrs CurrentEL at EL0 is UNDEF, taken to EL1 from the lower EL");
	report(((read_sysreg(CurrentEL) >> 2) & 3) == 1, "back at EL1 afterwards");
	check_counter_at_el0();
}
