// SPDX-License-Identifier: MIT
/*
 * dt2acpi IN.dtb -o DIR [--verbose] [--guest]: converts a device tree into ACPI
 * tables with Skiff's generator (src/acpi/), one binary file per table named by
 * its signature (DIR/DSDT.dat, DIR/APIC.dat, ...), as `iasl -d` reads them.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "acpi/dt2acpi.h"

#define MAX_DTB	   (16UL << 20)
#define TABLES_CAP (4UL << 20)

static void usage(void)
{
	fprintf(stderr, "usage: dt2acpi IN.dtb -o DIR [--verbose] [--guest]\n"
			"  writes DIR/<SIGNATURE>.dat for each ACPI table generated from IN.dtb\n"
			"  --verbose  explain how every node maps and every PRP0001 fallback\n"
			"  --guest    tables for a VM: PSCI through HVC, hypervisor vendor ID\n"
			"  --time N   convert N times more and print the mean time (make bench)\n"
			"  --image FILE --base ADDR\n"
			"             also write all tables as one image to load at physical ADDR\n"
			"             (the RSDP first: what Skiff's skiff.rsdp=ADDR reads)\n");
	exit(2);
}

static void note(void *ctx, const char *fmt, va_list ap)
{
	(void)ctx;
	vprintf(fmt, ap);
	putchar('\n');
}

/* Said whether or not --verbose: the tree converts, but something in it is wrong. */
static void warn(void *ctx, const char *fmt, va_list ap)
{
	fprintf(stderr, "dt2acpi: %s: warning: ", (const char *)ctx);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void *read_dtb(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;

	if (!f) {
		fprintf(stderr, "dt2acpi: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = malloc(MAX_DTB);
	*len = buf ? fread(buf, 1, MAX_DTB, f) : 0;
	fclose(f);
	if (!buf || *len < sizeof(struct fdt_header) || fdt_check_header(buf) ||
	    fdt_totalsize(buf) > *len) {
		fprintf(stderr, "dt2acpi: %s: not a flattened device tree (%s)\n", path,
			*len < sizeof(struct fdt_header) ? "too short"
			: fdt_check_header(buf)		 ? fdt_strerror(fdt_check_header(buf))
						: "truncated: shorter than its header says");
		exit(1);
	}
	return buf;
}

/*
 * Room to index every node of @dtb (platform/dt.h): a node takes at least 12 bytes
 * of the structure block (its begin tag, an empty name, its end tag).
 */
static struct dt_node *index_room(const void *dtb, unsigned int *capacity)
{
	struct dt_node *nodes;

	*capacity = fdt_size_dt_struct(dtb) / 12 + 1;
	nodes = calloc(*capacity, sizeof(*nodes));
	if (!nodes) {
		fprintf(stderr, "dt2acpi: no memory for the index of %u nodes\n", *capacity);
		exit(1);
	}
	return nodes;
}

static void write_table(const char *dir, const struct acpi_tables *t, unsigned int i)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, t->table[i].sig);
	f = fopen(path, "wb");
	if (!f || fwrite(t->buf + t->table[i].offset, 1, t->table[i].len, f) != t->table[i].len ||
	    fclose(f)) {
		fprintf(stderr, "dt2acpi: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void write_image(const char *path, const struct acpi_tables *t)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(t->buf, 1, t->len, f) != t->len || fclose(f)) {
		fprintf(stderr, "dt2acpi: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Converts @n more times in this process: the generator's own cost, without start-up. */
static void time_conversions(const void *dtb, struct dt_node *nodes, unsigned int capacity,
			     void *buf, long n, size_t bytes)
{
	struct acpi_tables t;
	struct timespec a, b;
	struct dt dt;
	char err[256];

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		acpi_tables_init(&t, buf, TABLES_CAP, 0);
		dt_open(&dt, dtb, nodes, capacity);
		if (acpi_from_dt(&dt, &t, NULL, err, sizeof(err)))
			exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("dt2acpi: %zu bytes of tables, %.1f us per conversion (%ld runs)\n", bytes,
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 /
		       (double)n,
	       n);
}

int main(int argc, char **argv)
{
	static char in_name[4096];
	struct acpi_options opt = { .warn = warn };
	const char *in = NULL, *dir = NULL, *image = NULL;
	uint64_t base = 0;
	long repeat = 0;
	struct acpi_tables t;
	char err[256];
	size_t len;
	void *dtb, *buf;
	struct dt_node *nodes;
	unsigned int capacity;
	struct dt dt;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
			opt.note = note;
		else if (!strcmp(argv[i], "--guest"))
			opt.guest = true;
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			repeat = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--image") && i + 1 < argc)
			image = argv[++i];
		else if (!strcmp(argv[i], "--base") && i + 1 < argc)
			base = strtoull(argv[++i], NULL, 0);
		else if (argv[i][0] == '-' || in)
			usage();
		else
			in = argv[i];
	}
	if (!in || !dir)
		usage();
	snprintf(in_name, sizeof(in_name), "%s", in);
	opt.note_ctx = in_name; /* for warn() */
	dtb = read_dtb(in, &len);
	nodes = index_room(dtb, &capacity);
	dt_open(&dt, dtb, nodes, capacity);
	buf = calloc(1, TABLES_CAP);
	if (!buf)
		return 1;
	acpi_tables_init(&t, buf, TABLES_CAP, base);
	if (acpi_from_dt(&dt, &t, &opt, err, sizeof(err))) {
		fprintf(stderr, "dt2acpi: %s: %s\n", in, err);
		return 1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "dt2acpi: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < t.count; i++)
		write_table(dir, &t, i);
	if (image)
		write_image(image, &t);
	if (opt.note)
		printf("dt2acpi: %u tables, %zu bytes, in %s\n", t.count, t.len, dir);
	if (repeat > 0)
		time_conversions(dtb, nodes, capacity, buf, repeat, t.len);
	free(nodes);
	free(buf);
	free(dtb);
	return 0;
}
