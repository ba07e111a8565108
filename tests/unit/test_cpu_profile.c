// SPDX-License-Identifier: MIT
/*
 * CPU profiles: the field arithmetic, the named baselines against the
 * documented values (docs/migration.md, "CPU profiles"), features and fields
 * changed, the check a host and a migration destination make, and what the
 * trapped registers read. The hosts are QEMU 7.2's "max" and "cortex-a72" as
 * a guest read them with nothing trapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpu_profile.h"
#include "core/sysreg.h"

static void host_max(struct host_cpu *h)
{
	memset(h, 0, sizeof(*h));
	h->midr = 0x000f0510;
	h->id[CPU_ID_PFR0_EL1] = 0x11020131;
	h->id[CPU_ID_PFR1_EL1] = 0x10011001;
	h->id[CPU_ID_PFR2_EL1] = 0x11;
	h->id[CPU_ID_DFR0_EL1] = 0x06010009;
	h->id[CPU_ID_MMFR0_EL1] = 0x10101105;
	h->id[CPU_ID_MMFR1_EL1] = 0x40000000;
	h->id[CPU_ID_MMFR2_EL1] = 0x01260000;
	h->id[CPU_ID_MMFR3_EL1] = 0x02122211;
	h->id[CPU_ID_MMFR4_EL1] = 0x00011110;
	h->id[CPU_ID_MMFR5_EL1] = 0x1;
	h->id[CPU_ID_ISAR0_EL1] = 0x02101110;
	h->id[CPU_ID_ISAR1_EL1] = 0x13112111;
	h->id[CPU_ID_ISAR2_EL1] = 0x21232042;
	h->id[CPU_ID_ISAR3_EL1] = 0x01112131;
	h->id[CPU_ID_ISAR4_EL1] = 0x00011142;
	h->id[CPU_ID_ISAR5_EL1] = 0x11011121;
	h->id[CPU_ID_ISAR6_EL1] = 0x01111111;
	h->id[CPU_MVFR0_EL1] = 0x10110222;
	h->id[CPU_MVFR1_EL1] = 0x13211111;
	h->id[CPU_MVFR2_EL1] = 0x43;
	h->id[CPU_ID_AA64PFR0_EL1] = 0x1201001121110222UL;
	h->id[CPU_ID_AA64PFR1_EL1] = 0x0000000001000021UL;
	h->id[CPU_ID_AA64ZFR0_EL1] = 0x0110110100110021UL;
	h->id[CPU_ID_AA64SMFR0_EL1] = 0x80f100fd00000000UL;
	h->id[CPU_ID_AA64DFR0_EL1] = 0x0000000010305609UL;
	h->id[CPU_ID_AA64ISAR0_EL1] = 0x1221111110212120UL;
	h->id[CPU_ID_AA64ISAR1_EL1] = 0x0011111101211012UL;
	h->id[CPU_ID_AA64MMFR0_EL1] = 0x0000032310201126UL;
	h->id[CPU_ID_AA64MMFR1_EL1] = 0x0000011010211122UL;
	h->id[CPU_ID_AA64MMFR2_EL1] = 0x1021011010011011UL;
	h->id[CPU_CTR_EL0] = 0x8444c004;
	h->id[CPU_CLIDR_EL1] = 0x02000023;
	h->id[CPU_DCZID_EL0] = 0x4;
}

static void host_a72(struct host_cpu *h)
{
	memset(h, 0, sizeof(*h));
	h->midr = 0x410fd083;
	h->id[CPU_ID_PFR0_EL1] = 0x131;
	h->id[CPU_ID_PFR1_EL1] = 0x10011001;
	h->id[CPU_ID_DFR0_EL1] = 0x03010006;
	h->id[CPU_ID_MMFR0_EL1] = 0x10201105;
	h->id[CPU_ID_MMFR1_EL1] = 0x40000000;
	h->id[CPU_ID_MMFR2_EL1] = 0x01260000;
	h->id[CPU_ID_MMFR3_EL1] = 0x02102211;
	h->id[CPU_ID_ISAR0_EL1] = 0x02101110;
	h->id[CPU_ID_ISAR1_EL1] = 0x13112111;
	h->id[CPU_ID_ISAR2_EL1] = 0x21232042;
	h->id[CPU_ID_ISAR3_EL1] = 0x01112131;
	h->id[CPU_ID_ISAR4_EL1] = 0x00011142;
	h->id[CPU_ID_ISAR5_EL1] = 0x00011121;
	h->id[CPU_MVFR0_EL1] = 0x10110222;
	h->id[CPU_MVFR1_EL1] = 0x12111111;
	h->id[CPU_MVFR2_EL1] = 0x43;
	h->id[CPU_ID_AA64PFR0_EL1] = 0x01000222;
	h->id[CPU_ID_AA64DFR0_EL1] = 0x10305106;
	h->id[CPU_ID_AA64ISAR0_EL1] = 0x11120;
	h->id[CPU_ID_AA64MMFR0_EL1] = 0x1124;
	h->id[CPU_CTR_EL0] = 0x8444c004;
	h->id[CPU_CLIDR_EL1] = 0x0a200023;
	h->id[CPU_DCZID_EL0] = 0x4;
}

/* "armv8.0" as docs/migration.md lists it, on a host with a GICv3 (the GIC fields 1). */
static const struct {
	enum cpu_id_reg reg;
	uint64_t value;
} armv8_0[] = {
	{ CPU_ID_AA64ISAR0_EL1, 0x11120 },
	{ CPU_ID_AA64ISAR1_EL1, 0 },
	{ CPU_ID_AA64ISAR2_EL1, 0 },
	{ CPU_ID_AA64PFR0_EL1, 0x01000012 },
	{ CPU_ID_AA64PFR1_EL1, 0 },
	{ CPU_ID_AA64ZFR0_EL1, 0 },
	{ CPU_ID_AA64SMFR0_EL1, 0 },
	{ CPU_ID_AA64MMFR0_EL1, 0x1124 },
	{ CPU_ID_AA64MMFR1_EL1, 0 },
	{ CPU_ID_AA64MMFR2_EL1, 0 },
	{ CPU_ID_AA64DFR0_EL1, 0x10305106 },
	{ CPU_ID_PFR0_EL1, 0x131 },
	{ CPU_ID_PFR1_EL1, 0x10010001 },
	{ CPU_ID_DFR0_EL1, 0x03000006 },
	{ CPU_ID_MMFR0_EL1, 0x10101105 },
	{ CPU_ID_MMFR1_EL1, 0x40000000 },
	{ CPU_ID_MMFR2_EL1, 0x01260000 },
	{ CPU_ID_MMFR3_EL1, 0x02102211 },
	{ CPU_ID_MMFR4_EL1, 0 },
	{ CPU_ID_ISAR0_EL1, 0x02101110 },
	{ CPU_ID_ISAR1_EL1, 0x13112111 },
	{ CPU_ID_ISAR2_EL1, 0x21232042 },
	{ CPU_ID_ISAR3_EL1, 0x01112131 },
	{ CPU_ID_ISAR4_EL1, 0x00011142 },
	{ CPU_ID_ISAR5_EL1, 0x00011121 },
	{ CPU_ID_ISAR6_EL1, 0 },
	{ CPU_MVFR0_EL1, 0x10110222 },
	{ CPU_MVFR1_EL1, 0x12111111 },
	{ CPU_MVFR2_EL1, 0x43 },
	{ CPU_CTR_EL0, 0x84448004 },
	{ CPU_CLIDR_EL1, 0x0a200023 },
};

static struct cpu_profile named(const char *name)
{
	struct cpu_profile p;

	assert_int_equal(cpu_profile_named(name, &p), 0);
	return p;
}

/* Checks @p on @h; returns the refusal (empty if none). */
static const char *check(const struct cpu_profile *p, const struct host_cpu *h)
{
	static char why[200];

	why[0] = 0;
	if (cpu_profile_check(p, h, why, sizeof(why)))
		assert_true(why[0]);
	else
		assert_string_equal(why, "");
	return why;
}

static void expect_refusal(const struct cpu_profile *p, const struct host_cpu *h, const char *start)
{
	const char *why = check(p, h);

	if (strncmp(why, start, strlen(start)))
		fail_msg("refusal \"%s\" does not start with \"%s\"", why, start);
}

static const struct cpu_field *field(const char *name)
{
	const struct cpu_field *f = cpu_field_find(name);

	assert_non_null(f);
	return f;
}

static void test_field_directions(void **state)
{
	const struct cpu_field *atomic = field("ID_AA64ISAR0_EL1.Atomic");
	const struct cpu_field *fp = field("ID_AA64PFR0_EL1.FP");
	const struct cpu_field *loc = field("CLIDR_EL1.LoC");
	const struct cpu_field *cwg = field("CTR_EL0.CWG");
	const struct cpu_field *apa = field("ID_AA64ISAR1_EL1.APA");
	const struct cpu_field *l1ip = field("CTR_EL0.L1Ip");
	const struct cpu_field *gic = field("ID_AA64PFR0_EL1.GIC");
	const struct cpu_field *ctype = field("CLIDR_EL1.Ctype");

	(void)state;
	/* Unsigned: a lower value is a subset. */
	assert_true(cpu_field_acceptable(atomic, 0, 2));
	assert_true(cpu_field_acceptable(atomic, 2, 2));
	assert_false(cpu_field_acceptable(atomic, 2, 0));
	assert_int_equal(cpu_field_capped(atomic, 2, 0), 0);
	/* Signed: 0xf (absent) < 0 (FP) < 1 (FP and half precision). */
	assert_true(cpu_field_acceptable(fp, 0xf, 0));
	assert_true(cpu_field_acceptable(fp, 0, 1));
	assert_false(cpu_field_acceptable(fp, 0, 0xf));
	assert_false(cpu_field_acceptable(fp, 1, 0));
	assert_int_equal(cpu_field_capped(fp, 1, 0xf), 0xf);
	/* Levels to maintain to: more is safe. */
	assert_true(cpu_field_acceptable(loc, 3, 2));
	assert_false(cpu_field_acceptable(loc, 1, 2));
	assert_int_equal(cpu_field_capped(loc, 1, 2), 2);
	/* Granules: larger is safe, 0 ("not known") safest, and nothing is above a host's 0. */
	assert_true(cpu_field_acceptable(cwg, 0, 4));
	assert_true(cpu_field_acceptable(cwg, 5, 4));
	assert_false(cpu_field_acceptable(cwg, 3, 4));
	assert_false(cpu_field_acceptable(cwg, 4, 0));
	assert_int_equal(cpu_field_capped(cwg, 4, 0), 0);
	/* Exact: the host's or the safe value (no PAuth; a VIPT instruction cache). */
	assert_true(cpu_field_acceptable(apa, 1, 1));
	assert_true(cpu_field_acceptable(apa, 0, 1));
	assert_false(cpu_field_acceptable(apa, 1, 2));
	assert_int_equal(cpu_field_capped(apa, 1, 2), 0);
	assert_true(cpu_field_acceptable(l1ip, 2, 3));
	assert_false(cpu_field_acceptable(l1ip, 3, 2));
	/* The host's GIC, whatever the profile; the profile's cache types, whatever the host. */
	assert_true(cpu_field_acceptable(gic, 0, 1));
	assert_int_equal(cpu_field_capped(gic, 0, 1), 1);
	assert_true(cpu_field_acceptable(ctype, 0x23, 0x3));
	assert_int_equal(cpu_field_capped(ctype, 0x23, 0x3), 0x23);
}

static void test_field_names(void **state)
{
	(void)state;
	assert_ptr_equal(cpu_field_find("id_aa64isar0_el1.atomic"),
			 cpu_field_find("ID_AA64ISAR0_EL1.Atomic"));
	assert_null(cpu_field_find("ID_AA64ISAR0_EL1.Atom"));
	assert_null(cpu_field_find("ID_AA64ISAR0_EL1.Atomics"));
	assert_null(cpu_field_find("ID_AA64ISAR0.Atomic"));
	assert_null(cpu_field_find("Atomic"));
	assert_string_equal(cpu_id_reg_name(CPU_ID_AA64MMFR2_EL1), "ID_AA64MMFR2_EL1");
	assert_int_equal(cpu_id_reg_encoding(CPU_CTR_EL0), SYS_ENC(3, 3, 0, 0, 1));
	assert_int_equal(cpu_id_reg_encoding(CPU_ID_AA64ISAR0_EL1), SYS_ENC(3, 0, 0, 6, 0));
}

static void test_unknown_profile_name(void **state)
{
	struct cpu_profile p;

	(void)state;
	assert_int_equal(cpu_profile_named("armv9.0", &p), -1);
	assert_int_equal(cpu_profile_named("", &p), -1);
	assert_non_null(strstr(cpu_profile_names(), "\"armv8.0\""));
}

/* The documented armv8.0 values are what a VM sees, on either host, and the same on both. */
static void test_armv8_0_is_the_same_on_both_hosts(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu max, a72;
	struct cpu_view vmax, va72;
	uint64_t v;

	(void)state;
	host_max(&max);
	host_a72(&a72);
	assert_string_equal(check(&p, &max), "");
	assert_string_equal(check(&p, &a72), "");
	cpu_view_init(&vmax, &p, &max);
	cpu_view_init(&va72, &p, &a72);
	for (size_t i = 0; i < sizeof(armv8_0) / sizeof(armv8_0[0]); i++) {
		if (vmax.id[armv8_0[i].reg] != armv8_0[i].value)
			fail_msg("%s on max: 0x%lx, documented 0x%lx",
				 cpu_id_reg_name(armv8_0[i].reg),
				 (unsigned long)vmax.id[armv8_0[i].reg],
				 (unsigned long)armv8_0[i].value);
	}
	assert_memory_equal(vmax.id, va72.id, sizeof(vmax.id));
	assert_memory_equal(vmax.ccsidr, va72.ccsidr, sizeof(vmax.ccsidr));
	assert_int_equal(vmax.midr, 0x000f0800);
	assert_int_equal(va72.midr, 0x000f0800);
	/* Caches: 32 KiB 2-way L1 D, 48 KiB 3-way L1 I, 2 MiB 16-way L2, 64-byte lines. */
	assert_true(cpu_view_read(&vmax, SYS_ENC(3, 1, 0, 0, 0), 0, &v));
	assert_int_equal(v, 0x701fe00a);
	assert_true(cpu_view_read(&vmax, SYS_ENC(3, 1, 0, 0, 0), 1, &v));
	assert_int_equal(v, 0x201fe012);
	assert_true(cpu_view_read(&vmax, SYS_ENC(3, 1, 0, 0, 0), 2, &v));
	assert_int_equal(v, 0x70ffe07a);
	assert_true(cpu_view_read(&vmax, SYS_ENC(3, 1, 0, 0, 0), 4, &v));
	assert_int_equal(v, 0); /* no level 3 */
	/* What max has and the profile hides: trapped where it can be. */
	assert_true(vmax.trapped && vmax.no_sve && vmax.no_pauth && !vmax.no_dc_zva);
	/* The Cortex-A72 has neither SVE nor PAuth: nothing to take away. */
	assert_true(va72.trapped && !va72.no_sve && va72.no_pauth && !va72.no_dc_zva);
}

/*
 * Every named profile, on a host that has exactly its values: accepted, and
 * shown as written (so the table holds no value Skiff would hide anyway, and
 * what docs/migration.md lists is what a VM sees).
 */
static void test_named_profiles_are_shown_as_written(void **state)
{
	static const char *const names[] = { "armv8.0", "armv8.2" };

	(void)state;
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		struct cpu_profile p = named(names[n]);
		struct host_cpu h;
		struct cpu_view v;

		memset(&h, 0, sizeof(h));
		memcpy(h.id, p.id, sizeof(h.id));
		h.midr = 0x410fd0c1;
		assert_string_equal(check(&p, &h), "");
		cpu_view_init(&v, &p, &h);
		for (unsigned int r = 0; r < CPU_ID_REG_COUNT; r++) {
			if (v.id[r] != p.id[r])
				fail_msg("%s: %s is 0x%lx in the table, shown as 0x%lx", names[n],
					 cpu_id_reg_name(r), (unsigned long)p.id[r],
					 (unsigned long)v.id[r]);
		}
		assert_int_equal(v.midr, p.midr);
		assert_memory_equal(v.ccsidr, p.ccsidr, sizeof(v.ccsidr));
	}
}

static void test_armv8_2(void **state)
{
	struct cpu_profile p = named("armv8.2");
	struct host_cpu max, a72;
	struct cpu_view v;

	(void)state;
	host_max(&max);
	host_a72(&a72);
	assert_string_equal(check(&p, &max), "");
	cpu_view_init(&v, &p, &max);
	assert_int_equal(v.midr, 0x000f0820);
	assert_int_equal(v.id[CPU_ID_AA64ISAR0_EL1], 0x0000100010211120UL);
	assert_int_equal(v.id[CPU_ID_AA64ISAR1_EL1], 0x0000000000100001UL);
	assert_int_equal(v.id[CPU_ID_AA64PFR0_EL1], 0x1100000001110012UL);
	assert_int_equal(v.id[CPU_ID_AA64MMFR1_EL1], 0x0000000000101000UL);
	assert_true(v.no_sve && v.no_pauth);
	/* The Cortex-A72 is an Armv8.0 CPU: the first field missing is named, with both values. */
	expect_refusal(&p, &a72,
		       "needs FEAT_LSE (ID_AA64ISAR0_EL1.Atomic 2), this host has 0 (and ");
}

static void test_features_and_fields(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu max, a72;
	struct cpu_view v;
	char why[200];

	(void)state;
	host_max(&max);
	host_a72(&a72);
	assert_int_equal(cpu_profile_set_feature(&p, "lse", true, why, sizeof(why)), 0);
	assert_int_equal(cpu_profile_set_feature(&p, "sve", true, why, sizeof(why)), 0);
	assert_int_equal(cpu_profile_set_field(&p, "ID_AA64ISAR0_EL1.DP", 1, why, sizeof(why)), 0);
	assert_int_equal(cpu_profile_set_feature(&p, "crc32", false, why, sizeof(why)), 0);
	assert_string_equal(check(&p, &max), "");
	cpu_view_init(&v, &p, &max);
	assert_int_equal(v.id[CPU_ID_AA64ISAR0_EL1], 0x0000100000201120UL);
	assert_int_equal(v.id[CPU_ID_ISAR5_EL1], 0x00001121); /* CRC32 gone from AArch32 too */
	assert_int_equal((v.id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf, 1);
	assert_false(v.no_sve);
	/* SVE's own features stay what the profile says: none beyond SVE itself. */
	assert_int_equal(v.id[CPU_ID_AA64ZFR0_EL1], 0);
	expect_refusal(&p, &a72, "needs FEAT_LSE (ID_AA64ISAR0_EL1.Atomic 2), this host has 0");
	/* Lowering a field of a named profile is always accepted. */
	p = named("armv8.0");
	assert_int_equal(cpu_profile_set_field(&p, "ID_AA64MMFR0_EL1.PARange", 2, why, sizeof(why)),
			 0);
	assert_int_equal(cpu_profile_set_feature(&p, "aarch32-el0", false, why, sizeof(why)), 0);
	assert_string_equal(check(&p, &a72), "");
	cpu_view_init(&v, &p, &a72);
	assert_int_equal(v.id[CPU_ID_AA64MMFR0_EL1], 0x1122);
	assert_int_equal(v.id[CPU_ID_AA64PFR0_EL1] & 0xff, 0x11);
}

static void test_bad_changes(void **state)
{
	struct cpu_profile p = named("armv8.0"), host = named("host");
	char why[200];

	(void)state;
	assert_int_equal(cpu_profile_set_feature(&p, "lse2", true, why, sizeof(why)), -1);
	assert_string_equal(why, "unknown feature 'lse2' (docs/config.md lists them)");
	assert_int_equal(cpu_profile_set_field(&p, "ID_AA64ISAR0_EL1.Nope", 1, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "unknown field 'ID_AA64ISAR0_EL1.Nope'"));
	assert_int_equal(cpu_profile_set_field(&p, "ID_AA64ISAR0_EL1.Atomic", 16, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "ID_AA64ISAR0_EL1.Atomic is a 4-bit field: 16 does not fit");
	assert_int_equal(cpu_profile_set_field(&p, "ID_AA64PFR0_EL1.GIC", 1, why, sizeof(why)), -1);
	assert_string_equal(why, "ID_AA64PFR0_EL1.GIC is not Skiff's to offer a VM with a profile");
	assert_int_equal(cpu_profile_set_feature(&host, "lse", true, why, sizeof(why)), -1);
	assert_string_equal(why, "the \"host\" profile takes no changes");
	/* Nothing changed by the refused changes. */
	{
		struct cpu_profile fresh = named("armv8.0");

		assert_memory_equal(p.id, fresh.id, sizeof(p.id));
	}
}

/* A field no one asked for by name: the ID scheme's default (lower is safe), named by bits. */
static void test_unnamed_field_refusal(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu a72;

	(void)state;
	host_a72(&a72);
	p.id[CPU_ID_ISAR3_EL1] += 1UL << 28; /* ID_ISAR3_EL1.T32EE: 1, the host 0 */
	expect_refusal(&p, &a72, "needs ID_ISAR3_EL1 bits [31:28] 1, this host has 0");
}

static void test_pauth_from_the_host(void **state)
{
	struct cpu_profile p = named("armv8.2");
	struct host_cpu max, other;
	struct cpu_view v;
	char why[200];

	(void)state;
	host_max(&max);
	assert_int_equal(cpu_profile_set_feature(&p, "pauth", true, why, sizeof(why)), 0);
	/* Not resolved yet: no host would know which algorithm it promised. */
	expect_refusal(&p, &max, "was never resolved against a host");
	cpu_profile_resolve(&p, &max);
	assert_string_equal(check(&p, &max), "");
	cpu_view_init(&v, &p, &max);
	assert_false(v.no_pauth);
	assert_int_equal(v.id[CPU_ID_AA64ISAR1_EL1] & 0xff000ff0UL, 0x01000010UL); /* APA, GPA */
	/* A destination whose PAuth uses another algorithm cannot take it. */
	other = max;
	other.id[CPU_ID_AA64ISAR1_EL1] &= ~0xff000ff0UL;
	other.id[CPU_ID_AA64ISAR1_EL1] |= 0x10000100UL; /* API, GPI: IMPLEMENTATION DEFINED */
	expect_refusal(&p, &other, "needs FEAT_PAuth (ID_AA64ISAR1_EL1.APA 1), this host has 0");
}

static void test_dc_zva(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu h;
	struct cpu_view v;
	char why[200];

	(void)state;
	host_max(&h);
	h.id[CPU_DCZID_EL0] = 0x5; /* 128-byte blocks */
	expect_refusal(&p, &h, "needs DC ZVA block size (DCZID_EL0.BS 4), this host has 5");
	assert_int_equal(cpu_profile_set_field(&p, "DCZID_EL0.DZP", 1, why, sizeof(why)), 0);
	assert_string_equal(check(&p, &h), "");
	cpu_view_init(&v, &p, &h);
	assert_true(v.no_dc_zva);
	assert_int_equal(v.id[CPU_DCZID_EL0], 0x15); /* what the VM reads: the host's BS, DZP */
	/* Prohibited where the host's DC ZVA is prohibited too: nothing for Skiff to do. */
	h.id[CPU_DCZID_EL0] = 0x14;
	p = named("armv8.0");
	expect_refusal(&p, &h, "needs DC ZVA (DCZID_EL0.DZP 0), this host has 1");
}

static void test_cache_claims(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu h;
	char why[200];

	(void)state;
	host_a72(&h);
	h.id[CPU_CTR_EL0] = 0x8444c003; /* 32-byte instruction cache lines */
	expect_refusal(&p, &h,
		       "needs instruction cache line size (CTR_EL0.IminLine 4), this host has 3");
	host_a72(&h);
	h.id[CPU_CLIDR_EL1] = 0x0b200023; /* coherence only at level 3 */
	expect_refusal(&p, &h, "needs the point of coherence (CLIDR_EL1.LoC 2), this host has 3");
	host_a72(&h);
	assert_int_equal(cpu_profile_set_field(&p, "CTR_EL0.IDC", 1, why, sizeof(why)), 0);
	expect_refusal(&p, &h,
		       "needs data-to-instruction coherence (CTR_EL0.IDC 1), this host has 0");
}

/* "host": nothing traps, and it moves only to a host with at least as much. */
static void test_host_profile(void **state)
{
	struct cpu_profile p = named("host");
	struct host_cpu max, a72;
	struct cpu_view v;
	uint64_t val;

	(void)state;
	host_max(&max);
	host_a72(&a72);
	cpu_profile_resolve(&p, &a72);
	assert_int_equal(p.midr, a72.midr);
	assert_string_equal(check(&p, &a72), "");
	cpu_view_init(&v, &p, &a72);
	assert_false(v.trapped || v.no_sve || v.no_pauth || v.no_dc_zva);
	/* A host profile made on max does not fit a Cortex-A72 (a migration's check). */
	p = named("host");
	cpu_profile_resolve(&p, &max);
	expect_refusal(&p, &a72, "needs FEAT_LSE (ID_AA64ISAR0_EL1.Atomic 2), this host has 0");
	/* The view still answers, should a register trap anyway. */
	assert_true(cpu_view_read(&v, SYS_ENC(3, 0, 0, 6, 0), 0, &val));
	assert_int_equal(val, a72.id[CPU_ID_AA64ISAR0_EL1]);
}

/* A profile from the link is not trusted: version, name, flags, and what it may show. */
static void test_profile_from_elsewhere(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu max;
	struct cpu_view v;

	(void)state;
	host_max(&max);
	p.version = 2;
	expect_refusal(&p, &max, "is a version 2 profile; this Skiff knows version 1");
	p = named("armv8.0");
	memset(p.name, 'x', sizeof(p.name));
	expect_refusal(&p, &max, "has a name of more than 31 characters");
	p = named("armv8.0");
	p.flags = 0x80;
	expect_refusal(&p, &max, "has flags 0x80 this Skiff does not know");
	/* Fields Skiff never shows stay hidden whatever a profile holds. */
	p = named("armv8.0");
	p.id[CPU_ID_AA64PFR0_EL1] |= 0x0000000000002200UL; /* EL2 and EL3 */
	p.id[CPU_ID_AA64SMFR0_EL1] = max.id[CPU_ID_AA64SMFR0_EL1];
	p.id[CPU_ID_AA64PFR1_EL1] = max.id[CPU_ID_AA64PFR1_EL1]; /* BT, SSBS and SME */
	cpu_view_init(&v, &p, &max);
	assert_int_equal(v.id[CPU_ID_AA64PFR0_EL1], 0x01000012);
	assert_int_equal(v.id[CPU_ID_AA64SMFR0_EL1], 0);
	assert_int_equal(v.id[CPU_ID_AA64PFR1_EL1], 0x21);
}

static void test_view_reads(void **state)
{
	struct cpu_profile p = named("armv8.0");
	struct host_cpu max;
	struct cpu_view v;
	uint64_t val = 0x5a5a;

	(void)state;
	host_max(&max);
	max.revidr = 0x7;
	cpu_view_init(&v, &p, &max);
	assert_true(cpu_view_read(&v, SYS_ENC(3, 0, 0, 6, 0), 0, &val));
	assert_int_equal(val, 0x11120);
	assert_true(cpu_view_read(&v, SYS_ENC(3, 3, 0, 0, 1), 0, &val)); /* CTR_EL0 */
	assert_int_equal(val, 0x84448004);
	assert_true(cpu_view_read(&v, SYS_ENC(3, 1, 0, 0, 1), 0, &val)); /* CLIDR_EL1 */
	assert_int_equal(val, 0x0a200023);
	assert_true(cpu_view_read(&v, SYS_ENC(3, 0, 0, 0, 6), 0, &val)); /* REVIDR_EL1 */
	assert_int_equal(val, 0);					 /* the profile's */
	assert_true(cpu_view_read(&v, SYS_ENC(3, 1, 0, 0, 7), 0, &val)); /* AIDR_EL1 */
	assert_int_equal(val, 0);
	/* Reserved and newer encodings of the ID space read as zero. */
	val = 1;
	assert_true(cpu_view_read(&v, SYS_ENC(3, 0, 0, 3, 3), 0, &val));
	assert_int_equal(val, 0);
	val = 1;
	assert_true(cpu_view_read(&v, SYS_ENC(3, 0, 0, 7, 3), 0, &val)); /* ID_AA64MMFR3_EL1 */
	assert_int_equal(val, 0);
	/* CCSIDR_EL1 by CSSELR_EL1, whose TnD bit does not change the answer. */
	assert_true(cpu_view_read(&v, SYS_ENC(3, 1, 0, 0, 0), 0x11, &val));
	assert_int_equal(val, 0x201fe012);
	/* Not the view's: MIDR (VPIDR_EL2 answers), MPIDR, SCTLR_EL1, CSSELR_EL1 itself. */
	assert_false(cpu_view_read(&v, SYS_ENC(3, 0, 0, 0, 0), 0, &val));
	assert_false(cpu_view_read(&v, SYS_ENC(3, 0, 0, 0, 5), 0, &val));
	assert_false(cpu_view_read(&v, SYS_ENC(3, 0, 1, 0, 0), 0, &val));
	assert_false(cpu_view_read(&v, SYS_ENC(3, 2, 0, 0, 0), 0, &val));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_directions),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_unknown_profile_name),
		cmocka_unit_test(test_armv8_0_is_the_same_on_both_hosts),
		cmocka_unit_test(test_named_profiles_are_shown_as_written),
		cmocka_unit_test(test_armv8_2),
		cmocka_unit_test(test_features_and_fields),
		cmocka_unit_test(test_bad_changes),
		cmocka_unit_test(test_unnamed_field_refusal),
		cmocka_unit_test(test_pauth_from_the_host),
		cmocka_unit_test(test_dc_zva),
		cmocka_unit_test(test_cache_claims),
		cmocka_unit_test(test_host_profile),
		cmocka_unit_test(test_profile_from_elsewhere),
		cmocka_unit_test(test_view_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
