// SPDX-License-Identifier: MIT
#include <stddef.h>

#include "arch/arch.h"
#include "core/irq.h"
#include "core/log.h"

struct irq_owner {
	irq_handler_fn fn;
	const char *name;
};

/* Written at boot only, before interrupts are taken; read-only afterwards. */
static struct irq_owner owners[GIC_SPI_LIMIT];
/* One bit per INTID already reported as unexpected: each is reported once. */
static unsigned long unexpected_logged[GIC_SPI_LIMIT / (8 * sizeof(unsigned long)) + 1];

int irq_reserve(unsigned int intid, irq_handler_fn fn, const char *owner)
{
	if (intid >= GIC_SPI_LIMIT) {
		log_error("%s: host interrupt %u is not an SGI, PPI or SPI: not taken", owner,
			  intid);
		return -1;
	}
	if (owners[intid].fn) {
		log_error("%s: host interrupt %u is already %s's: not taken", owner, intid,
			  owners[intid].name);
		return -1;
	}
	owners[intid] = (struct irq_owner){ fn, owner };
	return 0;
}

void irq_enable_private_reserved(void)
{
	for (unsigned int intid = GIC_NR_SGIS; intid < GIC_NR_PRIVATE; intid++)
		if (owners[intid].fn)
			arch_irq_enable_private(intid);
}

static void report_unexpected(unsigned int intid)
{
	const unsigned int bits = 8 * sizeof(unsigned long);
	unsigned long bit = 1UL << (intid % bits);

	if (__atomic_fetch_or(&unexpected_logged[intid / bits], bit, __ATOMIC_RELAXED) & bit)
		return;
	log_warn("unexpected host interrupt %u (no owner; further ones not reported)", intid);
}

void irq_handle(struct vcpu *loaded)
{
	unsigned int intid = arch_irq_ack();

	if (intid >= GIC_SPI_LIMIT)
		return; /* spurious, or a special INTID */
	arch_irq_eoi(intid);
	if (owners[intid].fn)
		owners[intid].fn(intid, loaded);
	else
		report_unexpected(intid);
}
