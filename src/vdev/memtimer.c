// SPDX-License-Identifier: MIT
#include "arch/arch.h"
#include "board/layout.h"
#include "core/mmio.h"
#include "core/sched.h"
#include "core/vm.h"
#include "vdev/memtimer.h"
#include "vdev/ptimer.h"
#include "vdev/timescale.h"
#include "vdev/vgic.h"

/* CNTCTLBase. */
#define CNTCTL_CNTFRQ	   0x000
#define CNTCTL_CNTNSAR	   0x004
#define CNTCTL_CNTTIDR	   0x008
#define CNTCTL_CNTACR0	   0x040
#define CNTCTL_CNTVOFF0	   0x080 /* CNTVOFF<n> at 0x80 + 8n, n < 8 */
#define CNTCTL_CNTVOFF_END 0x0c0

/* CNTBaseN. */
#define CNTBASE_CNTPCT	  0x000
#define CNTBASE_CNTVCT	  0x008
#define CNTBASE_CNTFRQ	  0x010
#define CNTBASE_CNTVOFF	  0x018
#define CNTBASE_CNTP_CVAL 0x020
#define CNTBASE_CNTP_TVAL 0x028
#define CNTBASE_CNTP_CTL  0x02c
#define CNTBASE_CNTV_CVAL 0x030

#define CTL_ENABLE  1U
#define CTL_IMASK   2U
#define CTL_ISTATUS 4U

/* Frame 0: implemented, no virtual timer (FVI), no EL0 view (FEL0). */
#define CNTTIDR_FRAME0 1U
#define CNTACR_KEPT \
	(MEMTIMER_CNTACR_RPCT | MEMTIMER_CNTACR_RVCT | MEMTIMER_CNTACR_RFRQ | MEMTIMER_CNTACR_RWPT)

static uint64_t guest_now(const struct vm *vm)
{
	return timescale_to_guest(vtimer_scale(&vm->counter), arch_counter());
}

static uint64_t guest_hz(const struct vm *vm)
{
	return vtimer_scale(&vm->counter)->guest_hz;
}

/* A 64-bit register at @reg: the whole of it, or the 32-bit half @off names. */
static uint64_t part(uint64_t value, uint64_t off, unsigned int size)
{
	if (size == 8)
		return value;
	return off & 4 ? value >> 32 : (uint32_t)value;
}

/* @value written to the half (or the whole) of the 64-bit register @old that @off names. */
static uint64_t merge(uint64_t old, uint64_t value, uint64_t off, unsigned int size)
{
	if (size == 8)
		return value;
	if (off & 4)
		return (old & 0xffffffffUL) | (value << 32);
	return (old & ~0xffffffffUL) | (uint32_t)value;
}

/* Aligned 32-bit accesses anywhere, aligned 64-bit ones to the 64-bit registers. */
static bool decoded(uint64_t off, unsigned int size, bool (*is_64bit)(uint64_t off))
{
	if (size == 4)
		return !(off & 3);
	return size == 8 && !(off & 7) && is_64bit(off);
}

static bool frame_is_64bit(uint64_t off)
{
	return off == CNTBASE_CNTPCT || off == CNTBASE_CNTVCT || off == CNTBASE_CNTVOFF ||
	       off == CNTBASE_CNTP_CVAL || off == CNTBASE_CNTV_CVAL;
}

static bool ctl_is_64bit(uint64_t off)
{
	return off >= CNTCTL_CNTVOFF0 && off < CNTCTL_CNTVOFF_END;
}

static bool allowed(const struct memtimer *mt, uint32_t bit)
{
	return __atomic_load_n(&mt->cntacr, __ATOMIC_RELAXED) & bit;
}

/* The timer's output in guest time (lock held). */
static bool output(const struct memtimer *mt, uint64_t now)
{
	return (mt->ctl & (CTL_ENABLE | CTL_IMASK)) == CTL_ENABLE && now >= mt->cval;
}

/* The host count at which the output rises, UINT64_MAX if disabled or masked (lock held). */
static uint64_t deadline(const struct vm *vm, const struct memtimer *mt)
{
	if ((mt->ctl & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE)
		return UINT64_MAX;
	return timescale_to_host(vtimer_scale(&vm->counter), mt->cval);
}

/* Drives the SPI to @level when it changes (lock held). */
static void drive_line(struct vm *vm, struct memtimer *mt, bool level)
{
	if (level == mt->line)
		return;
	mt->line = level;
	vgic_set_level(vm, 0, GUEST_INTID_MEMTIMER, level);
}

/*
 * Who watches the deadline from now on: the vCPU the SPI goes to, unless it is
 * off (it would never run to see it); then @writer, which is running.
 */
static struct vcpu *choose_host(struct vm *vm, struct vcpu *writer)
{
	struct vcpu *target = vgic_spi_target(vm, GUEST_INTID_MEMTIMER);

	return target && vcpu_is_on(target) ? target : writer;
}

/*
 * After a write to CNTP_CTL or CNTP_CVAL/TVAL (lock held, released here): the
 * line follows the output at once; the host's stand-in is armed again.
 */
static void reprogrammed(struct vm *vm, struct memtimer *mt, struct vcpu *writer)
{
	struct vcpu *host = choose_host(vm, writer);

	mt->host = host;
	drive_line(vm, mt, output(mt, guest_now(vm)));
	spin_unlock(&mt->lock);
	/* The writer's stand-in: taken on, or given up if it was the host before. */
	ptimer_program(writer);
	if (host != writer)
		sched_timer_moved(host);
}

static uint64_t frame_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	struct memtimer *mt = &vm->memtimer;
	uint64_t now, v = 0;

	(void)vcpu;
	__atomic_fetch_add(&mt->traps, 1, __ATOMIC_RELAXED);
	if (!decoded(off, size, frame_is_64bit))
		return 0;
	now = guest_now(vm);
	switch (off & ~7UL) {
	case CNTBASE_CNTPCT:
		v = allowed(mt, MEMTIMER_CNTACR_RPCT) ? now : 0;
		break;
	case CNTBASE_CNTVCT:
		v = allowed(mt, MEMTIMER_CNTACR_RVCT) ? now : 0; /* CNTVOFF is 0 */
		break;
	case CNTBASE_CNTFRQ: /* and CNTEL0ACR at 0x14: RES0 without an EL0 view */
		v = off == CNTBASE_CNTFRQ && allowed(mt, MEMTIMER_CNTACR_RFRQ) ? guest_hz(vm) : 0;
		break;
	case CNTBASE_CNTP_CVAL:
		if (!allowed(mt, MEMTIMER_CNTACR_RWPT))
			break;
		spin_lock(&mt->lock);
		v = mt->cval;
		spin_unlock(&mt->lock);
		break;
	case CNTBASE_CNTP_TVAL: /* and CNTP_CTL at 0x2c */
		if (!allowed(mt, MEMTIMER_CNTACR_RWPT))
			break;
		spin_lock(&mt->lock);
		if (off == CNTBASE_CNTP_TVAL)
			v = (uint32_t)(mt->cval - now);
		else
			v = mt->ctl | ((mt->ctl & CTL_ENABLE) && now >= mt->cval ? CTL_ISTATUS : 0);
		spin_unlock(&mt->lock);
		return v;
	default:
		break; /* CNTVOFF, the virtual timer, the IDs: 0 */
	}
	return part(v, off, size);
}

static uint64_t sign_extend32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static void frame_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			uint64_t value)
{
	struct vm *vm = dev;
	struct memtimer *mt = &vm->memtimer;

	__atomic_fetch_add(&mt->traps, 1, __ATOMIC_RELAXED);
	if (!decoded(off, size, frame_is_64bit) || !allowed(mt, MEMTIMER_CNTACR_RWPT))
		return;
	if ((off & ~7UL) != CNTBASE_CNTP_CVAL && off != CNTBASE_CNTP_TVAL &&
	    off != CNTBASE_CNTP_CTL)
		return; /* the counters, CNTFRQ, CNTVOFF: read-only; the virtual timer: none */
	spin_lock(&mt->lock);
	if ((off & ~7UL) == CNTBASE_CNTP_CVAL)
		mt->cval = merge(mt->cval, value, off, size);
	else if (off == CNTBASE_CNTP_TVAL)
		mt->cval = guest_now(vm) + sign_extend32(value);
	else
		mt->ctl = (uint32_t)value & (CTL_ENABLE | CTL_IMASK);
	reprogrammed(vm, mt, vcpu);
}

static uint64_t ctl_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vm *vm = dev;
	struct memtimer *mt = &vm->memtimer;

	(void)vcpu;
	__atomic_fetch_add(&mt->traps, 1, __ATOMIC_RELAXED);
	if (!decoded(off, size, ctl_is_64bit))
		return 0;
	switch (off) {
	case CNTCTL_CNTFRQ:
		return guest_hz(vm);
	case CNTCTL_CNTTIDR:
		return CNTTIDR_FRAME0;
	case CNTCTL_CNTACR0:
		return __atomic_load_n(&mt->cntacr, __ATOMIC_RELAXED);
	default:
		return 0; /* CNTNSAR, CNTVOFF0 (no virtual timer), frames 1-7, the IDs */
	}
}

static void ctl_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size, uint64_t value)
{
	struct vm *vm = dev;
	struct memtimer *mt = &vm->memtimer;

	(void)vcpu;
	__atomic_fetch_add(&mt->traps, 1, __ATOMIC_RELAXED);
	if (decoded(off, size, ctl_is_64bit) && off == CNTCTL_CNTACR0)
		__atomic_store_n(&mt->cntacr, (uint32_t)value & CNTACR_KEPT, __ATOMIC_RELAXED);
}

static const struct mmio_ops ctl_ops = { .read = ctl_read, .write = ctl_write };
static const struct mmio_ops frame_ops = { .read = frame_read, .write = frame_write };

void memtimer_reset(struct vm *vm)
{
	struct memtimer *mt = &vm->memtimer;

	spin_lock(&mt->lock);
	mt->cntacr = CNTACR_KEPT;
	mt->ctl = 0;
	mt->cval = 0;
	mt->line = false; /* the vGIC's reset lowered it */
	mt->host = &vm->vcpus[0];
	spin_unlock(&mt->lock);
}

int memtimer_init(struct vm *vm)
{
	vm->memtimer.present = true;
	memtimer_reset(vm);
	if (mmio_bus_add(&vm->mmio, GUEST_CNTCTL_BASE, GUEST_CNT_FRAME_SIZE, &ctl_ops, vm,
			 "cntctlbase") ||
	    mmio_bus_add(&vm->mmio, GUEST_CNTBASE0, GUEST_CNT_FRAME_SIZE, &frame_ops, vm,
			 "cntbase0"))
		return -1;
	return 0;
}

uint64_t memtimer_update(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct memtimer *mt = &vm->memtimer;
	uint64_t when = UINT64_MAX;

	if (!mt->present)
		return UINT64_MAX;
	spin_lock(&mt->lock);
	if (mt->host == vcpu) {
		bool out = output(mt, guest_now(vm));

		drive_line(vm, mt, out);
		if (!out)
			when = deadline(vm, mt);
	}
	spin_unlock(&mt->lock);
	return when;
}

uint64_t memtimer_deadline(const struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct memtimer *mt = &vm->memtimer;
	uint64_t when = UINT64_MAX;

	if (!mt->present)
		return UINT64_MAX;
	spin_lock(&mt->lock);
	if (mt->host == vcpu && !mt->line)
		when = deadline(vm, mt);
	spin_unlock(&mt->lock);
	return when;
}
