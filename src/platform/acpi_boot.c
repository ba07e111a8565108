// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/dt2acpi.h"
#include "acpi/reader.h"
#include "platform/acpi_boot.h"
#include "core/bootargs.h"
#include "core/log.h"
#include "core/mem.h"
#include "lib/format.h"

#define TABLES_SIZE (64UL << 10)

/* Tables live in RAM, which Skiff maps one to one: an address is usable if it is in RAM. */
static const void *map_ram(void *ctx, uint64_t pa, size_t len)
{
	const struct platform *plat = ctx;

	for (unsigned int i = 0; i < plat->nmem; i++) {
		const struct mem_range *m = &plat->mem[i];

		if (pa >= m->base && pa - m->base < m->size && len <= m->size - (pa - m->base))
			return (const void *)pa;
	}
	return NULL;
}

/* skiff.acpi=verbose: how each node maps, as dt2acpi --verbose says it. */
static void note(void *ctx, const char *fmt, va_list ap)
{
	char line[200];

	(void)ctx;
	format_v(line, sizeof(line), fmt, ap);
	log_info("acpi: %s", line);
}

/* What the generator found wrong in the tree (a stdout-path naming nothing, say). */
static void warn(void *ctx, const char *fmt, va_list ap)
{
	char line[200];

	(void)ctx;
	format_v(line, sizeof(line), fmt, ap);
	log_warn("acpi: %s", line);
}

/* Generates the tables from the device tree; returns the RSDP's address, 0 on failure. */
static uint64_t generate(const struct dt *dt, bool verbose)
{
	struct acpi_options opt = { .note = verbose ? note : NULL, .warn = warn };
	struct acpi_tables t;
	char err[160];
	void *buf = mem_alloc(TABLES_SIZE, 4096);

	if (!buf) {
		log_error("acpi: no memory for the tables: keeping the device tree's description");
		return 0;
	}
	acpi_tables_init(&t, buf, TABLES_SIZE, (uint64_t)buf);
	if (acpi_from_dt(dt, &t, &opt, err, sizeof(err))) {
		log_error("acpi: %s: keeping the device tree's description", err);
		mem_free(buf, TABLES_SIZE);
		return 0;
	}
	log_info("acpi: %u tables (%lu bytes) generated from the device tree at 0x%lx", t.count,
		 (unsigned long)t.len, (unsigned long)(uint64_t)buf);
	return (uint64_t)buf;
}

/* skiff.rsdp=ADDR: tables handed over by firmware or a boot loader. */
static uint64_t handed_over(const struct platform *plat)
{
	char val[24], *end;
	uint64_t pa;

	if (!bootargs_get(plat->bootargs, "rsdp", val, sizeof(val)))
		return 0;
	pa = strtoul(val, &end, 16);
	if (end == val || *end || !pa) {
		log_error("acpi: skiff.rsdp=%s is not a hexadecimal address", val);
		return 0;
	}
	log_info("acpi: using the tables handed over at RSDP 0x%lx", (unsigned long)pa);
	return pa;
}

/* The RSDP to read, by skiff.acpi: auto (handed over, else generated), convert, firmware. */
static uint64_t choose_tables(const struct dt *dt, const struct platform *plat, const char *mode)
{
	bool verbose = !strcmp(mode, "verbose");
	uint64_t rsdp;

	if (!strcmp(mode, "convert"))
		return generate(dt, false);
	rsdp = handed_over(plat);
	if (!rsdp && !strcmp(mode, "firmware")) {
		log_error("acpi: skiff.acpi=firmware but no tables handed over (skiff.rsdp=): "
			  "keeping the device tree's description");
		return 0;
	}
	return rsdp ? rsdp : generate(dt, verbose);
}

void acpi_boot(const struct dt *dt, struct platform *plat)
{
	struct platform acpi = *plat;
	char mode[12], err[160];
	uint64_t rsdp;

	if (!bootargs_get(plat->bootargs, "acpi", mode, sizeof(mode)))
		mode[0] = 0;
	if (!strcmp(mode, "off")) {
		log_info("acpi: off (skiff.acpi=off): the device tree describes the platform");
		return;
	}
	if (mode[0] && strcmp(mode, "verbose") && strcmp(mode, "convert") &&
	    strcmp(mode, "firmware")) {
		log_error("acpi: skiff.acpi=%s is not one of off, convert, firmware, verbose: "
			  "taken as the default",
			  mode);
		mode[0] = 0;
	}
	rsdp = choose_tables(dt, plat, mode);
	if (!rsdp)
		return;
	if (acpi_read_platform(rsdp, map_ram, plat, &acpi, err, sizeof(err))) {
		log_error("%s: keeping the device tree's description", err);
		return;
	}
	if (acpi.uart.regs.base != plat->uart.regs.base) {
		log_warn("acpi: the SPCR names a console at 0x%lx, the device tree 0x%lx: Skiff "
			 "keeps writing to the one it started on",
			 (unsigned long)acpi.uart.regs.base, (unsigned long)plat->uart.regs.base);
		acpi.uart = plat->uart;
	}
	*plat = acpi;
	log_info("acpi: %u CPU(s) and GICv%u from the MADT, %u timer interrupt(s) from the "
		 "GTDT, console %s at 0x%lx from the SPCR",
		 plat->ncpus, plat->gic.version, plat->timer.nirqs,
		 plat->uart.compatible[0] ? plat->uart.compatible : "(none)",
		 (unsigned long)plat->uart.regs.base);
}
