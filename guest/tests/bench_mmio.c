// SPDX-License-Identifier: MIT
/*
 * Emulated-device benchmark: counter ticks around N reads of the PL011's flag
 * register (each one a stage-2 data abort that Skiff's MMIO table serves) and
 * around the same loop reading guest RAM instead. bench/run.py turns the ticks
 * into instructions under QEMU -icount shift=0.
 */
#include "libguest.h"

#define N      20000U
#define UARTFR 0x018

static uint64_t read_loop(volatile uint32_t *reg)
{
	uint64_t t0 = read_vcounter();

	for (unsigned int i = 0; i < N; i++)
		(void)*reg;
	return read_vcounter() - t0;
}

void main_test(void)
{
	static volatile uint32_t ram_word;
	uint64_t mmio, ram;

	ram_word = 1;
	(void)read_loop(&ram_word); /* map the page first: no fault inside the timing */
	mmio = read_loop((volatile uint32_t *)(GUEST_UART_BASE + UARTFR));
	ram = read_loop(&ram_word);
	printf("bench: cntfrq hz=%lu\n", (unsigned long)read_sysreg(cntfrq_el0));
	printf("bench: pl011_read ticks=%lu iterations=%u\n", (unsigned long)mmio, N);
	printf("bench: ram_read ticks=%lu iterations=%u\n", (unsigned long)ram, N);
	report(mmio > ram, "an emulated register read costs more than a RAM read");
}
