// SPDX-License-Identifier: MIT
/* Exceptions taken in EL2 itself: Skiff has a bug. Report everything, stop. */
#include <stdint.h>

#include "arch/arch.h"
#include "arch/arm64/exit.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/sysreg.h"
#include "core/esr.h"
#include "core/panic.h"

#define BACKTRACE_MAX 16
/* Link address of skiff.elf (skiff.lds): runtime addresses are rebased onto it. */
#define LINK_BASE 0x40000000UL

/* Built by vectors.S on the faulting stack. */
struct el2_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
};

extern char _text[], _etext[];

static const char *const kind_names[] = {
	[EL2_FAULT_SP0] = "exception on SP_EL0", [EL2_FAULT_SYNC] = "synchronous exception",
	[EL2_FAULT_IRQ] = "unexpected IRQ",	 [EL2_FAULT_FIQ] = "unexpected FIQ",
	[EL2_FAULT_SERROR] = "SError",
};

static int in_text(uint64_t pc)
{
	return pc >= (uint64_t)_text && pc < (uint64_t)_etext;
}

void arch_backtrace(const void *fp)
{
	const uint64_t *frame = fp;
	unsigned int depth;

	panic_printf("skiff: backtrace (image loaded at 0x%lx; addresses in skiff.elf for "
		     "addr2line -e build/skiff.elf):\n",
		     (unsigned long)_text);
	for (depth = 0; frame && depth < BACKTRACE_MAX; depth++) {
		uint64_t lr;

		if ((uint64_t)frame & 0xf)
			break;
		lr = frame[1];
		if (!in_text(lr))
			break;
		panic_printf("skiff:   #%u 0x%lx (skiff.elf 0x%lx)\n", depth, (unsigned long)lr,
			     (unsigned long)(lr - (uint64_t)_text + LINK_BASE));
		frame = (const uint64_t *)frame[0];
	}
}

void el2_exception(struct el2_frame *f, uint64_t kind)
{
	uint64_t esr = read_sysreg(esr_el2);
	unsigned int i;

	if (!panic_begin())
		panic_stop_this_cpu();
	panic_printf("skiff: PANIC on CPU %u: %s in EL2 (%s)\n", arch_cpu_index(),
		     kind < 5 ? kind_names[kind] : "?", esr_ec_name(esr_ec(esr)));
	panic_printf("skiff: ESR 0x%08lx  FAR 0x%016lx  ELR 0x%016lx  SPSR 0x%08lx\n",
		     (unsigned long)esr, (unsigned long)read_sysreg(far_el2), (unsigned long)f->elr,
		     (unsigned long)f->spsr);
	for (i = 0; i < 31; i += 2) {
		if (i == 30)
			panic_printf("skiff: x30 0x%016lx  sp  0x%016lx\n", (unsigned long)f->x[30],
				     (unsigned long)f->sp);
		else
			panic_printf("skiff: x%-2u 0x%016lx  x%-2u 0x%016lx\n", i,
				     (unsigned long)f->x[i], i + 1, (unsigned long)f->x[i + 1]);
	}
	if (in_text(f->elr))
		panic_printf("skiff: faulting PC is skiff.elf 0x%lx\n",
			     (unsigned long)(f->elr - (uint64_t)_text + LINK_BASE));
	arch_backtrace((const void *)f->x[29]);
	panic_stop_others();
	panic_printf("skiff: all CPUs stopped\n");
	arch_cpu_halt();
}
