"""A hostile guest against the host: isolation findings, each with the guest that shows it."""

import io
import re
import tempfile

import pytest

from skiff import (SKIFF_AT_FAULTS_BIN, SKIFF_HARDEN_BIN, Vm, assert_tap_passed, boot, compile_config, config_dts,
                   qemu_command, qemu_session)


def heartbeats(beats=40):
    """One heartbeat VM pinned to each host CPU: a CPU stuck in EL2 stops its heart."""
    return [Vm(f"beat{cpu}", "heartbeat", cpu=cpu, extra=f'bootargs = "beats={beats}";')
            for cpu in (0, 1)]


def test_psci_calls_racing_resets_never_stop_a_host_cpu():
    """CPU_ON on itself and on siblings, CPU_OFF, while another vCPU resets the VM: before,
    a vCPU inside CPU_ON waited for itself or a sibling forever and both host CPUs hung."""
    race = Vm("race", "psci_race", vcpus=4, extra='bootargs = "rounds=300 vcpus=4";')
    run = boot([race] + heartbeats(), smp=2, timeout=120)
    assert_tap_passed(run, "race")
    assert_tap_passed(run, "beat0")
    assert_tap_passed(run, "beat1")
    # The guest counts its resets (TAP); the log says each, within the VM's log budget.
    resets = run.output.count("vm race: reset by the guest (PSCI SYSTEM_RESET)")
    assert resets > 0 and resets + left_out(run, "race") >= 300, resets
    assert run.exited, "the host did not power off after every VM stopped"


@pytest.mark.parametrize("cpu", ["max", "cortex-a57"])
def test_vms_on_one_cpu_keep_their_registers(cpu):
    """Two canaries on one host CPU fill their general, FP/SIMD and system registers with
    patterns of their own and check them across WFIs while the other runs. Before,
    DISR_EL1 (VDISR_EL2 under HCR_EL2.AMO, RAS) was not switched: on -cpu max each canary
    read the other's value."""
    vms = [Vm(f"can{seed}", "canary", cpu=0, extra=f'bootargs = "seed={seed} seconds=2";')
           for seed in (1, 2)]
    run = boot(vms, cpu=cpu, smp=1, timeout=120)
    assert_tap_passed(run, "can1")
    assert_tap_passed(run, "can2")
    assert "MISMATCH" not in run.output
    assert run.exited


def test_physical_timer_is_each_vms_own():
    """Two VMs without a counter frequency of their own share one host CPU and both use
    the EL1 physical timer: each keeps its CNTP_CVAL/CTL and gets its interrupt. Before,
    the registers were shared and INTID 30 was never delivered to such a VM."""
    vms = [Vm(f"pt{seed}", "ptimer_own", cpu=0, extra=f'bootargs = "seed={seed}";')
           for seed in (1, 2)]
    run = boot(vms, smp=1, timeout=120)
    assert_tap_passed(run, "pt1")
    assert_tap_passed(run, "pt2")
    assert run.exited


def left_out(run, vm):
    """Lines of @vm the rate limit left out, as its reports count them."""
    return sum(int(n) for n in re.findall(rf"vm {vm}: (\d+) more lines of this VM left out",
                                         run.output))


def test_a_guest_cannot_flood_the_log():
    """20 000 loads from nowhere and 20 000 load pairs without a syndrome: each one used to
    log a line, filling the log ring and the serial line's queue. Now a VM's lines are
    limited to a burst a second and the rest counted, exactly; another VM's output is
    all there."""
    loads = 20000
    vms = [Vm("flood", "abort_flood", cpu=0, extra=f'bootargs = "loads={loads}";'),
           Vm("beat", "heartbeat", cpu=1, extra='bootargs = "beats=100";')]
    run = boot(vms, smp=2, timeout=180)
    assert_tap_passed(run, "flood")
    assert_tap_passed(run, "beat")
    written = [l for l in run.lines if l.startswith("skiff: warning: vm flood: vcpu 0: ")]
    assert len(written) + left_out(run, "flood") == 2 * loads, run.output[-2000:]
    assert len(written) < loads // 10, len(written)
    beats = [int(b) for b in re.findall(r"^beat\| # beat (\d+)$", run.output, re.M)]
    assert beats == list(range(1, 101))
    assert run.exited


def test_a_guest_cannot_forge_host_output():
    """Escape sequences, carriage returns, backspaces and newlines a guest writes to its
    UART or sends through the backdoor (RPCI log, an unknown request, from EL1 and EL0, a
    guestinfo value the operator reads) never reach the terminal raw: no ESC byte in the
    plain console's output, and every line that starts with "skiff:" is Skiff's."""
    vms = [Vm("forge", "forge", extra='bootargs = "linger=2000";')]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = qemu_command(compile_config(config_dts(vms), tmp), smp=1,
                           extra=["-append", "skiff.console=plain"])
        with qemu_session(cmd, limit=120, timeout=60) as child:
            log = io.StringIO()
            child.logfile_read = log
            child.expect(r"forge\| # forge: done")
            child.send("\x1c0")
            child.expect(r"console: input goes to the management shell")
            child.send("guestinfo get forge forged\r")
            child.expect(r"shell\| guestinfo.forged = \"(.*)\"")
            shown = child.match.group(1)
            child.send("vm stop forge\r")
            child.expect(r"vm forge stopped")
            out = log.getvalue()
    assert "\\x1b[1;32mskiff: all VMs are fine" in shown, shown
    assert "\x1b" not in out and "\x08" not in out and "\x07" not in out
    for line in out.splitlines():
        line = line.strip("\r")
        if line.startswith("skiff:"):
            assert "forged" not in line.split("vm forge:")[0], line
            assert "all VMs are fine" not in line.split("vm forge:")[0], line
    assert "vm forge: guest tools: \\x1b[2K\\x1b[1G\\x0d\\x1b[1;32mskiff: all VMs are fine" in out


def test_backdoor_replies_keep_w_xor_x():
    """Skiff writing a backdoor reply into a page the guest executes takes execute away
    first, as a guest store would: each round flips the page to RW and back to RX with
    maintenance. Before, the write went past W^X and no maintenance followed."""
    vm = Vm("wx", "bdoor_wx", extra='guestinfo { k = "abcdefg"; };')
    run = boot([vm], timeout=60)
    assert_tap_passed(run, "wx")
    m = re.search(r"vm wx: stage 2: .* W\^X (\d+) to RW, (\d+) to RX", run.output)
    assert m, run.output
    to_rw, to_rx = int(m.group(1)), int(m.group(2))
    assert to_rw >= 16 and to_rx >= 16, (to_rw, to_rx)


def test_a_walk_that_faults_at_el2_does_not_stop_the_host():
    """A stage-1 walk of a guest's tables done by Skiff (AT, for a stage-2 permission
    fault's address) may take a synchronous External abort at EL2 on hardware. In the
    test variant every other walk takes a data abort at EL2 first: Skiff must refuse that
    translation and let the guest retry (selfmod's W^X faults with its MMU on), not halt
    as it did for any exception at EL2."""
    run = boot([Vm("selfmod", "selfmod"), Vm("hello", "hello")], skiff=SKIFF_AT_FAULTS_BIN,
               timeout=60)
    assert_tap_passed(run, "selfmod")
    assert_tap_passed(run, "hello")
    m = re.findall(r"a walk of a guest's stage-1 tables took an exception at EL2 \((\d+) so far\)",
                   run.output)
    assert m and int(m[-1]) >= 2, run.output
    assert "EL2 exception" not in run.output and "panic" not in run.output.lower(), run.output


def test_hardened_vectors_keep_guests_whole():
    """On CPUs whose firmware says the branch predictors need it, every entry from a guest
    first calls SMCCC_ARCH_WORKAROUND_1 (or _3) through other vectors. QEMU's firmware
    never says so; the test variant uses those vectors anyway (its SMCs are answered
    NOT_SUPPORTED), and guests that exit in every way must not notice."""
    run = boot([Vm("hvc", "hvc"), Vm("irq", "irq", vcpus=2), Vm("fpu", "fpu"),
                Vm("smp", "smp", vcpus=3), Vm("el0", "el0_syscall")], skiff=SKIFF_HARDEN_BIN,
               timeout=120)
    assert "; WORKAROUND_1 at each guest exit" in run.output, run.output
    for vm in ("hvc", "irq", "fpu", "smp", "el0"):
        assert_tap_passed(run, vm)


@pytest.mark.parametrize("ecv", [False, True])
def test_newer_feature_registers_are_not_shared(ecv):
    """Two VMs on one CPU touch the registers of features newer than ARMv8.0 that Skiff
    does not switch: each access gives UNDEF, or (TPIDR2_EL0 on an SME CPU without
    fine-grained traps: QEMU 7.2's `max`) the register is switched with the vCPU. QEMU 10's
    `max` adds FEAT_FGT and FEAT_HCX. Before, LORC_EL1 and TPIDR2_EL0 were shared."""
    vms = [Vm(f"nr{seed}", "newer_regs", cpu=0, extra=f'bootargs = "seed={seed}";')
           for seed in (1, 2)]
    run = boot(vms, cpu="max", smp=1, ecv=ecv, timeout=120)
    assert_tap_passed(run, "nr1")
    assert_tap_passed(run, "nr2")
