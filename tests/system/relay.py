"""The tests' relay between two Skiff hosts' link sockets (docs/migration.md, "Testing").

Each host is a QEMU whose virtio-net-device sits on `-netdev stream,server=on` at a Unix
socket; the relay connects to both and passes what one sends to the other. QEMU frames a
stream netdev's traffic as a 4-byte big-endian length and the Ethernet frame, so the
relay sees whole frames and can, on command, drop, delay, duplicate, reorder, alter or
truncate the next ones in one direction, cut the link (close both connections, or after
part of a frame) and connect it again. It counts frames and bytes each way.

Directions are "a>b" (from the first socket's host to the second's) and "b>a". A fault
applies to the next frame of its direction that `match` (a function of the frame's
bytes) accepts; frames it does not accept pass by.

Used by the system tests as a class (Relay), or by hand:
    /usr/bin/python3 tests/system/relay.py A.sock B.sock
with commands on stdin: drop DIR [N], dup DIR, reorder DIR, alter DIR OFFSET [XOR],
set DIR OFFSET HEXBYTES, truncate DIR LENGTH, delay DIR SECONDS, cut [DIR BYTES],
reconnect, stats.
"""

import collections
import os
import selectors
import socket
import struct
import sys
import threading
import time
import zlib

PREFIX = struct.Struct(">I")
MAX_FRAME = 4096 + 65536  # QEMU's NET_BUFSIZE: a longer length ends QEMU's connection
HIGH_WATER = 1 << 20  # stop reading a side while this much waits for the other

# The link's frames (src/migrate/wire.h): Ethernet header, then the link header.
ETH_HDR = 14
LINK_HDR = 20
ETHERTYPE = 0x88B5
OFF_VERSION = ETH_HDR + 2
OFF_TYPE = ETH_HDR + 3
OFF_LEN = ETH_HDR + 12
OFF_CRC = ETH_HDR + 16
T_HELLO, T_CLOSE, T_PING, T_PONG = 1, 2, 3, 4


def link_type(frame: bytes):
    """The link frame type of @frame, or None for another EtherType or a runt."""
    if len(frame) < ETH_HDR + LINK_HDR or frame[12:14] != ETHERTYPE.to_bytes(2, "big"):
        return None
    return frame[OFF_TYPE]


def is_ping_with_data(frame: bytes) -> bool:
    """The operator's pings (link ping): a PING longer than a keepalive (12 bytes)."""
    return link_type(frame) == T_PING and len(frame) > ETH_HDR + LINK_HDR + 12


OFF_CRC = ETH_HDR + 16


def any_link_frame(frame: bytes) -> bool:
    return link_type(frame) is not None


def reseal(frame: bytes) -> bytes:
    """@frame with its link checksum made right again: what an attacker on the link does
    (the CRC-32 catches accidents; the enclave agents' records are what must hold)."""
    zeroed = frame[:OFF_CRC] + bytes(4) + frame[OFF_CRC + 4:]
    return zeroed[:OFF_CRC] + zlib.crc32(zeroed).to_bytes(4, "big") + zeroed[OFF_CRC + 4:]


class _Way:
    """One direction: bytes read and not yet whole frames, frames waiting to go out."""

    def __init__(self, name):
        self.name = name
        self.rx = bytearray()
        self.out = collections.deque()  # (due time, bytes with their prefix)
        self.outbuf = bytearray()  # being written
        self.faults = collections.deque()  # (match, action, args)
        self.held = None  # a frame held back to be sent after the next (reorder)
        self.delay = 0.0
        self.cut_after = None  # bytes of the stream still to send before cutting
        self.frames = 0
        self.bytes = 0
        self.faulted = 0

    def pending(self):
        return len(self.outbuf) + sum(len(b) for _, b in self.out)


class Relay:
    def __init__(self, path_a: str, path_b: str, connect_timeout=30.0):
        self.paths = {"a": path_a, "b": path_b}
        self.connect_timeout = connect_timeout
        self.lock = threading.Lock()
        self.ways = {"a>b": _Way("a>b"), "b>a": _Way("b>a")}
        self.socks = {}
        self.connected = False
        self.cuts = 0
        self._stop = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread = None

    # --- connections ---

    def _connect_one(self, path):
        deadline = time.monotonic() + self.connect_timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                s.setblocking(False)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def start(self):
        self.connect()
        self._thread = threading.Thread(target=self._loop, name="relay", daemon=True)
        self._thread.start()
        return self

    def connect(self):
        """Connects to both sockets (again, after a cut)."""
        socks = {side: self._connect_one(path) for side, path in self.paths.items()}
        with self.lock:
            for w in self.ways.values():
                w.rx.clear()
                w.out.clear()
                w.outbuf.clear()
                w.held = None
                w.cut_after = None
            self.socks = socks
            self.connected = True
        self._wake()

    reconnect = connect

    def _close_all(self):
        for s in self.socks.values():
            try:
                s.close()
            except OSError:
                pass
        self.socks = {}
        self.connected = False
        self.cuts += 1

    def stop(self):
        self._stop = True
        self._wake()
        if self._thread:
            self._thread.join(5)
        with self.lock:
            if self.connected:
                self._close_all()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _wake(self):
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    # --- commands ---

    def _fault(self, direction, action, args=(), match=any_link_frame, count=1):
        with self.lock:
            for _ in range(count):
                self.ways[direction].faults.append((match, action, args))
        self._wake()

    def drop(self, direction, count=1, match=any_link_frame):
        self._fault(direction, "drop", count=count, match=match)

    def duplicate(self, direction, match=any_link_frame):
        self._fault(direction, "dup", match=match)

    def reorder(self, direction, match=any_link_frame):
        """The next matching frame goes after the one that follows it."""
        self._fault(direction, "hold", match=match)

    def alter(self, direction, offset, xor=0x01, match=any_link_frame, sealed=False):
        """XORs the byte at @offset (negative: from the end) of the next matching frame;
        @sealed: its checksum made right after."""
        self._fault(direction, "xor", (offset, xor, sealed), match=match)

    def set_bytes(self, direction, offset, data: bytes, match=any_link_frame, sealed=False):
        """Overwrites the bytes at @offset of the next matching frame with @data; @sealed:
        its checksum made right after."""
        self._fault(direction, "set", (offset, bytes(data), sealed), match=match)

    def truncate(self, direction, length, match=any_link_frame):
        """The next matching frame arrives cut to its first @length bytes."""
        self._fault(direction, "truncate", (length,), match=match)

    def set_delay(self, direction, seconds):
        """Every frame from now on waits @seconds before it goes on (0: none)."""
        with self.lock:
            self.ways[direction].delay = seconds
        self._wake()

    def cut(self, direction=None, after_bytes=0, match=any_link_frame):
        """Closes both connections: now, or (@direction) after the first @after_bytes bytes of
        the next matching frame's stream encoding (its length prefix included)."""
        if direction is None:
            with self.lock:
                if self.connected:
                    self._close_all()
            self._wake()
            return
        self._fault(direction, "cut", (after_bytes,), match=match)

    def stats(self):
        with self.lock:
            return {name: {"frames": w.frames, "bytes": w.bytes, "faulted": w.faulted,
                           "faults_waiting": len(w.faults)}
                    for name, w in self.ways.items()}

    def faults_waiting(self, direction):
        with self.lock:
            return len(self.ways[direction].faults)

    def clear_faults(self):
        """Forgets the faults not used yet, both ways."""
        with self.lock:
            for w in self.ways.values():
                w.faults.clear()

    # --- the loop ---

    def _take_frame(self, way, frame, now):
        way.frames += 1
        way.bytes += PREFIX.size + len(frame)
        action, args = None, ()
        if way.faults and way.faults[0][0](frame):
            _, action, args = way.faults.popleft()
            way.faulted += 1
        if action == "drop":
            return
        if action == "xor":
            off, x, sealed = args
            frame = bytearray(frame)
            frame[off] ^= x
            frame = reseal(bytes(frame)) if sealed else bytes(frame)
        elif action == "set":
            off, data, sealed = args
            frame = frame[:off] + data + frame[off + len(data):]
            if sealed:
                frame = reseal(frame)
        elif action == "truncate":
            frame = frame[:args[0]]
        encoded = PREFIX.pack(len(frame)) + frame
        due = now + way.delay
        if action == "hold":
            way.held = encoded
            return
        if action == "cut":
            way.out.append((due, encoded[:args[0]]))
            way.cut_after = True
            return
        way.out.append((due, encoded))
        if action == "dup":
            way.out.append((due, encoded))
        if way.held is not None:
            way.out.append((due, way.held))
            way.held = None

    def _parse(self, way, now):
        while len(way.rx) >= PREFIX.size:
            (n,) = PREFIX.unpack_from(way.rx)
            if len(way.rx) < PREFIX.size + n:
                return
            frame = bytes(way.rx[PREFIX.size:PREFIX.size + n])
            del way.rx[:PREFIX.size + n]
            self._take_frame(way, frame, now)

    def _flush(self, way, sock, now):
        """Writes what is due; True when a cut was asked for and its bytes are out."""
        while way.out and way.out[0][0] <= now:
            way.outbuf += way.out.popleft()[1]
        if way.outbuf:
            try:
                n = sock.send(way.outbuf)
                del way.outbuf[:n]
            except BlockingIOError:
                pass
        return way.cut_after is not None and not way.outbuf and not way.out

    def _loop(self):
        sel = selectors.DefaultSelector()
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        registered = {}
        while not self._stop:
            with self.lock:
                now = time.monotonic()
                timeout = 0.2
                want = {}
                if self.connected:
                    for side, other in (("a", "b"), ("b", "a")):
                        way_in, way_out = self.ways[f"{side}>{other}"], self.ways[f"{other}>{side}"]
                        ev = 0
                        if way_in.pending() < HIGH_WATER:
                            ev |= selectors.EVENT_READ
                        if way_out.outbuf or (way_out.out and way_out.out[0][0] <= now):
                            ev |= selectors.EVENT_WRITE
                        if way_out.out and way_out.out[0][0] > now:
                            timeout = min(timeout, way_out.out[0][0] - now)
                        if ev:
                            want[self.socks[side]] = (ev, side)
                for s in list(registered):
                    if s not in want or registered[s] != want[s][0]:
                        sel.unregister(s)
                        del registered[s]
                for s, (ev, side) in want.items():
                    if s not in registered:
                        sel.register(s, ev, side)
                        registered[s] = ev
            events = sel.select(max(timeout, 0.0))
            with self.lock:
                now = time.monotonic()
                for key, ev in events:
                    if key.data is None:
                        os.read(self._wake_r, 4096)
                        continue
                    if not self.connected:
                        continue
                    side = key.data
                    other = "b" if side == "a" else "a"
                    if ev & selectors.EVENT_READ:
                        try:
                            data = key.fileobj.recv(1 << 16)
                        except (BlockingIOError, InterruptedError):
                            data = None
                        except OSError:
                            data = b""
                        if data == b"":
                            self._close_all()
                            continue
                        if data:
                            way = self.ways[f"{side}>{other}"]
                            way.rx += data
                            self._parse(way, now)
                if self.connected:
                    for side, other in (("a", "b"), ("b", "a")):
                        way = self.ways[f"{other}>{side}"]
                        try:
                            if self._flush(way, self.socks[side], now):
                                self._close_all()
                                break
                        except OSError:
                            self._close_all()
                            break
                if not self.connected:
                    for s in list(registered):
                        sel.unregister(s)
                    registered.clear()
        sel.close()


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    relay = Relay(argv[1], argv[2]).start()
    print("relay: connected; commands on stdin (see --help)")
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            cmd, args = w[0], w[1:]
            if cmd == "drop":
                relay.drop(args[0], int(args[1]) if len(args) > 1 else 1)
            elif cmd == "dup":
                relay.duplicate(args[0])
            elif cmd == "reorder":
                relay.reorder(args[0])
            elif cmd == "alter":
                relay.alter(args[0], int(args[1], 0), int(args[2], 0) if len(args) > 2 else 1)
            elif cmd == "set":
                relay.set_bytes(args[0], int(args[1], 0), bytes.fromhex(args[2]))
            elif cmd == "truncate":
                relay.truncate(args[0], int(args[1], 0))
            elif cmd == "delay":
                relay.set_delay(args[0], float(args[1]))
            elif cmd == "cut":
                relay.cut(args[0], int(args[1], 0)) if args else relay.cut()
            elif cmd == "reconnect":
                relay.reconnect()
            elif cmd == "stats":
                print(relay.stats())
            else:
                print(f"relay: unknown command {cmd}")
        except (IndexError, ValueError, KeyError, OSError) as e:
            print(f"relay: {line.strip()}: {e}")
    relay.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
