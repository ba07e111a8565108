#!/usr/bin/env bash
# clang-tidy (.clang-tidy at the top) on the C files given, each with the flags its
# part of the tree is built with: src/ as the freestanding arm64 hypervisor (the
# Makefile's HYP_CFLAGS include paths), tests/unit/, tests/fuzz/ and tools/ as host programs.
# Compiler warnings are GCC's job (-Werror in the build), so no -W flags here.
# scripts/lint.sh runs it on every file, two at a time; exits 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

gcc_include=$(aarch64-linux-gnu-gcc -print-file-name=include)
hyp_flags=(--target=aarch64-linux-gnu -std=gnu11 -ffreestanding -fno-builtin -nostdinc
	-isystem "$gcc_include" -isystem src/lib/libc -Ibuild/sysroot-arm64/usr/include
	-isystem build/bearssl-src/inc -Isrc -mgeneral-regs-only -DSKIFF_VERSION='"lint"')
host_flags=(-std=gnu11 -Isrc -isystem /usr/include/bearssl -DDTB_DIR='"build/unit/dtb"')

status=0
for f in "$@"; do
	case $f in
	src/*) flags=("${hyp_flags[@]}") ;;
	tests/unit/* | tools/*) flags=("${host_flags[@]}") ;;
	tests/fuzz/*) flags=("${host_flags[@]}" -Itests/unit) ;;
	*)
		echo "tidy: $f: not under src/, tests/unit/, tests/fuzz/ or tools/ (no flags for it)" >&2
		exit 2
		;;
	esac
	# clang-tidy counts on stderr what it found and what it hid outside the project;
	# the findings themselves go to stdout.
	clang-tidy --quiet "$f" -- "${flags[@]}" 2>/dev/null || status=1
done
exit $status
