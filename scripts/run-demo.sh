#!/usr/bin/env bash
# `make run`: Skiff with two demo VMs on two CPUs. Quit QEMU with Ctrl-A X.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
echo "Starting Skiff in QEMU (quit: Ctrl-A then X)"
exec "$top/scripts/qemu.sh" "$top/build/configs/demo.dtb"
