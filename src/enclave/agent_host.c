// SPDX-License-Identifier: MIT
#include <bearssl.h>
#include <string.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/random.h"
#include "core/vm.h"
#include "enclave/agent.h"
#include "enclave/agent_host.h"
#include "enclave/attest.h"
#include "lib/format.h"
#include "migrate/link.h"
#include "migrate/migrate.h"
#include "migrate/wire.h"

/* Everything here is under the host link's lock: its callbacks and link_call()'s function. */
static struct {
	const struct config *cfg;
	struct platform_claims claims;
	bool ready; /* an attestation key: this host can be a source or destination */
	struct agent agent;
	bool active;			 /* agent holds a handshake (under way or ended) */
	const struct vm_config *pending; /* a source handshake waiting for the session */
	unsigned int shells;		 /* destination shells alive (nothing else allocated yet) */
	uint64_t started;		 /* the counter at the handshake's start */
	unsigned long stray;		 /* records dropped since the last handshake began */
	uint64_t agent_ticks;		 /* counter ticks spent in the agent during the handshake */
	bool timed;			 /* its time was logged (established) */
	/* Source: the enclave to move once the channel is up, and the clock's choice. */
	struct vm *moving;
	bool catch_up;
	struct migrate_seal seal; /* the channel as the migration sees it */
	uint8_t owner[32];	  /* destination: the accepted policy's owner identity */
	/* Destination handshakes begun no closer than HELLO_SPACING_MS (hello_wait()). */
	bool begun_one;
	uint64_t begun_at; /* the counter when the last one began */
	bool held;	   /* a HELLO waits for its turn */
	uint8_t held_hello[AGENT_HELLO_LEN];
	unsigned long set_aside; /* HELLOs never answered since the last note */
	uint64_t noted_at;	 /* the counter at the last note of them */
	uint8_t frame[AGENT_DATA_MAX];
} host;

/* A sealed DATA record (sequence number, DATA's type, the body, the tag) fits a link frame. */
_Static_assert(AGENT_SEQ_LEN + 1 + AGENT_DATA_MAX + AGENT_TAG_LEN <= WIRE_PAYLOAD_MAX,
	       "AGENT_DATA_MAX: the longest record the link carries");

/* A handshake still under way this long after it began is given up (both sides time it). */
#define HANDSHAKE_TIMEOUT_S 10

/*
 * A destination begins at most one handshake this often: each costs two X25519
 * multiplications in the link's interrupt, and a hostile peer may send HELLOs
 * as fast as the link carries them. One that comes sooner waits its turn (the
 * latest only: it replaces the one waiting, which is never answered).
 */
#define HELLO_SPACING_MS 100U

static int io_send(void *ctx, uint8_t type, const uint8_t *p, size_t len)
{
	char err[120];

	(void)ctx;
	if (len > 0xffff || link_send_locked(type, p, (uint16_t)len, err, sizeof(err))) {
		log_warn("enclave: agent: a frame of %lu bytes not sent: %s", (unsigned long)len,
			 len > 0xffff ? "too long" : err);
		return -1;
	}
	return 0;
}

static void io_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	random_bytes(buf, len);
}

/*
 * The destination's shell: what the enclave may arrive under (the policy the
 * handshake accepted and its owner); the VM itself is built when its sealed
 * offer comes, and runs only once its whole state arrived.
 */
static int io_create_shell(void *ctx, const struct migration_policy *pol, char *why, size_t len)
{
	br_sha256_context h;
	char digest[17];

	(void)ctx;
	(void)why;
	(void)len;
	br_sha256_init(&h);
	br_sha256_update(&h, pol->owner_key, sizeof(pol->owner_key));
	br_sha256_out(&h, host.owner);
	host.seal.policy = host.agent.policy;
	host.seal.policy_len = host.agent.policy_len;
	host.seal.owner = host.owner;
	host.seal.channel++;
	format_hex(digest, sizeof(digest), pol->digest, 8);
	host.shells++;
	log_info("enclave: agent (destination): a non-runnable shell for the enclave of policy "
		 "%s...: its sealed offer may come; %u shell(s)",
		 digest, host.shells);
	return 0;
}

static void io_drop_shell(void *ctx)
{
	(void)ctx;
	host.shells--;
	log_info("enclave: agent (destination): the shell dropped; %u shell(s)", host.shells);
}

static void io_note(void *ctx, enum agent_level level, const char *text)
{
	(void)ctx;
	if (level == AGENT_ERROR)
		log_error("enclave: %s", text);
	else if (level == AGENT_WARN)
		log_warn("enclave: %s", text);
	else
		log_info("enclave: %s", text);
}

/* A migration frame out of the channel: its type, then its payload. */
static void io_data(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (!len) {
		log_warn("enclave: agent: an empty data record: dropped");
		return;
	}
	link_deliver_sealed_locked(&host.seal, data[0], data + 1, (uint16_t)(len - 1));
}

static const struct agent_io io = {
	.send = io_send,
	.random = io_random,
	.create_shell = io_create_shell,
	.drop_shell = io_drop_shell,
	.note = io_note,
	.data = io_data,
};

static bool under_way(void)
{
	return host.active && !agent_done(&host.agent);
}

/* --- the channel as the migration sees it (migrate/migrate.h) --- */

static bool seal_up(void)
{
	return host.active && host.agent.state == AGENT_ESTABLISHED;
}

static void seal_digest(bool sent, uint8_t out[32])
{
	agent_data_digest(&host.agent, sent, out);
}

static int seal_abort_token(const uint8_t *what, size_t len, uint8_t out[32])
{
	return agent_abort_token(&host.agent, what, len, out);
}

static int seal_send(uint8_t type, const uint8_t *payload, uint16_t len, char *err, size_t errlen)
{
	if (!seal_up() || (size_t)len + 1 > sizeof(host.frame)) {
		format(err, errlen, "the enclave channel %s",
		       seal_up() ? "takes shorter frames" : "is not up");
		return -1;
	}
	host.frame[0] = type;
	memcpy(host.frame + 1, payload, len);
	if (agent_send_data(&host.agent, host.frame, (size_t)len + 1)) {
		format(err, errlen, "the enclave channel took nothing");
		return -1;
	}
	return 0;
}

/*
 * Source: once the channel is up, the enclave moves through it; if the
 * handshake ended otherwise, the move failed (the agent's line says why).
 */
static void move_when_established(void)
{
	struct vm *vm = host.moving;
	char err[160];

	/* Pending: its handshake has not begun (the agent there is an older one's). */
	if (!vm || host.pending || !host.active || host.agent.role != AGENT_SOURCE ||
	    !agent_done(&host.agent))
		return;
	host.moving = NULL;
	if (host.agent.state != AGENT_ESTABLISHED) {
		log_error("vm %s: migrate: failed: the enclave agents' handshake ended: %s; the VM "
			  "runs on here",
			  vm->name, host.agent.why);
		return;
	}
	if (link_migrate_sealed_locked(vm, host.catch_up, &host.seal, err, sizeof(err)))
		log_error("vm %s: migrate: failed: %s; the VM runs on here", vm->name, err);
}

static uint64_t ticks_us(uint64_t ticks)
{
	uint64_t hz = arch_counter_freq();

	return hz ? ticks / hz * 1000000 + ticks % hz * 1000000 / hz : 0;
}

/*
 * After each step of the agent: the time it took is the handshake's; once it
 * is established, how long it took in all and how much of that was this
 * host's work (under -icount, instructions: the benchmarks read this line).
 */
static void agent_step_done(uint64_t began)
{
	uint64_t now = arch_counter();

	if (host.timed)
		return;
	host.agent_ticks += now - began;
	if (host.agent.state != AGENT_ESTABLISHED)
		return;
	host.timed = true;
	log_info("enclave: agent (%s): handshake took %lu us, %lu us of it in this host's agent",
		 host.agent.role == AGENT_SOURCE ? "source" : "destination",
		 (unsigned long)ticks_us(now - host.started),
		 (unsigned long)ticks_us(host.agent_ticks));
}

static void start_source(const struct vm_config *vm)
{
	uint64_t began;

	host.pending = NULL;
	/* This host asks now: a peer's HELLO waiting for its turn is not answered. */
	host.set_aside += host.held;
	host.held = false;
	agent_init(&host.agent, AGENT_SOURCE, &io, attest_host_key(), &host.claims);
	host.active = true;
	host.started = began = arch_counter();
	host.stray = 0;
	host.agent_ticks = 0;
	host.timed = false;
	log_info("enclave: agent (source): handshake for vm %s: HELLO, then its policy", vm->name);
	agent_start(&host.agent, vm->policy, vm->policy_size);
	agent_step_done(began);
}

/* Whether a destination handshake may not begin yet at counter @now. */
static bool hello_wait(uint64_t now)
{
	uint64_t spacing = arch_counter_freq() / 1000 * HELLO_SPACING_MS;

	return host.begun_one && (now < host.begun_at || now - host.begun_at < spacing);
}

/* A HELLO that came too soon after the last handshake began waits for tick(). */
static void hold_hello(const uint8_t *payload, uint16_t len)
{
	host.set_aside += host.held;
	host.held = false;
	if (len != AGENT_HELLO_LEN) {
		host.set_aside++; /* malformed: no agent would take it anyway */
		return;
	}
	memcpy(host.held_hello, payload, len);
	host.held = true;
}

/* At most a line a second about the HELLOs a flood had set aside. */
static void note_set_aside(uint64_t now)
{
	if (!host.set_aside || (now >= host.noted_at && now - host.noted_at < arch_counter_freq()))
		return;
	log_warn("enclave: agent: %lu migration HELLO(s) not answered: a destination begins a "
		 "handshake at most each %u ms, for the latest HELLO",
		 host.set_aside, HELLO_SPACING_MS);
	host.set_aside = 0;
	host.noted_at = now;
}

/* A peer's HELLO (@payload, @len bytes): a handshake as the destination. */
static void begin_destination(const uint8_t *payload, uint16_t len)
{
	if (host.active && host.agent.state == AGENT_ESTABLISHED)
		agent_link_lost(&host.agent, "a new handshake began");
	agent_init(&host.agent, AGENT_DESTINATION, &io, attest_host_key(), &host.claims);
	host.active = true;
	host.started = arch_counter();
	host.begun_one = true;
	host.begun_at = host.started;
	host.stray = 0;
	host.agent_ticks = 0;
	host.timed = false;
	log_info("enclave: agent (destination): a migration HELLO: handshake");
	agent_receive(&host.agent, AGENT_T_HELLO, payload, len);
	agent_step_done(host.started);
}

static void deliver(uint8_t type, const uint8_t *payload, uint16_t len)
{
	/* Records go to the handshake under way, or to the channel it set up. */
	if (under_way() || (seal_up() && type != AGENT_T_HELLO)) {
		uint64_t began = arch_counter();

		agent_receive(&host.agent, type, payload, len);
		agent_step_done(began);
		move_when_established();
		return;
	}
	if (type != AGENT_T_HELLO) {
		/* The rest of a stream whose channel ended comes by the hundred: one line. */
		if (!host.stray++)
			log_warn(
				"enclave: agent: a record of %u bytes with no handshake under way: "
				"dropped (and the next such, without a line, until a handshake)",
				len);
		return;
	}
	if (!host.ready) {
		log_warn("enclave: agent: a migration HELLO, but this host has no attestation key "
			 "(attestation-key): not answered");
		return;
	}
	if (hello_wait(arch_counter())) {
		hold_hello(payload, len);
		return;
	}
	begin_destination(payload, len);
}

static void opened(void)
{
	if (host.pending && !under_way()) {
		start_source(host.pending);
		move_when_established();
	}
}

static void ended(const char *why)
{
	if (host.pending)
		log_warn("enclave: agent (source): handshake for vm %s not started: the session "
			 "ended: %s",
			 host.pending->name, why);
	if (host.pending && host.moving) {
		log_error("vm %s: migrate: failed: the session ended before the handshake; the VM "
			  "runs on here",
			  host.moving->name);
		host.moving = NULL;
	}
	host.pending = NULL;
	host.held = false; /* its session ended */
	if (host.active)
		agent_link_lost(&host.agent, why);
	move_when_established();
}

static void tick(uint64_t now)
{
	/* @now was read before this slice's frames, one of which may have started it. */
	if (under_way() && now > host.started &&
	    now - host.started > HANDSHAKE_TIMEOUT_S * arch_counter_freq())
		agent_give_up(&host.agent, "no answer from the peer within 10 s");
	if (host.held && !under_way() && !hello_wait(now)) {
		host.held = false;
		begin_destination(host.held_hello, AGENT_HELLO_LEN);
	}
	note_set_aside(now);
	move_when_established();
}

static const struct link_upper upper = {
	.first = AGENT_T_HELLO,
	.last = AGENT_T_RECORD,
	.deliver = deliver,
	.opened = opened,
	.ended = ended,
	.tick = tick,
};

void agent_host_init(const struct config *cfg)
{
	const struct attest_key *k = attest_host_key();
	struct cpu_features f;

	host.cfg = cfg;
	if (k) {
		memcpy(host.claims.host_id, k->id, sizeof(host.claims.host_id));
		host.ready = true;
	}
	memcpy(host.claims.host_class, cfg->host_class, sizeof(host.claims.host_class));
	host.claims.skiff_svn = SKIFF_SECURITY_VERSION;
	host.claims.min_policy_svn = cfg->min_policy_svn;
	host.claims.enclave = true;
	host.seal.send = seal_send;
	host.seal.up = seal_up;
	host.seal.digest = seal_digest;
	host.seal.abort_token = seal_abort_token;
	host.seal.overhead = 1 + 1 + AGENT_RECORD_OVERHEAD; /* the frame's type, DATA's, the seal */
	host.seal.max_payload = AGENT_DATA_MAX - 1;
	arch_cpu_features(&f);
	host.claims.ecv = f.ecv;
	host.claims.counter_hz = f.counter_hz;
	arch_cpu_id_regs(&host.claims.cpu);
	if (link_add_upper(&upper))
		log_error("enclave: agent: the link's frame types 0x%02x-0x%02x are taken: no "
			  "enclave migration",
			  AGENT_T_HELLO, AGENT_T_RECORD);
}

/* The shell's request, handed to take_request() under the link's lock. */
static const struct vm_config *request;
static char request_err[120];

/* A handshake under way or waiting for its session: request_err says which. */
static bool handshake_busy(void)
{
	if (!under_way() && !host.pending && !host.moving)
		return false;
	format(request_err, sizeof(request_err), "a handshake is under way (%s)",
	       host.pending ? "waiting for the session" : agent_state_name(host.agent.state));
	return true;
}

/* Runs @fn under the link's lock for the shell; 0, or -1 with its refusal or the link's. */
static int run_request(void (*fn)(bool open), char *err, size_t errlen)
{
	request_err[0] = 0;
	if (link_call(fn, err, errlen))
		return -1;
	if (request_err[0]) {
		format(err, errlen, "%s", request_err);
		return -1;
	}
	return 0;
}

static void take_request(bool open)
{
	if (handshake_busy())
		return;
	host.pending = request;
	if (open)
		start_source(request);
}

int agent_host_handshake(const char *name, char *err, size_t errlen)
{
	const struct vm_config *vm = NULL;

	for (unsigned int i = 0; host.cfg && i < host.cfg->nvms; i++)
		if (!strcmp(host.cfg->vms[i].name, name))
			vm = &host.cfg->vms[i];
	if (!vm) {
		format(err, errlen, "no VM named %s", name);
		return -1;
	}
	if (!vm->policy) {
		format(err, errlen, "vm %s has no migration-policy: it does not migrate", name);
		return -1;
	}
	if (!host.ready) {
		format(err, errlen, "this host has no attestation key");
		return -1;
	}
	request = vm;
	return run_request(take_request, err, errlen);
}

/* The shell's move, handed to take_move() under the link's lock. */
static struct vm *move_request;
static bool move_catch_up;

static void take_move(bool open)
{
	if (handshake_busy())
		return;
	if (migrate_busy()) {
		format(request_err, sizeof(request_err), "a migration is under way already");
		return;
	}
	host.moving = move_request;
	host.catch_up = move_catch_up;
	host.pending = move_request->config;
	if (open) {
		start_source(move_request->config);
		move_when_established();
	}
}

int agent_host_migrate(struct vm *vm, bool catch_up, char *err, size_t errlen)
{
	if (!vm->config->policy) {
		format(err, errlen,
		       "vm %s is an enclave without a migration-policy: it never leaves its host",
		       vm->name);
		return -1;
	}
	if (!host.ready) {
		format(err, errlen,
		       "this host has no attestation key (attestation-key): it cannot "
		       "move enclaves");
		return -1;
	}
	if (vm_state(vm) != VM_RUNNING) {
		format(err, errlen, "vm %s is %s", vm->name, vm_state_name(vm_state(vm)));
		return -1;
	}
	move_request = vm;
	move_catch_up = catch_up;
	return run_request(take_move, err, errlen);
}
