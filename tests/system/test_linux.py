"""Unmodified Debian Linux as a guest (slow: select with -m linux, skip with -m 'not linux').

Images come from scripts/guest-images.sh (make test runs it). Skiff does not yet
offer a virtual GIC or timer (issue 3), so the kernel boots until time_init and
stops there; everything before that runs on Skiff for real: the Image loader, the
device tree, PSCI, the PL011, lazy stage 2 with W^X, the trapped debug registers.
"""

import os

import pytest

from skiff import BUILD, Vm, assert_tap_passed, boot

IMAGES = os.path.join(BUILD, "images")
KERNEL = os.path.join(IMAGES, "Image")
INITRD = os.path.join(IMAGES, "initramfs.gz")

pytestmark = pytest.mark.linux


@pytest.fixture(scope="module")
def images():
    for f in (KERNEL, INITRD):
        if not os.path.exists(f):
            pytest.fail(f"{f} is missing: run scripts/guest-images.sh (make test does)")


def linux_vm(name, cpu=None):
    extra = (f'kernel = /incbin/("{KERNEL}");\n\t\t\tinitrd = /incbin/("{INITRD}");\n'
             '\t\t\tbootargs = "earlycon=pl011,0x9000000 console=ttyAMA0";')
    return Vm(name, "", memory=256 << 20, cpu=cpu, extra=extra)


@pytest.mark.parametrize("cpu,gic", [("max", 3), ("cortex-a57", 2)])
def test_linux_boots_until_it_needs_a_timer(images, cpu, gic):
    timer_panic = "Kernel panic - not syncing: Unable to initialise architected timer."
    run = boot([linux_vm("linux", cpu=0), Vm("hello", "hello", cpu=1)], cpu=cpu, gic=gic,
               timeout=240, until=[timer_panic, "vm hello: powered off"])
    lines = run.vm_lines("linux")
    text = "\n".join(lines)
    assert "Linux version 6." in text, run.output
    assert "Machine model: Skiff virtual machine" in text
    assert "earlycon: pl11 at MMIO 0x0000000009000000" in text
    assert "psci: PSCIv1.1 detected in firmware." in text
    assert "psci: SMC Calling Convention v1.1" in text
    assert "NUMA: Faking a node at [mem 0x0000000040000000-0x000000004fffffff]" in text
    assert timer_panic in text, "the kernel stopped somewhere else:\n" + text[-3000:]
    # The other VM ran beside it on the other CPU.
    assert_tap_passed(run, "hello")
