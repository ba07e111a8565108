// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include "arch/arch.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/sched.h"
#include "lib/format.h"

static int panicking;

int panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE);
}

int panic_begin(void)
{
	return !__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL);
}

void panic_stop_this_cpu(void)
{
	arch_cpu_halt();
}

void panic_stop_others(void)
{
	unsigned int online = sched_cpus_online();
	unsigned int me = arch_cpu_index();
	unsigned int cpu;

	for (cpu = 0; cpu < 32; cpu++)
		if ((online & (1U << cpu)) && cpu != me)
			ipi_send(cpu, IPI_STOP);
}

void panic_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_clamped_v(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_panic_write(buf, n);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!panic_begin())
		panic_stop_this_cpu();
	va_start(ap, fmt);
	format_v(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	panic_printf("skiff: PANIC on CPU %u: %s\n", arch_cpu_index(), buf);
	arch_backtrace(__builtin_frame_address(0));
	panic_stop_others();
	panic_printf("skiff: all CPUs stopped\n");
	arch_cpu_halt();
}
