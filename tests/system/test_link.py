"""The host link (docs/migration.md): two Skiff hosts, each a QEMU with a virtio-net-device
on a stream socket, joined by the tests' relay (relay.py), which passes their frames and
damages them on command. Each host runs a VM (the clock guest, idle between seconds); a
fault must end the link's session with a clear line on both hosts' consoles and nothing
else: both VMs keep running, and the next ping opens a new session."""

import os
import re
import subprocess
import tempfile

import pytest

import relay as R
from skiff import TOP, LINK_MACS, Vm, linked_hosts, qemu_command

ENDED_HERE = r"link: session ([0-9a-f]{8}) with host [0-9a-f]{16} ended: "
ENDED_THERE = r"link: host [0-9a-f]{16} ended session ([0-9a-f]{8}): "


@pytest.fixture(scope="module")
def hosts():
    vms = [Vm("clock", "clock", extra='bootargs = "idle=1";')]
    with linked_hosts(vms, vms) as pair:
        yield pair


def still_running(*hosts):
    """Each host's VM prints two more of its seconds: it kept running through what came
    before."""
    for h in hosts:
        first = int(h.expect(r"clock\| clock: (\d+) s").group(1))
        second = int(h.expect(r"clock\| clock: (\d+) s").group(1))
        assert second > first, f"host {h.name}: clock went from {first} to {second}"


def ping_ok(src, count=1, size=64):
    src.shell(f"link ping {count} {size}", rf"link: ping: {count} of {count} answered")


def fault_ends_session(hosts, arm, reason, count=2, size=100):
    """Opens a session with a ping, arms a fault on a->b, pings @count times again: b ends
    the session saying @reason (a regular expression), a hears why, both VMs go on, and a
    new session works."""
    a, b, relay = hosts
    ping_ok(a)
    arm(relay)
    a.shell(f"link ping {count} {size}")
    sid = b.expect(ENDED_HERE + reason).group(1)
    assert a.expect(ENDED_THERE + reason).group(1) == sid
    assert relay.faults_waiting("a>b") == 0
    still_running(a, b)
    ping_ok(a)


def test_launchers_agree():
    """scripts/qemu.sh (make run's launcher) and the tests' qemu_command() give QEMU the
    same arguments for a host with a link, and under -icount both add -rtc clock=vm
    (unless the caller gave an -rtc of its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "link.sock")
        env = dict(os.environ, PRINT="1", LINK=sock, LINK_MAC=LINK_MACS[1])
        for k in ("CPU", "GIC", "SMP", "MEM"):
            env.pop(k, None)
        out = subprocess.run([os.path.join(TOP, "scripts", "qemu.sh"), "vms.dtb"], env=env,
                             check=True, capture_output=True, text=True).stdout.split("\n")
        want = qemu_command("vms.dtb", link=sock, link_mac=LINK_MACS[1])
        assert out[:-1] == want
        # Under -icount both keep the RTC on the virtual clock, unless told otherwise.
        icount = ["-icount", "shift=0"]
        out = subprocess.run([os.path.join(TOP, "scripts", "qemu.sh"), "vms.dtb", *icount],
                             env=env, check=True, capture_output=True, text=True).stdout
        want = qemu_command("vms.dtb", link=sock, link_mac=LINK_MACS[1], extra=icount)
        assert out.split("\n")[:-1] == want and want[-2:] == ["-rtc", "clock=vm"], want
        mine = [*icount, "-rtc", "clock=host"]
        out = subprocess.run([os.path.join(TOP, "scripts", "qemu.sh"), "vms.dtb", *mine],
                             env=env, check=True, capture_output=True, text=True).stdout
        assert out.split("\n")[-3:-1] == ["-rtc", "clock=host"] and "clock=vm" not in out


def test_ping_across(hosts):
    a, b, relay = hosts
    a.shell("link ping 3 1000", r"link: session ([0-9a-f]{8}) open with host",
            r"link: ping 3/3: 1000 bytes back intact",
            r"link: ping: 3 of 3 answered, round trip")
    b.expect(r"link: session [0-9a-f]{8} opened by host [0-9a-f]{16}")
    # The other way, in the same session, with frames of nearly the largest size.
    b.shell("link ping 2 65000", r"link: ping 2/2: 65000 bytes back intact",
            r"link: ping: 2 of 2 answered")
    sa = a.shell("link status", r"session: ([0-9a-f]{8}) open with host ([0-9a-f]{16})")[0]
    sb = b.shell("link status", r"link: virtio-net at 0x[0-9a-f]+, INTID \d+, MAC "
                 r"52:54:00:5b:00:02, MTU 65535, features 0x[0-9a-f]+; host id ([0-9a-f]{16})",
                 r"session: ([0-9a-f]{8}) open with host")
    assert sa.group(1) == sb[1].group(1), "both hosts are in one session"
    assert sa.group(2) == sb[0].group(1), "a's peer is b"
    stats = relay.stats()
    assert stats["a>b"]["frames"] >= 6 and stats["b>a"]["frames"] >= 6


def test_altered_frame(hosts):
    # The last byte of a ping's data, one bit flipped: only the checksum can tell.
    fault_ends_session(hosts, lambda r: r.alter("a>b", -1, 0x10, match=R.is_ping_with_data),
                       r"a malformed frame where frame \d+ was due: checksum mismatch: "
                       r"the frame says 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}")


def test_truncated_frame(hosts):
    fault_ends_session(hosts,
                       lambda r: r.truncate("a>b", R.ETH_HDR + R.LINK_HDR + 50,
                                            match=R.is_ping_with_data),
                       r"a malformed frame where frame \d+ was due: truncated frame: its "
                       r"header says 112 payload bytes, 50 arrived")


def test_oversized_length(hosts):
    fault_ends_session(hosts,
                       lambda r: r.set_bytes("a>b", R.OFF_LEN, b"\xff\xff",
                                             match=R.is_ping_with_data),
                       r"a malformed frame where frame \d+ was due: oversized frame: its "
                       r"header says 65535 payload bytes, the link carries at most 65515")


def test_unknown_version(hosts):
    fault_ends_session(hosts,
                       lambda r: r.set_bytes("a>b", R.OFF_VERSION, b"\x07",
                                             match=R.is_ping_with_data),
                       r"a malformed frame where frame \d+ was due: frame of link version 7; "
                       r"this host speaks version 1")


def test_lost_frame(hosts):
    fault_ends_session(hosts, lambda r: r.drop("a>b", match=R.is_ping_with_data),
                       r"frame \d+ arrived where frame \d+ was due \(a frame was lost, "
                       r"repeated or reordered\)")


def test_repeated_frame(hosts):
    fault_ends_session(hosts, lambda r: r.duplicate("a>b", match=R.is_ping_with_data),
                       r"frame \d+ arrived where frame \d+ was due \(a frame was lost, "
                       r"repeated or reordered\)")


def test_reordered_frames(hosts):
    fault_ends_session(hosts, lambda r: r.reorder("a>b", match=R.is_ping_with_data),
                       r"frame \d+ arrived where frame \d+ was due \(a frame was lost, "
                       r"repeated or reordered\)")


def test_delay_is_no_fault(hosts):
    """Frames held back for less than the session's silence limit arrive late, intact."""
    a, b, relay = hosts
    relay.set_delay("a>b", 2.0)
    try:
        a.shell("link ping 2 500", r"link: ping: 2 of 2 answered")
    finally:
        relay.set_delay("a>b", 0)
    ping_ok(b)


def cut_ends_session(hosts, cut):
    a, b, relay = hosts
    ping_ok(a)
    sid = a.shell("link status", r"session: ([0-9a-f]{8}) open")[0].group(1)
    cut(relay)
    silence = r"nothing from the peer for 5 s \(the link is cut, or the peer stopped\)"
    for h in (a, b):
        assert h.expect(ENDED_HERE + silence, timeout=60).group(1) == sid
    still_running(a, b)
    relay.reconnect()
    ping_ok(a)


def test_cut_link(hosts):
    cut_ends_session(hosts, lambda r: r.cut())


def test_cut_inside_a_frame(hosts):
    """The stream ends in the middle of a ping (its length prefix and 30 bytes of it)."""
    def cut(r):
        r.cut("a>b", after_bytes=4 + 30, match=R.is_ping_with_data)
        hosts[0].shell("link ping 1 100")
    cut_ends_session(hosts, cut)
