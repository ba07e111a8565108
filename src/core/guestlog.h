/* SPDX-License-Identifier: MIT */
/*
 * Log lines a guest causes: a bad access, a reset, a message or a reply through
 * the backdoor. Each VM may cause GUESTLOG_BURST lines a second; past that,
 * lines are counted instead of written, and the count is reported once the
 * second is over ("N more lines of this VM left out"). A guest looping on a
 * bad access can so neither fill Skiff's log ring nor the serial line's queue,
 * where other VMs' output would be dropped. Lines are "vm NAME: ..."; text
 * the guest supplies goes in escaped (lib/format.h format_escaped()).
 */
#ifndef SKIFF_CORE_GUESTLOG_H
#define SKIFF_CORE_GUESTLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"

#define GUESTLOG_BURST 20

struct guestlog {
	const char *owner; /* the VM's name */
	/* protects: the fields below; left_out is also read atomically first, as a hint. */
	struct spinlock lock;
	uint64_t window_start; /* host count at which the current second began */
	unsigned int lines;    /* written in the current second */
	uint64_t left_out;     /* not written since the last report of them */
	uint64_t left_out_total;
};

void guestlog_init(struct guestlog *gl, const char *owner);

void guestlog_info(struct guestlog *gl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void guestlog_warn(struct guestlog *gl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Reports the lines left out: if their second is over (each time slice), or
 * at once with @now (the VM stops, resets).
 */
void guestlog_flush(struct guestlog *gl, bool now);

#endif
