// SPDX-License-Identifier: MIT
#include <string.h>

#include "acpi/reader.h"
#include "acpi/serial.h"
#include "acpi/table.h"
#include "lib/format.h"

#define MAX_TABLE_SIZE	 (1UL << 24)
#define GICC_ENABLED	 1U
#define TIMER_EDGE	 (1U << 0)
#define TIMER_LOW	 (1U << 1)
#define BOOT_PSCI	 (1U << 0)
#define BOOT_PSCI_HVC	 (1U << 1)
#define PL011_SIZE	 0x1000
#define DBG2_FIXED_SIZE	 44 /* header, offset and count of the device structures */
#define DBG2_DEVICE_SIZE 22 /* a device structure's fixed part */
/* The MADT has no sizes: the GIC architecture's frames. */
#define GICD_SIZE 0x10000
#define GICC_SIZE 0x2000
#define GICH_SIZE 0x1000
#define GICV_SIZE 0x2000

struct reader {
	acpi_map_fn map;
	void *ctx;
	struct platform *plat;
	char *err;
	size_t errlen;
};

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static int fail(struct reader *r, const char *sig, const char *why)
{
	format(r->err, r->errlen, "ACPI: %s: %s", sig, why);
	return -1;
}

/* Maps a table with a standard header and checks it; NULL with the reason in err. */
static const uint8_t *table_at(struct reader *r, uint64_t pa, const char *expect)
{
	const uint8_t *h = r->map(r->ctx, pa, ACPI_HEADER_SIZE);
	uint32_t len;
	char sig[5] = { 0 };

	if (!h) {
		fail(r, expect ? expect : "table", "not in readable memory");
		return NULL;
	}
	memcpy(sig, h, 4);
	len = (uint32_t)le(h + 4, 4);
	if (expect && strcmp(sig, expect)) {
		fail(r, expect, "wrong signature");
		return NULL;
	}
	if (len < ACPI_HEADER_SIZE || len > MAX_TABLE_SIZE || !(h = r->map(r->ctx, pa, len))) {
		fail(r, sig, "bad length");
		return NULL;
	}
	if (acpi_checksum(h, len)) {
		fail(r, sig, "bad checksum");
		return NULL;
	}
	return h;
}

static void irq_from_gsiv(struct irq_desc *irq, uint32_t gsiv, bool edge, bool low)
{
	irq->intid = gsiv;
	irq->flags = edge ? (low ? 2 : 1) : (low ? 8 : 4);
}

static void set_frame(struct mem_range *m, uint64_t base, uint64_t size)
{
	m->base = base;
	m->size = base ? size : 0;
}

static int read_madt(struct reader *r, const uint8_t *t)
{
	struct platform_gic *g = &r->plat->gic;
	uint32_t len = (uint32_t)le(t + 4, 4);
	const uint8_t *s = t + 44, *end = t + len;
	unsigned int ncpus = 0;

	g->nredist = 0;
	g->version = 0;
	for (; s + 2 <= end; s += s[1]) {
		if (s[1] < 2 || s + s[1] > end)
			return fail(r, "APIC", "a structure runs past the table");
		if (s[0] == 0x0b && s[1] >= 76 && (le(s + 12, 4) & GICC_ENABLED)) {
			if (ncpus < PLATFORM_MAX_CPUS)
				r->plat->cpu_mpidr[ncpus] = le(s + 68, 8);
			if (ncpus++ == 0) {
				set_frame(&g->cpuif, le(s + 32, 8), GICC_SIZE);
				set_frame(&g->vcpu, le(s + 40, 8), GICV_SIZE);
				set_frame(&g->hyp, le(s + 48, 8), GICH_SIZE);
				irq_from_gsiv(&g->maint_irq, (uint32_t)le(s + 56, 4), false, false);
			}
		} else if (s[0] == 0x0c && s[1] >= 24) {
			set_frame(&g->dist, le(s + 8, 8), GICD_SIZE);
			g->version = s[20];
		} else if (s[0] == 0x0e && s[1] >= 16 && g->nredist < PLATFORM_MAX_REDIST) {
			g->redist[g->nredist].base = le(s + 4, 8);
			g->redist[g->nredist++].size = le(s + 12, 4);
		}
	}
	if (!ncpus)
		return fail(r, "APIC", "no enabled GICC (no CPU)");
	if (ncpus > PLATFORM_MAX_CPUS)
		return fail(r, "APIC", "more CPUs than Skiff supports");
	if (g->version != 2 && g->version != 3)
		return fail(r, "APIC", "no GICD of GIC version 2 or 3");
	if (g->version == 3 && !g->nredist)
		return fail(r, "APIC", "GICv3 without a GICR structure");
	r->plat->ncpus = ncpus;
	return 0;
}

static int read_gtdt(struct reader *r, const uint8_t *t)
{
	static const unsigned int offset[] = { 48, 56, 64, 72, 96 }; /* by enum timer_irq_index */
	struct platform_timer *tm = &r->plat->timer;
	uint32_t len = (uint32_t)le(t + 4, 4);

	if (len < 96)
		return fail(r, "GTDT", "too short");
	tm->nirqs = len >= 104 && le(t + 96, 4) ? TIMER_IRQ_COUNT : TIMER_IRQ_HYP_VIRT;
	for (unsigned int i = 0; i < tm->nirqs; i++) {
		uint32_t flags = (uint32_t)le(t + offset[i] + 4, 4);

		irq_from_gsiv(&tm->irq[i], (uint32_t)le(t + offset[i], 4), flags & TIMER_EDGE,
			      flags & TIMER_LOW);
	}
	return 0;
}

static void read_spcr(struct reader *r, const uint8_t *t, uint64_t size)
{
	struct platform_uart *u = &r->plat->uart;
	const char *compatible;

	if (le(t + 4, 4) < 80)
		return;
	compatible = acpi_uart_compatible_of_subtype(t[36]);
	format(u->compatible, sizeof(u->compatible), "%s", compatible ? compatible : "");
	u->regs.base = le(t + 44, 8);
	u->regs.size = size ? size : PL011_SIZE;
	irq_from_gsiv(&u->irq, (uint32_t)le(t + 54, 4), false, false);
}

/*
 * The DBG2's first device's register size (the SPCR has none). The device
 * structure (22 bytes and more) and the size it points to must lie inside the
 * table; the sums are 64-bit so a huge offset cannot wrap back inside.
 */
static int read_dbg2(struct reader *r, const uint8_t *t, uint64_t *size)
{
	uint64_t len = le(t + 4, 4), off, dlen, size_off;
	const uint8_t *d;
	char why[96];

	if (len < DBG2_FIXED_SIZE)
		return fail(r, "DBG2", "too short for its device list");
	off = le(t + 36, 4);
	if (off > len || len - off < DBG2_DEVICE_SIZE) {
		format(why, sizeof(why),
		       "the first device at offset 0x%lx is outside the table (%lu bytes)",
		       (unsigned long)off, (unsigned long)len);
		return fail(r, "DBG2", why);
	}
	d = t + off;
	dlen = le(d + 1, 2);
	size_off = le(d + 20, 2);
	if (dlen < DBG2_DEVICE_SIZE || dlen > len - off) {
		format(why, sizeof(why), "the first device's length %lu runs past the table",
		       (unsigned long)dlen);
		return fail(r, "DBG2", why);
	}
	if (size_off + 4 > dlen) {
		format(why, sizeof(why),
		       "the first device's register size at 0x%lx lies outside it (%lu bytes)",
		       (unsigned long)size_off, (unsigned long)dlen);
		return fail(r, "DBG2", why);
	}
	*size = le(d + size_off, 4);
	return 0;
}

static int read_fadt(struct reader *r, const uint8_t *t)
{
	uint16_t boot;

	if (le(t + 4, 4) < 132)
		return fail(r, "FACP", "too short for the ARM boot flags");
	boot = (uint16_t)le(t + 129, 2);
	r->plat->psci = !(boot & BOOT_PSCI)	 ? PSCI_CONDUIT_NONE
			: (boot & BOOT_PSCI_HVC) ? PSCI_CONDUIT_HVC
						 : PSCI_CONDUIT_SMC;
	return 0;
}

int acpi_read_platform(uint64_t rsdp_pa, acpi_map_fn map, void *map_ctx, struct platform *plat,
		       char *err, size_t errlen)
{
	struct reader r = { map, map_ctx, plat, err, errlen };
	const uint8_t *rsdp = map(map_ctx, rsdp_pa, 36), *xsdt, *madt = NULL, *gtdt = NULL;
	const uint8_t *spcr = NULL, *dbg2 = NULL, *fadt = NULL;
	uint64_t console_size = 0;
	uint32_t n;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) || acpi_checksum(rsdp, 20))
		return fail(&r, "RSDP", "no valid RSDP there");
	if (rsdp[15] < 2 || acpi_checksum(rsdp, 36))
		return fail(&r, "RSDP",
			    "not revision 2 or later (no XSDT), or bad extended checksum");
	xsdt = table_at(&r, le(rsdp + 24, 8), "XSDT");
	if (!xsdt)
		return -1;
	n = (uint32_t)(le(xsdt + 4, 4) - ACPI_HEADER_SIZE) / 8;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *t = table_at(&r, le(xsdt + ACPI_HEADER_SIZE + 8 * i, 8), NULL);

		if (!t)
			return -1;
		if (!memcmp(t, "APIC", 4))
			madt = t;
		else if (!memcmp(t, "GTDT", 4))
			gtdt = t;
		else if (!memcmp(t, "SPCR", 4))
			spcr = t;
		else if (!memcmp(t, "DBG2", 4))
			dbg2 = t;
		else if (!memcmp(t, "FACP", 4))
			fadt = t;
	}
	if (!madt)
		return fail(&r, "APIC", "missing: the MADT describes the CPUs and the GIC");
	if (!fadt)
		return fail(&r, "FACP", "missing");
	if (read_madt(&r, madt) || read_fadt(&r, fadt) || (gtdt && read_gtdt(&r, gtdt)))
		return -1;
	if (dbg2 && read_dbg2(&r, dbg2, &console_size))
		return -1;
	if (spcr)
		read_spcr(&r, spcr, console_size);
	return 0;
}
