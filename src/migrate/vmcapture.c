// SPDX-License-Identifier: MIT
#include <string.h>

#include "arch/arch.h"
#include "board/layout.h"
#include "core/cpu_profile.h"
#include "lib/format.h"
#include "migrate/vmcapture.h"
#include "vdev/timescale.h"

void vmcapture_machine(const struct vm *vm, struct vmstate_machine *m)
{
	const struct vm_config *c = vm->config;

	memset(m, 0, sizeof(*m));
	format(m->name, sizeof(m->name), "%s", vm->name);
	m->ram_ipa = ipa_addr(vm->ram_ipa);
	m->ram_size = vm->ram_size;
	m->nvcpus = vm->nvcpus;
	m->counter_hz = c->counter_hz;
	/* What it was given, not what was asked: the guest's device tree names that. */
	m->counter_mode = vm->memtimer.present ? COUNTER_MODE_MMIO : COUNTER_MODE_SYSREG;
	m->backdoor = vm->backdoor.enabled;
	m->backdoor_el0_tdcc = vm->backdoor.honour_tdcc;
	m->acpi = c->acpi;
	m->profile = vm->cpu_profile;
}

static void save_counter(struct vm *vm, struct vmstate_counter *c)
{
	const struct timescale *ts = vtimer_scale(&vm->counter);
	uint64_t now = arch_counter();

	memset(c, 0, sizeof(*c));
	c->hz = ts->guest_hz;
	c->count = timescale_to_guest(ts, now);
	c->vcount = vm->counter.virtual_trapped ? c->count : vtimer_guest_count(vm, now);
	if (vm->memtimer.present) {
		spin_lock(&vm->memtimer.lock);
		c->mmio = true;
		c->cntacr = (uint8_t)__atomic_load_n(&vm->memtimer.cntacr, __ATOMIC_RELAXED);
		c->ctl = (uint8_t)vm->memtimer.ctl;
		c->cval = vm->memtimer.cval;
		spin_unlock(&vm->memtimer.lock);
	}
}

static void save_devices(struct vm *vm, struct vm_image *img)
{
	struct vpl011 *u = &vm->uart;
	struct vpl031 *r = &vm->rtc;
	struct vdcc *d = &vm->dcc;

	memset(&img->uart, 0, sizeof(img->uart));
	spin_lock(&u->lock);
	img->uart.imsc = (uint16_t)u->imsc;
	img->uart.rx_count = (uint8_t)u->rx_count;
	for (unsigned int i = 0; i < u->rx_count; i++)
		img->uart.rx[i] = u->rx[(u->rx_head + i) % VPL011_RX_FIFO];
	spin_unlock(&u->lock);

	spin_lock(&r->lock);
	img->rtc = (struct vmstate_pl031){ r->offset,	     r->lr,	     r->mr, r->seen,
					   (uint8_t)r->imsc, (uint8_t)r->ris };
	spin_unlock(&r->lock);

	memset(&img->dcc, 0, sizeof(img->dcc));
	spin_lock(&d->lock);
	img->dcc.dtrtx = d->dtrtx;
	img->dcc.rx_count = (uint16_t)d->rx_count;
	for (unsigned int i = 0; i < d->rx_count; i++)
		img->dcc.rx[i] = d->rx[(d->rx_head + i) % VDCC_RX_RING];
	spin_unlock(&d->lock);

	spin_lock(&vm->backdoor.lock);
	img->backdoor.tclo_listening = vm->tclo.listening;
	memcpy(img->backdoor.channels, vm->backdoor.channels, sizeof(img->backdoor.channels));
	/* A closed channel is all zero in the format (message.c keeps stale bytes in it). */
	for (unsigned int i = 0; i < MSG_MAX_CHANNELS; i++)
		if (!img->backdoor.channels[i].open)
			memset(&img->backdoor.channels[i], 0, sizeof(img->backdoor.channels[i]));
	img->guestinfo.tools_version = vm->rpci.tools_version;
	img->guestinfo.info = vm->rpci.info;
	spin_unlock(&vm->backdoor.lock);
}

void vmcapture_save(struct vm *vm, struct vm_image *img)
{
	struct cpu_features f;

	arch_cpu_features(&f);
	vmcapture_machine(vm, &img->machine);
	/* SVE state only where the guest sees SVE: its profile may hide the host's. */
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vmstate_vcpu_capture(&vm->vcpus[i], f.sve && !vm->cpu.no_sve, &img->vcpus[i]);
	save_counter(vm, &img->counter);
	vgic_save(vm, &img->gic, img->gic_cpus);
	save_devices(vm, img);
}

int vmcapture_accept(const struct vmstate_machine *m, const struct vmstate_counter *counter,
		     struct vm_config *config, char *err, size_t errlen)
{
	struct cpu_features f;
	struct host_cpu host;
	char why[160];

	arch_cpu_features(&f);
	arch_cpu_id_regs(&host);
	if (cpu_profile_check(&m->profile, &host, why, sizeof(why))) {
		format(err, errlen, "cpu-profile %s %s", m->profile.name, why);
		return -1;
	}
	if (m->ram_ipa != GUEST_RAM_BASE) {
		format(err, errlen, "RAM at IPA 0x%lx; VMs here have theirs at 0x%lx",
		       (unsigned long)m->ram_ipa, (unsigned long)GUEST_RAM_BASE);
		return -1;
	}
	if (!arch_vgic_version()) {
		format(err, errlen, "this host cannot virtualize its interrupt controller");
		return -1;
	}
	/*
	 * The virtual counter follows the guest's frequency only where it traps
	 * (FEAT_ECV); without, it runs at this host's, which is right only if
	 * that is the guest's, or was not the guest's on the source either.
	 */
	if (!f.ecv && counter->hz != f.counter_hz && !m->counter_hz) {
		format(err, errlen,
		       "the VM's counter runs at %lu Hz, this host's at %lu Hz, and without "
		       "FEAT_ECV its virtual counter cannot be scaled",
		       (unsigned long)counter->hz, (unsigned long)f.counter_hz);
		return -1;
	}
	if (f.ecv && (m->counter_hz || counter->hz != f.counter_hz) &&
	    counter->vcount != counter->count) {
		format(err, errlen,
		       "the VM's virtual count (%lu) differs from its physical count (%lu); here "
		       "both are scaled as one",
		       (unsigned long)counter->vcount, (unsigned long)counter->count);
		return -1;
	}
	memset(config, 0, sizeof(*config));
	format(config->name, sizeof(config->name), "%s", m->name);
	config->memory_size = m->ram_size;
	config->vcpus = m->nvcpus;
	config->cpu = -1;
	/* A frequency of its own wherever this host's differs: the counter is scaled. */
	config->counter_hz = m->counter_hz || counter->hz != f.counter_hz ? counter->hz : 0;
	config->counter_mode = counter->mmio ? COUNTER_MODE_MMIO : COUNTER_MODE_SYSREG;
	config->backdoor = m->backdoor;
	config->backdoor_el0_tdcc = m->backdoor_el0_tdcc;
	config->acpi = m->acpi;
	config->cpu_profile = m->profile;
	config->guestinfo_node = -1;
	return 0;
}

/* An interrupt's SGI sources or GICv2 route name only vCPUs the VM has. */
static int check_irq(const struct vm *vm, const struct vgic_irq_state *s, unsigned int intid,
		     char *err, size_t errlen)
{
	uint32_t vcpus = (1U << vm->nvcpus) - 1;

	if (s->sources & ~vcpus) {
		format(err, errlen, "INTID %u: SGI sources 0x%02x, but the VM has %u vCPU(s)",
		       intid, s->sources, vm->nvcpus);
		return -1;
	}
	if (vm->vgic.version == 2 && !GIC_IS_PRIVATE(intid) && (s->route & ~(uint64_t)vcpus)) {
		format(err, errlen, "INTID %u: targets 0x%02lx, but the VM has %u vCPU(s)", intid,
		       (unsigned long)s->route, vm->nvcpus);
		return -1;
	}
	return 0;
}

int vmcapture_check(const struct vm *vm, const struct vm_image *img, char *err, size_t errlen)
{
	struct cpu_features f;

	arch_cpu_features(&f);
	if (img->gic.version != vm->vgic.version) {
		format(err, errlen, "a GICv%u VM; this host's VMs have a GICv%u", img->gic.version,
		       vm->vgic.version);
		return -1;
	}
	if (img->counter.mmio != vm->memtimer.present) {
		format(err, errlen, "the memory-mapped timer: %s in the state, %s in the machine",
		       img->counter.mmio ? "present" : "absent",
		       vm->memtimer.present ? "present" : "absent");
		return -1;
	}
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		if (check_irq(vm, &img->gic.spi[i], GIC_NR_PRIVATE + i, err, errlen))
			return -1;
	for (unsigned int c = 0; c < vm->nvcpus; c++) {
		const struct vcpu_image *v = &img->vcpus[c];

		for (unsigned int i = 0; i < GIC_NR_PRIVATE; i++)
			if (check_irq(vm, &img->gic_cpus[c].priv[i], i, err, errlen))
				return -1;
		if (v->sve && !f.sve) {
			format(err, errlen, "vCPU %u has SVE state; this host has no SVE", c);
			return -1;
		}
		if (v->mpidr != ((1UL << 31) | c)) {
			format(err, errlen, "vCPU %u: MPIDR_EL1 0x%lx; Skiff gives vCPU %u 0x%lx",
			       c, (unsigned long)v->mpidr, c, (unsigned long)((1UL << 31) | c));
			return -1;
		}
	}
	return 0;
}

/* The counter continues from the freeze's count, at the guest's frequency, from now. */
static void apply_counter(struct vm *vm, const struct vmstate_counter *c)
{
	struct vtimer_counter *vc = &vm->counter;
	uint64_t now = arch_counter();

	vc->offset = now - c->vcount;
	vc->current = 0;
	timescale_init(&vc->scales[0], c->hz, arch_counter_freq(), now, c->count);
	vc->scales[1] = vc->scales[0];
	if (c->mmio) {
		vm->memtimer.cntacr = c->cntacr;
		vm->memtimer.ctl = c->ctl;
		vm->memtimer.cval = c->cval;
	}
}

static void apply_vcpu(struct vm *vm, struct vcpu *v, const struct vcpu_image *img,
		       const struct vgic_cpu_state *gic)
{
	v->ctx = img->ctx;
	v->el1 = img->el1;
	v->fp = img->fp;
	v->os_lock = img->os_lock;
	v->ptimer.ctl = img->cntp_ctl;
	v->ptimer.cval = img->cntp_cval;
	if (vm->counter.virtual_trapped) {
		v->vptimer.ctl = img->cntv_ctl;
		v->vptimer.cval = img->cntv_cval;
	} else {
		v->vtimer.ctl = img->cntv_ctl;
		v->vtimer.cval = img->cntv_cval;
		/* The line as the model has it: the guest lowers it by reprogramming the timer. */
		v->vtimer.asserted = gic->priv[GUEST_INTID_VTIMER].level;
	}
	v->reload = true;
	v->counter_changed = true;
}

static void apply_devices(struct vm *vm, const struct vm_image *img)
{
	vm->uart.imsc = img->uart.imsc;
	vm->uart.rx_head = 0;
	vm->uart.rx_count = img->uart.rx_count;
	memcpy(vm->uart.rx, img->uart.rx, sizeof(vm->uart.rx));

	vm->rtc.offset = img->rtc.offset;
	vm->rtc.lr = img->rtc.lr;
	vm->rtc.mr = img->rtc.mr;
	vm->rtc.seen = img->rtc.seen;
	vm->rtc.imsc = img->rtc.imsc;
	vm->rtc.ris = img->rtc.ris;
	vm->rtc.line = (img->rtc.ris & img->rtc.imsc) != 0;

	vm->dcc.dtrtx = img->dcc.dtrtx;
	vm->dcc.rx_head = 0;
	vm->dcc.rx_count = img->dcc.rx_count;
	memcpy(vm->dcc.rx, img->dcc.rx, sizeof(vm->dcc.rx));

	vm->tclo.listening = img->backdoor.tclo_listening;
	memcpy(vm->backdoor.channels, img->backdoor.channels, sizeof(vm->backdoor.channels));
	vm->rpci.tools_version = img->guestinfo.tools_version;
	vm->rpci.info = img->guestinfo.info;
}

void vmcapture_apply(struct vm *vm, const struct vm_image *img)
{
	apply_counter(vm, &img->counter);
	vgic_restore(vm, &img->gic, img->gic_cpus);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		apply_vcpu(vm, &vm->vcpus[i], &img->vcpus[i], &img->gic_cpus[i]);
	apply_devices(vm, img);
}
