#!/usr/bin/env bash
# Dumps the device trees QEMU's virt machine generates, for the platform unit tests:
#   virt-gicv{2,3}-smp{1,2,4}.dtb (virtualization=on, -cpu max), virt-gicv3-a57.dtb,
#   virt-noel2.dtb (virtualization=off, where PSCI uses hvc).
set -euo pipefail
out=${1:?usage: dump-qemu-dtbs.sh OUTDIR}
mkdir -p "$out"

dump() { # name machine-options cpu smp
	timeout 30 qemu-system-aarch64 -M "virt,$2,dumpdtb=$out/$1.dtb" -cpu "$3" -smp "$4" \
		-m 2G -nographic >/dev/null 2>&1
	test -s "$out/$1.dtb"
}

for gic in 2 3; do
	for smp in 1 2 4; do
		dump "virt-gicv$gic-smp$smp" "virtualization=on,gic-version=$gic" max "$smp"
	done
done
dump virt-gicv3-a57 "virtualization=on,gic-version=3" cortex-a57 2
dump virt-noel2 "gic-version=3" max 2
