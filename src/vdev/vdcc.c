// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/esr.h"
#include "core/sysreg.h"
#include "core/vm.h"
#include "hypercall/backdoor.h"
#include "lib/format.h"
#include "vdev/vdcc.h"

#define MDCCSR_EL0   SYS_ENC(2, 3, 0, 1, 0)
#define DBGDTR_EL0   SYS_ENC(2, 3, 0, 4, 0)
#define DBGDTRXX_EL0 SYS_ENC(2, 3, 0, 5, 0) /* DBGDTRRX_EL0 read, DBGDTRTX_EL0 write */
#define MDSCR_TDCC   (1UL << 12)

void vdcc_init(struct vdcc *d, const char *owner)
{
	char prefix[LINEOUT_PREFIX_MAX];

	memset(d, 0, sizeof(*d));
	format(prefix, sizeof(prefix), "%s/dcc", owner);
	lineout_init(&d->out, prefix);
}

void vdcc_flush(struct vdcc *d)
{
	spin_lock(&d->lock);
	lineout_flush(&d->out);
	spin_unlock(&d->lock);
}

/* An EL0 access the guest kernel asked to trap to itself (MDSCR_EL1.TDCC). */
static bool el0_to_guest(const struct vcpu *vcpu)
{
	return arch_vcpu_at_el0(vcpu) && (vcpu->el1.mdscr & MDSCR_TDCC);
}

static bool is_dcc(uint32_t enc)
{
	return enc == MDCCSR_EL0 || enc == DBGDTR_EL0 || enc == DBGDTRXX_EL0;
}

/*
 * A backdoor call is served first, from EL1 or EL0, unless the VM's
 * configuration says to honour the guest's TDCC for it too: Linux sets
 * MDSCR_EL1.TDCC on every CPU at boot, so honouring it would send every call
 * of a user-space tool (open-vm-tools) to the guest kernel, which gives SIGILL.
 */
static bool is_backdoor_call(struct vcpu *vcpu, uint32_t enc, bool read)
{
	const struct backdoor *b = &vcpu->vm->backdoor;

	return enc == MDCCSR_EL0 && read && b->enabled && backdoor_is_x7(vcpu->ctx.x[7]) &&
	       !(b->honour_tdcc && el0_to_guest(vcpu));
}

bool vdcc_backdoor_fast(struct vcpu *vcpu)
{
	const struct backdoor *b = &vcpu->vm->backdoor;

	/* With the strict TDCC rule the full path decides. */
	if (!b->enabled || b->honour_tdcc || !backdoor_is_x7(vcpu->ctx.x[7]))
		return false;
	return backdoor_report(vcpu);
}

enum vdcc_result vdcc_access(struct vcpu *vcpu, uint64_t esr)
{
	uint32_t enc = esr_sys_encoding(esr);
	bool read = esr_sys_read(esr);
	unsigned int rt = esr_sys_rt(esr);
	struct vm *vm = vcpu->vm;

	if (!is_dcc(enc))
		return VDCC_NOT_DCC;
	if (is_backdoor_call(vcpu, enc, read)) {
		backdoor_call(vcpu);
		return VDCC_DONE;
	}
	/* The guest kernel asked for EL0's DCC accesses: they are its to handle. */
	if (el0_to_guest(vcpu)) {
		arch_vcpu_inject_sync(vcpu,
				      ((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | esr_iss(esr));
		return VDCC_FORWARDED;
	}
	if (enc == MDCCSR_EL0) {
		if (!read)
			return VDCC_NOT_DCC; /* read-only: the write is UNDEFINED */
		/* TXfull and RXfull clear: transmit always drains, nothing to receive. */
		vcpu_set_reg(vcpu, rt, 0);
		return VDCC_DONE;
	}
	if (read)
		vcpu_set_reg(vcpu, rt, 0); /* no input on the DCC */
	else {
		spin_lock(&vm->dcc.lock);
		lineout_put(&vm->dcc.out, (char)vcpu_get_reg(vcpu, rt));
		spin_unlock(&vm->dcc.lock);
	}
	return VDCC_DONE;
}
