/* SPDX-License-Identifier: MIT */
/*
 * The host's serial port (PL011 and SBSA UART for now; the functions below are
 * what another UART, a 16550 say, would provide). Polled until
 * uart_enable_irq(): then received bytes are taken by the interrupt into a
 * ring, and written bytes are queued in a transmit ring that the interrupt
 * drains as the FIFO empties, so writers never wait for the line. A full
 * ring drops, counted.
 */
#ifndef SKIFF_PLATFORM_UART_H
#define SKIFF_PLATFORM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

struct uart_stats {
	uint64_t tx_bytes, tx_dropped; /* queued, and refused for a full ring */
	uint64_t rx_dropped;	       /* received with the ring full */
	uint64_t irqs;
};

/* Returns false if the UART is of a kind Skiff has no driver for. */
bool uart_init(const struct platform_uart *desc);
/* Writes @len bytes, turning "\n" into "\r\n"; queued once interrupts are on. */
void uart_write(const char *s, size_t len);
/* Writes waiting for the FIFO, and stays so (a panic: nothing else runs). */
void uart_write_sync(const char *s, size_t len);
/* Bytes the transmit ring can take now. */
size_t uart_tx_room(void);
/* A received byte, or -1 when none is waiting. */
int uart_getc(void);
/* The UART's interrupt (an SPI's INTID), 0 if the firmware named none. */
unsigned int uart_intid(void);
/* Receive and transmit by interrupt from now on (the caller routes the interrupt). */
void uart_enable_irq(void);
/* The UART's interrupt; returns how many bytes it received. */
unsigned int uart_irq(void);
void uart_get_stats(struct uart_stats *out);

#endif
