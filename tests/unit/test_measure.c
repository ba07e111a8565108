// SPDX-License-Identifier: MIT
/*
 * The launch measurement (enclave/measure.c): the digest is SHA-256 of the
 * encoding docs/enclaves.md describes, written out here byte by byte; every
 * measured item changes it, the host-side ones (name, host CPU) do not, and the
 * order of guestinfo keys in the blob does not.
 */
#include <bearssl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include "enclave/measure.h"

static const unsigned char kernel[] = { 0xd5, 0x03, 0x20, 0x1f, 0x14, 0x00, 0x00, 0x00, 0x7f };
static const unsigned char initrd[] = { 'i', 'n', 'i', 't' };
static char blob_ab[512], blob_ba[512];

/* A configuration blob with one guestinfo node holding @n keys in the order given. */
static int guestinfo_blob(char *fdt, size_t size, const char *const *kv, unsigned int n)
{
	assert_int_equal(fdt_create(fdt, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_begin_node(fdt, "guestinfo"), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(fdt_property_string(fdt, kv[2 * i], kv[2 * i + 1]), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	return fdt_path_offset(fdt, "/guestinfo");
}

static struct vm_config base(void)
{
	static const char *const ab[] = { "role", "web", "color", "deep blue" };
	struct vm_config c = {
		.name = "enc",
		.memory_size = 0x400000,
		.vcpus = 2,
		.cpu = 1,
		.kernel = kernel,
		.kernel_size = sizeof(kernel),
		.kernel_format = KERNEL_RAW,
		.initrd = initrd,
		.initrd_size = sizeof(initrd),
		.bootargs = "seed=7",
		.counter_hz = 25000000,
		.counter_mode = COUNTER_MODE_MMIO,
		.backdoor = true,
		.backdoor_el0_tdcc = false,
		.acpi = false,
		.enclave = true,
		.fdt = blob_ab,
	};

	c.guestinfo_node = guestinfo_blob(blob_ab, sizeof(blob_ab), ab, 2);
	return c;
}

/* The encoding, built the way the documentation spells it. */
struct stream {
	unsigned char b[2048];
	size_t n;
};

static void raw(struct stream *s, const void *p, size_t len)
{
	assert_true(s->n + len <= sizeof(s->b));
	memcpy(s->b + s->n, p, len);
	s->n += len;
}

static void uint_le(struct stream *s, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned char c = (unsigned char)(v >> (8 * i));

		raw(s, &c, 1);
	}
}

static void item(struct stream *s, const char *tag, const void *value, size_t len)
{
	raw(s, tag, 4);
	uint_le(s, len, 8);
	raw(s, value, len);
}

static void item_uint(struct stream *s, const char *tag, uint64_t v, unsigned int bytes)
{
	raw(s, tag, 4);
	uint_le(s, bytes, 8);
	uint_le(s, v, bytes);
}

/*
 * "prof" for the "host" profile, the default: version 1, the name in 32 bytes, flags 1
 * (CPU_PROFILE_HOST), then MIDR, REVIDR, AIDR, 39 ID registers and 14 CCSIDR values, all 0.
 */
static void host_profile_item(struct stream *s)
{
	unsigned char name[32] = "host", zeros[3 * 8 + 39 * 8 + 14 * 4] = { 0 };

	raw(s, "prof", 4);
	uint_le(s, 4 + 32 + 4 + sizeof(zeros), 8);
	uint_le(s, 1, 4);
	raw(s, name, sizeof(name));
	uint_le(s, 1, 4);
	raw(s, zeros, sizeof(zeros));
}

static void digest(const struct stream *s, unsigned char out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, s->b, s->n);
	br_sha256_out(&h, out);
}

static void test_encoding(void **state)
{
	struct vm_config c = base();
	unsigned char got[32], want[32];
	struct stream s = { .n = 0 };
	/* guestinfo: u32 count, then (name, value) in byte order of names: color < role. */
	static const unsigned char ginf[] = {
		2, 0, 0, 0,			       /* two keys */
		5, 0, 0, 0,   'c', 'o', 'l', 'o', 'r', /* the first name */
		9, 0, 0, 0,   'd', 'e', 'e', 'p', ' ', 'b', 'l', 'u', 'e', 4,
		0, 0, 0, 'r', 'o', 'l', 'e', 3,	  0,   0,   0,	 'w', 'e', 'b',
	};
	static const unsigned char args[] = { 1, 's', 'e', 'e', 'd', '=', '7' };
	static const unsigned char bdor[] = { 1, 0 };

	(void)state;
	raw(&s, "skiff-measure-v2", 16);
	host_profile_item(&s);
	item_uint(&s, "encl", 1, 1);
	item_uint(&s, "kfmt", 0, 1);
	item(&s, "kern", kernel, sizeof(kernel));
	item(&s, "intr", initrd, sizeof(initrd));
	item_uint(&s, "mem ", 0x400000, 8);
	item_uint(&s, "vcpu", 2, 4);
	item_uint(&s, "cntf", 25000000, 8);
	item_uint(&s, "cmod", 2, 1);
	item(&s, "args", args, sizeof(args));
	item_uint(&s, "acpi", 0, 1);
	item(&s, "bdor", bdor, sizeof(bdor));
	item(&s, "ginf", ginf, sizeof(ginf));
	item(&s, "ownr", "", 0);
	digest(&s, want);
	measure_vm(&c, got);
	assert_memory_equal(got, want, sizeof(want));

	/* No initrd, no bootargs, no guestinfo: empty, 0 alone, a count of 0. */
	c.initrd = NULL;
	c.initrd_size = 0;
	c.bootargs = NULL;
	c.guestinfo_node = -1;
	c.kernel_format = KERNEL_IMAGE;
	s.n = 0;
	raw(&s, "skiff-measure-v2", 16);
	host_profile_item(&s);
	item_uint(&s, "encl", 1, 1);
	item_uint(&s, "kfmt", 1, 1);
	item(&s, "kern", kernel, sizeof(kernel));
	item(&s, "intr", "", 0);
	item_uint(&s, "mem ", 0x400000, 8);
	item_uint(&s, "vcpu", 2, 4);
	item_uint(&s, "cntf", 25000000, 8);
	item_uint(&s, "cmod", 2, 1);
	item_uint(&s, "args", 0, 1);
	item_uint(&s, "acpi", 0, 1);
	item(&s, "bdor", bdor, sizeof(bdor));
	item_uint(&s, "ginf", 0, 4);
	item(&s, "ownr", "", 0);
	digest(&s, want);
	measure_vm(&c, got);
	assert_memory_equal(got, want, sizeof(want));

	/* A migration policy: its owner key's identity, 32 bytes. */
	c.policy = kernel; /* what the bytes are does not matter: the owner's identity does */
	c.policy_size = sizeof(kernel);
	memset(c.policy_owner, 0xa5, sizeof(c.policy_owner));
	s.n -= 12; /* the empty "ownr" item again, with the identity */
	item(&s, "ownr", c.policy_owner, sizeof(c.policy_owner));
	digest(&s, want);
	measure_vm(&c, got);
	assert_memory_equal(got, want, sizeof(want));
}

static void expect_changed(const struct vm_config *c, const char *what)
{
	struct vm_config b = base();
	unsigned char x[32], y[32];

	measure_vm(&b, x);
	measure_vm(c, y);
	if (!memcmp(x, y, sizeof(x)))
		fail_msg("changing %s leaves the measurement as it was", what);
}

static void test_every_item_counts(void **state)
{
	static unsigned char other_kernel[sizeof(kernel)];
	static const char *const changed[] = { "role", "db", "color", "deep blue" };
	static const char *const one_key[] = { "role", "web" };
	static char blob[512];
	unsigned char x[32], y[32];
	struct vm_config c, b;

	(void)state;
	memcpy(other_kernel, kernel, sizeof(kernel));
	other_kernel[sizeof(kernel) - 1] ^= 1;
	c = base();
	c.kernel = other_kernel;
	expect_changed(&c, "the kernel's last byte");
	c = base();
	c.kernel_size--;
	expect_changed(&c, "the kernel's length");
	c = base();
	c.kernel_format = KERNEL_IMAGE;
	expect_changed(&c, "the kernel format");
	c = base();
	c.initrd_size--;
	expect_changed(&c, "the initrd");
	c = base();
	c.initrd = NULL;
	c.initrd_size = 0;
	expect_changed(&c, "no initrd");
	c = base();
	c.memory_size += 4096;
	expect_changed(&c, "memory-size");
	c = base();
	c.vcpus = 1;
	expect_changed(&c, "vcpus");
	c = base();
	c.counter_hz = 0;
	expect_changed(&c, "counter-frequency");
	c = base();
	c.counter_mode = COUNTER_MODE_SYSREG;
	expect_changed(&c, "counter-mode");
	c = base();
	c.bootargs = "seed=8";
	expect_changed(&c, "bootargs");
	c = base();
	c.bootargs = "";
	expect_changed(&c, "empty bootargs");
	c = base();
	c.bootargs = NULL;
	expect_changed(&c, "no bootargs");
	c = base();
	c.acpi = true;
	expect_changed(&c, "acpi");
	c = base();
	c.backdoor = false;
	expect_changed(&c, "backdoor");
	c = base();
	c.backdoor_el0_tdcc = true;
	expect_changed(&c, "backdoor-el0");
	c = base();
	c.enclave = false;
	expect_changed(&c, "enclave");
	c = base();
	c.policy = kernel;
	c.policy_size = sizeof(kernel);
	expect_changed(&c, "a migration policy");
	memcpy(&b, &c, sizeof(b));
	b.policy_owner[31] ^= 1;
	measure_vm(&c, x);
	measure_vm(&b, y);
	if (!memcmp(x, y, sizeof(x)))
		fail_msg("another policy owner leaves the measurement as it was");
	c = base();
	c.guestinfo_node = guestinfo_blob(blob, sizeof(blob), changed, 2);
	c.fdt = blob;
	expect_changed(&c, "a guestinfo value");
	c = base();
	c.guestinfo_node = guestinfo_blob(blob, sizeof(blob), one_key, 1);
	c.fdt = blob;
	expect_changed(&c, "a guestinfo key less");
	c = base();
	assert_int_equal(cpu_profile_named("armv8.0", &c.cpu_profile), 0);
	expect_changed(&c, "the CPU profile");
	measure_vm(&c, x);
	c.cpu_profile.id[CPU_ID_AA64ISAR0_EL1] ^= 1UL << 20; /* a field of a named profile */
	measure_vm(&c, y);
	assert_memory_not_equal(x, y, sizeof(x));
	/* "host" configured is what no cpu-profile gives. */
	c = base();
	assert_int_equal(cpu_profile_named("host", &c.cpu_profile), 0);
	measure_vm(&c, x);
	c = base();
	measure_vm(&c, y);
	assert_memory_equal(x, y, sizeof(x));
	assert_int_equal(CPU_ID_REG_COUNT, 39);	    /* as docs/enclaves.md says */
	assert_int_equal(MEASURE_PROFILE_LEN, 432); /* likewise */
}

static void test_host_side_items_do_not_count(void **state)
{
	static const char *const ba[] = { "color", "deep blue", "role", "web" };
	struct vm_config a = base(), b = base();
	unsigned char x[32], y[32];

	(void)state;
	measure_vm(&a, x);
	snprintf(b.name, sizeof(b.name), "elsewhere");
	b.cpu = -1;
	b.guestinfo_node = guestinfo_blob(blob_ba, sizeof(blob_ba), ba, 2);
	b.fdt = blob_ba;
	measure_vm(&b, y);
	assert_memory_equal(x, y, sizeof(x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_every_item_counts),
		cmocka_unit_test(test_host_side_items_do_not_count),
	};

	return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
