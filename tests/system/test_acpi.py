"""Device tree -> ACPI (docs/acpi.md): build/tools/dt2acpi on QEMU's virt device trees and on
the board device trees of Debian's arm64 kernel package, checked with the real ACPI tools:
every table disassembles with `iasl -d` without errors or warnings, and `acpiexec` loads the
tables and evaluates every device's _HID and _CRS."""
import concurrent.futures
import os
import re
import struct
import subprocess

import pytest

from skiff import BUILD, GICS, Vm, assert_tap_passed, boot

DT2ACPI = os.path.join(BUILD, "tools", "dt2acpi")
BOARD_DTBS = os.path.join(BUILD, "images", "dtbs")
# Boards of every kind the issue names: nested buses, GICv2, GICv3 with an ITS, spin-table
# CPUs (Raspberry Pi 4), PSCI CPUs.
ACPIEXEC_BOARDS = [
    "broadcom/bcm2711-rpi-4-b.dtb",
    "allwinner/sun50i-a64-pine64-plus.dtb",
    "rockchip/rk3399-rockpro64.dtb",
    "freescale/fsl-ls1046a-rdb.dtb",
    "xilinx/avnet-ultra96-rev1.dtb",
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def qemu_dtb(path, gic, smp, drop=()):
    """QEMU's own device tree of the virt machine, with nodes removed by `fdtput -r`."""
    r = run(["timeout", "30", "qemu-system-aarch64", "-M",
             f"virt,virtualization=on,gic-version={gic},dumpdtb={path}", "-cpu", "max",
             "-smp", str(smp), "-m", "1G", "-nographic"])
    assert os.path.getsize(path) > 0, r.stderr
    for node in drop:
        r = run(["fdtput", "-r", path, node])
        assert r.returncode == 0, r.stderr
    return path


def convert(dtb, out, *extra):
    r = run([DT2ACPI, dtb, "-o", str(out), *extra])
    return r


def check_rsdp(out):
    """iasl 20200925 does not read a lone RSDP: its fields are checked here."""
    data = open(os.path.join(out, "RSDP.dat"), "rb").read()
    assert len(data) == 36 and data[:8] == b"RSD PTR "
    assert sum(data[:20]) % 256 == 0 and sum(data) % 256 == 0
    assert data[15] == 2 and struct.unpack_from("<I", data, 20)[0] == 36
    xsdt = open(os.path.join(out, "XSDT.dat"), "rb").read()
    assert (len(xsdt) - 36) // 8 == len(tables(out)) - 3  # all but RSDP, XSDT, DSDT


def tables(out):
    return sorted(f for f in os.listdir(out) if f.endswith(".dat"))


def disassemble(out):
    """iasl -d on every table: no errors, no warnings, a .dsl for each."""
    files = [f for f in tables(out) if f != "RSDP.dat"]
    r = run(["iasl", "-d", *files], cwd=out)
    assert r.returncode == 0, r.stdout + r.stderr
    bad = [line for line in (r.stdout + r.stderr).splitlines()
           if re.search(r"\b(error|warning)\b", line, re.I) and "0 Errors" not in line]
    assert not bad, bad
    for f in files:
        assert os.path.getsize(os.path.join(out, f[:-4] + ".dsl")) > 0, f
    return open(os.path.join(out, "DSDT.dsl")).read()


def evaluate_devices(out, dsl):
    """acpiexec: load the tables, evaluate _HID of every device and _CRS where it has one."""
    devices = re.findall(r"Device \((\w{4})\)\s*\{\s*Name \(_HID", dsl)
    assert devices
    cmds = []
    for dev in devices:
        cmds.append(f"evaluate \\_SB.{dev}._HID")
        block = dsl[dsl.index(f"Device ({dev})"):]
        block = block[:block.find("Device (", 10) if "Device (" in block[10:] else None]
        if "_CRS" in block:
            cmds.append(f"evaluate \\_SB.{dev}._CRS")
    files = [f for f in tables(out) if f not in ("RSDP.dat", "XSDT.dat")]
    # Commands on standard input: -b takes at most 1023 characters.
    r = run(["acpiexec", *files], cwd=out, input="\n".join(cmds + ["quit"]) + "\n")
    text = r.stdout + r.stderr
    assert r.returncode == 0, text
    assert "AE_" not in text.replace("AE_OK", ""), text[-3000:]
    assert text.count("returned object") == len(cmds), text[-3000:]
    return devices


GIC_SMP = [(gic, smp) for gic in (2, 3) for smp in (1, 2, 4, 8)]
VARIANTS = {
    "full": (),
    "no-pcie": ("/pcie@10000000",),
    "no-virtio": tuple(f"/virtio_mmio@{0xa000000 + 0x200 * i:x}" for i in range(32)),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("gic,smp", GIC_SMP)
def test_acpi_qemu_virt_tables_validate(tmp_path, gic, smp, variant):
    dtb = qemu_dtb(str(tmp_path / "virt.dtb"), gic, smp, VARIANTS[variant])
    out = tmp_path / "acpi"
    r = convert(dtb, out)
    assert r.returncode == 0, r.stderr
    check_rsdp(out)
    dsl = disassemble(out)
    devices = evaluate_devices(out, dsl)
    assert sum(d.startswith("C0") for d in devices) == smp
    assert ("PCI0" in devices) == (variant != "no-pcie")
    assert ("VR00" in devices) == (variant != "no-virtio")
    assert ("MCFG.dat" in tables(out)) == (variant != "no-pcie")
    madt = open(out / "APIC.dat", "rb").read()
    assert madt.count(b"\x0b\x50") >= smp  # a GICC (type 11, length 80) per CPU


def board_dtbs():
    found = []
    for top, _, files in os.walk(BOARD_DTBS):
        found += [os.path.join(top, f) for f in files if f.endswith(".dtb")]
    return sorted(found)


def convert_and_disassemble(dtb, out):
    r = convert(dtb, out)
    if r.returncode != 0:
        return r.stderr.strip()
    check_rsdp(out)
    check_unique_ids(disassemble(out))
    return None


def check_unique_ids(dsl):
    """No two devices with the same _HID have the same _UID (ACPI 6.4, 6.1.12)."""
    seen = {}
    for name, text in dsl_devices(dsl).items():
        m = re.search(r"Name \(_UID, (\w+)\)", text)
        if not m or not hid(text):
            continue
        words = {"Zero": 0, "One": 1}
        uid = words[m.group(1)] if m.group(1) in words else int(m.group(1), 0)
        other = seen.setdefault((hid(text), uid), name)
        assert other == name, f"{name} and {other}: _HID {hid(text)}, _UID {uid}"


def test_acpi_every_board_dtb_of_the_debian_kernel(tmp_path):
    """All of them: those with a GIC convert and validate; those without (Raspberry Pi 3's
    BCM2837 has its own interrupt controller) are refused with that reason."""
    dtbs = board_dtbs()
    assert len(dtbs) > 100, f"{BOARD_DTBS}: run `make images`"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(dtbs, pool.map(
            lambda d: convert_and_disassemble(d, tmp_path / os.path.basename(d)), dtbs)))
    refused = {d: why for d, why in results.items() if why}
    for dtb, why in refused.items():
        assert "no GIC" in why and os.path.basename(dtb) in why, why
        has_gic = run(["fdtget", "-t", "s", dtb, "/", "compatible"])  # a sanity read
        assert has_gic.returncode == 0
        assert b"arm,gic" not in open(dtb, "rb").read(), f"{dtb} has a GIC: {why}"
    assert len(refused) < len(dtbs) // 10, sorted(refused)


@pytest.mark.parametrize("board", ACPIEXEC_BOARDS)
def test_acpi_board_devices_evaluate(tmp_path, board):
    dtb = os.path.join(BOARD_DTBS, board)
    out = tmp_path / "acpi"
    r = convert(dtb, out, "--verbose")
    assert r.returncode == 0, r.stderr
    dsl = disassemble(out)
    devices = evaluate_devices(out, dsl)
    assert len(devices) > 4, devices
    assert "PRP0001" in dsl and "daffd814-6eba-4d8c-8a91-bc9bbf4aa301" in dsl
    if "rpi-4" in board:
        assert "spin-table in the DT" in r.stdout


# The console of real boards, one of each kind of UART, and what their SPCR must say: worked
# out by hand from each tree's /chosen/stdout-path, /aliases and the UART node (its "reg"
# through the buses' ranges, its GIC SPI + 32, reg-shift/reg-io-width, clocks, options).
# (board, interface type, GAS bit width, access size, base, GSIV, baud code, precise baud,
#  UART clock, _HID of the device the DBG2 names)
CONSOLE_BOARDS = [
    # serial1:115200n8, the mini UART at 0x7e215040 (0xfe215040 through /soc's ranges), its
    # block (BCM2836) 0x40 below; SPI 93; its clock from the aux controller: unknown.
    ("broadcom/bcm2711-rpi-4-b.dtb", 0x10, 32, 3, 0xfe215000, 125, 7, 0, 0, "BCM2836"),
    # serial2:1500000n8, a DesignWare UART (rockchip,rk3399-uart), reg-shift 2 reg-io-width 4,
    # SPI 100 of a 4-cell GICv3; 1500000 has no SPCR code: precise baud rate.
    ("rockchip/rk3399-rockpro64.dtb", 0x12, 32, 3, 0xff1a0000, 132, 0, 1500000, 0, "PRP0001"),
    # serial0:115200n8, DesignWare, reg-shift 2 reg-io-width 4, SPI 0.
    ("allwinner/sun50i-a64-pine64-plus.dtb", 0x12, 32, 3, 0x1c28000, 32, 7, 0, 0, "PRP0001"),
    # serial0:115200n8, fsl,ns16550 with byte registers, SPI 54, clock from clockgen: PRP0001.
    ("freescale/fsl-ls1046a-rdb.dtb", 0x12, 8, 1, 0x21c0500, 86, 7, 0, 0, "PRP0001"),
    # serial0:115200n8, "arm,sbsa-uart", "arm,pl011": an SBSA UART, SPI 32.
    ("freescale/fsl-lx2160a-clearfog-cx.dtb", 0x0e, 32, 3, 0x21c0000, 64, 7, 0, 0, "ARMHB000"),
    # serial0:115200n8, nvidia,tegra20-uart; its interrupt goes through the legacy
    # interrupt controller, not the GIC directly: no GSIV (polled).
    ("nvidia/tegra210-p2371-2180.dtb", 0x05, 32, 3, 0x70006000, 0, 7, 0, 0, "NVDA0100"),
    # a full path without options, an i.MX 6 UART (fsl,imx6q-uart), SPI 27.
    ("freescale/imx8mm-evk.dtb", 0x0c, 32, 3, 0x30890000, 59, 0, 0, 0, "PRP0001"),
    # serial2:115200n8, ti,am654-uart: byte accesses 4 bytes apart, SPI 178, 48 MHz.
    ("ti/k3-am642-evm.dtb", 0x06, 32, 1, 0x2800000, 210, 7, 0, 48000000, "PRP0001"),
    # a full path, a PL011 on the 100 MHz fixed clock, SPI 328.
    ("amd/amd-overdrive-rev-b1.dtb", 0x03, 32, 3, 0xe1010000, 360, 0, 0, 100000000,
     "ARMH0011"),
]


def dsl_field(dsl, name):
    m = re.search(r"\]\s+" + re.escape(name) + r" : (\S+)", dsl)
    assert m, (name, dsl[:2000])
    return m.group(1).strip('"')


@pytest.mark.parametrize("board,kind,width,access,base,gsiv,code,precise,clock,device_hid",
                         CONSOLE_BOARDS, ids=[b[0] for b in CONSOLE_BOARDS])
def test_acpi_board_console_spcr_decodes(tmp_path, board, kind, width, access, base, gsiv,
                                         code, precise, clock, device_hid):
    """The SPCR and DBG2 of a real board's console, as iasl decodes them (revision 2's
    fields; iasl 20200925 shows revision 4's clock and precise baud rate as raw bytes,
    read here at the offsets Microsoft gives), and the DSDT device they name: its _HID,
    and acpiexec evaluating its _HID and _CRS."""
    out = tmp_path / "acpi"
    r = convert(os.path.join(BOARD_DTBS, board), out)
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr
    dsdt = disassemble(out)
    spcr = open(out / "SPCR.dsl").read()
    dbg2 = open(out / "DBG2.dsl").read()
    assert int(dsl_field(spcr, "Revision"), 16) == 4
    assert int(dsl_field(spcr, "Interface Type"), 16) == kind
    assert int(dsl_field(spcr, "Bit Width"), 16) == width
    assert int(dsl_field(spcr, "Encoded Access Width"), 16) == access
    assert int(dsl_field(spcr, "Address"), 16) == base
    assert int(dsl_field(spcr, "Interrupt Type"), 16) == (8 if gsiv else 0)  # GIC
    assert int(dsl_field(spcr, "Interrupt"), 16) == gsiv
    assert int(dsl_field(spcr, "Baud Rate"), 16) == code
    raw = open(out / "SPCR.dat", "rb").read()
    assert struct.unpack_from("<II", raw, 76) == (clock, precise)
    assert int(dsl_field(dbg2, "Port Type"), 16) == 0x8000
    assert int(dsl_field(dbg2, "Port Subtype"), 16) == kind
    assert int(dsl_field(dbg2, "Bit Width"), 16) == width
    assert int(dsl_field(dbg2, "Address"), 16) == base
    path = dsl_field(dbg2, "Namepath")
    ns_len, ns_off = struct.unpack_from("<HH", raw, 84)
    assert raw[ns_off:ns_off + ns_len] == path.encode() + b"\0"  # the SPCR names it too
    device = path.split(".")[-1]
    assert hid(dsl_devices(dsdt)[device]) == device_hid
    files = [f for f in tables(out) if f not in ("RSDP.dat", "XSDT.dat")]
    r = run(["acpiexec", *files], cwd=out,
            input=f"evaluate {path}._HID\nevaluate {path}._CRS\nquit\n")
    assert r.returncode == 0 and "AE_" not in (r.stdout + r.stderr).replace("AE_OK", "")
    assert (r.stdout + r.stderr).count("returned object") == 2, r.stdout[-3000:]


def test_dt2acpi_warns_of_a_stdout_path_naming_nothing(tmp_path):
    """A board tree whose stdout-path names an alias it does not have: dt2acpi says so on
    standard error (without --verbose), converts, and takes the first known UART."""
    dtb = tmp_path / "board.dtb"
    dtb.write_bytes(open(os.path.join(BOARD_DTBS, "allwinner/sun50i-a64-pine64-plus.dtb"),
                         "rb").read())
    r = run(["fdtput", "-t", "s", str(dtb), "/chosen", "stdout-path", "serial9:115200n8"])
    assert r.returncode == 0, r.stderr
    r = convert(str(dtb), tmp_path / "acpi")
    assert r.returncode == 0, r.stderr
    assert (f"dt2acpi: {dtb}: warning: stdout-path \"serial9:115200n8\" names an alias that "
            "/aliases does not have: the first UART of a known kind is taken instead"
            in r.stderr), r.stderr
    assert os.path.exists(tmp_path / "acpi" / "SPCR.dat")


def test_dt2acpi_refuses_malformed_input(tmp_path):
    good = qemu_dtb(str(tmp_path / "virt.dtb"), 3, 1)
    data = open(good, "rb").read()
    cases = {
        "truncated.dtb": data[:len(data) // 2],
        "garbage.dtb": b"\x00" * 100,
        "short.dtb": data[:20],
        # The structure block's first token corrupted: only a full check finds it.
        "corrupt.dtb": data[:struct.unpack_from(">I", data, 8)[0]] + b"\xff\xff\xff\xff"
        + data[struct.unpack_from(">I", data, 8)[0] + 4:],
    }
    # A property 12 bytes long less 12 (a fuzzing find): libfdt 1.6 walks on the spot forever.
    prop = struct.unpack_from(">I", data, 8)[0] + 8  # the first tag after the root's name
    assert struct.unpack_from(">I", data, prop)[0] == 3  # FDT_PROP
    cases["wrapping-property.dtb"] = (data[:prop + 4] + struct.pack(">I", 0xfffffff4)
                                      + data[prop + 8:])
    for name, blob in cases.items():
        path = tmp_path / name
        path.write_bytes(blob)
        r = convert(str(path), tmp_path / ("out-" + name))
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert name in r.stderr and ("device tree" in r.stderr or "FDT" in r.stderr), r.stderr
        assert not os.path.exists(tmp_path / ("out-" + name))
    r = convert(str(tmp_path / "missing.dtb"), tmp_path / "o")
    assert r.returncode == 1 and "No such file" in r.stderr
    r = run([DT2ACPI, good])
    assert r.returncode == 2 and "usage" in r.stderr


@pytest.mark.parametrize("gic", GICS)
def test_acpi_skiff_discovers_its_platform_through_acpi(gic):
    """At boot Skiff converts its device tree and reads CPUs, GIC, timer and console back from
    MADT, GTDT and SPCR; the VMs then run on that description."""
    run = boot([Vm("hello", "hello"), Vm("irq", "irq", vcpus=2)], gic=gic, smp=2)
    out = run.output
    assert re.search(r"acpi: \d+ tables \(\d+ bytes\) generated from the device tree", out), out
    assert (f"acpi: 2 CPU(s) and GICv{gic} from the MADT, 4 timer interrupt(s) from the GTDT, "
            "console arm,pl011 at 0x9000000 from the SPCR") in out, out
    assert f"gic: v{gic}, distributor 0x8000000" in out
    assert_tap_passed(run, "hello")
    assert_tap_passed(run, "irq")


def test_acpi_boot_options():
    """skiff.acpi=off keeps the device tree; skiff.acpi=verbose explains the conversion."""
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.acpi=off"])
    assert "acpi: off (skiff.acpi=off): the device tree describes the platform" in run.output
    assert "from the MADT" not in run.output
    assert_tap_passed(run, "hello")
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.acpi=verbose"])
    assert "acpi: /pl011@9000000: arm,pl011 -> \\_SB.COM0 (ARMH0011)" in run.output, run.output
    assert "from the MADT" in run.output
    assert_tap_passed(run, "hello")


def test_acpi_bad_handed_over_tables_keep_the_device_tree():
    """skiff.rsdp= pointing at no tables, or not an address: said, and Skiff boots on the DT."""
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.rsdp=0x40001000"])
    assert "acpi: using the tables handed over at RSDP 0x40001000" in run.output
    assert ("ACPI: RSDP: no valid RSDP there: keeping the device tree's description"
            in run.output), run.output
    assert_tap_passed(run, "hello")
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.rsdp=zz"])
    assert "acpi: skiff.rsdp=zz is not a hexadecimal address" in run.output
    assert "from the MADT" in run.output  # generated from the DT instead
    assert_tap_passed(run, "hello")


# --- Against QEMU's own tables for the same machine --------------------------------------

QEMU_ACPI = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "qemu_acpi.py")
HEX = r"0x([0-9A-Fa-f]+)"


def dsl_devices(dsl):
    """{name: the device's own text}, nested devices cut out of their parent's text."""
    devices = {}

    def block(start):  # index just past the "}" matching the "{" at or after start
        depth, i = 0, dsl.index("{", start)
        while True:
            depth += {"{": 1, "}": -1}.get(dsl[i], 0)
            i += 1
            if depth == 0:
                return i

    for m in re.finditer(r"Device \((\w+)\)", dsl):
        end, own, pos = block(m.end()), "", m.end()
        for inner in re.finditer(r"Device \((\w+)\)", dsl[m.end():end]):
            if m.end() + inner.start() >= pos:
                own += dsl[pos:m.end() + inner.start()]
                pos = block(m.end() + inner.end())
        devices[m.group(1)] = own + dsl[pos:end]
    return devices


def hid(text):
    m = re.search(r'Name \(_HID, (?:EisaId \()?"(\w+)"', text)
    return m and m.group(1)


def resources(text):
    """Memory ranges, windows (kind, minimum, maximum, translation, length) and interrupts."""
    mem = {(int(b, 16), int(n, 16)) for b, n in re.findall(
        HEX + r",\s*// Address Base\s*" + HEX + r",\s*// Address Length", text)}
    windows = {(kind, *(int(v, 16) for v in vals)) for kind, *vals in re.findall(
        r"(Memory|IO|BusNumber) \([^)]*?\n\s*" + HEX + r",\s*// Granularity\s*" + HEX
        + r",\s*// Range Minimum\s*" + HEX + r",\s*// Range Maximum\s*" + HEX
        + r",\s*// Translation Offset\s*" + HEX + r",\s*// Length", text)}
    windows = {(w[0],) + w[2:] for w in windows}  # granularity does not matter
    irqs = {int(v, 16) for block in re.findall(r"Interrupt \([^)]*\)\s*\{([^}]*)\}", text)
            for v in re.findall(HEX, block)}
    return mem, windows, irqs


def by_hid(dsl, wanted):
    return sorted((resources(text) for text in dsl_devices(dsl).values() if hid(text) == wanted),
                  key=lambda r: sorted(r[0]))


def prt(dsl, devices):
    """_PRT as {(address, pin): GSIV}; QEMU's entries name link devices GSIn, ours a GSIV."""
    pci = next(t for t in devices.values() if hid(t) == "PNP0A08")
    links = {name: min(resources(t)[2]) for name, t in devices.items()
             if hid(t) == "PNP0C0F"}
    table = {}
    for addr, pin, src, index in re.findall(
            r"Package \(0x04\)\s*\{\s*(\w+),\s*(\w+),\s*(\w+),\s*(\w+)\s*\}", pci):
        num = {"Zero": 0, "One": 1}
        value = lambda s: num[s] if s in num else int(s, 16)  # noqa: E731
        table[(value(addr), value(pin))] = links[src] if src in links else value(index)
    return table


def madt_summary(path):
    data = open(path, "rb").read()
    pos, gicc, gicd, gicr = 44, [], None, []
    while pos < len(data):
        kind, length = data[pos], data[pos + 1]
        if kind == 0x0B:
            gicc.append((struct.unpack_from("<Q", data, pos + 68)[0],
                         struct.unpack_from("<Q", data, pos + 32)[0]))
        elif kind == 0x0C:
            gicd = (struct.unpack_from("<Q", data, pos + 8)[0], data[pos + 20])
        elif kind == 0x0E:
            gicr.append(struct.unpack_from("<QI", data, pos + 4))
        pos += length
    return gicc, gicd, gicr


def gtdt_timers(path):
    data = open(path, "rb").read()
    # GSIV and flags of the secure, non-secure, virtual and EL2 timers; always-on aside.
    return [(struct.unpack_from("<I", data, off)[0], struct.unpack_from("<I", data, off + 4)[0]
             & 3) for off in (48, 56, 64, 72)]


def spcr_summary(path):
    data = open(path, "rb").read()
    return data[36], struct.unpack_from("<Q", data, 44)[0], struct.unpack_from("<I", data, 54)[0]


@pytest.mark.parametrize("gic,smp", [(3, 4), (2, 2)])
def test_acpi_agrees_with_qemus_own_tables(tmp_path, gic, smp):
    """What must agree with the tables QEMU builds for the same virt machine (fetched from
    fw_cfg): GICC count and MPIDRs, GICD/GICR (GICv2: GICC) bases, GTDT interrupts and
    flags, SPCR base and interrupt, the DSDT's UART, virtio-mmio and PCIe devices (_HID and
    _CRS, _PRT) and the ECAM region. The legitimate differences are in docs/acpi.md."""
    qemu = tmp_path / "qemu"
    r = run(["/usr/bin/python3", QEMU_ACPI, str(qemu), "--", "-M",
             f"virt,virtualization=on,gic-version={gic}", "-cpu", "max", "-smp", str(smp),
             "-m", "1G"])
    assert r.returncode == 0, r.stderr
    ours = tmp_path / "ours"
    r = convert(str(qemu / "machine.dtb"), ours)
    assert r.returncode == 0, r.stderr
    # QEMU's checksums are left to its firmware's table loader: iasl warns about them.
    run(["iasl", "-d", *[f for f in tables(qemu) if f != "RSDP.dat"]], cwd=qemu)
    theirs_dsl = open(qemu / "DSDT.dsl").read()
    ours_dsl = disassemble(ours)

    q_gicc, q_gicd, q_gicr = madt_summary(qemu / "APIC.dat")
    o_gicc, o_gicd, o_gicr = madt_summary(ours / "APIC.dat")
    assert len(o_gicc) == len(q_gicc) == smp
    assert [m for m, _ in o_gicc] == [m for m, _ in q_gicc]
    assert [b for _, b in o_gicc] == [b for _, b in q_gicc]  # GICC base (GICv2)
    assert o_gicd == q_gicd
    assert o_gicr == q_gicr
    assert gtdt_timers(ours / "GTDT.dat") == gtdt_timers(qemu / "GTDT.dat")
    assert spcr_summary(ours / "SPCR.dat") == spcr_summary(qemu / "SPCR.dat")

    for wanted in ("ARMH0011", "LNRO0005", "PNP0A08", "PNP0C02"):
        ours_res = by_hid(ours_dsl, wanted)
        assert ours_res and all(any(part) for part in ours_res), (wanted, ours_res)
        assert ours_res == by_hid(theirs_dsl, wanted), wanted
    assert len(by_hid(ours_dsl, "LNRO0005")) == 32
    assert len(by_hid(ours_dsl, "PNP0A08")[0][1]) == 4  # buses, I/O, 32- and 64-bit memory
    routing = prt(ours_dsl, dsl_devices(ours_dsl))
    assert len(routing) == 128
    assert routing == prt(theirs_dsl, dsl_devices(theirs_dsl))


def test_acpi_skiff_uses_tables_handed_over(tmp_path):
    """skiff.rsdp=ADDR with skiff.acpi=firmware: tables loaded by someone else (here QEMU's
    loader device, built by dt2acpi --image for that address) are read, not generated."""
    dtb = qemu_dtb(str(tmp_path / "virt.dtb"), 3, 2)
    image = tmp_path / "tables.bin"
    r = convert(dtb, tmp_path / "acpi", "--image", str(image), "--base", "0x7f000000")
    assert r.returncode == 0, r.stderr
    run = boot([Vm("hello", "hello")], extra=[
        "-append", "skiff.rsdp=0x7f000000 skiff.acpi=firmware",
        "-device", f"loader,file={image},addr=0x7f000000,force-raw=on"])
    assert "acpi: using the tables handed over at RSDP 0x7f000000" in run.output, run.output
    assert "generated from the device tree" not in run.output
    assert "acpi: 2 CPU(s) and GICv3 from the MADT" in run.output
    assert_tap_passed(run, "hello")
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.acpi=firmware"])
    assert ("acpi: skiff.acpi=firmware but no tables handed over (skiff.rsdp=): keeping the "
            "device tree's description") in run.output
    assert_tap_passed(run, "hello")
    run = boot([Vm("hello", "hello")], extra=["-append", "skiff.acpi=convert skiff.rsdp=0x10"])
    assert "generated from the device tree" in run.output
    assert "handed over" not in run.output
