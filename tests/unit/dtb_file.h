/* SPDX-License-Identifier: MIT */
/*
 * Reads a device tree blob of the unit tests' collection (DTB_DIR: QEMU's own,
 * dumped by scripts/dump-qemu-dtbs.sh, and tests/unit/dts/ compiled) into a
 * buffer, zeroed first. Include after cmocka.h.
 */
#ifndef SKIFF_TESTS_DTB_FILE_H
#define SKIFF_TESTS_DTB_FILE_H

#include <stdio.h>
#include <string.h>

#ifndef DTB_DIR
#define DTB_DIR "build/unit/dtb"
#endif

static inline void dtb_file_load(const char *name, void *buf, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dtb", DTB_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (make unit-bins makes it)", path);
	memset(buf, 0, size);
	assert_true(fread(buf, 1, size, f) > 0);
	fclose(f);
}

#endif
