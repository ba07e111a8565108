// SPDX-License-Identifier: MIT
#include "console/escfilter.h"
#include "console/lineout.h"
#include "core/log.h"
#include "lib/format.h"

static bool visible = true;

void lineout_set_visible(bool on)
{
	visible = on;
}

void lineout_init(struct lineout *o, const char *prefix)
{
	format(o->prefix, sizeof(o->prefix), "%s", prefix);
	o->len = 0;
	o->bytes = 0;
	o->keep = 0;
	o->filter = ESCF_TEXT;
}

/* What a terminal shows as one character and nothing else. */
static bool printable(char c)
{
	return c == '\t' || (c >= ' ' && c < 0x7f);
}

void lineout_emit(const char *prefix, const char *s, size_t len)
{
	char out[LINEOUT_PREFIX_MAX + 200];
	size_t n;

	if (!visible)
		return;
	n = format_clamped(out, sizeof(out) - 1, "%s| ", prefix); /* room for the newline */
	for (size_t i = 0; i < len && n < sizeof(out) - 1; i++)
		out[n++] = printable(s[i]) ? s[i] : '?';
	out[n++] = '\n';
	log_write_other(out, n);
}

void lineout_flush(struct lineout *o)
{
	if (!o->len)
		return;
	lineout_emit(o->prefix, o->line, o->len);
	o->len = 0;
}

void lineout_put(struct lineout *o, char c)
{
	o->bytes++;
	if (o->keep)
		conbuf_put(o->keep, c);
	if (!escfilter_keep(&o->filter, (unsigned char)c) || c == '\r')
		return;
	if (c == '\n') {
		lineout_emit(o->prefix, o->line, o->len);
		o->len = 0;
		return;
	}
	o->line[o->len++] = c;
	if (o->len == LINEOUT_MAX)
		lineout_flush(o);
}
