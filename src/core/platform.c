// SPDX-License-Identifier: MIT
/* Host platform discovery from the flattened device tree, with libfdt only. */
#include <libfdt.h>
#include <stdbool.h>
#include <string.h>

#include "core/platform.h"
#include "lib/format.h"

#define MAX_CELLS     2
#define MAX_DEPTH     16
#define MAX_REG_SLOTS 8

struct ctx {
	const void *fdt;
	struct platform *plat;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *fmt, const char *a, const char *b)
{
	format(c->err, c->errlen, fmt, a, b);
	return -1;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

static bool node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	return !s || len < 2 || !strncmp(s, "okay", (size_t)len) || !strncmp(s, "ok", (size_t)len);
}

static int node_cells(const void *fdt, int node, const char *name, int dflt)
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
static bool translate_one(const void *fdt, int bus, uint64_t *addr)
{
	int parent = fdt_parent_offset(fdt, bus);
	int len, child_ac, parent_ac, sc, entry, i;
	const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);

	if (!r || len == 0)
		return true; /* absent or empty: identity */
	child_ac = node_cells(fdt, bus, "#address-cells", 2);
	sc = node_cells(fdt, bus, "#size-cells", 1);
	parent_ac = parent < 0 ? 2 : node_cells(fdt, parent, "#address-cells", 2);
	if (child_ac < 1 || child_ac > 3 || parent_ac < 1 || parent_ac > 3 || sc < 0 || sc > 2)
		return false;
	entry = child_ac + parent_ac + sc;
	for (i = 0; (i + 1) * entry * 4 <= len; i++) {
		const fdt32_t *e = r + i * entry;
		/* PCI-style 3-cell addresses: the low two cells are the address. */
		uint64_t cbase = read_cells(e + (child_ac == 3), child_ac > 2 ? 2 : child_ac);
		uint64_t pbase =
			read_cells(e + child_ac + (parent_ac == 3), parent_ac > 2 ? 2 : parent_ac);
		uint64_t size = read_cells(e + child_ac + parent_ac, sc);

		if (*addr >= cbase && *addr - cbase < size) {
			*addr = *addr - cbase + pbase;
			return true;
		}
	}
	return false;
}

static bool translate(const void *fdt, int node, uint64_t *addr)
{
	int bus = fdt_parent_offset(fdt, node);
	int depth = 0;

	while (bus > 0 && depth++ < MAX_DEPTH) {
		if (!translate_one(fdt, bus, addr))
			return false;
		bus = fdt_parent_offset(fdt, bus);
	}
	return true;
}

/* Reads up to @max (address, size) pairs of @node's "reg", translated to CPU addresses. */
static int read_reg(struct ctx *c, int node, struct mem_range *out, int max)
{
	const void *fdt = c->fdt;
	int parent = fdt_parent_offset(fdt, node);
	int ac = node_cells(fdt, parent, "#address-cells", 2);
	int sc = node_cells(fdt, parent, "#size-cells", 1);
	const char *name = fdt_get_name(fdt, node, NULL);
	const fdt32_t *p;
	int len, n, i;

	if (ac < 1 || ac > MAX_CELLS || sc < 0 || sc > MAX_CELLS)
		return fail(c, "device tree: unsupported #address-cells/#size-cells above %s%s",
			    name ? name : "?", "");
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p)
		return 0;
	if (len < 0 || len % ((ac + sc) * 4))
		return fail(c, "device tree: %s: 'reg' length is not a multiple of its %s",
			    name ? name : "?", "#address-cells + #size-cells");
	n = len / ((ac + sc) * 4);
	for (i = 0; i < n && i < max; i++) {
		out[i].base = read_cells(p + i * (ac + sc), ac);
		out[i].size = read_cells(p + i * (ac + sc) + ac, sc);
		if (!translate(fdt, node, &out[i].base))
			return fail(c,
				    "device tree: %s: 'reg' address not covered by the "
				    "parent bus 'ranges'%s",
				    name ? name : "?", "");
	}
	return i;
}

static bool compatible_any(const void *fdt, int node, const char *const *list)
{
	for (; *list; list++)
		if (!fdt_node_check_compatible(fdt, node, *list))
			return true;
	return false;
}

static int find_compatible(const void *fdt, const char *const *list)
{
	int node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (node_enabled(fdt, node) && compatible_any(fdt, node, list))
			return node;
	return -1;
}

static int discover_memory(struct ctx *c)
{
	const void *fdt = c->fdt;
	struct platform *plat = c->plat;
	int node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		struct mem_range r[MAX_REG_SLOTS];
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		int n, i;

		if (!type || strcmp(type, "memory") || !node_enabled(fdt, node))
			continue;
		n = read_reg(c, node, r, MAX_REG_SLOTS);
		if (n < 0)
			return -1;
		for (i = 0; i < n && plat->nmem < PLATFORM_MAX_MEM; i++)
			if (r[i].size)
				plat->mem[plat->nmem++] = r[i];
	}
	if (!plat->nmem)
		return fail(c, "device tree: no memory node (device_type = \"memory\")%s%s", "",
			    "");
	return 0;
}

static int discover_cpus(struct ctx *c)
{
	const void *fdt = c->fdt;
	struct platform *plat = c->plat;
	int cpus = fdt_path_offset(fdt, "/cpus");
	int ac, node;
	unsigned int found = 0;

	if (cpus < 0)
		return fail(c, "device tree: no /cpus node%s%s", "", "");
	ac = node_cells(fdt, cpus, "#address-cells", -1);
	if (ac != 1 && ac != 2)
		return fail(c, "device tree: /cpus needs #address-cells of 1 or 2%s%s", "", "");
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const fdt32_t *reg;
		int len;

		if (!type || strcmp(type, "cpu") || !node_enabled(fdt, node))
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < ac * 4)
			return fail(c, "device tree: /cpus/%s has no valid 'reg' (MPIDR)%s",
				    fdt_get_name(fdt, node, NULL), "");
		if (found < PLATFORM_MAX_CPUS)
			plat->cpu_mpidr[found] = read_cells(reg, ac);
		found++;
	}
	if (!found)
		return fail(c, "device tree: no CPU under /cpus%s%s", "", "");
	if (found > PLATFORM_MAX_CPUS) {
		format(c->err, c->errlen, "device tree: %u CPUs found, Skiff supports at most %u",
		       found, PLATFORM_MAX_CPUS);
		return -1;
	}
	plat->ncpus = found;
	return 0;
}

static void discover_psci(struct ctx *c)
{
	static const char *const compat[] = { "arm,psci", "arm,psci-0.2", "arm,psci-1.0", NULL };
	int node = find_compatible(c->fdt, compat);
	const char *method;

	if (node < 0)
		return;
	method = fdt_getprop(c->fdt, node, "method", NULL);
	if (method && !strcmp(method, "smc"))
		c->plat->psci = PSCI_CONDUIT_SMC;
	else if (method && !strcmp(method, "hvc"))
		c->plat->psci = PSCI_CONDUIT_HVC;
}

static void discover_reserved(struct ctx *c)
{
	const void *fdt = c->fdt;
	struct platform *plat = c->plat;
	int i, n = fdt_num_mem_rsv(fdt), node, rm;

	for (i = 0; i < n && plat->nreserved < PLATFORM_MAX_RESERVED; i++) {
		uint64_t addr, size;

		if (!fdt_get_mem_rsv(fdt, i, &addr, &size) && size)
			plat->reserved[plat->nreserved++] = (struct mem_range){ addr, size };
	}
	rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm < 0)
		return;
	fdt_for_each_subnode(node, fdt, rm)
	{
		struct mem_range r[MAX_REG_SLOTS];
		int k, cnt = read_reg(c, node, r, MAX_REG_SLOTS);

		for (k = 0; k < cnt && plat->nreserved < PLATFORM_MAX_RESERVED; k++)
			plat->reserved[plat->nreserved++] = r[k];
	}
}

/* The interrupt parent's #interrupt-cells for @node, or -1. */
static int irq_cells(const void *fdt, int node)
{
	int depth = 0;

	while (node >= 0 && depth++ < MAX_DEPTH) {
		int len;
		const fdt32_t *ip = fdt_getprop(fdt, node, "interrupt-parent", &len);

		if (ip && len == 4) {
			int parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ip));

			return parent < 0 ? -1 : node_cells(fdt, parent, "#interrupt-cells", -1);
		}
		node = fdt_parent_offset(fdt, node);
	}
	return -1;
}

static void gic_spec_to_irq(const fdt32_t *cell, struct irq_desc *out)
{
	uint32_t type = fdt32_to_cpu(cell[0]);
	uint32_t num = fdt32_to_cpu(cell[1]);

	out->intid = type == 1 ? 16 + num : 32 + num;
	out->flags = fdt32_to_cpu(cell[2]) & 0xf; /* GICv2 PPIs carry a CPU mask in 15:8 */
}

/* Reads up to @max GIC-style interrupts of @node ("interrupts" or "interrupts-extended"). */
static int read_irqs(const void *fdt, int node, struct irq_desc *out, int max)
{
	int len, cells = irq_cells(fdt, node), n = 0;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);

	if (p) {
		if (cells != 3)
			return 0;
		for (; n < max && (n + 1) * 12 <= len; n++)
			gic_spec_to_irq(p + n * 3, &out[n]);
		return n;
	}
	p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	while (p && n < max && len >= 4) {
		int ctrl = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*p));
		int ic = ctrl < 0 ? -1 : node_cells(fdt, ctrl, "#interrupt-cells", -1);

		if (ic < 1 || len < (ic + 1) * 4)
			break;
		if (ic == 3)
			gic_spec_to_irq(p + 1, &out[n++]);
		p += ic + 1;
		len -= (ic + 1) * 4;
	}
	return n;
}

/* GICv3 "reg": distributor, the redistributor regions, then optionally GICC, GICH, GICV. */
static int gicv3_regs(struct ctx *c, int node)
{
	struct platform_gic *g = &c->plat->gic;
	struct mem_range r[MAX_REG_SLOTS];
	int nredist = node_cells(c->fdt, node, "#redistributor-regions", 1);
	int n = read_reg(c, node, r, MAX_REG_SLOTS);
	int next;

	if (n < 0)
		return -1;
	if (n < 2)
		return fail(c,
			    "device tree: GICv3 node needs distributor and redistributor "
			    "'reg' entries%s%s",
			    "", "");
	if (nredist < 1 || nredist > PLATFORM_MAX_REDIST || nredist > n - 1)
		nredist = 1;
	g->version = 3;
	g->dist = r[0];
	g->nredist = (unsigned int)nredist;
	for (int i = 0; i < nredist; i++)
		g->redist[i] = r[1 + i];
	next = 1 + nredist;
	if (n > next)
		g->cpuif = r[next];
	if (n > next + 1)
		g->hyp = r[next + 1];
	if (n > next + 2)
		g->vcpu = r[next + 2];
	return 0;
}

/* GICv2 "reg": GICD, GICC, then GICH and GICV with the virtualization extensions. */
static int gicv2_regs(struct ctx *c, int node)
{
	struct platform_gic *g = &c->plat->gic;
	struct mem_range r[MAX_REG_SLOTS];
	int n = read_reg(c, node, r, MAX_REG_SLOTS);

	if (n < 0)
		return -1;
	if (n < 2)
		return fail(c, "device tree: GICv2 node needs GICD and GICC 'reg' entries%s%s", "",
			    "");
	g->version = 2;
	g->dist = r[0];
	g->cpuif = r[1];
	if (n > 2)
		g->hyp = r[2];
	if (n > 3)
		g->vcpu = r[3];
	return 0;
}

static int discover_gic(struct ctx *c)
{
	static const char *const v3[] = { "arm,gic-v3", NULL };
	static const char *const v2[] = { "arm,gic-400",
					  "arm,cortex-a15-gic",
					  "arm,cortex-a9-gic",
					  "arm,cortex-a7-gic",
					  "arm,arm11mp-gic",
					  "arm,gic-v2",
					  NULL };
	int node = find_compatible(c->fdt, v3);

	if (node >= 0) {
		if (gicv3_regs(c, node))
			return -1;
	} else {
		node = find_compatible(c->fdt, v2);
		if (node < 0)
			return 0; /* no GIC: the caller decides whether that is fatal */
		if (gicv2_regs(c, node))
			return -1;
	}
	read_irqs(c->fdt, node, &c->plat->gic.maint_irq, 1);
	return 0;
}

/* Resolves /chosen/stdout-path (alias or path, ":options" stripped) to a node. */
static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path, *colon;
	int len;

	if (chosen < 0)
		return -1;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len < 2 || path[len - 1])
		return -1;
	colon = strchr(path, ':');
	return fdt_path_offset_namelen(fdt, path, colon ? (int)(colon - path) : len - 1);
}

static int discover_uart(struct ctx *c)
{
	static const char *const known[] = { "arm,pl011", "arm,sbsa-uart", "ns16550a",
					     "snps,dw-apb-uart", NULL };
	struct platform_uart *u = &c->plat->uart;
	const void *fdt = c->fdt;
	int node = stdout_node(fdt), len, n;
	const char *compat;
	const fdt32_t *clk;

	if (node < 0 || !node_enabled(fdt, node))
		node = find_compatible(fdt, known);
	if (node < 0)
		return 0;
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (compat && len > 0)
		format(u->compatible, sizeof(u->compatible), "%.*s", len, compat);
	n = read_reg(c, node, &u->regs, 1);
	if (n < 0)
		return -1;
	read_irqs(fdt, node, &u->irq, 1);
	clk = fdt_getprop(fdt, node, "clocks", &len);
	if (clk && len >= 4) {
		int cnode = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*clk));
		const fdt32_t *f =
			cnode < 0 ? NULL : fdt_getprop(fdt, cnode, "clock-frequency", &len);

		if (f && len == 4)
			u->clock_hz = fdt32_to_cpu(*f);
	}
	return 0;
}

static void discover_timer(struct ctx *c)
{
	static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
	struct platform_timer *t = &c->plat->timer;
	int node = find_compatible(c->fdt, compat), len;
	const fdt32_t *f;

	if (node < 0)
		return;
	t->nirqs = (unsigned int)read_irqs(c->fdt, node, t->irq, TIMER_IRQ_COUNT);
	f = fdt_getprop(c->fdt, node, "clock-frequency", &len);
	if (f && len == 4)
		t->clock_frequency = fdt32_to_cpu(*f);
}

static void discover_rtc(struct ctx *c)
{
	static const char *const compat[] = { "arm,pl031", NULL };
	int node = find_compatible(c->fdt, compat);

	if (node >= 0 && read_reg(c, node, &c->plat->rtc, 1) < 0)
		c->plat->rtc.size = 0; /* unusable: Skiff's clock starts at the epoch */
}

static void discover_chosen(struct ctx *c)
{
	const void *fdt = c->fdt;
	struct platform *plat = c->plat;
	int chosen = fdt_path_offset(fdt, "/chosen"), l1, l2;
	const fdt32_t *start, *end;
	const char *s;

	s = fdt_getprop(fdt, 0, "model", &l1);
	if (s && l1 > 0)
		format(plat->model, sizeof(plat->model), "%.*s", l1, s);
	if (chosen < 0)
		return;
	start = fdt_getprop(fdt, chosen, "linux,initrd-start", &l1);
	end = fdt_getprop(fdt, chosen, "linux,initrd-end", &l2);
	if (start && end && (l1 == 4 || l1 == 8) && (l2 == 4 || l2 == 8)) {
		uint64_t a = read_cells(start, l1 / 4), b = read_cells(end, l2 / 4);

		if (b > a)
			plat->initrd = (struct mem_range){ a, b - a };
	}
	s = fdt_getprop(fdt, chosen, "bootargs", &l1);
	if (s && l1 > 0)
		format(plat->bootargs, sizeof(plat->bootargs), "%.*s", l1, s);
}

int platform_discover(const void *fdt, struct platform *plat, char *err, size_t errlen)
{
	struct ctx c = { fdt, plat, err, errlen };
	int r = fdt_check_header(fdt);

	memset(plat, 0, sizeof(*plat));
	if (r) {
		format(err, errlen, "device tree: bad header (%s)", fdt_strerror(r));
		return -1;
	}
	/* Walks the whole structure block once, so later lookups meet no surprises. */
	r = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (r) {
		format(err, errlen, "device tree: malformed (%s)", fdt_strerror(r));
		return -1;
	}
	if (discover_memory(&c) || discover_cpus(&c) || discover_gic(&c) || discover_uart(&c))
		return -1;
	discover_psci(&c);
	discover_reserved(&c);
	discover_timer(&c);
	discover_rtc(&c);
	discover_chosen(&c);
	return 0;
}
