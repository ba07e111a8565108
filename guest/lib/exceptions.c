// SPDX-License-Identifier: MIT
/* Dispatch of EL1 exceptions to the handlers tests install. */
#include "libguest.h"

void handle_exception(unsigned int vector, struct pt_regs *regs);

static exception_fn handlers[VEC_COUNT][EC_ANY + 1];
static svc_fn svc_handlers[16];

void install_exception_handler(enum vector v, unsigned int ec, exception_fn fn)
{
	if (v < VEC_COUNT && ec <= EC_ANY)
		handlers[v][ec] = fn;
}

void install_svc_handler(unsigned int imm, svc_fn fn)
{
	if (imm < 16)
		svc_handlers[imm] = fn;
}

/* svc from EL0: exit, print, or a test's own call; the result goes back in x0. */
static void handle_svc(struct pt_regs *regs)
{
	unsigned int imm = regs->esr & 0xffff;

	if (imm == SVC_EXIT)
		el0_return(regs->regs[0]);
	if (imm == SVC_PRINT) {
		puts_raw((const char *)regs->regs[0]);
		return;
	}
	if (imm < 16 && svc_handlers[imm]) {
		regs->regs[0] = svc_handlers[imm](regs);
		return;
	}
	report(false, "unexpected svc #%u from EL0", imm);
	el0_return(~0UL);
}

void handle_exception(unsigned int vector, struct pt_regs *regs)
{
	unsigned int ec = ESR_EC(regs->esr);
	exception_fn fn = handlers[vector][ec] ? handlers[vector][ec] : handlers[vector][EC_ANY];

	if (fn) {
		fn(regs);
		return;
	}
	if ((vector == VEC_LOWER_SYNC && ec == EC_SVC64) ||
	    (vector == VEC_LOWER_A32_SYNC && ec == EC_SVC32)) {
		handle_svc(regs);
		return;
	}
	report(false, "unexpected exception: vector %u, ESR 0x%lx (EC 0x%x), ELR 0x%lx, FAR 0x%lx",
	       vector, (unsigned long)regs->esr, ec, (unsigned long)regs->elr,
	       (unsigned long)regs->far);
	report_summary();
	psci_system_off();
}
