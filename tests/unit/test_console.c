// SPDX-License-Identifier: MIT
/*
 * The console in the SPCR and DBG2, and UARTs in the DSDT (src/acpi/serial.c), on
 * tests/unit/dts/consoles.dts: one UART of each kind, /chosen/stdout-path pointed at
 * each in turn, in each of the forms a tree may use; what is written is read back at
 * the offsets Microsoft's SPCR (revision 4) and DBG2 specifications give. The expected
 * values are worked out from the .dts by hand.
 */
#define _GNU_SOURCE /* memmem */
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi/dt2acpi.h"
#include "acpi/serial.h"
#include "platform/dt.h"
#include "dtb_file.h"

#define SOC 0x10000000UL

static uint8_t dtb[1 << 16];
static uint8_t buf[1 << 17];
static struct acpi_tables t;
static char notes[16384], warnings[4096];

static void collect(char *to, size_t cap, const char *fmt, va_list ap)
{
	size_t used = strlen(to);

	vsnprintf(to + used, cap - used, fmt, ap);
	strncat(to, "\n", cap - strlen(to) - 1);
}

static void collect_note(void *ctx, const char *fmt, va_list ap)
{
	(void)ctx;
	collect(notes, sizeof(notes), fmt, ap);
}

static void collect_warning(void *ctx, const char *fmt, va_list ap)
{
	(void)ctx;
	collect(warnings, sizeof(warnings), fmt, ap);
}

static void load(void)
{
	dtb_file_load("consoles", dtb, sizeof(dtb));
	assert_int_equal(fdt_open_into(dtb, dtb, sizeof(dtb)), 0); /* room for edits */
}

static int chosen(void)
{
	int node = fdt_path_offset(dtb, "/chosen");

	assert_true(node >= 0);
	return node;
}

static void set_stdout(const char *prop, const char *value)
{
	assert_int_equal(fdt_setprop_string(dtb, chosen(), prop, value), 0);
}

static void build(void)
{
	struct acpi_options opt = { .note = collect_note, .warn = collect_warning };
	char err[200];

	notes[0] = warnings[0] = 0;
	acpi_tables_init(&t, buf, sizeof(buf), 0x40000000);
	assert_int_equal(acpi_from_dt(dtb_open(dtb), &t, &opt, err, sizeof(err)), 0);
}

static const uint8_t *table(const char *sig, size_t *len)
{
	int i = acpi_table_find(&t, sig);

	*len = 0;
	if (i < 0)
		return NULL;
	*len = t.table[i].len;
	return t.buf + t.table[i].offset;
}

/* The SPCR, which must be there. */
static const uint8_t *spcr_table(void)
{
	size_t len;
	const uint8_t *p = table("SPCR", &len);

	assert_non_null(p);
	return p;
}

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static bool contains(const uint8_t *p, size_t len, const void *what, size_t wlen)
{
	return memmem(p, len, what, wlen) != NULL;
}

/* A device's _HID: Name (_HID, "ID") or, for a PNP ID, Name (_HID, EisaId ("ID")). */
static bool has_hid(const char *id)
{
	size_t len;
	const uint8_t *dsdt = table("DSDT", &len);
	uint8_t aml[16] = { 0x08, '_', 'H', 'I', 'D' };

	if (!strncmp(id, "PNP", 3)) {
		/* EISA: 3 letters of 5 bits, 4 hex digits, stored big-endian. */
		uint32_t v = (uint32_t)(id[0] - 0x40) << 26 | (uint32_t)(id[1] - 0x40) << 21 |
			     (uint32_t)(id[2] - 0x40) << 16 | (uint32_t)strtoul(id + 3, NULL, 16);

		aml[5] = 0x0c;
		for (int i = 0; i < 4; i++)
			aml[6 + i] = (uint8_t)(v >> (24 - 8 * i));
		return contains(dsdt, len, aml, 10);
	}
	aml[5] = 0x0d;
	memcpy(aml + 6, id, strlen(id) + 1);
	return contains(dsdt, len, aml, 6 + strlen(id) + 1);
}

/* What the SPCR and DBG2 must say for one console. */
struct expect {
	const char *stdout_path;
	uint8_t subtype;
	uint8_t bit_width, access; /* the Generic Address Structure */
	uint64_t base;
	uint32_t size; /* DBG2's */
	uint32_t gsiv;
	uint8_t baud_code;
	uint32_t precise_baud, clock_hz;
	const char *hid; /* of its DSDT device */
};

static const struct expect kinds[] = {
	{ "serial0:115200n8", 0x03, 32, 3, SOC + 0x1000, 0x1000, 33, 7, 0, 24000000, "ARMH0011" },
	{ "serial1", 0x0e, 32, 3, SOC + 0x2000, 0x1000, 34, 7, 0, 0, "ARMHB000" },
	{ "serial2:9600", 0x12, 8, 1, SOC + 0x3000, 0x100, 35, 3, 0, 1843200, "PNP0501" },
	{ "serial3:57600", 0x12, 32, 3, SOC + 0x4000, 0x100, 36, 6, 0, 0, "PRP0001" },
	{ "serial4:1500000n8", 0x12, 32, 3, SOC + 0x5000, 0x100, 37, 0, 1500000, 24000000,
	  "PRP0001" },
	{ "serial5:115200n8", 0x05, 32, 3, SOC + 0x6000, 0x40, 38, 7, 0, 0, "NVDA0100" },
	{ "serial6:115200n8", 0x10, 32, 3, SOC + 0x7000, 0x80, 39, 7, 0, 0, "BCM2836" },
	{ "serial7:19200", 0x0c, 32, 3, SOC + 0x8000, 0x1000, 40, 4, 0, 0, "PRP0001" },
	{ "serial8:115200n8", 0x06, 32, 1, SOC + 0x9000, 0x100, 41, 7, 0, 48000000, "PRP0001" },
	{ "serial11:115200n8", 0x12, 32, 1, SOC + 0xc000, 0x100, 44, 7, 0, 1843200, "PRP0001" },
	{ "serial12:115200n8", 0x12, 8, 1, SOC + 0xd000, 0x100, 45, 7, 0, 0, "PRP0001" },
};

static void check_console(const struct expect *e, const char *path)
{
	size_t len, dlen;
	const uint8_t *spcr = table("SPCR", &len), *dbg2 = table("DBG2", &dlen);

	assert_non_null(spcr);
	assert_non_null(dbg2);
	assert_int_equal(spcr[8], 4);		/* revision 4 */
	assert_int_equal(spcr[36], e->subtype); /* interface type */
	assert_int_equal(spcr[40], 0);		/* system memory */
	assert_int_equal(spcr[41], e->bit_width);
	assert_int_equal(spcr[43], e->access);
	assert_int_equal(le(spcr + 44, 8), e->base);
	assert_int_equal(spcr[52], 8); /* GIC */
	assert_int_equal(le(spcr + 54, 4), e->gsiv);
	assert_int_equal(spcr[58], e->baud_code);
	assert_int_equal(spcr[60], 1); /* 1 stop bit */
	assert_int_equal(le(spcr + 64, 2), 0xffff);
	assert_int_equal(le(spcr + 76, 4), e->clock_hz);
	assert_int_equal(le(spcr + 80, 4), e->precise_baud);
	assert_int_equal(le(spcr + 84, 2), strlen(path) + 1);
	assert_int_equal(le(spcr + 86, 2), 88);
	assert_string_equal((const char *)spcr + 88, path);
	assert_int_equal(len, 88 + strlen(path) + 1);

	assert_int_equal(le(dbg2 + 36, 4), 44);		 /* the first device */
	assert_int_equal(le(dbg2 + 44 + 12, 2), 0x8000); /* serial */
	assert_int_equal(le(dbg2 + 44 + 14, 2), e->subtype);
	assert_int_equal(dbg2[44 + 22 + 1], e->bit_width);
	assert_int_equal(dbg2[44 + 22 + 3], e->access);
	assert_int_equal(le(dbg2 + 44 + 22 + 4, 8), e->base);
	assert_int_equal(le(dbg2 + 44 + 34, 4), e->size);
	assert_string_equal((const char *)dbg2 + 44 + 38, path);
	assert_true(has_hid(e->hid));
}

/* Each kind's interface type, register access, base, interrupt, baud, clock and ID. */
static void test_every_kind_of_uart_as_the_console(void **state)
{
	char path[16];

	(void)state;
	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		print_message("stdout-path = \"%s\"\n", kinds[i].stdout_path);
		load();
		set_stdout("stdout-path", kinds[i].stdout_path);
		build();
		/* UARTs of known kinds are COMn in tree order, as this table is. */
		snprintf(path, sizeof(path), "\\_SB.COM%X", i);
		check_console(&kinds[i], path);
		assert_string_equal(warnings, "");
	}
}

/* PNP0501's driver assumes byte registers and 1.8432 MHz: only a UART like that gets it. */
static void test_pnp0501_only_where_8250_pnp_drives_it_right(void **state)
{
	(void)state;
	load();
	build();
	assert_non_null(strstr(notes, "/soc/serial@3000: ns16550a -> \\_SB.COM2 (PNP0501)"));
	assert_non_null(strstr(notes, "/soc/serial@4000: ns16550a, not PNP0501: 8250_pnp "
				      "drives byte registers at a 1-byte stride only"));
	assert_non_null(strstr(notes, "/soc/serial@c000: ns16550a, not PNP0501: 8250_pnp "
				      "drives byte registers at a 1-byte stride only"));
	assert_non_null(strstr(notes, "/soc/serial@d000: ns16550a, not PNP0501: its clock rate "
				      "is not in the tree"));
	assert_non_null(strstr(notes, "/soc/serial@5000: DesignWare 16550 UART"));
	/* The mini UART's device starts at the auxiliary block, 0x40 before its registers. */
	assert_non_null(strstr(notes, "/soc/aux@7000/serial@7040: brcm,bcm2835-aux-uart -> "
				      "\\_SB.COM6 (BCM2836)"));
}

/* A clock given only through a phandle reaches PRP0001's _DSD as "clock-frequency". */
static void test_uart_clock_reaches_dsd(void **state)
{
	static const uint8_t rate_24m[] = { 0x0c, 0x00, 0x36, 0x6e, 0x01 }; /* DWord 24000000 */
	static const uint8_t rate_99m[] = { 0x0c, 0xc0, 0x9e, 0xe6, 0x05 }; /* DWord 99000000 */
	static const char clock[] = "clock-frequency";
	size_t len;
	const uint8_t *dsdt, *p;

	(void)state;
	load();
	build();
	dsdt = table("DSDT", &len);
	p = memmem(dsdt, len, "rockchip,rk3399-uart", 20);
	assert_non_null(p);
	p = memmem(p, len - (size_t)(p - dsdt), clock, sizeof(clock));
	assert_non_null(p);
	assert_memory_equal(p + sizeof(clock), rate_24m, sizeof(rate_24m));
	/* A clock controller's own rate is no UART's. */
	assert_false(contains(dsdt, len, rate_99m, sizeof(rate_99m)));
}

/* /chosen's console in every form: path, alias, linux,stdout-path, /aliases/stdout. */
static void test_stdout_path_forms(void **state)
{
	const uint8_t *spcr;

	(void)state;
	load();
	set_stdout("stdout-path", "/soc/serial@8000:9600");
	build();
	spcr = spcr_table();
	assert_int_equal(le(spcr + 44, 8), SOC + 0x8000);
	assert_int_equal(spcr[58], 3);

	load();
	set_stdout("stdout-path", "serial5");
	build();
	spcr = spcr_table();
	assert_int_equal(spcr[36], 0x05);
	assert_int_equal(spcr[58], 0); /* no options, no current-speed: as is */

	load();
	assert_int_equal(fdt_delprop(dtb, chosen(), "stdout-path"), 0);
	set_stdout("linux,stdout-path", "serial8:57600n8r");
	build();
	spcr = spcr_table();
	assert_int_equal(spcr[36], 0x06);
	assert_int_equal(spcr[58], 6);
	assert_int_equal(spcr[61], 2); /* RTS/CTS */

	load();
	assert_int_equal(fdt_delprop(dtb, chosen(), "stdout-path"), 0);
	assert_int_equal(fdt_setprop_string(dtb, fdt_path_offset(dtb, "/aliases"), "stdout",
					    "/soc/serial@2000"),
			 0);
	build();
	spcr = spcr_table();
	assert_int_equal(spcr[36], 0x0e);
	assert_int_equal(spcr[58], 7); /* its current-speed */
	assert_string_equal(warnings, "");
}

/* A stdout-path naming nothing usable is said, and the first known UART taken. */
static void test_stdout_path_naming_nothing_warns(void **state)
{
	static const struct {
		const char *value, *warning;
	} cases[] = {
		{ "serial42:115200n8", "stdout-path \"serial42:115200n8\" names an alias that "
				       "/aliases does not have" },
		{ "/soc/serial@e000", "stdout-path \"/soc/serial@e000\" names no node" },
		{ "gone", "stdout-path \"gone\" names no node" },
		{ "serial10:115200n8", "stdout-path \"serial10:115200n8\" names "
				       "/soc/serial@b000, which is disabled" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load();
		set_stdout("stdout-path", cases[i].value);
		build();
		assert_non_null(strstr(warnings, cases[i].warning));
		assert_non_null(
			strstr(warnings, "the first UART of a known kind is taken instead"));
		/* The first: serial@1000. */
		assert_int_equal(le(spcr_table() + 44, 8), SOC + 0x1000);
	}
	/* An alias naming itself (libfdt 1.6 recursed on it until the stack ran out). */
	load();
	assert_int_equal(fdt_setprop_string(dtb, fdt_path_offset(dtb, "/aliases"), "loop", "loop"),
			 0);
	set_stdout("stdout-path", "loop");
	build();
	assert_non_null(strstr(warnings, "stdout-path \"loop\" names no node"));
	assert_int_equal(le(spcr_table() + 44, 8), SOC + 0x1000);
	load();
	assert_int_equal(fdt_setprop_u32(dtb, chosen(), "stdout-path", 7), 0);
	build();
	assert_non_null(strstr(warnings, "stdout-path is not a string"));
	load();
	set_stdout("stdout-path", "serial0:fast");
	build();
	assert_non_null(strstr(warnings, "options \"fast\" are not of the form 115200n8"));
	assert_int_equal(spcr_table()[58], 0);
}

/* Without a stdout-path, the first UART of a known kind (as before); an unknown one: none. */
static void test_console_without_stdout_path_or_type(void **state)
{
	size_t len;
	const uint8_t *spcr;

	(void)state;
	load();
	assert_int_equal(fdt_delprop(dtb, chosen(), "stdout-path"), 0);
	build();
	spcr = spcr_table();
	assert_int_equal(le(spcr + 44, 8), SOC + 0x1000);
	assert_string_equal(warnings, "");
	assert_non_null(strstr(notes, "/chosen names no console"));

	load();
	set_stdout("stdout-path", "serial9:115200n8");
	build();
	assert_null(table("SPCR", &len));
	assert_null(table("DBG2", &len));
	assert_non_null(strstr(notes, "the console /soc/serial@a000 ('amlogic,meson-gx-uart') is "
				      "not a UART they have a type for"));
}

static void test_uart_options_parse(void **state)
{
	struct dt_uart_options o;

	(void)state;
	assert_true(dt_uart_options("115200n8", &o));
	assert_int_equal(o.baud, 115200);
	assert_int_equal(o.parity, 'n');
	assert_int_equal(o.bits, 8);
	assert_false(o.rtscts);
	assert_true(dt_uart_options("1500000", &o));
	assert_int_equal(o.baud, 1500000);
	assert_true(dt_uart_options("9600e7r", &o));
	assert_int_equal(o.parity, 'e');
	assert_int_equal(o.bits, 7);
	assert_true(o.rtscts);
	assert_true(dt_uart_options(NULL, &o));
	assert_int_equal(o.baud, 0);
	assert_true(dt_uart_options("", &o));
	assert_false(dt_uart_options("fast", &o));
	assert_false(dt_uart_options("115200x", &o));
	assert_false(dt_uart_options("99999999999", &o));
}

/* What Skiff reads back from an SPCR (its own or a firmware's). */
static void test_reader_names_each_interface_type(void **state)
{
	(void)state;
	assert_string_equal(acpi_uart_compatible_of_subtype(0x03), "arm,pl011");
	assert_string_equal(acpi_uart_compatible_of_subtype(0x0e), "arm,sbsa-uart");
	assert_string_equal(acpi_uart_compatible_of_subtype(0x0d), "arm,sbsa-uart");
	assert_string_equal(acpi_uart_compatible_of_subtype(0x12), "ns16550a");
	assert_string_equal(acpi_uart_compatible_of_subtype(0x00), "ns16550a");
	assert_string_equal(acpi_uart_compatible_of_subtype(0x10), "brcm,bcm2835-aux-uart");
	assert_null(acpi_uart_compatible_of_subtype(0x13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_of_uart_as_the_console),
		cmocka_unit_test(test_pnp0501_only_where_8250_pnp_drives_it_right),
		cmocka_unit_test(test_uart_clock_reaches_dsd),
		cmocka_unit_test(test_stdout_path_forms),
		cmocka_unit_test(test_stdout_path_naming_nothing_warns),
		cmocka_unit_test(test_console_without_stdout_path_or_type),
		cmocka_unit_test(test_uart_options_parse),
		cmocka_unit_test(test_reader_names_each_interface_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
