// SPDX-License-Identifier: MIT
/* The VM configuration parser, on blobs compiled by the real dtc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include "core/config.h"
#include "enclave_fixture.h"

/* Appends @s to the string in @buf (of @size bytes), cutting it short if it does not fit. */
static void append(char *buf, size_t size, const char *s)
{
	size_t used = strlen(buf);

	snprintf(buf + used, size - used, "%s", s);
}

static unsigned char blob[1 << 16];
static size_t blob_len;

/* Compiles @dts with dtc (from a pipe) into the static blob. */
static void compile(const char *dts)
{
	char cmd[] = "dtc -q -I dts -O dtb -o /tmp/skiff-test-config.dtb -";
	FILE *p = popen(cmd, "w");
	FILE *f;

	assert_non_null(p);
	fputs(dts, p);
	assert_int_equal(pclose(p), 0);
	f = fopen("/tmp/skiff-test-config.dtb", "rb");
	assert_non_null(f);
	blob_len = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	remove("/tmp/skiff-test-config.dtb");
}

#define HEAD "/dts-v1/; / { "

static void test_full_vm(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "when-idle = \"poweroff\"; vms { linux { memory-size = /bits/ 64 <0x8000000>;"
		     " vcpus = <2>; cpu = <1>; kernel = [01 02 03 04]; kernel-format = \"raw\";"
		     " bootargs = \"console=ttyAMA0\"; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.when_idle, WHEN_IDLE_POWEROFF);
	assert_false(cfg.migrate_accept); /* VMs from other hosts only when it says so */
	assert_int_equal(cfg.nvms, 1);
	assert_string_equal(cfg.vms[0].name, "linux");
	assert_string_equal(cfg.vms[0].error, "");
	assert_int_equal(cfg.vms[0].memory_size, 0x8000000);
	assert_int_equal(cfg.vms[0].vcpus, 2);
	assert_int_equal(cfg.vms[0].cpu, 1);
	assert_int_equal(cfg.vms[0].kernel_size, 4);
	assert_memory_equal(cfg.vms[0].kernel, "\x01\x02\x03\x04", 4);
	assert_int_equal(cfg.vms[0].kernel_format, KERNEL_RAW);
	assert_string_equal(cfg.vms[0].bootargs, "console=ttyAMA0");
}

static void test_defaults_and_image_detection(void **state)
{
	struct config cfg;
	char err[160] = "";
	char dts[1024];
	char magic[200] = "";
	int i;

	(void)state;
	/* A 64-byte kernel with the arm64 Image magic "ARM\x64" at offset 56. */
	for (i = 0; i < 56; i++)
		append(magic, sizeof(magic), "00 ");
	append(magic, sizeof(magic), "41 52 4d 64 00 00 00 00");
	snprintf(dts, sizeof(dts),
		 HEAD "vms { a { memory-size = <0x100000>; kernel = [%s]; }; }; };", magic);
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.when_idle, WHEN_IDLE_WAIT);
	assert_int_equal(cfg.vms[0].vcpus, 1);
	assert_int_equal(cfg.vms[0].cpu, -1);
	assert_int_equal(cfg.vms[0].memory_size, 0x100000);
	assert_int_equal(cfg.vms[0].kernel_format, KERNEL_IMAGE);
	assert_null(cfg.vms[0].bootargs);
}

static void expect_vm_error(const char *vmprops, const char *substring)
{
	struct config cfg;
	char err[160] = "";
	char dts[1024];

	snprintf(dts, sizeof(dts),
		 HEAD "vms { bad { %s }; good { memory-size = <0x100000>; "
		      "kernel = [00]; }; }; };",
		 vmprops);
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nvms, 2);
	if (!strstr(cfg.vms[0].error, substring))
		fail_msg("error \"%s\" does not contain \"%s\"", cfg.vms[0].error, substring);
	assert_string_equal(cfg.vms[1].error, ""); /* the other VM is unaffected */
}

static void test_vm_errors(void **state)
{
	(void)state;
	expect_vm_error("kernel = [00];", "no 'memory-size' property");
	expect_vm_error("memory-size = [01 02 03]; kernel = [00];", "one or two cells");
	expect_vm_error("memory-size = <0x1001>; kernel = [00];", "multiple of 4 KiB");
	expect_vm_error("memory-size = <0x1000>; kernel = [00];", "at least 256 KiB");
	expect_vm_error("memory-size = <0x100000>;", "no 'kernel' property");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; vcpus = <0>;",
			"'vcpus' must be one cell between 1 and 8");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; vcpus = <9>;", "between 1 and 8");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu = <1000>;",
			"'cpu' must be one cell");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; kernel-format = \"elf\";",
			"'kernel-format' must be");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; kernel-format = \"image\";",
			"is not an arm64 Image");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; acpi = \"yes\";",
			"'acpi' must be \"on\" or \"off\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; enclave = \"yes\";",
			"'enclave' must be \"on\" or \"off\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; enclave = <1>;",
			"'enclave' must be \"on\" or \"off\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; counter-frequency = <25000000>;"
			" counter-mode = \"ecv\";",
			"'counter-mode' must be \"auto\", \"sysreg\" or \"mmio\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; counter-mode = \"mmio\";",
			"'counter-mode' needs 'counter-frequency'");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; counter-frequency = <25000000>;"
			" counter-mode = \"mmio\"; acpi = \"on\";",
			"counter-mode = \"mmio\" needs a device tree");
}

static void test_counter_modes(void **state)
{
	static const char *const modes[] = { "", "counter-mode = \"auto\";",
					     "counter-mode = \"sysreg\";",
					     "counter-mode = \"mmio\";" };
	static const enum counter_mode want[] = { COUNTER_MODE_AUTO, COUNTER_MODE_AUTO,
						  COUNTER_MODE_SYSREG, COUNTER_MODE_MMIO };
	struct config cfg;
	char err[160] = "";
	char dts[512];

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		snprintf(dts, sizeof(dts),
			 HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; "
			      "counter-frequency = <25000000>; %s }; }; };",
			 modes[i]);
		compile(dts);
		assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
		assert_string_equal(cfg.vms[0].error, "");
		assert_int_equal(cfg.vms[0].counter_hz, 25000000);
		assert_int_equal(cfg.vms[0].counter_mode, want[i]);
	}
}

/*
 * A guestinfo property without a name is refused by the configuration: the RPCI
 * store would refuse it when the VM starts (logged as a full table).
 */
static void test_guestinfo_property_without_a_name(void **state)
{
	struct config cfg;
	char err[160] = "";
	int node;

	(void)state;
	compile(HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; "
		     "guestinfo { k = \"v\"; }; }; }; };");
	assert_int_equal(fdt_open_into(blob, blob, sizeof(blob)), 0);
	node = fdt_path_offset(blob, "/vms/a/guestinfo");
	assert_int_equal(fdt_setprop_string(blob, node, "", "no name"), 0);
	assert_int_equal(fdt_pack(blob), 0);
	blob_len = fdt_totalsize(blob);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	if (!strstr(cfg.vms[0].error, "guestinfo: a property has an empty name"))
		fail_msg("error \"%s\"", cfg.vms[0].error);
}

static void test_enclave_flag(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "vms { e { memory-size = <0x100000>; kernel = [00]; enclave = \"on\"; }; "
		     "o { memory-size = <0x100000>; kernel = [00]; enclave = \"off\"; }; "
		     "d { memory-size = <0x100000>; kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nvms, 3);
	assert_true(cfg.vms[0].enclave);
	assert_false(cfg.vms[1].enclave);
	assert_false(cfg.vms[2].enclave);
	assert_null(cfg.attestation_key);
}

static void test_cache_maintenance(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "vms { g { memory-size = <0x100000>; kernel = [00]; "
		     "cache-maintenance = \"guest\"; }; "
		     "w { memory-size = <0x100000>; kernel = [00]; cache-maintenance = \"w^x\"; }; "
		     "d { memory-size = <0x100000>; kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nvms, 3);
	assert_true(cfg.vms[0].guest_maintains_code);
	assert_false(cfg.vms[1].guest_maintains_code);
	assert_false(cfg.vms[2].guest_maintains_code);
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cache-maintenance = \"off\";",
			"'cache-maintenance' must be \"w^x\" or \"guest\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cache-maintenance = <1>;",
			"'cache-maintenance' must be \"w^x\" or \"guest\"");
}

#define KEY_HEX "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
/* The order of P-256, n: the first scalar out of range. */
#define P256_N	       "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
#define P256_N_MINUS_1 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"

static void expect_key_error(const char *key_prop, const char *substring)
{
	char dts[512];
	struct config cfg;
	char err[160] = "";

	snprintf(dts, sizeof(dts),
		 HEAD "attestation-key = %s; vms { a { memory-size = <0x100000>; kernel = [00]; "
		      "}; }; };",
		 key_prop);
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, substring))
		fail_msg("error \"%s\" does not contain \"%s\"", err, substring);
	assert_null(cfg.attestation_key);
}

static void test_attestation_key(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "attestation-key = \"" KEY_HEX "\"; vms { a { memory-size = <0x100000>; "
		     "kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.attestation_key, KEY_HEX);
	compile(HEAD "attestation-key = \"" P256_N_MINUS_1 "\"; vms { a { "
		     "memory-size = <0x100000>; kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);

	expect_key_error("\"" P256_N "\"", "'attestation-key' is not a P-256 private key");
	expect_key_error("\"0000000000000000000000000000000000000000000000000000000000000000\"",
			 "not a P-256 private key: zero");
	expect_key_error("\"c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f672\"",
			 "'attestation-key' must be 64 hexadecimal digits");
	expect_key_error("\"" KEY_HEX "0\"", "must be 64 hexadecimal digits");
	expect_key_error("\"g9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721\"",
			 "must be 64 hexadecimal digits");
	expect_key_error("<1>", "must be 64 hexadecimal digits");
	/* A message never carries the key, which would put it in the log. */
	expect_key_error("\"" KEY_HEX "00\"", "'attestation-key' must be");
	{
		char err2[160] = "";

		config_parse(blob, blob_len, &cfg, err2, sizeof(err2));
		assert_null(strstr(err2, "c9afa9d8"));
	}
}

/*
 * dtc refuses a property given twice, but a blob can hold one (libfdt's sequential
 * writer adds what it is given): a guestinfo key twice is refused, since the
 * measurement and the guest would each see another value.
 */
/* Writes a policy (the fixture's, owner RFC 6979's key) to a file for /incbin/; its path. */
static const char *policy_file(bool corrupt)
{
	static char path[64];
	unsigned char sk[ATTEST_SCALAR_LEN];
	struct attest_key owner;
	struct migration_policy p;
	uint8_t enc[POLICY_MAX_LEN];
	size_t n;
	FILE *f;

	assert_int_equal(attest_scalar_from_hex(FIXTURE_OWNER_KEY, sk), ATTEST_KEY_OK);
	assert_int_equal(attest_key_from_scalar(&owner, sk), 0);
	fixture_policy(&p, owner.pub, owner.id);
	n = policy_encode(&p, POLICY_ALL_FIELDS, sk, enc, sizeof(enc));
	assert_true(n);
	if (corrupt)
		enc[8 + 4 + 65 + 5 + 4] ^= 1; /* policy-svn: only the signature tells */
	snprintf(path, sizeof(path), "/tmp/skiff-test-policy-%d.bin", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(enc, 1, n, f), n);
	fclose(f);
	return path;
}

static void test_migration_policy(void **state)
{
	unsigned char sk[ATTEST_SCALAR_LEN];
	struct attest_key owner;
	struct config cfg;
	char err[200] = "", dts[1024];
	const char *path = policy_file(false);

	(void)state;
	snprintf(dts, sizeof(dts),
		 HEAD "host-class = \"fleet-b\"; migration-min-policy-svn = <3>; vms { a { "
		      "memory-size = <0x100000>; kernel = [00]; enclave = \"on\"; "
		      "migration-policy = /incbin/(\"%s\"); }; b { memory-size = <0x100000>; "
		      "kernel = [00]; }; }; };",
		 path);
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.host_class, "fleet-b");
	assert_int_equal(cfg.min_policy_svn, 3);
	assert_string_equal(cfg.vms[0].error, "");
	assert_non_null(cfg.vms[0].policy);
	assert_int_equal(cfg.vms[0].policy_size, 8 + 592 + 64);
	assert_memory_equal(cfg.vms[0].policy, "SKMP", 4);
	/* The owner's identity, measured: SHA-256 of the public key that signed it. */
	assert_int_equal(attest_scalar_from_hex(FIXTURE_OWNER_KEY, sk), ATTEST_KEY_OK);
	assert_int_equal(attest_key_from_scalar(&owner, sk), 0);
	assert_memory_equal(cfg.vms[0].policy_owner, owner.id, sizeof(owner.id));
	assert_null(cfg.vms[1].policy);
	assert_string_equal(cfg.host_class + 0, "fleet-b");
	/* Not an enclave; a policy whose signature fails. */
	snprintf(dts, sizeof(dts),
		 "memory-size = <0x100000>; kernel = [00]; migration-policy = /incbin/(\"%s\");",
		 path);
	expect_vm_error(dts, "'migration-policy' is for enclaves (enclave = \"on\")");
	path = policy_file(true);
	snprintf(dts, sizeof(dts),
		 "memory-size = <0x100000>; kernel = [00]; enclave = \"on\"; "
		 "migration-policy = /incbin/(\"%s\");",
		 path);
	expect_vm_error(dts, "'migration-policy' refused: signature: it does not verify under "
			     "the owner-key the policy names");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; enclave = \"on\"; "
			"migration-policy = [53 4b 4d 50 01 00];",
			"'migration-policy' refused: 6 bytes; a policy's header alone has 8");
	remove(path);
	/* The host's side. */
	compile(HEAD "host-class = \"a b\"; vms { a { memory-size = <0x100000>; kernel = [00]; }; "
		     "}; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "config: 'host-class' must be a string of 1-31 of [A-Za-z0-9._-]");
	compile(HEAD "migration-min-policy-svn = <1 2 3>; vms { a { memory-size = <0x100000>; "
		     "kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "config: 'migration-min-policy-svn' must be one cell");
}

static void test_guestinfo_given_twice(void **state)
{
	static char fdt[4096];
	struct config cfg;
	char err[160] = "";

	(void)state;
	assert_int_equal(fdt_create(fdt, sizeof(fdt)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_begin_node(fdt, "vms"), 0);
	assert_int_equal(fdt_begin_node(fdt, "a"), 0);
	assert_int_equal(fdt_property_u32(fdt, "memory-size", 0x100000), 0);
	assert_int_equal(fdt_property(fdt, "kernel", "", 1), 0);
	assert_int_equal(fdt_begin_node(fdt, "guestinfo"), 0);
	assert_int_equal(fdt_property_string(fdt, "role", "web"), 0);
	assert_int_equal(fdt_property_string(fdt, "zone", "1"), 0);
	assert_int_equal(fdt_property_string(fdt, "role", "db"), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	assert_int_equal(config_parse(fdt, fdt_totalsize(fdt), &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.vms[0].error, "guestinfo: 'role' is given twice");
}

static void test_duplicate_and_long_names(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; }; "
		     "a@1 { memory-size = <0x100000>; kernel = [00]; }; "
		     "averyveryveryverylongnamethatistoolong { memory-size = <0x100000>; "
		     "kernel = [00]; }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.nvms, 3);
	assert_string_equal(cfg.vms[1].error, "");
	assert_non_null(strstr(cfg.vms[2].error, "longer than 31"));
}

/* The one VM of a configuration whose VM node holds @props (besides memory and kernel). */
static const struct vm_config *one_vm(struct config *cfg, const char *props)
{
	char err[160] = "";
	char dts[1024];

	snprintf(dts, sizeof(dts),
		 HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; %s }; }; };", props);
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->nvms, 1);
	if (cfg->vms[0].error[0])
		fail_msg("unexpected error \"%s\"", cfg->vms[0].error);
	return &cfg->vms[0];
}

static void test_cpu_profile(void **state)
{
	struct config cfg;
	const struct vm_config *vm;

	(void)state;
	/* None: "host", the hardware as it is. */
	vm = one_vm(&cfg, "");
	assert_string_equal(vm->cpu_profile.name, "host");
	assert_true(vm->cpu_profile.flags & CPU_PROFILE_HOST);
	vm = one_vm(&cfg, "cpu-profile = \"armv8.0\";");
	assert_string_equal(vm->cpu_profile.name, "armv8.0");
	assert_false(vm->cpu_profile.flags & CPU_PROFILE_HOST);
	assert_int_equal(vm->cpu_profile.midr, 0x000f0800);
	assert_int_equal(vm->cpu_profile.id[CPU_ID_AA64ISAR0_EL1], 0x11120);
	/* A node: a base, then features, fields (any case), MIDR/REVIDR, a name of its own. */
	vm = one_vm(&cfg, "cpu-profile { base = \"armv8.0\"; lse = \"on\"; crc32 = \"off\"; "
			  "id_aa64isar0_el1.dp = <1>; DCZID_EL0.DZP = <1>; "
			  "midr = <0x410fd083>; revidr = <2>; };");
	assert_string_equal(vm->cpu_profile.name, "armv8.0+");
	assert_int_equal(vm->cpu_profile.id[CPU_ID_AA64ISAR0_EL1], 0x0000100000201120UL);
	assert_int_equal(vm->cpu_profile.id[CPU_DCZID_EL0], 0x14);
	assert_int_equal(vm->cpu_profile.midr, 0x410fd083);
	assert_int_equal(vm->cpu_profile.revidr, 2);
	vm = one_vm(&cfg, "cpu-profile { base = \"armv8.2\"; profile-name = \"fleet-2024\"; sve = "
			  "\"on\"; };");
	assert_string_equal(vm->cpu_profile.name, "fleet-2024");
	assert_int_equal((vm->cpu_profile.id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf, 1);
	vm = one_vm(&cfg, "cpu-profile { base = \"armv8.2\"; pauth = \"on\"; };");
	assert_true(vm->cpu_profile.flags & CPU_PROFILE_HOST_PAUTH);
}

static void test_cpu_profile_errors(void **state)
{
	(void)state;
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu-profile = \"armv9\";",
			"cpu-profile \"armv9\" is not one Skiff knows (\"host\", \"armv8.0\", "
			"\"armv8.2\")");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu-profile = <1>;",
			"'cpu-profile' must be a string or a node");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu-profile = \"armv8.0\"; "
			"cpu-profile { base = \"armv8.0\"; };",
			"'cpu-profile' is both a property and a node");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu-profile { lse = \"on\"; };",
			"cpu-profile: no 'base'");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"host\"; lse = \"on\"; };",
			"cpu-profile: base \"host\" takes no changes");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"armv8.0\"; lse = \"yes\"; };",
			"cpu-profile: 'lse' must be \"on\" or \"off\"");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"armv8.0\"; lse2 = \"on\"; };",
			"cpu-profile: unknown feature 'lse2'");
	expect_vm_error(
		"memory-size = <0x100000>; kernel = [00]; "
		"cpu-profile { base = \"armv8.0\"; ID_AA64ISAR0_EL1.Atomic = /bits/ 8 <2>; };",
		"cpu-profile: 'ID_AA64ISAR0_EL1.Atomic' must be one cell");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"armv8.0\"; ID_AA64ISAR0_EL1.Atomic = <16>; };",
			"cpu-profile: ID_AA64ISAR0_EL1.Atomic is a 4-bit field: 16 does not fit");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"armv8.0\"; ID_AA64ISAR0_EL1.Nope = <1>; };",
			"cpu-profile: unknown field 'ID_AA64ISAR0_EL1.Nope'");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; "
			"cpu-profile { base = \"armv8.0\"; midr = /bits/ 64 <1>; };",
			"cpu-profile: 'midr' and 'revidr' are one cell each");
	expect_vm_error("memory-size = <0x100000>; kernel = [00]; cpu-profile { base = "
			"\"armv8.0\"; profile-name = \"a-name-of-thirty-two-characters!\"; };",
			"cpu-profile: 'profile-name' must be 1 to 31 characters");
}

static void expect_blob_error(const char *substring)
{
	struct config cfg;
	char err[160] = "";

	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, substring))
		fail_msg("error \"%s\" does not contain \"%s\"", err, substring);
}

static void test_migrate_accept(void **state)
{
	struct config cfg;
	char err[160] = "";

	(void)state;
	compile(HEAD "migrate-accept = \"on\"; vms { a { memory-size = <0x100000>; kernel = [00];"
		     " }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.migrate_accept);
	compile(HEAD "migrate-accept = \"off\"; vms { a { memory-size = <0x100000>; kernel = [00];"
		     " }; }; };");
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
	assert_false(cfg.migrate_accept);
}

static void test_blob_errors(void **state)
{
	(void)state;
	compile(HEAD "};");
	expect_blob_error("no /vms node");
	compile(HEAD "vms { }; };");
	expect_blob_error("/vms has no VM nodes");
	compile(HEAD "when-idle = \"later\"; vms { a { }; }; };");
	expect_blob_error("'when-idle' is \"later\"");
	compile(HEAD "migrate-accept = \"yes\"; vms { a { }; }; };");
	expect_blob_error("'migrate-accept' is \"yes\"; expected \"on\" or \"off\"");
	compile(HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; }; }; };");
	blob_len /= 2; /* truncated */
	expect_blob_error("not a complete device tree");
	memset(blob, 0x5a, 64);
	blob_len = 64;
	expect_blob_error("not a complete device tree");
	blob_len = 10;
	expect_blob_error("not a complete device tree");
}

/* libfdt's full check dereferences NULL on a tree older than version 16: refused before. */
static void test_old_blob_version_is_refused(void **state)
{
	uint32_t version = __builtin_bswap32(15), compatible = __builtin_bswap32(2);

	(void)state;
	compile(HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; }; }; };");
	memcpy(blob + 20, &version, 4);	   /* the header's version */
	memcpy(blob + 24, &compatible, 4); /* and the oldest it is compatible with */
	expect_blob_error("device tree version 15");
}

/* A property 12 bytes long less 12: libfdt 1.6's full check would walk on the spot forever. */
static void test_property_length_wrapping_is_refused(void **state)
{
	uint32_t wrap = __builtin_bswap32(0xfffffff4);
	int prop;

	(void)state;
	compile(HEAD "vms { a { memory-size = <0x100000>; kernel = [00]; }; }; };");
	prop = fdt_first_property_offset(blob, fdt_path_offset(blob, "/vms/a"));
	assert_true(prop > 0);
	memcpy(blob + fdt_off_dt_struct(blob) + prop + 4, &wrap, 4); /* its length */
	expect_blob_error("not a valid device tree blob (FDT_ERR_BADSTRUCTURE)");
}

static void test_too_many_vms(void **state)
{
	char dts[4096] = HEAD "vms { ";
	struct config cfg;
	char err[160];
	int i;

	(void)state;
	for (i = 0; i < CONFIG_MAX_VMS + 1; i++) {
		char node[80];

		snprintf(node, sizeof(node), "v%d { memory-size = <0x100000>; kernel = [00]; }; ",
			 i);
		append(dts, sizeof(dts), node);
	}
	append(dts, sizeof(dts), "}; };");
	compile(dts);
	assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 8 VMs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_vm),
		cmocka_unit_test(test_defaults_and_image_detection),
		cmocka_unit_test(test_vm_errors),
		cmocka_unit_test(test_guestinfo_property_without_a_name),
		cmocka_unit_test(test_counter_modes),
		cmocka_unit_test(test_enclave_flag),
		cmocka_unit_test(test_cache_maintenance),
		cmocka_unit_test(test_attestation_key),
		cmocka_unit_test(test_guestinfo_given_twice),
		cmocka_unit_test(test_migration_policy),
		cmocka_unit_test(test_duplicate_and_long_names),
		cmocka_unit_test(test_migrate_accept),
		cmocka_unit_test(test_blob_errors),
		cmocka_unit_test(test_old_blob_version_is_refused),
		cmocka_unit_test(test_property_length_wrapping_is_refused),
		cmocka_unit_test(test_too_many_vms),
		cmocka_unit_test(test_cpu_profile),
		cmocka_unit_test(test_cpu_profile_errors),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
