/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model behind `jifl top`: the block table read from jifl.ko at each
 * refresh, each block's count at the previous refresh (for rates) and at
 * the last zeroing (for totals), grouped by function or listed by block,
 * filtered by name, ordered, and printed as text or JSON lines.
 *
 * Block indices are stable (jifl.ko only appends to its table), so a
 * block's symbol is resolved once, when it first appears.
 */
#ifndef JIFL_TOP_HIST_H
#define JIFL_TOP_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/jifl.h"
#include "util/data-file.h"

enum top_view {
	TOP_VIEW_SYM,		/* functions: their blocks summed */
	TOP_VIEW_BLOCK,		/* basic blocks */
	TOP_NR_VIEWS
};

enum top_sort {
	TOP_SORT_RATE,		/* executions per second, last interval */
	TOP_SORT_TOTAL,		/* executions since start (or zeroing) */
	TOP_SORT_BLOCKS,	/* distinct executed blocks */
	TOP_SORT_NAME,
	TOP_NR_SORTS
};

extern const char *const top_view_names[TOP_NR_VIEWS];
extern const char *const top_sort_names[TOP_NR_SORTS];

#define TOP_NO_SYM	UINT32_MAX

struct top_block {
	uint64_t addr;		/* native start */
	uint32_t len;
	uint32_t sym;		/* index into the kallsyms table, or TOP_NO_SYM */
	uint64_t count;		/* at the last update */
	uint64_t prev;		/* at the update before */
	uint64_t base;		/* at the last zeroing */
};

struct top_entry {
	uint32_t sym;		/* kallsyms index or TOP_NO_SYM */
	uint32_t block;		/* block view: the block's index */
	uint64_t addr;		/* function or block start */
	uint64_t delta;		/* executions in the last interval */
	uint64_t total;		/* executions since the last zeroing */
	uint32_t nr_blocks;	/* executed blocks (since the zeroing) */
};

struct top_hist {
	const struct jd_kallsyms *ks;	/* symbols (not owned) */
	struct top_block *b;
	size_t nr, cap;
	double interval;	/* seconds between the last two updates */
	uint64_t sum_delta, sum_total;
	uint32_t nr_executed;	/* blocks with a total above zero */
	unsigned int updates;

	/* the view, rebuilt by top_hist_collapse() */
	enum top_view view;
	enum top_sort sort;
	char filter[128];	/* substring or glob; "" matches all */
	struct top_entry *e;
	size_t nr_entries;	/* after the filter */
	uint64_t view_delta, view_total;	/* of the filtered entries */

	/* private */
	uint32_t *slot;		/* kallsyms index -> entry + 1 */
};

/* @ks must stay valid and sorted (jifl_sysinfo_gather() sorts it). */
int top_hist_init(struct top_hist *h, const struct jd_kallsyms *ks);
void top_hist_free(struct top_hist *h);

/**
 * top_hist_update() - take a new reading of the block table
 * @h:		the model
 * @info:	jifl.ko's block table (JIFL_IOC_BLOCKS), @nr entries
 * @nr:		its length; blocks past the known ones are new
 * @interval:	seconds since the previous update
 *
 * Return: 0 or -ENOMEM.
 */
int top_hist_update(struct top_hist *h, const struct jifl_block_info *info,
		    size_t nr, double interval);

/* Totals restart from the current counts ('z'). */
void top_hist_zero(struct top_hist *h);

/* Rebuild h->e from the blocks for the current view, sort and filter. */
int top_hist_collapse(struct top_hist *h);

/* An entry's name: "func", "func+0x1c" in the block view, or "0x...". */
void top_entry_name(const struct top_hist *h, const struct top_entry *e,
		    char *buf, size_t len);
/* The entry's module ("" for vmlinux). */
const char *top_entry_module(const struct top_hist *h,
			     const struct top_entry *e);

/* Rate of an entry in executions per second. */
double top_entry_rate(const struct top_hist *h, const struct top_entry *e);

/* Function bounds [start, end) of kallsyms symbol @sym. */
void top_sym_bounds(const struct top_hist *h, uint32_t sym, uint64_t *start,
		    uint64_t *end);

/**
 * top_hist_print() - one refresh as text or as a JSON line
 * @fp:		stream
 * @h:		collapsed model
 * @what:	a label for the header: "system-wide", "pid 42", ...
 * @max:	at most this many entries (0: all)
 * @json:	one JSON object on one line instead of a table
 */
void top_hist_print(FILE *fp, const struct top_hist *h, const char *what,
		    size_t max, bool json);

#endif /* JIFL_TOP_HIST_H */
