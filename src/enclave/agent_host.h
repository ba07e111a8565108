/* SPDX-License-Identifier: MIT */
/*
 * The enclave agents on a Skiff host (docs/enclaves.md, "The agents'
 * handshake"): enclave/agent.c's handshake driven by the host link's frames
 * (migrate/link.h's layers above), with this host's attestation key, its
 * platform claims and the host's random generator. One handshake at a time:
 * started from the shell for an enclave with a migration policy (this host the
 * source), or by a peer's HELLO (this host the destination).
 */
#ifndef SKIFF_ENCLAVE_AGENT_HOST_H
#define SKIFF_ENCLAVE_AGENT_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

/* At boot, after attest_init() and link_init(): this host's claims; takes the agents' frames. */
void agent_host_init(const struct config *cfg);

/*
 * Starts the handshake for the enclave VM @name as the source (a session is
 * offered first if none is open). 0, or -1 with @err: no such VM, no policy,
 * no attestation key, no link, a handshake under way.
 */
int agent_host_handshake(const char *name, char *err, size_t errlen);

struct vm;

/*
 * Moves the enclave @vm to the host at the other end (vm migrate): the
 * handshake first, then the migration through its sealed channel; the outcome
 * is in the log. 0, or -1 with @err: no policy, no attestation key, not
 * running, no link, a handshake or migration under way.
 */
int agent_host_migrate(struct vm *vm, bool catch_up, char *err, size_t errlen);

#endif
