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

/*
 * A device tree being read: the blob and, when the caller gives it room, an
 * index of its nodes built in one pass (dt_open), so that a node's parent, the
 * node a phandle names and a node's compatible list are found without libfdt's
 * scans from the tree's start (a parent or a phandle costs libfdt a walk over
 * every tag before it). A tree with more nodes than the room, deeper than
 * DT_INDEX_DEPTH, or one libfdt cannot walk to its end is not indexed: every
 * lookup then asks libfdt, and the answers are the same either way (on a tree
 * fdt_check_full() accepts; tests/fuzz/fuzz_platform.c compares them).
 */
#define DT_INDEX_DEPTH 64

struct dt_node {
	int32_t offset;	     /* the node's, in the structure block */
	int32_t parent;	     /* the parent's offset; -1 for the root */
	uint32_t phandle;    /* fdt_get_phandle()'s; 0 for none */
	uint32_t by_phandle; /* entry i: the node with the i-th lowest (phandle, offset) */
	int32_t compat;	     /* the "compatible" value's offset in the blob; -1: none */
	int32_t compat_len;
	int32_t props;	 /* the tag after the node's name: its properties start there */
	int32_t sibling; /* the entry of the node's next sibling; -1: none */
};

struct dt {
	const void *fdt;
	/*
	 * dt_check()'s verdict on the blob: 0, or a libfdt error. Only a tree it
	 * accepts is indexed.
	 */
	int check;
	const struct dt_node *node; /* in the tree's order; NULL: not indexed */
	unsigned int count;	    /* nodes */
	unsigned int nphandles;	    /* nodes with a phandle: by_phandle's entries */
};

/*
 * fdt_check_full()'s verdict on the @size bytes at @fdt: 0, or a libfdt error.
 * Its header is checked first, a version older than DT_OLDEST_VERSION is
 * refused, and so is a property running past the structure block (libfdt 1.6
 * loops forever on some of those).
 */
int dt_check(const void *fdt, size_t size);
/*
 * Opens @fdt: checks it and indexes it into @room (@capacity nodes) when it fits;
 * @room NULL reads it with libfdt alone. The blob must not change while @dt is
 * used (but for properties turned into no-ops in place: the offsets stay).
 */
void dt_open(struct dt *dt, const void *fdt, struct dt_node *room, unsigned int capacity);
/* fdt_parent_offset(): the parent's offset, or a negative libfdt error (the root has none). */
int dt_parent(const struct dt *dt, int node);
/* fdt_node_offset_by_phandle(): the first node with @phandle, or a negative libfdt error. */
int dt_node_by_phandle(const struct dt *dt, uint32_t phandle);
/*
 * fdt_path_offset(), fdt_path_offset_namelen(): the node at @path, which may
 * start with an alias; an alias counts only if it is a path from the root.
 */
int dt_path(const struct dt *dt, const char *path);
int dt_path_namelen(const struct dt *dt, const char *path, int len);
/* fdt_next_node() (no depth), fdt_first_subnode(), fdt_next_subnode(), fdt_get_name(). */
int dt_next_node(const struct dt *dt, int node);
int dt_first_child(const struct dt *dt, int node);
int dt_next_sibling(const struct dt *dt, int node);
const char *dt_name(const struct dt *dt, int node);
#define dt_for_each_child(node, dt, parent)                        \
	for ((node) = dt_first_child((dt), (parent)); (node) >= 0; \
	     (node) = dt_next_sibling((dt), (node)))
/* fdt_getprop(). */
const void *dt_getprop(const struct dt *dt, int node, const char *name, int *lenp);
/* Whether @node's "compatible" list holds @compat. */
bool dt_compatible(const struct dt *dt, int node, const char *compat);

/* A big-endian number of @n cells (the low 64 bits). */
uint64_t dt_read_cells(const fdt32_t *p, int n);
/* "status" absent, "okay" or "ok". */
bool dt_node_enabled(const struct dt *dt, int node);
/* A one-cell property such as "#address-cells": @dflt when absent, -1 when malformed. */
int dt_cells(const struct dt *dt, int node, const char *name, int dflt);
/* Translates a bus address of @node's up through its ancestors' "ranges"; false if uncovered. */
bool dt_translate(const struct dt *dt, int node, uint64_t *addr);
/*
 * The same with the node's ancestors known (a tree walk has them): @chain[0] is
 * the root, @chain[n - 1] the node's parent.
 */
bool dt_translate_chain(const struct dt *dt, const int *chain, int n, uint64_t *addr);
bool dt_compatible_any(const struct dt *dt, int node, const char *const *list);
/* The first enabled node compatible with one of @list, or -1. */
int dt_find_compatible(const struct dt *dt, const char *const *list);
/* @node's interrupt parent (its own or inherited "interrupt-parent"), or -1. */
int dt_irq_parent(const struct dt *dt, int node);
/*
 * Up to @max GIC-style interrupts of @node ("interrupts" or "interrupts-extended")
 * whose controller has 3 cells and, when @gic >= 0, is that node.
 */
int dt_irqs(const struct dt *dt, int node, int gic, struct irq_desc *out, int max);
/* The same with @node's interrupt parent already known (-1: none). */
int dt_irqs_with_parent(const struct dt *dt, int node, int parent, int gic, struct irq_desc *out,
			int max);
/* The (first enabled) GIC: its node and *version 2 or 3; -1 and 0 when there is none. */
int dt_find_gic(const struct dt *dt, unsigned int *version);
/* What the tree says the console is. */
enum dt_stdout_status {
	DT_STDOUT_NONE = 0,  /* no stdout-path, linux,stdout-path or /aliases/stdout */
	DT_STDOUT_FOUND,     /* node is the console */
	DT_STDOUT_NO_ALIAS,  /* it names an alias that /aliases does not have */
	DT_STDOUT_NO_NODE,   /* a path (or an alias's, or an alias not a path) to no node */
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
void dt_stdout(const struct dt *dt, struct dt_stdout *out);
/* The console's node (dt_stdout), or -1. */
int dt_stdout_node(const struct dt *dt);

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
uint32_t dt_clock_frequency(const struct dt *dt, int node);

#endif
