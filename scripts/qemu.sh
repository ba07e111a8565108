#!/usr/bin/env bash
# Boots Skiff on QEMU virt with EL2 and a VM configuration blob.
#   scripts/qemu.sh CONFIG.dtb [extra qemu args...]
# Environment: CPU (default max), GIC (3), SMP (2), MEM (1G), TIMEOUT (seconds, 0 = none).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
config=${1:?usage: qemu.sh CONFIG.dtb [qemu args]}
shift
cmd=(qemu-system-aarch64
	-M "virt,virtualization=on,gic-version=${GIC:-3}"
	-cpu "${CPU:-max}" -smp "${SMP:-2}" -m "${MEM:-1G}" -nographic -no-reboot
	-kernel "$top/build/skiff.bin" -initrd "$config" "$@")
if [ "${TIMEOUT:-0}" != 0 ]; then
	exec timeout --foreground -k 5 "$TIMEOUT" "${cmd[@]}"
fi
exec "${cmd[@]}"
