# Bare-metal test guests: guest/tests/NAME.c -> build/guest/NAME.elf and NAME.bin,
# linked with the framework in guest/lib/ (see docs/guests.md).
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN_CFLAGS) -ffreestanding -fno-builtin \
	-nostdinc -isystem $(shell $(CC_ARM) -print-file-name=include) -isystem src/lib/libc \
	-Isrc -Iguest/lib -I$(SYSROOT)/usr/include -mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-pic -fno-stack-protector \
	-fno-omit-frame-pointer -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,guest/guest.lds -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments

GUEST_TESTS := $(patsubst guest/tests/%.c,%,$(wildcard guest/tests/*.c))
GUEST_BINS  := $(addprefix $(BUILD)/guest/,$(addsuffix .bin,$(GUEST_TESTS)))
GUEST_LIB_SRCS := $(wildcard guest/lib/*.S guest/lib/*.c) src/lib/format.c src/lib/libc/string.c \
	src/lib/libc/stdlib.c
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guest/obj/%.o,$(GUEST_LIB_SRCS))

# The peer benchmark guest linked for other loaders' RAM too (bench/peers.py): kvmtool
# enters it at 0x80000000, QEMU's -kernel at 0x40200000 (it keeps the first 2 MiB of RAM
# for its boot code). Skiff and Xen load it at 0x40000000, as linked above.
GUEST_PEER_BASES := 0x80000000 0x40200000
GUEST_PEER_BINS := $(foreach b,$(GUEST_PEER_BASES),$(BUILD)/guest/at-$(b)/bench_peer.bin)

guests: $(GUEST_BINS) $(GUEST_PEER_BINS)

$(BUILD)/guest/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC_ARM) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/guest/obj/%.c.o: %.c | $(LIBFDT_A)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC_ARM) $(GUEST_CFLAGS) -c $< -o $@

# A guest too large for one file keeps the rest in guest/tests/NAME/ (fuzz does).
guest_parts = $(patsubst %,$(BUILD)/guest/obj/%.o,$(wildcard guest/tests/$(1)/*.c))

# Debian's libfdt.a is linked too, so tests can read the device tree Skiff wrote.
.SECONDEXPANSION:
$(BUILD)/guest/%.elf: $(BUILD)/guest/obj/guest/tests/%.c.o $$(call guest_parts,$$*) \
		$(GUEST_LIB_OBJS) guest/guest.lds $(LIBFDT_A)
	@echo "  LD      $@"
	$(Q)$(CC_ARM) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(call guest_parts,$*) \
		$(GUEST_LIB_OBJS) $(LIBFDT_A) -lgcc

$(BUILD)/guest/at-%/bench_peer.elf: $(BUILD)/guest/obj/guest/tests/bench_peer.c.o \
		$(GUEST_LIB_OBJS) guest/guest.lds $(LIBFDT_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC_ARM) $(GUEST_CFLAGS) -Wl,--defsym=GUEST_LINK_BASE=$* $(GUEST_LDFLAGS) -o $@ $< \
		$(GUEST_LIB_OBJS) $(LIBFDT_A) -lgcc

$(BUILD)/guest/%.bin: $(BUILD)/guest/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

.PRECIOUS: $(BUILD)/guest/%.elf $(BUILD)/guest/obj/%.c.o $(BUILD)/guest/at-%/bench_peer.elf

# Every object's header dependencies (-MMD): the tests' own files, their parts, the library.
-include $(GUEST_LIB_OBJS:.o=.d) \
	$(patsubst %,$(BUILD)/guest/obj/%.d,$(wildcard guest/tests/*.c guest/tests/*/*.c))
