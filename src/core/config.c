// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <libfdt.h>
#include <string.h>

#include "core/config.h"
#include "enclave/policy.h"
#include "enclave/token.h"
#include "hypercall/rpci.h"
#include "platform/dt.h"
#include "lib/format.h"

#define VCPUS_MAX	 8
#define MEMORY_MIN	 (256UL << 10) /* room for an image and the 64 KiB device tree */
#define IMAGE_MAGIC_OFF	 56
#define IMAGE_MAGIC	 0x644d5241U /* "ARM\x64" */
#define IMAGE_HEADER_LEN 64

static int prop_u64(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 1; /* absent */
	if (len == 4)
		*out = fdt32_to_cpu(p[0]);
	else if (len == 8)
		*out = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	else
		return -1;
	return 0;
}

static const char *prop_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	/* Only a NUL-terminated property is a string. */
	if (!s || len < 1 || s[len - 1] != '\0')
		return 0;
	return s;
}

static int vm_error(struct vm_config *vm, const char *what)
{
	format(vm->error, sizeof(vm->error), "%s", what);
	return -1;
}

static int parse_kernel(const void *fdt, int node, struct vm_config *vm)
{
	int len;
	const void *k = fdt_getprop(fdt, node, "kernel", &len);
	const char *fmt = prop_string(fdt, node, "kernel-format");
	uint32_t magic = 0;

	if (!k || len <= 0)
		return vm_error(vm,
				"no 'kernel' property (the image, e.g. /incbin/(\"guest.bin\"))");
	vm->kernel = k;
	vm->kernel_size = (size_t)len;
	if (len >= IMAGE_HEADER_LEN)
		memcpy(&magic, (const char *)k + IMAGE_MAGIC_OFF, sizeof(magic));
	if (!fmt)
		vm->kernel_format = magic == IMAGE_MAGIC ? KERNEL_IMAGE : KERNEL_RAW;
	else if (!strcmp(fmt, "raw"))
		vm->kernel_format = KERNEL_RAW;
	else if (!strcmp(fmt, "image"))
		vm->kernel_format = KERNEL_IMAGE;
	else
		return vm_error(vm, "'kernel-format' must be \"raw\" or \"image\"");
	if (vm->kernel_format == KERNEL_IMAGE && magic != IMAGE_MAGIC)
		return vm_error(vm,
				"'kernel' is not an arm64 Image (no ARM\\x64 magic at offset 56)");
	return 0;
}

/* acpi = "on" | "off" (the default): ACPI tables for the guest instead of a device tree. */
static int parse_acpi(const void *fdt, int node, struct vm_config *vm)
{
	const char *a = prop_string(fdt, node, "acpi");

	vm->acpi = a && !strcmp(a, "on");
	if (a && !vm->acpi && strcmp(a, "off"))
		return vm_error(vm, "'acpi' must be \"on\" or \"off\"");
	return 0;
}

/*
 * A property of two values, @chosen or @other (the default when absent): *out
 * says whether it is @chosen. False when it is present and neither, or not a
 * string at all (an error, never taken for the default).
 */
static bool prop_pick(const void *fdt, int node, const char *name, const char *chosen,
		      const char *other, bool *out)
{
	const char *v = prop_string(fdt, node, name);

	*out = v && !strcmp(v, chosen);
	return *out || (v && !strcmp(v, other)) || !fdt_getprop(fdt, node, name, NULL);
}

/* enclave = "on" | "off" (the default): docs/enclaves.md. */
static int parse_enclave(const void *fdt, int node, struct vm_config *vm)
{
	/* Present but not a string is an error, not "off": an enclave fails closed. */
	if (!prop_pick(fdt, node, "enclave", "on", "off", &vm->enclave))
		return vm_error(vm, "'enclave' must be \"on\" or \"off\"");
	return 0;
}

/* The identity of the key that signed @pol: SHA-256 of its public point. */
static void owner_id(const struct migration_policy *pol, unsigned char id[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, pol->owner_key, sizeof(pol->owner_key));
	br_sha256_out(&h, id);
}

/*
 * migration-policy = /incbin/("policy.bin"): an owner-signed policy
 * (docs/enclaves.md), for an enclave only, refused whole when anything in it is
 * wrong, its signature included.
 */
static int parse_policy(const void *fdt, int node, struct vm_config *vm)
{
	struct migration_policy pol;
	char why[200];
	int len;

	vm->policy = fdt_getprop(fdt, node, "migration-policy", &len);
	if (!vm->policy)
		return 0;
	vm->policy_size = len > 0 ? (size_t)len : 0;
	if (!vm->enclave) {
		vm->policy = NULL;
		return vm_error(vm, "'migration-policy' is for enclaves (enclave = \"on\")");
	}
	if (policy_decode(vm->policy, vm->policy_size, &pol, why, sizeof(why))) {
		vm->policy = NULL;
		format(vm->error, sizeof(vm->error), "'migration-policy' refused: %s", why);
		return -1;
	}
	owner_id(&pol, vm->policy_owner);
	return 0;
}

/* True when a property before @prop in the guestinfo node has the name @name. */
static bool guestinfo_repeats(const void *fdt, int info, int prop, const char *name)
{
	int other;

	fdt_for_each_property_offset(other, fdt, info)
	{
		const char *n;

		if (other == prop)
			return false;
		if (fdt_getprop_by_offset(fdt, other, &n, NULL) && !strcmp(n, name))
			return true;
	}
	return false;
}

/* cache-maintenance = "w^x" (the default) | "guest": docs/memory.md. */
static int parse_cache_maintenance(const void *fdt, int node, struct vm_config *vm)
{
	if (!prop_pick(fdt, node, "cache-maintenance", "guest", "w^x", &vm->guest_maintains_code))
		return vm_error(vm, "'cache-maintenance' must be \"w^x\" or \"guest\"");
	return 0;
}

/* backdoor = "on" | "off", and the guestinfo subnode of string properties. */
static int parse_backdoor(const void *fdt, int node, struct vm_config *vm)
{
	const char *b = prop_string(fdt, node, "backdoor");
	const char *el0 = prop_string(fdt, node, "backdoor-el0");
	int info = fdt_subnode_offset(fdt, node, "guestinfo"), prop;

	vm->backdoor = !b || !strcmp(b, "on");
	if (b && !vm->backdoor && strcmp(b, "off"))
		return vm_error(vm, "'backdoor' must be \"on\" or \"off\"");
	vm->backdoor_el0_tdcc = el0 && !strcmp(el0, "tdcc");
	if (el0 && !vm->backdoor_el0_tdcc && strcmp(el0, "on"))
		return vm_error(vm, "'backdoor-el0' must be \"on\" or \"tdcc\"");
	vm->fdt = fdt;
	vm->guestinfo_node = info >= 0 ? info : -1;
	if (info < 0)
		return 0;
	fdt_for_each_property_offset(prop, fdt, info)
	{
		const char *name = NULL, *val;
		int len;

		val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		if (!name || !*name)
			return vm_error(vm, "guestinfo: a property has an empty name");
		if (!val || len < 1 || val[len - 1] || strlen(name) >= GUESTINFO_KEY_MAX ||
		    len > GUESTINFO_VALUE_MAX) {
			format(vm->error, sizeof(vm->error),
			       "guestinfo: '%.40s' must be a string of at most 255 bytes with a "
			       "name of at most 63",
			       name);
			return -1;
		}
		/* A blob dtc did not write may repeat one: which value would count? */
		if (guestinfo_repeats(fdt, info, prop, name)) {
			format(vm->error, sizeof(vm->error), "guestinfo: '%.40s' is given twice",
			       name);
			return -1;
		}
	}
	return 0;
}

/* A changed profile: one property of the cpu-profile node (not "base" or "profile-name"). */
static int profile_change(const void *fdt, int prop, struct vm_config *vm)
{
	struct cpu_profile *p = &vm->cpu_profile;
	const char *name;
	int len;
	const char *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
	const fdt32_t *cell = (const fdt32_t *)val;
	char why[sizeof(vm->error) - 16];

	if (!strcmp(name, "base") || !strcmp(name, "profile-name"))
		return 0;
	if (!strcmp(name, "midr") || !strcmp(name, "revidr")) {
		if (len != 4)
			return vm_error(vm, "cpu-profile: 'midr' and 'revidr' are one cell each");
		*(!strcmp(name, "midr") ? &p->midr : &p->revidr) = fdt32_to_cpu(cell[0]);
		return 0;
	}
	if (strchr(name, '.')) {
		if (len != 4)
			format(why, sizeof(why), "'%s' must be one cell", name);
		if (len != 4 ||
		    cpu_profile_set_field(p, name, fdt32_to_cpu(cell[0]), why, sizeof(why)))
			goto bad;
		return 0;
	}
	if (len < 1 || val[len - 1] || (strcmp(val, "on") && strcmp(val, "off"))) {
		format(why, sizeof(why), "'%s' must be \"on\" or \"off\"", name);
		goto bad;
	}
	if (!cpu_profile_set_feature(p, name, !strcmp(val, "on"), why, sizeof(why)))
		return 0;
bad:
	format(vm->error, sizeof(vm->error), "cpu-profile: %s", why);
	return -1;
}

/*
 * cpu-profile = "NAME", or a cpu-profile node: base = "NAME", then features
 * ("lse" = "on"), fields (ID_AA64ISAR0_EL1.Atomic = <2>), midr, revidr and
 * profile-name ("name" would be the node's own name to dtc).
 */
static int parse_cpu_profile(const void *fdt, int node, struct vm_config *vm)
{
	const char *s = prop_string(fdt, node, "cpu-profile");
	int sub = fdt_subnode_offset(fdt, node, "cpu-profile"), prop;
	const char *base, *name;

	if (!s && fdt_getprop(fdt, node, "cpu-profile", NULL))
		return vm_error(vm, "'cpu-profile' must be a string or a node");
	if (s && sub >= 0)
		return vm_error(vm, "'cpu-profile' is both a property and a node: one of them");
	base = sub >= 0 ? prop_string(fdt, sub, "base") : (s ? s : "host");
	if (!base)
		return vm_error(vm, "cpu-profile: no 'base' (a named profile, e.g. \"armv8.0\")");
	if (cpu_profile_named(base, &vm->cpu_profile)) {
		format(vm->error, sizeof(vm->error),
		       "cpu-profile \"%s\" is not one Skiff knows (%s)", base, cpu_profile_names());
		return -1;
	}
	if (sub < 0)
		return 0;
	if (vm->cpu_profile.flags & CPU_PROFILE_HOST)
		return vm_error(vm, "cpu-profile: base \"host\" takes no changes");
	fdt_for_each_property_offset(prop, fdt, sub)
	{
		if (profile_change(fdt, prop, vm))
			return -1;
	}
	/* Its own name, or the base's with a "+": it is not the named profile any more. */
	name = prop_string(fdt, sub, "profile-name");
	if (name && (!*name || strlen(name) >= sizeof(vm->cpu_profile.name)))
		return vm_error(vm, "cpu-profile: 'profile-name' must be 1 to 31 characters");
	format(vm->cpu_profile.name, sizeof(vm->cpu_profile.name), "%s%s", name ? name : base,
	       name ? "" : "+");
	return 0;
}

#define COUNTER_HZ_MIN 1000000UL
#define COUNTER_HZ_MAX 4000000000UL

/*
 * counter-frequency, and counter-mode = "auto" (the default) | "sysreg" |
 * "mmio": which timer the VM's guest is given (docs/time.md). After
 * parse_acpi(): Linux on ACPI takes the system-register counter whatever else
 * its tables describe, so "mmio" would not scale its clock.
 */
static int parse_counter(const void *fdt, int node, struct vm_config *vm)
{
	const char *mode = prop_string(fdt, node, "counter-mode");
	int r = prop_u64(fdt, node, "counter-frequency", &vm->counter_hz);

	if (r < 0 ||
	    (r == 0 && (vm->counter_hz < COUNTER_HZ_MIN || vm->counter_hz > COUNTER_HZ_MAX)))
		return vm_error(vm, "'counter-frequency' must be one or two cells between "
				    "1000000 and 4000000000 (Hz)");
	if (!mode || !strcmp(mode, "auto"))
		vm->counter_mode = COUNTER_MODE_AUTO;
	else if (!strcmp(mode, "sysreg"))
		vm->counter_mode = COUNTER_MODE_SYSREG;
	else if (!strcmp(mode, "mmio"))
		vm->counter_mode = COUNTER_MODE_MMIO;
	else
		return vm_error(vm, "'counter-mode' must be \"auto\", \"sysreg\" or \"mmio\"");
	if (mode && !vm->counter_hz)
		return vm_error(vm, "'counter-mode' needs 'counter-frequency' (it says how the VM "
				    "is given that frequency)");
	if (vm->counter_mode == COUNTER_MODE_MMIO && vm->acpi)
		return vm_error(vm, "counter-mode = \"mmio\" needs a device tree (acpi = \"off\"): "
				    "Linux on ACPI always reads the system-register counter");
	return 0;
}

static int parse_vm(const void *fdt, int node, struct vm_config *vm)
{
	uint64_t v;
	int r, len;

	vm->vcpus = 1;
	vm->cpu = -1;
	r = prop_u64(fdt, node, "memory-size", &vm->memory_size);
	if (r > 0)
		return vm_error(vm,
				"no 'memory-size' property (bytes, e.g. /bits/ 64 <0x1000000>)");
	if (r < 0)
		return vm_error(vm, "'memory-size' must be one or two cells");
	if (vm->memory_size < MEMORY_MIN || vm->memory_size & 0xfff)
		return vm_error(vm,
				"'memory-size' must be a multiple of 4 KiB and at least 256 KiB");
	r = prop_u64(fdt, node, "vcpus", &v);
	if (r < 0 || (r == 0 && (v < 1 || v > VCPUS_MAX)))
		return vm_error(vm, "'vcpus' must be one cell between 1 and 8");
	if (r == 0)
		vm->vcpus = (unsigned int)v;
	r = prop_u64(fdt, node, "cpu", &v);
	if (r < 0 || (r == 0 && v > 255))
		return vm_error(vm, "'cpu' must be one cell naming a host CPU index");
	if (r == 0)
		vm->cpu = (int)v;
	vm->bootargs = prop_string(fdt, node, "bootargs");
	if (parse_acpi(fdt, node, vm) || parse_counter(fdt, node, vm))
		return -1;
	if (parse_cpu_profile(fdt, node, vm))
		return -1;
	if (parse_backdoor(fdt, node, vm) || parse_cache_maintenance(fdt, node, vm))
		return -1;
	if (parse_enclave(fdt, node, vm) || parse_policy(fdt, node, vm))
		return -1;
	vm->initrd = fdt_getprop(fdt, node, "initrd", &len);
	vm->initrd_size = vm->initrd && len > 0 ? (size_t)len : 0;
	if (!vm->initrd_size)
		vm->initrd = 0;
	return parse_kernel(fdt, node, vm);
}

static int name_taken(const struct config *cfg, const struct vm_config *vm)
{
	const struct vm_config *other;

	for (other = cfg->vms; other < vm; other++)
		if (!strcmp(other->name, vm->name))
			return 1;
	return 0;
}

/* attestation-key = "64 hex digits": checked here, taken by enclave/attest.c. */
static int parse_attestation_key(const void *fdt, struct config *cfg, char *err, size_t errlen)
{
	unsigned char sk[ATTEST_SCALAR_LEN];
	enum attest_key_error e;
	int len;

	if (!fdt_getprop(fdt, 0, "attestation-key", &len))
		return 0;
	cfg->attestation_key = prop_string(fdt, 0, "attestation-key");
	e = cfg->attestation_key ? attest_scalar_from_hex(cfg->attestation_key, sk)
				 : ATTEST_KEY_NOT_HEX;
	secret_wipe(sk, sizeof(sk));
	if (e == ATTEST_KEY_OK)
		return 0;
	/* Never the key itself in a message: the log is no place for it. */
	format(err, errlen, "config: 'attestation-key' %s", attest_key_error_text(e));
	cfg->attestation_key = NULL;
	return -1;
}

/* host-class = "name" and migration-min-policy-svn = <N>: what this host tells policies. */
static int parse_migration_host(const void *fdt, struct config *cfg, char *err, size_t errlen)
{
	const char *cls = prop_string(fdt, 0, "host-class");
	uint64_t v;
	int r;

	if (fdt_getprop(fdt, 0, "host-class", NULL)) {
		size_t n = cls ? strlen(cls) : 0;
		bool ok = n >= 1 && n <= POLICY_CLASS_MAX;

		for (size_t i = 0; ok && i < n; i++)
			ok = (cls[i] >= 'a' && cls[i] <= 'z') || (cls[i] >= 'A' && cls[i] <= 'Z') ||
			     (cls[i] >= '0' && cls[i] <= '9') || cls[i] == '.' || cls[i] == '_' ||
			     cls[i] == '-';
		if (!ok) {
			format(err, errlen,
			       "config: 'host-class' must be a string of 1-%u of [A-Za-z0-9._-]",
			       POLICY_CLASS_MAX);
			return -1;
		}
		memcpy(cfg->host_class, cls, n + 1);
	}
	r = prop_u64(fdt, 0, "migration-min-policy-svn", &v);
	if (r < 0 || (r == 0 && v > 0xffffffffU)) {
		format(err, errlen, "config: 'migration-min-policy-svn' must be one cell");
		return -1;
	}
	if (r == 0)
		cfg->min_policy_svn = (uint32_t)v;
	return 0;
}

static int parse_root(const void *fdt, struct config *cfg, char *err, size_t errlen)
{
	const char *idle = prop_string(fdt, 0, "when-idle");
	const char *accept = prop_string(fdt, 0, "migrate-accept");

	cfg->when_idle = WHEN_IDLE_WAIT;
	if (parse_attestation_key(fdt, cfg, err, errlen) ||
	    parse_migration_host(fdt, cfg, err, errlen))
		return -1;
	if (accept && strcmp(accept, "on") && strcmp(accept, "off")) {
		format(err, errlen,
		       "config: 'migrate-accept' is \"%s\"; expected \"on\" or \"off\"", accept);
		return -1;
	}
	cfg->migrate_accept = accept && !strcmp(accept, "on");
	if (!idle)
		return 0;
	if (!strcmp(idle, "poweroff"))
		cfg->when_idle = WHEN_IDLE_POWEROFF;
	else if (strcmp(idle, "wait")) {
		format(err, errlen,
		       "config: 'when-idle' is \"%s\"; expected \"wait\" or \"poweroff\"", idle);
		return -1;
	}
	return 0;
}

int config_parse(const void *fdt, size_t size, struct config *cfg, char *err, size_t errlen)
{
	int vms, node, r;

	memset(cfg, 0, sizeof(*cfg));
	if (size < sizeof(struct fdt_header) || fdt_totalsize(fdt) > size) {
		format(err, errlen, "config: blob of %zu bytes is not a complete device tree",
		       size);
		return -1;
	}
	r = fdt_check_header(fdt);
	if (!r && fdt_version(fdt) < DT_OLDEST_VERSION) {
		format(err, errlen, "config: device tree version %u, older than %u (dtc writes 17)",
		       fdt_version(fdt), DT_OLDEST_VERSION);
		return -1;
	}
	if (!r)
		r = dt_check(fdt, size);
	if (r) {
		format(err, errlen, "config: not a valid device tree blob (%s)", fdt_strerror(r));
		return -1;
	}
	if (parse_root(fdt, cfg, err, errlen))
		return -1;
	vms = fdt_path_offset(fdt, "/vms");
	if (vms < 0) {
		format(err, errlen, "config: no /vms node (each VM is a child of /vms)");
		return -1;
	}
	fdt_for_each_subnode(node, fdt, vms)
	{
		struct vm_config *vm;
		const char *name = fdt_get_name(fdt, node, 0);

		if (cfg->nvms == CONFIG_MAX_VMS) {
			format(err, errlen, "config: more than %d VMs under /vms", CONFIG_MAX_VMS);
			return -1;
		}
		vm = &cfg->vms[cfg->nvms++];
		format(vm->name, sizeof(vm->name), "%s", name ? name : "?");
		if (name && strlen(name) >= sizeof(vm->name))
			vm_error(vm, "name longer than 31 characters");
		else if (name_taken(cfg, vm))
			vm_error(vm, "another VM has the same name");
		else
			parse_vm(fdt, node, vm);
	}
	if (!cfg->nvms) {
		format(err, errlen, "config: /vms has no VM nodes");
		return -1;
	}
	return 0;
}
