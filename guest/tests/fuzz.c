// SPDX-License-Identifier: MIT
/*
 * A hostile guest: every vCPU runs operations generated from "seed=N" (docs/testing.md,
 * "The guest fuzzer") against Skiff at once: system registers of random encodings,
 * loads and stores of every shape across the device window and unbacked IPAs,
 * backdoor calls, GIC registers, SGIs, timers, HVC/SMC, WFI/WFE, page-table walks
 * into MMIO, Thumb at AArch32 EL0 where the CPU has it, PSCI and backdoor message
 * channels from C. "rounds=R" rounds of "ops=N" operations per vCPU, on "vcpus=N"
 * vCPUs; each round ends with PSCI SYSTEM_RESET, the count kept in RAM past the image.
 * The guest survives its own mistakes: it steps over every exception it takes and
 * never aims a store at itself. What it checks itself (anomalies): exceptions come
 * back at the instruction that took them, registers an instruction does not write
 * keep their values, PSCI and the backdoor answer as they must, no vCPU gets lost.
 * The system test (tests/system/test_fuzz.py) watches the host: no panic, other VMs
 * keep running and keep their state, host memory, the log's rate.
 */
#include <libfdt.h>
#include <stdarg.h>

#include "fuzz/fuzz.h"
#include "lib/format.h"

#define STATE_MAGIC  0xf0220f22f0220f22UL
#define BATCH	     32
#define WATCHDOG_S   30
#define NUDGE_S	     2
#define MAX_PRINTED  40
#define STORM_MAX    8
#define AFFINITY_OFF 1

/* What the rounds add up to, kept across the resets. */
struct fuzz_state {
	uint64_t magic, seed, round, first_round, boots;
	uint64_t start_count; /* the virtual counter at the first round */
	uint64_t ops, snippets, anomalies, lost, nudges;
	uint64_t ec[64], irqs, fiqs, serrors;
	uint64_t kinds[OP_KINDS];
};

static struct fuzz_state *const st = (struct fuzz_state *)STATE_ADDR;
struct cpu_state cpus[FUZZ_MAX_VCPUS];
uint64_t fuzz_round;
static struct op batches[FUZZ_MAX_VCPUS][BATCH];
static uint32_t print_lock;
static uint32_t printed;
static uint64_t verbose;

static const char *const kind_names[OP_KINDS] = {
	[OP_SYSREG] = "sysreg", [OP_LDST] = "ldst",   [OP_BACKDOOR] = "backdoor",
	[OP_GIC] = "gic",	[OP_SGI] = "sgi",     [OP_TIMER] = "timer",
	[OP_CALL] = "call",	[OP_WFX] = "wfx",     [OP_WALK] = "walk",
	[OP_T32] = "t32",	[OP_KNOWN] = "known", [OP_PSCI] = "psci",
	[OP_RPC] = "rpc",
};

void gen_init(void);
void exec_install_handlers(void);

unsigned int this_cpu(void)
{
	return (unsigned int)(read_sysreg(mpidr_el1) & 0xff);
}

void fuzz_print(const char *fmt, ...)
{
	/* Exclusives need the MMU on (Normal memory): before that only vCPU 0 runs. */
	bool lock = read_sysreg(sctlr_el1) & 1;
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	format_v(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (lock)
		while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
			;
	puts_raw(buf);
	if (lock)
		__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void anomaly(unsigned int cpu, const struct op *op, const char *fmt, ...)
{
	struct cpu_state *c = &cpus[cpu];
	char msg[200];
	va_list ap;

	c->st.anomalies++;
	if (__atomic_fetch_add(&printed, 1, __ATOMIC_RELAXED) >= MAX_PRINTED)
		return;
	va_start(ap, fmt);
	format_v(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fuzz_print("# fuzz: ANOMALY seed %lu round %lu cpu %u op %lu (%s, insn 0x%08x): %s\n",
		   (unsigned long)st->seed, (unsigned long)fuzz_round, cpu,
		   (unsigned long)c->op_index - 1, kind_names[op ? op->kind : c->last_kind],
		   op ? op->insn : c->last_insn, msg);
}

static void print_op(unsigned int cpu, const struct op *op)
{
	fuzz_print("# fuzz: cpu %u op %lu %s el%u%s%s insn 0x%08x t32 %04x %04x %04x x0 0x%lx "
		   "x1 0x%lx x2 0x%lx x3 0x%lx sp 0x%lx\n",
		   cpu, (unsigned long)cpus[cpu].op_index - 1, kind_names[op->kind], op->el,
		   op->unmask ? " irq" : "", op->arm_timer ? " timer" : "", op->insn,
		   op->t32_insn[0], op->t32_insn[1], op->t32_insn[2], (unsigned long)op->x[0],
		   (unsigned long)op->x[1], (unsigned long)op->x[2], (unsigned long)op->x[3],
		   (unsigned long)op->sp);
}

/* A batch of operations; WFx ones come in storms of several. */
static unsigned int generate(unsigned int cpu, unsigned int n)
{
	struct cpu_state *c = &cpus[cpu];
	struct op *b = batches[cpu];
	unsigned int i = 0;

	while (i < n) {
		unsigned int storm;

		gen_op(&c->rng, cpu, &b[i]);
		storm = b[i].kind == OP_WFX ? 1 + (unsigned int)rnd(&c->rng, STORM_MAX) : 1;
		for (i++; --storm && i < n; i++)
			b[i] = b[i - 1];
	}
	return n;
}

static void run_one(unsigned int cpu, struct op *op)
{
	struct cpu_state *c = &cpus[cpu];

	c->last_kind = op->kind;
	c->last_insn = op->insn;
	c->op_index++; /* first: a CPU_OFF does not come back */
	c->st.kinds[op->kind]++;
	if (verbose)
		print_op(cpu, op);
	if (op->kind == OP_PSCI) {
		struct rng r = { op->arg | 1 };

		call_psci(&r, cpu, op);
	} else if (op->kind == OP_RPC) {
		struct rng r = { op->arg | 1 };

		call_rpc(&r, cpu, op);
	} else {
		exec_snippet(cpu, op);
	}
	c->progress++;
}

static void run_ops(unsigned int cpu)
{
	struct cpu_state *c = &cpus[cpu];

	while (c->op_index < c->ops_target) {
		uint64_t left = c->ops_target - c->op_index;
		unsigned int n = generate(cpu, left < BATCH ? (unsigned int)left : BATCH);

		exec_write_slots(cpu, batches[cpu], n);
		for (unsigned int i = 0; i < n; i++)
			run_one(cpu, &batches[cpu][i]);
	}
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
}

void fuzz_secondary(unsigned int cpu)
{
	gic_init_cpu();
	fuzz_mmu_enable();
	exec_init_cpu(cpu);
	run_ops(cpu);
	park_cpu(&cpus[cpu].rng, cpu);
}

static int64_t affinity(unsigned int cpu)
{
	struct smccc_res r;

	smccc_hvc(PSCI_AFFINITY_INFO, cpu, 0, 0, &r);
	return (int64_t)r.a0;
}

/*
 * vCPU 0 waits for the others, turning on again any that turned itself off
 * before its operations were done; one that makes no progress for WATCHDOG_S
 * seconds is reported lost.
 */
static void wait_others(void)
{
	uint64_t hz = read_sysreg(cntfrq_el0), last[FUZZ_MAX_VCPUS] = { 0 };
	uint64_t since[FUZZ_MAX_VCPUS];

	for (unsigned int i = 0; i < FUZZ_MAX_VCPUS; i++)
		since[i] = read_vcounter();
	for (;;) {
		bool all = true;

		for (unsigned int i = 1; i < feat.nvcpus; i++) {
			struct cpu_state *c = &cpus[i];
			uint64_t now = read_vcounter();

			if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
				continue;
			all = false;
			if (c->progress != last[i]) {
				last[i] = c->progress;
				since[i] = now;
				c->nudged = 0;
			} else if (now - since[i] > NUDGE_S * hz &&
				   !(now - since[i] > WATCHDOG_S * hz)) {
				if (!c->nudged) {
					c->nudged = 1;
					st->nudges++;
					wake_nudge(i);
				}
			} else if (now - since[i] > WATCHDOG_S * hz) {
				anomaly(0, 0,
					"vCPU %u made no progress for %u s, at its operation %lu "
					"(%s, insn 0x%08x)",
					i, WATCHDOG_S, (unsigned long)c->op_index,
					kind_names[c->last_kind], c->last_insn);
				st->lost++;
				c->done = 1;
			}
			if (!c->done && affinity(i) == AFFINITY_OFF)
				smp_start_vcpu(i, fuzz_secondary);
		}
		if (all)
			break;
		wake_ready(0);
		arm_vtimer(hz / 2000);
		__asm__ volatile("wfi");
		write_sysreg(cntv_ctl_el0, 0);
	}
}

static void add_stats(void)
{
	for (unsigned int i = 0; i < feat.nvcpus; i++) {
		const struct cpu_stats *s = &cpus[i].st;

		st->ops += cpus[i].op_index;
		st->snippets += s->snippets;
		st->anomalies += s->anomalies;
		st->irqs += s->irqs;
		st->fiqs += s->fiqs;
		st->serrors += s->serrors;
		for (unsigned int e = 0; e < 64; e++)
			st->ec[e] += s->ec[e];
		for (unsigned int k = 0; k < OP_KINDS; k++)
			st->kinds[k] += s->kinds[k];
	}
}

static uint64_t ram_size(void)
{
	const void *fdt = (const void *)boot_x0;
	int len, node = fdt_path_offset(fdt, "/memory@40000000");
	const fdt64_t *reg = node < 0 ? 0 : fdt_getprop(fdt, node, "reg", &len);

	return reg && len >= 16 ? fdt64_to_cpu(reg[1]) : 0;
}

static void detect(void)
{
	static const uint8_t pa_bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	uint64_t isar0 = read_sysreg(id_aa64isar0_el1), pfr0 = read_sysreg(id_aa64pfr0_el1);
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1), dczid = read_sysreg(dczid_el0);
	uint64_t n = bootarg_u64("vcpus", 4);

	feat.lse = ((isar0 >> 20) & 0xf) >= 2;
	feat.a32_el0 = (pfr0 & 0xf) == 2;
	feat.pa_bits = pa_bits[mmfr0 & 7] > 48 ? 48 : pa_bits[mmfr0 & 7];
	feat.zva_bytes = dczid & 0x10 ? 0 : 4UL << (dczid & 0xf);
	feat.ram_size = ram_size();
	feat.nvcpus = n >= 1 && n <= FUZZ_MAX_VCPUS ? (unsigned int)n : 4;
	feat.classes = (uint32_t)bootarg_u64("classes", (1UL << OP_KINDS) - 1);
	feat.gic = gic_init();
}

static void first_boot(uint64_t seed)
{
	st->magic = STATE_MAGIC;
	st->seed = seed;
	st->round = st->first_round = bootarg_u64("start", 0);
	st->start_count = read_vcounter();
	fuzz_print("# fuzz: seed %lu, %u vCPUs, rounds %lu-%lu of %lu operations per vCPU\n",
		   (unsigned long)seed, feat.nvcpus, (unsigned long)st->round,
		   (unsigned long)bootarg_u64("rounds", 10) - 1,
		   (unsigned long)bootarg_u64("ops", 2000));
	fuzz_print("# fuzz: GICv%u, %lu MiB, %u-bit IPAs, LSE %s, DC ZVA %lu bytes, AArch32 EL0 "
		   "%s\n",
		   feat.gic, (unsigned long)(feat.ram_size >> 20), feat.pa_bits,
		   feat.lse ? "yes" : "no (no atomics)", (unsigned long)feat.zva_bytes,
		   feat.a32_el0 ? "yes (Thumb snippets)" : "no (Thumb skipped)");
}

static void final_report(void)
{
	uint64_t hz = read_sysreg(cntfrq_el0), ticks = read_vcounter() - st->start_count;
	uint64_t rounds = st->round - st->first_round;
	uint64_t expected = rounds * feat.nvcpus * bootarg_u64("ops", 2000);
	uint64_t injected = st->ec[EC_DABT_CUR] + st->ec[EC_DABT_LOW];

	report_info("test: fuzz");
	report(st->ops >= expected && rounds,
	       "%lu operations in %lu rounds, %lu a second (seed %lu, %u vCPUs)",
	       (unsigned long)st->ops, (unsigned long)rounds,
	       (unsigned long)(ticks ? st->ops * hz / ticks : 0), (unsigned long)st->seed,
	       feat.nvcpus);
	for (unsigned int e = 0; e < 64; e++)
		if (st->ec[e])
			report_info("fuzz: exceptions of class 0x%02x: %lu", e,
				    (unsigned long)st->ec[e]);
	report_info("fuzz: interrupts %lu, FIQs %lu, snippets %lu, vCPUs woken by an SGI after "
		    "%u s of no progress %lu",
		    (unsigned long)st->irqs, (unsigned long)st->fiqs, (unsigned long)st->snippets,
		    NUDGE_S, (unsigned long)st->nudges);
	for (unsigned int k = 0; k < OP_KINDS; k++)
		report_info("fuzz: %s operations: %lu", kind_names[k], (unsigned long)st->kinds[k]);
	report(st->ec[EC_UNKNOWN] && injected,
	       "the operations reached Skiff: %lu UNDEFs and %lu data aborts taken and stepped "
	       "over",
	       (unsigned long)st->ec[EC_UNKNOWN], (unsigned long)injected);
	report(!st->serrors, "no SError reached the guest (%lu)", (unsigned long)st->serrors);
	report(!st->lost, "every vCPU finished its operations in every round (%lu lost)",
	       (unsigned long)st->lost);
	report(!st->anomalies,
	       "no anomaly (exception return addresses, registers kept, PSCI and backdoor "
	       "answers): %lu",
	       (unsigned long)st->anomalies);
	printf("bench: fuzz_guest ops=%lu ticks=%lu hz=%lu rounds=%lu vcpus=%u\n",
	       (unsigned long)st->ops, (unsigned long)ticks, (unsigned long)hz,
	       (unsigned long)rounds, feat.nvcpus);
	st->magic = 0; /* the next run starts afresh */
}

void main_test(void)
{
	uint64_t seed = bootarg_u64("seed", 1), rounds = bootarg_u64("rounds", 10);
	uint64_t ops = bootarg_u64("ops", 2000);

	verbose = bootarg_u64("verbose", 0);
	detect();
	if (feat.ram_size < RAM_MIN) {
		report(false, "the fuzzer needs %lu MiB of RAM, the VM has %lu", RAM_MIN >> 20,
		       (unsigned long)(feat.ram_size >> 20));
		return;
	}
	if (st->magic != STATE_MAGIC || st->seed != seed)
		first_boot(seed);
	st->boots++;
	gen_init();
	fuzz_mmu_build();
	exec_install_handlers();
	fuzz_mmu_enable();
	exec_init_cpu(0);
	fuzz_round = st->round;
	if (st->round < rounds) {
		for (unsigned int i = 0; i < feat.nvcpus; i++) {
			rng_seed(&cpus[i].rng, seed, st->round, i);
			cpus[i].ops_target = ops;
		}
		for (unsigned int i = 1; i < feat.nvcpus; i++)
			smp_start_vcpu(i, fuzz_secondary);
		run_ops(0);
		wait_others();
		add_stats();
		st->round++;
		fuzz_print("# fuzz: round %lu ops %lu\n", (unsigned long)st->round,
			   (unsigned long)st->ops);
		if (st->round < rounds)
			psci_system_reset();
	}
	final_report();
}
