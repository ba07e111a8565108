/* SPDX-License-Identifier: MIT */
/*
 * The board every VM sees: its guest-physical memory map and its interrupt
 * map, in one place. It mirrors QEMU's virt machine where it can, so that a
 * kernel finds the shape of machine it knows; the VM's device tree or ACPI
 * tables (board/guest_fdt.c, board/guest_acpi.c) describe exactly this.
 */
#ifndef SKIFF_BOARD_LAYOUT_H
#define SKIFF_BOARD_LAYOUT_H

/* Memory map (IPAs). */
#define GUEST_GICD_BASE	  0x08000000UL /* GIC distributor */
#define GUEST_GICD_SIZE	  0x10000UL
#define GUEST_GICC_BASE	  0x08010000UL /* GICv2: the CPU interface (the hardware's GICV) */
#define GUEST_GICC_SIZE	  0x2000UL
#define GUEST_GICR_BASE	  0x080a0000UL /* GICv3: one redistributor per vCPU from here */
#define GUEST_GICR_STRIDE 0x20000UL    /* its RD_base and SGI_base frames */
#define GUEST_UART_BASE	  0x09000000UL /* PL011 */
#define GUEST_UART_SIZE	  0x1000UL
#define GUEST_RTC_BASE	  0x09010000UL /* PL031 */
#define GUEST_RTC_SIZE	  0x1000UL
#define GUEST_RAM_BASE	  0x40000000UL

/*
 * The memory-mapped generic timer of a VM given one instead of the
 * system-register timer (vdev/memtimer.h): its CNTCTLBase frame and its one
 * timer frame, CNTBase0, 4 KiB each, beside the RTC.
 */
#define GUEST_CNTCTL_BASE    0x09020000UL
#define GUEST_CNTBASE0	     0x09030000UL
#define GUEST_CNT_FRAME_SIZE 0x1000UL

/*
 * Near the top of RAM: the VM's device tree, or its ACPI tables, UEFI system
 * table and memory map (board/guest_acpi.h), in a region of this size.
 */
#define GUEST_BOOT_REGION_SIZE (64UL << 10)

/* Interrupt map (GIC INTIDs): the generic timer's PPIs as the Arm BSA assigns them. */
#define GUEST_INTID_HYP_TIMER  26 /* PPI 10: described, never raised (no EL2 in a VM) */
#define GUEST_INTID_VTIMER     27 /* PPI 11: the EL1 virtual timer */
#define GUEST_INTID_SEC_PTIMER 29 /* PPI 13: described, never raised */
#define GUEST_INTID_PTIMER     30 /* PPI 14: the EL1 physical timer */
#define GUEST_INTID_UART       33 /* SPI 1 */
#define GUEST_INTID_RTC	       34 /* SPI 2 */
#define GUEST_INTID_MEMTIMER   35 /* SPI 3: the memory-mapped timer's physical timer */

#endif
