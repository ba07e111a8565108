// SPDX-License-Identifier: MIT
/* Device-tree reading shared by the platform discovery and the ACPI generator. */
#include <libfdt.h>
#include <string.h>

#include "lib/gic.h"
#include "platform/dt.h"

#define MAX_DEPTH 16

/* Whether the nodes of entries @a and @b are in (phandle, offset) order. */
static bool phandle_before(const struct dt_node *node, uint32_t a, uint32_t b)
{
	return node[a].phandle != node[b].phandle ? node[a].phandle < node[b].phandle
						  : node[a].offset < node[b].offset;
}

/* A max-heap of node entries, kept in node[].by_phandle: entry @i sinks to its place. */
static void sift_down(struct dt_node *node, unsigned int i, unsigned int n)
{
	for (unsigned int child; (child = 2 * i + 1) < n; i = child) {
		uint32_t t;

		if (child + 1 < n &&
		    phandle_before(node, node[child].by_phandle, node[child + 1].by_phandle))
			child++;
		if (!phandle_before(node, node[i].by_phandle, node[child].by_phandle))
			return;
		t = node[i].by_phandle;
		node[i].by_phandle = node[child].by_phandle;
		node[child].by_phandle = t;
	}
}

/* by_phandle: the entries of the nodes with a phandle, heapsorted by (phandle, offset). */
static unsigned int sort_phandles(struct dt_node *node, unsigned int count)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < count; i++)
		if (node[i].phandle)
			node[n++].by_phandle = i;
	for (unsigned int i = n / 2; i-- > 0;)
		sift_down(node, i, n);
	for (unsigned int end = n; end-- > 1;) {
		uint32_t t = node[0].by_phandle;

		node[0].by_phandle = node[end].by_phandle;
		node[end].by_phandle = t;
		sift_down(node, 0, end);
	}
	return n;
}

/*
 * The index is built, and read, straight from the structure block, for a tree
 * fdt_check_full() has accepted: every tag there is known, every property lies
 * inside the block and names a string that ends inside the strings block.
 * libfdt checks all of that again at each step (a property costs it some 300
 * instructions to read, a node's name 30 a byte).
 */
static uint32_t be32(const char *p)
{
	const uint8_t *b = (const uint8_t *)p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static const char *struct_block(const struct dt *dt)
{
	return (const char *)dt->fdt + fdt_off_dt_struct(dt->fdt);
}

static const char *strings_block(const struct dt *dt)
{
	return (const char *)dt->fdt + fdt_off_dt_strings(dt->fdt);
}

#define TAG 4 /* FDT_TAGSIZE, as an int */

static int tag_align(int offset)
{
	return (offset + TAG - 1) & ~(TAG - 1);
}

/* The properties of the node being read that fdt_getprop() sees: the first of each name. */
struct seen {
	const char *compat, *phandle, *linux_phandle;
	int compat_len, phandle_len, linux_phandle_len;
};

static void see(struct seen *s, const char *name, const char *value, int len)
{
	if (!s->compat && !strcmp(name, "compatible")) {
		s->compat = value;
		s->compat_len = len;
	} else if (!s->phandle && !strcmp(name, "phandle")) {
		s->phandle = value;
		s->phandle_len = len;
	} else if (!s->linux_phandle && !strcmp(name, "linux,phandle")) {
		s->linux_phandle = value;
		s->linux_phandle_len = len;
	}
}

/* A node's entry from its properties: fdt_get_phandle()'s rule for the phandle. */
static void seen_into(const struct dt *dt, const struct seen *s, struct dt_node *e)
{
	const char *ph = s->phandle;
	int len = s->phandle_len;

	e->compat = s->compat ? (int32_t)(s->compat - (const char *)dt->fdt) : -1;
	e->compat_len = s->compat_len;
	if (!ph || len != 4) {
		ph = s->linux_phandle;
		len = s->linux_phandle_len;
	}
	e->phandle = ph && len == 4 ? be32(ph) : 0;
}

/*
 * The nodes in the order libfdt walks them, each with its parent (as
 * fdt_parent_offset() finds it, from the root at offset 0) and the properties
 * fdt_getprop() sees: those between the node's name and its first child or its
 * end. False if the tree does not fit, or is not one root at offset 0 followed
 * by the block's end (libfdt's own lookups walk on past a second root).
 */
static bool index_nodes(struct dt *dt, struct dt_node *room, unsigned int capacity)
{
	const char *block = struct_block(dt), *strings = strings_block(dt);
	int open[DT_INDEX_DEPTH], last[DT_INDEX_DEPTH + 1], depth = 0, offset = 0;
	struct dt_node *cur = 0; /* the node whose properties come now */
	struct seen seen = { 0 };
	unsigned int n = 0;
	bool closed = false; /* the root has ended */

	if (be32(block) != FDT_BEGIN_NODE)
		return false;
	last[0] = -1; /* last[d]: the node last begun at depth d, under the open node at d - 1 */
	for (;;) {
		uint32_t tag = be32(block + offset);
		int next = offset + TAG;

		if (cur && tag != FDT_PROP && tag != FDT_NOP) {
			seen_into(dt, &seen, cur);
			cur = 0;
		}
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (closed || n == capacity || depth == DT_INDEX_DEPTH)
				return false;
			cur = &room[n];
			cur->offset = offset;
			cur->parent = depth ? room[open[depth - 1]].offset : -1;
			next = tag_align(next + (int)strlen(block + next) + 1);
			cur->props = next;
			cur->sibling = -1;
			if (last[depth] >= 0)
				room[last[depth]].sibling = (int32_t)n;
			last[depth] = (int)n;
			last[depth + 1] = -1;
			memset(&seen, 0, sizeof(seen));
			open[depth++] = (int)n++;
			break;
		case FDT_PROP: {
			int len = (int)be32(block + offset + 4);

			if (closed)
				return false;
			if (cur)
				see(&seen, strings + be32(block + offset + 8), block + offset + 12,
				    len);
			next = tag_align(offset + 12 + len);
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return false; /* fdt_check_full() refuses it: not for the index */
			closed = --depth == 0;
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END: fdt_check_full() saw it where the root had ended */
			dt->count = n;
			return closed;
		}
		offset = next;
	}
}

/* The structure block's size: the header's from version 17, the blob's rest before. */
static uint32_t struct_size(const void *fdt)
{
	if (fdt_version(fdt) >= 17)
		return fdt_size_dt_struct(fdt);
	return fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
}

/*
 * Whether no property's length runs past the structure block's end. libfdt
 * 1.6's fdt_next_tag() adds a property's length to the offset unchecked: a
 * length of -12 leaves the offset where it was, and fdt_check_full() then walks
 * on the spot forever. Every step here moves on by 4 bytes or more, so this
 * walk ends within the block's size; it leaves every other verdict to libfdt.
 */
static bool props_fit(const void *fdt)
{
	const char *block = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t size = struct_size(fdt), offset = 0;

	while (offset + TAG <= size) {
		uint32_t tag = be32(block + offset), left;
		const char *end;

		offset += TAG;
		left = size - offset;
		switch (tag) {
		case FDT_BEGIN_NODE:
			end = memchr(block + offset, '\0', left);
			if (!end)
				return true; /* libfdt stops at the block's end */
			offset = (uint32_t)(end + 1 - block);
			break;
		case FDT_PROP:
			if (left < 8 || be32(block + offset) > left - 8)
				return false;
			offset += 8 + be32(block + offset);
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		default: /* FDT_END, or a tag libfdt stops at */
			return true;
		}
		offset = (offset + TAG - 1) & ~(uint32_t)(TAG - 1);
	}
	return true;
}

int dt_check(const void *fdt, size_t size)
{
	int r = fdt_check_header(fdt);

	if (r)
		return r;
	if (fdt_version(fdt) < DT_OLDEST_VERSION)
		return -FDT_ERR_BADVERSION;
	if (!props_fit(fdt))
		return -FDT_ERR_BADSTRUCTURE;
	return fdt_check_full(fdt, size);
}

void dt_open(struct dt *dt, const void *fdt, struct dt_node *room, unsigned int capacity)
{
	dt->fdt = fdt;
	dt->node = 0;
	dt->count = 0;
	dt->nphandles = 0;
	dt->check = dt_check(fdt, fdt_totalsize(fdt));
	if (!room || dt->check || !index_nodes(dt, room, capacity)) {
		dt->count = 0;
		return;
	}
	dt->nphandles = sort_phandles(room, dt->count);
	dt->node = room;
}

/* @node's entry in the index, or NULL (not indexed, or not a node's offset). */
static const struct dt_node *node_entry(const struct dt *dt, int node)
{
	unsigned int lo = 0, hi = dt->count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (dt->node[mid].offset < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < dt->count && dt->node[lo].offset == node ? &dt->node[lo] : 0;
}

int dt_parent(const struct dt *dt, int node)
{
	const struct dt_node *e = node_entry(dt, node);

	if (!e)
		return fdt_parent_offset(dt->fdt, node);
	return e->parent >= 0 ? e->parent : -FDT_ERR_NOTFOUND;
}

int dt_node_by_phandle(const struct dt *dt, uint32_t phandle)
{
	unsigned int lo = 0, hi = dt->nphandles;

	if (!dt->node || phandle == 0 || phandle == ~0U)
		return fdt_node_offset_by_phandle(dt->fdt, phandle);
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (dt->node[dt->node[mid].by_phandle].phandle < phandle)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < dt->nphandles && dt->node[dt->node[lo].by_phandle].phandle == phandle)
		return dt->node[dt->node[lo].by_phandle].offset;
	return -FDT_ERR_NOTFOUND;
}

/* fdt_getprop_namelen(); @name has no NUL in its @namelen bytes. */
static const void *getprop_namelen(const struct dt *dt, int node, const char *name, int namelen,
				   int *lenp)
{
	const struct dt_node *e = node_entry(dt, node);
	const char *block, *strings;
	int offset;

	if (!e)
		return fdt_getprop_namelen(dt->fdt, node, name, namelen, lenp);
	block = struct_block(dt);
	strings = strings_block(dt);
	for (offset = e->props;;) {
		uint32_t tag = be32(block + offset);
		const char *s;
		int len;

		if (tag == FDT_NOP) {
			offset += TAG;
			continue;
		}
		if (tag != FDT_PROP)
			break;
		len = (int)be32(block + offset + 4);
		s = strings + be32(block + offset + 8);
		if (!strncmp(s, name, (size_t)namelen) && !s[namelen]) {
			if (lenp)
				*lenp = len;
			return block + offset + 12;
		}
		offset = tag_align(offset + 12 + len);
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return 0;
}

const void *dt_getprop(const struct dt *dt, int node, const char *name, int *lenp)
{
	return getprop_namelen(dt, node, name, (int)strlen(name), lenp);
}

/* Whether node @e is named @name (@len bytes), or name@unit if @name has no unit. */
static bool name_is(const struct dt *dt, const struct dt_node *e, const char *name, int len)
{
	const char *p = struct_block(dt) + e->offset + TAG;

	if (strnlen(p, (size_t)len) < (size_t)len || memcmp(p, name, (size_t)len))
		return false;
	return p[len] == '\0' || (p[len] == '@' && !memchr(name, '@', (size_t)len));
}

/* fdt_subnode_offset_namelen(), over the index when there is one: @parent's first child so named.
 */
static int child_named(const struct dt *dt, int parent, const char *name, int len)
{
	const struct dt_node *e = node_entry(dt, parent);

	if (!e)
		return fdt_subnode_offset_namelen(dt->fdt, parent, name, len);
	if (e + 1 == dt->node + dt->count || e[1].parent != parent)
		return -FDT_ERR_NOTFOUND;
	for (e++;; e = &dt->node[e->sibling]) {
		if (name_is(dt, e, name, len))
			return e->offset;
		if (e->sibling < 0)
			return -FDT_ERR_NOTFOUND;
	}
}

int dt_next_node(const struct dt *dt, int node)
{
	const struct dt_node *e;

	if (!dt->node)
		return fdt_next_node(dt->fdt, node, 0);
	if (node < 0)
		return dt->node[0].offset;
	e = node_entry(dt, node);
	if (!e)
		return fdt_next_node(dt->fdt, node, 0);
	return e + 1 < dt->node + dt->count ? e[1].offset : -FDT_ERR_NOTFOUND;
}

int dt_first_child(const struct dt *dt, int node)
{
	const struct dt_node *e = node_entry(dt, node);

	if (!e)
		return fdt_first_subnode(dt->fdt, node);
	return e + 1 < dt->node + dt->count && e[1].parent == node ? e[1].offset
								   : -FDT_ERR_NOTFOUND;
}

int dt_next_sibling(const struct dt *dt, int node)
{
	const struct dt_node *e = node_entry(dt, node);

	if (!e)
		return fdt_next_subnode(dt->fdt, node);
	return e->sibling >= 0 ? dt->node[e->sibling].offset : -FDT_ERR_NOTFOUND;
}

const char *dt_name(const struct dt *dt, int node)
{
	return node_entry(dt, node) ? struct_block(dt) + node + TAG
				    : fdt_get_name(dt->fdt, node, 0);
}

/*
 * The path an alias (@name, @len bytes) stands for: a string that starts at the
 * root. libfdt 1.6 takes any value: one that does not end in a NUL is read
 * beyond, and an alias naming itself recurses until the stack runs out.
 */
static const char *alias_path(const struct dt *dt, const char *name, int len)
{
	int aliases = dt_path(dt, "/aliases"), vlen;
	const char *v = aliases < 0 ? 0 : getprop_namelen(dt, aliases, name, len, &vlen);

	return v && vlen > 0 && v[vlen - 1] == '\0' && v[0] == '/' ? v : 0;
}

int dt_path_namelen(const struct dt *dt, const char *path, int len)
{
	const char *end = path + len, *p = path, *q;
	int node = 0;

	if (len <= 0)
		return -FDT_ERR_BADPATH;
	if (*path != '/') {
		const char *alias;

		q = memchr(path, '/', (size_t)len);
		q = q ? q : end;
		alias = alias_path(dt, p, (int)(q - p));
		if (!alias)
			return -FDT_ERR_BADPATH;
		node = dt_path(dt, alias);
		p = q;
	}
	while (p < end) {
		while (*p == '/')
			if (++p == end)
				return node;
		q = memchr(p, '/', (size_t)(end - p));
		q = q ? q : end;
		node = node < 0 ? node : child_named(dt, node, p, (int)(q - p));
		if (node < 0)
			return node;
		p = q;
	}
	return node;
}

int dt_path(const struct dt *dt, const char *path)
{
	return dt_path_namelen(dt, path, (int)strlen(path));
}

bool dt_compatible(const struct dt *dt, int node, const char *compat)
{
	const struct dt_node *e = node_entry(dt, node);

	if (!e)
		return !fdt_node_check_compatible(dt->fdt, node, compat);
	return e->compat >= 0 &&
	       fdt_stringlist_contains((const char *)dt->fdt + e->compat, e->compat_len, compat);
}

uint64_t dt_read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

bool dt_node_enabled(const struct dt *dt, int node)
{
	int len;
	const char *s = dt_getprop(dt, node, "status", &len);

	return !s || len < 2 || !strncmp(s, "okay", (size_t)len) || !strncmp(s, "ok", (size_t)len);
}

int dt_cells(const struct dt *dt, int node, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = dt_getprop(dt, node, name, &len);

	if (!p)
		return dflt;
	return len == 4 ? (int)fdt32_to_cpu(*p) : -1;
}

/*
 * Translates a bus address of a child of @bus up one level through the bus's
 * "ranges". Returns false if the address is not covered.
 */
static bool translate_one(const struct dt *dt, int bus, int parent, uint64_t *addr)
{
	int len, child_ac, parent_ac, sc, entry, i;
	const fdt32_t *r = dt_getprop(dt, bus, "ranges", &len);

	if (!r || len == 0)
		return true; /* absent or empty: identity */
	child_ac = dt_cells(dt, bus, "#address-cells", 2);
	sc = dt_cells(dt, bus, "#size-cells", 1);
	parent_ac = parent < 0 ? 2 : dt_cells(dt, parent, "#address-cells", 2);
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

bool dt_translate_chain(const struct dt *dt, const int *chain, int n, uint64_t *addr)
{
	for (int i = n - 1; i > 0; i--)
		if (!translate_one(dt, chain[i], chain[i - 1], addr))
			return false;
	return true;
}

bool dt_translate(const struct dt *dt, int node, uint64_t *addr)
{
	int chain[MAX_DEPTH], n = 0;

	for (int bus = dt_parent(dt, node); bus >= 0 && n < MAX_DEPTH;
	     bus = bus ? dt_parent(dt, bus) : -1)
		chain[n++] = bus;
	if (n == MAX_DEPTH)
		return false;
	/* Root first. */
	for (int i = 0; i < n / 2; i++) {
		int t = chain[i];

		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	return dt_translate_chain(dt, chain, n, addr);
}

bool dt_compatible_any(const struct dt *dt, int node, const char *const *list)
{
	for (; *list; list++)
		if (dt_compatible(dt, node, *list))
			return true;
	return false;
}

int dt_find_compatible(const struct dt *dt, const char *const *list)
{
	const void *fdt = dt->fdt;
	int node;

	for (unsigned int i = 0; i < dt->count; i++) {
		node = dt->node[i].offset;
		if (dt_compatible_any(dt, node, list) && dt_node_enabled(dt, node))
			return node;
	}
	if (dt->node)
		return -1;
	for (node = fdt_next_node(fdt, -1, 0); node >= 0; node = fdt_next_node(fdt, node, 0))
		if (dt_node_enabled(dt, node) && dt_compatible_any(dt, node, list))
			return node;
	return -1;
}

int dt_irq_parent(const struct dt *dt, int node)
{
	int depth = 0;

	while (node >= 0 && depth++ < MAX_DEPTH) {
		int len;
		const fdt32_t *ip = dt_getprop(dt, node, "interrupt-parent", &len);

		if (ip && len == 4) {
			int parent = dt_node_by_phandle(dt, fdt32_to_cpu(*ip));

			return parent < 0 ? -1 : parent;
		}
		node = dt_parent(dt, node);
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
static int gic_style(const struct dt *dt, int ctrl, int gic)
{
	int cells = ctrl < 0 ? -1 : dt_cells(dt, ctrl, "#interrupt-cells", -1);

	return ctrl >= 0 && (gic < 0 || ctrl == gic) && (cells == 3 || cells == 4) ? cells : 0;
}

int dt_irqs(const struct dt *dt, int node, int gic, struct irq_desc *out, int max)
{
	return dt_irqs_with_parent(dt, node, dt_irq_parent(dt, node), gic, out, max);
}

int dt_irqs_with_parent(const struct dt *dt, int node, int parent, int gic, struct irq_desc *out,
			int max)
{
	int len, n = 0;
	const fdt32_t *p = dt_getprop(dt, node, "interrupts", &len);

	if (p) {
		int cells = gic_style(dt, parent, gic);

		if (!cells)
			return 0;
		for (; n < max && (n + 1) * cells * 4 <= len; n++)
			gic_spec_to_irq(p + n * cells, &out[n]);
		return n;
	}
	p = dt_getprop(dt, node, "interrupts-extended", &len);
	while (p && n < max && len >= 4) {
		int ctrl = dt_node_by_phandle(dt, fdt32_to_cpu(*p));
		int ic = ctrl < 0 ? -1 : dt_cells(dt, ctrl, "#interrupt-cells", -1);

		/* The phandle and @ic cells must be there: compared in cells, nothing overflows. */
		if (ic < 1 || ic > len / 4 - 1)
			break;
		if (gic_style(dt, ctrl, gic))
			gic_spec_to_irq(p + 1, &out[n++]);
		p += ic + 1;
		len -= (ic + 1) * 4;
	}
	return n;
}

/* Where /chosen names the console, in the order Linux looks (of_alias_scan). */
static const char *stdout_property(const struct dt *dt, int *len, const char **name)
{
	static const char *const props[] = { "stdout-path", "linux,stdout-path" };
	int chosen = dt_path(dt, "/chosen"), aliases;
	const char *v;

	for (unsigned int i = 0; chosen >= 0 && i < sizeof(props) / sizeof(props[0]); i++) {
		v = dt_getprop(dt, chosen, props[i], len);
		if (v) {
			*name = props[i];
			return v;
		}
	}
	/* The older convention (PowerPC): an alias named "stdout". */
	aliases = dt_path(dt, "/aliases");
	v = aliases < 0 ? NULL : dt_getprop(dt, aliases, "stdout", len);
	*name = v ? "/aliases/stdout" : NULL;
	return v;
}

void dt_stdout(const struct dt *dt, struct dt_stdout *out)
{
	const char *v, *colon;
	int len;

	memset(out, 0, sizeof(*out));
	out->node = -1;
	v = stdout_property(dt, &len, &out->property);
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
		int aliases = dt_path(dt, "/aliases");

		/* One that is there but no path from the root leads to no node (dt_path). */
		if (aliases < 0 || !getprop_namelen(dt, aliases, v, alias_len, NULL)) {
			out->status = DT_STDOUT_NO_ALIAS;
			return;
		}
	}
	out->node = dt_path_namelen(dt, v, out->path_len);
	out->status = out->node >= 0 ? DT_STDOUT_FOUND : DT_STDOUT_NO_NODE;
	if (out->node < 0)
		out->node = -1;
}

int dt_stdout_node(const struct dt *dt)
{
	struct dt_stdout s;

	dt_stdout(dt, &s);
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

uint32_t dt_clock_frequency(const struct dt *dt, int node)
{
	int len, provider;
	const fdt32_t *f = dt_getprop(dt, node, "clock-frequency", &len);
	const fdt32_t *clk;

	if (f && len == 4)
		return fdt32_to_cpu(*f);
	clk = dt_getprop(dt, node, "clocks", &len);
	if (!clk || len < 4)
		return 0;
	provider = dt_node_by_phandle(dt, fdt32_to_cpu(*clk));
	/* Only a provider of one clock (fixed-clock) says its rate in the tree. */
	if (provider < 0 || dt_cells(dt, provider, "#clock-cells", -1) != 0)
		return 0;
	f = dt_getprop(dt, provider, "clock-frequency", &len);
	return f && len == 4 ? fdt32_to_cpu(*f) : 0;
}

int dt_find_gic(const struct dt *dt, unsigned int *version)
{
	static const char *const v3[] = { "arm,gic-v3", NULL };
	static const char *const v2[] = { "arm,gic-400",       "arm,cortex-a15-gic",
					  "arm,cortex-a9-gic", "arm,cortex-a7-gic",
					  "arm,arm11mp-gic",   "arm,gic-v2",
					  "qcom,msm-qgic2",    NULL };
	int node = dt_find_compatible(dt, v3);

	*version = 3;
	if (node < 0) {
		node = dt_find_compatible(dt, v2);
		*version = node < 0 ? 0 : 2;
	}
	return node;
}
