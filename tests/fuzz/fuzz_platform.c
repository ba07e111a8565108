// SPDX-License-Identifier: MIT
/*
 * Host platform discovery (platform/platform.c) and the device-tree helpers
 * under it (platform/dt.c) on any blob: what libfdt's full check refuses is
 * refused; on the rest, a refusal names what is wrong, a platform holds no more
 * than its arrays do, the device part is the same whether discovered with the
 * memory and CPUs or without, forgetting the rng-seed leaves a valid tree with
 * the same devices and no seed, and every node's interrupts and first address
 * can be read without harm.
 */
#include <libfdt.h>

#include "platform/dt.h"
#include "platform/platform.h"
#include "fuzz.h"

#define MAX_IRQS   8
#define MAX_WALKED 256

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
	r = platform_forget_rng_seed(copy);
	FUZZ_CHECK(r == 0 || !before->rng_seed_len, "a seed read, not forgotten: %s",
		   fdt_strerror(r));
	FUZZ_CHECK(!fdt_check_full(copy, size), "the tree is invalid once the seed is forgotten");
	FUZZ_CHECK(!platform_discover_devices(copy, &after, err, sizeof(err)),
		   "refused once the seed is forgotten: %s", err);
	FUZZ_CHECK(after.rng_seed_len == 0, "%zu bytes of seed left after forgetting it",
		   after.rng_seed_len);
	after.rng_seed_len = before->rng_seed_len;
	memcpy(after.rng_seed, before->rng_seed, before->rng_seed_len);
	same_devices(before, &after);
	free(copy);
}

/*
 * dt.c on every node, as the ACPI generator's walk does. libfdt finds a parent or
 * a phandle by scanning the tree from its start, so this is quadratic: left to
 * trees of at most MAX_WALKED nodes (a board's tree of a thousand takes a second).
 */
FUZZ_ORACLE static void every_node(const void *fdt)
{
	unsigned int version, nodes = 0;
	int gic = dt_find_gic(fdt, &version), node;

	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (++nodes > MAX_WALKED)
			return;
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL)) {
		struct irq_desc irqs[MAX_IRQS];
		int n = dt_irqs(fdt, node, -1, irqs, MAX_IRQS), len;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		uint64_t addr = reg && len >= 8 ? dt_read_cells(reg, 2) : 0;

		FUZZ_CHECK(n >= 0 && n <= MAX_IRQS, "%d interrupts", n);
		FUZZ_CHECK(dt_irqs(fdt, node, gic, irqs, MAX_IRQS) <= n,
			   "more interrupts on one GIC than on any");
		dt_translate(fdt, node, &addr);
		dt_node_enabled(fdt, node);
	}
	dt_stdout_node(fdt);
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
	r = platform_discover(data, &full, err, sizeof(err));
	r2 = platform_discover_devices(data, &devices, err2, sizeof(err2));
	FUZZ_CHECK(r == 0 || !strncmp(err, "device tree: ", 13), "refusal without a reason: %s",
		   err);
	FUZZ_CHECK(r2 == 0 || !strncmp(err2, "device tree: ", 13), "refusal without a reason: %s",
		   err2);
	/* What libfdt's full check refuses (it is safe on version 16 and later) is refused. */
	usable = fdt_version(data) >= DT_OLDEST_VERSION && !fdt_check_full(data, size);
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
	every_node(data);
	return 0;
}
