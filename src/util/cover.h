/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Line and function coverage of recorded kernel code, for `jifl cover`.
 *
 * What the numbers mean (honestly, from what a recording can tell):
 *  - a recorded function is one with at least one block in the file's
 *    block table (blocks are translated just before they first run);
 *  - a line is instrumented when DWARF maps some code address of a
 *    recorded function to it (line-table rows inside the function,
 *    inlined code's lines included, under their own files);
 *  - a line is hit when a block that ran overlaps one of its rows; its
 *    count is how often its most executed instruction ran (the counts of
 *    the blocks holding an instruction, summed: translated blocks
 *    overlap), the largest within one function, summed over functions
 *    (inlined copies) and over merged recordings;
 *  - a function's count is its entry block's count (or its largest
 *    block count when no recorded block starts at its entry);
 *  - branches: the two edges of each conditional jump whose edges the
 *    counts determine (cover-branches.h), under the jump's line.
 * Recordings made with -e cover carry no counts: a block the cover plugin
 * saw run (JD_BLOCK_RAN) counts 1; with neither counts nor flags, every
 * translated block is taken as run (and said so).
 * Recordings merge by source position (file and line), not by address:
 * module bases and KASLR differ between boots.
 */
#ifndef JIFL_COVER_H
#define JIFL_COVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/data-file.h"
#include "util/symbols.h"

struct cover_line {
	unsigned int line;
	uint64_t count;
	bool hit;
};

struct cover_func {
	char *name;
	char *module;		/* "vmlinux" or the module */
	unsigned int line;	/* declaration line */
	uint64_t count;
	unsigned int lines, lines_hit;	/* in its own file */
	unsigned int *flines;		/* those lines (private) */
	size_t nr_flines;
};

/* A conditional jump's two edges (lcov BRDA), see cover-branches.h. */
struct cover_branch {
	unsigned int line;
	unsigned int block;	/* the jump's rank among those of its line */
	bool executed;
	uint64_t taken, not_taken;
};

struct cover_file {
	char *path;
	struct cover_branch *branches;	/* sorted after finish */
	size_t nr_branches, cap_branches;
	unsigned int branches_hit;	/* edges taken at least once */
	struct cover_line *lines;	/* sorted by line after finish */
	size_t nr_lines, cap_lines;
	struct cover_func *funcs;	/* sorted by line after finish */
	size_t nr_funcs, cap_funcs;
	unsigned int lines_hit;
	unsigned int funcs_hit;
};

struct cover {
	struct cover_file *files;	/* sorted by path after finish */
	size_t nr_files, cap_files;
	/* executed block starts of every recording added (sorted, unique) */
	uint64_t *pcs;
	size_t nr_pcs, cap_pcs;
	/* what had no line information */
	unsigned int funcs_nolines;	/* recorded functions */
	unsigned int blocks_unresolved;	/* blocks in no known function */
	unsigned int nr_runs;
	unsigned int unflagged_runs;	/* no counts, no cover flags */
	/* filters: fnmatch(3) patterns on source file paths */
	const char *const *include;
	const char *const *exclude;
};

/* Starts empty; @include/@exclude are NULL-terminated or NULL. */
void cover_init(struct cover *c, const char *const *include,
		const char *const *exclude);
void cover_free(struct cover *c);

/**
 * cover_add() - add one recording
 * @c:		coverage so far
 * @f:		the recording
 * @syms:	its debug information
 *
 * Return: 0 or -ENOMEM.
 */
int cover_add(struct cover *c, const struct jd_file *f, struct symbols *syms);

/* Sorts, merges duplicate lines and functions, computes the totals. */
void cover_finish(struct cover *c);

void cover_totals(const struct cover *c, unsigned int *lines,
		  unsigned int *lines_hit, unsigned int *funcs,
		  unsigned int *funcs_hit);

/* Branch edges (two per conditional jump) and those taken. */
void cover_branch_totals(const struct cover *c, unsigned int *edges,
			 unsigned int *edges_hit);

/* Outputs; @test_name is lcov's TN (may be NULL). */
void cover_write_lcov(FILE *fp, const struct cover *c, const char *test_name);
void cover_write_pcs(FILE *fp, const struct cover *c);
void cover_write_json(FILE *fp, const struct cover *c);
void cover_write_text(FILE *fp, const struct cover *c, bool functions);

/**
 * cover_write_diff() - what one coverage hits and the other does not
 * @fp:		stream
 * @a, @b:	finished coverages
 * @json:	JSON instead of text
 *
 * Return: the number of lines that differ.
 */
size_t cover_write_diff(FILE *fp, const struct cover *a, const struct cover *b,
			bool json);

#endif /* JIFL_COVER_H */
