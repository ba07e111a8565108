// SPDX-License-Identifier: MIT
#include <string.h>

#include "acpi/table.h"

#define CREATOR_ID	 "SKIF"
#define CREATOR_REVISION 1
#define TABLE_ALIGN	 16

void acpi_tables_init(struct acpi_tables *t, void *buf, size_t cap, uint64_t base)
{
	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->cap = cap;
	t->base = base;
}

void acpi_put(struct acpi_tables *t, const void *data, size_t len)
{
	if (t->failed || len > t->cap - t->len) {
		t->failed = true;
		return;
	}
	memcpy(t->buf + t->len, data, len);
	t->len += len;
}

void acpi_patch(struct acpi_tables *t, size_t offset, uint64_t v, unsigned int bytes)
{
	if (t->failed || offset + bytes > t->len)
		return;
	for (unsigned int i = 0; i < bytes; i++)
		t->buf[offset + i] = (uint8_t)(v >> (8 * i));
}

static void put_le(struct acpi_tables *t, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	acpi_put(t, b, bytes);
}

void acpi_put8(struct acpi_tables *t, uint8_t v)
{
	put_le(t, v, 1);
}

void acpi_put16(struct acpi_tables *t, uint16_t v)
{
	put_le(t, v, 2);
}

void acpi_put32(struct acpi_tables *t, uint32_t v)
{
	put_le(t, v, 4);
}

void acpi_put64(struct acpi_tables *t, uint64_t v)
{
	put_le(t, v, 8);
}

void acpi_zeros(struct acpi_tables *t, size_t len)
{
	if (t->failed || len > t->cap - t->len) {
		t->failed = true;
		return;
	}
	memset(t->buf + t->len, 0, len);
	t->len += len;
}

void acpi_put_gas(struct acpi_tables *t, uint64_t address, uint8_t bits, uint8_t access_size)
{
	acpi_put8(t, 0); /* system memory */
	acpi_put8(t, bits);
	acpi_put8(t, 0); /* bit offset */
	acpi_put8(t, access_size);
	acpi_put64(t, address);
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)(0 - sum);
}

unsigned int acpi_table_begin(struct acpi_tables *t, const char *sig, uint8_t revision)
{
	unsigned int i = t->count;

	if (i == ACPI_MAX_TABLES) {
		t->failed = true;
		return ACPI_MAX_TABLES - 1;
	}
	acpi_zeros(t, (TABLE_ALIGN - t->len % TABLE_ALIGN) % TABLE_ALIGN);
	t->count++;
	memcpy(t->table[i].sig, sig, 4);
	t->table[i].sig[4] = 0;
	t->table[i].offset = t->len;
	acpi_put(t, sig, 4);
	acpi_put32(t, 0); /* length, at the end */
	acpi_put8(t, revision);
	acpi_put8(t, 0); /* checksum, at the end */
	acpi_put(t, ACPI_OEM_ID, 6);
	acpi_put(t, ACPI_OEM_TABLE, 8);
	acpi_put32(t, 1); /* OEM revision */
	acpi_put(t, CREATOR_ID, 4);
	acpi_put32(t, CREATOR_REVISION);
	return i;
}

void acpi_table_end(struct acpi_tables *t, unsigned int index)
{
	struct acpi_table_ref *r = &t->table[index];

	if (t->failed)
		return;
	r->len = t->len - r->offset;
	acpi_patch(t, r->offset + 4, r->len, 4);
	t->buf[r->offset + 9] = acpi_checksum(t->buf + r->offset, r->len);
}

uint64_t acpi_table_address(const struct acpi_tables *t, unsigned int index)
{
	return t->base + t->table[index].offset;
}

int acpi_table_find(const struct acpi_tables *t, const char *sig)
{
	for (unsigned int i = 0; i < t->count; i++)
		if (!memcmp(t->table[i].sig, sig, 4))
			return (int)i;
	return -1;
}
