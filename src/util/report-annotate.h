/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `jifl report --annotate SYM`: a function's instructions (Capstone, from
 * the object file found by symbols.h) with how often each ran, summed over
 * the recorded blocks that contain it, and the source lines they come from.
 */
#ifndef JIFL_REPORT_ANNOTATE_H
#define JIFL_REPORT_ANNOTATE_H

#include <stdbool.h>
#include <stdio.h>

#include "util/data-file.h"
#include "util/symbols.h"

struct report_annotate_opts {
	const char *sym;	/* "func" or "module:func" */
	bool stdio;		/* no pager */
	bool json;
};

/* Return: 0, or 1 after saying on stderr why not. */
int report_annotate(FILE *fp, const struct jd_file *f, struct symbols *syms,
		    const struct report_annotate_opts *o);

#endif /* JIFL_REPORT_ANNOTATE_H */
