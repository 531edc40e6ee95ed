/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Branch coverage for `jifl cover` (lcov BRDA records), from block counts
 * and the function's code (Capstone, code bytes through symbols.h).
 *
 * Translated blocks end at branches, and a block starts wherever control
 * enters, so for a conditional jump J at the end of blocks:
 *   executions(J)  = the counts of the blocks holding J, summed;
 *   not taken      = the count of the block starting right after J, *if*
 *                    nothing else can enter there: no direct branch of
 *                    the function targets that address and the function
 *                    has no indirect jump;
 *   taken          = executions(J) - not taken.
 * When something else can enter after J, its edges cannot be told apart
 * from the counts, and the branch is left out rather than guessed.
 */
#ifndef JIFL_COVER_BRANCHES_H
#define JIFL_COVER_BRANCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/symbols.h"

struct cover_block {	/* a recorded block of the function, deduplicated */
	uint64_t start;
	uint32_t len;
	uint64_t count;
};

struct cover_jcc {
	uint64_t addr;		/* the conditional jump */
	uint64_t executed;	/* times it ran */
	uint64_t taken, not_taken;
};

/**
 * cover_branches() - the conditional jumps of a function and their edges
 * @syms:	code bytes
 * @start, @end: the function's runtime range
 * @b, @nb:	its recorded blocks, sorted by start
 * @out:	set to a malloc'ed array (free it)
 *
 * Return: the number of jumps whose edges are known, 0 when the code is
 * not available (or has an indirect jump).
 */
size_t cover_branches(struct symbols *syms, uint64_t start, uint64_t end,
		      const struct cover_block *b, size_t nb,
		      struct cover_jcc **out);

#endif /* JIFL_COVER_BRANCHES_H */
