// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include "lib/format.h"
#include "libguest.h"

#define UARTDR	    0x000
#define UARTFR	    0x018
#define UARTFR_TXFF (1U << 5)

static void putc_raw(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)GUEST_UART_BASE;

	while (uart[UARTFR / 4] & UARTFR_TXFF)
		;
	uart[UARTDR / 4] = (uint8_t)c;
}

void puts_raw(const char *s)
{
	while (*s)
		putc_raw(*s++);
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];

	format_v(buf, sizeof(buf), fmt, ap);
	puts_raw(buf);
}

void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static unsigned int tests_run, tests_failed;

static void report_v(bool ok, const char *directive, const char *fmt, va_list ap)
{
	char name[160];

	format_v(name, sizeof(name), fmt, ap);
	tests_run++;
	if (!ok)
		tests_failed++;
	printf("%s %u - %s%s\n", ok ? "ok" : "not ok", tests_run, name, directive);
}

void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(ok, "", fmt, ap);
	va_end(ap);
}

void report_skip(const char *reason, const char *fmt, ...)
{
	char directive[96];
	va_list ap;

	format(directive, sizeof(directive), " # SKIP %s", reason);
	va_start(ap, fmt);
	report_v(true, directive, fmt, ap);
	va_end(ap);
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	puts_raw("# ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	puts_raw("\n");
}

unsigned int report_summary(void)
{
	printf("1..%u\n", tests_run);
	if (tests_failed)
		report_info("%u of %u failed", tests_failed, tests_run);
	return tests_failed;
}
