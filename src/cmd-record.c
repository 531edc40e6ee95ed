// SPDX-License-Identifier: GPL-2.0
/*
 * jifl record: run a command (or watch processes) with its kernel code
 * executed from jifl's code cache, and write what the chosen plugins
 * collected into a jifl.data file.
 *
 * Plugins that count (bbcount, cover) are read back at the end; plugins
 * that stream events (calltrace, third-party ones) write to per-CPU rings
 * that a reader loop moves into the file as it goes (util/ring-reader).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "builtin.h"
#include "util/cgroup.h"
#include "util/data-file.h"
#include "util/kernel-session.h"
#include "util/workload.h"
#include "util/parse-options.h"
#include "util/recording.h"
#include "util/ring-reader.h"
#include "util/sysinfo.h"

/* sysstat's dump records, as jifl.data readers decode them */
_Static_assert(JD_DUMP_SYSSTAT_FUNC == JIFL_REC_SYSSTAT &&
	       JD_DUMP_SYSSTAT_SUM == JIFL_REC_SYSSTAT_SUM &&
	       JD_DUMP_SYSSTAT_FUNC_SIZE == sizeof(struct jifl_rec_sysstat) &&
	       JD_DUMP_SYSSTAT_SUM_SIZE == sizeof(struct jifl_rec_sysstat_sum),
	       "sysstat records: uapi/jifl.h and data-file.h disagree");

#define MAX_LIST	64

struct record_opts {
	const char *events;
	const char *output;
	const char *pids;
	const char *syscalls;
	const char *contexts;
	const char *mmap_size;
	const char *cgroup;
	const char *functions[MAX_LIST];
	unsigned int nr_functions;
	const char *modules[MAX_LIST];
	unsigned int nr_modules;
	bool all;
	bool no_inherit;
	int quiet;
	int verbose;
};

static struct record_opts opts = { .output = "jifl.data" };
static volatile sig_atomic_t interrupted;
/* the signal came from a process (kill), not from the terminal */
static volatile sig_atomic_t interrupted_by_kill;
/* keep_old() renamed the previous file, to be put back if setup fails */
static bool kept_old;
/* open_data() created the output file, to be removed if setup fails */
static bool created_output;

/* SIGINT, SIGTERM and SIGHUP stop a recording, or abort its setup */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	interrupted = sig;
	if (info && info->si_code <= 0)	/* SI_USER, SI_QUEUE, ...: not the tty */
		interrupted_by_kill = 1;
}

/*
 * Before any setup: a signal during the seconds setup takes (attaching,
 * the layout) must not kill the recorder with the default action, nor be
 * lost to a SIG_IGN inherited from a non-interactive shell's background
 * job. No SA_RESTART, so that waits return to look at the flag.
 */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	sigset_t set;
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&set, stop_signals[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * A signal arrived before tracing started: nothing was recorded. The
 * caller has torn down what it set up; the half-written file goes, and
 * the previous one comes back. Returns the exit status shells expect of
 * a process killed by the signal (130 for SIGINT, 143 for SIGTERM).
 */
static int setup_interrupted(void)
{
	char old[4096];

	if (created_output)
		unlink(opts.output);
	if (kept_old) {
		snprintf(old, sizeof(old), "%s.old", opts.output);
		rename(old, opts.output);
	}
	fprintf(stderr, "jifl record: interrupted during setup (%s): nothing recorded%s\n",
		strsignal(interrupted),
		kept_old || !created_output ?
		", the previous file left as it was" : "");
	return 128 + interrupted;
}

static int add_to_list(const char **list, unsigned int *nr, const char *arg,
		       const char *what)
{
	if (*nr >= MAX_LIST) {
		fprintf(stderr, "jifl record: at most %d %s\n", MAX_LIST, what);
		return -1;
	}
	list[(*nr)++] = arg;
	return 0;
}

static int opt_function(const struct option *o, const char *arg)
{
	return add_to_list(opts.functions, &opts.nr_functions, arg,
			   "-F functions");
}

static int opt_module(const struct option *o, const char *arg)
{
	return add_to_list(opts.modules, &opts.nr_modules, arg,
			   "--module modules");
}

/*
 * -e LIST -> the plugin names for the kernel ("" for none); whether they
 * need event rings (anything but the counting plugins does).
 */
static int parse_events(const char *list, char *names, size_t len,
			bool *rings)
{
	char *copy = strdup(list ? list : "bbcount"), *name, *save;
	size_t n = 0;
	int ret = 0;

	*rings = false;
	names[0] = '\0';
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "none"))
			continue;
		if (strlen(name) >= JIFL_PLUGIN_NAME_MAX ||
		    n + strlen(name) + 2 > len) {
			fprintf(stderr, "jifl record: bad event list '%s'\n",
				list);
			ret = EXIT_USAGE;
			break;
		}
		if (strcmp(name, "bbcount") && strcmp(name, "cover"))
			*rings = true;
		n += snprintf(names + n, len - n, "%s%s", n ? "," : "", name);
	}
	free(copy);
	return ret;
}

/* jifl.data -> jifl.data.old, as perf does */
static void keep_old(const char *path)
{
	char old[4096];
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	snprintf(old, sizeof(old), "%s.old", path);
	if (rename(path, old))
		fprintf(stderr, "jifl record: warning: cannot keep %s as %s: %s\n",
			path, old, strerror(errno));
	else
		kept_old = true;
}

/* Create the file and write the feature sections: before tracing. */
static struct jd_writer *open_data(const char *path, int argc,
				   const char **argv)
{
	struct jifl_sysinfo si;
	struct jd_writer *w;
	char why[512];
	int ret;

	ret = jifl_sysinfo_gather(&si, NULL, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "jifl record: %s\n", why);
		jifl_sysinfo_free(&si);
		return NULL;
	}
	if (si.warnings[0] && !opts.quiet)
		fprintf(stderr, "jifl record: warning: %s\n", si.warnings);
	keep_old(path);
	w = jd_writer_create(path, why, sizeof(why));
	if (!w) {
		fprintf(stderr, "jifl record: %s\n", why);
		jifl_sysinfo_free(&si);
		return NULL;
	}
	created_output = true;
	jifl_sysinfo_write(w, &si, argc, argv);
	jifl_sysinfo_free(&si);
	return w;
}

/* cover's JIFL_REC_COVER records -> JD_BLOCK_RAN flags */
static void mark_covered(struct jd_block *jb, size_t nr, const uint8_t *d,
			 size_t len)
{
	size_t off = 0;

	while (off + sizeof(struct jifl_rec_header) <= len) {
		const struct jifl_rec_cover *c = (const void *)(d + off);
		uint32_t i;

		if (c->hdr.size < sizeof(*c) || c->hdr.size > len - off)
			break;
		if (c->hdr.type == JIFL_REC_COVER &&
		    c->nr <= c->hdr.size - sizeof(*c))
			for (i = 0; i < c->nr; i++)
				if (c->ran[i] && c->first + (size_t)i < nr)
					jb[c->first + i].flags |= JD_BLOCK_RAN;
		off += c->hdr.size;
	}
}

/* The plugins' dumps: JD_SEC_DUMP sections, cover's also as block flags */
static void write_dumps(struct kernel_session *s, struct jd_writer *w,
			const char *names, struct jd_block *jb, size_t nr)
{
	char *copy = strdup(names), *name, *save;

	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		char hdr[JD_DUMP_NAME_SIZE] = { 0 };
		size_t len;
		void *buf;
		int ret = ks_dump(s, name, &buf, &len);

		if (ret == -EOPNOTSUPP)
			continue;
		if (ret) {
			fprintf(stderr, "jifl record: %s\n", s->why);
			continue;
		}
		if (!strcmp(name, "cover"))
			mark_covered(jb, nr, buf, len);
		strncpy(hdr, name, sizeof(hdr) - 1);
		if (!jd_section_begin(w, JD_SEC_DUMP, 0) &&
		    !jd_section_append(w, hdr, sizeof(hdr)) &&
		    !jd_section_append(w, buf, len))
			jd_section_end(w);
		free(buf);
	}
	free(copy);
}

/* The data sections read at the end; close the file. */
static int finish_data(struct kernel_session *s, struct jd_writer *w,
		       const char *path, const char *names,
		       const struct jifl_block_info *blocks, size_t nr,
		       const struct jd_lost *lost, unsigned int nr_lost,
		       off_t *size)
{
	bool counted = strstr(names, "bbcount") != NULL;
	struct jd_block *jb = NULL;
	struct jd_counter *jc = NULL;
	char why[512];
	struct stat st;
	size_t i;
	int ret;

	if (nr_lost)
		jd_write_lost(w, lost, nr_lost);
	jb = calloc(nr ? nr : 1, sizeof(*jb));
	jc = calloc(nr ? nr : 1, sizeof(*jc));
	if (jb && jc) {
		for (i = 0; i < nr; i++) {
			jb[i].start = blocks[i].native;
			jb[i].len = blocks[i].len;
			jb[i].func = JD_NO_FUNC;
			jc[i].block = i;
			jc[i].count = blocks[i].count;
		}
		write_dumps(s, w, names, jb, nr);
		jd_write_blocks(w, jb, nr);
		if (counted)
			jd_write_counters(w, jc, nr);
	}
	free(jb);
	free(jc);
	ret = jd_writer_close(w, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "jifl record: writing %s: %s\n", path, why);
		return -1;
	}
	*size = stat(path, &st) ? 0 : st.st_size;
	return 0;
}

/* Events and lost records, loud when records were lost. */
static void print_events(const struct ring_reader *rr,
			 const struct jd_lost *lost, unsigned int nr_lost)
{
	unsigned long long total = 0;
	unsigned int i;

	for (i = 0; i < nr_lost; i++)
		total += lost[i].lost;
	fprintf(stderr, "[ jifl record: %llu events (%llu bytes, %.1f bytes/event) in %llu chunks ]\n",
		(unsigned long long)rr->records,
		(unsigned long long)rr->bytes,
		rr->records ? (double)rr->bytes / rr->records : 0.0,
		(unsigned long long)rr->chunks);
	if (!total) {
		fprintf(stderr, "[ jifl record: no events lost ]\n");
		return;
	}
	fprintf(stderr, "jifl record: WARNING: %llu events LOST (rings full):", total);
	for (i = 0; i < nr_lost; i++)
		if (lost[i].lost)
			fprintf(stderr, " cpu%u: %llu", lost[i].cpu,
				(unsigned long long)lost[i].lost);
	fprintf(stderr, "; use a larger -m (now %llu KiB per CPU)\n",
		(unsigned long long)rr->ring_size / 1024);
}

/*
 * The kernel contexts that enter the cache (--contexts), bit i of a set
 * for contexts[i]: where each enters, and its entries in struct
 * jifl_stats. A context is one line here (the man page and completions
 * name it too).
 */
#define CTX_FUNCS	12
static const struct context {
	const char *name;
	const char *what;		/* for --help */
	const char *funcs[CTX_FUNCS];	/* attached, up to a NULL; none: system calls */
	size_t entries;		/* offset of its count in jifl_stats; 0: the rest */
	__u64 flags;		/* JIFL_ATTACH_* */
} contexts[] = {
	{ "syscall", "system calls", { NULL }, 0, 0 },
	{ "fault", "page faults", { "handle_mm_fault" },
	  offsetof(struct jifl_stats, entries_fault), 0 },
	/* those the kernel has: run_rebalance_domains is 6.1's name */
	{ "softirq", "softirq actions: network, timers, tasklets, RCU",
	  { "net_rx_action", "net_tx_action", "run_timer_softirq",
	    "hrtimer_run_softirq", "tasklet_action", "tasklet_hi_action",
	    "rcu_core_si", "blk_done_softirq", "sched_balance_softirq",
	    "run_rebalance_domains" },
	  offsetof(struct jifl_stats, entries_softirq), JIFL_ATTACH_SOFTIRQ },
};

#define NR_CONTEXTS	(sizeof(contexts) / sizeof(contexts[0]))
#define CTX_SYSCALL	(1U << 0)	/* system calls (and -F functions) */
#define CTX_ALL		((1U << NR_CONTEXTS) - 1)
/*
 * The default for a command, -p and -a alike. fault is exact on 6.1 and
 * 6.12 (tests/kernel/target-counts.t) but opt-in until the whole guest
 * suite has run with it on (issue 13).
 */
#define CTX_DEFAULT	CTX_SYSCALL

/* "syscall, fault, all": the names --contexts takes */
static const char *context_names(void)
{
	static char buf[256];
	size_t i, n = 0;

	for (i = 0; i < NR_CONTEXTS; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s, ",
			      contexts[i].name);
	snprintf(buf + n, sizeof(buf) - n, "all");
	return buf;
}

/* --contexts in --help: each context, and the default */
static const char *context_help(void)
{
	static char buf[512];
	const char *sep = " ";
	size_t i, n;

	n = snprintf(buf, sizeof(buf), "kernel contexts entering the cache:");
	for (i = 0; i < NR_CONTEXTS; i++)
		n += snprintf(buf + n, sizeof(buf) - n, " %s (%s),",
			      contexts[i].name, contexts[i].what);
	n += snprintf(buf + n, sizeof(buf) - n, " all (default:");
	for (i = 0; i < NR_CONTEXTS; i++) {
		if (!(CTX_DEFAULT & (1U << i)))
			continue;
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", sep,
			      contexts[i].name);
		sep = ",";
	}
	snprintf(buf + n, sizeof(buf) - n, "; with only -F: none but -F)");
	return buf;
}

/* Parses --contexts: "syscall,fault" or "all"; 0 and a message if bad. */
static unsigned int parse_contexts(const char *list)
{
	unsigned int ctx = 0, i;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		for (i = 0; i < NR_CONTEXTS; i++)
			if (strlen(contexts[i].name) == n &&
			    !strncmp(p, contexts[i].name, n))
				break;
		if (i < NR_CONTEXTS)
			ctx |= 1U << i;
		else if (n == 3 && !strncmp(p, "all", n))
			ctx |= CTX_ALL;
		else if (n) {
			fprintf(stderr, "jifl record: unknown context '%.*s' in --contexts (%s)\n",
				(int)n, p, context_names());
			return 0;
		}
		p += n + (p[n] == ',');
	}
	if (!ctx)
		fprintf(stderr, "jifl record: --contexts names no context (%s)\n",
			context_names());
	return ctx;
}

/* Attaches each context's functions but the system calls' */
static int attach_contexts(struct kernel_session *s, unsigned int ctx)
{
	size_t i, n;
	int ret;

	for (i = 0; i < NR_CONTEXTS; i++) {
		const char *const *f = contexts[i].funcs;

		for (n = 0; n < CTX_FUNCS && f[n]; n++)
			;
		if (!(ctx & (1U << i)) || !n)
			continue;
		ret = ks_attach_available(s, f, n, contexts[i].flags,
					  contexts[i].name);
		if (ret || interrupted)
			return ret;
	}
	return 0;
}

/* "syscall: 12, fault: 3": the entries each context made */
static void print_context_entries(const struct jifl_stats *st)
{
	__u64 n[NR_CONTEXTS], rest = st->entries;
	size_t i;

	for (i = 0; i < NR_CONTEXTS; i++) {
		n[i] = 0;
		if (contexts[i].entries)
			memcpy(&n[i], (const char *)st + contexts[i].entries,
			       sizeof(n[i]));
		rest -= n[i];
	}
	for (i = 0; i < NR_CONTEXTS; i++)
		fprintf(stderr, "%s%s: %llu", i ? ", " : "", contexts[i].name,
			(unsigned long long)(contexts[i].entries ? n[i] : rest));
}

static void print_summary(const struct jifl_stats *st, double secs,
			  unsigned int attached, off_t size)
{
	unsigned int i;
	__u64 fb = 0;

	for (i = 0; i < JIFL_FB_NR; i++)
		fb += st->fallbacks[i];
	fprintf(stderr, "[ jifl record: %.3f s, %u attach patterns, %llu entries into the cache (",
		secs, attached, (unsigned long long)st->entries);
	print_context_entries(st);
	fprintf(stderr, ") ]\n");
	fprintf(stderr, "[ jifl record: %llu blocks translated (%llu native bytes -> %llu cache bytes, %.1f%% of the cache) ]\n",
		(unsigned long long)st->blocks,
		(unsigned long long)st->native_bytes,
		(unsigned long long)st->cache_bytes,
		st->cache_size ? 100.0 * st->cache_bytes / st->cache_size : 0.0);
	fprintf(stderr, "[ jifl record: %llu native fallbacks", (unsigned long long)fb);
	for (i = 0; i < JIFL_FB_NR; i++)
		if (st->fallbacks[i])
			fprintf(stderr, "%s %s: %llu", i ? "," : ":",
				ks_fallback_name(i),
				(unsigned long long)st->fallbacks[i]);
	fprintf(stderr, " ]\n");
	if (st->fallbacks[JIFL_FB_CACHE_FULL])
		fprintf(stderr, "jifl record: WARNING: the code cache filled up; later code ran natively and was not counted\n");
	if (st->cache_extable)
		fprintf(stderr, "[ jifl record: %llu faulting-allowed instructions (uaccess, ...) run from the cache with their own fixups ]\n",
			(unsigned long long)st->cache_extable);
	if (st->invalidated)
		fprintf(stderr, "[ jifl record: %llu translations dropped: their module was unloaded ]\n",
			(unsigned long long)st->invalidated);
	if (st->static_branches)
		fprintf(stderr, "[ jifl record: %llu static branch sites translated as jmps that follow their keys, %llu repointed by key updates ]\n",
			(unsigned long long)st->static_branches,
			(unsigned long long)st->labels_followed);
	if (st->stores_removed)
		fprintf(stderr, "[ jifl record: %llu coverage stores removed once their block ran ]\n",
			(unsigned long long)st->stores_removed);
	if (st->inflight)
		fprintf(stderr, "[ jifl record: %llu tasks still in the cache keep jifl.ko loaded until they return ]\n",
			(unsigned long long)st->inflight);
	fprintf(stderr, "[ jifl record: wrote %s (%.1f KiB) ]\n", opts.output,
		size / 1024.0);
}

int cmd_record(int argc, const char **argv)
{
	static const char *const usage[] = {
		"jifl record [<options>] [--] <command> [<args>]",
		"   or: jifl record [<options>] -a|-p <pids>|-G <cgroup>",
		"",
		"Runs <command>, or watches processes, with their kernel code executed",
		"from jifl's code cache, and writes what the plugins collected to a",
		"jifl.data file (see jifl-data(5)). Stop watching with Ctrl-C.",
		NULL
	};
	const char *contexts_help = context_help();
	const struct option options[] = {
		OPT_STRING('e', "event", &opts.events, "plugins",
			   "plugins, comma-separated: bbcount (default), cover, calltrace, sysstat, none, or a loaded module's"),
		OPT_STRING('o', "output", &opts.output, "file",
			   "output file (default jifl.data; an old one is kept as .old)"),
		OPT_BOOLEAN('a', "all-tasks", &opts.all,
			    "trace every task, not just the command's"),
		OPT_STRING('p', "pid", &opts.pids, "pids",
			   "trace these processes (comma-separated) and their children"),
		OPT_STRING('G', "cgroup", &opts.cgroup, "path",
			   "trace the tasks in this cgroup v2 and its descendants, system-wide (a command only sets the duration)"),
		OPT_BOOLEAN(0, "no-inherit", &opts.no_inherit,
			    "do not trace children of the traced processes"),
		OPT_STRING('m', "mmap-pages", &opts.mmap_size, "size",
			   "event ring size per CPU: bytes with K/M/G, or pages with P (default 4M)"),
		OPT_STRING(0, "syscalls", &opts.syscalls, "list",
			   "attach only at these system calls (default: all)"),
		OPT_STRING(0, "contexts", &opts.contexts, "list",
			   contexts_help),
		OPT_CALLBACK('F', "function", "func",
			     "also attach at kernel functions matching this glob",
			     opt_function),
		OPT_CALLBACK(0, "module", "name",
			     "translate this module's code too (default: core kernel only)",
			     opt_module),
		OPT_INCR('q', "quiet", &opts.quiet, "no summary"),
		OPT_INCR('v', "verbose", &opts.verbose, "more messages"),
		OPT_END()
	};
	struct kernel_session s;
	struct jifl_block_info *blocks = NULL;
	struct jifl_stats st;
	__u64 pids[JIFL_FILTER_MAX_PIDS];
	char names[JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX];
	struct ring_reader rr = { .fd = -1 };
	struct jd_lost lost[1024];
	struct jd_writer *w = NULL;
	unsigned int nr_pids = 0, mode, nr_lost = 0, c, ctx;
	uint64_t ring_size = 4U << 20;
	size_t nr_blocks = 0;
	struct workload wl = { .child = 0 };
	int status = 0, ret, cgroup_fd = -1;
	char cgroup_name[4096] = "";
	bool rings, child_done = false;
	double t0, t1;
	off_t size = 0;
	pid_t child = 0;

	argc = parse_options(argc, argv, options, usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	catch_stop_signals();
	ret = parse_events(opts.events, names, sizeof(names), &rings);
	if (ret)
		return ret;
	if (opts.mmap_size && rr_parse_size(opts.mmap_size, &ring_size)) {
		fprintf(stderr, "jifl record: bad ring size '%s' for -m: give bytes (K, M, G suffixes) or pages (P), from 4K to 256M\n",
			opts.mmap_size);
		return EXIT_USAGE;
	}
	/* -F alone attaches only its functions, as before --contexts */
	ctx = opts.contexts ? parse_contexts(opts.contexts) :
	      opts.nr_functions && !opts.syscalls ? 0 : CTX_DEFAULT;
	if (opts.contexts && !ctx)
		return EXIT_USAGE;
	if (opts.syscalls && !(ctx & CTX_SYSCALL)) {
		fprintf(stderr, "jifl record: --syscalls needs the syscall context (--contexts)\n");
		return EXIT_USAGE;
	}
	if (!argc && !opts.all && !opts.pids && !opts.cgroup) {
		fprintf(stderr, "jifl record: give a command to run, -p PIDS, -G CGROUP or -a; see 'jifl record --help'\n");
		return EXIT_USAGE;
	}
	if (opts.cgroup && (opts.pids || opts.no_inherit)) {
		fprintf(stderr, "jifl record: -G selects the tasks by cgroup: it does not combine with %s\n",
			opts.pids ? "-p" : "--no-inherit");
		return EXIT_USAGE;
	}
	if (opts.cgroup) {
		char why[8192];

		cgroup_fd = cgroup_open(opts.cgroup, cgroup_name,
					sizeof(cgroup_name), why, sizeof(why));
		if (cgroup_fd < 0) {
			fprintf(stderr, "jifl record: -G: %s\n", why);
			return EXIT_USAGE;
		}
	}
	if (opts.pids &&
	    workload_parse_pids("jifl record", opts.pids, pids, &nr_pids,
				JIFL_FILTER_MAX_PIDS - 1))
		return EXIT_USAGE;

	if (ks_open(&s, true)) {
		if (interrupted)
			return setup_interrupted();
		fprintf(stderr, "jifl record: %s\n", s.why);
		return 1;
	}
	if (names[0] && ks_check_plugins(&s, names)) {
		fprintf(stderr, "jifl record: %s\n", s.why);
		ks_close(&s);
		return EXIT_USAGE;
	}
	/* each step can take seconds: a signal aborts at the next one */
	ret = interrupted ? -1 : ks_layout(&s, opts.modules, opts.nr_modules);
	if (!ret && !interrupted && (ctx & CTX_SYSCALL))
		ret = ks_attach_syscalls(&s, opts.syscalls);
	if (!ret && !interrupted)
		ret = attach_contexts(&s, ctx);
	if (!ret && !interrupted && opts.nr_functions)
		ret = ks_attach_functions(&s, opts.functions,
					  opts.nr_functions);
	if (!ret && !interrupted && rings && rr_open(&rr, s.fd, ring_size)) {
		snprintf(s.why, sizeof(s.why), "%s", rr.why);
		ret = -1;
	}
	if (interrupted)
		goto err_interrupted;
	if (ret)
		goto err;
	w = open_data(opts.output, argc ? argc : 0, argv);
	if (!w)
		goto err_quiet;
	if (interrupted)
		goto err_interrupted;

	if (argc) {
		child = workload_fork(&wl, "jifl record", argv, false);
		if (child < 0) {
			snprintf(s.why, sizeof(s.why), "fork: %s",
				 strerror(errno));
			goto err;
		}
		pids[nr_pids++] = child;
	}
	mode = opts.no_inherit ? JIFL_FILTER_PIDS : JIFL_FILTER_TREE;
	if (interrupted)
		ret = 0;
	else if (cgroup_fd >= 0)
		ret = ks_filter_cgroup(&s, cgroup_fd);	/* the module holds it */
	else if (opts.all)
		ret = ks_filter_all_but_self(&s);
	else
		ret = ks_filter(&s, mode, pids, nr_pids);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	if (!ret && !interrupted)
		ret = ks_start_plugins(&s, names);
	if (ret || interrupted) {
		/* the held command exits unexecuted */
		workload_abandon(&wl);
		if (!interrupted)
			goto err;
		if (!ret)
			ks_stop(&s);
		goto err_interrupted;
	}
	t0 = mono_seconds();
	if (child > 0)
		workload_release(&wl);
	else if (!opts.quiet)
		fprintf(stderr, "jifl record: tracing; Ctrl-C to stop\n");
	/* until the command exits, or Ctrl-C without a command */
	while (child > 0 ? !child_done : !interrupted) {
		if (rings) {
			rr_wait(&rr, 100);
			if (rr_drain(&rr, w)) {
				fprintf(stderr, "jifl record: %s\n", rr.why);
				break;
			}
		} else if (child <= 0) {
			pause();
		}
		if (child > 0) {
			/*
			 * Ctrl-C reaches the command too: wait for it. A
			 * signal sent to the recorder alone (kill) goes on
			 * to the command, once; its end ends the recording.
			 */
			pid_t p;

			if (interrupted && interrupted_by_kill) {
				kill(child, interrupted);
				interrupted_by_kill = 0;
			}
			p = waitpid(child, &status, rings ? WNOHANG : 0);

			if (p == child || (p < 0 && errno != EINTR))
				child_done = true;
		}
	}
	ks_stop(&s);
	t1 = mono_seconds();	/* the recording's duration: from start to stop */
	ks_stats(&s, &st);
	if (rings) {
		if (rr_drain(&rr, w))
			fprintf(stderr, "jifl record: %s\n", rr.why);
		for (c = 0; c < rr.nr_cpus && nr_lost < 1024; c++) {
			if (!rr.cpu[c].ctl)
				continue;
			lost[nr_lost].cpu = c;
			lost[nr_lost++].lost = rr_lost(&rr, c);
		}
	}
	if (ks_blocks(&s, &blocks, &nr_blocks)) {
		fprintf(stderr, "jifl record: %s\n", s.why);
		nr_blocks = 0;
	}
	{
		struct recording rec = {
			.plugins = names, .ring_size = rings ? rr.ring_size : 0,
			.all_tasks = opts.all && !opts.cgroup,
			.pids = opts.pids,
			.cgroup = opts.cgroup ? cgroup_name : NULL,
			.command = argc > 0, .inherit = !opts.no_inherit,
			.syscalls = opts.syscalls, .functions = opts.functions,
			.nr_functions = opts.nr_functions,
			.modules = opts.modules, .nr_modules = opts.nr_modules,
			.start_ns = (uint64_t)(t0 * 1e9),
			.stop_ns = (uint64_t)(t1 * 1e9), .stats = &st };

		recording_write(w, &rec);
	}
	ret = finish_data(&s, w, opts.output, names, blocks, nr_blocks,
			  lost, nr_lost, &size);
	if (!opts.quiet) {
		print_summary(&st, t1 - t0, s.nr_attached, size);
		if (rings)
			print_events(&rr, lost, nr_lost);
	}
	free(blocks);
	rr_close(&rr);
	ks_close(&s);
	if (ret)
		return 1;
	if (child > 0 && WIFEXITED(status))
		return WEXITSTATUS(status);
	if (child > 0 && WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 0;

err_interrupted:
	if (w) {
		char why[256];

		jd_writer_close(w, why, sizeof(why));
	}
	rr_close(&rr);
	ks_close(&s);
	return setup_interrupted();

err:
	fprintf(stderr, "jifl record: %s\n", s.why);
err_quiet:
	if (w) {
		char why[256];

		jd_writer_close(w, why, sizeof(why));
	}
	rr_close(&rr);
	ks_close(&s);
	return 1;
}
