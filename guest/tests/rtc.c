// SPDX-License-Identifier: MIT
/*
 * The VM's PL031 real-time clock: PrimeCell IDs as Linux's amba bus matches
 * them, the time (the system test compares it with the host's), setting it
 * through RTCLR, and the match interrupt's raw status.
 */
#include "libguest.h"

#define RTC_BASE 0x09010000UL
#define RTCDR	 0x000
#define RTCMR	 0x004
#define RTCLR	 0x008
#define RTCCR	 0x00c
#define RTCIMSC	 0x010
#define RTCRIS	 0x014
#define RTCMIS	 0x018
#define RTCICR	 0x01c

static uint32_t rd(unsigned int off)
{
	return *(volatile uint32_t *)(RTC_BASE + off);
}

static void wr(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(RTC_BASE + off) = v;
}

static uint32_t id_word(unsigned int base)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (rd(base + 4 * i) & 0xff) << (8 * i);
	return v;
}

/* Waits @ms milliseconds of the VM's counter. */
static void delay_ms(unsigned int ms)
{
	uint64_t end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

	while (read_sysreg(cntvct_el0) < end)
		;
}

void main_test(void)
{
	uint32_t t;

	report_info("test: rtc");
	report(id_word(0xfe0) == 0x00041031, "peripheral ID 0x00041031 (PL031), got 0x%08x",
	       id_word(0xfe0));
	report(id_word(0xff0) == 0xb105f00d, "PrimeCell ID 0xb105f00d");
	report(rd(RTCCR) & 1, "the clock runs (RTCCR.RTCStart)");
	t = rd(RTCDR);
	printf("# rtc: %u seconds since the epoch\n", t);
	wr(RTCLR, 1000000);
	t = rd(RTCDR);
	report(t >= 1000000 && t <= 1000001, "RTCLR sets the time (1000000, reads %u)", t);
	report(rd(RTCLR) == 1000000, "RTCLR reads back what was loaded");
	delay_ms(1100);
	t = rd(RTCDR);
	report(t >= 1000001 && t <= 1000003, "a second later it reads %u", t);
	wr(RTCMR, t + 1);
	wr(RTCIMSC, 1);
	report(!(rd(RTCRIS) & 1), "no match before RTCMR's second");
	delay_ms(2100);
	report(rd(RTCRIS) & 1 && rd(RTCMIS) & 1, "the match raises RTCRIS and RTCMIS");
	wr(RTCICR, 1);
	report(!(rd(RTCRIS) & 1), "RTCICR clears it");
	wr(RTCIMSC, 0);
}
