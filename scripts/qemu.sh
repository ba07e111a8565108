#!/usr/bin/env bash
# Boots Skiff on QEMU virt with EL2 and a VM configuration blob.
#   scripts/qemu.sh CONFIG.dtb [extra qemu args...]
# Environment: CPU (default max), GIC (3), SMP (2), MEM (1G), TIMEOUT (seconds, 0 = none),
# LINK (a Unix socket path: the host link's virtio-net device there, QEMU listening;
# docs/migration.md) with LINK_MAC (52:54:00:5b:00:01), PRINT=1 (print the command, one
# argument a line, instead of running it). tests/system/skiff.py's qemu_command() builds
# the same command (tests/system/test_link.py checks that they agree).
# With -icount among the extra arguments and no -rtc, -rtc clock=vm is added: the counter
# then follows instructions, and a PL031 on the host's clock would drift from it, which
# Skiff's host-clock watch takes for a counter stopped or set back (docs/time.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
config=${1:?usage: qemu.sh CONFIG.dtb [qemu args]}
shift
link=()
if [ -n "${LINK:-}" ]; then
	link=(-global virtio-mmio.force-legacy=false
		-netdev "stream,id=link,server=on,addr.type=unix,addr.path=$LINK"
		-device "virtio-net-device,netdev=link,mac=${LINK_MAC:-52:54:00:5b:00:01},host_mtu=65535")
fi
rtc=()
case " $* " in
*" -icount "*)
	case " $* " in
	*" -rtc "*) ;;
	*) rtc=(-rtc clock=vm) ;;
	esac
	;;
esac
cmd=(qemu-system-aarch64
	-M "virt,gic-version=${GIC:-3},virtualization=on"
	-cpu "${CPU:-max}" -smp "${SMP:-2}" -m "${MEM:-1G}" -nographic -no-reboot
	-kernel "$top/build/skiff.bin" -initrd "$config" "${link[@]}" "$@" "${rtc[@]}")
if [ "${PRINT:-0}" != 0 ]; then
	printf '%s\n' "${cmd[@]}"
	exit 0
fi
if [ "${TIMEOUT:-0}" != 0 ]; then
	exec timeout --foreground -k 5 "$TIMEOUT" "${cmd[@]}"
fi
exec "${cmd[@]}"
