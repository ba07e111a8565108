// SPDX-License-Identifier: MIT
/* HVC round trips: PSCI and SMCCC answers, and what SMCCC 1.1 says is preserved. */
#include "libguest.h"
#include "regpattern.h"

#define NOT_SUPPORTED ((uint64_t)-1)

/* Calls an unknown function with x4-x17 holding patterns; returns how many changed. */
static unsigned int clobbered_by_hvc(uint64_t *ret)
{
	uint64_t after[14];
	unsigned int i, bad = 0;

	__asm__ volatile("mov x4, #0x404\n"
			 "mov x5, #0x505\n"
			 "mov x6, #0x606\n"
			 "mov x7, #0x707\n"
			 "mov x8, #0x808\n"
			 "mov x9, #0x909\n"
			 "mov x10, #0xa0a\n"
			 "mov x11, #0xb0b\n"
			 "mov x12, #0xc0c\n"
			 "mov x13, #0xd0d\n"
			 "mov x14, #0xe0e\n"
			 "mov x15, #0xf0f\n"
			 "mov x16, #0x1010\n"
			 "mov x17, #0x1111\n"
			 "mov w0, #0xff00\n"
			 "movk w0, #0xc600, lsl #16\n"
			 "hvc #0\n"
			 "str x0, [%1]\n"
			 "stp x4, x5, [%0]\n"
			 "stp x6, x7, [%0, #16]\n"
			 "stp x8, x9, [%0, #32]\n"
			 "stp x10, x11, [%0, #48]\n"
			 "stp x12, x13, [%0, #64]\n"
			 "stp x14, x15, [%0, #80]\n"
			 "stp x16, x17, [%0, #96]\n"
			 :
			 : "r"(after), "r"(ret)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	for (i = 0; i < 14; i++) {
		uint64_t want = (uint64_t)(i + 4) * 0x101;

		if (after[i] != want) {
			report_info("x%u is 0x%lx after the call, was 0x%lx", i + 4,
				    (unsigned long)after[i], (unsigned long)want);
			bad++;
		}
	}
	return bad;
}

/*
 * PSCI_VERSION (served on Skiff's fast path, which saves only the registers a C
 * call may clobber) with x1-x30 holding patterns: returns the version and the
 * OR of each register's difference from its pattern (0: all kept).
 */
static uint64_t version_keeping(uint64_t *version)
{
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;
	uint64_t diff;

	/* The link register is the pattern's too: saved, with the frame pointer, first. */
	/* clang-format off */
	__asm__ volatile("stp x29, x30, [sp, #-16]!\n"
			 REGPAT_SET_X1_X7 REGPAT_SET_X8_X30 REGPAT_SET(29)
			 "hvc #0\n"
			 REGPAT_FOLD_X1_X7 REGPAT_FOLD(1, 29) REGPAT_FOLD_X8_X30
			 "orr x1, x1, x8\n"
			 "ldp x29, x30, [sp], #16\n"
			 "mov %1, x1\n"
			 : "+r"(x0), "=r"(diff)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
			   "x22", "x23", "x24", "x25", "x26", "x27", "x28", "memory");
	/* clang-format on */
	*version = x0;
	return diff;
}

void main_test(void)
{
	struct smccc_res r;
	uint64_t ret = 0, version = 0, diff;
	unsigned int i, ok = 0;

	report_info("test: hvc");
	smccc_hvc(PSCI_VERSION, 0, 0, 0, &r);
	report(r.a0 == 0x10001, "PSCI_VERSION is 1.1 (0x%lx)", (unsigned long)r.a0);
	smccc_hvc(SMCCC_VERSION, 0, 0, 0, &r);
	report(r.a0 == 0x10001, "SMCCC_VERSION is 1.1 (0x%lx)", (unsigned long)r.a0);
	smccc_hvc(PSCI_FEATURES, PSCI_VERSION, 0, 0, &r);
	report(r.a0 == 0, "PSCI_FEATURES(PSCI_VERSION) is supported");
	smccc_hvc(PSCI_FEATURES, SMCCC_VERSION, 0, 0, &r);
	report(r.a0 == 0, "PSCI_FEATURES(SMCCC_VERSION) is supported (SMCCC 1.1 discovery)");
	smccc_hvc(SMCCC_ARCH_FEATURES, 0x80008000U, 0, 0, &r);
	report(r.a0 == NOT_SUPPORTED, "SMCCC_ARCH_FEATURES(WORKAROUND_1) is not supported");
	smccc_hvc(0x8400ffffU, 0x11, 0x22, 0x33, &r);
	report(r.a0 == NOT_SUPPORTED, "unknown PSCI function returns NOT_SUPPORTED");
	report(r.a1 == 0x11 && r.a2 == 0x22 && r.a3 == 0x33,
	       "x1-x3 unchanged by an unknown function");
	report(clobbered_by_hvc(&ret) == 0 && ret == NOT_SUPPORTED,
	       "x4-x17 preserved across a call (SMCCC 1.1)");
	diff = version_keeping(&version);
	report(version == 0x10001 && diff == 0,
	       "PSCI_VERSION keeps x1-x30 (version 0x%lx, difference 0x%lx)",
	       (unsigned long)version, (unsigned long)diff);
	for (i = 0; i < 1000; i++)
		ok += psci_version() == 0x10001;
	report(ok == 1000, "1000 round trips in a row (%u right)", ok);
}
