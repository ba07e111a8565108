"""Host memory: what a VM takes for its stage-2 tables comes back at each of its resets."""

import re
import tempfile

from skiff import Vm, compile_config, config_dts, qemu_command, qemu_session

# Enough rounds for a lost free to show many times over; each takes well under a second.
ROUNDS = 10
DRAIN_MIB = 512


def test_stage2_tables_come_back_at_every_reset():
    """s2_drain maps, splits and resets its 255 blocks ROUNDS times beside a VM that keeps
    running: the host's free memory after every reset is the same, and the other VM is
    still there at the end."""
    drain = Vm("drain", "s2_drain", memory=DRAIN_MIB << 20, cpu=0,
               extra=f'bootargs = "rounds={ROUNDS} mib={DRAIN_MIB}";')
    other = Vm("other", "clock", cpu=1)
    with tempfile.TemporaryDirectory() as tmp:
        config = compile_config(config_dts([drain, other]), tmp)
        with qemu_session(qemu_command(config, smp=2), limit=120, timeout=60) as child:
            child.expect("vm drain: powered off by the guest")
            text = child.before
            # The other VM goes on printing its seconds after the drain has ended.
            child.expect(r"other\| clock: \d+ s")
            child.expect(r"other\| clock: \d+ s")
    text = text.replace("\r", "")
    free = [int(k) for k in
            re.findall(r"vm drain: stage 2: .*; emptied for the reset, host memory free: (\d+) KiB",
                       text)]
    assert len(free) == ROUNDS - 1, text
    assert free == [free[0]] * len(free), f"host memory free after each reset (KiB): {free}"
    assert f"ok 1 - {ROUNDS} rounds of {DRAIN_MIB // 2 - 1} blocks" in text, text
    assert "crashed" not in text, text
