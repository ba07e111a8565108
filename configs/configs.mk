# VM configurations: configs/NAME.dts -> build/configs/NAME.dtb. Guest images are
# embedded with /incbin/, searched for in build/guest (see docs/config.md).
CONFIG_DTBS := $(patsubst configs/%.dts,$(BUILD)/configs/%.dtb,$(wildcard configs/*.dts))

configs: $(CONFIG_DTBS)

$(BUILD)/configs/%.dtb: configs/%.dts $(GUEST_BINS) | $(LIBFDT_A)
	@mkdir -p $(dir $@)
	dtc -q -I dts -O dtb -i $(BUILD)/guest -o $@ $<
