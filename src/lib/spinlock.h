/* SPDX-License-Identifier: MIT */
/* Ticket-free test-and-set spinlock on compiler atomics (acquire/release). */
#ifndef SKIFF_LIB_SPINLOCK_H
#define SKIFF_LIB_SPINLOCK_H

#include <stdbool.h>

struct spinlock {
	bool locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, true, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, true, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, false, __ATOMIC_RELEASE);
}

#endif
