/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pager of `jifl report` and `jifl cover`, as perf does it: text output
 * to a terminal goes through $JIFL_PAGER, $PAGER or "less -FRSX" (which
 * exits at once when the text fits); --stdio, JSON, CSV and a standard
 * output that is not a terminal go straight out.
 */
#ifndef JIFL_REPORT_PAGER_H
#define JIFL_REPORT_PAGER_H

#include <stdbool.h>

/* Starts the pager unless @no_pager or stdout is not a terminal. */
void report_pager_start(bool no_pager);

/* Flushes stdout, closes the pipe and waits for the pager. */
void report_pager_end(void);

#endif /* JIFL_REPORT_PAGER_H */
