// SPDX-License-Identifier: MIT
#include "console/termin.h"

#define ESC 0x1b

void termin_init(struct termin *t)
{
	t->state = TERMIN_GROUND;
	t->nparams = 0;
	t->private = false;
}

static unsigned int emit(struct term_event *ev, enum term_key key)
{
	ev->key = key;
	ev->c = 0;
	ev->rows = ev->cols = 0;
	return 1;
}

static void start_sequence(struct termin *t, enum termin_state state)
{
	t->state = state;
	t->nparams = 0;
	t->private = false;
	for (unsigned int i = 0; i < TERMIN_PARAMS; i++)
		t->params[i] = 0;
}

/* A byte in the ground state (or one that cut a sequence). */
static unsigned int ground(struct termin *t, uint8_t byte, struct term_event *ev)
{
	if (byte == ESC) {
		start_sequence(t, TERMIN_ESC);
		return 0;
	}
	emit(ev, TK_CHAR);
	ev->c = byte;
	return 1;
}

/* The key or answer a complete CSI sequence with final byte @final stands for. */
static enum term_key csi_key(const struct termin *t, uint8_t final)
{
	unsigned int p0 = t->nparams ? t->params[0] : 0;

	if (t->private)
		return TK_OTHER;
	switch (final) {
	case 'A':
		return TK_UP;
	case 'B':
		return TK_DOWN;
	case 'C':
		return TK_RIGHT;
	case 'D':
		return TK_LEFT;
	case 'H':
		return TK_HOME;
	case 'F':
		return TK_END;
	case 'R':
		return t->nparams == 2 ? TK_CURSOR : TK_OTHER;
	case 't':
		return t->nparams == 3 && p0 == 8 ? TK_SIZE : TK_OTHER;
	case '~':
		return p0 == 1 || p0 == 7   ? TK_HOME
		       : p0 == 4 || p0 == 8 ? TK_END
		       : p0 == 3	    ? TK_DELETE
					    : TK_OTHER;
	default:
		return TK_OTHER;
	}
}

static unsigned int csi_final(struct termin *t, uint8_t final, struct term_event *ev)
{
	enum term_key key = csi_key(t, final);

	emit(ev, key);
	if (key == TK_SIZE) {
		ev->rows = t->params[1];
		ev->cols = t->params[2];
	} else if (key == TK_CURSOR) {
		ev->rows = t->params[0];
		ev->cols = t->params[1];
	}
	t->state = TERMIN_GROUND;
	return 1;
}

static void csi_param(struct termin *t, uint8_t byte)
{
	unsigned int *p;

	if (byte == ';') {
		if (t->nparams < TERMIN_PARAMS)
			t->nparams++;
		if (t->nparams == 1)
			t->nparams = 2; /* ";5" is "0;5" */
		return;
	}
	if (!t->nparams)
		t->nparams = 1;
	p = &t->params[t->nparams - 1];
	*p = *p * 10 + (unsigned int)(byte - '0');
	if (*p > TERMIN_PARAM_MAX)
		*p = TERMIN_PARAM_MAX;
}

/* A byte inside a CSI sequence: parameters, intermediates, or the final byte. */
static unsigned int csi(struct termin *t, uint8_t byte, struct term_event ev[2])
{
	if ((byte >= '0' && byte <= '9') || byte == ';') {
		csi_param(t, byte);
		return 0;
	}
	if (byte >= '<' && byte <= '?') {
		t->private = true;
		return 0;
	}
	if (byte >= 0x20 && byte <= 0x2f)
		return 0; /* intermediate bytes: nothing Skiff needs */
	if (byte >= 0x40 && byte <= 0x7e)
		return csi_final(t, byte, ev);
	/* Not part of any sequence: the cut sequence, then this byte afresh. */
	emit(&ev[0], TK_OTHER);
	t->state = TERMIN_GROUND;
	return 1 + ground(t, byte, &ev[1]);
}

static unsigned int ss3(struct termin *t, uint8_t byte, struct term_event ev[2])
{
	static const char keys[] = "ABCDHF";
	static const enum term_key map[] = { TK_UP, TK_DOWN, TK_RIGHT, TK_LEFT, TK_HOME, TK_END };

	t->state = TERMIN_GROUND;
	for (unsigned int i = 0; keys[i]; i++)
		if (byte == (uint8_t)keys[i])
			return emit(&ev[0], map[i]);
	if (byte >= 0x40 && byte <= 0x7e)
		return emit(&ev[0], TK_OTHER);
	emit(&ev[0], TK_OTHER);
	return 1 + ground(t, byte, &ev[1]);
}

static unsigned int escape(struct termin *t, uint8_t byte, struct term_event ev[2])
{
	if (byte == '[') {
		start_sequence(t, TERMIN_CSI);
		return 0;
	}
	if (byte == 'O') {
		start_sequence(t, TERMIN_SS3);
		return 0;
	}
	t->state = TERMIN_GROUND;
	if (byte >= 0x20 && byte <= 0x7e)
		return emit(&ev[0], TK_OTHER); /* ESC and one character: Alt-key, ESC 7... */
	/* ESC alone (the Escape key) followed by a control byte or another ESC. */
	emit(&ev[0], TK_CHAR);
	ev[0].c = ESC;
	return 1 + ground(t, byte, &ev[1]);
}

unsigned int termin_feed(struct termin *t, uint8_t byte, struct term_event ev[2])
{
	switch (t->state) {
	case TERMIN_ESC:
		return escape(t, byte, ev);
	case TERMIN_CSI:
		return csi(t, byte, ev);
	case TERMIN_SS3:
		return ss3(t, byte, ev);
	case TERMIN_GROUND:
	default:
		return ground(t, byte, ev);
	}
}
