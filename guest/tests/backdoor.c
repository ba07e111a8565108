// SPDX-License-Identifier: MIT
/*
 * The VMware-compatible backdoor through MDCCSR_EL0 (docs/hypercalls.md), from
 * EL1 and EL0: GETVERSION, GETMHZ, GETTIME(FULL), the message channel with
 * RPCI commands over low- and high-bandwidth transfers, malformed calls, the
 * TDCC rule (an EL0 DCC access goes to the guest's EL1 when it asked for that;
 * a backdoor call too with bootargs "tdcc=1" and backdoor-el0 = "tdcc"), and
 * the DCC console; with "dccin=1" also its input: the guest waits for a line
 * typed to its DCC console and reads it through MDCCSR_EL0.RXfull, DBGDTR_EL0
 * and DBGDTRRX_EL0. The system test gives the VM guestinfo.fromcfg.
 */
#include <string.h>

#include "libguest.h"
#include "regpattern.h"

#define CMD_GETMHZ	1
#define CMD_GETVERSION	10
#define CMD_GETDEVICE	11 /* GETDEVICELISTELEMENT */
#define CMD_TOGGLEDEV	12 /* TOGGLEDEVICE */
#define CMD_GETMEMSIZE	20
#define CMD_GETTIMEFULL 46
#define NO_PORT		0xffffffffUL
#define MDSCR_TDCC	(1UL << 12)
#define MDCCSR_TXFULL	(1UL << 29)
#define MDCCSR_RXFULL	(1UL << 30)

static char reply[512];

static struct bdoor_regs simple(unsigned int cmd)
{
	struct bdoor_regs r = { .ax = BDOOR_MAGIC, .bx = ~0U, .cx = cmd, .dx = 0x5658 };

	bdoor_lb(&r);
	return r;
}

static void check_simple_commands(void)
{
	struct bdoor_regs r = simple(CMD_GETVERSION);

	report(r.bx == BDOOR_MAGIC && r.ax == 6, "GETVERSION: magic in ebx, version %lu in eax",
	       (unsigned long)r.ax);
	r = simple(CMD_GETMHZ);
	report(r.ax > 0 && r.ax < 100000, "GETMHZ: %lu MHz", (unsigned long)r.ax);
	r = simple(55); /* GETTIMEFULL_WITH_LAG */
	report(r.ax == BDOOR_MAGIC && r.di == 0, "GETTIMEFULL_WITH_LAG: magic, no lag");
	r = simple(CMD_GETTIMEFULL);
	report(r.ax == BDOOR_MAGIC && ((r.si << 32) | r.dx) > 1600000000UL && r.bx < 1000000,
	       "GETTIMEFULL: %lu s %lu us", (unsigned long)((r.si << 32) | r.dx),
	       (unsigned long)r.bx);
	printf("# backdoor time: %lu\n", (unsigned long)((r.si << 32) | r.dx));
	r = simple(CMD_GETMEMSIZE);
	report(r.ax > 0 && r.ax != NO_PORT, "GETMEMSIZE: %lu MiB", (unsigned long)r.ax);
	printf("# backdoor memsize: %lu\n", (unsigned long)r.ax);
	/* No removable devices: every ID is unused (eax FALSE), as open-vm-tools asks. */
	r = (struct bdoor_regs){ .ax = BDOOR_MAGIC, .bx = 0, .cx = CMD_GETDEVICE, .dx = 0x5658 };
	bdoor_lb(&r);
	report(r.ax == 0, "GETDEVICELISTELEMENT: device 0 not in use");
	r = (struct bdoor_regs){
		.ax = BDOOR_MAGIC, .bx = 3U << 16, .cx = CMD_TOGGLEDEV, .dx = 0x5658
	};
	bdoor_lb(&r);
	report(r.ax == 0, "TOGGLEDEVICE: device 3 cannot be toggled");
}

/*
 * GETVERSION with x8-x28 and x30 holding known values: Skiff answers it on the
 * exception vector's fast path when the instruction is "mrs xzr, mdccsr_el0"
 * and on the full exit path for another target register; both must leave every
 * register but x0-x6 as it was. Returns the OR of the differences (0: kept) and
 * the version in *ax.
 */
#define GETVERSION_KEEPING(insn, ax_out)                                                          \
	({                                                                                        \
		register uint64_t x0 __asm__("x0"), x1 __asm__("x1"), x2 __asm__("x2");           \
		register uint64_t x3 __asm__("x3"), x7 __asm__("x7"), x8 __asm__("x8");           \
		x0 = BDOOR_MAGIC;                                                                 \
		x1 = 0;                                                                           \
		x2 = CMD_GETVERSION;                                                              \
		x3 = 0x5658;                                                                      \
		x7 = BDOOR_X7_LB_IN;                                                              \
		__asm__ volatile(REGPAT_SET_X8_X30 insn "\n" REGPAT_FOLD_X8_X30                   \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "=r"(x8)               \
				 : "r"(x7)                                                        \
				 : "x4", "x5", "x6", "x9", "x10", "x11", "x12", "x13", "x14",     \
				   "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", \
				   "x24", "x25", "x26", "x27", "x28", "x30", "memory");           \
		*(ax_out) = x0;                                                                   \
		x8;                                                                               \
	})

static void check_registers_kept(void)
{
	uint64_t ax, diff;

	diff = GETVERSION_KEEPING("mrs xzr, mdccsr_el0", &ax);
	report(ax == 6 && diff == 0, "fast path (mrs xzr): version %lu, x8-x30 kept (0x%lx)",
	       (unsigned long)ax, (unsigned long)diff);
	diff = GETVERSION_KEEPING("mrs x6, mdccsr_el0", &ax);
	report(ax == 6 && diff == 0, "full path (mrs x6): version %lu, x8-x30 kept (0x%lx)",
	       (unsigned long)ax, (unsigned long)diff);
}

static void check_bad_calls(void)
{
	struct bdoor_regs r = simple(999);

	report(r.ax == NO_PORT, "an unknown command reads all ones");
	r = (struct bdoor_regs){ .ax = 0x12345678, .cx = CMD_GETVERSION, .dx = 0x5658 };
	bdoor_lb(&r);
	report(r.ax == NO_PORT && r.bx != BDOOR_MAGIC, "a wrong magic is refused");
	r = (struct bdoor_regs){ .ax = BDOOR_MAGIC, .cx = CMD_GETVERSION, .dx = 0x1234 };
	bdoor_lb(&r);
	report(r.ax == NO_PORT, "a wrong port is refused");
	report(read_sysreg(mdccsr_el0) == 0, "MDCCSR_EL0 without the encoding: DCC status (idle)");
}

/* One RPCI request and its reply, as a C string (or NULL on failure). */
static const char *rpc(struct bdoor_channel *ch, const char *req, bool hb)
{
	long n;

	if (!bdoor_send(ch, req, strlen(req), hb))
		return 0;
	n = bdoor_recv(ch, reply, sizeof(reply) - 1, hb);
	if (n < 0)
		return 0;
	reply[n] = '\0';
	return reply;
}

static bool rpc_is(struct bdoor_channel *ch, const char *req, bool hb, const char *want)
{
	const char *got = rpc(ch, req, hb);

	if (!got || strcmp(got, want)) {
		printf("# %s -> \"%s\" (want \"%s\")\n", req, got ? got : "(failed)", want);
		return false;
	}
	return true;
}

static void check_rpci(bool hb)
{
	const char *how = hb ? "high bandwidth" : "low bandwidth";
	struct bdoor_channel ch;

	report(bdoor_open(&ch, BDOOR_PROTO_RPCI), "%s: open an RPCI channel", how);
	report(rpc_is(&ch, "info-set guestinfo.x hello world", hb, "1 ") &&
		       rpc_is(&ch, "info-get guestinfo.x", hb, "1 hello world"),
	       "%s: info-set then info-get", how);
	report(rpc_is(&ch, "info-get guestinfo.fromcfg", hb, "1 set in the configuration"),
	       "%s: a key from the VM configuration", how);
	report(rpc_is(&ch, "info-get guestinfo.nothere", hb, "0 No value found"),
	       "%s: a missing key", how);
	report(rpc_is(&ch, "no-such-command", hb, "0 Unknown command"), "%s: an unknown command",
	       how);
	report(rpc_is(&ch, "log hello from the guest", hb, "1 "), "%s: log", how);
	report(bdoor_close(&ch), "%s: close", how);
	report(!bdoor_send(&ch, "info-get guestinfo.x", 20, hb), "%s: a closed channel refuses",
	       how);
}

static void check_channel_abuse(void)
{
	struct bdoor_channel ch[5], forged;
	unsigned int opened = 0;
	struct bdoor_regs r;

	for (unsigned int i = 0; i < 5; i++)
		opened += bdoor_open(&ch[i], BDOOR_PROTO_RPCI);
	report(opened == 4, "a fifth channel is refused (%u opened)", opened);
	forged = ch[0];
	forged.cookie_low ^= 1;
	report(!bdoor_send(&forged, "info-get guestinfo.x", 20, false),
	       "a wrong cookie is refused");
	r = (struct bdoor_regs){ .ax = BDOOR_MAGIC,
				 .bx = 1 << 20,
				 .cx = 30 | (1 << 16),
				 .dx = ((uint64_t)ch[0].id << 16) | 0x5658,
				 .si = ch[0].cookie_high,
				 .di = ch[0].cookie_low };
	bdoor_lb(&r);
	report(!((r.cx >> 16) & 1), "a 1 MiB message is refused");
	/* High bandwidth from a buffer outside RAM: refused, nothing touched. */
	r = (struct bdoor_regs){ .ax = BDOOR_MAGIC,
				 .bx = 8,
				 .cx = 30 | (1 << 16),
				 .dx = ((uint64_t)ch[0].id << 16) | 0x5658,
				 .si = ch[0].cookie_high,
				 .di = ch[0].cookie_low };
	bdoor_lb(&r);
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = 8,
				 .dx = ((uint64_t)ch[0].id << 16) | 0x5659,
				 .si = 0x7f000000,
				 .di = ch[0].cookie_low,
				 .bp = ch[0].cookie_high };
	bdoor_call(&r, (0x86UL << 32) | (1 << 4) | (1 << 3));
	report(!((r.bx >> 16) & 1), "a high-bandwidth buffer outside RAM is refused");
	for (unsigned int i = 0; i < 4; i++)
		bdoor_close(&ch[i]);
	report(bdoor_open(&ch[0], BDOOR_PROTO_RPCI) && bdoor_close(&ch[0]),
	       "channels can be opened again after closing");
}

static uint64_t el0_getversion(uint64_t arg)
{
	struct bdoor_regs r = { .ax = BDOOR_MAGIC, .cx = CMD_GETVERSION, .dx = 0x5658 };

	(void)arg;
	bdoor_lb(&r);
	el0_exit(r.bx);
}

static volatile unsigned int el1_dcc_traps;
static volatile uint64_t el1_dcc_esr;

static void on_el0_sysreg(struct pt_regs *regs)
{
	el1_dcc_traps++;
	el1_dcc_esr = regs->esr;
	regs->regs[1] = 0xdcc; /* what our "EL1 DCC emulation" answers */
	regs->elr += 4;
}

static uint64_t el0_mdccsr(uint64_t arg)
{
	uint64_t v;

	(void)arg;
	__asm__ volatile("mrs x1, mdccsr_el0\n mov %0, x1" : "=r"(v) : : "x1");
	el0_exit(v);
}

static void check_el0_and_tdcc(void)
{
	uint64_t v;

	report(run_at_el0(el0_getversion, 0) == BDOOR_MAGIC, "GETVERSION from EL0");
	install_exception_handler(VEC_LOWER_SYNC, 0x18, on_el0_sysreg);
	write_sysreg(mdscr_el1, read_sysreg(mdscr_el1) | MDSCR_TDCC);
	isb();
	v = run_at_el0(el0_mdccsr, 0);
	report(el1_dcc_traps == 1 && v == 0xdcc && (el1_dcc_esr >> 26) == 0x18,
	       "with MDSCR_EL1.TDCC set, EL0's MDCCSR_EL0 read goes to the guest's EL1 "
	       "(ESR 0x%lx)",
	       (unsigned long)el1_dcc_esr);
	if (bootarg_u64("tdcc", 0))
		report(run_at_el0(el0_getversion, 0) != BDOOR_MAGIC && el1_dcc_traps == 2,
		       "backdoor-el0 = \"tdcc\": an EL0 backdoor call goes there too");
	else
		report(run_at_el0(el0_getversion, 0) == BDOOR_MAGIC && el1_dcc_traps == 1,
		       "an EL0 backdoor call is still served (Linux always sets TDCC)");
	write_sysreg(mdscr_el1, read_sysreg(mdscr_el1) & ~MDSCR_TDCC);
	isb();
	report(run_at_el0(el0_getversion, 0) == BDOOR_MAGIC, "TDCC clear: EL0 calls work again");
}

static volatile unsigned int el1_undefs;

static void on_el1_undef(struct pt_regs *regs)
{
	el1_undefs++;
	regs->elr += 4;
}

static void wait_rxfull(void)
{
	while (!(read_sysreg(mdccsr_el0) & MDCCSR_RXFULL))
		;
}

/* DBGDTR_EL0 by its encoding (op0 2, op1 3, CRn 0, CRm 4, op2 0). */
static uint64_t read_dbgdtr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, s2_3_c0_c4_0" : "=r"(v));
	return v;
}

/*
 * A line typed to the VM's DCC console (the system test sends it after the
 * "waiting" line): its first byte through DBGDTR_EL0, whose 63:32 are DTRTX's
 * last value (the '\n' that ended the line written before), the rest through
 * DBGDTRRX_EL0, each when MDCCSR_EL0.RXfull says one is there.
 */
static void check_dcc_input(void)
{
	char line[64];
	unsigned int len = 0, undefs = el1_undefs;
	uint64_t v;

	report(!(read_sysreg(mdccsr_el0) & MDCCSR_RXFULL), "DCC: RXfull clear before any input");
	report_info("DCC: waiting for a line typed to the DCC console");
	wait_rxfull();
	v = read_dbgdtr();
	if (el1_undefs != undefs) {
		report_skip("the CPU has no DBGDTR_EL0 (UNDEF at EL1)", "DBGDTR_EL0 read");
		v = read_sysreg(dbgdtrrx_el0);
	} else {
		report(v >> 32 == '\n', "DBGDTR_EL0: DTRTX's last value in 63:32 (0x%lx)",
		       (unsigned long)(v >> 32));
	}
	line[len++] = (char)v;
	for (;;) {
		char c;

		wait_rxfull();
		c = (char)read_sysreg(dbgdtrrx_el0);
		if (c == '\r' || c == '\n')
			break;
		if (len < sizeof(line) - 1)
			line[len++] = c;
	}
	line[len] = '\0';
	report_info("DCC got: %s", line);
	report(!(read_sysreg(mdccsr_el0) & MDCCSR_RXFULL),
	       "DCC: RXfull clear once the line is read");
}

static void check_dcc_console(void)
{
	const char *s = "hello over the DCC\n";

	/*
	 * A CPU without the DCC data registers (QEMU 7.2 has none) gives UNDEF at
	 * EL1 itself: the access never reaches EL2, so there is nothing to test.
	 */
	install_exception_handler(VEC_CUR_SPX_SYNC, EC_UNKNOWN, on_el1_undef);
	write_sysreg(dbgdtrtx_el0, '\n');
	if (el1_undefs) {
		report_skip("the CPU has no DBGDTRTX_EL0 (UNDEF at EL1, no trap to EL2)",
			    "DCC console");
		return;
	}
	for (; *s; s++) {
		while (read_sysreg(mdccsr_el0) & MDCCSR_TXFULL)
			;
		write_sysreg(dbgdtrtx_el0, *s);
	}
	report(el1_undefs == 0, "wrote a line to the DCC (the system test looks for it)");
	if (bootarg_u64("dccin", 0))
		check_dcc_input();
}

void main_test(void)
{
	report_info("test: backdoor");
	check_simple_commands();
	check_registers_kept();
	check_bad_calls();
	check_rpci(false);
	check_rpci(true);
	check_channel_abuse();
	check_el0_and_tdcc();
	check_dcc_console();
}
