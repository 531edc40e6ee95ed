// SPDX-License-Identifier: GPL-2.0
/*
 * jifl report: hot functions, blocks and modules from jifl.data.
 *
 * This version works from what `jifl record -e bbcount` writes: the BLOCKS
 * table, the COUNTERS section and the kallsyms snapshot (symbols resolve
 * through src/util/report-sym.h, grouping and output are in
 * src/util/report-hist.h).  Source lines and annotation (DWARF, Capstone)
 * and call graphs come later, as more resolvers and sort keys.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "util/data-file.h"
#include "util/file-info.h"
#include "util/parse-options.h"
#include "util/report-hist.h"
#include "util/report-annotate.h"
#include "util/report-calls.h"
#include "util/report-events.h"
#include "util/report-flamegraph.h"
#include "util/report-perfetto.h"
#include "util/report-pager.h"
#include "util/report-sym.h"
#include "util/symbols.h"

static const char *const report_usage[] = {
	"jifl report [<options>]",
	"",
	"   or: jifl report --annotate <function> [<options>]",
	"   or: jifl report -g|-G|--folded|--chrome [<options>]",
	"   or: jifl report --flamegraph <file.svg> [<options>]",
	"   or: jifl report --perfetto <file> [<options>]",
	"",
	"Show the hottest kernel functions, basic blocks, modules or source",
	"lines recorded in jifl.data by `jifl record -e bbcount`, a function's",
	"annotated disassembly, or, from `jifl record -e calltrace`, call",
	"profiles, call graphs, flame-graph stacks and Chrome traces;",
	"--flamegraph draws either kind as an SVG flame graph, --perfetto",
	"writes the calls as a Perfetto trace.",
	NULL
};

/* Accepted sort keys; aliases map to the canonical names. */
static const struct {
	const char *name;
	enum report_key key;
} sort_keys[] = {
	{ "sym", REPORT_KEY_SYM },
	{ "block", REPORT_KEY_BLOCK },
	{ "module", REPORT_KEY_MODULE },
	{ "srcline", REPORT_KEY_SRCLINE },
	{ "srcfile", REPORT_KEY_SRCFILE },
	{ "syscall", REPORT_KEY_SYSCALL },
	{ "comm", REPORT_KEY_COMM },
	{ "pid", REPORT_KEY_PID },
	{ "symbol", REPORT_KEY_SYM },	/* aliases */
	{ "dso", REPORT_KEY_MODULE },
	{ "tid", REPORT_KEY_PID },
};

static int parse_one_key(const char *s, enum report_key *key)
{
	const char *best = NULL;
	int best_d = 3;
	size_t i;

	for (i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++) {
		int d;

		if (!strcmp(s, sort_keys[i].name)) {
			*key = sort_keys[i].key;
			return 0;
		}
		d = levenshtein(s, sort_keys[i].name);
		if (i < REPORT_NR_KEYS && d < best_d) {
			best_d = d;
			best = sort_keys[i].name;
		}
	}
	fprintf(stderr, "jifl report: unknown sort key '%s'", s);
	if (best)
		fprintf(stderr, " (did you mean '%s'?)", best);
	fprintf(stderr, "; valid keys: ");
	for (i = 0; i < REPORT_NR_KEYS; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", report_key_names[i]);
	fprintf(stderr, "\n");
	return -1;
}

/* "sym,srcline": up to REPORT_MAX_KEYS keys, each once. */
static int parse_sort_keys(const char *s, enum report_key *keys,
			   unsigned int *n)
{
	char buf[256], *save = NULL, *t;
	unsigned int i;

	*n = 0;
	if (strlen(s) >= sizeof(buf) || !*s) {
		fprintf(stderr, "jifl report: -s: give one or more keys separated by commas\n");
		return -1;
	}
	strcpy(buf, s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		enum report_key k;

		if (parse_one_key(t, &k))
			return -1;
		for (i = 0; i < *n; i++)
			if (keys[i] == k)
				break;
		if (i < *n)
			continue;
		if (*n == REPORT_MAX_KEYS) {
			fprintf(stderr, "jifl report: -s: at most %d keys\n",
				REPORT_MAX_KEYS);
			return -1;
		}
		keys[(*n)++] = k;
	}
	if (!*n) {
		fprintf(stderr, "jifl report: -s: give one or more keys separated by commas\n");
		return -1;
	}
	return 0;
}

static int parse_percent(const char *s, double *pct)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (errno || end == s || *end || !(v >= 0.0 && v <= 100.0)) {
		fprintf(stderr, "jifl report: --percent-limit: '%s' is not a percentage between 0 and 100\n",
			s);
		return -1;
	}
	*pct = v;
	return 0;
}

/* What the file says about the recording: command, kernel, date, CPUs. */
static void print_file_header(FILE *fp, const struct jd_file *f)
{
	uint32_t i;

	fprintf(fp, "# jifl report\n");
	if (f->present & (1U << JD_SEC_CMDLINE)) {
		fprintf(fp, "# command         : ");
		for (i = 0; i < f->argc; i++) {
			if (i)
				fputc(' ', fp);
			file_info_shell_word(fp, f->argv[i]);
		}
		fputc('\n', fp);
	}
	if (f->present & (1U << JD_SEC_UNAME))
		fprintf(fp, "# kernel          : %s\n", f->uname);
	if ((f->present & (1U << JD_SEC_CLOCK)) && f->clock.ref_realtime_ns) {
		time_t t = (time_t)(f->clock.ref_realtime_ns / 1000000000ULL);
		struct tm tm;
		char date[64];

		if (localtime_r(&t, &tm) &&
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", &tm))
			fprintf(fp, "# date            : %s\n", date);
	}
	if (f->present & (1U << JD_SEC_CPUS))
		fprintf(fp, "# cpus            : %u online, %u configured\n",
			f->cpus_online, f->cpus_configured);
}

static void print_header(FILE *fp, const struct jd_file *f,
			 const struct report_hist *h, struct symbols *syms)
{
	unsigned int i;

	print_file_header(fp, f);
	fprintf(fp, "# blocks executed : %llu (%u distinct blocks of %u recorded)\n",
		(unsigned long long)h->total_count, h->nr_executed,
		h->nr_blocks);
	if (h->nr_unknown)
		fprintf(fp, "# unresolved      : %u executed block%s in no known symbol\n",
			h->nr_unknown, h->nr_unknown == 1 ? "" : "s");
	fprintf(fp, "# sort            : ");
	for (i = 0; i < h->nr_keys; i++)
		fprintf(fp, "%s%s", i ? "," : "", report_key_names[h->keys[i]]);
	fprintf(fp, ", by %s\n",
		h->order == REPORT_BY_INSNS ? "executed bytes" : "executions");
	if (syms && *symbols_describe(syms))
		fprintf(fp, "# debug info      : %s\n", symbols_describe(syms));
	if (jd_find_dump(f, "sysstat"))
		fprintf(fp, "# per system call : blocks and instructions with -s syscall (sysstat)\n");
	fprintf(fp, "#\n");
}

/* Why a key cannot be used with block counters, or NULL. */
static const char *key_unsupported(enum report_key k)
{
	switch (k) {
	case REPORT_KEY_SYSCALL:
		return "needs calltrace events (jifl record -e calltrace) for the per-system-call breakdown of calls and time; block counters (-e bbcount) are summed over all system calls";
	case REPORT_KEY_COMM:
	case REPORT_KEY_PID:
		return "needs per-thread records; block counters (-e bbcount) are summed over all traced threads";
	default:
		return NULL;
	}
}

static const char *call_graph;	/* -g: "caller" or "callee" */

static int opt_call_graph(const struct option *opt, const char *arg)
{
	(void)opt;
	if (!arg || !strcmp(arg, "caller")) {
		call_graph = "caller";
	} else if (!strcmp(arg, "callee")) {
		call_graph = "callee";
	} else {
		fprintf(stderr, "jifl report: -g: unknown call graph '%s'; valid: caller, callee\n",
			arg);
		return -1;
	}
	return 0;
}

static int opt_inverted(const struct option *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	call_graph = "callee";
	return 0;
}

enum calls_view { VIEW_FLAT, VIEW_TREE, VIEW_SYSCALLS, VIEW_THREADS,
		  VIEW_FOLDED, VIEW_CHROME, VIEW_FLAMEGRAPH, VIEW_PERFETTO };

/* The recorded command and kernel, for pictures' subtitles. */
static void describe_recording(char *buf, size_t len, const struct jd_file *f)
{
	size_t o = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; (f->present & (1U << JD_SEC_CMDLINE)) && i < f->argc &&
		    o + 1 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "",
				      f->argv[i]);
	if ((f->present & (1U << JD_SEC_UNAME)) && o + 1 < len)
		snprintf(buf + o, len - o, "%son %s", o ? " " : "", f->uname);
}

/* "-" is standard output; NULL after saying why. */
static FILE *open_output(const char *path)
{
	FILE *fp;

	if (!strcmp(path, "-"))
		return stdout;
	fp = fopen(path, "w");
	if (!fp)
		fprintf(stderr, "jifl report: cannot create %s: %s\n", path,
			strerror(errno));
	return fp;
}

/* Closes what open_output() opened; -1 after a write error, said. */
static int close_output(FILE *fp, const char *path)
{
	int err = ferror(fp);

	if (fp == stdout)
		err |= fflush(fp);
	else
		err |= fclose(fp);
	if (err) {
		fprintf(stderr, "jifl report: writing %s failed: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The flame graph of block executions (bbcount) into @path. */
static int report_flamegraph_bb(struct jd_file *f, struct report_resolver *res,
				const char *path)
{
	const enum report_key key = REPORT_KEY_BLOCK;
	struct report_hist h;
	char sub[512];
	FILE *fp;
	int ret = 1;

	if (report_hist_build(&h, f, res, &key, 1, REPORT_BY_COUNT)) {
		fprintf(stderr, "jifl report: out of memory\n");
		return 1;
	}
	if (res->unusable && h.nr_executed)
		fprintf(stderr, "jifl report: warning: no symbols: %s\n",
			res->unusable);
	describe_recording(sub, sizeof(sub), f);
	fp = open_output(path);
	if (fp) {
		if (report_flamegraph_blocks(fp, &h, sub))
			fprintf(stderr, "jifl report: out of memory\n");
		else
			ret = 0;
		if (close_output(fp, path))
			ret = 1;
	}
	report_hist_free(&h);
	return ret;
}

/* The calltrace side of `jifl report`; returns the exit status. */
/* The per-system-call table from sysstat's dump alone */
static int report_sysstat(struct jd_file *f, const struct jd_sysstat *ss,
			  struct report_resolver *res,
			  enum report_calls_format fmt, bool use_stdio)
{
	if (res->unusable)
		fprintf(stderr, "jifl report: warning: no symbols: %s\n",
			res->unusable);
	report_pager_start(use_stdio || fmt != CALLS_TEXT);
	if (fmt == CALLS_TEXT)
		print_file_header(stdout, f);
	report_calls_print_syscalls(stdout, NULL, ss, res, fmt);
	report_pager_end();
	return 0;
}

static int report_calltrace(struct jd_file *f, const char *input,
			    struct report_resolver *res, enum calls_view view,
			    enum report_calls_format fmt, double limit,
			    bool use_stdio, const struct jd_sysstat *ss,
			    const char *output)
{
	struct report_perfetto pf = { 0 };
	struct report_events ev;
	struct report_calls rc;
	int ret = 1, err;

	/*
	 * --chrome writes each call as it closes, after its opening: the
	 * events first, to know there are some. The rest build the call
	 * tree as the events are decoded, with no array of them all.
	 */
	if (view == VIEW_CHROME) {
		if (report_events_read(f, &ev)) {
			fprintf(stderr, "jifl report: out of memory\n");
			return 1;
		}
		if (!ev.n)
			goto no_events;
		report_calls_chrome_begin(stdout);
		err = report_calls_build(&rc, &ev, res, stdout);
	} else {
		err = report_calls_build_file(&rc, f, res, view == VIEW_PERFETTO ?
					      report_perfetto_collect : NULL,
					      &pf, &ev);
		if (!err && !ev.n) {
			report_perfetto_free(&pf);
			report_calls_free(&rc);
			goto no_events;
		}
	}
	if (err) {
		fprintf(stderr, "jifl report: out of memory\n");
		goto out_ev;
	}
	if (res->unusable)
		fprintf(stderr, "jifl report: warning: no symbols: %s\n",
			res->unusable);
	if (ev.bad)
		fprintf(stderr, "jifl report: warning: %zu call/return records too short, skipped\n",
			ev.bad);
	/* the tables say it too; stderr for the formats that cannot */
	if (fmt != CALLS_TEXT || view == VIEW_CHROME || view == VIEW_FOLDED ||
	    output)
		report_calls_loss_warning(stderr, &rc, "jifl report: ");
	if (output) {	/* a file: no pager, no header */
		char sub[512];
		FILE *fp = open_output(output);

		describe_recording(sub, sizeof(sub), f);
		if (fp) {
			if (view == VIEW_PERFETTO)
				err = report_perfetto_write(fp, &pf, &rc);
			else
				err = report_flamegraph_calls(fp, &rc, sub);
			if (err)
				fprintf(stderr, "jifl report: out of memory\n");
			else
				ret = 0;
			if (close_output(fp, output))
				ret = 1;
		}
		report_perfetto_free(&pf);
		report_calls_free(&rc);
		goto out_ev;
	}
	report_pager_start(use_stdio || fmt != CALLS_TEXT || view == VIEW_CHROME ||
			   view == VIEW_FOLDED);
	if (fmt == CALLS_TEXT && view != VIEW_CHROME && view != VIEW_FOLDED)
		print_file_header(stdout, f);
	switch (view) {
	case VIEW_CHROME:
		report_calls_chrome_end(stdout, &rc);
		break;
	case VIEW_FOLDED:
		report_calls_print_folded(stdout, &rc);
		break;
	case VIEW_SYSCALLS:
		report_calls_print_syscalls(stdout, &rc, ss, res, fmt);
		break;
	case VIEW_THREADS:
		report_calls_print_threads(stdout, &rc, fmt);
		break;
	case VIEW_TREE:
		report_calls_print_tree(stdout, &rc, !strcmp(call_graph, "callee"),
					fmt, limit);
		break;
	default:
		report_calls_print_flat(stdout, &rc, fmt, limit);
		break;
	}
	report_pager_end();
	report_calls_free(&rc);
	ret = 0;
out_ev:
	report_events_free(&ev);
	return ret;
no_events:
	fprintf(stderr, "jifl report: no call or return records in %s: record with -e calltrace\n",
		input);
	goto out_ev;
}

static bool need_source(const enum report_key *keys, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (report_key_is_source(keys[i]) || keys[i] == REPORT_KEY_BLOCK)
			return true;
	return false;
}

/*
 * Names for addresses: DWARF (vmlinux, modules' debug info) when @dwarf,
 * else the recorded kallsyms snapshot. NULL after saying why.
 */
static struct report_resolver *make_resolver(struct jd_file *f, bool dwarf,
					     const char *vmlinux,
					     const char *symfs, bool no_inline,
					     struct symbols **syms)
{
	struct symbols_opts so = { vmlinux, symfs, no_inline, stderr,
				   "jifl report" };
	struct report_resolver *res = report_resolver_new(f, dwarf, &so, syms);

	if (!res)
		fprintf(stderr, "jifl report: out of memory\n");
	return res;
}

int cmd_report(int argc, const char **argv)
{
	const char *input = "jifl.data", *sort = "sym", *sort_by = "count";
	const char *percent_limit = NULL, *vmlinux = NULL, *symfs = NULL;
	const char *annotate = NULL, *flamegraph = NULL, *perfetto = NULL;
	bool use_stdio = false, json = false, csv = false, show_counts = false;
	bool no_inline = false, folded = false, chrome = false;
	bool header_only = false;
	const struct option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "input file name (default: jifl.data)"),
		OPT_BOOLEAN(0, "stdio", &use_stdio,
			    "text output on standard output, no pager"),
		OPT_STRING('s', "sort", &sort, "key[,key...]",
			   "group by: sym (default), block, module, srcline, srcfile; calltrace: sym, syscall, pid"),
		OPT_STRING(0, "sort-by", &sort_by, "count|insns",
			   "order by executions (default) or executed bytes"),
		OPT_STRING(0, "percent-limit", &percent_limit, "pct",
			   "hide entries below this share"),
		OPT_BOOLEAN('n', "show-counts", &show_counts,
			    "show the executions column"),
		OPT_BOOLEAN(0, "json", &json, "print a JSON array of entries"),
		OPT_BOOLEAN(0, "csv", &csv, "print CSV: a header, then entries"),
		OPT_STRING(0, "annotate", &annotate, "sym",
			   "disassemble a function with block counts and source lines"),
		OPT_STRING('k', "vmlinux", &vmlinux, "file",
			   "vmlinux with debug info (default: searched)"),
		OPT_STRING(0, "symfs", &symfs, "dir",
			   "look for debug info under this root, and for NAME.ko in it"),
		OPT_BOOLEAN(0, "no-inline", &no_inline,
			    "do not resolve inlined functions"),
		{ .type = OPTION_CALLBACK, .short_name = 'g',
		  .long_name = "call-graph", .argh = "caller|callee",
		  .help = "call graph from calltrace events (default: caller)",
		  .callback = opt_call_graph, .optional_arg = true },
		{ .type = OPTION_CALLBACK, .short_name = 'G',
		  .long_name = "inverted", .help = "same as --call-graph=callee",
		  .callback = opt_inverted },
		OPT_BOOLEAN(0, "folded", &folded,
			    "folded stacks for flame graphs (self ns per stack)"),
		OPT_BOOLEAN(0, "chrome", &chrome,
			    "Chrome trace-event JSON (chrome://tracing, Perfetto)"),
		OPT_STRING(0, "flamegraph", &flamegraph, "file.svg",
			   "write an SVG flame graph: calltrace time or bbcount executions"),
		OPT_STRING(0, "perfetto", &perfetto, "file",
			   "write a Perfetto protobuf trace of the calls (ui.perfetto.dev)"),
		OPT_BOOLEAN(0, "header-only", &header_only,
			    "show only the recording's header (as jifl info)"),
		OPT_END()
	};
	struct report_print_opts po = { REPORT_STDIO, 0.0, false, false };
	enum report_order order = REPORT_BY_COUNT;
	enum report_key keys[REPORT_MAX_KEYS];
	struct report_resolver *res = NULL;
	struct symbols *syms = NULL;
	struct report_hist h;
	unsigned int nkeys, i;
	struct jd_file *f;
	bool calls, events, call_key, have_ss = false;
	struct jd_sysstat ss = { 0 };
	char why[512];
	size_t hidden;
	int ret = 1;

	argc = parse_options(argc, argv, options, report_usage, 0);
	if (argc > 0) {
		fprintf(stderr, "jifl report: unexpected argument '%s'; see 'jifl report --help'\n",
			argv[0]);
		return EXIT_USAGE;
	}
	if (parse_sort_keys(sort, keys, &nkeys))
		return EXIT_USAGE;
	if (!strcmp(sort_by, "insns") || !strcmp(sort_by, "bytes")) {
		order = REPORT_BY_INSNS;
	} else if (strcmp(sort_by, "count")) {
		fprintf(stderr, "jifl report: --sort-by: unknown order '%s'; valid: count, insns\n",
			sort_by);
		return EXIT_USAGE;
	}
	if (percent_limit && parse_percent(percent_limit, &po.percent_limit))
		return EXIT_USAGE;
	if (json + csv + folded + chrome + !!flamegraph + !!perfetto > 1) {
		fprintf(stderr, "jifl report: choose one of --json, --csv, --folded, --chrome, --flamegraph, --perfetto\n");
		return EXIT_USAGE;
	}
	po.format = json ? REPORT_JSON : csv ? REPORT_CSV : REPORT_STDIO;
	po.show_counts = show_counts;

	f = jd_open(input, why, sizeof(why));
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "jifl report: %s: No such file; record one with `jifl record -e bbcount -- CMD`, or name another with -i\n",
				input);
		else
			fprintf(stderr, "jifl report: %s\n", why);
		return 1;
	}
	if (header_only) {
		ret = file_info_print(stdout, f, input, json) ? 1 : 0;
		if (ret)
			fprintf(stderr, "jifl report: out of memory\n");
		goto out;
	}
	events = report_events_present(f);
	ret = jd_sysstat(f, &ss, why, sizeof(why));
	if (ret == -EINVAL || ret == -ENOMEM) {
		fprintf(stderr, "jifl report: %s: %s\n", input,
			ret == -ENOMEM ? "out of memory" : why);
		ret = 1;
		goto out;
	}
	have_ss = !ret;
	ret = 1;
	call_key = keys[0] == REPORT_KEY_SYSCALL || keys[0] == REPORT_KEY_PID ||
		   keys[0] == REPORT_KEY_COMM;
	if (flamegraph && annotate) {
		fprintf(stderr, "jifl report: --flamegraph draws the whole recording; drop --annotate\n");
		ret = EXIT_USAGE;
		goto out;
	}
	/* -s block: the block counters' graph of a file with both */
	if (flamegraph && (nkeys > 1 || (keys[0] != REPORT_KEY_SYM &&
					 keys[0] != REPORT_KEY_BLOCK))) {
		fprintf(stderr, "jifl report: --flamegraph has its own levels (call paths, or module, function, block); drop -s %s (-s block: block counters even when there are calltrace events)\n",
			sort);
		ret = EXIT_USAGE;
		goto out;
	}
	if (flamegraph && keys[0] == REPORT_KEY_BLOCK &&
	    !(f->present & (1U << JD_SEC_COUNTERS))) {
		fprintf(stderr, "jifl report: --flamegraph -s block: no block counters in %s: record with -e bbcount\n",
			input);
		goto out;
	}
	if (flamegraph && (!events || keys[0] == REPORT_KEY_BLOCK) &&
	    (f->present & (1U << JD_SEC_COUNTERS))) {
		res = make_resolver(f, vmlinux || symfs, vmlinux, symfs, true,
				    &syms);
		if (res)
			ret = report_flamegraph_bb(f, res, flamegraph);
		goto out;
	}
	if (perfetto && (annotate || nkeys > 1 || keys[0] != REPORT_KEY_SYM)) {
		fprintf(stderr, "jifl report: --perfetto writes every call; drop %s\n",
			annotate ? "--annotate" : "-s");
		ret = EXIT_USAGE;
		goto out;
	}
	calls = call_graph || folded || chrome || call_key || flamegraph ||
		perfetto ||
		(!(f->present & (1U << JD_SEC_COUNTERS)) && (events || have_ss));
	if (calls) {
		enum calls_view view = perfetto ? VIEW_PERFETTO :
				       flamegraph ? VIEW_FLAMEGRAPH :
				       chrome ? VIEW_CHROME : folded ? VIEW_FOLDED :
				       call_graph ? VIEW_TREE :
				       keys[0] == REPORT_KEY_SYSCALL ? VIEW_SYSCALLS :
				       keys[0] == REPORT_KEY_PID ? VIEW_THREADS :
				       VIEW_FLAT;

		if (!events && have_ss && nkeys == 1 && !call_graph &&
		    !folded && !chrome && !flamegraph && !perfetto &&
		    (view == VIEW_SYSCALLS || view == VIEW_FLAT)) {
			if (keys[0] != REPORT_KEY_SYM &&
			    keys[0] != REPORT_KEY_SYSCALL) {
				fprintf(stderr, "jifl report: -s %s: sysstat data groups by syscall only; record with -e calltrace for -s pid\n",
					sort);
				goto out;
			}
			res = report_resolver_kallsyms(f);
			if (!res) {
				fprintf(stderr, "jifl report: out of memory\n");
				goto out;
			}
			ret = report_sysstat(f, &ss, res,
					     json ? CALLS_JSON : csv ? CALLS_CSV : CALLS_TEXT,
					     use_stdio);
			goto out;
		}
		if (!events) {
			fprintf(stderr, "jifl report: %s%s needs calltrace events%s, and %s has none: record with -e calltrace%s\n",
				perfetto ? "--perfetto" :
				flamegraph ? "--flamegraph" :
				chrome ? "--chrome" : folded ? "--folded" :
				call_graph ? "-g" : "-s ",
				perfetto || flamegraph || chrome || folded ||
				call_graph ? "" :
				report_key_names[keys[0]],
				flamegraph ? " or block counters" : "", input,
				view == VIEW_SYSCALLS ? " (calls, time) or -e sysstat (blocks, instructions)" :
				flamegraph ? " (time) or -e bbcount (executions)" : "");
			goto out;
		}
		if (keys[0] == REPORT_KEY_COMM) {
			fprintf(stderr, "jifl report: -s comm: calltrace records carry thread ids, not command names; use -s pid\n");
			goto out;
		}
		if (nkeys > 1 || (keys[0] != REPORT_KEY_SYM && view == VIEW_FLAT) ||
		    (view == VIEW_TREE && keys[0] != REPORT_KEY_SYM)) {
			fprintf(stderr, "jifl report: -s %s: calltrace events group by one of sym (the default), syscall, pid; block, module and source keys need block counters (-e bbcount)\n",
				sort);
			goto out;
		}
		/* call graphs name functions: inline frames do not apply */
		res = make_resolver(f, vmlinux || symfs, vmlinux, symfs, true,
				    &syms);
		if (!res)
			goto out;
		ret = report_calltrace(f, input, res, view,
				       json ? CALLS_JSON : csv ? CALLS_CSV : CALLS_TEXT,
				       po.percent_limit, use_stdio,
				       have_ss ? &ss : NULL,
				       perfetto ? perfetto : flamegraph);
		goto out;
	}
	if (!(f->present & (1U << JD_SEC_COUNTERS))) {
		fprintf(stderr, "jifl report: no block counters in %s: record with -e bbcount (or -e calltrace for call graphs)\n",
			input);
		goto out;
	}
	for (i = 0; i < nkeys; i++) {
		const char *no = key_unsupported(keys[i]);

		if (no) {
			fprintf(stderr, "jifl report: -s %s: %s in %s\n",
				report_key_names[keys[i]], no, input);
			goto out;
		}
	}
	res = make_resolver(f, vmlinux || symfs || annotate ||
			    need_source(keys, nkeys), vmlinux, symfs, no_inline,
			    &syms);
	if (!res)
		goto out;
	if (annotate) {
		struct report_annotate_opts ao = { annotate, use_stdio, json };

		ret = report_annotate(stdout, f, syms, &ao);
		goto out;
	}
	if (report_hist_build(&h, f, res, keys, nkeys, order)) {
		fprintf(stderr, "jifl report: out of memory\n");
		goto out;
	}
	if (!syms) {
		struct report_resolver *ks = res;

		if (ks->unusable && h.nr_executed)
			fprintf(stderr, "jifl report: warning: no symbols: %s\n",
				ks->unusable);
	} else {
		const char *hint = symbols_hint(syms);

		po.has_src = symbols_have_lines(syms);
		if (hint)
			fprintf(stderr, "jifl report: %s\n", hint);
	}

	report_pager_start(use_stdio || po.format != REPORT_STDIO);
	if (po.format == REPORT_STDIO)
		print_header(stdout, f, &h, syms);
	hidden = report_hist_print(stdout, &h, &po);
	if (po.format == REPORT_STDIO && hidden)
		printf("#\n# %zu entr%s below %.2f%% not shown (--percent-limit)\n",
		       hidden, hidden == 1 ? "y" : "ies", po.percent_limit);
	if (po.format == REPORT_STDIO && !h.nr_executed)
		printf("# no block was executed\n");
	report_pager_end();
	report_hist_free(&h);
	ret = 0;
out:
	free(ss.funcs);
	report_resolver_free(res);
	symbols_free(syms);
	jd_close(f);
	return ret;
}
