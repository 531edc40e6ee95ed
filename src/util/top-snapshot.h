/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `jifl top`'s snapshot ('P'): the counts on screen (since start or the
 * last zeroing) written as a jifl.data file, so that `jifl report -i FILE`
 * reads them like any recording.
 */
#ifndef JIFL_TOP_SNAPSHOT_H
#define JIFL_TOP_SNAPSHOT_H

#include <stddef.h>

#include "util/sysinfo.h"
#include "util/top-hist.h"

/**
 * top_snapshot_write() - write the model's totals to @path
 * @path:	output; an existing file is kept as @path.old
 * @si:		the system's feature data (gathered at start)
 * @h:		the model
 * @argc:	the command line recorded in the file
 * @argv:	its arguments
 * @why:	on failure, what went wrong
 * @why_len:	size of @why
 *
 * Return: 0 or -errno.
 */
int top_snapshot_write(const char *path, const struct jifl_sysinfo *si,
		       const struct top_hist *h, int argc,
		       const char *const *argv, char *why, size_t why_len);

#endif /* JIFL_TOP_SNAPSHOT_H */
