"""The host's counter stops while its RTC goes on (QEMU's monitor `stop`, then `cont`: the
emulated system counter follows QEMU's virtual clock, the PL031 the host's). Skiff notices
against the RTC and moves every VM's time on by what it missed (core/hostclock.c): the
guests' clocks keep to the wall clock and never step back."""

import os
import tempfile
import time

import pexpect

from skiff import Vm, compile_config, config_dts, monitor, qemu_command, qemu_session

PAUSE = 4.0


def next_second(child, vm):
    """The next whole second the VM passes, with the host's time it arrived at (what was
    printed before is dropped first)."""
    while child.expect([r"[\s\S]+", pexpect.TIMEOUT], timeout=0.1) == 0:
        pass
    child.expect(rf"{vm}\| clock: (\d+) s")
    return int(child.match.group(1)), time.monotonic()


def test_vms_keep_to_the_wall_clock_when_the_host_counter_stops():
    vms = [Vm("virt", "clock", cpu=0),
           Vm("scaled", "clock", cpu=1,
              extra='counter-frequency = <25000000>;\n\t\t\tbootargs = "phys=1";')]
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "monitor.sock")
        cmd = qemu_command(compile_config(config_dts(vms), tmp), smp=2, monitor=sock)
        with qemu_session(cmd, limit=120, timeout=30) as child:
            # Where each guest's seconds stand against the host's monotonic clock.
            child.expect(r"scaled\| clock: \d+ s")
            start = {vm: next_second(child, vm) for vm in ("virt", "scaled")}
            time.sleep(1.5)
            monitor(sock, "stop")
            time.sleep(PAUSE)
            monitor(sock, "cont")
            text = child.before
            child.expect(r"host counter: (\d+\.\d+) s behind the RTC \(stopped or set back\)")
            behind = float(child.match.group(1))
            assert PAUSE - 0.5 < behind < PAUSE + 1.5, behind
            time.sleep(1)
            for vm, (secs0, t0) in start.items():
                secs, t = next_second(child, vm)
                # Both taken as a second passed: the same elapsed time to within the
                # detection's precision. Uncompensated, the guest would be PAUSE behind.
                assert abs((secs - secs0) - (t - t0)) < 0.5, (vm, secs - secs0, t - t0)
            child.send("\x1c0")
            child.send("vm info scaled\r")
            child.expect(r"counter/timer traps, adjusted 1 time\(s\)")
            text += child.before
    assert "the counter went back" not in text, text
