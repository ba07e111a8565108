// SPDX-License-Identifier: MIT
/*
 * Host platform discovery (platform/platform.c) and the device-tree helpers
 * under it (platform/dt.c) on any blob: what libfdt's full check refuses is
 * refused; on the rest, a refusal names what is wrong, a platform holds no more
 * than its arrays do, the device part is the same whether discovered with the
 * memory and CPUs or without, forgetting the rng-seed leaves a valid tree with
 * the same devices and no seed, and every node's interrupts and first address
 * can be read without harm. The device-tree index (dt_open) answers as libfdt's
 * scans do: one discovery reads the tree through it, the other with libfdt alone,
 * and each node's parent, phandle, compatible, interrupts and address compare (up
 * to CHECKED nodes an input: libfdt's answers cost a scan of the tree each).
 */
#include <libfdt.h>

#include "platform/dt.h"
#include "platform/platform.h"
#include "fuzz.h"

#define MAX_IRQS 8
#define CHECKED	 32   /* nodes compared with libfdt in one input */
#define ROOM	 4096 /* nodes indexed; a bigger tree is read with libfdt alone */

static struct dt_node room[ROOM];
static struct dt indexed, plain;

FUZZ_ORACLE static void check_platform(const struct platform *p)
{
	FUZZ_CHECK(p->ncpus >= 1 && p->ncpus <= PLATFORM_MAX_CPUS, "%u CPUs", p->ncpus);
	FUZZ_CHECK(p->nmem >= 1 && p->nmem <= PLATFORM_MAX_MEM, "%u memory ranges", p->nmem);
	FUZZ_CHECK(p->nreserved <= PLATFORM_MAX_RESERVED, "%u reserved", p->nreserved);
	for (unsigned int i = 0; i < p->nmem; i++)
		FUZZ_CHECK(p->mem[i].size, "memory range %u of size 0", i);
}

FUZZ_ORACLE static void check_devices(const struct platform *p)
{
	const struct platform_gic *g = &p->gic;

	FUZZ_CHECK(g->version == 0 || g->version == 2 || g->version == 3, "GIC version %u",
		   g->version);
	FUZZ_CHECK(g->nredist <= PLATFORM_MAX_REDIST, "%u redistributor regions", g->nredist);
	FUZZ_CHECK(g->version != 3 || g->nredist >= 1, "GICv3 without a redistributor");
	FUZZ_CHECK(p->timer.nirqs <= TIMER_IRQ_COUNT, "%u timer interrupts", p->timer.nirqs);
	FUZZ_CHECK(p->rng_seed_len <= PLATFORM_RNG_SEED_MAX, "%zu bytes of seed", p->rng_seed_len);
	FUZZ_CHECK(fuzz_terminated(p->model, sizeof(p->model)), "model not terminated");
	FUZZ_CHECK(fuzz_terminated(p->bootargs, sizeof(p->bootargs)), "bootargs not terminated");
	FUZZ_CHECK(fuzz_terminated(p->uart.compatible, sizeof(p->uart.compatible)),
		   "UART compatible not terminated");
}

FUZZ_ORACLE static bool same_range(struct mem_range a, struct mem_range b)
{
	return a.base == b.base && a.size == b.size;
}

FUZZ_ORACLE static bool same_irq(struct irq_desc a, struct irq_desc b)
{
	return a.intid == b.intid && a.flags == b.flags;
}

FUZZ_ORACLE static bool same_gic(const struct platform_gic *a, const struct platform_gic *b)
{
	if (a->version != b->version || a->nredist != b->nredist || !same_range(a->dist, b->dist) ||
	    !same_range(a->cpuif, b->cpuif) || !same_range(a->hyp, b->hyp) ||
	    !same_range(a->vcpu, b->vcpu) || !same_irq(a->maint_irq, b->maint_irq))
		return false;
	for (unsigned int i = 0; i < a->nredist; i++)
		if (!same_range(a->redist[i], b->redist[i]))
			return false;
	return true;
}

FUZZ_ORACLE static bool same_timer(const struct platform_timer *a, const struct platform_timer *b)
{
	if (a->nirqs != b->nirqs || a->clock_frequency != b->clock_frequency)
		return false;
	for (unsigned int i = 0; i < a->nirqs; i++)
		if (!same_irq(a->irq[i], b->irq[i]))
			return false;
	return true;
}

/* The device part of two discoveries of the same tree. */
FUZZ_ORACLE static void same_devices(const struct platform *a, const struct platform *b)
{
	FUZZ_CHECK(same_gic(&a->gic, &b->gic), "GIC differs");
	FUZZ_CHECK(!strcmp(a->uart.compatible, b->uart.compatible) &&
			   same_range(a->uart.regs, b->uart.regs) &&
			   same_irq(a->uart.irq, b->uart.irq) &&
			   a->uart.clock_hz == b->uart.clock_hz,
		   "UART differs");
	FUZZ_CHECK(same_timer(&a->timer, &b->timer), "timer differs");
	FUZZ_CHECK(same_range(a->rtc, b->rtc), "RTC differs");
	FUZZ_CHECK(same_range(a->initrd, b->initrd), "initrd differs");
	FUZZ_CHECK(a->psci == b->psci, "PSCI differs");
	FUZZ_CHECK(!strcmp(a->model, b->model) && !strcmp(a->bootargs, b->bootargs),
		   "/chosen differs");
	FUZZ_CHECK(a->rng_seed_len == b->rng_seed_len &&
			   !memcmp(a->rng_seed, b->rng_seed, a->rng_seed_len),
		   "rng-seed differs");
}

/*
 * Forgetting the rng-seed (platform_forget_rng_seed) leaves a valid tree in which
 * a discovery finds the same devices and no seed.
 */
FUZZ_ORACLE static void forget_seed(const uint8_t *data, size_t size, const struct platform *before)
{
	static struct platform after;
	uint8_t *copy = malloc(size);
	char err[200] = "";
	int r;

	memcpy(copy, data, size);
	dt_open(&indexed, copy, room, ROOM);
	r = platform_forget_rng_seed(&indexed, copy);
	FUZZ_CHECK(r == 0 || !before->rng_seed_len, "a seed read, not forgotten: %s",
		   fdt_strerror(r));
	FUZZ_CHECK(!dt_check(copy, size), "the tree is invalid once the seed is forgotten");
	FUZZ_CHECK(!platform_discover_devices(&indexed, &after, err, sizeof(err)),
		   "refused once the seed is forgotten: %s", err);
	FUZZ_CHECK(after.rng_seed_len == 0, "%zu bytes of seed left after forgetting it",
		   after.rng_seed_len);
	after.rng_seed_len = before->rng_seed_len;
	memcpy(after.rng_seed, before->rng_seed, before->rng_seed_len);
	same_devices(before, &after);
	free(copy);
}

static bool same_irqs(const struct irq_desc *a, const struct irq_desc *b, int n)
{
	for (int i = 0; i < n; i++)
		if (!same_irq(a[i], b[i]))
			return false;
	return true;
}

/* The index's interrupts of @node on @gic (-1: any) are libfdt's. */
static void irqs_agree(int node, int gic)
{
	struct irq_desc a[MAX_IRQS], b[MAX_IRQS];
	int na = dt_irqs(&indexed, node, gic, a, MAX_IRQS);
	int nb = dt_irqs(&plain, node, gic, b, MAX_IRQS);

	FUZZ_CHECK(na == nb && same_irqs(a, b, na), "node %d: interrupts on GIC %d differ", node,
		   gic);
}

/*
 * The index's answers about @node are libfdt's. Each answer that does not depend
 * on the GIC is asked once: libfdt's scans from the start of the tree make them
 * the harness's cost.
 */
static void index_agrees(const void *fdt, int node, int gic)
{
	int len;
	const char *compat = fdt_getprop(fdt, node, "compatible", &len);
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	uint64_t x = reg && len >= 8 ? dt_read_cells(reg, 2) : 0, y = x;
	uint32_t phandle = fdt_get_phandle(fdt, node);
	int pa = dt_parent(&indexed, node), pb = dt_parent(&plain, node);
	bool ta = dt_translate(&indexed, node, &x), tb = dt_translate(&plain, node, &y);

	FUZZ_CHECK(pa == pb || (pa < 0 && pb < 0), "node %d: parent %d, libfdt's %d", node, pa, pb);
	FUZZ_CHECK(ta == tb && x == y, "node %d: translated differently", node);
	FUZZ_CHECK(dt_irq_parent(&indexed, node) == dt_irq_parent(&plain, node),
		   "node %d: interrupt parent differs", node);
	irqs_agree(node, -1);
	irqs_agree(node, gic);
	if (phandle)
		FUZZ_CHECK(dt_node_by_phandle(&indexed, phandle) ==
				   dt_node_by_phandle(&plain, phandle),
			   "phandle 0x%x: node %d, libfdt's %d", phandle,
			   dt_node_by_phandle(&indexed, phandle),
			   dt_node_by_phandle(&plain, phandle));
	if (compat)
		FUZZ_CHECK(dt_compatible(&indexed, node, compat) ==
				   dt_compatible(&plain, node, compat),
			   "node %d: compatible with \"%s\" differs", node, compat);
	FUZZ_CHECK(dt_compatible(&indexed, node, "arm,pl011") ==
			   dt_compatible(&plain, node, "arm,pl011"),
		   "node %d: compatible with arm,pl011 differs", node);
}

static bool same_offset(int a, int b)
{
	return a == b || (a < 0 && b < 0);
}

/* The index's walk, names, properties and paths are libfdt's. */
static void index_reads_as_libfdt(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	char path[512];
	int prop, la, lb;

	FUZZ_CHECK(name && !strcmp(dt_name(&indexed, node), name), "node %d: name differs", node);
	FUZZ_CHECK(same_offset(dt_next_node(&indexed, node), fdt_next_node(fdt, node, NULL)),
		   "node %d: next node differs", node);
	FUZZ_CHECK(same_offset(dt_first_child(&indexed, node), fdt_first_subnode(fdt, node)),
		   "node %d: first child differs", node);
	FUZZ_CHECK(same_offset(dt_next_sibling(&indexed, node), fdt_next_subnode(fdt, node)),
		   "node %d: next sibling differs", node);
	fdt_for_each_property_offset(prop, fdt, node)
	{
		const char *pname;

		if (!fdt_getprop_by_offset(fdt, prop, &pname, &la))
			continue;
		FUZZ_CHECK(dt_getprop(&indexed, node, pname, &la) ==
					   fdt_getprop(fdt, node, pname, &lb) &&
				   la == lb,
			   "node %d: property \"%s\" differs", node, pname);
	}
	FUZZ_CHECK(dt_getprop(&indexed, node, "absent?", &la) ==
				   fdt_getprop(fdt, node, "absent?", &lb) &&
			   la == lb,
		   "node %d: property \"absent?\" differs", node);
	if (!fdt_get_path(fdt, node, path, sizeof(path))) {
		char *at = strrchr(path, '@');

		FUZZ_CHECK(same_offset(dt_path(&indexed, path), fdt_path_offset(fdt, path)),
			   "path %s differs", path);
		if (at && !strchr(at, '/')) {
			*at = 0; /* the name without its unit address */
			FUZZ_CHECK(same_offset(dt_path(&indexed, path), fdt_path_offset(fdt, path)),
				   "path %s differs", path);
		}
	}
}

/*
 * dt.c on every node, as the ACPI generator's walk does. libfdt finds a parent or
 * a phandle by scanning the tree from its start, so comparing the index with it
 * costs a scan per question: every node of a tree of up to CHECKED nodes is
 * compared, and of a bigger one CHECKED nodes spread over it, starting at a node
 * the input picks (@phase), so that a campaign reaches all of them.
 */
FUZZ_ORACLE static void every_node(const void *fdt, unsigned int phase)
{
	static const char *const uarts[] = { "arm,pl011", "ns16550a", "arm,sbsa-uart", NULL };
	unsigned int version, v2, nodes = 0, stride, i = 0;
	int gic = dt_find_gic(&indexed, &version), node;

	FUZZ_CHECK(gic == dt_find_gic(&plain, &v2) && version == v2, "GIC differs");
	FUZZ_CHECK(dt_find_compatible(&indexed, uarts) == dt_find_compatible(&plain, uarts),
		   "first UART differs");
	FUZZ_CHECK(dt_stdout_node(&indexed) == dt_stdout_node(&plain), "stdout differs");
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		nodes++;
	stride = nodes > CHECKED ? (nodes + CHECKED - 1) / CHECKED : 1;
	phase %= stride;
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL), i++) {
		struct irq_desc irqs[MAX_IRQS];
		int n = dt_irqs(&indexed, node, -1, irqs, MAX_IRQS);

		FUZZ_CHECK(n >= 0 && n <= MAX_IRQS, "%d interrupts", n);
		FUZZ_CHECK(dt_irqs(&indexed, node, gic, irqs, MAX_IRQS) <= n,
			   "more interrupts on one GIC than on any");
		if (i % stride != phase)
			continue;
		FUZZ_CHECK(dt_node_enabled(&indexed, node) == dt_node_enabled(&plain, node),
			   "node %d: status differs", node);
		index_agrees(fdt, node, gic);
		if (indexed.node)
			index_reads_as_libfdt(fdt, node);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform full, devices;
	char err[200] = "", err2[200] = "";
	bool usable;
	int r, r2;

	if (size < sizeof(struct fdt_header) || fdt_check_header(data) ||
	    fdt_totalsize(data) > size)
		return 0;
	dt_open(&indexed, data, room, ROOM);
	dt_open(&plain, data, NULL, 0);
	r = platform_discover(&indexed, &full, err, sizeof(err));
	r2 = platform_discover_devices(&plain, &devices, err2, sizeof(err2));
	FUZZ_CHECK(r == 0 || !strncmp(err, "device tree: ", 13), "refusal without a reason: %s",
		   err);
	FUZZ_CHECK(r2 == 0 || !strncmp(err2, "device tree: ", 13), "refusal without a reason: %s",
		   err2);
	/* What the full check refuses is refused. */
	usable = !dt_check(data, size);
	FUZZ_CHECK(usable || (r && r2), "a malformed tree accepted");
	if (!usable)
		return 0;
	if (!r) {
		check_platform(&full);
		check_devices(&full);
		FUZZ_CHECK(!r2, "devices refused alone (%s), accepted with the platform", err2);
		same_devices(&full, &devices);
	}
	if (!r2) {
		check_devices(&devices);
		forget_seed(data, size, &devices);
	}
	dt_open(&indexed, data, room, ROOM); /* forget_seed() opened its copy */
	every_node(data, (unsigned int)size + data[size - 1]);
	return 0;
}
