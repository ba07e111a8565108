// SPDX-License-Identifier: MIT
/*
 * The VM state format's decoder (migrate/vmstate.c), where a state received
 * from another host enters: a vCPU record and a header record of any bytes.
 * Checked: a refusal says why and leaves the output as it was; what is
 * accepted is a state a guest can have (PSTATE at EL0 or EL1, AArch32 in User
 * mode only), and encoding it again gives a record that decodes to the same
 * bytes once more (the canonical form is stable).
 *
 * The other records (migrate/vmstate_records.c) the same way: a refusal
 * says why and writes nothing; an accepted record encodes again to bytes that
 * decode to the same state and encode to the same bytes once more (a data
 * page of zeroes becomes a marker, so the second and third encodings are
 * compared); what a decoder accepted is within the format's ranges.
 *
 * Input: a selector byte (bit 0: a header record; else bits 7:1 modulo 13:
 * 0 a vCPU record, 1 machine, 2 counter, 3 interrupt controller, 4 and 5 a
 * CPU interface of GICv3 and GICv2, 6 PL011, 7 PL031, 8 DCC, 9 backdoor, 10
 * guestinfo, 11 memory, 12 an enclave's identity), then the record.
 */
#include "migrate/vmstate.h"
#include "migrate/wire.h"
#include "fuzz.h"

static uint8_t again[VMSTATE_VCPU_MAX], third[VMSTATE_VCPU_MAX];

static void vcpu_record(const uint8_t *p, size_t n)
{
	struct vcpu_image img, back;
	uint32_t index = 0xdead, index2 = 0;
	char err[200] = "";
	size_t n1, n2;
	uint64_t spsr;

	memset(&img, 0xa5, sizeof(img));
	if (vmstate_vcpu_decode(p, n, &index, &img, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "a refusal without a reason");
		FUZZ_CHECK(index == 0xdead, "the index written on a refusal");
		for (size_t i = 0; i < sizeof(img); i++)
			FUZZ_CHECK(((uint8_t *)&img)[i] == 0xa5, "output written on a refusal");
		return;
	}
	spsr = img.ctx.pstate;
	if (spsr & (1U << 4))
		FUZZ_CHECK((spsr & 0xf) == 0, "AArch32 PSTATE 0x%lx not in User mode",
			   (unsigned long)spsr);
	else
		FUZZ_CHECK(((spsr >> 2) & 3) <= 1 && (spsr & 2) == 0 &&
				   !(((spsr >> 2) & 3) == 0 && (spsr & 1)),
			   "AArch64 PSTATE 0x%lx", (unsigned long)spsr);
	n1 = vmstate_vcpu_encode(again, sizeof(again), index, &img);
	FUZZ_CHECK(n1, "an accepted state does not encode");
	memset(&back, 0, sizeof(back));
	FUZZ_CHECK(!vmstate_vcpu_decode(again, n1, &index2, &back, err, sizeof(err)),
		   "its own encoding refused: %s", err);
	FUZZ_CHECK(index2 == index, "index %u came back as %u", index, index2);
	n2 = vmstate_vcpu_encode(third, sizeof(third), index2, &back);
	FUZZ_CHECK(n2 == n1 && !memcmp(again, third, n1), "the canonical form moved");
}

static uint8_t enc1[VMSTATE_RECORD_MAX], enc2[VMSTATE_RECORD_MAX];

/* Every record type but the vCPU's, through one shape. */
struct kind {
	size_t size; /* of its decoded state */
	int (*decode)(const uint8_t *b, size_t n, void *out, char *err, size_t errlen);
	size_t (*encode)(uint8_t *b, size_t size, const void *in);
	void (*check)(const void *state); /* what an accepted state must be, or NULL */
};

static unsigned int gic_version;

#define ADAPT(name)                                                                            \
	static int dec_##name(const uint8_t *b, size_t n, void *out, char *err, size_t errlen) \
	{                                                                                      \
		return vmstate_##name##_decode(b, n, out, err, errlen);                        \
	}                                                                                      \
	static size_t enc_##name(uint8_t *b, size_t size, const void *in)                      \
	{                                                                                      \
		return vmstate_##name##_encode(b, size, in);                                   \
	}

ADAPT(machine)
ADAPT(counter)
ADAPT(gic)
ADAPT(pl011)
ADAPT(pl031)
ADAPT(dcc)
ADAPT(backdoor)
ADAPT(guestinfo)
ADAPT(enclave)

/* The index is not in the state: the encoder takes it from the record decoded. */
static int dec_gic_cpu(const uint8_t *b, size_t n, void *out, char *err, size_t errlen)
{
	uint32_t index;

	return vmstate_gic_cpu_decode(b, n, gic_version, &index, out, err, errlen);
}

static uint32_t gic_cpu_index(const uint8_t *b)
{
	return wire_get32(b + VMSTATE_REC_HDR + 2);
}

static const uint8_t *gic_cpu_record;

static size_t enc_gic_cpu(uint8_t *b, size_t size, const void *in)
{
	return vmstate_gic_cpu_encode(b, size, gic_cpu_index(gic_cpu_record), in);
}

FUZZ_ORACLE static void check_counter(const void *state)
{
	const struct vmstate_counter *c = state;

	FUZZ_CHECK(c->hz && c->hz <= UINT32_MAX && !(c->ctl & ~3U) && !(c->cntacr & ~0x3fU) &&
			   (c->mmio || (!c->ctl && !c->cntacr && !c->cval)),
		   "counter accepted: %lu Hz, CTL 0x%x, CNTACR 0x%x", (unsigned long)c->hz, c->ctl,
		   c->cntacr);
}

FUZZ_ORACLE static void check_irq(const struct vgic_irq_state *s, unsigned int intid)
{
	FUZZ_CHECK(!(s->priority & 7), "INTID %u: priority 0x%x accepted", intid, s->priority);
	FUZZ_CHECK(intid >= 16 || s->edge, "SGI %u level-sensitive accepted", intid);
	if (gic_version == 3)
		FUZZ_CHECK(!s->sources && !(s->route & ~VGIC_IROUTER_BITS),
			   "INTID %u: sources 0x%x, route 0x%lx accepted", intid, s->sources,
			   (unsigned long)s->route);
	else if (intid < 16)
		FUZZ_CHECK(s->pending == (s->sources != 0), "v2 SGI %u pending %u sources 0x%x",
			   intid, s->pending, s->sources);
}

FUZZ_ORACLE static void check_gic(const void *state)
{
	const struct vgic_dist_state *d = state;

	FUZZ_CHECK(d->version == 2 || d->version == 3, "GIC version %u accepted", d->version);
	gic_version = d->version;
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		check_irq(&d->spi[i], 32 + i);
}

FUZZ_ORACLE static void check_gic_cpu(const void *state)
{
	const struct vgic_cpu_state *c = state;

	for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
		check_irq(&c->priv[i], i);
	FUZZ_CHECK(!(c->pmr & 7) && c->bpr0 <= 7 && c->bpr1 <= 7 && !(c->flags & ~0x3fU),
		   "CPU interface accepted: PMR 0x%x BPR %u/%u flags 0x%x", c->pmr, c->bpr0,
		   c->bpr1, c->flags);
}

FUZZ_ORACLE static void check_backdoor(const void *state)
{
	const struct vmstate_backdoor *b = state;

	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++) {
		const struct msg_channel *c = &b->channels[i];

		FUZZ_CHECK(c->in_len <= c->in_size && c->in_size <= MSG_MAX_SIZE &&
				   c->out_pos <= c->out_size && c->out_size <= MSG_MAX_SIZE,
			   "channel %u accepted: %u/%u in, %u/%u out", i, c->in_len, c->in_size,
			   c->out_pos, c->out_size);
	}
}

FUZZ_ORACLE static void check_guestinfo(const void *state)
{
	const struct vmstate_guestinfo *g = state;

	FUZZ_CHECK(g->info.count <= GUESTINFO_MAX, "%u keys accepted", g->info.count);
	for (unsigned int i = 0; i < g->info.count; i++)
		FUZZ_CHECK(g->info.entries[i].key[0] &&
				   strlen(g->info.entries[i].key) < GUESTINFO_KEY_MAX,
			   "key %u accepted empty or unterminated", i);
}

static const struct kind kinds[] = {
	[1] = { sizeof(struct vmstate_machine), dec_machine, enc_machine, NULL },
	[2] = { sizeof(struct vmstate_counter), dec_counter, enc_counter, check_counter },
	[3] = { sizeof(struct vgic_dist_state), dec_gic, enc_gic, check_gic },
	[4] = { sizeof(struct vgic_cpu_state), dec_gic_cpu, enc_gic_cpu, check_gic_cpu },
	[5] = { sizeof(struct vgic_cpu_state), dec_gic_cpu, enc_gic_cpu, check_gic_cpu },
	[6] = { sizeof(struct vmstate_pl011), dec_pl011, enc_pl011, NULL },
	[7] = { sizeof(struct vmstate_pl031), dec_pl031, enc_pl031, NULL },
	[8] = { sizeof(struct vmstate_dcc), dec_dcc, enc_dcc, NULL },
	[9] = { sizeof(struct vmstate_backdoor), dec_backdoor, enc_backdoor, check_backdoor },
	[10] = { sizeof(struct vmstate_guestinfo), dec_guestinfo, enc_guestinfo, check_guestinfo },
	[12] = { sizeof(struct vmstate_enclave), dec_enclave, enc_enclave, NULL },
};

static uint8_t state1[sizeof(struct vmstate_backdoor)], state2[sizeof(struct vmstate_backdoor)];

static void other_record(unsigned int k, const uint8_t *p, size_t n)
{
	const struct kind *kd = &kinds[k];
	char err[200] = "";
	size_t n1, n2;

	gic_version = k == 5 ? 2 : 3;
	gic_cpu_record = p;
	memset(state1, 0xa5, kd->size);
	if (kd->decode(p, n, state1, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "a refusal without a reason");
		for (size_t i = 0; i < kd->size; i++)
			FUZZ_CHECK(state1[i] == 0xa5, "output written on a refusal");
		return;
	}
	if (kd->check)
		kd->check(state1);
	n1 = kd->encode(enc1, sizeof(enc1), state1);
	FUZZ_CHECK(n1 == n, "record of %zu bytes accepted, encodes to %zu", n, n1);
	FUZZ_CHECK(!memcmp(enc1, p, n), "an accepted record is not its state's encoding");
	memset(state2, 0, kd->size);
	gic_cpu_record = enc1;
	FUZZ_CHECK(!kd->decode(enc1, n1, state2, err, sizeof(err)), "own encoding refused: %s",
		   err);
	n2 = kd->encode(enc2, sizeof(enc2), state2);
	FUZZ_CHECK(n2 == n1 && !memcmp(enc1, enc2, n1), "the canonical form moved");
}

static uint8_t ram[VMSTATE_PAGES_MAX * VMSTATE_PAGE_SIZE];

/* Memory: decoded pages are within the RAM given, and encode back (zero pages as markers). */
static void pages_record(const uint8_t *p, size_t n)
{
	const uint64_t ram_ipa = 0x40000000, ram_size = 1 << 20;
	struct vmstate_pages pg, pg2;
	char err[200] = "";
	size_t n1, n2;

	memset(&pg, 0xa5, sizeof(pg));
	if (vmstate_pages_decode(p, n, ram_ipa, ram_size, &pg, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "a refusal without a reason");
		for (size_t i = 0; i < sizeof(pg); i++)
			FUZZ_CHECK(((uint8_t *)&pg)[i] == 0xa5, "output written on a refusal");
		return;
	}
	FUZZ_CHECK(pg.count >= 1 && pg.count <= VMSTATE_PAGES_MAX && !(pg.ipa % 4096) &&
			   pg.ipa >= ram_ipa &&
			   pg.ipa + pg.count * VMSTATE_PAGE_SIZE <= ram_ipa + ram_size,
		   "%u pages at 0x%lx accepted", pg.count, (unsigned long)pg.ipa);
	for (unsigned int i = 0; i < pg.count; i++) {
		uint8_t *to = ram + (size_t)i * VMSTATE_PAGE_SIZE;

		if (pg.data[i])
			memcpy(to, pg.data[i], VMSTATE_PAGE_SIZE);
		else
			memset(to, 0, VMSTATE_PAGE_SIZE);
	}
	n1 = vmstate_pages_encode(enc1, sizeof(enc1), pg.ipa, pg.count, ram);
	FUZZ_CHECK(n1, "accepted pages do not encode");
	FUZZ_CHECK(!vmstate_pages_decode(enc1, n1, ram_ipa, ram_size, &pg2, err, sizeof(err)),
		   "own encoding refused: %s", err);
	n2 = vmstate_pages_encode(enc2, sizeof(enc2), pg2.ipa, pg2.count, ram);
	FUZZ_CHECK(n2 == n1 && !memcmp(enc1, enc2, n1), "the canonical form moved");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int k;

	struct vmstate_header h;

	if (!size)
		return 0;
	if (data[0] & 1) {
		char err[200] = "";

		if (vmstate_header_decode(data + 1, size - 1, &h, err, sizeof(err)))
			FUZZ_CHECK(err[0], "a refusal without a reason");
		else
			FUZZ_CHECK(h.major == VMSTATE_MAJOR && h.nvcpus >= 1 &&
					   h.nvcpus <= VM_MAX_VCPUS,
				   "header %u.%u, %u vCPUs accepted", h.major, h.minor, h.nvcpus);
		return 0;
	}
	k = (data[0] >> 1) % 13;
	if (k == 0)
		vcpu_record(data + 1, size - 1);
	else if (k == 11)
		pages_record(data + 1, size - 1);
	else
		other_record(k, data + 1, size - 1);
	return 0;
}
