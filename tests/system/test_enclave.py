"""Enclave VMs (docs/enclaves.md): the attestation token checked by tools/skiff-attest and by
Python's cryptography package, the measurement recomputed here from the documented encoding,
tampered tokens rejected with their reason, RAM zeroed at reset and stop, and what the host
side never shows (guestinfo in the shell, the guest tools' text in the log)."""

import os
import re
import struct
import subprocess
import tempfile
import time
import hashlib

import pytest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from skiff import (BUILD, GUEST_DIR, Vm, assert_tap_passed, boot, compile_config, config_dts,
                   qemu_command, qemu_session)
from test_agents import OWNER, policy

TOOL = os.path.join(BUILD, "tools", "skiff-attest")
# RFC 6979's P-256 test key: a host key from the configuration.
HOST_KEY = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
TOKEN_LEN = 208
BODY_LEN = 144


def with_host_key(dts: str, key: str) -> str:
    return dts.replace('compatible = "skiff,config";',
                       f'compatible = "skiff,config";\n\tattestation-key = "{key}";', 1)


def public_key_of(private_hex: str) -> str:
    """The public point (04 || X || Y) of a private scalar, by Python's cryptography."""
    key = ec.derive_private_key(int(private_hex, 16), ec.SECP256R1())
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint).hex()


def measurement(kernel: bytes, memory: int, vcpus: int, bootargs: str | None,
                counter_hz=0, counter_mode=0, acpi=False, backdoor=True, el0_tdcc=False, guestinfo=None,
                initrd=b"", kernel_image=None, owner=b"") -> str:
    """The measurement as docs/enclaves.md defines it, written from the page, not the code.
    The kernel format is detected as docs/config.md says unless given; @owner is the
    migration policy's owner public key (none: b"")."""
    if kernel_image is None:
        kernel_image = len(kernel) >= 64 and kernel[56:60] == b"ARM\x64"
    def item(tag: bytes, value: bytes) -> bytes:
        return tag + struct.pack("<Q", len(value)) + value

    def counted(b: bytes) -> bytes:
        return struct.pack("<I", len(b)) + b

    ginf = struct.pack("<I", len(guestinfo or {}))
    for name in sorted(guestinfo or {}, key=lambda n: n.encode()):
        ginf += counted(name.encode()) + counted(guestinfo[name].encode())
    args = b"\x00" if bootargs is None else b"\x01" + bootargs.encode()
    # The "host" CPU profile (no cpu-profile): version 1, name, flags 1, 3 + 39 u64, 14 u32.
    prof = (struct.pack("<I", 1) + b"host".ljust(32, b"\0") + struct.pack("<I", 1) +
            bytes(8 * (3 + 39) + 4 * 14))
    stream = (b"skiff-measure-v2" + item(b"prof", prof) + item(b"encl", b"\x01") +
              item(b"kfmt", bytes([kernel_image])) + item(b"kern", kernel) +
              item(b"intr", initrd) + item(b"mem ", struct.pack("<Q", memory)) +
              item(b"vcpu", struct.pack("<I", vcpus)) +
              item(b"cntf", struct.pack("<Q", counter_hz)) +
              item(b"cmod", bytes([counter_mode])) + item(b"args", args) +
              item(b"acpi", bytes([acpi])) + item(b"bdor", bytes([backdoor, el0_tdcc])) +
              item(b"ginf", ginf) +
              item(b"ownr", hashlib.sha256(owner).digest() if owner else b""))
    return hashlib.sha256(stream).hexdigest()


def token_of(run, vm: str) -> bytes:
    return bytes.fromhex("".join(l[len("token: "):] for l in run.vm_lines(vm)
                                 if l.startswith("token: ")))


def logged_public_key(output: str) -> str:
    m = re.search(r"skiff: attestation: public key ([0-9a-f]{130})", output)
    assert m, output
    return m.group(1)


def verify(token: bytes, key: str, meas: str, challenge: str, *extra):
    return subprocess.run([TOOL, "verify", "--key", key, "--measurement", meas, "--challenge",
                           challenge, *extra, token.hex()], capture_output=True, text=True,
                          check=False)


def python_verifies(token: bytes, key: str) -> bool:
    """The signature checked by another implementation than BearSSL's."""
    pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(key))
    sig = encode_dss_signature(int.from_bytes(token[BODY_LEN:BODY_LEN + 32], "big"),
                               int.from_bytes(token[BODY_LEN + 32:], "big"))
    try:
        pub.verify(sig, token[:BODY_LEN], ec.ECDSA(hashes.SHA256()))
        return True
    except Exception:  # cryptography raises InvalidSignature
        return False


def attest_guest(challenge: str) -> Vm:
    return Vm("enc", "attest", extra=f'enclave = "on";\n\t\t\tbootargs = "challenge={challenge}";')


def test_attestation_token_verifies_and_tampering_is_caught(tmp_path):
    """An enclave's token for a fresh challenge: its layout, its measurement equal to what the
    documented encoding of kernel and configuration gives, signed by the configured key (the
    public key Skiff logs is the one the private key gives); skiff-attest and Python's
    cryptography both verify it; any altered field, another key, another challenge or
    measurement, a truncated token are each rejected with their reason."""
    challenge = os.urandom(64).hex()
    vm = attest_guest(challenge)
    dts = with_host_key(config_dts([vm]), HOST_KEY)
    run = boot(dts=dts)
    assert_tap_passed(run, "enc")
    out = run.output
    key = logged_public_key(out)
    assert key == public_key_of(HOST_KEY)
    assert "attestation: host key from the configuration" in out
    assert "EPHEMERAL" not in out
    with open(os.path.join(GUEST_DIR, "attest.bin"), "rb") as f:
        kernel = f.read()
    meas = measurement(kernel, 4 << 20, 1, f"challenge={challenge}")
    assert f"vm enc: enclave: measurement {meas} (CPU profile host)" in out, out
    # The owner's way to the same figure: skiff-attest measure on the configuration blob.
    blob = compile_config(dts, str(tmp_path))
    got = subprocess.run([TOOL, "measure", blob, "enc"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert got == meas

    token = token_of(run, "enc")
    assert len(token) == TOKEN_LEN, run.output
    assert token[:4] == b"SKAT"
    assert struct.unpack_from("<HHII", token, 4) == (1, BODY_LEN, 1, 0)
    assert token[16:48].hex() == meas
    assert token[48:112].hex() == challenge
    assert token[112:144] == hashlib.sha256(bytes.fromhex(key)).digest()
    assert python_verifies(token, key)
    ok = verify(token, key, meas, challenge)
    assert ok.returncode == 0 and "token verified" in ok.stdout, ok.stderr

    def rejected(tok, why, k=key, m=meas, c=challenge):
        r = verify(tok, k, m, c)
        assert r.returncode == 1 and "token REJECTED" in r.stderr and why in r.stderr, \
            (why, r.stdout, r.stderr)

    # One bit in each field: the signature catches what the form does not.
    for offset, why in [(0, 'not a Skiff attestation token'), (4, "token version 0"),
                        (6, "body length field"), (8, "signature does not verify"),
                        (12, "signature does not verify"), (20, "signature does not verify"),
                        (100, "signature does not verify"), (130, "signature does not verify"),
                        (150, "signature does not verify"), (207, "signature does not verify")]:
        bad = bytearray(token)
        bad[offset] ^= 1
        assert not python_verifies(bytes(bad), key)
        rejected(bytes(bad), why)
    rejected(token[:-1], "it is 207 bytes")
    rejected(token + b"\0", "it is 209 bytes")
    rejected(token, "signature does not verify", k=public_key_of("01" * 32))
    rejected(token, "the challenge differs", c=os.urandom(64).hex())
    rejected(token, "the measurement differs", m=hashlib.sha256(b"another kernel").hexdigest())
    r = verify(token, key, meas, challenge, "--min-svn", "2")
    assert r.returncode == 1 and "security version 1 is below the minimum 2" in r.stderr


def test_ephemeral_key_and_a_vm_that_is_no_enclave(tmp_path):
    """Without attestation-key Skiff says loudly that it generated an ephemeral key; its tokens
    say so and verify against the key it logged. A VM that is no enclave is denied a token.
    An enclave with cpu-profile armv8.0 measures otherwise than the same one with "host", as
    skiff-attest measure says. One with a migration policy measures its owner's key too: as
    the documented encoding gives it, and otherwise than the same enclave without one."""
    challenge = os.urandom(64).hex()
    v80 = Vm("enc80", "attest", extra=f'enclave = "on";\n\t\t\tcpu-profile = "armv8.0";\n'
                                      f'\t\t\tbootargs = "challenge={challenge}";')
    pol = policy(str(tmp_path), "owned")
    owned = Vm("owned", "attest", extra=f'enclave = "on"; bootargs = "challenge={challenge}"; '
                                        f'migration-policy = /incbin/("{pol}");')
    vms = [attest_guest(challenge), Vm("plain", "attest", extra='bootargs = "enclave=0";'), v80,
           owned]
    dts = config_dts(vms)
    run = boot(dts=dts)
    assert_tap_passed(run, "enc")
    assert_tap_passed(run, "plain")
    assert_tap_passed(run, "enc80")
    out = run.output
    blob = compile_config(dts, str(tmp_path))
    m80 = re.search(r"vm enc80: enclave: measurement ([0-9a-f]{64}) \(CPU profile armv8.0\)",
                    out)
    assert m80, out
    got = subprocess.run([TOOL, "measure", blob, "enc80"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert got == m80.group(1)
    m = re.search(r"vm enc: enclave: measurement ([0-9a-f]{64}) \(CPU profile host\)", out)
    assert m and m.group(1) != m80.group(1), out
    assert "generated an EPHEMERAL key pair" in out
    key = logged_public_key(out)
    meas = re.search(r"vm enc: enclave: measurement ([0-9a-f]{64})", out).group(1)
    token = token_of(run, "enc")
    ok = verify(token, key, meas, challenge)
    assert ok.returncode == 0, ok.stderr
    assert "the host's key is ephemeral" in ok.stdout
    assert "vm plain: vcpu 0: attestation refused: the VM is not an enclave" in out
    assert "vm plain: enclave" not in out
    with open(os.path.join(GUEST_DIR, "attest.bin"), "rb") as f:
        kernel = f.read()
    assert meas == measurement(kernel, 4 << 20, 1, f"challenge={challenge}")
    owner = bytes.fromhex(public_key_of(OWNER))
    want = measurement(kernel, 4 << 20, 1, f"challenge={challenge}", owner=owner)
    assert f"vm owned: enclave: measurement {want} (CPU profile host)" in out, out
    got = subprocess.run([TOOL, "measure", blob, "owned"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert got == want != meas


def test_enclave_ram_is_zeroed_at_reset_and_stop_and_closed_to_the_shell():
    """The scrub guest leaves marks in both 2 MiB blocks of its RAM; after the operator's reset
    and after stop and start, the enclave's next boot finds none, the plain VM's finds them
    all. The shell shows the enclave's measurement and refuses its guestinfo."""
    enc = Vm("enc", "scrub", cpu=0, extra='enclave = "on";\n\t\t\tguestinfo { color = "red"; };')
    plain = Vm("plain", "scrub", cpu=1, extra='guestinfo { color = "blue"; };')
    with tempfile.TemporaryDirectory() as tmp:
        cmd = qemu_command(compile_config(config_dts([enc, plain], when_idle="wait"), tmp))
        with qemu_session(cmd, limit=150, timeout=60) as child:
            child.expect(r"vm enc: enclave: measurement ([0-9a-f]{64})")
            meas = child.match.group(1)
            child.expect(r"0 to the management shell")
            waiting = [r"enc\| scrub: marks written", r"plain\| scrub: marks written"]
            while waiting:  # the two VMs' lines come in either order
                del waiting[child.expect(waiting)]
            child.send("\x1c0")
            child.expect(r"input goes to the management shell")

            def run(line, *want):
                child.send(line + "\r")
                child.expect_exact("shell| > " + line)
                for w in want:
                    child.expect(w)

            # Both VMs have written their marks before anything is reset.
            run("vm info enc", rf"enclave: measurement {meas}",
                r"enclave: no migration policy: it never migrates",
                r"enclave: CPU profile host, 0 attestation tokens, RAM zeroed 0 time\(s\)")
            run("guestinfo get enc color",
                r"vm enc is an enclave: its guestinfo \(the guest may have set it\) is not shown")
            run("guestinfo get plain color", r'guestinfo.color = "blue"')
            def marks_found(vm):
                """The marks the VM's next boot finds (of 1024 words written)."""
                i = child.expect([rf"{vm}\| scrub: no mark",
                                  rf"{vm}\| scrub: (\d+) mark words found"])
                found = int(child.match.group(1)) if i else 0
                child.expect(rf"{vm}\| scrub: marks written")
                return found

            run("vm reset enc")
            assert marks_found("enc") == 0
            run("vm reset plain")
            assert marks_found("plain") == 1024  # the check sees marks that are there
            run("vm stop enc", r"vm enc: enclave RAM zeroed after the stop \(4 MiB\)")
            run("vm start enc")
            assert marks_found("enc") == 0
            run("vm stop plain", r"vm plain stopped")
            run("vm start plain")
            assert marks_found("plain") == 1024
            run("vm info enc", r"RAM zeroed 3 time\(s\)")


def test_enclave_guest_tools_text_stays_out_of_the_log():
    """The backdoor guest as an enclave: every call still works, but what its tools send to be
    logged (a log request, an unknown request) appears as a size only."""
    guestinfo = 'guestinfo { fromcfg = "set in the configuration"; };'
    run = boot([Vm("backdoor", "backdoor", extra=f'enclave = "on";\n\t\t\t{guestinfo}')])
    assert_tap_passed(run, "backdoor")
    out = run.output
    assert "hello from the guest" not in out
    assert "no-such-command" not in out
    assert "vm backdoor: guest tools: a log message of 20 bytes (withheld: an enclave's)" in out
    assert re.search(r"vm backdoor: guest tools: an unknown request of \d+ bytes \(withheld",
                     out), out


@pytest.mark.linux
def test_linux_enclave_boots_reboots_and_is_zeroed_at_power_off():
    """Debian's kernel and busybox as an enclave: measured at creation (its 30-odd MiB
    kernel and initramfs), to the shell, a reboot (its RAM zeroed, the images loaded again)
    to the shell again, and its 256 MiB zeroed after it powers off."""
    kernel = os.path.join(BUILD, "images", "Image")
    initrd = os.path.join(BUILD, "images", "initramfs.gz")
    if not (os.path.exists(kernel) and os.path.exists(initrd)):
        pytest.fail("the Linux images are missing: run scripts/guest-images.sh")
    bootargs = "earlycon=pl011,0x9000000 console=ttyAMA0"
    vm = Vm("linux", "", memory=256 << 20, cpu=0,
            extra=f'kernel = /incbin/("{kernel}");\n\t\t\tinitrd = /incbin/("{initrd}");\n'
                  f'\t\t\tbootargs = "{bootargs}";\n\t\t\tenclave = "on";')
    with tempfile.TemporaryDirectory() as tmp:
        cmd = qemu_command(compile_config(config_dts([vm]), tmp))
        with qemu_session(cmd, limit=400, timeout=240) as child:
            child.expect(r"vm linux: enclave: measurement ([0-9a-f]{64})")
            meas = child.match.group(1)
            child.expect(r"Enter 'help' for a list of built-in commands")
            time.sleep(0.5)
            child.send("echo up-$((6*7))\r")
            child.expect(r"linux\| up-42", timeout=60)
            child.send("reboot -f\r")
            child.expect("vm linux: reset by the guest", timeout=60)
            child.expect(r"Enter 'help' for a list of built-in commands")
            time.sleep(0.5)
            child.send("poweroff -f\r")
            child.expect(r"vm linux: enclave RAM zeroed after the stop \(256 MiB\)", timeout=60)
    with open(kernel, "rb") as f:
        k = f.read()
    with open(initrd, "rb") as f:
        rd = f.read()
    assert meas == measurement(k, 256 << 20, 1, bootargs, initrd=rd)
