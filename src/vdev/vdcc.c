// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/esr.h"
#include "core/sysreg.h"
#include "core/vm.h"
#include "hypercall/backdoor.h"
#include "lib/format.h"
#include "vdev/vdcc.h"

#define MDCCSR_EL0    SYS_ENC(2, 3, 0, 1, 0)
#define DBGDTR_EL0    SYS_ENC(2, 3, 0, 4, 0)
#define DBGDTRXX_EL0  SYS_ENC(2, 3, 0, 5, 0) /* DBGDTRRX_EL0 read, DBGDTRTX_EL0 write */
#define MDSCR_TDCC    (1UL << 12)
#define MDCCSR_RXFULL (1UL << 30) /* DTRRX holds a byte for the guest */

void vdcc_init(struct vdcc *d, const char *owner)
{
	char prefix[LINEOUT_PREFIX_MAX];

	memset(d, 0, sizeof(*d));
	format(prefix, sizeof(prefix), "%s/dcc", owner);
	lineout_init(&d->out, prefix);
}

bool vdcc_receive(struct vdcc *d, char c)
{
	bool ok;

	spin_lock(&d->lock);
	d->rx_typed++;
	ok = d->rx_count < VDCC_RX_RING;
	if (ok)
		d->rx[(d->rx_head + d->rx_count++) % VDCC_RX_RING] = (uint8_t)c;
	else
		d->rx_dropped++;
	spin_unlock(&d->lock);
	return ok;
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

/* MDCCSR_EL0 (lock held): RXfull while a byte waits; never TXfull, transmit always drains. */
static uint64_t status(const struct vdcc *d)
{
	return d->rx_count ? MDCCSR_RXFULL : 0;
}

/*
 * A read of DBGDTRRX_EL0 (lock held): the byte waiting in DTRRX, and the next
 * one moves in; RXfull clears with the last. With nothing waiting the
 * architecture says UNKNOWN: 0. A DBGDTR_EL0 read has DTRRX in 31:0 and the
 * last value written to DTRTX in 63:32.
 */
static uint64_t data_read(struct vdcc *d, uint32_t enc)
{
	uint64_t v = 0;

	if (d->rx_count) {
		v = d->rx[d->rx_head];
		d->rx_head = (d->rx_head + 1) % VDCC_RX_RING;
		d->rx_count--;
	}
	if (enc == DBGDTR_EL0)
		v |= (uint64_t)d->dtrtx << 32;
	return v;
}

/*
 * A write of DBGDTRTX_EL0, or of DBGDTR_EL0 whose 31:0 go to DTRTX (lock
 * held): the byte goes to the console at once, so TXfull never sets. The
 * 63:32 of a DBGDTR_EL0 write would replace DTRRX without touching RXfull;
 * here DTRRX is the head of the typed input, which a guest cannot rewrite, so
 * they are ignored.
 */
static void data_write(struct vdcc *d, uint64_t v)
{
	d->dtrtx = (uint32_t)v;
	lineout_put(&d->out, (char)v);
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
	if (enc == MDCCSR_EL0 && !read)
		return VDCC_NOT_DCC; /* read-only: the write is UNDEFINED */
	spin_lock(&vm->dcc.lock);
	if (enc == MDCCSR_EL0)
		vcpu_set_reg(vcpu, rt, status(&vm->dcc));
	else if (read)
		vcpu_set_reg(vcpu, rt, data_read(&vm->dcc, enc));
	else
		data_write(&vm->dcc, vcpu_get_reg(vcpu, rt));
	spin_unlock(&vm->dcc.lock);
	return VDCC_DONE;
}
