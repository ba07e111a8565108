// SPDX-License-Identifier: MIT
/*
 * CPU profiles (core/cpu_profile.c) as a migration destination meets them: a
 * profile from elsewhere, checked against a host, and the view a VM is given.
 *
 * Input: u8 base (0 "host", 1 "armv8.0", 2 "armv8.2", else the raw bytes of a
 * struct cpu_profile follow); u8 host (even: the host has the profile's own
 * registers; odd: the raw bytes of a struct host_cpu follow); then changes of
 * three bytes: u8 which (bit 7: the host's registers, else the profile's; the
 * rest: the register, modulo their count), u8 nibble (modulo 16), u8 value
 * (its low 4 bits).
 *
 * Checks: a refusal says why; the view never shows a VM more than the host
 * has (each named field in its own order, every other 4-bit field lower or
 * equal), nor EL2, EL3, SME or MTE; SVE's own features go with SVE; an
 * accepted profile is shown as it is, but for the host's GIC (and SVE's
 * features without SVE); every register the view answers reads without fault.
 */
#include "core/cpu_profile.h"
#include "core/sysreg.h"
#include "fuzz.h"

static uint64_t field_bits(const struct cpu_field *f)
{
	return (f->width >= 64 ? ~0UL : (1UL << f->width) - 1) << f->shift;
}

static uint64_t field_value(const struct cpu_field *f, uint64_t reg)
{
	return (reg & field_bits(f)) >> f->shift;
}

static void apply_changes(struct fuzz_in *in, struct cpu_profile *p, struct host_cpu *h)
{
	while (fuzz_more(in)) {
		uint8_t which = fuzz_u8(in);
		unsigned int nibble = fuzz_u8(in) % 16;
		uint64_t value = fuzz_u8(in) & 0xf;
		uint64_t *reg = which & 0x80 ? &h->id[(which & 0x7f) % CPU_ID_REG_COUNT]
					     : &p->id[(which & 0x7f) % CPU_ID_REG_COUNT];

		*reg = (*reg & ~(0xfUL << (4 * nibble))) | (value << (4 * nibble));
	}
}

/* Every field the view shows is one the host can give, in that field's order. */
static void check_within_host(const struct cpu_view *v, const struct host_cpu *h)
{
	size_t n;
	const struct cpu_field *f = cpu_fields(&n);
	uint64_t named[CPU_ID_REG_COUNT] = { 0 };

	for (size_t i = 0; i < n; i++) {
		uint64_t shown = field_value(&f[i], v->id[f[i].reg]);
		uint64_t has = field_value(&f[i], h->id[f[i].reg]);

		named[f[i].reg] |= field_bits(&f[i]);
		FUZZ_CHECK(cpu_field_acceptable(&f[i], shown, has), "%s.%s shown %lu, host %lu",
			   cpu_id_reg_name(f[i].reg), f[i].name, (unsigned long)shown,
			   (unsigned long)has);
	}
	for (unsigned int r = 0; r < CPU_ID_REG_COUNT; r++) {
		for (unsigned int lo = 0; lo < 64; lo += 4) {
			uint64_t shown = (v->id[r] >> lo) & 0xf, has = (h->id[r] >> lo) & 0xf;

			if (named[r] & (0xfUL << lo))
				continue;
			FUZZ_CHECK(shown <= has, "%s bits [%u:%u] shown %lu, host %lu",
				   cpu_id_reg_name(r), lo + 3, lo, (unsigned long)shown,
				   (unsigned long)has);
		}
	}
}

static void check_hidden(const struct cpu_view *v)
{
	uint64_t pfr0 = v->id[CPU_ID_AA64PFR0_EL1], pfr1 = v->id[CPU_ID_AA64PFR1_EL1];

	FUZZ_CHECK(!(pfr0 & 0xff00), "EL2/EL3 shown: ID_AA64PFR0_EL1 0x%lx", (unsigned long)pfr0);
	FUZZ_CHECK(!(pfr1 & 0x0f000f00) && !v->id[CPU_ID_AA64SMFR0_EL1],
		   "SME or MTE shown: ID_AA64PFR1_EL1 0x%lx", (unsigned long)pfr1);
	FUZZ_CHECK((pfr0 >> 32) & 0xf || !v->id[CPU_ID_AA64ZFR0_EL1],
		   "ID_AA64ZFR0_EL1 0x%lx without SVE", (unsigned long)v->id[CPU_ID_AA64ZFR0_EL1]);
	FUZZ_CHECK(!v->no_sve || !((pfr0 >> 32) & 0xf), "SVE both shown and trapped");
}

/* An accepted profile is what the VM sees: every named field but the host's own. */
static void check_as_profile(const struct cpu_view *v, const struct cpu_profile *p)
{
	size_t n;
	const struct cpu_field *f = cpu_fields(&n);

	for (size_t i = 0; i < n; i++) {
		uint64_t shown = field_value(&f[i], v->id[f[i].reg]);
		uint64_t want = field_value(&f[i], p->id[f[i].reg]);

		if (f[i].kind == CPU_FIELD_HOST || f[i].reg == CPU_DCZID_EL0)
			continue; /* DCZID_EL0 does not trap: the view is what the hardware says */
		if (f[i].reg == CPU_ID_AA64ZFR0_EL1 && !((p->id[CPU_ID_AA64PFR0_EL1] >> 32) & 0xf))
			continue; /* SVE's features without SVE: not shown */
		FUZZ_CHECK(shown == want, "%s.%s shown %lu, the profile's %lu",
			   cpu_id_reg_name(f[i].reg), f[i].name, (unsigned long)shown,
			   (unsigned long)want);
	}
	FUZZ_CHECK(v->midr == p->midr, "MIDR 0x%lx, the profile's 0x%lx", (unsigned long)v->midr,
		   (unsigned long)p->midr);
}

static void read_everything(const struct cpu_view *v, uint64_t csselr)
{
	uint64_t val;

	for (unsigned int crm = 0; crm < 8; crm++)
		for (unsigned int op2 = 0; op2 < 8; op2++)
			(void)cpu_view_read(v, SYS_ENC(3, 0, 0, crm, op2), csselr, &val);
	(void)cpu_view_read(v, SYS_ENC(3, 1, 0, 0, 0), csselr, &val); /* CCSIDR_EL1 */
	(void)cpu_view_read(v, SYS_ENC(3, 1, 0, 0, 1), csselr, &val);
	(void)cpu_view_read(v, SYS_ENC(3, 3, 0, 0, 1), csselr, &val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "host", "armv8.0", "armv8.2" };
	struct fuzz_in in = { data, size };
	struct cpu_profile p;
	struct host_cpu h;
	struct cpu_view v;
	char why[160];
	uint8_t base = fuzz_u8(&in), host = fuzz_u8(&in);
	int refused;

	if (base < 3)
		FUZZ_CHECK(!cpu_profile_named(names[base], &p), "%s unknown", names[base]);
	else
		fuzz_bytes(&in, &p, sizeof(p));
	memset(&h, 0, sizeof(h));
	if (host & 1)
		fuzz_bytes(&in, &h, sizeof(h));
	else
		memcpy(h.id, p.id, sizeof(h.id));
	apply_changes(&in, &p, &h);
	cpu_profile_resolve(&p, &h);
	why[0] = 0;
	refused = cpu_profile_check(&p, &h, why, sizeof(why));
	FUZZ_CHECK(fuzz_terminated(why, sizeof(why)), "reason not terminated");
	FUZZ_CHECK(refused ? why[0] != 0 : why[0] == 0, "refused %d, reason \"%s\"", refused, why);
	if (refused)
		return 0;
	cpu_view_init(&v, &p, &h);
	if (v.trapped) {
		check_within_host(&v, &h);
		check_hidden(&v);
		check_as_profile(&v, &p);
	}
	read_everything(&v, size ? data[0] : 0);
	return 0;
}
