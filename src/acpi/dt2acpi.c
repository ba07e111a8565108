// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <string.h>

#include "acpi/dsdt.h"
#include "acpi/dt2acpi.h"
#include "acpi/console.h"
#include "platform/dt.h"
#include "platform/platform.h"
#include "lib/format.h"
#include "lib/gic.h"

#define RSDP_SIZE	  36
#define FADT_SIZE	  276
#define FADT_HW_REDUCED	  (1U << 20)
#define BOOT_PSCI	  (1U << 0)
#define BOOT_PSCI_HVC	  (1U << 1)
#define GICC_SIZE	  80
#define GICC_ENABLED	  1U
#define GTDT_NO_FRAME	  0xffffffffffffffffUL
#define TIMER_EDGE	  (1U << 0)
#define TIMER_LOW	  (1U << 1)
#define TIMER_ALWAYS_ON	  (1U << 2)
#define SPCR_GIC	  (1U << 3)
#define PPTT_PACKAGE	  (1U << 0)
#define PPTT_ID_VALID	  (1U << 1)
#define PPTT_THREAD	  (1U << 2)
#define PPTT_LEAF	  (1U << 3)
#define MAX_CPUS	  512
#define MAX_CPU_MAP_DEPTH 6
#define VENDOR_ID	  0x46464b53UL /* "SKFF" */

struct build {
	const struct dt *dt;
	const struct acpi_options *opt;
	struct acpi_tables *t;
	struct platform plat;
	struct acpi_console console;
	int gic;
	unsigned int ncpus;
	int cpu_node[MAX_CPUS]; /* ACPI processor UID -> /cpus child */
	char *err;
	size_t errlen;
};

void acpi_note(const struct acpi_options *opt, const char *fmt, ...)
{
	va_list ap;

	if (!opt || !opt->note)
		return;
	va_start(ap, fmt);
	opt->note(opt->note_ctx, fmt, ap);
	va_end(ap);
}

static int fail(struct build *b, const char *why)
{
	format(b->err, b->errlen, "%s", why);
	return -1;
}

/* The enabled CPUs of /cpus, in order: their index is their ACPI processor UID. */
static int collect_cpus(struct build *b)
{
	int cpus = dt_path(b->dt, "/cpus"), node;

	if (cpus < 0)
		return fail(b, "device tree: no /cpus node");
	dt_for_each_child(node, b->dt, cpus)
	{
		const char *type = dt_getprop(b->dt, node, "device_type", NULL);

		if (!type || strcmp(type, "cpu") || !dt_node_enabled(b->dt, node))
			continue;
		if (b->ncpus == MAX_CPUS)
			return fail(b, "device tree: more than 512 CPUs");
		b->cpu_node[b->ncpus++] = node;
	}
	if (!b->ncpus)
		return fail(b, "device tree: no CPU under /cpus");
	return 0;
}

static uint64_t cpu_mpidr(struct build *b, int node)
{
	int ac = dt_cells(b->dt, dt_parent(b->dt, node), "#address-cells", 2), len;
	const fdt32_t *reg = dt_getprop(b->dt, node, "reg", &len);

	return reg && ac >= 1 && ac <= 2 && len >= ac * 4 ? dt_read_cells(reg, ac) : 0;
}

static void rsdp(struct build *b, unsigned int xsdt)
{
	struct acpi_tables *t = b->t;
	uint8_t *p = t->buf;

	if (t->failed)
		return;
	memset(p, 0, RSDP_SIZE);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[15] = 2; /* revision: ACPI 2.0+, with the XSDT */
	acpi_patch(t, 20, RSDP_SIZE, 4);
	acpi_patch(t, 24, acpi_table_address(t, xsdt), 8);
	p[8] = acpi_checksum(p, 20);
	p[32] = acpi_checksum(p, RSDP_SIZE);
}

static void fadt(struct build *b, unsigned int dsdt)
{
	struct acpi_tables *t = b->t;
	unsigned int i = acpi_table_begin(t, "FACP", 6);
	size_t start = t->table[i].offset;
	uint16_t boot = 0;

	acpi_zeros(t, FADT_SIZE - ACPI_HEADER_SIZE);
	if (b->plat.psci != PSCI_CONDUIT_NONE || b->opt->guest)
		boot |= BOOT_PSCI;
	if (b->plat.psci == PSCI_CONDUIT_HVC || b->opt->guest)
		boot |= BOOT_PSCI_HVC;
	acpi_patch(t, start + 112, FADT_HW_REDUCED, 4);
	acpi_patch(t, start + 129, boot, 2);
	acpi_patch(t, start + 131, 3, 1); /* minor revision: ACPI 6.3 */
	acpi_patch(t, start + 140, acpi_table_address(t, dsdt), 8);
	if (b->opt->guest)
		acpi_patch(t, start + 268, VENDOR_ID, 8);
	acpi_table_end(t, i);
	acpi_note(b->opt, "FADT: hardware-reduced, PSCI %s",
		  boot & BOOT_PSCI ? (boot & BOOT_PSCI_HVC ? "through HVC" : "through SMC")
				   : "absent (CPUs not PSCI-started)");
}

static uint32_t pmu_gsiv(struct build *b)
{
	static const char *const pmus[] = { "arm,armv8-pmuv3", "arm,cortex-a57-pmu",
					    "arm,cortex-a53-pmu", "arm,cortex-a72-pmu", NULL };
	int node = dt_find_compatible(b->dt, pmus);
	struct irq_desc irq = { 0, 0 };

	if (node >= 0 && dt_irqs(b->dt, node, b->gic, &irq, 1) == 1 && GIC_IS_PRIVATE(irq.intid))
		return irq.intid;
	return 0; /* an SPI per CPU cannot be one GSIV: left out */
}

static void madt_gicc(struct build *b, unsigned int uid, uint32_t perf)
{
	struct acpi_tables *t = b->t;
	const struct platform_gic *g = &b->plat.gic;
	const char *method = dt_getprop(b->dt, b->cpu_node[uid], "enable-method", NULL);

	acpi_put8(t, 0x0b);
	acpi_put8(t, GICC_SIZE);
	acpi_put16(t, 0);
	acpi_put32(t, uid); /* CPU interface number */
	acpi_put32(t, uid); /* ACPI processor UID */
	acpi_put32(t, GICC_ENABLED);
	acpi_put32(t, 0); /* parking protocol version */
	acpi_put32(t, perf);
	acpi_put64(t, 0); /* parked address */
	acpi_put64(t, g->cpuif.base);
	acpi_put64(t, g->vcpu.base);
	acpi_put64(t, g->hyp.base);
	acpi_put32(t, g->maint_irq.intid);
	acpi_put64(t, 0); /* GICR: in GICR structures */
	acpi_put64(t, cpu_mpidr(b, b->cpu_node[uid]) & 0xff00ffffffUL);
	acpi_put8(t, 0); /* efficiency class */
	acpi_put8(t, 0);
	acpi_put16(t, 0); /* SPE overflow interrupt */
	if (method && !strcmp(method, "spin-table"))
		acpi_note(b->opt,
			  "CPU %u: spin-table in the DT; ACPI has no spin-table, only PSCI "
			  "and the parking protocol: this CPU cannot be started from ACPI",
			  uid);
}

static void madt_subnodes(struct build *b)
{
	static const char *const its[] = { "arm,gic-v3-its", NULL };
	static const char *const v2m[] = { "arm,gic-v2m-frame", NULL };
	struct acpi_tables *t = b->t;
	unsigned int nits = 0, nv2m = 0;
	int node;

	dt_for_each_child(node, b->dt, b->gic)
	{
		uint64_t base;
		int len;
		const fdt32_t *reg = dt_getprop(b->dt, node, "reg", &len);
		int ac = dt_cells(b->dt, b->gic, "#address-cells", 2);

		if (!reg || ac < 1 || ac > 2 || len < ac * 4 || !dt_node_enabled(b->dt, node))
			continue;
		base = dt_read_cells(reg, ac);
		if (!dt_translate(b->dt, node, &base))
			continue;
		if (dt_compatible_any(b->dt, node, its)) {
			acpi_put8(t, 0x0f);
			acpi_put8(t, 20);
			acpi_put16(t, 0);
			acpi_put32(t, nits++);
			acpi_put64(t, base);
			acpi_put32(t, 0);
		} else if (dt_compatible_any(b->dt, node, v2m)) {
			const fdt32_t *spi_base = dt_getprop(b->dt, node, "arm,msi-base-spi", NULL);
			const fdt32_t *spi_num = dt_getprop(b->dt, node, "arm,msi-num-spis", NULL);

			acpi_put8(t, 0x0d);
			acpi_put8(t, 24);
			acpi_put16(t, 0);
			acpi_put32(t, nv2m++);
			acpi_put64(t, base);
			acpi_put32(t, spi_base && spi_num ? 1 : 0); /* SPI count/base override */
			acpi_put16(t, spi_num ? (uint16_t)fdt32_to_cpu(*spi_num) : 0);
			acpi_put16(t, spi_base ? (uint16_t)fdt32_to_cpu(*spi_base) : 0);
		}
	}
	if (nits || nv2m)
		acpi_note(b->opt, "MADT: %u ITS, %u GICv2m frame(s)", nits, nv2m);
}

static void madt(struct build *b)
{
	struct acpi_tables *t = b->t;
	const struct platform_gic *g = &b->plat.gic;
	unsigned int i = acpi_table_begin(t, "APIC", 5);
	uint32_t perf = pmu_gsiv(b);

	acpi_put32(t, 0); /* local interrupt controller address: none on Arm */
	acpi_put32(t, 0); /* flags */
	for (unsigned int cpu = 0; cpu < b->ncpus; cpu++)
		madt_gicc(b, cpu, perf);
	acpi_put8(t, 0x0c);
	acpi_put8(t, 24);
	acpi_put16(t, 0);
	acpi_put32(t, 0); /* GIC ID */
	acpi_put64(t, g->dist.base);
	acpi_put32(t, 0); /* system vector base */
	acpi_put8(t, (uint8_t)g->version);
	acpi_zeros(t, 3);
	for (unsigned int r = 0; g->version == 3 && r < g->nredist; r++) {
		acpi_put8(t, 0x0e);
		acpi_put8(t, 16);
		acpi_put16(t, 0);
		acpi_put64(t, g->redist[r].base);
		acpi_put32(t, (uint32_t)g->redist[r].size);
	}
	madt_subnodes(b);
	acpi_table_end(t, i);
	acpi_note(b->opt, "MADT: %u GICC, GICv%u distributor at 0x%lx, %u redistributor region(s)",
		  b->ncpus, g->version, (unsigned long)g->dist.base,
		  g->version == 3 ? g->nredist : 0);
}

static uint32_t timer_flags(const struct irq_desc *irq, bool always_on)
{
	uint32_t f = always_on ? TIMER_ALWAYS_ON : 0;

	if (irq->flags & 3)
		f |= TIMER_EDGE;
	if (irq->flags & (2 | 8))
		f |= TIMER_LOW;
	return f;
}

static void gtdt(struct build *b)
{
	static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
	const struct platform_timer *tm = &b->plat.timer;
	struct acpi_tables *t = b->t;
	int node = dt_find_compatible(b->dt, compat);
	bool always_on = node >= 0 && dt_getprop(b->dt, node, "always-on", NULL);
	unsigned int i = acpi_table_begin(t, "GTDT", 3);
	static const enum timer_irq_index order[] = { TIMER_IRQ_SEC_PHYS, TIMER_IRQ_PHYS,
						      TIMER_IRQ_VIRT, TIMER_IRQ_HYP_PHYS };

	acpi_put64(t, GTDT_NO_FRAME); /* CntControlBase */
	acpi_put32(t, 0);
	for (unsigned int k = 0; k < 4; k++) {
		const struct irq_desc *irq = &tm->irq[order[k]];
		bool have = order[k] < tm->nirqs;

		acpi_put32(t, have ? irq->intid : 0);
		acpi_put32(t, have ? timer_flags(irq, always_on) : 0);
	}
	acpi_put64(t, GTDT_NO_FRAME); /* CntReadBase */
	acpi_put32(t, 0);	      /* platform timers */
	acpi_put32(t, 0);
	acpi_put32(t, tm->nirqs > TIMER_IRQ_HYP_VIRT ? tm->irq[TIMER_IRQ_HYP_VIRT].intid : 0);
	acpi_put32(t, tm->nirqs > TIMER_IRQ_HYP_VIRT
			      ? timer_flags(&tm->irq[TIMER_IRQ_HYP_VIRT], always_on)
			      : 0);
	acpi_table_end(t, i);
	if (!tm->nirqs)
		acpi_note(b->opt, "GTDT: the DT has no arm,armv8-timer: no timer interrupts");
	else
		acpi_note(b->opt, "GTDT: %u timer interrupt(s) from %s", tm->nirqs,
			  dt_name(b->dt, node));
}

#define SPCR_FIXED_SIZE	   88 /* revision 4, up to its namespace string */
#define SPCR_TERMINAL_ANSI 3
#define SPCR_FLOW_RTSCTS   (1U << 1)
#define DBG2_SERIAL	   0x8000

static void console_gas(struct build *b)
{
	const struct acpi_console *c = &b->console;

	acpi_put_gas(b->t, c->base, c->uart.stride_bits, c->uart.access);
}

/*
 * Revision 4 (Microsoft, 2023): revision 2's fields, then the UART's clock, a precise baud
 * rate for those the one-byte code has none for (1500000, say), and the device's path.
 */
static void spcr(struct build *b, const char *path)
{
	const struct acpi_console *c = &b->console;
	struct acpi_tables *t = b->t;
	unsigned int i = acpi_table_begin(t, "SPCR", 4);
	uint8_t code = acpi_spcr_baud_code(c->baud);
	uint16_t path_len = (uint16_t)(strlen(path) + 1);

	acpi_put8(t, (uint8_t)c->uart.kind->subtype);
	acpi_zeros(t, 3);
	console_gas(b);
	acpi_put8(t, c->gsiv ? SPCR_GIC : 0); /* 0: polled */
	acpi_put8(t, 0);		      /* PC-AT IRQ */
	acpi_put32(t, c->gsiv);
	acpi_put8(t, code);
	acpi_put8(t, 0); /* no parity: the only value defined */
	acpi_put8(t, 1); /* 1 stop bit */
	acpi_put8(t, c->options.rtscts ? SPCR_FLOW_RTSCTS : 0);
	acpi_put8(t, SPCR_TERMINAL_ANSI);
	acpi_put8(t, 0);       /* language */
	acpi_put16(t, 0xffff); /* not a PCI device */
	acpi_put16(t, 0xffff);
	acpi_zeros(t, 3);
	acpi_put32(t, 0); /* PCI flags */
	acpi_put8(t, 0);  /* PCI segment */
	acpi_put32(t, c->uart.clock_hz);
	acpi_put32(t, code ? 0 : c->baud);
	acpi_put16(t, path_len);
	acpi_put16(t, SPCR_FIXED_SIZE);
	acpi_put(t, path, path_len);
	acpi_table_end(t, i);
	acpi_note(b->opt, "SPCR: %s at 0x%lx, GSIV %u, %s", c->uart.kind->compatible,
		  (unsigned long)c->base, c->gsiv, path);
}

static void dbg2(struct build *b, const char *path)
{
	const struct acpi_console *c = &b->console;
	struct acpi_tables *t = b->t;
	unsigned int i = acpi_table_begin(t, "DBG2", 0);
	uint16_t name_len = (uint16_t)(strlen(path) + 1);
	uint16_t fixed = 22, gas_off = fixed, size_off = fixed + 12, name_off = fixed + 16;

	acpi_put32(t, ACPI_HEADER_SIZE + 8); /* offset of the first device */
	acpi_put32(t, 1);
	acpi_put8(t, 0); /* revision */
	acpi_put16(t, (uint16_t)(name_off + name_len));
	acpi_put8(t, 1); /* one register block */
	acpi_put16(t, name_len);
	acpi_put16(t, name_off);
	acpi_put16(t, 0); /* no OEM data */
	acpi_put16(t, 0);
	acpi_put16(t, DBG2_SERIAL);
	acpi_put16(t, c->uart.kind->subtype);
	acpi_put16(t, 0);
	acpi_put16(t, gas_off);
	acpi_put16(t, size_off);
	console_gas(b);
	acpi_put32(t, (uint32_t)c->size);
	acpi_put(t, path, name_len);
	acpi_table_end(t, i);
}

static void mcfg(struct build *b)
{
	static const char *const ecam[] = { "pci-host-ecam-generic", NULL };
	struct acpi_tables *t = b->t;
	unsigned int i = 0, n = 0;
	int node;

	for (node = dt_next_node(b->dt, -1); node >= 0; node = dt_next_node(b->dt, node)) {
		const fdt32_t *reg, *br, *dom;
		int len, ac, sc, parent;
		uint64_t base, size;

		if (!dt_compatible_any(b->dt, node, ecam) || !dt_node_enabled(b->dt, node))
			continue;
		parent = dt_parent(b->dt, node);
		ac = dt_cells(b->dt, parent, "#address-cells", 2);
		sc = dt_cells(b->dt, parent, "#size-cells", 1);
		reg = dt_getprop(b->dt, node, "reg", &len);
		if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (ac + sc) * 4)
			continue;
		base = dt_read_cells(reg, ac);
		size = dt_read_cells(reg + ac, sc);
		if (!dt_translate(b->dt, node, &base))
			continue;
		br = dt_getprop(b->dt, node, "bus-range", &len);
		dom = dt_getprop(b->dt, node, "linux,pci-domain", NULL);
		if (!n++) {
			i = acpi_table_begin(t, "MCFG", 1);
			acpi_put64(t, 0);
		}
		acpi_put64(t, base);
		acpi_put16(t, (uint16_t)(dom ? fdt32_to_cpu(*dom) : n - 1));
		acpi_put8(t, br && len == 8 ? (uint8_t)fdt32_to_cpu(br[0]) : 0);
		acpi_put8(t, br && len == 8 ? (uint8_t)fdt32_to_cpu(br[1])
					    : (uint8_t)((size >> 20) - 1));
		acpi_put32(t, 0);
	}
	if (n)
		acpi_table_end(t, i);
}

/* PPTT: one processor hierarchy node per cpu-map level; leaves name their CPU's UID. */
static int pptt_node(struct build *b, size_t table, int map, uint32_t parent, int depth)
{
	struct acpi_tables *t = b->t;
	int child;

	dt_for_each_child(child, b->dt, map)
	{
		const fdt32_t *cpu = dt_getprop(b->dt, child, "cpu", NULL);
		uint32_t here = (uint32_t)(t->len - table), flags = 0, uid = 0;

		if (cpu) {
			int target = dt_node_by_phandle(b->dt, fdt32_to_cpu(*cpu));
			unsigned int k;

			for (k = 0; k < b->ncpus && b->cpu_node[k] != target; k++)
				;
			if (k == b->ncpus)
				continue; /* a disabled or unknown CPU */
			uid = k;
			flags = PPTT_ID_VALID | PPTT_LEAF |
				(!strncmp(dt_name(b->dt, child), "thread", 6) ? PPTT_THREAD : 0);
		} else if (depth == 0) {
			flags = PPTT_PACKAGE;
		}
		acpi_put8(t, 0);
		acpi_put8(t, 20);
		acpi_put16(t, 0);
		acpi_put32(t, flags);
		acpi_put32(t, parent);
		acpi_put32(t, uid);
		acpi_put32(t, 0); /* private resources */
		if (!cpu && depth < MAX_CPU_MAP_DEPTH)
			pptt_node(b, table, child, here, depth + 1);
	}
	return 0;
}

static void pptt(struct build *b)
{
	int map = dt_path(b->dt, "/cpus/cpu-map");
	unsigned int i;

	if (map < 0)
		return;
	i = acpi_table_begin(b->t, "PPTT", 2);
	pptt_node(b, b->t->table[i].offset, map, 0, 0);
	acpi_table_end(b->t, i);
	acpi_note(b->opt, "PPTT: from /cpus/cpu-map");
}

static void xsdt(struct build *b)
{
	struct acpi_tables *t = b->t;
	unsigned int n = t->count, i = acpi_table_begin(t, "XSDT", 1);

	for (unsigned int k = 1; k < n; k++)
		if (strcmp(t->table[k].sig, "DSDT"))
			acpi_put64(t, acpi_table_address(t, k));
	acpi_table_end(t, i);
	rsdp(b, i);
}

static int dsdt(struct build *b, unsigned int *index)
{
	struct acpi_tables *t = b->t;
	struct dsdt_ctx c = { .dt = b->dt, .opt = b->opt, .gic = b->gic, .ncpus = b->ncpus };
	struct aml a;

	c.console_node = b->console.node;
	*index = acpi_table_begin(t, "DSDT", 2);
	if (t->failed)
		return fail(b, "ACPI: no room for the tables");
	aml_init(&a, t->buf + t->len, t->cap - t->len);
	if (!dsdt_build(&c, &a))
		return fail(b, "ACPI: the DSDT does not fit (or a name could not be encoded)");
	t->len += a.len;
	acpi_table_end(t, *index);
	if (b->console.node >= 0) {
		spcr(b, c.console_path);
		dbg2(b, c.console_path);
	}
	acpi_note(b->opt, "DSDT: %u CPU(s), %u device(s)", b->ncpus, c.devices);
	return 0;
}

int acpi_from_dt(const struct dt *dt, struct acpi_tables *t, const struct acpi_options *opt,
		 char *err, size_t errlen)
{
	static const struct acpi_options none = { .guest = false };
	struct build *b, storage;
	unsigned int dsdt_index, version;

	b = &storage;
	memset(b, 0, sizeof(*b));
	b->dt = dt;
	b->opt = opt ? opt : &none;
	b->t = t;
	b->err = err;
	b->errlen = errlen;
	if (platform_discover_devices(dt, &b->plat, err, errlen))
		return -1;
	b->gic = dt_find_gic(dt, &version);
	if (b->gic < 0)
		return fail(b,
			    "device tree: no GIC (arm,gic-v3 or a GICv2): an arm64 MADT needs one");
	if (collect_cpus(b))
		return -1;
	acpi_console_choose(dt, b->gic, b->opt, &b->console);
	/* The RSDP first, filled in last. */
	memcpy(t->table[0].sig, "RSDP", 5);
	t->table[0].offset = 0;
	t->table[0].len = RSDP_SIZE;
	t->count = 1;
	acpi_zeros(t, RSDP_SIZE);
	if (dsdt(b, &dsdt_index))
		return -1;
	fadt(b, dsdt_index);
	madt(b);
	gtdt(b);
	mcfg(b);
	pptt(b);
	xsdt(b);
	if (t->failed)
		return fail(b, "ACPI: the tables do not fit in the buffer");
	return 0;
}
