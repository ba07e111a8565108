/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables laid out one after another in a caller's buffer that will live
 * at a known physical address (pointers between tables are physical). A table
 * is begun (its 36-byte header reserved), filled little-endian, and ended
 * (length and checksum written). Running out of room is sticky.
 */
#ifndef SKIFF_ACPI_TABLE_H
#define SKIFF_ACPI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES	 16
#define ACPI_HEADER_SIZE 36
#define ACPI_OEM_ID	 "SKIFF "
#define ACPI_OEM_TABLE	 "SKIFFDT "

struct acpi_table_ref {
	char sig[5];
	size_t offset;
	size_t len;
};

struct acpi_tables {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;   /* out of room or too many tables */
	uint64_t base; /* physical address of buf[0] */
	unsigned int count;
	struct acpi_table_ref table[ACPI_MAX_TABLES]; /* the RSDP is table[0] */
};

void acpi_tables_init(struct acpi_tables *t, void *buf, size_t cap, uint64_t base);

/* Starts a table with @sig (4 characters) and @revision; returns its index. */
unsigned int acpi_table_begin(struct acpi_tables *t, const char *sig, uint8_t revision);
/* Ends table @index: length and checksum. */
void acpi_table_end(struct acpi_tables *t, unsigned int index);

/* Physical address of table @index. */
uint64_t acpi_table_address(const struct acpi_tables *t, unsigned int index);
/* Index of the table with signature @sig, or -1. */
int acpi_table_find(const struct acpi_tables *t, const char *sig);

void acpi_put(struct acpi_tables *t, const void *data, size_t len);
void acpi_put8(struct acpi_tables *t, uint8_t v);
void acpi_put16(struct acpi_tables *t, uint16_t v);
void acpi_put32(struct acpi_tables *t, uint32_t v);
void acpi_put64(struct acpi_tables *t, uint64_t v);
void acpi_zeros(struct acpi_tables *t, size_t len);
/* A Generic Address Structure: system memory, @bits wide, accessed @access_size (1-4). */
void acpi_put_gas(struct acpi_tables *t, uint64_t address, uint8_t bits, uint8_t access_size);
/* Patches a 32- or 64-bit field at @offset (absolute, in buf). */
void acpi_patch(struct acpi_tables *t, size_t offset, uint64_t v, unsigned int bytes);

uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
