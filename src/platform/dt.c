// SPDX-License-Identifier: MIT
/* Device-tree reading shared by the platform discovery and the ACPI generator. */
#include <libfdt.h>
#include <string.h>

#include "lib/gic.h"
#include "platform/dt.h"

#define MAX_DEPTH 16

uint64_t dt_read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

bool dt_node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	return !s || len < 2 || !strncmp(s, "okay", (size_t)len) || !strncmp(s, "ok", (size_t)len);
}

int dt_cells(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return dflt;
	return len == 4 ? (int)fdt32_to_cpu(*p) : -1;
}

/*
 * Translates a bus address of a child of @bus up one level through the bus's
 * "ranges". Returns false if the address is not covered.
 */
static bool translate_one(const void *fdt, int bus, int parent, uint64_t *addr)
{
	int len, child_ac, parent_ac, sc, entry, i;
	const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);

	if (!r || len == 0)
		return true; /* absent or empty: identity */
	child_ac = dt_cells(fdt, bus, "#address-cells", 2);
	sc = dt_cells(fdt, bus, "#size-cells", 1);
	parent_ac = parent < 0 ? 2 : dt_cells(fdt, parent, "#address-cells", 2);
	if (child_ac < 1 || child_ac > 3 || parent_ac < 1 || parent_ac > 3 || sc < 0 || sc > 2)
		return false;
	entry = child_ac + parent_ac + sc;
	for (i = 0; (i + 1) * entry * 4 <= len; i++) {
		const fdt32_t *e = r + i * entry;
		/* PCI-style 3-cell addresses: the low two cells are the address. */
		uint64_t cbase = dt_read_cells(e + (child_ac == 3), child_ac > 2 ? 2 : child_ac);
		uint64_t pbase = dt_read_cells(e + child_ac + (parent_ac == 3),
					       parent_ac > 2 ? 2 : parent_ac);
		uint64_t size = dt_read_cells(e + child_ac + parent_ac, sc);

		if (*addr >= cbase && *addr - cbase < size) {
			*addr = *addr - cbase + pbase;
			return true;
		}
	}
	return false;
}

bool dt_translate_chain(const void *fdt, const int *chain, int n, uint64_t *addr)
{
	for (int i = n - 1; i > 0; i--)
		if (!translate_one(fdt, chain[i], chain[i - 1], addr))
			return false;
	return true;
}

bool dt_translate(const void *fdt, int node, uint64_t *addr)
{
	int chain[MAX_DEPTH], n = 0;

	for (int bus = fdt_parent_offset(fdt, node); bus >= 0 && n < MAX_DEPTH;
	     bus = bus ? fdt_parent_offset(fdt, bus) : -1)
		chain[n++] = bus;
	if (n == MAX_DEPTH)
		return false;
	/* Root first. */
	for (int i = 0; i < n / 2; i++) {
		int t = chain[i];

		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	return dt_translate_chain(fdt, chain, n, addr);
}

bool dt_compatible_any(const void *fdt, int node, const char *const *list)
{
	for (; *list; list++)
		if (!fdt_node_check_compatible(fdt, node, *list))
			return true;
	return false;
}

int dt_find_compatible(const void *fdt, const char *const *list)
{
	int node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (dt_node_enabled(fdt, node) && dt_compatible_any(fdt, node, list))
			return node;
	return -1;
}

int dt_irq_parent(const void *fdt, int node)
{
	int depth = 0;

	while (node >= 0 && depth++ < MAX_DEPTH) {
		int len;
		const fdt32_t *ip = fdt_getprop(fdt, node, "interrupt-parent", &len);

		if (ip && len == 4) {
			int parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ip));

			return parent < 0 ? -1 : parent;
		}
		node = fdt_parent_offset(fdt, node);
	}
	return -1;
}

static void gic_spec_to_irq(const fdt32_t *cell, struct irq_desc *out)
{
	uint32_t type = fdt32_to_cpu(cell[0]);
	uint32_t num = fdt32_to_cpu(cell[1]);

	out->intid = type == 1 ? GIC_NR_SGIS + num : GIC_NR_PRIVATE + num; /* PPI or SPI */
	out->flags = fdt32_to_cpu(cell[2]) & 0xf; /* GICv2 PPIs carry a CPU mask in 15:8 */
}

/*
 * The cells of a specifier of @ctrl when they are GIC-style, 0 if not: 3 (type, number,
 * flags), or 4 where a GICv3 adds a PPI partition; and @ctrl must be @gic when given.
 */
static int gic_style(const void *fdt, int ctrl, int gic)
{
	int cells = ctrl < 0 ? -1 : dt_cells(fdt, ctrl, "#interrupt-cells", -1);

	return ctrl >= 0 && (gic < 0 || ctrl == gic) && (cells == 3 || cells == 4) ? cells : 0;
}

int dt_irqs(const void *fdt, int node, int gic, struct irq_desc *out, int max)
{
	return dt_irqs_with_parent(fdt, node, dt_irq_parent(fdt, node), gic, out, max);
}

int dt_irqs_with_parent(const void *fdt, int node, int parent, int gic, struct irq_desc *out,
			int max)
{
	int len, n = 0;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (p) {
		int cells = gic_style(fdt, parent, gic);

		if (!cells)
			return 0;
		for (; n < max && (n + 1) * cells * 4 <= len; n++)
			gic_spec_to_irq(p + n * cells, &out[n]);
		return n;
	}
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	while (p && n < max && len >= 4) {
		int ctrl = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*p));
		int ic = ctrl < 0 ? -1 : dt_cells(fdt, ctrl, "#interrupt-cells", -1);

		/* The phandle and @ic cells must be there: compared in cells, nothing overflows. */
		if (ic < 1 || ic > len / 4 - 1)
			break;
		if (gic_style(fdt, ctrl, gic))
			gic_spec_to_irq(p + 1, &out[n++]);
		p += ic + 1;
		len -= (ic + 1) * 4;
	}
	return n;
}

/* Where /chosen names the console, in the order Linux looks (of_alias_scan). */
static const char *stdout_property(const void *fdt, int *len, const char **name)
{
	static const char *const props[] = { "stdout-path", "linux,stdout-path" };
	int chosen = fdt_path_offset(fdt, "/chosen"), aliases;
	const char *v;

	for (unsigned int i = 0; chosen >= 0 && i < sizeof(props) / sizeof(props[0]); i++) {
		v = fdt_getprop(fdt, chosen, props[i], len);
		if (v) {
			*name = props[i];
			return v;
		}
	}
	/* The older convention (PowerPC): an alias named "stdout". */
	aliases = fdt_path_offset(fdt, "/aliases");
	v = aliases < 0 ? NULL : fdt_getprop(fdt, aliases, "stdout", len);
	*name = v ? "/aliases/stdout" : NULL;
	return v;
}

void dt_stdout(const void *fdt, struct dt_stdout *out)
{
	const char *v, *colon;
	int len;

	memset(out, 0, sizeof(*out));
	out->node = -1;
	v = stdout_property(fdt, &len, &out->property);
	if (!v)
		return;
	out->path = v;
	if (len < 2 || v[len - 1] || strnlen(v, (size_t)len) != (size_t)len - 1) {
		out->status = DT_STDOUT_MALFORMED;
		out->path_len = 0;
		return;
	}
	colon = strchr(v, ':');
	out->path_len = colon ? (int)(colon - v) : len - 1;
	out->options = colon ? colon + 1 : NULL;
	if (v[0] != '/') {
		/* An alias, perhaps followed by a path below its node. */
		const char *slash = memchr(v, '/', (size_t)out->path_len);
		int alias_len = slash ? (int)(slash - v) : out->path_len;

		if (!fdt_get_alias_namelen(fdt, v, alias_len)) {
			out->status = DT_STDOUT_NO_ALIAS;
			return;
		}
	}
	out->node = fdt_path_offset_namelen(fdt, v, out->path_len);
	out->status = out->node >= 0 ? DT_STDOUT_FOUND : DT_STDOUT_NO_NODE;
	if (out->node < 0)
		out->node = -1;
}

int dt_stdout_node(const void *fdt)
{
	struct dt_stdout s;

	dt_stdout(fdt, &s);
	return s.node;
}

bool dt_uart_options(const char *s, struct dt_uart_options *out)
{
	uint64_t baud = 0;

	memset(out, 0, sizeof(*out));
	out->parity = 'n';
	out->bits = 8;
	if (!s || !*s)
		return true;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		baud = baud * 10 + (uint64_t)(*s - '0');
		if (baud > UINT32_MAX)
			return false;
	}
	out->baud = (uint32_t)baud;
	if (*s == 'n' || *s == 'o' || *s == 'e')
		out->parity = *s++;
	if (*s >= '5' && *s <= '8')
		out->bits = (uint8_t)(*s++ - '0');
	if (*s == 'r') {
		out->rtscts = true;
		s++;
	}
	return !*s;
}

uint32_t dt_clock_frequency(const void *fdt, int node)
{
	int len, provider;
	const fdt32_t *f = fdt_getprop(fdt, node, "clock-frequency", &len);
	const fdt32_t *clk;

	if (f && len == 4)
		return fdt32_to_cpu(*f);
	clk = fdt_getprop(fdt, node, "clocks", &len);
	if (!clk || len < 4)
		return 0;
	provider = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*clk));
	/* Only a provider of one clock (fixed-clock) says its rate in the tree. */
	if (provider < 0 || dt_cells(fdt, provider, "#clock-cells", -1) != 0)
		return 0;
	f = fdt_getprop(fdt, provider, "clock-frequency", &len);
	return f && len == 4 ? fdt32_to_cpu(*f) : 0;
}

int dt_find_gic(const void *fdt, unsigned int *version)
{
	static const char *const v3[] = { "arm,gic-v3", NULL };
	static const char *const v2[] = { "arm,gic-400",       "arm,cortex-a15-gic",
					  "arm,cortex-a9-gic", "arm,cortex-a7-gic",
					  "arm,arm11mp-gic",   "arm,gic-v2",
					  "qcom,msm-qgic2",    NULL };
	int node = dt_find_compatible(fdt, v3);

	*version = 3;
	if (node < 0) {
		node = dt_find_compatible(fdt, v2);
		*version = node < 0 ? 0 : 2;
	}
	return node;
}
