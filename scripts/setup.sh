#!/usr/bin/env bash
# Installs everything Skiff needs on Debian 12, idempotently. Called by `make run`,
# `make test`, `make bench` and .ci/run; safe to run again and again.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
stamp="$top/build/.setup-done"
host_pkgs=(
	make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	qemu-system-arm qemu-utils device-tree-compiler acpica-tools libfdt-dev libcmocka-dev
	python3-pytest python3-pexpect python3-pytest-xdist tmux cppcheck clang-format clang-tidy
	libbearssl-dev dpkg-dev clang libfuzzer-14-dev xz-utils
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
	done
}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

need=$(missing "${host_pkgs[@]}")
if [ -n "$need" ]; then
	echo "setup: installing: $need"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		"${sudo_cmd[@]}" dpkg --add-architecture arm64
	fi
	"${sudo_cmd[@]}" apt-get update -q
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q $need
fi

# libfdt-dev and libfdt-dev:arm64 conflict as packages (same header paths), so the arm64
# static library is unpacked into build/ instead of installed system-wide.
sysroot="$top/build/sysroot-arm64"
if [ ! -f "$sysroot/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		"${sudo_cmd[@]}" dpkg --add-architecture arm64
		"${sudo_cmd[@]}" apt-get update -q
	fi
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q libfdt-dev:arm64 2>/dev/null ||
		{ "${sudo_cmd[@]}" apt-get update -q && apt-get download -q libfdt-dev:arm64; })
	mkdir -p "$sysroot"
	dpkg -x "$tmp"/libfdt-dev_*_arm64.deb "$sysroot"
	rm -rf "$tmp"
fi

# BearSSL built for EL2 from Debian's source package (docs/crypto.md); the host's
# libbearssl-dev above serves the unit tests.
[ -f "$top/build/bearssl-el2/libbearssl.a" ] || "$top/scripts/bearssl-el2.sh"

mkdir -p "$(dirname "$stamp")"
touch "$stamp"
