// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "core/guestlog.h"
#include "hypercall/tclo.h"
#include "lib/format.h"

void tclo_opened(struct tclo *t)
{
	t->listening = true;
	t->head = t->count = 0;
	t->pending = 0;
	tclo_request(t, "reset");
}

bool tclo_request(struct tclo *t, const char *request)
{
	if (t->count == TCLO_QUEUE)
		return false;
	format(t->queue[(t->head + t->count++) % TCLO_QUEUE], TCLO_REQUEST_MAX, "%s", request);
	return true;
}

size_t tclo_answer(struct tclo *t, const char *msg, size_t len, char *reply, size_t reply_max)
{
	const char *next;
	size_t n;

	t->polls++;
	t->last_poll = arch_counter();
	if (len && t->pending && t->withhold) {
		/* The host asked, but what an enclave answers is the enclave's. */
		guestlog_info(t->log,
			      "guest tools: %s -> a result of %zu bytes (withheld: an enclave's)",
			      t->pending, len);
	} else if (len && t->pending) {
		char text[TCLO_REPLY_SHOWN * 4 + 1];

		format_escaped(text, sizeof(text), msg,
			       len < TCLO_REPLY_SHOWN ? len : TCLO_REPLY_SHOWN);
		guestlog_info(t->log, "guest tools: %s -> %s", t->pending, text);
	}
	t->pending = 0;
	if (!t->count)
		return 0; /* nothing to ask: the tools poll again later */
	next = t->queue[t->head];
	t->head = (t->head + 1) % TCLO_QUEUE;
	t->count--;
	n = strlen(next);
	n = n < reply_max ? n : reply_max;
	memcpy(reply, next, n);
	t->pending = next; /* stays valid: the slot is reused only after TCLO_QUEUE more */
	return n;
}
