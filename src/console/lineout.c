// SPDX-License-Identifier: MIT
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
}

void lineout_emit(const char *prefix, const char *s, size_t len)
{
	char out[LINEOUT_PREFIX_MAX + 200];
	int n;

	if (!visible)
		return;
	n = format(out, sizeof(out), "%s| %.*s\n", prefix, (int)len, s);
	if (n > (int)sizeof(out) - 1)
		n = sizeof(out) - 1;
	log_write_other(out, (size_t)n);
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
	if (c == '\r')
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
