#!/usr/bin/env bash
# Builds BearSSL for EL2 (docs/crypto.md): Debian's source package, unpacked into
# build/bearssl-src/ (its inc/ is where the hypervisor's <bearssl.h> comes from) and
# compiled freestanding into build/bearssl-el2/libbearssl.a with the hypervisor's own
# code generation flags. Debian's libbearssl.a cannot be used at EL2: it is a hosted,
# hardened build (it calls __stack_chk_fail, __memcpy_chk, open, time) made for
# user space. Called by scripts/setup.sh; does nothing when the library is there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/bearssl-src"
out="$top/build/bearssl-el2"
lib="$out/libbearssl.a"
cross=aarch64-linux-gnu-

[ -f "$lib" ] && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# apt-get source needs a deb-src entry; Debian's images come without one.
ensure_deb_src() {
	local codename list=/etc/apt/sources.list.d/skiff-deb-src.sources
	apt-cache showsrc bearssl 2>/dev/null | grep -q '^Package: bearssl' && return
	codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
	codename=${codename:-bookworm}
	if ! grep -rqsE "^deb-src .* $codename |^Types:.*deb-src" /etc/apt/sources.list \
		/etc/apt/sources.list.d/; then
		echo "bearssl-el2: adding a deb-src entry for $codename ($list)"
		printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
			"Suites: $codename" "Components: main" \
			"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
			"${sudo_cmd[@]}" tee "$list" >/dev/null
	fi
	"${sudo_cmd[@]}" apt-get update -q
}

if [ ! -f "$src/inc/bearssl.h" ]; then
	ensure_deb_src
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get source -q bearssl) 2>&1 |
		{ grep -v '^W: Download is performed unsandboxed' || true; }
	unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'bearssl-*' | head -1)
	if [ -z "$unpacked" ] || [ ! -f "$unpacked/inc/bearssl.h" ]; then
		echo "bearssl-el2: apt-get source bearssl gave no source tree" >&2
		exit 1
	fi
	rm -rf "$src"
	mv "$unpacked" "$src"
fi

# The hypervisor's code generation (Makefile, HYP_CFLAGS): freestanding, no FP/SIMD
# registers, strict alignment (the early boot path runs with the MMU off), no stack
# protector, position independent, one section per function for --gc-sections.
# BearSSL's config macros turn off every OS and CPU-specific piece it would otherwise
# detect: time and entropy from the OS, x86/POWER instructions, Cortex-M assembly.
# 64-bit multiplies with a 128-bit result come from aarch64's umulh (BR_INT128).
gcc_include=$("${cross}gcc" -print-file-name=include)
cflags=(-std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem "$gcc_include"
	-isystem "$top/src/lib/libc" -I"$src/inc" -I"$src/src"
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-stack-protector -fpie
	-fno-common -ffunction-sections -fdata-sections
	-DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_TIME=0 -DBR_USE_URANDOM=0 -DBR_USE_WIN32_RAND=0
	-DBR_RDRAND=0 -DBR_AES_X86NI=0 -DBR_SSE2=0 -DBR_POWER8=0
	-DBR_ARMEL_CORTEXM_GCC=0 -DBR_INT128=1 -DBR_UMUL128=0 -DBR_64=1 -DBR_LE_UNALIGNED=0
	-DBR_BE_UNALIGNED=0)

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
echo "bearssl-el2: compiling BearSSL $(dpkg-parsechangelog -l "$src/debian/changelog" -S Version) for EL2"
# The whole library, two files at a time (two cores; its own job count, not the caller's
# make's); the linker keeps what Skiff calls.
MAKEFLAGS='' MAKELEVEL='' make -s -j2 --no-print-directory -f - SRC="$src/src" \
	OUT="$out.tmp" CC="${cross}gcc" CFLAGS="${cflags[*]}" <<'EOF'
OBJS := $(patsubst $(SRC)/%.c,$(OUT)/%.o,$(shell find $(SRC) -name '*.c'))
all: $(OBJS)
$(OUT)/%.o: $(SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
EOF
mapfile -t objs < <(cd "$out.tmp" && find . -name '*.o' | sort)
(cd "$out.tmp" && "${cross}ar" rcsD libbearssl.a "${objs[@]}")
rm -rf "$out"
mkdir -p "$out"
mv "$out.tmp/libbearssl.a" "$lib"
rm -rf "$out.tmp"
echo "bearssl-el2: $lib (${#objs[@]} objects)"
