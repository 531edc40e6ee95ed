/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The RECORDING section of jifl.data: how a recording was made (the jifl
 * that made it, plugins, ring size, which tasks and code were traced,
 * when it started and stopped, what the translator did), as the
 * "key=value" entries that man/jifl-data.5 lists.  `jifl record` fills a
 * struct recording; `jifl info` reads the entries back.
 */
#ifndef JIFL_RECORDING_H
#define JIFL_RECORDING_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/jifl.h"
#include "util/data-file.h"

struct recording {
	const char *plugins;		/* "calltrace,bbcount" ("" for none) */
	uint64_t ring_size;		/* bytes per CPU; 0: no rings */
	bool all_tasks;			/* -a: every task but jifl */
	const char *pids;		/* -p PIDS, or NULL */
	const char *cgroup;		/* -G: the cgroup ("/a/b"), or NULL */
	bool command;			/* a command was run */
	bool inherit;			/* children traced too */
	const char *syscalls;		/* --syscalls list, NULL: all */
	const char *const *functions;	/* -F globs */
	unsigned int nr_functions;
	const char *const *modules;	/* --module names */
	unsigned int nr_modules;
	uint64_t start_ns, stop_ns;	/* CLOCK_MONOTONIC */
	const struct jifl_stats *stats;	/* at stop, or NULL */
};

/**
 * recording_write() - write the RECORDING section
 * @w:	writer
 * @r:	the recording's settings
 *
 * Return: 0 or -errno (details in jd_writer_error()).
 */
int recording_write(struct jd_writer *w, const struct recording *r);

#endif /* JIFL_RECORDING_H */
