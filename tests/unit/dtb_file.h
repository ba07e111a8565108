/* SPDX-License-Identifier: MIT */
/*
 * Reads a device tree blob of the unit tests' collection (DTB_DIR: QEMU's own,
 * dumped by scripts/dump-qemu-dtbs.sh, and tests/unit/dts/ compiled) into a
 * buffer, zeroed first; dtb_open() indexes one (with platform/dt.h included
 * first). Include after cmocka.h.
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

#ifdef SKIFF_PLATFORM_DT_H
/*
 * @blob opened with room to index the test trees (platform/dt.h); a blob libfdt
 * cannot walk is not indexed.
 */
static inline const struct dt *dtb_open(const void *blob)
{
	static struct dt_node dtb_room[1024];
	static struct dt dtb_dt;

	dt_open(&dtb_dt, blob, dtb_room, sizeof(dtb_room) / sizeof(dtb_room[0]));
	return &dtb_dt;
}
#endif

#endif
