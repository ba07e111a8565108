// SPDX-License-Identifier: MIT
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"
#include "core/dirty_log.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/random.h"
#include "core/vm.h"
#include "enclave/policy.h"
#include "lib/format.h"
#include "migrate/migrate.h"
#include "migrate/tombstone.h"
#include "migrate/vmcapture.h"
#include "migrate/wire.h"

#define PROGRESS_S  1  /* a progress line at most this often */
#define ANSWER_S    30 /* the longest either side waits for the other's next step */
#define PUMP_FRAMES 16 /* frames sent per service, so that no call keeps its CPU long */
/*
 * Pre-copy ends (the VM stops for the rest) when what is left would take the
 * link this long at the last round's rate, or is this few pages; or when the
 * guest writes as fast as the link carries: the set stopped shrinking for
 * STALL_ROUNDS rounds, or MAX_ROUNDS went by.
 */
#define DOWNTIME_MS  20
#define FEW_PAGES    32
#define STALL_ROUNDS 3
#define MAX_ROUNDS   30
#define PAGE	     VMSTATE_PAGE_SIZE
#define ITEM_HEADER  0
#define ITEM_VCPU    1 /* + the vCPU's index */
#define ITEMS_FIXED  (ITEM_VCPU + VM_MAX_VCPUS)
#define ITEM_COUNTER (ITEMS_FIXED + 0)
#define ITEM_GIC     (ITEMS_FIXED + 1)
#define ITEM_GIC_CPU (ITEMS_FIXED + 2) /* + the vCPU's index */
#define ITEM_PL011   (ITEM_GIC_CPU + VM_MAX_VCPUS)
#define ITEM_PL031   (ITEM_PL011 + 1)
#define ITEM_DCC     (ITEM_PL011 + 2)
#define ITEM_BDOOR   (ITEM_PL011 + 3)
#define ITEM_GINFO   (ITEM_PL011 + 4)
#define ITEM_PAGES   (ITEM_PL011 + 5)

enum role {
	IDLE,
	SRC_CONNECT,   /* waiting for the session (an enclave: the sealed channel) */
	SRC_OFFERED,   /* the offer sent, waiting for the answer */
	SRC_PRECOPY,   /* accepted: RAM going out while the VM runs, round by round */
	SRC_FREEZING,  /* pre-copy done: waiting for the vCPUs to leave their CPUs */
	SRC_SENDING,   /* the stream going out */
	SRC_WAIT_DONE, /* all sent: waiting for the destination to confirm */
	DST_RECEIVING, /* the VM built, its state coming in */
	DST_READY,     /* all taken and confirmed (DONE): waiting for the source's GO */
};

static struct {
	bool accept;
	bool go_due; /* GO to send in session go_session (the link had no room at once) */
	uint32_t go_session;
	enum role role;
	uint32_t session;		 /* the session it runs in */
	const struct migrate_seal *seal; /* an enclave's: every frame goes through it */
	uint8_t abort_token[32];	 /* an enclave's: its ABORT token (both ends make it) */
	struct vm *vm;
	uint64_t hz, began, frozen_at, last_progress;
	uint64_t waiting_since; /* when the wait for the peer's next step began */
	uint64_t peer;		/* the other host's id */
	/* Source: the stream's next item, the record being sent and the frame being filled. */
	unsigned int item;
	uint64_t page; /* where the search for the next page to send goes on */
	size_t rec_len, rec_off;
	size_t frame_len;
	bool frame_full; /* a frame is waiting for room on the link */
	uint64_t pages_total, pages_data, bytes;
	/* Source: the pages still to send (a bitmap over RAM, dirty_log's layout), the rounds. */
	uint64_t *send;
	uint64_t send_words;
	unsigned int round, stalled;
	uint64_t round_pages, round_left, round_began, round_bytes;
	uint64_t resets; /* the VM's count of resets when it began: one more fails the move */
	uint64_t now;
	uint64_t pump_after;  /* while the VM runs: no sending before this count */
	uint64_t pump_ticks;  /* the counter's ticks spent encoding and sending */
	bool catch_up;	      /* the guest's counter makes up for the blackout */
	uint64_t blackout_us; /* destination: the source's time from the freeze to END */
	/* Destination: the record being assembled, what comes next. */
	size_t have;
	unsigned int expect;
	bool vcpu_on[VM_MAX_VCPUS];
} m;

static struct vm_image image;
static uint8_t rec[VMSTATE_RECORD_MAX];
static uint8_t frame[WIRE_PAYLOAD_MAX];
/* A VM that arrived keeps its configuration for good: one per slot of the VM table. */
static struct vm_config incoming_config[VM_MAX];
/* An enclave that arrived keeps the policy it came under (to move on under it). */
static uint8_t incoming_policy[VM_MAX][POLICY_MAX_LEN];
/* The enclave instances that left this host, and at which generation. */
static struct tombstones tombstones;
/* The last enclave channel an offer came through: one enclave per channel (0: none). */
static uint32_t offered_channel;

/*
 * A destination's ABORTs of enclaves it gave up after their offer: handed to
 * the source in the clear once in every session (the channel they were made
 * in may be gone): the only thing that lets a source whose COMMIT went
 * unanswered run its copy again.
 */
#define ABORTS_KEPT 4
#define ABORT_LEN   (VMSTATE_INSTANCE_LEN + 8 + 32) /* instance, generation, token */
static struct {
	uint8_t frame[ABORT_LEN];
	uint32_t told_in; /* the session it was last given in, if told */
	bool told, used;
} aborts[ABORTS_KEPT];
static unsigned int next_abort;

void migrate_init(bool accept)
{
	m.accept = accept;
	m.hz = arch_counter_freq();
	if (accept)
		log_info("migrate: this host takes VMs from others (migrate-accept = \"on\")");
}

bool migrate_busy(void)
{
	return m.role != IDLE;
}

bool migrate_is_leaving(const struct vm *vm)
{
	enum role r = __atomic_load_n(&m.role, __ATOMIC_RELAXED);

	return r != IDLE && r != DST_RECEIVING && r != DST_READY &&
	       __atomic_load_n(&m.vm, __ATOMIC_RELAXED) == vm;
}

void migrate_status(char *buf, size_t len)
{
	static const char *const doing[] = {
		[SRC_CONNECT] = "opening a session",
		[SRC_OFFERED] = "offered, waiting for the answer",
		[SRC_PRECOPY] = "pre-copy, the VM running",
		[SRC_FREEZING] = "stopping the VM",
		[SRC_SENDING] = "the VM stopped, its state going",
		[SRC_WAIT_DONE] = "all sent, waiting for the confirmation",
	};
	enum role r = __atomic_load_n(&m.role, __ATOMIC_RELAXED);
	const struct vm *vm = __atomic_load_n(&m.vm, __ATOMIC_RELAXED);

	if (r == IDLE || !vm)
		format(buf, len, "%s", "");
	else if (r == DST_RECEIVING || r == DST_READY)
		format(buf, len, "migration: vm %s arriving from host %016lx: %lu pages taken",
		       vm->name, (unsigned long)m.peer, (unsigned long)m.pages_total);
	else
		format(buf, len,
		       "migration: vm %s to host %016lx: %s; round %u, %lu of %lu pages sent, "
		       "%lu KiB on the link",
		       vm->name, (unsigned long)m.peer, doing[r], m.round,
		       (unsigned long)(m.round_pages - m.round_left), (unsigned long)m.round_pages,
		       (unsigned long)(m.bytes >> 10));
}

static uint64_t ms_since(uint64_t then, uint64_t now)
{
	return m.hz ? (now - then) * 1000 / m.hz : 0;
}

/* A frame through @seal, or in the clear in session @s when it is NULL. */
static int send_by(struct session *s, const struct migrate_seal *seal, uint8_t type,
		   const uint8_t *p, uint16_t len, char *err, size_t errlen)
{
	if (seal)
		return seal->send(type, p, len, err, errlen);
	return session_send(s, type, p, len, err, errlen);
}

/* A frame of the migration: through its sealed channel if it has one, else the session. */
static int send_frame(struct session *s, uint8_t type, const uint8_t *p, uint16_t len, char *err,
		      size_t errlen)
{
	return send_by(s, m.seal, type, p, len, err, errlen);
}

/* The ABORT token of @instance's move to @generation, under @seal's key; 0 or -1. */
static int abort_token(const struct migrate_seal *seal, const uint8_t *instance,
		       uint64_t generation, uint8_t out[32])
{
	uint8_t what[VMSTATE_INSTANCE_LEN + 8];

	memcpy(what, instance, VMSTATE_INSTANCE_LEN);
	wire_put64(what + VMSTATE_INSTANCE_LEN, generation);
	return seal->abort_token(what, sizeof(what), out);
}

/* Tells the peer @why (best effort: the session may be gone). */
static void send_refuse(struct session *s, const char *why)
{
	if (s->state == SESSION_OPEN && s->id == m.session) {
		char err[80];

		send_frame(s, MIG_T_REFUSE, (const uint8_t *)why, (uint16_t)strnlen(why, 200), err,
			   sizeof(err));
	}
}

/* ---- source ---- */

/* GO, once the link has room for it, in the session the migration ran in. */
static void send_go(struct session *s)
{
	char err[80];

	/* Sent, or never to be: the session ended, and the destination holds the VM. */
	m.go_due = s->state == SESSION_OPEN && s->id == m.go_session &&
		   session_send(s, MIG_T_GO, NULL, 0, err, sizeof(err));
}

/* Ends the dirty log and frees the page set: the migration is over, either way. */
static void source_release(void)
{
	if (m.vm->dirty.on)
		dirty_log_stop(m.vm);
	if (m.send)
		mem_free(m.send, m.send_words * 8);
	m.send = NULL;
}

/* The source's migration ends without moving the VM, which runs on here. */
static void source_failed(struct session *s, const char *why, bool tell)
{
	struct vm *vm = m.vm;

	if (tell)
		send_refuse(s, why);
	source_release();
	if (__atomic_load_n(&vm->frozen, __ATOMIC_SEQ_CST))
		vm_thaw(vm);
	log_error("vm %s: migrate: failed: %s; the VM runs on here", vm->name, why);
	m.role = IDLE;
	m.seal = NULL;
}

/*
 * An enclave's move committed (its END sent) and then no answer: the copy here
 * may never run again, for the destination may run it (only its ABORT, under
 * the channel, lets this one run: a partition costs the VM's availability,
 * never a second copy). It is kept stopped; vm stop discards it.
 */
static void committed_lost(const char *why)
{
	struct vm *vm = m.vm;

	source_release();
	memcpy(vm->abort_token, m.abort_token, sizeof(vm->abort_token));
	vm_commit_hold(vm);
	log_error("vm %s: migrate: committed to host %016lx, then %s: the VM stays stopped here "
		  "and runs here again only if that host's ABORT comes (it may be running "
		  "there); `vm stop %s` discards this copy",
		  vm->name, (unsigned long)m.peer, why, vm->name);
	m.role = IDLE;
	m.seal = NULL;
}

/* A failure on the source: the VM runs on, unless an enclave's move was committed. */
static void source_gives_up(struct session *s, const char *why, bool tell)
{
	if (m.role == SRC_WAIT_DONE && m.seal)
		committed_lost(why);
	else
		source_failed(s, why, tell);
}

int migrate_start(struct session *s, struct vm *vm, bool catch_up, const struct migrate_seal *seal,
		  uint64_t now, char *err, size_t errlen)
{
	if (m.role != IDLE) {
		format(err, errlen, "a migration is under way already");
		return -1;
	}
	if (vm_state(vm) != VM_RUNNING) {
		format(err, errlen, "vm %s is %s", vm->name, vm_state_name(vm_state(vm)));
		return -1;
	}
	if (vm->enclave && !seal) {
		format(err, errlen,
		       "vm %s is an enclave: it moves only through the enclave agents' sealed "
		       "channel",
		       vm->name);
		return -1;
	}
	if (seal && !vm->enclave) {
		format(err, errlen, "vm %s is not an enclave: it moves in the clear", vm->name);
		return -1;
	}
	if (!vm->vgic.present) {
		format(err, errlen, "vm %s has no interrupt controller to move", vm->name);
		return -1;
	}
	memset(&m.item, 0, sizeof(m) - offsetof(typeof(m), item));
	m.vm = vm;
	m.began = now;
	m.catch_up = catch_up;
	m.resets = vm->reset_mem.resets;
	m.session = s->id; /* 0 until the session opens; set again with the offer */
	m.seal = seal;
	m.role = SRC_CONNECT;
	log_info("vm %s: migrate: %lu MiB, %u vCPU(s), cpu-profile %s; offering it", vm->name,
		 (unsigned long)(vm->ram_size >> 20), vm->nvcpus, vm->cpu_profile.name);
	return 0;
}

/* The offer: the machine and counter records, which is what the destination decides on. */
static void send_offer(struct session *s, uint64_t now)
{
	struct vmstate_counter c;
	char err[120];
	size_t n;

	vmcapture_machine(m.vm, &image.machine);
	memset(&c, 0, sizeof(c));
	c.hz = vtimer_scale(&m.vm->counter)->guest_hz;
	c.mmio = m.vm->memtimer.present;
	n = vmstate_machine_encode(frame, sizeof(frame), &image.machine);
	n += vmstate_counter_encode(frame + n, sizeof(frame) - n, &c);
	if (m.seal) {
		static const uint8_t none[sizeof(m.vm->instance)];
		struct vmstate_enclave e;

		if (!memcmp(m.vm->instance, none, sizeof(none)))
			random_bytes(m.vm->instance, sizeof(m.vm->instance));
		memcpy(e.measurement, m.vm->measurement, sizeof(e.measurement));
		memcpy(e.owner, m.vm->config->policy_owner, sizeof(e.owner));
		memcpy(e.instance, m.vm->instance, sizeof(e.instance));
		e.generation = m.vm->generation + 1;
		n += vmstate_enclave_encode(frame + n, sizeof(frame) - n, &e);
	}
	m.session = s->id;
	m.peer = s->peer_host;
	if (send_frame(s, MIG_T_OFFER, frame, (uint16_t)n, err, sizeof(err))) {
		source_failed(s, err, false);
		return;
	}
	m.waiting_since = now;
	m.role = SRC_OFFERED;
}

/*
 * The next run of pages to send: up to VMSTATE_PAGES_MAX consecutive pages of
 * the set, taken out of it; false when the set is empty.
 */
static bool next_pages(uint64_t *first, unsigned int *count)
{
	uint64_t pages = m.vm->ram_size / PAGE, p = m.page;
	unsigned int n = 0;

	while (p < pages && !(m.send[p / 64] >> (p % 64)))
		p = (p / 64 + 1) * 64; /* nothing more in this word */
	while (p < pages && !(m.send[p / 64] & (1UL << (p % 64))))
		p++;
	if (p >= pages) {
		m.page = pages;
		return false;
	}
	while (p + n < pages && n < VMSTATE_PAGES_MAX &&
	       (m.send[(p + n) / 64] & (1UL << ((p + n) % 64)))) {
		m.send[(p + n) / 64] &= ~(1UL << ((p + n) % 64));
		n++;
	}
	/* A guest with its caches off wrote past them: nothing stale may be read. */
	arch_dcache_clean_inval_poc(pa_ptr(pa_add(m.vm->ram_pa, p * PAGE)), (uint64_t)n * PAGE);
	*first = p;
	*count = n;
	m.page = p + n;
	return true;
}

static void progress(uint64_t now, bool force);

/*
 * The round's pages are all on their way: collects what the guest wrote
 * meanwhile and decides. True: another round; false: the VM is being stopped
 * for the rest.
 */
static bool round_end(void)
{
	uint64_t now = m.now, ms = ms_since(m.round_began, now);
	uint64_t dirty = dirty_log_collect(m.vm, m.send, false);
	uint64_t per_ms = ms ? m.round_bytes / ms : m.round_bytes;

	progress(now, true);
	/* Not shrinking: the guest writes as fast as the link carries. */
	m.stalled = dirty >= m.round_pages ? m.stalled + 1 : 0;
	if (dirty > FEW_PAGES && dirty * PAGE > per_ms * DOWNTIME_MS && m.stalled < STALL_ROUNDS &&
	    m.round + 1 < MAX_ROUNDS) {
		m.round++;
		m.round_pages = m.round_left = dirty;
		m.round_began = now;
		m.round_bytes = 0;
		m.page = 0;
		return true;
	}
	log_info("vm %s: migrate: %lu pages written during round %u; stopping the VM for them "
		 "and its state",
		 m.vm->name, (unsigned long)dirty, m.round);
	m.frozen_at = now;
	vm_freeze(m.vm);
	m.role = SRC_FREEZING;
	return false;
}

/* Encodes the stream's next record into rec[]; its length, 0 at the end. */
static size_t next_record(void)
{
	struct vm *vm = m.vm;
	const struct vm_image *im = &image;
	unsigned int i = m.item;
	uint64_t first;
	unsigned int count;

	for (;; i = ++m.item) {
		if (i == ITEM_HEADER)
			break;
		if (i >= ITEM_VCPU && i < ITEM_VCPU + VM_MAX_VCPUS && i - ITEM_VCPU >= vm->nvcpus)
			continue;
		if (i >= ITEM_GIC_CPU && i < ITEM_GIC_CPU + VM_MAX_VCPUS &&
		    i - ITEM_GIC_CPU >= vm->nvcpus)
			continue;
		break;
	}
	m.item++;
	if (i == ITEM_HEADER)
		return vmstate_header_encode(rec, vm->nvcpus);
	if (i < ITEM_VCPU + VM_MAX_VCPUS)
		return vmstate_vcpu_encode(rec, sizeof(rec), i - ITEM_VCPU,
					   &im->vcpus[i - ITEM_VCPU]);
	if (i == ITEM_COUNTER)
		return vmstate_counter_encode(rec, sizeof(rec), &im->counter);
	if (i == ITEM_GIC)
		return vmstate_gic_encode(rec, sizeof(rec), &im->gic);
	if (i < ITEM_GIC_CPU + VM_MAX_VCPUS)
		return vmstate_gic_cpu_encode(rec, sizeof(rec), i - ITEM_GIC_CPU,
					      &im->gic_cpus[i - ITEM_GIC_CPU]);
	if (i == ITEM_PL011)
		return vmstate_pl011_encode(rec, sizeof(rec), &im->uart);
	if (i == ITEM_PL031)
		return vmstate_pl031_encode(rec, sizeof(rec), &im->rtc);
	if (i == ITEM_DCC)
		return vmstate_dcc_encode(rec, sizeof(rec), &im->dcc);
	if (i == ITEM_BDOOR)
		return vmstate_backdoor_encode(rec, sizeof(rec), &im->backdoor);
	if (i == ITEM_GINFO)
		return vmstate_guestinfo_encode(rec, sizeof(rec), &im->guestinfo);
	m.item = ITEM_PAGES; /* pages until there are none */
	while (!next_pages(&first, &count))
		if (m.role != SRC_PRECOPY || !round_end())
			return 0;
	{
		size_t n =
			vmstate_pages_encode(rec, sizeof(rec), ipa_addr(vm->ram_ipa) + first * PAGE,
					     count, pa_ptr(pa_add(vm->ram_pa, first * PAGE)));

		m.pages_total += count;
		m.round_left -= count < m.round_left ? count : m.round_left;
		/* A data page takes its 4 KiB, a zero page only its bit in the map. */
		m.pages_data += (n - VMSTATE_PAGES_HDR) / PAGE;
		return n;
	}
}

/* Fills the frame from the stream; false when the stream has nothing more. */
static bool fill_frame(uint16_t limit)
{
	while (m.frame_len < limit) {
		size_t n;

		if (m.rec_off == m.rec_len) {
			m.rec_len = next_record();
			m.rec_off = 0;
			if (!m.rec_len)
				break;
		}
		n = m.rec_len - m.rec_off < limit - m.frame_len ? m.rec_len - m.rec_off
								: limit - m.frame_len;
		memcpy(frame + m.frame_len, rec + m.rec_off, n);
		m.frame_len += n;
		m.rec_off += n;
	}
	return m.frame_len != 0;
}

static void progress(uint64_t now, bool force)
{
	uint64_t ms = ms_since(m.round_began, now), sent = m.round_pages - m.round_left;
	uint64_t per_s = ms ? m.round_bytes * 1000 / ms : 0;
	char rate[64] = "";

	if (!force && ms_since(m.last_progress, now) < PROGRESS_S * 1000)
		return;
	m.last_progress = now;
	if (per_s)
		format(rate, sizeof(rate), ", %lu KiB/s", (unsigned long)(per_s >> 10));
	if (per_s && m.round_left)
		format(rate + strlen(rate), sizeof(rate) - strlen(rate), ", about %lu s left",
		       (unsigned long)(m.round_left * PAGE / per_s + 1));
	log_info("vm %s: migrate: round %u%s: %lu of %lu pages sent, %lu KiB on the link%s",
		 m.vm->name, m.round, m.role == SRC_SENDING ? " (VM stopped)" : "",
		 (unsigned long)sent, (unsigned long)m.round_pages, (unsigned long)(m.bytes >> 10),
		 rate);
}

#define END_LEN	       9 /* END: the clock's choice (u8), microseconds since the freeze (u64) */
#define COMMIT_LEN     (END_LEN + 8 + 32) /* an enclave's END: + pages sent, the seal's digest */
#define CLOCK_PAUSE    0
#define CLOCK_CATCH_UP 1
#define MAX_BLACKOUT_S 3600 /* a longer one is not caught up with: something is wrong */

/*
 * END, with what the destination needs to make up for the blackout if asked
 * to. An enclave's is its COMMIT: with the totals of the stream, and from it
 * on the source never runs the VM again unless the destination's ABORT comes.
 */
static int send_end(struct session *s, char *err, size_t errlen)
{
	uint8_t end[COMMIT_LEN];
	uint64_t now = arch_counter();

	end[0] = m.catch_up ? CLOCK_CATCH_UP : CLOCK_PAUSE;
	wire_put64(end + 1, m.hz ? (now - m.frozen_at) * 1000000 / m.hz : 0);
	if (!m.seal)
		return send_frame(s, MIG_T_END, end, END_LEN, err, errlen);
	wire_put64(end + END_LEN, m.pages_total);
	m.seal->digest(true, end + END_LEN + 8);
	/* What the destination's ABORT must carry if it gives up after this. */
	if (abort_token(m.seal, m.vm->instance, m.vm->generation + 1, m.abort_token)) {
		format(err, errlen, "the enclave channel ended before the COMMIT");
		return -1;
	}
	if (send_frame(s, MIG_T_END, end, COMMIT_LEN, err, errlen))
		return -1;
	/* Committed: this generation may run there; any copy of it here is older from now. */
	tombstone_add(&tombstones, m.vm->instance, m.vm->generation + 1);
	return 0;
}

/* The bytes a frame of @len payload bytes takes on the link: headers, and the seal if sealed. */
static uint64_t on_link(size_t len)
{
	return len + WIRE_HDRS + (m.seal ? m.seal->overhead : 0);
}

/* Up to PUMP_FRAMES frames of the stream, then END when it is over; stops when the link is full. */
static void pump_frames(struct session *s, uint16_t limit, char *err, size_t errlen)
{
	uint64_t now = m.now;

	for (unsigned int k = 0; k < PUMP_FRAMES && session_bulk_room(s); k++) {
		if (!m.frame_full && !fill_frame(limit)) {
			if (m.role != SRC_SENDING)
				return; /* pre-copy over: the VM is stopping */
			if (send_end(s, err, errlen))
				return; /* no room: next time */
			progress(now, true);
			m.waiting_since = now;
			m.role = SRC_WAIT_DONE;
			return;
		}
		m.frame_full = true;
		if (send_frame(s, MIG_T_DATA, frame, (uint16_t)m.frame_len, err, errlen))
			return;
		m.bytes += on_link(m.frame_len);
		m.round_bytes += on_link(m.frame_len);
		m.frame_len = 0;
		m.frame_full = false;
	}
}

/* The longest frame of the stream: what the session carries, less what sealing adds. */
static uint16_t frame_limit(const struct session *s)
{
	uint16_t limit = session_payload_limit(s);

	if (!m.seal)
		return limit;
	limit = limit > m.seal->overhead ? (uint16_t)(limit - m.seal->overhead) : 0;
	return limit < m.seal->max_payload ? limit : m.seal->max_payload;
}

/*
 * Sends frames while the link has room. While the VM runs (pre-copy), at most
 * half the time of the link's CPU, which may be one of the VM's: after each
 * call, as long again without.
 */
static void pump(struct session *s, uint64_t now)
{
	uint64_t begin = arch_counter(), end;
	char err[120];

	if (m.role == SRC_PRECOPY && begin < m.pump_after)
		return;
	m.now = now;
	pump_frames(s, frame_limit(s), err, sizeof(err));
	end = arch_counter();
	m.pump_ticks += end - begin;
	if (m.role == SRC_PRECOPY)
		m.pump_after = end + (end - begin);
	progress(now, false);
}

/* Accepted: the dirty log on, the first round (every page the guest was given) begins. */
static void start_precopy(struct session *s, uint64_t now)
{
	struct vm *vm = m.vm;

	if (dirty_log_start(vm) || !(m.send = mem_alloc(vm->dirty.words * 8, 8))) {
		source_failed(s, "no host memory for the dirty-page bitmaps", true);
		return;
	}
	m.send_words = vm->dirty.words;
	m.round_pages = m.round_left = dirty_log_collect(vm, m.send, false);
	m.round_began = m.last_progress = now;
	m.item = ITEM_PAGES;
	m.role = SRC_PRECOPY;
	log_info("vm %s: migrate: accepted; round 0: %lu pages while the VM runs", vm->name,
		 (unsigned long)m.round_pages);
}

/* Stopped: the state captured, what the last round left and Skiff wrote added to the set. */
static void capture(uint64_t now)
{
	struct vm *vm = m.vm;
	uint64_t pages;

	vmcapture_save(vm, &image);
	pages = dirty_log_collect(vm, m.send, true);
	dirty_log_stop(vm);
	m.round++;
	m.round_pages = m.round_left = pages;
	m.round_began = now;
	m.round_bytes = 0;
	m.item = ITEM_HEADER;
	m.page = 0;
	log_info("vm %s: migrate: stopped after %u round(s), off its CPUs in %lu ms; sending its "
		 "state and %lu pages",
		 vm->name, m.round, (unsigned long)ms_since(m.frozen_at, now),
		 (unsigned long)pages);
	m.role = SRC_SENDING;
}

static void source_service(struct session *s, uint64_t now)
{
	if (m.role == SRC_CONNECT) {
		if (s->state == SESSION_OPEN)
			send_offer(s, now);
		else if (s->state == SESSION_IDLE)
			source_failed(s, s->last_end[0] ? s->last_end : "no session with a peer",
				      false);
		return;
	}
	if (s->state != SESSION_OPEN || s->id != m.session) {
		source_gives_up(s, s->last_end[0] ? s->last_end : "the session ended", false);
		return;
	}
	/* A peer that keeps the session alive but never answers. */
	if ((m.role == SRC_OFFERED || m.role == SRC_WAIT_DONE) &&
	    ms_since(m.waiting_since, now) > ANSWER_S * 1000) {
		source_gives_up(s,
				m.role == SRC_OFFERED ? "no answer to the offer in 30 s"
						      : "no confirmation in 30 s after the stream",
				true);
		return;
	}
	if ((m.role == SRC_PRECOPY || m.role == SRC_FREEZING) && vm_state(m.vm) != VM_RUNNING) {
		source_failed(s, "the VM stopped during the pre-copy", true);
		return;
	}
	if (m.role == SRC_FREEZING && vm_unloaded(m.vm)) {
		/* A reset rewrote RAM behind the dirty log (its images): start again instead. */
		if (m.vm->reset_mem.resets != m.resets) {
			source_failed(s, "the VM was reset during the pre-copy", true);
			return;
		}
		capture(now);
	}
	if (m.role == SRC_PRECOPY || m.role == SRC_SENDING)
		pump(s, now);
}

static void source_deliver(struct session *s, uint8_t type, const uint8_t *p, uint16_t len,
			   uint64_t now)
{
	char why[SESSION_REASON_MAX * 4 + 64];

	if (type == MIG_T_REFUSE) {
		size_t n = len < SESSION_REASON_MAX ? len : SESSION_REASON_MAX;
		char text[SESSION_REASON_MAX * 4 + 1];

		format_escaped(text, sizeof(text), (const char *)p, n);
		/* After an enclave's COMMIT, a sealed refusal is the destination's ABORT. */
		format(why, sizeof(why), "host %016lx %s: %s", (unsigned long)s->peer_host,
		       m.role == SRC_WAIT_DONE && m.seal ? "aborted the committed move" : "refused",
		       text);
		source_failed(s, why, false);
	} else if (type == MIG_T_ACCEPT && m.role == SRC_OFFERED && !len &&
		   vm_state(m.vm) != VM_RUNNING) {
		source_failed(s, "the VM stopped before it could move", true);
	} else if (type == MIG_T_ACCEPT && m.role == SRC_OFFERED && !len) {
		start_precopy(s, now);
	} else if (type == MIG_T_DONE && m.role == SRC_WAIT_DONE && !len) {
		struct vm *vm = m.vm;
		const struct migrate_seal *seal = m.seal;

		log_info("vm %s: migrate: moved to host %016lx: %u rounds, %lu pages (%lu with "
			 "data, %lu zero), %lu bytes on the link, downtime %lu ms, %lu ms in all, "
			 "%lu us of it sending",
			 vm->name, (unsigned long)s->peer_host, m.round + 1,
			 (unsigned long)m.pages_total, (unsigned long)m.pages_data,
			 (unsigned long)(m.pages_total - m.pages_data), (unsigned long)m.bytes,
			 (unsigned long)ms_since(m.frozen_at, now),
			 (unsigned long)ms_since(m.began, now),
			 (unsigned long)(m.hz ? m.pump_ticks * 1000000 / m.hz : 0));
		/* Let go first: if GO is lost, the destination holds it, never runs a copy. */
		source_release();
		m.role = IDLE;
		vm_migrated_away(vm); /* an enclave's RAM is zeroed */
		m.seal = NULL;
		/* An enclave's DONE is its COMMIT_ACK: it runs there already. */
		if (seal)
			return;
		m.go_due = true;
		m.go_session = s->id;
		send_go(s);
	} else {
		format(why, sizeof(why),
		       "frame 0x%02x of %u bytes where the migration did not "
		       "expect one",
		       type, len);
		source_gives_up(s, why, true);
	}
}

/* An ABORT token in the clear: it runs again the committed copy it names, if it is right. */
static void take_aborted(const uint8_t *p, uint16_t len)
{
	if (len != ABORT_LEN)
		return;
	for (unsigned int i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_get(i);
		uint8_t acc = 0;

		if (vm_state(vm) != VM_COMMITTED || memcmp(vm->instance, p, VMSTATE_INSTANCE_LEN) ||
		    wire_get64(p + VMSTATE_INSTANCE_LEN) != vm->generation + 1)
			continue;
		for (unsigned int k = 0; k < 32; k++)
			acc |= vm->abort_token[k] ^ p[VMSTATE_INSTANCE_LEN + 8 + k];
		if (acc) {
			log_warn("vm %s: migrate: an ABORT that does not authenticate: ignored",
				 vm->name);
			return;
		}
		if (vm_commit_resume(vm))
			log_info("vm %s: migrate: the destination's ABORT came: it never ran the "
				 "VM; the VM runs here again",
				 vm->name);
		return;
	}
}

/* ---- destination ---- */

/* An enclave given up here: its ABORT, for the source (sent in every session from now). */
static void keep_abort(const struct vm *vm)
{
	uint8_t *f = aborts[next_abort].frame;

	memcpy(f, vm->instance, VMSTATE_INSTANCE_LEN);
	wire_put64(f + VMSTATE_INSTANCE_LEN, vm->generation);
	memcpy(f + VMSTATE_INSTANCE_LEN + 8, m.abort_token, 32);
	aborts[next_abort].told = false;
	aborts[next_abort].used = true;
	next_abort = (next_abort + 1) % ABORTS_KEPT;
	log_info("vm %s: migrate: it never runs here; its ABORT goes to host %016lx in this and "
		 "every later session",
		 vm->name, (unsigned long)m.peer);
}

/* Each kept ABORT once per session (the source drops what it does not know). */
static void tell_aborts(struct session *s)
{
	char err[80];

	if (s->state != SESSION_OPEN)
		return;
	for (unsigned int i = 0; i < ABORTS_KEPT; i++)
		if (aborts[i].used && (!aborts[i].told || aborts[i].told_in != s->id) &&
		    !session_send(s, MIG_T_ABORTED, aborts[i].frame, ABORT_LEN, err, sizeof(err))) {
			aborts[i].told = true;
			aborts[i].told_in = s->id;
		}
}

static void dest_failed(struct session *s, const char *why, bool tell)
{
	if (tell)
		send_refuse(s, why);
	log_error("vm %s: migrate: not taken: %s; nothing of it is kept here", m.vm->name, why);
	if (m.seal)
		keep_abort(m.vm);
	vm_incoming_abort(m.vm);
	m.role = IDLE;
	m.seal = NULL;
}

/* Refuses an offer that came through @seal (NULL: in the clear), there. */
static void refuse_offer(struct session *s, const struct migrate_seal *seal, const char *name,
			 const char *why)
{
	uint16_t n = (uint16_t)strnlen(why, 200);
	char err[80];

	log_error("migrate: vm %s from host %016lx refused: %s", name, (unsigned long)s->peer_host,
		  why);
	send_by(s, seal, MIG_T_REFUSE, (const uint8_t *)why, n, err, sizeof(err));
}

/*
 * The offer's records: the machine, the counter, and for an enclave (only
 * through a seal) its identity. 0, or -1 with @err.
 */
static int decode_offer(const uint8_t *p, uint16_t len, struct vmstate_machine *mach,
			struct vmstate_counter *c, struct vmstate_enclave *e, bool *enclave,
			char *err, size_t errlen)
{
	size_t n1, n2;

	if (len < VMSTATE_REC_HDR || (n1 = vmstate_record_len(p)) > len) {
		format(err, errlen, "an offer of %u bytes, not a machine record", len);
		return -1;
	}
	if (vmstate_machine_decode(p, n1, mach, err, errlen))
		return -1;
	if (len - n1 < VMSTATE_REC_HDR || (n2 = vmstate_record_len(p + n1)) > len - n1) {
		format(err, errlen, "an offer of %u bytes, no counter record after the machine's",
		       len);
		return -1;
	}
	if (vmstate_counter_decode(p + n1, n2, c, err, errlen))
		return -1;
	*enclave = n1 + n2 < len;
	return *enclave ? vmstate_enclave_decode(p + n1 + n2, len - n1 - n2, e, err, errlen) : 0;
}

/*
 * An enclave comes only sealed, and only under the policy the handshake
 * accepted: the one its measurement names the owner of. 0, or -1 with @err.
 */
static int check_enclave_offer(const struct migrate_seal *seal, bool enclave,
			       const struct vmstate_enclave *e, char *err, size_t errlen)
{
	uint64_t left_at;

	if (!seal && enclave) {
		format(err, errlen, "an enclave offered in the clear (enclaves move sealed only)");
		return -1;
	}
	if (seal && !enclave) {
		format(err, errlen, "a VM that is no enclave offered through the enclave channel");
		return -1;
	}
	if (seal && (!seal->policy || seal->policy_len > POLICY_MAX_LEN)) {
		format(err, errlen, "no policy accepted for the enclave channel");
		return -1;
	}
	if (seal && seal->channel == offered_channel) {
		format(err, errlen, "a second offer in one enclave channel (one enclave each)");
		return -1;
	}
	if (enclave && tombstone_refuses(&tombstones, e->instance, e->generation, &left_at)) {
		char id[2 * VMSTATE_INSTANCE_LEN + 1];

		format_hex(id, sizeof(id), e->instance, sizeof(e->instance));
		format(err, errlen,
		       "enclave instance %s at generation %lu: it left this host at generation "
		       "%lu, so this is an older copy (a rollback)",
		       id, (unsigned long)e->generation, (unsigned long)left_at);
		return -1;
	}
	if (seal && memcmp(e->owner, seal->owner, sizeof(e->owner))) {
		char measured[17], accepted[17];

		format_hex(measured, sizeof(measured), e->owner, 8);
		format_hex(accepted, sizeof(accepted), seal->owner, 8);
		format(err, errlen,
		       "the enclave's measured policy owner %s... is not the owner %s... of the "
		       "policy the handshake accepted",
		       measured, accepted);
		return -1;
	}
	return 0;
}

/* An arriving enclave's configuration: the policy it came under, its owner. */
static void enclave_config(struct vm_config *config, unsigned int slot,
			   const struct migrate_seal *seal, const struct vmstate_enclave *e)
{
	config->enclave = true;
	memcpy(incoming_policy[slot], seal->policy, seal->policy_len);
	config->policy = incoming_policy[slot];
	config->policy_size = seal->policy_len;
	memcpy(config->policy_owner, e->owner, sizeof(config->policy_owner));
}

static void take_offer(struct session *s, const struct migrate_seal *seal, const uint8_t *p,
		       uint16_t len, uint64_t now)
{
	static struct vmstate_machine mach;
	struct vmstate_counter c;
	struct vmstate_enclave e;
	struct vm_config *config;
	bool enclave;
	char err[200], gen[24] = "";

	if (decode_offer(p, len, &mach, &c, &e, &enclave, err, sizeof(err))) {
		char why[240];

		format(why, sizeof(why), "a malformed offer: %s", err);
		refuse_offer(s, seal, "?", why);
		return;
	}
	if (check_enclave_offer(seal, enclave, &e, err, sizeof(err))) {
		refuse_offer(s, seal, mach.name, err);
		return;
	}
	if (!m.accept) {
		refuse_offer(s, seal, mach.name,
			     "this host does not take VMs (its configuration has no "
			     "migrate-accept = \"on\")");
		return;
	}
	if (m.role != IDLE) {
		refuse_offer(s, seal, mach.name, "a migration is under way here already");
		return;
	}
	if (vm_count() >= VM_MAX) {
		format(err, sizeof(err), "this host runs %u VMs already, its most", VM_MAX);
		refuse_offer(s, seal, mach.name, err);
		return;
	}
	/* The slot the VM will take: its configuration is kept there for good. */
	config = &incoming_config[vm_count()];
	if (vmcapture_accept(&mach, &c, config, err, sizeof(err))) {
		refuse_offer(s, seal, mach.name, err);
		return;
	}
	if (enclave)
		enclave_config(config, vm_count(), seal, &e);
	m.vm = vm_incoming_build(config, err, sizeof(err));
	if (!m.vm) {
		refuse_offer(s, seal, mach.name, err);
		return;
	}
	if (enclave)
		offered_channel = seal->channel;
	if (enclave && abort_token(seal, e.instance, e.generation, m.abort_token)) {
		refuse_offer(s, seal, mach.name, "the enclave channel ended under the offer");
		vm_incoming_abort(m.vm);
		return;
	}
	if (enclave) {
		format(gen, sizeof(gen), "%lu", (unsigned long)e.generation);
		memcpy(m.vm->measurement, e.measurement, sizeof(m.vm->measurement));
		memcpy(m.vm->instance, e.instance, sizeof(m.vm->instance));
		m.vm->generation = e.generation;
	}
	memset(&m.item, 0, sizeof(m) - offsetof(typeof(m), item));
	m.seal = seal;
	m.session = s->id;
	m.peer = s->peer_host;
	m.began = now;
	m.waiting_since = now;
	m.role = DST_RECEIVING;
	image.machine = mach;
	log_info("vm %s: migrate: arriving from host %016lx: %lu MiB, %u vCPU(s), cpu-profile "
		 "%s, counter at %lu Hz%s%s",
		 mach.name, (unsigned long)s->peer_host, (unsigned long)(mach.ram_size >> 20),
		 mach.nvcpus, mach.profile.name, (unsigned long)c.hz,
		 enclave ? "; an enclave, sealed, generation " : "", enclave ? gen : "");
	if (send_frame(s, MIG_T_ACCEPT, NULL, 0, err, sizeof(err)))
		dest_failed(s, err, false);
}

/*
 * Writes a checked memory record's pages into the VM's RAM. A block the
 * stream reaches first is zeroed and cleaned whole (as on first use), so its
 * zero pages need nothing more; a page sent again is written again.
 */
static void take_pages(const struct vmstate_pages *pg)
{
	struct vm *vm = m.vm;
	uint64_t first = (pg->ipa - ipa_addr(vm->ram_ipa)) / PAGE;
	const bool was_ready[2] = { vm_ram_block_ready(vm, first * PAGE / VM_RAM_BLOCK),
				    vm_ram_block_ready(vm, (first + pg->count - 1) * PAGE /
								   VM_RAM_BLOCK) };
	struct vm_s2_locked s2 = vm_s2_lock(vm);
	uint8_t *to;

	vm_ram_prepare(s2, ipa_init(pg->ipa), (uint64_t)pg->count * PAGE);
	vm_s2_unlock(&s2);
	to = pa_ptr(vm_ram_pa(vm, ipa_init(pg->ipa)));
	for (unsigned int i = 0; i < pg->count; i++) {
		uint8_t *page = to + (size_t)i * PAGE;
		bool fresh = !was_ready[(first + i) * PAGE / VM_RAM_BLOCK !=
					first * PAGE / VM_RAM_BLOCK];

		if (pg->data[i])
			memcpy(page, pg->data[i], PAGE);
		else if (!fresh)
			memset(page, 0, PAGE);
		else
			continue;
		/* The guest may read with its caches off. */
		arch_dcache_clean_inval_poc(page, PAGE);
		m.pages_data += pg->data[i] != NULL;
	}
	m.pages_total += pg->count;
}

/*
 * One whole record of the stream: memory records at any point (pre-copy rounds
 * come before the state, the last pages after it), the others in the order
 * the source sends them. 0, or -1 with @err.
 */
static int take_record(size_t len, char *err, size_t errlen)
{
	struct vm *vm = m.vm;
	struct vm_image *im = &image;
	unsigned int n = vm->nvcpus, e = m.expect;
	uint32_t index = 0; /* set by a decode that succeeds */

	if (vmstate_record_tag(rec) == VMSTATE_T_PAGES) {
		struct vmstate_pages pg;

		if (vmstate_pages_decode(rec, len, ipa_addr(vm->ram_ipa), vm->ram_size, &pg, err,
					 errlen))
			return -1;
		take_pages(&pg);
		return 0;
	}
	if (e == 0) {
		struct vmstate_header h;

		if (vmstate_header_decode(rec, len, &h, err, errlen))
			return -1;
		if (h.nvcpus != n) {
			format(err, errlen, "a header of %u vCPUs for a machine of %u", h.nvcpus,
			       n);
			return -1;
		}
	} else if (e <= n) {
		if (vmstate_vcpu_decode(rec, len, &index, &im->vcpus[e - 1], err, errlen))
			return -1;
		if (index != e - 1) {
			format(err, errlen, "vCPU record %u where vCPU %u's was due", index, e - 1);
			return -1;
		}
		m.vcpu_on[e - 1] = im->vcpus[e - 1].on;
	} else if (e == n + 1) {
		if (vmstate_counter_decode(rec, len, &im->counter, err, errlen))
			return -1;
	} else if (e == n + 2) {
		if (vmstate_gic_decode(rec, len, &im->gic, err, errlen))
			return -1;
	} else if (e <= 2 * n + 2) {
		if (vmstate_gic_cpu_decode(rec, len, vm->vgic.version, &index,
					   &im->gic_cpus[e - n - 3], err, errlen))
			return -1;
		if (index != e - n - 3) {
			format(err, errlen, "CPU interface %u where vCPU %u's was due", index,
			       e - n - 3);
			return -1;
		}
	} else if (e == 2 * n + 3) {
		if (vmstate_pl011_decode(rec, len, &im->uart, err, errlen))
			return -1;
	} else if (e == 2 * n + 4) {
		if (vmstate_pl031_decode(rec, len, &im->rtc, err, errlen))
			return -1;
	} else if (e == 2 * n + 5) {
		if (vmstate_dcc_decode(rec, len, &im->dcc, err, errlen))
			return -1;
	} else if (e == 2 * n + 6) {
		if (vmstate_backdoor_decode(rec, len, &im->backdoor, err, errlen))
			return -1;
	} else if (e == 2 * n + 7) {
		if (vmstate_guestinfo_decode(rec, len, &im->guestinfo, err, errlen))
			return -1;
	} else {
		format(err, errlen, "a record of tag 0x%04x after the VM's state was complete",
		       vmstate_record_tag(rec));
		return -1;
	}
	m.expect++;
	return 0;
}

/* Bytes of the stream: records are assembled and taken whole. */
static int take_data(const uint8_t *p, uint16_t len, char *err, size_t errlen)
{
	while (len) {
		size_t want = m.have < VMSTATE_REC_HDR ? VMSTATE_REC_HDR : vmstate_record_len(rec);
		size_t n = want - m.have < len ? want - m.have : len;

		memcpy(rec + m.have, p, n);
		m.have += n;
		p += n;
		len = (uint16_t)(len - n);
		if (m.have == VMSTATE_REC_HDR && vmstate_record_len(rec) > sizeof(rec)) {
			format(err, errlen,
			       "a record of tag 0x%04x and %zu bytes; the largest is %zu",
			       vmstate_record_tag(rec), vmstate_record_len(rec), sizeof(rec));
			return -1;
		}
		if (m.have >= VMSTATE_REC_HDR && m.have == vmstate_record_len(rec)) {
			m.have = 0;
			if (take_record(vmstate_record_len(rec), err, errlen))
				return -1;
		}
	}
	return 0;
}

/*
 * The state goes into the VM as it starts (GO) or is held, so that the
 * guest's counter continues from the freeze's count from then on: paused for
 * the blackout. Or, caught up, it moves on by the blackout, in guest ticks:
 * the source's time from the freeze to END, END's way over the link (half
 * the round trip DONE -> GO, or nothing without one), and the time here since
 * END came.
 */
static void apply_state(uint64_t now, bool round_trip)
{
	struct vmstate_counter *c = &image.counter;

	if (m.catch_up) {
		uint64_t here = now - m.waiting_since;
		uint64_t us = m.blackout_us +
			      (m.hz ? (here + (round_trip ? here / 2 : 0)) * 1000000 / m.hz : 0);
		uint64_t ticks = us / 1000000 * c->hz + us % 1000000 * c->hz / 1000000;

		c->count += ticks;
		c->vcount += ticks;
	}
	vmcapture_apply(m.vm, &image);
}

/* An enclave's COMMIT: the pages and the bytes of the stream are those that came. */
static int check_commit(const uint8_t *p, char *err, size_t errlen)
{
	uint8_t digest[32];

	if (wire_get64(p) != m.pages_total) {
		format(err, errlen, "COMMIT: %lu pages sent, %lu came",
		       (unsigned long)wire_get64(p), (unsigned long)m.pages_total);
		return -1;
	}
	m.seal->digest(false, digest);
	if (memcmp(digest, p + 8, sizeof(digest))) {
		format(err, errlen, "COMMIT: the digest of the frames sent differs from what came");
		return -1;
	}
	return 0;
}

static void dest_run(struct session *s, uint64_t now);

static void finish(struct session *s, uint64_t now)
{
	struct vm *vm = m.vm;
	char err[200];

	if (m.expect < 2 * vm->nvcpus + 8 || m.have) {
		format(err, sizeof(err), "the stream ended %s",
		       m.have ? "inside a record" : "before the VM's state was complete");
		dest_failed(s, err, true);
		return;
	}
	if (vmcapture_check(vm, &image, err, sizeof(err))) {
		dest_failed(s, err, true);
		return;
	}
	if (m.catch_up && m.blackout_us > MAX_BLACKOUT_S * 1000000ULL) {
		format(err, sizeof(err), "a blackout of %lu us to catch up with; at most %u s",
		       (unsigned long)m.blackout_us, MAX_BLACKOUT_S);
		dest_failed(s, err, true);
		return;
	}
	/*
	 * An enclave's COMMIT came: it runs here now, then the answer (its
	 * COMMIT_ACK, the source lets its copy go on it). Lost, the source keeps
	 * its copy stopped: never two running.
	 */
	if (m.seal) {
		send_frame(s, MIG_T_DONE, NULL, 0, err, sizeof(err));
		dest_run(s, now);
		return;
	}
	/* Confirmed first: the source lets its copy go only when it hears this. */
	if (send_frame(s, MIG_T_DONE, NULL, 0, err, sizeof(err))) {
		dest_failed(s, err, false);
		return;
	}
	m.waiting_since = now;
	m.role = DST_READY;
}

/* GO: the source let its copy go; this one runs. */
static void dest_run(struct session *s, uint64_t now)
{
	struct vm *vm = m.vm;

	apply_state(now, true);
	vm_incoming_start(vm, m.vcpu_on);
	log_info("vm %s: migrate: arrived from host %016lx: %lu pages (%lu with data) in %lu ms; "
		 "running, its clock %s",
		 vm->name, (unsigned long)s->peer_host, (unsigned long)m.pages_total,
		 (unsigned long)m.pages_data, (unsigned long)ms_since(m.began, now),
		 m.catch_up ? "caught up with the blackout" : "paused for the blackout");
	m.role = IDLE;
	m.seal = NULL;
}

/*
 * No GO after DONE (the link failed at the last step): the source may have let
 * its copy go or not, and only its console knows. Running this one could make
 * two; dropping it could lose the VM. It is kept, held, for the operator.
 */
static void dest_hold(const char *why)
{
	struct vm *vm = m.vm;

	apply_state(arch_counter(), false);
	vm_incoming_hold(vm, m.vcpu_on);
	log_error("vm %s: migrate: all of it arrived, but not the source's last word (%s): held "
		  "here, not running; `vm start %s` runs it, but only if host %016lx's console "
		  "says it moved away (if the migration failed there, it runs there)",
		  vm->name, why, vm->name, (unsigned long)m.peer);
	m.role = IDLE;
	m.seal = NULL;
}

static void dest_deliver(struct session *s, uint8_t type, const uint8_t *p, uint16_t len,
			 uint64_t now)
{
	char err[200];

	if (m.role == DST_READY) {
		if (type == MIG_T_GO && !len) {
			dest_run(s, now);
		} else if (type == MIG_T_REFUSE) {
			/* The source runs its copy on: this one goes. */
			dest_failed(s, "the source gave up; its VM runs on there", false);
		} else {
			format(err, sizeof(err), "frame 0x%02x of %u bytes where GO was due", type,
			       len);
			dest_hold(err);
		}
		return;
	}
	m.waiting_since = now;
	if (type == MIG_T_DATA) {
		if (take_data(p, len, err, sizeof(err))) {
			char why[240];

			format(why, sizeof(why), "a malformed stream: %s", err);
			dest_failed(s, why, true);
		}
	} else if (type == MIG_T_END && len == (m.seal ? COMMIT_LEN : END_LEN) &&
		   p[0] <= CLOCK_CATCH_UP) {
		m.catch_up = p[0] == CLOCK_CATCH_UP;
		m.blackout_us = wire_get64(p + 1);
		if (m.seal && check_commit(p + END_LEN, err, sizeof(err)))
			dest_failed(s, err, true); /* under the seal: the source's ABORT */
		else
			finish(s, now);
	} else if (type == MIG_T_REFUSE) {
		dest_failed(s, "the source gave up", false);
	} else {
		format(err, sizeof(err), "frame 0x%02x of %u bytes where the stream was due", type,
		       len);
		dest_failed(s, err, true);
	}
}

/* ---- both ---- */

static bool destination(void)
{
	return m.role == DST_RECEIVING || m.role == DST_READY;
}

/*
 * The migration under way ends on a fault, @why, told to the peer if @tell:
 * a destination that confirmed holds the VM, one that did not drops it, a
 * source runs its VM on (unless an enclave's COMMIT went).
 */
static void migration_ends(struct session *s, const char *why, bool tell)
{
	if (m.role == DST_READY)
		dest_hold(why);
	else if (destination())
		dest_failed(s, why, tell);
	else
		source_gives_up(s, why, tell);
}

/* A frame for no migration under way: answered (by the way it came), not logged. */
static void refuse_stray(struct session *s, const struct migrate_seal *seal)
{
	static const char why[] = "no migration is under way here";
	char err[80];

	if (s->state != SESSION_OPEN || s->id != m.session)
		return;
	send_by(s, seal, MIG_T_REFUSE, (const uint8_t *)why, sizeof(why) - 1, err, sizeof(err));
}

/*
 * A frame of the migration under way that came by another way than its own
 * (in the clear during an enclave's sealed migration, or out of a seal during
 * one in the clear): someone on the link made it. The migration ends as on
 * any malformed frame; a destination that confirmed already holds the VM.
 */
static void wrong_channel(struct session *s, uint8_t type, uint16_t len, bool sealed)
{
	char why[160];

	format(why, sizeof(why), "a frame 0x%02x of %u bytes %s during %s migration", type, len,
	       sealed ? "sealed" : "in the clear", m.seal ? "an enclave's sealed" : "a clear");
	migration_ends(s, why, true);
}

static void deliver(struct session *s, const struct migrate_seal *seal, uint8_t type,
		    const uint8_t *payload, uint16_t len, uint64_t now)
{
	if (type == MIG_T_OFFER)
		take_offer(s, seal, payload, len, now);
	else if (type == MIG_T_ABORTED)
		take_aborted(payload, len);
	else if (m.role != IDLE && s->id == m.session && m.seal != seal)
		wrong_channel(s, type, len, seal != NULL);
	else if (destination() && s->id == m.session)
		dest_deliver(s, type, payload, len, now);
	else if (m.role != IDLE && m.role != DST_RECEIVING && m.role != DST_READY &&
		 s->id == m.session)
		source_deliver(s, type, payload, len, now);
	else if (type != MIG_T_REFUSE)
		refuse_stray(s, seal);
}

void migrate_deliver(struct session *s, uint8_t type, const uint8_t *payload, uint16_t len,
		     uint64_t now)
{
	deliver(s, NULL, type, payload, len, now);
}

void migrate_deliver_sealed(struct session *s, const struct migrate_seal *seal, uint8_t type,
			    const uint8_t *payload, uint16_t len, uint64_t now)
{
	deliver(s, seal, type, payload, len, now);
}

void migrate_service(struct session *s, uint64_t now)
{
	if (m.go_due)
		send_go(s);
	tell_aborts(s);
	if (m.role == IDLE)
		return;
	if (m.seal && !m.seal->up()) {
		/* The agents' line says why. */
		migration_ends(s, "the enclave agents' sealed channel ended", false);
		return;
	}
	if (m.role == DST_READY) {
		if (s->state != SESSION_OPEN || s->id != m.session)
			dest_hold(s->last_end[0] ? s->last_end : "the session ended");
		else if (ms_since(m.waiting_since, now) > ANSWER_S * 1000)
			dest_hold("no GO in 30 s");
		return;
	}
	if (m.role == DST_RECEIVING) {
		if (s->state != SESSION_OPEN || s->id != m.session)
			dest_failed(s, s->last_end[0] ? s->last_end : "the session ended", false);
		else if (ms_since(m.waiting_since, now) > ANSWER_S * 1000)
			dest_failed(s, "nothing of the stream for 30 s", true);
		return;
	}
	source_service(s, now);
}
