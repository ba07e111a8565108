// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "console/conbuf.h"
#include "console/focus.h"
#include "console/lineout.h"
#include "console/mux.h"
#include "console/screen.h"
#include "console/shell.h"
#include "console/shell_cmds.h"
#include "console/status_view.h"
#include "console/termin.h"
#include "console/textview.h"
#include "core/bootargs.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hypercall/backdoor.h"
#include "lib/format.h"
#include "lib/spinlock.h"
#include "platform/uart.h"

#define LOG_RING	      (64 * 1024)
#define SHELL_RING	      (16 * 1024)
#define PROBE_MS	      300 /* how long the terminal has to answer the size queries */
#define OUTPUT_REDRAW_MS      50  /* a guest's output redraws at most this often */
#define STATUS_REDRAW_MS      1000
#define DEFAULT_ROWS	      24
#define DEFAULT_COLS	      80
#define UART_ROOM_FOR_A_FRAME (16 * 1024) /* a full redraw of a large screen */

/* What the screen shows; input goes to the VM or the shell in focus. */
enum view { VIEW_FOCUS, VIEW_DCC, VIEW_LOG, VIEW_STATUS };
enum console_mode { MODE_AUTO, MODE_SCREEN, MODE_PLAIN };

static struct {
	bool full_screen;
	bool dec_lines;
	struct input_focus focus;
	enum view view;
	struct screen screen;
	struct conbuf log, shell;
	uint64_t drawn_state;  /* a digest of what the last redraw showed, output aside */
	uint64_t drawn_output; /* the shown console's version at the last redraw */
	uint64_t drawn_at;     /* host count at the last redraw */
	uint64_t key_at;       /* host count when a key for the shell came, until drawn */
	struct mux_stats stats;
	uint64_t ms_ticks; /* counter ticks per millisecond */
	/*
	 * protects: all of mux but poll_wanted (atomic) and what mux_early_init and
	 * mux_init set before the CPUs run, and the shell and screen it drives.
	 * Only trylocked (console_poll). The UART interrupt also sets key_at
	 * without it (reading focus): a latency statistic.
	 */
	struct spinlock poll_lock;
	bool poll_wanted; /* a poll was asked for while another CPU held poll_lock */
} mux;

static char log_ring[LOG_RING];
static char shell_ring[SHELL_RING];
static char tail[SCREEN_ROWS_MAX * SCREEN_COLS_MAX];

/*
 * The log: kept for the log view and `log`, and on the serial line itself in
 * plain mode (where the VMs' and the shell's lines go straight to the UART).
 */
static void log_sink(const char *s, size_t len)
{
	conbuf_write(&mux.log, s, len);
	if (panic_in_progress())
		uart_write_sync(s, len); /* interrupts will not drain a queue any more */
	else if (!mux.full_screen)
		uart_write(s, len);
}

void mux_early_init(void)
{
	conbuf_init(&mux.log, log_ring, sizeof(log_ring));
	conbuf_init(&mux.shell, shell_ring, sizeof(shell_ring));
	mux.ms_ticks = arch_counter_freq() / 1000;
	if (!mux.ms_ticks)
		mux.ms_ticks = 1;
	log_set_sink(log_sink, uart_write);
}

bool mux_full_screen(void)
{
	return mux.full_screen;
}

void mux_get_stats(struct mux_stats *out)
{
	*out = mux.stats;
}

void mux_shell_write(const char *s, size_t len)
{
	conbuf_write(&mux.shell, s, len);
	conbuf_put(&mux.shell, '\n');
	lineout_emit("shell", s, len);
}

/* The prefix key's name, e.g. "Ctrl-\". */
static const char *prefix_name(void)
{
	static char name[8];
	char c = mux.focus.prefix ? mux.focus.prefix : FOCUS_ESCAPE;

	format(name, sizeof(name), "Ctrl-%c", c + '@');
	return name;
}

/*
 * Asks the terminal its size: CSI 18 t, and a cursor position report after
 * moving to the far corner, sent together so one timeout serves both. When
 * both answer the report wins: tmux 3.3a answers CSI 18 t with columns and rows
 * swapped. Returns false when nothing answered.
 */
static bool probe_size(unsigned int *rows, unsigned int *cols)
{
	static const char query[] = "\x1b[18t\x1b"
				    "7\x1b[999;999H\x1b[6n\x1b"
				    "8\r";
	uint64_t end = arch_counter() + PROBE_MS * mux.ms_ticks;
	bool sized = false, reported = false;
	struct termin in;

	termin_init(&in);
	uart_write(query, sizeof(query) - 1);
	while (!reported && arch_counter() < end) {
		struct term_event ev[2];
		int c = uart_getc();
		unsigned int n = c < 0 ? 0 : termin_feed(&in, (uint8_t)c, ev);

		for (unsigned int i = 0; i < n; i++) {
			if (ev[i].key == TK_CURSOR && ev[i].rows && ev[i].cols) {
				*rows = ev[i].rows;
				*cols = ev[i].cols;
				reported = true;
			} else if (ev[i].key == TK_SIZE && ev[i].rows && ev[i].cols && !reported) {
				*rows = ev[i].rows;
				*cols = ev[i].cols;
				sized = true;
			}
		}
	}
	return sized || reported;
}

static enum console_mode parse_mode(const char *bootargs)
{
	char v[16];

	if (!bootargs_get(bootargs, "console", v, sizeof(v)) || !strcmp(v, "auto"))
		return MODE_AUTO;
	if (!strcmp(v, "screen"))
		return MODE_SCREEN;
	if (!strcmp(v, "plain"))
		return MODE_PLAIN;
	log_warn("console: skiff.console=%s is not a mode (auto, screen or plain): auto", v);
	return MODE_AUTO;
}

/* skiff.console.prefix=ctrl-X: any control key but Ctrl-A (QEMU, screen, Xen take it). */
static void parse_prefix(const char *bootargs)
{
	char v[16];
	char k;

	if (!bootargs_get(bootargs, "console.prefix", v, sizeof(v)))
		return;
	k = strlen(v) == 6 && !strncmp(v, "ctrl-", 5) ? v[5] : 0;
	if (k >= 'a' && k <= 'z')
		k = (char)(k - 'a' + 'A');
	if (k == 'A' || k == 'M' || k == 'J' || !(k == '\\' || k == ']' || (k > 'A' && k <= 'Z'))) {
		log_warn("console: skiff.console.prefix=%s refused: use ctrl-B to ctrl-Z (not "
			 "ctrl-A, "
			 "which QEMU, screen and Xen take; not ctrl-J or ctrl-M, Enter) or ctrl-] "
			 "or ctrl-\\; keeping %s",
			 v, prefix_name());
		return;
	}
	mux.focus.prefix = (char)(k - '@');
}

static void start_screen(unsigned int rows, unsigned int cols)
{
	screen_init(&mux.screen, rows, cols, mux.dec_lines, uart_write);
	mux.full_screen = true;
	mux.drawn_state = ~0UL; /* draw at the next poll */
	lineout_set_visible(false);
	log_info("console: full screen, %ux%u; %s then ? for help", cols, rows, prefix_name());
}

/* Finds the terminal's size and goes full screen, or stays plain if it never answers. */
static void detect(enum console_mode mode)
{
	unsigned int rows = DEFAULT_ROWS, cols = DEFAULT_COLS;
	bool answered = probe_size(&rows, &cols);

	if (answered || mode == MODE_SCREEN) {
		if (!answered)
			log_info("console: the terminal did not say its size: %ux%u", cols, rows);
		start_screen(rows, cols);
		return;
	}
	log_info("console: plain (the terminal did not answer; skiff.console=screen forces the "
		 "full screen)");
}

void mux_init(const struct platform *plat)
{
	const char *bootargs = plat->bootargs;
	enum console_mode mode = parse_mode(bootargs);
	char v[16];

	status_view_init(plat);
	sched_on_tick(console_poll);
	parse_prefix(bootargs);
	mux.dec_lines =
		!(bootargs_get(bootargs, "console.lines", v, sizeof(v)) && !strcmp(v, "ascii"));
	if (mode == MODE_PLAIN) {
		log_info("console: plain (skiff.console=plain)");
		return;
	}
	detect(mode);
}

/* Where input goes: the VM in focus, or the first running one if that has stopped. */
static struct vm *input_target(void)
{
	unsigned int i, n = vm_count();

	if (mux.focus.vm < n && vm_state(vm_get(mux.focus.vm)) == VM_RUNNING)
		return vm_get(mux.focus.vm);
	for (i = 0; i < n; i++) {
		if (vm_state(vm_get(i)) == VM_RUNNING) {
			mux.focus.vm = i;
			if (mux.view == VIEW_DCC)
				mux.view = VIEW_FOCUS; /* the UART's console, as after a switch */
			return vm_get(i);
		}
	}
	return 0;
}

/* The UART's interrupt: take what came, and act on it now. */
static void uart_irq_taken(unsigned int intid, struct vcpu *loaded)
{
	(void)intid;
	(void)loaded;
	/* A key for the shell: its echo's latency counts from here. */
	if (uart_irq() && !mux.key_at && mux.focus.vm == FOCUS_SHELL)
		mux.key_at = arch_counter();
	console_poll(); /* what came is seen to now, not at the next time slice */
}

void mux_start(void)
{
	unsigned int intid = uart_intid();

	if (GIC_IS_SPI(intid) && !irq_reserve(intid, uart_irq_taken, "console UART")) {
		arch_irq_enable_shared(intid, arch_cpu_index());
		uart_enable_irq();
		log_info("console: UART interrupt INTID %u: input taken and output sent by "
			 "interrupt",
			 intid);
	} else {
		log_warn("console: the UART has no interrupt in the device tree: polled every "
			 "time slice, written synchronously");
	}
	if (vm_count() && input_target())
		log_info("console: input goes to vm %s; %s then 1-%u gives it to another VM, "
			 "0 to the management shell",
			 input_target()->name, prefix_name(), vm_count());
	else
		mux.focus.vm = FOCUS_SHELL;
}

bool mux_attach(const struct vm *vm)
{
	if (vm_state(vm) != VM_RUNNING)
		return false;
	mux.focus.vm = vm->id;
	mux.view = VIEW_FOCUS;
	log_info("console: input goes to vm %s", vm->name);
	return true;
}

/* Prints the last @lines lines of @cb through the shell, each after @prefix. */
static void replay(struct shell *sh, const char *prefix, struct conbuf *cb, unsigned int lines)
{
	size_t n = conbuf_tail(cb, tail, sizeof(tail));
	size_t start = n;

	/* Back to the start of the last @lines lines. */
	while (start && lines) {
		start--;
		if (tail[start] == '\n' && start + 1 < n)
			lines--;
	}
	if (!lines)
		start++;
	while (start < n) {
		const char *nl = memchr(tail + start, '\n', n - start);
		size_t end = nl ? (size_t)(nl - tail) : n;

		shell_printf(sh, "%s%.*s", prefix, (int)(end - start), tail + start);
		start = end + 1;
	}
}

void mux_replay(struct shell *sh, struct vm *vm, unsigned int lines)
{
	char prefix[CONFIG_NAME_MAX + 3];

	format(prefix, sizeof(prefix), "%s| ", vm->name);
	replay(sh, prefix, &vm->console, lines);
}

void mux_replay_log(struct shell *sh, unsigned int lines)
{
	replay(sh, "", &mux.log, lines);
}

static void input_switched(unsigned int previous)
{
	mux.view = VIEW_FOCUS;
	if (mux.focus.vm == FOCUS_SHELL) {
		log_info("console: input goes to the management shell (type help)");
		return;
	}
	if (vm_state(vm_get(mux.focus.vm)) != VM_RUNNING) {
		log_warn("console: vm %s is not running; input stays with %s%s",
			 vm_get(mux.focus.vm)->name, previous == FOCUS_SHELL ? "the shell" : "vm ",
			 previous == FOCUS_SHELL ? "" : vm_get(previous)->name);
		mux.focus.vm = previous;
		return;
	}
	log_info("console: input goes to vm %s", vm_get(mux.focus.vm)->name);
}

/*
 * Prefix c: the DCC console of the VM in focus gets the input (and the screen,
 * full screen), and back to its UART's. In plain mode its output is already
 * there, as NAME/dcc| lines.
 */
static void dcc_toggle(const struct vm *vm)
{
	if (!vm) {
		log_warn("console: %s c gives the input to the DCC console of the VM in focus; "
			 "the shell has it now",
			 prefix_name());
	} else if (mux.view == VIEW_DCC) {
		mux.view = VIEW_FOCUS;
		log_info("console: input goes to vm %s", vm->name);
	} else {
		mux.view = VIEW_DCC;
		log_info("console: input goes to vm %s's DCC console (%s c: back to its UART)",
			 vm->name, prefix_name());
	}
}

/* The prefix then a letter: views, redraw, and the guest tools' power requests. */
static void command(struct vm *vm, char c)
{
	const char *request = c == 'h' ? "OS_Halt" : c == 'r' ? "OS_Reboot" : 0;

	if (c == 's' || c == '?') {
		mux.view = mux.full_screen ? VIEW_STATUS : VIEW_FOCUS;
		if (!mux.full_screen)
			log_warn("console: the status view needs the full screen (%s d finds the "
				 "terminal)",
				 prefix_name());
	} else if (c == 'l') {
		mux.view = VIEW_LOG;
	} else if (c == 'c') {
		dcc_toggle(vm);
	} else if (c == 'd') {
		/* The terminal may have changed (or come): ask again, redraw it all. */
		detect(mux.full_screen ? MODE_SCREEN : MODE_AUTO);
	} else if (!request) {
		log_warn("console: %s %c is no command (0-8 console, c DCC console, s status, "
			 "l log, d redraw, h halt, r reboot the VM in focus)",
			 prefix_name(), c);
	} else if (!vm) {
		log_warn("console: %s %c: the shell has the input, not a VM", prefix_name(), c);
	} else if (backdoor_host_request(vm, request)) {
		log_info("console: asked vm %s's guest tools for %s", vm->name, request);
	} else {
		log_warn("console: vm %s has no guest tools listening (TCLO): %s not sent",
			 vm->name, request);
	}
}

static void deliver(struct vm *vm, char c)
{
	if (mux.view == VIEW_LOG || mux.view == VIEW_STATUS) {
		mux.view = VIEW_FOCUS; /* any key leaves the log and status views */
		return;
	}
	if (mux.focus.vm == FOCUS_SHELL) {
		if (!mux.key_at)
			mux.key_at = arch_counter();
		mgmt_shell_input(c);
	} else if (vm && mux.view == VIEW_DCC) {
		vdcc_receive(&vm->dcc, c); /* a full ring drops it: the guest may never read */
	} else if (vm) {
		vpl011_receive(&vm->uart, c);
	}
}

static void input(void)
{
	for (;;) {
		bool to_shell = mux.focus.vm == FOCUS_SHELL;
		struct vm *vm = to_shell ? 0 : input_target();
		unsigned int previous = mux.focus.vm;
		int c;

		/*
		 * Take only what the receive FIFO can hold: the rest waits in the host UART
		 * (and whatever feeds it), as on a real serial line with flow control.
		 */
		if (vm && mux.view == VIEW_FOCUS && !vpl011_rx_room(&vm->uart))
			break;
		c = uart_getc();
		if (c < 0)
			break;
		switch (focus_feed(&mux.focus, c, vm_count())) {
		case FOCUS_DELIVER:
			deliver(vm, (char)c);
			break;
		case FOCUS_SWITCHED:
			input_switched(previous);
			break;
		case FOCUS_REJECTED:
			log_warn("console: %s %c names no VM (there are %u: %s 1-%u)",
				 prefix_name(), c >= ' ' && c < 0x7f ? c : '?', vm_count(),
				 prefix_name(), vm_count());
			break;
		case FOCUS_COMMAND:
			command(vm, (char)c);
			break;
		case FOCUS_CONSUMED: /* part of a hot-key */
		default:
			break;
		}
	}
}

/* Draws a console's scrollback into the rows above the status line (and the prompt). */
static void draw_console(struct conbuf *cb, unsigned int nrows)
{
	size_t n = conbuf_tail(cb, tail, (size_t)nrows * mux.screen.cols);
	unsigned int row, col;

	textview_draw(&mux.screen, tail, n, 0, nrows, &row, &col);
	screen_cursor(&mux.screen, row, col);
}

static void draw_shell(unsigned int rows)
{
	const struct shell *sh = mgmt_shell();
	static const char prompt[] = "skiff> ";
	unsigned int width = mux.screen.cols - (sizeof(prompt) - 1) - 1;
	unsigned int first = sh->cursor > width ? sh->cursor - width : 0;

	draw_console(&mux.shell, rows - 2);
	screen_fill(&mux.screen, rows - 2, 0, mux.screen.cols, ' ', ATTR_NORMAL);
	screen_text(&mux.screen, rows - 2, 0, prompt, sizeof(prompt) - 1, ATTR_BOLD);
	screen_text(&mux.screen, rows - 2, sizeof(prompt) - 1, sh->line + first, sh->len - first,
		    ATTR_NORMAL);
	screen_cursor(&mux.screen, rows - 2,
		      (unsigned int)(sizeof(prompt) - 1) + sh->cursor - first);
}

static struct conbuf *focused_console(void)
{
	if (mux.view == VIEW_LOG)
		return &mux.log;
	if (mux.focus.vm == FOCUS_SHELL || mux.focus.vm >= vm_count())
		return &mux.shell;
	if (mux.view == VIEW_DCC)
		return &vm_get(mux.focus.vm)->dcc_console;
	return &vm_get(mux.focus.vm)->console;
}

static const char *view_name(void)
{
	static const char *const names[] = {
		[VIEW_FOCUS] = 0, [VIEW_DCC] = "dcc", [VIEW_LOG] = "log", [VIEW_STATUS] = "status"
	};

	return names[mux.view];
}

static void draw(void)
{
	unsigned int rows = mux.screen.rows;
	struct status_line_info info = {
		.focus = mux.focus.vm,
		.view = view_name(),
		.prefix = prefix_name(),
	};

	if (mux.view == VIEW_STATUS)
		status_view_draw(&mux.screen, rows - 1, prefix_name());
	else if (mux.view == VIEW_FOCUS && mux.focus.vm == FOCUS_SHELL)
		draw_shell(rows);
	else
		draw_console(focused_console(), rows - 1);
	struct uart_stats before, after;

	status_line_draw(&mux.screen, rows - 1, &info);
	uart_get_stats(&before);
	mux.stats.last_frame = screen_flush(&mux.screen);
	uart_get_stats(&after);
	mux.stats.frames++;
	if (mux.stats.last_frame > mux.stats.largest_frame)
		mux.stats.largest_frame = mux.stats.last_frame;
	if (mux.key_at) {
		mux.stats.last_echo_ticks = arch_counter() - mux.key_at;
		mux.key_at = 0;
	}
	/* Part of the frame was dropped: the terminal shows what nobody knows; redraw it. */
	if (after.tx_dropped != before.tx_dropped)
		screen_invalidate(&mux.screen);
}

/* A digest of what the screen shows but the console's output: a change redraws at once. */
static uint64_t state_digest(void)
{
	uint64_t d = (uint64_t)mux.view << 56 ^ (uint64_t)mux.focus.vm << 48;

	d ^= (uint64_t)mgmt_shell()->version << 24;
	for (unsigned int i = 0; i < vm_count(); i++)
		d ^= (uint64_t)vm_state(vm_get(i)) << (3 * i);
	return d;
}

static void redraw_if_due(void)
{
	uint64_t now = arch_counter(), state = state_digest();
	uint64_t output = conbuf_version(focused_console());
	uint64_t since = (now - mux.drawn_at) / mux.ms_ticks;
	bool due;

	if (state != mux.drawn_state)
		due = true; /* a key, a switch, a VM's state: at once */
	else if (mux.view == VIEW_STATUS)
		due = since >= STATUS_REDRAW_MS;
	else /* output alone waits a little, so a flood is drawn in frames */
		due = output != mux.drawn_output && since >= OUTPUT_REDRAW_MS;
	/* A frame waits for the line to take the last one (a slow serial line). */
	if (!due || uart_tx_room() < UART_ROOM_FOR_A_FRAME)
		return;
	mux.drawn_state = state;
	mux.drawn_output = output;
	mux.drawn_at = now;
	draw();
}

void console_poll(void)
{
	/*
	 * One CPU at a time; a CPU that finds another at it leaves the work to it,
	 * which looks again after letting go (a key is never left for the next slice).
	 */
	__atomic_store_n(&mux.poll_wanted, true, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&mux.poll_wanted, __ATOMIC_SEQ_CST) &&
	       spin_trylock(&mux.poll_lock)) {
		__atomic_store_n(&mux.poll_wanted, false, __ATOMIC_SEQ_CST);
		input();
		if (mux.full_screen && !panic_in_progress())
			redraw_if_due();
		spin_unlock(&mux.poll_lock);
	}
}
