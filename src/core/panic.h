/* SPDX-License-Identifier: MIT */
/* Fatal errors in Skiff itself: report, stop every CPU. Never for guest mistakes. */
#ifndef SKIFF_CORE_PANIC_H
#define SKIFF_CORE_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Called on the other CPUs when the panicking CPU asks them to stop. */
__attribute__((noreturn)) void panic_stop_this_cpu(void);

/* True once some CPU has panicked. */
int panic_in_progress(void);

/* Building blocks for the arch fault report: begin returns 0 if another CPU was first. */
int panic_begin(void);
void panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic_stop_others(void);

#endif
