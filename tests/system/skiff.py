"""Helpers for system tests: build a VM configuration, boot Skiff in QEMU, parse output."""

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field

import pexpect

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, "build")
GUEST_DIR = os.path.join(BUILD, "guest")
SKIFF_BIN = os.path.join(BUILD, "skiff.bin")
# The test variant whose stage-1 walks (AT) take an exception at EL2 every other time.
SKIFF_AT_FAULTS_BIN = os.path.join(BUILD, "variants", "skiff-at-faults.bin")
# The test variant that calls the firmware's branch-predictor workaround at each guest exit.
SKIFF_HARDEN_BIN = os.path.join(BUILD, "variants", "skiff-harden.bin")

CPUS = ["max", "cortex-a57", "cortex-a72"]
GICS = [3, 2]

POWER_OFF_LINE = "all VMs have stopped: powering off"


@dataclass
class Vm:
    name: str
    guest: str  # test guest name, build/guest/<guest>.bin
    memory: int = 4 << 20
    cpu: int | None = None
    vcpus: int = 1
    extra: str = ""  # raw DTS properties

    def dts(self) -> str:
        props = [f"memory-size = /bits/ 64 <{self.memory:#x}>;", f"vcpus = <{self.vcpus}>;"]
        if self.cpu is not None:
            props.append(f"cpu = <{self.cpu}>;")
        if self.guest:
            props.append(f'kernel = /incbin/("{self.guest}.bin");')
        if self.extra:
            props.append(self.extra)
        body = "\n".join("\t\t\t" + p for p in props)
        return f"\t\t{self.name} {{\n{body}\n\t\t}};\n"


def config_dts(vms, when_idle="poweroff", root="") -> str:
    """A configuration of @vms; @root: more properties of the root node (raw DTS)."""
    nodes = "".join(vm.dts() for vm in vms)
    extra = f"\t{root}\n" if root else ""
    return (
        "/dts-v1/;\n/ {\n\tcompatible = \"skiff,config\";\n"
        f"\twhen-idle = \"{when_idle}\";\n{extra}\tvms {{\n{nodes}\t}};\n}};\n"
    )


def compile_config(dts: str, directory: str) -> str:
    src = os.path.join(directory, "vms.dts")
    out = os.path.join(directory, "vms.dtb")
    with open(src, "w") as f:
        f.write(dts)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-i", GUEST_DIR, "-o", out, src],
                   check=True)
    return out


@dataclass
class Run:
    output: str
    exited: bool  # QEMU exited by itself (host powered off) before the timeout
    lines: list = field(default_factory=list)

    def vm_lines(self, vm: str) -> list:
        prefix = f"{vm}| "
        return [l[len(prefix):] for l in self.lines if l.startswith(prefix)]

    def tap(self, vm: str):
        """Returns (plan, [(ok, number, description)]) of the VM's TAP output."""
        plan = None
        results = []
        for line in self.vm_lines(vm):
            m = re.match(r"^(not ok|ok) (\d+)(?: - (.*))?$", line)
            if m:
                results.append((m.group(1) == "ok", int(m.group(2)), m.group(3) or ""))
                continue
            m = re.match(r"^1\.\.(\d+)$", line)
            if m:
                plan = int(m.group(1))
        return plan, results


# A newer QEMU whose -cpu max has FEAT_ECV (scripts/qemu-ecv.sh), unpacked, not installed:
# it must not load the system QEMU's display and audio modules.
QEMU_ECV = os.path.join(BUILD, "qemu-ecv", "usr", "bin", "qemu-system-aarch64")
QEMU_ECV_OPTS = ["-display", "none", "-audio", "none"]


# The host link (docs/migration.md): a virtio-net-device whose frames go to a Unix socket
# QEMU listens on (-netdev stream), behind a modern (version 2) virtio-mmio transport.
# scripts/qemu.sh gives the same arguments with LINK=PATH LINK_MAC=MAC (test_link checks).
LINK_MTU = 65535
LINK_MACS = ("52:54:00:5b:00:01", "52:54:00:5b:00:02")


def link_args(path: str, mac: str = LINK_MACS[0]):
    return ["-global", "virtio-mmio.force-legacy=false",
            "-netdev", f"stream,id=link,server=on,addr.type=unix,addr.path={path}",
            "-device", f"virtio-net-device,netdev=link,mac={mac},host_mtu={LINK_MTU}"]


def qemu_command(config: str, cpu="max", gic=3, smp=2, mem="1G", virtualization=True,
                 extra=(), ecv=False, monitor=None, link=None, link_mac=LINK_MACS[0],
                 skiff=SKIFF_BIN):
    """QEMU running Skiff (@skiff: a build of it) with the VM configuration @config; with
    @monitor, a path, QEMU's monitor listens on that Unix socket (see monitor()); with
    @link, a path, the host link's device is there (link_args())."""
    machine = f"virt,gic-version={gic}" + (",virtualization=on" if virtualization else "")
    qemu = [QEMU_ECV, *QEMU_ECV_OPTS] if ecv else ["qemu-system-aarch64"]
    if link:
        extra = [*link_args(link, link_mac), *extra]
    if monitor:
        # The serial line alone on stdio, where Ctrl-\ must not be a SIGQUIT.
        extra = ["-monitor", f"unix:{monitor},server=on,wait=off", "-chardev",
                 "stdio,id=console,signal=off", "-serial", "chardev:console", *extra]
    # Under -icount the RTC follows the virtual clock too, as scripts/qemu.sh gives it.
    rtc = ["-rtc", "clock=vm"] if "-icount" in extra and "-rtc" not in extra else []
    return [*qemu, "-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", mem,
            "-nographic", "-no-reboot", "-kernel", skiff, "-initrd", config, *extra, *rtc]


def kill_session(child):
    """Ends pexpect child @child (`timeout` running QEMU) and everything it started: QEMU
    is in its process group, and killing `timeout` alone would leave QEMU running."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    child.close(force=True)


@contextlib.contextmanager
def qemu_session(cmd, limit=300, timeout=240):
    """Runs QEMU command @cmd for a test to drive: a pexpect child (text, expect timeout
    @timeout s) killed when the block ends; `timeout` kills it after @limit s should this
    process die first."""
    child = pexpect.spawn("timeout", ["-k", "5", str(limit), *cmd], encoding="utf-8",
                          codec_errors="replace", timeout=timeout)
    try:
        yield child
    finally:
        kill_session(child)


def monitor(path: str, command: str, timeout=10):
    """Runs one command in QEMU's human monitor on the Unix socket @path; returns what it
    printed once its prompt came back (the command done: savevm and loadvm take seconds)."""
    def until_prompt(s):
        text = b""
        while not text.endswith(b"(qemu) "):
            more = s.recv(4096)
            assert more, f"QEMU's monitor closed: {text!r}"
            text += more
        return text.decode(errors="replace")

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        until_prompt(s)  # the banner
        s.sendall(command.encode() + b"\n")
        return until_prompt(s)


def boot(vms=None, dts=None, cpu="max", gic=3, smp=2, timeout=60, until=POWER_OFF_LINE,
         keys=(), **kw) -> Run:
    """Boots Skiff with the given VMs; returns when QEMU exits, when `until` (a string or a
    list of strings, all of which must appear) has been seen, or at the timeout. @keys:
    (text, keys) pairs played in order first: when the text appears, the keys are typed."""
    with tempfile.TemporaryDirectory() as tmp:
        config = compile_config(dts if dts is not None else config_dts(vms), tmp)
        cmd = qemu_command(config, cpu=cpu, gic=gic, smp=smp, **kw)
        log = io.StringIO()
        # `timeout` is a second line of defence should this process die first.
        child = pexpect.spawn("timeout", ["-k", "5", str(timeout + 10), *cmd],
                              encoding="utf-8", codec_errors="replace", timeout=timeout)
        child.logfile_read = log
        exited = False
        waiting = [until] if isinstance(until, str) else list(until or [])
        # A panic ends the run at once (unless a test waits for the panic report).
        stop = [] if any("CPUs stopped" in w for w in waiting) else ["skiff: all CPUs stopped"]
        played = True
        try:
            for text, typed in keys:
                played = child.expect([pexpect.EOF, pexpect.TIMEOUT, re.escape(text)] +
                                      [re.escape(w) for w in stop]) == 2
                if not played:
                    break  # it never came: the output says what did
                child.send(typed)
            while played:
                idx = child.expect([pexpect.EOF, pexpect.TIMEOUT] +
                                   [re.escape(w) for w in stop + waiting])
                if idx < 2 + len(stop):
                    exited = idx == 0
                    break
                idx -= len(stop)
                del waiting[idx - 2]
                if not waiting:
                    if until == POWER_OFF_LINE:
                        # The host powers itself off right after this line: let QEMU exit.
                        exited = child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=10) == 0
                    break
        finally:
            kill_session(child)
        output = log.getvalue()
    # The UART driver sends CR LF and the pty adds a CR of its own.
    text = re.sub(r"\r+\n", "\n", output).replace("\r", "\n")
    return Run(output=text, exited=exited, lines=text.split("\n"))


def assert_tap_passed(run, vm):
    plan, results = run.tap(vm)
    assert results, f"{vm}: no TAP results in output:\n{run.output}"
    failed = [r for r in results if not r[0]]
    assert not failed, f"{vm}: failed TAP lines {failed}:\n{run.output}"
    assert plan == len(results), f"{vm}: plan {plan} but {len(results)} results"
    assert [r[1] for r in results] == list(range(1, len(results) + 1))


class Host:
    """One Skiff host of a linked pair, driven over its serial line (plain console)."""

    def __init__(self, name: str, child, monitor_path=None):
        self.name = name
        self.child = child
        self.in_shell = False
        self.monitor_path = monitor_path  # QEMU's monitor socket, when asked for

    def monitor(self, command, timeout=60):
        """Runs @command in this host's QEMU monitor (linked_hosts(monitors=True))."""
        return monitor(self.monitor_path, command, timeout)

    def expect(self, pattern, timeout=None):
        """Waits for the regular expression @pattern; fails on a panic or QEMU's exit."""
        idx = self.child.expect([pattern, r"skiff: all CPUs stopped", pexpect.EOF],
                                timeout=timeout if timeout is not None else -1)
        assert idx == 0, f"host {self.name}: {'panic' if idx == 1 else 'QEMU exited'} " \
                         f"while waiting for {pattern!r}:\n{self.child.before}"
        return self.child.match

    def shell(self, line, *want, timeout=None):
        """Types @line into the management shell and waits for each of @want in turn."""
        if not self.in_shell:
            self.child.send("\x1c0")
            self.expect(r"console: input goes to the management shell")
            self.in_shell = True
        self.child.send(line + "\r")
        self.expect(re.escape("shell| > " + line))
        return [self.expect(w, timeout) for w in want]


@contextlib.contextmanager
def linked_hosts(vms_a, vms_b, cpu=("max", "max"), smp=2, limit=600, timeout=60,
                 when_idle="poweroff", roots=("", ""), ecv=(False, False), extra=((), ()),
                 monitors=False):
    """Two Skiff hosts whose links meet in a relay (tests/system/relay.py): yields
    (host a, host b, relay) once both have booted; both QEMUs are killed at the end.
    @roots: more root properties of each host's configuration; @ecv: which host runs on
    the newer QEMU (FEAT_ECV on `max`, its counter at 1 GHz); @extra: more QEMU arguments
    of each host; @smp: a number, or one for each host; @monitors: each host's QEMU gets
    a monitor (Host.monitor()) and a qcow2 disk to keep snapshots on (savevm, loadvm)."""
    from relay import Relay

    with tempfile.TemporaryDirectory() as tmp:
        hosts = []
        with contextlib.ExitStack() as stack:
            for i, (name, vms) in enumerate((("a", vms_a), ("b", vms_b))):
                d = os.path.join(tmp, name)
                os.mkdir(d)
                dts = config_dts(vms, when_idle=when_idle, root=roots[i])
                mon, more = None, []
                if monitors:
                    mon, disk = os.path.join(d, "monitor.sock"), os.path.join(d, "snap.qcow2")
                    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"],
                                   check=True)
                    more = ["-drive", f"if=none,id=snapshots,format=qcow2,file={disk}"]
                cmd = qemu_command(compile_config(dts, d), cpu=cpu[i], ecv=ecv[i],
                                   smp=smp[i] if isinstance(smp, tuple) else smp,
                                   link=os.path.join(d, "link.sock"), link_mac=LINK_MACS[i],
                                   monitor=mon,
                                   extra=["-append", "skiff.console=plain", *more, *extra[i]])
                child = stack.enter_context(qemu_session(cmd, limit=limit, timeout=timeout))
                if os.environ.get("SKIFF_HOST_LOGS"):  # a directory: each host's output there
                    child.logfile_read = stack.enter_context(open(os.path.join(
                        os.environ["SKIFF_HOST_LOGS"], f"host-{name}.log"), "w"))
                hosts.append(Host(name, child, mon))
            for h in hosts:
                h.expect(r"link: virtio-net at 0x[0-9a-f]+, MAC")
                h.expect(r"0 to the management shell")
            relay = stack.enter_context(Relay(os.path.join(tmp, "a", "link.sock"),
                                              os.path.join(tmp, "b", "link.sock")))
            yield hosts[0], hosts[1], relay
