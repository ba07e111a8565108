/* SPDX-License-Identifier: MIT */
/*
 * What the GIC architecture fixes about interrupt numbers, for the host driver
 * and the virtual GIC alike (GICv3 architecture specification, 2.2).
 */
#ifndef SKIFF_LIB_GIC_H
#define SKIFF_LIB_GIC_H

#define GIC_NR_SGIS	   16	/* INTIDs 0-15: software-generated */
#define GIC_NR_PRIVATE	   32	/* INTIDs 0-31: SGIs and PPIs, banked per CPU */
#define GIC_SPI_LIMIT	   1020 /* SPIs are INTIDs 32-1019 */
#define GIC_INTID_SPURIOUS 1023 /* what an acknowledge returns when nothing is pending */

#define GIC_IS_SGI(intid)     ((intid) < GIC_NR_SGIS)
#define GIC_IS_PPI(intid)     ((intid) >= GIC_NR_SGIS && (intid) < GIC_NR_PRIVATE)
#define GIC_IS_PRIVATE(intid) ((intid) < GIC_NR_PRIVATE)
#define GIC_IS_SPI(intid)     ((intid) >= GIC_NR_PRIVATE && (intid) < GIC_SPI_LIMIT)

#endif
