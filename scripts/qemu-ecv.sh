#!/usr/bin/env bash
# Puts a QEMU whose `-cpu max` has FEAT_ECV (Debian 12's QEMU 7.2 has not) under
# build/qemu-ecv/: the qemu-system-arm package of bookworm-backports, downloaded
# and unpacked, not installed (the system's QEMU stays the one every other test
# uses). Only the time-scaling tests that need ECV run it (docs/time.md).
# Idempotent: does nothing when it is there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/qemu-ecv"
bin="$out/usr/bin/qemu-system-aarch64"
[ -x "$bin" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
echo "deb http://deb.debian.org/debian bookworm-backports main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work")
apt-get "${apt_opts[@]}" update -q >/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" download -q qemu-system-arm/bookworm-backports 2>&1 |
	grep -v '^W: Download is performed unsandboxed' || true)
rm -rf "$out"
dpkg -x "$work"/qemu-system-arm_*.deb "$out"
"$bin" --version | head -1
