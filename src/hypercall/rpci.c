// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "core/guestlog.h"
#include "hypercall/rpci.h"
#include "lib/format.h"

#define GUESTINFO_PREFIX "guestinfo."

int guestinfo_set(struct guestinfo *g, const char *key, const char *value, size_t value_len)
{
	unsigned int i;

	if (!*key || strlen(key) >= GUESTINFO_KEY_MAX || value_len >= GUESTINFO_VALUE_MAX)
		return -1;
	for (i = 0; i < g->count && strcmp(g->entries[i].key, key); i++)
		;
	if (i == g->count) {
		if (g->count == GUESTINFO_MAX)
			return -1;
		g->count++;
		format(g->entries[i].key, GUESTINFO_KEY_MAX, "%s", key);
	}
	memcpy(g->entries[i].value, value, value_len);
	g->entries[i].value[value_len] = '\0';
	return 0;
}

const char *guestinfo_get(const struct guestinfo *g, const char *key)
{
	for (unsigned int i = 0; i < g->count; i++)
		if (!strcmp(g->entries[i].key, key))
			return g->entries[i].value;
	return 0;
}

/* True when @msg starts with the word @cmd (followed by a space or the end). */
static bool is_cmd(const char *msg, size_t len, const char *cmd, size_t *arg)
{
	size_t n = strlen(cmd);

	if (len < n || memcmp(msg, cmd, n) || (len > n && msg[n] != ' '))
		return false;
	*arg = len > n ? n + 1 : n;
	return true;
}

static size_t reply_str(char *reply, size_t max, const char *status, const char *text,
			size_t text_len)
{
	size_t n = strlen(status);

	if (n + text_len > max)
		text_len = max - n;
	memcpy(reply, status, n);
	memcpy(reply + n, text, text_len);
	return n + text_len;
}

/* Copies the key after "guestinfo." at @msg[@pos..) up to a space; false if none. */
static bool guestinfo_key(const char *msg, size_t len, size_t *pos, char *key)
{
	size_t p = *pos, plen = strlen(GUESTINFO_PREFIX), k = 0;

	if (len - p < plen || memcmp(msg + p, GUESTINFO_PREFIX, plen))
		return false;
	for (p += plen; p < len && msg[p] != ' ' && k + 1 < GUESTINFO_KEY_MAX; p++)
		key[k++] = msg[p];
	key[k] = '\0';
	if (!k || (p < len && msg[p] != ' '))
		return false;
	*pos = p < len ? p + 1 : p;
	return true;
}

static size_t info_get(struct rpci *r, const char *msg, size_t len, size_t pos, char *reply,
		       size_t max)
{
	char key[GUESTINFO_KEY_MAX];
	const char *v;

	if (!guestinfo_key(msg, len, &pos, key) || pos != len)
		return reply_str(reply, max, "0 ", "Invalid key", 11);
	v = guestinfo_get(&r->info, key);
	if (!v)
		return reply_str(reply, max, "0 ", "No value found", 14);
	return reply_str(reply, max, "1 ", v, strlen(v));
}

static size_t info_set(struct rpci *r, const char *msg, size_t len, size_t pos, char *reply,
		       size_t max)
{
	char key[GUESTINFO_KEY_MAX];

	if (!guestinfo_key(msg, len, &pos, key))
		return reply_str(reply, max, "0 ", "Invalid key", 11);
	if (guestinfo_set(&r->info, key, msg + pos, len - pos))
		return reply_str(reply, max, "0 ", "Value too long or too many keys", 31);
	return reply_str(reply, max, "1 ", "", 0);
}

/* A "log" request: its text in the log, escaped; an enclave's by its size only. */
static void log_request(const struct rpci *r, const char *text, size_t len)
{
	char shown[RPCI_LOG_MAX];

	if (r->withhold) {
		guestlog_info(r->log,
			      "guest tools: a log message of %zu bytes (withheld: an enclave's)",
			      len);
		return;
	}
	format_escaped(shown, sizeof(shown), text, len);
	guestlog_info(r->log, "guest tools: %s", shown);
}

/* An unknown request (one of the first RPCI_UNKNOWN_LOGGED), shown like a log request. */
static void log_unknown(const struct rpci *r, const char *msg, size_t len)
{
	const char *more =
		r->unknown_logged == RPCI_UNKNOWN_LOGGED ? " (further ones not logged)" : "";
	char shown[RPCI_UNKNOWN_SHOWN * 4 + 1];

	if (r->withhold) {
		guestlog_info(r->log,
			      "guest tools: an unknown request of %zu bytes (withheld: an "
			      "enclave's)%s",
			      len, more);
		return;
	}
	format_escaped(shown, sizeof(shown), msg,
		       len < RPCI_UNKNOWN_SHOWN ? len : RPCI_UNKNOWN_SHOWN);
	guestlog_info(r->log, "guest tools: unknown request \"%s\"%s", shown, more);
}

size_t rpci_answer(struct rpci *r, const char *msg, size_t len, char *reply, size_t reply_max)
{
	size_t arg;

	r->requests++;
	while (len && !msg[len - 1])
		len--; /* some tools send the terminating NUL */
	if (is_cmd(msg, len, "info-get", &arg))
		return info_get(r, msg, len, arg, reply, reply_max);
	if (is_cmd(msg, len, "info-set", &arg))
		return info_set(r, msg, len, arg, reply, reply_max);
	if (is_cmd(msg, len, "log", &arg)) {
		log_request(r, msg + arg, len - arg);
		return reply_str(reply, reply_max, "1 ", "", 0);
	}
	if (is_cmd(msg, len, "tools.set.version", &arg)) {
		char num[16];

		format(num, sizeof(num), "%.*s", (int)(len - arg < 15 ? len - arg : 15), msg + arg);
		r->tools_version = (uint32_t)strtoul(num, 0, 10);
		guestlog_info(r->log, "guest tools version %u", r->tools_version);
		return reply_str(reply, reply_max, "1 ", "", 0);
	}
	if (is_cmd(msg, len, "SetGuestInfo", &arg)) {
		r->guest_info_updates++; /* the tools' periodic report: noted, not kept */
		return reply_str(reply, reply_max, "1 ", "", 0);
	}
	if ((len > 17 && !memcmp(msg, "tools.capability.", 17)) ||
	    (len > 15 && !memcmp(msg, "vmx.capability.", 15)))
		return reply_str(reply, reply_max, "1 ", "", 0);
	if (r->unknown_logged < RPCI_UNKNOWN_LOGGED) {
		r->unknown_logged++;
		log_unknown(r, msg, len);
	}
	return reply_str(reply, reply_max, "0 ", "Unknown command", 15);
}
