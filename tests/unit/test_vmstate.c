// SPDX-License-Identifier: MIT
/*
 * The VM state format's vCPU records (migrate/vmstate.c): what a record is
 * made of, checked against the reference in docs/migration.md (field ids are
 * the system registers' architectural encodings, worked out here by hand),
 * round trips, no host value in a record, and everything the decoder refuses.
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

static uint8_t buf[VMSTATE_VCPU_MAX];
static uint8_t work[VMSTATE_VCPU_MAX];

/* A vCPU at EL1h with every register holding a value of its own. */
static void fill(struct vcpu_image *img, bool sve)
{
	uint64_t *words = (uint64_t *)(void *)&img->el1;

	memset(img, 0, sizeof(*img));
	for (unsigned int i = 0; i < 31; i++)
		img->ctx.x[i] = 0x1000000000000000ULL * (i % 16) + i;
	img->ctx.pc = 0xffff800010081234ULL;
	img->ctx.pstate = 0xf00003c5; /* N Z C V, D A I F, EL1h */
	for (unsigned int i = 0; i < sizeof(img->el1) / 8; i++)
		words[i] = 0xe1000000 + i;
	for (unsigned int i = 0; i < 32; i++) {
		img->fp.q[i][0] = 0x0706050403020100ULL + i;
		img->fp.q[i][1] = 0x0f0e0d0c0b0a0908ULL + i;
	}
	img->fp.fpcr = 0x03000000;
	img->fp.fpsr = 0x8000001f;
	img->mpidr = 0x80000001;
	img->on = true;
	img->os_lock = false;
	img->sve = sve;
	if (sve) {
		for (unsigned int i = 0; i < 17; i++)
			img->fp.p[i] = (uint16_t)(0xa500 + i);
		img->fp.zcr = 0;
	}
}

static size_t encode(const struct vcpu_image *img)
{
	size_t n = vmstate_vcpu_encode(buf, sizeof(buf), 3, img);

	assert_true(n > VMSTATE_REC_HDR);
	return n;
}

/* The field @id of the record in buf: its value and length; NULL when absent. */
static const uint8_t *field(size_t len, uint16_t id, uint16_t *flen)
{
	const uint8_t *p = buf + VMSTATE_REC_HDR + 4;

	while (p < buf + len) {
		if (wire_get16(p) == id) {
			*flen = wire_get16(p + 2);
			return p + 4;
		}
		p += 4 + wire_get16(p + 2);
	}
	return NULL;
}

static uint64_t u64_field(size_t len, uint16_t id)
{
	uint16_t flen = 0;
	const uint8_t *v = field(len, id, &flen);

	if (!v)
		fail_msg("no field 0x%04x", id);
	assert_int_equal(flen, 8);
	return wire_get64(v);
}

static void test_the_record_is_what_the_reference_says(void **state)
{
	struct vcpu_image img;
	uint16_t flen = 0;
	size_t len;
	const uint8_t *v;

	(void)state;
	fill(&img, false);
	len = encode(&img);
	assert_int_equal(wire_get16(buf), 0x0010);
	assert_int_equal(wire_get16(buf + 2), 0);
	assert_int_equal(wire_get32(buf + 4), len - 8);
	assert_int_equal(wire_get32(buf + 8), 3);
	/* X0 first: id 0, 8 bytes, big-endian. */
	assert_int_equal(wire_get16(buf + 12), 0x0000);
	assert_int_equal(wire_get16(buf + 14), 8);
	assert_int_equal(wire_get64(buf + 16), img.ctx.x[0]);
	assert_int_equal(u64_field(len, 0x001e), img.ctx.x[30]);
	assert_int_equal(u64_field(len, 0x0020), img.ctx.pc);
	/* System registers by encoding: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2. */
	assert_int_equal(u64_field(len, 0xc080), img.el1.sctlr);	 /* 3,0,1,0,0 */
	assert_int_equal(u64_field(len, 0xc100), img.el1.ttbr0);	 /* 3,0,2,0,0 */
	assert_int_equal(u64_field(len, 0xc510), img.el1.mair);		 /* 3,0,10,2,0 */
	assert_int_equal(u64_field(len, 0xc609), img.el1.disr);		 /* 3,0,12,1,1 */
	assert_int_equal(u64_field(len, 0xda20), img.fp.fpcr);		 /* 3,3,4,4,0 */
	assert_int_equal(u64_field(len, 0xda21), img.fp.fpsr);		 /* 3,3,4,4,1 */
	assert_int_equal(u64_field(len, 0xe208), img.el1.sp_el1);	 /* 3,4,4,1,0 */
	assert_int_equal(u64_field(len, 0xc208), img.el1.sp_el0);	 /* 3,0,4,1,0 */
	assert_int_equal(u64_field(len, 0x8012), img.el1.mdscr);	 /* 2,0,0,2,2 */
	assert_int_equal(u64_field(len, 0xc005), 0x80000001);		 /* MPIDR_EL1 3,0,0,0,5 */
	assert_int_equal(u64_field(len, 0xc108), img.el1.pauth_keys[0]); /* APIAKeyLo 3,0,2,1,0 */
	assert_int_equal(u64_field(len, 0xc119), img.el1.pauth_keys[9]); /* APGAKeyHi 3,0,2,3,1 */
	/* V0: 16 bytes as STR Q stores it, byte 0 = bits 7:0. */
	v = field(len, 0x0100, &flen);
	assert_non_null(v);
	assert_int_equal(flen, 16);
	assert_memory_equal(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
			    16);
	/* PSTATE by field: EL 1, SP 1, nRW 0, N 1, D 1; power on; OS lock off. */
	assert_int_equal(*field(len, 0x004b, &flen), 1);
	assert_int_equal(*field(len, 0x004c, &flen), 1);
	assert_int_equal(*field(len, 0x004a, &flen), 0);
	assert_int_equal(*field(len, 0x0040, &flen), 1);
	assert_int_equal(*field(len, 0x0044, &flen), 1);
	assert_null(field(len, 0x0054, &flen)); /* AArch32's M: not in AArch64 state */
	assert_int_equal(*field(len, 0x0030, &flen), 1);
	assert_int_equal(*field(len, 0x0031, &flen), 0);
	/* Without SVE: no vector length, no predicates, no ZCR_EL1. */
	assert_null(field(len, 0x0200, &flen));
	assert_null(field(len, 0x0240, &flen));
	assert_null(field(len, 0xc090, &flen));
}

static void test_fields_come_once_each_in_ascending_order(void **state)
{
	struct vcpu_image img;
	size_t len;
	int prev = -1;

	(void)state;
	fill(&img, true);
	len = encode(&img);
	for (const uint8_t *p = buf + VMSTATE_REC_HDR + 4; p < buf + len;
	     p += 4 + wire_get16(p + 2)) {
		assert_true((int)wire_get16(p) > prev);
		prev = wire_get16(p);
	}
	assert_int_equal(prev, 0xe208); /* SP_EL1 has the largest encoding */
}

static void test_round_trips(void **state)
{
	static const uint64_t pstates[] = {
		0xf00003c5, /* EL1h, DAIF */
		0x00000000, /* EL0t */
		0x00000004, /* EL1t */
		0x03c01c05, /* EL1h with TCO, DIT, UAO, PAN, BTYPE 3, ALLINT */
		0x00301000, /* EL0t, SS, IL, SSBS */
		/* AArch32 User: Q, IT 0xa5 (26:25 = 1, 15:10 = 0x29), GE 0xf, E, A, T, SSBS */
		0x0a8fa530,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pstates) / sizeof(pstates[0]); i++) {
		for (int sve = 0; sve < 2; sve++) {
			struct vcpu_image in, out;
			uint32_t index = 0;
			char err[200];
			size_t len;

			fill(&in, sve);
			in.ctx.pstate = pstates[i];
			in.os_lock = i & 1;
			in.on = !(i & 2);
			len = encode(&in);
			memset(&out, 0x55, sizeof(out));
			if (vmstate_vcpu_decode(buf, len, &index, &out, err, sizeof(err)))
				fail_msg("pstate 0x%lx: %s", (unsigned long)pstates[i], err);
			assert_int_equal(index, 3);
			assert_memory_equal(&out.ctx, &in.ctx, sizeof(in.ctx));
			assert_memory_equal(&out.el1, &in.el1, sizeof(in.el1));
			assert_memory_equal(out.fp.q, in.fp.q, sizeof(in.fp.q));
			assert_int_equal(out.fp.fpcr, in.fp.fpcr);
			assert_int_equal(out.fp.fpsr, in.fp.fpsr);
			assert_memory_equal(out.fp.p, in.fp.p, sizeof(in.fp.p));
			assert_int_equal(out.fp.zcr, in.fp.zcr);
			assert_int_equal(out.mpidr, in.mpidr);
			assert_int_equal(out.on, in.on);
			assert_int_equal(out.os_lock, in.os_lock);
			assert_int_equal(out.sve, in.sve);
		}
	}
}

/* Two vCPUs that differ only in what the host keeps about them encode the same. */
static void test_no_host_value_in_a_record(void **state)
{
	static struct vcpu a, b;
	struct vcpu_image ia, ib;
	size_t la;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.ctx.pc = 0x40001000;
	a.ctx.x[5] = 5;
	a.mpidr = 0x80000000;
	a.state = VCPU_RUNNABLE;
	b = a;
	b.pcpu = 1;
	b.exits = 123456;
	b.loaded = true;
	b.reload = true;
	b.counter_changed = true;
	b.exit = (struct exit_info){ 3, 0x92000046, 0x1234, 0x5678 };
	b.state = VCPU_BLOCKED; /* in WFI: on, as PSCI sees it */
	vmstate_vcpu_capture(&a, false, &ia);
	vmstate_vcpu_capture(&b, false, &ib);
	la = vmstate_vcpu_encode(buf, sizeof(buf), 0, &ia);
	assert_int_equal(vmstate_vcpu_encode(work, sizeof(work), 0, &ib), la);
	assert_memory_equal(buf, work, la);
	/* An SVE host's predicates of a vCPU captured without SVE are not carried. */
	b.fp.p[0] = 0xffff;
	b.fp.zcr = 1;
	vmstate_vcpu_capture(&b, false, &ib);
	assert_int_equal(vmstate_vcpu_encode(work, sizeof(work), 0, &ib), la);
	assert_memory_equal(buf, work, la);
	/* Off is off. */
	b.state = VCPU_OFF;
	vmstate_vcpu_capture(&b, false, &ib);
	assert_false(ib.on);
}

/* Decodes @len bytes of work[]; the error must contain @want and @out stay untouched. */
static void expect_refused(size_t len, const char *want)
{
	struct vcpu_image out;
	uint32_t index = 77;
	char err[200] = "";

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(vmstate_vcpu_decode(work, len, &index, &out, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("\"%s\" does not say \"%s\"", err, want);
	assert_int_equal(index, 77);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(((uint8_t *)&out)[i], 0x5a);
}

/* The record in buf with the field @id's first value byte set to @value, in work[]. */
static size_t with_byte(size_t len, uint16_t id, unsigned int at, uint8_t value)
{
	uint16_t flen = 0;
	const uint8_t *v = field(len, id, &flen);

	assert_non_null(v);
	memcpy(work, buf, len);
	work[v - buf + at] = value;
	return len;
}

/* The record in buf without field @id (lengths made right), in work[]. */
static size_t without(size_t len, uint16_t id)
{
	uint16_t flen = 0;
	const uint8_t *v = field(len, id, &flen);
	size_t at, cut;

	assert_non_null(v);
	at = (size_t)(v - 4 - buf);
	cut = 4 + (size_t)flen;

	memcpy(work, buf, at);
	memcpy(work + at, buf + at + cut, len - at - cut);
	wire_put32(work + 4, (uint32_t)(len - cut - 8));
	return len - cut;
}

/* The record in buf with a field (@id, @flen bytes of @v) put in its place, in work[]. */
static size_t inserted(size_t len, uint16_t id, uint16_t flen, const void *v)
{
	const uint8_t *p = buf + VMSTATE_REC_HDR + 4;
	size_t at;

	while (p < buf + len && wire_get16(p) < id)
		p += 4 + wire_get16(p + 2);
	at = (size_t)(p - buf);
	memcpy(work, buf, at);
	wire_put16(work + at, id);
	wire_put16(work + at + 2, flen);
	memcpy(work + at + 4, v, flen);
	memcpy(work + at + 4 + flen, buf + at, len - at);
	wire_put32(work + 4, (uint32_t)(len + 4 + flen - 8));
	return len + 4 + flen;
}

/* The record in buf with a field (@id, @flen bytes of @v) put at the end, in work[]. */
static size_t appended(size_t len, uint16_t id, uint16_t flen, const void *v)
{
	memcpy(work, buf, len);
	wire_put16(work + len, id);
	wire_put16(work + len + 2, flen);
	memcpy(work + len + 4, v, flen);
	wire_put32(work + 4, (uint32_t)(len + 4 + flen - 8));
	return len + 4 + flen;
}

/*
 * The timers travel in the vCPU record in guest ticks, as the system
 * registers they are (CNTP_CTL_EL0 3,3,14,2,1 = 0xdf11, CNTP_CVAL_EL0 0xdf12,
 * CNTV_CTL_EL0 3,3,14,3,1 = 0xdf19, CNTV_CVAL_EL0 0xdf1a); a CTL carries
 * ENABLE and IMASK only, and a record without them is refused.
 */
static void test_timers_in_the_vcpu_record(void **state)
{
	struct vcpu_image img, back;
	uint32_t index;
	char err[200];
	size_t len;

	(void)state;
	fill(&img, false);
	img.cntp_ctl = 1;
	img.cntp_cval = 0x1234567;
	img.cntv_ctl = 3;
	img.cntv_cval = 0xfedcba9876;
	len = encode(&img);
	assert_int_equal(u64_field(len, 0xdf11), 1);
	assert_int_equal(u64_field(len, 0xdf12), 0x1234567);
	assert_int_equal(u64_field(len, 0xdf19), 3);
	assert_int_equal(u64_field(len, 0xdf1a), 0xfedcba9876);
	assert_int_equal(vmstate_vcpu_decode(buf, len, &index, &back, err, sizeof(err)), 0);
	assert_int_equal(back.cntv_ctl, 3);
	assert_int_equal(back.cntv_cval, 0xfedcba9876);
	assert_int_equal(back.cntp_ctl, 1);
	assert_int_equal(back.cntp_cval, 0x1234567);
	/* ISTATUS (bit 2) is worked out from the count, never carried. */
	expect_refused(with_byte(len, 0xdf19, 7, 7),
		       "CNTV_CTL_EL0 (0xdf19): 0x7: only ENABLE (bit 0) and IMASK (bit 1)");
	expect_refused(without(len, 0xdf12), "CNTP_CVAL_EL0 (0xdf12): missing");
}

static void test_what_the_decoder_refuses(void **state)
{
	struct vcpu_image img;
	size_t len, n;

	(void)state;
	fill(&img, false);
	len = encode(&img);
	memcpy(work, buf, len);
	expect_refused(len - 1, "vCPU record says");
	expect_refused(5, "shorter than a record header");
	work[1] = 0x11;
	expect_refused(len, "vCPU record expected, a record of tag 0x0011 came");
	/* A field's length: X3's header is at 12 + 3 * 12. */
	memcpy(work, buf, len);
	work[12 + 3 * 12 + 3] = 4;
	expect_refused(len, "X3 (0x0003): 4 bytes, not 8");
	/* Missing fields, named. */
	expect_refused(without(len, 0x0001), "X1 (0x0001): missing");
	expect_refused(without(len, 0xc080), "SCTLR_EL1 (0xc080): missing");
	expect_refused(without(len, 0x010a), "V10 (0x010a): missing");
	/* Unknown, repeated, out of order. */
	expect_refused(appended(len, 0xffff, 8, "\0\0\0\0\0\0\0\0"),
		       "field 0xffff (0xffff): not a field of VM state format 2");
	expect_refused(appended(len, 0xe208, 8, "\0\0\0\0\0\0\0\0"),
		       "SP_EL1 (0xe208): after field 0xe208: fields come once each, in ascending "
		       "order");
	expect_refused(appended(len, 0x0005, 8, "\0\0\0\0\0\0\0\0"),
		       "X5 (0x0005): after field 0xe208");
	/* A field past the end. */
	memcpy(work, buf, len);
	wire_put16(work + len - 12 + 2, 9);
	expect_refused(len, "SP_EL1 (0xe208): 9 bytes, 8 left in the record");
	/* Values a guest cannot have. */
	expect_refused(with_byte(len, 0x004b, 0, 2), "PSTATE.EL (0x004b): EL2: a guest runs at "
						     "EL0 or EL1");
	expect_refused(with_byte(len, 0x004b, 0, 4), "PSTATE.EL (0x004b): 4 does not fit its 2 "
						     "bit(s)");
	expect_refused(with_byte(len, 0x0030, 0, 2), "power state (0x0030): 2 (0 or 1)");
	n = with_byte(len, 0x004b, 0, 0); /* EL0 with SP_EL1 selected */
	expect_refused(n, "PSTATE.SP (0x004c): SP_EL1 selected at EL0");
	/* Z registers: carried only above 128 bits, which this host does not run. */
	expect_refused(inserted(len, 0x0210, 32, buf), "Z0 (0x0210): Z registers above a 128-bit "
						       "vector length");
}

static void test_sve_and_aarch32_refusals(void **state)
{
	struct vcpu_image img;
	size_t len;

	(void)state;
	fill(&img, true);
	len = encode(&img);
	expect_refused(with_byte(len, 0x0200, 1, 32), "SVE vector length (0x0200): 32 bytes; this "
						      "host runs guests at 16 (128 bits)");
	expect_refused(without(len, 0x0250), "SVE state in part");
	expect_refused(without(len, 0xc090), "SVE state in part");
	/* An AArch32 vCPU: User mode only, no AArch64-only field set. */
	fill(&img, false);
	img.ctx.pstate = 0x00000010; /* AArch32 User */
	len = encode(&img);
	expect_refused(with_byte(len, 0x0054, 0, 3), "PSTATE.M (0x0054): AArch32 mode 0x3: a "
						     "guest runs AArch32 at EL0 (User, 0x0) only");
	expect_refused(inserted(len, 0x0052, 1, "\x01"), "PSTATE.BTYPE (0x0052): 1: no such field "
							 "in AArch32 state");
	/* And the other way: AArch32's T in an AArch64 vCPU. */
	fill(&img, false);
	len = encode(&img);
	expect_refused(inserted(len, 0x0055, 1, "\x01"), "PSTATE.T (0x0055): 1: no such field in "
							 "AArch64 state");
}

/* A record cut anywhere (its length made to match) is refused: something is always missing. */
static void test_every_cut_is_refused(void **state)
{
	struct vcpu_image img, out;
	uint32_t index;
	char err[200];
	size_t len;

	(void)state;
	fill(&img, true);
	len = encode(&img);
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(work, buf, cut);
		if (cut >= 8)
			wire_put32(work + 4, (uint32_t)(cut - 8));
		assert_int_equal(vmstate_vcpu_decode(work, cut, &index, &out, err, sizeof(err)),
				 -1);
	}
}

static void test_the_header(void **state)
{
	struct vmstate_header h;
	uint8_t b[64];
	char err[200];
	size_t n = vmstate_header_encode(b, 2);

	(void)state;
	assert_int_equal(n, 24);
	assert_memory_equal(b, "\x00\x01\x00\x00\x00\x00\x00\x10SKVM\x00\x02\x00\x00", 16);
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), 0);
	assert_int_equal(h.major, 2);
	assert_int_equal(h.nvcpus, 2);
	/* Format 1's memory records had a kind byte per page: not read any more. */
	b[13] = 1;
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "VM state format 1.0; this host reads 2.x");
	b[13] = 3;
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "VM state format 3.0; this host reads 2.x");
	b[13] = 2;
	b[19] = 2;
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "a VM state of architecture 2; this host runs AArch64 (1)");
	b[19] = 1;
	b[23] = 0;
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "a VM of 0 vCPUs; this host runs 1 to 8");
	b[8] = 'X';
	assert_int_equal(vmstate_header_decode(b, n, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "not a Skiff VM state (magic 0x584b564d)");
	assert_int_equal(vmstate_header_decode(b, n - 1, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "header record says 16 payload bytes, 15 came");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_record_is_what_the_reference_says),
		cmocka_unit_test(test_fields_come_once_each_in_ascending_order),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_no_host_value_in_a_record),
		cmocka_unit_test(test_timers_in_the_vcpu_record),
		cmocka_unit_test(test_what_the_decoder_refuses),
		cmocka_unit_test(test_sve_and_aarch32_refusals),
		cmocka_unit_test(test_every_cut_is_refused),
		cmocka_unit_test(test_the_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
