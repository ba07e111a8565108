// SPDX-License-Identifier: MIT
#include <string.h>

#include "migrate/tombstone.h"

/* The slot of instance @id, or TOMBSTONE_MAX. */
static unsigned int find(const struct tombstones *ts, const uint8_t id[TOMBSTONE_ID_LEN])
{
	unsigned int i;

	for (i = 0; i < TOMBSTONE_MAX; i++)
		if (ts->t[i].used && !memcmp(ts->t[i].id, id, TOMBSTONE_ID_LEN))
			break;
	return i;
}

void tombstone_add(struct tombstones *ts, const uint8_t id[TOMBSTONE_ID_LEN], uint64_t generation)
{
	unsigned int i = find(ts, id);
	struct tombstone *t;

	if (i == TOMBSTONE_MAX) {
		t = &ts->t[ts->next];
		ts->next = (ts->next + 1) % TOMBSTONE_MAX;
		memcpy(t->id, id, TOMBSTONE_ID_LEN);
		t->used = true;
		t->generation = generation;
		return;
	}
	/* Generations only grow: an older leaving cannot lower what is remembered. */
	t = &ts->t[i];
	if (generation > t->generation)
		t->generation = generation;
}

bool tombstone_refuses(const struct tombstones *ts, const uint8_t id[TOMBSTONE_ID_LEN],
		       uint64_t generation, uint64_t *left_at)
{
	unsigned int i = find(ts, id);

	if (i == TOMBSTONE_MAX || generation > ts->t[i].generation)
		return false;
	*left_at = ts->t[i].generation;
	return true;
}
