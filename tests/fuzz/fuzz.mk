# libFuzzer harnesses (clang, AddressSanitizer + UBSan). tests/fuzz/fuzz_NAME.c is
# linked with the generic sources listed in FUZZ_SRCS_fuzz_NAME and built as
# build/fuzz/fuzz_NAME; its seeds are tests/fuzz/corpus/NAME/. scripts/fuzz.sh runs
# them (docs/testing.md).
FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN_CFLAGS) -Isrc -Itests/unit -isystem /usr/include/bearssl \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt
FUZZ_LDLIBS := -lfdt -lbearssl

FUZZ_SRCS_fuzz_config     := src/core/config.c src/platform/dt.c src/core/cpu_profile.c src/hypercall/rpci.c \
	src/core/guestlog.c src/enclave/token.c src/enclave/policy.c src/enclave/measure.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_policy     := src/enclave/policy.c src/enclave/measure.c src/enclave/token.c \
	src/core/cpu_profile.c src/lib/format.c
FUZZ_SRCS_fuzz_agent      := src/enclave/agent.c $(FUZZ_SRCS_fuzz_policy)
FUZZ_SRCS_fuzz_cpu_profile := src/core/cpu_profile.c src/lib/format.c
FUZZ_SRCS_fuzz_platform   := src/platform/platform.c src/platform/dt.c src/lib/format.c
FUZZ_SRCS_fuzz_acpi_reader := src/acpi/reader.c src/acpi/table.c src/acpi/serial.c src/platform/dt.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_dt2acpi    := $(wildcard src/acpi/*.c) src/platform/dt.c src/platform/platform.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_input      := src/console/focus.c src/console/shell.c src/console/termin.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_screen     := src/console/conbuf.c src/console/escfilter.c src/console/textview.c \
	src/console/screen.c src/lib/format.c
FUZZ_SRCS_fuzz_message    := src/hypercall/message.c src/hypercall/rpci.c src/hypercall/tclo.c \
	src/core/guestlog.c src/lib/format.c
FUZZ_SRCS_fuzz_stage2     := src/core/stage2_fault.c src/core/guestlog.c src/lib/format.c \
	tests/unit/fake_arch.c tests/unit/fake_vm.c
FUZZ_SRCS_fuzz_timescale  := src/vdev/timescale.c
FUZZ_SRCS_fuzz_format     := src/lib/format.c
FUZZ_SRCS_fuzz_link       := src/migrate/session.c src/migrate/wire.c src/lib/crc32.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_vmstate    := src/migrate/vmstate.c src/migrate/vmstate_records.c src/migrate/wire.c src/lib/crc32.c \
	src/lib/format.c
FUZZ_SRCS_fuzz_palloc     := src/core/palloc.c src/core/mem.c src/arch/arm64/stage2.c \
	src/arch/arm64/pgtable.c
FUZZ_SRCS_fuzz_vgic       := src/vdev/vgic.c src/core/mmio.c src/core/guestlog.c src/lib/format.c \
	tests/unit/fake_arch.c

FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))

.PHONY: fuzz-bins fuzz
fuzz-bins: $(FUZZ_BINS)

.SECONDEXPANSION:
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/coverage-ignore.txt $$(FUZZ_SRCS_$$*) \
		$(wildcard src/*/*.h src/*/*/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LDLIBS)

# The long campaign: FUZZ_SECONDS per harness (or FUZZ_RUNS executions each),
# FUZZ_JOBS harnesses at a time (FUZZ_CHUNK executions a run: resumable), FUZZ=NAME...
# for some, FUZZ_BOARDS=1 to seed the device-tree harnesses with Debian's board trees
# too; results in bench/results.json.
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 1
fuzz: setup
	scripts/fuzz.sh --long --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS) \
		$(if $(FUZZ_RUNS),--runs $(FUZZ_RUNS)) $(if $(FUZZ_CHUNK),--chunk $(FUZZ_CHUNK)) \
		$(if $(FUZZ_BOARDS),--boards) $(FUZZ)
