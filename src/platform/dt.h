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
/* The node /chosen/stdout-path names (alias or path, ":options" stripped), or -1. */
int dt_stdout_node(const void *fdt);

#endif
