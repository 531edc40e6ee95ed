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

#endif /* JIFL_REPORT_EVENTS_H */
