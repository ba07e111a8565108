/* SPDX-License-Identifier: MIT */
/*
 * The architecture interface: everything generic code (core, vdev, console, lib)
 * may ask of the CPU. Generic code never uses inline assembly or system
 * registers; it calls these. Host unit tests link a fake implementation.
 */
#ifndef SKIFF_ARCH_ARCH_H
#define SKIFF_ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct host_cpu;
struct platform;
struct vcpu;
struct vm;

struct cpu_features {
	uint64_t midr;
	unsigned int pa_bits;
	bool vhe;
	bool ecv;
	bool idc; /* CTR_EL0.IDC: no D-cache clean needed for I/D coherence */
	bool dic; /* CTR_EL0.DIC: no I-cache invalidation needed */
	bool gicv3_sysregs;
	unsigned int sve;
	uint64_t counter_hz;
};

/* This CPU. */
unsigned int arch_cpu_index(void);
void arch_cpu_features(struct cpu_features *f);
uint64_t arch_cpu_mpidr(void);
/* This CPU's ID registers, as core/cpu_profile.h lists them, and MIDR/REVIDR/AIDR. */
void arch_cpu_id_regs(struct host_cpu *host);
void arch_cpu_idle(void);
/* WFE-based waiting for a flag another CPU sets, and the matching wake-up. */
void arch_cpu_wait_event(void);
void arch_cpu_wake_all(void);
__attribute__((noreturn)) void arch_cpu_halt(void);
uint64_t arch_counter(void);
/* The counter's frequency (CNTFRQ_EL0), in Hz. */
uint64_t arch_counter_freq(void);
/*
 * A random number from the CPU's own generator (FEAT_RNG's RNDR). False when the
 * CPU has none, or when it had no number ready this time (a later call may succeed).
 */
bool arch_random_u64(uint64_t *value);
/* Prints the frame-pointer chain starting at @fp (panic path). */
void arch_backtrace(const void *fp);

/* Calls firmware through the conduit the platform named (SMCCC, x0-x3). */
struct smccc_result {
	uint64_t a0, a1, a2, a3;
};
void arch_smccc(int conduit, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		struct smccc_result *res);

/*
 * Speculation mitigations the firmware offers (SMCCC 1.1 ARCH_WORKAROUND_1/2/3),
 * asked once on the boot CPU through @conduit; described in a line for the log.
 */
void arch_mitigations_init(int conduit);
size_t arch_mitigations_describe(char *buf, size_t size);
/* What a guest's SMCCC_ARCH_FEATURES for workaround @fid is answered. */
int64_t arch_smccc_workaround_features(uint32_t fid);
/* A guest calls workaround @fid: passed on to the firmware when it matters. */
void arch_smccc_workaround_call(uint32_t fid, uint64_t arg);
/* This CPU is about to run a vCPU of another VM than the last one it ran. */
void arch_vm_switch(void);

/* Physical address of secondary_entry, for PSCI CPU_ON. */
uint64_t arch_secondary_entry(void);
/* Per-CPU EL2 state for the CPU at @index of the platform's CPU list. */
void arch_cpu_init(unsigned int index);

/* Identity mappings in EL2's own address space. */
int arch_map_normal(uint64_t base, uint64_t size);
int arch_map_device(uint64_t base, uint64_t size);

/* Cleans and invalidates [va, va + size) to the point of coherency. */
void arch_dcache_clean_inval_poc(void *va, uint64_t size);
/*
 * Zeroes [va, va + size) of normal memory and cleans it to the point of
 * coherency: what a reader with caches off sees next is zeros.
 */
void arch_zero_to_poc(void *va, uint64_t size);

/*
 * Device registers and memory shared with a device that reads and writes it
 * itself (a virtqueue: DMA, coherent, no IOMMU). A register write is ordered
 * after every earlier memory write, so a device told to look finds what was
 * written; a register read before every later memory read, so what a device
 * says it wrote is read after it said so (Linux's writel/readl).
 */
uint32_t arch_mmio_read32(paddr_t reg);
uint16_t arch_mmio_read16(paddr_t reg);
uint8_t arch_mmio_read8(paddr_t reg);
void arch_mmio_write32(paddr_t reg, uint32_t value);
/* Barriers between accesses to memory a device shares: writes, reads, both. */
void arch_dma_wmb(void);
void arch_dma_rmb(void);
void arch_dma_mb(void);

/*
 * Stage 2. One per VM; tables come from the page allocator, at most
 * table_quota pages of them below the root (its owner sets the quota, from
 * arch_stage2_tables_for): a mapping that would need more fails.
 */
struct stage2 {
	uint64_t *root;
	unsigned int start_level;
	unsigned int ipa_bits;
	uint16_t vmid;
	uint64_t table_pages; /* in use now, below the root */
	uint64_t table_quota;
};

#define S2_PERM_R 1U
#define S2_PERM_W 2U
#define S2_PERM_X 4U

/* What stage 2 says about one IPA. */
struct s2_leaf {
	bool valid;
	unsigned int perms; /* S2_PERM_* */
	paddr_t pa;	    /* of the 4 KiB page holding the IPA */
	uint64_t size;	    /* bytes the leaf maps, or the unmapped span when !valid */
};

/* Sizes the IPA space and allocates the root; the quota starts at 0. */
int arch_stage2_init(struct stage2 *s2, uint16_t vmid);
/*
 * The most table pages mappings in [ipa, ipa + size) can take, however they are
 * made (page by page, blocks split later): what a quota must allow for them.
 */
uint64_t arch_stage2_tables_for(const struct stage2 *s2, ipaddr_t ipa, uint64_t size);
/* Maps normal memory; @size 4 KiB or a block size, aligned as the architecture needs. */
int arch_stage2_map(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size, unsigned int perms);
/* Maps device memory (Device-nGnRE), read-write and never executable. */
int arch_stage2_map_device(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size);
void arch_stage2_lookup(struct stage2 *s2, ipaddr_t ipa, struct s2_leaf *leaf);
/*
 * Gives the 4 KiB page at @ipa the permissions @perms, splitting a block mapping
 * around it first (break-before-make), with the TLB maintenance. The VM must be
 * the one loaded on this CPU (TLB invalidation by IPA uses VTTBR_EL2's VMID).
 */
int arch_stage2_protect_page(struct stage2 *s2, ipaddr_t ipa, unsigned int perms);
/*
 * Gives the whole leaf mapping @ipa (a page or a block, not split) the
 * permissions @perms, with the TLB maintenance; loaded VM as above.
 */
int arch_stage2_set_leaf_perms(struct stage2 *s2, ipaddr_t ipa, unsigned int perms);
/*
 * Takes write permission from every mapping in [ipa, ipa + size), blocks
 * whole (a write then faults: dirty tracking). No TLB maintenance: the caller
 * ends a batch with arch_stage2_flush_tlb().
 */
void arch_stage2_write_protect(struct stage2 *s2, ipaddr_t ipa, uint64_t size);
/*
 * Drops every TLB entry of this stage 2's VMID on every CPU; from any CPU,
 * whichever VM (if any) is loaded there.
 */
void arch_stage2_flush_tlb(const struct stage2 *s2);
/*
 * Removes every mapping (for a VM reset) and frees the tables below the root once
 * the TLBs no longer hold them; the VM must be loaded on this CPU.
 */
void arch_stage2_unmap_all(struct stage2 *s2);
/* Frees every table and the root of a stage 2 no vCPU ever ran on (a VM that failed to build). */
void arch_stage2_destroy(struct stage2 *s2);

/*
 * Makes instructions written to [va, va + size) through the data side visible to
 * instruction fetches: cleans the D-cache to the point of unification and
 * invalidates the I-cache, each skipped when CTR_EL0.IDC / CTR_EL0.DIC says the
 * hardware keeps them coherent. Returns true if any maintenance was needed.
 */
bool arch_sync_icache(const void *va, uint64_t size);

/* vCPU state. It starts with its MMU off, so its first PC is an IPA. */
void arch_vcpu_reset(struct vcpu *vcpu, ipaddr_t entry, uint64_t x0);
void arch_vcpu_load(struct vcpu *vcpu);
void arch_vcpu_put(struct vcpu *vcpu);
/* Loads the VM's counter offset and trap settings again (the counter was adjusted). */
void arch_vcpu_counter_load(const struct vcpu *vcpu);
/* Runs the loaded vCPU until it exits; fills vcpu->exit. */
void arch_vcpu_run(struct vcpu *vcpu);
/* Steps over the trapped instruction (its length from ESR_EL2.IL; AArch32 IT state moves on). */
void arch_vcpu_skip_instr(struct vcpu *vcpu);
/*
 * True when the trapped instruction is a conditional AArch32 one whose
 * condition fails: it must do nothing but be stepped over.
 */
bool arch_vcpu_condition_failed(const struct vcpu *vcpu);
/* The address of the instruction that trapped (a trapped HVC's PC is past it). */
uint64_t arch_vcpu_trapped_pc(const struct vcpu *vcpu);
/* Translates a guest virtual address with the loaded vCPU's stage 1 (identity if off). */
bool arch_vcpu_va_to_ipa(struct vcpu *vcpu, vaddr_t va, ipaddr_t *ipa);
/* The same, checking the permission an EL1 or EL0 access of that kind needs. */
enum va_access { VA_EL1_READ, VA_EL1_WRITE, VA_EL0_READ, VA_EL0_WRITE };
bool arch_vcpu_va_access(struct vcpu *vcpu, vaddr_t va, enum va_access access, ipaddr_t *ipa);
/*
 * True when the trapped data access was big-endian (SCTLR_EL1.EE at EL1, E0E at
 * EL0, PSTATE.E at AArch32 EL0): its bytes are in the other order from the register's.
 */
bool arch_vcpu_data_big_endian(const struct vcpu *vcpu);
/* True when the vCPU trapped from EL0. */
bool arch_vcpu_at_el0(const struct vcpu *vcpu);
/* Takes a synchronous exception with syndrome @esr to the guest's EL1. */
void arch_vcpu_inject_sync(struct vcpu *vcpu, uint64_t esr);
void arch_vcpu_inject_undef(struct vcpu *vcpu);
void arch_vcpu_inject_dabt(struct vcpu *vcpu, uint64_t far);
/* Copies the loaded vCPU's virtual timer registers into vcpu->vtimer. */
void arch_vcpu_vtimer_save(struct vcpu *vcpu);

/* EL2's own physical timer (CNTHP), for time slices; its interrupt is a PPI. */
/* Fires when the host counter reaches @when. */
void arch_hyp_timer_arm_at(uint64_t when);
void arch_hyp_timer_disarm(void);

/*
 * The GIC's virtualization support behind a VM's virtual GIC: GICv3's ICH_*_EL2
 * registers or GICv2's GICH frame. List registers use the GICv3 format.
 */
/* 3, 2, or 0 when the host GIC has no usable virtualization support. */
unsigned int arch_vgic_version(void);
/* The maintenance interrupt (a PPI). */
unsigned int arch_vgic_maint_intid(void);
/* GICv2: physical address of the virtual CPU interface frame (GICV). */
paddr_t arch_vgic_cpuif_base(void);
unsigned int arch_vgic_nr_lrs(void);
/* The list registers whose bit is set in @mask, from and to @lr[n] (GICv3 format). */
void arch_vgic_write_lrs(const uint64_t *lr, uint32_t mask);
void arch_vgic_read_lrs(uint64_t *lr, uint32_t mask);
/* Asks for the maintenance interrupt when at most one list register is in use. */
void arch_vgic_set_underflow_irq(struct vcpu *vcpu, bool on);

/* Masks the loaded vCPU's virtual timer output (CNTV_CTL_EL0.IMASK). */
void arch_vtimer_mask(void);
/* The loaded vCPU's virtual timer output: enabled, not masked, condition met. */
bool arch_vtimer_output(void);
/* The EL1 physical timer behind an emulated one: fire at host count @when (UINT64_MAX: off). */
void arch_ptimer_arm(uint64_t when);
/* Arms the EL1 virtual timer for host counter value @when (UINT64_MAX: off). */
void arch_vtimer_arm_host(uint64_t when);
void arch_ptimer_mask(void);

/* Host interrupt controller (GICv2 or GICv3). */
int arch_irq_init(const struct platform *plat);
void arch_irq_init_cpu(void);
/* Enables private interrupt (PPI) @intid on this CPU. */
void arch_irq_enable_private(unsigned int intid);
/* Disables private interrupt (PPI) @intid on this CPU. */
void arch_irq_disable_private(unsigned int intid);
void arch_irq_send_sgi(unsigned int cpu, unsigned int intid);
/* Routes the shared (SPI) interrupt @intid to host CPU @cpu and enables it. */
void arch_irq_enable_shared(unsigned int intid, unsigned int cpu);
/* Acknowledges the highest pending interrupt; returns its INTID or GIC_INTID_SPURIOUS. */
unsigned int arch_irq_ack(void);
void arch_irq_eoi(unsigned int intid);

#endif
