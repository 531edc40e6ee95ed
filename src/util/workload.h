/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload of record/top: the processes given by -p and the command
 * after --, which is forked at once but execs only once tracing started,
 * so that its first system call is already seen.
 */
#ifndef JIFL_UTIL_WORKLOAD_H
#define JIFL_UTIL_WORKLOAD_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include <linux/types.h>

struct workload {
	const char *tool;	/* "jifl record": prefix of messages */
	pid_t child;		/* the command, or 0 */
	int go[2];		/* the child execs once a byte arrives */
};

/*
 * Parse "-p 12,34": each must be a running process. Return 0, or -1 with
 * a message on stderr naming the bad entry.
 */
int workload_parse_pids(const char *tool, const char *list, __u64 *pids,
			unsigned int *n, unsigned int max);

/*
 * Fork @argv, held before exec. @quiet: the child's stdio goes to
 * /dev/null (a full-screen view owns the terminal). Return the pid, or
 * -1 with errno set.
 */
pid_t workload_fork(struct workload *w, const char *tool,
		    const char **argv, bool quiet);

/* Tracing started: let the command exec. */
void workload_release(struct workload *w);

/* Tracing could not start: the held command exits 127 unexecuted. */
void workload_abandon(struct workload *w);

/* CLOCK_MONOTONIC in seconds, for durations and refresh timing. */
static inline double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
