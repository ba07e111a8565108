// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "console/shell.h"
#include "platform/uart.h"
#include "console/mux.h"
#include "console/shell_cmds.h"
#include "console/shell_link.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "enclave/agent_host.h"
#include "enclave/measure.h"
#include "hypercall/backdoor.h"
#include "lib/format.h"
#include "migrate/link.h"
#include "migrate/migrate.h"

static struct vm *find_vm(struct shell *sh, int argc, char **argv)
{
	if (argc < 1) {
		shell_printf(sh, "which VM? (vm list shows their names)");
		return 0;
	}
	/* A VM that moved away and came back again is the one that runs here. */
	for (unsigned int i = 0; i < vm_count(); i++)
		if (!strcmp(vm_get(i)->name, argv[0]) && vm_state(vm_get(i)) != VM_MIGRATED)
			return vm_get(i);
	for (unsigned int i = 0; i < vm_count(); i++)
		if (!strcmp(vm_get(i)->name, argv[0]))
			return vm_get(i);
	shell_printf(sh, "no VM is called \"%s\" (vm list shows their names)", argv[0]);
	return 0;
}

static bool running(struct shell *sh, const struct vm *vm)
{
	if (vm_state(vm) == VM_RUNNING)
		return true;
	shell_printf(sh, "vm %s is %s", vm->name, vm_state_name(vm_state(vm)));
	return false;
}

/*
 * The shape of every command on one VM: its first argument names the VM, which
 * must exist (and, for @must_run, be running); @act gets the VM and the
 * arguments after its name.
 */
typedef void (*vm_act_fn)(struct shell *sh, struct vm *vm, int argc, char **argv);

static void on_vm(struct shell *sh, int argc, char **argv, bool must_run, vm_act_fn act)
{
	struct vm *vm = find_vm(sh, argc, argv);

	if (!vm || (must_run && !running(sh, vm)))
		return;
	act(sh, vm, argc - 1, argv + 1);
}

/* The longest state vm_list() shows: "committed away". */
#define STATE_WIDTH 14

static void vm_list(struct shell *sh, int argc, char **argv)
{
	int name_width = 4; /* "NAME" */
	char line[160];

	(void)argc;
	(void)argv;
	for (unsigned int i = 0; i < vm_count(); i++) {
		int n = (int)strlen(vm_get(i)->name);

		if (n > name_width)
			name_width = n;
	}
	shell_printf(sh, "%-*s %-*s %5s %9s %12s", name_width, "NAME", STATE_WIDTH, "STATE",
		     "VCPUS", "MEMORY", "COUNTER HZ");
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);

		shell_printf(sh, "%-*s %-*s %5u %6lu MiB %12lu", name_width, vm->name, STATE_WIDTH,
			     migrate_is_leaving(vm) ? "migrating" : vm_state_name(vm_state(vm)),
			     vm->config->vcpus, (unsigned long)(vm->config->memory_size >> 20),
			     (unsigned long)vtimer_scale(&vm->counter)->guest_hz);
	}
	migrate_status(line, sizeof(line));
	if (line[0])
		shell_printf(sh, "%s", line);
}

static void show_enclave(struct shell *sh, const struct vm *vm)
{
	char hex[2 * TOKEN_MEASUREMENT_LEN + 1];

	format_hex(hex, sizeof(hex), vm->measurement, sizeof(vm->measurement));
	shell_printf(sh, "  enclave: measurement %s", hex);
	if (vm->config->policy) {
		format_hex(hex, sizeof(hex), vm->config->policy_owner,
			   sizeof(vm->config->policy_owner));
		shell_printf(sh, "  enclave: migration policy signed by owner key %s", hex);
	} else {
		shell_printf(sh, "  enclave: no migration policy: it never migrates");
	}
	if (vm->generation) {
		format_hex(hex, sizeof(hex), vm->instance, sizeof(vm->instance));
		shell_printf(sh, "  enclave: instance %s, generation %lu (moves so far)", hex,
			     (unsigned long)vm->generation);
	}
	shell_printf(sh,
		     "  enclave: CPU profile %s, %lu attestation tokens, RAM zeroed %lu "
		     "time(s); memory closed to the shell",
		     vm->cpu_profile.name, (unsigned long)vm->tokens, (unsigned long)vm->scrubs);
}

/*
 * What the guest put into Skiff (guestinfo it set, text its tools sent) is an
 * enclave's own: the shell never shows it. False, with the reason said, then.
 */
static bool open_to_shell(struct shell *sh, const struct vm *vm, const char *what)
{
	if (!vm->enclave)
		return true;
	shell_printf(sh, "vm %s is an enclave: %s is not shown (docs/enclaves.md)", vm->name, what);
	return false;
}

static void show_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	uint64_t traps = 0;

	(void)argc;
	(void)argv;
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		traps += vm->vcpus[i].ptimer.traps + vm->vcpus[i].vptimer.traps;
	traps += vm->memtimer.traps;
	shell_printf(sh, "vm %s: %s, %u vCPU(s), %lu MiB RAM, %lu exits", vm->name,
		     vm_state_name(vm_state(vm)), vm->config->vcpus,
		     (unsigned long)(vm->config->memory_size >> 20), (unsigned long)vm_exits(vm));
	shell_printf(
		sh,
		"  counter: guest %lu Hz, host %lu Hz, %s, %lu counter/timer traps, adjusted %lu "
		"time(s)",
		(unsigned long)vtimer_scale(&vm->counter)->guest_hz,
		(unsigned long)vtimer_scale(&vm->counter)->host_hz,
		!vm->counter.scaled ? "the host's"
		: vm->memtimer.present
			? "scaled (physical counter and timer emulated; a memory-mapped timer)"
			: "scaled (physical counter and timer emulated)",
		(unsigned long)traps, (unsigned long)vm->counter.adjustments);
	if (vm->cpu.trapped)
		shell_printf(sh,
			     "  cpu: profile %s, MIDR 0x%lx, ID and cache registers emulated%s%s%s",
			     vm->cpu_profile.name, (unsigned long)vm->cpu.midr,
			     vm->cpu.no_sve ? ", SVE trapped" : "",
			     vm->cpu.no_pauth ? ", PAuth trapped" : "",
			     vm->cpu.no_dc_zva ? ", DC ZVA trapped" : "");
	else
		shell_printf(sh, "  cpu: profile host (the CPU's own ID registers)");
	shell_printf(sh, "  console: %lu bytes written, %lu scrolled out of its %u KiB scrollback",
		     (unsigned long)vm->console.total, (unsigned long)conbuf_lost(&vm->console),
		     VM_CONSOLE_RING / 1024);
	shell_printf(sh, "  DCC console: %lu bytes written, %lu scrolled out of %u KiB",
		     (unsigned long)vm->dcc_console.total,
		     (unsigned long)conbuf_lost(&vm->dcc_console), VM_DCC_RING / 1024);
	shell_printf(sh, "  DCC input: %lu bytes typed, %lu dropped (the guest did not read them)",
		     (unsigned long)__atomic_load_n(&vm->dcc.rx_typed, __ATOMIC_RELAXED),
		     (unsigned long)__atomic_load_n(&vm->dcc.rx_dropped, __ATOMIC_RELAXED));
	shell_printf(sh, "  stage 2: %lu faults, %lu pages cache-maintained, %s",
		     (unsigned long)vm->s2stats.faults, (unsigned long)vm->s2stats.maintained,
		     vm->guest_maintains_code ? "code maintained by the guest after its first fetch"
					      : "W^X (Skiff keeps code coherent)");
	shell_printf(sh, "  backdoor: %s, %lu calls, %lu refused, guest tools %s",
		     vm->backdoor.enabled ? "on" : "off", (unsigned long)vm_backdoor_calls(vm),
		     (unsigned long)vm->backdoor.stats.errors,
		     vm->tclo.listening ? "listening" : "not listening");
	if (vm->tclo.polls)
		shell_printf(sh,
			     "  guest tools: %lu heartbeats (TCLO polls), the last %lu ms ago, "
			     "%lu guest info reports",
			     (unsigned long)vm->tclo.polls,
			     (unsigned long)((arch_counter() - vm->tclo.last_poll) * 1000 /
					     arch_counter_freq()),
			     (unsigned long)vm->rpci.guest_info_updates);
	if (vm->enclave)
		show_enclave(sh, vm);
}

static void vm_info(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, show_vm);
}

static void stop_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	enum vm_state state = vm_state(vm);

	(void)argc;
	(void)argv;
	/* Held after arriving, or committed away: stopped, they are discarded. */
	if (state != VM_RUNNING && state != VM_HELD && state != VM_COMMITTED) {
		shell_printf(sh, "vm %s is %s", vm->name, vm_state_name(state));
		return;
	}
	vm_power_off(vm);
	shell_printf(sh, "vm %s stopped", vm->name);
}

static void vm_stop(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, stop_vm);
}

static void migrate_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	bool catch_up = argc >= 1 && !strcmp(argv[0], "catch-up");
	char err[200];

	if (argc > 1 || (argc == 1 && !catch_up && strcmp(argv[0], "pause"))) {
		shell_printf(sh, "vm migrate NAME [pause|catch-up]: \"%s\" is neither", argv[0]);
		return;
	}
	/* An enclave moves through the agents' sealed channel, after their handshake. */
	if (vm->enclave ? agent_host_migrate(vm, catch_up, err, sizeof(err))
			: link_migrate(vm, catch_up, err, sizeof(err)))
		shell_printf(sh, "vm migrate: %s", err);
	else
		shell_printf(sh, "vm %s: migration under way; progress in the log", vm->name);
}

static void vm_migrate(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, true, migrate_vm);
}

static void start_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (vm_state(vm) == VM_RUNNING)
		shell_printf(sh, "vm %s is running already (vm reset restarts it)", vm->name);
	else if (vm_state(vm) == VM_COMMITTED)
		shell_printf(sh,
			     "vm %s is committed away: it may run on the host it moved to, so it "
			     "never runs here again (vm stop discards it)",
			     vm->name);
	else if (vm_start_held(vm))
		shell_printf(sh, "vm %s: held since it arrived, running now", vm->name);
	else if (!vm_request_reset(vm))
		shell_printf(sh,
			     "vm %s cannot start: it failed to build (the log says why), moved "
			     "away, or came from another host with no images to load",
			     vm->name);
	else
		shell_printf(sh, "vm %s starting", vm->name);
}

static void vm_start(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, start_vm);
}

static void reset_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vm_request_reset(vm);
	shell_printf(sh, "vm %s resetting", vm->name);
}

static void vm_reset_cmd(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, true, reset_vm);
}

static void attach_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (vm_state(vm) != VM_RUNNING) {
		/* Nothing to attach to, but its last words may say why it stopped. */
		mux_replay(sh, vm, 20);
		shell_printf(sh, "vm %s is %s: its last lines are above", vm->name,
			     vm_state_name(vm_state(vm)));
		return;
	}
	/* A plain line has no screen to redraw: its last lines again, then the input. */
	if (!mux_full_screen())
		mux_replay(sh, vm, 20);
	mux_attach(vm);
}

static void vm_console(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, attach_vm);
}

static void log_cmd(struct shell *sh, int argc, char **argv)
{
	unsigned long lines = 20;
	char *end = 0;

	if (argc == 1)
		lines = strtoul(argv[0], &end, 10);
	if (argc > 1 || (argc == 1 && (*end || !lines || lines > 1000))) {
		shell_printf(sh, "usage: log [LINES] (1-1000 lines, 20 if absent)");
		return;
	}
	mux_replay_log(sh, (unsigned int)lines);
}

/* Graceful power operations through the guest's tools (TCLO). */
static void tools_request(struct shell *sh, struct vm *vm, const char *request)
{
	if (backdoor_host_request(vm, request))
		shell_printf(sh, "asked vm %s's guest tools for %s", vm->name, request);
	else
		shell_printf(sh, "vm %s has no guest tools listening: use vm stop", vm->name);
}

static void halt_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tools_request(sh, vm, "OS_Halt");
}

static void vm_halt(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, true, halt_vm);
}

static void reboot_vm(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tools_request(sh, vm, "OS_Reboot");
}

static void vm_reboot(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, true, reboot_vm);
}

static void get_guestinfo(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	char shown[GUESTINFO_VALUE_MAX * 4 + 1]; /* the guest's text, escaped */
	const char *v;

	if (argc != 1) {
		shell_printf(sh, "usage: guestinfo get VM KEY");
		return;
	}
	if (!open_to_shell(sh, vm, "its guestinfo (the guest may have set it)"))
		return;
	spin_lock(&vm->backdoor.lock);
	v = guestinfo_get(&vm->rpci.info, argv[0]);
	if (v)
		format_escaped(shown, sizeof(shown), v, strlen(v));
	spin_unlock(&vm->backdoor.lock);
	if (v)
		shell_printf(sh, "guestinfo.%s = \"%s\"", argv[0], shown);
	else
		shell_printf(sh, "vm %s has no guestinfo.%s", vm->name, argv[0]);
}

static void guestinfo_get_cmd(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, get_guestinfo);
}

static void set_guestinfo(struct shell *sh, struct vm *vm, int argc, char **argv)
{
	char value[GUESTINFO_VALUE_MAX];
	size_t len = 0;
	int r;

	if (argc < 2) {
		shell_printf(sh, "usage: guestinfo set VM KEY VALUE...");
		return;
	}
	/* The value is the rest of the line: its words joined by single spaces. */
	for (int i = 1; i < argc; i++)
		len += (size_t)format(value + len, sizeof(value) - len, "%s%s", i > 1 ? " " : "",
				      argv[i]);
	if (len >= sizeof(value)) {
		shell_printf(sh, "the value is longer than %u bytes", GUESTINFO_VALUE_MAX - 1);
		return;
	}
	spin_lock(&vm->backdoor.lock);
	r = guestinfo_set(&vm->rpci.info, argv[0], value, len);
	spin_unlock(&vm->backdoor.lock);
	if (r)
		shell_printf(sh, "not set: a key is 1-%u bytes, a VM has at most %u keys",
			     GUESTINFO_KEY_MAX - 1, GUESTINFO_MAX);
	else
		shell_printf(sh, "vm %s: guestinfo.%s = \"%s\"", vm->name, argv[0], value);
}

static void guestinfo_set_cmd(struct shell *sh, int argc, char **argv)
{
	on_vm(sh, argc, argv, false, set_guestinfo);
}

static void time_cmd(struct shell *sh, int argc, char **argv)
{
	uint64_t secs;
	uint32_t usecs;

	(void)argc;
	(void)argv;
	wallclock_now(&secs, &usecs);
	shell_printf(sh, "wall clock %lu.%06u s since the epoch; counter %lu at %lu Hz",
		     (unsigned long)secs, usecs, (unsigned long)arch_counter(),
		     (unsigned long)arch_counter_freq());
}

static void stats_cmd(struct shell *sh, int argc, char **argv)
{
	struct uart_stats u;
	struct mux_stats m;

	(void)argc;
	(void)argv;
	uart_get_stats(&u);
	mux_get_stats(&m);
	if (mux_full_screen())
		shell_printf(sh,
			     "screen: %lu frames, the last %lu bytes, the largest %lu; a key to "
			     "its echo %lu counter ticks at %lu Hz",
			     (unsigned long)m.frames, (unsigned long)m.last_frame,
			     (unsigned long)m.largest_frame, (unsigned long)m.last_echo_ticks,
			     (unsigned long)arch_counter_freq());
	shell_printf(sh,
		     "serial line: %lu bytes queued, %lu dropped (ring full), %lu received bytes "
		     "dropped, %lu interrupts",
		     (unsigned long)u.tx_bytes, (unsigned long)u.tx_dropped,
		     (unsigned long)u.rx_dropped, (unsigned long)u.irqs);
	for (unsigned int i = 0; i < vm_count(); i++) {
		const struct vm *vm = vm_get(i);

		shell_printf(sh, "vm %s: %lu exits, %lu stage-2 faults, %lu backdoor calls",
			     vm->name, (unsigned long)vm_exits(vm),
			     (unsigned long)vm->s2stats.faults,
			     (unsigned long)vm_backdoor_calls(vm));
	}
}

static const struct shell_cmd commands[] = {
	{ "vm list", "", "the VMs, their state, vCPUs, memory and counter frequency", vm_list },
	{ "vm info", "NAME",
	  "one VM in detail: exits, counter, CPU profile, stage 2, backdoor, enclave", vm_info },
	{ "vm start", "NAME", "start a stopped VM afresh (its images loaded again)", vm_start },
	{ "vm stop", "NAME", "power the VM off now", vm_stop },
	{ "vm migrate", "NAME [pause|catch-up]",
	  "move the running VM to the host at the other end of the link; its clock pauses for "
	  "the blackout, or catches up",
	  vm_migrate },
	{ "vm reset", "NAME", "reset a running VM now (like its reset button)", vm_reset_cmd },
	{ "vm console", "NAME",
	  "give the console's input (and screen) to the VM; a stopped one's last lines",
	  vm_console },
	{ "log", "[LINES]", "the last lines of Skiff's log", log_cmd },
	{ "vm halt", "NAME", "ask the VM's guest tools to shut down (OS_Halt)", vm_halt },
	{ "vm reboot", "NAME", "ask the VM's guest tools to reboot (OS_Reboot)", vm_reboot },
	{ "guestinfo get", "VM KEY", "read guestinfo.KEY of a VM", guestinfo_get_cmd },
	{ "guestinfo set", "VM KEY VALUE",
	  "set guestinfo.KEY (the guest reads it with "
	  "vmware-rpctool)",
	  guestinfo_set_cmd },
	{ "time", "", "Skiff's wall clock and counter", time_cmd },
	{ "stats", "", "the serial line's counters; exits, stage-2 faults, backdoor calls per VM",
	  stats_cmd },
	{ "link status", "", "the host link: its device, session, counters", shell_link_status },
	{ "link open", "", "offer a session to the host at the other end of the link",
	  shell_link_open },
	{ "link ping", "[COUNT [SIZE]]",
	  "ping the other host (a session is offered if none is open); answers in the log",
	  shell_link_ping },
	{ "link close", "", "end the link's session, telling the other host", shell_link_close },
	{ "link handshake", "VM",
	  "run the enclave agents' handshake for VM with the other host (docs/enclaves.md)",
	  shell_link_handshake },
};

static struct shell sh;

const struct shell *mgmt_shell(void)
{
	if (!sh.cmds)
		shell_init(&sh, commands, sizeof(commands) / sizeof(commands[0]), mux_shell_write);
	return &sh;
}

void mgmt_shell_input(char c)
{
	mgmt_shell();
	shell_input(&sh, c);
}
