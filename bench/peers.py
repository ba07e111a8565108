#!/usr/bin/python3
"""Skiff beside its peers: the same guests under Xen 4.17 (dom0less), KVM/arm64 (kvmtool,
VHE and nVHE, the outer Linux itself under QEMU) and Skiff, on the same QEMU (-cpu max,
GICv3, one CPU, -icount shift=0,sleep=off), with bare QEMU as the floor.

Rows (bench/README.md#peers):
  peer_hvc_roundtrip, peer_gicd_typer_read, peer_vtimer_spin, peer_vtimer_wfi
      guest/tests/bench_peer.c, instructions per operation beyond its baseline loop
  peer_reset_to_guest
      QEMU's instruction count (QMP query-replay) when the guest's first instruction is
      about to run, QEMU stopped there by its gdb stub (a breakpoint at EL1)
  peer_linux_to_marker
      Debian's kernel and the busybox initramfs, whose /init runs bench-marker: virtual
      time from reset to its first instruction, the virtual counter it read plus the
      CNTVOFF_EL2 the hypervisor gave it (read through the gdb stub)
  peer_linux_wall_pauth
      the same guest in wall time (best of 3), with QEMU's cheap pointer authentication
      and without -icount: bare QEMU, Xen and Skiff (KVM's would include its outer Linux),
      each as it comes (Xen hides PAuth from its guests; Skiff keeps W^X)
  peer_linux_wall
      the same, like with like: no Linux uses PAuth (arm64.nopauth where it is shown),
      and Skiff leaves code coherence to the guest as Xen does (cache-maintenance = "guest")

`bench/peers.py [--profile] [SYSTEM...]` runs them alone; `bench/run.py peers` as part of
`make bench`. With --profile each row's instructions are also folded by function
(QEMU -singlestep -d exec, addresses mapped with each system's symbols) into
bench/profiles/.
"""

import gzip
import base64
import bisect
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))

from skiff import BUILD, SKIFF_BIN, TOP, Vm, compile_config, config_dts  # noqa: E402

PEERS = os.path.join(BUILD, "peers")
PROFILES = os.path.join(TOP, "bench", "profiles")
GUEST = os.path.join(BUILD, "guest")
IMAGES = os.path.join(BUILD, "images")
XEN = os.path.join(PEERS, "xen", "boot", "xen-4.17-arm64")
XEN_SYMS = os.path.join(PEERS, "xen", "usr", "lib", "debug", "boot", "xen-syms-4.17-arm64")
NM = "aarch64-linux-gnu-nm"
MACHINE = "virt,gic-version=3"
# The RTC on the virtual clock too: Skiff's host-clock watch compares the two (docs/time.md).
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm"]
# Xen's default timer_slop (50 us) lets a timer fire up to 50 us late: 0 for the
# latency rows. bootscrub=0: no scrubbing of free memory, at boot or later when idle.
XEN_ARGS = "console=dtuart dtuart=/pl011@9000000 bootscrub=0 timer_slop=0 guest_loglvl=all"
GUEST_ADDR = 0x50000000  # where QEMU's loader puts Xen's boot modules (above QEMU's DTB)
RAMDISK_ADDR = 0x58000000
LINUX_ARGS = "console=ttyAMA0 nokaslr"
# Skiff's console stays plain: its default (auto) first asks the terminal for its size and
# waits for an answer the serial file never gives, polling (some 300 M instructions).
SKIFF_QEMU = ["-kernel", SKIFF_BIN, "-append", "skiff.console=plain"]
MARKER = "SKIFF-GUEST-READY"
SYSTEMS = ["bare", "xen", "kvm_vhe", "kvm_nvhe", "skiff"]
TITLES = {"bare": "bare QEMU", "xen": "Xen 4.17", "kvm_vhe": "KVM VHE", "kvm_nvhe": "KVM nVHE",
          "skiff": "Skiff"}


def symbols(elf, offset=0):
    """Sorted (address, name) of @elf's text symbols, shifted by @offset."""
    out = subprocess.run([NM, "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16) + offset, parts[2]))
    return syms


class Symtab:
    """Maps addresses to function names, over several (name, symbols) tables."""

    def __init__(self, syms, limit=1 << 20):
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]
        self.limit = limit  # an address this far past the last symbol is not its

    def lookup(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0 or addr - self.addrs[i] > self.limit:
            return None
        return self.names[i]


# ----------------------------------------------------------------------------- gdb, QMP

class Gdb:
    """The few packets of QEMU's gdb stub the benchmark needs."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(300):
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"QEMU's gdb stub never listened on {path}")
        self.buf = b""

    def request(self, data, timeout=None):
        self.sock.settimeout(timeout)
        self.sock.sendall(b"$%s#%02x" % (data.encode(), sum(data.encode()) & 0xff))
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start)
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                reply = self.buf[start + 1:end].decode()
                self.buf = self.buf[end + 3:]
                self.sock.sendall(b"+")
                return reply
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("QEMU's gdb stub closed the connection")
            self.buf += chunk

    def registers(self):
        """(x0, pc, cpsr) of the stopped CPU."""
        regs = self.request("g")
        word = lambda i: int.from_bytes(bytes.fromhex(regs[i * 16:(i + 1) * 16]), "little")
        return word(0), word(32), int.from_bytes(bytes.fromhex(regs[33 * 16:33 * 16 + 8]),
                                                 "little")

    def xml(self, name):
        text, offset = "", 0
        while True:
            reply = self.request(f"qXfer:features:read:{name}:{offset:x},4000")
            text += reply[1:]
            offset += len(reply) - 1
            if reply[0] == "l":
                return text

    def sysreg_number(self, name):
        """The gdb register number QEMU gives system register @name."""
        for inc in re.findall(r'href="([^"]+)"', self.xml("target.xml")):
            m = re.search(r'<reg name="%s"[^>]*regnum="(\d+)"' % name, self.xml(inc))
            if m:
                return int(m.group(1))
        return None

    def read_reg(self, number):
        return int.from_bytes(bytes.fromhex(self.request(f"p{number:x}")), "little")

    def stop_at(self, addr, el_ok, timeout):
        """Runs until the CPU is about to execute @addr at an exception level el_ok()
        accepts (a breakpoint, stepped over where the level is another)."""
        self.request(f"Z1,{addr:x},4")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"never reached 0x{addr:x}")
            self.request("c", timeout=left)
            x0, pc, cpsr = self.registers()
            if pc == addr and el_ok((cpsr >> 2) & 3):
                self.request(f"z1,{addr:x},4")
                return x0
            self.request(f"z1,{addr:x},4")
            self.request("s")
            self.request(f"Z1,{addr:x},4")

    def detach(self):
        self.sock.sendall(b"$D#44")
        self.sock.close()


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.file = self.sock.makefile("rw")
        self.file.readline()
        self.execute("qmp_capabilities")

    def execute(self, command, **args):
        self.file.write(json.dumps({"execute": command, "arguments": args}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "return" in reply or "error" in reply:
                return reply.get("return", reply.get("error"))

    def close(self):
        self.sock.close()


# ----------------------------------------------------------------------------- systems

class System:
    """One way of running a guest: the QEMU command and where the guest is entered."""

    def __init__(self, name, cmd, entry, elf, prefix="", files=()):
        self.name, self.cmd, self.entry, self.elf, self.prefix = name, cmd, entry, elf, prefix
        self.files = files  # temporary files to keep alive


def host_dtb(tmp, modules):
    """QEMU virt's device tree with Xen's command line and one dom0less domain in /chosen.
    @modules: [(compatible, address, size, bootargs or None)], memory in KiB first."""
    raw = os.path.join(tmp, "virt.dtb")
    subprocess.run(["qemu-system-aarch64", "-M", f"{MACHINE},virtualization=on,dumpdtb={raw}",
                    "-cpu", "max", "-smp", "1", "-m", "1G", "-display", "none"],
                   capture_output=True, check=True)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", raw], capture_output=True,
                         text=True, check=True).stdout
    memory_kib, modules = modules[0], modules[1:]
    nodes = ""
    for compatible, addr, size, args in modules:
        nodes += (f"\t\t\tmodule@{addr:x} {{\n\t\t\t\tcompatible = \"multiboot,{compatible}\", "
                  f"\"multiboot,module\";\n\t\t\t\treg = <0 {addr:#x} 0 {size:#x}>;\n"
                  + (f"\t\t\t\tbootargs = \"{args}\";\n" if args is not None else "")
                  + "\t\t\t};\n")
    # The seeds QEMU makes up each run go: every run sees the same tree.
    dts += (f"/ {{\n\tchosen {{\n\t\t/delete-property/ rng-seed;\n"
            f"\t\t/delete-property/ kaslr-seed;\n\t\txen,xen-bootargs = \"{XEN_ARGS}\";\n"
            f"\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n"
            f"\t\tdomU1 {{\n\t\t\tcompatible = \"xen,domain\";\n"
            f"\t\t\t#address-cells = <2>;\n\t\t\t#size-cells = <2>;\n"
            f"\t\t\tmemory = <0 {memory_kib}>;\n\t\t\tcpus = <1>;\n\t\t\tvpl011;\n"
            f"{nodes}\t\t}};\n\t}};\n}};\n")
    src, out = os.path.join(tmp, "host.dts"), os.path.join(tmp, "host.dtb")
    with open(src, "w") as f:
        f.write(dts)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, src], check=True)
    return out


def qemu(virtualization=True):
    machine = MACHINE + (",virtualization=on" if virtualization else "")
    return ["qemu-system-aarch64", "-M", machine, "-cpu", "max", "-smp", "1", "-m", "1G"]


def bench_guest_system(name, tmp, args=""):
    """@name running guest/tests/bench_peer.c with bootargs @args."""
    peer = os.path.join(GUEST, "bench_peer.bin")
    if name == "bare":
        path = os.path.join(GUEST, "at-0x40200000", "bench_peer")
        # QEMU puts an arm64 Image 2 MiB into RAM; -append reaches its /chosen/bootargs.
        return System(name, qemu(False) + ["-kernel", path + ".bin", "-append", args],
                      0x40200000, path + ".elf")
    if name == "skiff":
        extra = f'bootargs = "{args}";' if args else ""
        config = compile_config(config_dts([Vm("bench_peer", "bench_peer", extra=extra)]), tmp)
        return System(name, qemu() + SKIFF_QEMU + ["-initrd", config], 0x40000000,
                      os.path.join(GUEST, "bench_peer.elf"), prefix="bench_peer| ")
    if name == "xen":
        dtb = host_dtb(tmp, [16 << 10, ("kernel", GUEST_ADDR, os.path.getsize(peer), args)])
        return System(name, qemu() + ["-dtb", dtb, "-kernel", XEN, "-device",
                                      f"loader,file={peer},addr={GUEST_ADDR:#x},force-raw=on"],
                      0x40000000, os.path.join(GUEST, "bench_peer.elf"))
    mode = " kvm-arm.mode=nvhe" if name == "kvm_nvhe" else ""
    path = os.path.join(GUEST, "at-0x80000000", "bench_peer")
    append = f"{LINUX_ARGS} quiet{mode} peer.args={args.replace(' ', ',')}"
    return System(name, qemu() + ["-kernel", os.path.join(IMAGES, "Image"), "-initrd",
                                  os.path.join(PEERS, "kvm-initramfs.gz"), "-append", append],
                  0x80000000, path + ".elf")


def linux_system(name, tmp, like_with_like=False):
    """Debian's kernel with build/peers/linux-initramfs.gz under @name. @like_with_like:
    the kernel told not to use PAuth (Xen hides it from its guests), and Skiff's VM
    leaving code coherence to the guest (as Xen and KVM do)."""
    args = LINUX_ARGS + (" arm64.nopauth" if like_with_like else "")
    kernel, initrd = os.path.join(IMAGES, "Image"), os.path.join(PEERS, "linux-initramfs.gz")
    if name.startswith("kvm"):
        mode = " kvm-arm.mode=nvhe" if name == "kvm_nvhe" else ""
        cmd = qemu() + ["-kernel", kernel, "-initrd",
                        os.path.join(PEERS, "kvm-linux-initramfs.gz"),
                        "-append", f"{args} quiet{mode}"]
    elif name == "bare":
        cmd = qemu(False) + ["-kernel", kernel, "-initrd", initrd, "-append", args]
    elif name == "skiff":
        extra = (f'kernel = /incbin/("{kernel}");\n\t\t\tinitrd = /incbin/("{initrd}");\n'
                 f'\t\t\tbootargs = "{args}";')
        if like_with_like:
            extra += '\n\t\t\tcache-maintenance = "guest";'
        config = compile_config(config_dts([Vm("linux", "", memory=256 << 20, extra=extra)]),
                                tmp)
        cmd = qemu() + SKIFF_QEMU + ["-initrd", config]
    elif name == "xen":
        dtb = host_dtb(tmp, [256 << 10,
                             ("kernel", GUEST_ADDR, os.path.getsize(kernel), args),
                             ("ramdisk", RAMDISK_ADDR, os.path.getsize(initrd), None)])
        cmd = qemu() + ["-dtb", dtb, "-kernel", XEN,
                        "-device", f"loader,file={kernel},addr={GUEST_ADDR:#x},force-raw=on",
                        "-device", f"loader,file={initrd},addr={RAMDISK_ADDR:#x},force-raw=on"]
    else:
        raise ValueError(name)
    stop = next(a for a, n in symbols(os.path.join(PEERS, "bench-marker")) if n == "marker_stop")
    return System(name, cmd, stop, os.path.join(PEERS, "bench-marker"))


class Run:
    """QEMU started stopped, with its gdb stub and QMP on sockets and the serial line in a
    file; run_to_entry() lets it go to the guest's entry, finish() to @done."""

    def __init__(self, system, tmp, limit, extra=()):
        self.tmp, self.system = tmp, system
        self.serial = os.path.join(tmp, "serial.txt")
        self.gdb_path, self.qmp_path = os.path.join(tmp, "gdb.sock"), os.path.join(tmp, "qmp")
        for p in (self.gdb_path, self.qmp_path, self.serial):
            if os.path.exists(p):
                os.unlink(p)
        cmd = ["timeout", "-k", "5", str(limit), *system.cmd, *ICOUNT, "-display", "none",
               "-monitor", "none", "-no-reboot", "-serial", f"file:{self.serial}",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-chardev", f"socket,id=gdb,path={self.gdb_path},server=on,wait=off",
               "-gdb", "chardev:gdb", "-S", *extra]
        self.stderr = open(os.path.join(tmp, "qemu.err"), "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.qmp = None
        try:
            self.gdb = Gdb(self.gdb_path)
            self.qmp = Qmp(self.qmp_path)
        except BaseException:
            self.close()
            raise

    def icount(self):
        return self.qmp.execute("query-replay")["icount"]

    def run_to(self, addr, el_ok, timeout=600):
        return self.gdb.stop_at(addr, el_ok, timeout)

    def go(self):
        self.gdb.detach()

    def output(self):
        with open(self.serial, errors="replace") as f:
            return f.read()

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if re.search(pattern, text):
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"{self.system.name}: no '{pattern}' in the output:\n"
                           + self.output()[-3000:])

    def close(self):
        # SIGTERM: `timeout` passes it on to QEMU (a SIGKILL would leave QEMU running).
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.qmp:
            self.qmp.close()
        self.stderr.close()


def at_el1(el):
    return el == 1


def at_el0(el):
    return el == 0


def parse_bench(text, prefix):
    out = {}
    for m in re.finditer(r"bench: (\w+) (.*)", text):
        out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    return out


def per_op(data, name, base=None):
    """Instructions per iteration of loop @name (less loop @base): ticks to ns under
    icount shift=0, one instruction a nanosecond."""
    hz = data["cntfrq"]["hz"]

    def one(n):
        return data[n]["ticks"] * 1e9 / hz / data[n]["iterations"]
    return one(name) - (one(base) if base else 0)


def run_bench_guest(name, args="", profile=None):
    """One run of bench_peer under @name: (bench data, instructions from reset to the
    guest's first instruction). With @profile (a Profiler), the guest's run is traced."""
    with tempfile.TemporaryDirectory() as tmp:
        system = bench_guest_system(name, tmp, args)
        extra = profile.qemu_args(tmp) if profile else ()
        if profile:
            profile.start()  # QEMU opens the FIFO as it starts, and waits for its reader
        run = Run(system, tmp, limit=1800, extra=extra)
        try:
            run.run_to(system.entry, at_el1)
            first = run.icount()
            if profile:
                profile.guest_entered(run)
            run.go()
            text = run.wait_for(r"\n[^\n]*1\.\.\d+", timeout=1500)
        finally:
            run.close()
            if profile:
                profile.stop()
    return parse_bench(text, system.prefix), first


def run_linux(name):
    """Virtual ms from reset to bench-marker's first instruction under @name."""
    with tempfile.TemporaryDirectory() as tmp:
        system = linux_system(name, tmp)
        run = Run(system, tmp, limit=1800)
        try:
            regnum = run.gdb.sysreg_number("CNTVOFF_EL2")
            counter = run.run_to(system.entry, at_el0, timeout=1500)
            # Without EL2 (bare QEMU) the virtual counter is the physical one.
            offset = run.gdb.read_reg(regnum) if name != "bare" and regnum else 0
            instructions = run.icount()
            run.go()
            run.wait_for(MARKER, timeout=120)
        finally:
            run.close()
    # CNTVCT = CNTPCT - CNTVOFF, modulo 2^64; 62.5 MHz: 16 ns a tick.
    return ((counter + offset) & ((1 << 64) - 1)) * 16 / 1e6, instructions


WALL_RUNS = 3
WALL_SYSTEMS = ("bare", "xen", "skiff")  # KVM's would include the outer Linux's boot


def run_linux_wall(name, like_with_like=False):
    """Wall seconds from QEMU's start to the marker on the console under @name, QEMU's
    cheap pointer authentication on (-cpu max,pauth-impdef=on) and no -icount: the best of
    WALL_RUNS (this machine is shared). @like_with_like: as linux_system() says."""
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        system = linux_system(name, tmp, like_with_like)
        cmd = [("max,pauth-impdef=on" if a == "max" else a) for a in system.cmd]
        serial = os.path.join(tmp, "serial.txt")
        for _ in range(WALL_RUNS):
            if os.path.exists(serial):
                os.unlink(serial)
            t0 = time.monotonic()
            proc = subprocess.Popen(["timeout", "-k", "5", "300", *cmd, "-display", "none",
                                     "-monitor", "none", "-no-reboot",
                                     "-serial", f"file:{serial}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while proc.poll() is None and time.monotonic() - t0 < 300:
                    if os.path.exists(serial):
                        with open(serial, errors="replace") as f:
                            if MARKER in f.read():
                                break
                    time.sleep(0.01)
                else:
                    raise RuntimeError(f"{name}: no {MARKER} within 300 s (wall)")
                took = time.monotonic() - t0
            finally:
                proc.terminate()
                proc.wait()
            best = took if best is None else min(best, took)
    return best


# ----------------------------------------------------------------------------- profiles

class Profiler:
    """Folds QEMU's -singlestep -d exec,nochain trace (one line per instruction, the TB
    flags giving the translation regime) by function, through a FIFO, as QEMU writes it.
    @tables: [(exception levels, Symtab, label)], the first whose level matches and that
    knows the address names it."""

    # QEMU 7.2's AArch64 MMU indexes (TB flags bits 4-7): the exception level they run at.
    MMUIDX_EL = {0: 0, 1: 0, 2: 1, 3: 2, 4: 1, 5: 2, 6: 2, 7: 3}

    def __init__(self, tables, phases=None, from_reset=False):
        self.tables, self.phases, self.from_reset = tables, phases, from_reset
        self.counts = {}  # phase -> {function: instructions}
        self.thread = None
        self.phase = "boot" if from_reset else None
        self.cache = {}

    def qemu_args(self, tmp):
        self.fifo = os.path.join(tmp, "exec.fifo")
        os.mkfifo(self.fifo)
        args = ["-singlestep", "-D", self.fifo]
        return args + (["-d", "exec,nochain"] if self.from_reset else [])

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self.fold, daemon=True)
            self.thread.start()

    def guest_entered(self, run):
        if self.from_reset:
            self.phase = None  # the row ends at the guest's first instruction
            run.qmp.execute("human-monitor-command", **{"command-line": "log none"})
            return
        self.phase = "guest"
        run.qmp.execute("human-monitor-command", **{"command-line": "log exec,nochain"})

    def name(self, pc, el):
        key = (pc, el)
        hit = self.cache.get(key)
        if hit is None:
            hit = f"EL{el} 0x{pc:x}"
            for levels, table, label in self.tables:
                if el in levels:
                    fn = table.lookup(pc)
                    if fn:
                        hit = f"{label}:{fn}"
                        break
            self.cache[key] = hit
        return hit

    def fold(self):
        with open(self.fifo, errors="replace") as f:
            for line in f:
                if self.phase is None and self.from_reset:
                    continue
                m = re.match(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/", line)
                if not m:
                    continue
                pc, flags = int(m.group(1), 16), int(m.group(2), 16)
                fn = self.name(pc, self.MMUIDX_EL.get((flags >> 4) & 0xf, -1))
                if self.phases and fn in self.phases:
                    self.phase = self.phases[fn]
                if self.phase:
                    bucket = self.counts.setdefault(self.phase, {})
                    bucket[fn] = bucket.get(fn, 0) + 1

    def stop(self):
        if self.thread:
            self.thread.join(timeout=60)


def write_profile(path, title, counts, per=1, note=""):
    total = sum(counts.values())
    lines = [f"# {title}", f"# {total} instructions traced" +
             (f", {per} operations: {total / per:.1f} per operation" if per > 1 else ""),
             *([f"# {note}"] if note else []), "#",
             "# per-op  share  function" if per > 1 else "#    count  share  function"]
    for fn, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        if n / total < 0.002 and len(lines) > 40:
            break
        lines.append(f"{n / per:8.1f} {100 * n / total:5.1f}%  {fn}" if per > 1 else
                     f"{n:10d} {100 * n / total:5.1f}%  {fn}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def kallsyms():
    """The outer Linux's text symbols (booted nokaslr), dumped once from a KVM run."""
    cache = os.path.join(PEERS, "kallsyms.txt")
    if not os.path.exists(cache):
        with tempfile.TemporaryDirectory() as tmp:
            system = bench_guest_system("kvm_vhe", tmp, "n=1 k=1")
            system.cmd[-1] = system.cmd[-1] + " peer.kallsyms=1"
            run = Run(system, tmp, limit=1800)
            try:
                run.go()
                text = run.wait_for("peers: kallsyms end", timeout=1500)
            finally:
                run.close()
        blob = text.split("peers: kallsyms begin")[1].split("peers: kallsyms end")[0]
        with open(cache, "wb") as f:
            f.write(gzip.decompress(base64.b64decode("".join(blob.split()))))
    syms = []
    with open(cache) as f:
        for line in f:
            addr, _, name = line.split()[:3]
            syms.append((int(addr, 16), name))
    return sorted(syms)


def nvhe_symtab(syms):
    """nVHE's EL2 code runs at its hyp VA: the kernel's linear-map address with the top
    bits replaced by a random tag. The low bits are the offset from the start of RAM,
    where QEMU loaded the Image (nokaslr: the kernel runs where loaded, 2 MiB in)."""
    text = syms[0][0] & ~((2 << 20) - 1)  # _text (not in kallsyms): the Image's start
    hyp = [((a - text + 0x200000) & ((1 << 30) - 1), n) for a, n in syms
           if n.startswith("__kvm_nvhe_")]
    return Symtab(sorted(hyp), limit=1 << 16), (1 << 30) - 1


class NvheTable(Symtab):
    def __init__(self, syms):
        table, self.mask = nvhe_symtab(syms)
        super().__init__(list(zip(table.addrs, table.names)), limit=1 << 16)

    def lookup(self, addr):
        return super().lookup(addr & self.mask)


def symbol_tables(name, guest_elf):
    guest = (0, 1), Symtab(symbols(guest_elf), limit=1 << 16), "guest"
    if name == "bare":
        return [guest]
    if name == "skiff":
        # QEMU loads the Image 2 MiB into RAM; Skiff runs where it is loaded.
        return [((2,), Symtab(symbols(os.path.join(BUILD, "skiff.elf"), 0x200000)), "skiff"),
                guest]
    if name == "xen":
        return [((2,), Symtab(symbols(XEN_SYMS)), "xen"), guest]
    syms = kallsyms()
    lkvm = (0,), Symtab(symbols(os.path.join(PEERS, "lkvm")), limit=1 << 16), "lkvm"
    linux = (1, 2), Symtab(syms), "linux"
    tables = [((2,), NvheTable(syms), "nvhe")] if name == "kvm_nvhe" else []
    return tables + [linux, guest, lkvm]


PROFILE_ARGS = "n=200 k=8"
PROFILE_PHASES = {  # a guest function -> the phase it starts (instructions go to the last)
    "bench_hvc_loop": "hvc_roundtrip", "bench_nop_loop": "empty_loop",
    "bench_read_loop": "read", "gic_enable_irq": "setup", "wait_spinning": "vtimer_spin",
    "wait_in_wfi": "vtimer_wfi", "printf": "print",
}


def profile_system(name):
    """bench/profiles/NAME-*.txt: each row's instructions by function."""
    with tempfile.TemporaryDirectory() as tmp:
        elf = bench_guest_system(name, tmp).elf
    tables = symbol_tables(name, elf)
    phases = {f"guest:{fn}": row for fn, row in PROFILE_PHASES.items()}
    prof = Profiler(tables, phases=phases)
    data, _ = run_bench_guest(name, PROFILE_ARGS, profile=prof)
    n, k = 200, 8
    note = f"guest bench_peer with {PROFILE_ARGS}; QEMU -singlestep -d exec,nochain"
    for phase, title, per in (("hvc_roundtrip", "HVC round trip (PSCI_VERSION), whole loop", n),
                              ("read", "GICD_TYPER read loop, with the RAM read loop "
                                       "before it (4 instructions a turn)", n),
                              ("vtimer_spin", "virtual timer, the guest spinning: interrupt "
                                              "to interrupt, its deadline 2000 ticks ahead "
                                              "(32 000 instructions), most of them the "
                                              "guest's wait", k),
                              ("vtimer_wfi", "virtual timer, the guest in WFI: interrupt to "
                                             "interrupt, its deadline 2000 ticks ahead", k)):
        if phase in prof.counts:
            write_profile(os.path.join(PROFILES, f"{name}-{phase}.txt"),
                          f"{TITLES[name]}: {title}", prof.counts[phase], per, note)
    if name in ("xen", "skiff"):
        prof = Profiler(tables, from_reset=True)
        run_bench_guest(name, "n=1 k=1", profile=prof)
        write_profile(os.path.join(PROFILES, f"{name}-reset.txt"),
                      f"{TITLES[name]}: reset to the guest's first instruction",
                      prof.counts.get("boot", {}), 1, "QEMU -singlestep -d exec,nochain from reset")
    return data


# ----------------------------------------------------------------------------- rows

ROWS = [
    ("peer_hvc_roundtrip", "HVC round trip (PSCI_VERSION), guest to hypervisor and back",
     "instructions per call"),
    ("peer_gicd_typer_read", "a read of the emulated GICD_TYPER", "instructions per read"),
    ("peer_vtimer_spin", "virtual timer interrupt: deadline to the guest's IRQ vector, "
     "guest spinning", "instructions"),
    ("peer_vtimer_wfi", "the same, guest in WFI", "instructions"),
    ("peer_reset_to_guest", "QEMU reset to the guest's first instruction", "instructions"),
    ("peer_linux_to_marker", "Debian's kernel + busybox initramfs: reset to /init's marker "
     "program, virtual time", "ms"),
    ("peer_linux_wall_pauth", "the same in wall time, QEMU's own pointer authentication "
     "(-cpu max,pauth-impdef=on), no -icount: QEMU's start to the marker on the console, "
     "best of %d" % WALL_RUNS, "s"),
    ("peer_linux_wall", "the same in wall time like with like: no guest uses PAuth (Xen "
     "hides it; arm64.nopauth elsewhere) and code coherence is the guest's (Skiff's "
     "cache-maintenance = \"guest\", which Xen assumes), best of %d" % WALL_RUNS, "s"),
]

NOTES = {
    "xen": "dom0less (no dom0), credit2, timer_slop=0, bootscrub=0; console: Xen's vpl011",
    "kvm_vhe": "kvmtool %s in Debian's 6.1 kernel (VHE, -cpu max), itself under QEMU; "
               "console: kvmtool's 8250, emulated in user space",
    "kvm_nvhe": "the same with kvm-arm.mode=nvhe",
    "skiff": "one VM, 4 MiB (256 MiB for Linux)",
    "bare": "the guest directly on QEMU at EL1: QEMU answers PSCI itself, the floor",
}


def available(name):
    """None, or why @name cannot run here."""
    if name.startswith("kvm"):
        missing = os.path.join(PEERS, "kvmtool.missing")
        if os.path.exists(missing):
            with open(missing) as f:
                return f.read().strip()
        if not os.path.exists(os.path.join(PEERS, "kvm-initramfs.gz")):
            return "no build/peers/kvm-initramfs.gz (scripts/peers-setup.sh)"
    if name == "xen" and not os.path.exists(XEN):
        return "no Xen in build/peers (scripts/peers-setup.sh)"
    return None


def setup():
    subprocess.run([os.path.join(TOP, "scripts", "peers-setup.sh")], check=True)


def measure(name, linux=True):
    """{row: value} for one system."""
    data, first = run_bench_guest(name)
    out = {
        "peer_hvc_roundtrip": per_op(data, "hvc_roundtrip", "empty_loop"),
        "peer_gicd_typer_read": per_op(data, "gicd_typer", "ram_read"),
        "peer_vtimer_spin": per_op(data, "vtimer_spin"),
        "peer_vtimer_wfi": per_op(data, "vtimer_wfi"),
        "peer_reset_to_guest": first,
    }
    if linux:
        ms, _ = run_linux(name)
        out["peer_linux_to_marker"] = ms
        if name in WALL_SYSTEMS:
            out["peer_linux_wall_pauth"] = round(run_linux_wall(name), 2)
            out["peer_linux_wall"] = round(run_linux_wall(name, like_with_like=True), 2)
    return out


def bench_peers(systems=None, profile=False):
    setup()
    systems = systems or SYSTEMS
    values, skipped = {}, {}
    for name in systems:
        why = available(name)
        if why:
            print(f"peers: {TITLES[name]} skipped: {why}", file=sys.stderr)
            skipped[name] = why
            continue
        print(f"peers: {TITLES[name]}...", file=sys.stderr)
        values[name] = measure(name)
        if profile:
            profile_system(name)
    commit = os.path.join(PEERS, "kvmtool.commit")
    kvmtool = open(commit).read().strip()[:12] if os.path.exists(commit) else "absent"
    rows = []
    for row, description, unit in ROWS:
        systems_row = {}
        for name in systems:
            if name in values and row in values[name]:
                v = values[name][row]
                systems_row[name] = round(v, 1) if isinstance(v, float) else v
        rows.append({
            "name": row, "description": description, "unit": unit,
            "value": systems_row.get("skiff"),
            "peers": {n: v for n, v in systems_row.items() if n != "skiff"},
            "notes": {n: (NOTES[n] % kvmtool if "%s" in NOTES[n] else NOTES[n])
                      for n in systems_row},
            **({"skipped": skipped} if skipped else {}),
        })
    return rows


def main():
    args = sys.argv[1:]
    profile = "--profile" in args
    systems = [a for a in args if not a.startswith("--")]
    if "--profile-only" in args:
        setup()
        for name in systems or SYSTEMS:
            if not available(name):
                profile_system(name)
        return 0
    rows = bench_peers(systems, profile)
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
