// SPDX-License-Identifier: MIT
/*
 * The VM state format's records after the vCPUs' (docs/migration.md): the
 * counter, the interrupt controller's model, the devices, memory. Each is a
 * record header, a u16 record version, then fixed fields in order. Decoding
 * reads every field through a reader that refuses what is short, then checks
 * its value; the output is written only once the whole record passed.
 */
#include <stdarg.h>
#include <string.h>

#include "lib/format.h"
#include "migrate/vmstate.h"
#include "migrate/wire.h"

/* ---- writing ---- */

struct wr {
	uint8_t *buf, *p, *end;
	bool full;
};

static bool room(struct wr *w, size_t n)
{
	if (w->full || (size_t)(w->end - w->p) < n) {
		w->full = true;
		return false;
	}
	return true;
}

static void w8(struct wr *w, uint8_t v)
{
	if (room(w, 1))
		*w->p++ = v;
}

static void w16(struct wr *w, uint16_t v)
{
	if (room(w, 2)) {
		wire_put16(w->p, v);
		w->p += 2;
	}
}

static void w32(struct wr *w, uint32_t v)
{
	if (room(w, 4)) {
		wire_put32(w->p, v);
		w->p += 4;
	}
}

static void w64(struct wr *w, uint64_t v)
{
	if (room(w, 8)) {
		wire_put64(w->p, v);
		w->p += 8;
	}
}

static void wbytes(struct wr *w, const void *src, size_t n)
{
	if (room(w, n)) {
		memcpy(w->p, src, n);
		w->p += n;
	}
}

/* A string in a field of @n bytes: its bytes, then zeroes (at least one). */
static void wstr(struct wr *w, const char *str, size_t n)
{
	size_t len = strnlen(str, n - 1);

	if (room(w, n)) {
		memcpy(w->p, str, len);
		memset(w->p + len, 0, n - len);
		w->p += n;
	}
}

/* Starts a record of @tag: its header is written by wr_end(), then its version. */
static struct wr wr_begin(uint8_t *buf, size_t size, uint16_t tag)
{
	struct wr w = { buf, buf, buf + size, size < VMSTATE_REC_HDR };

	if (!w.full) {
		wire_put16(buf, tag);
		wire_put16(buf + 2, 0);
		w.p = buf + VMSTATE_REC_HDR;
	}
	w16(&w, VMSTATE_RECORD_VERSION);
	return w;
}

static size_t wr_end(struct wr *w)
{
	if (w->full)
		return 0;
	wire_put32(w->buf + 4, (uint32_t)(w->p - w->buf - VMSTATE_REC_HDR));
	return (size_t)(w->p - w->buf);
}

/* ---- reading ---- */

struct rd {
	const uint8_t *p, *end;
	const char *rec; /* the record's name, for messages */
	char *err;
	size_t errlen;
	bool failed; /* the first refusal is kept */
};

static void refuse(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r->failed)
		return;
	r->failed = true;
	n = format_clamped(r->err, r->errlen, "%s record: ", r->rec);
	va_start(ap, fmt);
	format_v(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
}

static bool have(struct rd *r, size_t n, const char *field)
{
	if (r->failed || !r->p)
		return false;
	if ((size_t)(r->end - r->p) < n) {
		refuse(r, "%s: %zu bytes, %zu left (the record is cut short)", field, n,
		       (size_t)(r->end - r->p));
		return false;
	}
	return true;
}

static uint8_t r8(struct rd *r, const char *field)
{
	if (!have(r, 1, field))
		return 0;
	return *r->p++;
}

static uint16_t r16(struct rd *r, const char *field)
{
	uint16_t v;

	if (!have(r, 2, field))
		return 0;
	v = wire_get16(r->p);
	r->p += 2;
	return v;
}

static uint32_t r32(struct rd *r, const char *field)
{
	uint32_t v;

	if (!have(r, 4, field))
		return 0;
	v = wire_get32(r->p);
	r->p += 4;
	return v;
}

static uint64_t r64(struct rd *r, const char *field)
{
	uint64_t v;

	if (!have(r, 8, field))
		return 0;
	v = wire_get64(r->p);
	r->p += 8;
	return v;
}

static const uint8_t *rbytes(struct rd *r, size_t n, const char *field)
{
	const uint8_t *v = r->p;

	if (!have(r, n, field))
		return NULL;
	r->p += n;
	return v;
}

/* A flag: 0 or 1. */
static bool rflag(struct rd *r, const char *field)
{
	uint8_t v = r8(r, field);

	if (v > 1)
		refuse(r, "%s: %u (0 or 1)", field, v);
	return v == 1;
}

/*
 * The record header (tag, flags, length against what came) and the record's
 * version. False with the refusal in @err.
 */
static bool rd_begin(struct rd *r, const uint8_t *buf, size_t len, uint16_t tag, const char *rec,
		     char *err, size_t errlen)
{
	uint16_t version;

	*r = (struct rd){ buf + VMSTATE_REC_HDR, buf + len, rec, err, errlen, false };
	if (len < VMSTATE_REC_HDR + 2) {
		refuse(r, "%zu bytes, shorter than a record header and its version", len);
		return false;
	}
	if (wire_get16(buf) != tag) {
		refuse(r, "expected, a record of tag 0x%04x came", wire_get16(buf));
		return false;
	}
	if (wire_get16(buf + 2)) {
		refuse(r, "flags 0x%04x (none are defined)", wire_get16(buf + 2));
		return false;
	}
	if (wire_get32(buf + 4) != len - VMSTATE_REC_HDR) {
		refuse(r, "its header says %u payload bytes, %zu came", wire_get32(buf + 4),
		       len - VMSTATE_REC_HDR);
		return false;
	}
	version = wire_get16(buf + VMSTATE_REC_HDR);
	r->p += 2;
	if (version != VMSTATE_RECORD_VERSION) {
		refuse(r, "version %u; this host reads version %u", version,
		       VMSTATE_RECORD_VERSION);
		return false;
	}
	return true;
}

/* Every byte read, nothing refused: the record is whole. */
static int rd_end(struct rd *r)
{
	if (!r->failed && r->p != r->end)
		refuse(r, "%zu bytes after its last field", (size_t)(r->end - r->p));
	return r->failed ? -1 : 0;
}

uint16_t vmstate_record_tag(const uint8_t *buf)
{
	return wire_get16(buf);
}

size_t vmstate_record_len(const uint8_t *buf)
{
	return VMSTATE_REC_HDR + (size_t)wire_get32(buf + 4);
}

/* ---- the machine ---- */

#define RAM_GRANULE (2ULL << 20) /* a VM's RAM is a whole number of 2 MiB blocks */

size_t vmstate_machine_encode(uint8_t *buf, size_t size, const struct vmstate_machine *m)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_MACHINE);
	const struct cpu_profile *p = &m->profile;

	wstr(&w, m->name, CONFIG_NAME_MAX);
	w64(&w, m->ram_ipa);
	w64(&w, m->ram_size);
	w32(&w, m->nvcpus);
	w64(&w, m->counter_hz);
	w8(&w, m->counter_mode);
	w8(&w, m->backdoor);
	w8(&w, m->backdoor_el0_tdcc);
	w8(&w, m->acpi);
	w32(&w, p->version);
	wstr(&w, p->name, CPU_PROFILE_NAME_MAX);
	w32(&w, p->flags);
	w64(&w, p->midr);
	w64(&w, p->revidr);
	w64(&w, p->aidr);
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++)
		w64(&w, p->id[i]);
	for (unsigned int i = 0; i < CPU_CACHE_SELECTORS; i++)
		w32(&w, p->ccsidr[i]);
	return wr_end(&w);
}

/* @n bytes at @p: a C string and zeroes to the end (one encoding per name). */
static bool padded_string(const uint8_t *p, size_t n)
{
	const uint8_t *end = memchr(p, 0, n);

	if (!end)
		return false;
	for (const uint8_t *z = end; z < p + n; z++)
		if (*z)
			return false;
	return true;
}

/* ... and not empty, printable (it is shown to people). */
static bool printable_string(const uint8_t *p, size_t n)
{
	if (!padded_string(p, n) || !*p)
		return false;
	for (; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

int vmstate_machine_decode(const uint8_t *buf, size_t len, struct vmstate_machine *out, char *err,
			   size_t errlen)
{
	struct vmstate_machine m;
	struct cpu_profile *p = &m.profile;
	const uint8_t *name, *pname;
	struct rd r;

	memset(&m, 0, sizeof(m));
	if (!rd_begin(&r, buf, len, VMSTATE_T_MACHINE, "machine", err, errlen))
		return -1;
	name = rbytes(&r, CONFIG_NAME_MAX, "name");
	m.ram_ipa = r64(&r, "RAM address");
	m.ram_size = r64(&r, "RAM size");
	m.nvcpus = r32(&r, "vCPU count");
	m.counter_hz = r64(&r, "counter-frequency");
	m.counter_mode = r8(&r, "counter-mode");
	m.backdoor = rflag(&r, "backdoor");
	m.backdoor_el0_tdcc = rflag(&r, "backdoor-el0");
	m.acpi = rflag(&r, "acpi");
	p->version = r32(&r, "cpu-profile version");
	pname = rbytes(&r, CPU_PROFILE_NAME_MAX, "cpu-profile name");
	p->flags = r32(&r, "cpu-profile flags");
	p->midr = r64(&r, "cpu-profile MIDR");
	p->revidr = r64(&r, "cpu-profile REVIDR");
	p->aidr = r64(&r, "cpu-profile AIDR");
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++)
		p->id[i] = r64(&r, "cpu-profile ID register");
	for (unsigned int i = 0; i < CPU_CACHE_SELECTORS; i++)
		p->ccsidr[i] = r32(&r, "cpu-profile CCSIDR_EL1");
	if (rd_end(&r))
		return -1;
	if (!printable_string(name, CONFIG_NAME_MAX))
		refuse(&r, "name: not a printable string padded with zeroes to its %u bytes",
		       CONFIG_NAME_MAX);
	else if (m.ram_size == 0 || m.ram_size % RAM_GRANULE || m.ram_ipa % RAM_GRANULE ||
		 m.ram_ipa + m.ram_size < m.ram_ipa)
		refuse(&r, "RAM: 0x%lx bytes at 0x%lx (whole 2 MiB blocks)",
		       (unsigned long)m.ram_size, (unsigned long)m.ram_ipa);
	else if (m.nvcpus < 1 || m.nvcpus > VM_MAX_VCPUS)
		refuse(&r, "vCPU count %u (1 to %u)", m.nvcpus, VM_MAX_VCPUS);
	else if (m.counter_hz > UINT32_MAX)
		refuse(&r, "counter-frequency %lu Hz (CNTFRQ_EL0 holds 32 bits)",
		       (unsigned long)m.counter_hz);
	else if (m.counter_mode > COUNTER_MODE_MMIO)
		refuse(&r, "counter-mode %u (0 auto, 1 sysreg, 2 mmio)", m.counter_mode);
	else if (!padded_string(pname, CPU_PROFILE_NAME_MAX))
		refuse(&r, "cpu-profile name: not a string padded with zeroes to its %u bytes",
		       CPU_PROFILE_NAME_MAX);
	if (r.failed)
		return -1;
	memcpy(m.name, name, strlen((const char *)name));
	memcpy(p->name, pname, strlen((const char *)pname));
	*out = m;
	return 0;
}

/* ---- an enclave's identity ---- */

size_t vmstate_enclave_encode(uint8_t *buf, size_t size, const struct vmstate_enclave *e)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_ENCLAVE);

	wbytes(&w, e->measurement, sizeof(e->measurement));
	wbytes(&w, e->owner, sizeof(e->owner));
	wbytes(&w, e->instance, sizeof(e->instance));
	w64(&w, e->generation);
	return wr_end(&w);
}

int vmstate_enclave_decode(const uint8_t *buf, size_t len, struct vmstate_enclave *out, char *err,
			   size_t errlen)
{
	struct vmstate_enclave e;
	const uint8_t *m, *o, *i;
	struct rd r;

	if (!rd_begin(&r, buf, len, VMSTATE_T_ENCLAVE, "enclave", err, errlen))
		return -1;
	m = rbytes(&r, sizeof(e.measurement), "measurement");
	o = rbytes(&r, sizeof(e.owner), "policy owner");
	i = rbytes(&r, sizeof(e.instance), "instance");
	e.generation = r64(&r, "generation");
	if (rd_end(&r))
		return -1;
	if (!e.generation) {
		refuse(&r, "generation 0 (a move's is 1 or more)");
		return -1;
	}
	memcpy(e.measurement, m, sizeof(e.measurement));
	memcpy(e.owner, o, sizeof(e.owner));
	memcpy(e.instance, i, sizeof(e.instance));
	*out = e;
	return 0;
}

/* ---- the counter ---- */

#define CNTACR_BITS 0x3fU
#define TIMER_CTL   3U /* ENABLE, IMASK */

size_t vmstate_counter_encode(uint8_t *buf, size_t size, const struct vmstate_counter *c)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_COUNTER);

	w64(&w, c->hz);
	w64(&w, c->count);
	w64(&w, c->vcount);
	w8(&w, c->mmio);
	w8(&w, c->cntacr);
	w8(&w, c->ctl);
	w64(&w, c->cval);
	return wr_end(&w);
}

int vmstate_counter_decode(const uint8_t *buf, size_t len, struct vmstate_counter *out, char *err,
			   size_t errlen)
{
	struct vmstate_counter c;
	struct rd r;

	memset(&c, 0, sizeof(c));
	if (!rd_begin(&r, buf, len, VMSTATE_T_COUNTER, "counter", err, errlen))
		return -1;
	c.hz = r64(&r, "frequency");
	c.count = r64(&r, "physical count");
	c.vcount = r64(&r, "virtual count");
	c.mmio = rflag(&r, "memory-mapped timer");
	c.cntacr = r8(&r, "CNTACR0");
	c.ctl = r8(&r, "CNTP_CTL");
	c.cval = r64(&r, "CNTP_CVAL");
	if (rd_end(&r))
		return -1;
	if (!c.hz || c.hz > UINT32_MAX)
		refuse(&r, "frequency: %lu Hz (CNTFRQ_EL0 holds 1 to 2^32-1)", (unsigned long)c.hz);
	else if (c.cntacr & ~CNTACR_BITS)
		refuse(&r, "CNTACR0: 0x%x (bits 5:0 only)", c.cntacr);
	else if (c.ctl & ~TIMER_CTL)
		refuse(&r, "CNTP_CTL: 0x%x (ENABLE and IMASK only)", c.ctl);
	else if (!c.mmio && (c.cntacr || c.ctl || c.cval))
		refuse(&r,
		       "memory-mapped timer state (CNTACR0 0x%x, CNTP_CTL 0x%x, CNTP_CVAL "
		       "0x%lx) in a VM without one",
		       c.cntacr, c.ctl, (unsigned long)c.cval);
	if (r.failed)
		return -1;
	*out = c;
	return 0;
}

/* ---- the interrupt controller ---- */

#define IRQ_ENABLED (1U << 0)
#define IRQ_PENDING (1U << 1)
#define IRQ_ACTIVE  (1U << 2)
#define IRQ_GROUP1  (1U << 3)
#define IRQ_EDGE    (1U << 4)
#define IRQ_LEVEL   (1U << 5)
#define IRQ_FLAGS   0x3fU

#define PRIORITY_LOW_BITS 7U /* 5 bits of priority: the low three are 0 */
#define CPUIF_FLAGS                                                                 \
	(VGIC_CPUIF_ENG0 | VGIC_CPUIF_ENG1 | VGIC_CPUIF_ACKCTL | VGIC_CPUIF_FIQEN | \
	 VGIC_CPUIF_CBPR | VGIC_CPUIF_EOIMODE)

static void put_irq(struct wr *w, const struct vgic_irq_state *s, bool spi)
{
	w8(w, (uint8_t)((s->enabled ? IRQ_ENABLED : 0) | (s->pending ? IRQ_PENDING : 0) |
			(s->active ? IRQ_ACTIVE : 0) | (s->group1 ? IRQ_GROUP1 : 0) |
			(s->edge ? IRQ_EDGE : 0) | (s->level ? IRQ_LEVEL : 0)));
	w8(w, s->priority);
	w8(w, s->sources);
	if (spi)
		w64(w, s->route);
}

/* INTID @intid's entry, read and checked against what the GIC of @version allows. */
static void get_irq(struct rd *r, unsigned int intid, unsigned int version,
		    struct vgic_irq_state *s)
{
	uint8_t flags = r8(r, "interrupt flags");
	bool v2_sgi = version == 2 && GIC_IS_SGI(intid);

	memset(s, 0, sizeof(*s));
	s->priority = r8(r, "priority");
	s->sources = r8(r, "SGI sources");
	s->route = GIC_IS_PRIVATE(intid) ? 0 : r64(r, "route");
	s->enabled = flags & IRQ_ENABLED;
	s->pending = flags & IRQ_PENDING;
	s->active = flags & IRQ_ACTIVE;
	s->group1 = flags & IRQ_GROUP1;
	s->edge = flags & IRQ_EDGE;
	s->level = flags & IRQ_LEVEL;
	if (r->failed)
		return;
	if (flags & ~IRQ_FLAGS)
		refuse(r, "INTID %u: flags 0x%02x (bits 5:0 only)", intid, flags);
	else if (s->priority & PRIORITY_LOW_BITS)
		refuse(r, "INTID %u: priority 0x%02x (5 bits: a multiple of 8)", intid,
		       s->priority);
	else if (GIC_IS_SGI(intid) && !s->edge)
		refuse(r, "INTID %u: level-sensitive, but an SGI is edge-triggered", intid);
	else if (!v2_sgi && s->sources)
		refuse(r, "INTID %u: SGI sources 0x%02x (only a GICv2 SGI has them)", intid,
		       s->sources);
	else if (v2_sgi && s->pending != (s->sources != 0))
		refuse(r,
		       "INTID %u: pending %u with sources 0x%02x (a GICv2 SGI is pending "
		       "exactly while some vCPU sent it)",
		       intid, s->pending, s->sources);
	else if (version == 3 && (s->route & ~VGIC_IROUTER_BITS))
		refuse(r, "INTID %u: route 0x%lx (GICD_IROUTER has Aff3, IRM, Aff2-Aff0)", intid,
		       (unsigned long)s->route);
	else if (version == 2 && s->route > 0xff)
		refuse(r, "INTID %u: route 0x%lx (GICD_ITARGETSR is one byte)", intid,
		       (unsigned long)s->route);
}

size_t vmstate_gic_encode(uint8_t *buf, size_t size, const struct vgic_dist_state *d)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_GIC);

	w8(&w, d->version);
	w8(&w, d->enables);
	w16(&w, VGIC_NR_SPIS);
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		put_irq(&w, &d->spi[i], true);
	return wr_end(&w);
}

int vmstate_gic_decode(const uint8_t *buf, size_t len, struct vgic_dist_state *out, char *err,
		       size_t errlen)
{
	struct vgic_dist_state d;
	uint16_t nspis;
	struct rd r;

	memset(&d, 0, sizeof(d));
	if (!rd_begin(&r, buf, len, VMSTATE_T_GIC, "interrupt controller", err, errlen))
		return -1;
	d.version = r8(&r, "GIC version");
	d.enables = r8(&r, "group enables");
	nspis = r16(&r, "SPI count");
	if (r.failed)
		return -1;
	if (d.version != 2 && d.version != 3)
		refuse(&r, "GIC version %u (2 or 3)", d.version);
	else if (d.enables & ~3U)
		refuse(&r, "group enables 0x%x (bits 1:0 only)", d.enables);
	else if (nspis != VGIC_NR_SPIS)
		refuse(&r, "SPI count %u; a VM on this host has %u", nspis, VGIC_NR_SPIS);
	for (unsigned int i = 0; i < VGIC_NR_SPIS && !r.failed; i++)
		get_irq(&r, GIC_NR_PRIVATE + i, d.version, &d.spi[i]);
	if (rd_end(&r))
		return -1;
	*out = d;
	return 0;
}

size_t vmstate_gic_cpu_encode(uint8_t *buf, size_t size, uint32_t index,
			      const struct vgic_cpu_state *c)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_GIC_CPU);

	w32(&w, index);
	for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
		put_irq(&w, &c->priv[i], false);
	w8(&w, c->pmr);
	w8(&w, c->bpr0);
	w8(&w, c->bpr1);
	w8(&w, c->flags);
	w32(&w, c->apr0);
	w32(&w, c->apr1);
	w8(&w, c->sleeping);
	return wr_end(&w);
}

int vmstate_gic_cpu_decode(const uint8_t *buf, size_t len, unsigned int version, uint32_t *index,
			   struct vgic_cpu_state *out, char *err, size_t errlen)
{
	struct vgic_cpu_state c;
	uint32_t idx;
	struct rd r;

	memset(&c, 0, sizeof(c));
	if (!rd_begin(&r, buf, len, VMSTATE_T_GIC_CPU, "CPU interface", err, errlen))
		return -1;
	idx = r32(&r, "vCPU index");
	for (unsigned int i = 0; i < GIC_NR_PRIVATE && !r.failed; i++)
		get_irq(&r, i, version, &c.priv[i]);
	c.pmr = r8(&r, "priority mask");
	c.bpr0 = r8(&r, "BPR0");
	c.bpr1 = r8(&r, "BPR1");
	c.flags = r8(&r, "flags");
	c.apr0 = r32(&r, "active priorities 0");
	c.apr1 = r32(&r, "active priorities 1");
	c.sleeping = rflag(&r, "ProcessorSleep");
	if (rd_end(&r))
		return -1;
	if (idx >= VM_MAX_VCPUS)
		refuse(&r, "vCPU index %u (a VM has at most %u)", idx, VM_MAX_VCPUS);
	else if (c.pmr & PRIORITY_LOW_BITS)
		refuse(&r, "vCPU %u: priority mask 0x%02x (5 bits: a multiple of 8)", idx, c.pmr);
	else if (c.bpr0 > 7 || c.bpr1 > 7)
		refuse(&r, "vCPU %u: binary points %u and %u (3 bits each)", idx, c.bpr0, c.bpr1);
	else if (c.flags & ~CPUIF_FLAGS)
		refuse(&r, "vCPU %u: flags 0x%02x (bits 5:0 only)", idx, c.flags);
	else if (version == 3 && (c.flags & (VGIC_CPUIF_ACKCTL | VGIC_CPUIF_FIQEN)))
		refuse(&r, "vCPU %u: flags 0x%02x: AckCtl and FIQEn are GICv2's", idx, c.flags);
	else if (version == 2 && c.apr1)
		refuse(&r,
		       "vCPU %u: active priorities 1 0x%08x (GICv2 has one register, the "
		       "first)",
		       idx, c.apr1);
	if (r.failed)
		return -1;
	*index = idx;
	*out = c;
	return 0;
}

/* ---- devices ---- */

#define PL011_IMSC_BITS 0x7ffU

size_t vmstate_pl011_encode(uint8_t *buf, size_t size, const struct vmstate_pl011 *u)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_PL011);

	w16(&w, u->imsc);
	w8(&w, u->rx_count);
	wbytes(&w, u->rx, u->rx_count <= VPL011_RX_FIFO ? u->rx_count : 0);
	return wr_end(&w);
}

int vmstate_pl011_decode(const uint8_t *buf, size_t len, struct vmstate_pl011 *out, char *err,
			 size_t errlen)
{
	struct vmstate_pl011 u;
	const uint8_t *rx = NULL;
	struct rd r;

	memset(&u, 0, sizeof(u));
	if (!rd_begin(&r, buf, len, VMSTATE_T_PL011, "PL011", err, errlen))
		return -1;
	u.imsc = r16(&r, "UARTIMSC");
	u.rx_count = r8(&r, "receive FIFO count");
	if (!r.failed && u.imsc & ~PL011_IMSC_BITS)
		refuse(&r, "UARTIMSC: 0x%x (bits 10:0 only)", u.imsc);
	else if (!r.failed && u.rx_count > VPL011_RX_FIFO)
		refuse(&r, "receive FIFO count: %u (the FIFO holds %u)", u.rx_count,
		       VPL011_RX_FIFO);
	else
		rx = rbytes(&r, u.rx_count, "receive FIFO");
	if (rd_end(&r))
		return -1;
	if (rx)
		memcpy(u.rx, rx, u.rx_count);
	*out = u;
	return 0;
}

size_t vmstate_pl031_encode(uint8_t *buf, size_t size, const struct vmstate_pl031 *c)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_PL031);

	w64(&w, (uint64_t)c->offset);
	w32(&w, c->lr);
	w32(&w, c->mr);
	w32(&w, c->seen);
	w8(&w, c->imsc);
	w8(&w, c->ris);
	return wr_end(&w);
}

int vmstate_pl031_decode(const uint8_t *buf, size_t len, struct vmstate_pl031 *out, char *err,
			 size_t errlen)
{
	struct vmstate_pl031 c;
	struct rd r;

	memset(&c, 0, sizeof(c));
	if (!rd_begin(&r, buf, len, VMSTATE_T_PL031, "PL031", err, errlen))
		return -1;
	c.offset = (int64_t)r64(&r, "offset");
	c.lr = r32(&r, "RTCLR");
	c.mr = r32(&r, "RTCMR");
	c.seen = r32(&r, "match checked to");
	c.imsc = r8(&r, "RTCIMSC");
	c.ris = r8(&r, "RTCRIS");
	if (!r.failed && (c.imsc > 1 || c.ris > 1))
		refuse(&r, "RTCIMSC 0x%x, RTCRIS 0x%x (bit 0 only)", c.imsc, c.ris);
	if (rd_end(&r))
		return -1;
	*out = c;
	return 0;
}

size_t vmstate_dcc_encode(uint8_t *buf, size_t size, const struct vmstate_dcc *d)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_DCC);

	w32(&w, d->dtrtx);
	w16(&w, d->rx_count);
	wbytes(&w, d->rx, d->rx_count <= VDCC_RX_RING ? d->rx_count : 0);
	return wr_end(&w);
}

int vmstate_dcc_decode(const uint8_t *buf, size_t len, struct vmstate_dcc *out, char *err,
		       size_t errlen)
{
	struct vmstate_dcc d;
	const uint8_t *rx = NULL;
	struct rd r;

	if (!rd_begin(&r, buf, len, VMSTATE_T_DCC, "DCC", err, errlen))
		return -1;
	memset(&d, 0, sizeof(d));
	d.dtrtx = r32(&r, "DTRTX");
	d.rx_count = r16(&r, "input count");
	if (!r.failed && d.rx_count > VDCC_RX_RING)
		refuse(&r, "input count: %u (the ring holds %u)", d.rx_count, VDCC_RX_RING);
	else
		rx = rbytes(&r, d.rx_count, "input");
	if (rd_end(&r))
		return -1;
	if (rx)
		memcpy(d.rx, rx, d.rx_count);
	*out = d;
	return 0;
}

/* ---- the backdoor ---- */

size_t vmstate_backdoor_encode(uint8_t *buf, size_t size, const struct vmstate_backdoor *b)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_BACKDOOR);

	w8(&w, b->tclo_listening);
	w8(&w, MSG_MAX_CHANNELS);
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++) {
		const struct msg_channel *c = &b->channels[i];

		w8(&w, c->open);
		if (!c->open)
			continue;
		w32(&w, c->proto);
		w32(&w, c->cookie_high);
		w32(&w, c->cookie_low);
		w32(&w, c->in_size);
		w32(&w, c->in_len);
		wbytes(&w, c->in, c->in_len <= MSG_MAX_SIZE ? c->in_len : 0);
		w32(&w, c->out_size);
		w32(&w, c->out_pos);
		w8(&w, c->out_ready);
		wbytes(&w, c->out, c->out_size <= MSG_MAX_SIZE ? c->out_size : 0);
	}
	return wr_end(&w);
}

/* Channel @i, open: its fields, each checked as message.c keeps them. */
static void get_channel(struct rd *r, unsigned int i, struct msg_channel *c)
{
	const uint8_t *in = NULL, *out = NULL;

	c->proto = r32(r, "channel protocol");
	c->cookie_high = r32(r, "channel cookie");
	c->cookie_low = r32(r, "channel cookie");
	c->in_size = r32(r, "channel message size");
	c->in_len = r32(r, "channel message bytes");
	if (r->failed)
		return;
	if (c->proto != MSG_PROTO_RPCI && c->proto != MSG_PROTO_TCLO) {
		refuse(r, "channel %u: protocol 0x%08x (RPCI 0x%08x or TCLO 0x%08x)", i, c->proto,
		       MSG_PROTO_RPCI, MSG_PROTO_TCLO);
		return;
	}
	if (c->in_size > MSG_MAX_SIZE || c->in_len > c->in_size) {
		refuse(r, "channel %u: %u bytes of a %u-byte message (at most %u)", i, c->in_len,
		       c->in_size, MSG_MAX_SIZE);
		return;
	}
	in = rbytes(r, c->in_len, "channel message");
	c->out_size = r32(r, "channel reply size");
	c->out_pos = r32(r, "channel reply bytes taken");
	c->out_ready = rflag(r, "channel reply ready");
	if (r->failed)
		return;
	if (c->out_size > MSG_MAX_SIZE || c->out_pos > c->out_size) {
		refuse(r, "channel %u: %u bytes of a %u-byte reply taken (at most %u)", i,
		       c->out_pos, c->out_size, MSG_MAX_SIZE);
		return;
	}
	out = rbytes(r, c->out_size, "channel reply");
	if (r->failed)
		return;
	c->open = true;
	if (in)
		memcpy(c->in, in, c->in_len);
	if (out)
		memcpy(c->out, out, c->out_size);
}

int vmstate_backdoor_decode(const uint8_t *buf, size_t len, struct vmstate_backdoor *out, char *err,
			    size_t errlen)
{
	/* 64 KiB, not for the stack: one decoder at a time (the migration's receiver). */
	static struct vmstate_backdoor b;
	uint8_t n;
	struct rd r;

	if (!rd_begin(&r, buf, len, VMSTATE_T_BACKDOOR, "backdoor", err, errlen))
		return -1;
	memset(&b, 0, sizeof(b));
	b.tclo_listening = rflag(&r, "TCLO listening");
	n = r8(&r, "channel count");
	if (!r.failed && n != MSG_MAX_CHANNELS)
		refuse(&r, "channel count %u; this host has %u", n, MSG_MAX_CHANNELS);
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS && !r.failed; i++)
		if (rflag(&r, "channel open"))
			get_channel(&r, i, &b.channels[i]);
	if (rd_end(&r))
		return -1;
	memcpy(out, &b, sizeof(b));
	return 0;
}

size_t vmstate_guestinfo_encode(uint8_t *buf, size_t size, const struct vmstate_guestinfo *g)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_GUESTINFO);
	unsigned int count = g->info.count <= GUESTINFO_MAX ? g->info.count : 0;

	w32(&w, g->tools_version);
	w8(&w, (uint8_t)count);
	for (unsigned int i = 0; i < count; i++) {
		size_t k = strnlen(g->info.entries[i].key, GUESTINFO_KEY_MAX - 1);
		size_t v = strnlen(g->info.entries[i].value, GUESTINFO_VALUE_MAX - 1);

		w8(&w, (uint8_t)k);
		wbytes(&w, g->info.entries[i].key, k);
		w16(&w, (uint16_t)v);
		wbytes(&w, g->info.entries[i].value, v);
	}
	return wr_end(&w);
}

/* @n bytes at @p hold no NUL (they become a C string). */
static bool no_nul(const uint8_t *p, size_t n)
{
	return !p || !memchr(p, 0, n);
}

int vmstate_guestinfo_decode(const uint8_t *buf, size_t len, struct vmstate_guestinfo *out,
			     char *err, size_t errlen)
{
	static struct vmstate_guestinfo g; /* 5 KiB: as the backdoor's */
	struct rd r;

	if (!rd_begin(&r, buf, len, VMSTATE_T_GUESTINFO, "guestinfo", err, errlen))
		return -1;
	memset(&g, 0, sizeof(g));
	g.tools_version = r32(&r, "tools version");
	g.info.count = r8(&r, "key count");
	if (!r.failed && g.info.count > GUESTINFO_MAX)
		refuse(&r, "key count %u (at most %u)", g.info.count, GUESTINFO_MAX);
	for (unsigned int i = 0; i < g.info.count && !r.failed; i++) {
		char *key = g.info.entries[i].key, *value = g.info.entries[i].value;
		uint8_t k = r8(&r, "key length");
		const uint8_t *kp;
		uint16_t v;
		const uint8_t *vp;

		if (!r.failed && (!k || k >= GUESTINFO_KEY_MAX)) {
			refuse(&r, "key %u: %u bytes (1 to %u)", i, k, GUESTINFO_KEY_MAX - 1);
			break;
		}
		kp = rbytes(&r, k, "key");
		v = r16(&r, "value length");
		if (!r.failed && v >= GUESTINFO_VALUE_MAX) {
			refuse(&r, "key %u: a value of %u bytes (at most %u)", i, v,
			       GUESTINFO_VALUE_MAX - 1);
			break;
		}
		vp = rbytes(&r, v, "value");
		if (r.failed)
			break;
		if (!no_nul(kp, k) || !no_nul(vp, v)) {
			refuse(&r, "key %u: a NUL byte in its key or value", i);
			break;
		}
		if (kp)
			memcpy(key, kp, k);
		if (vp)
			memcpy(value, vp, v);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(g.info.entries[j].key, key))
				refuse(&r, "key %u: \"%.*s\" twice", i, (int)k, key);
	}
	if (rd_end(&r))
		return -1;
	memcpy(out, &g, sizeof(g));
	return 0;
}

/* ---- memory ---- */

static bool all_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;

	for (unsigned int i = 0; i < VMSTATE_PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

size_t vmstate_pages_encode(uint8_t *buf, size_t size, uint64_t ipa, unsigned int count,
			    const uint8_t *mem)
{
	struct wr w = wr_begin(buf, size, VMSTATE_T_PAGES);
	uint32_t map = 0;

	if (!count || count > VMSTATE_PAGES_MAX)
		return 0;
	for (unsigned int i = 0; i < count; i++)
		if (!all_zero(mem + (size_t)i * VMSTATE_PAGE_SIZE))
			map |= 1U << i;
	w64(&w, ipa);
	w16(&w, (uint16_t)count);
	w32(&w, map);
	for (unsigned int i = 0; i < count; i++)
		if (map & (1U << i))
			wbytes(&w, mem + (size_t)i * VMSTATE_PAGE_SIZE, VMSTATE_PAGE_SIZE);
	return wr_end(&w);
}

int vmstate_pages_decode(const uint8_t *buf, size_t len, uint64_t ram_ipa, uint64_t ram_size,
			 struct vmstate_pages *out, char *err, size_t errlen)
{
	struct vmstate_pages pg;
	uint16_t count;
	uint32_t map;
	struct rd r;

	memset(&pg, 0, sizeof(pg));
	if (!rd_begin(&r, buf, len, VMSTATE_T_PAGES, "memory", err, errlen))
		return -1;
	pg.ipa = r64(&r, "address");
	count = r16(&r, "page count");
	map = r32(&r, "map of data pages");
	if (r.failed)
		return -1;
	if (pg.ipa % VMSTATE_PAGE_SIZE)
		refuse(&r, "address 0x%lx is not page-aligned", (unsigned long)pg.ipa);
	else if (!count || count > VMSTATE_PAGES_MAX)
		refuse(&r, "page count %u (1 to %u)", count, VMSTATE_PAGES_MAX);
	else if (count < 32 && map >> count)
		refuse(&r, "map of data pages 0x%08x: bits past the %u pages", map, count);
	else if (pg.ipa < ram_ipa || pg.ipa - ram_ipa > ram_size ||
		 (uint64_t)count * VMSTATE_PAGE_SIZE > ram_size - (pg.ipa - ram_ipa))
		refuse(&r, "%u pages at 0x%lx: outside the VM's RAM [0x%lx, 0x%lx)", count,
		       (unsigned long)pg.ipa, (unsigned long)ram_ipa,
		       (unsigned long)(ram_ipa + ram_size));
	for (unsigned int i = 0; i < count && !r.failed; i++)
		if (map & (1U << i))
			pg.data[i] = rbytes(&r, VMSTATE_PAGE_SIZE, "page");
	if (rd_end(&r))
		return -1;
	pg.count = count;
	*out = pg;
	return 0;
}
