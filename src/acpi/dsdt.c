// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <string.h>

#include "acpi/dsdt.h"
#include "acpi/serial.h"
#include "platform/dt.h"
#include "lib/format.h"
#include "lib/gic.h"

#define MAX_REGS       8
#define MAX_IRQS       8
#define MAX_DEPTH      16
#define MAX_PROPS      64 /* of a PRP0001 device's _DSD */
#define MAX_PRT_DEVICE 32
#define DSD_UUID       "daffd814-6eba-4d8c-8a91-bc9bbf4aa301" /* device properties */

/* DT compatibles with an ACPI identity (the patent's first table); UARTs: acpi/serial.c. */
struct mapping {
	const char *compatible;
	const char *hid;
	const char *prefix; /* device names: prefix + hex index, 4 characters */
};

static const struct mapping mappings[] = {
	{ "arm,pl061", "ARMH0061", "GPI" },
	{ "virtio,mmio", "LNRO0005", "VR" },
	{ "qemu,fw-cfg-mmio", "QEMU0002", "FWC" },
	{ "cfi-flash", "LNRO0015", "FLS" },
};

/* Nodes described by other tables (MADT, GTDT, FADT) or by nothing. */
static const char *const elsewhere[] = {
	"arm,armv8-timer",    "arm,armv7-timer",    "arm,psci",
	"arm,psci-0.2",	      "arm,psci-1.0",	    "arm,armv8-pmuv3",
	"arm,cortex-a57-pmu", "arm,cortex-a53-pmu", NULL
};

/* Properties that hold phandles or are resources already: not copied into _DSD. */
static const char *const not_copied[] = { "compatible",
					  "reg",
					  "interrupts",
					  "interrupts-extended",
					  "interrupt-parent",
					  "status",
					  "phandle",
					  "linux,phandle",
					  "ranges",
					  "#address-cells",
					  "#size-cells",
					  "clocks",
					  "resets",
					  "dmas",
					  "power-domains",
					  "iommus",
					  "phys",
					  "msi-parent",
					  "memory-region",
					  "assigned-clocks",
					  "assigned-clock-parents",
					  "operating-points-v2",
					  "nvmem-cells",
					  "mboxes",
					  "thermal-sensors",
					  "dma-ranges",
					  NULL };

#define MAX_HIDS 32 /* distinct IDs a DSDT can have: the tables here give fewer */

struct counters {
	unsigned int per_prefix[8]; /* by mapping prefix: COM, GPI, VR, FWC, FLS, PCI, RES, D */
	/* _UID: unique among the devices of one _HID (ACPI 6.4, 6.1.12). */
	const char *hid[MAX_HIDS];
	unsigned int next_uid[MAX_HIDS];
	unsigned int nhids;
};

static void note(struct dsdt_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct dsdt_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->opt->note)
		return;
	va_start(ap, fmt);
	c->opt->note(c->opt->note_ctx, fmt, ap);
	va_end(ap);
}

/* The node's path for explanations; empty when nobody listens (libfdt scans for it). */
static const char *node_path(struct dsdt_ctx *c, int node, char *buf, int len)
{
	buf[0] = 0;
	if (c->opt->note && fdt_get_path(c->dt->fdt, node, buf, len))
		format(buf, (size_t)len, "(node at offset %d)", node);
	return buf;
}

static bool listed(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static void cpu_devices(struct dsdt_ctx *c, struct aml *a)
{
	for (unsigned int i = 0; i < c->ncpus; i++) {
		char name[8];

		format(name, sizeof(name), "C%03X", i);
		aml_device_open(a, name);
		aml_name(a, "_HID");
		aml_string(a, "ACPI0007");
		aml_name(a, "_UID");
		aml_integer(a, i);
		aml_close(a);
	}
}

/* Where the walk is: the node's ancestors (root first) and its interrupt parent. */
struct place {
	const int *chain; /* chain[n - 1] is the node's parent */
	int n;
	int irq_parent;
};

/* The node's "reg" entries as CPU addresses; -1 if one is not reachable from the CPU. */
static int node_regs(struct dsdt_ctx *c, int node, const struct place *at, struct mem_range *out,
		     int max)
{
	int parent = at->chain[at->n - 1], len, n, i;
	int ac = dt_cells(c->dt, parent, "#address-cells", 2);
	int sc = dt_cells(c->dt, parent, "#size-cells", 1);
	const fdt32_t *p = dt_getprop(c->dt, node, "reg", &len);

	if (!p)
		return 0;
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || len % ((ac + sc) * 4))
		return -1;
	n = len / ((ac + sc) * 4);
	for (i = 0; i < n && i < max; i++) {
		out[i].base = dt_read_cells(p + i * (ac + sc), ac);
		out[i].size = dt_read_cells(p + i * (ac + sc) + ac, sc);
		if (!dt_translate_chain(c->dt, at->chain, at->n, &out[i].base))
			return -1;
	}
	return i;
}

static bool irq_edge(uint32_t flags)
{
	return flags & 3;
}

static bool irq_low(uint32_t flags)
{
	return flags & (2 | 8);
}

/* _CRS: the node's registers, then its interrupts (one descriptor each: flags may differ). */
static void resources(struct aml *a, const struct mem_range *regs, int nregs,
		      const struct irq_desc *irqs, int nirqs)
{
	aml_name(a, "_CRS");
	aml_buffer_open(a);
	for (int i = 0; i < nregs; i++)
		if (regs[i].size)
			aml_res_memory(a, regs[i].base, regs[i].size, true);
	for (int i = 0; i < nirqs; i++)
		aml_res_interrupt(a, &irqs[i].intid, 1, irq_edge(irqs[i].flags),
				  irq_low(irqs[i].flags));
	aml_res_end(a);
	aml_close(a);
}

static const struct mapping *mapping_of(struct dsdt_ctx *c, int node)
{
	for (unsigned int i = 0; i < sizeof(mappings) / sizeof(mappings[0]); i++)
		if (dt_compatible(c->dt, node, mappings[i].compatible))
			return &mappings[i];
	return NULL;
}

static void device_name(char *name, const char *prefix, unsigned int index)
{
	size_t plen = strlen(prefix);

	format(name, 5, "%s%0*X", prefix, (int)(4 - plen), index);
}

/* A property's value as a string list: every byte printable, NUL-terminated pieces. */
static int string_count(const char *v, int len)
{
	int n = 0;

	if (len < 2 || v[len - 1])
		return 0;
	for (int i = 0; i < len; i++) {
		if (!v[i]) {
			if (i == 0 || !v[i - 1])
				return 0;
			n++;
		} else if (v[i] < 0x20 || v[i] > 0x7e) {
			return 0;
		}
	}
	return n;
}

/* One _DSD entry Package() { "name", value }; false if the value has no AML form here. */
static bool dsd_property(struct aml *a, const char *name, const void *value, int len)
{
	int strings = string_count(value, len);

	if (len > 0 && !strings && (len % 4 || len / 4 > 255))
		return false;
	aml_package_open(a);
	aml_string(a, name);
	if (len == 0) {
		aml_integer(a, 1); /* a boolean: present */
	} else if (strings == 1) {
		aml_string(a, value);
	} else if (strings > 1) {
		aml_package_open(a);
		for (const char *s = value; s < (const char *)value + len; s += strlen(s) + 1)
			aml_string(a, s);
		aml_close(a);
	} else if (len == 4) {
		aml_integer(a, fdt32_to_cpu(*(const fdt32_t *)value));
	} else {
		aml_package_open(a);
		for (int i = 0; i < len / 4; i++)
			aml_integer(a, fdt32_to_cpu(((const fdt32_t *)value)[i]));
		aml_close(a);
	}
	aml_close(a);
	return true;
}

static bool dsd_skipped(const char *name)
{
	size_t n = strlen(name);

	return listed(name, not_copied) || !strncmp(name, "pinctrl-", 8) ||
	       (n > 7 && !strcmp(name + n - 7, "-supply")) ||
	       (n > 6 && !strcmp(name + n - 6, "-gpios")) ||
	       (n > 5 && !strcmp(name + n - 5, "-gpio"));
}

static void dsd_open(struct aml *a)
{
	uint8_t uuid[16];

	aml_uuid_bytes(DSD_UUID, uuid);
	aml_name(a, "_DSD");
	aml_package_open(a);
	aml_buffer_open(a);
	aml_bytes(a, uuid, sizeof(uuid));
	aml_close(a);
	aml_package_open(a);
}

static void dsd_close(struct aml *a)
{
	aml_close(a);
	aml_close(a);
}

static void dsd_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_package_open(a);
	aml_string(a, name);
	aml_integer(a, v);
	aml_close(a);
}

/*
 * The patent's second table: _DSD with the device-properties UUID, "compatible" first.
 * @clock_hz, when not 0, is the rate of a UART's clock that the node gives only through
 * a phandle: written as the "clock-frequency" serial drivers read.
 */
static void dsd(struct dsdt_ctx *c, struct aml *a, int node, const char *path, uint32_t clock_hz)
{
	unsigned int count = 0;
	int off, len;
	const char *compat = dt_getprop(c->dt, node, "compatible", &len);

	dsd_open(a);
	dsd_property(a, "compatible", compat, len);
	if (clock_hz && !dt_getprop(c->dt, node, "clock-frequency", NULL))
		dsd_integer(a, "clock-frequency", clock_hz);
	fdt_for_each_property_offset(off, c->dt->fdt, node)
	{
		const char *name;
		const void *v = fdt_getprop_by_offset(c->dt->fdt, off, &name, &len);

		if (!v || dsd_skipped(name))
			continue;
		if (count == MAX_PROPS) {
			note(c, "%s: more than %u properties, the rest left out of _DSD", path,
			     MAX_PROPS);
			break;
		}
		if (dsd_property(a, name, v, len))
			count++;
		else
			note(c, "%s: property '%s' (%d bytes) has no _DSD form, left out", path,
			     name, len);
	}
	dsd_close(a);
}

/* PCI "ranges": 3-cell PCI address (space code in bits 25:24 of the first), CPU address, size. */
static void pci_windows(struct dsdt_ctx *c, struct aml *a, int node)
{
	int parent = dt_parent(c->dt, node), len;
	int pac = dt_cells(c->dt, parent, "#address-cells", 2);
	int sc = dt_cells(c->dt, node, "#size-cells", 2);
	const fdt32_t *r = dt_getprop(c->dt, node, "ranges", &len);
	int entry = 3 + pac + sc;

	if (!r || pac < 1 || pac > 2 || sc < 1 || sc > 2)
		return;
	for (int i = 0; (i + 1) * entry * 4 <= len; i++) {
		const fdt32_t *e = r + i * entry;
		uint32_t hi = fdt32_to_cpu(e[0]);
		uint64_t pci = dt_read_cells(e + 1, 2);
		uint64_t cpu = dt_read_cells(e + 3, pac);
		uint64_t size = dt_read_cells(e + 3 + pac, sc);
		unsigned int space = (hi >> 24) & 3;

		if (space == 0 || !size || !dt_translate(c->dt, node, &cpu))
			continue; /* configuration space is the ECAM region */
		aml_res_window(a, space == 1, hi & (1U << 30), pci, size, cpu - pci);
	}
}

/* An interrupt-map entry that leads to the GIC: child unit address and pin, its GSIV. */
struct prt_entry {
	uint32_t key[4];
	struct irq_desc irq;
};

/* Reads "interrupt-map" once (resolving each phandle only when it changes). */
static unsigned int read_interrupt_map(struct dsdt_ctx *c, int node, struct prt_entry *out,
				       unsigned int max)
{
	int len, pos = 0, ctrl = -1, pac = -1, pic = -1;
	uint32_t phandle = 0;
	const fdt32_t *map = dt_getprop(c->dt, node, "interrupt-map", &len);
	unsigned int n = 0;

	len = map ? len / 4 : 0;
	while (pos + 5 <= len && n < max) {
		const fdt32_t *e = map + pos;

		if (fdt32_to_cpu(e[4]) != phandle) {
			phandle = fdt32_to_cpu(e[4]);
			ctrl = dt_node_by_phandle(c->dt, phandle);
			pac = ctrl < 0 ? -1 : dt_cells(c->dt, ctrl, "#address-cells", 0);
			pic = ctrl < 0 ? -1 : dt_cells(c->dt, ctrl, "#interrupt-cells", -1);
		}
		if (pac < 0 || pic < 1 || pos + 5 + pac + pic > len)
			break;
		if (ctrl == c->gic && (pic == 3 || pic == 4)) { /* 4: a GICv3's PPI partition */
			const fdt32_t *spec = e + 5 + pac;

			for (int i = 0; i < 4; i++)
				out[n].key[i] = fdt32_to_cpu(e[i]);
			out[n].irq.intid =
				(fdt32_to_cpu(spec[0]) == 1 ? GIC_NR_SGIS : GIC_NR_PRIVATE) +
				fdt32_to_cpu(spec[1]);
			out[n].irq.flags = fdt32_to_cpu(spec[2]) & 0xf;
			n++;
		}
		pos += 5 + pac + pic;
	}
	return n;
}

/* The GSIV of PCI device @dev's pin @pin (1-4) through the map and its mask; 0 if none. */
static uint32_t prt_lookup(const struct prt_entry *map, unsigned int n, const fdt32_t *mask,
			   unsigned int dev, unsigned int pin)
{
	uint32_t key[4] = { dev << 11, 0, 0, pin };

	if (mask)
		for (int i = 0; i < 4; i++)
			key[i] &= fdt32_to_cpu(mask[i]);
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(map[i].key, key, sizeof(key)))
			return map[i].irq.intid;
	return 0;
}

/* Not inlined: its map is 3 KiB of stack, wanted only while a PCIe host is done. */
static __attribute__((noinline)) void pci_prt(struct dsdt_ctx *c, struct aml *a, int node)
{
	struct prt_entry map[MAX_PRT_DEVICE * 4];
	int mlen;
	const fdt32_t *mask = dt_getprop(c->dt, node, "interrupt-map-mask", &mlen);
	unsigned int n = read_interrupt_map(c, node, map, MAX_PRT_DEVICE * 4);

	aml_name(a, "_PRT");
	aml_package_open(a);
	for (unsigned int dev = 0; dev < MAX_PRT_DEVICE; dev++)
		for (unsigned int pin = 1; pin <= 4; pin++) {
			uint32_t gsiv = prt_lookup(map, n, mlen == 16 ? mask : NULL, dev, pin);

			if (!gsiv)
				continue;
			aml_package_open(a);
			aml_integer(a, (uint64_t)dev << 16 | 0xffff);
			aml_integer(a, pin - 1);
			aml_integer(a, 0);
			aml_integer(a, gsiv);
			aml_close(a);
		}
	aml_close(a);
}

static void named_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

/* An ECAM host bridge: PNP0A08, its buses, windows and legacy interrupts; ECAM as PNP0C02. */
static void pci_host(struct dsdt_ctx *c, struct aml *a, int node, const struct mem_range *ecam,
		     unsigned int index)
{
	int len;
	const fdt32_t *br = dt_getprop(c->dt, node, "bus-range", &len);
	const fdt32_t *dom = dt_getprop(c->dt, node, "linux,pci-domain", NULL);
	unsigned int first = br && len == 8 ? fdt32_to_cpu(br[0]) : 0;
	unsigned int last =
		br && len == 8 ? fdt32_to_cpu(br[1]) : (unsigned int)(ecam->size >> 20) - 1;
	char name[8];

	device_name(name, "PCI", index);
	aml_device_open(a, name);
	named_integer(a, "_HID", aml_eisaid("PNP0A08"));
	named_integer(a, "_CID", aml_eisaid("PNP0A03"));
	named_integer(a, "_SEG", dom ? fdt32_to_cpu(*dom) : index);
	named_integer(a, "_BBN", first);
	named_integer(a, "_UID", index);
	if (dt_getprop(c->dt, node, "dma-coherent", NULL))
		named_integer(a, "_CCA", 1);
	pci_prt(c, a, node);
	aml_name(a, "_CRS");
	aml_buffer_open(a);
	aml_res_bus_numbers(a, first, last);
	pci_windows(c, a, node);
	aml_res_end(a);
	aml_close(a);
	aml_close(a);

	device_name(name, "RES", index);
	aml_device_open(a, name);
	named_integer(a, "_HID", aml_eisaid("PNP0C02"));
	named_integer(a, "_UID", index);
	resources(a, ecam, 1, NULL, 0);
	aml_close(a);
}

static unsigned int next_index(struct counters *k, const char *prefix)
{
	static const char *const prefixes[] = { "COM", "GPI", "VR", "FWC", "FLS", "PCI", "D" };

	for (unsigned int i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strcmp(prefix, prefixes[i]))
			return k->per_prefix[i]++;
	return 0;
}

/* The next _UID for a device with _HID @id. */
static unsigned int next_uid(struct counters *k, const char *id)
{
	unsigned int i;

	for (i = 0; i < k->nhids && strcmp(k->hid[i], id); i++)
		;
	if (i == k->nhids) {
		if (i == MAX_HIDS)
			return k->next_uid[MAX_HIDS - 1]++; /* shared: cannot happen here */
		k->hid[k->nhids++] = id;
	}
	return k->next_uid[i]++;
}

/* What a node is called and how it is identified: a mapping, a UART, or PRP0001. */
struct identity {
	const char *hid; /* "PRP0001": the fallback, with _DSD */
	const char *prefix;
	const char *compatible; /* that gave the identity, for the note */
	struct acpi_uart uart;	/* when it is a UART (uart.kind not NULL) */
};

static void identify(struct dsdt_ctx *c, int node, const struct mem_range *regs, int nregs,
		     struct identity *id)
{
	const struct mapping *m = mapping_of(c, node);
	const struct acpi_uart_kind *kind = acpi_uart_kind_of(c->dt, node);

	memset(id, 0, sizeof(*id));
	id->hid = "PRP0001";
	id->prefix = "D";
	if (kind && nregs) {
		acpi_uart_describe(c->dt, node, kind, regs[0].base, &id->uart);
		id->prefix = "COM";
		id->compatible = kind->compatible;
		if (id->uart.hid)
			id->hid = id->uart.hid;
	} else if (m) {
		id->hid = m->hid;
		id->prefix = m->prefix;
		id->compatible = m->compatible;
	}
}

/* _HID: PNP IDs as EISA IDs (as ACPI writes them), others as strings. */
static void hid(struct aml *a, const char *id)
{
	aml_name(a, "_HID");
	if (!strncmp(id, "PNP", 3))
		aml_integer(a, aml_eisaid(id));
	else
		aml_string(a, id);
}

static void device_note(struct dsdt_ctx *c, int node, const char *path, const char *dev_path,
			const struct identity *id)
{
	const struct acpi_uart *u = &id->uart;

	if (strcmp(id->hid, "PRP0001"))
		note(c, "%s: %s -> %s (%s)", path, id->compatible, dev_path, id->hid);
	else if (u->kind && u->kind->hid)
		note(c, "%s: %s, not %s: %s -> %s (PRP0001 with _DSD)", path, u->kind->compatible,
		     u->kind->hid, u->why_prp0001, dev_path);
	else if (u->kind)
		note(c, "%s: %s UART ('%s'), no ACPI ID of its own -> %s (PRP0001 with _DSD)", path,
		     u->kind->name, u->kind->compatible, dev_path);
	else
		note(c, "%s: no ACPI ID for '%s' -> %s (PRP0001 with _DSD)", path,
		     (const char *)dt_getprop(c->dt, node, "compatible", NULL), dev_path);
}

static void device(struct dsdt_ctx *c, struct aml *a, int node, const struct place *at,
		   struct counters *k)
{
	struct mem_range regs[MAX_REGS];
	struct irq_desc irqs[MAX_IRQS];
	struct identity id;
	char path[128], name[8], dev_path[DSDT_PATH_MAX];
	int nregs = node_regs(c, node, at, regs, MAX_REGS);
	int nirqs = dt_irqs_with_parent(c->dt, node, at->irq_parent, c->gic, irqs, MAX_IRQS);
	unsigned int index;

	node_path(c, node, path, sizeof(path));
	if (nregs < 0) {
		note(c, "%s: 'reg' not reachable from the CPU (no bus 'ranges'): left out", path);
		return;
	}
	if (dt_getprop(c->dt, node, "interrupts", NULL) && nirqs == 0)
		note(c, "%s: interrupts not on the GIC (no GSIV): left out of _CRS", path);
	if (!nregs && !nirqs) {
		note(c, "%s: no memory-mapped registers or GIC interrupts: no device", path);
		return;
	}
	if (dt_compatible(c->dt, node, "pci-host-ecam-generic")) {
		if (!nregs) {
			/* Its window and bus range come from 'reg': nothing to describe it with. */
			note(c,
			     "%s: PCIe ECAM host without 'reg' (no configuration space): left out",
			     path);
			return;
		}
		index = next_index(k, "PCI");
		pci_host(c, a, node, &regs[0], index);
		note(c,
		     "%s: PCIe ECAM host -> \\_SB.PCI%X (PNP0A08) and its ECAM -> RES%X (PNP0C02)",
		     path, index, index);
		c->devices++;
		return;
	}
	identify(c, node, regs, nregs, &id);
	index = next_index(k, id.prefix);
	if (index >> (4 * (4 - strlen(id.prefix))) && strcmp(id.prefix, "D")) {
		id.prefix = "D"; /* a 17th UART, say: Dnnn has room for 4096 */
		index = next_index(k, id.prefix);
	}
	if (index >> (4 * (4 - strlen(id.prefix)))) {
		note(c, "%s: too many devices of this kind for 4-character names: left out", path);
		return;
	}
	device_name(name, id.prefix, index);
	format(dev_path, sizeof(dev_path), "\\_SB.%s", name);
	if (id.uart.hid && id.uart.block_pad) {
		/* The ID names the block the UART's registers are in (BCM2836: 0x40 in). */
		regs[0].base -= id.uart.block_pad;
		regs[0].size += id.uart.block_pad;
	}
	aml_device_open(a, name);
	hid(a, id.hid);
	named_integer(a, "_UID", next_uid(k, id.hid));
	resources(a, regs, nregs, irqs, nirqs);
	if (!strcmp(id.hid, "PRP0001")) {
		dsd(c, a, node, path, id.uart.clock_hz);
	} else if (id.uart.kind && id.uart.clock_hz) {
		dsd_open(a);
		dsd_integer(a, "clock-frequency", id.uart.clock_hz);
		dsd_close(a);
	}
	aml_close(a);
	c->devices++;
	if (node == c->console_node)
		format(c->console_path, sizeof(c->console_path), "%s", dev_path);
	device_note(c, node, path, dev_path, &id);
}

/* A bus whose children are memory-mapped from the CPU: the root or one with "ranges". */
static bool mmio_bus(const struct dt *dt, int node)
{
	return node == 0 || dt_getprop(dt, node, "ranges", NULL);
}

static bool skipped_subtree(struct dsdt_ctx *c, int node, const char *name)
{
	return node == c->gic || !strcmp(name, "cpus") || !strcmp(name, "chosen") ||
	       !strcmp(name, "aliases") || !strcmp(name, "reserved-memory") ||
	       !strncmp(name, "memory", 6) || !strcmp(name, "__symbols__") ||
	       !strcmp(name, "__overrides__");
}

/* A node's own "interrupt-parent", or the one it inherits; phandles looked up once each. */
static int irq_parent_of(struct dsdt_ctx *c, int node, int inherited)
{
	int len;
	const fdt32_t *ip = dt_getprop(c->dt, node, "interrupt-parent", &len);

	if (!ip || len != 4)
		return inherited;
	if (fdt32_to_cpu(*ip) != c->last_phandle) {
		c->last_phandle = fdt32_to_cpu(*ip);
		c->last_phandle_node = dt_node_by_phandle(c->dt, c->last_phandle);
	}
	return c->last_phandle_node;
}

static void walk(struct dsdt_ctx *c, struct aml *a, int *chain, int n, int irq_parent,
		 struct counters *k)
{
	int node;

	dt_for_each_child(node, c->dt, chain[n - 1])
	{
		const char *name = dt_name(c->dt, node);
		bool has_compat = dt_getprop(c->dt, node, "compatible", NULL) != NULL;
		struct place at = { chain, n, irq_parent_of(c, node, irq_parent) };
		char path[128];

		if (!name || skipped_subtree(c, node, name))
			continue;
		if (!dt_node_enabled(c->dt, node)) {
			if (has_compat)
				note(c, "%s: disabled, skipped",
				     node_path(c, node, path, sizeof(path)));
			continue;
		}
		if (dt_compatible_any(c->dt, node, elsewhere))
			continue;
		if (dt_getprop(c->dt, node, "ranges", NULL) &&
		    !dt_compatible(c->dt, node, "pci-host-ecam-generic")) {
			/* A bus: its children become devices under \_SB, translated through it. */
			if (has_compat && !dt_compatible(c->dt, node, "simple-bus") &&
			    dt_getprop(c->dt, node, "reg", NULL))
				device(c, a, node, &at, k);
			if (n < MAX_DEPTH) {
				chain[n] = node;
				walk(c, a, chain, n + 1, at.irq_parent, k);
			}
			continue;
		}
		if (has_compat)
			device(c, a, node, &at, k);
		if (dt_first_child(c->dt, node) >= 0 && !mmio_bus(c->dt, node) && has_compat)
			note(c,
			     "%s: children on a bus that is not memory-mapped (I2C, SPI, ...) "
			     "left out",
			     node_path(c, node, path, sizeof(path)));
	}
}

bool dsdt_build(struct dsdt_ctx *c, struct aml *a)
{
	int chain[MAX_DEPTH + 1] = { 0 }; /* the root */
	struct counters k;

	memset(&k, 0, sizeof(k));
	format(c->console_path, sizeof(c->console_path), ".");
	c->devices = 0;

	c->last_phandle = 0;
	aml_scope_open(a, "\\_SB");
	cpu_devices(c, a);
	walk(c, a, chain, 1, irq_parent_of(c, 0, -1), &k);
	aml_close(a);
	return aml_ok(a);
}
