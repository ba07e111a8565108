// SPDX-License-Identifier: MIT
/* The AML encoder: package lengths at every size boundary, names, integers, objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi/aml.h"

/* Decodes a package length as the ACPI specification (20.2.4) describes it. */
static size_t decode_pkglen(const uint8_t *p, unsigned int *bytes)
{
	unsigned int follow = p[0] >> 6;
	size_t len;

	*bytes = follow + 1;
	if (!follow)
		return p[0] & 0x3f;
	len = p[0] & 0x0f;
	for (unsigned int i = 1; i <= follow; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

static void test_pkglen_boundaries(void **state)
{
	/* The largest body for each encoded size, and the next one up. */
	static const struct {
		size_t body;
		unsigned int size;
	} cases[] = { { 0, 1 },	      { 62, 1 },	{ 63, 2 },
		      { 4093, 2 },    { 4094, 3 },	{ 1048572, 3 },
		      { 1048573, 4 }, { 268435451, 4 }, { 268435452, 0 } };

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[4];
		unsigned int n = aml_pkglen_encode(cases[i].body, out), used;

		assert_int_equal(aml_pkglen_size(cases[i].body), cases[i].size);
		assert_int_equal(n, cases[i].size);
		if (n)
			assert_int_equal(decode_pkglen(out, &used), cases[i].body + n);
	}
}

static void test_pkglen_round_trip_everywhere_near_the_boundaries(void **state)
{
	static const size_t edges[] = { 63, 4096, 1UL << 20, 1UL << 28 };

	(void)state;
	for (unsigned int e = 0; e < 4; e++)
		for (size_t body = edges[e] - 8; body < edges[e] + 8 && body < (1UL << 28) - 4;
		     body++) {
			uint8_t out[4];
			unsigned int n = aml_pkglen_encode(body, out), used;

			assert_true(n >= 1 && n <= 4);
			assert_int_equal(decode_pkglen(out, &used), body + n);
			assert_int_equal(used, n);
		}
}

/* A package of @count zeros: its encoded length must cover exactly the bytes written. */
static void test_package_lengths_in_the_stream(void **state)
{
	static uint8_t buf[1 << 16];

	(void)state;
	for (unsigned int count = 0; count <= 255; count += 1) {
		struct aml a;
		unsigned int used;
		size_t len;

		aml_init(&a, buf, sizeof(buf));
		aml_package_open(&a);
		for (unsigned int i = 0; i < count; i++)
			aml_integer(&a, 0x12345678); /* 5 bytes each: crosses 63 and 4095 */
		aml_close(&a);
		assert_true(aml_ok(&a));
		assert_int_equal(buf[0], 0x12);
		len = decode_pkglen(buf + 1, &used);
		assert_int_equal(len + 1, a.len);
		assert_int_equal(buf[1 + used], count);
	}
}

static void test_buffer_carries_its_size(void **state)
{
	uint8_t buf[5000], data[300];
	struct aml a;
	unsigned int used;

	(void)state;
	memset(data, 0xab, sizeof(data));
	aml_init(&a, buf, sizeof(buf));
	aml_buffer_open(&a);
	aml_bytes(&a, data, sizeof(data));
	aml_close(&a);
	assert_true(aml_ok(&a));
	assert_int_equal(buf[0], 0x11);
	assert_int_equal(decode_pkglen(buf + 1, &used) + 1, a.len);
	/* BufferSize: WordPrefix 300 */
	assert_int_equal(buf[1 + used], 0x0b);
	assert_int_equal(buf[2 + used] | buf[3 + used] << 8, 300);
	assert_memory_equal(buf + 4 + used, data, sizeof(data));
}

static void expect_name(const char *name, const uint8_t *bytes, size_t len)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, name);
	assert_true(aml_ok(&a));
	assert_int_equal(a.len, len);
	assert_memory_equal(buf, bytes, len);
}

static void expect_bad_name(const char *name)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, name);
	assert_false(aml_ok(&a));
}

static void test_names(void **state)
{
	(void)state;
	expect_name("_HID", (const uint8_t *)"_HID", 4);
	expect_name("COM", (const uint8_t *)"COM_", 4);
	expect_name("\\_SB", (const uint8_t *)"\\_SB_", 5);
	expect_name("\\_SB.PCI0", (const uint8_t *)"\\\x2e_SB_PCI0", 10);
	expect_name("A.B.C",
		    (const uint8_t *)"\x2f\x03"
				     "A___B___C___",
		    14);
	expect_bad_name("9ABC");
	expect_bad_name("ABCDE");
	expect_bad_name("ab");
	expect_bad_name("A..B");
	expect_bad_name("");
}

static void expect_integer(uint64_t v, const uint8_t *bytes, size_t len)
{
	uint8_t buf[16];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, v);
	assert_int_equal(a.len, len);
	assert_memory_equal(buf, bytes, len);
}

static void test_integers(void **state)
{
	(void)state;
	expect_integer(0, (const uint8_t *)"\x00", 1);
	expect_integer(1, (const uint8_t *)"\x01", 1);
	expect_integer(2, (const uint8_t *)"\x0a\x02", 2);
	expect_integer(0xff, (const uint8_t *)"\x0a\xff", 2);
	expect_integer(0x100, (const uint8_t *)"\x0b\x00\x01", 3);
	expect_integer(0xffff, (const uint8_t *)"\x0b\xff\xff", 3);
	expect_integer(0x10000, (const uint8_t *)"\x0c\x00\x00\x01\x00", 5);
	expect_integer(0xffffffffUL, (const uint8_t *)"\x0c\xff\xff\xff\xff", 5);
	expect_integer(0x100000000UL, (const uint8_t *)"\x0e\x00\x00\x00\x00\x01\x00\x00\x00", 9);
}

static void test_eisaid_and_uuid(void **state)
{
	static const uint8_t dsd[16] = { 0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
					 0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01 };
	uint8_t out[16];

	(void)state;
	assert_int_equal(aml_eisaid("PNP0A03"), 0x030ad041);
	assert_int_equal(aml_eisaid("PNP0A08"), 0x080ad041);
	assert_int_equal(aml_eisaid("PNP0C02"), 0x020cd041);
	assert_true(aml_uuid_bytes("daffd814-6eba-4d8c-8a91-bc9bbf4aa301", out));
	assert_memory_equal(out, dsd, 16);
	assert_false(aml_uuid_bytes("daffd814-6eba-4d8c-8a91-bc9bbf4aa30", out));
	assert_false(aml_uuid_bytes("daffd814x6eba-4d8c-8a91-bc9bbf4aa301", out));
	assert_false(aml_uuid_bytes("gaffd814-6eba-4d8c-8a91-bc9bbf4aa301", out));
}

static void test_strings_and_devices(void **state)
{
	uint8_t buf[64];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_device_open(&a, "COM0");
	aml_name(&a, "_HID");
	aml_string(&a, "ARMH0011");
	aml_close(&a);
	assert_true(aml_ok(&a));
	/* ExtOp Device PkgLength "COM0" Name "_HID" String "ARMH0011\0" */
	assert_memory_equal(buf,
			    "\x5b\x82\x14"
			    "COM0"
			    "\x08_HID\x0d"
			    "ARMH0011",
			    3 + 4 + 6 + 9);
	assert_int_equal(buf[2], a.len - 2);
	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "caf\xc3\xa9");
	assert_false(aml_ok(&a)); /* AML strings are ASCII */
}

static void test_resources(void **state)
{
	uint8_t buf[128];
	uint32_t irq = 33;
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_res_memory(&a, 0x9000000, 0x1000, true);
	assert_memory_equal(buf, "\x86\x09\x00\x01\x00\x00\x00\x09\x00\x10\x00\x00", 12);
	aml_init(&a, buf, sizeof(buf));
	aml_res_memory(&a, 0x8000000000UL, 0x1000, true); /* above 4 GiB: a QWord descriptor */
	assert_int_equal(a.len, 46);
	assert_int_equal(buf[0], 0x8a);
	aml_init(&a, buf, sizeof(buf));
	aml_res_memory(&a, 0xfffff000UL, 0x2000, true); /* crosses 4 GiB */
	assert_int_equal(buf[0], 0x8a);
	aml_init(&a, buf, sizeof(buf));
	aml_res_interrupt(&a, &irq, 1, true, true);
	assert_memory_equal(buf, "\x89\x06\x00\x07\x01\x21\x00\x00\x00", 9);
	aml_res_end(&a);
	assert_memory_equal(buf + 9, "\x79\x00", 2);
}

static void test_running_out_of_room_or_nesting_is_reported(void **state)
{
	uint8_t buf[8];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "longer than eight");
	assert_false(aml_ok(&a));
	aml_init(&a, buf, sizeof(buf));
	aml_package_open(&a);
	assert_false(aml_ok(&a)); /* still open */
	aml_close(&a);
	assert_true(aml_ok(&a));
	aml_close(&a);
	assert_false(aml_ok(&a)); /* closed once too often */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglen_boundaries),
		cmocka_unit_test(test_pkglen_round_trip_everywhere_near_the_boundaries),
		cmocka_unit_test(test_package_lengths_in_the_stream),
		cmocka_unit_test(test_buffer_carries_its_size),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_eisaid_and_uuid),
		cmocka_unit_test(test_strings_and_devices),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_running_out_of_room_or_nesting_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
