"""CPU profiles (docs/migration.md, "CPU profiles"): a VM sees its profile's ID registers,
caches and MIDR on every host, what the profile hides is taken away where it can be, and a
host that cannot give a profile refuses the VM, naming the field and both values.

The cpuid guest prints every ID register ("id NAME 0xVALUE") and checks that what they say
is what the CPU does; these tests compare the printed values with the documented profile.
"""

import re

import pytest

from skiff import Vm, assert_tap_passed, boot

# "armv8.0" as docs/migration.md lists it, on a host with a GICv3 (ID_AA64PFR0_EL1.GIC and
# ID_PFR1_EL1.GIC say 1); DCZID_EL0 is the hardware's (64-byte blocks on these hosts).
ARMV8_0 = {
    "MIDR_EL1": 0xf0800, "REVIDR_EL1": 0, "AIDR_EL1": 0,
    "ID_PFR0_EL1": 0x131, "ID_PFR1_EL1": 0x10010001, "ID_DFR0_EL1": 0x3000006,
    "ID_AFR0_EL1": 0, "ID_MMFR0_EL1": 0x10101105, "ID_MMFR1_EL1": 0x40000000,
    "ID_MMFR2_EL1": 0x1260000, "ID_MMFR3_EL1": 0x2102211, "ID_ISAR0_EL1": 0x2101110,
    "ID_ISAR1_EL1": 0x13112111, "ID_ISAR2_EL1": 0x21232042, "ID_ISAR3_EL1": 0x1112131,
    "ID_ISAR4_EL1": 0x11142, "ID_ISAR5_EL1": 0x11121, "ID_MMFR4_EL1": 0, "ID_ISAR6_EL1": 0,
    "MVFR0_EL1": 0x10110222, "MVFR1_EL1": 0x12111111, "MVFR2_EL1": 0x43, "ID_PFR2_EL1": 0,
    "ID_DFR1_EL1": 0, "ID_MMFR5_EL1": 0,
    "ID_AA64PFR0_EL1": 0x1000012, "ID_AA64PFR1_EL1": 0, "ID_AA64PFR2_EL1": 0,
    "ID_AA64ZFR0_EL1": 0, "ID_AA64SMFR0_EL1": 0, "ID_AA64FPFR0_EL1": 0,
    "ID_AA64DFR0_EL1": 0x10305106, "ID_AA64DFR1_EL1": 0, "ID_AA64AFR0_EL1": 0,
    "ID_AA64AFR1_EL1": 0, "ID_AA64ISAR0_EL1": 0x11120, "ID_AA64ISAR1_EL1": 0,
    "ID_AA64ISAR2_EL1": 0, "ID_AA64ISAR3_EL1": 0, "ID_AA64MMFR0_EL1": 0x1124,
    "ID_AA64MMFR1_EL1": 0, "ID_AA64MMFR2_EL1": 0, "ID_AA64MMFR3_EL1": 0,
    "ID_AA64MMFR4_EL1": 0, "RESERVED_C3_3": 0, "RESERVED_C7_7": 0,
    "CTR_EL0": 0x84448004, "CLIDR_EL1": 0xa200023, "DCZID_EL0": 0x4,
    # 32 KiB 2-way L1 data, 48 KiB 3-way L1 instruction, 2 MiB 16-way L2, 64-byte lines.
    "CCSIDR_L1_D": 0x701fe00a, "CCSIDR_L1_I": 0x201fe012, "CCSIDR_L2_D": 0x70ffe07a,
}

# "armv8.2": armv8.0 and these (docs/migration.md).
ARMV8_2 = {
    **ARMV8_0,
    "MIDR_EL1": 0xf0820, "ID_ISAR5_EL1": 0x1011121, "ID_ISAR6_EL1": 0x10,
    "MVFR1_EL1": 0x13211111,
    "ID_AA64ISAR0_EL1": 0x100010211120, "ID_AA64ISAR1_EL1": 0x100001,
    "ID_AA64PFR0_EL1": 0x1100000001110012, "ID_AA64PFR1_EL1": 0x10,
    "ID_AA64MMFR0_EL1": 0x1125, "ID_AA64MMFR1_EL1": 0x101000, "ID_AA64MMFR2_EL1": 0x1011,
    # 64 KiB 4-way L1 data and instruction, 1 MiB 8-way L2.
    "CCSIDR_L1_D": 0x701fe01a, "CCSIDR_L1_I": 0x201fe01a, "CCSIDR_L2_D": 0x70ffe03a,
}

# A base with changes: LSE on, DC ZVA prohibited, a MIDR of its own.
CUSTOM = ('cpu-profile { base = "armv8.0"; profile-name = "custom-80"; lse = "on"; '
          'DCZID_EL0.DZP = <1>; midr = <0x410fd083>; };')
CUSTOM_VALUES = {**ARMV8_0, "MIDR_EL1": 0x410fd083, "ID_AA64ISAR0_EL1": 0x211120,
                 "DCZID_EL0": 0x14}


def cpuid_vm(name, cpu, profile=None, midr=None, extra=""):
    """The cpuid guest with cpu-profile @profile (a name; None: no property, i.e. "host")."""
    args = []
    props = []
    if profile:
        props.append(f'cpu-profile = "{profile}";')
    if profile or extra:
        args.append("profile=1")
    if midr is not None:
        args.append(f"midr={midr:#x}")
    props.append(f'bootargs = "{" ".join(args)}";')
    if extra:
        props.append(extra)  # a node: after the properties
    return Vm(name, "cpuid", cpu=cpu, extra="\n\t\t\t".join(props))


def id_values(run, vm):
    """The "id NAME 0xVALUE" lines the cpuid guest printed, as a dict."""
    values = {}
    for line in run.vm_lines(vm):
        m = re.match(r"^id (\w+) (0x[0-9a-f]+)$", line)
        if m:
            values[m.group(1)] = int(m.group(2), 16)
    assert values, f"{vm} printed no ID registers:\n{run.output}"
    return values


def assert_values(run, vm, expected):
    seen = id_values(run, vm)
    wrong = {k: (hex(seen.get(k, -1)), hex(v)) for k, v in expected.items() if seen.get(k) != v}
    assert not wrong, f"{vm}: registers (seen, expected) {wrong}"


def host_midr(run):
    m = re.search(r"cpu features: MIDR (0x[0-9a-f]+)", run.output)
    assert m, run.output
    return int(m.group(1), 16)


def test_profiles_on_max():
    """QEMU 7.2's -cpu max (LSE, PAuth, SVE, SME, ...). On CPU 0 an "armv8.0" VM and a
    "host" VM take turns (the cpuid guest yields): each sees its own registers, SVE and
    PAuth work in one and give UNDEF in the other. On CPU 1: "armv8.2", a changed base, and
    the reset guest with "armv8.0" (a vCPU's own reset reloads it with SVE trapped: EL2
    panicked on that)."""
    run = boot([cpuid_vm("v80", 0, "armv8.0", midr=0xf0800),
                cpuid_vm("hostcpu", 0),
                cpuid_vm("v82", 1, "armv8.2", midr=0xf0820),
                cpuid_vm("custom", 1, midr=0x410fd083, extra=CUSTOM),
                Vm("reset", "reset", cpu=1, extra='cpu-profile = "armv8.0";')],
               cpu="max", timeout=120)
    for vm in ("v80", "hostcpu", "v82", "custom", "reset"):
        assert_tap_passed(run, vm)
    assert_values(run, "v80", ARMV8_0)
    assert_values(run, "v82", ARMV8_2)
    assert_values(run, "custom", CUSTOM_VALUES)
    host = id_values(run, "hostcpu")
    assert host["MIDR_EL1"] == host_midr(run)
    assert (host["ID_AA64ISAR0_EL1"] >> 20) & 0xf == 2, "max has LSE"
    assert (host["ID_AA64PFR0_EL1"] >> 32) & 0xf >= 1, "max has SVE"
    assert re.search(r"hostcpu\| ok \d+ - SVE shown: RDVL gives 16 bytes", run.output)
    assert re.search(r"v80\| ok \d+ - no SVE shown: RDVL gives UNDEF", run.output)
    assert re.search(r"hostcpu\| ok \d+ - PAuth shown \(generic\): PACGA runs", run.output)
    assert re.search(r"v80\| ok \d+ - no generic PAuth shown: PACGA gives UNDEF", run.output)
    assert ("vm v80: cpu-profile armv8.0: MIDR 0xf0800, ID registers emulated, SVE trapped, "
            "PAuth trapped") in run.output
    assert ("vm custom: cpu-profile custom-80: MIDR 0x410fd083, ID registers emulated, "
            "SVE trapped, PAuth trapped, DC ZVA trapped") in run.output
    assert "vm v80: vcpu 0: SVE at PC" in run.output
    assert "hides: UNDEF injected" in run.output
    assert run.vm_lines("reset").count("# test: reset") == 2
    assert run.exited


def test_profiles_on_cortex_a72():
    """A Cortex-A72 (Armv8.0): "armv8.0" reads exactly as on max; "armv8.2" is refused,
    naming the first missing feature with both values, and the other VMs run."""
    run = boot([cpuid_vm("v80", 0, "armv8.0", midr=0xf0800),
                cpuid_vm("hostcpu", 0),
                cpuid_vm("v82", 1, "armv8.2", midr=0xf0820)],
               cpu="cortex-a72", timeout=120)
    assert_tap_passed(run, "v80")
    assert_tap_passed(run, "hostcpu")
    assert_values(run, "v80", ARMV8_0)
    assert id_values(run, "hostcpu")["MIDR_EL1"] == 0x410fd083
    assert re.search(r"vm v82: not started: cpu-profile armv8.2 needs FEAT_LSE "
                     r"\(ID_AA64ISAR0_EL1.Atomic 2\), this host has 0 \(and \d+ more fields\)",
                     run.output), run.output
    assert not run.vm_lines("v82")
    assert run.exited


def test_armv8_0_on_qemu10_max():
    """QEMU 10's -cpu max has many more features (FEAT_ECV, FGT, SME, ...): "armv8.0"
    still reads the same."""
    run = boot([cpuid_vm("v80", 0, "armv8.0", midr=0xf0800), cpuid_vm("hostcpu", 1)],
               cpu="max", ecv=True, timeout=120)
    assert_tap_passed(run, "v80")
    assert_tap_passed(run, "hostcpu")
    assert_values(run, "v80", ARMV8_0)
    assert id_values(run, "hostcpu")["MIDR_EL1"] == host_midr(run)
