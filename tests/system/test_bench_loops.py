"""The benchmark guests' timed loops (guest/lib/bench.c) must be the same instructions but
for the one measured: a benchmark's figure is the difference of two loops' counts. No QEMU
here: the loops are read from the guests' disassembly."""

import os
import re
import subprocess

import pytest

from skiff import GUEST_DIR

LOOPS = ["bench_hvc_loop", "bench_nop_loop", "bench_read_loop"]


def loop_body(elf, function):
    """The instructions of @function's loop: from the target of its backward branch to
    the branch itself."""
    out = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"<%s>:\n(.*?)\n\n" % function, out, re.S)
    assert m, f"{function} is not in {elf}"
    insns = []
    for line in m.group(1).splitlines():
        addr, _, text = line.strip().partition(":\t")
        insns.append((int(addr, 16), text.split("//")[0].strip()))
    for addr, text in insns:
        b = re.match(r"b\.\w+\s+([0-9a-f]+)", text)
        if b and int(b.group(1), 16) < addr:
            start = int(b.group(1), 16)
            # The branch back, without its target (each loop's own address).
            return [re.sub(r"\s+[0-9a-f]+ <.*>$", "", t) for a, t in insns
                    if start <= a <= addr]
    raise AssertionError(f"{function} in {elf} has no backward branch")


@pytest.mark.parametrize("guest", ["bench_hvc", "bench_peer", "bench_backdoor"])
def test_timed_loops_differ_only_in_the_measured_instruction(guest):
    elf = os.path.join(GUEST_DIR, guest + ".elf")
    bodies = {f: loop_body(elf, f) for f in LOOPS}
    nop = bodies["bench_nop_loop"]
    for function, body in bodies.items():
        assert len(body) == len(nop), f"{function}: {body} against {nop}"
        differ = [(a, b) for a, b in zip(body, nop) if a != b]
        assert len(differ) <= 1, f"{function} differs from the nop loop in {differ}"
