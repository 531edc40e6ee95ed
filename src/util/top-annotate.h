/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `jifl top`'s annotation of one function: its instructions (Capstone
 * disassembly of the live text from /proc/kcore) with the exact number of
 * times each ran, from the blocks that cover it; or, without kcore, the
 * list of its blocks with their counts.
 */
#ifndef JIFL_TOP_ANNOTATE_H
#define JIFL_TOP_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/kcore.h"
#include "util/top-hist.h"

struct top_annot_line {
	uint64_t addr;
	uint64_t total;		/* executions since start (or zeroing) */
	uint64_t delta;		/* executions in the last interval */
	bool translated;	/* inside a block jifl translated */
	bool block_start;	/* a block starts here */
	char text[224];		/* "+0x1c: mov %rdi, %rax", or a block line */
};

struct top_annot {
	uint32_t sym;
	char title[320];	/* function, range, totals */
	char note[256];		/* why there is no disassembly, or "" */
	struct top_annot_line *l;
	size_t n;
};

/**
 * top_annotate() - annotate function @sym from the model's counts
 * @a:		result; free with top_annot_free()
 * @h:		the model (after top_hist_update())
 * @sym:	kallsyms index of the function
 * @kc:		kcore for the code bytes, or NULL (then only blocks)
 *
 * Return: 0 or -ENOMEM.
 */
int top_annotate(struct top_annot *a, const struct top_hist *h, uint32_t sym,
		 struct kcore *kc);
void top_annot_free(struct top_annot *a);

#endif /* JIFL_TOP_ANNOTATE_H */
