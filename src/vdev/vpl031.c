// SPDX-License-Identifier: MIT
#include <string.h>

#include "platform/drivers/pl031.h"
#include "vdev/vpl031.h"

#define INT_BIT 1U

/*
 * PrimeCell identification, one byte per word from 0xfe0: peripheral ID
 * 0x00041031 (PL031, designer ARM, revision 0) and cell ID 0xb105f00d. Linux
 * masks the revision out; the rtc guest test expects exactly 0x00041031.
 */
static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vpl031_init(struct vpl031 *rtc, uint64_t (*now)(void), void (*set_irq)(void *ctx, bool level),
		 void *irq_ctx)
{
	/*
	 * All zero: no offset, the line low, and RTCMR = 0 with the match checked
	 * up to second 0, so the reset value does not fire until the counter wraps.
	 */
	memset(rtc, 0, sizeof(*rtc));
	rtc->now = now;
	rtc->set_irq = set_irq;
	rtc->irq_ctx = irq_ctx;
}

/* The guest's seconds: the source plus its offset, in the counter's 32 bits. */
static uint32_t guest_now(const struct vpl031 *rtc)
{
	return (uint32_t)(rtc->now() + (uint64_t)rtc->offset);
}

/*
 * Sets RTCRIS if the counter went through RTCMR since the last check, i.e. if
 * RTCMR is in (seen, now] modulo 2^32: what the comparator would have caught.
 */
static void check_match(struct vpl031 *rtc)
{
	uint32_t now = guest_now(rtc);
	uint32_t elapsed = now - rtc->seen;

	/* A source that stepped back must not sweep (and match) most of the 32-bit range. */
	if ((int32_t)elapsed > 0 && rtc->mr - rtc->seen - 1 < elapsed)
		rtc->ris |= INT_BIT;
	rtc->seen = now;
}

/* Pushes the line level (RIS & IMSC) when it changes. */
static void update_line(struct vpl031 *rtc)
{
	bool level = (rtc->ris & rtc->imsc) != 0;

	if (level == rtc->line)
		return;
	rtc->line = level;
	if (rtc->set_irq)
		rtc->set_irq(rtc->irq_ctx, level);
}

/* Brings the device up to date with the clock. Lock held. */
static void catch_up(struct vpl031 *rtc)
{
	check_match(rtc);
	update_line(rtc);
}

static uint32_t read_reg(const struct vpl031 *rtc, uint64_t off)
{
	if (off >= RTC_ID && off < RTC_ID_END)
		return pl031_id[(off - RTC_ID) / 4];
	switch (off) {
	case RTCDR:
		return guest_now(rtc);
	case RTCMR:
		return rtc->mr;
	case RTCLR:
		return rtc->lr;
	case RTCCR:
		return 1; /* started: the clock cannot be stopped */
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
		rtc->mr = v;
		/* Check from the current second on: a match with it fires at once. */
		rtc->seen = guest_now(rtc) - 1;
		break;
	case RTCLR:
		rtc->lr = v;
		rtc->offset = (int64_t)v - (int64_t)rtc->now();
		/* The counter jumps: it has not gone through the seconds in between. */
		rtc->seen = v - 1;
		break;
	case RTCIMSC:
		rtc->imsc = v & INT_BIT;
		break;
	case RTCICR:
		rtc->ris &= ~(v & INT_BIT);
		break;
	default:
		break; /* RTCCR (always started), the read-only and unknown registers */
	}
}

/* The PL031 has 32-bit registers only; other accesses are not decoded. */
static bool is_register_access(uint64_t off, unsigned int size)
{
	return size == 4 && !(off & 3);
}

static uint64_t vpl031_read(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size)
{
	struct vpl031 *rtc = dev;
	uint32_t v;

	(void)vcpu;
	if (!is_register_access(off, size))
		return 0;
	spin_lock(&rtc->lock);
	catch_up(rtc);
	v = read_reg(rtc, off);
	spin_unlock(&rtc->lock);
	return v;
}

static void vpl031_write(void *dev, struct vcpu *vcpu, uint64_t off, unsigned int size,
			 uint64_t value)
{
	struct vpl031 *rtc = dev;

	(void)vcpu;
	if (!is_register_access(off, size))
		return;
	spin_lock(&rtc->lock);
	catch_up(rtc); /* a match reached before this write still counts */
	write_reg(rtc, off, (uint32_t)value);
	catch_up(rtc);
	spin_unlock(&rtc->lock);
}

const struct mmio_ops vpl031_ops = { .read = vpl031_read, .write = vpl031_write };
