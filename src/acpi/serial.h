/* SPDX-License-Identifier: MIT */
/*
 * UARTs on ACPI (docs/acpi.md, "Consoles"): the kinds of UART the SPCR and the DBG2
 * can name (Microsoft's serial interface subtypes) and the ACPI ID an operating system
 * binds a driver to for each; how one UART node is described. Shared by the generator
 * (DSDT, SPCR, DBG2) and the reader. Generic code: the opened tree (platform/dt.h) only.
 */
#ifndef SKIFF_ACPI_SERIAL_H
#define SKIFF_ACPI_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/dt.h"

/* One kind of UART, found by one of its device tree compatibles. */
struct acpi_uart_kind {
	const char *compatible;
	const char *name;    /* for explanations: "PL011", "16550", ... */
	uint16_t subtype;    /* SPCR interface type = DBG2 serial port subtype */
	const char *hid;     /* the ID Linux binds a driver to; NULL: PRP0001 */
	uint8_t block_pad;   /* bytes before the registers in the block the ID names */
	uint8_t stride_bits; /* register layout, as the driver for it accesses them */
	uint8_t access;	     /* (Generic Address Structure access size: 1 byte, 3 dword) */
	bool regs_from_dt;   /* a 16550: stride from reg-shift, access from reg-io-width */
	bool hid_needs_byte_regs_and_clock; /* the driver assumes both (PNP0501) */
};

/* How one UART node is described: its device's ID, its register block, its clock. */
struct acpi_uart {
	const struct acpi_uart_kind *kind;
	const char *hid;	 /* NULL: PRP0001 */
	const char *why_prp0001; /* when hid is NULL and the kind has one */
	uint8_t block_pad;	 /* the block described starts this far before "reg" */
	uint8_t stride_bits;	 /* Generic Address Structure: register bit width */
	uint8_t access;		 /* and access size: 1 byte, 2 word, 3 dword */
	uint32_t clock_hz;	 /* 0: unknown */
};

/* The kind of @node: its most specific compatible that the table has; NULL if none. */
const struct acpi_uart_kind *acpi_uart_kind_of(const struct dt *dt, int node);
/* A compatible string for an SPCR interface type (the reader's side); NULL if unknown. */
const char *acpi_uart_compatible_of_subtype(uint16_t subtype);
/*
 * How @node (of kind @kind) is described, given the address of its registers: a
 * standard ID only where the driver that binds to it will drive this UART right.
 */
void acpi_uart_describe(const struct dt *dt, int node, const struct acpi_uart_kind *kind,
			uint64_t regs_base, struct acpi_uart *out);
/* SPCR's configured baud rate code (3, 4, 6, 7), or 0 when @baud has none. */
uint8_t acpi_spcr_baud_code(uint32_t baud);

#endif
