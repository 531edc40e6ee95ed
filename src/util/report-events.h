/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calltrace events from jifl.data: the call and return records
 * (struct jifl_rec_call / jifl_rec_ret, kmod/uapi/jifl.h) of every CPU's
 * CHUNK sections, in one array ordered by thread, then time.
 *
 * Files of calltrace's inline path hold compact records instead (struct
 * jifl_rec_event and the JIFL_REC_CT_* records, uapi/jifl.h): they are
 * expanded here into the same events, the thread of each from its CPU's
 * context records, the time from the TSC, the addresses from the site
 * table of calltrace's dump, and returns paired with calls by stack
 * pointer with the rules of kmod/plugins/calltrace.c, so that every call
 * has exactly one return, in nesting order, as before.
 */
#ifndef JIFL_REPORT_EVENTS_H
#define JIFL_REPORT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/data-file.h"

enum report_ev_kind {
	REPORT_EV_CALL,
	REPORT_EV_RET,
};

struct report_event {
	uint64_t ts;		/* ns, CLOCK_MONOTONIC */
	uint64_t site;		/* call: call instruction; ret: ret (0: native) */
	uint64_t target;	/* call: callee; ret: where it returned to */
	uint32_t tid;
	uint16_t cpu;
	uint16_t depth;
	uint8_t kind;		/* enum report_ev_kind */
	uint64_t seq;		/* order in the file (ties) */
};

struct report_events {
	struct report_event *ev;
	size_t n;
	size_t skipped;		/* records of other types */
	size_t bad;		/* records too short for their type, compact
				 * records of an unknown site or thread */
	uint64_t lost;		/* records the kernel dropped (LOST) */
};

/* Whether @f holds variable-size record chunks (possibly calltrace). */
bool report_events_present(const struct jd_file *f);

/**
 * report_events_read() - collect the calltrace records of @f
 * @f:		an open file
 * @out:	filled; free with report_events_free()
 *
 * Return: 0, or -ENOMEM.
 */
int report_events_read(const struct jd_file *f, struct report_events *out);
void report_events_free(struct report_events *e);

/*
 * Tests: every thread's compact events are sorted, not taken a CPU's
 * stretch at a time when those are in order (the fuzzer compares both).
 */
extern bool report_events_always_sort;

/* Events handed over a batch at a time; nonzero stops the stream. */
typedef int (*report_events_fn)(void *arg, const struct report_event *ev,
				size_t n);

/**
 * report_events_stream() - the events of report_events_read(), in the same
 * order, without one array of them all
 * @f:		an open file
 * @fn:		called with a few thousand events at a time (the memory is
 *		reused after it returns)
 * @arg:	its first argument
 * @info:	the counts (n, skipped, bad, lost); ->ev is NULL
 *
 * Compact recordings are decoded as they go; the peak memory is then the
 * file's mapping and a table of each CPU's stretches of one thread.
 *
 * Return: 0, -ENOMEM, or what @fn returned when not 0.
 */
int report_events_stream(const struct jd_file *f, report_events_fn fn,
			 void *arg, struct report_events *info);

#endif /* JIFL_REPORT_EVENTS_H */
