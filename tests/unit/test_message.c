// SPDX-License-Identifier: MIT
/* The backdoor's message channels and RPCI commands, driven as a guest would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arch.h"
#include "core/guestlog.h"
#include "core/log.h"
#include "hypercall/message.h"
#include "hypercall/rpci.h"
#include "hypercall/tclo.h"

static struct msg_channel channels[MSG_MAX_CHANNELS];
static struct guestlog vm_log;
static struct rpci rpci = { .log = &vm_log };
static char guest_mem[256];
static char last_line[512];

static void keep_line(const char *fmt, va_list ap)
{
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep_line(fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep_line(fmt, ap);
	va_end(ap);
}

/* tclo.c notes when the tools last polled; the VM's log budget counts seconds. */
uint64_t arch_counter(void)
{
	return 42;
}

uint64_t arch_counter_freq(void)
{
	return 1000;
}

static size_t answer(void *ctx, uint32_t proto, const char *msg, size_t len, char *reply)
{
	(void)ctx;
	if (proto != MSG_PROTO_RPCI)
		return 0;
	return rpci_answer(&rpci, msg, len, reply, MSG_MAX_SIZE);
}

/* Cookies for new channels: a sequence the tests know. */
static uint64_t next_cookies;

static uint64_t new_cookies(void *ctx)
{
	(void)ctx;
	return next_cookies++;
}

static const struct msg_handler handler = { answer, NULL, new_cookies, NULL };

/* The guest's memory: addresses 0x1000.. map guest_mem; anything else is refused. */
static bool mem_read(void *ctx, uint64_t va, void *dst, size_t len)
{
	(void)ctx;
	if (va < 0x1000 || va - 0x1000 + len > sizeof(guest_mem))
		return false;
	memcpy(dst, guest_mem + (va - 0x1000), len);
	return true;
}

static bool mem_write(void *ctx, uint64_t va, const void *src, size_t len)
{
	(void)ctx;
	if (va < 0x1000 || va - 0x1000 + len > sizeof(guest_mem))
		return false;
	memcpy(guest_mem + (va - 0x1000), src, len);
	return true;
}

static const struct msg_guest_mem mem = { mem_read, mem_write, NULL };

struct chan {
	uint32_t id, high, low;
};

static unsigned int call(const struct chan *c, unsigned int type, uint64_t bx, struct bdoor_regs *r)
{
	*r = (struct bdoor_regs){ .bx = bx,
				  .cx = 30 | ((uint64_t)type << 16),
				  .dx = (uint64_t)c->id << 16,
				  .si = c->high,
				  .di = c->low };
	msg_call_lb(channels, r, &handler);
	return (unsigned int)(r->cx >> 16);
}

static struct chan open_rpci(void)
{
	struct chan c = { 0 };
	struct bdoor_regs r;

	assert_int_equal(call(&c, MSG_OPEN, MSG_PROTO_RPCI | MSG_FLAG_COOKIE, &r),
			 MSG_STATUS_SUCCESS);
	c.id = (uint32_t)(r.dx >> 16);
	c.high = (uint32_t)r.si;
	c.low = (uint32_t)r.di;
	return c;
}

static void send_lb(const struct chan *c, const char *s)
{
	struct bdoor_regs r;
	size_t len = strlen(s);

	assert_true(call(c, MSG_SENDSIZE, len, &r) & MSG_STATUS_SUCCESS);
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w = 0;

		memcpy(&w, s + i, len - i < 4 ? len - i : 4);
		assert_true(call(c, MSG_SENDPAYLOAD, w, &r) & MSG_STATUS_SUCCESS);
	}
}

static const char *recv_lb(const struct chan *c)
{
	static char buf[300];
	struct bdoor_regs r;
	size_t len;

	assert_int_equal(call(c, MSG_RECVSIZE, 0, &r),
			 MSG_STATUS_SUCCESS | MSG_STATUS_DORECV | MSG_STATUS_HB);
	len = (size_t)r.bx;
	assert_true(len < sizeof(buf));
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w;

		assert_true(call(c, MSG_RECVPAYLOAD, MSG_STATUS_SUCCESS, &r) & MSG_STATUS_SUCCESS);
		w = (uint32_t)r.bx;
		memcpy(buf + i, &w, len - i < 4 ? len - i : 4);
	}
	buf[len] = '\0';
	call(c, MSG_RECVSTATUS, MSG_STATUS_SUCCESS, &r);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	memset(channels, 0, sizeof(channels));
	memset(&rpci.info, 0, sizeof(rpci.info));
	return 0;
}

static void test_rpci_over_low_bandwidth(void **state)
{
	struct chan c = open_rpci();

	(void)state;
	send_lb(&c, "info-set guestinfo.color blue");
	assert_string_equal(recv_lb(&c), "1 ");
	send_lb(&c, "info-get guestinfo.color");
	assert_string_equal(recv_lb(&c), "1 blue");
	send_lb(&c, "info-get guestinfo.size");
	assert_string_equal(recv_lb(&c), "0 No value found");
	send_lb(&c, "bogus");
	assert_string_equal(recv_lb(&c), "0 Unknown command");
	send_lb(&c, "info-get nonsense");
	assert_string_equal(recv_lb(&c), "0 Invalid key");
}

static void test_rpci_over_high_bandwidth(void **state)
{
	struct chan c = open_rpci();
	const char *req = "info-set guestinfo.k v";
	struct bdoor_regs r;

	(void)state;
	snprintf(guest_mem, sizeof(guest_mem), "%s", req);
	call(&c, MSG_SENDSIZE, strlen(req), &r);
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = strlen(req),
				 .dx = (uint64_t)c.id << 16,
				 .si = 0x1000,
				 .di = c.low,
				 .bp = c.high };
	assert_true(msg_call_hb(channels, &r, false, &handler, &mem));
	assert_int_equal(call(&c, MSG_RECVSIZE, 0, &r) & MSG_STATUS_DORECV, MSG_STATUS_DORECV);
	assert_int_equal(r.bx, 2);
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = 2,
				 .dx = (uint64_t)c.id << 16,
				 .si = c.high,
				 .di = 0x1080,
				 .bp = c.low };
	assert_true(msg_call_hb(channels, &r, true, &handler, &mem));
	assert_memory_equal(guest_mem + 0x80, "1 ", 2);
	/* A buffer outside the guest's memory is refused. */
	call(&c, MSG_SENDSIZE, 4, &r);
	r = (struct bdoor_regs){ .bx = 1 << 16,
				 .cx = 4,
				 .dx = (uint64_t)c.id << 16,
				 .si = 0x9000,
				 .di = c.low,
				 .bp = c.high };
	assert_false(msg_call_hb(channels, &r, false, &handler, &mem));
	assert_int_equal(r.bx >> 16, MSG_STATUS_FAIL);
}

static void test_channel_rules(void **state)
{
	struct chan c[MSG_MAX_CHANNELS], bad;
	struct bdoor_regs r;

	(void)state;
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++)
		c[i] = open_rpci();
	bad = c[0];
	assert_int_equal(call(&bad, MSG_OPEN, MSG_PROTO_RPCI, &r), MSG_STATUS_FAIL); /* full */
	bad.low ^= 1;
	assert_int_equal(call(&bad, MSG_SENDSIZE, 4, &r), MSG_STATUS_FAIL); /* cookie */
	assert_int_equal(call(&c[0], MSG_SENDSIZE, MSG_MAX_SIZE + 1, &r), MSG_STATUS_FAIL);
	assert_int_equal(call(&c[0], MSG_SENDPAYLOAD, 0, &r), MSG_STATUS_FAIL); /* no size */
	assert_int_equal(call(&c[0], MSG_RECVPAYLOAD, 0, &r), MSG_STATUS_FAIL); /* no reply */
	assert_int_equal(call(&c[0], 9, 0, &r), MSG_STATUS_FAIL);		/* no such type */
	bad = (struct chan){ .id = 77 };
	assert_int_equal(call(&bad, MSG_CLOSE, 0, &r), MSG_STATUS_FAIL);
	assert_int_equal(call(&c[1], MSG_CLOSE, 0, &r), MSG_STATUS_SUCCESS);
	assert_int_equal(call(&c[1], MSG_CLOSE, 0, &r), MSG_STATUS_FAIL); /* closed */
	open_rpci();
	bad = (struct chan){ 0 };
	assert_int_equal(call(&bad, MSG_OPEN, 0x12345678, &r), MSG_STATUS_FAIL); /* protocol */
}

/* Each open takes its cookies from the handler: cookie_high the high half. */
static void test_cookies_come_from_the_handler(void **state)
{
	struct chan a, b, forged;
	struct bdoor_regs r;

	(void)state;
	next_cookies = 0x1122334455667788UL;
	a = open_rpci();
	b = open_rpci();
	assert_int_equal(a.high, 0x11223344);
	assert_int_equal(a.low, 0x55667788);
	assert_int_equal(b.high, 0x11223344);
	assert_int_equal(b.low, 0x55667789);
	assert_int_equal(next_cookies, 0x112233445566778aUL); /* one draw per open */
	/* Another channel's cookies do not open this one. */
	forged = (struct chan){ .id = b.id, .high = a.high, .low = a.low };
	assert_int_equal(call(&forged, MSG_SENDSIZE, 4, &r), MSG_STATUS_FAIL);
	assert_true(call(&b, MSG_SENDSIZE, 4, &r) & MSG_STATUS_SUCCESS);
}

static void test_guestinfo_limits(void **state)
{
	char big[300];

	(void)state;
	memset(big, 'v', sizeof(big));
	assert_int_equal(guestinfo_set(&rpci.info, "k", big, 256), -1);
	assert_int_equal(guestinfo_set(&rpci.info, "k", big, 255), 0);
	assert_int_equal(guestinfo_set(&rpci.info, "", "x", 1), -1);
	for (unsigned int i = 1; i < GUESTINFO_MAX; i++) {
		char key[8];

		snprintf(key, sizeof(key), "k%u", i);
		assert_int_equal(guestinfo_set(&rpci.info, key, "x", 1), 0);
	}
	assert_int_equal(guestinfo_set(&rpci.info, "onemore", "x", 1), -1);
	assert_int_equal(guestinfo_set(&rpci.info, "k", "new", 3), 0); /* replacing is fine */
	assert_string_equal(guestinfo_get(&rpci.info, "k"), "new");
}

static void test_tclo_requests(void **state)
{
	struct tclo t = { .log = &vm_log };
	char reply[64];

	(void)state;
	assert_false(t.listening);
	tclo_opened(&t);
	assert_true(t.listening);
	/* The first poll (an empty result) gets "reset"; the next poll, nothing. */
	assert_int_equal(tclo_answer(&t, "", 0, reply, sizeof(reply)), 5);
	assert_memory_equal(reply, "reset", 5);
	assert_int_equal(tclo_answer(&t, "OK ATR toolbox", 14, reply, sizeof(reply)), 0);
	assert_int_equal(t.polls, 2);
	assert_int_equal(t.last_poll, 42);
	assert_true(tclo_request(&t, "OS_Halt"));
	assert_int_equal(tclo_answer(&t, "", 0, reply, sizeof(reply)), 7);
	assert_memory_equal(reply, "OS_Halt", 7);
	for (unsigned int i = 0; i < TCLO_QUEUE; i++)
		assert_true(tclo_request(&t, "ping"));
	assert_false(tclo_request(&t, "ping")); /* full */
}

/* Text a guest sends through the backdoor reaches the log escaped: no forged lines. */
static void test_guest_text_is_escaped_in_the_log(void **state)
{
	static const char forged[] = "log \x1b[1;32mskiff: all fine\r\nskiff: \x07";
	struct tclo t = { .log = &vm_log };
	char reply[64];

	(void)state;
	guestlog_init(&vm_log, "unit");
	rpci_answer(&rpci, forged, sizeof(forged) - 1, reply, sizeof(reply));
	assert_string_equal(
		last_line,
		"vm unit: guest tools: \\x1b[1;32mskiff: all fine\\x0d\\x0askiff: \\x07");
	rpci_answer(&rpci, "\x1b]0;title\x07", 10, reply, sizeof(reply));
	assert_non_null(strstr(last_line, "unknown request \"\\x1b]0;title\\x07\""));
	tclo_opened(&t);
	tclo_answer(&t, "", 0, reply, sizeof(reply)); /* "reset" is pending now */
	tclo_answer(&t, "OK\x1b[2J", 6, reply, sizeof(reply));
	assert_string_equal(last_line, "vm unit: guest tools: reset -> OK\\x1b[2J");
	for (const char *p = last_line; *p; p++)
		assert_true(*p >= ' ' && *p < 0x7f);
}

/*
 * An enclave's tools' text never reaches the log: a log request, an unknown
 * request and a TCLO result are logged by their size (the same text is shown for
 * a VM that is no enclave, above).
 */
static void test_enclave_text_is_withheld(void **state)
{
	struct rpci enc = { .log = &vm_log, .withhold = true };
	struct tclo t = { .log = &vm_log, .withhold = true };
	char reply[64];

	(void)state;
	guestlog_init(&vm_log, "enc");
	assert_int_equal(rpci_answer(&enc, "log the secret is 42", 20, reply, sizeof(reply)), 2);
	assert_memory_equal(reply, "1 ", 2);
	assert_string_equal(
		last_line,
		"vm enc: guest tools: a log message of 16 bytes (withheld: an enclave's)");
	rpci_answer(&enc, "secret-request 42", 17, reply, sizeof(reply));
	assert_string_equal(last_line, "vm enc: guest tools: an unknown request of 17 bytes "
				       "(withheld: an enclave's)");
	tclo_opened(&t);
	tclo_answer(&t, "", 0, reply, sizeof(reply));
	tclo_answer(&t, "OK the secret is 42", 19, reply, sizeof(reply));
	assert_string_equal(
		last_line,
		"vm enc: guest tools: reset -> a result of 19 bytes (withheld: an enclave's)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rpci_over_low_bandwidth, setup),
		cmocka_unit_test_setup(test_rpci_over_high_bandwidth, setup),
		cmocka_unit_test_setup(test_channel_rules, setup),
		cmocka_unit_test_setup(test_cookies_come_from_the_handler, setup),
		cmocka_unit_test_setup(test_guestinfo_limits, setup),
		cmocka_unit_test(test_tclo_requests),
		cmocka_unit_test_setup(test_guest_text_is_escaped_in_the_log, setup),
		cmocka_unit_test_setup(test_enclave_text_is_withheld, setup),
	};

	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
