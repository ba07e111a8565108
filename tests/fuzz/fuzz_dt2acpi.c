// SPDX-License-Identifier: MIT
/*
 * Device tree -> ACPI (acpi/dt2acpi.c, dsdt.c, aml.c, table.c) on any blob
 * whose header holds, as the dt2acpi tool and Skiff take them: for the host
 * (no explanations) and for a VM (every explanation formatted). What it builds
 * is checked: every table's length and checksum, the DSDT one scope whose
 * package length is the table's body, and Skiff's own ACPI reader reads the
 * tables back into the platform the tree describes (GIC, console).
 */
#include <libfdt.h>

#include "acpi/dt2acpi.h"
#include "acpi/reader.h"
#include "lib/format.h"
#include "platform/platform.h"
#include "fuzz.h"

#define BASE	    0x40000000UL
#define TABLES_SIZE (64UL << 10) /* what Skiff gives its own and its VMs' tables */
#define SCOPE_OP    0x10

#define ROOM 4096 /* nodes indexed; a bigger tree is read with libfdt alone */

static uint8_t *tables; /* exactly TABLES_SIZE on the heap: overruns are caught */
static struct dt_node room[ROOM];
static struct dt dt;

FUZZ_ORACLE static void note(void *ctx, const char *fmt, va_list ap)
{
	char line[200];

	(void)ctx;
	format_v(line, sizeof(line), fmt, ap);
}

FUZZ_ORACLE static const void *map(void *ctx, uint64_t pa, size_t len)
{
	const struct acpi_tables *t = ctx;

	if (pa < BASE || pa - BASE > t->len || len > t->len - (pa - BASE))
		return NULL;
	return t->buf + (pa - BASE);
}

FUZZ_ORACLE static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* A package length (ACPI 6.4, 20.2.4) at @p; its size in *@n. */
FUZZ_ORACLE static size_t pkglen(const uint8_t *p, unsigned int *n)
{
	size_t v;

	*n = 1 + (p[0] >> 6);
	if (*n == 1)
		return p[0] & 0x3f;
	v = p[0] & 0xf;
	for (unsigned int i = 1; i < *n; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

FUZZ_ORACLE static void check_tables(const struct acpi_tables *t)
{
	FUZZ_CHECK(t->count >= 2 && t->len <= t->cap, "%u tables, %zu bytes", t->count, t->len);
	FUZZ_CHECK(!acpi_checksum(t->buf, 20) && !acpi_checksum(t->buf, 36), "RSDP checksum");
	for (unsigned int i = 1; i < t->count; i++) {
		const struct acpi_table_ref *r = &t->table[i];
		const uint8_t *p = t->buf + r->offset;

		FUZZ_CHECK(r->offset + r->len <= t->len, "%s beyond the tables", r->sig);
		FUZZ_CHECK(le(p + 4, 4) == r->len && !memcmp(p, r->sig, 4), "%s header", r->sig);
		FUZZ_CHECK(!acpi_checksum(p, r->len), "%s checksum", r->sig);
		if (!strcmp(r->sig, "DSDT")) {
			unsigned int n;

			FUZZ_CHECK(r->len > ACPI_HEADER_SIZE + 1 && p[ACPI_HEADER_SIZE] == SCOPE_OP,
				   "DSDT does not start with a scope");
			FUZZ_CHECK(pkglen(p + ACPI_HEADER_SIZE + 1, &n) ==
					   r->len - ACPI_HEADER_SIZE - 1,
				   "DSDT scope's package length %zu, body %zu",
				   pkglen(p + ACPI_HEADER_SIZE + 1, &n),
				   r->len - ACPI_HEADER_SIZE - 1);
		}
	}
}

/*
 * /chosen names an enabled PL011 or SBSA UART (the UARTs Skiff drives) and Skiff took it:
 * then the SPCR, which follows /chosen too, must name the same one. Elsewhere the two
 * may differ (docs/acpi.md: Skiff keeps the console it started on).
 */
FUZZ_ORACLE static bool names_driven_console(const struct platform *found)
{
	int node = dt_stdout_node(&dt);

	return node >= 0 && dt_node_enabled(&dt, node) &&
	       (!strcmp(found->uart.compatible, "arm,pl011") ||
		!strcmp(found->uart.compatible, "arm,sbsa-uart"));
}

/* The tree's devices as discovery finds them: once per input, for both conversions. */
static struct platform found;
static bool found_known;

/* The tables read back describe the tree's GIC and console (as above). */
FUZZ_ORACLE static void read_back(struct acpi_tables *t)
{
	static struct platform acpi;
	char err[200];

	memset(&acpi, 0, sizeof(acpi));
	if (!found_known) {
		FUZZ_CHECK(!platform_discover_devices(&dt, &found, err, sizeof(err)),
			   "tables built from a tree the discovery refuses: %s", err);
		found_known = true;
	}
	if (acpi_read_platform(BASE, map, t, &acpi, err, sizeof(err))) {
		FUZZ_CHECK(strstr(err, "more CPUs than Skiff supports"),
			   "the reader refuses the generated tables: %s", err);
		return;
	}
	FUZZ_CHECK(acpi.gic.version == found.gic.version &&
			   acpi.gic.dist.base == found.gic.dist.base,
		   "GICv%u at 0x%lx read back as GICv%u at 0x%lx", found.gic.version,
		   (unsigned long)found.gic.dist.base, acpi.gic.version,
		   (unsigned long)acpi.gic.dist.base);
	if (acpi_table_find(t, "SPCR") < 0 || !names_driven_console(&found))
		return;
	FUZZ_CHECK(acpi.uart.regs.base == found.uart.regs.base,
		   "console at 0x%lx read back at 0x%lx", (unsigned long)found.uart.regs.base,
		   (unsigned long)acpi.uart.regs.base);
	/* The SPCR has a GSIV only for a GIC SPI; Skiff's own reading takes any 3-cell one. */
	FUZZ_CHECK(!acpi.uart.irq.intid || acpi.uart.irq.intid == found.uart.irq.intid,
		   "console interrupt %u read back as %u", found.uart.irq.intid,
		   acpi.uart.irq.intid);
}

static void convert(bool guest)
{
	struct acpi_options opt = { .guest = guest, .note = guest ? note : NULL, .warn = note };
	struct acpi_tables t;
	char err[200] = "";

	acpi_tables_init(&t, tables, TABLES_SIZE, BASE);
	if (acpi_from_dt(&dt, &t, &opt, err, sizeof(err))) {
		FUZZ_CHECK(strlen(err) > 10 && fuzz_terminated(err, sizeof(err)),
			   "refusal without a reason: \"%s\"", err);
		return;
	}
	check_tables(&t);
	read_back(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!tables)
		tables = malloc(TABLES_SIZE);
	if (size < sizeof(struct fdt_header) || fdt_check_header(data) ||
	    fdt_totalsize(data) > size)
		return 0;
	found_known = false;
	/* For the host with the index, for a VM without: both paths of platform/dt.c. */
	dt_open(&dt, data, room, ROOM);
	convert(false);
	dt_open(&dt, data, NULL, 0);
	convert(true);
	return 0;
}
