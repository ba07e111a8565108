# VM configurations: configs/NAME.dts -> build/configs/NAME.dtb. Guest images are
# embedded with /incbin/, searched for in build/guest and build/images (docs/config.md).
CONFIG_DTBS := $(patsubst configs/%.dts,$(BUILD)/configs/%.dtb,$(wildcard configs/*.dts))

configs: $(CONFIG_DTBS)

$(BUILD)/configs/%.dtb: configs/%.dts $(GUEST_BINS) $(BUILD)/images/initramfs.gz | $(LIBFDT_A)
	@mkdir -p $(dir $@)
	$(Q)dtc -q -I dts -O dtb -i $(BUILD)/guest -i $(BUILD)/images -o $@ $<

$(BUILD)/images/initramfs.gz: scripts/guest-images.sh | $(LIBFDT_A)
	@scripts/guest-images.sh
