/* SPDX-License-Identifier: MIT */
/*
 * Moving a VM to another Skiff host over the link's session, pre-copy
 * (docs/migration.md, "vm migrate"). The source offers the VM (its machine
 * record: CPU profile, RAM, vCPUs, counter), the destination checks it can
 * run it and builds it, the source sends its memory while it runs, round
 * after round of what it wrote (core/dirty_log.h), then freezes it and sends
 * the last pages and its state, the destination checks all of it and says so
 * (DONE), the source lets its copy go and says so (GO), and only then does the
 * destination start the VM. A GO that never comes leaves the VM held there,
 * not running, for the operator (never two copies running). Any failure before the
 * confirmation (a refusal, a malformed stream, the session ending) thaws the
 * source's VM and frees whatever the destination had built.
 *
 * An enclave moves the same way with every frame of the migration inside the
 * enclave agents' sealed channel (a struct migrate_seal, enclave/agent_host.c),
 * after their handshake; its offer carries its measurement and the identity
 * of its policy's owner. In the clear, an enclave's frames are refused.
 *
 * Everything here runs under the link's lock (migrate/link.c): from the
 * shell's command, from frames the session delivers, and from the link's
 * service on every interrupt and time slice.
 */
#ifndef SKIFF_MIGRATE_MIGRATE_H
#define SKIFF_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migrate/session.h"

/* The migration frames (LINK_T_USER_*). */
#define MIG_T_OFFER   0x20 /* source: the machine and counter records */
#define MIG_T_ACCEPT  0x21 /* destination: built, send the rest */
#define MIG_T_REFUSE  0x22 /* either: why, in text; the migration is over */
#define MIG_T_DATA    0x23 /* source: the next bytes of the stream of records */
#define MIG_T_END     0x24 /* source: the stream is complete; the clock's choice */
#define MIG_T_DONE    0x25 /* destination: all taken, the VM ready to run here */
#define MIG_T_GO      0x26 /* source: its copy let go, run it */
#define MIG_T_ABORTED 0x27 /* destination, in the clear, any session: an enclave's ABORT token */
#define MIG_T_LAST    MIG_T_ABORTED

struct vm;

/*
 * The sealed channel of an enclave's migration (enclave/agent_host.c): the
 * frames of the migration go through it instead of the session, and come
 * out of it on the other host (migrate_deliver_sealed).
 */
struct migrate_seal {
	/* Sends a migration frame sealed; 0, or -1 with @err. */
	int (*send)(uint8_t type, const uint8_t *payload, uint16_t len, char *err, size_t errlen);
	bool (*up)(void); /* whether the channel still holds */
	/* SHA-256 committing to the frames it @sent (else took) so far, in order. */
	void (*digest)(bool sent, uint8_t out[32]);
	/* The ABORT token of @what under this channel's key (both ends make the same); 0 or -1. */
	int (*abort_token)(const uint8_t *what, size_t len, uint8_t out[32]);
	uint16_t overhead;    /* the bytes sealing adds to a frame's payload */
	uint16_t max_payload; /* the longest payload it seals */
	uint32_t channel;     /* which channel it is now (a new one each handshake) */
	/* Destination: the policy the handshake accepted, and its owner's identity. */
	const uint8_t *policy;
	size_t policy_len;
	const uint8_t *owner; /* 32 bytes: SHA-256 of the owner's public key */
};

/* At boot: whether this host takes VMs from others (the configuration's migrate-accept). */
void migrate_init(bool accept);

/*
 * Starts moving @vm to the host at the other end of @s (a session is offered
 * if none is open); with @catch_up its counter makes up for the blackout when
 * it runs again, else it pauses for it. An enclave moves only through @seal
 * (kept until the migration ends), any other VM only without. 0, or -1 with
 * @err: one is under way already, the VM is not running, has no interrupt
 * controller, is an enclave without a seal or a seal without an enclave.
 */
int migrate_start(struct session *s, struct vm *vm, bool catch_up, const struct migrate_seal *seal,
		  uint64_t now, char *err, size_t errlen);

/* A migration frame the session delivered (in the clear). */
void migrate_deliver(struct session *s, uint8_t type, const uint8_t *payload, uint16_t len,
		     uint64_t now);

/* A migration frame that came out of the sealed channel @seal (kept while a migration uses it). */
void migrate_deliver_sealed(struct session *s, const struct migrate_seal *seal, uint8_t type,
			    const uint8_t *payload, uint16_t len, uint64_t now);

/* Sends what is due, notices a session that ended: on every service of the link. */
void migrate_service(struct session *s, uint64_t now);

/* True while a migration (either way) is under way. */
bool migrate_busy(void);

/*
 * For vm list and the status view, from any CPU without the link's lock (a
 * moment old): whether @vm is leaving by a migration under way, and one line
 * on that migration ("" when none is under way).
 */
bool migrate_is_leaving(const struct vm *vm);
void migrate_status(char *buf, size_t len);

#endif
