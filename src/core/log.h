/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor log. Each call emits whole lines, prefixed "skiff: ", atomically with
 * respect to other CPUs, so output from several CPUs and VMs never interleaves
 * mid-line.
 */
#ifndef SKIFF_CORE_LOG_H
#define SKIFF_CORE_LOG_H

#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes raw bytes to the console under the log lock (used for VM output lines). */
void log_write_raw(const char *s, size_t len);

/* Where log output goes: set once the host UART is known (a no-op sink before). */
void log_set_sink(void (*write)(const char *s, size_t len));

/* Bypasses the lock: for the panic path only. */
void log_panic_write(const char *s, size_t len);

#endif
