/* SPDX-License-Identifier: MIT */
/*
 * VM configuration: a flattened device tree (compiled by dtc from a .dts) handed
 * to Skiff as its "initrd". See docs/config.md for the format.
 */
#ifndef SKIFF_CORE_CONFIG_H
#define SKIFF_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu_profile.h"

#define CONFIG_MAX_VMS	8
#define CONFIG_NAME_MAX 32

enum kernel_format {
	KERNEL_RAW = 0, /* loaded at the start of RAM, entered at its first byte */
	KERNEL_IMAGE,	/* arm64 Linux Image: text_offset and 2 MiB alignment honoured */
};

enum when_idle {
	WHEN_IDLE_WAIT = 0, /* keep running with no VM (a management console may start one) */
	WHEN_IDLE_POWEROFF, /* power the host off once every VM has stopped */
};

/* How a VM with a counter frequency of its own is given its timer (docs/time.md). */
enum counter_mode {
	COUNTER_MODE_AUTO = 0, /* "sysreg" on a CPU with FEAT_ECV or for ACPI, else "mmio" */
	COUNTER_MODE_SYSREG,   /* the system-register timer in its device tree */
	COUNTER_MODE_MMIO,     /* a memory-mapped timer instead (vdev/memtimer.h) */
};

struct vm_config {
	char name[CONFIG_NAME_MAX];
	uint64_t memory_size;
	unsigned int vcpus;
	int cpu; /* host CPU to run on, -1 = any */
	const void *kernel;
	size_t kernel_size;
	enum kernel_format kernel_format;
	const void *initrd; /* NULL: none */
	size_t initrd_size;
	const char *bootargs;
	uint64_t counter_hz;		/* the guest's counter frequency; 0: the host's */
	enum counter_mode counter_mode; /* "counter-mode" */
	bool backdoor; /* the VMware-compatible backdoor ("backdoor" = "on", the default) */
	bool backdoor_el0_tdcc; /* "backdoor-el0" = "tdcc": honour the guest's MDSCR_EL1.TDCC */
	bool acpi;		/* "acpi" = "on": the guest gets ACPI tables (docs/acpi.md) */
	/*
	 * "cache-maintenance" = "guest": Skiff makes each page coherent for
	 * execution once and the guest maintains the code it writes; "w^x" (the
	 * default, false): no page is writable and executable at once (docs/memory.md).
	 */
	bool guest_maintains_code;
	/* "cpu-profile": the CPU it is shown (docs/config.md); "host" by default. */
	struct cpu_profile cpu_profile;
	bool enclave; /* "enclave" = "on": closed to the host, measured, attested (docs/enclaves.md)
		       */
	/*
	 * "migration-policy": the owner-signed migration policy's bytes
	 * (enclave/policy.h), checked whole (signature included) when parsed;
	 * NULL when there is none, and then the VM never migrates.
	 */
	const void *policy;
	size_t policy_size;
	/* SHA-256 of the policy's owner public key: measured (docs/enclaves.md). */
	unsigned char policy_owner[32];
	/* "guestinfo" subnode: string properties readable as guestinfo.NAME (-1: none). */
	const void *fdt;
	int guestinfo_node;
	/* Set when the node is invalid: the VM is not started, the reason is logged. */
	char error[256];
};

struct config {
	enum when_idle when_idle;
	bool migrate_accept; /* "migrate-accept" = "on": VMs from other hosts are taken */
	/*
	 * The root's "attestation-key": the host's ECDSA P-256 private key as 64 hex
	 * digits (checked), or NULL. Points into the blob; enclave/attest.c takes it
	 * and erases it there.
	 */
	const char *attestation_key;
	/* "host-class": this host's class, which migration policies may name ("" when none). */
	char host_class[32];
	/* "migration-min-policy-svn": the oldest policy version this host accepts (0 default). */
	uint32_t min_policy_svn;
	unsigned int nvms;
	struct vm_config vms[CONFIG_MAX_VMS];
};

/*
 * Parses the configuration blob. Returns 0 when the blob itself is usable (the
 * VMs in it may still carry individual errors), or -1 with a reason in @err.
 * The config keeps pointers into @fdt, which must stay mapped.
 */
int config_parse(const void *fdt, size_t size, struct config *cfg, char *err, size_t errlen);

#endif
