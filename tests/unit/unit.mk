# Host unit tests (cmocka). tests/unit/test_NAME.c is linked with the generic
# sources listed in UNIT_SRCS_test_NAME and built as build/unit/test_NAME.
# BearSSL: the host's (Debian's libbearssl-dev, the same release and API as the source
# the hypervisor's copy is built from; docs/crypto.md).
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN_CFLAGS) -Isrc -isystem /usr/include/bearssl \
	-fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_LDLIBS := -lcmocka -lfdt -lbearssl

UNIT_SRCS_test_palloc   := src/core/palloc.c
UNIT_SRCS_test_mmio     := src/core/mmio.c
UNIT_SRCS_test_config   := src/core/config.c src/platform/dt.c src/core/cpu_profile.c src/enclave/token.c \
	src/enclave/policy.c src/enclave/measure.c \
	src/lib/format.c
UNIT_SRCS_test_cpu_profile := src/core/cpu_profile.c src/lib/format.c
UNIT_SRCS_test_token    := src/enclave/token.c
UNIT_SRCS_test_policy   := src/enclave/policy.c src/enclave/measure.c src/enclave/token.c \
	src/core/cpu_profile.c src/lib/format.c
UNIT_SRCS_test_agent    := src/enclave/agent.c $(UNIT_SRCS_test_policy)
UNIT_SRCS_test_measure  := src/enclave/measure.c src/core/cpu_profile.c src/lib/format.c
UNIT_SRCS_test_attest   := src/enclave/attest.c src/enclave/token.c src/core/random.c \
	src/core/stage2_fault.c src/core/guestlog.c src/lib/format.c tests/unit/fake_arch.c \
	tests/unit/fake_vm.c
UNIT_SRCS_test_bootargs := src/core/bootargs.c
UNIT_SRCS_test_format   := src/lib/format.c
UNIT_SRCS_test_focus    := src/console/focus.c
UNIT_SRCS_test_shell    := src/console/shell.c src/console/termin.c src/lib/format.c
UNIT_SRCS_test_termin   := src/console/termin.c
UNIT_SRCS_test_screen   := src/console/screen.c src/console/conbuf.c src/console/escfilter.c \
	src/console/textview.c \
	src/lib/format.c
UNIT_SRCS_test_vpl031   := src/vdev/vpl031.c
UNIT_SRCS_test_vdcc     := src/vdev/vdcc.c src/console/lineout.c src/console/conbuf.c \
	src/console/escfilter.c src/lib/format.c
UNIT_SRCS_test_timescale := src/vdev/timescale.c
UNIT_SRCS_test_memtimer := src/vdev/memtimer.c src/vdev/timescale.c src/core/mmio.c
UNIT_SRCS_test_clockwatch := src/core/clockwatch.c
UNIT_SRCS_test_vgic     := src/vdev/vgic.c src/core/mmio.c src/core/guestlog.c src/lib/format.c
UNIT_SRCS_test_message  := src/hypercall/message.c src/hypercall/rpci.c src/hypercall/tclo.c \
	src/core/guestlog.c \
	src/lib/format.c
UNIT_SRCS_test_backdoor := src/hypercall/backdoor.c src/hypercall/message.c src/hypercall/rpci.c \
	src/hypercall/tclo.c src/core/random.c src/core/guestlog.c src/lib/format.c \
	tests/unit/fake_arch.c tests/unit/fake_vm.c
UNIT_SRCS_test_libc     := tests/unit/skiff_libc.c
UNIT_SRCS_test_platform := src/platform/platform.c src/platform/dt.c src/lib/format.c
UNIT_SRCS_test_guest_fdt := src/board/guest_fdt.c src/lib/format.c
UNIT_SRCS_test_trap     := src/core/trap.c src/core/esr.c src/core/guestlog.c src/core/irq.c \
	src/core/mmio.c src/vdev/psci.c src/lib/format.c \
	src/core/sysreg.c src/core/cpu_profile.c src/enclave/attest.c src/enclave/token.c \
	src/core/random.c \
	src/core/stage2_fault.c tests/unit/fake_arch.c tests/unit/fake_vm.c
UNIT_SRCS_test_aml      := src/acpi/aml.c
UNIT_SRCS_test_guest_acpi := src/board/guest_acpi.c src/board/guest_fdt.c $(wildcard src/acpi/*.c) \
	src/platform/dt.c src/platform/platform.c src/lib/format.c
UNIT_SRCS_test_acpi_reader := $(wildcard src/acpi/*.c) src/platform/dt.c src/platform/platform.c \
	src/lib/format.c
UNIT_SRCS_test_dt2acpi  := $(wildcard src/acpi/*.c) src/platform/dt.c src/platform/platform.c src/lib/format.c
UNIT_SRCS_test_console  := $(UNIT_SRCS_test_dt2acpi)
UNIT_SRCS_test_irq      := src/core/irq.c tests/unit/fake_arch.c
UNIT_SRCS_test_random   := src/core/random.c tests/unit/fake_arch.c
UNIT_SRCS_test_guestlog := src/core/guestlog.c src/lib/format.c tests/unit/fake_arch.c
UNIT_SRCS_test_stage2   := src/core/stage2_fault.c src/core/guestlog.c src/lib/format.c \
	tests/unit/fake_arch.c tests/unit/fake_vm.c
UNIT_SRCS_test_pgtable  := src/arch/arm64/pgtable.c
UNIT_SRCS_test_vm_lifecycle := src/core/vm.c src/core/cpu_profile.c src/core/stage2_fault.c src/core/mem.c src/core/palloc.c \
	src/core/mmio.c src/core/guestlog.c src/arch/arm64/stage2.c src/arch/arm64/pgtable.c \
	src/board/guest_fdt.c src/console/conbuf.c src/console/escfilter.c src/lib/format.c \
	src/enclave/measure.c tests/unit/fake_arch.c tests/unit/fake_vm_env.c \
	tests/unit/vm_harness.c
UNIT_SRCS_test_vm_enclave := $(UNIT_SRCS_test_vm_lifecycle)
UNIT_SRCS_test_dirty_log := $(UNIT_SRCS_test_vm_lifecycle) src/core/dirty_log.c
UNIT_SRCS_test_wire     := src/migrate/wire.c src/lib/crc32.c src/lib/format.c
UNIT_SRCS_test_tombstone := src/migrate/tombstone.c
UNIT_SRCS_test_session  := src/migrate/session.c src/migrate/wire.c src/lib/crc32.c src/lib/format.c
UNIT_SRCS_test_vmstate  := src/migrate/vmstate.c src/migrate/wire.c src/lib/crc32.c src/lib/format.c
UNIT_SRCS_test_vmstate_records := src/migrate/vmstate_records.c src/migrate/wire.c src/lib/crc32.c \
	src/lib/format.c
UNIT_SRCS_test_virtio   := src/virtio/mmio.c src/virtio/virtq.c src/virtio/chain.c src/virtio/net.c \
	src/lib/format.c tests/unit/fake_arch.c

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

.PHONY: unit-bins unit
unit-bins: $(UNIT_BINS)

.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$(UNIT_SRCS_$$*) $(wildcard src/*/*.h src/*/*/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_SRCS_$*) $(UNIT_LDLIBS)

# Device trees for test_platform: QEMU's own, and hand-written ones for what QEMU lacks.
UNIT_DTB_DIR := $(BUILD)/unit/dtb
UNIT_DTS     := $(patsubst tests/unit/dts/%.dts,$(UNIT_DTB_DIR)/%.dtb,$(wildcard tests/unit/dts/*.dts))

$(UNIT_DTB_DIR)/%.dtb: tests/unit/dts/%.dts
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -o $@ $<

$(UNIT_DTB_DIR)/.qemu-dumped: scripts/dump-qemu-dtbs.sh
	@echo "  DUMP    QEMU virt device trees"
	$(Q)scripts/dump-qemu-dtbs.sh $(UNIT_DTB_DIR) && touch $@

$(BUILD)/unit/test_platform: $(UNIT_DTS) $(UNIT_DTB_DIR)/.qemu-dumped
$(BUILD)/unit/test_platform: UNIT_CFLAGS += -DDTB_DIR='"$(UNIT_DTB_DIR)"'
$(BUILD)/unit/test_dt2acpi: $(UNIT_DTS)
$(BUILD)/unit/test_acpi_reader: $(UNIT_DTS) $(UNIT_DTB_DIR)/.qemu-dumped
$(BUILD)/unit/test_acpi_reader: UNIT_CFLAGS += -DDTB_DIR='"$(UNIT_DTB_DIR)"'
$(BUILD)/unit/test_dt2acpi: UNIT_CFLAGS += -DDTB_DIR='"$(UNIT_DTB_DIR)"'
$(BUILD)/unit/test_console: $(UNIT_DTS)
$(BUILD)/unit/test_console: UNIT_CFLAGS += -DDTB_DIR='"$(UNIT_DTB_DIR)"'

# What must not compile: tests/unit/misuse_NAME.c compiles as it is, and each misuse in it
# (-DMISUSE=n, counted from its "#if/#elif MISUSE == n" lines) must fail to, on
# incompatible types: the typed addresses (misuse_addr.c), the lock handles (misuse_locked.c).
MISUSE_SRCS := $(wildcard tests/unit/misuse_*.c)
.PHONY: unit-misuse
unit-misuse:
	@mkdir -p $(BUILD)/unit
	$(Q)for f in $(MISUSE_SRCS); do \
		$(HOSTCC) $(UNIT_CFLAGS) -fsyntax-only $$f || exit 1; \
		n=$$(grep -c '^#.*if MISUSE == ' $$f); \
		for i in $$(seq 1 $$n); do \
			log=$(BUILD)/unit/$$(basename $$f .c).$$i.log; \
			if $(HOSTCC) $(UNIT_CFLAGS) -fsyntax-only -DMISUSE=$$i $$f >$$log 2>&1; then \
				echo "misuse: $$f: misuse $$i compiled"; exit 1; \
			elif ! grep -q 'incompatible type' $$log; then \
				echo "misuse: $$f: misuse $$i failed to compile, but not on its types:"; \
				cat $$log; exit 1; \
			fi; \
		done; \
		echo "misuse: $$f: all $$n misuses refused"; \
	done

# Runs every test binary; fails if any fails, after running them all.
unit: $(UNIT_BINS) unit-misuse
	@failed=0; for t in $(UNIT_BINS); do $$t || failed=1; done; exit $$failed
