// SPDX-License-Identifier: MIT
/*
 * clockbench N: N clock_gettime(CLOCK_MONOTONIC) calls in a Linux guest (the
 * vDSO path), timed by that clock itself; prints nanoseconds per call. Built
 * static for arm64 into the test initramfs (scripts/guest-images.sh) for
 * `make bench` (docs/time.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 100000;
	struct timespec a, b, t;

	if (n <= 0)
		n = 100000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("clockbench: calls=%ld ns_per_call=%.1f\n", n,
	       (double)(ns(&b) - ns(&a)) / (double)n);
	return 0;
}
