/* SPDX-License-Identifier: MIT */
/*
 * The host link (docs/migration.md, "The link"): this host's connection to
 * another Skiff host, a virtio-net device (QEMU: virtio-net-device on a
 * -netdev stream socket) carrying the frames of migrate/wire.h, with the
 * sessions of migrate/session.h on top. One per host: the first virtio-net
 * device among the host's virtio-mmio transports.
 *
 * The work is done under the link's lock by whoever comes first: the
 * device's interrupt (routed to the boot CPU), the boot CPU's time slice
 * (timeouts, keepalives, anything an interrupt did not announce) and the
 * shell's commands. Nothing here waits for the peer: a ping is sent, and its
 * answer reported in the log when it comes.
 */
#ifndef SKIFF_MIGRATE_LINK_H
#define SKIFF_MIGRATE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migrate/session.h"
#include "platform/platform.h"
#include "virtio/net.h"

/*
 * At boot, on the boot CPU, after the interrupt controller and memory: finds
 * the device, brings it up, takes its interrupt and the time-slice hook. A
 * host without one has no link (said once in the log).
 */
void link_init(const struct platform *plat);

struct link_status {
	bool present;
	bool broken; /* the device broke a rule: why says which */
	char why[160];
	uint64_t base;
	unsigned int intid;
	uint8_t mac[6];
	uint16_t mtu;
	uint64_t features;
	uint64_t host_id;
	enum session_state state;
	uint32_t id;
	uint64_t peer_host;
	uint32_t tx_seq, rx_seq;
	uint16_t payload_limit;
	uint64_t open_ms; /* how long the session has been open */
	struct session_stats stats;
	struct vnet_stats dev;
	char last_end[SESSION_REASON_MAX + 1];
};

void link_get_status(struct link_status *out);

/* Offers a session. 0, or -1 with @err (no link, a session already there, no room). */
int link_open(char *err, size_t errlen);

/*
 * @count pings of @size data bytes, in the open session or one offered for
 * them; answers and a summary are reported in the log. -1 with @err.
 */
int link_ping(unsigned int count, unsigned int size, char *err, size_t errlen);

/* Ends the session (or withdraws the offer), telling the peer; -1 with @err if no link. */
int link_close(char *err, size_t errlen);

/*
 * The layers above the link (the enclave agents, src/enclave/agent_host.c; the
 * migration stream's MIG_T_* types are delivered to migrate/migrate.c by the
 * link itself): each takes a range of frame types (LINK_T_USER_*) and is
 * told when a session opens and when it ends. Every callback runs under the
 * link's lock, from its interrupt, time slice or a shell command; it may send
 * with link_send_locked() and must not wait. A frame of a type no layer takes
 * ends the session, as before any layer existed.
 */
struct link_upper {
	uint8_t first, last; /* the frame types it takes */
	void (*deliver)(uint8_t type, const uint8_t *payload, uint16_t len);
	void (*opened)(void);		/* a session opened (offered by either host) */
	void (*ended)(const char *why); /* the session it was told of ended */
	void (*tick)(uint64_t now);	/* each time slice on the boot CPU (may be NULL) */
};

/* At boot: @u (kept) takes its types. -1 when they overlap another layer's, or no room. */
int link_add_upper(const struct link_upper *u);

/* From a layer's callback or link_call()'s function: sends a frame. 0, or -1 with @err. */
int link_send_locked(uint8_t type, const uint8_t *payload, uint16_t len, char *err, size_t errlen);

/*
 * Runs @fn(@open) under the link's lock, then does the link's work; a session is
 * offered first when none is open or offered (@open says whether one is open:
 * if not, the layers' opened() follows when it is). -1 with @err when there is
 * no link or the offer could not be made.
 */
int link_call(void (*fn)(bool open), char *err, size_t errlen);

struct vm;

/*
 * Moves @vm to the host at the other end (migrate/migrate.h), offering a
 * session first if none is open; progress and the outcome are in the log.
 * -1 with @err when it cannot start.
 */
int link_migrate(struct vm *vm, bool catch_up, char *err, size_t errlen);

struct migrate_seal;

/*
 * From the enclave agents' callbacks (under the link's lock, the session
 * open): moves the enclave @vm through their sealed channel @seal; a frame of
 * the migration that came out of it.
 */
int link_migrate_sealed_locked(struct vm *vm, bool catch_up, const struct migrate_seal *seal,
			       char *err, size_t errlen);
void link_deliver_sealed_locked(const struct migrate_seal *seal, uint8_t type,
				const uint8_t *payload, uint16_t len);

#endif
