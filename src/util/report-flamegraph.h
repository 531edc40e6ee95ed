/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flame graphs as one self-contained SVG file for `jifl report
 * --flamegraph`: a tree of frames, laid out bottom-up, each frame as wide
 * as its share, with an inline script and style for search (matching
 * frames highlighted, their share shown) and click-to-zoom.
 *
 * Two sources: calltrace's call paths (report-calls.h), a frame's width
 * its inclusive time; and bbcount's block counters (report-hist.h, built
 * with the block key), a frame's width its executions.  Block counters
 * hold no call stacks, so their levels are module, function and block,
 * siblings hottest first (call paths: in name order, as is usual).
 */
#ifndef JIFL_REPORT_FLAMEGRAPH_H
#define JIFL_REPORT_FLAMEGRAPH_H

#include <stdio.h>

#include "util/report-calls.h"
#include "util/report-hist.h"

/**
 * report_flamegraph_calls() - the flame graph of calltrace's call paths
 * @fp:		where the SVG goes
 * @rc:		the call tree
 * @subtitle:	a second line under the title (the command), or NULL
 *
 * Frames narrower than 0.1 pixel are left out, as their callees are.
 * Return: 0, or -ENOMEM; write errors are left in @fp.
 */
int report_flamegraph_calls(FILE *fp, const struct report_calls *rc,
			    const char *subtitle);

/**
 * report_flamegraph_blocks() - the flame graph of block executions
 * @fp:		where the SVG goes
 * @h:		a histogram built with the single key REPORT_KEY_BLOCK
 * @subtitle:	a second line under the title (the command), or NULL
 *
 * Return: 0, or -ENOMEM; write errors are left in @fp.
 */
int report_flamegraph_blocks(FILE *fp, const struct report_hist *h,
			     const char *subtitle);

#endif /* JIFL_REPORT_FLAMEGRAPH_H */
