# Host unit tests (cmocka). tests/unit/test_NAME.c is linked with the generic
# sources listed in UNIT_SRCS_test_NAME and built as build/unit/test_NAME.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Isrc -fsanitize=address,undefined \
	-fno-sanitize-recover=all
UNIT_LDLIBS := -lcmocka -lfdt

UNIT_SRCS_test_palloc   := src/core/palloc.c
UNIT_SRCS_test_mmio     := src/core/mmio.c
UNIT_SRCS_test_config   := src/core/config.c src/lib/format.c
UNIT_SRCS_test_bootargs := src/core/bootargs.c
UNIT_SRCS_test_trap     := src/core/trap.c src/core/esr.c src/core/mmio.c src/vdev/psci.c \
	tests/unit/fake_arch.c

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

.PHONY: unit-bins unit
unit-bins: $(UNIT_BINS)

.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$(UNIT_SRCS_$$*) $(wildcard src/*/*.h src/lib/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_SRCS_$*) $(UNIT_LDLIBS)

# Runs every test binary; fails if any fails, after running them all.
unit: $(UNIT_BINS)
	@failed=0; for t in $(UNIT_BINS); do $$t || failed=1; done; exit $$failed
