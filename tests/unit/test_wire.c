// SPDX-License-Identifier: MIT
/*
 * The host link's frames (migrate/wire.c): what a frame is made of, and
 * everything wire_parse() refuses before a field of it is used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/crc32.h"
#include "migrate/wire.h"

#define MAX_PAYLOAD 1000

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x5b, 0x00, 0x01 };

/* A sealed frame of type PING in session 0x11223344, number 7, with @len payload bytes. */
static size_t make_frame(uint8_t *buf, uint16_t len)
{
	for (uint16_t i = 0; i < len; i++)
		buf[WIRE_HDRS + i] = (uint8_t)(i * 7 + 3);
	return wire_seal(buf, mac, LINK_T_PING, 0x11223344, 7, len);
}

static enum wire_verdict parse(const uint8_t *buf, size_t len, char *err)
{
	struct wire_frame f;

	err[0] = 0;
	return wire_parse(buf, len, MAX_PAYLOAD, &f, err, 200);
}

static void test_crc32_is_the_ieee_one(void **state)
{
	(void)state;
	assert_int_equal(crc32_update(0, "123456789", 9), 0xcbf43926U);
	/* Continued in pieces, the same. */
	assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xcbf43926U);
	assert_int_equal(crc32_update(0, "", 0), 0);
}

static void test_a_sealed_frame_parses_to_what_was_sealed(void **state)
{
	uint8_t buf[WIRE_HDRS + 100];
	struct wire_frame f;
	char err[200];
	size_t len = make_frame(buf, 100);

	(void)state;
	assert_int_equal(len, WIRE_HDRS + 100);
	/* The Ethernet header: broadcast, our MAC, the link's EtherType; then the magic. */
	assert_memory_equal(buf, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(buf + 6, mac, 6);
	assert_int_equal(wire_get16(buf + 12), WIRE_ETHERTYPE);
	assert_int_equal(wire_get16(buf + WIRE_ETH_HDR), WIRE_MAGIC);
	assert_int_equal(wire_parse(buf, len, MAX_PAYLOAD, &f, err, sizeof(err)), WIRE_OK);
	assert_int_equal(f.type, LINK_T_PING);
	assert_int_equal(f.session, 0x11223344);
	assert_int_equal(f.seq, 7);
	assert_int_equal(f.len, 100);
	assert_ptr_equal(f.payload, buf + WIRE_HDRS);
	assert_ptr_equal(f.src, buf + 6);
}

static void test_big_endian_numbers(void **state)
{
	uint8_t b[8];

	(void)state;
	wire_put64(b, 0x0102030405060708ULL);
	assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(wire_get64(b), 0x0102030405060708ULL);
	assert_int_equal(wire_get32(b + 4), 0x05060708U);
	assert_int_equal(wire_get16(b + 6), 0x0708);
}

/* Every single bit flipped anywhere in a frame is caught: none parses as good. */
static void test_every_bit_flip_is_refused(void **state)
{
	uint8_t buf[WIRE_HDRS + 64];
	size_t len = make_frame(buf, 64);
	char err[200];

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (unsigned int bit = 0; bit < 8; bit++) {
			enum wire_verdict v;

			buf[i] ^= (uint8_t)(1U << bit);
			v = parse(buf, len, err);
			/* A flip in the EtherType makes it another protocol's frame. */
			if (i == 12 || i == 13)
				assert_int_equal(v, WIRE_FOREIGN);
			else
				assert_int_equal(v, WIRE_BAD);
			buf[i] ^= (uint8_t)(1U << bit);
		}
	}
	assert_int_equal(parse(buf, len, err), WIRE_OK);
}

static void expect_bad(const uint8_t *buf, size_t len, const char *what)
{
	char err[200];

	assert_int_equal(parse(buf, len, err), WIRE_BAD);
	if (!strstr(err, what))
		fail_msg("\"%s\" does not say \"%s\"", err, what);
}

static void test_short_frames_are_named(void **state)
{
	uint8_t buf[WIRE_HDRS + 10];

	(void)state;
	make_frame(buf, 10);
	expect_bad(buf, 13, "runt frame: 13 bytes, shorter than an Ethernet header (14)");
	expect_bad(buf, WIRE_HDRS - 1,
		   "truncated frame: 33 bytes, shorter than the link's "
		   "headers (34)");
	expect_bad(buf, WIRE_HDRS + 9,
		   "truncated frame: its header says 10 payload bytes, 9 "
		   "arrived");
}

static void test_lengths_beyond_the_link_or_the_frame(void **state)
{
	uint8_t buf[WIRE_HDRS + MAX_PAYLOAD + 100];
	size_t len;

	(void)state;
	/* A length field larger than the link carries, whatever arrived. */
	len = make_frame(buf, 10);
	wire_put16(buf + WIRE_ETH_HDR + 12, 0xffff);
	expect_bad(buf, len,
		   "oversized frame: its header says 65535 payload bytes, the link "
		   "carries at most 1000");
	/* A payload longer than the link carries, sealed right. */
	len = make_frame(buf, MAX_PAYLOAD + 1);
	expect_bad(buf, len, "oversized frame: its header says 1001 payload bytes");
	/* Bytes after the payload of a frame longer than Ethernet's minimum. */
	len = make_frame(buf, 40);
	expect_bad(buf, len + 3, "oversized frame: 77 bytes, 3 of them after its 40-byte payload");
}

static void test_a_short_frame_may_arrive_padded(void **state)
{
	uint8_t buf[WIRE_ETH_MIN];
	struct wire_frame f;
	char err[200];
	size_t len = make_frame(buf, 2);

	(void)state;
	memset(buf + len, 0, sizeof(buf) - len);
	assert_int_equal(wire_parse(buf, sizeof(buf), MAX_PAYLOAD, &f, err, sizeof(err)), WIRE_OK);
	assert_int_equal(f.len, 2);
}

static void test_fixed_fields_are_checked(void **state)
{
	uint8_t buf[WIRE_HDRS + 10];
	size_t len;

	(void)state;
	len = make_frame(buf, 10);
	buf[WIRE_ETH_HDR] = 'X';
	expect_bad(buf, len, "bad magic 0x584b");
	len = make_frame(buf, 10);
	buf[WIRE_ETH_HDR + 2] = 2;
	expect_bad(buf, len, "frame of link version 2; this host speaks version 1");
	len = make_frame(buf, 10);
	buf[WIRE_ETH_HDR + 15] = 1;
	expect_bad(buf, len, "reserved flags 0x0001 set");
	/* An unknown type, sealed right: only the type is wrong. */
	len = wire_seal(buf, mac, 0x7f, 1, 0, 0);
	expect_bad(buf, len, "unknown frame type 0x7f");
	len = wire_seal(buf, mac, 0x00, 1, 0, 0);
	expect_bad(buf, len, "unknown frame type 0x00");
}

static void test_other_ethertypes_are_not_the_links(void **state)
{
	uint8_t buf[64] = { 0 };
	char err[200];

	(void)state;
	wire_put16(buf + 12, 0x0800); /* IPv4 */
	assert_int_equal(parse(buf, sizeof(buf), err), WIRE_FOREIGN);
}

static void test_types_of_the_layer_above_pass(void **state)
{
	uint8_t buf[WIRE_HDRS + 4];
	struct wire_frame f;
	char err[200];

	(void)state;
	for (unsigned int t = LINK_T_USER_FIRST; t <= LINK_T_USER_LAST; t++) {
		size_t len = wire_seal(buf, mac, (uint8_t)t, 9, 1, 0);

		assert_int_equal(wire_parse(buf, len, MAX_PAYLOAD, &f, err, sizeof(err)), WIRE_OK);
		assert_int_equal(f.type, t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_is_the_ieee_one),
		cmocka_unit_test(test_a_sealed_frame_parses_to_what_was_sealed),
		cmocka_unit_test(test_big_endian_numbers),
		cmocka_unit_test(test_every_bit_flip_is_refused),
		cmocka_unit_test(test_short_frames_are_named),
		cmocka_unit_test(test_lengths_beyond_the_link_or_the_frame),
		cmocka_unit_test(test_a_short_frame_may_arrive_padded),
		cmocka_unit_test(test_fixed_fields_are_checked),
		cmocka_unit_test(test_other_ethertypes_are_not_the_links),
		cmocka_unit_test(test_types_of_the_layer_above_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
