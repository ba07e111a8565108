// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <string.h>

#include "platform/uart.h"
#include "lib/spinlock.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTIFLS    0x034
#define UARTIMSC    0x038
#define UARTMIS	    0x040
#define UARTICR	    0x044
#define UARTFR_RXFE (1U << 4)
#define UARTFR_TXFF (1U << 5)
#define UART_RXI    (1U << 4)
#define UART_TXI    (1U << 5)
#define UART_RTI    (1U << 6)
#define IFLS_HALF   ((2U << 3) | 2U) /* receive and transmit at half full */

#define TX_RING 32768 /* a power of two */
#define RX_RING 1024

static volatile uint32_t *uart_regs;
static unsigned int irq_intid;
static bool irq_mode;
/*
 * protects: tx_ring, tx_head, tx_tail, rx_ring, rx_head, rx_tail, stats, irq_mode
 * being set, and the UART's registers once interrupts are on. A leaf.
 */
static struct spinlock uart_lock;
static struct uart_stats stats;
static char tx_ring[TX_RING];
static uint32_t tx_head, tx_tail; /* free-running: bytes queued, bytes sent */
static char rx_ring[RX_RING];
static uint32_t rx_head, rx_tail;

bool uart_init(const struct platform_uart *desc)
{
	if (strcmp(desc->compatible, "arm,pl011") && strcmp(desc->compatible, "arm,sbsa-uart"))
		return false;
	/* Keep the firmware's line settings: the console already works at its baud rate. */
	uart_regs = (volatile uint32_t *)desc->regs.base;
	irq_intid = desc->irq.intid;
	return true;
}

unsigned int uart_intid(void)
{
	return irq_intid;
}

static void put_polled(char c)
{
	while (uart_regs[UARTFR / 4] & UARTFR_TXFF)
		;
	uart_regs[UARTDR / 4] = (uint8_t)c;
}

/* Moves queued bytes into the transmit FIFO while it has room; the lock is held. */
static void tx_fill(void)
{
	while (tx_tail != tx_head && !(uart_regs[UARTFR / 4] & UARTFR_TXFF)) {
		uart_regs[UARTDR / 4] = (uint8_t)tx_ring[tx_tail % TX_RING];
		tx_tail++;
	}
	/* More to send: the FIFO draining below half full asks for it. */
	if (tx_tail != tx_head)
		uart_regs[UARTIMSC / 4] |= UART_TXI;
	else
		uart_regs[UARTIMSC / 4] &= ~UART_TXI;
}

static void queue(char c)
{
	if (tx_head - tx_tail == TX_RING) {
		stats.tx_dropped++;
		return;
	}
	tx_ring[tx_head % TX_RING] = c;
	tx_head++;
	stats.tx_bytes++;
}

void uart_write(const char *s, size_t len)
{
	size_t i;

	if (!uart_regs)
		return;
	if (!irq_mode) {
		for (i = 0; i < len; i++) {
			if (s[i] == '\n')
				put_polled('\r');
			put_polled(s[i]);
		}
		return;
	}
	spin_lock(&uart_lock);
	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			queue('\r');
		queue(s[i]);
	}
	tx_fill();
	spin_unlock(&uart_lock);
}

void uart_write_sync(const char *s, size_t len)
{
	irq_mode = false; /* from here on, every byte waits for the FIFO (a panic) */
	uart_write(s, len);
}

size_t uart_tx_room(void)
{
	return irq_mode ? TX_RING - (tx_head - tx_tail) : TX_RING;
}

static int getc_polled(void)
{
	if (uart_regs[UARTFR / 4] & UARTFR_RXFE)
		return -1;
	return (int)(uart_regs[UARTDR / 4] & 0xff);
}

int uart_getc(void)
{
	int c = -1;

	if (!uart_regs)
		return -1;
	if (!irq_mode)
		return getc_polled();
	spin_lock(&uart_lock);
	if (rx_tail != rx_head)
		c = (unsigned char)rx_ring[rx_tail++ % RX_RING];
	spin_unlock(&uart_lock);
	return c;
}

void uart_enable_irq(void)
{
	if (!uart_regs)
		return;
	spin_lock(&uart_lock);
	uart_regs[UARTIFLS / 4] = IFLS_HALF;
	uart_regs[UARTICR / 4] = 0x7ff;
	uart_regs[UARTIMSC / 4] = UART_RXI | UART_RTI;
	irq_mode = true;
	spin_unlock(&uart_lock);
}

unsigned int uart_irq(void)
{
	unsigned int received = 0;
	int c;

	spin_lock(&uart_lock);
	/*
	 * Clear first, then drain: a byte arriving after the last read raises the
	 * interrupt again. (Cleared after, it would sit in a full FIFO unannounced.)
	 */
	uart_regs[UARTICR / 4] = UART_RXI | UART_RTI | UART_TXI;
	while ((c = getc_polled()) >= 0) {
		received++;
		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = (char)c;
		else
			stats.rx_dropped++; /* a full ring drops, counted */
	}
	tx_fill();
	stats.irqs++;
	spin_unlock(&uart_lock);
	return received;
}

void uart_get_stats(struct uart_stats *out)
{
	*out = stats;
}
