// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <libfdt.h>
#include <string.h>

#include "enclave/measure.h"

static void put_le(unsigned char *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One field: its 4-character tag, its length (u64), then @len bytes of @value. */
static void field(br_sha256_context *h, const char tag[4], const void *value, uint64_t len)
{
	unsigned char head[12];

	memcpy(head, tag, 4);
	put_le(head + 4, len, 8);
	br_sha256_update(h, head, sizeof(head));
	br_sha256_update(h, value, len);
}

static void field_uint(br_sha256_context *h, const char tag[4], uint64_t v, unsigned int bytes)
{
	unsigned char b[8];

	put_le(b, v, bytes);
	field(h, tag, b, bytes);
}

/* A length-prefixed string inside a field's value: u32 length, then its bytes. */
static void counted(br_sha256_context *h, const void *s, size_t len)
{
	unsigned char n[4];

	put_le(n, len, 4);
	br_sha256_update(h, n, sizeof(n));
	br_sha256_update(h, s, len);
}

/*
 * The guestinfo property after @after in byte order of names (the first one when
 * @after is NULL), or -1. The configuration refuses a name given twice, so this
 * visits each one once.
 */
static int next_guestinfo(const struct vm_config *c, const char *after, const char **name)
{
	int prop, best = -1;

	*name = NULL;
	fdt_for_each_property_offset(prop, c->fdt, c->guestinfo_node)
	{
		const char *n;

		if (!fdt_getprop_by_offset(c->fdt, prop, &n, NULL))
			continue;
		if ((!after || strcmp(n, after) > 0) && (!*name || strcmp(n, *name) < 0)) {
			*name = n;
			best = prop;
		}
	}
	return best;
}

/*
 * "ginf": u32 count, then per key in byte order of names: the name and the value
 * (without its NUL), each counted. The value's length is known before hashing
 * starts, so the field is written in two passes: lengths, then bytes.
 */
static void guestinfo_field(br_sha256_context *h, const struct vm_config *c)
{
	const char *name = NULL;
	uint64_t count = 0, len = 4;
	unsigned char head[12], n[4];
	int prop;

	if (c->guestinfo_node >= 0)
		for (prop = next_guestinfo(c, NULL, &name); prop >= 0;
		     prop = next_guestinfo(c, name, &name)) {
			int vlen;

			fdt_getprop_by_offset(c->fdt, prop, NULL, &vlen);
			count++;
			len += 4 + strlen(name) + 4 + (uint64_t)(vlen > 0 ? vlen - 1 : 0);
		}
	memcpy(head, "ginf", 4);
	put_le(head + 4, len, 8);
	br_sha256_update(h, head, sizeof(head));
	put_le(n, count, 4);
	br_sha256_update(h, n, sizeof(n));
	if (c->guestinfo_node < 0)
		return;
	for (prop = next_guestinfo(c, NULL, &name); prop >= 0;
	     prop = next_guestinfo(c, name, &name)) {
		int vlen;
		const char *v = fdt_getprop_by_offset(c->fdt, prop, NULL, &vlen);

		counted(h, name, strlen(name));
		counted(h, v, vlen > 0 ? (size_t)vlen - 1 : 0);
	}
}

void measure_profile_encode(const struct cpu_profile *prof, unsigned char out[MEASURE_PROFILE_LEN])
{
	unsigned char *p = out;

	put_le(p, prof->version, 4);
	p += 4;
	memset(p, 0, CPU_PROFILE_NAME_MAX);
	memcpy(p, prof->name, strnlen(prof->name, CPU_PROFILE_NAME_MAX - 1));
	p += CPU_PROFILE_NAME_MAX;
	put_le(p, prof->flags, 4);
	p += 4;
	put_le(p, prof->midr, 8);
	put_le(p + 8, prof->revidr, 8);
	put_le(p + 16, prof->aidr, 8);
	p += 24;
	for (unsigned int i = 0; i < CPU_ID_REG_COUNT; i++, p += 8)
		put_le(p, prof->id[i], 8);
	for (unsigned int i = 0; i < CPU_CACHE_SELECTORS; i++, p += 4)
		put_le(p, prof->ccsidr[i], 4);
}

/* "prof": the profile as configured, in the order the migration sends it (docs/migration.md). */
static void profile_field(br_sha256_context *h, const struct vm_config *c)
{
	unsigned char b[MEASURE_PROFILE_LEN];
	struct cpu_profile prof = c->cpu_profile;

	if (!prof.version) /* no cpu-profile: "host", as vm.c starts it */
		cpu_profile_named("host", &prof);
	measure_profile_encode(&prof, b);
	field(h, "prof", b, sizeof(b));
}

void measure_vm(const struct vm_config *c, unsigned char out[TOKEN_MEASUREMENT_LEN])
{
	const unsigned char bools[] = { c->backdoor, c->backdoor_el0_tdcc };
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, MEASURE_DOMAIN, MEASURE_DOMAIN_LEN);
	profile_field(&h, c);
	field_uint(&h, "encl", c->enclave, 1);
	field_uint(&h, "kfmt", c->kernel_format == KERNEL_IMAGE, 1);
	field(&h, "kern", c->kernel, c->kernel_size);
	field(&h, "intr", c->initrd ? c->initrd : "", c->initrd ? c->initrd_size : 0);
	field_uint(&h, "mem ", c->memory_size, 8);
	field_uint(&h, "vcpu", c->vcpus, 4);
	field_uint(&h, "cntf", c->counter_hz, 8);
	field_uint(&h, "cmod", c->counter_mode, 1);
	if (c->bootargs) {
		/* Present: 1, then the text; absent: 0 alone (the guest sees the difference). */
		unsigned char head[12], one = 1;
		size_t n = strlen(c->bootargs);

		memcpy(head, "args", 4);
		put_le(head + 4, n + 1, 8);
		br_sha256_update(&h, head, sizeof(head));
		br_sha256_update(&h, &one, 1);
		br_sha256_update(&h, c->bootargs, n);
	} else {
		field_uint(&h, "args", 0, 1);
	}
	field_uint(&h, "acpi", c->acpi, 1);
	field(&h, "bdor", bools, sizeof(bools));
	guestinfo_field(&h, c);
	/*
	 * Whose migration policy governs it: another owner's policy put into the
	 * configuration (the host operator can) changes what tokens say.
	 */
	field(&h, "ownr", c->policy_owner, c->policy ? sizeof(c->policy_owner) : 0);
	br_sha256_out(&h, out);
}
