/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Perfetto's native protobuf trace for `jifl report --perfetto`: every
 * call of a calltrace recording as a slice (TrackEvent TYPE_SLICE_BEGIN
 * and TYPE_SLICE_END) on its thread's track, written by a small protobuf
 * encoder of its own (no libprotobuf).
 *
 * Layout, one packet sequence per thread: the thread's process and thread
 * TrackDescriptors; a packet that clears the incremental state and holds a
 * ClockSnapshot (a sequence-scoped incremental clock over the recording's
 * CLOCK_MONOTONIC, so timestamps are deltas), the TracePacketDefaults (that
 * clock, the thread's track) and the interned category and annotation
 * names; then the events, each function name interned on its sequence the
 * first time it is used.  The message subset written is described by
 * tests/unit/perfetto-subset.proto.
 */
#ifndef JIFL_REPORT_PERFETTO_H
#define JIFL_REPORT_PERFETTO_H

#include <stddef.h>
#include <stdio.h>

#include "util/report-calls.h"

/* The calls of a recording, collected while report_calls_build_slices() runs. */
struct report_perfetto {
	struct report_call_slice *s;
	size_t n, cap;
	int err;		/* -ENOMEM when a slice could not be kept */
};

/* A report_calls_slice_fn: keeps @s in the struct report_perfetto @arg. */
void report_perfetto_collect(void *arg, const struct report_call_slice *s);

/**
 * report_perfetto_write() - the trace of the collected calls
 * @fp:		where the trace goes
 * @pf:		the calls (sorted here)
 * @rc:		the call tree they were built with: function names
 *
 * Return: 0, or -ENOMEM; write errors are left in @fp.
 */
int report_perfetto_write(FILE *fp, struct report_perfetto *pf,
			  const struct report_calls *rc);

void report_perfetto_free(struct report_perfetto *pf);

#endif /* JIFL_REPORT_PERFETTO_H */
