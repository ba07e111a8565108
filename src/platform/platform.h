/* SPDX-License-Identifier: MIT */
/*
 * Host platform description, discovered from the device tree handed over by the
 * boot loader. Generic code: it only uses libfdt, so it is unit-tested on the host
 * against device trees dumped from QEMU itself.
 */
#ifndef SKIFF_PLATFORM_PLATFORM_H
#define SKIFF_PLATFORM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/dt.h"

#define PLATFORM_MAX_CPUS     16
#define PLATFORM_MAX_MEM      8
#define PLATFORM_MAX_RESERVED 16
#define PLATFORM_MAX_REDIST   4
#define PLATFORM_BOOTARGS_LEN 256
#define PLATFORM_RNG_SEED_MAX 64
#define PLATFORM_MAX_VIRTIO   32 /* QEMU virt has 32 virtio-mmio transports */

enum psci_conduit {
	PSCI_CONDUIT_NONE = 0,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

struct platform_gic {
	unsigned int version; /* 2 or 3; 0 = none found */
	struct mem_range dist;
	/* GICv3: redistributor regions. */
	unsigned int nredist;
	struct mem_range redist[PLATFORM_MAX_REDIST];
	/* GICv2: CPU interface, and the virtualization extension's GICH and GICV frames. */
	struct mem_range cpuif;
	struct mem_range hyp;
	struct mem_range vcpu;
	/* Maintenance interrupt (virtualization extension), intid 0 when absent. */
	struct irq_desc maint_irq;
};

struct platform_uart {
	char compatible[32]; /* first compatible string, e.g. "arm,pl011" */
	struct mem_range regs;
	struct irq_desc irq;
	uint32_t clock_hz; /* from the clocks' "clock-frequency", 0 when unknown */
};

enum timer_irq_index {
	TIMER_IRQ_SEC_PHYS = 0,
	TIMER_IRQ_PHYS,
	TIMER_IRQ_VIRT,
	TIMER_IRQ_HYP_PHYS,
	TIMER_IRQ_HYP_VIRT, /* optional (FEAT_VHE systems) */
	TIMER_IRQ_COUNT,
};

/* The timers' INTIDs the Arm BSA recommends, for a device tree that names fewer. */
#define TIMER_BSA_INTID_PHYS	 30
#define TIMER_BSA_INTID_VIRT	 27
#define TIMER_BSA_INTID_HYP_PHYS 26

struct platform_timer {
	unsigned int nirqs;
	struct irq_desc irq[TIMER_IRQ_COUNT];
	uint32_t clock_frequency; /* DT override of CNTFRQ_EL0, 0 when absent */
};

/*
 * A virtio-mmio transport ("virtio,mmio"). Most of QEMU virt's are empty (no
 * device behind them): only reading its registers tells (virtio/mmio.h).
 */
struct platform_virtio {
	struct mem_range regs;
	struct irq_desc irq; /* intid 0 when the node names none */
	bool dma_coherent;   /* "dma-coherent": the device sees the CPU's caches */
};

struct platform {
	char model[64];
	unsigned int ncpus;
	uint64_t cpu_mpidr[PLATFORM_MAX_CPUS];
	enum psci_conduit psci;
	unsigned int nmem;
	struct mem_range mem[PLATFORM_MAX_MEM];
	/* /memreserve/ entries and static /reserved-memory children. */
	unsigned int nreserved;
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	struct platform_gic gic;
	struct platform_uart uart;
	struct platform_timer timer;
	/* virtio-mmio transports, in device-tree order. */
	unsigned int nvirtio;
	struct platform_virtio virtio[PLATFORM_MAX_VIRTIO];
	/* A PL031 real-time clock (size 0 when there is none). */
	struct mem_range rtc;
	/* /chosen: linux,initrd-start/end (size 0 when absent) and bootargs. */
	struct mem_range initrd;
	char bootargs[PLATFORM_BOOTARGS_LEN];
	/*
	 * /chosen/rng-seed: random bytes from the firmware (QEMU virt gives 32), the
	 * first PLATFORM_RNG_SEED_MAX of them; rng_seed_len 0 when there are none.
	 */
	uint8_t rng_seed[PLATFORM_RNG_SEED_MAX];
	size_t rng_seed_len;
};

/*
 * Fills @plat from the flattened device tree @dt (dt_open()). Returns 0 on success, or a
 * negative value with a human-readable reason (naming the node or property at
 * fault) written to @err. A missing UART or GIC is not an error (version 0 /
 * empty compatible); missing memory or CPUs is.
 */
int platform_discover(const struct dt *dt, struct platform *plat, char *err, size_t errlen);

/*
 * Removes /chosen/rng-seed from @fdt, which @dt reads (the bytes are overwritten
 * with no-op tags, as Linux does once it has read them), so that whoever reads
 * this device tree next does not get the seed Skiff used. The tree stays valid,
 * and @dt with it. Returns 0, or a libfdt error when the property could not be
 * removed (there was none: -FDT_ERR_NOTFOUND). A tree naming it twice loses both.
 */
int platform_forget_rng_seed(const struct dt *dt, void *fdt);

/*
 * The same without memory, CPUs and reservations (ncpus 0): the devices only,
 * for a converter of any board's device tree.
 */
int platform_discover_devices(const struct dt *dt, struct platform *plat, char *err, size_t errlen);

#endif
