// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <string.h>

#include "acpi/console.h"
#include "lib/format.h"

static void warn(const struct acpi_options *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(const struct acpi_options *opt, const char *fmt, ...)
{
	va_list ap;

	if (!opt->warn)
		return;
	va_start(ap, fmt);
	opt->warn(opt->note_ctx, fmt, ap);
	va_end(ap);
}

/* The node /chosen names, or -1 after a warning saying why it names none we can use. */
static int chosen_node(const struct dt *dt, const struct acpi_options *opt,
		       const struct dt_stdout *s)
{
	static const char instead[] = "the first UART of a known kind is taken instead";

	switch (s->status) {
	case DT_STDOUT_NONE:
		acpi_note(opt, "SPCR: /chosen names no console (no stdout-path): %s", instead);
		return -1;
	case DT_STDOUT_MALFORMED:
		warn(opt, "%s is not a string: %s", s->property, instead);
		return -1;
	case DT_STDOUT_NO_ALIAS:
		warn(opt, "%s \"%s\" names an alias that /aliases does not have: %s", s->property,
		     s->path, instead);
		return -1;
	case DT_STDOUT_NO_NODE:
		warn(opt, "%s \"%s\" names no node: %s", s->property, s->path, instead);
		return -1;
	case DT_STDOUT_FOUND:
	default:
		break;
	}
	if (!dt_node_enabled(dt, s->node)) {
		char path[128];

		if (fdt_get_path(dt->fdt, s->node, path, sizeof(path)))
			format(path, sizeof(path), "(node at offset %d)", s->node);
		warn(opt, "%s \"%s\" names %s, which is disabled: %s", s->property, s->path, path,
		     instead);
		return -1;
	}
	return s->node;
}

/*
 * The first "reg" entry as a CPU address: every bus above the node must map its
 * children into its parent's space ("ranges"), as the DSDT's walk requires too.
 */
static bool first_reg(const struct dt *dt, int node, uint64_t *base, uint64_t *size)
{
	int parent = dt_parent(dt, node), len;
	int ac = dt_cells(dt, parent, "#address-cells", 2);
	int sc = dt_cells(dt, parent, "#size-cells", 1);
	const fdt32_t *reg = dt_getprop(dt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (ac + sc) * 4)
		return false;
	for (int bus = parent; bus > 0; bus = dt_parent(dt, bus))
		if (!dt_getprop(dt, bus, "ranges", NULL))
			return false;
	*base = dt_read_cells(reg, ac);
	*size = sc ? dt_read_cells(reg + ac, sc) : 0;
	return dt_translate(dt, node, base);
}

/* Fills @out for @node (of @kind); false with the reason in @why if SPCR cannot name it. */
static bool describe_console(const struct dt *dt, int node, const struct acpi_uart_kind *kind,
			     struct acpi_console *out, const char **why)
{
	out->node = node;
	if (!first_reg(dt, node, &out->base, &out->size)) {
		*why = "it has no 'reg' the CPU reaches";
		return false;
	}
	acpi_uart_describe(dt, node, kind, out->base, &out->uart);
	if (kind->block_pad && !out->uart.block_pad) {
		*why = "its registers are not where the block SPCR names puts them";
		return false;
	}
	out->base -= out->uart.block_pad;
	out->size += out->uart.block_pad;
	return true;
}

/* The first enabled UART of a known kind that SPCR can name, or -1. */
static int first_known_uart(const struct dt *dt, struct acpi_console *out)
{
	int node;
	const char *why;

	for (node = dt_next_node(dt, -1); node >= 0; node = dt_next_node(dt, node)) {
		const struct acpi_uart_kind *kind = acpi_uart_kind_of(dt, node);

		if (kind && dt_node_enabled(dt, node) &&
		    describe_console(dt, node, kind, out, &why))
			return node;
	}
	return -1;
}

static void read_options(const struct dt *dt, const struct acpi_options *opt,
			 const struct dt_stdout *s, struct acpi_console *c)
{
	int speed = dt_cells(dt, c->node, "current-speed", 0);

	if (speed < 0)
		speed = 0;
	if (!dt_uart_options(s->options, &c->options))
		warn(opt,
		     "%s \"%s\": options \"%s\" are not of the form 115200n8: the baud rate "
		     "is left as the firmware set it",
		     s->property, s->path, s->options);
	c->baud = c->options.baud ? c->options.baud : (uint32_t)speed;
	if (c->options.parity != 'n')
		warn(opt, "%s: parity '%c': the SPCR can only say none", s->property,
		     c->options.parity);
}

/* @node's path for the notes; empty when nobody listens (libfdt scans the tree for it). */
static void note_path(const struct dt *dt, const struct acpi_options *opt, int node, char *path,
		      int len)
{
	path[0] = 0;
	if (opt->note && fdt_get_path(dt->fdt, node, path, len))
		format(path, (size_t)len, "(node at offset %d)", node);
}

bool acpi_console_choose(const struct dt *dt, int gic, const struct acpi_options *opt,
			 struct acpi_console *out)
{
	struct dt_stdout s;
	struct irq_desc irq;
	const struct acpi_uart_kind *kind;
	const char *why = NULL;
	char path[128];
	int node;

	memset(out, 0, sizeof(*out));
	dt_stdout(dt, &s);
	node = chosen_node(dt, opt, &s);
	if (node >= 0) {
		note_path(dt, opt, node, path, sizeof(path));
		kind = acpi_uart_kind_of(dt, node);
		if (!kind) {
			acpi_note(
				opt,
				"SPCR, DBG2: the console %s ('%s') is not a UART they have a type "
				"for: left out",
				path, (const char *)dt_getprop(dt, node, "compatible", NULL));
			out->node = -1;
			return false;
		}
		if (!describe_console(dt, node, kind, out, &why)) {
			acpi_note(opt, "SPCR, DBG2: the console %s: %s: left out", path, why);
			out->node = -1;
			return false;
		}
	} else if (first_known_uart(dt, out) < 0) {
		acpi_note(opt, "SPCR, DBG2: no UART of a known kind they can name: left out");
		out->node = -1;
		return false;
	}
	note_path(dt, opt, out->node, path, sizeof(path));
	kind = out->uart.kind;
	if (dt_irqs(dt, out->node, gic, &irq, 1) == 1 && irq.intid >= 32)
		out->gsiv = irq.intid;
	read_options(dt, opt, &s, out);
	acpi_note(opt, "SPCR, DBG2: console %s, %s (interface type 0x%x), %u baud%s", path,
		  kind->name, kind->subtype, out->baud, out->baud ? "" : " (as is)");
	return true;
}
