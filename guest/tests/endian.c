// SPDX-License-Identifier: MIT
/*
 * Big-endian accesses to emulated devices: EL0 with SCTLR_EL1.E0E set, and a Thumb
 * program after SETEND BE (where the CPU has AArch32 EL0). Devices are
 * little-endian, so a big-endian load sees their register's bytes reversed and a
 * big-endian store writes them reversed, as on hardware. (Found by the fuzz
 * guest, whose first Thumb snippets ran big-endian by mistake: Skiff handed every
 * device access over in the little-endian order.)
 */
#include "libguest.h"

#define UARTFR	    (GUEST_UART_BASE + 0x18)
#define RTC_BASE    0x09010000UL
#define RTCMR	    (RTC_BASE + 0x04)
#define SCTLR_E0E   (1UL << 24)
#define UARTFR_IDLE 0x90 /* TXFE | RXFE: nothing to send or receive */

static uint64_t el0_ldr32(uint64_t addr)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	el0_exit(v);
}

static uint64_t el0_ldrh(uint64_t addr)
{
	uint32_t v;

	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	el0_exit(v);
}

static uint64_t el0_str32(uint64_t addr)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(0x11223344U), "r"(addr) : "memory");
	el0_exit(0);
}

static uint64_t at_el0_big_endian(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	uint64_t sctlr = read_sysreg(sctlr_el1), r;

	write_sysreg(sctlr_el1, sctlr | SCTLR_E0E);
	isb();
	r = run_at_el0(fn, arg);
	write_sysreg(sctlr_el1, sctlr);
	isb();
	return r;
}

static uint16_t code[16] __attribute__((aligned(64)));

static void thumb_setend(void)
{
	/* movs r2, r0; setend be; ldr r0, [r2]; setend le; svc #0 */
	static const uint16_t prog[] = { 0x0002, 0xb658, 0x6810, 0xb650, 0xdf00 };
	uint64_t r;

	if ((read_sysreg(id_aa64pfr0_el1) & 0xf) != 2) {
		report_skip("no AArch32 at EL0", "Thumb after SETEND BE");
		return;
	}
	for (unsigned int i = 0; i < sizeof(prog) / 2; i++)
		code[i] = prog[i];
	dsb(sy);
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(sy);
	isb();
	r = run_at_el0_a32((uint64_t)code, UARTFR);
	report(r == __builtin_bswap32(UARTFR_IDLE),
	       "Thumb after SETEND BE: LDR of UARTFR reads 0x%lx (0x%x reversed)", (unsigned long)r,
	       UARTFR_IDLE);
}

void main_test(void)
{
	uint64_t r;
	volatile uint32_t *rtcmr = (volatile uint32_t *)RTCMR;

	report_info("test: endian");
	report(*(volatile uint32_t *)UARTFR == UARTFR_IDLE, "little-endian: UARTFR reads 0x%x",
	       UARTFR_IDLE);
	r = at_el0_big_endian(el0_ldr32, UARTFR);
	report(r == __builtin_bswap32(UARTFR_IDLE), "EL0 big-endian: LDR of UARTFR reads 0x%lx",
	       (unsigned long)r);
	r = at_el0_big_endian(el0_ldrh, UARTFR);
	report(r == __builtin_bswap16(UARTFR_IDLE), "EL0 big-endian: LDRH of UARTFR reads 0x%lx",
	       (unsigned long)r);
	*rtcmr = 0;
	at_el0_big_endian(el0_str32, RTCMR);
	report(*rtcmr == 0x44332211,
	       "EL0 big-endian: STR of 0x11223344 to RTCMR reads back as 0x%x little-endian",
	       *rtcmr);
	thumb_setend();
}
