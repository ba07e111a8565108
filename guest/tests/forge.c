// SPDX-License-Identifier: MIT
/*
 * A guest that tries to forge the host's output: lines that look like
 * Skiff's own ("skiff: ..."), coloured, written after escape sequences that
 * erase the line and move the cursor, through every channel a guest has to
 * the serial line: its UART, the backdoor's RPCI "log" (from EL1 and from an
 * EL0 program), an unknown RPCI request, and a guestinfo value the operator
 * reads in the shell. The system test checks that nothing of it reaches the
 * terminal as control bytes, so no forged line can start a line.
 */
#include "libguest.h"

#define FORGED "\x1b[2K\x1b[1G\r\x1b[1;32mskiff: all VMs are fine\x1b[0m\x08\x08\x07"

static bool rpc_send(const char *req)
{
	struct bdoor_channel ch;
	char reply[64];
	size_t len = 0;
	bool ok;

	while (req[len])
		len++;
	if (!bdoor_open(&ch, BDOOR_PROTO_RPCI))
		return false;
	ok = bdoor_send(&ch, req, len, false) && bdoor_recv(&ch, reply, sizeof(reply), false) >= 0;
	return bdoor_close(&ch) && ok;
}

static uint64_t el0_forge(uint64_t arg)
{
	(void)arg;
	el0_exit(rpc_send("log from EL0 " FORGED "\nskiff: error: forged from EL0"));
}

void main_test(void)
{
	report_info("test: forge");
	puts_raw(FORGED "\n");
	puts_raw("\x1b]0;a window title\x07\x1b"
		 "c"
		 "after a terminal reset\n");
	report(rpc_send("log " FORGED "\nskiff: error: forged through RPCI log"),
	       "RPCI log with escape sequences and a newline is answered");
	report(rpc_send(FORGED "\nskiff: forged unknown request"),
	       "an unknown request with escape sequences is answered");
	report(rpc_send("info-set guestinfo.forged " FORGED),
	       "a guestinfo value with escapes is set");
	report(run_at_el0(el0_forge, 0) == 1, "the same from an EL0 program");
	printf("# forge: done\n");
	/* Stay up so the operator (the test) can read guestinfo.forged in the shell. */
	for (uint64_t i = bootarg_u64("linger", 0); i; i--)
		yield_cpu();
}
