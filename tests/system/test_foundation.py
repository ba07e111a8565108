"""Foundation: Skiff boots at EL2, runs bare-metal test guests, isolates faulting VMs."""

import re
import time

import pytest

from skiff import CPUS, GICS, Vm, assert_tap_passed, boot, config_dts

# Every test guest that reports TAP and powers itself off.
TAP_GUESTS = ["hello", "hvc", "undef", "debug", "el0_syscall", "page_fault", "reset", "selfmod",
              "smp", "fpu", "irq", "rtc", "sve", "aarch32_el0", "aarch32_traps", "newer_regs",
              "vgic_decode", "endian", "vtimer_level", "btype"]
# Guests that need more than one vCPU.
GUEST_VCPUS = {"smp": 3, "irq": 2, "vtimer_level": 2}


def stage2_counters(run, vm):
    m = re.search(rf"vm {vm}: stage 2: (\d+) faults \((\d+) exec\), (\d+) block and (\d+) page "
                  r"maps, (\d+) pages cache-maintained \((\d+) needed none\), "
                  r"W\^X (\d+) to RW, (\d+) to RX", run.output)
    assert m, f"no stage-2 report for {vm}:\n{run.output}"
    keys = ["faults", "exec", "blocks", "pages", "maintained", "skipped", "to_rw", "to_rx"]
    return dict(zip(keys, map(int, m.groups())))


def check_wx_counters(run):
    check_wx_counters_of(run, "selfmod")


def check_wx_counters_of(run, vm):
    """selfmod rewrites and reruns its code 8 times: each rewrite takes execute away
    (W^X to RW) and each run maps the page executable again after maintenance."""
    c = stage2_counters(run, vm)
    assert c["to_rw"] >= 7 and c["to_rx"] >= 8, c
    assert c["maintained"] + c["skipped"] >= 8 + 1, c  # every executable mapping maintained
    assert c["exec"] == c["maintained"] + c["skipped"], c
    assert c["faults"] >= c["exec"] + c["to_rw"], c


@pytest.mark.parametrize("gic", GICS)
@pytest.mark.parametrize("cpu", CPUS)
@pytest.mark.parametrize("guest", TAP_GUESTS)
def test_guest(guest, cpu, gic):
    run = boot([Vm(guest, guest, vcpus=GUEST_VCPUS.get(guest, 1))], cpu=cpu, gic=gic)
    assert_tap_passed(run, guest)
    assert f"vm {guest}: powered off by the guest (PSCI SYSTEM_OFF)" in run.output
    assert run.exited, "host did not power off after the last VM stopped"
    if guest == "selfmod":
        check_wx_counters(run)
    if guest == "rtc":
        # QEMU's PL031 (what Skiff reads at boot) gives the host's UTC time.
        m = re.search(r"rtc: (\d+) seconds since the epoch", run.output)
        assert m and abs(int(m.group(1)) - time.time()) < 600, run.output
    if guest == "irq":
        # 8 SGIs at once, 4 list registers: the maintenance interrupt fed the rest in.
        m = re.search(r"vm irq: vgic: GICv(\d), (\d+) interrupts delivered, (\d+) maintenance",
                      run.output)
        assert m and m.group(1) == str(gic), run.output
        assert int(m.group(2)) >= 12 and int(m.group(3)) >= 1, m.group(0)
    if guest == "reset":
        assert "vm reset: reset by the guest (PSCI SYSTEM_RESET)" in run.output
        assert run.vm_lines("reset").count("# test: reset") == 2, "the guest did not boot twice"


def test_guest_cache_maintenance_has_no_wx():
    """selfmod with cache-maintenance = "guest": the same rewrites and runs pass, its code
    is made coherent at its first fetch (a whole 2 MiB block, read+write+execute) and no
    page ever flips between writable and executable; the default VM beside it still does."""
    guest = Vm("selfmod", "selfmod", extra='cache-maintenance = "guest";')
    wx = Vm("wx", "selfmod")
    run = boot([guest, wx])
    assert_tap_passed(run, "selfmod")
    assert_tap_passed(run, "wx")
    assert 'vm selfmod: cache-maintenance = "guest": code is made coherent' in run.output
    c = stage2_counters(run, "selfmod")
    assert c["to_rw"] == 0 and c["to_rx"] == 0, c
    assert c["exec"] >= 1 and c["blocks"] >= 1, c
    assert c["maintained"] + c["skipped"] >= 512, c  # its first fetch made 2 MiB coherent
    check_wx_counters_of(run, "wx")


@pytest.mark.parametrize("gic", GICS)
def test_banner(gic):
    run = boot([Vm("hello", "hello")], cpu="cortex-a57", gic=gic, smp=2)
    out = run.output
    assert re.search(r"skiff: Skiff \S+, a hypervisor for Arm \(EL2\)", out)
    assert "cpus: 2, boot CPU MPIDR 0x80000000, PSCI conduit smc" in out
    assert "  cpu 0: MPIDR 0x0" in out and "  cpu 1: MPIDR 0x1" in out
    assert "memory: 0x40000000-0x7fffffff (1024 MiB)" in out
    assert f"gic: v{gic}, distributor 0x8000000" in out
    assert re.search(r"timer: counter frequency [1-9]\d+ Hz", out)
    # Cortex-A57: 44-bit PA, no VHE, no ECV.
    assert re.search(r"PARange 44 bits, VHE no, FEAT_ECV no, CTR_EL0.IDC \d, CTR_EL0.DIC \d",
                     out)
    assert "2 of 2 CPUs online" in out


def test_banner_cpu_max_features():
    run = boot([Vm("hello", "hello")], cpu="max", smp=1)
    assert re.search(r"PARange (48|52) bits, VHE yes", run.output), run.output
    assert "1 of 1 CPUs online" in run.output


@pytest.mark.parametrize("cpu,machine,line", [
    # -cpu max has FEAT_RNG; QEMU virt puts 32 bytes in /chosen/rng-seed.
    ("max", (), "skiff: random: seeded from RNDR and the device tree's rng-seed"),
    ("cortex-a57", (), "skiff: random: seeded from the device tree's rng-seed "
                       "(the CPU has no RNDR)"),
    ("max", ("-M", "dtb-randomness=off"),
     "skiff: random: seeded from RNDR (the device tree has no rng-seed)"),
    # Neither: the counter alone, which Skiff reports as an error.
    ("cortex-a57", ("-M", "dtb-randomness=off"),
     "skiff: error: random: NO ENTROPY: the CPU has no RNDR (FEAT_RNG) and the device tree "
     "no /chosen/rng-seed"),
], ids=["rndr+dt", "dt", "rndr", "counter-only"])
def test_random_seed_sources(cpu, machine, line):
    """The host's random generator is seeded from what the CPU and the firmware offer
    (docs/crypto.md), and the boot log says which."""
    run = boot([Vm("hello", "hello")], cpu=cpu, smp=1, extra=machine)
    assert_tap_passed(run, "hello")
    seeded = [l for l in run.lines if l.startswith(("skiff: random:", "skiff: error: random:"))]
    assert any(l.startswith(line) for l in seeded), seeded
    assert ("NO ENTROPY" in run.output) == ("NO ENTROPY" in line), seeded


@pytest.mark.parametrize("smp", [1, 4])
def test_cpu_counts(smp):
    run = boot([Vm("hello", "hello")], smp=smp)
    assert f"{smp} of {smp} CPUs online" in run.output
    for i in range(smp):
        assert f"  cpu {i}: MPIDR {i:#x}" in run.output.replace("MPIDR 0x0\n", "MPIDR 0x0\n")
    assert_tap_passed(run, "hello")


@pytest.mark.parametrize("gic", GICS)
def test_two_vms_on_two_cpus(gic):
    run = boot([Vm("alpha", "hvc", cpu=0), Vm("beta", "el0_syscall", cpu=1)], gic=gic)
    assert "vm alpha: 4 MiB RAM at IPA 0x40000000, 1 vCPU(s) on CPU 0" in run.output
    assert "vm beta: 4 MiB RAM at IPA 0x40000000, 1 vCPU(s) on CPU 1" in run.output
    assert_tap_passed(run, "alpha")
    assert_tap_passed(run, "beta")
    assert run.exited


@pytest.mark.parametrize("cpu", ["max", "cortex-a57"])
def test_faulting_vm_is_stopped_and_other_vm_finishes(cpu):
    run = boot([Vm("bad", "crash", cpu=0), Vm("good", "hvc", cpu=1)], cpu=cpu)
    assert re.search(r"skiff: error: vm bad: crashed: vcpu 0 fetched an instruction from "
                     r"IPA 0x7f000000, which is not guest RAM", run.output), run.output
    assert "VM stopped, other VMs unaffected" in run.output
    assert_tap_passed(run, "good")
    assert run.exited


def test_unhandled_trap_logged_once_per_kind():
    run = boot([Vm("undef", "undef")])
    assert_tap_passed(run, "undef")
    sysreg = [l for l in run.lines if "vm undef: vcpu 0: unhandled system register access trap"
              in l]
    assert len(sysreg) == 1, run.output
    smc = [l for l in run.lines if "vm undef: vcpu 0: unhandled SMC trap" in l]
    assert len(smc) == 1, run.output


def test_not_entered_at_el2():
    dts = config_dts([Vm("hello", "hello")])
    run = boot(dts=dts, virtualization=False, timeout=15,
               until="(QEMU: -M virt,virtualization=on)")
    assert ("Skiff must be entered at EL2 but was entered at EL1: enable the virtualization "
            "extensions (QEMU: -M virt,virtualization=on)") in run.output


def test_bad_vm_configs_are_reported_and_others_start():
    vms = [
        Vm("nokernel", ""),
        Vm("huge", "hello", memory=64 << 30),
        Vm("badcpu", "hello", cpu=7),
        Vm("tinymem", "hello", memory=4096),
        Vm("manycpus", "hello", vcpus=99),
        Vm("ok", "hello"),
    ]
    run = boot(vms)
    out = run.output
    assert "vm nokernel: not started: no 'kernel' property" in out
    assert re.search(r"vm huge: not started: not enough host memory for 65536 MiB of RAM", out)
    assert "vm badcpu: not started: 'cpu' is 7 but the host has CPUs 0-1 online" in out
    assert "vm tinymem: not started: 'memory-size' must be a multiple of 4 KiB and at least" in out
    assert "vm manycpus: not started: 'vcpus' must be one cell between 1 and 8" in out
    assert_tap_passed(run, "ok")
    assert run.exited


def test_malformed_config_blob():
    dts = "/dts-v1/;\n/ { when-idle = \"sometimes\"; vms { }; };\n"
    run = boot(dts=dts, timeout=15, until="no VM started")
    assert ("config: 'when-idle' is \"sometimes\"; expected \"wait\" or \"poweroff\"; "
            "no VM started") in run.output


@pytest.mark.parametrize("gic", GICS)
def test_el2_fault_gives_panic_report_and_stops_all_cpus(gic):
    run = boot([Vm("hello", "hello", cpu=1)], gic=gic, until="all CPUs stopped", timeout=30,
               extra=["-append", "skiff.selftest=el2-fault"])
    out = run.output
    assert "selftest: reading an unmapped address in EL2" in out
    assert "skiff: PANIC on CPU 0: synchronous exception in EL2 (data abort)" in out, out
    assert re.search(r"ESR 0x9[4-7]\w{6}  FAR 0x0000000000000008  ELR 0x\w{16}", out)
    for reg in ["x0 ", "x15", "x29", "x30"]:
        assert re.search(rf"skiff: .*{reg} 0x[0-9a-f]{{16}}", out), reg
    assert re.search(r"faulting PC is skiff.elf 0x[0-9a-f]+", out)
    assert re.search(r"skiff:   #0 0x[0-9a-f]+ \(skiff.elf 0x[0-9a-f]+\)", out)
    assert "skiff: all CPUs stopped" in out
    # The host did not power off: a panic leaves the machine stopped for inspection.
    assert "powering off" not in out


@pytest.mark.parametrize("gic", GICS)
def test_spinning_vms_do_not_starve_others(gic):
    """Two guests that never trap and one test guest share one host CPU: time slices
    from the EL2 timer let every one of them run."""
    vms = [Vm("spin1", "spin", cpu=0), Vm("spin2", "spin", cpu=0), Vm("hello", "hello", cpu=0)]
    run = boot(vms, gic=gic, smp=1, timeout=60,
               until=["vm hello: powered off", "spin1| # spinning", "spin2| # spinning"])
    assert_tap_passed(run, "hello")
    assert "spin1| # spinning" in run.output and "spin2| # spinning" in run.output, run.output


@pytest.mark.parametrize("cpu", ["max", "cortex-a57"])
def test_guest_device_tree(cpu):
    extra = ('bootargs = "console=ttyAMA0 skiff.test=fdt";\n'
             '\t\t\tinitrd = "SKIFF-INITRD-TEST";')
    run = boot([Vm("fdt", "fdt", memory=8 << 20, vcpus=2, extra=extra)], cpu=cpu)
    assert_tap_passed(run, "fdt")


def test_initrd_too_big_is_refused(tmp_path):
    big = tmp_path / "big.initrd"
    # More than a 512 KiB VM has between hello (an Image whose .bss and stacks take about
    # 220 KiB) and its 64 KiB device tree.
    big.write_bytes(bytes(300 << 10))
    extra = f'initrd = /incbin/("{big}");'
    run = boot([Vm("small", "hello", memory=512 << 10, extra=extra), Vm("ok", "hello")])
    assert re.search(r"vm small: not started: initrd of \d+ KiB does not fit between the "
                     r"kernel and the device tree", run.output), run.output
    assert_tap_passed(run, "ok")


def test_smp_guest_with_all_vcpus_on_one_host_cpu():
    run = boot([Vm("smp", "smp", vcpus=3)], smp=1)
    assert "vm smp: 4 MiB RAM at IPA 0x40000000, 3 vCPU(s) on CPU 0" in run.output
    assert_tap_passed(run, "smp")


@pytest.mark.parametrize("gic", GICS)
def test_backdoor_guest(gic):
    """The backdoor from EL1 and EL0 (registers kept on the fast and the full path), RPCI over
    both bandwidths, abuse, TDCC, DCC console."""
    guestinfo = 'guestinfo { fromcfg = "set in the configuration"; };'
    vm = Vm("backdoor", "backdoor", extra=guestinfo)
    run = boot([vm], gic=gic)
    assert_tap_passed(run, "backdoor")
    out = run.output
    if not any("DCC console # SKIP" in l for l in run.vm_lines("backdoor")):
        assert "backdoor/dcc| hello over the DCC" in out
    assert "vm backdoor: guest tools: hello from the guest" in out
    m = re.search(r"backdoor time: (\d+)", out)
    assert m and abs(int(m.group(1)) - time.time()) < 600, out
    # GETMEMSIZE: the VM's RAM in MiB, as its configuration gives it.
    assert f"backdoor| # backdoor memsize: {vm.memory >> 20}" in run.lines, out
    # Refused calls are logged within the VM's log budget (20 lines a second, the rest
    # counted: test_hostile.py floods it); the test makes ten or so.
    refused = [l for l in run.lines if "vm backdoor: vcpu 0: backdoor call refused" in l]
    assert 5 <= len(refused) <= 20, refused


def test_dcc_console_on_a_cpu_with_the_data_registers():
    """QEMU 7.2 lacks DBGDTR*_EL0 (UNDEF at EL1, no trap); QEMU 10 (scripts/qemu-ecv.sh) has
    them: what the guest transmits appears as the VM's second console, a line at a time, and
    what is typed to that console (Ctrl-\\ c gives it the input) the guest reads through
    MDCCSR_EL0.RXfull, DBGDTR_EL0 and DBGDTRRX_EL0."""
    guestinfo = 'bootargs = "dccin=1";\n\t\t\tguestinfo { fromcfg = "set in the configuration"; };'
    run = boot([Vm("backdoor", "backdoor", extra=guestinfo)], ecv=True,
               keys=[("# DCC: waiting for a line", "\x1cc"),
                     ("console: input goes to vm backdoor's DCC console", "typed-42\r")])
    assert_tap_passed(run, "backdoor")
    # QEMU 10.0 has DBGDTRRX/TX_EL0 but not DBGDTR_EL0 (QEMU issue 2986): UNDEF at EL1.
    # tests/unit/test_vdcc.c covers Skiff's DBGDTR_EL0.
    skips = [l for l in run.vm_lines("backdoor") if "# SKIP" in l and "DBGDTR_EL0" not in l]
    assert not skips, skips
    assert "backdoor/dcc| hello over the DCC" in run.lines, run.output
    assert "backdoor| # DCC got: typed-42" in run.lines, run.output


def test_backdoor_el0_honouring_tdcc():
    """backdoor-el0 = "tdcc": with the guest's MDSCR_EL1.TDCC set, an EL0 backdoor call goes
    to the guest's EL1 like any EL0 DCC access."""
    guestinfo = 'guestinfo { fromcfg = "set in the configuration"; };'
    run = boot([Vm("strict", "backdoor",
                   extra=f'backdoor-el0 = "tdcc";\n\t\t\tbootargs = "tdcc=1";\n{guestinfo}')])
    assert_tap_passed(run, "strict")
    assert any("an EL0 backdoor call goes there too" in l for l in run.vm_lines("strict"))


def test_backdoor_off():
    """backdoor = "off": MDCCSR_EL0 is the plain DCC status, GETVERSION gets no answer."""
    run = boot([Vm("hello", "hello"), Vm("nobd", "backdoor", extra='backdoor = "off";')])
    assert_tap_passed(run, "hello")
    lines = run.vm_lines("nobd")
    assert any(l.startswith("not ok 1 - GETVERSION") for l in lines), run.output


@pytest.mark.parametrize("host_hz", [62500000, 25000000])
@pytest.mark.parametrize("hz", [25000000, 62500000, 1000000000])
def test_guest_counter_frequency(hz, host_hz):
    """A VM with its own counter frequency on hosts whose counters run at others."""
    extra = (f'counter-frequency = <{hz}>;\n\t\t\tcounter-mode = "sysreg";\n'
             f'\t\t\tbootargs = "hz={hz} host={host_hz}";')
    run = boot([Vm("ts", "timescale", extra=extra)], cpu=f"max,cntfrq={host_hz}")
    assert f"timer: counter frequency {host_hz} Hz" in run.output
    assert_tap_passed(run, "ts")


@pytest.mark.parametrize("hz,cpu,gic,mode", [(25000000, "max", 3, "mmio"),
                                              (1000000000, "cortex-a72", 2, "auto")])
def test_memory_mapped_timer(hz, cpu, gic, mode):
    """counter-mode "mmio", or "auto" on a CPU without FEAT_ECV (QEMU 7.2): the VM's device
    tree has a memory-mapped timer and no system-register one; its frames, counter,
    access control, timer and interrupt (also routed to a vCPU blocked in WFI), beside
    the emulated CNTP_EL0 timer, on a 62.5 MHz host (guest/tests/memtimer.c)."""
    extra = (f'counter-frequency = <{hz}>;\n\t\t\tcounter-mode = "{mode}";\n'
             f'\t\t\tbootargs = "hz={hz}";')
    run = boot([Vm("mt", "memtimer", vcpus=2, extra=extra)], cpu=f"{cpu},cntfrq=62500000",
               gic=gic)
    assert "FEAT_ECV no" in run.output
    assert f"vm mt: counter-frequency {hz} Hz: a memory-mapped timer" in run.output
    assert_tap_passed(run, "mt")


@pytest.mark.parametrize("host_hz", [62500000, 1000000000])
@pytest.mark.parametrize("hz", [25000000, 1000000000])
def test_guest_counter_frequency_with_ecv(hz, host_hz):
    """On a CPU with FEAT_ECV (QEMU 10's -cpu max, scripts/qemu-ecv.sh) the virtual counter
    and timer trap too: both counters run at the VM's rate."""
    extra = f'counter-frequency = <{hz}>;\n\t\t\tbootargs = "hz={hz} host={host_hz} ecv=1";'
    run = boot([Vm("ts", "timescale", extra=extra)], cpu=f"max,cntfrq={host_hz}", ecv=True)
    assert "FEAT_ECV yes" in run.output
    assert "only the physical counter and timer are scaled" not in run.output
    assert "a memory-mapped timer" not in run.output  # counter-mode "auto": FEAT_ECV's way
    assert_tap_passed(run, "ts")
    assert any("virtual counter runs at the VM's (FEAT_ECV: trapped) rate" in l
               for l in run.vm_lines("ts"))


def test_sve_registers_are_per_vcpu():
    """Two VMs set p0-p15 and FFR to different patterns and yield to each other on one CPU
    (-cpu max has SVE)."""
    run = boot([Vm("sa", "sve", cpu=0, extra='bootargs = "seed=1";'),
                Vm("sb", "sve", cpu=0, extra='bootargs = "seed=6";')], cpu="max", smp=1)
    for vm in ("sa", "sb"):
        assert_tap_passed(run, vm)
        assert any("unchanged after 2000 yields" in line for line in run.vm_lines(vm)), run.output


@pytest.mark.parametrize("gic", GICS)
def test_fp_registers_are_per_vcpu(gic):
    """Two VMs fill d0-d31 with different patterns and yield to each other on one CPU."""
    run = boot([Vm("fa", "fpu", cpu=0, extra='bootargs = "seed=1";'),
                Vm("fb", "fpu", cpu=0, extra='bootargs = "seed=1000";')], gic=gic, smp=1)
    assert_tap_passed(run, "fa")
    assert_tap_passed(run, "fb")
