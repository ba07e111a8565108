/* SPDX-License-Identifier: MIT */
/*
 * The RPCI commands a guest's tools send over a message channel, and the
 * VM's guestinfo store they read and write:
 *   "info-get guestinfo.KEY"        -> "1 VALUE" or "0 No value found"
 *   "info-set guestinfo.KEY VALUE"  -> "1 "
 *   "log TEXT"                      -> "1 " (TEXT goes to Skiff's log, an enclave's
 *                                      withheld)
 *   "tools.set.version N"           -> "1 " (remembered, logged)
 *   "tools.capability.*", "vmx.capability.*" -> "1 " (noted, nothing offered)
 *   "SetGuestInfo KEY VALUE"        -> "1 " (the tools' periodic report, counted)
 * Anything else gets "0 Unknown command". Replies start with "1 " for success
 * and "0 " for failure, as the tools expect.
 */
#ifndef SKIFF_HYPERCALL_RPCI_H
#define SKIFF_HYPERCALL_RPCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUESTINFO_MAX	    16
#define GUESTINFO_KEY_MAX   64
#define GUESTINFO_VALUE_MAX 256

struct guestinfo {
	unsigned int count;
	struct {
		char key[GUESTINFO_KEY_MAX];
		char value[GUESTINFO_VALUE_MAX];
	} entries[GUESTINFO_MAX];
};

#define RPCI_UNKNOWN_LOGGED 16	/* unknown requests logged per VM, the rest only answered */
#define RPCI_UNKNOWN_SHOWN  60	/* bytes of an unknown request shown in the log */
#define RPCI_LOG_MAX	    200 /* a "log" request's text as shown (escaped) */

struct guestlog;

struct rpci {
	struct guestlog *log; /* the VM's (core/guestlog.h) */
	bool withhold;	      /* an enclave's: its text never goes to the log, only its size */
	unsigned int unknown_logged;
	struct guestinfo info;
	uint32_t tools_version;
	uint64_t requests;
	uint64_t guest_info_updates; /* SetGuestInfo reports from vmtoolsd's guestInfo */
};

/* Answers one RPCI request; returns the reply's length (written to @reply). */
size_t rpci_answer(struct rpci *r, const char *msg, size_t len, char *reply, size_t reply_max);

/* guestinfo: returns 0, or -1 (no such key / table full / too long). */
int guestinfo_set(struct guestinfo *g, const char *key, const char *value, size_t value_len);
const char *guestinfo_get(const struct guestinfo *g, const char *key);

#endif
