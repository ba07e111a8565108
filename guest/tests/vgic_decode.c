// SPDX-License-Identifier: MIT
/*
 * How the virtual GIC decodes accesses of each size: bytes where the GIC takes
 * them (IPRIORITYR, ITARGETSR) change one field only; sizes it does not take
 * (a halfword anywhere, a byte of ICFGR or ISENABLER) read as zero and change
 * nothing; and an unaligned access cannot reach from one vCPU's private
 * interrupts (INTIDs 0-31) into the shared SPIs. The last needs the GIC's
 * registers mapped as normal memory (stage 1), where unaligned accesses are
 * allowed and reach the hypervisor as they are. And every access, whichever
 * register it goes through, changes that register alone.
 */
#include "libguest.h"
#include "regpattern.h"

#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_IPRIO     0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR     0x0c00
#define GICD_IROUTER   0x6000
#define GICR_SGI       0x10000

static unsigned int version;
static uint64_t gicd;

static uint32_t rd32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}

static void wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static uint16_t rd16(uint64_t a)
{
	return *(volatile uint16_t *)a;
}

static void wr16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static uint8_t rd8(uint64_t a)
{
	return *(volatile uint8_t *)a;
}

static void wr8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/* IPRIORITYR of SPIs 40-43: bytes and words only. */
static void check_priority_sizes(void)
{
	uint64_t reg = gicd + GICD_IPRIO + 40;

	wr32(reg, 0xa0a0a0a0);
	wr8(reg + 1, 0x80);
	report(rd32(reg) == 0xa0a080a0, "a byte write to IPRIORITYR sets one priority (0x%08x)",
	       rd32(reg));
	report(rd8(reg + 1) == 0x80, "and a byte read reads it back");
	wr16(reg, 0x1010);
	report(rd32(reg) == 0xa0a080a0, "a halfword write to IPRIORITYR changes nothing (0x%08x)",
	       rd32(reg));
	report(rd16(reg + 2) == 0, "a halfword read of it reads zero");
}

/* ICFGR and ISENABLER take words only. */
static void check_word_only_registers(void)
{
	uint64_t cfg = gicd + GICD_ICFGR + 8; /* SPIs 32-47 */

	wr32(cfg, 0xaaaaaaaa);
	wr8(cfg + 1, 0);
	report(rd32(cfg) == 0xaaaaaaaa,
	       "a byte write to ICFGR leaves all sixteen fields as they were (0x%08x)", rd32(cfg));
	wr32(cfg, 0);
	report(rd32(cfg) == 0, "a word write sets them all");
	wr8(gicd + GICD_ISENABLER + 4, 0xff);
	wr16(gicd + GICD_ISENABLER + 6, 0xffff);
	report(rd32(gicd + GICD_ISENABLER + 4) == 0,
	       "byte and halfword writes to ISENABLER enable nothing (0x%08x)",
	       rd32(gicd + GICD_ISENABLER + 4));
	wr32(gicd + GICD_ICENABLER + 4, ~0U);
}

/* GICv2's ITARGETSR takes bytes. */
static void check_targets_bytes(void)
{
	uint64_t reg = gicd + GICD_ITARGETSR + 40;

	wr32(reg, 0x01010101);
	wr8(reg + 2, 0x00);
	report(rd32(reg) == 0x01000101, "a byte write to ITARGETSR sets one target (0x%08x)",
	       rd32(reg));
	wr32(reg, 0x01010101);
}

/* GICv3's IROUTER takes words or doublewords. */
static void check_router_sizes(void)
{
	uint64_t reg = gicd + GICD_IROUTER + 8 * 40;

	wr32(reg + 4, 0);
	wr32(reg, 0);
	*(volatile uint64_t *)reg = 0x0000000100000000UL;
	report(rd32(reg + 4) == 1 && rd32(reg) == 0,
	       "IROUTER: a doubleword write, read back as two words");
	wr32(reg + 4, 0);
	report(*(volatile uint64_t *)reg == 0, "a word write to its upper half clears it");
}

/*
 * The unaligned halfword at INTIDs 31 and 32: on GICv2 the distributor holds
 * the vCPU's INTID 31 and the shared SPI 32; on GICv3 the redistributor's SGI
 * frame holds INTIDs 0-31 only, and must not reach the distributor's SPIs.
 */
static void check_unaligned_straddle(void)
{
	uint64_t prio = gicd + GICD_IPRIO, sgi = gic_redist_base() + GICR_SGI;

	mmu_enable_identity();
	mmu_map_page(gicd, gicd);
	if (version == 2) {
		wr32(prio + 28, 0xa0a0a0a0);
		wr32(prio + 32, 0xa0a0a0a0);
		wr16(prio + 31, 0x8080);
		report(rd32(prio + 28) == 0xa0a0a0a0 && rd32(prio + 32) == 0xa0a0a0a0,
		       "an unaligned halfword over INTIDs 31 and 32 changes neither (0x%08x "
		       "0x%08x)",
		       rd32(prio + 28), rd32(prio + 32));
		return;
	}
	mmu_map_page(sgi, sgi);
	wr16(sgi + GICD_ISENABLER + 3, 0xffff); /* the bits of INTIDs 24-39, were it permitted */
	wr32(sgi + GICD_ISENABLER + 2, ~0U);	/* 16-47 */
	report(rd32(gicd + GICD_ISENABLER + 4) == 0,
	       "unaligned writes to the redistributor's ISENABLER0 enable no SPI (0x%08x)",
	       rd32(gicd + GICD_ISENABLER + 4));
	report(rd32(sgi + GICD_ISENABLER) == 0, "nor any of its own interrupts (0x%08x)",
	       rd32(sgi + GICD_ISENABLER));
}

/*
 * Accesses to the distributor through a register (x5, x18, x29, x30: Skiff
 * serves them in its exception vector; x20: a register that path does not
 * save, so the full exit; xzr) with x1-x30 holding patterns (regpattern.h),
 * the address in x0: a read of GICD_TYPER returns the value read in x0; a
 * byte write puts 0xa0 into a priority field.
 */
#define READ_INTO(n)  "ldr w" #n ", [x0]\n mov x0, x" #n "\n" REGPAT_SET(n)
#define WRITE_FROM(n) "mov x" #n ", #0xa0\n strb w" #n ", [x0]\n" REGPAT_SET(n)

REGPAT_KEEPING(read_into_x5, READ_INTO(5))
REGPAT_KEEPING(read_into_x18, READ_INTO(18))
REGPAT_KEEPING(read_into_x20, READ_INTO(20))
REGPAT_KEEPING(read_into_x29, READ_INTO(29))
REGPAT_KEEPING(read_into_x30, READ_INTO(30))
REGPAT_KEEPING(read_into_xzr, "ldr wzr, [x0]\n")
REGPAT_KEEPING(write_from_x5, WRITE_FROM(5))
REGPAT_KEEPING(write_from_x20, WRITE_FROM(20))
REGPAT_KEEPING(write_from_x30, WRITE_FROM(30))

static void check_accesses_keep_registers(void)
{
	uint64_t (*const reads[])(uint64_t, uint64_t *) = { read_into_x5, read_into_x18,
							    read_into_x20, read_into_x29,
							    read_into_x30 };
	static const char *const read_names[] = { "x5", "x18", "x20 (full exit)", "x29", "x30" };
	uint64_t (*const writes[])(uint64_t, uint64_t *) = { write_from_x5, write_from_x20,
							     write_from_x30 };
	static const char *const write_names[] = { "x5", "x20 (full exit)", "x30" };
	uint64_t typer = rd32(gicd + 4), prio = gicd + GICD_IPRIO + 44, d, v;

	for (unsigned int i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		v = reads[i](gicd + 4, &d);
		report(d == 0 && v == typer, "GICD_TYPER read into %s (0x%lx) keeps x1-x30 (0x%lx)",
		       read_names[i], (unsigned long)v, (unsigned long)d);
	}
	(void)read_into_xzr(gicd + 4, &d);
	report(d == 0, "a read into xzr keeps x1-x30 (0x%lx)", (unsigned long)d);
	for (unsigned int i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		wr8(prio, 0);
		(void)writes[i](prio, &d);
		v = rd8(prio);
		report(d == 0 && v == 0xa0, "a byte written from %s (0x%lx) keeps x1-x30 (0x%lx)",
		       write_names[i], (unsigned long)v, (unsigned long)d);
	}
	wr8(prio, 0);
}

void main_test(void)
{
	report_info("test: vgic_decode");
	version = gic_init();
	if (!version) {
		report_skip("no interrupt controller in the VM", "register decoding");
		return;
	}
	gicd = gic_dist_base();
	report_info("GICv%u", version);
	check_priority_sizes();
	check_word_only_registers();
	if (version == 2)
		check_targets_bytes();
	else
		check_router_sizes();
	check_unaligned_straddle();
	check_accesses_keep_registers();
}
