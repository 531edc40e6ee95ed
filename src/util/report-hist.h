/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The histogram behind `jifl report`: block execution counts from jifl.data
 * (BLOCKS + COUNTERS), resolved to symbols, grouped by a sort key (symbol,
 * block or module), ordered, and printed as text, JSON or CSV.
 *
 * Only native (recorded kernel) addresses exist here: the file holds no
 * code-cache addresses, so none can be printed.
 */
#ifndef JIFL_REPORT_HIST_H
#define JIFL_REPORT_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/data-file.h"
#include "util/report-sym.h"

enum report_key {
	REPORT_KEY_SYM,		/* functions: summed block executions */
	REPORT_KEY_BLOCK,	/* basic blocks */
	REPORT_KEY_MODULE,	/* vmlinux and modules */
	REPORT_KEY_SRCLINE,	/* source file and line (debug info) */
	REPORT_KEY_SRCFILE,	/* source file (debug info) */
	/* need per-thread or per-syscall records: see report_key_needs() */
	REPORT_KEY_SYSCALL,
	REPORT_KEY_COMM,
	REPORT_KEY_PID,
};

#define REPORT_MAX_KEYS 8

enum report_order {
	REPORT_BY_COUNT,	/* block executions */
	REPORT_BY_INSNS,	/* executed bytes (count x length) */
};

enum report_format {
	REPORT_STDIO,
	REPORT_JSON,
	REPORT_CSV,
};

/* The sort keys' names, in the order of enum report_key. */
extern const char *const report_key_names[];
#define REPORT_NR_KEYS 8

/* Whether a key groups by source position (needs debug info). */
bool report_key_is_source(enum report_key k);

struct report_entry {
	bool known;		/* @sym is valid */
	struct report_sym sym;	/* the (first) block's symbol, offset and
				 * source position */
	uint64_t addr;		/* the (first) block's native start */
	uint32_t len;		/* its length in bytes */
	uint64_t count;		/* executions (summed) */
	uint64_t bytes;		/* executed bytes: sum of count x length */
	uint32_t nr_blocks;	/* distinct executed blocks in the entry */
};

struct report_hist {
	enum report_key key;		/* keys[0] */
	enum report_key keys[REPORT_MAX_KEYS];
	unsigned int nr_keys;
	enum report_order order;
	struct report_entry *e;
	size_t n;
	uint64_t total_count;	/* executions of all blocks */
	uint64_t total_bytes;
	uint32_t nr_blocks;	/* blocks in the table */
	uint32_t nr_executed;	/* blocks with a count above zero */
	uint32_t nr_unknown;	/* executed blocks no resolver knew */
};

struct report_print_opts {
	enum report_format format;
	double percent_limit;	/* hide entries below this share (%) */
	bool show_counts;	/* -n: an Executions column (text) */
	bool has_src;		/* debug info: -s block adds source fields */
};

/**
 * report_hist_build() - count, resolve, group and order
 * @h:		filled; free with report_hist_free()
 * @f:		the file: blocks and counters
 * @res:	resolver chain
 * @keys:	what an entry is: entries group blocks equal under every key
 * @nr_keys:	1 to REPORT_MAX_KEYS
 * @order:	what orders the entries (and their percentages)
 *
 * Return: 0, or -ENOMEM.
 */
int report_hist_build(struct report_hist *h, const struct jd_file *f,
		      struct report_resolver *res, const enum report_key *keys,
		      unsigned int nr_keys, enum report_order order);
void report_hist_free(struct report_hist *h);

/* The entry's share of the total, in percent, by the hist's order. */
double report_entry_percent(const struct report_hist *h,
			    const struct report_entry *e);

/**
 * report_hist_print() - print the entries (not the file header)
 * @fp:		stream
 * @h:		histogram
 * @o:		format and filters
 *
 * Return: the number of entries hidden by the percent limit.
 */
size_t report_hist_print(FILE *fp, const struct report_hist *h,
			 const struct report_print_opts *o);

#endif /* JIFL_REPORT_HIST_H */
