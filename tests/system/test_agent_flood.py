"""A hostile peer on the host link floods the enclave agent with migration HELLOs
(docs/enclaves.md, "On a Skiff host"). Each HELLO a destination answers costs two X25519
multiplications in the link's interrupt, so a peer sending them as fast as the link
carries them could take the link CPU from its VMs. Here the peer is this test, speaking
the link's session protocol (docs/migration.md, "Sessions") straight to the host's socket:
the host begins at most one handshake each 100 ms, says how many HELLOs it set aside,
and its VM keeps running."""

import io
import os
import re
import socket
import struct
import tempfile
import time
import zlib

import pexpect

from relay import ETHERTYPE, PREFIX, T_HELLO as LINK_HELLO
from skiff import Vm, compile_config, config_dts, qemu_command, qemu_session
from test_agents import KEY_B

AGENT_HELLO = 0x30
SPACING_S = 0.1  # src/enclave/agent_host.c: HELLO_SPACING_MS
FLOOD = 400
SESSION = 0x5EED0001
PEER_MAC = bytes.fromhex("525400ee0001")


def frame(ftype, number, payload):
    """A link frame (src/migrate/wire.h) in session SESSION, its checksum right."""
    head = (b"\xff" * 6 + PEER_MAC + ETHERTYPE.to_bytes(2, "big") +
            struct.pack(">HBBIIHHI", 0x534B, 1, ftype, SESSION, number, len(payload), 0, 0))
    whole = head + payload
    crc = zlib.crc32(whole)
    return whole[:30] + crc.to_bytes(4, "big") + whole[34:]


def agent_hello(i):
    """A well-formed source HELLO: version 1 (u16 LE), role source, a nonce, an X25519 key
    that is no low-order point."""
    return struct.pack("<HB", 1, 1) + i.to_bytes(32, "little") + bytes([9]) + bytes(31)


class Peer:
    """This test on the link (QEMU's stream netdev frames each Ethernet frame with its
    length, 4 bytes big-endian), and the reader of the host's console: while QEMU waits
    to write its serial output it reads nothing from the link either, so everything here
    reads both whenever it waits."""

    def __init__(self, path, child):
        deadline = time.monotonic() + 30
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                assert time.monotonic() < deadline, "the host's link socket never opened"
                time.sleep(0.1)
        self.sock.setblocking(False)
        self.child = child
        self.console = io.StringIO()
        child.logfile_read = self.console
        self.number = 0

    def pump(self):
        """Takes what the host sent on the link (dropped) and on its console (kept)."""
        try:
            while self.sock.recv(1 << 16):
                pass
        except BlockingIOError:
            pass
        try:
            while True:
                self.child.read_nonblocking(1 << 16, timeout=0)
        except pexpect.TIMEOUT:
            pass

    def send(self, ftype, payload, timeout=60):
        f = frame(ftype, self.number, payload)
        data = PREFIX.pack(len(f)) + f
        self.number += 1
        deadline = time.monotonic() + timeout
        while data:
            try:
                data = data[self.sock.send(data):]
            except BlockingIOError:
                assert time.monotonic() < deadline, "the host took no frame for 60 s"
                self.pump()
                time.sleep(0.005)

    def wait(self, pattern, count=1, timeout=60):
        """Waits until @pattern is on the console @count times since the peer began."""
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.console.getvalue())) < count:
            assert time.monotonic() < deadline, f"not {count} of {pattern!r} on the console"
            self.pump()
            time.sleep(0.05)

    def close(self):
        self.sock.close()


def test_a_hello_flood_begins_one_handshake_each_100_ms():
    vms = [Vm("clock", "clock")]
    root = f'attestation-key = "{KEY_B}"; host-class = "fleet-b"; migrate-accept = "on";'
    with tempfile.TemporaryDirectory() as tmp:
        link = os.path.join(tmp, "link.sock")
        cmd = qemu_command(compile_config(config_dts(vms, when_idle="wait", root=root), tmp),
                           link=link, extra=["-append", "skiff.console=plain"])
        with qemu_session(cmd, limit=300, timeout=60) as child:
            child.expect(r"0 to the management shell")
            peer = Peer(link, child)
            try:
                # The session: offer (kind 1), at most 65515 bytes a frame, a host id.
                peer.send(LINK_HELLO, struct.pack(">BBHQ", 1, 0, 65515, 0xBAD0_0000_0000_0001))
                peer.wait(r"link: session 5eed0001 opened by host bad0000000000001")
                began = time.monotonic()
                for i in range(FLOOD):
                    peer.send(AGENT_HELLO, agent_hello(i + 1))
                sent = time.monotonic()
                # The last HELLO held is answered within 100 ms (its handshake then waits
                # for a POLICY that never comes); the VM goes on.
                tick = r"clock\| clock: \d+ s"
                peer.wait(tick, len(re.findall(tick, peer.console.getvalue())) + 2)
                ended = time.monotonic()
                text = peer.console.getvalue()
                begun = len(re.findall(r"enclave: agent \(destination\): a migration HELLO: "
                                       r"handshake", text))
                # The host's clock runs with this one (QEMU's virtual clock, no -icount):
                # in `ended - began` seconds it may begin one handshake each 100 ms, and
                # one more at each end of the window.
                allowed = int((ended - began) / SPACING_S) + 2
                assert 1 <= begun <= allowed, \
                    f"{begun} handshakes begun for {FLOOD} HELLOs sent in " \
                    f"{sent - began:.1f} s (at most {allowed} in {ended - began:.1f} s)"
                peer.wait(r"enclave: agent: \d+ migration HELLO\(s\) not answered")
            finally:
                peer.close()
