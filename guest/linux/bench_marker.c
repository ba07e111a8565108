// SPDX-License-Identifier: MIT
/*
 * The Linux guests' ready marker for bench/peers.py, run by their /init: its first
 * instruction reads the virtual counter, and bench/peers.py stops QEMU on the next one
 * (marker_stop) to add the hypervisor's CNTVOFF_EL2 to it: the virtual time since the
 * machine's reset, whatever hypervisor runs the guest. Then it prints the marker and
 * powers the guest off. Static, no libc, linked far from other programs' addresses.
 */
#include <stdint.h>

#define SYS_WRITE	    64
#define SYS_REBOOT	    142
#define REBOOT_MAGIC1	    0xfee1deadUL
#define REBOOT_MAGIC2	    672274793UL
#define REBOOT_CMD_POWEROFF 0x4321fedcUL

void marker_main(void);

__asm__("	.text\n"
	"	.globl	_start\n"
	"_start:\n"
	"	mrs	x0, cntvct_el0\n"
	"	.globl	marker_stop\n"
	"marker_stop:\n"
	"	b	marker_main\n");

static long syscall3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

void marker_main(void)
{
	static const char line[] = "SKIFF-GUEST-READY\n";

	syscall3(SYS_WRITE, 1, (long)line, sizeof(line) - 1);
	syscall3(SYS_REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWEROFF);
	for (;;)
		;
}
