// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <string.h>

#include "lib/format.h"
#include "migrate/vmstate.h"
#include "migrate/wire.h"

/* A system register's field id: its MRS/MSR encoding (op0 is 2 or 3, so ids >= 0x8000). */
#define SYSREG(op0, op1, crn, crm, op2) \
	((uint16_t)((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))

/* The guest's vector length: Skiff runs guests at 128 bits (ZCR_EL2.LEN = 0). */
#define GUEST_VL 16

#define SPSR_NRW (1U << 4)

enum kind {
	K_U64,	  /* a 64-bit register: 8 bytes, big-endian */
	K_FLAG,	  /* 1 byte, 0 or 1 */
	K_PSTATE, /* 1 byte, one PSTATE field */
	K_V,	  /* 16 bytes, as STR Q stores it */
	K_VL,	  /* 2 bytes, the SVE vector length in bytes */
	K_Z,	  /* VL bytes: carried only above 128 bits */
	K_PRED,	  /* VL / 8 bytes, as STR P stores it */
	K_CTL,	  /* a timer's CTL: 8 bytes, ENABLE and IMASK only */
};

#define MANDATORY 1U /* every vCPU record has it */
#define SVE_STATE 2U /* all of these or none: the vCPU's SVE state */

struct field {
	uint16_t id;
	uint16_t count; /* consecutive ids: X0-X30, V0-V31, ... */
	enum kind kind;
	unsigned int flags;
	size_t offset; /* in struct vcpu_image, of the first */
	const char *name;
};

#define AT(member) __builtin_offsetof(struct vcpu_image, member)
#define REG(name, member, op0, op1, crn, crm, op2)                                     \
	{                                                                              \
		SYSREG(op0, op1, crn, crm, op2), 1, K_U64, MANDATORY, AT(member), name \
	}

/* Every field of format 1, in ascending id order (the order records carry them in). */
static const struct field fields[] = {
	{ 0x0000, 31, K_U64, MANDATORY, AT(ctx.x), "X" },
	{ 0x0020, 1, K_U64, MANDATORY, AT(ctx.pc), "PC" },
	{ 0x0030, 1, K_FLAG, MANDATORY, AT(on), "power state" },
	{ 0x0031, 1, K_FLAG, MANDATORY, AT(os_lock), "OS lock" },
	{ 0x0040, 26, K_PSTATE, 0, 0, "PSTATE" },
	{ 0x0100, 32, K_V, MANDATORY, AT(fp.q), "V" },
	{ 0x0200, 1, K_VL, SVE_STATE, 0, "SVE vector length" },
	{ 0x0210, 32, K_Z, 0, 0, "Z" },
	{ 0x0240, 16, K_PRED, SVE_STATE, AT(fp.p), "P" },
	{ 0x0250, 1, K_PRED, SVE_STATE, AT(fp.p[16]), "FFR" },
	REG("MDSCR_EL1", el1.mdscr, 2, 0, 0, 2, 2),
	REG("MPIDR_EL1", mpidr, 3, 0, 0, 0, 5),
	REG("SCTLR_EL1", el1.sctlr, 3, 0, 1, 0, 0),
	REG("ACTLR_EL1", el1.actlr, 3, 0, 1, 0, 1),
	REG("CPACR_EL1", el1.cpacr, 3, 0, 1, 0, 2),
	{ SYSREG(3, 0, 1, 2, 0), 1, K_U64, SVE_STATE, AT(fp.zcr), "ZCR_EL1" },
	REG("TTBR0_EL1", el1.ttbr0, 3, 0, 2, 0, 0),
	REG("TTBR1_EL1", el1.ttbr1, 3, 0, 2, 0, 1),
	REG("TCR_EL1", el1.tcr, 3, 0, 2, 0, 2),
	REG("APIAKeyLo_EL1", el1.pauth_keys[0], 3, 0, 2, 1, 0),
	REG("APIAKeyHi_EL1", el1.pauth_keys[1], 3, 0, 2, 1, 1),
	REG("APIBKeyLo_EL1", el1.pauth_keys[2], 3, 0, 2, 1, 2),
	REG("APIBKeyHi_EL1", el1.pauth_keys[3], 3, 0, 2, 1, 3),
	REG("APDAKeyLo_EL1", el1.pauth_keys[4], 3, 0, 2, 2, 0),
	REG("APDAKeyHi_EL1", el1.pauth_keys[5], 3, 0, 2, 2, 1),
	REG("APDBKeyLo_EL1", el1.pauth_keys[6], 3, 0, 2, 2, 2),
	REG("APDBKeyHi_EL1", el1.pauth_keys[7], 3, 0, 2, 2, 3),
	REG("APGAKeyLo_EL1", el1.pauth_keys[8], 3, 0, 2, 3, 0),
	REG("APGAKeyHi_EL1", el1.pauth_keys[9], 3, 0, 2, 3, 1),
	REG("SPSR_EL1", el1.spsr, 3, 0, 4, 0, 0),
	REG("ELR_EL1", el1.elr, 3, 0, 4, 0, 1),
	REG("SP_EL0", el1.sp_el0, 3, 0, 4, 1, 0),
	REG("AFSR0_EL1", el1.afsr0, 3, 0, 5, 1, 0),
	REG("AFSR1_EL1", el1.afsr1, 3, 0, 5, 1, 1),
	REG("ESR_EL1", el1.esr, 3, 0, 5, 2, 0),
	REG("FAR_EL1", el1.far, 3, 0, 6, 0, 0),
	REG("PAR_EL1", el1.par, 3, 0, 7, 4, 0),
	REG("MAIR_EL1", el1.mair, 3, 0, 10, 2, 0),
	REG("AMAIR_EL1", el1.amair, 3, 0, 10, 3, 0),
	REG("VBAR_EL1", el1.vbar, 3, 0, 12, 0, 0),
	REG("DISR_EL1", el1.disr, 3, 0, 12, 1, 1),
	REG("CONTEXTIDR_EL1", el1.contextidr, 3, 0, 13, 0, 1),
	REG("TPIDR_EL1", el1.tpidr, 3, 0, 13, 0, 4),
	REG("CNTKCTL_EL1", el1.cntkctl, 3, 0, 14, 1, 0),
	REG("CSSELR_EL1", el1.csselr, 3, 2, 0, 0, 0),
	REG("FPCR", fp.fpcr, 3, 3, 4, 4, 0),
	REG("FPSR", fp.fpsr, 3, 3, 4, 4, 1),
	REG("TPIDR_EL0", el1.tpidr_el0, 3, 3, 13, 0, 2),
	REG("TPIDRRO_EL0", el1.tpidrro_el0, 3, 3, 13, 0, 3),
	REG("TPIDR2_EL0", el1.tpidr2_el0, 3, 3, 13, 0, 5),
	{ SYSREG(3, 3, 14, 2, 1), 1, K_CTL, MANDATORY, AT(cntp_ctl), "CNTP_CTL_EL0" },
	REG("CNTP_CVAL_EL0", cntp_cval, 3, 3, 14, 2, 2),
	{ SYSREG(3, 3, 14, 3, 1), 1, K_CTL, MANDATORY, AT(cntv_ctl), "CNTV_CTL_EL0" },
	REG("CNTV_CVAL_EL0", cntv_cval, 3, 3, 14, 3, 2),
	REG("SP_EL1", el1.sp_el1, 3, 4, 4, 1, 0),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/*
 * PSTATE by field (ids 0x0040 up): where each sits in SPSR_EL2's layout for an
 * AArch64 vCPU and for one in AArch32 (EL0 only), -1 where it has no place.
 * IT is split in AArch32 (IT[1:0] at 26:25, IT[7:2] at 15:10).
 */
struct pstate_field {
	const char *name;
	int a64, a32; /* lowest bit */
	unsigned int width;
};

#define PSTATE_IT 25 /* its index */

static const struct pstate_field pstate[] = {
	{ "N", 31, 31, 1 },	{ "Z", 30, 30, 1 },	 { "C", 29, 29, 1 },
	{ "V", 28, 28, 1 },	{ "D", 9, -1, 1 },	 { "A", 8, 8, 1 },
	{ "I", 7, 7, 1 },	{ "F", 6, 6, 1 },	 { "SS", 21, 21, 1 },
	{ "IL", 20, 20, 1 },	{ "nRW", 4, 4, 1 },	 { "EL", 2, -1, 2 },
	{ "SP", 0, -1, 1 },	{ "PAN", 22, 22, 1 },	 { "UAO", 23, -1, 1 },
	{ "DIT", 24, 24, 1 },	{ "TCO", 25, -1, 1 },	 { "SSBS", 12, 23, 1 },
	{ "BTYPE", 10, -1, 2 }, { "ALLINT", 13, -1, 1 }, { "M", -1, 0, 4 },
	{ "T", -1, 5, 1 },	{ "Q", -1, 27, 1 },	 { "GE", -1, 16, 4 },
	{ "E", -1, 9, 1 },	{ "IT", -1, -1, 8 },
};

_Static_assert(sizeof(pstate) / sizeof(pstate[0]) == 26, "PSTATE ids 0x0040-0x0059");
#define PSTATE_NRW 10
#define PSTATE_EL  11
#define PSTATE_SP  12
#define PSTATE_M   20

static uint64_t bits(uint64_t v, int lsb, unsigned int width)
{
	return (v >> lsb) & ((1ULL << width) - 1);
}

/* The value of PSTATE field @i in @spsr; -1 when it has no place in that state. */
static int pstate_get(uint64_t spsr, unsigned int i)
{
	bool a32 = spsr & SPSR_NRW;
	const struct pstate_field *f = &pstate[i];

	if (i == PSTATE_IT)
		return a32 ? (int)(bits(spsr, 25, 2) | bits(spsr, 10, 6) << 2) : -1;
	if ((a32 ? f->a32 : f->a64) < 0)
		return -1;
	return (int)bits(spsr, a32 ? f->a32 : f->a64, f->width);
}

static uint8_t *put_field_hdr(uint8_t *p, uint16_t id, uint16_t len)
{
	wire_put16(p, id);
	wire_put16(p + 2, len);
	return p + 4;
}

/* Bytes one field of @f takes in a record, its header included. */
static size_t field_bytes(const struct field *f)
{
	switch (f->kind) {
	case K_U64:
	case K_CTL:
		return 4 + 8;
	case K_FLAG:
	case K_PSTATE:
		return 4 + 1;
	case K_V:
		return 4 + 16;
	case K_VL:
		return 4 + 2;
	case K_PRED:
		return 4 + GUEST_VL / 8;
	case K_Z:
	default:
		return 4 + VMSTATE_SVE_VL_MAX;
	}
}

/* Writes the fields of entry @f that @img has; returns the new end. */
static uint8_t *put_fields(uint8_t *p, const struct field *f, const struct vcpu_image *img)
{
	const uint8_t *base = (const uint8_t *)img + f->offset;

	if ((f->flags & SVE_STATE) && !img->sve)
		return p;
	for (unsigned int k = 0; k < f->count; k++) {
		uint16_t id = (uint16_t)(f->id + k);

		switch (f->kind) {
		case K_U64:
		case K_CTL: {
			uint64_t v;

			memcpy(&v, base + 8 * k, 8);
			p = put_field_hdr(p, id, 8);
			wire_put64(p, v);
			p += 8;
			break;
		}
		case K_FLAG:
			p = put_field_hdr(p, id, 1);
			*p++ = *(const bool *)base ? 1 : 0;
			break;
		case K_PSTATE: {
			int v = pstate_get(img->ctx.pstate, k);

			if (v >= 0) {
				p = put_field_hdr(p, id, 1);
				*p++ = (uint8_t)v;
			}
			break;
		}
		case K_V:
			/* q[n][0] holds bits 63:0: as STR Q stores it on a little-endian CPU. */
			p = put_field_hdr(p, id, 16);
			memcpy(p, base + 16 * k, 16);
			p += 16;
			break;
		case K_VL:
			p = put_field_hdr(p, id, 2);
			wire_put16(p, GUEST_VL);
			p += 2;
			break;
		case K_PRED:
			p = put_field_hdr(p, id, GUEST_VL / 8);
			memcpy(p, base + 2 * k, GUEST_VL / 8);
			p += GUEST_VL / 8;
			break;
		case K_Z:
		default:
			break; /* at 128 bits, Z0-Z31 are V0-V31 */
		}
	}
	return p;
}

void vmstate_vcpu_capture(const struct vcpu *v, bool sve, struct vcpu_image *out)
{
	memset(out, 0, sizeof(*out));
	out->ctx = v->ctx;
	out->el1 = v->el1;
	out->fp = v->fp;
	out->mpidr = v->mpidr;
	/* The virtual timer is the hardware's, or emulated like the physical one (FEAT_ECV). */
	if (v->vm && v->vm->counter.virtual_trapped) {
		out->cntv_ctl = v->vptimer.ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK);
		out->cntv_cval = v->vptimer.cval;
	} else {
		out->cntv_ctl = v->vtimer.ctl & (VTIMER_CTL_ENABLE | VTIMER_CTL_IMASK);
		out->cntv_cval = v->vtimer.cval;
	}
	out->cntp_ctl = v->ptimer.ctl & (PTIMER_CTL_ENABLE | PTIMER_CTL_IMASK);
	out->cntp_cval = v->ptimer.cval;
	out->on = vcpu_is_on(v);
	out->os_lock = v->os_lock;
	out->sve = sve;
	if (!sve) {
		memset(out->fp.p, 0, sizeof(out->fp.p));
		out->fp.zcr = 0;
	}
}

size_t vmstate_header_encode(uint8_t *buf, uint32_t nvcpus)
{
	uint8_t *p = buf + VMSTATE_REC_HDR;

	wire_put16(buf, VMSTATE_T_HEADER);
	wire_put16(buf + 2, 0);
	wire_put32(buf + 4, VMSTATE_HEADER_LEN);
	wire_put32(p, VMSTATE_MAGIC);
	wire_put16(p + 4, VMSTATE_MAJOR);
	wire_put16(p + 6, VMSTATE_MINOR);
	wire_put32(p + 8, VMSTATE_ARCH_AARCH64);
	wire_put32(p + 12, nvcpus);
	return VMSTATE_REC_HDR + VMSTATE_HEADER_LEN;
}

/* A record's header: its tag must be @tag, its length what follows. 0, or -1 with @err. */
static int check_record(const uint8_t *buf, size_t len, uint16_t tag, const char *what, char *err,
			size_t errlen)
{
	if (len < VMSTATE_REC_HDR) {
		format(err, errlen, "%s record: %zu bytes, shorter than a record header", what,
		       len);
		return -1;
	}
	if (wire_get16(buf) != tag) {
		format(err, errlen, "%s record expected, a record of tag 0x%04x came", what,
		       wire_get16(buf));
		return -1;
	}
	if (wire_get16(buf + 2)) {
		format(err, errlen, "%s record with flags 0x%04x (none are defined)", what,
		       wire_get16(buf + 2));
		return -1;
	}
	if (wire_get32(buf + 4) != len - VMSTATE_REC_HDR) {
		format(err, errlen, "%s record says %u payload bytes, %zu came", what,
		       wire_get32(buf + 4), len - VMSTATE_REC_HDR);
		return -1;
	}
	return 0;
}

int vmstate_header_decode(const uint8_t *buf, size_t len, struct vmstate_header *out, char *err,
			  size_t errlen)
{
	const uint8_t *p = buf + VMSTATE_REC_HDR;
	struct vmstate_header h;

	if (check_record(buf, len, VMSTATE_T_HEADER, "header", err, errlen))
		return -1;
	if (len - VMSTATE_REC_HDR != VMSTATE_HEADER_LEN) {
		format(err, errlen, "header record of %zu bytes, not %u", len - VMSTATE_REC_HDR,
		       VMSTATE_HEADER_LEN);
		return -1;
	}
	if (wire_get32(p) != VMSTATE_MAGIC) {
		format(err, errlen, "not a Skiff VM state (magic 0x%08x)", wire_get32(p));
		return -1;
	}
	h = (struct vmstate_header){ wire_get16(p + 4), wire_get16(p + 6), wire_get32(p + 8),
				     wire_get32(p + 12) };
	if (h.major != VMSTATE_MAJOR) {
		format(err, errlen, "VM state format %u.%u; this host reads %u.x", h.major, h.minor,
		       VMSTATE_MAJOR);
		return -1;
	}
	if (h.arch != VMSTATE_ARCH_AARCH64) {
		format(err, errlen, "a VM state of architecture %u; this host runs AArch64 (%u)",
		       h.arch, VMSTATE_ARCH_AARCH64);
		return -1;
	}
	if (!h.nvcpus || h.nvcpus > VM_MAX_VCPUS) {
		format(err, errlen, "a VM of %u vCPUs; this host runs 1 to %u", h.nvcpus,
		       VM_MAX_VCPUS);
		return -1;
	}
	*out = h;
	return 0;
}

size_t vmstate_vcpu_encode(uint8_t *buf, size_t size, uint32_t index, const struct vcpu_image *img)
{
	size_t need = VMSTATE_REC_HDR + 4;
	uint8_t *p;

	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].kind != K_Z)
			need += fields[i].count * field_bytes(&fields[i]);
	if (size < need)
		return 0;
	p = buf + VMSTATE_REC_HDR;
	wire_put32(p, index);
	p += 4;
	for (size_t i = 0; i < NFIELDS; i++)
		p = put_fields(p, &fields[i], img);
	wire_put16(buf, VMSTATE_T_VCPU);
	wire_put16(buf + 2, 0);
	wire_put32(buf + 4, (uint32_t)(p - buf - VMSTATE_REC_HDR));
	return (size_t)(p - buf);
}

/* ---- decoding ---- */

struct decoder {
	struct vcpu_image img;
	int pstate[sizeof(pstate) / sizeof(pstate[0])]; /* -1: absent */
	uint32_t seen[NFIELDS];				/* per entry, one bit per id of it */
	char *err;
	size_t errlen;
};

/* The entry holding @id, or NULL; its index in *k. */
static const struct field *find(uint16_t id, unsigned int *k)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		if (id >= fields[i].id && id < fields[i].id + fields[i].count) {
			*k = id - fields[i].id;
			return &fields[i];
		}
	}
	return NULL;
}

/* The name of field @id, e.g. "X3", "PSTATE.EL", "SCTLR_EL1". */
static void field_name(uint16_t id, char *buf, size_t size)
{
	unsigned int k;
	const struct field *f = find(id, &k);

	if (!f)
		format(buf, size, "field 0x%04x", id);
	else if (f->kind == K_PSTATE)
		format(buf, size, "PSTATE.%s", pstate[k].name);
	else if (f->count > 1)
		format(buf, size, "%s%u", f->name, k);
	else
		format(buf, size, "%s", f->name);
}

static int refuse(struct decoder *d, uint16_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct decoder *d, uint16_t id, const char *fmt, ...)
{
	char name[32];
	va_list ap;
	size_t n;

	field_name(id, name, sizeof(name));
	n = format_clamped(d->err, d->errlen, "%s (0x%04x): ", name, id);
	va_start(ap, fmt);
	format_v(d->err + n, d->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned int expected_len(const struct field *f)
{
	return (unsigned int)field_bytes(f) - 4;
}

/* One field, its header already checked to fit: stored in the decoder. */
static int take_field(struct decoder *d, uint16_t id, const uint8_t *v, uint16_t len)
{
	unsigned int k;
	const struct field *f = find(id, &k);
	uint8_t *at;

	if (!f)
		return refuse(d, id, "not a field of VM state format %u", VMSTATE_MAJOR);
	if (f->kind == K_Z)
		return refuse(d, id,
			      "Z registers above a 128-bit vector length: this host runs "
			      "guests at 128 bits");
	if (len != expected_len(f))
		return refuse(d, id, "%u bytes, not %u", len, expected_len(f));
	at = (uint8_t *)&d->img + f->offset;
	d->seen[f - fields] |= 1U << k;
	switch (f->kind) {
	case K_U64: {
		uint64_t x = wire_get64(v);

		memcpy(at + 8 * k, &x, 8);
		return 0;
	}
	case K_CTL: {
		uint64_t x = wire_get64(v);

		if (x & ~(VTIMER_CTL_ENABLE | VTIMER_CTL_IMASK))
			return refuse(d, id,
				      "0x%lx: only ENABLE (bit 0) and IMASK (bit 1) are state; "
				      "ISTATUS is worked out",
				      (unsigned long)x);
		memcpy(at, &x, 8);
		return 0;
	}
	case K_FLAG:
		if (v[0] > 1)
			return refuse(d, id, "%u (0 or 1)", v[0]);
		*(bool *)at = v[0];
		return 0;
	case K_PSTATE:
		if (v[0] >> pstate[k].width)
			return refuse(d, id, "%u does not fit its %u bit(s)", v[0],
				      pstate[k].width);
		d->pstate[k] = v[0];
		return 0;
	case K_V:
		memcpy(at + 16 * k, v, 16);
		return 0;
	case K_VL:
		if (wire_get16(v) != GUEST_VL)
			return refuse(d, id, "%u bytes; this host runs guests at %u (128 bits)",
				      wire_get16(v), GUEST_VL);
		return 0;
	case K_PRED:
		memcpy(at + 2 * k, v, GUEST_VL / 8);
		return 0;
	case K_Z:
	default:
		return refuse(d, id, "unexpected");
	}
}

/* PSTATE from its fields: only those of the vCPU's execution state, values it allows. */
static int build_pstate(struct decoder *d)
{
	bool a32 = d->pstate[PSTATE_NRW] == 1;
	uint64_t spsr = 0;

	for (unsigned int i = 0; i < sizeof(pstate) / sizeof(pstate[0]); i++) {
		int lsb = a32 ? pstate[i].a32 : pstate[i].a64;
		uint16_t id = (uint16_t)(0x0040 + i);
		uint64_t v;

		if (d->pstate[i] < 0)
			continue;
		v = (uint64_t)d->pstate[i];
		if (i == PSTATE_IT && a32) {
			spsr |= (v & 3) << 25 | (v >> 2) << 10;
			continue;
		}
		if (lsb < 0 && v)
			return refuse(d, id, "%lu: no such field in %s state", (unsigned long)v,
				      a32 ? "AArch32" : "AArch64");
		if (lsb >= 0)
			spsr |= v << lsb;
	}
	if (!a32 && d->pstate[PSTATE_EL] > 1)
		return refuse(d, 0x0040 + PSTATE_EL, "EL%d: a guest runs at EL0 or EL1",
			      d->pstate[PSTATE_EL]);
	if (!a32 && d->pstate[PSTATE_EL] <= 0 && d->pstate[PSTATE_SP] == 1)
		return refuse(d, 0x0040 + PSTATE_SP, "SP_EL1 selected at EL0");
	if (a32 && d->pstate[PSTATE_M] > 0)
		return refuse(d, 0x0040 + PSTATE_M,
			      "AArch32 mode 0x%x: a guest runs AArch32 at EL0 (User, 0x0) only",
			      d->pstate[PSTATE_M]);
	d->img.ctx.pstate = spsr;
	return 0;
}

static uint32_t all_ids(const struct field *f)
{
	return f->count == 32 ? UINT32_MAX : (1U << f->count) - 1;
}

/* What every record must have, and SVE's all-or-none. */
static int check_complete(struct decoder *d)
{
	bool any_sve = false, all_sve = true;

	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];

		if ((f->flags & MANDATORY) && d->seen[i] != all_ids(f))
			return refuse(d, (uint16_t)(f->id + __builtin_ctz(~d->seen[i])), "missing");
		if (f->flags & SVE_STATE) {
			any_sve |= d->seen[i] != 0;
			all_sve &= d->seen[i] == all_ids(f);
		}
	}
	if (any_sve && !all_sve)
		return refuse(d, 0x0200,
			      "SVE state in part: the vector length, P0-P15, FFR and "
			      "ZCR_EL1 come together");
	d->img.sve = any_sve;
	return 0;
}

int vmstate_vcpu_decode(const uint8_t *buf, size_t len, uint32_t *index, struct vcpu_image *out,
			char *err, size_t errlen)
{
	struct decoder d;
	const uint8_t *p, *end = buf + len;
	int prev = -1;

	if (check_record(buf, len, VMSTATE_T_VCPU, "vCPU", err, errlen))
		return -1;
	if (len < VMSTATE_REC_HDR + 4) {
		format(err, errlen, "vCPU record of %zu bytes, without its index", len);
		return -1;
	}
	memset(&d, 0, sizeof(d));
	memset(d.pstate, 0xff, sizeof(d.pstate));
	d.err = err;
	d.errlen = errlen;
	p = buf + VMSTATE_REC_HDR + 4;
	while (p < end) {
		uint16_t id, flen;

		if (end - p < 4) {
			format(err, errlen,
			       "vCPU record: %zu bytes left, shorter than a field header",
			       (size_t)(end - p));
			return -1;
		}
		id = wire_get16(p);
		flen = wire_get16(p + 2);
		if ((size_t)(end - p - 4) < flen)
			return refuse(&d, id, "%u bytes, %zu left in the record", flen,
				      (size_t)(end - p - 4));
		if ((int)id <= prev)
			return refuse(&d, id,
				      "after field 0x%04x: fields come once each, in "
				      "ascending order",
				      (unsigned int)prev);
		if (take_field(&d, id, p + 4, flen))
			return -1;
		prev = id;
		p += 4 + flen;
	}
	if (check_complete(&d) || build_pstate(&d))
		return -1;
	*index = wire_get32(buf + VMSTATE_REC_HDR);
	*out = d.img;
	return 0;
}
