// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/guestlog.h"
#include "core/log.h"
#include "core/random.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "hypercall/backdoor.h"

#define NO_PORT 0xffffffffUL /* what "in" reads from a port nobody decodes */

void backdoor_reset(struct vm *vm)
{
	spin_lock(&vm->backdoor.lock);
	memset(vm->backdoor.channels, 0, sizeof(vm->backdoor.channels));
	vm->tclo.listening = false;
	vm->tclo.count = 0;
	vm->tclo.pending = 0;
	spin_unlock(&vm->backdoor.lock);
}

/* Logs a refused call (within the VM's log budget) and counts it. */
static void refuse(struct vcpu *vcpu, const char *why, const struct bdoor_regs *r)
{
	vcpu->vm->backdoor.stats.errors++;
	guestlog_warn(&vcpu->vm->log,
		      "vcpu %u: backdoor call refused: %s (ecx 0x%lx, edx 0x%lx, "
		      "PC 0x%lx)",
		      vcpu->id, why, (unsigned long)r->cx, (unsigned long)r->dx,
		      (unsigned long)vcpu->ctx.pc);
}

/*
 * The host address of @len bytes at guest virtual @va (within one page), checked with
 * the caller's rights for a read or a write, and made ready for that access.
 */
static bool guest_chunk(struct vcpu *vcpu, vaddr_t va, size_t len, bool write, void **host)
{
	bool el0 = arch_vcpu_at_el0(vcpu);
	enum va_access access =
		write ? (el0 ? VA_EL0_WRITE : VA_EL1_WRITE) : (el0 ? VA_EL0_READ : VA_EL1_READ);
	struct vm_s2_locked s2;
	ipaddr_t ipa;
	int r = 0;

	if (!arch_vcpu_va_access(vcpu, va, access, &ipa) || !vm_ram_ptr(vcpu->vm, ipa, len, host))
		return false; /* unmapped, not allowed, or not RAM (a device) */
	s2 = vm_s2_lock(vcpu->vm);
	vm_ram_prepare(s2, ipa, len);
	if (write)
		r = stage2_host_write(s2, ipa, len);
	vm_s2_unlock(&s2);
	if (r)
		vm_crash(vcpu->vm, "out of memory for stage-2 tables at IPA 0x%lx",
			 (unsigned long)ipa_addr(ipa));
	return !r;
}

/* How much of @len bytes at @va lies in va's page. */
static size_t page_chunk(uint64_t va, size_t len)
{
	size_t chunk = 4096 - (va & 4095);

	return chunk < len ? chunk : len;
}

/* Copies from a guest virtual buffer, page by page, with the caller's rights. */
static bool mem_read(void *ctx, uint64_t va, void *dst, size_t len)
{
	char *d = dst;

	while (len) {
		size_t chunk = page_chunk(va, len);
		void *host;

		if (!guest_chunk(ctx, va_init(va), chunk, false, &host))
			return false;
		memcpy(d, host, chunk);
		va += chunk;
		d += chunk;
		len -= chunk;
	}
	return true;
}

/* Copies to a guest virtual buffer, page by page, with the caller's rights. */
static bool mem_write(void *ctx, uint64_t va, const void *src, size_t len)
{
	const char *s = src;

	while (len) {
		size_t chunk = page_chunk(va, len);
		void *host;

		if (!guest_chunk(ctx, va_init(va), chunk, true, &host))
			return false;
		memcpy(host, s, chunk);
		va += chunk;
		s += chunk;
		len -= chunk;
	}
	return true;
}

/* RPCI requests are answered by the VM's rpci state; TCLO polls get the host's requests. */
static size_t answer(void *ctx, uint32_t proto, const char *msg, size_t len, char *reply)
{
	struct vm *vm = ctx;

	if (proto == MSG_PROTO_RPCI)
		return rpci_answer(&vm->rpci, msg, len, reply, MSG_MAX_SIZE);
	return tclo_answer(&vm->tclo, msg, len, reply, MSG_MAX_SIZE);
}

static void opened(void *ctx, uint32_t proto)
{
	struct vm *vm = ctx;

	if (proto == MSG_PROTO_TCLO)
		tclo_opened(&vm->tclo);
}

/* From the host's DRBG: unrelated to the guest's time, PC or other channels. */
static uint64_t new_cookies(void *ctx)
{
	(void)ctx;
	return random_u64();
}

bool backdoor_host_request(struct vm *vm, const char *request)
{
	bool ok;

	spin_lock(&vm->backdoor.lock);
	ok = vm->tclo.listening && tclo_request(&vm->tclo, request);
	spin_unlock(&vm->backdoor.lock);
	return ok;
}

static void get_time(struct bdoor_regs *r, bool full)
{
	uint64_t secs;
	uint32_t usecs;

	wallclock_now(&secs, &usecs);
	r->bx = usecs;
	r->cx = 0; /* maximum time lag */
	if (!full) {
		r->ax = (uint32_t)secs;
		r->dx = 0; /* offset to UTC: Skiff keeps UTC */
		return;
	}
	r->ax = BDOOR_MAGIC;
	r->dx = (uint32_t)secs;
	r->si = (uint32_t)(secs >> 32);
}

/* x0-x6 are the x86 registers eax..ebp of the call. */
static struct bdoor_regs regs_in(const uint64_t *x)
{
	return (struct bdoor_regs){ x[0], x[1], x[2], x[3], x[4], x[5], x[6] };
}

static void regs_out(uint64_t *x, const struct bdoor_regs *r)
{
	x[0] = r->ax;
	x[1] = r->bx;
	x[2] = r->cx;
	x[3] = r->dx;
	x[4] = r->si;
	x[5] = r->di;
	x[6] = r->bp;
}

/* The reports that ask the clock (GETMHZ, GETHZ, GETTIME*): served on @x. */
static bool report_clock(uint64_t *x)
{
	uint16_t cmd = (uint16_t)x[2];
	struct bdoor_regs r;
	uint64_t hz;

	switch (cmd) {
	case BDOOR_CMD_GETMHZ:
		x[0] = arch_counter_freq() / 1000000; /* the counter's: the only one Skiff knows */
		x[1] = BDOOR_MAGIC;
		return true;
	case BDOOR_CMD_GETHZ:
		hz = arch_counter_freq();
		x[0] = (uint32_t)hz;
		x[1] = (uint32_t)(hz >> 32);
		return true;
	case BDOOR_CMD_GETTIME:
	case BDOOR_CMD_GETTIMEFULL:
	case BDOOR_CMD_GETTIMEFULL_WITH_LAG:
		/* WITH_LAG is what open-vm-tools' timeSync asks first: FULL plus a lag. */
		r = regs_in(x);
		get_time(&r, cmd != BDOOR_CMD_GETTIME);
		if (cmd == BDOOR_CMD_GETTIMEFULL_WITH_LAG)
			r.di = 0;
		regs_out(x, &r);
		return true;
	default:
		return false;
	}
}

/*
 * The reports about the VM itself (GETMEMSIZE) and its removable devices,
 * served on @x. A VM under Skiff has no removable device (no CD-ROM or floppy
 * to connect): asking for one, or to toggle one, gets eax = 0 (FALSE), which
 * is how open-vm-tools' device list learns that an ID is not in use.
 */
static bool report_vm(const struct vm *vm, uint64_t *x)
{
	switch ((uint16_t)x[2]) {
	case BDOOR_CMD_GETMEMSIZE:
		x[0] = vm->ram_size >> 20; /* MiB */
		return true;
	case BDOOR_CMD_GETDEVICELISTELEMENT:
	case BDOOR_CMD_TOGGLEDEVICE:
		x[0] = 0;
		return true;
	default:
		return false;
	}
}

/*
 * The low-bandwidth commands that only report ("in eax, dx" on port 0x5658,
 * the command in ecx's low half), served on @x (x0-x6: eax..ebp) without the
 * lock: the common calls. GETVERSION, the most common, is answered inline.
 * False for any other call.
 */
static bool call_report(const struct vm *vm, uint64_t *x, uint64_t x7)
{
	if ((uint16_t)x[3] != BDOOR_PORT || (uint32_t)x[0] != BDOOR_MAGIC ||
	    !(x7 & BDOOR_X7_DIR_IN))
		return false;
	if ((uint16_t)x[2] != BDOOR_CMD_GETVERSION)
		return report_clock(x) || report_vm(vm, x);
	x[0] = BDOOR_VERSION;
	x[1] = BDOOR_MAGIC;
	x[2] = BDOOR_TYPE;
	return true;
}

/* A low-bandwidth call that is not a report: a message channel's step, or unknown. */
static bool call_lb(struct vcpu *vcpu, struct bdoor_regs *r, const char **why)
{
	const struct msg_handler h = { answer, opened, new_cookies, vcpu->vm };

	if ((r->cx & 0xffff) == BDOOR_CMD_MESSAGE) {
		if (msg_call_lb(vcpu->vm->backdoor.channels, r, &h))
			return true;
		*why = "message call failed (bad channel, cookie, size or order)";
		return false;
	}
	*why = "unknown command";
	r->ax = NO_PORT;
	return false;
}

bool backdoor_report(struct vcpu *vcpu)
{
	uint64_t x7 = vcpu->ctx.x[7];

	if ((x7 & BDOOR_X7_STRING) || !call_report(vcpu->vm, vcpu->ctx.x, x7))
		return false;
	vcpu->backdoor_calls++;
	return true;
}

void backdoor_call(struct vcpu *vcpu)
{
	struct backdoor *b = &vcpu->vm->backdoor;
	uint64_t *x = vcpu->ctx.x; /* x0-x6: the x86 registers eax..ebp */
	uint64_t x7 = x[7];	   /* the x86 instruction's shape */
	struct bdoor_regs r = regs_in(x);
	uint32_t port = (uint32_t)r.dx & 0xffff;
	const char *why = 0;
	bool ok;

	vcpu->backdoor_calls++;
	if (!(x7 & BDOOR_X7_STRING) && call_report(vcpu->vm, x, x7))
		return;
	/* The VM's vCPUs share the channels and the error statistics. */
	spin_lock(&b->lock);
	if (!(x7 & BDOOR_X7_STRING)) {
		ok = port == BDOOR_PORT && (uint32_t)r.ax == BDOOR_MAGIC &&
		     (x7 & BDOOR_X7_DIR_IN) && call_lb(vcpu, &r, &why);
		if (!ok && !why) {
			why = "not an \"in\" from port 0x5658 with the magic in eax";
			r.ax = NO_PORT;
		}
	} else {
		const struct msg_handler h = { answer, opened, new_cookies, vcpu->vm };
		const struct msg_guest_mem mem = { mem_read, mem_write, vcpu };

		ok = port == BDOORHB_PORT && !(x7 & BDOOR_X7_DF) &&
		     msg_call_hb(b->channels, &r, x7 & BDOOR_X7_DIR_IN, &h, &mem);
		if (!ok)
			why = "high-bandwidth transfer failed (port, channel, size or buffer)";
	}
	if (!ok)
		refuse(vcpu, why, &r);
	spin_unlock(&b->lock);
	regs_out(x, &r);
}
