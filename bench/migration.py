"""Migration benchmarks (docs/migration.md, issue 15): Skiff's pre-copy of a 256 MiB
Debian Linux VM, idle and busy, between two Skiff hosts through the tests' relay, beside
QEMU's own migration of the same kernel and initramfs on bare QEMU (same CPU model, same
RAM, a Unix socket between the two QEMUs); and the bytes Skiff puts on the link per full
and per zero page, and the instructions its sender spends per page (host a under
-icount shift=0, one CPU: 1 ns of its counter is one instruction).

The same for enclaves (docs/enclaves.md, "Moving an enclave"), beside the plain moves of
the same run: the Linux VM as an enclave (handshake, then everything sealed), bytes and
sender instructions per page sealed, the agents' handshake in instructions and time, and
a policy refusal's round trip."""

import os
import re
import socket
import subprocess
import tempfile
import time

import pexpect

from skiff import BUILD, Vm, linked_hosts
from test_agents import KEY_A, KEY_B, policy

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


HANDSHAKE = (r"enclave: agent \(source\): handshake took (\d+) us, (\d+) us of it in this "
             r"host's agent")


def enclave_roots():
    """Both hosts with attestation keys in one class; b takes VMs, and policies from SVN 3."""
    return (f'attestation-key = "{KEY_A}"; host-class = "fleet-bench";',
            f'attestation-key = "{KEY_B}"; host-class = "fleet-bench"; '
            f'migration-min-policy-svn = <3>; {ACCEPT}')


def enclave_extra(tmp, name, **change):
    """What makes a VM an enclave under an owner's policy that accepts host b."""
    fields = {"host-class": "fleet-bench", "cpu-profile": "armv8.0"}
    fields.update(change)
    return (f' cpu-profile = "armv8.0"; enclave = "on"; '
            f'migration-policy = /incbin/("{policy(tmp, name, **fields)}");')


def summary(match):
    keys = ("rounds", "pages", "data", "zero", "bytes", "downtime_ms", "total_ms", "sending_us")
    return {k: int(match.group(i + 2)) for i, k in enumerate(keys)}


def skiff_linux(busy, enclave=False):
    """One move of the 256 MiB Linux VM between two `max` hosts; its summary (for an
    enclave, with the handshake's time: wall and virtual)."""
    extra = (f'kernel = /incbin/("{KERNEL}");\n\t\t\tinitrd = /incbin/("{INITRD}");\n'
             f'\t\t\tbootargs = "{LINUX_ARGS}";')
    with tempfile.TemporaryDirectory() as tmp:
        if enclave:
            extra += enclave_extra(tmp, "linux")
        vm = Vm("linux", "", memory=256 << 20, extra=extra)
        roots = enclave_roots() if enclave else ("", ACCEPT)
        with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                          when_idle="wait", roots=roots, limit=900, timeout=300) as (a, b, _):
            a.expect(r"Enter 'help' for a list of built-in commands")
            time.sleep(1)
            if busy:
                a.child.send(WRITER + "\r")
                time.sleep(5)
            t0 = time.monotonic()
            a.shell("vm migrate linux", r"vm linux: migration under way")
            if enclave:
                h = a.expect(HANDSHAKE, timeout=60)
                wall = time.monotonic() - t0
            s = summary(a.expect(SUMMARY, timeout=300))
            b.expect(r"vm linux: migrate: arrived from host")
            if enclave:
                s.update(handshake_us=int(h.group(1)), handshake_wall_ms=round(wall * 1000))
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


def page_costs(enclave=False):
    """Bytes on the link per data and per zero page, and sender instructions per page:
    three bare-metal VMs (mostly data, mostly zero, small) moved from host a (under
    -icount, one CPU) to b; bytes = data * D + zero * Z + state, solved for D, Z, state.
    As enclaves: also each handshake's instructions in a's agent, and a policy refusal's
    round trip (a fourth enclave whose policy is older than b takes)."""
    with tempfile.TemporaryDirectory() as tmp:
        def extra(name, args):
            return f'bootargs = "{args}";' + (enclave_extra(tmp, name) if enclave else "")
        vms = [Vm("full", "migrate", memory=64 << 20, extra=extra("full", "wait=3000 fill=60")),
               Vm("zero", "migrate", memory=64 << 20,
                  extra=extra("zero", "wait=3000 fill=0 touch=60")),
               Vm("small", "migrate", memory=4 << 20, extra=extra("small", "wait=3000"))]
        if enclave:
            vms.append(Vm("old", "migrate", memory=4 << 20, extra='bootargs = "wait=3000";' +
                          enclave_extra(tmp, "old", **{"policy-svn": "2"})))
        return moves(vms, enclave)


def moves(vms, enclave):
    runs, handshakes, refusal_ms = {}, [], None
    roots = enclave_roots() if enclave else ("", ACCEPT)
    with linked_hosts(vms, [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=roots, smp=(1, 2), limit=900,
                      timeout=300, extra=(["-icount", "shift=0", "-rtc", "clock=vm"], [])) as (a, b, _):
        ready = set()
        while len(ready) < len(vms):  # in whichever order they get there
            ready.add(a.expect(r"(\w+)\| # migrate: ready", timeout=300).group(1))
        for vm in vms:
            if vm.name == "old":
                t0 = time.monotonic()
                a.shell("vm migrate old", r"vm old: migration under way")
                a.expect(r"handshake refused: the destination refused the policy \(field "
                         r"policy-svn\)", timeout=60)
                refusal_ms = round((time.monotonic() - t0) * 1000)
                continue
            a.shell(f"vm migrate {vm.name}", rf"vm {vm.name}: migration under way")
            if enclave:
                handshakes.append(int(a.expect(HANDSHAKE, timeout=120).group(2)))
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
    extras = {"handshake_instructions": [h * 1000 for h in handshakes],
              "refusal_ms": refusal_ms}
    return sol, instr / pages, runs, extras


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
    (per_data, per_zero, state), instr, runs, _ = page_costs()
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
    rows += bench_enclave_migration(rows)
    return rows


def bench_enclave_migration(plain_rows):
    """The enclave's rows, each beside the plain move's figure of this run."""
    plain = {r["name"]: r["value"] for r in plain_rows}
    e = skiff_linux(False, enclave=True)
    (per_data, per_zero, state), instr, runs, extras = page_costs(enclave=True)
    aead = instr - plain["migrate_sender_instructions_per_page"]
    hs = extras["handshake_instructions"]
    what = "256 MiB Debian Linux VM as an enclave, idle at its shell"
    return [{
        "name": "migrate_enclave_linux_idle_downtime",
        "description": f"{what}: downtime, sealed (agents' channel) / the same VM moved in "
                       "the clear",
        "unit": "ms", "value": e["downtime_ms"],
        "baseline": {"name": "plain migration downtime ms",
                     "value": plain["migrate_linux_idle_downtime"]},
        "target_max": 300,
    }, {
        "name": "migrate_enclave_linux_idle_total",
        "description": f"{what}: total time of the move (from the offer; the handshake "
                       "before it is the next row), sealed / in the clear",
        "unit": "ms", "value": e["total_ms"],
        "baseline": {"name": "plain migration total ms",
                     "value": plain["migrate_linux_idle_total"]},
        "bytes": e["bytes"],
    }, {
        "name": "enclave_handshake_wall_ms",
        "description": "the agents' handshake (X25519, ECDSA P-256 both ways, HKDF), `vm "
                       "migrate` to the channel established, wall time on this machine; the "
                       "virtual time Skiff measured for it beside",
        "unit": "ms", "value": e["handshake_wall_ms"],
        "baseline": {"name": "Skiff's own figure, virtual ms",
                     "value": round(e["handshake_us"] / 1000)},
    }, {
        "name": "enclave_handshake_source_instructions",
        "description": "instructions the source's agent spends on one handshake (host under "
                       "-icount shift=0, one CPU), the mean of %d; a 64 MiB page move's "
                       "sender instructions beside" % len(hs),
        "unit": "instructions", "value": round(sum(hs) / len(hs)) if hs else None,
        "baseline": {"name": "sender instructions for 16384 pages",
                     "value": round(instr * 16384)},
        "samples": hs,
    }, {
        "name": "migrate_enclave_bytes_per_full_page",
        "description": "bytes on the link per page with data, sealed (a record per link "
                       "frame, whose 26 bytes of seal -- sequence number, tag, two type "
                       "bytes -- are counted), against the same "
                       "moved in the clear (issue 16's goal 4 101; TDX's prototype 4 172)",
        "unit": "bytes", "value": round(per_data, 1),
        "baseline": {"name": "in the clear", "value": plain["migrate_bytes_per_full_page"]},
        "target_max": 4101, "runs": runs,
    }, {
        "name": "migrate_enclave_bytes_per_zero_page",
        "description": "bytes on the link per zero page, sealed / in the clear; state "
                       "records, handshake and headers of a move: %d bytes" % round(state),
        "unit": "bytes", "value": round(per_zero, 2),
        "baseline": {"name": "in the clear", "value": plain["migrate_bytes_per_zero_page"]},
        "target_max": 8,
    }, {
        "name": "migrate_enclave_sender_instructions_per_page",
        "description": "instructions the sender spends per page, sealed / in the clear; the "
                       "difference is the sealing (ChaCha20-Poly1305 and SHA-256 of the "
                       "stream): %.2f bytes of page per instruction"
                       % (4096 / aead if aead > 0 else float("nan")),
        "unit": "instructions", "value": round(instr),
        "baseline": {"name": "in the clear",
                     "value": plain["migrate_sender_instructions_per_page"]},
    }, {
        "name": "enclave_policy_refusal_ms",
        "description": "a policy refusal's round trip: `vm migrate` of an enclave whose "
                       "policy-svn the destination no longer takes, to the refusal on the "
                       "source's console (wall time, source under -icount)",
        "unit": "ms", "value": extras["refusal_ms"],
    }]
