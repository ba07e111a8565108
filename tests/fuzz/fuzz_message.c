// SPDX-License-Identifier: MIT
/*
 * The backdoor's message channels (hypercall/message.c) with RPCI and TCLO
 * behind them (rpci.c, tclo.c), driven by sequences of guest calls as
 * backdoor.c makes them: raw calls with any registers, whole messages sent
 * and received 4 bytes at a time or through the high-bandwidth port from and
 * to a fake guest memory, opens and closes, host requests for the tools.
 * Checked after every call: a call succeeds exactly when its status says so,
 * the channels' counts stay within their buffers, the handler gets exactly
 * the bytes the guest sent, the guest receives exactly the reply the handler
 * gave, RPCI replies start with "0 " or "1 ", guestinfo stays within its table,
 * and the log lines a guest causes hold no byte a terminal would act on.
 */
#include <stdarg.h>

#include "arch/arch.h"
#include "core/guestlog.h"
#include "core/log.h"
#include "hypercall/message.h"
#include "hypercall/rpci.h"
#include "hypercall/tclo.h"
#include "fuzz.h"

#define COUNTER_HZ 1000000UL
#define MEM_VA	   0x1000UL
#define MEM_SIZE   (MSG_MAX_SIZE + 4096)

enum op {
	OP_RAW,
	OP_SEND,
	OP_RECV,
	OP_SEND_HB,
	OP_RECV_HB,
	OP_OPEN,
	OP_CLOSE,
	OP_REQUEST,
	OP_COUNT
};

struct chan {
	uint32_t id, high, low;
};

static struct msg_channel channels[MSG_MAX_CHANNELS];
static struct rpci rpci;
static struct tclo tclo;
static uint8_t *guest_mem; /* MEM_SIZE bytes on the heap: overruns are caught */
static struct chan known[MSG_MAX_CHANNELS];
static unsigned int nknown;
static uint64_t seed, now, cookies;
static struct guestlog vm_log;

/* What the handler last saw and answered. */
static struct {
	bool called;
	uint32_t proto;
	char msg[MSG_MAX_SIZE];
	size_t len;
	char reply[MSG_MAX_SIZE];
	size_t reply_len;
} last;

/* The reply each channel holds for the guest, as the handler gave it. */
static struct {
	char reply[MSG_MAX_SIZE];
	size_t len;
} expect[MSG_MAX_CHANNELS];

/* A call on channel @id is over: whatever the handler answered is what it holds. */
FUZZ_ORACLE static void answered_on(uint32_t id)
{
	if (!last.called)
		return;
	FUZZ_CHECK(id < MSG_MAX_CHANNELS, "an answer on channel %u", id);
	memcpy(expect[id].reply, last.reply, last.reply_len);
	expect[id].len = last.reply_len;
}

/* Every log line a guest causes has its text escaped: nothing reaches a terminal raw. */
FUZZ_ORACLE static void check_line(const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	for (int i = 0; i < n && i < (int)sizeof(line) - 1; i++)
		FUZZ_CHECK(line[i] >= ' ' && line[i] < 0x7f, "byte 0x%x in log line \"%s\"",
			   (unsigned char)line[i], line);
}

FUZZ_ORACLE void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_line(fmt, ap);
	va_end(ap);
}

FUZZ_ORACLE void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_line(fmt, ap);
	va_end(ap);
}

/* The host's counter: a tenth of a second per read, so the log budget's seconds pass. */
uint64_t arch_counter(void)
{
	return now += COUNTER_HZ / 10;
}

uint64_t arch_counter_freq(void)
{
	return COUNTER_HZ;
}

FUZZ_ORACLE static size_t answer(void *ctx, uint32_t proto, const char *msg, size_t len,
				 char *reply)
{
	size_t n;

	(void)ctx;
	FUZZ_CHECK(len <= MSG_MAX_SIZE, "a message of %zu bytes", len);
	last.called = true;
	last.proto = proto;
	memcpy(last.msg, msg, len);
	last.len = len;
	if (proto == MSG_PROTO_RPCI) {
		n = rpci_answer(&rpci, msg, len, reply, MSG_MAX_SIZE);
		FUZZ_CHECK(n >= 2 && (!memcmp(reply, "0 ", 2) || !memcmp(reply, "1 ", 2)),
			   "RPCI reply \"%.*s\"", (int)n, reply);
	} else {
		n = tclo_answer(&tclo, msg, len, reply, MSG_MAX_SIZE);
	}
	FUZZ_CHECK(n <= MSG_MAX_SIZE, "a reply of %zu bytes", n);
	memcpy(last.reply, reply, n);
	last.reply_len = n;
	return n;
}

/* The host's random generator, as far as the channels can tell: a new value each open. */
FUZZ_ORACLE static uint64_t new_cookies(void *ctx)
{
	(void)ctx;
	cookies = cookies * 6364136223846793005ULL + seed;
	return cookies;
}

FUZZ_ORACLE static void opened(void *ctx, uint32_t proto)
{
	(void)ctx;
	if (proto == MSG_PROTO_TCLO)
		tclo_opened(&tclo);
}

static const struct msg_handler handler = { answer, opened, new_cookies, NULL };

FUZZ_ORACLE static bool in_mem(uint64_t va, size_t len)
{
	return va >= MEM_VA && len <= MEM_SIZE && va - MEM_VA <= MEM_SIZE - len;
}

FUZZ_ORACLE static bool mem_read(void *ctx, uint64_t va, void *dst, size_t len)
{
	(void)ctx;
	if (!in_mem(va, len))
		return false;
	memcpy(dst, guest_mem + (va - MEM_VA), len);
	return true;
}

FUZZ_ORACLE static bool mem_write(void *ctx, uint64_t va, const void *src, size_t len)
{
	(void)ctx;
	if (!in_mem(va, len))
		return false;
	memcpy(guest_mem + (va - MEM_VA), src, len);
	return true;
}

static const struct msg_guest_mem mem = { mem_read, mem_write, NULL };

FUZZ_ORACLE static void check_state(void)
{
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++) {
		const struct msg_channel *c = &channels[i];

		FUZZ_CHECK(c->in_len <= c->in_size && c->in_size <= MSG_MAX_SIZE,
			   "channel %u: %u of %u bytes in", i, c->in_len, c->in_size);
		FUZZ_CHECK(c->out_pos <= c->out_size && c->out_size <= MSG_MAX_SIZE,
			   "channel %u: %u of %u bytes out", i, c->out_pos, c->out_size);
	}
	FUZZ_CHECK(rpci.info.count <= GUESTINFO_MAX, "%u guestinfo keys", rpci.info.count);
	for (unsigned int i = 0; i < rpci.info.count; i++)
		FUZZ_CHECK(fuzz_terminated(rpci.info.entries[i].key, GUESTINFO_KEY_MAX) &&
				   fuzz_terminated(rpci.info.entries[i].value, GUESTINFO_VALUE_MAX),
			   "guestinfo entry %u not terminated", i);
	FUZZ_CHECK(tclo.count <= TCLO_QUEUE && tclo.head < TCLO_QUEUE, "TCLO queue %u at %u",
		   tclo.count, tclo.head);
}

/* A low-bandwidth call; returns its status (ecx's high half). */
static unsigned int call(const struct chan *c, unsigned int type, uint64_t bx, struct bdoor_regs *r)
{
	bool ok;

	last.called = false;
	*r = (struct bdoor_regs){ .bx = bx,
				  .cx = 30 | ((uint64_t)type << 16),
				  .dx = (uint64_t)c->id << 16,
				  .si = c->high,
				  .di = c->low };
	ok = msg_call_lb(channels, r, &handler);
	answered_on(c->id);
	FUZZ_CHECK(ok == ((r->cx >> 16) != MSG_STATUS_FAIL), "type %u: returned %d, status 0x%lx",
		   type, ok, (unsigned long)(r->cx >> 16));
	check_state();
	return (unsigned int)(r->cx >> 16);
}

/* A channel the guest opened (right cookies), or any id and cookies. */
static struct chan pick(struct fuzz_in *in)
{
	uint8_t k = fuzz_u8(in);
	struct chan c;

	if (nknown && k < 0xf0)
		return known[k % nknown];
	/* One at a time: the order of an initializer list's evaluations is unspecified. */
	c.id = fuzz_u8(in);
	c.high = fuzz_u32(in);
	c.low = fuzz_u32(in);
	return c;
}

static void raw(struct fuzz_in *in)
{
	struct chan c = pick(in);
	unsigned int type = fuzz_u8(in) % 8;
	struct bdoor_regs r;

	call(&c, type, fuzz_u64(in), &r);
}

static void send_lb(struct fuzz_in *in)
{
	struct chan c = pick(in);
	static char msg[MSG_MAX_SIZE + 4];
	size_t want = fuzz_u16(in) % (MSG_MAX_SIZE + 2), n;
	struct bdoor_regs r;

	n = fuzz_bytes(in, msg, want);
	if (!(call(&c, MSG_SENDSIZE, n, &r) & MSG_STATUS_SUCCESS))
		return;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = 0;

		memcpy(&w, msg + i, n - i < 4 ? n - i : 4);
		FUZZ_CHECK(call(&c, MSG_SENDPAYLOAD, w, &r) & MSG_STATUS_SUCCESS,
			   "payload refused at byte %zu of %zu", i, n);
	}
	/* The last call (the size for an empty message) completed it. */
	FUZZ_CHECK(last.called && last.len == n && !memcmp(last.msg, msg, n),
		   "the handler got %zu bytes for %zu sent", last.len, n);
}

static void recv_lb(struct fuzz_in *in)
{
	struct chan c = pick(in);
	static char got[MSG_MAX_SIZE + 4];
	struct bdoor_regs r;
	size_t len;

	if (call(&c, MSG_RECVSIZE, 0, &r) !=
	    (MSG_STATUS_SUCCESS | MSG_STATUS_DORECV | MSG_STATUS_HB))
		return;
	len = (size_t)r.bx;
	FUZZ_CHECK(len <= MSG_MAX_SIZE, "a reply of %zu bytes", len);
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w;

		FUZZ_CHECK(call(&c, MSG_RECVPAYLOAD, MSG_STATUS_SUCCESS, &r) & MSG_STATUS_SUCCESS,
			   "reply payload refused at byte %zu of %zu", i, len);
		w = (uint32_t)r.bx;
		memcpy(got + i, &w, len - i < 4 ? len - i : 4);
	}
	FUZZ_CHECK(len == expect[c.id].len && !memcmp(got, expect[c.id].reply, len),
		   "received %zu bytes, the handler answered %zu", len, expect[c.id].len);
	call(&c, MSG_RECVSTATUS, fuzz_u8(in), &r);
}

static void send_hb(struct fuzz_in *in)
{
	struct chan c = pick(in);
	uint64_t va = MEM_VA + fuzz_u16(in) % MEM_SIZE;
	size_t want = fuzz_u16(in) % (MSG_MAX_SIZE + 2), n;
	struct bdoor_regs r;
	bool ok;

	n = in_mem(va, want) ? fuzz_bytes(in, guest_mem + (va - MEM_VA), want) : want;
	if (!(call(&c, MSG_SENDSIZE, n, &r) & MSG_STATUS_SUCCESS))
		return;
	last.called = false;
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = fuzz_u8(in) < 0xf0 ? n : fuzz_u32(in),
				 .dx = (uint64_t)c.id << 16,
				 .si = va,
				 .di = c.low,
				 .bp = c.high };
	ok = msg_call_hb(channels, &r, false, &handler, &mem);
	answered_on(c.id);
	check_state();
	FUZZ_CHECK(ok == ((r.bx >> 16) == MSG_STATUS_SUCCESS), "HB send: %d, status 0x%lx", ok,
		   (unsigned long)(r.bx >> 16));
	if (ok)
		FUZZ_CHECK(last.called && last.len == n &&
				   !memcmp(last.msg, guest_mem + (va - MEM_VA), n),
			   "the handler got %zu bytes for %zu sent", last.len, n);
}

static void recv_hb(struct fuzz_in *in)
{
	struct chan c = pick(in);
	uint64_t va = MEM_VA + fuzz_u16(in) % MEM_SIZE;
	struct bdoor_regs r;
	size_t len;
	bool ok;

	if (call(&c, MSG_RECVSIZE, 0, &r) !=
	    (MSG_STATUS_SUCCESS | MSG_STATUS_DORECV | MSG_STATUS_HB))
		return;
	len = (size_t)r.bx;
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = fuzz_u8(in) < 0xf0 ? len : fuzz_u32(in),
				 .dx = (uint64_t)c.id << 16,
				 .si = c.high,
				 .di = va,
				 .bp = c.low };
	ok = msg_call_hb(channels, &r, true, &handler, &mem);
	check_state();
	FUZZ_CHECK(ok == ((r.bx >> 16) == MSG_STATUS_SUCCESS), "HB receive: %d, status 0x%lx", ok,
		   (unsigned long)(r.bx >> 16));
	if (ok)
		FUZZ_CHECK(len == expect[c.id].len &&
				   !memcmp(guest_mem + (va - MEM_VA), expect[c.id].reply, len),
			   "received %zu bytes, the handler answered %zu", len, expect[c.id].len);
}

static void open_channel(struct fuzz_in *in)
{
	static const uint32_t protos[] = { MSG_PROTO_RPCI, MSG_PROTO_TCLO };
	uint8_t k = fuzz_u8(in);
	uint64_t bx = k < 0xf0 ? protos[k & 1] | (k & 2 ? MSG_FLAG_COOKIE : 0) : fuzz_u32(in);
	struct chan c = { 0, 0, 0 };
	struct bdoor_regs r;

	if (call(&c, MSG_OPEN, bx, &r) != MSG_STATUS_SUCCESS)
		return;
	c = (struct chan){ (uint32_t)(r.dx >> 16), (uint32_t)r.si, (uint32_t)r.di };
	FUZZ_CHECK(c.id < MSG_MAX_CHANNELS && channels[c.id].open, "opened channel %u", c.id);
	FUZZ_CHECK(c.high == (uint32_t)(cookies >> 32) && c.low == (uint32_t)cookies,
		   "channel %u's cookies %x:%x are not the generator's", c.id, c.high, c.low);
	if (nknown < MSG_MAX_CHANNELS)
		known[nknown++] = c;
	else
		known[k % MSG_MAX_CHANNELS] = c;
}

static void host_request(struct fuzz_in *in)
{
	static const char *const requests[] = { "OS_Halt", "OS_Reboot", "ping", "reset" };
	uint8_t k = fuzz_u8(in);
	unsigned int count = tclo.count;
	bool ok = tclo_request(&tclo, requests[k % 4]);

	FUZZ_CHECK(ok == (count < TCLO_QUEUE) && tclo.count == count + ok, "request queued: %d",
		   ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct bdoor_regs r;

	if (!guest_mem)
		guest_mem = malloc(MEM_SIZE);
	memset(guest_mem, 0, MEM_SIZE);
	memset(channels, 0, sizeof(channels));
	memset(&rpci, 0, sizeof(rpci));
	memset(&tclo, 0, sizeof(tclo));
	seed = fuzz_u64(&in) | 1;
	now = cookies = seed;
	guestlog_init(&vm_log, "fuzz");
	rpci.log = tclo.log = &vm_log;
	nknown = 0;
	while (fuzz_more(&in)) {
		switch (fuzz_u8(&in) % OP_COUNT) {
		case OP_RAW:
			raw(&in);
			break;
		case OP_SEND:
			send_lb(&in);
			break;
		case OP_RECV:
			recv_lb(&in);
			break;
		case OP_SEND_HB:
			send_hb(&in);
			break;
		case OP_RECV_HB:
			recv_hb(&in);
			break;
		case OP_OPEN:
			open_channel(&in);
			break;
		case OP_CLOSE: {
			struct chan c = pick(&in);

			call(&c, MSG_CLOSE, 0, &r);
			break;
		}
		default:
			host_request(&in);
			break;
		}
	}
	return 0;
}
