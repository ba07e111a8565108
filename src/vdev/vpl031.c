// SPDX-License-Identifier: MIT
#include <string.h>

#include "vdev/vpl031.h"

#define RTCDR	0x000
#define RTCMR	0x004
#define RTCLR	0x008
#define RTCCR	0x00c
#define RTCIMSC 0x010
#define RTCRIS	0x014
#define RTCMIS	0x018
#define RTCICR	0x01c
#define RTC_ID	0xfe0
#define INT_BIT 1U

/* PrimeCell identification: peripheral ID 0x00041031 (PL031), cell ID 0xb105f00d. */
static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vpl031_init(struct vpl031 *rtc, uint64_t (*now)(void), void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->now = now;
	rtc->set_irq = set_irq;
	rtc->irq_ctx = irq_ctx;
}

/* The guest's seconds: the source plus its offset, in the register's 32 bits. */
static uint32_t guest_now(const struct vpl031 *rtc)
{
	return (uint32_t)((int64_t)rtc->now() + rtc->offset);
}

/* Raises the match interrupt once the time has reached RTCMR; updates the line. Lock held. */
static void update(struct vpl031 *rtc)
{
	if (rtc->match_armed && (int32_t)(guest_now(rtc) - rtc->match) >= 0) {
		rtc->ris |= INT_BIT;
		rtc->match_armed = false;
	}
	if (rtc->set_irq)
		rtc->set_irq(rtc->irq_ctx, (rtc->ris & rtc->imsc) != 0);
}

static uint64_t read_reg(struct vpl031 *rtc, uint64_t off)
{
	if (off >= RTC_ID && off < RTC_ID + 0x20 && !(off & 3))
		return pl031_id[(off - RTC_ID) / 4];
	switch (off) {
	case RTCDR:
		return guest_now(rtc);
	case RTCMR:
		return rtc->match;
	case RTCLR:
		return rtc->loaded;
	case RTCCR:
		return 1; /* always started: the clock cannot be stopped */
	case RTCIMSC:
		return rtc->imsc;
	case RTCRIS:
		return rtc->ris;
	case RTCMIS:
		return rtc->ris & rtc->imsc;
	default:
		return 0;
	}
}

static void write_reg(struct vpl031 *rtc, uint64_t off, uint32_t v)
{
	switch (off) {
	case RTCMR:
		rtc->match = v;
		rtc->match_armed = true;
		break;
	case RTCLR:
		rtc->loaded = v;
		rtc->offset = (int64_t)v - (int64_t)rtc->now();
		break;
	case RTCIMSC:
		rtc->imsc = v & INT_BIT;
		break;
	case RTCICR:
		rtc->ris &= ~(v & INT_BIT);
		break;
	default:
		break; /* RTCCR (start bit: always set), read-only and unknown registers */
	}
}

static uint64_t vpl031_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vpl031 *rtc = dev;
	uint64_t v;

	(void)vcpu;
	if (size != 4)
		return 0; /* the PL031 has 32-bit registers only */
	spin_lock(&rtc->lock);
	update(rtc);
	v = read_reg(rtc, off);
	spin_unlock(&rtc->lock);
	return v;
}

static void vpl031_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vpl031 *rtc = dev;

	(void)vcpu;
	if (size != 4)
		return;
	spin_lock(&rtc->lock);
	write_reg(rtc, off, (uint32_t)value);
	update(rtc);
	spin_unlock(&rtc->lock);
}

const struct mmio_ops vpl031_ops = { .read = vpl031_read, .write = vpl031_write };
