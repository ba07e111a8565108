#!/usr/bin/env bash
# Fails if code in the hypervisor image @1 (skiff.elf) uses an FP/SIMD or SVE
# register outside the functions that save and restore a vCPU's. EL2 runs with
# the loaded vCPU's registers live (CPTR_EL2 does not trap FP/SIMD), so any such
# use changes a guest's registers or leaks a value into them. Our code is built
# with -mgeneral-regs-only; this catches what that misses: library code from
# libgcc (its __popcountdi2 counts in v0) and prebuilt libraries.
#
# Allowed, each for its reason:
#   fpsimd_save, fpsimd_restore, sve_*    the vCPU's own save and restore (*.S)
#   fdt_open_into, fdt_splice_mem_rsv_    Debian's libfdt.a (built for Linux user
#       space): they copy a header through d0/d1/v0/v1. Skiff calls them only to
#       build a VM's device tree (board/guest_acpi.c), at VM creation or reset,
#       when the VM's registers are about to be set to their reset values.
set -euo pipefail
elf=${1:?usage: check-el2-fp.sh skiff.elf}
objdump=${OBJDUMP:-aarch64-linux-gnu-objdump}
allowed='^(fpsimd_save|fpsimd_restore|sve_[a-z_]+|fdt_open_into|fdt_splice_mem_rsv_)$'

bad=$("$objdump" -d --no-show-raw-insn "$elf" | awk -v allowed="$allowed" '
	/^[0-9a-f]+ <[^>]+>:$/ { fn = substr($2, 2, length($2) - 3); next }
	{
		n = split($0, f, "\t")
		if (n < 3) next
		ops = f[3]
		sub(/[ \t]*\/\/.*$/, "", ops)
		# v0.8b, q0, d0, s0, h0, b0, z0.d, p0, ffr, fpcr/fpsr accesses
		if (ops ~ /(^|[ ,\[{])([vz][0-9]+\.|[qdshbp][0-9]+([ ,\]}\/.]|$)|ffr|fpcr|fpsr)/ &&
		    fn !~ allowed)
			printf "%s: %s %s\n", fn, f[2], ops
	}')
if [ -n "$bad" ]; then
	echo "check-el2-fp: $elf uses FP/SIMD registers outside the vCPU's save and restore:" >&2
	echo "$bad" | head -20 >&2
	exit 1
fi
