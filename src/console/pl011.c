// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <string.h>

#include "console/uart.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_RXFE (1U << 4)
#define UARTFR_TXFF (1U << 5)

static volatile uint32_t *uart_regs;

bool uart_init(const struct platform_uart *desc)
{
	if (strcmp(desc->compatible, "arm,pl011") && strcmp(desc->compatible, "arm,sbsa-uart"))
		return false;
	/* Keep the firmware's line settings: the console already works at its baud rate. */
	uart_regs = (volatile uint32_t *)desc->regs.base;
	return true;
}

static void put_raw(char c)
{
	while (uart_regs[UARTFR / 4] & UARTFR_TXFF)
		;
	uart_regs[UARTDR / 4] = (uint8_t)c;
}

void uart_write(const char *s, size_t len)
{
	size_t i;

	if (!uart_regs)
		return;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_raw('\r');
		put_raw(s[i]);
	}
}

int uart_getc(void)
{
	if (!uart_regs || (uart_regs[UARTFR / 4] & UARTFR_RXFE))
		return -1;
	return (int)(uart_regs[UARTDR / 4] & 0xff);
}
