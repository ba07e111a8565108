/* SPDX-License-Identifier: MIT */
/*
 * Reading a flattened device tree with libfdt: cells, addresses translated
 * through the buses' "ranges", GIC-style interrupts, compatible lookups. Shared
 * by the platform discovery and the ACPI generator; unit-tested on the host.
 */
#ifndef SKIFF_PLATFORM_DT_H
#define SKIFF_PLATFORM_DT_H

#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>

struct mem_range {
	uint64_t base;
	uint64_t size;
};

/* Interrupt as a GIC INTID (SGI 0-15, PPI 16-31, SPI 32+) with its DT trigger flags. */
struct irq_desc {
	uint32_t intid;
	uint32_t flags; /* DT cell 3: 1 = edge rising, 2 = edge falling, 4 = level high, 8 = low */
};

/*
 * The oldest blob version read. libfdt 1.6's fdt_check_full() dereferences
 * NULL on older trees (their node names are full paths), so older blobs are
 * refused before it runs. dtc writes version 17.
 */
#define DT_OLDEST_VERSION 16

/* A big-endian number of @n cells (the low 64 bits). */
uint64_t dt_read_cells(const fdt32_t *p, int n);
/* "status" absent, "okay" or "ok". */
bool dt_node_enabled(const void *fdt, int node);
/* A one-cell property such as "#address-cells": @dflt when absent, -1 when malformed. */
int dt_cells(const void *fdt, int node, const char *name, int dflt);
/* Translates a bus address of @node's up through its ancestors' "ranges"; false if uncovered. */
bool dt_translate(const void *fdt, int node, uint64_t *addr);
/*
 * The same with the node's ancestors known (a tree walk has them): @chain[0] is
 * the root, @chain[n - 1] the node's parent. libfdt finds a parent only by
 * scanning the tree from the start.
 */
bool dt_translate_chain(const void *fdt, const int *chain, int n, uint64_t *addr);
bool dt_compatible_any(const void *fdt, int node, const char *const *list);
/* The first enabled node compatible with one of @list, or -1. */
int dt_find_compatible(const void *fdt, const char *const *list);
/* @node's interrupt parent (its own or inherited "interrupt-parent"), or -1. */
int dt_irq_parent(const void *fdt, int node);
/*
 * Up to @max GIC-style interrupts of @node ("interrupts" or "interrupts-extended")
 * whose controller has 3 cells and, when @gic >= 0, is that node.
 */
int dt_irqs(const void *fdt, int node, int gic, struct irq_desc *out, int max);
/* The same with @node's interrupt parent already known (-1: none). */
int dt_irqs_with_parent(const void *fdt, int node, int parent, int gic, struct irq_desc *out,
			int max);
/* The (first enabled) GIC: its node and *version 2 or 3; -1 and 0 when there is none. */
int dt_find_gic(const void *fdt, unsigned int *version);
/* What the tree says the console is. */
enum dt_stdout_status {
	DT_STDOUT_NONE = 0,  /* no stdout-path, linux,stdout-path or /aliases/stdout */
	DT_STDOUT_FOUND,     /* node is the console */
	DT_STDOUT_NO_ALIAS,  /* it names an alias that /aliases does not have */
	DT_STDOUT_NO_NODE,   /* a path (or an alias's) that leads to no node */
	DT_STDOUT_MALFORMED, /* not a string */
};

struct dt_stdout {
	enum dt_stdout_status status;
	const char *property; /* where it was found: "stdout-path", "linux,stdout-path", ... */
	const char *path;     /* the value; its first path_len bytes name the node */
	int path_len;
	const char *options; /* after ':' ("115200n8"), or NULL */
	int node;	     /* -1 unless DT_STDOUT_FOUND */
};

/*
 * The console as Linux finds it: /chosen/stdout-path, else /chosen/linux,stdout-path,
 * else /aliases/stdout; an alias or a path, then ":options".
 */
void dt_stdout(const void *fdt, struct dt_stdout *out);
/* The console's node (dt_stdout), or -1. */
int dt_stdout_node(const void *fdt);

/* A console's options: "115200n8r" is 115200 baud, no parity, 8 bits, RTS/CTS. */
struct dt_uart_options {
	uint32_t baud; /* 0: not given */
	char parity;   /* 'n', 'o' or 'e' */
	uint8_t bits;  /* 5 to 8 */
	bool rtscts;
};

/* Parses @s (NULL or "" give the defaults: no baud, n8); false if it is not of that form. */
bool dt_uart_options(const char *s, struct dt_uart_options *out);
/*
 * @node's input clock in Hz: its "clock-frequency", else the rate of the first of its
 * "clocks" when that is a fixed clock (#clock-cells 0, "clock-frequency"); 0 if unknown.
 */
uint32_t dt_clock_frequency(const void *fdt, int node);

#endif
