/* SPDX-License-Identifier: MIT */
/*
 * Skiff's side of TCLO, the channel over which the host asks a guest's tools
 * (vmtoolsd) to do things. The tools poll: each message they send carries the
 * result of the previous request ("OK ..." or "ERROR ..."; empty at first), and
 * the reply is the next request, or empty when there is none. When the tools
 * open the channel Skiff asks "reset" first, as VMware's host does, then
 * whatever was queued: "OS_Halt" and "OS_Reboot" for graceful power operations
 * (the console's Ctrl-\ h / Ctrl-\ r), "ping".
 */
#ifndef SKIFF_HYPERCALL_TCLO_H
#define SKIFF_HYPERCALL_TCLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCLO_QUEUE	 4
#define TCLO_REQUEST_MAX 32
#define TCLO_REPLY_SHOWN 60 /* bytes of the tools' reply shown in the log */

struct guestlog;

struct tclo {
	struct guestlog *log; /* the VM's (core/guestlog.h) */
	bool withhold;	      /* an enclave's: results are logged by size, not text */
	bool listening;	      /* the tools have a TCLO channel open */
	uint64_t polls;	      /* the tools' polls: their heartbeat */
	uint64_t last_poll;   /* host counter at the last one */
	const char *pending;  /* the request whose result is awaited */
	unsigned int head, count;
	char queue[TCLO_QUEUE][TCLO_REQUEST_MAX];
};

/* The tools opened their channel: start with "reset". */
void tclo_opened(struct tclo *t);

/* Queues a request for the tools; false when the queue is full. */
bool tclo_request(struct tclo *t, const char *request);

/* A message from the tools (the result of the last request): returns the next request. */
size_t tclo_answer(struct tclo *t, const char *msg, size_t len, char *reply, size_t reply_max);

#endif
