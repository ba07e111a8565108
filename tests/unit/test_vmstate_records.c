// SPDX-License-Identifier: MIT
/*
 * The VM state format's records after the vCPUs' (migrate/vmstate_records.c):
 * each record's bytes against docs/migration.md (offsets worked out here by
 * hand), round trips of states with a value of their own in every field,
 * refusals naming the field and its value with the output left untouched, and
 * every record cut short at every length refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "migrate/vmstate.h"
#include "migrate/wire.h"

static uint8_t buf[VMSTATE_RECORD_MAX];
static char err[256];

/* Every length short of @len is refused with a reason, and so is a byte more. */
typedef int (*decode_fn)(const uint8_t *b, size_t len, void *out);

static void every_cut_refused(size_t len, decode_fn decode, void *out, size_t outlen)
{
	static uint8_t before[sizeof(struct vmstate_backdoor)];

	memcpy(before, out, outlen);
	for (size_t n = 0; n < len; n++) {
		err[0] = 0;
		if (decode(buf, n, out) == 0)
			fail_msg("a record cut to %zu of %zu bytes accepted", n, len);
		assert_true(err[0]);
		assert_memory_equal(out, before, outlen);
	}
}

/* A record whose byte @at is set to @v is refused with a message holding @want. */
static void refused_with(size_t len, size_t at, uint8_t v, decode_fn decode, void *out,
			 size_t outlen, const char *want)
{
	static uint8_t before[sizeof(struct vmstate_backdoor)];
	uint8_t old = buf[at];

	memcpy(before, out, outlen);
	buf[at] = v;
	err[0] = 0;
	assert_int_equal(decode(buf, len, out), -1);
	if (!strstr(err, want))
		fail_msg("refusal \"%s\" does not say \"%s\"", err, want);
	assert_memory_equal(out, before, outlen);
	buf[at] = old;
}

/* ---- the machine ---- */

static int machine_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_machine_decode(b, len, out, err, sizeof(err));
}

static void test_machine(void **state)
{
	static struct vmstate_machine m, back;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	strcpy(m.name, "guest-1");
	m.ram_ipa = 0x40000000;
	m.ram_size = 64ULL << 20;
	m.nvcpus = 2;
	m.counter_hz = 62500000;
	m.counter_mode = 1;
	m.backdoor = true;
	m.acpi = false;
	m.backdoor_el0_tdcc = true;
	m.profile.version = 1;
	strcpy(m.profile.name, "armv8.0");
	m.profile.midr = 0x000f0800;
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++)
		m.profile.id[i] = 0x1111000000000000ULL + i;
	for (unsigned int i = 0; i < CPU_CACHE_SELECTORS; i++)
		m.profile.ccsidr[i] = 0x70000000U + i;
	len = vmstate_machine_encode(buf, sizeof(buf), &m);
	assert_int_equal(wire_get16(buf), 0x0002);
	assert_int_equal(wire_get16(buf + 8), 1); /* the record's version */
	assert_memory_equal(buf + 10, "guest-1\0", 8);
	assert_int_equal(wire_get64(buf + 42), 0x40000000);
	assert_int_equal(wire_get64(buf + 50), 64ULL << 20);
	assert_int_equal(wire_get32(buf + 58), 2);
	assert_int_equal(wire_get64(buf + 62), 62500000);
	assert_int_equal(len, 10 + 32 + 8 + 8 + 4 + 8 + 4 + 4 + 32 + 4 + 24 + 8 * CPU_ID_REG_COUNT +
				      4 * CPU_CACHE_SELECTORS);
	memset(&back, 0, sizeof(back));
	assert_int_equal(vmstate_machine_decode(buf, len, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 10, 0, machine_dec, &back, sizeof(back), "name: not a printable");
	refused_with(len, 41, 1, machine_dec, &back, sizeof(back), "padded with zeroes");
	refused_with(len, 61, 9, machine_dec, &back, sizeof(back), "vCPU count 9");
	refused_with(len, 57, 1, machine_dec, &back, sizeof(back), "RAM: 0x4000001 bytes");
	refused_with(len, 70, 3, machine_dec, &back, sizeof(back), "counter-mode 3");
	refused_with(len, 71, 2, machine_dec, &back, sizeof(back), "backdoor: 2 (0 or 1)");
	refused_with(len, 9, 2, machine_dec, &back, sizeof(back),
		     "version 2; this host reads version 1");
	every_cut_refused(len, machine_dec, &back, sizeof(back));
}

/* ---- the counter ---- */

static int counter_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_counter_decode(b, len, out, err, sizeof(err));
}

static void test_counter(void **state)
{
	static struct vmstate_counter c = { 62500000, 0x123456789a, 0x123456789b, true, 0x3f,
					    3,	      0x99 };
	struct vmstate_counter back;
	size_t len;

	(void)state;
	len = vmstate_counter_encode(buf, sizeof(buf), &c);
	/* tag, flags, length; version; Hz, count, virtual count; mmio, CNTACR, CTL, CVAL. */
	assert_int_equal(len, 8 + 2 + 24 + 3 + 8);
	assert_int_equal(wire_get16(buf), 0x0020);
	assert_int_equal(wire_get32(buf + 4), len - 8);
	assert_int_equal(wire_get64(buf + 10), 62500000);
	assert_int_equal(wire_get64(buf + 18), 0x123456789a);
	assert_int_equal(wire_get64(buf + 26), 0x123456789b);
	assert_int_equal(buf[34], 1);
	assert_int_equal(buf[35], 0x3f);
	assert_int_equal(buf[36], 3);
	assert_int_equal(wire_get64(buf + 37), 0x99);
	assert_int_equal(vmstate_counter_decode(buf, len, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 35, 0x40, counter_dec, &back, sizeof(back), "CNTACR0: 0x40");
	refused_with(len, 36, 4, counter_dec, &back, sizeof(back), "CNTP_CTL: 0x4");
	refused_with(len, 34, 2, counter_dec, &back, sizeof(back), "memory-mapped timer: 2");
	refused_with(len, 13, 1, counter_dec, &back, sizeof(back), "frequency: 4357467296 Hz");
	/* A VM without the memory-mapped timer has none of its state. */
	buf[34] = 0;
	assert_int_equal(counter_dec(buf, len, &back), -1);
	assert_non_null(strstr(err, "in a VM without one"));
	buf[34] = 1;
	/* Zero Hz. */
	memset(buf + 10, 0, 8);
	assert_int_equal(counter_dec(buf, len, &back), -1);
	assert_non_null(strstr(err, "frequency: 0 Hz"));
	wire_put64(buf + 10, 62500000);
	every_cut_refused(len, counter_dec, &back, sizeof(back));
	/* Trailing bytes: the header's length says more than the fields. */
	wire_put32(buf + 4, (uint32_t)(len + 1 - 8));
	buf[len] = 0;
	assert_int_equal(counter_dec(buf, len + 1, &back), -1);
	assert_non_null(strstr(err, "1 bytes after its last field"));
}

/* ---- an enclave's identity ---- */

static int enclave_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_enclave_decode(b, len, out, err, sizeof(err));
}

static void test_enclave(void **state)
{
	struct vmstate_enclave e, back;
	size_t len;

	(void)state;
	for (unsigned int i = 0; i < sizeof(e.measurement); i++) {
		e.measurement[i] = (uint8_t)i;
		e.owner[i] = (uint8_t)(0x80 + i);
	}
	memset(e.instance, 0x3c, sizeof(e.instance));
	e.generation = 0x102;
	len = vmstate_enclave_encode(buf, sizeof(buf), &e);
	/* tag, flags, length; version; measurement, owner's identity, instance, generation. */
	assert_int_equal(len, 8 + 2 + 32 + 32 + 16 + 8);
	assert_int_equal(wire_get16(buf), 0x0003);
	assert_int_equal(wire_get32(buf + 4), len - 8);
	assert_memory_equal(buf + 10, e.measurement, 32);
	assert_memory_equal(buf + 42, e.owner, 32);
	assert_memory_equal(buf + 74, e.instance, 16);
	assert_int_equal(wire_get64(buf + 90), 0x102);
	assert_int_equal(enclave_dec(buf, len, &back), 0);
	assert_memory_equal(&back, &e, sizeof(e));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 9, 2, enclave_dec, &back, sizeof(back),
		     "version 2; this host reads version 1");
	/* Generation 0: no move has that. */
	wire_put64(buf + 90, 0);
	assert_int_equal(enclave_dec(buf, len, &back), -1);
	assert_non_null(strstr(err, "generation 0"));
	wire_put64(buf + 90, 0x102);
	every_cut_refused(len, enclave_dec, &back, sizeof(back));
	/* Another record's tag where this one was due. */
	wire_put16(buf, 0x0020);
	assert_int_equal(enclave_dec(buf, len, &back), -1);
	assert_non_null(strstr(err, "a record of tag 0x0020 came"));
}

/* ---- the interrupt controller ---- */

static unsigned int gic_version = 3;

static int gic_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_gic_decode(b, len, out, err, sizeof(err));
}

static int gic_cpu_dec(const uint8_t *b, size_t len, void *out)
{
	uint32_t index;

	return vmstate_gic_cpu_decode(b, len, gic_version, &index, out, err, sizeof(err));
}

static void fill_irq(struct vgic_irq_state *s, unsigned int intid, bool spi)
{
	memset(s, 0, sizeof(*s));
	s->enabled = intid % 2;
	s->pending = intid % 3 == 0;
	s->active = intid % 5 == 0;
	s->group1 = true;
	s->edge = intid < 16 || intid % 7 == 0;
	s->level = !s->edge && intid % 4 == 0;
	s->priority = (uint8_t)((intid * 8) & 0xf8);
	s->route = spi ? intid % 3 : 0;
}

static void test_gic_distributor(void **state)
{
	static struct vgic_dist_state d, back;
	size_t len;

	(void)state;
	d.version = 3;
	d.enables = 2;
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		fill_irq(&d.spi[i], 32 + i, true);
	d.spi[5].route = 0x80000000; /* IRM: any vCPU */
	len = vmstate_gic_encode(buf, sizeof(buf), &d);
	assert_int_equal(len, 8 + 2 + 4 + 11 * VGIC_NR_SPIS);
	assert_int_equal(wire_get16(buf), 0x0030);
	assert_int_equal(buf[10], 3);
	assert_int_equal(buf[11], 2);
	assert_int_equal(wire_get16(buf + 12), 64);
	/* INTID 33 (SPI 1): enabled, pending, group 1, level-sensitive, priority 0x08, route 0. */
	assert_int_equal(buf[14 + 11], 0x01 | 0x02 | 0x08);
	assert_int_equal(buf[14 + 11 + 1], 0x08);
	assert_int_equal(wire_get64(buf + 14 + 11 + 3), 0);
	/* INTID 34 (SPI 2): route 1. */
	assert_int_equal(wire_get64(buf + 14 + 22 + 3), 1);
	/* INTID 35 (SPI 3): enabled, edge (35 % 7 == 0), active (35 % 5). */
	assert_int_equal(buf[14 + 33], 0x01 | 0x04 | 0x08 | 0x10);
	memset(&back, 0, sizeof(back));
	assert_int_equal(vmstate_gic_decode(buf, len, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &d, sizeof(d));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 10, 4, gic_dec, &back, sizeof(back), "GIC version 4 (2 or 3)");
	refused_with(len, 11, 4, gic_dec, &back, sizeof(back), "group enables 0x4");
	refused_with(len, 13, 32, gic_dec, &back, sizeof(back), "SPI count 32");
	refused_with(len, 14, 0x40, gic_dec, &back, sizeof(back), "INTID 32: flags 0x40");
	refused_with(len, 15, 0x09, gic_dec, &back, sizeof(back), "INTID 32: priority 0x09");
	refused_with(len, 16, 1, gic_dec, &back, sizeof(back), "INTID 32: SGI sources 0x01");
	/* An IROUTER with a RES0 bit (bit 30). */
	refused_with(len, 14 + 3 + 4, 0x40, gic_dec, &back, sizeof(back),
		     "INTID 32: route 0x40000002");
	every_cut_refused(len, gic_dec, &back, sizeof(back));
	/* GICv2: a route is one byte of targets. */
	buf[10] = 2;
	refused_with(len, 14 + 3 + 6, 1, gic_dec, &back, sizeof(back),
		     "INTID 32: route 0x102 (GICD_ITARGETSR is one byte)");
}

static void test_gic_cpu_interface(void **state)
{
	static struct vgic_cpu_state c, back;
	uint32_t index = 0;
	size_t len;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
		fill_irq(&c.priv[i], i, false);
	c.priv[27].level = true; /* the virtual timer's line up */
	c.priv[27].edge = false;
	c.pmr = 0xf0;
	c.bpr0 = 2;
	c.bpr1 = 3;
	c.flags = VGIC_CPUIF_ENG1 | VGIC_CPUIF_EOIMODE;
	c.apr0 = 0;
	c.apr1 = 0x80000001;
	c.sleeping = false;
	gic_version = 3;
	len = vmstate_gic_cpu_encode(buf, sizeof(buf), 2, &c);
	assert_int_equal(len, 8 + 2 + 4 + 3 * GIC_NR_PRIVATE + 4 + 8 + 1);
	assert_int_equal(wire_get16(buf), 0x0031);
	assert_int_equal(wire_get32(buf + 10), 2);
	/* INTID 27: enabled, pending, group 1, its line up. */
	assert_int_equal(buf[14 + 3 * 27], 0x01 | 0x02 | 0x08 | 0x20);
	assert_int_equal(buf[14 + 96], 0xf0); /* PMR */
	assert_int_equal(wire_get32(buf + 14 + 96 + 8), 0x80000001);
	memset(&back, 0, sizeof(back));
	assert_int_equal(vmstate_gic_cpu_decode(buf, len, 3, &index, &back, err, sizeof(err)), 0);
	assert_int_equal(index, 2);
	assert_memory_equal(&back, &c, sizeof(c));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 14 + 3 * 1, 0x01, gic_cpu_dec, &back, sizeof(back),
		     "INTID 1: level-sensitive, but an SGI is edge-triggered");
	refused_with(len, 14 + 96, 0xf1, gic_cpu_dec, &back, sizeof(back), "priority mask 0xf1");
	refused_with(len, 14 + 97, 8, gic_cpu_dec, &back, sizeof(back), "binary points 8 and 3");
	refused_with(len, 14 + 99, VGIC_CPUIF_ACKCTL, gic_cpu_dec, &back, sizeof(back),
		     "AckCtl and FIQEn are GICv2's");
	refused_with(len, 13, 8, gic_cpu_dec, &back, sizeof(back), "vCPU index 8");
	refused_with(len, len - 1, 2, gic_cpu_dec, &back, sizeof(back), "ProcessorSleep: 2");
	every_cut_refused(len, gic_cpu_dec, &back, sizeof(back));
	/* GICv2: one active-priorities register; an SGI is pending while it has sources. */
	gic_version = 2;
	for (unsigned int i = 0; i < 16; i++)
		c.priv[i].sources = c.priv[i].pending ? 0x02 : 0;
	len = vmstate_gic_cpu_encode(buf, sizeof(buf), 2, &c);
	refused_with(len, 14 + 96, 0xf0, gic_cpu_dec, &back, sizeof(back),
		     "active priorities 1 0x80000001 (GICv2 has one register");
	c.apr1 = 0;
	len = vmstate_gic_cpu_encode(buf, sizeof(buf), 2, &c);
	assert_int_equal(vmstate_gic_cpu_decode(buf, len, 2, &index, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &c, sizeof(c));
	memset(&back, 0x5a, sizeof(back));
	/* INTID 3: pending (3 % 3 == 0) with no sources. */
	refused_with(len, 14 + 3 * 3 + 2, 0, gic_cpu_dec, &back, sizeof(back),
		     "INTID 3: pending 1 with sources 0x00");
	buf[14 + 3 * 3 + 2] = 0x04;
	assert_int_equal(vmstate_gic_cpu_decode(buf, len, 2, &index, &back, err, sizeof(err)), 0);
	assert_int_equal(back.priv[3].sources, 0x04);
	gic_version = 3;
}

/* ---- devices ---- */

static int pl011_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_pl011_decode(b, len, out, err, sizeof(err));
}

static int pl031_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_pl031_decode(b, len, out, err, sizeof(err));
}

static int dcc_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_dcc_decode(b, len, out, err, sizeof(err));
}

static void test_pl011_pl031_dcc(void **state)
{
	static struct vmstate_pl011 u = { 0x50, 3, "abc" }, ub;
	static struct vmstate_pl031 r = { -3600, 1700000000, 1700000060, 1700000001, 1, 0 }, rb;
	static struct vmstate_dcc d, db;
	size_t len;

	(void)state;
	len = vmstate_pl011_encode(buf, sizeof(buf), &u);
	assert_int_equal(len, 8 + 2 + 2 + 1 + 3);
	assert_int_equal(wire_get16(buf), 0x0040);
	assert_memory_equal(buf + 13, "abc", 3);
	memset(&ub, 0, sizeof(ub));
	assert_int_equal(pl011_dec(buf, len, &ub), 0);
	assert_memory_equal(&ub, &u, sizeof(u));
	memset(&ub, 0x5a, sizeof(ub));
	refused_with(len, 10, 0x08, pl011_dec, &ub, sizeof(ub), "UARTIMSC: 0x850");
	refused_with(len, 12, 33, pl011_dec, &ub, sizeof(ub), "receive FIFO count: 33");
	refused_with(len, 12, 4, pl011_dec, &ub, sizeof(ub), "receive FIFO: 4 bytes, 3 left");
	every_cut_refused(len, pl011_dec, &ub, sizeof(ub));

	len = vmstate_pl031_encode(buf, sizeof(buf), &r);
	assert_int_equal(len, 8 + 2 + 8 + 12 + 2);
	assert_int_equal(wire_get16(buf), 0x0041);
	assert_int_equal((int64_t)wire_get64(buf + 10), -3600);
	memset(&rb, 0, sizeof(rb));
	assert_int_equal(pl031_dec(buf, len, &rb), 0);
	assert_memory_equal(&rb, &r, sizeof(r));
	memset(&rb, 0x5a, sizeof(rb));
	refused_with(len, len - 1, 2, pl031_dec, &rb, sizeof(rb), "RTCRIS 0x2");
	every_cut_refused(len, pl031_dec, &rb, sizeof(rb));

	d.dtrtx = 0x41424344;
	d.rx_count = 256;
	for (unsigned int i = 0; i < 256; i++)
		d.rx[i] = (uint8_t)i;
	len = vmstate_dcc_encode(buf, sizeof(buf), &d);
	assert_int_equal(len, 8 + 2 + 4 + 2 + 256);
	assert_int_equal(wire_get16(buf), 0x0042);
	memset(&db, 0, sizeof(db));
	assert_int_equal(dcc_dec(buf, len, &db), 0);
	assert_memory_equal(&db, &d, sizeof(d));
	memset(&db, 0x5a, sizeof(db));
	refused_with(len, 14, 2, dcc_dec, &db, sizeof(db), "input count: 512");
	every_cut_refused(len, dcc_dec, &db, sizeof(db));
}

static int backdoor_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_backdoor_decode(b, len, out, err, sizeof(err));
}

static void test_backdoor_channels(void **state)
{
	static struct vmstate_backdoor b, back;
	struct msg_channel *c = &b.channels[2];
	size_t len, at;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.tclo_listening = true;
	/* Channel 2 half way through a message in, with a reply partly taken. */
	c->open = true;
	c->proto = MSG_PROTO_RPCI;
	c->cookie_high = 0x11223344;
	c->cookie_low = 0x55667788;
	c->in_size = 10;
	c->in_len = 4;
	memcpy(c->in, "info", 4);
	c->out_size = 6;
	c->out_pos = 2;
	c->out_ready = true;
	memcpy(c->out, "1 done", 6);
	len = vmstate_backdoor_encode(buf, sizeof(buf), &b);
	assert_int_equal(len, 8 + 2 + 2 + 4 + (5 * 4 + 4) + (2 * 4 + 1 + 6));
	assert_int_equal(wire_get16(buf), 0x0050);
	assert_int_equal(buf[10], 1);
	assert_int_equal(buf[11], 4);
	assert_int_equal(buf[12], 0); /* channel 0: closed, nothing more */
	assert_int_equal(buf[14], 1); /* channel 2 */
	assert_int_equal(wire_get32(buf + 15), MSG_PROTO_RPCI);
	memset(&back, 0, sizeof(back));
	assert_int_equal(backdoor_dec(buf, len, &back), 0);
	assert_memory_equal(&back, &b, sizeof(b));
	memset(&back, 0x5a, sizeof(back));
	at = 15;
	refused_with(len, at, 0x12, backdoor_dec, &back, sizeof(back),
		     "channel 2: protocol 0x12435052");
	refused_with(len, at + 12, 0xff, backdoor_dec, &back, sizeof(back),
		     "channel 2: 4 bytes of a 4278190090-byte message");
	refused_with(len, at + 19, 11, backdoor_dec, &back, sizeof(back),
		     "channel 2: 11 bytes of a 10-byte message");
	refused_with(len, at + 20 + 4 + 7, 7, backdoor_dec, &back, sizeof(back),
		     "channel 2: 7 bytes of a 6-byte reply taken");
	refused_with(len, 11, 5, backdoor_dec, &back, sizeof(back), "channel count 5");
	every_cut_refused(len, backdoor_dec, &back, sizeof(back));
}

static int guestinfo_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_guestinfo_decode(b, len, out, err, sizeof(err));
}

static void test_guestinfo(void **state)
{
	static struct vmstate_guestinfo g, back;
	size_t len;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.tools_version = 12345;
	g.info.count = 2;
	strcpy(g.info.entries[0].key, "role");
	strcpy(g.info.entries[0].value, "web");
	strcpy(g.info.entries[1].key, "ip");
	strcpy(g.info.entries[1].value, "");
	len = vmstate_guestinfo_encode(buf, sizeof(buf), &g);
	assert_int_equal(len, 8 + 2 + 4 + 1 + (1 + 4 + 2 + 3) + (1 + 2 + 2));
	assert_int_equal(wire_get16(buf), 0x0051);
	assert_int_equal(buf[15], 4);
	assert_memory_equal(buf + 16, "role", 4);
	memset(&back, 0, sizeof(back));
	assert_int_equal(guestinfo_dec(buf, len, &back), 0);
	assert_memory_equal(&back, &g, sizeof(g));
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 14, 17, guestinfo_dec, &back, sizeof(back), "key count 17");
	refused_with(len, 15, 0, guestinfo_dec, &back, sizeof(back), "key 0: 0 bytes");
	refused_with(len, 17, 0, guestinfo_dec, &back, sizeof(back), "key 0: a NUL byte");
	every_cut_refused(len, guestinfo_dec, &back, sizeof(back));
}

static void test_guestinfo_twice(void **state)
{
	static struct vmstate_guestinfo g, back;
	size_t len;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.info.count = 2;
	strcpy(g.info.entries[0].key, "k");
	strcpy(g.info.entries[1].key, "k");
	len = vmstate_guestinfo_encode(buf, sizeof(buf), &g);
	memset(&back, 0x5a, sizeof(back));
	assert_int_equal(guestinfo_dec(buf, len, &back), -1);
	assert_non_null(strstr(err, "key 1: \"k\" twice"));
}

/* ---- memory ---- */

static uint8_t pages[3 * VMSTATE_PAGE_SIZE];

static int pages_dec(const uint8_t *b, size_t len, void *out)
{
	return vmstate_pages_decode(b, len, 0x40000000, 16 << 20, out, err, sizeof(err));
}

static void test_pages_with_a_map_of_data_pages(void **state)
{
	struct vmstate_pages pg, back;
	size_t len;

	(void)state;
	memset(pages, 0, sizeof(pages));
	for (unsigned int i = 0; i < VMSTATE_PAGE_SIZE; i++)
		pages[i] = (uint8_t)(i * 7);
	pages[2 * VMSTATE_PAGE_SIZE + 4095] = 1; /* the last byte alone makes it a data page */
	len = vmstate_pages_encode(buf, sizeof(buf), 0x40ff0000, 3, pages);
	/* Header, version, address, count, the u32 map; then the data pages only. */
	assert_int_equal(len, 8 + 2 + 8 + 2 + 4 + 2 * 4096);
	assert_int_equal(wire_get16(buf), 0x0060);
	assert_int_equal(wire_get64(buf + 10), 0x40ff0000);
	assert_int_equal(wire_get16(buf + 18), 3);
	assert_int_equal(wire_get32(buf + 20), 0x5); /* pages 0 and 2 */
	assert_memory_equal(buf + 24, pages, 4096);
	assert_memory_equal(buf + 24 + 4096, pages + 2 * VMSTATE_PAGE_SIZE, 4096);
	assert_int_equal(pages_dec(buf, len, &pg), 0);
	assert_int_equal(pg.ipa, 0x40ff0000);
	assert_int_equal(pg.count, 3);
	assert_memory_equal(pg.data[0], pages, VMSTATE_PAGE_SIZE);
	assert_null(pg.data[1]);
	assert_memory_equal(pg.data[2], pages + 2 * VMSTATE_PAGE_SIZE, VMSTATE_PAGE_SIZE);
	memset(&back, 0x5a, sizeof(back));
	refused_with(len, 23, 0xd, pages_dec, &back, sizeof(back),
		     "map of data pages 0x0000000d: bits past the 3 pages");
	/* A map naming a third data page the record does not hold: cut short. */
	refused_with(len, 23, 0x7, pages_dec, &back, sizeof(back), "memory record");
	refused_with(len, 17, 1, pages_dec, &back, sizeof(back),
		     "address 0x40ff0001 is not page-aligned");
	refused_with(len, 19, 33, pages_dec, &back, sizeof(back), "page count 33 (1 to 32)");
	refused_with(len, 19, 0, pages_dec, &back, sizeof(back), "page count 0");
	/* 0x40ff0000 + 3 pages: past 16 MiB of RAM at 0x40000000, 0x41000000 is the end. */
	refused_with(len, 16, 0xf0, pages_dec, &back, sizeof(back),
		     "3 pages at 0x40fff000: outside the VM's RAM [0x40000000, 0x41000000)");
	refused_with(len, 14, 0x3f, pages_dec, &back, sizeof(back),
		     "3 pages at 0x3fff0000: outside");
	every_cut_refused(len, pages_dec, &back, sizeof(back));
	/* A record too small for its buffer is not written. */
	assert_int_equal(vmstate_pages_encode(buf, 100, 0x40000000, 1, pages), 0);
	assert_int_equal(vmstate_pages_encode(buf, sizeof(buf), 0x40000000, 33, pages), 0);
}

/* Thirty-two pages of zeroes: a record of 24 bytes, every bit of the map clear. */
static void test_pages_all_zero(void **state)
{
	static uint8_t zero[VMSTATE_PAGES_MAX * VMSTATE_PAGE_SIZE];
	struct vmstate_pages pg;
	size_t len;

	(void)state;
	len = vmstate_pages_encode(buf, sizeof(buf), 0x40000000, VMSTATE_PAGES_MAX, zero);
	assert_int_equal(len, 24);
	assert_int_equal(wire_get32(buf + 20), 0);
	assert_int_equal(pages_dec(buf, len, &pg), 0);
	assert_int_equal(pg.count, 32);
	for (unsigned int i = 0; i < 32; i++)
		assert_null(pg.data[i]);
}

/* A tag the decoder does not expect, flags, an unknown version: all refused, saying which. */
static void test_record_header_refusals(void **state)
{
	static struct vmstate_pl031 r, rb;
	size_t len;

	(void)state;
	len = vmstate_pl031_encode(buf, sizeof(buf), &r);
	memset(&rb, 0x5a, sizeof(rb));
	refused_with(len, 1, 0x40, pl031_dec, &rb, sizeof(rb),
		     "PL031 record: expected, a record of tag 0x0040 came");
	refused_with(len, 3, 1, pl031_dec, &rb, sizeof(rb), "flags 0x0001");
	refused_with(len, 9, 7, pl031_dec, &rb, sizeof(rb), "version 7; this host reads version 1");
	refused_with(len, 7, 0xff, pl031_dec, &rb, sizeof(rb), "its header says 255 payload bytes");
	assert_int_equal(vmstate_record_tag(buf), 0x0041);
	assert_int_equal(vmstate_record_len(buf), len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_enclave),
		cmocka_unit_test(test_gic_distributor),
		cmocka_unit_test(test_gic_cpu_interface),
		cmocka_unit_test(test_pl011_pl031_dcc),
		cmocka_unit_test(test_backdoor_channels),
		cmocka_unit_test(test_guestinfo),
		cmocka_unit_test(test_guestinfo_twice),
		cmocka_unit_test(test_pages_with_a_map_of_data_pages),
		cmocka_unit_test(test_pages_all_zero),
		cmocka_unit_test(test_record_header_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
