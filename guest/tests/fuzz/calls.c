// SPDX-License-Identifier: MIT
/*
 * The operations made from C: PSCI calls racing on every vCPU (each answer
 * checked against what PSCI allows), and backdoor message channels whose
 * high-bandwidth buffers run into pages the guest has not mapped, unbacked IPAs
 * or devices (a transfer that cannot be carried out in full must fail, one that
 * can must deliver).
 */
#include <string.h>

#include "fuzz.h"
#include "lib/format.h"

#define PSCI_CPU_ON_32	      0x84000003U
#define PSCI_MIGRATE_INFO     0x84000006U
#define PSCI_FEATURES_FID     0x8400000aU
#define AFFINITY_ON	      0
#define AFFINITY_ON_PENDING   2
#define PSCI_VERSION_EXPECTED 0x10001U
#define MSG_MAX		      8192
#define REPLY_MAX	      (MSG_MAX + 16)
#define BIT(n)		      (1UL << (n))

extern void secondary_start(void);

void arm_vtimer(uint64_t ticks)
{
	write_sysreg(cntv_tval_el0, ticks);
	write_sysreg(cntv_ctl_el0, 1);
	isb();
}

static void wr32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/*
 * Undoes what operations may have done to the interrupts that end a wait: the
 * distributor's group enables, this vCPU's SGIs and virtual timer (enabled, not
 * active), its CPU interface (priority mask, group enables, no active priority).
 * A WFI with all of them off would wait forever, as it may on hardware.
 */
void wake_ready(unsigned int cpu)
{
	uint64_t sgi = GICR_BASE + cpu * GICR_STRIDE + 0x10000;
	uint32_t mine = (1U << INTID_VTIMER) | 0xffffU;

	if (feat.gic == 3) {
		wr32(GICD_BASE, 0x13);			       /* ARE, both groups */
		wr32(GICR_BASE + cpu * GICR_STRIDE + 0x14, 0); /* GICR_WAKER: awake */
		wr32(sgi + 0x380, mine);		       /* ICACTIVER0 */
		wr32(sgi + 0x100, mine);		       /* ISENABLER0 */
		write_sysreg(S3_0_C4_C6_0, 0xff);	       /* ICC_PMR_EL1 */
		write_sysreg(S3_0_C12_C8_4, 0);		       /* ICC_AP0R0_EL1 */
		write_sysreg(S3_0_C12_C9_0, 0);		       /* ICC_AP1R0_EL1 */
		write_sysreg(S3_0_C12_C12_6, 1);	       /* ICC_IGRPEN0_EL1 */
		write_sysreg(S3_0_C12_C12_7, 1);	       /* ICC_IGRPEN1_EL1 */
	} else if (feat.gic == 2) {
		wr32(GICD_BASE, 3);
		wr32(GICD_BASE + 0x380, mine);
		wr32(GICD_BASE + 0x100, mine);
		wr32(GICC_BASE + 0x04, 0xff); /* GICC_PMR */
		wr32(GICC_BASE + 0xd0, 0);    /* GICC_APR0 */
		wr32(GICC_BASE + 0x00, 3);    /* GICC_CTLR: both groups */
	}
	isb();
}

/* vCPU 0 for a vCPU that stopped making progress: its interrupts on, and an SGI. */
void wake_nudge(unsigned int cpu)
{
	uint64_t sgi = GICR_BASE + cpu * GICR_STRIDE + 0x10000;

	if (feat.gic == 3) {
		wr32(GICD_BASE, 0x13);
		wr32(sgi + 0x380, 0xffff);
		wr32(sgi + 0x100, 0xffff);
	} else if (feat.gic == 2) {
		wr32(GICD_BASE, 3);
	}
	gic_send_sgi(cpu, 1);
}

static int64_t hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct smccc_res res;

	smccc_hvc(fid, a1, a2, a3, &res);
	return (int64_t)res.a0;
}

static bool one_of(int64_t v, const int64_t *set, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v == set[i])
			return true;
	return false;
}

#define EXPECT(cpu, op, v, what, ...)                                               \
	do {                                                                        \
		static const int64_t ok_[] = { __VA_ARGS__ };                       \
		if (!one_of((v), ok_, sizeof(ok_) / sizeof(ok_[0])))                \
			anomaly((cpu), (op), "%s answered %ld", (what), (long)(v)); \
	} while (0)

/* CPU_ON of a vCPU (itself included), of one that does not exist, or with a bad entry. */
static void psci_cpu_on(struct rng *r, unsigned int cpu, struct op *op)
{
	unsigned int target = (unsigned int)rnd(r, feat.nvcpus);
	uint64_t mpidr = target, entry = (uint64_t)secondary_start;
	bool exists = true, bad_entry = false;
	uint32_t fid = one_in(r, 3) ? PSCI_CPU_ON_32 : PSCI_CPU_ON_64;
	int64_t ret;

	if (one_in(r, 6)) {
		mpidr = one_in(r, 2) ? feat.nvcpus + rnd(r, 8) : rng_next(r) | 0x100;
		exists = false;
	}
	if (one_in(r, 10)) {
		entry = one_in(r, 2) ? entry + 2 : 0x1000; /* unaligned, or not RAM */
		bad_entry = true;
	}
	if (exists && !bad_entry && mpidr < FUZZ_MAX_VCPUS)
		ret = smp_start_vcpu((unsigned int)mpidr, fuzz_secondary);
	else
		ret = hvc(fid, mpidr, entry, mpidr);
	if (!exists && fid == PSCI_CPU_ON_32 && (uint32_t)mpidr < feat.nvcpus)
		return; /* the 32-bit call sees only the low half, which names a vCPU */
	if (!exists)
		EXPECT(cpu, op, ret, "CPU_ON of a vCPU that does not exist",
		       PSCI_INVALID_PARAMETERS);
	else if (target == cpu)
		EXPECT(cpu, op, ret, "CPU_ON of itself", PSCI_ALREADY_ON, PSCI_INVALID_ADDRESS);
	else if (bad_entry)
		EXPECT(cpu, op, ret, "CPU_ON with a bad entry point", PSCI_INVALID_ADDRESS,
		       PSCI_ALREADY_ON);
	else
		EXPECT(cpu, op, ret, "CPU_ON of a sibling", PSCI_SUCCESS, PSCI_ALREADY_ON,
		       PSCI_ON_PENDING, PSCI_DENIED, PSCI_INTERNAL_FAILURE);
}

static void psci_suspend(struct rng *r, unsigned int cpu, struct op *op)
{
	uint64_t state = rng_next(r);
	int64_t ret;

	if (!cpu)
		state &= ~(BIT(16) | BIT(30)); /* vCPU 0 coordinates: it must come back here */
	wake_ready(cpu);
	arm_vtimer(rnd(r, 30000));
	ret = hvc(one_in(r, 2) ? 0xc4000001U : 0x84000001U, state, (uint64_t)secondary_start, cpu);
	write_sysreg(cntv_ctl_el0, 0);
	EXPECT(cpu, op, ret, "CPU_SUSPEND", PSCI_SUCCESS, PSCI_INVALID_PARAMETERS, PSCI_DENIED);
}

static void psci_affinity(struct rng *r, unsigned int cpu, struct op *op)
{
	uint64_t target = one_in(r, 5) ? rng_next(r) : rnd(r, feat.nvcpus);
	uint64_t level = one_in(r, 4) ? rnd(r, 4) : 0;
	int64_t ret = hvc(one_in(r, 2) ? 0xc4000004U : 0x84000004U, target, level, 0);

	if (level || target >= feat.nvcpus)
		EXPECT(cpu, op, ret, "AFFINITY_INFO of nothing", PSCI_INVALID_PARAMETERS);
	else if (target == cpu)
		EXPECT(cpu, op, ret, "AFFINITY_INFO of itself", AFFINITY_ON);
	else
		EXPECT(cpu, op, ret, "AFFINITY_INFO", AFFINITY_ON, 1, AFFINITY_ON_PENDING);
}

static void psci_misc(struct rng *r, unsigned int cpu, struct op *op)
{
	int64_t ret;

	switch (rnd(r, 4)) {
	case 0:
		ret = hvc(PSCI_VERSION, rng_next(r), rng_next(r), rng_next(r));
		EXPECT(cpu, op, ret, "PSCI_VERSION", PSCI_VERSION_EXPECTED);
		break;
	case 1:
		ret = hvc(PSCI_FEATURES_FID,
			  one_in(r, 2) ? 0x84000000U | rnd(r, 0x20) : rng_next(r), 0, 0);
		if (ret < PSCI_NOT_SUPPORTED)
			anomaly(cpu, op, "PSCI_FEATURES answered %ld", (long)ret);
		break;
	case 2:
		ret = hvc(PSCI_MIGRATE_INFO, 0, 0, 0);
		EXPECT(cpu, op, ret, "MIGRATE_INFO_TYPE", 0, 1, 2);
		break;
	default:
		ret = hvc(SMCCC_ARCH_FEATURES, rng_next(r), 0, 0);
		if (ret < PSCI_NOT_SUPPORTED)
			anomaly(cpu, op, "SMCCC_ARCH_FEATURES answered %ld", (long)ret);
		break;
	}
}

void call_psci(struct rng *r, unsigned int cpu, struct op *op)
{
	switch (rnd(r, 8)) {
	case 0:
	case 1:
		psci_cpu_on(r, cpu, op);
		break;
	case 2:
		if (cpu) {
			int64_t ret = hvc(PSCI_CPU_OFF, 0, 0, 0);

			anomaly(cpu, op, "CPU_OFF returned %ld", (long)ret);
		}
		break;
	case 3:
		psci_suspend(r, cpu, op);
		break;
	case 4:
	case 5:
		psci_affinity(r, cpu, op);
		break;
	default:
		psci_misc(r, cpu, op);
		break;
	}
}

/* --- backdoor message channels --- */

/* Each vCPU's buffers, in its own memory (no operation of another vCPU writes there). */
struct rpc_buffers {
	char hb[4 * PAGE];
	char msg[MSG_MAX + 8];
	char reply[REPLY_MAX];
	char value[64];
	char set_value[64]; /* what guestinfo.fuzz<cpu> was last set to, this boot */
	bool set_valid;
	bool leaked; /* a channel left open by the last operation */
	struct bdoor_channel left_open;
} __attribute__((aligned(PAGE)));

static struct rpc_buffers rpc_bufs[FUZZ_MAX_VCPUS];

/* Where a high-bandwidth buffer of @len bytes goes, and how much of it the guest can reach. */
struct placement {
	uint64_t va;
	uint64_t reachable; /* bytes from va that are RAM mapped at stage 1 */
	bool shared;	    /* other vCPUs place their buffers there too */
};

static uint64_t ram_end(void)
{
	return GUEST_RAM_BASE + feat.ram_size;
}

static struct placement place(struct rng *r, unsigned int cpu, uint64_t len)
{
	uint64_t k = len ? 1 + rnd(r, len) : 0;

	switch (rnd(r, 6)) {
	case 0: /* into the block the guest left out of its stage 1 */
		return (struct placement){ HOLE - k, k, true };
	case 1: /* past the end of RAM */
		return (struct placement){ ram_end() - k, k, true };
	case 2: /* into the device window, mapped as Normal memory */
		return (struct placement){ VA_NORMAL_DEV + 0x09011000 - k, 0, false };
	case 3: /* at an unbacked IPA altogether */
		return (struct placement){ VA_HIGH + rnd(r, 1UL << 30), 0, false };
	default: /* in RAM, across a page boundary */
		return (struct placement){ (uint64_t)rpc_bufs[cpu].hb + PAGE - rnd(r, PAGE), len,
					   false };
	}
}

static size_t build_request(struct rng *r, unsigned int cpu, char *msg, char *value)
{
	size_t n, vlen = 1 + rnd(r, 40);

	for (size_t i = 0; i < vlen; i++)
		value[i] = (char)('a' + rnd(r, 26));
	value[vlen] = '\0';
	switch (rnd(r, 6)) {
	case 0:
		return (size_t)format(msg, MSG_MAX, "info-set guestinfo.fuzz%u %s", cpu, value);
	case 1:
		return (size_t)format(msg, MSG_MAX, "info-get guestinfo.fuzz%u", cpu);
	case 2:
		return (size_t)format(msg, MSG_MAX, "tools.set.version %lu",
				      (unsigned long)rng_next(r));
	case 3:
		n = 4 + rnd(r, 300);
		memcpy(msg, "log ", 4);
		for (size_t i = 4; i < n; i++)
			msg[i] = (char)rng_next(r);
		return n;
	default:
		n = one_in(r, 8) ? MSG_MAX + rnd(r, 2) : rnd(r, 600);
		for (size_t i = 0; i < n; i++)
			msg[i] = (char)rng_next(r);
		return n;
	}
}

/*
 * Sends @len bytes high-bandwidth from a placement; false when it failed. *@shared:
 * another vCPU may have written its own request over it before Skiff read it.
 */
static bool send_placed(struct rng *r, unsigned int cpu, struct bdoor_channel *ch, const char *msg,
			size_t len, bool *reachable, bool *shared)
{
	struct placement p = place(r, cpu, len);

	*reachable = p.reachable >= len;
	*shared = p.shared;
	if (p.reachable)
		memcpy((void *)p.va, msg, p.reachable < len ? p.reachable : len);
	return bdoor_send(ch, (const char *)p.va, len, true);
}

/*
 * A request of @len bytes was delivered: an info-set of our key takes effect whether
 * or not its reply is read; a reply read in full says what it must. Only the first
 * @len bytes of b->msg are this request's: a shorter random one (even an empty one)
 * leaves the last request's text behind it.
 */
static void check_reply(unsigned int cpu, const struct op *op, struct rpc_buffers *b, size_t len,
			long got)
{
	if (len < 8)
		return;
	if (!memcmp(b->msg, "info-set", 8)) {
		memcpy(b->set_value, b->value, sizeof(b->value));
		b->set_valid = true;
		if (got >= 0 && (got != 2 || memcmp(b->reply, "1 ", 2)))
			anomaly(cpu, op, "info-set answered \"%.*s\"", (int)(got < 40 ? got : 40),
				b->reply);
		return;
	}
	if (got < 0 || memcmp(b->msg, "info-get", 8) || !b->set_valid)
		return;
	b->reply[got] = '\0';
	if (got < 2 || b->reply[0] != '1' || strcmp(b->reply + 2, b->set_value))
		anomaly(cpu, op, "guestinfo.fuzz%u: set to \"%s\", info-get answers \"%.40s\"", cpu,
			b->set_value, b->reply);
}

void call_rpc(struct rng *r, unsigned int cpu, struct op *op)
{
	struct rpc_buffers *b = &rpc_bufs[cpu];
	struct bdoor_channel ch;
	bool hb = !one_in(r, 3), reachable = true, shared = false, sent, rpci = !one_in(r, 6);
	size_t len;
	long got;

	if (b->leaked && !bdoor_close(&b->left_open))
		anomaly(cpu, op, "closing the channel left open failed");
	b->leaked = false;
	if (!bdoor_open(&ch, rpci ? BDOOR_PROTO_RPCI : 0x4f4c4354U /* TCLO */))
		return; /* all channels taken (other vCPUs may each leave one open): fine */
	len = build_request(r, cpu, b->msg, b->value);
	if (hb && len)
		sent = send_placed(r, cpu, &ch, b->msg, len, &reachable, &shared);
	else
		sent = bdoor_send(&ch, b->msg, len, false);
	if (sent && !reachable)
		anomaly(cpu, op,
			"a %lu-byte high-bandwidth send from a buffer the guest cannot "
			"reach in full succeeded",
			(unsigned long)len);
	else if (sent && len > MSG_MAX)
		anomaly(cpu, op, "a %lu-byte message was accepted", (unsigned long)len);
	else if (!sent && reachable && len <= MSG_MAX)
		anomaly(cpu, op, "a %lu-byte send failed", (unsigned long)len);
	if (sent && one_in(r, 4)) {
		/* The reply written somewhere it may not fit: success or failure, no harm. */
		struct placement p = place(r, cpu, REPLY_MAX);

		(void)bdoor_recv(&ch, (char *)p.va, REPLY_MAX, true);
		if (rpci)
			check_reply(cpu, op, b, shared ? 0 : len, -1);
	} else if (sent) {
		got = bdoor_recv(&ch, b->reply, REPLY_MAX - 1, one_in(r, 2));
		if (got < 0)
			anomaly(cpu, op, "receiving the reply failed");
		else if (rpci)
			check_reply(cpu, op, b, shared ? 0 : len, got);
	}
	/* Skiff may have read another vCPU's request: what our key holds is unknown now. */
	if (sent && shared)
		b->set_valid = false;
	if (one_in(r, 16)) {
		b->leaked = true; /* closed by the next operation, or by the reset */
		b->left_open = ch;
	} else if (!bdoor_close(&ch)) {
		anomaly(cpu, op, "closing a channel failed");
	}
}

/* After its operations: off, waiting for interrupts, or spinning, until the reset. */
void park_cpu(struct rng *r, unsigned int cpu)
{
	unsigned int how = (unsigned int)rnd(r, 3);

	if (how == 0 && cpu) {
		int64_t ret = hvc(PSCI_CPU_OFF, 0, 0, 0);

		anomaly(cpu, 0, "CPU_OFF while parking returned %ld", (long)ret);
	}
	for (;;) {
		if (how == 2) {
			__asm__ volatile("wfe");
			continue;
		}
		wake_ready(cpu);
		arm_vtimer(62500);
		__asm__ volatile("wfi");
		write_sysreg(cntv_ctl_el0, 0);
	}
}
