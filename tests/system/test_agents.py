"""The enclave agents' handshake between two Skiff hosts (docs/enclaves.md, "The agents'
handshake"), through the tests' relay, which is the attacker. Host a (QEMU max, class
fleet-a) is the source of enclave VMs whose owner-signed migration policies
(tools/skiff-policy) accept host b (a Cortex-A72 at 62.5 MHz, minimum policy SVN 3) by its
key; each attack has its exact outcome on both consoles, and a refused or failed
handshake leaves no enclave shell on the destination."""

import os
import subprocess
import tempfile

import pytest

import relay as R
from skiff import TOP, Vm, linked_hosts

POLICY_TOOL = os.path.join(TOP, "build", "tools", "skiff-policy")
OWNER = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
KEY_A = "0000000000000000000000000000000000000000000000000000000000000004"
KEY_B = "0000000000000000000000000000000000000000000000000000000000000003"
KEY_OTHER = "0000000000000000000000000000000000000000000000000000000000000002"
T_HELLO, T_RECORD = 0x30, 0x31
PAYLOAD = R.ETH_HDR + R.LINK_HDR  # where a link frame's payload starts

SRC = r"enclave: agent \(source\): "
DST = r"enclave: agent \(destination\): "


def host_id(key):
    return subprocess.run([POLICY_TOOL, "host-id", key], check=True, capture_output=True,
                          text=True).stdout.strip()


def policy(directory, name, **change):
    fields = {"migratable": "yes", "policy-svn": "3", "min-skiff-svn": "1",
              "host-key": host_id(KEY_B), "host-class": "fleet-a",
              "cpu-profile": "armv8.0", "counter": "mmio 62500000",
              "enclave-required": "yes"}
    fields.update(change)
    desc, out = os.path.join(directory, name + ".txt"), os.path.join(directory, name + ".bin")
    with open(desc, "w") as f:
        f.write("".join(f"{k} = {v}\n" for k, v in fields.items()))
    subprocess.run([POLICY_TOOL, "build", desc, OWNER, out], check=True)
    return out


def enclave(name, path, extra=""):
    """A clock guest as an enclave under the policy at @path; @extra: more properties."""
    return Vm(name, "clock", extra=f'bootargs = "idle=1"; enclave = "on"; '
                                   f'migration-policy = /incbin/("{path}"); {extra}')


@pytest.fixture(scope="module")
def hosts():
    with tempfile.TemporaryDirectory() as tmp:
        vms_a = [enclave("good", policy(tmp, "good")),
                 enclave("oldsvn", policy(tmp, "oldsvn", **{"policy-svn": "2"})),
                 enclave("v82", policy(tmp, "v82", **{"cpu-profile": "armv8.2"})),
                 enclave("nokey", policy(tmp, "nokey", **{"host-key": host_id(KEY_OTHER)}))]
        vms_b = [Vm("clock", "clock", extra='bootargs = "idle=1";')]
        roots = (f'attestation-key = "{KEY_A}"; host-class = "fleet-a";',
                 f'attestation-key = "{KEY_B}"; host-class = "fleet-b"; '
                 'migration-min-policy-svn = <3>;')
        with linked_hosts(vms_a, vms_b, cpu=("max", "cortex-a72"), roots=roots) as pair:
            yield pair


def expect_no_shell(host, pattern):
    """Waits for @pattern on @host: no enclave shell was made before it."""
    m = host.expect(pattern)
    assert "non-runnable shell" not in host.child.before, host.child.before
    return m


def is_type(t):
    return lambda frame: R.link_type(frame) == t


def record_after_hello():
    """Matches the first sealed record after the next HELLO: the handshake's own, not a
    late one of the handshake before (a source's ERROR when it gave up)."""
    seen = []

    def match(frame):
        if R.link_type(frame) == T_HELLO:
            seen.append(frame)
        return bool(seen) and R.link_type(frame) == T_RECORD
    return match


@pytest.mark.parametrize("vm, field, why", [
    ("oldsvn", "policy-svn", r"policy-svn: the policy's is 2, this host accepts 3 at least "
                             r"\(an older policy: downgrade refused\)"),
    ("v82", "cpu-profile", r"cpu-profile: armv8.2 needs FEAT_LSE \(ID_AA64ISAR0_EL1.Atomic 2\), "
                           r"this host has 0"),
    ("nokey", "host-keys", r"host-keys: this host \(identity " + host_id(KEY_B) +
                           r", class \"fleet-b\"\) is none of the policy's 1 host keys"),
])
def test_destination_fails_policy(hosts, vm, field, why):
    """The destination refuses at POLICY_RESULT, naming the field and both values, on both
    consoles, before it makes anything for the VM."""
    a, b, relay = hosts
    a.shell(f"link handshake {vm}", SRC + r"handshake refused: the destination refused the "
            rf"policy \(field {field}\): " + why)
    expect_no_shell(b, DST + r"handshake refused: this host fails the enclave's policy: " + why)
    b.shell("link status", r"link: virtio-net")
    assert "non-runnable shell" not in b.child.before


def test_handshake(hosts):
    """The whole handshake: each side names the other by the key it signed with; the
    destination makes one shell; a link cut afterwards drops it."""
    a, b, relay = hosts
    a.shell("link handshake good", SRC + "channel established with host " + host_id(KEY_B))
    b.expect(DST + r"a non-runnable shell for the enclave of policy [0-9a-f]+\.\.\.: its sealed "
                   r"offer may come; 1 shell\(s\)")
    b.expect(DST + "channel established with host " + host_id(KEY_A))
    relay.cut()
    b.expect(DST + r"handshake failed: the link was lost \(established\): nothing from the "
                   r"peer for 5 s")
    b.expect(DST + r"the shell dropped; 0 shell\(s\)")
    a.expect(SRC + r"handshake failed: the link was lost \(established\)")
    relay.reconnect()


def test_altered_record(hosts):
    """A POLICY record altered on the link, its link checksum made right (as an attacker
    would): the destination refuses it, and tells the source."""
    a, b, relay = hosts
    relay.alter("a>b", PAYLOAD + 8 + 40, match=record_after_hello(), sealed=True)
    a.shell("link handshake good")
    expect_no_shell(b, DST + r"handshake failed: record 0 does not authenticate \(altered, or "
                           r"sealed under another key")
    a.expect(SRC + r"handshake failed: the peer ended the handshake: record 0 does not "
                   r"authenticate")


def test_low_order_key(hosts):
    """The source's X25519 key replaced by a low-order point (u = 1) on the link: the
    destination refuses the all-zero shared secret; the source gives up after 10 s."""
    a, b, relay = hosts
    one = bytes([1]) + bytes(31)
    relay.set_bytes("a>b", PAYLOAD + 3 + 32, one, match=is_type(T_HELLO), sealed=True)
    a.shell("link handshake good")
    expect_no_shell(b, DST + r"handshake failed: HELLO: the X25519 shared secret is all zero: "
                           r"the peer's key 01(00){31} is of low order")
    a.expect(SRC + r"handshake failed: no answer from the peer within 10 s \(waiting for "
                   r"POLICY_RESULT\)", timeout=30)


def test_link_cut_in_handshake(hosts):
    """The link cut inside the POLICY record: both sides end the handshake when the
    session goes silent; nothing is left on the destination."""
    a, b, relay = hosts
    relay.cut("a>b", after_bytes=10, match=record_after_hello())
    a.shell("link handshake good")
    expect_no_shell(b, DST + r"handshake failed: the link was lost \(waiting for POLICY\)")
    a.expect(SRC + r"handshake failed: the link was lost \(waiting for POLICY_RESULT\)")
    relay.reconnect()
