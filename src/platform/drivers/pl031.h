/* SPDX-License-Identifier: MIT */
/*
 * The ARM PrimeCell PL031 real-time clock's registers (ARM DDI 0224), shared by
 * the emulated one (vdev/vpl031.c) and the host's driver (platform/drivers/pl031.c).
 * The test guest (guest/tests/rtc.c) keeps its own copy from the manual, so a
 * wrong offset here cannot hide behind a shared mistake.
 */
#ifndef SKIFF_PLATFORM_DRIVERS_PL031_H
#define SKIFF_PLATFORM_DRIVERS_PL031_H

#define RTCDR	   0x000 /* data: seconds */
#define RTCMR	   0x004 /* match */
#define RTCLR	   0x008 /* load */
#define RTCCR	   0x00c /* control: bit 0 starts it */
#define RTCIMSC	   0x010 /* interrupt mask set/clear */
#define RTCRIS	   0x014 /* raw interrupt status */
#define RTCMIS	   0x018 /* masked interrupt status */
#define RTCICR	   0x01c /* interrupt clear */
#define RTC_ID	   0xfe0 /* peripheral and PrimeCell IDs up to RTC_ID_END */
#define RTC_ID_END 0x1000

#endif
