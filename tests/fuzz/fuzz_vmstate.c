// SPDX-License-Identifier: MIT
/*
 * The VM state format's decoder (migrate/vmstate.c), where a state received
 * from another host enters: a vCPU record and a header record of any bytes.
 * Checked: a refusal says why and leaves the output as it was; what is
 * accepted is a state a guest can have (PSTATE at EL0 or EL1, AArch32 in User
 * mode only), and encoding it again gives a record that decodes to the same
 * bytes once more (the canonical form is stable).
 *
 * Input: a selector byte (bit 0: a header record, else a vCPU record), then
 * the record.
 */
#include "migrate/vmstate.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
	vcpu_record(data + 1, size - 1);
	return 0;
}
