/* SPDX-License-Identifier: MIT */
/* The host's serial port (PL011 for now), polled transmit. */
#ifndef SKIFF_CONSOLE_UART_H
#define SKIFF_CONSOLE_UART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/platform.h"

/* Returns false if the UART is of a kind Skiff has no driver for. */
bool uart_init(const struct platform_uart *desc);
/* Writes @len bytes, turning "\n" into "\r\n". */
void uart_write(const char *s, size_t len);
/* A received byte, or -1 when none is waiting. */
int uart_getc(void);

#endif
