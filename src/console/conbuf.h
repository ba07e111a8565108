/* SPDX-License-Identifier: MIT */
/*
 * A console's output kept for display: a ring of the last bytes written
 * (the scrollback, replayed when an operator attaches), with the escape
 * sequences a guest sends for its own terminal filtered out and carriage
 * returns dropped, so what is kept is text, newlines, tabs and backspaces.
 * Writing never blocks and never fails: the oldest bytes make room, counted.
 * Any CPU may write; one lock per console, held for a byte or a copy.
 */
#ifndef SKIFF_CONSOLE_CONBUF_H
#define SKIFF_CONSOLE_CONBUF_H

#include <stddef.h>
#include <stdint.h>

#include "console/escfilter.h"
#include "lib/spinlock.h"

struct conbuf {
	char *ring;
	size_t size;	  /* a power of two */
	uint64_t written; /* bytes kept since the start (the ring holds the last @size) */
	uint64_t total;	  /* bytes written, filtered ones included */
	enum escfilter filter;
	/*
	 * protects: the ring's bytes, written, total, filter. written is also
	 * stored atomically for conbuf_version(), which reads it without. A leaf.
	 */
	struct spinlock lock;
};

/* @size must be a power of two. */
void conbuf_init(struct conbuf *cb, char *ring, size_t size);

void conbuf_put(struct conbuf *cb, char c);
void conbuf_write(struct conbuf *cb, const char *s, size_t len);

/* Copies the last up to @max bytes kept into @out; returns how many. */
size_t conbuf_tail(struct conbuf *cb, char *out, size_t max);

/* Bytes that were kept and have since been overwritten (scrolled out). */
uint64_t conbuf_lost(const struct conbuf *cb);

/* A change counter: differs whenever something was kept since it was last read. */
static inline uint64_t conbuf_version(const struct conbuf *cb)
{
	return __atomic_load_n(&cb->written, __ATOMIC_RELAXED);
}

#endif
