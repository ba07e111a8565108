"""Migration benchmarks (docs/migration.md, issue 15): Skiff's pre-copy of a 256 MiB
Debian Linux VM, idle and busy, between two Skiff hosts through the tests' relay, beside
QEMU's own migration of the same kernel and initramfs on bare QEMU (same CPU model, same
RAM, a Unix socket between the two QEMUs); and the bytes Skiff puts on the link per full
and per zero page, and the instructions its sender spends per page (host a under
-icount shift=0, one CPU: 1 ns of its counter is one instruction)."""

import os
import re
import socket
import subprocess
import tempfile
import time

import pexpect

from skiff import BUILD, Vm, linked_hosts

IMAGES = os.path.join(BUILD, "images")
KERNEL = os.path.join(IMAGES, "Image")
INITRD = os.path.join(IMAGES, "initramfs.gz")
LINUX_ARGS = "earlycon=pl011,0x9000000 console=ttyAMA0"
ACCEPT = 'migrate-accept = "on";'
# The busy guest: a 64 MiB tmpfs file (random bytes, not zeros: pages with data) written
# again and again while it moves, from a 4 MiB one made first.
WRITER = ("mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && dd if=/dev/urandom of=/mnt/t/r "
          "bs=1M count=4 2>/dev/null && (while true; do for i in 1 2 3 4 5 6 7 8 9 10 11 12 "
          "13 14 15 16; do cat /mnt/t/r; done > /mnt/t/z; done) &")
SUMMARY = (r"vm (\w+): migrate: moved to host [0-9a-f]{16}: (\d+) rounds, (\d+) pages \((\d+) "
           r"with data, (\d+) zero\), (\d+) bytes on the link, downtime (\d+) ms, (\d+) ms in "
           r"all, (\d+) us of it sending")


def summary(match):
    keys = ("rounds", "pages", "data", "zero", "bytes", "downtime_ms", "total_ms", "sending_us")
    return {k: int(match.group(i + 2)) for i, k in enumerate(keys)}


def skiff_linux(busy):
    """One move of the 256 MiB Linux VM between two `max` hosts; its summary."""
    extra = (f'kernel = /incbin/("{KERNEL}");\n\t\t\tinitrd = /incbin/("{INITRD}");\n'
             f'\t\t\tbootargs = "{LINUX_ARGS}";')
    vm = Vm("linux", "", memory=256 << 20, extra=extra)
    with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT), limit=900, timeout=300) as (a, b, _):
        a.expect(r"Enter 'help' for a list of built-in commands")
        time.sleep(1)
        if busy:
            a.child.send(WRITER + "\r")
            time.sleep(5)
        a.shell("vm migrate linux", r"vm linux: migration under way")
        s = summary(a.expect(SUMMARY, timeout=300))
        b.expect(r"vm linux: migrate: arrived from host")
        return s


def qemu_hmp(path, command, timeout=10):
    """Runs @command on QEMU's human monitor at Unix socket @path; returns its output."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        out = b""
        while not out.rstrip().endswith(b"(qemu)"):
            out += s.recv(4096)
        s.sendall(command.encode() + b"\n")
        out = b""
        while not out.rstrip().endswith(b"(qemu)"):
            out += s.recv(65536)
        return out.decode(errors="replace")


def qemu_linux(busy):
    """QEMU's own migration of the same guest, bare: `migrate` on the source's monitor to
    a second QEMU started with -incoming; the figures `info migrate` gives at the end."""
    with tempfile.TemporaryDirectory() as tmp:
        def cmd(name, incoming=None):
            args = ["timeout", "-k", "5", "600", "qemu-system-aarch64", "-M",
                    "virt,gic-version=3", "-cpu", "max", "-smp", "1", "-m", "256M",
                    "-nographic", "-kernel", KERNEL, "-initrd", INITRD, "-append",
                    LINUX_ARGS, "-monitor", f"unix:{tmp}/{name}.mon,server=on,wait=off"]
            return args + (["-incoming", f"unix:{incoming}"] if incoming else [])

        src = pexpect.spawn(cmd("src")[0], cmd("src")[1:], encoding="utf-8",
                            codec_errors="replace", timeout=300)
        dst = pexpect.spawn(cmd("dst", f"{tmp}/mig.sock")[0], cmd("dst", f"{tmp}/mig.sock")[1:],
                            encoding="utf-8", codec_errors="replace", timeout=300)
        try:
            src.expect(r"Enter 'help' for a list of built-in commands")
            time.sleep(1)
            if busy:
                src.send(WRITER + "\r")
                time.sleep(5)
            while not os.path.exists(f"{tmp}/mig.sock"):
                time.sleep(0.1)
            qemu_hmp(f"{tmp}/src.mon", f"migrate -d unix:{tmp}/mig.sock")
            deadline = time.monotonic() + 300
            while True:
                info = qemu_hmp(f"{tmp}/src.mon", "info migrate")
                if "Migration status: completed" in info or time.monotonic() > deadline:
                    break
                if "Migration status: failed" in info:
                    raise RuntimeError(info)
                time.sleep(0.5)

            def field(name, unit):
                m = re.search(rf"{name}: (\d+) {unit}", info)
                return int(m.group(1)) if m else None

            return {"downtime_ms": field("downtime", "ms"),
                    "total_ms": field("total time", "ms"),
                    "transferred_kib": field("transferred ram", "kbytes"),
                    "normal_pages": field("normal", "pages"),
                    "zero_pages": field("duplicate", "pages")}
        finally:
            for child in (src, dst):
                child.kill(9)
                child.close(force=True)


def page_costs():
    """Bytes on the link per data and per zero page, and sender instructions per page:
    three bare-metal VMs (mostly data, mostly zero, small) moved from host a (under
    -icount, one CPU) to b; bytes = data * D + zero * Z + state, solved for D, Z, state."""
    vms = [Vm("full", "migrate", memory=64 << 20, extra='bootargs = "wait=3000 fill=60";'),
           Vm("zero", "migrate", memory=64 << 20,
              extra='bootargs = "wait=3000 fill=0 touch=60";'),
           Vm("small", "migrate", memory=4 << 20, extra='bootargs = "wait=3000";')]
    runs = {}
    with linked_hosts(vms, [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT), smp=(1, 2), limit=900,
                      timeout=300, extra=(["-icount", "shift=0", "-rtc", "clock=vm"], [])) as (a, b, _):
        ready = set()
        while len(ready) < len(vms):  # in whichever order they get there
            ready.add(a.expect(r"(\w+)\| # migrate: ready", timeout=300).group(1))
        for vm in vms:
            a.shell(f"vm migrate {vm.name}", rf"vm {vm.name}: migration under way")
            runs[vm.name] = summary(a.expect(SUMMARY, timeout=300))
            b.expect(rf"vm {vm.name}: migrate: arrived from host")
    # Three equations, three unknowns (Cramer's rule).
    rows = [(runs[n]["data"], runs[n]["zero"], 1, runs[n]["bytes"]) for n in runs]

    def det(m):
        return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))

    a_m = [r[:3] for r in rows]
    d = det(a_m)
    sol = []
    for col in range(3):
        m = [list(r[:3]) for r in rows]
        for i in range(3):
            m[i][col] = rows[i][3]
        sol.append(det(m) / d)
    pages = sum(r["pages"] for r in runs.values())
    instr = sum(r["sending_us"] for r in runs.values()) * 1000  # 1 ns = 1 instruction
    return sol, instr / pages, runs


def bench_migration():
    if not os.path.exists(KERNEL):
        return []
    rows = []
    for busy in (False, True):
        kind = "busy" if busy else "idle"
        s, q = skiff_linux(busy), qemu_linux(busy)
        what = ("256 MiB Debian Linux VM" + (", writing a 64 MiB tmpfs file over and over"
                                              if busy else ", idle at its shell"))
        rows.append({
            "name": f"migrate_linux_{kind}_downtime",
            "description": f"{what}: downtime (VM stopped to running elsewhere), Skiff's "
                           "pre-copy between two max hosts through the relay / QEMU's own "
                           "migration of the same guest on bare QEMU",
            "unit": "ms",
            "value": s["downtime_ms"],
            "baseline": {"name": "QEMU migration downtime ms", "value": q["downtime_ms"]},
            "target_max": 300,
        })
        rows.append({
            "name": f"migrate_linux_{kind}_total",
            "description": f"{what}: total time of the move, Skiff / QEMU; Skiff's rounds, "
                           "pages sent against pages with data, bytes on the link",
            "unit": "ms",
            "value": s["total_ms"],
            "baseline": {"name": "QEMU migration total ms", "value": q["total_ms"]},
            "rounds": s["rounds"], "pages_sent": s["pages"], "pages_with_data": s["data"],
            "bytes": s["bytes"], "qemu": q,
        })
    (per_data, per_zero, state), instr, runs = page_costs()
    rows.append({
        "name": "migrate_bytes_per_full_page",
        "description": "bytes on the link per 4096-byte page with data (solved from three "
                       "bare-metal moves: mostly data, mostly zero, small), against the page",
        "unit": "bytes",
        "value": round(per_data, 1),
        "baseline": {"name": "page size", "value": 4096},
        "target_max": 4110,
        "runs": runs,
    })
    rows.append({
        "name": "migrate_bytes_per_zero_page",
        "description": "bytes on the link per zero page (a marker), from the same moves; "
                       "state records and headers of a move: %d bytes" % round(state),
        "unit": "bytes",
        "value": round(per_zero, 2),
        "baseline": {"name": "page size", "value": 4096},
        "target_max": 8,
    })
    rows.append({
        "name": "migrate_sender_instructions_per_page",
        "description": "instructions Skiff's sender spends per page sent (encoding, link "
                       "frames, checksums), host under -icount shift=0 with one CPU",
        "unit": "instructions",
        "value": round(instr),
    })
    return rows
