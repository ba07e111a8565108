#!/usr/bin/env bash
# Builds what bench/peers.py runs Skiff's peers with, all under build/peers/ (nothing is
# installed on the machine). Idempotent.
#   xen/            Debian's xen-hypervisor-4.17-arm64 and its -dbg package (xen-syms),
#                   fetched with apt-get download and unpacked with dpkg -x
#   lkvm            kvmtool, static for arm64, built from a kvmtool source tree: Debian has
#                   no kvmtool package, so the tree must be there already, at
#                   build/peers/kvmtool-src or named by KVMTOOL_SRC (a clone of kvmtool's
#                   repository). Without one the KVM column is skipped (bench/peers.py
#                   says so); nothing of kvmtool is committed here.
#   bench-marker    a static arm64 program that reads the virtual counter, prints the
#                   Linux guests' ready marker and powers the guest off (guest/linux/)
#   linux-initramfs.gz   build/images/rootfs whose /init runs bench-marker
#   kvm-initramfs.gz     the outer Linux of the KVM runs: busybox, lkvm and bench_peer
#                   (linked at 0x80000000, where kvmtool's RAM starts), which its /init
#                   runs with the bootargs of the command line's peer.args=
#   kvm-linux-initramfs.gz  the same with Debian's kernel and linux-initramfs.gz, which
#                   its /init runs instead
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/peers"
images="$top/build/images"
mkdir -p "$out/debs"

# Xen 4.17 (bookworm): the hypervisor and its symbols, for the profiles.
if [ ! -s "$out/xen/boot/xen-4.17-arm64" ] || [ ! -s "$out/xen/usr/lib/debug/boot/xen-syms-4.17-arm64" ]; then
	(cd "$out/debs" && apt-get download -q xen-hypervisor-4.17-arm64:arm64 \
		xen-hypervisor-4.17-arm64-dbg:arm64 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	rm -rf "$out/xen"
	for deb in "$out"/debs/xen-hypervisor-4.17-arm64*_arm64.deb; do
		dpkg -x "$deb" "$out/xen"
	done
fi
[ -s "$out/xen/boot/xen-4.17-arm64" ] || { echo "peers-setup: no Xen 4.17 hypervisor in $out/xen" >&2; exit 1; }

# kvmtool, when a source tree is at hand.
src="${KVMTOOL_SRC:-$out/kvmtool-src}"
rm -f "$out/kvmtool.missing"
if [ ! -x "$out/lkvm" ] || [ "$src/builtin-run.c" -nt "$out/lkvm" ]; then
	if [ -f "$src/builtin-run.c" ]; then
		# kvmtool's own Makefile, given Debian's arm64 libfdt (build/sysroot-arm64) as
		# a directory holding libfdt.a and its headers.
		fdt="$out/libfdt"
		mkdir -p "$fdt"
		ln -sf "$top/build/sysroot-arm64/usr/lib/aarch64-linux-gnu/libfdt.a" "$fdt/"
		ln -sf "$top"/build/sysroot-arm64/usr/include/*.h "$fdt/"
		make -s -C "$src" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- LIBFDT_DIR="$fdt" \
			-j"$(nproc)" lkvm-static >"$out/kvmtool-build.log" 2>&1 ||
			{ echo "peers-setup: kvmtool failed to build, see $out/kvmtool-build.log" >&2; exit 1; }
		cp "$src/lkvm-static" "$out/lkvm"
		git -C "$src" rev-parse HEAD >"$out/kvmtool.commit" 2>/dev/null || echo unknown >"$out/kvmtool.commit"
	else
		echo "no kvmtool source tree at $src (Debian has no kvmtool package; clone kvmtool's repository there or set KVMTOOL_SRC)" >"$out/kvmtool.missing"
	fi
fi

# The Linux guests' marker program and initramfs.
aarch64-linux-gnu-gcc -static -nostdlib -O2 -Wall -Wextra -Werror -fno-pie -no-pie \
	-Wl,-Ttext-segment=0x7100000000 -Wl,--build-id=none -o "$out/bench-marker" \
	"$top/guest/linux/bench_marker.c"
root="$out/linux-root"
rm -rf "$root"
cp -a "$images/rootfs" "$root"
cp "$out/bench-marker" "$root/bin/bench-marker"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
exec /bin/bench-marker
INIT
chmod +x "$root/init"
/usr/bin/python3 "$top/scripts/mkinitramfs.py" "$root" "$out/linux-initramfs.gz"

if [ -x "$out/lkvm" ]; then
	root="$out/kvm-root"
	rm -rf "$root"
	cp -a "$images/rootfs" "$root"
	cp "$out/lkvm" "$root/bin/lkvm"
	cp "$top/build/guest/at-0x80000000/bench_peer.bin" "$root/bench_peer.bin"
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export HOME=/tmp
echo "peers: KVM $(dmesg | grep -o '[A-Za-z]* mode initialized successfully')"
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	peer.kallsyms=1)
		# The outer kernel's text symbols, for the profiles (the kernel is booted nokaslr).
		echo "peers: kallsyms begin"
		grep ' [tT] ' /proc/kallsyms | gzip -c | base64
		echo "peers: kallsyms end" ;;
	peer.args=*) guest_args="${arg#peer.args=}" ;;
	esac
done
if [ -f /Image ]; then
	# Debian's kernel and the marker initramfs, as the other systems run them.
	lkvm run --nodefaults --network mode=none -k /Image -i /linux-initramfs.gz -m 256 -c 1 \
		--console serial --irqchip gicv3 -p "console=ttyS0 nokaslr"
else
	lkvm run --nodefaults --network mode=none -k /bench_peer.bin -m 16 -c 1 --console serial \
		--irqchip gicv3 -p "$(echo "${guest_args:-}" | tr , ' ')"
fi
echo "peers: lkvm exited"
poweroff -f
INIT
	chmod +x "$root/init"
	/usr/bin/python3 "$top/scripts/mkinitramfs.py" "$root" "$out/kvm-initramfs.gz"
	# The same with the Linux guest in it (a separate archive: the bench_peer runs would
	# otherwise unpack 40 MiB more at every boot).
	cp "$images/Image" "$out/linux-initramfs.gz" "$root/"
	/usr/bin/python3 "$top/scripts/mkinitramfs.py" "$root" "$out/kvm-linux-initramfs.gz"
fi
echo "peers-setup: Xen $(ls "$out"/debs/xen-hypervisor-4.17-arm64_*.deb | sed 's/.*_\(4[^_]*\)_.*/\1/'), kvmtool $(cat "$out/kvmtool.commit" 2>/dev/null || echo absent)"
