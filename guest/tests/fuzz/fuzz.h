/* SPDX-License-Identifier: MIT */
/*
 * The hostile-guest fuzzer (guest/tests/fuzz.c, docs/testing.md): what its parts
 * share. Each vCPU generates operations from its own generator state, seeded from
 * the run's seed, the round and the vCPU: a round of a seed is the same sequence of
 * operations on every run (the interleaving of the vCPUs is the host's).
 */
#ifndef SKIFF_GUEST_FUZZ_H
#define SKIFF_GUEST_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "libguest.h"

#define FUZZ_MAX_VCPUS 8
#define PAGE	       4096UL
#define BLOCK	       (2UL << 20)

/*
 * Guest RAM, in 2 MiB blocks (the VM has at least 16 MiB): the image, then the state
 * kept across resets, each vCPU's page of generated EL1 code and of EL0 code, a
 * scratch block the operations aim at, a block nothing touches until an operation
 * does (first-touch stage-2 faults), a block left out of the guest's own stage 1,
 * and the device tree's block at the top.
 */
#define STATE_ADDR  (GUEST_RAM_BASE + 1 * BLOCK)
#define EL1_CODE    (GUEST_RAM_BASE + 2 * BLOCK)
#define EL0_CODE    (GUEST_RAM_BASE + 3 * BLOCK)
#define SCRATCH	    (GUEST_RAM_BASE + 4 * BLOCK)
#define LAZY	    (GUEST_RAM_BASE + 5 * BLOCK)
#define HOLE	    (GUEST_RAM_BASE + 6 * BLOCK)
#define PROTECT_END SCRATCH /* image, state and code: no operation writes below this */
#define RAM_MIN	    (16UL << 20)
#define CODE_DATA   2048 /* a code page's second half: data an operation may store to */
#define SLOT_BYTES  16
#define SLOTS	    (CODE_DATA / SLOT_BYTES)
#define RET_IMM	    0xf0d /* svc #RET_IMM ends a snippet */
#define BAD_IMM	    0xbad /* svc #BAD_IMM: a snippet resumed past its return */
#define T32_RET_IMM 0xab
#define T32_BAD_IMM 0xba

/*
 * The guest's virtual address map (1 GiB entries of one level-1 table): devices
 * as Device memory at their IPA; RAM at its IPA (EL1 only); the device window
 * again as Normal memory, where unaligned accesses, pairs, exclusives and atomics
 * reach Skiff instead of faulting in the guest; RAM again for EL0; unbacked IPAs
 * at 4 GiB and near the top of the IPA space.
 */
#define VA_NORMAL_DEV 0x80000000UL	   /* + IPA, for IPAs below 1 GiB */
#define VA_EL0_RAM    0x80000000UL	   /* + RAM's IPA: 0xc0000000 */
#define VA_HIGH	      0x100000000UL	   /* 4 GiB: four 1 GiB windows on high IPAs */
#define VA_TTBR1      0xffffff8000000000UL /* the top 512 GiB, walked from TTBR1 */

/* The interrupt controller (board/layout.h): GICv3's redistributors or GICv2's CPU interface. */
#define GICD_BASE   0x08000000UL
#define GICC_BASE   0x08010000UL
#define GICR_BASE   0x080a0000UL
#define GICR_STRIDE 0x20000UL

/* PSCI statuses. */
#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED		(-3)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_ON_PENDING		(-5)
#define PSCI_INTERNAL_FAILURE	(-6)
#define PSCI_INVALID_ADDRESS	(-9)

/* What an operation is. */
enum op_kind {
	OP_SYSREG,   /* MRS/MSR/SYS/SYSL/hints with random encodings */
	OP_LDST,     /* loads and stores of every shape, at targets across the map */
	OP_BACKDOOR, /* "mrs xzr, mdccsr_el0" with random x0-x7 */
	OP_GIC,	     /* distributor and redistributor registers, any size and offset */
	OP_SGI,	     /* ICC_SGI1R_EL1 / GICD_SGIR */
	OP_TIMER,    /* CNTV_*, CNTP_*, CNTKCTL_EL1, counters */
	OP_CALL,     /* HVC/SMC/SVC/BRK/HLT with random function IDs and arguments */
	OP_WFX,	     /* WFI/WFE, several in a row */
	OP_WALK,     /* loads through TTBR1 tables placed at MMIO or unbacked IPAs */
	OP_T32,	     /* Thumb at AArch32 EL0 */
	OP_KNOWN,    /* device registers of known value, any width, either endianness */
	OP_PSCI,     /* CPU_ON/OFF/SUSPEND, AFFINITY_INFO, FEATURES from C */
	OP_RPC,	     /* backdoor message channels with buffers across page ends */
	OP_KINDS,
};

/* One generated operation: a snippet (instruction, registers, level) or a C call. */
struct op {
	uint8_t kind;
	uint8_t el;	      /* 0 or 1: where a snippet runs */
	uint8_t t32;	      /* the snippet is Thumb (AArch32 EL0) */
	uint8_t unmask;	      /* run the snippet with IRQs unmasked */
	uint8_t arm_timer;    /* arm the virtual timer first (the snippet may wait) */
	uint8_t walk;	      /* point TTBR1 at walk_table first */
	uint8_t big_endian;   /* EL0 data accesses big-endian (SCTLR_EL1.E0E, PSTATE.E) */
	uint8_t check_rt;     /* 1 + the register whose value must be @expect, or 0 */
	uint8_t t32_len;      /* bytes of t32[] */
	uint32_t insn;	      /* A64 */
	uint16_t t32_insn[4]; /* T32: an instruction, or an IT and its instruction */
	uint32_t dest;	      /* registers the instruction may write */
	uint64_t x[31], sp;   /* registers the snippet starts with */
	uint64_t walk_table;  /* TTBR1's value for OP_WALK */
	uint64_t arg;	      /* C operations: their own choice */
	uint64_t expect;      /* OP_KNOWN: what the load must read */
	uint32_t slot;	      /* the snippet's slot in the code page */
};

/* The generator's state: xorshift64*, seeded with splitmix64. */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t round, uint64_t cpu);
uint64_t rng_next(struct rng *r);
/* A number below @n (n > 0). */
uint64_t rnd(struct rng *r, uint64_t n);
/* True with probability 1/@n. */
bool one_in(struct rng *r, uint64_t n);

/* What the machine offers, found at boot (gen.c). */
struct features {
	bool lse;	  /* ID_AA64ISAR0_EL1.Atomic >= 2 */
	bool a32_el0;	  /* ID_AA64PFR0_EL1.EL0 == 2 */
	unsigned int gic; /* 3 or 2 */
	unsigned int pa_bits;
	uint64_t ram_size;
	unsigned int nvcpus;
	uint64_t zva_bytes; /* DC ZVA's block, 0 if prohibited */
	uint32_t classes;   /* mask of enum op_kind allowed (bootarg) */
};
extern struct features feat;

/* gen.c: fills @op for this vCPU. */
void gen_op(struct rng *r, unsigned int cpu, struct op *op);
/* The address of a T32 slot's instruction, as EL0 executes it. */
uint64_t el0_code_va(unsigned int cpu, unsigned int slot);
uint64_t el1_code_va(unsigned int cpu, unsigned int slot);

/* mmu.c */
void fuzz_mmu_build(void);
void fuzz_mmu_enable(void);
/* TTBR1 at @table, walked for VA_TTBR1 (TCR_EL1.EPD1 clear) until walk_off(). */
void walk_on(uint64_t table);
void walk_off(void);

/* exec.c: runs the snippet of @op in its slot; false if it did not come back right. */
struct cpu_stats {
	uint64_t ops, snippets;
	uint64_t ec[64];
	uint64_t irqs, fiqs, serrors;
	uint64_t anomalies;
	uint64_t kinds[OP_KINDS];
};
void exec_init_cpu(unsigned int cpu);
void exec_snippet(unsigned int cpu, struct op *op);
void exec_write_slots(unsigned int cpu, struct op *ops, unsigned int n);

/* calls.c: the C operations. */
void call_psci(struct rng *r, unsigned int cpu, struct op *op);
void call_rpc(struct rng *r, unsigned int cpu, struct op *op);
void park_cpu(struct rng *r, unsigned int cpu);
void arm_vtimer(uint64_t ticks);
void wake_ready(unsigned int cpu);
void wake_nudge(unsigned int cpu);

/* fuzz.c: per-vCPU state and anomaly reports. */
struct cpu_state {
	struct rng rng;
	uint64_t op_index; /* operations done this round */
	uint64_t ops_target;
	volatile uint64_t progress; /* bumped after every operation (the watchdog reads it) */
	volatile uint32_t done;
	uint32_t nudged;
	struct cpu_stats st;
	uint32_t last_insn;
	uint8_t last_kind;
};
extern struct cpu_state cpus[FUZZ_MAX_VCPUS];
extern uint64_t fuzz_round;
void anomaly(unsigned int cpu, const struct op *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints under a lock shared by the vCPUs. */
void fuzz_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned int this_cpu(void);
void fuzz_secondary(unsigned int cpu);

#endif
