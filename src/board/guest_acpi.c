// SPDX-License-Identifier: MIT
#include <libfdt.h>
#include <string.h>

#include "acpi/dt2acpi.h"
#include "board/guest_acpi.h"
#include "board/layout.h"
#include "lib/format.h"

#define DT_SIZE	       (4UL << 10) /* the small device tree */
#define GUEST_DT_NODES 64	   /* the full one's index: a VM's tree has some 20 nodes */
#define UEFI_OFFSET    (4UL << 10)
#define UEFI_SIZE      (4UL << 10) /* the UEFI tables' page */
#define ACPI_OFFSET    (8UL << 10)
#define ACPI_SIZE      (GUEST_ACPI_FULL_DT - ACPI_OFFSET)

/* UEFI 2.x structures, as the specification lays them out (64-bit). */
#define SYSTAB_SIGNATURE     0x5453595320494249UL /* "IBI SYST" */
#define SYSTAB_REVISION	     ((2U << 16) | 70U)	  /* 2.70 */
#define SYSTAB_SIZE	     120
#define CONFIG_ENTRY_SIZE    24
#define MEMDESC_SIZE	     48 /* 40 bytes used; firmware commonly pads to 48 */
#define MEMDESC_VERSION	     1
#define MEM_CONVENTIONAL     7
#define MEM_ACPI_RECLAIM     9
#define MEM_ATTR_CACHEABLE   0xfUL /* UC | WC | WT | WB */
#define PAGE_SHIFT	     12
#define SECURE_BOOT_DISABLED 2
#define RT_PROPERTIES_SIZE   8
/* In the UEFI page: system table, 2 configuration entries, RT properties, vendor, map. */
#define MMAP_OFFSET (SYSTAB_SIZE + 2 * CONFIG_ENTRY_SIZE + RT_PROPERTIES_SIZE + 16)

/* ACPI_20_TABLE_GUID 8868e871-e4f1-11d3-bc22-0080c73c8881, in memory order. */
static const uint8_t acpi20_guid[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
					 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
/*
 * EFI_RT_PROPERTIES_TABLE_GUID eb66918a-7eef-402a-842e-931d21c38ae9: "no runtime
 * services", so the kernel never calls into a firmware that is not there.
 */
static const uint8_t rt_properties_guid[16] = { 0x8a, 0x91, 0x66, 0xeb, 0xef, 0x7e, 0x2a, 0x40,
						0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9 };
static const char vendor[] = "Skiff";

static void put(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *memdesc(uint8_t *d, uint32_t type, uint64_t base, uint64_t size)
{
	put(d, type, 4);
	put(d + 8, base, 8);
	put(d + 16, 0, 8); /* virtual address: none, no runtime services */
	put(d + 24, size >> PAGE_SHIFT, 8);
	put(d + 32, MEM_ATTR_CACHEABLE, 8);
	return d + MEMDESC_SIZE;
}

/*
 * The system table, two configuration table entries (ACPI 2.0: the RSDP; RT
 * properties: none), the vendor string (UCS-2) and the memory map: the region
 * is ACPI reclaim memory, the rest of RAM conventional. Returns the map's size.
 */
static uint32_t uefi_tables(const struct guest_acpi_layout *l, uint8_t *base, uint64_t rsdp)
{
	uint64_t ipa = l->region_ipa + UEFI_OFFSET, end = l->ram_base + l->ram_size;
	uint8_t *config = base + SYSTAB_SIZE, *rt = config + 2 * CONFIG_ENTRY_SIZE;
	uint8_t *name = rt + RT_PROPERTIES_SIZE, *map = name + 16, *d = map;

	memset(base, 0, UEFI_SIZE);
	put(base, SYSTAB_SIGNATURE, 8);
	put(base + 8, SYSTAB_REVISION, 4);
	put(base + 12, SYSTAB_SIZE, 4);
	put(base + 24, ipa + (uint64_t)(name - base), 8); /* firmware vendor */
	put(base + 104, 2, 4);				  /* configuration tables */
	put(base + 112, ipa + SYSTAB_SIZE, 8);
	memcpy(config, acpi20_guid, sizeof(acpi20_guid));
	put(config + 16, rsdp, 8);
	memcpy(config + CONFIG_ENTRY_SIZE, rt_properties_guid, sizeof(rt_properties_guid));
	put(config + CONFIG_ENTRY_SIZE + 16, ipa + (uint64_t)(rt - base), 8);
	put(rt, 1, 2);			    /* version */
	put(rt + 2, RT_PROPERTIES_SIZE, 2); /* length */
	put(rt + 4, 0, 4);		    /* no runtime service supported */
	for (unsigned int i = 0; i < sizeof(vendor); i++)
		put(name + 2 * i, (uint8_t)vendor[i], 2);
	if (l->region_ipa > l->ram_base)
		d = memdesc(d, MEM_CONVENTIONAL, l->ram_base, l->region_ipa - l->ram_base);
	d = memdesc(d, MEM_ACPI_RECLAIM, l->region_ipa, GUEST_BOOT_REGION_SIZE);
	if (end > l->region_ipa + GUEST_BOOT_REGION_SIZE)
		d = memdesc(d, MEM_CONVENTIONAL, l->region_ipa + GUEST_BOOT_REGION_SIZE,
			    end - l->region_ipa - GUEST_BOOT_REGION_SIZE);
	_Static_assert(MMAP_OFFSET % 8 == 0, "the memory map is 8-byte aligned");
	return (uint32_t)(d - map);
}

/* /chosen of the full tree (bootargs, initrd) and the UEFI parameters: nothing else. */
static int small_dt(const void *full, void *buf, uint64_t systab, uint64_t mmap, uint32_t mmap_size)
{
	int chosen = fdt_path_offset(full, "/chosen"), off, r;

	r = fdt_create_empty_tree(buf, DT_SIZE);
	r = r ? r : fdt_setprop_u32(buf, 0, "#address-cells", 2);
	r = r ? r : fdt_setprop_u32(buf, 0, "#size-cells", 2);
	r = r ? r : fdt_setprop_string(buf, 0, "model", "Skiff VM (ACPI)");
	off = r ? r : fdt_add_subnode(buf, 0, "chosen");
	if (off < 0)
		return off;
	/* Everything the VM's /chosen says (bootargs, initrd, stdout-path is ACPI's job now). */
	fdt_for_each_property_offset(r, full, chosen)
	{
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(full, r, &name, &len);

		if (v && strcmp(name, "stdout-path") && fdt_setprop(buf, off, name, v, len))
			return -FDT_ERR_NOSPACE;
	}
	r = fdt_setprop_u64(buf, off, "linux,uefi-system-table", systab);
	r = r ? r : fdt_setprop_u64(buf, off, "linux,uefi-mmap-start", mmap);
	r = r ? r : fdt_setprop_u32(buf, off, "linux,uefi-mmap-size", mmap_size);
	r = r ? r : fdt_setprop_u32(buf, off, "linux,uefi-mmap-desc-size", MEMDESC_SIZE);
	r = r ? r : fdt_setprop_u32(buf, off, "linux,uefi-mmap-desc-ver", MEMDESC_VERSION);
	/* Debian's kernels also require this one (their secure-boot patch): 2, disabled. */
	r = r ? r : fdt_setprop_u32(buf, off, "linux,uefi-secure-boot", SECURE_BOOT_DISABLED);
	return r ? r : fdt_pack(buf);
}

int guest_acpi_build(const struct guest_acpi_layout *l, void *region, char *err, size_t errlen)
{
	struct acpi_options opt = { .guest = true };
	struct dt_node nodes[GUEST_DT_NODES];
	struct dt dt;
	uint8_t *base = region;
	const void *full = base + GUEST_ACPI_FULL_DT;
	uint64_t systab = l->region_ipa + UEFI_OFFSET, rsdp = l->region_ipa + ACPI_OFFSET;
	uint32_t mmap_size;
	struct acpi_tables t;
	int r;

	memset(base + ACPI_OFFSET, 0, ACPI_SIZE);
	acpi_tables_init(&t, base + ACPI_OFFSET, ACPI_SIZE, rsdp);
	dt_open(&dt, full, nodes, GUEST_DT_NODES);
	if (acpi_from_dt(&dt, &t, &opt, err, errlen))
		return -1;
	mmap_size = uefi_tables(l, base + UEFI_OFFSET, rsdp);
	r = small_dt(full, base, systab, systab + MMAP_OFFSET, mmap_size);
	if (r) {
		format(err, errlen, "cannot build the device tree for ACPI (%s)", fdt_strerror(r));
		return -1;
	}
	memset(base + GUEST_ACPI_FULL_DT, 0, GUEST_ACPI_DT_ROOM);
	return 0;
}
