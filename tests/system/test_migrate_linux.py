"""Debian's Linux moved while it works, between hosts of different CPU models and counter
frequencies (docs/migration.md): host a is a Cortex-A72 on QEMU 7.2 (counter at 62.5 MHz,
no FEAT_ECV), host b `max` on the newer QEMU (counter at 1 GHz, FEAT_ECV). A shell loop
counts and writes a tmpfs file; the VM goes to b, is checked there (the loop goes on, a
file written before is intact, the date is the host's, `sleep 10` lasts 10 s), and comes
back to a, checked again. The same as an enclave (docs/enclaves.md, "Moving an enclave"):
both ways through the agents' sealed channel, under an owner's policy that accepts both
hosts by class, its launch measurement kept. Slow: select with -m linux."""

import tempfile
import time

import pytest

from skiff import Vm, linked_hosts
from test_agents import KEY_A, KEY_B, policy
from test_linux import Shell, images, linux_vm  # noqa: F401 (images: a fixture)

pytestmark = pytest.mark.linux

ACCEPT = 'migrate-accept = "on";'
LOOP = ("(i=0; while true; do i=$((i+1)); echo loop-$i; echo $i > /mnt/t/count; sleep 1; "
        "done) &")


def focus(host, number):
    """Gives the input of @host's console to its VM @number (configuration order)."""
    host.child.send(f"\x1c{number}")
    host.expect(r"console: input goes to vm linux")
    host.in_shell = False


def last_loop(host):
    """Waits for the shell loop's next line on @host; returns its count. The line's end is
    part of the pattern: without it a read that ends inside "loop-20" matches "loop-2"."""
    return int(host.expect(r"linux\| (?:/ # )?loop-(\d+)\r*\n", timeout=60).group(1))


def check_guest(host, sh, blob_sum, since):
    """On @host, where the VM now runs: the loop goes on past @since, the file is intact,
    the date is the host's, and `sleep 10` takes 10 s of host time."""
    n = last_loop(host)
    assert n > since, f"the loop went back: {n} after {since}"
    assert last_loop(host) == n + 1
    lines = sh.run("md5sum /mnt/t/blob")
    assert any(l.startswith(blob_sum) for l in lines), lines
    count = int([l for l in sh.run("cat /mnt/t/count") if l.strip().isdigit()][-1])
    assert count >= n
    guest_now = int([l for l in sh.run("date +%s") if l.strip().isdigit()][-1])
    assert abs(guest_now - time.time()) < 30, f"guest date {guest_now}, host {time.time()}"
    t0 = time.monotonic()
    sh.run("sleep 10")
    took = time.monotonic() - t0
    # A counter at the wrong frequency is 16 times off (62.5 MHz against 1 GHz).
    assert 9 <= took <= 25, f"sleep 10 took {took:.1f} s"
    return last_loop(host)


def move(src, dst, number):
    """vm migrate on @src; waits for the VM to run on @dst (its VM @number there)."""
    src.shell("vm migrate linux", r"vm linux: migration under way")
    m = src.expect(r"vm linux: migrate: moved to host [0-9a-f]{16}: (\d+) rounds, (\d+) pages "
                   r"\((\d+) with data, \d+ zero\), (\d+) bytes on the link, downtime (\d+) "
                   r"ms", timeout=300)
    # The guest's counter runs at its own frequency (a's) on both hosts.
    dst.expect(r"vm linux: migrate: arriving from host [0-9a-f]{16}: 256 MiB, 1 vCPU\(s\), "
               r"cpu-profile armv8\.0, counter at 62500000 Hz")
    dst.expect(r"vm linux: migrate: arrived from host [0-9a-f]{16}: .*; running")
    src.shell("vm list", r"linux\s+migrated away")
    focus(dst, number)
    return m


def moves_there_and_back(vm, roots, enclave):
    """@vm (a Linux VM named linux) from a (A72, 62.5 MHz) to b (max, 1 GHz, FEAT_ECV) and
    back, checked on each host."""
    with linked_hosts([vm], [Vm("clock", "clock", extra='bootargs = "idle=1";')],
                      cpu=("cortex-a72", "max"), ecv=(False, True), when_idle="wait",
                      roots=roots, limit=1200, timeout=240) as (a, b, _):
        a.expect(r"Enter 'help' for a list of built-in commands", timeout=400)
        time.sleep(0.5)
        sh_a = Shell(a.child)
        sh_a.run("mkdir -p /mnt/t && mount -t tmpfs none /mnt/t")
        sh_a.run("dd if=/dev/urandom of=/mnt/t/blob bs=1024 count=2048 2>/dev/null")
        blob = [l for l in sh_a.run("md5sum /mnt/t/blob") if "/mnt/t/blob" in l][-1].split()[0]
        a.child.send(LOOP + "\r")
        since = last_loop(a)
        meas = a.shell("vm info linux", r"enclave: measurement ([0-9a-f]{64})")[0].group(1) \
            if enclave else None

        move(a, b, 2)
        if enclave:
            b.shell("vm info linux", rf"enclave: measurement {meas}")
            focus(b, 2)
        since = check_guest(b, Shell(b.child), blob, since)

        move(b, a, 2)
        if enclave:
            # Its second move: a remembers the first's generation and takes a newer one.
            a.shell("vm info linux", rf"enclave: measurement {meas}",
                    r"enclave: instance [0-9a-f]{32}, generation 2 \(moves so far\)")
            focus(a, 2)
        check_guest(a, Shell(a.child), blob, since)


def test_linux_moves_between_a72_and_max_and_back(images):
    # A baseline both CPUs provide ("host" would be the A72's own, which max lacks bits of).
    vm = linux_vm("linux")
    vm.extra += ' cpu-profile = "armv8.0";'
    moves_there_and_back(vm, (ACCEPT, ACCEPT), enclave=False)


def test_linux_enclave_moves_between_a72_and_max_and_back(images):
    with tempfile.TemporaryDirectory() as tmp:
        pol = policy(tmp, "linux", **{"host-class": "fleet-linux", "counter": "mmio 62500000"})
        vm = linux_vm("linux")
        vm.extra += (f' cpu-profile = "armv8.0"; enclave = "on"; '
                     f'migration-policy = /incbin/("{pol}");')
        roots = tuple(f'{ACCEPT} attestation-key = "{key}"; host-class = "fleet-linux";'
                      for key in (KEY_A, KEY_B))
        moves_there_and_back(vm, roots, enclave=True)
