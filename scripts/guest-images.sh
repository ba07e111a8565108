#!/usr/bin/env bash
# Builds the Linux guest images under build/images/ (never committed):
#   Image          the kernel of Debian's linux-image-arm64 (the versioned package it
#                  depends on is resolved here, never hard-coded)
#   initramfs.gz   busybox-static with an /init that prints a marker and starts a shell,
#                  clockbench (guest/linux/clockbench.c) and /lib/modules/hvc_dcc.ko
#   hvc_dcc.ko     Linux's DCC console driver built as a module for that kernel
#                  (scripts/guest-kmod.sh; the kernel has CONFIG_HVC_DCC off)
#   initramfs-vmtools.gz  the same plus open-vm-tools:arm64 (vmware-checkvm,
#                  vmware-rpctool, vmtoolsd, vmware-toolbox-cmd) with the shared
#                  libraries they need
#   dtbs/          the board device trees the kernel package ships (ACPI tests)
# Idempotent: does nothing when all are newer than this script and its helpers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/images"
marker="SKIFF-GUEST-READY"

if [ -s "$out/Image" ] && [ -d "$out/dtbs" ] && [ -s "$out/initramfs.gz" ] && [ "$out/initramfs.gz" -nt "$0" ] &&
	[ "$out/initramfs.gz" -nt "$top/guest/linux/clockbench.c" ] &&
	[ "$out/initramfs.gz" -nt "$top/scripts/guest-kmod.sh" ] &&
	[ "$out/initramfs.gz" -nt "$top/guest/linux/hvc_dcc_module.c" ] &&
	[ -s "$out/initramfs-vmtools.gz" ] &&
	[ "$out/initramfs-vmtools.gz" -nt "$top/scripts/vmtools-rootfs.py" ] &&
	[ "$out/initramfs-vmtools.gz" -nt "$top/scripts/mkinitramfs.py" ]; then
	exit 0
fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	"${sudo_cmd[@]}" dpkg --add-architecture arm64
	"${sudo_cmd[@]}" apt-get update -q
fi
kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kernel_pkg" ]; then
	"${sudo_cmd[@]}" apt-get update -q
	kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
[ -n "$kernel_pkg" ] || { echo "guest-images: cannot resolve linux-image-arm64:arm64" >&2; exit 1; }
echo "guest-images: kernel package $kernel_pkg"

debs="$out/debs"
rm -rf "$debs" "$out/rootfs" "$out/rootfs-vmtools" "$out/kernel"
mkdir -p "$debs"
(cd "$debs" && apt-get download -q "$kernel_pkg" busybox-static:arm64 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
dpkg -x "$debs"/linux-image-*_arm64.deb "$out/kernel"
vmlinuz=$(ls "$out"/kernel/boot/vmlinuz-*)
# Debian's arm64 vmlinuz is an uncompressed Image; accept a gzip one too.
if gzip -t "$vmlinuz" 2>/dev/null; then
	gzip -dc "$vmlinuz" >"$out/Image"
else
	cp "$vmlinuz" "$out/Image"
fi
cp "$(ls "$out"/kernel/boot/config-*)" "$out/kernel.config"
"$top/scripts/guest-kmod.sh" "$(ls "$debs"/linux-image-*_arm64.deb)" "$out/Image" "$out/hvc_dcc.ko"
rm -rf "$out/dtbs"
cp -r "$(ls -d "$out"/kernel/usr/lib/linux-image-*)" "$out/dtbs"

root="$out/rootfs"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,root,lib/modules}
cp "$out/hvc_dcc.ko" "$root/lib/modules/hvc_dcc.ko" # insmod'ed by the DCC test (test_linux.py)
dpkg -x "$debs"/busybox-static_*_arm64.deb "$out/busybox"
cp "$out/busybox/bin/busybox" "$root/bin/busybox"
for applet in sh mount cat echo ls poweroff reboot date sleep uname dmesg grep; do
	ln -sf busybox "$root/bin/$applet"
done
# A clock_gettime benchmark for `make bench` (docs/time.md), static like busybox.
aarch64-linux-gnu-gcc -static -O2 -o "$root/bin/clockbench" "$top/guest/linux/clockbench.c"
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
/bin/busybox --install -s /bin
echo "$marker \$(/bin/busybox uname -r)"
exec /bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh
INIT
chmod +x "$root/init"
/usr/bin/python3 "$top/scripts/mkinitramfs.py" "$root" "$out/initramfs.gz"
# The same system plus Debian's open-vm-tools and the libraries they load.
/usr/bin/python3 "$top/scripts/vmtools-rootfs.py" "$out" "$root" "$out/rootfs-vmtools"
/usr/bin/python3 "$top/scripts/mkinitramfs.py" "$out/rootfs-vmtools" "$out/initramfs-vmtools.gz"
rm -rf "$out/busybox" "$out/kernel"
echo "guest-images: $(du -h "$out/Image" | cut -f1) Image, $(du -h "$out/initramfs.gz" | cut -f1) initramfs, $(du -h "$out/initramfs-vmtools.gz" | cut -f1) with open-vm-tools"
