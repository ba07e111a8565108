// SPDX-License-Identifier: MIT
/*
 * A guest to be moved to another host while it waits (tests/system/test_migrate.py):
 * it fills registers and fill=N MiB of RAM (1 by default) with a pattern, leaves
 * a (disabled) SPI pending, arms its virtual timer wait=N seconds ahead and its
 * physical timer far ahead, says "ready", and waits with its registers held
 * until the virtual timer fires, reading its counter at every wake: in WFI, or
 * with busy=N (KiB) rewriting that much RAM after the fill over and over, each
 * pass with its own values, which is what a pre-copy must keep up with (touch=N
 * MiB after those only reads them: RAM given to the guest, all zero). Then it
 * checks what the move must have kept: the registers, the memory's checksum,
 * the pending SPI, the physical timer's registers, the counter's frequency, a
 * timer that did not fire before its deadline, a counter that never went back,
 * and (busy) the last pass's values in every word.
 * Wherever it ran, the checks are the same: the test says where it lands.
 */
#include "libguest.h"

#define CTL_ENABLE  1UL
#define CTL_ISTATUS 4UL
#define PENDING_SPI 40
#define VTIMER_PPI  27
#define FILL_BASE   0x40200000UL
#define SEED	    0x5eed0000UL
#define BUSY_STEP   0x9e3779b97f4a7c15UL

static uint64_t fill_words;

/* x19-x28 := SEED + 0..9, held through the wait; then stored to %[out]. */
#define HOLD_REGS                                                  \
	"mov x19, %[s]\n"                                          \
	"add x20, x19, #1\n add x21, x19, #2\n add x22, x19, #3\n" \
	"add x23, x19, #4\n add x24, x19, #5\n add x25, x19, #6\n" \
	"add x26, x19, #7\n add x27, x19, #8\n add x28, x19, #9\n"
#define STORE_REGS                                                    \
	"stp x19, x20, [%[out]]\n stp x21, x22, [%[out], #16]\n"      \
	"stp x23, x24, [%[out], #32]\n stp x25, x26, [%[out], #48]\n" \
	"stp x27, x28, [%[out], #64]\n"

static uint64_t pattern(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15UL;

	return x ^ (x >> 29);
}

static uint64_t checksum(void)
{
	const volatile uint64_t *w = (const volatile uint64_t *)FILL_BASE;
	uint64_t sum = 0;

	for (uint64_t i = 0; i < fill_words; i++)
		sum = (sum << 7 | sum >> 57) ^ w[i];
	return sum;
}

/*
 * x19-x28 hold SEED + n while the guest waits in WFI for the virtual
 * timer's ISTATUS; every wake reads the counter and counts a step back.
 * Afterwards the registers are stored to @out and the backward steps returned.
 */
static uint64_t wait_with_registers(uint64_t *out, uint64_t *wakes, uint64_t *first_seen)
{
	uint64_t back, n, seen;

	__asm__ volatile(HOLD_REGS "mov %[back], #0\n mov %[n], #0\n"
				   "isb\n mrs x11, cntvct_el0\n"
				   "1: wfi\n add %[n], %[n], #1\n"
				   "isb\n mrs x10, cntvct_el0\n"
				   "cmp x10, x11\n b.hs 2f\n add %[back], %[back], #1\n"
				   "2: mov x11, x10\n"
				   "mrs x9, cntv_ctl_el0\n tbz x9, #2, 1b\n"
				   "mov %[seen], x10\n" STORE_REGS
			 : [back] "=&r"(back), [n] "=&r"(n), [seen] "=&r"(seen)
			 : [s] "r"(SEED), [out] "r"(out)
			 : "x9", "x10", "x11", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
			   "x26", "x27", "x28", "memory", "cc");
	*wakes = n;
	*first_seen = seen;
	return back;
}

/*
 * The same wait, busy: pass after pass over @words words at @busy, word i of
 * pass p taking i * BUSY_STEP + p, the timer's ISTATUS read after each pass.
 * Returns the backward steps; @wakes is the number of passes.
 */
static uint64_t busy_with_registers(uint64_t *out, volatile uint64_t *busy, uint64_t words,
				    uint64_t *wakes, uint64_t *first_seen)
{
	uint64_t back, n, seen;

	__asm__ volatile(HOLD_REGS "mov %[back], #0\n mov %[n], #0\n"
				   "isb\n mrs x11, cntvct_el0\n"
				   "1: mov x12, #0\n"
				   "2: mul x13, x12, %[step]\n add x13, x13, %[n]\n"
				   "str x13, [%[busy], x12, lsl #3]\n"
				   "add x12, x12, #1\n cmp x12, %[words]\n b.lo 2b\n"
				   "add %[n], %[n], #1\n"
				   "isb\n mrs x10, cntvct_el0\n"
				   "cmp x10, x11\n b.hs 3f\n add %[back], %[back], #1\n"
				   "3: mov x11, x10\n"
				   "mrs x9, cntv_ctl_el0\n tbz x9, #2, 1b\n"
				   "mov %[seen], x10\n" STORE_REGS
			 : [back] "=&r"(back), [n] "=&r"(n), [seen] "=&r"(seen)
			 : [s] "r"(SEED), [out] "r"(out), [busy] "r"(busy), [words] "r"(words),
			   [step] "r"(BUSY_STEP)
			 : "x9", "x10", "x11", "x12", "x13", "x19", "x20", "x21", "x22", "x23",
			   "x24", "x25", "x26", "x27", "x28", "memory", "cc");
	*wakes = n;
	*first_seen = seen;
	return back;
}

/* The words of the busy area that do not hold the last pass's values. */
static uint64_t busy_wrong(const volatile uint64_t *busy, uint64_t words, uint64_t passes)
{
	uint64_t wrong = 0;

	for (uint64_t i = 0; i < words; i++)
		wrong += busy[i] != i * BUSY_STEP + passes - 1;
	return wrong;
}

void main_test(void)
{
	uint64_t wait_s = bootarg_u64("wait", 20);
	uint64_t busy_words = bootarg_u64("busy", 0) * 1024 / 8;
	volatile uint64_t *w = (volatile uint64_t *)FILL_BASE;
	uint64_t freq = read_sysreg(cntfrq_el0), regs[10], wakes, seen, back, sum, cval, pcval;
	uint64_t dist;
	bool regs_ok = true;

	report_info("test: migrate");
	if (!gic_init()) {
		report(false, "an interrupt controller");
		return;
	}
	gic_init_cpu();
	dist = gic_dist_base();
	fill_words = bootarg_u64("fill", 1) << 17;
	for (uint64_t i = 0; i < fill_words; i++)
		w[i] = pattern(i);
	sum = checksum();
	write_sysreg(tpidr_el1, 0x7e1d0001UL);
	write_sysreg(tpidr_el0, 0x7e1d0000UL);
	/* A disabled SPI left pending: it waits in the distributor, wakes nothing. */
	*(volatile uint32_t *)(dist + 0x200 + 4 * (PENDING_SPI / 32)) = 1U << (PENDING_SPI % 32);
	gic_enable_irq(VTIMER_PPI);
	cval = read_vcounter() + wait_s * freq;
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	pcval = read_sysreg(cntpct_el0) + 1000 * freq;
	write_sysreg(cntp_cval_el0, pcval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	for (uint64_t off = 0; off < (bootarg_u64("touch", 0) << 20); off += 4096)
		(void)w[fill_words + busy_words + off / 8];
	report_info("migrate: ready, counter at %lu Hz, timer due at %lu", freq, cval);
	if (busy_words)
		back = busy_with_registers(regs, w + fill_words, busy_words, &wakes, &seen);
	else
		back = wait_with_registers(regs, &wakes, &seen);
	report_info("migrate: timer fired at %lu after %lu wakes", seen, wakes);
	for (unsigned int i = 0; i < 10; i++)
		regs_ok &= regs[i] == SEED + i;
	report(regs_ok, "x19-x28 held their values");
	report(read_sysreg(tpidr_el1) == 0x7e1d0001UL && read_sysreg(tpidr_el0) == 0x7e1d0000UL,
	       "TPIDR_EL1 and TPIDR_EL0 held their values");
	report(checksum() == sum, "%lu MiB of RAM has its checksum (0x%lx)", fill_words >> 17, sum);
	report(*(volatile uint32_t *)(dist + 0x200 + 4 * (PENDING_SPI / 32)) &
		       (1U << (PENDING_SPI % 32)),
	       "SPI %u is still pending", PENDING_SPI);
	report(read_sysreg(cntfrq_el0) == freq, "the counter's frequency is still %lu Hz", freq);
	report(seen >= cval, "the timer fired at its guest time or after (%lu >= %lu)", seen, cval);
	report(back == 0, "the counter never went back (%lu backward steps in %lu wakes)", back,
	       wakes);
	report(read_sysreg(cntp_cval_el0) == pcval &&
		       (read_sysreg(cntp_ctl_el0) & (CTL_ENABLE | CTL_ISTATUS)) == CTL_ENABLE,
	       "the physical timer kept its CVAL and is armed, not fired");
	if (busy_words) {
		uint64_t wrong = busy_wrong(w + fill_words, busy_words, wakes);

		report(!wrong,
		       "%lu KiB rewritten %lu times hold the last pass's values (%lu words wrong)",
		       busy_words * 8 / 1024, wakes, wrong);
	}
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
}
