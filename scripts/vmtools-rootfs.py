#!/usr/bin/python3
"""Builds a guest root file system with Debian's open-vm-tools for arm64.

usage: vmtools-rootfs.py IMAGES_DIR BASE_ROOTFS DEST_ROOTFS

Copies BASE_ROOTFS (busybox and /init) to DEST_ROOTFS and adds the open-vm-tools
programs with every shared library they load, found by following the ELF NEEDED
entries through the packages apt resolves (nothing is hard-coded but the package
names open-vm-tools and the libraries it links directly).
"""

import glob
import os
import shutil
import subprocess
import sys

PROGRAMS = ["usr/bin/vmware-checkvm", "usr/bin/vmware-rpctool", "usr/bin/vmtoolsd",
            "usr/bin/vmware-toolbox-cmd"]
# open-vm-tools itself (its other dependencies are tools the test does not run) and
# the libraries the programs above link; apt resolves what those depend on.
ROOTS = ["libc6:arm64", "libglib2.0-0:arm64", "libtirpc3:arm64"]
READELF = "aarch64-linux-gnu-readelf"
LIB_DIRS = ["lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib", "usr/lib"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def packages():
    out = run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
               "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *ROOTS])
    names = {l.strip() for l in out.splitlines() if l and not l.startswith(" ")}
    return sorted(n for n in names if n.endswith(":arm64")) + ["open-vm-tools:arm64"]


def download(debs):
    os.makedirs(debs, exist_ok=True)
    if not glob.glob(os.path.join(debs, "open-vm-tools_*.deb")):
        subprocess.run(["apt-get", "download", "-q", *packages()], cwd=debs, check=True,
                       stderr=subprocess.DEVNULL)
    return sorted(glob.glob(os.path.join(debs, "*.deb")))


def needed(path):
    out = run([READELF, "-d", path])
    return [l.split("[")[1].split("]")[0] for l in out.splitlines() if "(NEEDED)" in l]


def find_lib(tree, soname):
    for d in LIB_DIRS:
        p = os.path.join(tree, d, soname)
        if os.path.exists(p):
            return p
    return None


def closure(tree, path):
    """The sonames @path loads, directly or not; None if one is not in @tree."""
    seen, todo = set(), [path]
    while todo:
        for soname in needed(todo.pop()):
            if soname in seen:
                continue
            src = find_lib(tree, soname)
            if not src:
                return None
            seen.add(soname)
            todo.append(os.path.realpath(src))
    return seen


def main(images, base, dest):
    tree = os.path.join(images, "vmtools-tree")
    shutil.rmtree(tree, ignore_errors=True)
    for deb in download(os.path.join(images, "vmtools-debs")):
        run(["dpkg", "-x", deb, tree])
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(base, dest, symlinks=True)
    libdir = os.path.join(dest, "lib", "aarch64-linux-gnu")
    os.makedirs(libdir, exist_ok=True)
    os.makedirs(os.path.join(dest, "usr", "bin"), exist_ok=True)
    todo, done = [], set()
    for prog in PROGRAMS:
        shutil.copy(os.path.join(tree, prog), os.path.join(dest, prog))
        todo.append(os.path.join(tree, prog))
    # vmtoolsd's plugins are loaded with dlopen: take the guest service's (vmsvc) whose
    # libraries came with the packages above; the others (display, file systems, XML)
    # pull in much more and are left out.
    plugins = os.path.join("usr/lib/aarch64-linux-gnu/open-vm-tools/plugins")
    skipped = []
    for so in sorted(glob.glob(os.path.join(tree, plugins, "vmsvc", "*.so"))):
        rel = os.path.relpath(so, tree)
        if closure(tree, so) is None:
            skipped.append(os.path.basename(so))
            continue
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy(so, os.path.join(dest, rel))
        todo.append(so)
    while todo:
        for soname in needed(todo.pop()):
            if soname in done:
                continue
            src = find_lib(tree, soname)
            if not src:
                sys.exit(f"vmtools-rootfs: {soname} not found in the downloaded packages")
            done.add(soname)
            shutil.copy(os.path.realpath(src), os.path.join(libdir, soname))
            todo.append(os.path.realpath(src))
    # The power-operation scripts vmtoolsd runs before OS_Halt/OS_Reboot, and the
    # shutdown command it runs then (busybox has none: halt or reboot at once).
    shutil.copytree(os.path.join(tree, "etc", "vmware-tools"),
                    os.path.join(dest, "etc", "vmware-tools"), symlinks=True)
    os.makedirs(os.path.join(dest, "sbin"), exist_ok=True)
    with open(os.path.join(dest, "sbin", "shutdown"), "w") as f:
        f.write('#!/bin/sh\n# open-vm-tools runs "shutdown -h now" or "shutdown -r now".\n'
                'case "$1" in -r) exec /bin/busybox reboot -f ;; '
                '*) exec /bin/busybox poweroff -f ;; esac\n')
    os.chmod(os.path.join(dest, "sbin", "shutdown"), 0o755)
    # The programs' interpreter is /lib/ld-linux-aarch64.so.1.
    os.symlink("aarch64-linux-gnu/ld-linux-aarch64.so.1",
               os.path.join(dest, "lib", "ld-linux-aarch64.so.1"))
    shutil.rmtree(tree)
    print(f"vmtools-rootfs: {len(PROGRAMS)} programs, {len(done)} libraries; "
          f"plugins left out: {' '.join(skipped) or 'none'}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
