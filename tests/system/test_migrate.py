"""vm migrate (docs/migration.md): two Skiff hosts joined by the relay, as in
test_link.py. The migrate guest (guest/tests/migrate.c) fills registers and memory, leaves
an SPI pending and arms its timers, and is moved while it waits; it checks everything
after its timer fires, on whichever host it then runs. Host b takes VMs
(migrate-accept = "on"); host a does not, and both keep running with no VM."""

import time

import pytest

import relay as R
from skiff import Vm, linked_hosts

ACCEPT = 'migrate-accept = "on";'
TAP_OK = r"mig\| ok (\d+) - "


def mig_vm(wait=20):
    return Vm("mig", "migrate", memory=4 << 20, extra=f'bootargs = "wait={wait}";')


def tap_all_ok(host, checks=8):
    """The guest's checks, on @host's console: every one ok, then its plan."""
    for n in range(1, checks + 1):
        m = host.expect(r"mig\| (ok|not ok) (\d+) - ([^\r\n]*)", timeout=120)
        assert m.group(1) == "ok", f"host {host.name}: not ok {m.group(2)} - {m.group(3)}"
        assert int(m.group(2)) == n
    host.expect(rf"mig\| 1\.\.{checks}")


def is_migration_data(frame: bytes) -> bool:
    return R.link_type(frame) == 0x23


def starts_the_state(frame: bytes) -> bool:
    """The data frame that begins with the stream's header record (after the pre-copy
    rounds, the VM stopped): record header 8 bytes, then the magic."""
    payload = frame[R.ETH_HDR + R.LINK_HDR:]
    return is_migration_data(frame) and payload[8:12] == b"SKVM"


@pytest.fixture
def hosts():
    with linked_hosts([mig_vm()], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT)) as pair:
        yield pair


def test_migrate_moves_the_vm(hosts):
    """The guest is moved while its timer is armed: on host b it finds its registers,
    memory, pending SPI and timers as it left them; host a lets its copy go only after
    b confirmed, and b's own VM runs on beside it."""
    a, b, _ = hosts
    a.expect(r"mig\| # migrate: ready")
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: accepted; round 0: \d+ pages while the VM runs")
    a.expect(r"vm mig: migrate: stopped after \d+ round\(s\), off its CPUs in \d+ ms; "
             r"sending its state and \d+ pages")
    b.expect(r"vm mig: migrate: arriving from host [0-9a-f]{16}: 4 MiB, 1 vCPU\(s\), "
             r"cpu-profile host, counter at \d+ Hz")
    m = b.expect(r"vm mig: migrate: arrived from host [0-9a-f]{16}: (\d+) pages \((\d+) with "
                 r"data\) in \d+ ms; running")
    pages, data = int(m.group(1)), int(m.group(2))
    a.expect(r"vm mig: migrate: moved to host [0-9a-f]{16}: \d+ rounds, \d+ pages \(\d+ "
             r"with data, \d+ zero\), \d+ bytes on the link, downtime \d+ ms, \d+ ms in all")
    assert data >= 256, "the guest's 1 MiB pattern went as data pages"
    assert pages >= data
    b.expect(r"mig\| # migrate: timer fired at \d+ after \d+ wakes", timeout=120)
    tap_all_ok(b)
    a.shell("vm list", r"mig\s+migrated away")
    b.expect(r"vm mig: powered off by the guest")
    b.shell("vm list", r"clock\s+running", r"mig\s+powered off")
    # Neither copy starts afresh: a's RAM is gone, b has no images to load.
    a.shell("vm start mig", r"vm mig cannot start: .* moved away, or came from another host")
    b.shell("vm start mig", r"vm mig cannot start: .* came from another host")


def test_vm_list_shows_the_migration(hosts):
    """While the answers are slow to come back (the relay holds b's frames 3 s), vm list
    on the source shows the VM migrating and the migration's step; afterwards, neither."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.set_delay("b>a", 3)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.shell("vm list", r"mig\s+migrating\s+1", r"migration: vm mig to host [0-9a-f]{16}: "
            r"(opening a session|offered, waiting for the answer); round 0")
    a.expect(r"vm mig: migrate: accepted; round 0")
    a.expect(r"vm mig: migrate: stopped after \d+ round\(s\)")
    a.shell("vm list", r"mig\s+migrating\s+1", r"migration: vm mig to host [0-9a-f]{16}: "
            r"(the VM stopped, its state going|all sent, waiting for the confirmation); "
            r"round \d+, \d+ of \d+ pages sent")
    relay.set_delay("b>a", 0)
    a.expect(r"vm mig: migrate: moved to host")
    a.shell("vm list", r"mig\s+migrated away")
    b.shell("vm list", r"mig\s+running")


def test_cut_link_mid_transfer(hosts):
    """The relay cuts the link inside the first pre-copy round, the VM running: it runs
    on on host a (its checks pass there), host b builds nothing it keeps."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.cut("a>b", after_bytes=4 + 30000, match=is_migration_data)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: accepted; round 0")
    b.expect(r"vm mig: migrate: arriving from host")
    b.expect(r"vm mig: migrate: not taken: .*; nothing of it is kept here", timeout=60)
    a.expect(r"vm mig: migrate: failed: .*; the VM runs on here", timeout=60)
    b.shell("vm info mig", r'no VM is called "mig"')
    b.expect(r"clock\| clock: \d+ s")
    tap_all_ok(a)


def test_cut_link_in_the_final_state(hosts):
    """The relay cuts the link as the stopped VM's state goes: host a thaws it and it
    runs on, host b keeps nothing."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.cut("a>b", after_bytes=4 + 200, match=starts_the_state)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: stopped after \d+ round\(s\)")
    b.expect(r"vm mig: migrate: not taken: .*; nothing of it is kept here", timeout=60)
    a.expect(r"vm mig: migrate: failed: .*; the VM runs on here", timeout=60)
    b.shell("vm info mig", r'no VM is called "mig"')
    tap_all_ok(a)


def test_precopy_keeps_up_with_a_busy_guest():
    """The guest rewrites 2 MiB pass after pass while it moves (and 4 MiB sit filled),
    faster than the link carries it: the pre-copy sends what it wrote in later rounds
    until the set stops shrinking, then stops it for the rest; on host b every word holds
    the last pass's value, and its other checks pass."""
    vm = Vm("mig", "migrate", memory=16 << 20, extra='bootargs = "wait=25 fill=4 busy=2048";')
    with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT)) as (a, b, _):
        a.expect(r"mig\| # migrate: ready")
        a.shell("vm migrate mig", r"vm mig: migration under way")
        m = a.expect(r"vm mig: migrate: accepted; round 0: (\d+) pages while the VM runs")
        assert int(m.group(1)) >= 1024 + 512, "the filled 4 MiB and the busy area"
        # What it wrote during round 0 goes again in round 1 (and so on while it writes).
        m = a.expect(r"vm mig: migrate: round 1: \d+ of (\d+) pages sent", timeout=60)
        assert int(m.group(1)) > 0, "the busy guest wrote while its RAM went"
        a.expect(r"vm mig: migrate: \d+ pages written during round \d+; stopping the VM for "
                 r"them and its state", timeout=60)
        m = a.expect(r"vm mig: migrate: moved to host [0-9a-f]{16}: (\d+) rounds, (\d+) "
                     r"pages", timeout=60)
        assert int(m.group(1)) >= 3
        b.expect(r"mig\| # migrate: timer fired at \d+ after \d+ wakes", timeout=120)
        tap_all_ok(b, checks=9)


def test_a_256_mib_vm_moves():
    """A 256 MiB VM with 64 MiB filled: every page and the checksum over all of it arrive
    (the pre-copy's bitmaps and rounds at the size of a Linux VM)."""
    vm = Vm("mig", "migrate", memory=256 << 20, extra='bootargs = "wait=40 fill=64";')
    with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT)) as (a, b, _):
        a.expect(r"mig\| # migrate: ready", timeout=120)
        a.shell("vm migrate mig", r"vm mig: migration under way")
        m = a.expect(r"vm mig: migrate: moved to host [0-9a-f]{16}: \d+ rounds, (\d+) pages "
                     r"\((\d+) with data", timeout=120)
        assert int(m.group(2)) >= 64 * 256, "the 64 MiB filled went as data pages"
        b.expect(r"mig\| # migrate: timer fired at \d+ after \d+ wakes", timeout=120)
        tap_all_ok(b)


def test_lost_go_holds_the_vm(hosts):
    """The relay drops the source's GO (sent once it let its copy go): the destination,
    which has it all, keeps it held, not running, and says why; the operator's vm start
    runs it, and its checks pass. Never two copies, and the VM is not lost."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.drop("a>b", match=lambda f: R.link_type(f) == 0x26)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: moved to host [0-9a-f]{16}")
    b.expect(r"vm mig: migrate: all of it arrived, but not the source's last word \(.*\): "
             r"held here, not running; `vm start mig` runs it", timeout=60)
    b.shell("vm list", r"mig\s+held")
    a.shell("vm list", r"mig\s+migrated away")
    b.shell("vm start mig", r"vm mig: held since it arrived, running now")
    b.expect(r"mig\| # migrate: timer fired at \d+ after \d+ wakes", timeout=120)
    tap_all_ok(b)


def test_lost_done_leaves_one_copy_running(hosts):
    """The relay drops the destination's DONE: the source never hears it, gives up and
    runs its VM on; the destination holds its copy, not running. One copy runs."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.drop("b>a", match=lambda f: R.link_type(f) == 0x25)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: failed: .*; the VM runs on here", timeout=60)
    b.expect(r"vm mig: migrate: all of it arrived, but not the source's last word", timeout=60)
    b.shell("vm list", r"mig\s+held")
    tap_all_ok(a)


def test_malformed_stream(hosts):
    """The header record (first of the state, after the memory rounds) says format 1.0,
    its frame's link checksum made right again: the destination refuses the stream naming
    the version and frees what it built, the source hears why and its VM runs on."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    # Payload offset 12: the header record's major version (record header 8, magic 4).
    relay.set_bytes("a>b", R.ETH_HDR + R.LINK_HDR + 12, b"\x00\x01", match=starts_the_state,
                    sealed=True)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    b.expect(r"vm mig: migrate: not taken: a malformed stream: VM state format 1\.0; this "
             r"host reads 2\.x; nothing of it is kept here")
    a.expect(r"vm mig: migrate: failed: host [0-9a-f]{16} refused: a malformed stream: VM "
             r"state format 1\.0; this host reads 2\.x; the VM runs on here")
    b.shell("vm info mig", r'no VM is called "mig"')
    tap_all_ok(a)


def starts_with_pages(frame: bytes) -> bool:
    """A data frame whose payload begins with a memory record (tag 0x0060)."""
    payload = frame[R.ETH_HDR + R.LINK_HDR:]
    return is_migration_data(frame) and payload[:4] == b"\x00\x60\x00\x00"


@pytest.mark.parametrize("offset,data,why", [
    # The record header's payload length (bytes 4-7): far beyond any record (the whole
    # record is 8 bytes more).
    (4, b"\x7f\xff\xff\xff", r"a record of tag 0x0060 and 2147483655 bytes; the largest is "
                              r"\d+"),
    # The memory record's page count (after its version and 8-byte address): 99.
    (18, b"\x00\x63", r"page count 99 \(1 to 32\)"),
])
def test_malformed_memory_record(hosts, offset, data, why):
    """A memory record altered on the way (the frame's link checksum made right again):
    an oversized length, an impossible page count. The destination refuses the stream
    naming the field and frees what it built; the source's VM runs on."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.set_bytes("a>b", R.ETH_HDR + R.LINK_HDR + offset, data, match=starts_with_pages,
                    sealed=True)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    b.expect(rf"vm mig: migrate: not taken: a malformed stream: .*{why}.*; nothing of it is "
             r"kept here")
    a.expect(r"vm mig: migrate: failed: host [0-9a-f]{16} refused: a malformed stream: .*; "
             r"the VM runs on here")
    b.shell("vm info mig", r'no VM is called "mig"')
    tap_all_ok(a)


def test_truncated_frame_of_the_stream(hosts):
    """A frame of the stream arrives cut short (the relay keeps its first 200 bytes): the
    link refuses it and ends the session, both hosts say so, the destination keeps
    nothing and the source's VM runs on."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.truncate("a>b", 200, match=starts_with_pages)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    b.expect(r"truncated frame: its header says \d+ payload bytes, \d+ arrived", timeout=60)
    b.expect(r"vm mig: migrate: not taken: .*; nothing of it is kept here", timeout=60)
    a.expect(r"vm mig: migrate: failed: .*; the VM runs on here", timeout=60)
    b.shell("vm info mig", r'no VM is called "mig"')
    tap_all_ok(a)


def test_cut_link_at_the_offer(hosts):
    """The relay cuts the link as the offer goes: the destination never hears of the VM,
    the source gives up when the session ends, and its VM never stopped."""
    a, b, relay = hosts
    a.expect(r"mig\| # migrate: ready")
    relay.cut("a>b", after_bytes=4 + 20, match=lambda f: R.link_type(f) == 0x20)
    a.shell("vm migrate mig", r"vm mig: migration under way")
    a.expect(r"vm mig: migrate: failed: .*; the VM runs on here", timeout=60)
    b.shell("vm info mig", r'no VM is called "mig"')
    tap_all_ok(a)


def test_refused_without_migrate_accept(hosts):
    """b to a: a's configuration does not take VMs; the refusal comes before anything
    moves, and b's VM never stops."""
    a, b, _ = hosts
    b.shell("vm migrate clock", r"vm clock: migration under way")
    b.expect(r"vm clock: migrate: failed: host [0-9a-f]{16} refused: this host does not "
             r"take VMs \(its configuration has no migrate-accept = \\?\"on\\?\"\); the VM "
             r"runs on here")
    a.expect(r"migrate: vm clock from host [0-9a-f]{16} refused: this host does not take VMs")
    b.expect(r"clock\| clock: \d+ s")


def test_profile_refused_before_anything_moves():
    """A VM shown cpu-profile armv8.2 (LSE, ...) offered to a Cortex-A72 host: refused,
    naming the feature, before the source froze it; it runs on and passes its checks."""
    vm = Vm("mig", "migrate", memory=4 << 20,
            extra='bootargs = "wait=10"; cpu-profile = "armv8.2";')
    with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      cpu=("max", "cortex-a72"), when_idle="wait",
                      roots=("", ACCEPT)) as (a, b, _):
        a.expect(r"mig\| # migrate: ready")
        a.shell("vm migrate mig", r"vm mig: migration under way")
        b.expect(r"migrate: vm mig from host [0-9a-f]{16} refused: cpu-profile armv8\.2 needs "
                 r"FEAT_LSE \(ID_AA64ISAR0_EL1\.Atomic 2\), this host has 0")
        m = a.expect(r"vm mig: migrate: (accepted|failed: host [0-9a-f]{16} refused: cpu-profile "
                     r"armv8\.2 needs FEAT_LSE)")
        assert m.group(1) != "accepted", "the source began sending before the answer"
        tap_all_ok(a)


def clock_offset(host, samples=3):
    """The clock guest's seconds less the test's own, at its next @samples lines (the
    median): constant while the guest's time follows the wall clock."""
    offsets = []
    for _ in range(samples):
        n = int(host.expect(r"clock\| clock: (\d+) s", timeout=30).group(1))
        offsets.append(n - time.monotonic())
    return sorted(offsets)[len(offsets) // 2]


@pytest.mark.parametrize("mode", ["pause", "catch-up"])
def test_clock_pauses_or_catches_up(mode):
    """vm migrate NAME pause|catch-up, the relay holding every frame 2.5 s each way (a
    blackout of about 7.5 s: the stream's end one way, DONE and GO there and back). Paused,
    the guest's seconds fall behind the wall clock by the blackout; caught up, they keep
    with it (the destination adds the source's time to END, END's way over, half the round
    trip, and its own wait)."""
    with linked_hosts([Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      [Vm("other", "clock", extra='bootargs = "idle=1";')],
                      when_idle="wait", roots=("", ACCEPT)) as (a, b, relay):
        # The session first: an offer waits 5 s for its answer, the delays' round trip.
        a.shell("link ping 1", r"ping: 1 of 1 answered")
        before = clock_offset(a)
        relay.set_delay("a>b", 2.5)
        relay.set_delay("b>a", 2.5)
        a.shell(f"vm migrate clock {mode}", r"vm clock: migration under way")
        b.expect(r"vm clock: migrate: arrived from host [0-9a-f]{16}: .*; running, its clock "
                 + ("caught up with" if mode == "catch-up" else "paused for")
                 + " the blackout", timeout=60)
        m = a.expect(r"vm clock: migrate: moved to host [0-9a-f]{16}: .*downtime (\d+) ms",
                     timeout=30)
        assert int(m.group(1)) >= 4500, "the relay's delays make a blackout of seconds"
        lag = before - clock_offset(b)
        # Half the blackout apart either way: wide margins for a loaded machine.
        if mode == "pause":
            assert lag > 4, f"paused: the guest's clock fell {lag:.2f} s behind"
        else:
            assert abs(lag) < 3, f"caught up: the guest's clock is {lag:.2f} s off"


def test_status_view_shows_the_migration():
    """Host a on the full-screen console in a real terminal (tmux), host b plain: while the
    VM leaves (the relay holding every frame 2 s each way), a's status view shows it
    migrating and the migration's step under the VM table."""
    import os
    import re
    import tempfile

    from relay import Relay
    from skiff import LINK_MACS, Host, compile_config, config_dts, qemu_command, qemu_session
    from test_console import ask_shell, switch
    from tmux import Terminal

    with tempfile.TemporaryDirectory() as tmp:
        socks, configs = [], []
        for name, vms, root in (("a", [mig_vm(wait=60)], ""),
                                ("b", [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                                 ACCEPT)):
            d = os.path.join(tmp, name)
            os.mkdir(d)
            configs.append(compile_config(config_dts(vms, when_idle="wait", root=root), d))
            socks.append(os.path.join(d, "link.sock"))
        with Terminal(qemu_command(configs[0], link=socks[0], link_mac=LINK_MACS[0])) as term, \
                qemu_session(qemu_command(configs[1], link=socks[1], link_mac=LINK_MACS[1],
                                          extra=["-append", "skiff.console=plain"]),
                             limit=300, timeout=60) as child_b:
            b = Host("b", child_b)
            b.expect(r"0 to the management shell")
            term.wait_text("# migrate: ready")
            with Relay(socks[0], socks[1]) as relay:
                relay.set_delay("a>b", 2)
                relay.set_delay("b>a", 2)
                ask_shell(term, "vm migrate mig")
                term.wait_text("migration under way")
                switch(term, "s", "status]")
                screen = term.wait_text("migration: vm mig to host")
                assert re.search(r"mig\s+migrating\s+1", screen), screen
                b.expect(r"vm mig: migrate: arrived from host", timeout=60)
