// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <string.h>

#include "arch/arch.h"
#include "console/focus.h"
#include "core/mem.h"
#include "core/sched.h"
#include "console/status_view.h"
#include "core/vm.h"
#include "lib/bits.h"
#include "lib/format.h"
#include "migrate/migrate.h"

static const char *const short_states[] = {
	[VM_EMPTY] = "empty",	[VM_RUNNING] = "run",	   [VM_POWERED_OFF] = "off",
	[VM_CRASHED] = "crash", [VM_FAILED] = "failed",	   [VM_MIGRATED] = "moved",
	[VM_HELD] = "held",	[VM_COMMITTED] = "commit",
};

static struct {
	unsigned int gic_version;
	uint64_t ram;
	uint64_t boot_count;
	uint64_t sampled_at;
	uint64_t exits[VM_MAX];
	uint64_t rate[VM_MAX];
} host;

void status_view_init(const struct platform *plat)
{
	host.gic_version = plat->gic.version;
	host.ram = 0;
	for (unsigned int i = 0; i < plat->nmem; i++)
		host.ram += plat->mem[i].size;
	host.boot_count = host.sampled_at = arch_counter();
}

/* Writes formatted text at (@row, @col); returns the column after it. */
static unsigned int __attribute__((format(printf, 5, 6)))
put(struct screen *s, unsigned int row, unsigned int col, uint8_t attr, const char *fmt, ...)
{
	char text[160];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clamped_v(text, sizeof(text), fmt, ap);
	va_end(ap);
	screen_text(s, row, col, text, n, attr);
	return col + (unsigned int)n;
}

void status_line_draw(struct screen *s, unsigned int row, const struct status_line_info *info)
{
	unsigned int col = 0;

	screen_fill(s, row, 0, s->cols, ' ', ATTR_REVERSE);
	col = put(s, row, col, ATTR_REVERSE, " skiff ");
	/* The console in focus stands out, in brackets too for terminals without bold. */
	col = put(s, row, col, info->focus == FOCUS_SHELL ? ATTR_BOLD : ATTR_REVERSE, "%s0 shell%s",
		  info->focus == FOCUS_SHELL ? "[" : " ", info->focus == FOCUS_SHELL ? "]" : " ");
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);
		bool focused = info->focus == i;

		col = put(s, row, col, focused ? ATTR_BOLD : ATTR_REVERSE, "%s%u %s:%s%s",
			  focused ? "[" : " ", i + 1, vm->name, short_states[vm_state(vm)],
			  focused ? "]" : " ");
	}
	if (info->view)
		col = put(s, row, col + 1, ATTR_REVERSE, "[%s]", info->view);
	put(s, row, col + 1, ATTR_REVERSE, "| %s ? help", info->prefix);
}

/* Exits per second, sampled at most once a second. */
static void sample_rates(void)
{
	uint64_t now = arch_counter(), hz = arch_counter_freq();

	if (now - host.sampled_at < hz)
		return;
	for (unsigned int i = 0; i < vm_count(); i++) {
		uint64_t exits = vm_exits(vm_get(i));

		host.rate[i] = (exits - host.exits[i]) * hz / (now - host.sampled_at);
		host.exits[i] = exits;
	}
	host.sampled_at = now;
}

static void uptime(char *out, size_t len, uint64_t since)
{
	uint64_t secs = (arch_counter() - since) / arch_counter_freq();

	format(out, len, "%lu:%02lu:%02lu", (unsigned long)(secs / 3600),
	       (unsigned long)(secs / 60 % 60), (unsigned long)(secs % 60));
}

static void vm_rows(struct screen *s, unsigned int top, unsigned int last)
{
	unsigned int row = top;

	put(s, row++, 2, ATTR_BOLD, "%-12s %-12s %5s %9s %10s %9s %12s", "VM", "STATE", "VCPUS",
	    "MEMORY", "UPTIME", "EXITS/S", "COUNTER HZ");
	for (unsigned int i = 0; i < vm_count() && row <= last; i++) {
		const struct vm *vm = vm_get(i);
		char up[16] = "-";

		if (vm_state(vm) == VM_RUNNING)
			uptime(up, sizeof(up), vm->started);
		put(s, row++, 2, ATTR_NORMAL, "%-12s %-12s %5u %5lu MiB %10s %9lu %12lu", vm->name,
		    migrate_is_leaving(vm) ? "migrating" : vm_state_name(vm_state(vm)),
		    vm->config->vcpus, (unsigned long)(vm->config->memory_size >> 20), up,
		    (unsigned long)(vm_state(vm) == VM_RUNNING ? host.rate[i] : 0),
		    (unsigned long)vtimer_scale(&vm->counter)->guest_hz);
	}
	if (row <= last) {
		char line[160];

		migrate_status(line, sizeof(line));
		put(s, row, 2, ATTR_NORMAL, "%s", line);
	}
}

void status_view_draw(struct screen *s, unsigned int nrows, const char *prefix)
{
	unsigned int right = s->cols - 1, bottom = nrows - 3;
	char up[16];

	sample_rates();
	for (unsigned int r = 0; r < nrows; r++)
		screen_fill(s, r, 0, s->cols, ' ', ATTR_NORMAL);
	uptime(up, sizeof(up), host.boot_count);
	put(s, 0, 1, ATTR_BOLD, "Skiff %s", SKIFF_VERSION);
	put(s, 0, right > 16 ? right - 16 : 0, ATTR_NORMAL, "up %s", up);
	put(s, 1, 1, ATTR_NORMAL,
	    "host: %u CPUs online, GICv%u, counter %lu Hz, memory %lu MiB (%lu MiB free)",
	    popcount64(sched_cpus_online()), host.gic_version, (unsigned long)arch_counter_freq(),
	    (unsigned long)(host.ram >> 20), (unsigned long)(mem_free_bytes() >> 20));
	if (nrows >= 8) {
		screen_box(s, 2, 0, bottom, right);
		vm_rows(s, 3, bottom - 1);
	}
	put(s, nrows - 2, 1, ATTR_NORMAL,
	    "keys: %s then 0 shell, 1-%u a VM, c its DCC, s this view, l log, d redraw, h/r "
	    "halt/reboot",
	    prefix, vm_count() ? vm_count() : 1);
	screen_cursor(s, nrows - 1, 0);
}
