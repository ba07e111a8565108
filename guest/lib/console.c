// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <stdarg.h>
#include <string.h>

#include "lib/format.h"
#include "libguest.h"

#define UARTDR		  0x000
#define UARTFR		  0x018
#define UARTFR_TXFF	  (1U << 5)
#define UART8250_LSR	  5
#define UART8250_LSR_THRE (1U << 5)

/*
 * The console is the UART the device tree at x0 names: /chosen/stdout-path, or else the
 * first PL011 (Skiff, QEMU), SBSA UART (Xen's vpl011) or 16550 (kvmtool) node. Without
 * a device tree (an ELF run on bare QEMU) it is QEMU's PL011 at GUEST_UART_BASE.
 */
static struct {
	uintptr_t base;
	bool is_8250;
	unsigned int shift; /* 8250: reg-shift */
} uart;

static const char *const uart_compatibles[] = { "arm,pl011", "arm,sbsa-uart", "ns16550a",
						"ns16550" };

static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "stdout-path", NULL);
	const char *colon;
	char name[64];
	size_t len;

	if (!path)
		return -1;
	colon = strchr(path, ':'); /* "path:options" */
	len = colon ? (size_t)(colon - path) : strlen(path);
	if (len >= sizeof(name))
		return -1;
	memcpy(name, path, len);
	name[len] = '\0';
	return fdt_path_offset(fdt, name);
}

static bool node_is_uart(const void *fdt, int node)
{
	for (size_t i = 0; i < sizeof(uart_compatibles) / sizeof(uart_compatibles[0]); i++)
		if (!fdt_node_check_compatible(fdt, node, uart_compatibles[i]))
			return true;
	return false;
}

static bool uart_from(const void *fdt, int node)
{
	const fdt32_t *reg, *shift;
	int len;

	if (node < 0 || !node_is_uart(fdt, node))
		return false;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < 8)
		return false;
	/* Every VM's root has #address-cells = 2 (Skiff, Xen, kvmtool, QEMU). */
	uart.base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
	uart.is_8250 = !fdt_node_check_compatible(fdt, node, "ns16550a") ||
		       !fdt_node_check_compatible(fdt, node, "ns16550");
	shift = fdt_getprop(fdt, node, "reg-shift", &len);
	uart.shift = shift && len == 4 ? fdt32_to_cpu(*shift) : 0;
	return true;
}

static void find_uart(void)
{
	const void *fdt = (const void *)boot_x0;

	uart.base = GUEST_UART_BASE;
	if (!fdt || fdt_check_header(fdt))
		return;
	if (uart_from(fdt, stdout_node(fdt)))
		return;
	for (size_t i = 0; i < sizeof(uart_compatibles) / sizeof(uart_compatibles[0]); i++)
		if (uart_from(fdt, fdt_node_offset_by_compatible(fdt, -1, uart_compatibles[i])))
			return;
}

static void putc_8250(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)uart.base;

	while (!(u[UART8250_LSR << uart.shift] & UART8250_LSR_THRE))
		;
	u[0] = (uint8_t)c;
}

static void putc_raw(char c)
{
	volatile uint32_t *u;

	if (!uart.base)
		find_uart();
	if (uart.is_8250) {
		putc_8250(c);
		return;
	}
	u = (volatile uint32_t *)uart.base;
	while (u[UARTFR / 4] & UARTFR_TXFF)
		;
	u[UARTDR / 4] = (uint8_t)c;
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
