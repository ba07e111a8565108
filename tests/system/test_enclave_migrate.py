"""An enclave VM moved between two Skiff hosts through the enclave agents' sealed channel
(docs/enclaves.md, "Moving an enclave"): host a (QEMU max) runs the enclave, whose
owner-signed policy accepts host b (a Cortex-A72) by its key; `vm migrate` runs the
agents' handshake, then the migration with every frame inside sealed records. The relay
is the attacker: a migration frame in the clear never passes, and one forged in the clear
in the middle of the sealed stream ends the move with the enclave still running at home."""

import hashlib
import tempfile

import pytest

import relay as R
from skiff import Vm, linked_hosts
from test_agents import KEY_A, KEY_B, OWNER, PAYLOAD, T_HELLO, T_RECORD, enclave, host_id, policy
from test_enclave import public_key_of

MIG_FIRST, MIG_LAST = 0x20, 0x26  # src/migrate/migrate.h: MIG_T_OFFER .. MIG_T_GO
MIG_T_DATA = 0x23
MIG_T_ABORTED = 0x27


def mover(name, path):
    """A clock guest as an enclave under the policy at @path, with a profile both hosts have."""
    return enclave(name, path, 'cpu-profile = "armv8.0";')


@pytest.fixture(scope="module")
def hosts():
    with tempfile.TemporaryDirectory() as tmp:
        vms_a = [mover(n, policy(tmp, n)) for n in ("first", "second", "third", "fourth")]
        vms_b = [Vm("clock", "clock", extra='bootargs = "idle=1";')]
        roots = (f'attestation-key = "{KEY_A}"; host-class = "fleet-a";',
                 f'attestation-key = "{KEY_B}"; host-class = "fleet-b"; '
                 'migration-min-policy-svn = <3>; migrate-accept = "on";')
        with linked_hosts(vms_a, vms_b, cpu=("max", "cortex-a72"), roots=roots,
                          limit=900) as pair:
            yield pair


def in_the_clear(frame):
    return MIG_FIRST <= R.link_type(frame) <= MIG_LAST


def nth_record_after_hello(n):
    """Matches the @n-th sealed record (from 1) after the next HELLO."""
    seen = {"hello": False, "records": 0}

    def match(frame):
        if R.link_type(frame) == T_HELLO:
            seen["hello"] = True
        elif seen["hello"] and R.link_type(frame) == T_RECORD:
            seen["records"] += 1
            return seen["records"] == n
        return False
    return match


def test_enclave_moves_sealed(hosts):
    """The handshake, then the whole migration inside the channel (a fault armed for any
    migration frame in the clear is never used); the enclave runs on b with the measurement
    it was launched with on a and its policy's owner, its clock goes on, and a scrubs the
    copy it let go."""
    a, b, relay = hosts
    owner = hashlib.sha256(bytes.fromhex(public_key_of(OWNER))).hexdigest()
    meas = a.shell("vm info first", r"enclave: measurement ([0-9a-f]{64})",
                   r"enclave: migration policy signed by owner key " + owner)[0].group(1)
    relay.drop("a>b", match=in_the_clear)
    relay.drop("b>a", match=in_the_clear)
    a.shell("vm migrate first", r"vm first: migration under way")
    a.expect(r"enclave: agent \(source\): channel established with host " + host_id(KEY_B))
    b.expect(r"vm first: migrate: arriving from host [0-9a-f]{16}: 4 MiB, 1 vCPU\(s\), "
             r"cpu-profile armv8\.0, counter at \d+ Hz; an enclave, sealed, generation 1")
    a.expect(r"vm first: migrate: moved to host [0-9a-f]{16}: ", timeout=120)
    b.expect(r"vm first: migrate: arrived from host [0-9a-f]{16}: .*; running")
    a.expect(r"vm first: enclave RAM zeroed as it left \(4 MiB\)")
    assert relay.faults_waiting("a>b") == 1 and relay.faults_waiting("b>a") == 1
    relay.clear_faults()
    b.shell("vm info first", rf"enclave: measurement {meas}",
            r"enclave: migration policy signed by owner key " + owner,
            r"enclave: instance [0-9a-f]{32}, generation 1 \(moves so far\)")
    first = int(b.expect(r"first\| clock: (\d+) s", timeout=30).group(1))
    assert int(b.expect(r"first\| clock: (\d+) s", timeout=30).group(1)) > first
    a.shell("vm list", r"first\s+migrated away")


def test_frame_in_the_clear_ends_the_move(hosts):
    """A sealed record of the stream turned into a migration DATA frame in the clear (its
    link checksum made right): the destination refuses it and drops what it built, the
    source hears so under the seal, and the enclave runs on at home."""
    a, b, relay = hosts
    relay.set_bytes("a>b", R.OFF_TYPE, bytes([MIG_T_DATA]), match=nth_record_after_hello(5),
                    sealed=True)
    a.shell("vm migrate second", r"vm second: migration under way")
    b.expect(r"vm second: migrate: arriving from host [0-9a-f]{16}: .*; an enclave, sealed")
    why = r"a frame 0x23 of \d+ bytes in the clear during an enclave's sealed migration"
    b.expect(r"vm second: migrate: not taken: " + why + "; nothing of it is kept here")
    # Refused while the stream goes, or, if all of it went (its COMMIT sent), the
    # destination's ABORT under the seal: either way the VM runs on at home.
    a.expect(r"vm second: migrate: failed: host [0-9a-f]{16} (?:refused|aborted the committed "
             r"move): " + why +
             r"; the VM runs on here")
    a.shell("vm list", r"second\s+running")
    a.expect(r"second\| clock: \d+ s", timeout=30)
    b.shell("vm info second", r'no VM is called "second"')


def test_commit_ack_lost(hosts):
    """The destination's answer to the COMMIT (END) dropped on the link: the enclave runs on
    b, which had all of it; a, which cannot know, keeps its copy stopped for good (never two
    running), says so, and discards it on vm stop, zeroing its RAM."""
    a, b, relay = hosts
    # b's sealed records after its HELLO: POLICY_RESULT, ATTEST, READY, ACCEPT, DONE.
    relay.drop("b>a", match=nth_record_after_hello(5))
    a.shell("vm migrate third", r"vm third: migration under way")
    b.expect(r"vm third: migrate: arrived from host [0-9a-f]{16}: .*; running")
    b.expect(r"third\| clock: \d+ s", timeout=30)
    # The next frame from b shows the gap (the session, then the channel, end), or none
    # comes for 30 s: either way a cannot know whether b runs the VM.
    a.expect(r"vm third: migrate: committed to host [0-9a-f]{16}, then (?:the enclave agents' "
             r"sealed channel ended|no confirmation in 30 s after the stream|.*session.*): the "
             r"VM stays stopped here and runs here again only if that host's ABORT comes",
             timeout=60)
    head, row = a.shell("vm list", r"shell\| (NAME +STATE +VCPUS)",
                        r"shell\| (third +committed away +\d+)")
    assert len(head.group(1)) == len(row.group(1)), "vm list: the VCPUS column moved"
    a.shell("vm start third", r"vm third is committed away")
    a.shell("vm stop third", r"vm third: enclave RAM zeroed after the stop \(4 MiB\)",
            r"vm third stopped")


def is_commit(frame):
    """The COMMIT (the enclave's END): a sealed record of 75 bytes (number 8, message type
    1, frame type 1, END 9 + page count 8 + digest 32, tag 16); nothing else a>b has it."""
    return R.link_type(frame) == T_RECORD and len(frame) - PAYLOAD == 75


def test_commit_lost_then_abort_in_a_later_session(hosts):
    """The COMMIT itself dropped: a sent it, so its copy may never run again on its own; b
    never got it, gives the VM up, and keeps its ABORT token (made under the channel's key).
    In the next session, in the clear, the token reaches a; altered on the way it is
    ignored; right, in the session after, a runs its copy again: availability lost for a
    while, never a second copy."""
    a, b, relay = hosts
    relay.drop("a>b", match=is_commit)
    a.shell("vm migrate fourth", r"vm fourth: migration under way")
    b.expect(r"vm fourth: migrate: not taken: .*; nothing of it is kept here", timeout=60)
    b.expect(r"vm fourth: migrate: it never runs here; its ABORT goes to host [0-9a-f]{16} in "
             r"this and every later session")
    a.expect(r"vm fourth: migrate: committed to host [0-9a-f]{16}, then .*: the VM stays "
             r"stopped here and runs here again only if that host's ABORT comes", timeout=60)
    a.shell("vm list", r"fourth\s+committed away")
    # A forged token first (one byte of it changed on the link, checksum made right). b
    # keeps the ABORT of "second" too (the move it gave up earlier) and tells both in each
    # session: both are altered this time.
    for _ in range(2):
        relay.alter("b>a", PAYLOAD + 16 + 8 + 5,
                    match=lambda f: R.link_type(f) == MIG_T_ABORTED, sealed=True)
    b.shell("link open")
    a.expect(r"vm fourth: migrate: an ABORT that does not authenticate: ignored", timeout=60)
    a.shell("vm list", r"fourth\s+committed away")
    relay.clear_faults()
    b.shell("link close")
    b.shell("link open")
    a.expect(r"vm fourth: migrate: the destination's ABORT came: it never ran the VM; the VM "
             r"runs here again", timeout=60)
    a.shell("vm list", r"fourth\s+running")
    a.expect(r"fourth\| clock: \d+ s", timeout=30)
    b.shell("vm info fourth", r'no VM is called "fourth"')
