// SPDX-License-Identifier: MIT
/*
 * The terminal input decoder: the keys and answers it knows, and 10^6 random
 * byte strings (cut escape sequences, invalid UTF-8, runaway parameters)
 * after each of which it is still in a sane state and decodes the next
 * sequence right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "console/termin.h"

#define RANDOM_STRINGS 1000000UL

static struct term_event events[64];
static unsigned int nevents;

static void feed(struct termin *t, const char *s, size_t len)
{
	nevents = 0;
	for (size_t i = 0; i < len; i++) {
		struct term_event ev[2];
		unsigned int n = termin_feed(t, (uint8_t)s[i], ev);

		for (unsigned int j = 0; j < n && nevents < 64; j++)
			events[nevents++] = ev[j];
	}
}

static void feed_str(struct termin *t, const char *s)
{
	feed(t, s, strlen(s));
}

static void test_keys_and_answers(void **state)
{
	static const struct {
		const char *in;
		enum term_key key;
	} cases[] = {
		{ "\x1b[A", TK_UP },
		{ "\x1b[B", TK_DOWN },
		{ "\x1bOC", TK_RIGHT },
		{ "\x1bOD", TK_LEFT },
		{ "\x1b[H", TK_HOME },
		{ "\x1b[4~", TK_END },
		{ "\x1b[3~", TK_DELETE },
		{ "\x1b[1;5A", TK_UP },
		{ "\x1b[?1;2c", TK_OTHER },
		{ "\x1b[2J", TK_OTHER },
		{ "\x1b"
		  "7",
		  TK_OTHER },
	};
	struct termin t;

	(void)state;
	termin_init(&t);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		feed_str(&t, cases[i].in);
		assert_int_equal(nevents, 1);
		assert_int_equal(events[0].key, cases[i].key);
	}
	feed_str(&t, "\x1b[8;43;132t");
	assert_int_equal(nevents, 1);
	assert_int_equal(events[0].key, TK_SIZE);
	assert_int_equal(events[0].rows, 43);
	assert_int_equal(events[0].cols, 132);
	feed_str(&t, "\x1b[24;80R");
	assert_int_equal(events[0].key, TK_CURSOR);
	assert_int_equal(events[0].rows, 24);
	assert_int_equal(events[0].cols, 80);
	feed_str(&t, "a\r\x7f");
	assert_int_equal(nevents, 3);
	assert_int_equal(events[1].key, TK_CHAR);
	assert_int_equal(events[1].c, '\r');
}

static void test_cut_sequences(void **state)
{
	struct termin t;

	(void)state;
	termin_init(&t);
	feed_str(&t, "\x1b[12x"); /* an unknown final byte: one sequence, nothing typed */
	assert_int_equal(nevents, 1);
	assert_int_equal(events[0].key, TK_OTHER);
	feed_str(&t, "\x1b[1\r"); /* cut by a control byte: the byte itself survives */
	assert_int_equal(nevents, 2);
	assert_int_equal(events[1].key, TK_CHAR);
	assert_int_equal(events[1].c, '\r');
	feed_str(&t, "\x1b\x1b[A"); /* Escape, then an arrow */
	assert_int_equal(nevents, 2);
	assert_int_equal(events[0].c, 0x1b);
	assert_int_equal(events[1].key, TK_UP);
	feed_str(&t, "\x1b[99999999999;99999999999;999999999999t");
	assert_int_equal(events[0].key, TK_OTHER); /* first parameter clamped, not 8 */
	feed_str(&t, "\x1b[8;99999999;5t");
	assert_int_equal(events[0].rows, TERMIN_PARAM_MAX);
}

static uint64_t rng = 0x2545f4914f6cdd1dUL;

static uint8_t random_byte(void)
{
	static const uint8_t likely[] = { 0x1b, '[', 'O', ';',	'?',  '0',  '8',  '9', 't',
					  'R',	'~', 'A', 0xc3, 0xff, 0x80, '\r', 0 };

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % 4 ? likely[rng / 4 % sizeof(likely)] : (uint8_t)(rng >> 24);
}

static void assert_sane(const struct termin *t)
{
	assert_true(t->state <= TERMIN_SS3);
	assert_true(t->nparams <= TERMIN_PARAMS);
	for (unsigned int i = 0; i < TERMIN_PARAMS; i++)
		assert_true(t->params[i] <= TERMIN_PARAM_MAX);
}

static void test_random_strings_keep_it_sane(void **state)
{
	struct termin t;
	char s[48];

	(void)state;
	termin_init(&t);
	for (unsigned long i = 0; i < RANDOM_STRINGS; i++) {
		size_t len = 1 + random_byte() % 40;

		for (size_t j = 0; j < len; j++)
			s[j] = (char)random_byte();
		feed(&t, s, len);
		assert_sane(&t);
		for (unsigned int j = 0; j < nevents; j++)
			assert_true(events[j].key <= TK_OTHER);
		/* Whatever came before, the next complete sequence decodes. */
		feed_str(&t, "\x1b[8;43;132t");
		assert_int_equal(events[nevents - 1].key, TK_SIZE);
		assert_int_equal(events[nevents - 1].rows, 43);
		assert_int_equal(events[nevents - 1].cols, 132);
		assert_int_equal(t.state, TERMIN_GROUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_answers),
		cmocka_unit_test(test_cut_sequences),
		cmocka_unit_test(test_random_strings_keep_it_sane),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
