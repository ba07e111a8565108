#!/usr/bin/python3
"""Writes the fuzz harnesses' seed corpora, tests/fuzz/corpus/NAME/ (docs/testing.md).

Seeds are real inputs of each surface: VM configurations as configs/ and the system
tests write them, the device trees of tests/unit/dts and QEMU's own (build/unit/dtb,
`make unit-bins`), ACPI tables from build/tools/dt2acpi, terminal keys and answers,
guest console output, backdoor message sequences, stage-2 fault sequences, counter
scales and format conversions, encoded as each harness reads its input. Files named
crash-* reproduce bugs the harnesses found (kept as regressions). Run after `make all`;
the corpora are committed, so this is needed only when a harness's input layout or the
seeds change.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))

from skiff import Vm, config_dts  # noqa: E402

CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")
DTB_DIR = os.path.join(TOP, "build", "unit", "dtb")
DT2ACPI = os.path.join(TOP, "build", "tools", "dt2acpi")
ACPI_BASE = 0x48000000  # fuzz_acpi_reader.c's BASE


def u8(v):
    return struct.pack("<B", v & 0xFF)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def write(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dtc(source, include=None):
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.dts"), os.path.join(tmp, "out.dtb")
        with open(src, "w") as f:
            f.write(source)
        cmd = ["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, src]
        if include:
            cmd[1:1] = ["-i", include]
        subprocess.run(cmd, check=True)
        with open(out, "rb") as f:
            return f.read()


def compact(dtb_path):
    """A dumped tree without its padding (QEMU's are 1 MiB)."""
    return subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dtb", dtb_path], check=True,
                          capture_output=True).stdout


def old_version(blob, version=15):
    """The blob claiming an older format: libfdt's full check crashed on those."""
    b = bytearray(blob)
    b[20:24] = struct.pack(">I", version)
    b[24:28] = struct.pack(">I", 2)
    return bytes(b)


def rename_property(blob, old):
    """The blob with property @old's name made empty (its name offset on a NUL)."""
    b = bytearray(blob)
    struct_off, strings_off = struct.unpack_from(">II", b, 8)
    pos = struct_off
    while True:
        tag = struct.unpack_from(">I", b, pos)[0]
        pos += 4
        if tag == 1:  # FDT_BEGIN_NODE: a name, NUL, padding to 4
            end = b.index(0, pos)
            pos = (end + 4) & ~3
        elif tag == 3:  # FDT_PROP: length, name offset, value
            length, nameoff = struct.unpack_from(">II", b, pos)
            name = b[strings_off + nameoff:b.index(0, strings_off + nameoff)]
            if name == old:
                struct.pack_into(">I", b, pos + 4, nameoff + len(old))
                return bytes(b)
            pos = (pos + 8 + length + 3) & ~3
        elif tag == 9:  # FDT_END
            raise KeyError(old)


# --- VM configurations (fuzz_config) -------------------------------------------------

IMAGE_STUB = bytes(56) + b"ARM\x64" + bytes(8)  # an arm64 Image header, nothing else


def configs():
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("hello", "backdoor", "timescale", "echo"):
            with open(os.path.join(tmp, name + ".bin"), "wb") as f:
                f.write(bytes(range(64)))
        with open(os.path.join(tmp, "Image"), "wb") as f:
            f.write(IMAGE_STUB)
        with open(os.path.join(tmp, "initramfs.gz"), "wb") as f:
            f.write(b"\x1f\x8b\x08\x00" + bytes(16))
        with open(os.path.join(TOP, "configs", "demo.dts")) as f:
            demo = dtc(f.read(), tmp)
        write("config", "demo.dtb", demo)
        write("config", "crash-version-15.dtb", old_version(demo))
        guestinfo = 'guestinfo { fromcfg = "set in the configuration"; };'
        sets = {
            "backdoor-guestinfo.dtb": [Vm("backdoor", "backdoor", extra=guestinfo)],
            "backdoor-el0-tdcc.dtb": [Vm("backdoor", "backdoor", extra=(
                'backdoor-el0 = "tdcc";\n\t\t\tbootargs = "tdcc=1";\n' + guestinfo))],
            "backdoor-off-acpi.dtb": [Vm("hello", "hello", extra='backdoor = "off";'),
                                      Vm("linux", "", memory=256 << 20, vcpus=2, extra=(
                                          'kernel = /incbin/("Image");\n\t\t\tacpi = "on";'
                                          '\n\t\t\tbootargs = "console=ttyAMA0";'))],
            "counter-frequency.dtb": [Vm("timescale", "timescale", extra=(
                'counter-frequency = <25000000>;\n\t\t\tbootargs = "host=62500000";'))],
            "two-vms-two-cpus.dtb": [Vm("a", "echo", cpu=0), Vm("b", "hello", cpu=1,
                                                                  vcpus=2)],
            "bad-vms.dtb": [Vm("nomem", "hello", memory=0x1001),
                            Vm("a-name-that-is-longer-than-31-chars", "hello"),
                            Vm("dup", "hello"), Vm("dup@1", "hello", cpu=300),
                            Vm("fmt", "hello", extra='kernel-format = "image";'),
                            Vm("cells", "hello", extra="counter-frequency = <1 2 3>;")],
            "eight-vms.dtb": [Vm(f"vm{i}", "hello", cpu=i % 2) for i in range(8)],
            "cpu-profiles.dtb": [
                Vm("named", "hello", extra='cpu-profile = "armv8.0";'),
                Vm("changed", "hello", extra=(
                    'cpu-profile { base = "armv8.2"; profile-name = "fleet"; lse = "off"; '
                    'sve = "on"; pauth = "on"; ID_AA64MMFR0_EL1.PARange = <4>; '
                    'DCZID_EL0.DZP = <1>; midr = <0x410fd083>; revidr = <1>; };')),
                Vm("unknown", "hello", extra='cpu-profile = "armv9.9";'),
                Vm("badfield", "hello", extra=(
                    'cpu-profile { base = "armv8.0"; ID_AA64PFR0_EL1.GIC = <1>; };'))],
        }
        for name, vms in sets.items():
            write("config", name, dtc(config_dts(vms), tmp))
        # A guestinfo property without a name: accepted, then refused by the RPCI store.
        empty = dtc(config_dts([Vm("backdoor", "backdoor", extra=(
            'guestinfo { unnamed = "x"; };'))]), tmp)
        write("config", "crash-guestinfo-empty-name.dtb", rename_property(empty, b"unnamed"))


# --- Device trees (fuzz_platform, fuzz_dt2acpi) ---------------------------------------

def device_trees():
    names = sorted(f for f in os.listdir(DTB_DIR) if f.endswith(".dtb"))
    if not any(n.startswith("virt-") for n in names):
        sys.exit(f"fuzz-seeds: no QEMU trees in {DTB_DIR}: run `make unit-bins` first")
    for name in names:
        blob = compact(os.path.join(DTB_DIR, name))
        # The huge #interrupt-cells tree overflowed dt.c's specifier arithmetic.
        seed = "crash-" + name if name == "huge-interrupt-cells.dtb" else name
        for harness in ("platform", "dt2acpi"):
            write(harness, seed, blob)
    qemu = compact(os.path.join(DTB_DIR, "virt-gicv3-smp2.dtb"))
    write("platform", "crash-version-15.dtb", old_version(qemu))


# --- ACPI tables (fuzz_acpi_reader) ---------------------------------------------------

def acpi_image(dtb_name):
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "image")
        subprocess.run([DT2ACPI, os.path.join(DTB_DIR, dtb_name + ".dtb"), "-o", tmp,
                        "--image", image, "--base", hex(ACPI_BASE)], check=True,
                       capture_output=True)
        with open(image, "rb") as f:
            return f.read()


def find_table(image, sig):
    """Offset of table @sig in an image at ACPI_BASE (through the RSDP's XSDT)."""
    xsdt = struct.unpack_from("<Q", image, 24)[0] - ACPI_BASE
    length = struct.unpack_from("<I", image, xsdt + 4)[0]
    for i in range((length - 36) // 8):
        off = struct.unpack_from("<Q", image, xsdt + 36 + 8 * i)[0] - ACPI_BASE
        if image[off:off + 4] == sig:
            return off
    raise KeyError(sig)


def acpi_tables():
    for name in ("virt-gicv3-smp2", "virt-gicv2-smp4", "virt-gicv3-a57", "acpi-rules", "nested",
                 "consoles"):
        write("acpi_reader", name + ".img", b"\x01" + acpi_image(name))
    # As generated, checksums as they are (the flag byte clear).
    write("acpi_reader", "virt-gicv3-smp1-raw.img", b"\x00" + acpi_image("virt-gicv3-smp1"))
    image = bytearray(acpi_image("virt-gicv3-smp2"))
    dbg2 = find_table(image, b"DBG2")
    image[dbg2 + 36:dbg2 + 40] = u32(0xFFFFFFF0)  # the device offset: + 22 wrapped
    write("acpi_reader", "crash-dbg2-offset-wraps.img", b"\x01" + bytes(image))


# --- Terminal input (fuzz_input) ------------------------------------------------------

SHELL_FIRST = 0x08  # the setup byte: the shell has the input at first


def terminal_input():
    up, down, left, right = b"\x1b[A", b"\x1b[B", b"\x1b[D", b"\x1b[C"
    seeds = {
        "shell-session": bytes([SHELL_FIRST]) + b"vm list\rvm start linux\r" + up + up +
        b"\r" + b"stats" + left + left + b"\x7f" + b"\x1b[3~" + b"\x1bOH" + b"x\x1bOF\r" +
        b"log\x01\x05\x15help\r",
        "focus-keys": bytes([2]) + b"ls\r\x1c1echo a\r\x1c2\x1c\x1c\x1c0vm list\r\x1c9" +
        b"\x1cq\x1c?\x1c1",
        "terminal-answers": bytes([SHELL_FIRST]) + b"\x1b[8;24;80t\x1b[24;80R" +
        b"\x1b[?1;2c\x1b[8;50;132t\x1b[99999;1R\x1b[;5H\x1b\x1b[1;5A",
        "ss3-and-home-end": bytes([SHELL_FIRST]) + b"abc\x1bOD\x1bOD\x1b[1~\x1b[4~\x1b[7~" +
        b"\x1b[8~\x1bOA\x1bOB\r",
        "ctrl-a-prefix": bytes([0x10 | 3]) + b"\x01\x01\x01\x02\x010vm\x1bx\r",
        "history": bytes([SHELL_FIRST]) + b"".join(b"cmd%d\r" % i for i in range(18)) +
        up * 17 + down * 3 + b"\r",
        # Past eight words the last one held the rest of the line, trailing spaces too.
        "crash-last-word-trailing-spaces": bytes([SHELL_FIRST]) +
        b"vm start a b c d e f g   \r",
    }
    for name, data in seeds.items():
        write("input", name, data)


# --- Console output and screen (fuzz_screen) ------------------------------------------

OP_TEXT, OP_FILL, OP_BOX, OP_CURSOR, OP_INVALIDATE, OP_FLUSH, OP_GUEST, OP_VIEW, OP_CLEAR = \
    range(9)
REVERSE, BOLD, LINE = 1, 2, 4


def op(code, row=0, col=0, attr=0):
    return bytes([code, row, col, attr])


def guest(text):
    out = b""
    for i in range(0, len(text), 255):
        chunk = text[i:i + 255]
        out += op(OP_GUEST) + u8(len(chunk)) + chunk
    return out


def view(top, nrows, rows):
    return op(OP_VIEW) + u8(top) + u8((nrows - 1) % (rows - top)) + u16(4095)


def text(row, col, s, attr=0):
    return op(OP_TEXT, row, col, attr) + u8(len(s)) + s


def screen():
    boot = (b"[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]\r\n"
            b"[    0.000000] Linux version 6.1.0-28-arm64 (debian-kernel@lists.debian.org)\r\n"
            b"[    0.000000] Machine model: linux,dummy-virt\r\n"
            b"[    0.012345] \x1b[0;32m  OK  \x1b[0m Started \x1b[0;1;39mJournal Service"
            b"\x1b[0m.\r\n\x1b]0;root@skiff: ~\x07~ # ")
    shell = b"ls\r\nbin\tdev\tetc\tinit\tproc\r\n~ # cat\x08\x08\x08echo caf\xc3\xa9\r\n~ # "
    seeds = {
        "linux-boot-80x24": bytes([24, 80, 1 | (8 << 1)]) + guest(boot) + view(0, 23, 24) +
        text(23, 0, b"[1 linux:run] [2 hello:off]", REVERSE) + op(OP_FLUSH) + guest(shell) +
        view(0, 23, 24) + op(OP_FLUSH),
        "busybox-132x40": bytes([40, 132, 6 << 1]) + guest(shell * 4) + view(2, 36, 40) +
        op(OP_FLUSH) + op(OP_INVALIDATE) + op(OP_FLUSH),
        "status-view-boxes": bytes([24, 80, 1]) + op(OP_BOX, 1, 2, 0) + u8(20) + u8(60) +
        text(2, 4, b"vm  state  exits", BOLD) + op(OP_FILL, 3, 3, LINE) + u8(56) +
        u8(ord("-") - 32) + op(OP_CURSOR, 22, 79) + op(OP_FLUSH) + op(OP_CLEAR) +
        op(OP_FLUSH),
        "ascii-lines-small": bytes([2, 20, 2 << 1]) + op(OP_BOX, 0, 0, 0) + u8(1) + u8(19) +
        op(OP_FLUSH) + guest(b"x" * 300 + b"\n" + b"y" * 19) + view(0, 2, 2) + op(OP_FLUSH),
    }
    for name, data in seeds.items():
        write("screen", name, data)


# --- Backdoor messages (fuzz_message) -------------------------------------------------

M_RAW, M_SEND, M_RECV, M_SEND_HB, M_RECV_HB, M_OPEN, M_CLOSE, M_REQUEST = range(8)
MEM_SIZE = 8192 + 4096


class Backdoor:
    """Encodes a session; channel k is the k-th opened (the harness's known[k])."""

    def __init__(self):
        self.data = u64(0x1234567890ABCDEF)

    def open(self, tclo=False):
        self.data += u8(M_OPEN) + u8(2 | (1 if tclo else 0))
        return self

    def send(self, chan, msg):
        self.data += u8(M_SEND) + u8(chan) + u16(len(msg)) + msg
        return self

    def recv(self, chan):
        self.data += u8(M_RECV) + u8(chan) + u8(1)  # status: the reply was taken
        return self

    def send_hb(self, chan, msg, off=0):
        self.data += u8(M_SEND_HB) + u8(chan) + u16(off) + u16(len(msg)) + msg + u8(0)
        return self

    def recv_hb(self, chan, off=0x80):
        self.data += u8(M_RECV_HB) + u8(chan) + u16(off) + u8(0)
        return self

    def close(self, chan):
        self.data += u8(M_CLOSE) + u8(chan)
        return self

    def request(self, which):
        self.data += u8(M_REQUEST) + u8(which)  # 0 OS_Halt, 1 OS_Reboot, 2 ping, 3 reset
        return self


def backdoor():
    rpci = Backdoor().open()
    for m in (b"info-set guestinfo.color blue", b"info-get guestinfo.color",
              b"info-get guestinfo.size", b"log hello from the guest",
              b"tools.set.version 12352", b"tools.capability.hgfs_server toolbox 1",
              b"vmx.capability.unified_loop toolbox", b"SetGuestInfo  4 13.0.0", b"bogus",
              b"info-get nonsense\x00"):
        rpci.send(0, m).recv(0)
    write("message", "rpci-guestinfo", rpci.close(0).data)
    tclo = Backdoor().open(tclo=True).send(0, b"").recv(0).send(0, b"OK ATR toolbox").recv(0)
    tclo.request(0).send(0, b"").recv(0).send(0, b"OK ").recv(0)
    for _ in range(5):
        tclo.request(2)
    write("message", "tclo-halt", tclo.send(0, b"").recv(0).data)
    hb = Backdoor().open().send_hb(0, b"info-set guestinfo.k v").recv_hb(0)
    hb.send_hb(0, b"info-get guestinfo.k", off=0x100).recv_hb(0, off=0x200)
    write("message", "high-bandwidth", hb.data)
    tools = Backdoor().open(tclo=True).open().send(1, b"info-set guestinfo.ip 10.0.0.2")
    tools.send(0, b"").recv(1).recv(0).open().open().open().close(2).open()
    write("message", "vmtoolsd-channels", tools.send(3, b"x" * 300).recv(3).data)


# --- Stage-2 faults (fuzz_stage2) -----------------------------------------------------

MARGIN = 0x10000
DABT = (1 << 24) | (2 << 22) | (3 << 16)  # valid syndrome, 4 bytes, x3
WRITE = 1 << 6


def fault(off, exec_=False, esr=DABT, value=0, pc_page_off=None, coherent=False, pc=0):
    how = (1 if exec_ else 0) | (2 if coherent else 0) | (4 if pc_page_off is not None else 0)
    data = u32(off + MARGIN) + u8(how) + u32(esr) + u64(value)
    return data + (u16(pc_page_off) if pc_page_off is not None else u32(pc))


def host_write(off, length):
    """Skiff writing into guest RAM (a backdoor reply): bit 3 of the operation byte."""
    return u32(off + MARGIN) + u8(8) + u16(length)


def stage2():
    pages = u16((16 << 20) // 4096)  # 16 MiB and a page: a partial last block
    seeds = {
        "boot-wx-cycle": pages + fault(0, True) + fault(0x212345) + fault(0x2000, esr=DABT |
                                                                           WRITE) +
        fault(0x5000, True) + fault(0x5008, esr=DABT | WRITE) + fault(0x5004, True) +
        fault(0x5008, esr=DABT | WRITE) + fault(0x600000) + fault(0x603000, True) +
        fault(16 << 20) + fault(0x5000, True),
        "store-into-executing-page": pages + fault(0x7040, True, pc_page_off=0x40) +
        fault(0x7080, esr=DABT | WRITE, value=0xFEEDC0DE, pc_page_off=0x40) +
        fault(0x7090, esr=WRITE, pc_page_off=0x40) + fault(0x7090, True),
        "backdoor-reply-into-code": pages + fault(0x9000, True) + fault(0xA000, True) +
        host_write(0x9FF0, 0x20) + fault(0x9000, True) + fault(0xA004, True) +
        fault(0xB000, esr=WRITE, pc_page_off=0) + host_write(0xB000, 4096),
        "coherent-and-outside": u16(511) + fault(0, True, coherent=True) +
        fault(-0x1000) + fault(2 << 20) + fault(0x100, esr=DABT | WRITE | (31 << 16),
                                                pc_page_off=0),
    }
    # A host write starting past the end of the largest RAM passed the harness's own
    # range check (its end wrapped) and read the fake stage 2 out of bounds.
    seeds["crash-host-write-past-ram"] = u16(8191) + host_write((32 << 20) + 0xEEEE, 0xEEEE)
    for name, data in seeds.items():
        write("stage2", name, data)


# --- Counter scaling (fuzz_timescale) -------------------------------------------------

def scale(guest_hz, host_hz, host, guest, ops):
    return u64(guest_hz) + u64(host_hz) + u64(host) + u64(guest) + b"".join(ops)


def ts_op(code, v, hz=None):
    return u8(code) + u64(v) + (u64(hz) if hz is not None else b"")


def timescale():
    seeds = {
        "25mhz-on-62.5mhz": scale(25000000, 62500000, 1000, 0, [
            ts_op(0, 1000 + 62500000), ts_op(1, 25000000), ts_op(2, 62500000),
            ts_op(3 | 4, 1 << 20, 1000000000), ts_op(2, 10 ** 9), ts_op(1, 501)]),
        "1ghz-on-62.5mhz": scale(10 ** 9, 62500000, 0, 7, [
            ts_op(0, 62500000), ts_op(1, 10 ** 9), ts_op(2, 1 << 40), ts_op(0, 2 ** 63)]),
        "host-frequency": scale(0, 62500000, 5, 5, [ts_op(0, 12345), ts_op(1, 12345)]),
        "host-count-set-back": scale(25000000, 62500000, 1 << 40, 1 << 30, [
            ts_op(2, 1 << 30), ts_op(3, 1 << 35, 0), ts_op(2, 1 << 20),
            ts_op(1 | 4, 1 << 31)]),
        "near-the-top": scale(4000000000, 1000000, 2 ** 64 - 2 ** 40, 2 ** 64 - 2 ** 50, [
            ts_op(0, 2 ** 64 - 1), ts_op(1 | 4, 2 ** 64 - 1), ts_op(2, 2 ** 30)]),
    }
    for name, data in seeds.items():
        write("timescale", name, data)


# --- CPU profiles (fuzz_cpu_profile) --------------------------------------------------

# Register indices in core/cpu_profile.h's CPU_ID_REGS order.
ID_AA64ISAR0, ID_AA64ISAR1, ID_AA64PFR0, CTR_EL0, CLIDR_EL1, DCZID_EL0 = 0, 1, 3, 36, 37, 38
HOST = 0x80


def change(reg, nibble, value):
    return u8(reg) + u8(nibble) + u8(value)


def cpu_profile_seeds():
    seeds = {
        "host": u8(0) + u8(0),
        "armv8.0-on-its-own-values": u8(1) + u8(0),
        "armv8.2-on-its-own-values": u8(2) + u8(0),
        "armv8.0-with-lse-on-a-host-without": u8(1) + u8(0) + change(ID_AA64ISAR0, 5, 2)
        + change(HOST | ID_AA64ISAR0, 5, 0),
        "armv8.0-with-sve-and-pauth-on-a-host-with": u8(1) + u8(0)
        + change(HOST | ID_AA64PFR0, 8, 1) + change(HOST | ID_AA64ISAR1, 1, 1)
        + change(HOST | ID_AA64ISAR1, 6, 1),
        "armv8.0-dc-zva-prohibited-other-block": u8(1) + u8(0) + change(DCZID_EL0, 1, 1)
        + change(HOST | DCZID_EL0, 0, 5),
        "armv8.2-larger-lines-than-the-host": u8(2) + u8(0) + change(HOST | CTR_EL0, 0, 3)
        + change(HOST | CLIDR_EL1, 6, 3),
    }
    for name, data in seeds.items():
        write("cpu_profile", name, data)
# --- Virtual GIC (fuzz_vgic) ---------------------------------------------------------

(V_READ, V_WRITE, V_READ_REG, V_WRITE_REG, V_INJECT, V_LEVEL, V_FLUSH, V_GUEST, V_SGI1R,
 V_MAINTENANCE, V_WFI, V_RESET) = range(12)
GICD, RD, SGI = 0x00, 0x80, 0xC0  # frame selectors; RD and SGI take the vCPU in bits 0-5
ACK, EOI = 1, 2  # what the guest does with a list register (two bits each)


class Gic:
    """Encodes a session; ops are done by vCPU @cpu (the op byte's high nibble)."""

    def __init__(self, v2=False, vcpus=2, lrs=4):
        self.v2 = v2
        self.data = u8((1 if v2 else 0) | (vcpus - 1) << 1 | (lrs - 1) << 4)

    def _op(self, op, cpu):
        self.data += u8(op | cpu << 4)

    def size(self, n):
        return u8({1: 0, 2: 1, 4: 2, 8: 3}[n])

    def write(self, frame, off, value, size=4, cpu=0):
        self._op(V_WRITE, cpu)
        self.data += u8(frame) + u16(off) + self.size(size) + u64(value)
        return self

    def read(self, frame, off, size=4, cpu=0):
        self._op(V_READ, cpu)
        self.data += u8(frame) + u16(off) + self.size(size)
        return self

    def inject(self, intid, cpu=0):
        self._op(V_INJECT, cpu)
        self.data += u8(intid)
        return self

    def level(self, intid, high, cpu=0):
        self._op(V_LEVEL, cpu)
        self.data += u8(intid | (0x80 if high else 0))
        return self

    def flush(self, cpu=0):
        self._op(V_FLUSH, cpu)
        return self

    def guest(self, actions, cpu=0):
        """@actions: what the guest does with each list register, LR0 first."""
        self._op(V_GUEST, cpu)
        self.data += u32(sum(a << (2 * i) for i, a in enumerate(actions)))
        return self

    def sgi1r(self, value, cpu=0):
        self._op(V_SGI1R, cpu)
        self.data += u64(value)
        return self

    def op(self, which, cpu=0):
        self._op(which, cpu)
        return self


def gic_v3_linux(vcpus=2):
    """What Linux's GICv3 driver does at boot (for the first SPIs), then a timer tick, the
    UART, an IPI; under 1 KiB, the harness's -max_len."""
    g = Gic(vcpus=vcpus).write(GICD, 0x0, 0).read(GICD, 0x4).read(GICD, 0xFFE8)
    g.write(GICD, 0x84, 0xFFFFFFFF).write(GICD, 0x184, 0xFFFFFFFF)
    for i in range(8, 12):
        g.write(GICD, 0x400 + 4 * i, 0xA0A0A0A0)
    for intid in range(32, 40 if vcpus > 2 else 48):
        g.write(GICD, 0x6000 + 8 * intid, intid % vcpus, size=8)
    g.write(GICD, 0x0, 2)
    for c in range(vcpus):
        g.read(RD | c, 0x8, size=8).write(RD | c, 0x14, 0, cpu=c)
        g.write(SGI | c, 0x80, 0xFFFFFFFF, cpu=c).write(SGI | c, 0x418, 0xA0A0A0A0, cpu=c)
        g.write(SGI | c, 0x100, 0x0000FFFF | 1 << 27, cpu=c)  # SGIs, the virtual timer
        if vcpus <= 2:
            g.write(SGI | c, 0x180, 0xFFFF0000, cpu=c).read(RD | c, 0x14, cpu=c)
            g.write(SGI | c, 0x400, 0xA0A0A0A0, cpu=c)
    g.write(GICD, 0x104, 1 << 1)  # the UART, SPI 1
    g.inject(27).flush().guest([ACK | EOI]).level(33, True).flush().guest([ACK])
    g.flush().guest([EOI]).flush().level(33, False).guest([ACK | EOI])
    g.sgi1r(1 << 24 | 1 << 1).flush(cpu=1).guest([ACK | EOI], cpu=1).op(V_WFI, cpu=1)
    return g.data


def gic_v2_linux():
    g = Gic(v2=True, vcpus=2).write(GICD, 0x0, 0).read(GICD, 0x4).read(GICD, 0x800)
    g.write(GICD, 0x820, 0x01010101).write(GICD, 0x824, 0x02020202, size=4)
    for i in range(8):
        g.write(GICD, 0x400 + 4 * i, 0xA0A0A0A0)
    g.write(GICD, 0x100, 0xFFFF | 1 << 27).write(GICD, 0x100, 0xFFFF, cpu=1)
    g.write(GICD, 0x104, 1 << 1 | 1 << 5).write(GICD, 0x0, 1)
    g.write(GICD, 0xF00, 1 << 17 | 2).write(GICD, 0xF00, 2 << 24 | 3, cpu=1)
    g.write(GICD, 0xF23, 1 << 1, size=1).read(GICD, 0xF20).read(GICD, 0x200, cpu=1)
    g.flush(cpu=1).guest([ACK | EOI, ACK], cpu=1).flush(cpu=1).guest([0, EOI], cpu=1)
    g.level(37, True).flush(cpu=1).inject(27).flush().write(GICD, 0xF13, 1 << 1, size=1)
    return g.data


def vgic():
    few_lrs = Gic(vcpus=1, lrs=2).write(GICD, 0x0, 2)
    for i in range(10):
        few_lrs.write(GICD, 0x400 + 32 + i, 0x80 - 8 * i, size=1)
    few_lrs.write(GICD, 0x104, 0x3FF)
    for i in range(10):
        few_lrs.inject(32 + i)
    few_lrs.flush().op(V_MAINTENANCE).guest([ACK | EOI, ACK]).flush().guest([ACK, EOI])
    few_lrs.op(V_MAINTENANCE).flush().op(V_RESET).flush()
    bad = Gic(vcpus=8, lrs=16).write(SGI | 1, 0x102, 0xFFFFFFFF).write(SGI | 1, 0x103, 0xFFFF, 2)
    bad.write(GICD, 0x41F, 0x8080, size=2).write(GICD, 0x420, 0x1010101010101010, size=8)
    bad.write(GICD, 0x6104, 0x77, size=8).write(GICD, 0xC09, 0, size=1).read(RD | 7, 0xC, 8)
    bad.read(GICD, 0xFFFC).read(SGI | 3, 0xFFFC).read(RD | 2, 0x8).read(GICD, 0x6000)
    bad.write(RD | 7, 0xFFFC, 1).write(GICD, 0x0, 0xFF).write(GICD, 0x2, 3, size=2)
    seeds = {
        "linux-gicv3-2cpus": gic_v3_linux(),
        "linux-gicv3-8cpus": gic_v3_linux(8),
        "linux-gicv2-2cpus": gic_v2_linux(),
        "more-interrupts-than-lrs": few_lrs.data,
        "bad-sizes-and-offsets": bad.data,
        # GICv2 SGI bits of ISPENDR0/ICPENDR0 changed the SGI's pending state.
        "crash-v2-ispendr-sgi": Gic(v2=True, vcpus=2).write(GICD, 0x200, 1 << 1).data,
        # The harness ran a vCPU that waited in WFI (entered it, let it end an interrupt).
        "crash-blocked-vcpu-ran": Gic(vcpus=1).write(GICD, 0x0, 2).write(GICD, 0x104, 1 << 1)
        .level(33, True).flush().guest([ACK]).op(V_WFI).flush().guest([EOI]).data,
        # An IROUTER with Aff1 set routed the SPI to the vCPU of its Aff0.
        "crash-irouter-aff1": Gic(vcpus=2).write(GICD, 0x6000 + 8 * 53, 0x6A006A01, 8).data,
    }
    for name, data in seeds.items():
        assert len(data) <= 1024, (name, len(data))  # tests/fuzz/fuzz_vgic.options
        write("vgic", name, data)


# --- Page allocator and stage-2 quotas (fuzz_palloc) ---------------------------------

P_ALLOC, P_ALLOC_PAGES, P_FREE, P_FREE_PART, P_FREE_ANY, P_RESERVE = range(6)
AT_ZERO, OVERLAP = 1, 2  # region flags


class Pool:
    """Encodes an allocator session; allocations fill the lowest free slot, as the harness's."""

    def __init__(self, regions):
        """@regions: (flags, pages, skew) each."""
        self.data = u8(len(regions))
        for flags, pages, skew in regions:
            self.data += u8(flags) + u16(pages) + u8(skew)
        self.slots = []

    def _take_slot(self):
        k = self.slots.index(False) if False in self.slots else len(self.slots)
        if k == len(self.slots):
            self.slots.append(True)
        self.slots[k] = True
        return k

    def pages(self, n, align_log=0):
        """Allocates @n pages aligned to 4 KiB << @align_log; returns its slot."""
        self.data += u8(P_ALLOC_PAGES) + u8(n - 1) + u8(align_log)
        return self._take_slot()

    def alloc(self, size, align):
        """Any size and alignment (their encodings); the caller knows whether it fits."""
        self.data += u8(P_ALLOC) + u32(size) + u8(align)
        return self

    def free(self, slot):
        self.data += u8(P_FREE) + u8(slot)
        self.slots[slot] = False
        return self

    def free_part(self, slot, first, n):
        self.data += u8(P_FREE_PART) + u8(slot) + u16(first) + u16(n)
        return self

    def free_any(self, region, off, size):
        self.data += u8(P_FREE_ANY) + u8(region) + u32(off + (1 << 20)) + u32(size)
        return self

    def reserve(self, region, off, size):
        self.data += u8(P_RESERVE) + u8(region) + u32(off + (1 << 20)) + u32(size)
        return self


Q_PAGE, Q_BLOCK, Q_PROTECT, Q_GICC, Q_ELSEWHERE, Q_RESET = range(6)
R, W, X = 1, 2, 4
IPA_SIZES = [32, 36, 40, 42, 44, 48]


class Quota:
    def __init__(self, ipa_bits, ram0, ram1, spare=0):
        self.data = u8(0x80) + u8(IPA_SIZES.index(ipa_bits)) + u16(ram0 - 1) + u16(ram1 - 1)
        self.data += u8(spare)

    def op(self, which, vm, page=0, perms=R):
        self.data += u8(which | vm << 3) + u16(page) + u8(perms)
        return self

    def elsewhere(self, vm, ipa):
        self.op(Q_ELSEWHERE, vm)
        self.data += u32(ipa >> 12)
        return self


def palloc():
    # A VM faulting its RAM in 2 MiB blocks and its tables page by page, interleaved, reset
    # in a loop: with a list of 64 free ranges the frees were dropped (issue 14, finding 2).
    loop = Pool([(0, 2048, 0), (0, 1536, 0x10)]).reserve(0, 0, 0x3000)
    for _ in range(3):
        held = []
        for i in range(6):
            held.append(loop.pages(512, 9))
            held += [loop.pages(1), loop.pages(1)]
        for k in held[1::2] + held[0::2]:
            loop.free(k)
    mixed = Pool([(0, 1024, 0), (0, 700, 0x123)])
    a, b, c = mixed.pages(24, 3), mixed.pages(1), mixed.pages(300, 4)
    mixed.free_part(c, 10, 100).free_part(a, 0, 1).free(b).pages(7, 1)
    mixed.free_any(0, 0x5000, 0x2000).free_any(0, 0x5000, 0x2000).free_any(1, 0x1001, 4096)
    mixed.alloc(0x1234, 0x40 | 12).alloc(0, 12).alloc(1 << 31 | 5, 12).alloc(8192, 63)
    mixed.free(c).free(a)
    odd = Pool([(AT_ZERO, 16, 0), (OVERLAP, 8, 0), (0, 0, 0), (0, 9, 0x800)] +
               [(0, 4, 0)] * 6)
    for n in (1, 1, 16):
        odd.pages(n)
    odd.reserve(1, -0x2000, 0x3001).pages(2, 1)
    seeds = {
        "vm-reset-loop": loop.data,
        "parts-and-bad-frees": mixed.data,
        "page-zero-overlap-too-many": odd.data,
    }
    # Stage-2 quotas: a VM booting (blocks, then pages made read-only or executable one by
    # one), the GICC mapping, resets; the other VM mapping outside its RAM until its quota
    # is used up, which must not stop the first.
    boot = Quota(40, 4096, 1024, spare=1)
    for vm in (0, 1):
        boot.op(Q_GICC, vm).op(Q_BLOCK, vm, 0, R | W | X).op(Q_PAGE, vm, 600, R | X)
        boot.op(Q_PROTECT, vm, 3, R | X).op(Q_PROTECT, vm, 4, R).op(Q_PAGE, vm, 1000, R | W)
        boot.op(Q_BLOCK, vm, 512, R | W).op(Q_BLOCK, vm, 2048, R | W | X)
    boot.op(Q_RESET, 0).op(Q_BLOCK, 0, 700, R | W).op(Q_PROTECT, 0, 701, R | X)
    greedy = Quota(44, 2048, 2048)
    for i in range(12):
        greedy.elsewhere(1, (3 << 30) + i * (1 << 30) + i * (2 << 20))
    for page in range(0, 2048, 256):
        greedy.op(Q_PAGE, 0, page, R | W).op(Q_PAGE, 1, page, R | W)
    greedy.op(Q_RESET, 1).op(Q_PAGE, 1, 5, R | X)
    seeds["quota-vm-boot"] = boot.data
    seeds["quota-other-vm-maps-elsewhere"] = greedy.data
    seeds["quota-48-bit-ipa"] = Quota(48, 1, 513).op(Q_PAGE, 0).op(Q_PAGE, 1, 512).data
    for name, data in seeds.items():
        write("palloc", name, data)


# --- Formatting (fuzz_format) ---------------------------------------------------------

CONVERSIONS = "diuxXopsc%"
LENGTHS = ["", "hh", "h", "l", "ll", "z", "t", "j"]


def fmt_text(s):
    return u8(len(s)) + s


def conversion(conv, flags="", width=None, star_width=None, precision=None,
               star_precision=None, length="", value=0, size=256, string=b"hello",
               before=b"", after=b""):
    f = sum(1 << "-0+ #".index(c) for c in flags)
    shape = 0
    w, p = 999, 50  # encodings of width 0 and precision 0
    if star_width is not None:
        shape |= 1
        w = star_width + 999
    elif width is not None:
        shape |= 2
        w = width + 999
    if star_precision is not None:
        shape |= 1 << 2
        p = star_precision + 50
    elif precision == ".":
        shape |= 3 << 2
    elif precision is not None:
        shape |= 2 << 2
        p = precision + 50
    data = fmt_text(before) + u8(CONVERSIONS.index(conv))
    if conv == "%":
        return data + fmt_text(after) + u64(0) + u16(size) + fmt_text(b"")
    data += u8(f) + u8(shape) + u16(w) + u16(p)
    if conv in "diuxXo":
        data += u8(LENGTHS.index(length))
    return data + fmt_text(after) + u64(value) + u16(size) + fmt_text(string)


def format_seeds():
    seeds = {
        "hex-zero-padded": conversion("x", "0", width=8, length="l", value=0xDEADBEEF,
                                      before=b"at 0x"),
        "signed-width": conversion("d", "-+", width=6, value=-42, after=b"|"),
        "size-t": conversion("u", length="z", value=2 ** 64 - 1, size=7),
        "string-precision": conversion("s", "-", width=10, precision=3, string=b"console"),
        "star-width-and-precision": conversion("d", star_width=-6, star_precision=4,
                                               value=42),
        "pointer": conversion("p", width=20, value=0x1234ABCD),
        "char": conversion("c", "-", width=3, value=ord("y")),
        "percent": conversion("%", before=b"100", after=b" sure"),
        "octal-alternate": conversion("o", "#", value=8, length="ll"),
        "empty-precision": conversion("X", "#", precision=".", value=0, size=1),
        # '#' with octal and a precision added a second leading zero.
        "crash-octal-alternate-precision": conversion("o", "-#", precision=165,
                                                      length="hh", value=0x7A, size=0),
    }
    for name, data in seeds.items():
        write("format", name, data)


def be16(v):
    return struct.pack(">H", v & 0xFFFF)


def be32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def be64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def hello(kind, max_payload=4096, host=0xBBBB000000000002):
    return u8(kind) + u8(0) + be16(max_payload) + be64(host)


def sealed(link_type, payload, session=None, seq=None):
    """fuzz_link.c's sealed frame: the current session and the number due unless given."""
    flags = (1 if session is not None else 0) | (2 if seq is not None else 0)
    data = u8(1) + u8(link_type) + u8(flags)
    if session is not None:
        data += u32(session)
    if seq is not None:
        data += u32(seq)
    return data + u16(len(payload)) + payload


def link_seeds():
    """Sessions as a peer drives them (fuzz_link.c's layout; frames as docs/migration.md)."""
    ping = be32(7) + be64(123456) + bytes(range(16))
    raw = b"\xff" * 6 + b"\x52\x54\x00\x5b\x00\x01" + b"\x88\xb5" + b"SK\x01\x03" + bytes(24)
    seeds = {
        "offer-accepted-then-pings": u8(1) + u8(3) + u32(0x1234) + sealed(1, hello(2)) +
        u8(4) + u16(3) + u16(16) + u8(2) + u16(500) + sealed(3, ping) +
        sealed(0x20, b"data") + sealed(2, b"bye"),
        "peer-offers-then-silence": u8(0) + sealed(1, hello(1), session=0x55, seq=0) +
        sealed(3, ping) + u8(2) + u16(1000) + u8(2) + u16(6000),
        "both-offer": u8(0) + u8(3) + u32(100) + sealed(1, hello(1), session=200, seq=0) +
        u8(4) + u16(1) + u16(0) + u8(5),
        "refused-hello-and-raw-frames": u8(0) + sealed(1, hello(1, max_payload=10), session=9,
                                                       seq=0) +
        u8(0) + u16(len(raw)) + raw + u8(0) + u16(13) + raw[:13],
        "no-room-to-answer": u8(1) + sealed(1, hello(1), session=0x77, seq=0) + u8(7) +
        sealed(3, ping) + u8(7) + u8(2) + u16(10),
    }
    for name, data in seeds.items():
        write("link", name, data)


# docs/migration.md, "The VM state": system registers by their MRS/MSR encodings.
def sysreg(op0, op1, crn, crm, op2):
    return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2


VMSTATE_SYSREGS = [sysreg(*e) for e in (
    (2, 0, 0, 2, 2), (3, 0, 0, 0, 5), (3, 0, 1, 0, 0), (3, 0, 1, 0, 1), (3, 0, 1, 0, 2),
    (3, 0, 2, 0, 0), (3, 0, 2, 0, 1), (3, 0, 2, 0, 2), (3, 0, 2, 1, 0), (3, 0, 2, 1, 1),
    (3, 0, 2, 1, 2), (3, 0, 2, 1, 3), (3, 0, 2, 2, 0), (3, 0, 2, 2, 1), (3, 0, 2, 2, 2),
    (3, 0, 2, 2, 3), (3, 0, 2, 3, 0), (3, 0, 2, 3, 1), (3, 0, 4, 0, 0), (3, 0, 4, 0, 1),
    (3, 0, 4, 1, 0), (3, 0, 5, 1, 0), (3, 0, 5, 1, 1), (3, 0, 5, 2, 0), (3, 0, 6, 0, 0),
    (3, 0, 7, 4, 0), (3, 0, 10, 2, 0), (3, 0, 10, 3, 0), (3, 0, 12, 0, 0), (3, 0, 12, 1, 1),
    (3, 0, 13, 0, 1), (3, 0, 13, 0, 4), (3, 0, 14, 1, 0), (3, 2, 0, 0, 0), (3, 3, 4, 4, 0),
    (3, 3, 4, 4, 1), (3, 3, 13, 0, 2), (3, 3, 13, 0, 3), (3, 3, 13, 0, 5), (3, 4, 4, 1, 0))]
ZCR_EL1 = sysreg(3, 0, 1, 2, 0)
# The timers, in guest ticks: CNTP_CTL/CVAL, CNTV_CTL/CVAL (a CTL holds ENABLE and IMASK only).
VMSTATE_TIMERS = [(sysreg(3, 3, 14, 2, 1), 1), (sysreg(3, 3, 14, 2, 2), 0x10000),
                  (sysreg(3, 3, 14, 3, 1), 3), (sysreg(3, 3, 14, 3, 2), 0x20000)]


def vcpu_record(index, pstate_fields, sve=False):
    fields = [(i, be64(0x1000 + i)) for i in range(31)] + [(0x20, be64(0x40001000)),
                                                           (0x30, u8(1)), (0x31, u8(0))]
    fields += [(0x40 + k, u8(v)) for k, v in pstate_fields.items()]
    fields += [(0x100 + i, bytes(range(i, i + 16))) for i in range(32)]
    if sve:
        fields += [(0x200, be16(16))] + [(0x240 + i, bytes([i, 0xA5])) for i in range(16)]
        fields += [(0x250, b"\xff\xff"), (ZCR_EL1, be64(0))]
    fields += [(r, be64(r)) for r in VMSTATE_SYSREGS]
    fields += [(r, be64(v)) for r, v in VMSTATE_TIMERS]
    body = be32(index) + b"".join(be16(i) + be16(len(v)) + v for i, v in sorted(fields))
    return be16(0x0010) + be16(0) + be32(len(body)) + body


def vmstate_seeds():
    """vCPU and header records as docs/migration.md defines them (fuzz_vmstate.c's layout)."""
    el1h = {0: 1, 4: 1, 5: 1, 6: 1, 7: 1, 11: 1, 12: 1}  # N, DAIF, EL 1, SP 1
    aarch32 = {10: 1, 21: 1, 23: 0xF, 25: 0xA5}  # nRW, T, GE, IT
    header = be16(1) + be16(0) + be32(16) + b"SKVM" + be16(1) + be16(0) + be32(1) + be32(2)
    seeds = {
        "vcpu-el1h": u8(0) + vcpu_record(0, el1h),
        "vcpu-el1h-sve": u8(0) + vcpu_record(1, el1h, sve=True),
        "vcpu-aarch32-user": u8(0) + vcpu_record(2, aarch32),
        "vcpu-el2-refused": u8(0) + vcpu_record(0, {11: 2}),
        "header": u8(1) + header,
        "header-version-2": u8(1) + header[:12] + be16(2) + header[14:],
    }
    seeds.update(vmstate_other_seeds())
    for name, data in seeds.items():
        write("vmstate", name, data)


POLICY_TOOL = os.path.join(TOP, "build", "tools", "skiff-policy")
OWNER_KEY = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"  # fixture's
HOST_A_ID = "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c"  # d = 3


def signed_policy(description, omit=()):
    """A policy built and signed by build/tools/skiff-policy from a description."""
    with tempfile.TemporaryDirectory() as tmp:
        desc, out = os.path.join(tmp, "policy.txt"), os.path.join(tmp, "policy.bin")
        with open(desc, "w") as f:
            f.write(description)
        cmd = [POLICY_TOOL, "build"]
        for field in omit:
            cmd += ["--omit", field]
        subprocess.run(cmd + [desc, OWNER_KEY, out], check=True)
        with open(out, "rb") as f:
            return f.read()


def policy_seeds():
    """Policies as docs/enclaves.md defines them (fuzz_policy.c's layout): whole and
    signed (selector 0), and their fields for the harness to sign (selector 1), with
    host claims after them (claims of host A: a Cortex-A72 at 62.5 MHz)."""
    base = ("migratable = yes\npolicy-svn = 3\nmin-skiff-svn = 1\nhost-key = " + HOST_A_ID +
            "\nhost-class = fleet-a\ncpu-profile = armv8.0\ncounter = mmio 62500000\n"
            "enclave-required = yes\n")
    variants = {
        "base": base,
        "armv8.2-native": base.replace("armv8.0", "armv8.2").replace("mmio", "native"),
        "classes-only": base.replace("host-key = " + HOST_A_ID + "\n", "") +
        "host-class = lab.2\nhost-class = Z_9\n",
        "not-migratable-sysreg": base.replace("= yes", "= no").replace("mmio", "sysreg"),
    }
    claims = bytes.fromhex(HOST_A_ID) + b"fleet-b".ljust(32, b"\0") + u32(1) + u32(3) + \
        u8(1) + u8(0) + u64(62500000) + u64(0x410FD083) + bytes(16) + bytes(8 * 39)
    for name, desc in variants.items():
        pol = signed_policy(desc)
        fields = pol[8:-64]
        write("policy", name, u8(0) + pol)
        write("policy", name + "-fields", u8(1) + u16(len(fields)) + fields + claims)
    write("policy", "missing-counter", u8(0) + signed_policy(base, omit=("counter",)))


def agent_seeds():
    """fuzz_agent.c's layout: a setup byte (bit 0 destination, bits 1-3 honest frames
    first), then frames: selector (bit 0 sealed by the harness, bit 1 raw HELLO), u16
    length, bytes. Each state reached, and each message sealed right where it is due."""
    for role in (0, 1):
        for warm in range(8):
            write("agent", f"{'dst' if role else 'src'}-after-{warm}", u8(role | warm << 1))
    policy = signed_policy("migratable = yes\npolicy-svn = 3\nmin-skiff-svn = 1\n"
                           "host-class = fleet-src\ncpu-profile = armv8.0\n"
                           "counter = mmio 62500000\nenclave-required = yes\n")

    def sealed(plain):
        return u8(1) + u16(len(plain)) + plain

    write("agent", "dst-policy", u8(1 | 2 << 1) + sealed(u8(1) + policy))
    write("agent", "src-result-accepted", u8(3 << 1) + sealed(b"\x02\x01\x00"))
    write("agent", "src-result-refused", u8(3 << 1) + sealed(b"\x02\x00\x03no"))
    write("agent", "src-attest", u8(4 << 1) + sealed(u8(3) + bytes(418 + 65 + 64)))
    write("agent", "src-error", u8(3 << 1) + sealed(u8(6) + b"why\x1b[2J"))
    write("agent", "dst-hello-raw", u8(1) + u8(2) + u16(67) + u16(1) + u8(1) + bytes(64))
    write("agent", "dst-finished", u8(1 | 6 << 1) + sealed(u8(4) + bytes(32)))
def vm_record(tag, body):
    """A record of format 1.0 after the vCPU's: header, u16 record version 1, the fields."""
    payload = be16(1) + body
    return be16(tag) + be16(0) + be32(len(payload)) + payload


def gic_irq(flags, priority, sources=0, route=None):
    return u8(flags) + u8(priority) + u8(sources) + (be64(route) if route is not None else b"")


def vmstate_other_seeds():
    """One record of each kind (docs/migration.md's tables), selector (kind << 1) first."""
    profile = be32(1) + b"armv8.0".ljust(32, b"\0") + be32(0) + be64(0x000F0800) + be64(0) + \
        be64(0) + b"".join(be64(0x11120 if i == 0 else 0) for i in range(39)) + \
        b"".join(be32(0x701FE00A) for _ in range(14))
    machine = b"demo".ljust(32, b"\0") + be64(0x40000000) + be64(64 << 20) + be32(2) + \
        be64(62500000) + u8(1) + u8(1) + u8(0) + u8(0) + profile
    counter = be64(62500000) + be64(123456789) + be64(123456789) + u8(0) + u8(0) + u8(0) + \
        be64(0)
    # SPIs: enabled group 1 level-sensitive, INTID 33 pending, routed to vCPU 0 (v3).
    spis = b"".join(gic_irq(0x09 | (0x02 if i == 1 else 0), 0xA0, 0, 0) for i in range(64))
    gic = u8(3) + u8(2) + be16(64) + spis
    # SGIs edge (bit 4), PPIs level; INTID 27 (the virtual timer) with its line up (bit 5).
    priv3 = b"".join(gic_irq(0x19 if i < 16 else (0x29 if i == 27 else 0x09), 0x80)
                     for i in range(32))
    cpuif = u8(0xF0) + u8(2) + u8(3) + u8(0x22) + be32(0) + be32(1) + u8(0)
    gic_cpu = be32(1) + priv3 + cpuif
    # GICv2: SGI 5 pending from vCPU 1 (bit 1 of its sources), group 0.
    priv2 = b"".join(gic_irq(0x13 if i == 5 else (0x11 if i < 16 else 0x01), 0x80,
                             0x02 if i == 5 else 0) for i in range(32))
    gic_cpu2 = be32(0) + priv2 + u8(0xF8) + u8(2) + u8(3) + u8(0x0D) + be32(1) + be32(0) + u8(0)
    pl011 = be16(0x50) + u8(3) + b"ls\r"
    pl031 = be64((-7200) & (2**64 - 1)) + be32(1700000000) + be32(0) + be32(1700000000) + \
        u8(1) + u8(0)
    dcc = be32(0x41) + be16(2) + b"hi"
    channel = u8(1) + be32(0x49435052) + be32(0x1234) + be32(0x5678) + be32(8) + be32(4) + \
        b"tool" + be32(2) + be32(0) + u8(1) + b"1 "
    backdoor = u8(1) + u8(4) + u8(0) + channel + u8(0) + u8(0)
    guestinfo = be32(10338) + u8(2) + u8(4) + b"role" + be16(3) + b"web" + u8(2) + b"ip" + \
        be16(0)
    page = bytes((i * 7) & 0xFF for i in range(4096))
    pages = be64(0x40010000) + be16(3) + u8(1) + page + u8(0) + u8(1) + page
    return {
        "machine": u8(1 << 1) + vm_record(0x0002, machine),
        "counter": u8(2 << 1) + vm_record(0x0020, counter),
        "gic": u8(3 << 1) + vm_record(0x0030, gic),
        "gic-cpu-v3": u8(4 << 1) + vm_record(0x0031, gic_cpu),
        "gic-cpu-v2": u8(5 << 1) + vm_record(0x0031, gic_cpu2),
        "pl011": u8(6 << 1) + vm_record(0x0040, pl011),
        "pl031": u8(7 << 1) + vm_record(0x0041, pl031),
        "dcc": u8(8 << 1) + vm_record(0x0042, dcc),
        "backdoor": u8(9 << 1) + vm_record(0x0050, backdoor),
        "guestinfo": u8(10 << 1) + vm_record(0x0051, guestinfo),
        "pages": u8(11 << 1) + vm_record(0x0060, pages),
        "pages-outside-ram": u8(11 << 1) + vm_record(0x0060, be64(0x80000000) + be16(1) + u8(0)),
    }


def main():
    for harness in ("config", "platform", "acpi_reader", "dt2acpi", "input", "screen",
                    "message", "stage2", "timescale", "cpu_profile", "format", "link",
                    "vmstate", "vgic", "palloc", "policy", "agent"):
        shutil.rmtree(os.path.join(CORPUS, harness), ignore_errors=True)
    configs()
    device_trees()
    acpi_tables()
    terminal_input()
    screen()
    backdoor()
    stage2()
    timescale()
    cpu_profile_seeds()
    format_seeds()
    link_seeds()
    vmstate_seeds()
    vgic()
    palloc()
    policy_seeds()
    agent_seeds()
    print(f"fuzz-seeds: corpora written under {os.path.relpath(CORPUS, TOP)}")


if __name__ == "__main__":
    main()
