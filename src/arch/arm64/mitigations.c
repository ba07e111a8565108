// SPDX-License-Identifier: MIT
/*
 * Speculation mitigations the firmware provides through SMCCC 1.1 (Arm
 * DEN0028): SMCCC_ARCH_WORKAROUND_1 (branch predictor invalidation, Spectre
 * v2), _2 (speculative store bypass, SSBD) and _3 (branch history, Spectre-BHB).
 * Skiff asks the firmware once at boot which it has and needs; then it
 * invalidates the branch predictors when a CPU moves from one VM to another
 * (as KVM does on affected cores), keeps SSBD on at EL2 wherever it can be
 * switched, and tells its guests what it found, so that they protect
 * themselves the same way (docs/security.md).
 */
#include "arch/arch.h"
#include "arch/arm64/internal.h"
#include "arch/arm64/sysreg.h"
#include "lib/format.h"
#include "platform/platform.h"

#define SMCCC_VERSION_FID	0x80000000U
#define SMCCC_ARCH_FEATURES_FID 0x80000001U
#define SMCCC_VERSION_1_1	0x10001
#define SMCCC_WORKAROUND_1	0x80008000U
#define SMCCC_WORKAROUND_2	0x80007fffU
#define SMCCC_WORKAROUND_3	0x80003fffU

/* SMCCC_ARCH_FEATURES answers for the workarounds. */
#define WA_REQUIRED	     0	  /* implemented, and this CPU needs it: call it */
#define WA_NOT_REQUIRED	     1	  /* implemented, this CPU does not need it */
#define WA_NOT_SUPPORTED     (-1) /* the firmware does not know it */
#define WA_REQUIRED_NOT_CALL (-2) /* WORKAROUND_2: not needed, or always on: do not call */

/* What the firmware said: written once on the boot CPU before the others start, then read-only. */
static struct {
	int conduit;
	int64_t wa[3]; /* WORKAROUND_1, _2, _3 */
} fw = { PSCI_CONDUIT_NONE, { WA_NOT_SUPPORTED, WA_NOT_SUPPORTED, WA_NOT_SUPPORTED } };

static const uint32_t wa_fid[3] = { SMCCC_WORKAROUND_1, SMCCC_WORKAROUND_2, SMCCC_WORKAROUND_3 };

/*
 * The workaround el2_vectors_harden (vectors.S) calls at each entry from a guest,
 * 0 where the plain vectors serve. Set on the boot CPU before the others start.
 */
uint32_t bp_harden_fid;
extern const char el2_vectors_harden[];

static int wa_index(uint32_t fid)
{
	for (int i = 0; i < 3; i++)
		if (wa_fid[i] == fid)
			return i;
	return -1;
}

static int64_t fw_call(uint32_t fid, uint64_t a1)
{
	struct smccc_result r;

	arch_smccc(fw.conduit, fid, a1, 0, 0, &r);
	return (int64_t)(int32_t)r.a0;
}

/* The workaround to call at each entry from a guest, 0 for none (bp_harden_fid). */
static uint32_t harden_fid(int conduit)
{
#ifdef SKIFF_TEST_HARDEN_VECTORS
	/* Test builds (make's harden variant): the hardened entries on any firmware. */
	(void)conduit;
	return SMCCC_WORKAROUND_1;
#else
	if (conduit != PSCI_CONDUIT_SMC) /* from EL2 the firmware is an SMC away */
		return 0;
	if (fw.wa[0] == WA_REQUIRED)
		return SMCCC_WORKAROUND_1;
	return fw.wa[2] == WA_REQUIRED ? SMCCC_WORKAROUND_3 : 0;
#endif
}

void arch_mitigations_init(int conduit)
{
	fw.conduit = conduit;
	/* SMCCC 1.0 firmware has no SMCCC_ARCH_FEATURES. */
	if (conduit != PSCI_CONDUIT_NONE && fw_call(SMCCC_VERSION_FID, 0) >= SMCCC_VERSION_1_1)
		for (int i = 0; i < 3; i++)
			fw.wa[i] = fw_call(SMCCC_ARCH_FEATURES_FID, wa_fid[i]);
	bp_harden_fid = harden_fid(conduit);
}

void mitigations_cpu_init(void)
{
	/* Dynamic SSBD: on for good at EL2, so guests need not (and must not) switch it. */
	if (fw.wa[1] == WA_REQUIRED)
		fw_call(SMCCC_WORKAROUND_2, 1);
	if (bp_harden_fid) {
		write_sysreg(vbar_el2, (uint64_t)el2_vectors_harden);
		isb();
	}
}

size_t arch_mitigations_describe(char *buf, size_t size)
{
	const char *s[3];

	for (int i = 0; i < 3; i++) {
		int64_t v = fw.wa[i];

		s[i] = v == WA_REQUIRED		   ? "needed"
		       : v == WA_NOT_REQUIRED	   ? "not needed"
		       : v == WA_REQUIRED_NOT_CALL ? "not needed or always on"
						   : "unknown to the firmware";
	}
	return format_clamped(buf, size,
			      "Spectre v2 (WORKAROUND_1) %s, SSBD (WORKAROUND_2) %s, "
			      "Spectre-BHB (WORKAROUND_3) %s%s",
			      s[0], s[1], s[2],
			      bp_harden_fid == SMCCC_WORKAROUND_1
				      ? "; WORKAROUND_1 at each guest exit"
			      : bp_harden_fid ? "; WORKAROUND_3 at each guest exit"
					      : "");
}

int64_t arch_smccc_workaround_features(uint32_t fid)
{
	int i = wa_index(fid);

	if (i < 0)
		return WA_NOT_SUPPORTED;
	if (i == 1 && fw.wa[1] == WA_REQUIRED)
		return WA_REQUIRED_NOT_CALL; /* Skiff keeps it on */
	return fw.wa[i];
}

void arch_smccc_workaround_call(uint32_t fid, uint64_t arg)
{
	int i = wa_index(fid);

	/* Only the predictor invalidations are passed on; SSBD stays as Skiff set it. */
	(void)arg;
	if ((i == 0 || i == 2) && fw.wa[i] == WA_REQUIRED)
		fw_call(fid, 0);
}

void arch_vm_switch(void)
{
	/* What one VM trained the branch predictors with must not steer another. */
	if (fw.wa[0] == WA_REQUIRED)
		fw_call(SMCCC_WORKAROUND_1, 0);
	else if (fw.wa[2] == WA_REQUIRED)
		fw_call(SMCCC_WORKAROUND_3, 0);
}
