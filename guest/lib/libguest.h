/* SPDX-License-Identifier: MIT */
/*
 * The test-guest framework: TAP reporting, console output, exception handlers,
 * PSCI/SMCCC calls, EL0 and a minimal stage-1 MMU. See docs/guests.md.
 */
#ifndef SKIFF_GUEST_LIBGUEST_H
#define SKIFF_GUEST_LIBGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The virtual platform Skiff gives a test guest (docs/config.md). */
#define GUEST_UART_BASE 0x09000000UL
#define GUEST_RAM_BASE	0x40000000UL

/* Instructions the tests write into memory and run (A64 encodings). */
#define INSN_MOV_W0(imm) (0x52800000U | ((uint32_t)(imm) << 5)) /* mov w0, #imm16 */
#define INSN_RET	 0xd65f03c0U
#define INSN_UDF0	 0x00000000U /* udf #0 */

/* x0 at entry: the IPA of the device tree Skiff wrote for this VM. */
extern uint64_t boot_x0;

/* The number N of "key=N" in the VM's bootargs, or @fallback. */
uint64_t bootarg_u64(const char *key, uint64_t fallback);
/* The word W of "key=W" (up to a space) into @buf; its length (0 when absent). */
size_t bootarg_str(const char *key, char *buf, size_t size);

/* Each test defines this; its return value is ignored (the TAP plan says it all). */
void main_test(void);

/* Console and TAP. */
void puts_raw(const char *s);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the plan "1..N" and returns the number of failures. */
unsigned int report_summary(void);

/* Exceptions: vectors in the order of VBAR_EL1 offsets / 0x80. */
enum vector {
	VEC_CUR_SP0_SYNC = 0,
	VEC_CUR_SPX_SYNC = 4,
	VEC_CUR_SPX_IRQ = 5,
	VEC_LOWER_SYNC = 8,
	VEC_LOWER_IRQ = 9,
	VEC_LOWER_A32_SYNC = 12,
	VEC_COUNT = 16,
};

struct pt_regs {
	uint64_t regs[31];
	uint64_t sp_el0;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define EC_UNKNOWN  0x00
#define EC_SVC32    0x11
#define EC_SVC64    0x15
#define EC_SYS64    0x18
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_ANY	    0x40 /* install for every EC of a vector */

typedef void (*exception_fn)(struct pt_regs *regs);
/* Installs @fn for exception class @ec (or EC_ANY) taken through vector @v. */
void install_exception_handler(enum vector v, unsigned int ec, exception_fn fn);

/* PSCI / SMCCC through HVC #0. */
struct smccc_res {
	uint64_t a0, a1, a2, a3;
};
void smccc_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3, struct smccc_res *res);
#define PSCI_VERSION	    0x84000000U
#define PSCI_FEATURES	    0x8400000AU
#define PSCI_SYSTEM_OFF	    0x84000008U
#define PSCI_SYSTEM_RESET   0x84000009U
#define SMCCC_VERSION	    0x80000000U
#define SMCCC_ARCH_FEATURES 0x80000001U
uint32_t psci_version(void);
__attribute__((noreturn)) void psci_system_off(void);
__attribute__((noreturn)) void psci_system_reset(void);

/* SMP: PSCI CPU_ON of vCPU @index (MPIDR Aff0 = index, 1..7) running fn(index), which
 * ends with PSCI CPU_OFF when it returns. Returns the PSCI status. */
#define PSCI_CPU_ON_64	   0xC4000003U
#define PSCI_CPU_OFF	   0x84000002U
#define PSCI_CPU_SUSPEND   0x84000001U
#define PSCI_AFFINITY_INFO 0x84000004U
int64_t smp_start_vcpu(unsigned int index, void (*fn)(unsigned int index));
/*
 * Gives the host CPU to other vCPUs for a moment: a WFI until the virtual timer
 * (50 us ahead) fires, with interrupts masked at PSTATE and acknowledged at the
 * GIC afterwards. WFE would not do: QEMU does not trap it to EL2. Single vCPU.
 */
void yield_cpu(void);

/* EL0: runs fn(arg) at EL0 until it calls el0_exit(value); returns that value. */
uint64_t run_at_el0(uint64_t (*fn)(uint64_t), uint64_t arg);
__attribute__((noreturn)) void el0_exit(uint64_t value);
/*
 * Runs Thumb code at AArch32 EL0 from @thumb_entry (2-byte aligned, no Thumb
 * bit needed) with r0 = @r0, until it calls svc #0; returns its r0. Only on a
 * CPU whose EL0 has AArch32 (ID_AA64PFR0_EL1.EL0 == 2).
 */
uint64_t run_at_el0_a32(uint64_t thumb_entry, uint64_t r0);
/* From an exception handler: ends the run_at_el0*() in progress, which returns @value. */
__attribute__((noreturn)) void el0_return(uint64_t value);
/* svc numbers the framework handles; tests may install handlers for others. */
#define SVC_EXIT  0
#define SVC_PRINT 1
typedef uint64_t (*svc_fn)(struct pt_regs *regs);
void install_svc_handler(unsigned int imm, svc_fn fn);

/* Stage 1 with 4 KiB pages: identity map of RAM (normal) and the UART (device). */
void mmu_enable_identity(void);
/* Maps one 4 KiB page @va -> @pa as normal memory (tables from a static pool). */
void mmu_map_page(uint64_t va, uint64_t pa);

/*
 * The VM's interrupt controller, found in its device tree. gic_init() returns
 * the GIC version (3 or 2; 0: none) and sets up the distributor and this vCPU's
 * interface; other vCPUs call gic_init_cpu(). Priorities are 0xa0, PMR 0xff.
 */
#define INTID_VTIMER 27
unsigned int gic_init(void);
void gic_init_cpu(void);
void gic_enable_irq(unsigned int intid);
/* Sends SPI @intid to vCPU @vcpu (GICD_IROUTER, or GICD_ITARGETSR on GICv2). */
void gic_route_spi(unsigned int intid, unsigned int vcpu);
unsigned int gic_ack(void);
void gic_eoi(unsigned int intid);
void gic_send_sgi(unsigned int vcpu, unsigned int intid);
void gic_disable_irq(unsigned int intid);
/* GICD/GICR_ICPENDR and ICACTIVER for @intid (this vCPU's bank for SGIs and PPIs). */
void gic_clear_pending(unsigned int intid);
void gic_clear_active(unsigned int intid);
/* GICv3: ICACTIVER0 in vCPU @vcpu's redistributor (another vCPU's PPI). */
void gic_clear_active_of(unsigned int vcpu, unsigned int intid);
/* EOImode: gic_eoi() only drops the priority; deactivation is separate. */
void gic_split_eoi(bool on);
/* Acknowledges and ends every interrupt pending for this vCPU (taken with PSTATE.I masked). */
void gic_drain(void);
/* The distributor's IPA, and (GICv3) this vCPU's redistributor's (RD frame; 0 on GICv2). */
uint64_t gic_dist_base(void);
uint64_t gic_redist_base(void);

/*
 * Waits until @cond holds, at most @limit turns of WFE (a hint other vCPUs may
 * use; Skiff traps it where the CPU lets it, QEMU does not); true if it held.
 */
#define WAIT_FOR(cond, limit)                      \
	({                                         \
		unsigned long __n = 0;             \
		while (!(cond) && ++__n < (limit)) \
			__asm__ volatile("wfe");   \
		(bool)(cond);                      \
	})

/* The VMware-compatible backdoor (guest/lib/backdoor.c, docs/hypercalls.md). */
#define BDOOR_MAGIC	 0x564d5868U
#define BDOOR_PROTO_RPCI 0x49435052U
/* x7 of a low-bandwidth call: the magic, then "in eax, dx" of 4 bytes. */
#define BDOOR_X7_LB_IN ((0x86UL << 32) | (1UL << 3) | (1UL << 2) | 2UL)
struct bdoor_regs {
	uint64_t ax, bx, cx, dx, si, di, bp; /* x0..x6 */
};
struct bdoor_channel {
	uint32_t id, cookie_high, cookie_low;
};
void bdoor_call(struct bdoor_regs *r, uint64_t x7);
/* A low-bandwidth call: "in eax, dx" on port 0x5658 (the caller sets eax..ebp). */
void bdoor_lb(struct bdoor_regs *r);
bool bdoor_open(struct bdoor_channel *ch, uint32_t proto);
bool bdoor_close(struct bdoor_channel *ch);
/* Sends a message 4 bytes at a time, or in one high-bandwidth transfer (@hb). */
bool bdoor_send(struct bdoor_channel *ch, const char *buf, size_t len, bool hb);
/* Receives the reply; returns its length, 0 if none, -1 on failure. */
long bdoor_recv(struct bdoor_channel *ch, char *buf, size_t max, bool hb);

/*
 * Benchmarks (guest/lib/bench.c), in counter ticks: @n PSCI_VERSION calls through HVC #0,
 * the same loop with a nop in place of the call, and with a 32-bit load from @addr.
 * The three loops are the same instructions but for that one.
 */
uint64_t bench_hvc_loop(unsigned int n);
uint64_t bench_nop_loop(unsigned int n);
uint64_t bench_read_loop(unsigned int n, uint64_t addr);
/* System register access. */
#define read_sysreg(r)                                       \
	({                                                   \
		uint64_t __v;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)); \
		__v;                                         \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %x0" : : "rZ"((uint64_t)(v)))
#define isb()		   __asm__ volatile("isb" ::: "memory")
#define dsb(o)		   __asm__ volatile("dsb " #o ::: "memory")

/* The virtual counter, read after the instructions before it (the benchmarks' clock). */
static inline uint64_t read_vcounter(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

#endif
