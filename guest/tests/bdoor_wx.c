// SPDX-License-Identifier: MIT
/*
 * A backdoor reply written by Skiff into a page the guest executes: as for a
 * guest store, the page must lose execute first (W^X), so that the next fetch
 * faults and the page is cleaned and invalidated for execution again. The
 * guest runs a function from a page of its RAM, has a high-bandwidth RPCI
 * reply written into the same page, and runs the function again, ROUNDS
 * times; the system test reads the stage-2 counters (a to-RW flip and a
 * maintained to-RX flip each round).
 */
#include "libguest.h"

#define ROUNDS 16
#define PAGE   4096

static uint32_t code_page[PAGE / 4] __attribute__((aligned(PAGE)));

/* Makes the two instructions written as data visible to fetches (the guest's own duty). */
static void write_code(void)
{
	code_page[0] = INSN_MOV_W0(42);
	code_page[1] = INSN_RET;
	__asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb"
			 :
			 : "r"(code_page)
			 : "memory");
}

void main_test(void)
{
	int (*fn)(void) = (int (*)(void))(uintptr_t)code_page;
	char *reply_buf = (char *)code_page + PAGE / 2;
	struct bdoor_channel ch;
	unsigned int ok = 0;

	report_info("test: bdoor_wx");
	write_code();
	report(bdoor_open(&ch, BDOOR_PROTO_RPCI), "open an RPCI channel");
	for (unsigned int i = 0; i < ROUNDS; i++) {
		long n;

		if (fn() != 42)
			break;
		if (!bdoor_send(&ch, "info-get guestinfo.k", 20, true))
			break;
		n = bdoor_recv(&ch, reply_buf, PAGE / 2, true);
		if (n != 9 || reply_buf[0] != '1')
			break;
		ok++;
	}
	report(ok == ROUNDS && fn() == 42,
	       "%u rounds of: run code from a page, a reply written into that page, run again", ok);
	report(bdoor_close(&ch), "close");
}
