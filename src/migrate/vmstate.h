/* SPDX-License-Identifier: MIT */
/*
 * The VM state format (docs/migration.md, "The VM state"): versioned,
 * architecture-neutral records of what a guest can see, never a host value.
 * So far: the stream's header and one record per vCPU (its registers, PSTATE
 * by field, FP/SIMD and SVE, the EL1 system registers by their architectural
 * encodings, the pointer-authentication keys, MPIDR as the guest sees it, its
 * PSCI power state, its timers' CVAL/CTL in guest ticks), then the VM's
 * counter, its interrupt controller as a model (the distributor, and each
 * vCPU's interrupts and CPU interface), its devices (PL011, PL031, the DCC
 * console, the backdoor's channels, guestinfo) and its memory by pages, a
 * zero page a marker only. Every record but the header and the vCPU record
 * (whose fields carry ids of their own) starts with a version of its own.
 *
 * A record: u16 tag, u16 flags (0), u32 payload length, the payload. Numbers
 * are big-endian; registers wider than 64 bits (V, Z, P, FFR) are stored as
 * the architecture's STR stores them (byte 0 holds bits 7:0).
 *
 * The decoder is where a received state enters: every record and field is
 * checked (lengths, order, known ids, values the architecture allows a guest)
 * before anything is written, and a refusal names what was wrong.
 */
#ifndef SKIFF_MIGRATE_VMSTATE_H
#define SKIFF_MIGRATE_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vm.h"

#define VMSTATE_MAJOR	     2
#define VMSTATE_MINOR	     0
#define VMSTATE_MAGIC	     0x534b564dU /* "SKVM" */
#define VMSTATE_ARCH_AARCH64 1

#define VMSTATE_REC_HDR	    8
#define VMSTATE_T_HEADER    0x0001
#define VMSTATE_T_VCPU	    0x0010
#define VMSTATE_HEADER_LEN  16
#define VMSTATE_T_MACHINE   0x0002
#define VMSTATE_T_ENCLAVE   0x0003
#define VMSTATE_T_COUNTER   0x0020
#define VMSTATE_T_GIC	    0x0030
#define VMSTATE_T_GIC_CPU   0x0031
#define VMSTATE_T_PL011	    0x0040
#define VMSTATE_T_PL031	    0x0041
#define VMSTATE_T_DCC	    0x0042
#define VMSTATE_T_BACKDOOR  0x0050
#define VMSTATE_T_GUESTINFO 0x0051
#define VMSTATE_T_PAGES	    0x0060

/* The version of each record of format 2.0 that has one (the first u16 of its payload). */
#define VMSTATE_RECORD_VERSION 1

/* Pages in one memory record, at most (a bit each in its u32 map); a page is 4 KiB. */
#define VMSTATE_PAGE_SIZE 4096U
#define VMSTATE_PAGES_MAX 32
/* A memory record's bytes before its pages: version, address, count, the map of data pages. */
#define VMSTATE_PAGES_HDR (VMSTATE_REC_HDR + 2 + 8 + 2 + 4)
/* The largest record but a vCPU's (a full memory record): a buffer this long always fits. */
#define VMSTATE_RECORD_MAX (VMSTATE_PAGES_HDR + VMSTATE_PAGES_MAX * VMSTATE_PAGE_SIZE)
_Static_assert(VMSTATE_RECORD_MAX >= MSG_MAX_CHANNELS * (2 * MSG_MAX_SIZE + 64) + 64,
	       "the guestinfo/backdoor records fit the buffers too");

/* The largest vCPU record (every field, SVE at 2048 bits): a buffer this long always fits. */
#define VMSTATE_VCPU_MAX 16384

/* The SVE vector lengths the format carries, in bytes (128 to 2048 bits). */
#define VMSTATE_SVE_VL_MIN 16
#define VMSTATE_SVE_VL_MAX 256

/*
 * One vCPU's guest-visible state, in the register file's own layout (the
 * arm64 structs a vCPU carries), with what is not a register: its MPIDR as
 * the guest sees it, its PSCI power state, the OS lock, and whether it has SVE
 * state (at the vector length Skiff gives guests, 128 bits).
 */
struct vcpu_image {
	struct cpu_context ctx; /* x0-x30, PC, PSTATE (in SPSR_EL2's layout) */
	struct el1_sysregs el1;
	struct fpsimd_state fp;
	uint64_t mpidr;
	/* Timers in guest ticks: CTL holds ENABLE and IMASK only (ISTATUS is worked out). */
	uint64_t cntv_ctl, cntv_cval; /* the virtual timer */
	uint64_t cntp_ctl, cntp_cval; /* the physical timer (always emulated) */
	bool on;
	bool os_lock;
	bool sve;
};

struct vmstate_header {
	uint16_t major, minor;
	uint32_t arch;
	uint32_t nvcpus;
};

/* The state of @v (stopped: its registers in memory); @sve when the host saves SVE state. */
void vmstate_vcpu_capture(const struct vcpu *v, bool sve, struct vcpu_image *out);

/*
 * Writes the header record into @buf (at least VMSTATE_REC_HDR +
 * VMSTATE_HEADER_LEN bytes); returns its length.
 */
size_t vmstate_header_encode(uint8_t *buf, uint32_t nvcpus);

/*
 * Reads a header record of @len bytes: 0, or -1 with @err (not a header, a
 * major version this host does not read, another architecture).
 */
int vmstate_header_decode(const uint8_t *buf, size_t len, struct vmstate_header *out, char *err,
			  size_t errlen);

/*
 * Writes vCPU @index's record into @buf of @size bytes (VMSTATE_VCPU_MAX is
 * always enough); returns its length, 0 if it does not fit.
 */
size_t vmstate_vcpu_encode(uint8_t *buf, size_t size, uint32_t index, const struct vcpu_image *img);

/*
 * Reads a vCPU record of exactly @len bytes into @out and its index into
 * *@index: 0, or -1 with @err naming the record, field and what is wrong.
 * @out is written only on success.
 */
int vmstate_vcpu_decode(const uint8_t *buf, size_t len, uint32_t *index, struct vcpu_image *out,
			char *err, size_t errlen);

/*
 * The records below are encoded from and decoded into images: plain data of
 * what the guest sees, filled from a VM and applied to one by
 * migrate/vmcapture.c. Each encoder writes into @buf of @size bytes and
 * returns the record's length, 0 if it does not fit; each decoder reads a
 * record of exactly @len bytes, checks every field, and writes @out only
 * when all of it passed: 0, or -1 with @err naming the record, the field and
 * its value.
 */

/*
 * What the destination builds the VM as: its name, RAM, vCPUs, the devices
 * its configuration chose (they are in its device tree, in its RAM), and its
 * CPU profile as resolved on the source (core/cpu_profile.h).
 */
struct vmstate_machine {
	char name[CONFIG_NAME_MAX];
	uint64_t ram_ipa, ram_size;
	uint32_t nvcpus;
	uint64_t counter_hz; /* configured ("counter-frequency"); 0: the host's */
	uint8_t counter_mode;
	bool backdoor, backdoor_el0_tdcc, acpi;
	struct cpu_profile profile;
};

size_t vmstate_machine_encode(uint8_t *buf, size_t size, const struct vmstate_machine *m);
int vmstate_machine_decode(const uint8_t *buf, size_t len, struct vmstate_machine *out, char *err,
			   size_t errlen);

/* The VM's counter at the freeze, and its memory-mapped timer (counter-mode "mmio"). */
struct vmstate_counter {
	uint64_t hz;	 /* the frequency the guest reads in CNTFRQ_EL0 */
	uint64_t count;	 /* its physical count (CNTPCT_EL0) at the freeze */
	uint64_t vcount; /* its virtual count (CNTVCT_EL0) at the freeze */
	bool mmio;	 /* it has a memory-mapped timer */
	uint8_t cntacr;	 /* that timer's CNTACR0 */
	uint8_t ctl;	 /* its CNTP_CTL: ENABLE, IMASK */
	uint64_t cval;	 /* its CNTP_CVAL, in guest ticks */
};

size_t vmstate_counter_encode(uint8_t *buf, size_t size, const struct vmstate_counter *c);
int vmstate_counter_decode(const uint8_t *buf, size_t len, struct vmstate_counter *out, char *err,
			   size_t errlen);

/*
 * An enclave's identity, in its offer (sealed): its launch measurement, which
 * it keeps wherever it runs, the identity of the key that signed its migration
 * policy (the measurement's "ownr" item, docs/enclaves.md), and which instance
 * of it this is at which generation (each move raises it: hosts refuse older
 * copies of an instance that left them, migrate/tombstone.h).
 */
#define VMSTATE_DIGEST_LEN   32
#define VMSTATE_INSTANCE_LEN 16
struct vmstate_enclave {
	uint8_t measurement[VMSTATE_DIGEST_LEN];
	uint8_t owner[VMSTATE_DIGEST_LEN];
	uint8_t instance[VMSTATE_INSTANCE_LEN];
	uint64_t generation; /* 1 on its first move */
};

size_t vmstate_enclave_encode(uint8_t *buf, size_t size, const struct vmstate_enclave *e);
int vmstate_enclave_decode(const uint8_t *buf, size_t len, struct vmstate_enclave *out, char *err,
			   size_t errlen);

/* The interrupt controller's model: struct vgic_irq_state, vgic_dist_state, vgic_cpu_state. */
size_t vmstate_gic_encode(uint8_t *buf, size_t size, const struct vgic_dist_state *d);
int vmstate_gic_decode(const uint8_t *buf, size_t len, struct vgic_dist_state *out, char *err,
		       size_t errlen);
/* One vCPU's interrupts (SGIs, PPIs) and CPU interface; @version the GIC's (2 or 3). */
size_t vmstate_gic_cpu_encode(uint8_t *buf, size_t size, uint32_t index,
			      const struct vgic_cpu_state *c);
int vmstate_gic_cpu_decode(const uint8_t *buf, size_t len, unsigned int version, uint32_t *index,
			   struct vgic_cpu_state *out, char *err, size_t errlen);

struct vmstate_pl011 {
	uint16_t imsc;
	uint8_t rx_count;
	uint8_t rx[VPL011_RX_FIFO]; /* the receive FIFO, oldest first */
};

struct vmstate_pl031 {
	int64_t offset; /* the guest's RTC minus the wall clock (UTC), in seconds */
	uint32_t lr, mr, seen;
	uint8_t imsc, ris;
};

struct vmstate_dcc {
	uint32_t dtrtx;
	uint16_t rx_count;
	uint8_t rx[VDCC_RX_RING]; /* typed input not yet read, oldest first */
};

/* The backdoor: its message channels (mid-message too), and whether the tools listen. */
struct vmstate_backdoor {
	bool tclo_listening;
	struct msg_channel channels[MSG_MAX_CHANNELS];
};

struct vmstate_guestinfo {
	uint32_t tools_version;
	struct guestinfo info;
};

size_t vmstate_pl011_encode(uint8_t *buf, size_t size, const struct vmstate_pl011 *u);
int vmstate_pl011_decode(const uint8_t *buf, size_t len, struct vmstate_pl011 *out, char *err,
			 size_t errlen);
size_t vmstate_pl031_encode(uint8_t *buf, size_t size, const struct vmstate_pl031 *r);
int vmstate_pl031_decode(const uint8_t *buf, size_t len, struct vmstate_pl031 *out, char *err,
			 size_t errlen);
size_t vmstate_dcc_encode(uint8_t *buf, size_t size, const struct vmstate_dcc *d);
int vmstate_dcc_decode(const uint8_t *buf, size_t len, struct vmstate_dcc *out, char *err,
		       size_t errlen);
/* The channels' buffers travel up to what they hold (in_len, out_size). */
size_t vmstate_backdoor_encode(uint8_t *buf, size_t size, const struct vmstate_backdoor *b);
int vmstate_backdoor_decode(const uint8_t *buf, size_t len, struct vmstate_backdoor *out, char *err,
			    size_t errlen);
size_t vmstate_guestinfo_encode(uint8_t *buf, size_t size, const struct vmstate_guestinfo *g);
int vmstate_guestinfo_decode(const uint8_t *buf, size_t len, struct vmstate_guestinfo *out,
			     char *err, size_t errlen);

/*
 * A run of pages of guest RAM from @ipa: each page's data, or for a page of
 * zeroes a marker only. Decoded, @data[i] points into the record (NULL: a
 * zero page); the record must outlive it.
 */
struct vmstate_pages {
	uint64_t ipa;
	unsigned int count;
	const uint8_t *data[VMSTATE_PAGES_MAX];
};

/* The record of @count pages (1..VMSTATE_PAGES_MAX) at @mem, which are guest RAM at @ipa. */
size_t vmstate_pages_encode(uint8_t *buf, size_t size, uint64_t ipa, unsigned int count,
			    const uint8_t *mem);
/* Refused unless every page lies within the guest RAM [@ram_ipa, @ram_ipa + @ram_size). */
int vmstate_pages_decode(const uint8_t *buf, size_t len, uint64_t ram_ipa, uint64_t ram_size,
			 struct vmstate_pages *out, char *err, size_t errlen);

/* The tag of the record at @buf (at least VMSTATE_REC_HDR bytes), and its whole length. */
uint16_t vmstate_record_tag(const uint8_t *buf);
size_t vmstate_record_len(const uint8_t *buf);

#endif
