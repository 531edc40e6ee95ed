/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call graphs from calltrace events (report-events.h) for `jifl report -g`:
 * each thread's calls and returns are replayed on a stack into a tree of
 * call paths (caller-based: a system call's entry at the root, what it
 * called below), with, per node, the calls, the total time (call to
 * return) and the self time (total minus the callees' totals).  A flat
 * profile per function counts a recursive function's time once.
 *
 * Outputs: the flat profile, the caller tree, the callee (inverted) tree,
 * folded stacks for flame graphs (self nanoseconds per stack), Chrome
 * trace-event JSON (one complete event per call) and a per-system-call
 * breakdown.
 *
 * Incomplete data is said, not hidden: returns without their call (the
 * recording started inside it), calls never returned (it stopped inside
 * it: closed at the thread's last event), and lost records.
 */
#ifndef JIFL_REPORT_CALLS_H
#define JIFL_REPORT_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/report-events.h"
#include "util/report-sym.h"

#define CALLS_NONE	UINT32_MAX

struct call_func {
	uint64_t key;		/* symbol start, or the address if unknown */
	bool known;
	const char *name;	/* NULL when unknown */
	const char *module;	/* "" for vmlinux */
	uint64_t calls;
	uint64_t total_ns;	/* outermost activations only */
	uint64_t self_ns;
	int active;		/* private: open frames while replaying */
};

struct call_node {
	uint32_t func;		/* index into ->funcs; CALLS_NONE: the root */
	uint32_t parent, first_child, next_sibling;
	uint64_t calls, total_ns, self_ns;
	/* private, building: the calls last seen, to guess the next one */
	uint32_t first_call;	/* the child its last run called first */
	uint32_t next_call;	/* what its caller called after it */
	uint64_t callee;	/* the address it was called at */
	uint32_t nr_children;
};

struct call_thread {
	uint32_t tid;
	uint64_t syscalls;	/* depth-0 calls */
	uint64_t calls;		/* all calls */
	uint64_t total_ns;	/* time in system calls */
	uint64_t first_ts, last_ts;
};

struct report_calls {
	struct call_func *funcs;
	size_t nr_funcs, cap_funcs;
	struct call_node *nodes;	/* [0]: the root */
	size_t nr_nodes, cap_nodes;
	uint64_t total_ns;		/* of the depth-0 calls */
	uint64_t nr_calls;
	uint64_t first_ts, last_ts;
	struct call_thread *threads;	/* by thread id */
	size_t nr_threads, cap_threads;
	size_t unmatched_rets;		/* returns without their call */
	size_t unfinished;		/* calls still open at the end */
	uint64_t lost;			/* records the kernel dropped */
	uint64_t nr_records;		/* call and return records read */
	/* private lookup tables */
	uint32_t *fmap, *nmap;
	size_t fmap_cap, nmap_cap;
};

/**
 * report_calls_loss_warning() - say that @rc's numbers are lower bounds
 * @fp:		where; @prefix starts the line ("# " in tables, "jifl report: " on stderr)
 *
 * Prints nothing when no record was lost.
 */
void report_calls_loss_warning(FILE *fp, const struct report_calls *rc,
			       const char *prefix);

enum report_calls_format {
	CALLS_TEXT,
	CALLS_JSON,
	CALLS_CSV,
};

/**
 * report_calls_build() - replay the events into a call tree
 * @rc:		filled; free with report_calls_free()
 * @ev:		the events, by thread and time
 * @res:	resolves callees to functions
 * @chrome:	if not NULL, each call is also written there as a Chrome
 *		trace event (the caller writes the JSON around them)
 *
 * Return: 0 or -ENOMEM.
 */
int report_calls_build(struct report_calls *rc, const struct report_events *ev,
		       struct report_resolver *res, FILE *chrome);

/* A call as report_calls_build_slices() closes it, for timeline writers. */
struct report_call_slice {
	uint64_t start, end;	/* ns; end >= start */
	uint32_t tid;
	uint32_t func;		/* index into ->funcs */
	uint32_t depth;		/* 0: a system call */
	bool unfinished;	/* closed without its return */
};

typedef void (*report_calls_slice_fn)(void *arg,
				      const struct report_call_slice *s);

/**
 * report_calls_build_slices() - report_calls_build(), telling each call
 * @fn:		called for every call as it closes (callees before their
 *		caller), thread after thread
 * @arg:	its first argument
 *
 * Return: 0 or -ENOMEM.
 */
int report_calls_build_slices(struct report_calls *rc,
			      const struct report_events *ev,
			      struct report_resolver *res,
			      report_calls_slice_fn fn, void *arg);

/**
 * report_calls_build_file() - report_calls_build() (or, with @fn,
 * report_calls_build_slices()) of @f's events as they are decoded
 * (report_events_stream()), without an array of them all
 * @info:	the event counts (report_events.n, .bad, ...); ->ev is NULL
 *
 * Return: 0 or -ENOMEM.
 */
int report_calls_build_file(struct report_calls *rc, const struct jd_file *f,
			    struct report_resolver *res,
			    report_calls_slice_fn fn, void *arg,
			    struct report_events *info);
void report_calls_free(struct report_calls *rc);

/* "name [module]" or "0xaddr" */
void report_calls_func_name(char *buf, size_t len, const struct call_func *f);

void report_calls_print_flat(FILE *fp, const struct report_calls *rc,
			     enum report_calls_format fmt, double percent_limit);
void report_calls_print_tree(FILE *fp, const struct report_calls *rc,
			     bool callee, enum report_calls_format fmt,
			     double percent_limit);
void report_calls_print_folded(FILE *fp, const struct report_calls *rc);
/*
 * The per-system-call table, from calltrace events (@rc: calls, time,
 * functions and calls below), sysstat's dump (@ss: exact blocks and
 * instructions, in total and per call), or both; either may be NULL.
 * @res names sysstat's functions.
 */
void report_calls_print_syscalls(FILE *fp, const struct report_calls *rc,
				 const struct jd_sysstat *ss,
				 struct report_resolver *res,
				 enum report_calls_format fmt);
void report_calls_print_threads(FILE *fp, const struct report_calls *rc,
				enum report_calls_format fmt);

/* The Chrome trace JSON around the events report_calls_build() wrote. */
void report_calls_chrome_begin(FILE *fp);
void report_calls_chrome_end(FILE *fp, const struct report_calls *rc);

#endif /* JIFL_REPORT_CALLS_H */
