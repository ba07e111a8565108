// SPDX-License-Identifier: MIT
/*
 * A console to talk to: prints a banner and "lines=N" numbered lines (bootargs,
 * default 0), then answers every line typed to its UART with "got: LINE",
 * echoing characters as they come like a terminal's shell. With "dcc=1" it
 * also writes a line to its DCC console (a CPU with DBGDTRTX_EL0) and answers
 * lines typed to that console there the same way, "dcc got: LINE". Polls the
 * UART's receive FIFO and MDCCSR_EL0.RXfull; runs forever. For the console
 * tests (docs/console.md).
 */
#include "libguest.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_RXFE (1U << 4)
#define MDCCSR_RX   (1UL << 30)

struct line {
	char text[80];
	unsigned int len;
};

static int getc_poll(void)
{
	const volatile uint32_t *uart = (const volatile uint32_t *)GUEST_UART_BASE;

	if (uart[UARTFR / 4] & UARTFR_RXFE)
		return -1;
	return (int)(uart[UARTDR / 4] & 0xff);
}

static int dcc_getc_poll(void)
{
	if (!(read_sysreg(mdccsr_el0) & MDCCSR_RX))
		return -1;
	return (int)(read_sysreg(dbgdtrrx_el0) & 0xff);
}

static void dcc_puts(const char *s)
{
	for (; *s; s++)
		write_sysreg(dbgdtrtx_el0, *s);
}

static void uart_puts(const char *s)
{
	printf("%s", s);
}

/* One typed byte: echoed, and a whole line answered with "PREFIXgot: LINE". */
static void take(struct line *l, int c, const char *prefix, void (*puts)(const char *))
{
	char echo[2] = { (char)c, '\0' };

	if (c == '\r' || c == '\n') {
		l->text[l->len] = '\0';
		puts("\n");
		puts(prefix);
		puts("got: ");
		puts(l->text);
		puts("\n");
		l->len = 0;
	} else if (l->len < sizeof(l->text) - 1) {
		l->text[l->len++] = (char)c;
		puts(echo);
	}
}

void main_test(void)
{
	uint64_t lines = bootarg_u64("lines", 0);
	bool dcc = bootarg_u64("dcc", 0);
	struct line uart_line = { .len = 0 }, dcc_line = { .len = 0 };

	printf("echo: ready\n");
	if (dcc)
		dcc_puts("echo: hello over the DCC\n");
	for (uint64_t i = 1; i <= lines; i++)
		printf("echo: line %lu of %lu\n", (unsigned long)i, (unsigned long)lines);
	for (;;) {
		int c = getc_poll();

		if (c >= 0)
			take(&uart_line, c, "", uart_puts);
		c = dcc ? dcc_getc_poll() : -1;
		if (c >= 0)
			take(&dcc_line, c, "dcc ", dcc_puts);
	}
}
