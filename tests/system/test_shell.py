"""The management shell on the serial console (Ctrl-\\ 0), driven over QEMU's stdio."""

import tempfile

from skiff import Vm, compile_config, config_dts, qemu_command, qemu_session


def test_shell_commands():
    vms = [Vm("spin", "spin", cpu=0),
           Vm("ts", "spin", cpu=1,
              extra='counter-frequency = <25000000>;\n\t\t\tcpu-profile = "armv8.0";')]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = qemu_command(compile_config(config_dts(vms), tmp), smp=2)
        with qemu_session(cmd, limit=120, timeout=60) as child:
            child.expect(r"0 to the management shell")
            child.send("\x1c0")
            child.expect(r"console: input goes to the management shell \(type help\)")

            def run(line, *want):
                child.send(line + "\r")
                child.expect_exact("shell| > " + line)
                for w in want:
                    child.expect(w)

            run("help", r"shell\|   vm list - ", r"shell\|   guestinfo set VM KEY VALUE - ")
            run("vm list", r"NAME +STATE +VCPUS +MEMORY +COUNTER HZ",
                r"shell\| spin +running +1 +4 MiB +\d+", r"shell\| ts +running +1 +4 MiB +25000000")
            run("vm info ts", r"vm ts: running, 1 vCPU\(s\), 4 MiB RAM, \d+ exits",
                r"counter: guest 25000000 Hz, host \d+ Hz, scaled",
                r"cpu: profile armv8.0, MIDR 0xf0800, ID and cache registers emulated, "
                r"SVE trapped, PAuth trapped")
            run("vm info spin", r"cpu: profile host \(the CPU's own ID registers\)")
            run("vm info nosuch", r"no VM is called \"nosuch\" \(vm list shows their names\)")
            run("frobnicate", r"unknown command \"frobnicate\": type help for the list")
            run("guestinfo set ts color deep blue", r"vm ts: guestinfo.color = \"deep blue\"")
            run("guestinfo get ts color", r"guestinfo.color = \"deep blue\"")
            run("guestinfo get ts shape", r"vm ts has no guestinfo.shape")
            run("vm halt ts", r"vm ts has no guest tools listening: use vm stop")
            run("time", r"wall clock \d+\.\d{6} s since the epoch; counter \d+ at \d+ Hz")
            run("vm stop ts", r"vm ts: stage 2:", r"vm ts stopped")
            run("vm stop ts", r"vm ts is powered off")
            run("vm console ts", r"shell\| ts\| # spinning",
                r"vm ts is powered off: its last lines are above")
            run("vm start nosuch", r"no VM is called \"nosuch\"")
            run("log 2x", r"usage: log \[LINES\] \(1-1000 lines, 20 if absent\)")
            run("log 3", r"shell\| skiff: vm ts: stage 2:")
            run("stats", r"vm spin: \d+ exits")
