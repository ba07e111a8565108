// SPDX-License-Identifier: MIT
/*
 * A console to talk to: prints a banner and "lines=N" numbered lines (bootargs,
 * default 0), then answers every line typed to its UART with "got: LINE",
 * echoing characters as they come like a terminal's shell. With "dcc=1" it
 * also writes a line to its DCC console (a CPU with DBGDTRTX_EL0). Polls the
 * UART's receive FIFO; runs forever. For the console tests (docs/console.md).
 */
#include "libguest.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_RXFE (1U << 4)

static int getc_poll(void)
{
	const volatile uint32_t *uart = (const volatile uint32_t *)GUEST_UART_BASE;

	if (uart[UARTFR / 4] & UARTFR_RXFE)
		return -1;
	return (int)(uart[UARTDR / 4] & 0xff);
}

void main_test(void)
{
	uint64_t lines = bootarg_u64("lines", 0);
	char line[80];
	unsigned int len = 0;

	printf("echo: ready\n");
	if (bootarg_u64("dcc", 0))
		for (const char *s = "echo: hello over the DCC\n"; *s; s++)
			write_sysreg(dbgdtrtx_el0, *s);
	for (uint64_t i = 1; i <= lines; i++)
		printf("echo: line %lu of %lu\n", (unsigned long)i, (unsigned long)lines);
	for (;;) {
		int c = getc_poll();

		if (c < 0)
			continue;
		if (c == '\r' || c == '\n') {
			line[len] = '\0';
			printf("\ngot: %s\n", line);
			len = 0;
		} else if (len < sizeof(line) - 1) {
			line[len++] = (char)c;
			printf("%c", c);
		}
	}
}
