/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A single-header TAP producer for the unit tests (run by automake's
 * tap-driver.sh): plan(), ok(), skip(), diag(), done_testing().
 */
#ifndef JIFL_TAP_H
#define JIFL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_planned = -1, tap_run, tap_failed;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void plan_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline int ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static inline void skip(const char *why)
{
	tap_run++;
	printf("ok %d # SKIP %s\n", tap_run, why);
}

/* Prints the plan if none was given; returns the exit status. */
static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run)
		diag("planned %d tests but ran %d", tap_planned, tap_run);
	return tap_failed || (tap_planned >= 0 && tap_planned != tap_run);
}

#endif /* JIFL_TAP_H */
