// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "core/log.h"
#include "lib/gic.h"
#include "virtio/mmio_regs.h"
#include "virtio/scan.h"

const char *virtio_device_name(uint32_t device_id)
{
	static const char *const names[] = {
		[VIRTIO_ID_NET] = "net",
		[VIRTIO_ID_BLOCK] = "block",
		[VIRTIO_ID_CONSOLE] = "console",
		[4] = "entropy",
		[5] = "balloon",
		[8] = "scsi",
		[9] = "9p",
		[16] = "gpu",
		[18] = "input",
		[19] = "vsock",
	};

	if (device_id < sizeof(names) / sizeof(names[0]) && names[device_id])
		return names[device_id];
	return "unknown";
}

unsigned int virtio_scan(const struct platform *plat, struct virtio_found *out, unsigned int max)
{
	unsigned int n = 0;
	char err[200];

	for (unsigned int i = 0; i < plat->nvirtio && n < max; i++) {
		const struct platform_virtio *t = &plat->virtio[i];
		struct virtio_found *f = &out[n];

		if (arch_map_device(t->regs.base, t->regs.size)) {
			log_warn("virtio: cannot map the transport at 0x%lx",
				 (unsigned long)t->regs.base);
			continue;
		}
		if (virtio_mmio_probe(pa_init(t->regs.base), &f->dev, err, sizeof(err))) {
			log_warn("%s", err);
			continue;
		}
		if (!f->dev.device_id)
			continue;
		f->intid = GIC_IS_SPI(t->irq.intid) ? t->irq.intid : 0;
		log_info("virtio: %s device (ID %u, vendor 0x%x) at 0x%lx, INTID %u",
			 virtio_device_name(f->dev.device_id), f->dev.device_id, f->dev.vendor_id,
			 (unsigned long)t->regs.base, f->intid);
		n++;
	}
	return n;
}
