// SPDX-License-Identifier: MIT
/*
 * The VM side faked for host unit tests of the trap code and the stage-2 fault
 * policy: the lifecycle calls recorded, stage 2 as one permission byte per page
 * (fake.perms), the devices the trap code reaches answering "not mine".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fake_arch.h"

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	va_start(ap, fmt);
	vsnprintf(fake.crash, sizeof(fake.crash), fmt, ap);
	va_end(ap);
	fake.crashes++;
}

void vm_power_off(struct vm *vm)
{
	(void)vm;
	fake.power_offs++;
}

void vm_reset(struct vm *vm, struct vcpu *caller)
{
	(void)vm;
	(void)caller;
	fake.resets++;
}

static unsigned int page_index(ipaddr_t ipa)
{
	return (unsigned int)((ipa_addr(ipa) - FAKE_RAM_IPA) >> 12);
}

int arch_stage2_map(struct stage2 *s2, ipaddr_t ipa, paddr_t pa, uint64_t size, unsigned int perms)
{
	(void)s2;
	(void)pa;
	if (fake.s2_fails)
		return -1;
	if (size == 2UL << 20) {
		fake.block_maps++;
		fake.block[page_index(ipa) / 512] = true;
	} else
		fake.page_map_calls++;
	for (uint64_t off = 0; off < size; off += 4096)
		fake.perms[page_index(ipa_add(ipa, off))] = (unsigned char)perms;
	return 0;
}

void arch_stage2_lookup(struct stage2 *s2, ipaddr_t ipa, struct s2_leaf *leaf)
{
	unsigned int first = page_index(ipa_align_down(ipa, 2UL << 20));

	(void)s2;
	leaf->perms = fake.perms[page_index(ipa)];
	leaf->valid = leaf->perms != 0;
	leaf->pa = pa_init(0);
	leaf->size = 2UL << 20; /* an empty 2 MiB region reads as one hole, a block as itself */
	if (fake.block[first / 512])
		return;
	/* Eight pages a step: the fuzz harness looks up every page Skiff writes to. */
	for (unsigned int i = first; i < first + 512; i += 8) {
		uint64_t eight;

		memcpy(&eight, &fake.perms[i], sizeof(eight));
		if (eight) {
			leaf->size = 4096;
			break;
		}
	}
}

int arch_stage2_protect_page(struct stage2 *s2, ipaddr_t ipa, unsigned int perms)
{
	(void)s2;
	if (fake.s2_fails)
		return -1;
	fake.protects++;
	fake.block[page_index(ipa) / 512] = false; /* split around the page */
	fake.perms[page_index(ipa)] = (unsigned char)perms;
	return 0;
}

int arch_stage2_set_leaf_perms(struct stage2 *s2, ipaddr_t ipa, unsigned int perms)
{
	unsigned int i = page_index(ipa), first = fake.block[i / 512] ? i & ~511U : i;
	unsigned int n = fake.block[i / 512] ? 512 : 1;

	(void)s2;
	if (fake.s2_fails)
		return -1;
	fake.leaf_sets++;
	memset(&fake.perms[first], (int)perms, n);
	return 0;
}

void arch_stage2_unmap_all(struct stage2 *s2)
{
	(void)s2;
	memset(fake.perms, 0, sizeof(fake.perms));
	memset(fake.block, 0, sizeof(fake.block));
}

void vm_ram_prepare(struct vm_s2_locked vm, ipaddr_t ipa, uint64_t len)
{
	(void)vm;
	(void)ipa;
	(void)len;
	fake.prepares++;
}

/* The DCC is tested by the backdoor guest; here every register is "not DCC". */
enum vdcc_result vdcc_access(struct vcpu *vcpu, uint64_t esr)
{
	(void)vcpu;
	(void)esr;
	return VDCC_NOT_DCC;
}

bool vdcc_backdoor_fast(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

/*
 * The emulated physical timer has its own tests (the timescale unit test, guests):
 * here it records the access and, when a test says so, serves it with fake.ptimer_value.
 */
bool ptimer_access(struct vcpu *vcpu, uint32_t enc, bool read, uint64_t *val)
{
	(void)vcpu;
	fake.ptimer_enc = enc;
	if (!fake.ptimer_serves)
		return false;
	if (read)
		*val = fake.ptimer_value;
	else
		fake.ptimer_value = *val;
	return true;
}

/* The counter's read for the fast path: what ptimer_access() would do with a read. */
bool ptimer_read_counter(struct vcpu *vcpu, uint32_t enc, uint64_t *val)
{
	return ptimer_access(vcpu, enc, true, val);
}

void vgic_send_sgi(struct vcpu *vcpu, uint64_t sgi1r)
{
	(void)vcpu;
	fake.sgi1r = sgi1r;
}
