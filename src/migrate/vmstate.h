/* SPDX-License-Identifier: MIT */
/*
 * The VM state format (docs/migration.md, "The VM state"): versioned,
 * architecture-neutral records of what a guest can see, never a host value.
 * So far: the stream's header and one record per vCPU (its registers, PSTATE
 * by field, FP/SIMD and SVE, the EL1 system registers by their architectural
 * encodings, the pointer-authentication keys, MPIDR as the guest sees it, its
 * PSCI power state). Timers, the interrupt controller, devices and memory
 * come next.
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

#define VMSTATE_MAJOR	     1
#define VMSTATE_MINOR	     0
#define VMSTATE_MAGIC	     0x534b564dU /* "SKVM" */
#define VMSTATE_ARCH_AARCH64 1

#define VMSTATE_REC_HDR	   8
#define VMSTATE_T_HEADER   0x0001
#define VMSTATE_T_VCPU	   0x0010
#define VMSTATE_HEADER_LEN 16

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

#endif
