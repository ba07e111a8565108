/* SPDX-License-Identifier: MIT */
/*
 * The VMware-compatible backdoor, reached through a trapped read of MDCCSR_EL0
 * (docs/hypercalls.md). A guest (EL1 or EL0) loads x0-x6 like the x86
 * registers eax, ebx, ecx, edx, esi, edi, ebp of an x86 "in"/"rep ins/outs"
 * on the backdoor port, puts the encoding of that x86 I/O instruction in x7
 * (0x86 in bits 63:32) and executes "mrs xzr, mdccsr_el0". Skiff recognizes
 * the encoding, serves the command and writes the results back into x0-x6.
 */
#ifndef SKIFF_HYPERCALL_BACKDOOR_H
#define SKIFF_HYPERCALL_BACKDOOR_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercall/message.h"
#include "lib/spinlock.h"

#define BDOOR_MAGIC   0x564d5868U /* "VMXh" */
#define BDOOR_PORT    0x5658U	  /* low bandwidth: "in eax, dx" */
#define BDOORHB_PORT  0x5659U	  /* high bandwidth: "rep insb/outsb" */
#define BDOOR_VERSION 6U	  /* what GETVERSION reports */
#define BDOOR_TYPE    2U	  /* product type for GETVERSION (a server product) */

/* x7: X86_IO_MAGIC in bits 63:32; the x86 instruction's shape in the low bits. */
#define BDOOR_X7_MAGIC	 0x86UL
#define BDOOR_X7_SIZE	 0x3UL	    /* log2 of the access size */
#define BDOOR_X7_DIR_IN	 (1UL << 2) /* in (host to guest), else out */
#define BDOOR_X7_WITH_DX (1UL << 3) /* port in dx (x3), not an immediate */
#define BDOOR_X7_STRING	 (1UL << 4) /* rep ins/outs: a high-bandwidth transfer */
#define BDOOR_X7_DF	 (1UL << 5) /* direction flag: backwards (refused) */
/* Bits 12:0 carry the shape (size, direction, dx, string, DF, immediate); 31:13 are 0. */

/* Commands (ecx low 16 bits). */
#define BDOOR_CMD_GETMHZ	       1
#define BDOOR_CMD_GETVERSION	       10
#define BDOOR_CMD_GETDEVICELISTELEMENT 11
#define BDOOR_CMD_TOGGLEDEVICE	       12
#define BDOOR_CMD_GETMEMSIZE	       20
#define BDOOR_CMD_GETTIME	       23
#define BDOOR_CMD_MESSAGE	       30
#define BDOOR_CMD_GETHZ		       45
#define BDOOR_CMD_GETTIMEFULL	       46
#define BDOOR_CMD_GETTIMEFULL_WITH_LAG 55
#define BDOORHB_CMD_MESSAGE	       0

struct vcpu;
struct vm;

struct backdoor_stats {
	uint64_t errors; /* the calls are counted per vCPU (vm_backdoor_calls()) */
};

/* A VM's backdoor: on unless its configuration says backdoor = "off". */
struct backdoor {
	bool enabled;
	bool honour_tdcc; /* EL0 calls go to the guest kernel when it set MDSCR_EL1.TDCC */
	/*
	 * protects: channels, stats.errors, and the VM's rpci (guestinfo, tools
	 * version, counters) and tclo (queue, pending, listening, polls) state.
	 * The shell's "vm info" reads counters without it.
	 */
	struct spinlock lock;
	struct msg_channel channels[MSG_MAX_CHANNELS];
	struct backdoor_stats stats;
};

/* True when @x7 holds the backdoor encoding (the call's signature). */
static inline bool backdoor_is_x7(uint64_t x7)
{
	return (x7 >> 32) == BDOOR_X7_MAGIC && !(x7 & 0xffffe000UL);
}

/* Serves the call in the vCPU's registers (the instruction is skipped by the caller). */
void backdoor_call(struct vcpu *vcpu);

/*
 * Serves the call if it is one of the commands that only report (GETVERSION,
 * GETMHZ, GETHZ, GETTIME*), without the VM's lock: the fast path. False, with
 * nothing changed, for any other call.
 */
bool backdoor_report(struct vcpu *vcpu);

/* Queues a request for the VM's tools over TCLO; false if none listen or the queue is full. */
bool backdoor_host_request(struct vm *vm, const char *request);

/* Forgets every channel (VM reset). */
void backdoor_reset(struct vm *vm);

#endif
