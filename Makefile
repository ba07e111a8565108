# Skiff: build, run, test and benchmark. `make help` lists the targets.
# Every user-facing target first runs scripts/setup.sh, which installs what is
# missing (apt-get, idempotent), so a fresh Debian 12 machine needs nothing else.

CROSS     ?= aarch64-linux-gnu-
CC_ARM    := $(CROSS)gcc
OBJCOPY   := $(CROSS)objcopy
HOSTCC    ?= gcc
PYTHON    := /usr/bin/python3
BUILD     := build
SYSROOT   := $(BUILD)/sysroot-arm64
LIBFDT_A  := $(SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a
# BearSSL compiled for EL2 by scripts/bearssl-el2.sh from Debian's source (docs/crypto.md).
BEARSSL_INC := $(BUILD)/bearssl-src/inc
BEARSSL_A   := $(BUILD)/bearssl-el2/libbearssl.a
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# Quiet by default; `make V=1` shows the commands.
Q         := $(if $(V),,@)

# Warnings every C build uses (hypervisor, guests, unit tests, host tools); any warning
# fails the build. Beyond -Wall -Wextra: a function defined without a prototype in scope
# (missing static, or its header not included), a name that hides another, a switch
# that does not say what happens to the other values, and a cast that drops const.
WARN_CFLAGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wswitch-default -Wcast-qual

# Freestanding EL2 code: no FP/SIMD in our own code (-mgeneral-regs-only), strict
# alignment because the early boot path runs with the MMU off, frame pointers for
# panic backtraces, and position independence so any Linux-style loader can place us.
# Link-time optimisation: the exit paths cross arch, core and vdev files, and inlining
# across them takes 10-25 % off each round trip (bench/README.md).
HYP_CFLAGS := -std=gnu11 -O2 -flto=2 -g $(WARN_CFLAGS) -ffreestanding -fno-builtin \
	-nostdinc -isystem $(shell $(CC_ARM) -print-file-name=include) \
	-isystem src/lib/libc -I$(SYSROOT)/usr/include -isystem $(BEARSSL_INC) -Isrc \
	-mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-omit-frame-pointer -fpie \
	-fno-stack-protector -fno-common -ffunction-sections -fdata-sections \
	-DSKIFF_VERSION='"$(VERSION)"' -MMD -MP
HYP_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,norelro \
	-Wl,--gc-sections -Wl,-T,src/arch/arm64/skiff.lds -Wl,-z,max-page-size=4096 \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments

HYP_SRCS := $(wildcard src/arch/arm64/*.S src/arch/arm64/*.c src/core/*.c src/platform/*.c \
	src/platform/drivers/*.c src/board/*.c src/vdev/*.c \
	src/console/*.c src/hypercall/*.c src/enclave/*.c src/acpi/*.c src/virtio/*.c src/migrate/*.c src/lib/*.c \
	src/lib/libc/*.c)
HYP_OBJS := $(patsubst src/%,$(BUILD)/hyp/%.o,$(HYP_SRCS))

.PHONY: all hyp setup run test lint unit systest bench bench-peers clean help format guests configs \
	images tools fuzz-guest variants
all: hyp guests configs unit-bins tools variants

help:
	@echo "make run     - install dependencies, build, boot Skiff with Linux and a test guest"
	@echo "make test    - install dependencies, build, run lint, unit tests, fuzzers, system tests"
	@echo "make bench   - run the benchmarks, write bench/results.json and print a table"
	@echo "make bench-peers - only the comparison with Xen 4.17 and KVM (bench/peers.py)"
	@echo "make fuzz-guest [SEEDS=1-8 ROUNDS=40 OPS=8000] - a long campaign of the guest fuzzer"
	@echo "make lint    - compiler warnings, clang-format, cppcheck and clang-tidy"
	@echo "make format  - reformat the C sources with .clang-format"
	@echo "make fuzz    - the libFuzzer campaign: FUZZ_SECONDS (600) per harness, or FUZZ_RUNS"
	@echo "              executions each, FUZZ_JOBS at a time, FUZZ=NAME... for some"
	@echo "make unit / make systest [T=expr] [M=marker] - one test layer"
	@echo "              (T selects pytest tests by name, M by marker: M=linux, M='not linux')"
	@echo "make images  - fetch Debian's arm64 kernel and build a busybox initramfs, and a"
	@echo "              QEMU with FEAT_ECV (bookworm-backports, unpacked in build/qemu-ecv)"

setup:
	@scripts/setup.sh

$(LIBFDT_A):
	@scripts/setup.sh

# Built again when its recipe changes (setup.sh builds it only when it is missing).
$(BEARSSL_A): scripts/bearssl-el2.sh
	@rm -f $@
	@scripts/bearssl-el2.sh

hyp: $(BUILD)/skiff.bin

$(BUILD)/hyp/%.S.o: src/%.S | $(LIBFDT_A) $(BEARSSL_A)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC_ARM) $(HYP_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/hyp/%.c.o: src/%.c | $(LIBFDT_A) $(BEARSSL_A)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC_ARM) $(HYP_CFLAGS) -c $< -o $@

$(BUILD)/skiff.elf: $(HYP_OBJS) $(LIBFDT_A) $(BEARSSL_A) src/arch/arm64/skiff.lds scripts/check-el2-fp.sh
	@echo "  LD      $@"
	$(Q)$(CC_ARM) $(HYP_CFLAGS) $(HYP_LDFLAGS) -o $@ $(HYP_OBJS) $(LIBFDT_A) $(BEARSSL_A) -lgcc
	$(Q)scripts/check-el2-fp.sh $@ || { rm -f $@; exit 1; }

$(BUILD)/skiff.bin: $(BUILD)/skiff.elf
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@

# Test variants, each the hypervisor with one source built with a test-only macro
# (test_hostile.py boots them):
#   at-faults  every other stage-1 walk of a guest's tables (src/arch/arm64/at.S) takes
#              an exception at EL2 first, as a walk may on hardware
#   harden     the vectors that call the firmware's branch-predictor workaround at each
#              entry from a guest (src/arch/arm64/mitigations.c), on any firmware
# $(1): name, $(2): the source, $(3): the macro.
define variant
$(BUILD)/variants/$(1)/$(notdir $(2)).o: $(2) | $(LIBFDT_A) $(BEARSSL_A)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	$$(Q)$$(CC_ARM) $$(HYP_CFLAGS) $(if $(filter %.S,$(2)),-D__ASSEMBLY__) -D$(3) -c $$< -o $$@

$(BUILD)/variants/skiff-$(1).elf: $(filter-out $(BUILD)/hyp/$(patsubst src/%,%,$(2)).o,$(HYP_OBJS)) \
		$(BUILD)/variants/$(1)/$(notdir $(2)).o $(LIBFDT_A) $(BEARSSL_A) src/arch/arm64/skiff.lds \
		scripts/check-el2-fp.sh
	@echo "  LD      $$@"
	$$(Q)$$(CC_ARM) $$(HYP_CFLAGS) $$(HYP_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(LIBFDT_A) $$(BEARSSL_A) -lgcc
	$$(Q)scripts/check-el2-fp.sh $$@ || { rm -f $$@; exit 1; }

$(BUILD)/variants/skiff-$(1).bin: $(BUILD)/variants/skiff-$(1).elf
	@echo "  OBJCOPY $$@"
	$$(Q)$$(OBJCOPY) -O binary $$< $$@

variants: $(BUILD)/variants/skiff-$(1).bin
endef
$(eval $(call variant,at-faults,src/arch/arm64/at.S,SKIFF_TEST_AT_FAULTS))
$(eval $(call variant,harden,src/arch/arm64/mitigations.c,SKIFF_TEST_HARDEN_VECTORS))

# Host tools: dt2acpi, the device-tree-to-ACPI generator of src/acpi/ on the host.
TOOL_CFLAGS := -std=gnu11 -O2 -g $(WARN_CFLAGS) -Isrc
DT2ACPI_SRCS := tools/dt2acpi.c $(wildcard src/acpi/*.c) src/platform/dt.c src/platform/platform.c \
	src/lib/format.c
# skiff-attest: verifies enclave attestation tokens, computes measurements (docs/enclaves.md);
# Debian's libbearssl for the host.
ATTEST_SRCS := tools/skiff-attest.c src/core/config.c src/platform/dt.c src/core/cpu_profile.c src/enclave/measure.c \
	src/enclave/token.c src/enclave/policy.c src/lib/format.c
# skiff-policy: builds and signs enclave migration policies, shows and checks them.
POLICY_SRCS := tools/skiff-policy.c src/core/cpu_profile.c src/enclave/measure.c \
	src/enclave/token.c src/enclave/policy.c src/lib/format.c
tools: $(BUILD)/tools/dt2acpi $(BUILD)/tools/skiff-attest $(BUILD)/tools/skiff-policy

$(BUILD)/tools/skiff-policy: $(POLICY_SRCS) $(wildcard src/enclave/*.h src/core/*.h src/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(TOOL_CFLAGS) -isystem /usr/include/bearssl -o $@ $(POLICY_SRCS) -lfdt -lbearssl

$(BUILD)/tools/skiff-attest: $(ATTEST_SRCS) $(wildcard src/enclave/*.h src/core/config.h src/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(TOOL_CFLAGS) -isystem /usr/include/bearssl -o $@ $(ATTEST_SRCS) -lfdt -lbearssl

$(BUILD)/tools/dt2acpi: $(DT2ACPI_SRCS) $(wildcard src/acpi/*.h src/platform/*.h src/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(TOOL_CFLAGS) -o $@ $(DT2ACPI_SRCS) -lfdt

-include guest/guest.mk
-include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk
include configs/configs.mk

run: setup all
	scripts/run-demo.sh

lint: setup
	scripts/lint.sh

# Debian's arm64 kernel and a busybox initramfs for the Linux guest tests.
images: setup
	@scripts/guest-images.sh
	@scripts/qemu-ecv.sh

test: setup
	$(MAKE) all
	scripts/guest-images.sh
	scripts/qemu-ecv.sh
	scripts/lint.sh
	$(MAKE) unit
	scripts/fuzz.sh --short --jobs 2
	$(PYTHON) -m pytest tests/system -n 2 $(if $(T),-k "$(T)")

systest: setup all images
	$(PYTHON) -m pytest tests/system -n 2 $(if $(T),-k "$(T)") $(if $(M),-m "$(M)")

# The peers' rows (bench/peers.py, run by bench/run.py with the others) need Debian's
# kernel (images), Xen (apt-get download) and kvmtool (built from a source tree), all
# under build/ (scripts/peers-setup.sh).
bench: setup all images
	$(PYTHON) bench/run.py

bench-peers: setup all images
	$(PYTHON) bench/run.py peers

# A long campaign of the guest fuzzer (docs/testing.md, "The guest fuzzer"): eight seeds of
# 40 rounds of 8000 operations on each of 4 vCPUs, 10^7 operations, an hour or so.
# SEEDS=3-5 ROUNDS=10 OPS=2000 CPU=cortex-a72 GIC=2 to vary it. (`make fuzz` is libFuzzer's.)
fuzz-guest: setup all
	scripts/qemu-ecv.sh
	$(PYTHON) tests/system/fuzzrun.py --seeds $(or $(SEEDS),1-8) --rounds $(or $(ROUNDS),40) \
		--ops $(or $(OPS),8000) --cpu $(or $(CPU),max) --gic $(or $(GIC),3)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)/hyp $(BUILD)/variants $(BUILD)/guest $(BUILD)/unit $(BUILD)/fuzz $(BUILD)/tools $(BUILD)/*.elf $(BUILD)/*.bin

-include $(HYP_OBJS:.o=.d) $(wildcard $(BUILD)/variants/*/*.d)
