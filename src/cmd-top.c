// SPDX-License-Identifier: GPL-2.0
/*
 * jifl top: a live view of the hottest kernel code, by exact counts.
 *
 * Starts a bbcount session like `jifl record` (system-wide by default, or
 * for -p PIDS, or for a command), then reads jifl.ko's block table every
 * -d seconds: rates come from the difference with the previous reading,
 * totals from the difference with the start (or the last 'z').  The model
 * is src/util/top-hist.c, the ncurses view src/util/top-tui.c; --stdio
 * (the default when standard output is not a terminal) prints the table
 * at each refresh instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "util/kernel-session.h"
#include "util/workload.h"
#include "util/parse-options.h"
#include "util/sysinfo.h"
#include "util/top-hist.h"
#include "util/top-snapshot.h"
#include "util/top-tui.h"

#define MAX_LIST	64

struct top {
	struct kernel_session s;
	struct jifl_sysinfo si;
	struct top_hist h;
	double last_poll;
	pid_t child;
	int child_status;
	bool child_done, child_reported;
	const char *snapshot;
	int argc;
	const char **argv;
	unsigned int snapshots;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void reap_child(struct top *t)
{
	int status;

	if (t->child <= 0 || t->child_done)
		return;
	if (waitpid(t->child, &status, WNOHANG) == t->child) {
		t->child_done = true;
		t->child_status = status;
	}
}

static int poll_counts(struct top *t, char *msg, size_t len)
{
	struct jifl_block_info *blocks = NULL;
	size_t nr = 0;
	double tnow = mono_seconds();
	int ret;

	reap_child(t);
	ret = ks_blocks(&t->s, &blocks, &nr);
	if (ret) {
		snprintf(msg, len, "%s", t->s.why);
		return ret;
	}
	ret = top_hist_update(&t->h, blocks, nr, tnow - t->last_poll);
	t->last_poll = tnow;
	free(blocks);
	if (ret)
		snprintf(msg, len, "out of memory");
	return ret;
}

static int tui_poll(void *ctx, char *msg, size_t len)
{
	return poll_counts(ctx, msg, len);
}

static int tui_snapshot(void *ctx, char *msg, size_t len)
{
	struct top *t = ctx;
	char why[512];
	int ret;

	ret = top_snapshot_write(t->snapshot, &t->si, &t->h, t->argc,
				 t->argv, why, sizeof(why));
	if (ret)
		snprintf(msg, len, "snapshot failed: %s", why);
	else
		snprintf(msg, len, "snapshot %u: wrote %s (%llu block runs); read it with: jifl report -i %s",
			 ++t->snapshots, t->snapshot,
			 (unsigned long long)t->h.sum_total, t->snapshot);
	return ret;
}

static int tui_status(void *ctx, char *msg, size_t len)
{
	struct top *t = ctx;

	if (!t->child_done || t->child_reported)
		return 0;
	t->child_reported = true;
	if (WIFEXITED(t->child_status))
		snprintf(msg, len, "the command exited with status %d: the counts are final; q quits",
			 WEXITSTATUS(t->child_status));
	else
		snprintf(msg, len, "the command was killed by signal %d: the counts are final; q quits",
			 WTERMSIG(t->child_status));
	return 1;
}

/* Sleeps @secs unless a signal or the command's exit comes first. */
static void wait_refresh(struct top *t, double secs)
{
	double until = mono_seconds() + secs;

	while (!stop) {
		double left = until - mono_seconds();
		struct timespec ts;

		if (left <= 0)
			break;
		if (left > 0.1)
			left = 0.1;	/* notice the command's exit soon */
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		reap_child(t);
		if (t->child_done)
			break;
	}
}

static int run_stdio(struct top *t, double delay, const char *what,
		     long iterations, long entries, bool json)
{
	char msg[512];
	long i;

	for (i = 0; !iterations || i < iterations; i++) {
		wait_refresh(t, delay);
		if (poll_counts(t, msg, sizeof(msg))) {
			fprintf(stderr, "jifl top: %s\n", msg);
			return 1;
		}
		if (top_hist_collapse(&t->h)) {
			fprintf(stderr, "jifl top: out of memory\n");
			return 1;
		}
		top_hist_print(stdout, &t->h, what, (size_t)entries, json);
		fflush(stdout);
		if (stop || t->child_done)
			break;
	}
	return 0;
}

static int parse_enum(const char *arg, const char *const *names, int n,
		      const char *opt, int *out)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(arg, names[i])) {
			*out = i;
			return 0;
		}
	}
	fprintf(stderr, "jifl top: %s: unknown value '%s'; valid:", opt, arg);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fprintf(stderr, "\n");
	return -1;
}

/* "system-wide", "pid 1,2", "ls -l" */
static void describe(char *buf, size_t len, bool all, const char *pids,
		     int argc, const char **argv)
{
	size_t n = 0;
	int i;

	if (all || (!pids && !argc)) {
		snprintf(buf, len, "system-wide");
		return;
	}
	if (pids)
		n = (size_t)snprintf(buf, len, "pid %s", pids);
	for (i = 0; i < argc && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      i || pids ? " " : "", argv[i]);
}

int cmd_top(int argc, const char **argv)
{
	static const char *const usage[] = {
		"jifl top [<options>] [-a | -p <pids> | [--] <command> [<args>]]",
		"",
		"Shows the kernel functions (or basic blocks) that run most, by exact",
		"execution counts, refreshed live: system-wide by default, or for the",
		"given processes, or for a command (and their children).",
		"Keys: q quit, h help, s sort, b blocks, / filter, a annotate, z zero,",
		"P snapshot.",
		NULL
	};
	const char *pids = NULL, *syscalls = NULL, *delay_s = "1";
	const char *sort = "rate", *view = "functions";
	const char *snapshot = "jifl-top.data", *filter = NULL;
	bool all = false, use_stdio = false, json = false, no_inherit = false;
	long iterations = 0, entries = 25;
	const struct option options[] = {
		OPT_BOOLEAN('a', "all-tasks", &all,
			    "every task (the default without -p or a command)"),
		OPT_STRING('p', "pid", &pids, "pids",
			   "these processes (comma-separated) and their children"),
		OPT_BOOLEAN(0, "no-inherit", &no_inherit,
			    "not the children of -p processes or of the command"),
		OPT_STRING('d', "delay", &delay_s, "secs",
			   "seconds between refreshes (default 1)"),
		OPT_STRING(0, "syscalls", &syscalls, "list",
			   "enter the cache only at these system calls (default: all)"),
		OPT_STRING('s', "sort", &sort, "key",
			   "initial order: rate (default), total, blocks, name"),
		OPT_STRING(0, "view", &view, "what",
			   "functions (default) or blocks"),
		OPT_STRING(0, "filter", &filter, "pattern",
			   "show only symbols with this substring or matching this glob"),
		OPT_STRING('o', "output", &snapshot, "file",
			   "snapshot file written by the P key (default jifl-top.data)"),
		OPT_BOOLEAN(0, "stdio", &use_stdio,
			    "print a table at each refresh instead of the live view"),
		OPT_BOOLEAN(0, "json", &json,
			    "with --stdio: one JSON object per refresh, one per line"),
		OPT_INTEGER('n', "iterations", &iterations, "n",
			    "with --stdio: stop after n refreshes (default: until Ctrl-C)"),
		OPT_INTEGER('E', "entries", &entries, "n",
			    "with --stdio: at most n entries per refresh (default 25, 0: all)"),
		OPT_END()
	};
	struct top t = { .child = 0 };
	__u64 pidv[JIFL_FILTER_MAX_PIDS];
	unsigned int nr_pids = 0, mode;
	struct workload wl = { .child = 0 };
	int ret, v = 0, so = 0;
	char what[256], why[512], *end;
	double delay;

	argc = parse_options(argc, argv, options, usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	delay = strtod(delay_s, &end);
	if (*end || end == delay_s || !(delay >= 0.05 && delay <= 3600)) {
		fprintf(stderr, "jifl top: -d: '%s' is not a number of seconds between 0.05 and 3600\n",
			delay_s);
		return EXIT_USAGE;
	}
	if (parse_enum(sort, top_sort_names, TOP_NR_SORTS, "--sort", &so) ||
	    parse_enum(view, top_view_names, TOP_NR_VIEWS, "--view", &v))
		return EXIT_USAGE;
	if (iterations < 0 || entries < 0) {
		fprintf(stderr, "jifl top: -n and -E take a count of 0 or more\n");
		return EXIT_USAGE;
	}
	if (all && (pids || argc)) {
		fprintf(stderr, "jifl top: -a watches every task: give it without -p or a command\n");
		return EXIT_USAGE;
	}
	if (json && !use_stdio && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "jifl top: --json needs --stdio\n");
		return EXIT_USAGE;
	}
	if (!isatty(STDOUT_FILENO))
		use_stdio = true;
	if (pids && workload_parse_pids("jifl top", pids, pidv, &nr_pids,
					JIFL_FILTER_MAX_PIDS - 1))
		return EXIT_USAGE;
	describe(what, sizeof(what), all, pids, argc, argv);
	/* early: Ctrl-C while setting up still stops cleanly */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (ks_open(&t.s, true)) {
		fprintf(stderr, "jifl top: %s\n", t.s.why);
		return 1;
	}
	ret = jifl_sysinfo_gather(&t.si, NULL, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "jifl top: %s\n", why);
		goto out_close;
	}
	if (t.si.warnings[0])
		fprintf(stderr, "jifl top: warning: %s\n", t.si.warnings);
	if (top_hist_init(&t.h, &t.si.kallsyms)) {
		fprintf(stderr, "jifl top: out of memory\n");
		ret = 1;
		goto out_si;
	}
	t.h.sort = (enum top_sort)so;
	t.h.view = (enum top_view)v;
	if (filter)
		snprintf(t.h.filter, sizeof(t.h.filter), "%s", filter);
	t.snapshot = snapshot;
	t.argc = argc;
	t.argv = argv;

	ret = ks_layout(&t.s, NULL, 0);
	if (!ret)
		ret = ks_attach_syscalls(&t.s, syscalls);
	if (ret)
		goto out_err;
	if (argc) {
		t.child = workload_fork(&wl, "jifl top", argv, !use_stdio);
		if (t.child < 0) {
			snprintf(t.s.why, sizeof(t.s.why), "fork: %s",
				 strerror(errno));
			goto out_err;
		}
		pidv[nr_pids++] = t.child;
	}
	all = all || !nr_pids;
	mode = no_inherit ? JIFL_FILTER_PIDS : JIFL_FILTER_TREE;
	ret = all ? ks_filter_all_but_self(&t.s) :
		    ks_filter(&t.s, mode, pidv, nr_pids);
	if (!ret)
		ret = ks_start(&t.s, JIFL_START_BBCOUNT);
	if (ret) {
		workload_abandon(&wl);
		goto out_err;
	}
	t.last_poll = mono_seconds();
	workload_release(&wl);

	if (use_stdio) {
		ret = run_stdio(&t, delay, what, iterations, entries, json);
	} else {
		struct top_tui_ops ops = {
			.poll = tui_poll,
			.snapshot = tui_snapshot,
			.status = tui_status,
			.ctx = &t,
		};

		ret = top_tui_run(&t.h, delay, what, &ops, &stop);
	}
	ks_stop(&t.s);
	if (t.child > 0 && !t.child_done) {
		/* quitting top ends the command it started */
		kill(t.child, SIGTERM);
		waitpid(t.child, &t.child_status, 0);
	}
	top_hist_free(&t.h);
	jifl_sysinfo_free(&t.si);
	ks_close(&t.s);
	return ret;

out_err:
	fprintf(stderr, "jifl top: %s\n", t.s.why);
	ret = 1;
	top_hist_free(&t.h);
out_si:
	jifl_sysinfo_free(&t.si);
out_close:
	ks_close(&t.s);
	return ret ? 1 : 0;
}
