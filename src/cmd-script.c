// SPDX-License-Identifier: GPL-2.0
/*
 * jifl script: the raw events of a recording, one line per event in time
 * order (like perf script and uftrace dump), as text or JSON lines, with
 * filters by thread, CPU and event kind.  Events come from the calltrace
 * reader (util/report-events.h); names from the same resolvers as
 * `jifl report` (util/report-sym.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "util/data-file.h"
#include "util/json-write.h"
#include "util/parse-options.h"
#include "util/report-events.h"
#include "util/report-sym.h"
#include "util/symbols.h"

static const char *const script_usage[] = {
	"jifl script [<options>]",
	"",
	"Print the events recorded in jifl.data by `jifl record -e calltrace`,",
	"one line per event in time order: thread, CPU, time, event, depth,",
	"the instruction's address and function+offset, and where it went.",
	"With --json, one JSON object per line.",
	NULL
};

/* The event kinds by name, in the order of enum report_ev_kind. */
static const char *const event_names[] = {
	[REPORT_EV_CALL] = "call",
	[REPORT_EV_RET] = "return",
};
#define NR_EVENT_KINDS (sizeof(event_names) / sizeof(event_names[0]))

/* Which events are printed; an empty list lets everything through. */
struct script_filter {
	uint32_t *tids;
	size_t nr_tids;
	uint32_t *cpus;		/* pairs: first, last */
	size_t nr_cpus;
	bool kinds[NR_EVENT_KINDS];
	bool any_kind;		/* no --event: all kinds */
};

/* "12" -> 12, strictly decimal and within @max; -1 after a message. */
static int parse_number(const char *s, const char *opt, unsigned long max,
			uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		fprintf(stderr, "jifl script: %s: '%s' is not a number from 0 to %lu\n",
			opt, s, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --tid 100,101 */
static int parse_tids(const char *arg, struct script_filter *flt)
{
	char *buf = strdup(arg), *save = NULL, *t;
	int r = 0;

	if (!buf)
		return -1;
	for (t = strtok_r(buf, ",", &save); t && !r; t = strtok_r(NULL, ",", &save)) {
		uint32_t *n = realloc(flt->tids,
				      (flt->nr_tids + 1) * sizeof(*n));

		if (!n) {
			r = -1;
			break;
		}
		flt->tids = n;
		r = parse_number(t, "--tid", UINT32_MAX, &flt->tids[flt->nr_tids]);
		flt->nr_tids += !r;
	}
	if (!r && !flt->nr_tids) {
		fprintf(stderr, "jifl script: --tid: give thread ids separated by commas\n");
		r = -1;
	}
	free(buf);
	return r;
}

/* --cpu 0,2-3 */
static int parse_cpus(const char *arg, struct script_filter *flt)
{
	char *buf = strdup(arg), *save = NULL, *t;
	int r = 0;

	if (!buf)
		return -1;
	for (t = strtok_r(buf, ",", &save); t && !r; t = strtok_r(NULL, ",", &save)) {
		uint32_t *n = realloc(flt->cpus,
				      (flt->nr_cpus + 1) * 2 * sizeof(*n));
		char *dash = strchr(t, '-');

		if (!n) {
			r = -1;
			break;
		}
		flt->cpus = n;
		n += 2 * flt->nr_cpus;
		if (dash && dash != t)
			*dash++ = '\0';
		else
			dash = NULL;
		r = parse_number(t, "--cpu", UINT16_MAX, &n[0]);
		if (!r)
			r = dash ? parse_number(dash, "--cpu", UINT16_MAX, &n[1]) :
				   (n[1] = n[0], 0);
		if (!r && n[1] < n[0]) {
			fprintf(stderr, "jifl script: --cpu: range %u-%u is backwards\n",
				n[0], n[1]);
			r = -1;
		}
		flt->nr_cpus += !r;
	}
	if (!r && !flt->nr_cpus) {
		fprintf(stderr, "jifl script: --cpu: give CPUs separated by commas, or ranges such as 0-3\n");
		r = -1;
	}
	free(buf);
	return r;
}

/* --event call,return (also "ret") */
static int parse_kinds(const char *arg, struct script_filter *flt)
{
	char *buf = strdup(arg), *save = NULL, *t;
	int r = 0;

	if (!buf)
		return -1;
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t k;

		if (!strcmp(t, "ret"))
			t = "return";
		for (k = 0; k < NR_EVENT_KINDS; k++)
			if (!strcmp(t, event_names[k]))
				break;
		if (k == NR_EVENT_KINDS) {
			fprintf(stderr, "jifl script: --event: unknown event '%s'; valid: call, return\n",
				t);
			r = -1;
			break;
		}
		flt->kinds[k] = true;
		flt->any_kind = false;
	}
	if (!r && flt->any_kind) {
		fprintf(stderr, "jifl script: --event: give events separated by commas: call, return\n");
		r = -1;
	}
	free(buf);
	return r;
}

static bool wanted(const struct script_filter *flt,
		   const struct report_event *e)
{
	size_t i;

	if (e->kind >= NR_EVENT_KINDS ||
	    (!flt->any_kind && !flt->kinds[e->kind]))
		return false;
	if (flt->nr_tids) {
		for (i = 0; i < flt->nr_tids; i++)
			if (flt->tids[i] == e->tid)
				break;
		if (i == flt->nr_tids)
			return false;
	}
	if (flt->nr_cpus) {
		for (i = 0; i < flt->nr_cpus; i++)
			if (e->cpu >= flt->cpus[2 * i] &&
			    e->cpu <= flt->cpus[2 * i + 1])
				break;
		if (i == flt->nr_cpus)
			return false;
	}
	return true;
}

/* The whole recording in time order; ties keep the file's order. */
static int cmp_time(const void *a, const void *b)
{
	const struct report_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An address as a name: "vfs_read+0x30", "ext4_llseek+0x10 [ext4]". */
static void fmt_place(char *buf, size_t len, struct report_resolver *res,
		      uint64_t addr)
{
	struct report_sym s;

	if (!report_resolve(res, addr, &s))
		/* x86-64: the lower half of the address space is user space */
		snprintf(buf, len, "%s", (int64_t)addr >= 0 ? "[user]" : "[no symbol]");
	else if (s.module[0])
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", s.name, s.offset,
			 s.module);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s.name, s.offset);
}

/*
 * "    100 [000]     0.000001100: call     1 ffffffff81004010
 * __x64_sys_read+0x10 => ksys_read+0x0 (ffffffff81002000)", one line:
 * thread [CPU] seconds: event depth site function+offset => target
 */
static void print_text(FILE *fp, const struct report_event *e,
		       struct report_resolver *res, uint64_t t0)
{
	char site[512], target[512];
	uint64_t ts = e->ts - t0;

	if (e->kind == REPORT_EV_RET && !e->site)
		snprintf(site, sizeof(site), "[native return]");
	else
		fmt_place(site, sizeof(site), res, e->site);
	fmt_place(target, sizeof(target), res, e->target);
	fprintf(fp, "%7" PRIu32 " [%03u] %5" PRIu64 ".%09" PRIu64 ": %-6s %3u %016" PRIx64 " %s => %s (%016" PRIx64 ")\n",
		e->tid, e->cpu, ts / UINT64_C(1000000000),
		ts % UINT64_C(1000000000),
		event_names[e->kind], e->depth, e->site, site, target,
		e->target);
}

/* "site": "0x...", "function": ..., "offset": ..., "module": ... */
static void json_place(FILE *fp, const char *prefix,
		       struct report_resolver *res, uint64_t addr, bool known)
{
	struct report_sym s;

	fprintf(fp, ", \"%s\": \"0x%016" PRIx64 "\"", prefix, addr);
	if (known && report_resolve(res, addr, &s)) {
		fprintf(fp, ", \"%s_function\": ", prefix);
		json_write_str(fp, s.name);
		fprintf(fp, ", \"%s_offset\": %" PRIu64 ", \"%s_module\": ",
			prefix, s.offset, prefix);
		json_write_str(fp, s.module[0] ? s.module : "vmlinux");
	} else {
		fprintf(fp, ", \"%s_function\": null, \"%s_offset\": null, \"%s_module\": null",
			prefix, prefix, prefix);
	}
}

static void print_json(FILE *fp, const struct report_event *e,
		       struct report_resolver *res, uint64_t t0)
{
	fprintf(fp, "{\"time_ns\": %" PRIu64 ", \"cpu\": %u, \"tid\": %" PRIu32
		", \"event\": \"%s\", \"depth\": %u",
		e->ts - t0, e->cpu, e->tid, event_names[e->kind], e->depth);
	json_place(fp, "site", res, e->site,
		   !(e->kind == REPORT_EV_RET && !e->site));
	json_place(fp, "target", res, e->target, true);
	fputs("}\n", fp);
}

static struct script_filter flt = { .any_kind = true };

static int opt_tid(const struct option *opt, const char *arg)
{
	(void)opt;
	return parse_tids(arg, &flt);
}

static int opt_cpu(const struct option *opt, const char *arg)
{
	(void)opt;
	return parse_cpus(arg, &flt);
}

static int opt_event(const struct option *opt, const char *arg)
{
	(void)opt;
	return parse_kinds(arg, &flt);
}

int cmd_script(int argc, const char **argv)
{
	const char *input = "jifl.data", *vmlinux = NULL, *symfs = NULL;
	bool json = false, reltime = false;
	uint64_t t0 = 0;
	long limit = LONG_MIN;	/* unset: every event */
	const struct option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "input file name (default: jifl.data)"),
		OPT_BOOLEAN(0, "json", &json,
			    "one JSON object per event and line"),
		OPT_BOOLEAN(0, "reltime", &reltime,
			    "times from the first event shown, not the clock's"),
		OPT_CALLBACK(0, "tid", "tid[,tid...]",
			     "only these threads", opt_tid),
		OPT_CALLBACK('C', "cpu", "cpu[,cpu|first-last...]",
			     "only events on these CPUs", opt_cpu),
		OPT_CALLBACK(0, "event", "call|return[,...]",
			     "only these events", opt_event),
		OPT_INTEGER(0, "limit", &limit, "n",
			    "stop after n events"),
		OPT_STRING('k', "vmlinux", &vmlinux, "file",
			   "vmlinux with debug info, for functions kallsyms lacks"),
		OPT_STRING(0, "symfs", &symfs, "dir",
			   "look for debug info under this root, and for NAME.ko in it"),
		OPT_END()
	};
	struct symbols_opts so = { NULL, NULL, true, stderr, "jifl script" };
	struct report_resolver *res = NULL;
	struct symbols *syms = NULL;
	struct report_events ev = { 0 };
	struct jd_file *f;
	char why[512];
	size_t i, shown = 0;
	int ret = 1;

	argc = parse_options(argc, argv, options, script_usage, 0);
	if (argc > 0) {
		fprintf(stderr, "jifl script: unexpected argument '%s'; see 'jifl script --help'\n",
			argv[0]);
		ret = EXIT_USAGE;
		goto out_flt;
	}
	if (limit != LONG_MIN && limit < 0) {
		fprintf(stderr, "jifl script: --limit: give a number of events, 0 or more\n");
		ret = EXIT_USAGE;
		goto out_flt;
	}
	f = jd_open(input, why, sizeof(why));
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "jifl script: %s: No such file; record one with `jifl record -e calltrace -- CMD`, or name another with -i\n",
				input);
		else
			fprintf(stderr, "jifl script: %s\n", why);
		goto out_flt;
	}
	if (!report_events_present(f)) {
		fprintf(stderr, "jifl script: no events in %s: record with -e calltrace (block counters of -e bbcount are shown by jifl report)\n",
			input);
		goto out;
	}
	if (report_events_read(f, &ev)) {
		fprintf(stderr, "jifl script: out of memory\n");
		goto out;
	}
	so.vmlinux = vmlinux;
	so.symfs = symfs;
	res = report_resolver_new(f, vmlinux || symfs, &so, &syms);
	if (!res) {
		fprintf(stderr, "jifl script: out of memory\n");
		goto out;
	}
	if (res->unusable)
		fprintf(stderr, "jifl script: warning: no symbols: %s\n",
			res->unusable);
	if (ev.bad)
		fprintf(stderr, "jifl script: warning: %zu call/return records too short, skipped\n",
			ev.bad);
	if (ev.lost)
		fprintf(stderr, "jifl script: WARNING: %" PRIu64 " records were lost in the kernel: events are missing; record again with larger rings (-m)\n",
			ev.lost);
	qsort(ev.ev, ev.n, sizeof(*ev.ev), cmp_time);
	for (i = 0; i < ev.n; i++) {
		if (limit != LONG_MIN && shown >= (size_t)limit)
			break;
		if (!wanted(&flt, &ev.ev[i]))
			continue;
		if (reltime && !shown)
			t0 = ev.ev[i].ts;
		if (json)
			print_json(stdout, &ev.ev[i], res, t0);
		else
			print_text(stdout, &ev.ev[i], res, t0);
		shown++;
	}
	ret = 0;
out:
	report_events_free(&ev);
	report_resolver_free(res);
	symbols_free(syms);
	jd_close(f);
out_flt:
	free(flt.tids);
	free(flt.cpus);
	return ret;
}
