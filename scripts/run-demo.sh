#!/usr/bin/env bash
# `make run`: Skiff with Debian's Linux (a busybox shell: type into it) and a test
# guest, on two host CPUs. Quit QEMU with Ctrl-A X.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
echo "Starting Skiff in QEMU (quit: Ctrl-A then X)"
exec "$top/scripts/qemu.sh" "$top/build/configs/demo.dtb"
