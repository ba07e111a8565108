#!/usr/bin/python3
"""Dumps the ACPI tables QEMU's virt machine builds for its firmware, one file per table.

    scripts/qemu_acpi.py OUTDIR -- -M virt,gic-version=3 -cpu max -smp 4 -m 1G

QEMU hands its tables to firmware through fw_cfg ("etc/acpi/tables" and "etc/acpi/rsdp").
This starts QEMU stopped (-S: no guest code runs) with the qtest protocol on stdio and reads fw_cfg's MMIO
interface through the qtest protocol: select a file with the selector register, read its
bytes from the data register. The tables are written as OUTDIR/SIG.dat (what `iasl -d`
reads), the RSDP as OUTDIR/RSDP.dat, and the machine's device tree as OUTDIR/machine.dtb.
"""
import os
import struct
import subprocess
import sys

FW_CFG = 0x09020000          # virt's fw_cfg: data at +0, selector at +8
FW_CFG_FILE_DIR = 0x19
TIMEOUT = "60"


class Qtest:
    def __init__(self, args):
        self.proc = subprocess.Popen(
            ["timeout", "-k", "5", TIMEOUT, "qemu-system-aarch64", *args, "-display", "none",
             "-serial", "none", "-monitor", "none", "-S", "-qtest", "stdio"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        while True:
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError(f"QEMU exited during '{line}'")
            if reply.startswith("OK") or reply.startswith("FAIL"):
                break  # other lines are asynchronous events (IRQ ...)
        if not reply.startswith("OK"):
            raise RuntimeError(f"qtest: '{line}' -> {reply.strip()}")
        return reply.split()[1:]

    def select(self, key):
        # The selector is a big-endian register: bytes 0x00 0x19 select 0x19, and qtest
        # stores little-endian, so the value is byte-swapped.
        self.cmd(f"writew {FW_CFG + 8:#x} {struct.unpack('<H', struct.pack('>H', key))[0]:#x}")

    def read(self, size):
        out = bytearray()
        while len(out) < size:
            # Each 8-byte read returns the next bytes of the item in stream order once
            # stored little-endian (the device is big-endian, the CPU little-endian).
            value = int(self.cmd(f"readq {FW_CFG:#x}")[0], 16)
            out += value.to_bytes(8, "little")
        return bytes(out[:size])

    def close(self):
        # SIGTERM, which `timeout` passes on to QEMU (a SIGKILL would orphan QEMU).
        self.proc.stdin.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def fw_cfg_files(q):
    q.select(FW_CFG_FILE_DIR)
    count = struct.unpack(">I", q.read(4))[0]
    if not 0 < count < 1000:
        raise RuntimeError(f"fw_cfg: implausible file count {count}")
    q.select(FW_CFG_FILE_DIR)  # from the start again: reads go 8 bytes at a time
    entries = q.read(4 + 64 * count)[4:]
    files = {}
    for i in range(count):
        size, select = struct.unpack_from(">IH", entries, 64 * i)
        name = entries[64 * i + 8:64 * (i + 1)].split(b"\0")[0].decode()
        files[name] = (select, size)
    return files


def split_tables(blob):
    """Standard tables one after another (the FACS too), perhaps with padding between."""
    pos, tables = 0, []
    while pos + 8 <= len(blob):
        sig = blob[pos:pos + 4]
        length = struct.unpack_from("<I", blob, pos + 4)[0]
        if not (sig.isalnum() or sig == b"    ") or length < 8 or pos + length > len(blob):
            pos += 1  # padding
            continue
        tables.append((sig.decode(), blob[pos:pos + length]))
        pos += length
    return tables


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: qemu_acpi.py OUTDIR -- QEMU-ARGS...")
    out, args = sys.argv[1], sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    q = Qtest(args)
    try:
        files = fw_cfg_files(q)
        for need in ("etc/acpi/tables", "etc/acpi/rsdp"):
            if need not in files:
                raise RuntimeError(f"fw_cfg has no {need} (is ACPI off?): {sorted(files)}")
        q.select(files["etc/acpi/tables"][0])
        blob = q.read(files["etc/acpi/tables"][1])
        q.select(files["etc/acpi/rsdp"][0])
        rsdp = q.read(files["etc/acpi/rsdp"][1])
    finally:
        q.close()
    seen = {}
    for sig, data in split_tables(blob):
        seen[sig] = seen.get(sig, 0) + 1
        name = sig if seen[sig] == 1 else f"{sig}-{seen[sig]}"
        with open(os.path.join(out, name + ".dat"), "wb") as f:
            f.write(data)
        print(f"{name} {len(data)}")
    with open(os.path.join(out, "RSDP.dat"), "wb") as f:
        f.write(rsdp)
    print(f"RSDP {len(rsdp)}")
    machine = [a if not a.startswith("virt") else a + f",dumpdtb={out}/machine.dtb" for a in args]
    subprocess.run(["timeout", TIMEOUT, "qemu-system-aarch64", *machine, "-nographic"],
                   capture_output=True, check=False)
    if not os.path.getsize(os.path.join(out, "machine.dtb")):
        raise RuntimeError("QEMU did not dump its device tree")


if __name__ == "__main__":
    main()
