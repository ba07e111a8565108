// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <string.h>

#include "acpi/serial.h"

#define SUBTYPE_16550	     0x0000
#define SUBTYPE_16550_SUBSET 0x0001
#define SUBTYPE_PL011	     0x0003
#define SUBTYPE_NVIDIA_16550 0x0005
#define SUBTYPE_TI_OMAP	     0x0006
#define SUBTYPE_IMX6	     0x000c
#define SUBTYPE_SBSA_32BIT   0x000d
#define SUBTYPE_SBSA	     0x000e
#define SUBTYPE_BCM2835	     0x0010
#define SUBTYPE_16550_GAS    0x0012
#define GAS_BYTE	     1
#define GAS_DWORD	     3
#define MAX_REG_SHIFT	     3

/*
 * Microsoft's DBG2 "Table 3" subtypes for the UARTs device trees describe, each with the
 * ID the Linux driver for that hardware matches on ACPI (checked against the drivers'
 * acpi_device_id tables): amba-pl011 (ARMH0011, ARMHB000), 8250_pnp through PNP ACPI
 * (PNP0501), 8250_tegra (NVDA0100), 8250_bcm2835aux (BCM2836, whose block starts 0x40
 * before the UART's registers). 8250_dw also matches APMC0D08 and HISI0031, but those
 * name AppliedMicro's and HiSilicon's parts: a DesignWare UART of another SoC stays
 * PRP0001, which binds the same driver through its compatible. Ordered so that the
 * reader's first match for a subtype is the plainest compatible.
 */
static const struct acpi_uart_kind kinds[] = {
	{ "arm,pl011", "PL011", SUBTYPE_PL011, "ARMH0011", 0, 32, GAS_DWORD, false, false },
	{ "arm,sbsa-uart", "SBSA generic UART", SUBTYPE_SBSA, "ARMHB000", 0, 32, GAS_DWORD, false,
	  false },
	{ "ns16550a", "16550", SUBTYPE_16550_GAS, "PNP0501", 0, 8, GAS_BYTE, true, true },
	{ "ns16550", "16550 (no FIFO)", SUBTYPE_16550_GAS, NULL, 0, 8, GAS_BYTE, true, false },
	{ "snps,dw-apb-uart", "DesignWare 16550", SUBTYPE_16550_GAS, NULL, 0, 8, GAS_BYTE, true,
	  false },
	/* 8250_tegra: 32-bit accesses 4 bytes apart, whatever the tree says. */
	{ "nvidia,tegra20-uart", "NVIDIA 16550", SUBTYPE_NVIDIA_16550, "NVDA0100", 0, 32, GAS_DWORD,
	  false, false },
	/* 8250_omap: byte accesses 4 bytes apart; its binding has no reg-shift. */
	{ "ti,am654-uart", "TI OMAP", SUBTYPE_TI_OMAP, NULL, 0, 32, GAS_BYTE, false, false },
	{ "fsl,imx6q-uart", "i.MX 6", SUBTYPE_IMX6, NULL, 0, 32, GAS_DWORD, false, false },
	{ "brcm,bcm2835-aux-uart", "BCM2835 mini UART", SUBTYPE_BCM2835, "BCM2836", 0x40, 32,
	  GAS_DWORD, false, false },
};

const struct acpi_uart_kind *acpi_uart_kind_of(const struct dt *dt, int node)
{
	int len;
	const char *compat = dt_getprop(dt, node, "compatible", &len);

	/* The node's own order: "arm,sbsa-uart", "arm,pl011" is an SBSA UART. */
	for (const char *s = compat; s && s < compat + len; s += strnlen(s, compat + len - s) + 1)
		for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(s, kinds[i].compatible))
				return &kinds[i];
	return NULL;
}

const char *acpi_uart_compatible_of_subtype(uint16_t subtype)
{
	if (subtype == SUBTYPE_16550 || subtype == SUBTYPE_16550_SUBSET)
		subtype = SUBTYPE_16550_GAS; /* firmware's tables: port or DBGP-style 16550s */
	if (subtype == SUBTYPE_SBSA_32BIT)
		subtype = SUBTYPE_SBSA;
	for (unsigned int i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].subtype == subtype)
			return kinds[i].compatible;
	return NULL;
}

/* A 16550's register layout: reg-shift (stride) and reg-io-width (access), as 8250_of reads. */
static void regs_from_dt(const struct dt *dt, int node, struct acpi_uart *u)
{
	int shift = dt_cells(dt, node, "reg-shift", 0);
	int width = dt_cells(dt, node, "reg-io-width", 1);

	if (shift < 0 || shift > MAX_REG_SHIFT)
		shift = 0;
	u->stride_bits = (uint8_t)(8U << shift);
	u->access = width == 4 ? 3 : width == 2 ? 2 : width == 8 ? 4 : GAS_BYTE;
	/* The DBG2 wants the stride at least as wide as the access. */
	if (u->stride_bits < (8U << (u->access - 1)))
		u->stride_bits = (uint8_t)(8U << (u->access - 1));
}

void acpi_uart_describe(const struct dt *dt, int node, const struct acpi_uart_kind *kind,
			uint64_t regs_base, struct acpi_uart *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->hid = kind->hid;
	out->clock_hz = dt_clock_frequency(dt, node);
	out->stride_bits = kind->stride_bits;
	out->access = kind->access;
	if (kind->regs_from_dt)
		regs_from_dt(dt, node, out);
	if (kind->block_pad) {
		if ((regs_base & 0xff) == kind->block_pad) {
			out->block_pad = kind->block_pad;
		} else {
			out->hid = NULL;
			out->why_prp0001 = "its registers are not where its ID's block puts them";
		}
	}
	if (kind->hid_needs_byte_regs_and_clock) {
		if (out->stride_bits != 8 || out->access != GAS_BYTE) {
			out->hid = NULL;
			out->why_prp0001 = "8250_pnp drives byte registers at a 1-byte stride only";
		} else if (!out->clock_hz) {
			out->hid = NULL;
			out->why_prp0001 = "its clock rate is not in the tree, and 8250_pnp would "
					   "assume 1.8432 MHz";
		}
	}
}

uint8_t acpi_spcr_baud_code(uint32_t baud)
{
	switch (baud) {
	case 9600:
		return 3;
	case 19200:
		return 4;
	case 57600:
		return 6;
	case 115200:
		return 7;
	default:
		return 0;
	}
}
