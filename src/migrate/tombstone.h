/* SPDX-License-Identifier: MIT */
/*
 * Tombstones of the enclaves that left this host (docs/enclaves.md, "Moving an
 * enclave"): each enclave instance has a random identity and a generation that
 * each move raises; a host remembers the generation an instance left at, and
 * refuses an offer of that instance at the same or an older generation (a copy
 * someone kept: a rollback). Pure: the caller holds the table and its lock.
 */
#ifndef SKIFF_MIGRATE_TOMBSTONE_H
#define SKIFF_MIGRATE_TOMBSTONE_H

#include <stdbool.h>
#include <stdint.h>

#define TOMBSTONE_ID_LEN 16
#define TOMBSTONE_MAX	 32 /* then the oldest is forgotten */

struct tombstone {
	uint8_t id[TOMBSTONE_ID_LEN];
	uint64_t generation; /* the generation it left at */
	bool used;
};

struct tombstones {
	struct tombstone t[TOMBSTONE_MAX];
	unsigned int next; /* the slot a new instance takes (round robin) */
};

/* Instance @id left at @generation: remembered (an instance's later leaving replaces it). */
void tombstone_add(struct tombstones *ts, const uint8_t id[TOMBSTONE_ID_LEN], uint64_t generation);

/*
 * Whether an offer of instance @id at @generation is a copy older than one
 * that left: true, with the generation it left at in *left_at.
 */
bool tombstone_refuses(const struct tombstones *ts, const uint8_t id[TOMBSTONE_ID_LEN],
		       uint64_t generation, uint64_t *left_at);

#endif
