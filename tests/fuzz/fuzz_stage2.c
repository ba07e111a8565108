// SPDX-License-Identifier: MIT
/*
 * The lazy stage-2 policy (core/stage2_fault.c) on the fake architecture's
 * stage 2 (tests/unit/fake_arch.c), fed sequences of faults: any address in
 * and around the VM's RAM, fetches and data aborts with any syndrome, the PC
 * on the faulting page or elsewhere, caches coherent or not. Checked after
 * each fault, from docs/memory.md: an address outside RAM is not taken; a
 * fetch leaves its page executable, and a page becomes executable only after
 * its maintenance; a write leaves its page writable, or was done by Skiff (the
 * register's bytes in RAM, the PC past the store); a page is never writable
 * and executable unless counted as mixed; the counters add up. Between the
 * faults, Skiff's own writes into guest RAM (stage2_host_write(), as backdoor
 * replies make them) leave no page of theirs executable. With
 * cache-maintenance = "guest" pages may be writable and executable, but every
 * page that becomes executable is inside the range maintained in that fault.
 *
 * Input: the RAM's size in pages (u16; its top bit: cache-maintenance =
 * "guest", the rest modulo the fake's pages), then operations: an IPA (u32, taken
 * modulo RAM and MARGIN either side), a byte @how (bit 0: a fetch, 1: coherent
 * caches, 2: the PC on the faulting page, 3: a host write instead of a fault),
 * then for a host write its length (u16), for a fault the syndrome's low 25
 * bits (u32), the register's value (u64) and the PC's offset (u16 on the page,
 * else u32 from the RAM's start).
 */
#include "core/esr.h"
#include "core/stage2_fault.h"
#include "fake_arch.h"
#include "fuzz.h"

#define PAGE	4096UL
#define RAM_MAX ((uint64_t)FAKE_RAM_PAGES * PAGE)
#define EC_IABT 0x20UL
#define EC_DABT 0x24UL
#define MARGIN	0x10000UL /* faults this far around RAM too */
#define W_AND_X (S2_PERM_W | S2_PERM_X)

static struct vm vm;
static uint8_t *ram_buf; /* RAM_MAX bytes; a VM's RAM is its end, so overruns are caught */
static bool mixed[FAKE_RAM_PAGES];
static uint64_t in_ram_faults;

FUZZ_ORACLE static unsigned int perms_at(uint64_t ipa)
{
	return fake.perms[(ipa - FAKE_RAM_IPA) / PAGE];
}

FUZZ_ORACLE static void check_counters(void)
{
	const struct stage2_stats *s = &vm.s2stats;

	FUZZ_CHECK(s->faults == in_ram_faults, "%lu faults counted, %lu in RAM",
		   (unsigned long)s->faults, (unsigned long)in_ram_faults);
	FUZZ_CHECK(s->exec_faults <= s->faults, "exec faults");
	FUZZ_CHECK(s->maintained + s->maint_skipped == fake.synced_bytes / PAGE,
		   "%lu + %lu maintained, %lu pages synced", (unsigned long)s->maintained,
		   (unsigned long)s->maint_skipped, (unsigned long)(fake.synced_bytes / PAGE));
	FUZZ_CHECK(!fake.crashes, "VM crashed: %s", fake.crash);
}

/* Skiff writes @len bytes into guest RAM at @ipa: the pages lose execute first. */
FUZZ_ORACLE static void host_write(uint64_t ipa, uint64_t len)
{
	uint64_t protects = fake.protects, was_x = 0, wx_to_rw = vm.s2stats.wx_to_rw;
	struct vm_s2_locked s2;
	int r;

	if (ipa < FAKE_RAM_IPA || ipa - FAKE_RAM_IPA > vm.ram_size ||
	    len > vm.ram_size - (ipa - FAKE_RAM_IPA))
		return; /* the backdoor writes RAM only (vm_ram_ptr) */
	for (uint64_t p = ipa & ~(PAGE - 1); p < ipa + len; p += PAGE)
		was_x += (perms_at(p) & S2_PERM_X) != 0;
	s2 = vm_s2_lock(&vm);
	r = stage2_host_write(s2, ipa_init(ipa), len);
	vm_s2_unlock(&s2);
	FUZZ_CHECK(!r, "host write of %lu bytes at 0x%lx failed", (unsigned long)len,
		   (unsigned long)ipa);
	for (uint64_t p = ipa & ~(PAGE - 1); p < ipa + len; p += PAGE)
		FUZZ_CHECK(!(perms_at(p) & S2_PERM_X), "page 0x%lx executable after a host write",
			   (unsigned long)p);
	FUZZ_CHECK(fake.protects - protects == was_x && vm.s2stats.wx_to_rw - wx_to_rw == was_x,
		   "%lu pages were executable, %lu protected", (unsigned long)was_x,
		   (unsigned long)(fake.protects - protects));
}

/* The first page of the 2 MiB around @ipa (a block's, when one maps it). */
static unsigned int region_first(uint64_t ipa)
{
	return (unsigned int)(((ipa - FAKE_RAM_IPA) / PAGE) & ~511UL);
}

static unsigned char region_before[512];

/*
 * Every page around @ipa that became executable in this fault lies in the range
 * its one maintenance covered (@syncs of them happened).
 */
FUZZ_ORACLE static void check_made_executable(uint64_t ipa, unsigned int syncs)
{
	unsigned int first = region_first(ipa);
	const uint8_t *synced = fake.sync_va;

	for (unsigned int i = 0; i < 512 && first + i < FAKE_RAM_PAGES; i++) {
		uint64_t page = FAKE_RAM_IPA + (uint64_t)(first + i) * PAGE;
		const uint8_t *host = pa_ptr(pa_add(vm.ram_pa, page - FAKE_RAM_IPA));

		if ((region_before[i] & S2_PERM_X) || !(fake.perms[first + i] & S2_PERM_X))
			continue;
		FUZZ_CHECK(syncs == 1, "page 0x%lx made executable with %u syncs",
			   (unsigned long)page, syncs);
		FUZZ_CHECK(host >= synced && host + PAGE <= synced + fake.sync_size,
			   "page 0x%lx made executable outside the %lu bytes maintained",
			   (unsigned long)page, (unsigned long)fake.sync_size);
	}
}

FUZZ_ORACLE static void fault(struct fuzz_in *in, uint64_t ipa, uint8_t how)
{
	struct vcpu *v = &vm.vcpus[0];
	bool exec = how & 1;
	uint64_t esr = (exec ? EC_IABT : EC_DABT) << 26 | (fuzz_u32(in) & 0x1ffffff);
	uint64_t page = ipa & ~(PAGE - 1), pc, value = fuzz_u64(in);
	unsigned int after, syncs = fake.syncs, srt = esr_dabt_srt(esr);
	uint64_t emulated = vm.s2stats.emulated_stores, mixed_before = vm.s2stats.mixed_pages;

	fake.coherent_caches = how & 2;
	/* The PC on the faulting page (early boot code's own variables) or elsewhere. */
	pc = how & 4 ? page + (fuzz_u16(in) & 0xffc) : FAKE_RAM_IPA + fuzz_u32(in);
	v->ctx.pc = pc;
	if (srt < 31)
		v->ctx.x[srt] = value;
	if (ipa < FAKE_RAM_IPA || ipa - FAKE_RAM_IPA >= vm.ram_size) {
		FUZZ_CHECK(!stage2_fault(v, ipa_init(ipa), exec, esr),
			   "IPA 0x%lx outside RAM taken", (unsigned long)ipa);
		check_counters();
		return;
	}
	memcpy(region_before, &fake.perms[region_first(ipa)], sizeof(region_before));
	FUZZ_CHECK(stage2_fault(v, ipa_init(ipa), exec, esr), "IPA 0x%lx in RAM refused",
		   (unsigned long)ipa);
	in_ram_faults++;
	after = perms_at(ipa);
	if (vm.s2stats.mixed_pages != mixed_before)
		mixed[(page - FAKE_RAM_IPA) / PAGE] = true;
	FUZZ_CHECK(after & S2_PERM_R, "IPA 0x%lx unreadable after a fault", (unsigned long)ipa);
	FUZZ_CHECK((after & W_AND_X) != W_AND_X || mixed[(page - FAKE_RAM_IPA) / PAGE] ||
			   vm.guest_maintains_code,
		   "page 0x%lx writable and executable", (unsigned long)page);
	check_made_executable(ipa, fake.syncs - syncs);
	if (exec)
		FUZZ_CHECK(after & S2_PERM_X, "page 0x%lx not executable after a fetch",
			   (unsigned long)page);
	if (!exec && esr_dabt_write(esr) && vm.s2stats.emulated_stores != emulated) {
		unsigned int size = esr_dabt_size(esr);
		uint64_t stored = srt < 31 ? value : 0;

		FUZZ_CHECK(v->ctx.pc == pc + 4, "PC 0x%lx after an emulated store at 0x%lx",
			   (unsigned long)v->ctx.pc, (unsigned long)pc);
		FUZZ_CHECK(!memcmp(pa_ptr(pa_add(vm.ram_pa, ipa - FAKE_RAM_IPA)), &stored, size),
			   "the emulated store of %u bytes at 0x%lx", size, (unsigned long)ipa);
	} else if (!exec && esr_dabt_write(esr)) {
		FUZZ_CHECK(after & S2_PERM_W, "page 0x%lx not writable after a write",
			   (unsigned long)page);
		FUZZ_CHECK(v->ctx.pc == pc, "PC moved without an emulated store");
	}
	check_counters();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint16_t pages = fuzz_u16(&in);

	if (!ram_buf)
		ram_buf = malloc(RAM_MAX);
	fake_reset();
	/* What stage2_fault.c uses of the VM (the rest of it, 170 KiB, is never written). */
	memset(&vm.s2, 0, sizeof(vm.s2));
	memset(&vm.s2stats, 0, sizeof(vm.s2stats));
	memset(&vm.vcpus[0], 0, sizeof(vm.vcpus[0]));
	memset(mixed, 0, sizeof(mixed));
	in_ram_faults = 0;
	strcpy(vm.name, "fuzz");
	vm.guest_maintains_code = pages & 0x8000;
	vm.ram_ipa = ipa_init(FAKE_RAM_IPA);
	vm.ram_size = (1 + pages % FAKE_RAM_PAGES) * PAGE;
	vm.ram_pa = pa_from_ptr(ram_buf + RAM_MAX - vm.ram_size);
	vm.vcpus[0].vm = &vm;
	while (fuzz_more(&in)) {
		uint64_t ipa = FAKE_RAM_IPA - MARGIN + fuzz_u32(&in) % (vm.ram_size + 2 * MARGIN);
		uint8_t how = fuzz_u8(&in);

		if (how & 8)
			host_write(ipa, fuzz_u16(&in));
		else
			fault(&in, ipa, how);
	}
	return 0;
}
