/* SPDX-License-Identifier: MIT */
/*
 * Typed addresses. Skiff deals in three kinds of address that are all 64-bit
 * numbers, and mixing them up is a silent bug (a guest's IPA used as a host PA
 * reads or maps the wrong memory). Each kind is a struct of one field, so
 * passing one where another belongs does not compile:
 *
 *   paddr_t   a host physical address: guest RAM's backing, a device frame,
 *             what stage 2 maps to. EL2 maps host memory identity (VA == PA),
 *             so pa_ptr() and pa_from_ptr() are the one place a PA and a C
 *             pointer turn into each other.
 *   ipaddr_t  a guest intermediate physical address: what the guest believes
 *             is physical, what stage 2 translates from, what a stage-2 fault
 *             reports. The one way from an IPA of guest RAM to the PA behind
 *             it is vm_ram_pa() (core/vm.h); from an IPA to a pointer,
 *             vm_ram_ptr().
 *   vaddr_t   a guest virtual address: what the guest's own stage 1 translates
 *             to an IPA (arch_vcpu_va_access()). EL2's own virtual addresses are
 *             C pointers, not this.
 *
 * The *_init() constructors are where a plain number becomes an address (a
 * register, a syndrome, a layout constant); *_addr() gives the number back for
 * arithmetic the helpers here do not cover, printing, or hardware. The structs
 * are passed by value and cost nothing once inlined.
 */
#ifndef SKIFF_LIB_ADDR_H
#define SKIFF_LIB_ADDR_H

#include <stdint.h>

typedef struct {
	uint64_t pa;
} paddr_t;

typedef struct {
	uint64_t ipa;
} ipaddr_t;

typedef struct {
	uint64_t va;
} vaddr_t;

/* Host physical addresses. */
static inline paddr_t pa_init(uint64_t pa)
{
	return (paddr_t){ pa };
}

static inline uint64_t pa_addr(paddr_t pa)
{
	return pa.pa;
}

static inline paddr_t pa_add(paddr_t pa, uint64_t n)
{
	return pa_init(pa.pa + n);
}

/* EL2's identity map: the pointer through which EL2 reaches host memory at @pa. */
static inline void *pa_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa.pa;
}

/* The host physical address of memory EL2 reaches through @p (identity map). */
static inline paddr_t pa_from_ptr(const void *p)
{
	return pa_init((uintptr_t)p);
}

/* Guest intermediate physical addresses. */
static inline ipaddr_t ipa_init(uint64_t ipa)
{
	return (ipaddr_t){ ipa };
}

static inline uint64_t ipa_addr(ipaddr_t ipa)
{
	return ipa.ipa;
}

static inline ipaddr_t ipa_add(ipaddr_t ipa, uint64_t n)
{
	return ipa_init(ipa.ipa + n);
}

static inline ipaddr_t ipa_sub(ipaddr_t ipa, uint64_t n)
{
	return ipa_init(ipa.ipa - n);
}

/* @a - @b in bytes (@a at or above @b). */
static inline uint64_t ipa_diff(ipaddr_t a, ipaddr_t b)
{
	return a.ipa - b.ipa;
}

/* Rounds down to a multiple of @align (a power of two). */
static inline ipaddr_t ipa_align_down(ipaddr_t ipa, uint64_t align)
{
	return ipa_init(ipa.ipa & ~(align - 1));
}

/* Guest virtual addresses. */
static inline vaddr_t va_init(uint64_t va)
{
	return (vaddr_t){ va };
}

static inline uint64_t va_addr(vaddr_t va)
{
	return va.va;
}

#endif
