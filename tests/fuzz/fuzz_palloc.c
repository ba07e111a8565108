// SPDX-License-Identifier: MIT
/*
 * The physical page allocator (core/palloc.c) against a model kept here: who
 * holds each page, one entry per page, and first fit written the plain way.
 * Regions of made-up addresses (the allocator never touches the memory it
 * manages), some unaligned, one perhaps at address 0, some overlapping or one
 * too many; then allocations of any size and alignment, frees of whole
 * allocations or of parts, frees of anything at all, reservations.
 *
 * Checked after every operation, from core/palloc.h: a region is added as its
 * whole pages (never page 0), or refused when it overlaps one or there are too
 * many; an allocation is the lowest free run of its pages at its alignment
 * (so it overlaps nothing and fails only when there is no room), 0 for a size
 * or alignment it does not take; a free of what was allocated always succeeds
 * (whole, in parts, in any order), and a free of pages not all allocated in
 * one region fails and changes nothing; a reservation takes the pages it
 * touches. The free byte count, the number of free runs (palloc_free_runs)
 * and every region's free bitmap equal the model's, and no free page lies
 * below a region's search hint. At the end everything is freed: the free
 * bytes and runs are what they were after the reservations, so nothing leaked.
 *
 * Input: the number of regions (u8), each a flag byte (bit 0: start at
 * address 0; bit 1: overlap the previous one), its size in pages (u16) and a
 * misalignment in bytes (u8); then operations, a byte each (see run_op()) and
 * their arguments.
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/pgtable.h"
#include "board/layout.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/palloc.h"
#include "fuzz.h"

#define PAGE	  PALLOC_PAGE
#define MAX_PAGES 2048 /* per region: 8 MiB */
#define NREGIONS  (PALLOC_MAX_REGIONS + 1)
#define SLOTS	  64
#define GIB	  (1UL << 30)

#define FREE	 0
#define RESERVED 0xffff /* taken by a reservation, or never part of an allocation */

struct mregion {
	uint64_t base, pages; /* as added: whole pages */
	uint16_t owner[MAX_PAGES];
	uint64_t free[MAX_PAGES / 64]; /* a bit per page owned by nobody, kept with owner[] */
};

static struct palloc alloc; /* the allocator under test */
static struct mregion model[NREGIONS];
static unsigned int nmodel;
static uint64_t *bitmaps[NREGIONS];
static uint64_t slot_base[SLOTS], slot_pages[SLOTS]; /* what palloc_alloc gave, 0: none */
static bool baseline; /* what is free at the end must be what was after the reservations */

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* --- the model --- */

static uint64_t model_free; /* pages owned by nobody */

/* Page @i of @m to @who (FREE: nobody). */
FUZZ_ORACLE static void set_owner(struct mregion *m, uint64_t i, uint16_t who)
{
	uint64_t bit = 1UL << (i % 64);

	model_free += (who == FREE) - (m->owner[i] == FREE);
	m->owner[i] = who;
	m->free[i / 64] = who == FREE ? m->free[i / 64] | bit : m->free[i / 64] & ~bit;
}

/* Where first fit puts @pages pages aligned to @align: the lowest address that fits. */
FUZZ_ORACLE static uint64_t model_first_fit(uint64_t pages, uint64_t align)
{
	for (unsigned int r = 0; r < nmodel; r++) {
		const struct mregion *m = &model[r];

		for (uint64_t i = 0; pages <= m->pages && i <= m->pages - pages; i++) {
			uint64_t k = 0;

			if ((m->base + i * PAGE) % align)
				continue;
			while (k < pages && m->owner[i + k] == FREE)
				k++;
			if (k == pages)
				return m->base + i * PAGE;
			i += k; /* no run starts before the page in use after it */
		}
	}
	return 0;
}

/* The region and first page of [addr, addr + pages pages) if all of it is in one region. */
FUZZ_ORACLE static struct mregion *model_find(uint64_t addr, uint64_t pages, uint64_t *first)
{
	*first = 0;
	for (unsigned int r = 0; r < nmodel; r++) {
		struct mregion *m = &model[r];

		if (addr < m->base || (addr - m->base) / PAGE >= m->pages)
			continue;
		*first = (addr - m->base) / PAGE;
		return pages <= m->pages - *first ? m : 0;
	}
	return 0;
}

/* --- checks --- */

/* The allocator against the model: free pages, free runs, each region's bits and hint. */
FUZZ_ORACLE static void check_state(const char *after)
{
	uint64_t runs = 0;

	FUZZ_CHECK(palloc_free_bytes(&alloc) == model_free * PAGE,
		   "after %s: %lu bytes free, the model has %lu pages", after,
		   (unsigned long)palloc_free_bytes(&alloc), (unsigned long)model_free);
	FUZZ_CHECK(alloc.nregions == nmodel, "after %s: %u regions, the model has %u", after,
		   alloc.nregions, nmodel);
	for (unsigned int r = 0; r < nmodel; r++) {
		const struct palloc_region *g = &alloc.region[r];
		const struct mregion *m = &model[r];
		uint64_t above = 0; /* the page before a word's first is free */

		FUZZ_CHECK(g->base == m->base && g->pages == m->pages,
			   "region %u: 0x%lx+%lu pages, the model has 0x%lx+%lu", r,
			   (unsigned long)g->base, (unsigned long)g->pages, (unsigned long)m->base,
			   (unsigned long)m->pages);
		for (uint64_t w = 0; w < (m->pages + 63) / 64; w++) {
			uint64_t want = m->free[w];
			uint64_t below_hint = g->hint >= w * 64 + 64 ? ~0UL
					      : g->hint > w * 64 ? (1UL << (g->hint - w * 64)) - 1
								 : 0;

			FUZZ_CHECK(g->free[w] == want,
				   "after %s: region %u pages %lu-%lu: free bits 0x%lx, the model "
				   "0x%lx",
				   after, r, (unsigned long)(w * 64), (unsigned long)(w * 64 + 63),
				   (unsigned long)g->free[w], (unsigned long)want);
			FUZZ_CHECK(!(want & below_hint),
				   "after %s: region %u: a page free below the hint %lu (pages "
				   "%lu-%lu: 0x%lx)",
				   after, r, (unsigned long)g->hint, (unsigned long)(w * 64),
				   (unsigned long)(w * 64 + 63), (unsigned long)want);
			/* A run starts at each free page whose predecessor is not free. */
			runs += (uint64_t)__builtin_popcountll(want & ~(want << 1 | above));
			above = want >> 63;
		}
	}
	FUZZ_CHECK(palloc_free_runs(&alloc) == runs, "after %s: %lu free runs, the model has %lu",
		   after, (unsigned long)palloc_free_runs(&alloc), (unsigned long)runs);
}

/* --- operations --- */

FUZZ_ORACLE static void add_region(struct fuzz_in *in)
{
	uint8_t flags = fuzz_u8(in);
	uint64_t pages = fuzz_u16(in) % (MAX_PAGES + 1), skew = fuzz_u8(in);
	uint64_t base = flags & 1 ? 0 : (nmodel + 1) * GIB + skew;
	uint64_t size = pages * PAGE, start, end, bytes;
	bool overlap = false;
	int want, got;

	if ((flags & 2) && nmodel) /* over the previous region's last page */
		base = model[nmodel - 1].base + (model[nmodel - 1].pages - 1) * PAGE;
	start = round_up(base, PAGE);
	end = (base + size) & ~(PAGE - 1);
	if (!start)
		start = PAGE; /* page 0 is never handed out */
	for (unsigned int r = 0; r < nmodel; r++)
		overlap |= start < model[r].base + model[r].pages * PAGE && model[r].base < end;
	want = end > start && !overlap && nmodel < PALLOC_MAX_REGIONS ? 0 : -1;
	bytes = palloc_bitmap_bytes(size);
	bitmaps[nmodel] = malloc(bytes ? bytes : 1);
	got = palloc_add(&alloc, base, size, bitmaps[nmodel]);
	FUZZ_CHECK(got == want, "palloc_add(0x%lx, 0x%lx): %d, want %d", (unsigned long)base,
		   (unsigned long)size, got, want);
	if (got) {
		free(bitmaps[nmodel]);
		bitmaps[nmodel] = 0;
		return;
	}
	model[nmodel].base = start;
	model[nmodel].pages = (end - start) / PAGE;
	memset(model[nmodel].owner, 0, sizeof(model[nmodel].owner));
	memset(model[nmodel].free, 0, sizeof(model[nmodel].free));
	for (uint64_t i = 0; i < model[nmodel].pages; i++)
		model[nmodel].free[i / 64] |= 1UL << (i % 64);
	model_free += model[nmodel].pages;
	nmodel++;
}

/* A free slot, or -1. */
static int free_slot(void)
{
	for (int k = 0; k < SLOTS; k++)
		if (!slot_base[k])
			return k;
	return -1;
}

FUZZ_ORACLE static void check_alloc(uint64_t size, uint64_t align)
{
	uint64_t pages = round_up(size, PAGE) / PAGE, want = 0, got, first;
	int k = free_slot();
	struct mregion *m;

	if (size && !(align & (align - 1)) && size <= ~0UL - PAGE)
		want = model_first_fit(pages, align < PAGE ? PAGE : align);
	got = palloc_alloc(&alloc, size, align);
	FUZZ_CHECK(got == want, "palloc_alloc(0x%lx, 0x%lx): 0x%lx, first fit is 0x%lx",
		   (unsigned long)size, (unsigned long)align, (unsigned long)got,
		   (unsigned long)want);
	if (!got)
		return;
	m = model_find(got, pages, &first);
	FUZZ_CHECK(m, "palloc_alloc gave 0x%lx+%lu pages, not all in one region",
		   (unsigned long)got, (unsigned long)pages);
	for (uint64_t i = 0; i < pages; i++)
		set_owner(m, first + i, k < 0 ? RESERVED : (uint16_t)(k + 1));
	baseline &= k >= 0; /* without a slot, it is never freed */
	if (k >= 0) {
		slot_base[k] = got;
		slot_pages[k] = pages;
	}
}

/* Frees the pages of slot @k in [first, first + n) that it still holds, a run at a time. */
FUZZ_ORACLE static void free_slot_pages(unsigned int k, uint64_t first, uint64_t n)
{
	uint64_t mfirst, i = 0;
	struct mregion *m = model_find(slot_base[k], slot_pages[k], &mfirst);

	FUZZ_CHECK(m, "slot %u: 0x%lx in no region", k, (unsigned long)slot_base[k]);

	while (i < n) {
		uint64_t run = 0;
		int r;

		while (first + i < slot_pages[k] && i < n && m->owner[mfirst + first + i] != k + 1)
			i++;
		while (first + i + run < slot_pages[k] && i + run < n &&
		       m->owner[mfirst + first + i + run] == k + 1)
			run++;
		if (!run)
			break;
		r = palloc_free(&alloc, slot_base[k] + (first + i) * PAGE, run * PAGE);
		FUZZ_CHECK(!r, "palloc_free(0x%lx, %lu pages) of what palloc_alloc gave: %d",
			   (unsigned long)(slot_base[k] + (first + i) * PAGE), (unsigned long)run,
			   r);
		for (uint64_t j = 0; j < run; j++)
			set_owner(m, mfirst + first + i + j, FREE);
		i += run;
	}
	for (i = 0; i < slot_pages[k]; i++)
		if (m->owner[mfirst + i] == k + 1)
			return;
	slot_base[k] = 0; /* all of it given back */
}

/* Any range at all: refused and nothing changes, unless every page is allocated. */
FUZZ_ORACLE static void check_free_any(uint64_t base, uint64_t size)
{
	uint64_t pages = round_up(size, PAGE) / PAGE, first = 0;
	struct mregion *m = 0;
	int want = -1, got;

	if (size && !(base % PAGE) && size <= ~0UL - PAGE)
		m = model_find(base, pages, &first);
	if (m) {
		want = 0;
		for (uint64_t i = 0; i < pages; i++)
			want = m->owner[first + i] == FREE ? -1 : want;
	}
	got = palloc_free(&alloc, base, size);
	FUZZ_CHECK(got == want, "palloc_free(0x%lx, 0x%lx): %d, want %d", (unsigned long)base,
		   (unsigned long)size, got, want);
	if (got)
		return;
	baseline = false; /* it may have been a reservation */
	for (uint64_t i = 0; i < pages; i++)
		set_owner(m, first + i, FREE);
	/* Slots whose pages were freed this way hold what is left of them. */
	for (unsigned int k = 0; k < SLOTS; k++)
		if (slot_base[k])
			free_slot_pages(k, 0, 0);
}

FUZZ_ORACLE static void check_reserve(uint64_t base, uint64_t size)
{
	uint64_t start = base & ~(PAGE - 1);
	uint64_t end = base + size < base ? ~0UL : round_up(base + size, PAGE);

	if (end < start)
		end = ~0UL; /* rounded up past the top */
	palloc_reserve(&alloc, base, size);
	baseline = false;
	for (unsigned int r = 0; r < nmodel; r++)
		for (uint64_t i = 0; i < model[r].pages; i++) {
			uint64_t a = model[r].base + i * PAGE;

			if (a >= start && a < end && model[r].owner[i] == FREE)
				set_owner(&model[r], i, RESERVED);
		}
}

/* An address near region @r (u8), @off bytes from its base. */
static uint64_t near_region(uint8_t r, uint32_t off)
{
	return nmodel ? model[r % nmodel].base + off - (1UL << 20) : off;
}

enum op { OP_ALLOC, OP_ALLOC_PAGES, OP_FREE, OP_FREE_PART, OP_FREE_ANY, OP_RESERVE, OP_COUNT };

static void run_op(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in), a;
	uint32_t v, w;
	unsigned int k;

	switch (op % OP_COUNT) {
	case OP_ALLOC: /* u32 size (its top bit: a huge one), u8 alignment */
		v = fuzz_u32(in);
		a = fuzz_u8(in); /* bits 0-5: log2; bit 6: not a power of two */
		check_alloc(v >> 31 ? ~0UL - (v & 0xffff) : v & 0xffffff,
			    (1UL << (a & 63)) | (a & 0x40 ? 0x1000 : 0));
		break;
	case OP_ALLOC_PAGES: /* u8 pages - 1, u8 log2 of the alignment over 4 KiB (0-9) */
		v = fuzz_u8(in);
		a = fuzz_u8(in);
		check_alloc((v + 1) * PAGE, PAGE << (a % 10));
		break;
	case OP_FREE: /* u8 slot */
		k = fuzz_u8(in) % SLOTS;
		if (slot_base[k])
			free_slot_pages(k, 0, slot_pages[k]);
		break;
	case OP_FREE_PART: /* u8 slot, u16 first page, u16 pages */
		k = fuzz_u8(in) % SLOTS;
		v = fuzz_u16(in);
		w = fuzz_u16(in);
		if (slot_base[k])
			free_slot_pages(k, v % slot_pages[k], w % (slot_pages[k] + 1));
		break;
	case OP_FREE_ANY: /* u8 region, u32 offset from 1 MiB before it, u32 size */
		a = fuzz_u8(in);
		v = fuzz_u32(in);
		w = fuzz_u32(in);
		check_free_any(near_region(a, v), w);
		break;
	case OP_RESERVE: /* u8 region, u32 offset from 1 MiB before it, u32 size */
		a = fuzz_u8(in);
		v = fuzz_u32(in);
		w = fuzz_u32(in);
		check_reserve(near_region(a, v), w);
		break;
	}
	check_state("an operation");
}

static void palloc_session(struct fuzz_in in, unsigned int n)
{
	uint64_t free_bytes, runs;

	palloc_init(&alloc);
	nmodel = 0;
	model_free = 0;
	baseline = false;
	memset(slot_base, 0, sizeof(slot_base));
	for (unsigned int i = 0; i < n; i++)
		add_region(&in);
	check_state("adding regions");
	while (fuzz_more(&in)) {
		uint8_t peek = in.p[0];

		if (peek % OP_COUNT != OP_RESERVE)
			break;
		run_op(&in); /* reservations first, as at boot */
	}
	free_bytes = palloc_free_bytes(&alloc);
	runs = palloc_free_runs(&alloc);
	baseline = true;
	while (fuzz_more(&in))
		run_op(&in);
	for (unsigned int k = 0; k < SLOTS; k++)
		if (slot_base[k])
			free_slot_pages(k, 0, slot_pages[k]);
	check_state("freeing everything");
	/* Unless later reservations or frees of anything moved it, nothing leaked. */
	FUZZ_CHECK(!baseline || (palloc_free_bytes(&alloc) == free_bytes &&
				 palloc_free_runs(&alloc) == runs),
		   "everything freed: %lu bytes free in %lu runs, %lu in %lu before",
		   (unsigned long)palloc_free_bytes(&alloc),
		   (unsigned long)palloc_free_runs(&alloc), (unsigned long)free_bytes,
		   (unsigned long)runs);
	for (unsigned int i = 0; i < nmodel; i++)
		free(bitmaps[i]);
}

/*
 * --- stage-2 table quotas ---
 *
 * Two VMs' stage 2 (arch/arm64/stage2.c and pgtable.c, for real) taking their
 * table pages from host memory (core/mem.c on this allocator), each with the
 * quota vm.c gives it: the tables its RAM and GICC can need. Host memory holds
 * both quotas and little more. Mappings in a VM's RAM (pages and 2 MiB blocks,
 * any permissions, in any order), page permission changes (splitting blocks),
 * the GICC device mapping, resets (unmap all), and mappings elsewhere (which
 * the quota does not cover). Checked: a mapping in RAM or GICC never fails
 * unless that same VM mapped elsewhere before (its own quota, never the other
 * VM, stopped it); a VM never has more table pages than its quota; host memory
 * free is what it was less the roots and each VM's table pages (nothing
 * leaks, nothing is freed twice); a reset frees every table page, after the
 * TLB flush; lookups give the pages, permissions and addresses mapped
 * (splitting a block keeps the rest of it as it was); the other VM's
 * mappings do not change.
 *
 * Input (after the mode byte): the IPA size (u8, one of six), RAM sizes in
 * pages (u16 each), spare host pages (u8), then operations, see quota_op().
 */

#define BLOCK	      (2UL << 20)
#define HOST_PAGES    512 /* 2 MiB of host memory to take tables from */
#define VM_MAX_PAGES  4096
#define VM_MAX_BLOCKS (VM_MAX_PAGES / 512)

struct qvm {
	struct stage2 s2;
	uint64_t ram_pages, ram_pa;
	bool outside;		     /* mapped beyond RAM and GICC: its quota may run out */
	uint8_t perms[VM_MAX_PAGES]; /* S2_PERM_*, 0: unmapped */
	uint8_t kind[VM_MAX_BLOCKS]; /* of each 2 MiB: K_NONE, K_BLOCK, K_TABLE */
	uint8_t gicc;		     /* GICC mapped */
};

enum { K_NONE, K_BLOCK, K_TABLE };

static struct qvm qvms[2];
static unsigned int pa_bits, logged;
static uint64_t *host; /* 2 MiB aligned */
static uint64_t free_at_flush;

unsigned int mmu_pa_bits(void)
{
	return pa_bits;
}

void s2_tlb_flush_ipa(ipaddr_t ipa)
{
	(void)ipa;
}

void s2_tlb_flush_vmid(void)
{
	free_at_flush = mem_free_bytes();
}

void s2_publish(void)
{
}

static void log_any(void)
{
	logged++;
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
	log_any();
}

void log_warn(const char *fmt, ...)
{
	(void)fmt;
	log_any();
}

void log_error(const char *fmt, ...)
{
	(void)fmt;
	log_any();
}

static uint64_t root_bytes(const struct stage2 *s2)
{
	return (uint64_t)pgtable_root_pages(s2->ipa_bits, s2->start_level) * PAGE;
}

static uint64_t quota_of(const struct qvm *q)
{
	return arch_stage2_tables_for(&q->s2, ipa_init(GUEST_RAM_BASE), q->ram_pages * PAGE) +
	       arch_stage2_tables_for(&q->s2, ipa_init(GUEST_GICC_BASE), GUEST_GICC_SIZE);
}

static uint64_t base_free; /* host memory free with both roots taken, no tables */

/*
 * The stage-2 descriptor that maps @ipa, read from the tables as the MMU reads
 * them (VMSAv8-64, 4 KiB granule; the root is start_level's concatenated
 * tables), and the bytes it maps in *@size; 0 when nothing does.
 */
FUZZ_ORACLE static uint64_t walk(const struct stage2 *s2, uint64_t ipa, uint64_t *size)
{
	const uint64_t *table = s2->root;
	uint64_t entries = pgtable_root_pages(s2->ipa_bits, s2->start_level) * 512UL;

	*size = PAGE;

	for (unsigned int level = s2->start_level; level <= 3; level++) {
		unsigned int shift = 12 + 9 * (3 - level);
		uint64_t e = table[(ipa >> shift) & (entries - 1)];

		*size = 1UL << shift;
		if (!(e & PTE_VALID))
			return 0;
		if (level == 3 || !(e & PTE_TABLE))
			return level == 3 && !(e & PTE_TABLE) ? 0 : e; /* level 3: pages only */
		table = (const uint64_t *)(e & PTE_ADDR_MASK);
		entries = 512;
	}
	return 0;
}

/* One page of VM @q's RAM, as the tables map it, against the model. */
FUZZ_ORACLE static void check_page(struct qvm *q, unsigned int v, uint64_t i)
{
	uint64_t ipa = GUEST_RAM_BASE + i * PAGE, size, e = walk(&q->s2, ipa, &size);
	uint64_t pa = (e & PTE_ADDR_MASK) + (ipa & (size - 1) & ~(PAGE - 1));
	unsigned int perms = ((e & S2_AP_R) ? S2_PERM_R : 0) | ((e & S2_AP_W) ? S2_PERM_W : 0) |
			     ((e & S2_XN) ? 0 : S2_PERM_X);

	FUZZ_CHECK(!e == !q->perms[i] &&
			   (!e || (perms == q->perms[i] && pa == q->ram_pa + i * PAGE)),
		   "VM %u RAM page %lu: descriptor 0x%lx (perms %u pa 0x%lx), the model: perms %u "
		   "pa 0x%lx",
		   v, (unsigned long)i, (unsigned long)e, e ? perms : 0, (unsigned long)pa,
		   q->perms[i], (unsigned long)(q->ram_pa + i * PAGE));
}

/* What arch_stage2_lookup says of VM @q's RAM page @i is what its tables say. */
FUZZ_ORACLE static void check_lookup(struct qvm *q, unsigned int v, uint64_t i)
{
	uint64_t ipa = GUEST_RAM_BASE + i * PAGE, size, e = walk(&q->s2, ipa, &size);
	struct s2_leaf leaf;

	arch_stage2_lookup(&q->s2, ipa_init(ipa), &leaf);
	FUZZ_CHECK(leaf.valid == (e != 0) &&
			   (!e || (leaf.size == size && leaf.perms == q->perms[i] &&
				   pa_addr(leaf.pa) == q->ram_pa + i * PAGE)),
		   "VM %u RAM page %lu: lookup valid %d perms %u pa 0x%lx size 0x%lx, descriptor "
		   "0x%lx of 0x%lx bytes",
		   v, (unsigned long)i, leaf.valid, leaf.perms, (unsigned long)pa_addr(leaf.pa),
		   (unsigned long)leaf.size, (unsigned long)e, (unsigned long)size);
}

/*
 * After an operation on VM @v at RAM page @i: every page of its 2 MiB there (a
 * block split or made, a table entry beside) and the other VM's page @i. Each
 * VM's every page is checked at the end of the input too.
 */
FUZZ_ORACLE static void check_block(unsigned int v, uint64_t i)
{
	struct qvm *q = &qvms[v], *other = &qvms[!v];
	uint64_t first = i / 512 * 512;

	for (uint64_t p = first; p < first + 512 && p < q->ram_pages; p++)
		check_page(q, v, p);
	check_lookup(q, v, i);
	if (i < other->ram_pages)
		check_page(other, !v, i);
}

FUZZ_ORACLE static void check_all_pages(void)
{
	for (unsigned int v = 0; v < 2; v++)
		for (uint64_t p = 0; p < qvms[v].ram_pages; p++)
			check_page(&qvms[v], v, p);
}

FUZZ_ORACLE static void check_memory(void)
{
	uint64_t tables = qvms[0].s2.table_pages + qvms[1].s2.table_pages;

	FUZZ_CHECK(!logged, "%u lines logged (a table page freed that was not allocated?)", logged);
	for (unsigned int v = 0; v < 2; v++)
		FUZZ_CHECK(qvms[v].s2.table_pages <= qvms[v].s2.table_quota,
			   "VM %u: %lu table pages, quota %lu", v,
			   (unsigned long)qvms[v].s2.table_pages,
			   (unsigned long)qvms[v].s2.table_quota);
	FUZZ_CHECK(mem_free_bytes() == base_free - tables * PAGE,
		   "host memory free 0x%lx, want 0x%lx less %lu table pages",
		   (unsigned long)mem_free_bytes(), (unsigned long)base_free,
		   (unsigned long)tables);
}

/* A mapping in RAM or GICC failed: only if the VM mapped elsewhere and its quota is used up. */
FUZZ_ORACLE static void check_result(const struct qvm *q, unsigned int v, int r, const char *what,
				     uint64_t i)
{
	FUZZ_CHECK(!r || (q->outside && q->s2.table_pages == q->s2.table_quota),
		   "VM %u: %s at RAM page %lu failed with %lu of %lu table pages (mapped "
		   "outside: %d), %lu bytes of host memory free",
		   v, what, (unsigned long)i, (unsigned long)q->s2.table_pages,
		   (unsigned long)q->s2.table_quota, q->outside, (unsigned long)mem_free_bytes());
}

static unsigned int perms_of(uint8_t b)
{
	return S2_PERM_R | (b & (S2_PERM_W | S2_PERM_X));
}

FUZZ_ORACLE static void q_map_page(struct qvm *q, unsigned int v, uint64_t i, unsigned int perms)
{
	uint64_t b = i / 512;
	int r = arch_stage2_map(&q->s2, ipa_init(GUEST_RAM_BASE + i * PAGE),
				pa_init(q->ram_pa + i * PAGE), PAGE, perms);

	if (q->kind[b] == K_BLOCK) { /* covered already: the same, or refused */
		FUZZ_CHECK(!r == (q->perms[i] == perms),
			   "VM %u: page %lu mapped %u in a block of %u: %d", v, (unsigned long)i,
			   perms, q->perms[i], r);
		return;
	}
	check_result(q, v, r, "a page mapping", i);
	if (r)
		return;
	q->kind[b] = K_TABLE;
	q->perms[i] = (uint8_t)perms;
}

FUZZ_ORACLE static void q_map_block(struct qvm *q, unsigned int v, uint64_t b, unsigned int perms)
{
	int r = arch_stage2_map(&q->s2, ipa_init(GUEST_RAM_BASE + b * BLOCK),
				pa_init(q->ram_pa + b * BLOCK), BLOCK, perms);

	if (q->kind[b] == K_BLOCK) {
		FUZZ_CHECK(!r == (q->perms[b * 512] == perms),
			   "VM %u: block %lu mapped %u over a block of %u: %d", v, (unsigned long)b,
			   perms, q->perms[b * 512], r);
		return;
	}
	check_result(q, v, r, "a block mapping", b * 512);
	if (r) {
		/* Pages mapped until a table could not be had: lookups tell which. */
		for (uint64_t i = b * 512; i < b * 512 + 512; i++) {
			struct s2_leaf leaf;

			arch_stage2_lookup(&q->s2, ipa_init(GUEST_RAM_BASE + i * PAGE), &leaf);
			if (leaf.valid && leaf.perms == perms)
				q->perms[i] = (uint8_t)perms;
		}
		return;
	}
	if (q->kind[b] == K_NONE)
		q->kind[b] = K_BLOCK;
	memset(&q->perms[b * 512], (int)perms, 512);
}

FUZZ_ORACLE static void q_protect(struct qvm *q, unsigned int v, uint64_t i, unsigned int perms)
{
	uint64_t b = i / 512;
	int r = arch_stage2_protect_page(&q->s2, ipa_init(GUEST_RAM_BASE + i * PAGE), perms);

	if (!q->perms[i]) {
		FUZZ_CHECK(r, "VM %u: unmapped page %lu protected", v, (unsigned long)i);
		return;
	}
	check_result(q, v, r, "a permission change", i);
	if (r)
		return;
	q->kind[b] = K_TABLE;
	q->perms[i] = (uint8_t)perms;
}

FUZZ_ORACLE static void q_reset(struct qvm *q)
{
	uint64_t before = mem_free_bytes();

	free_at_flush = 0;
	arch_stage2_unmap_all(&q->s2);
	FUZZ_CHECK(q->s2.table_pages == 0, "%lu table pages after unmapping everything",
		   (unsigned long)q->s2.table_pages);
	FUZZ_CHECK(free_at_flush == before,
		   "table pages freed before the TLB flush (0x%lx free "
		   "at the flush, 0x%lx before)",
		   (unsigned long)free_at_flush, (unsigned long)before);
	memset(q->perms, 0, sizeof(q->perms));
	memset(q->kind, 0, sizeof(q->kind));
	q->gicc = 0;
	q->outside = false;
}

enum qop { Q_PAGE, Q_BLOCK, Q_PROTECT, Q_GICC, Q_ELSEWHERE, Q_RESET, Q_COUNT };

/* An operation byte: bits 0-2 which, bit 3 the VM; then its arguments. */
static void quota_op(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	unsigned int v = (op >> 3) & 1;
	struct qvm *q = &qvms[v];
	uint64_t i = fuzz_u16(in) % q->ram_pages, b = i / 512;
	unsigned int perms = perms_of(fuzz_u8(in));
	uint32_t where;
	int r;

	switch (op % 8 % Q_COUNT) {
	case Q_PAGE: /* u16 page, u8 perms */
		q_map_page(q, v, i, perms);
		check_block(v, i);
		break;
	case Q_BLOCK: /* u16 a page of the block, u8 perms: a whole 2 MiB of RAM only */
		if ((b + 1) * 512 <= q->ram_pages)
			q_map_block(q, v, b, perms);
		check_block(v, i);
		break;
	case Q_PROTECT: /* u16 page, u8 perms */
		q_protect(q, v, i, perms);
		check_block(v, i);
		break;
	case Q_GICC: /* (u16, u8 unused) */
		r = arch_stage2_map_device(&q->s2, ipa_init(GUEST_GICC_BASE), pa_init(0x08040000),
					   GUEST_GICC_SIZE);
		check_result(q, v, r, "the GICC mapping", 0);
		break;
	case Q_ELSEWHERE: /* (u16, u8) and u32: a page (IPA / 4 KiB) outside RAM and GICC */
		where = fuzz_u32(in);
		if (((uint64_t)where << 12) < (1UL << pa_bits) &&
		    ((uint64_t)where << 12) - GUEST_RAM_BASE >= q->ram_pages * PAGE &&
		    ((uint64_t)where << 12) - GUEST_GICC_BASE >= GUEST_GICC_SIZE) {
			q->outside = true;
			arch_stage2_map(&q->s2, ipa_init((uint64_t)where << 12),
					pa_init((uint64_t)where << 12), PAGE, perms);
		}
		break;
	case Q_RESET:
		q_reset(q);
		check_block(v, i);
		break;
	}
	check_memory();
}

static void quota_session(struct fuzz_in in)
{
	static const unsigned int ipa_sizes[] = { 32, 36, 40, 42, 44, 48 };
	struct platform plat = { 0 };
	uint64_t quotas, pages, spare;

	if (!host)
		host = aligned_alloc(BLOCK, HOST_PAGES * PAGE);
	pa_bits = ipa_sizes[fuzz_u8(&in) % 6];
	logged = 0;
	for (unsigned int v = 0; v < 2; v++) {
		memset(&qvms[v], 0, sizeof(qvms[v]));
		qvms[v].ram_pages = 1 + fuzz_u16(&in) % VM_MAX_PAGES;
		qvms[v].ram_pa = (8UL + v) << 30; /* made up: stage 2 never touches it */
	}
	spare = fuzz_u8(&in) % 8;
	/* Both quotas, the roots with their alignment, the allocator's bitmap, and spare pages. */
	qvms[0].s2.ipa_bits = qvms[1].s2.ipa_bits = pa_bits > 48 ? 48 : pa_bits;
	qvms[0].s2.start_level = qvms[1].s2.start_level = pa_bits > 43 ? 0 : 1;
	quotas = quota_of(&qvms[0]) + quota_of(&qvms[1]);
	pages = 1 + 4 * root_bytes(&qvms[0].s2) / PAGE + quotas + spare;
	FUZZ_CHECK(pages <= HOST_PAGES, "%lu pages of host memory needed", (unsigned long)pages);
	plat.nmem = 1;
	plat.mem[0] = (struct mem_range){ (uint64_t)host, pages * PAGE };
	mem_init(&plat, 0, 0);
	for (unsigned int v = 0; v < 2; v++) {
		FUZZ_CHECK(!arch_stage2_init(&qvms[v].s2, (uint16_t)(v + 1)), "no root for VM %u",
			   v);
		qvms[v].s2.table_quota = quota_of(&qvms[v]);
	}
	base_free = mem_free_bytes();
	FUZZ_CHECK(base_free >= quotas * PAGE, "0x%lx bytes free for quotas of %lu pages",
		   (unsigned long)base_free, (unsigned long)quotas);
	check_memory();
	while (fuzz_more(&in))
		quota_op(&in);
	check_all_pages();
	for (unsigned int v = 0; v < 2; v++) {
		q_reset(&qvms[v]);
		check_memory();
	}
	for (unsigned int v = 0; v < 2; v++)
		arch_stage2_destroy(&qvms[v].s2);
	FUZZ_CHECK(mem_free_bytes() == (pages - 1) * PAGE && !logged,
		   "VMs gone: 0x%lx bytes free of 0x%lx", (unsigned long)mem_free_bytes(),
		   (unsigned long)((pages - 1) * PAGE));
}

/* The first byte: bit 7 the stage-2 quotas, else the allocator with (byte % 10) regions. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t mode = fuzz_u8(&in);

	if (mode & 0x80)
		quota_session(in);
	else
		palloc_session(in, mode % (NREGIONS + 1));
	return 0;
}
