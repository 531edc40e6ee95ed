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
#include "util/grow.h"
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
	size_t nr_tids, cap_tids;
	uint32_t *cpus;		/* pairs: first, last */
	size_t nr_cpus, cap_cpus;	/* pairs used; uint32_t slots */
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
		if (GROW(flt->tids, flt->cap_tids, flt->nr_tids + 1, 8)) {
			r = -1;
			break;
		}
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
		char *dash = strchr(t, '-');
		uint32_t *n;

		if (GROW(flt->cpus, flt->cap_cpus, 2 * (flt->nr_cpus + 1), 8)) {
			r = -1;
			break;
		}
		n = flt->cpus + 2 * flt->nr_cpus;
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
static bool ev_before(const struct report_event *x,
		      const struct report_event *y)
{
	return x->ts != y->ts ? x->ts < y->ts : x->seq < y->seq;
}

/*
 * The events in time order by a merge: the reader gives each thread's
 * in order, so the array is a few sorted stretches (one per thread),
 * merged through a heap of their heads; no sort of the whole array.
 */
struct merge {
	const struct report_event *ev;
	size_t *pos, *end;	/* per stretch: its next event, its end */
	size_t *heap;		/* stretches by their next event */
	size_t n;
};

static bool heap_less(const struct merge *m, size_t a, size_t b)
{
	return ev_before(&m->ev[m->pos[m->heap[a]]], &m->ev[m->pos[m->heap[b]]]);
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, k = i, t;

		if (l < m->n && heap_less(m, l, k))
			k = l;
		if (l + 1 < m->n && heap_less(m, l + 1, k))
			k = l + 1;
		if (k == i)
			return;
		t = m->heap[i];
		m->heap[i] = m->heap[k];
		m->heap[k] = t;
		i = k;
	}
}

static int merge_init(struct merge *m, const struct report_event *ev, size_t n)
{
	size_t i, k = 0, runs = n ? 1 : 0;

	memset(m, 0, sizeof(*m));
	m->ev = ev;
	for (i = 1; i < n; i++)
		runs += ev_before(&ev[i], &ev[i - 1]);
	m->pos = malloc((runs + 1) * sizeof(*m->pos));
	m->end = malloc((runs + 1) * sizeof(*m->end));
	m->heap = malloc((runs + 1) * sizeof(*m->heap));
	if (!m->pos || !m->end || !m->heap)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!i || ev_before(&ev[i], &ev[i - 1])) {
			if (k)
				m->end[k - 1] = i;
			m->pos[k] = i;
			m->heap[k] = k;
			k++;
		}
	if (k)
		m->end[k - 1] = n;
	m->n = k;
	for (i = m->n / 2; i-- > 0;)
		heap_down(m, i);
	return 0;
}

/* The next event in time order, or NULL */
static const struct report_event *merge_next(struct merge *m)
{
	const struct report_event *e;
	size_t r;

	if (!m->n)
		return NULL;
	r = m->heap[0];
	e = &m->ev[m->pos[r]++];
	if (m->pos[r] == m->end[r])
		m->heap[0] = m->heap[--m->n];
	heap_down(m, 0);
	return e;
}

static void merge_free(struct merge *m)
{
	free(m->pos);
	free(m->end);
	free(m->heap);
}

/*
 * Each address's text is made once (an address recurs on most lines):
 * address -> its formatted text, open addressing, the texts in an arena.
 */
struct place_cache {
	uint64_t *key;
	uint32_t *off, *len;	/* off + 1 in the arena; 0: empty slot */
	size_t cap, n;
	char *arena;
	size_t alen, acap;
};

typedef void (*place_fmt)(FILE *fp, struct report_resolver *res,
			  uint64_t addr);

static int cache_grow(struct place_cache *c)
{
	size_t cap = c->cap ? 2 * c->cap : 4096, i;
	uint64_t *key = calloc(cap, sizeof(*key));
	uint32_t *off = calloc(cap, sizeof(*off));
	uint32_t *len = calloc(cap, sizeof(*len));

	if (!key || !off || !len) {
		free(key);
		free(off);
		free(len);
		return -ENOMEM;
	}
	for (i = 0; i < c->cap; i++) {
		size_t h;

		if (!c->off[i])
			continue;
		h = (c->key[i] * 0x9e3779b97f4a7c15ULL) >> 20 & (cap - 1);
		while (off[h])
			h = (h + 1) & (cap - 1);
		key[h] = c->key[i];
		off[h] = c->off[i];
		len[h] = c->len[i];
	}
	free(c->key);
	free(c->off);
	free(c->len);
	c->key = key;
	c->off = off;
	c->len = len;
	c->cap = cap;
	return 0;
}

/* @addr's text by @fmt, made on first use; NULL if out of memory */
static const char *cache_get(struct place_cache *c, struct report_resolver *res,
			     uint64_t addr, place_fmt fmt, size_t *len)
{
	char *text = NULL;
	size_t h, n = 0;
	FILE *fp;

	if (2 * (c->n + 1) > c->cap && cache_grow(c))
		return NULL;
	h = (addr * 0x9e3779b97f4a7c15ULL) >> 20 & (c->cap - 1);
	while (c->off[h] && c->key[h] != addr)
		h = (h + 1) & (c->cap - 1);
	if (c->off[h]) {
		*len = c->len[h];
		return c->arena + c->off[h] - 1;
	}
	fp = open_memstream(&text, &n);
	if (!fp)
		return NULL;
	fmt(fp, res, addr);
	if (fclose(fp) || c->alen + n + 1 > UINT32_MAX - 1 ||
	    GROW(c->arena, c->acap, c->alen + n + 1, 65536)) {
		free(text);
		return NULL;
	}
	memcpy(c->arena + c->alen, text, n + 1);
	free(text);
	c->key[h] = addr;
	c->off[h] = (uint32_t)c->alen + 1;
	c->len[h] = (uint32_t)n;
	c->n++;
	c->alen += n + 1;
	*len = n;
	return c->arena + c->off[h] - 1;
}

static void cache_free(struct place_cache *c)
{
	free(c->key);
	free(c->off);
	free(c->len);
	free(c->arena);
}

/* The output, in large writes; the numbers formatted by hand */
struct out_buf {
	char *p;
	size_t len, cap;
	FILE *fp;
	bool err;
};

static void out_flush(struct out_buf *o)
{
	if (o->len && fwrite(o->p, 1, o->len, o->fp) != o->len)
		o->err = true;
	o->len = 0;
}

/* Room for @n more bytes (a line is far below the buffer's size) */
static char *out_room(struct out_buf *o, size_t n)
{
	if (o->len + n > o->cap)
		out_flush(o);
	if (n > o->cap) {
		if (GROW(o->p, o->cap, n, n)) {
			o->err = true;
			return NULL;
		}
	}
	return o->p + o->len;
}

/* @v in decimal, right-aligned in @width with @pad ("%7u", "%03u") */
static char *put_dec(char *p, uint64_t v, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (width-- > n)
		*p++ = pad;
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_hex16(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--) {
		p[i] = digits[v & 15];
		v >>= 4;
	}
	return p + 16;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* An address as a name: "vfs_read+0x30", "ext4_llseek+0x10 [ext4]". */
static void fmt_place(FILE *fp, struct report_resolver *res, uint64_t addr)
{
	struct report_sym s;
	char buf[512];

	if (!report_resolve(res, addr, &s))
		/* x86-64: the lower half of the address space is user space */
		snprintf(buf, sizeof(buf), "%s", (int64_t)addr >= 0 ? "[user]" : "[no symbol]");
	else if (s.module[0])
		snprintf(buf, sizeof(buf), "%s+0x%" PRIx64 " [%s]", s.name,
			 s.offset, s.module);
	else
		snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, s.name, s.offset);
	fputs(buf, fp);
}

/* The caches of the names printed, and the output */
struct printer {
	struct report_resolver *res;
	struct place_cache text, site, target;
	struct out_buf out;
	bool oom;
};

static const char *place(struct printer *pr, struct place_cache *c,
			 uint64_t addr, place_fmt fmt, size_t *len)
{
	const char *s = cache_get(c, pr->res, addr, fmt, len);

	if (!s) {
		pr->oom = true;
		*len = 0;
		return "";
	}
	return s;
}

/*
 * "    100 [000]     0.000001100: call     1 ffffffff81004010
 * __x64_sys_read+0x10 => ksys_read+0x0 (ffffffff81002000)", one line:
 * thread [CPU] seconds: event depth site function+offset => target
 */
static void print_text(struct printer *pr, const struct report_event *e,
		       uint64_t t0)
{
	static const char native[] = "[native return]";
	const char *site, *target, *kind = event_names[e->kind];
	size_t nsite, ntarget, nkind = strlen(kind);
	uint64_t ts = e->ts - t0;
	char *p, *p0, *arena;

	if (e->kind == REPORT_EV_RET && !e->site) {
		site = native;
		nsite = sizeof(native) - 1;
	} else {
		site = place(pr, &pr->text, e->site, fmt_place, &nsite);
	}
	arena = pr->text.arena;
	target = place(pr, &pr->text, e->target, fmt_place, &ntarget);
	if (site != native && pr->text.arena != arena)	/* it moved */
		site = place(pr, &pr->text, e->site, fmt_place, &nsite);
	p0 = p = out_room(&pr->out, nsite + ntarget + 160);
	if (!p)
		return;
	p = put_dec(p, e->tid, 7, ' ');
	p = put_str(p, " [", 2);
	p = put_dec(p, e->cpu, 3, '0');
	p = put_str(p, "] ", 2);
	p = put_dec(p, ts / UINT64_C(1000000000), 5, ' ');
	*p++ = '.';
	p = put_dec(p, ts % UINT64_C(1000000000), 9, '0');
	p = put_str(p, ": ", 2);
	p = put_str(p, kind, nkind);
	while (nkind++ < 6)
		*p++ = ' ';
	*p++ = ' ';
	p = put_dec(p, e->depth, 3, ' ');
	*p++ = ' ';
	p = put_hex16(p, e->site);
	*p++ = ' ';
	p = put_str(p, site, nsite);
	p = put_str(p, " => ", 4);
	p = put_str(p, target, ntarget);
	p = put_str(p, " (", 2);
	p = put_hex16(p, e->target);
	p = put_str(p, ")\n", 2);
	pr->out.len += (size_t)(p - p0);
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

static void json_site(FILE *fp, struct report_resolver *res, uint64_t addr)
{
	json_place(fp, "site", res, addr, true);
}

static void json_target(FILE *fp, struct report_resolver *res, uint64_t addr)
{
	json_place(fp, "target", res, addr, true);
}

static void print_json(struct printer *pr, const struct report_event *e,
		       uint64_t t0)
{
	const char *kind = event_names[e->kind], *site, *target;
	size_t nsite, ntarget;
	char native[256];
	char *p, *p0;

	if (e->kind == REPORT_EV_RET && !e->site) {
		FILE *fp = fmemopen(native, sizeof(native), "w");

		if (!fp) {
			pr->oom = true;
			return;
		}
		json_place(fp, "site", pr->res, e->site, false);
		nsite = (size_t)ftell(fp);
		fclose(fp);
		site = native;
	} else {
		site = place(pr, &pr->site, e->site, json_site, &nsite);
	}
	target = place(pr, &pr->target, e->target, json_target, &ntarget);
	p0 = p = out_room(&pr->out, nsite + ntarget + 160);
	if (!p)
		return;
	p = put_str(p, "{\"time_ns\": ", 12);
	p = put_dec(p, e->ts - t0, 0, ' ');
	p = put_str(p, ", \"cpu\": ", 9);
	p = put_dec(p, e->cpu, 0, ' ');
	p = put_str(p, ", \"tid\": ", 9);
	p = put_dec(p, e->tid, 0, ' ');
	p = put_str(p, ", \"event\": \"", 12);
	p = put_str(p, kind, strlen(kind));
	p = put_str(p, "\", \"depth\": ", 12);
	p = put_dec(p, e->depth, 0, ' ');
	p = put_str(p, site, nsite);
	p = put_str(p, target, ntarget);
	p = put_str(p, "}\n", 2);
	pr->out.len += (size_t)(p - p0);
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
	struct printer pr = { 0 };
	const struct report_event *e;
	struct merge m = { 0 };
	struct jd_file *f;
	char why[512];
	size_t shown = 0;
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
	pr.res = res;
	pr.out.fp = stdout;
	pr.out.cap = 1 << 20;
	pr.out.p = malloc(pr.out.cap);
	if (!pr.out.p || merge_init(&m, ev.ev, ev.n)) {
		fprintf(stderr, "jifl script: out of memory\n");
		goto out;
	}
	while ((e = merge_next(&m)) && !pr.oom && !pr.out.err) {
		if (limit != LONG_MIN && shown >= (size_t)limit)
			break;
		if (!wanted(&flt, e))
			continue;
		if (reltime && !shown)
			t0 = e->ts;
		if (json)
			print_json(&pr, e, t0);
		else
			print_text(&pr, e, t0);
		shown++;
	}
	out_flush(&pr.out);
	if (pr.oom)
		fprintf(stderr, "jifl script: out of memory\n");
	else if (pr.out.err || fflush(stdout))
		fprintf(stderr, "jifl script: write error: %s\n", strerror(errno));
	else
		ret = 0;
out:
	merge_free(&m);
	cache_free(&pr.text);
	cache_free(&pr.site);
	cache_free(&pr.target);
	free(pr.out.p);
	report_events_free(&ev);
	report_resolver_free(res);
	symbols_free(syms);
	jd_close(f);
out_flt:
	free(flt.tids);
	free(flt.cpus);
	return ret;
}
