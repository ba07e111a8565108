// SPDX-License-Identifier: MIT
/* Host platform discovery from the flattened device tree, with libfdt only. */
#include <libfdt.h>
#include <stdbool.h>
#include <string.h>

#include "platform/dt.h"
#include "platform/platform.h"
#include "lib/format.h"

#define MAX_CELLS     2
#define MAX_REG_SLOTS 8

struct ctx {
	const struct dt *dt;
	struct platform *plat;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *fmt, const char *a, const char *b)
{
	format(c->err, c->errlen, fmt, a, b);
	return -1;
}

/* Reads up to @max (address, size) pairs of @node's "reg", translated to CPU addresses. */
static int read_reg(struct ctx *c, int node, struct mem_range *out, int max)
{
	int parent = dt_parent(c->dt, node);
	int ac = dt_cells(c->dt, parent, "#address-cells", 2);
	int sc = dt_cells(c->dt, parent, "#size-cells", 1);
	const char *name = dt_name(c->dt, node);
	const fdt32_t *p;
	int len, n, i;

	if (ac < 1 || ac > MAX_CELLS || sc < 0 || sc > MAX_CELLS)
		return fail(c, "device tree: unsupported #address-cells/#size-cells above %s%s",
			    name ? name : "?", "");
	p = dt_getprop(c->dt, node, "reg", &len);
	if (!p)
		return 0;
	if (len < 0 || len % ((ac + sc) * 4))
		return fail(c, "device tree: %s: 'reg' length is not a multiple of its %s",
			    name ? name : "?", "#address-cells + #size-cells");
	n = len / ((ac + sc) * 4);
	for (i = 0; i < n && i < max; i++) {
		out[i].base = dt_read_cells(p + i * (ac + sc), ac);
		out[i].size = dt_read_cells(p + i * (ac + sc) + ac, sc);
		if (!dt_translate(c->dt, node, &out[i].base))
			return fail(c,
				    "device tree: %s: 'reg' address not covered by the "
				    "parent bus 'ranges'%s",
				    name ? name : "?", "");
	}
	return i;
}

static int discover_memory(struct ctx *c)
{
	struct platform *plat = c->plat;
	int node;

	for (node = dt_next_node(c->dt, -1); node >= 0; node = dt_next_node(c->dt, node)) {
		struct mem_range r[MAX_REG_SLOTS];
		const char *type = dt_getprop(c->dt, node, "device_type", NULL);
		int n, i;

		if (!type || strcmp(type, "memory") || !dt_node_enabled(c->dt, node))
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
	struct platform *plat = c->plat;
	int cpus = dt_path(c->dt, "/cpus");
	int ac, node;
	unsigned int found = 0;

	if (cpus < 0)
		return fail(c, "device tree: no /cpus node%s%s", "", "");
	ac = dt_cells(c->dt, cpus, "#address-cells", -1);
	if (ac != 1 && ac != 2)
		return fail(c, "device tree: /cpus needs #address-cells of 1 or 2%s%s", "", "");
	dt_for_each_child(node, c->dt, cpus)
	{
		const char *type = dt_getprop(c->dt, node, "device_type", NULL);
		const fdt32_t *reg;
		int len;

		if (!type || strcmp(type, "cpu") || !dt_node_enabled(c->dt, node))
			continue;
		reg = dt_getprop(c->dt, node, "reg", &len);
		if (!reg || len < ac * 4)
			return fail(c, "device tree: /cpus/%s has no valid 'reg' (MPIDR)%s",
				    dt_name(c->dt, node), "");
		if (found < PLATFORM_MAX_CPUS)
			plat->cpu_mpidr[found] = dt_read_cells(reg, ac);
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
	int node = dt_find_compatible(c->dt, compat);
	const char *method;

	if (node < 0)
		return;
	method = dt_getprop(c->dt, node, "method", NULL);
	if (method && !strcmp(method, "smc"))
		c->plat->psci = PSCI_CONDUIT_SMC;
	else if (method && !strcmp(method, "hvc"))
		c->plat->psci = PSCI_CONDUIT_HVC;
}

static void discover_reserved(struct ctx *c)
{
	const void *fdt = c->dt->fdt;
	struct platform *plat = c->plat;
	int i, n = fdt_num_mem_rsv(fdt), node, rm;

	for (i = 0; i < n && plat->nreserved < PLATFORM_MAX_RESERVED; i++) {
		uint64_t addr, size;

		if (!fdt_get_mem_rsv(fdt, i, &addr, &size) && size)
			plat->reserved[plat->nreserved++] = (struct mem_range){ addr, size };
	}
	rm = dt_path(c->dt, "/reserved-memory");
	if (rm < 0)
		return;
	dt_for_each_child(node, c->dt, rm)
	{
		struct mem_range r[MAX_REG_SLOTS];
		int k, cnt = read_reg(c, node, r, MAX_REG_SLOTS);

		for (k = 0; k < cnt && plat->nreserved < PLATFORM_MAX_RESERVED; k++)
			plat->reserved[plat->nreserved++] = r[k];
	}
}

/* GICv3 "reg": distributor, the redistributor regions, then optionally GICC, GICH, GICV. */
static int gicv3_regs(struct ctx *c, int node)
{
	struct platform_gic *g = &c->plat->gic;
	struct mem_range r[MAX_REG_SLOTS];
	int nredist = dt_cells(c->dt, node, "#redistributor-regions", 1);
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
	int node = dt_find_gic(c->dt, &c->plat->gic.version);

	if (node < 0)
		return 0; /* no GIC: the caller decides whether that is fatal */
	if (c->plat->gic.version == 3 ? gicv3_regs(c, node) : gicv2_regs(c, node))
		return -1;
	dt_irqs(c->dt, node, -1, &c->plat->gic.maint_irq, 1);
	return 0;
}

static int discover_uart(struct ctx *c)
{
	static const char *const known[] = { "arm,pl011", "arm,sbsa-uart", "ns16550a",
					     "snps,dw-apb-uart", NULL };
	struct platform_uart *u = &c->plat->uart;
	int node = dt_stdout_node(c->dt), len, n;
	const char *compat;

	if (node < 0 || !dt_node_enabled(c->dt, node))
		node = dt_find_compatible(c->dt, known);
	if (node < 0)
		return 0;
	compat = dt_getprop(c->dt, node, "compatible", &len);
	if (compat && len > 0)
		format(u->compatible, sizeof(u->compatible), "%.*s", len, compat);
	n = read_reg(c, node, &u->regs, 1);
	if (n < 0)
		return -1;
	dt_irqs(c->dt, node, -1, &u->irq, 1);
	u->clock_hz = dt_clock_frequency(c->dt, node);
	return 0;
}

static void discover_timer(struct ctx *c)
{
	static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
	struct platform_timer *t = &c->plat->timer;
	int node = dt_find_compatible(c->dt, compat), len;
	const fdt32_t *f;

	if (node < 0)
		return;
	t->nirqs = (unsigned int)dt_irqs(c->dt, node, -1, t->irq, TIMER_IRQ_COUNT);
	f = dt_getprop(c->dt, node, "clock-frequency", &len);
	if (f && len == 4)
		t->clock_frequency = fdt32_to_cpu(*f);
}

static void discover_rtc(struct ctx *c)
{
	static const char *const compat[] = { "arm,pl031", NULL };
	int node = dt_find_compatible(c->dt, compat);

	if (node >= 0 && read_reg(c, node, &c->plat->rtc, 1) < 0)
		c->plat->rtc.size = 0; /* unusable: Skiff's clock starts at the epoch */
}

/*
 * Every enabled virtio-mmio transport with a register window; those past
 * PLATFORM_MAX_VIRTIO are not seen.
 */
static void discover_virtio(struct ctx *c)
{
	static const char *const compat[] = { "virtio,mmio", NULL };
	struct platform *plat = c->plat;
	int node;

	for (node = dt_next_node(c->dt, -1); node >= 0 && plat->nvirtio < PLATFORM_MAX_VIRTIO;
	     node = dt_next_node(c->dt, node)) {
		struct platform_virtio *v = &plat->virtio[plat->nvirtio];

		if (!dt_compatible_any(c->dt, node, compat) || !dt_node_enabled(c->dt, node))
			continue;
		if (read_reg(c, node, &v->regs, 1) != 1 || !v->regs.size) {
			memset(v, 0, sizeof(*v)); /* unusable: not counted */
			continue;
		}
		dt_irqs(c->dt, node, -1, &v->irq, 1);
		v->dma_coherent = dt_getprop(c->dt, node, "dma-coherent", NULL) != NULL;
		plat->nvirtio++;
	}
}

static void discover_chosen(struct ctx *c)
{
	struct platform *plat = c->plat;
	int chosen = dt_path(c->dt, "/chosen"), l1, l2;
	const fdt32_t *start, *end;
	const char *s;

	s = dt_getprop(c->dt, 0, "model", &l1);
	if (s && l1 > 0)
		format(plat->model, sizeof(plat->model), "%.*s", l1, s);
	if (chosen < 0)
		return;
	start = dt_getprop(c->dt, chosen, "linux,initrd-start", &l1);
	end = dt_getprop(c->dt, chosen, "linux,initrd-end", &l2);
	if (start && end && (l1 == 4 || l1 == 8) && (l2 == 4 || l2 == 8)) {
		uint64_t a = dt_read_cells(start, l1 / 4), b = dt_read_cells(end, l2 / 4);

		if (b > a)
			plat->initrd = (struct mem_range){ a, b - a };
	}
	s = dt_getprop(c->dt, chosen, "bootargs", &l1);
	if (s && l1 > 0)
		format(plat->bootargs, sizeof(plat->bootargs), "%.*s", l1, s);
	s = dt_getprop(c->dt, chosen, "rng-seed", &l1);
	if (s && l1 > 0) {
		plat->rng_seed_len =
			(size_t)l1 < sizeof(plat->rng_seed) ? (size_t)l1 : sizeof(plat->rng_seed);
		memcpy(plat->rng_seed, s, plat->rng_seed_len);
	}
}

int platform_forget_rng_seed(const struct dt *dt, void *fdt)
{
	int chosen = dt_path(dt, "/chosen"), r;

	if (chosen < 0)
		return chosen;
	/* Every one: a tree may name the property twice (libfdt's full check lets it). */
	r = fdt_nop_property(fdt, chosen, "rng-seed");
	if (r)
		return r;
	while (!fdt_nop_property(fdt, chosen, "rng-seed"))
		;
	return 0;
}

static int check_fdt(const struct dt *dt, char *err, size_t errlen)
{
	const void *fdt = dt->fdt;
	int r = fdt_check_header(fdt);

	if (r) {
		format(err, errlen, "device tree: bad header (%s)", fdt_strerror(r));
		return -1;
	}
	if (fdt_version(fdt) < DT_OLDEST_VERSION) {
		format(err, errlen, "device tree: version %u, older than %u (dtc writes 17)",
		       fdt_version(fdt), DT_OLDEST_VERSION);
		return -1;
	}
	/* dt_open() walked the whole structure block once: later lookups meet no surprises. */
	if (dt->check) {
		format(err, errlen, "device tree: malformed (%s)", fdt_strerror(dt->check));
		return -1;
	}
	return 0;
}

static int discover_devices(struct ctx *c)
{
	if (discover_gic(c) || discover_uart(c))
		return -1;
	discover_psci(c);
	discover_timer(c);
	discover_rtc(c);
	discover_virtio(c);
	discover_chosen(c);
	return 0;
}

int platform_discover(const struct dt *dt, struct platform *plat, char *err, size_t errlen)
{
	struct ctx c = { dt, plat, err, errlen };

	memset(plat, 0, sizeof(*plat));
	if (check_fdt(dt, err, errlen) || discover_memory(&c) || discover_cpus(&c))
		return -1;
	discover_reserved(&c);
	return discover_devices(&c);
}

int platform_discover_devices(const struct dt *dt, struct platform *plat, char *err, size_t errlen)
{
	struct ctx c = { dt, plat, err, errlen };

	memset(plat, 0, sizeof(*plat));
	if (check_fdt(dt, err, errlen))
		return -1;
	return discover_devices(&c);
}
