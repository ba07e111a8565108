"""A dishonest host rolls itself back to bring an old copy of an enclave home (docs/enclaves.md,
"Moving an enclave": tombstones). Host b's QEMU plays the dishonest host: it snapshots the
whole machine (Skiff and the enclave, generation 1) with savevm, lets the enclave go home
(generation 2) and come back (generation 3), then restores the snapshot and offers the
old copy to host a, which the enclave left at generation 3. a refuses it as a rollback,
before building anything, and b's copy runs on where it was restored: no host can sell a
an enclave older than one that left it."""

import tempfile

import pytest

from skiff import Vm, linked_hosts
from test_agents import KEY_A, KEY_B, enclave, policy

HOST = r"host [0-9a-f]{16}"
INSTANCE = r"instance ([0-9a-f]{32}), generation (\d) \(moves so far\)"


@pytest.fixture(scope="module")
def hosts():
    with tempfile.TemporaryDirectory() as tmp:
        # The policy takes b by its key and a by its class; both hosts take migrations.
        vms_a = [enclave("roamer", policy(tmp, "roamer"), 'cpu-profile = "armv8.0";')]
        vms_b = [Vm("clock", "clock", extra='bootargs = "idle=1";')]
        roots = (f'attestation-key = "{KEY_A}"; host-class = "fleet-a"; '
                 'migrate-accept = "on";',
                 f'attestation-key = "{KEY_B}"; host-class = "fleet-b"; '
                 'migration-min-policy-svn = <3>; migrate-accept = "on";')
        with linked_hosts(vms_a, vms_b, cpu=("max", "cortex-a72"), roots=roots, limit=900,
                          when_idle="wait", monitors=True) as pair:
            yield pair


def move(src, dst, generation):
    """vm migrate roamer from @src to @dst; the instance id that arrived at @generation."""
    src.shell("vm migrate roamer", r"vm roamer: migration under way")
    dst.expect(rf"vm roamer: migrate: arrived from {HOST}: .*; running", timeout=120)
    src.expect(rf"vm roamer: migrate: moved to {HOST}: ", timeout=60)
    m = dst.shell("vm info roamer", r"enclave: " + INSTANCE)[0]
    assert int(m.group(2)) == generation, m.group(0)
    dst.expect(r"roamer\| clock: \d+ s", timeout=30)
    return m.group(1)


def test_a_restored_snapshot_cannot_bring_an_old_copy_home(hosts):
    a, b, _ = hosts
    instance = move(a, b, 1)
    said = b.monitor("savevm gen1", timeout=120)  # b keeps the generation-1 copy
    assert "rror" not in said, said
    assert move(b, a, 2) == instance
    assert move(a, b, 3) == instance  # a's tombstone: it left at generation 3

    said = b.monitor("loadvm gen1", timeout=120)  # b as it was, generation 1 running
    assert "rror" not in said, said
    b.shell("link close")
    b.shell("link open", rf"link: session [0-9a-f]+ open with {HOST}")
    b.shell("vm info roamer", r"enclave: instance " + instance + r", generation 1 ")

    why = (rf"enclave instance {instance} at generation 2: it left this host at generation "
           r"3, so this is an older copy \(a rollback\)")
    b.shell("vm migrate roamer", r"vm roamer: migration under way")
    a.expect(rf"migrate: vm roamer from {HOST} refused: " + why, timeout=120)
    b.expect(rf"vm roamer: migrate: failed: {HOST} refused: {why}; the VM runs on here",
             timeout=60)
    b.shell("vm list", r"roamer\s+running")
    b.expect(r"roamer\| clock: \d+ s", timeout=30)
    # a has no copy of generation 1 or 2: the one that left it at 3 is its last.
    a.shell("vm list", r"roamer\s+migrated away")
