#!/usr/bin/env bash
# Builds Linux's own DCC console driver (drivers/tty/hvc/hvc_dcc.c) as a module for
# Debian's arm64 kernel, which is built with CONFIG_HVC_DCC off, out of tree and from
# Debian's own packages at the kernel package's own version, all under build/kmod/
# (nothing is installed; no kernel code is committed):
#   linux-headers-KVER:arm64, linux-headers-ABI-common  the kernel's build tree
#   linux-kbuild-X.Y:HOSTARCH  its build tools (fixdep, modpost) for this machine
#   linux-source-X.Y  of which only hvc_dcc.c and hvc_console.h are taken out
# guest/linux/hvc_dcc_module.c turns the built-in-only driver into a module (it says how).
# The compiler is the one the kernel was built with (its .config names it: gcc 12 for
# bookworm, as gcc-aarch64-linux-gnu), and the result's vermagic must be the kernel's.
#
# usage: guest-kmod.sh KERNEL.deb Image OUT.ko
#   KERNEL.deb  the linux-image package guest-images.sh resolved (its name and version
#               say which packages to fetch); Image  that kernel (for its vermagic)
# Idempotent: does nothing when OUT.ko is newer than this script and the wrapper and
# is for that kernel.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel_deb=$1 image=$2 out_ko=$3
wrapper="$top/guest/linux/hvc_dcc_module.c"
kmod="$top/build/kmod"
cross=aarch64-linux-gnu-

# A module's vermagic, and whether the kernel has the same (the string insmod compares).
vermagic() {
	"${cross}objcopy" -O binary --only-section=.modinfo "$1" "$kmod/modinfo"
	tr '\0' '\n' <"$kmod/modinfo" | sed -n 's/^vermagic=//p'
}
kernel_has() { "${cross}strings" -n 8 "$image" | grep -xF "$1" >/dev/null; }

mkdir -p "$kmod"
if [ -s "$out_ko" ] && [ "$out_ko" -nt "$0" ] && [ "$out_ko" -nt "$wrapper" ] &&
	kernel_has "$(vermagic "$out_ko")"; then
	exit 0
fi
SECONDS=0
kernel_pkg=$(dpkg-deb -f "$kernel_deb" Package) # linux-image-6.1.0-57-arm64
debver=$(dpkg-deb -f "$kernel_deb" Version)      # 6.1.192-3
kver=${kernel_pkg#linux-image-}                  # 6.1.0-57-arm64, what uname -r says
abi=$(echo "$kver" | cut -d- -f1-2)              # 6.1.0-57
series=$(echo "$kver" | cut -d. -f1-2)           # 6.1
host_arch=$(dpkg --print-architecture)
echo "guest-kmod: hvc_dcc.ko for $kver (Debian $debver)"

# The packages, each once (the source package is large: only its two files are kept).
debs="$kmod/debs"
mkdir -p "$debs"
fetch() { # PACKAGE[:ARCH] FILE-GLOB
	compgen -G "$debs/$2" >/dev/null && return
	(cd "$debs" && apt-get download -q "$1=$debver" 2>&1 |
		grep -v '^W: Download is performed unsandboxed' || true)
	compgen -G "$debs/$2" >/dev/null || {
		echo "guest-kmod: apt-get download $1=$debver gave no $2" >&2
		exit 1
	}
}
fetch "linux-headers-$kver:arm64" "linux-headers-${kver}_${debver}_arm64.deb"
fetch "linux-headers-$abi-common" "linux-headers-$abi-common_${debver}_all.deb"
fetch "linux-kbuild-$series:$host_arch" "linux-kbuild-${series}_${debver}_$host_arch.deb"

# The build tree, unpacked afresh for this version.
root="$kmod/root"
stamp="$root/.unpacked"
if [ "$(cat "$stamp" 2>/dev/null)" != "$kver $debver" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for d in "$debs/linux-headers-${kver}_${debver}_arm64.deb" \
		"$debs/linux-headers-$abi-common_${debver}_all.deb" \
		"$debs/linux-kbuild-${series}_${debver}_$host_arch.deb"; do
		dpkg -x "$d" "$root"
	done
	# The packages point at where they would be installed: point inside build/kmod.
	while IFS= read -r link; do
		target=$(readlink "$link")
		ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
	done < <(find "$root" -type l -lname '/*')
	sed -i "s#^include /usr/src/#include $root/usr/src/#" \
		"$root/usr/src/linux-headers-$kver/Makefile"
	echo "$kver $debver" >"$stamp"
fi
headers="$root/usr/src/linux-headers-$kver"

# The driver's two files, out of the source tarball (which streams until both are seen).
src="$kmod/src-$debver"
if [ ! -s "$src/hvc_dcc.c" ] || [ ! -s "$src/hvc_console.h" ]; then
	fetch "linux-source-$series" "linux-source-${series}_${debver}_all.deb"
	rm -rf "$src"
	mkdir -p "$src"
	(
		set +o pipefail # the last tar stops early: the others see a closed pipe
		dpkg-deb --fsys-tarfile "$debs/linux-source-${series}_${debver}_all.deb" 2>/dev/null |
			tar -xO "./usr/src/linux-source-$series.tar.xz" | xz -dc |
			tar -x --occurrence=1 --strip-components=4 -C "$src" \
				"linux-source-$series/drivers/tty/hvc/hvc_dcc.c" \
				"linux-source-$series/drivers/tty/hvc/hvc_console.h" 2>/dev/null
	) || true
	[ -s "$src/hvc_dcc.c" ] && [ -s "$src/hvc_console.h" ] || {
		echo "guest-kmod: linux-source-$series $debver has no drivers/tty/hvc/hvc_dcc.c" >&2
		exit 1
	}
	rm -f "$debs"/linux-source-*.deb
fi

# What the module needs of the kernel: hvc_alloc and hvc_instantiate exported (GPL).
for sym in hvc_alloc hvc_instantiate; do
	grep -q "	$sym	vmlinux	EXPORT_SYMBOL" "$headers/Module.symvers" || {
		echo "guest-kmod: $kver does not export $sym: hvc_dcc cannot be a module" >&2
		exit 1
	}
done
# The kernel's compiler: gcc of the same major version (Debian's Makefile calls gcc-N).
gcc_major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$headers/.config")
command -v "${cross}gcc-$gcc_major" >/dev/null || {
	echo "guest-kmod: $kver was built with gcc $gcc_major: ${cross}gcc-$gcc_major is missing" >&2
	exit 1
}

build="$kmod/hvc_dcc"
rm -rf "$build"
mkdir -p "$build/driver"
cp "$wrapper" "$build/"
cp "$src/hvc_dcc.c" "$src/hvc_console.h" "$build/driver/"
printf 'obj-m := hvc_dcc.o\nhvc_dcc-y := hvc_dcc_module.o\n' >"$build/Kbuild"
make -s -C "$headers" M="$build" ARCH=arm64 CROSS_COMPILE="$cross" modules 2>&1 |
	grep -v 'Skipping BTF generation' || true
[ -s "$build/hvc_dcc.ko" ] || { echo "guest-kmod: the build made no hvc_dcc.ko" >&2; exit 1; }

magic=$(vermagic "$build/hvc_dcc.ko")
kernel_has "$magic" || {
	echo "guest-kmod: vermagic \"$magic\" is not the kernel's ($image)" >&2
	exit 1
}
"${cross}strip" --strip-debug -o "$out_ko" "$build/hvc_dcc.ko" # 320 KiB of it is debug info
echo "guest-kmod: $out_ko built in ${SECONDS}s (vermagic $magic)"
