// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "console/shell_link.h"
#include "enclave/agent_host.h"
#include "migrate/link.h"

#define PING_SIZE_DEFAULT 56

static void session_line(struct shell *sh, const struct link_status *st)
{
	if (st->state == SESSION_IDLE) {
		shell_printf(sh, "session: none");
	} else if (st->state == SESSION_OFFERED) {
		shell_printf(sh, "session: %08x offered, no answer yet", st->id);
	} else {
		shell_printf(sh,
			     "session: %08x open with host %016lx for %lu.%03lu s, frames of up to "
			     "%u bytes; next frame out %u, in %u",
			     st->id, (unsigned long)st->peer_host,
			     (unsigned long)(st->open_ms / 1000),
			     (unsigned long)(st->open_ms % 1000), st->payload_limit, st->tx_seq,
			     st->rx_seq);
	}
}

void shell_link_status(struct shell *sh, int argc, char **argv)
{
	struct link_status st;

	(void)argc;
	(void)argv;
	link_get_status(&st);
	if (!st.present) {
		shell_printf(sh,
			     "no host link (QEMU: -netdev stream,... -device virtio-net-device; "
			     "docs/migration.md)");
		return;
	}
	shell_printf(sh,
		     "link: virtio-net at 0x%lx, INTID %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU "
		     "%u, features 0x%lx; host id %016lx",
		     (unsigned long)st.base, st.intid, st.mac[0], st.mac[1], st.mac[2], st.mac[3],
		     st.mac[4], st.mac[5], st.mtu, (unsigned long)st.features,
		     (unsigned long)st.host_id);
	if (st.broken)
		shell_printf(sh, "device: broken: %s", st.why);
	session_line(sh, &st);
	shell_printf(sh,
		     "frames: %lu in (%lu bytes), %lu out (%lu bytes); refused %lu malformed, "
		     "ignored %lu stray and %lu foreign; sessions: %lu opened, %lu ended",
		     (unsigned long)st.stats.frames_in, (unsigned long)st.stats.bytes_in,
		     (unsigned long)st.stats.frames_out, (unsigned long)st.stats.bytes_out,
		     (unsigned long)st.stats.malformed, (unsigned long)st.stats.stray,
		     (unsigned long)st.stats.foreign, (unsigned long)st.stats.opened,
		     (unsigned long)st.stats.ended);
	shell_printf(sh, "device: %lu interrupts, %lu notifications", (unsigned long)st.dev.irqs,
		     (unsigned long)st.dev.kicks);
	if (st.last_end[0])
		shell_printf(sh, "the last session ended: %s", st.last_end);
}

void shell_link_open(struct shell *sh, int argc, char **argv)
{
	char err[200];

	(void)argc;
	(void)argv;
	if (link_open(err, sizeof(err)))
		shell_printf(sh, "link open: %s", err);
}

/* A decimal number in [lo, hi]; false if @s is not one. */
static bool number(const char *s, unsigned long lo, unsigned long hi, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = (unsigned int)v;
	return true;
}

void shell_link_ping(struct shell *sh, int argc, char **argv)
{
	unsigned int count = 1, size = PING_SIZE_DEFAULT;
	char err[200];

	if (argc > 2 || (argc >= 1 && !number(argv[0], 1, SESSION_PING_MAX, &count)) ||
	    (argc == 2 && !number(argv[1], 0, 65535, &size))) {
		shell_printf(sh,
			     "usage: link ping [COUNT [SIZE]] (1-%u pings, %u data bytes if "
			     "no SIZE)",
			     SESSION_PING_MAX, PING_SIZE_DEFAULT);
		return;
	}
	if (link_ping(count, size, err, sizeof(err)))
		shell_printf(sh, "link ping: %s", err);
	else
		shell_printf(sh, "link ping: %u ping(s) of %u bytes under way; answers in the log",
			     count, size);
}

void shell_link_close(struct shell *sh, int argc, char **argv)
{
	char err[200];

	(void)argc;
	(void)argv;
	if (link_close(err, sizeof(err)))
		shell_printf(sh, "link close: %s", err);
}

void shell_link_handshake(struct shell *sh, int argc, char **argv)
{
	char err[200];

	if (argc != 1) {
		shell_printf(sh, "usage: link handshake VM (an enclave with a migration-policy)");
		return;
	}
	if (agent_host_handshake(argv[0], err, sizeof(err)))
		shell_printf(sh, "link handshake: %s", err);
	else
		shell_printf(sh, "link handshake: vm %s: under way; the outcome in the log",
			     argv[0]);
}
