/* SPDX-License-Identifier: MIT */
/*
 * An encoder of ACPI Machine Language (ACPI 6.4, chapter 20) into a caller's
 * buffer: just what a DSDT of devices needs (scopes, devices, named objects,
 * integers, strings, buffers, packages, resource templates). Objects that
 * enclose others (scope, device, buffer, package) are opened, filled, and
 * closed; closing writes their package length. Running out of room is sticky:
 * aml_ok() says whether everything fitted.
 */
#ifndef SKIFF_ACPI_AML_H
#define SKIFF_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16

enum aml_kind { AML_SCOPE, AML_DEVICE, AML_BUFFER, AML_PACKAGE };

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed; /* out of room, nested too deep, a bad name, a package too long */
	unsigned int depth;
	struct {
		enum aml_kind kind;
		size_t start;	    /* where the body begins; its length is inserted there */
		unsigned int count; /* package: elements so far */
	} open[AML_MAX_DEPTH];
};

void aml_init(struct aml *a, void *buf, size_t cap);
bool aml_ok(const struct aml *a);

/* The bytes a package length of a body of @body_len bytes takes (1 to 4), 0 if too big. */
unsigned int aml_pkglen_size(size_t body_len);
/* Encodes the package length of a body of @body_len bytes into @out; returns its size. */
unsigned int aml_pkglen_encode(size_t body_len, uint8_t out[4]);

/* A name: "\_SB", "COM0", "\_SB.PCI0" (segments of up to 4 characters, padded with '_'). */
void aml_name_string(struct aml *a, const char *name);

void aml_integer(struct aml *a, uint64_t value);
void aml_string(struct aml *a, const char *s);
/* EISA ID ("PNP0A08") as the compressed 32-bit integer. */
uint32_t aml_eisaid(const char *id);
/* ToUUID("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"): a 16-byte buffer; false if malformed. */
bool aml_uuid_bytes(const char *uuid, uint8_t out[16]);

/* Name(NAME, ...): the object follows (an integer, a string, a package, ...). */
void aml_name(struct aml *a, const char *name);

void aml_scope_open(struct aml *a, const char *name);
void aml_device_open(struct aml *a, const char *name);
void aml_buffer_open(struct aml *a);
void aml_package_open(struct aml *a);
/* Closes the innermost open object: its package length (and count or size) go in front. */
void aml_close(struct aml *a);

/* Raw bytes (inside a buffer). */
void aml_bytes(struct aml *a, const void *data, size_t len);

/* Resource descriptors, inside aml_buffer_open()..aml_close() (a ResourceTemplate). */
void aml_res_memory(struct aml *a, uint64_t base, uint64_t size, bool writeable);
void aml_res_interrupt(struct aml *a, const uint32_t *gsivs, unsigned int count, bool edge,
		       bool active_low);
void aml_res_bus_numbers(struct aml *a, unsigned int first, unsigned int last);
/* A window of a host bridge: memory (prefetchable or not) or I/O, with a translation. */
void aml_res_window(struct aml *a, bool io, bool prefetchable, uint64_t base, uint64_t size,
		    uint64_t translation);
void aml_res_end(struct aml *a);

#endif
