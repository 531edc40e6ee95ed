// SPDX-License-Identifier: GPL-2.0
/*
 * Call graphs from calltrace events; see report-calls.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/report-calls.h"
#include "util/json-write.h"
#include "util/csv-write.h"

static uint64_t hash64(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	a *= 0xc4ceb9fe1a85ec53ULL;
	a ^= a >> 33;
	return a;
}

/* ---- functions: callee address -> function ------------------------------ */

/*
 * 64-bit key -> index + 1 (0: none), open addressing; key and value side
 * by side, so that a probe reads one cache line
 */
struct amap_ent {
	uint64_t key;
	uint32_t val;
};

struct addr_map {
	struct amap_ent *e;
	size_t cap, n;
};

static int amap_grow(struct addr_map *m)
{
	size_t cap = m->cap ? 2 * m->cap : 1024, i;
	struct amap_ent *e = calloc(cap, sizeof(*e));

	if (!e)
		return -ENOMEM;
	grow_advise_huge(e, cap * sizeof(*e));
	for (i = 0; i < m->cap; i++) {
		size_t h;

		if (!m->e[i].val)
			continue;
		h = hash64(m->e[i].key) & (cap - 1);
		while (e[h].val)
			h = (h + 1) & (cap - 1);
		e[h] = m->e[i];
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
	return 0;
}

/* Index + 1 of @key, or 0; with @add, the slot to fill is *slot. */
static uint32_t *amap_slot(struct addr_map *m, uint64_t key)
{
	size_t h;

	if (2 * (m->n + 1) > m->cap && amap_grow(m))
		return NULL;
	h = hash64(key) & (m->cap - 1);
	while (m->e[h].val && m->e[h].key != key)
		h = (h + 1) & (m->cap - 1);
	if (!m->e[h].val)
		m->e[h].key = key;
	return &m->e[h].val;
}

struct frame {
	uint32_t node, func;
	uint64_t ts, child_ns;
	uint64_t site;
	uint32_t last_child;	/* the node it called last, or CALLS_NONE */
};

struct build {
	struct report_calls *rc;
	struct report_resolver *res;
	struct addr_map by_addr;	/* callee address -> function */
	struct addr_map by_key;		/* function key -> function */
	struct addr_map children;	/* (parent, function) -> node */
	FILE *chrome;
	report_calls_slice_fn slice_fn;
	void *slice_arg;
	/* replaying: the current thread's open calls */
	struct frame *st;
	size_t sp, cap;
	uint32_t root_last;	/* the thread's last system call's node */
	uint32_t tid;
	uint64_t last;		/* its latest event */
	bool in_thread, seen;
};

static int64_t func_of(struct build *b, uint64_t callee)
{
	struct report_calls *rc = b->rc;
	struct report_sym sym;
	uint32_t *slot, *kslot;
	struct call_func *f;
	uint64_t key;
	bool known;

	slot = amap_slot(&b->by_addr, callee);
	if (!slot)
		return -ENOMEM;
	if (*slot)
		return *slot - 1;
	b->by_addr.n++;
	known = report_resolve(b->res, callee, &sym);
	key = known ? sym.start : callee;
	kslot = amap_slot(&b->by_key, key);
	if (!kslot)
		return -ENOMEM;
	if (*kslot) {
		*slot = *kslot;
		return *kslot - 1;
	}
	b->by_key.n++;
	if (GROW(rc->funcs, rc->cap_funcs, rc->nr_funcs + 1, 256))
		return -ENOMEM;
	f = &rc->funcs[rc->nr_funcs];
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->known = known;
	f->name = known ? sym.name : NULL;
	f->module = known ? sym.module : "";
	*kslot = *slot = (uint32_t)++rc->nr_funcs;
	return (int64_t)rc->nr_funcs - 1;
}

static int64_t add_node(struct report_calls *rc, uint32_t parent,
			uint32_t func)
{
	struct call_node *n;

	if (GROW(rc->nodes, rc->cap_nodes, rc->nr_nodes + 1, 1024))
		return -ENOMEM;
	n = &rc->nodes[rc->nr_nodes];
	memset(n, 0, sizeof(*n));
	n->func = func;
	n->parent = parent;
	n->first_child = n->next_sibling = CALLS_NONE;
	n->first_call = n->next_call = CALLS_NONE;
	if (parent != CALLS_NONE) {
		n->next_sibling = rc->nodes[parent].first_child;
		rc->nodes[parent].first_child = (uint32_t)rc->nr_nodes;
		rc->nodes[parent].nr_children++;
	}
	return (int64_t)rc->nr_nodes++;
}

/* Up to this many children are found on their list, more by the map */
#define FEW_CHILDREN	8

static int child_map_add(struct build *b, uint32_t parent, uint32_t node)
{
	uint64_t key = ((uint64_t)parent << 32) | b->rc->nodes[node].func;
	uint32_t *slot = amap_slot(&b->children, key);

	if (!slot)
		return -ENOMEM;
	b->children.n++;
	*slot = node + 1;
	return 0;
}

static int64_t child_of(struct build *b, uint32_t parent, uint32_t func)
{
	struct report_calls *rc = b->rc;
	uint32_t *slot, c;
	int64_t n;

	if (rc->nodes[parent].nr_children <= FEW_CHILDREN) {
		for (c = rc->nodes[parent].first_child; c != CALLS_NONE;
		     c = rc->nodes[c].next_sibling)
			if (rc->nodes[c].func == func)
				return c;
		n = add_node(rc, parent, func);
		if (n < 0 || rc->nodes[parent].nr_children <= FEW_CHILDREN)
			return n;
		/* now too many for the list: all go to the map */
		for (c = rc->nodes[parent].first_child; c != CALLS_NONE;
		     c = rc->nodes[c].next_sibling)
			if (child_map_add(b, parent, c))
				return -ENOMEM;
		return n;
	}
	slot = amap_slot(&b->children, ((uint64_t)parent << 32) | func);
	if (!slot)
		return -ENOMEM;
	if (*slot)
		return *slot - 1;
	n = add_node(rc, parent, func);
	if (n < 0)
		return n;
	b->children.n++;
	*slot = (uint32_t)n + 1;
	return n;
}

static void chrome_event(struct build *b, const struct frame *fr,
			 uint64_t end, uint32_t tid, bool unfinished)
{
	const struct call_func *f = &b->rc->funcs[fr->func];
	char name[512];
	const char *s;

	report_calls_func_name(name, sizeof(name), f);
	fprintf(b->chrome, ",\n{\"name\": \"");
	for (s = name; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', b->chrome);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, b->chrome);
	}
	fprintf(b->chrome, "\", \"cat\": \"%s\", \"ph\": \"X\", \"ts\": %" PRIu64 ".%03u, \"dur\": %" PRIu64 ".%03u, \"pid\": 0, \"tid\": %u, \"args\": {\"site\": \"0x%016" PRIx64 "\"%s}}",
		fr->node && b->rc->nodes[fr->node].parent == 0 ? "syscall" : "call",
		fr->ts / 1000, (unsigned int)(fr->ts % 1000),
		(end - fr->ts) / 1000, (unsigned int)((end - fr->ts) % 1000),
		tid, fr->site, unfinished ? ", \"unfinished\": true" : "");
}

/* Closes the top frame at @end: its time goes to its node and caller. */
static void pop(struct build *b, struct frame *st, size_t *sp, uint64_t end,
		uint32_t tid, bool unfinished)
{
	struct report_calls *rc = b->rc;
	struct frame *fr = &st[--*sp];
	uint64_t dur = end >= fr->ts ? end - fr->ts : 0;
	uint64_t self = dur >= fr->child_ns ? dur - fr->child_ns : 0;
	struct call_node *n = &rc->nodes[fr->node];
	struct call_func *f = &rc->funcs[fr->func];

	n->total_ns += dur;
	n->self_ns += self;
	f->self_ns += self;
	if (--f->active == 0)	/* recursion: count the outermost only */
		f->total_ns += dur;
	if (*sp) {
		st[*sp - 1].child_ns += dur;
	} else {
		rc->total_ns += dur;
		rc->threads[rc->nr_threads - 1].total_ns += dur;
	}
	if (b->chrome)
		chrome_event(b, fr, end, tid, unfinished);
	if (b->slice_fn) {
		struct report_call_slice s = { fr->ts, fr->ts + dur, tid,
					       fr->func, (uint32_t)*sp,
					       unfinished };

		b->slice_fn(b->slice_arg, &s);
	}
}

/* A thread's first event: its row, an empty stack */
static int thread_begin(struct build *b, const struct report_event *e)
{
	struct report_calls *rc = b->rc;

	if (GROW(rc->threads, rc->cap_threads, rc->nr_threads + 1, 64))
		return -ENOMEM;
	memset(&rc->threads[rc->nr_threads], 0, sizeof(*rc->threads));
	rc->threads[rc->nr_threads].tid = e->tid;
	rc->threads[rc->nr_threads].first_ts = e->ts;
	rc->nr_threads++;
	b->tid = e->tid;
	b->last = e->ts;
	b->sp = 0;
	b->root_last = CALLS_NONE;
	b->in_thread = true;
	return 0;
}

/* The thread's last event was seen: what is still open never returned */
static void thread_end(struct build *b)
{
	struct report_calls *rc = b->rc;

	while (b->sp) {	/* the recording ended inside these calls */
		rc->unfinished++;
		pop(b, b->st, &b->sp, b->last, b->tid, true);
	}
	rc->threads[rc->nr_threads - 1].last_ts = b->last;
	b->in_thread = false;
}

static int call_event(struct build *b, const struct report_event *e)
{
	struct report_calls *rc = b->rc;
	uint32_t parent, last, guess;
	struct frame *fr;
	int64_t fn, node;

	/* records lost in between: close what is deeper */
	while (b->sp > e->depth) {
		rc->unfinished++;
		pop(b, b->st, &b->sp, e->ts, b->tid, true);
	}
	/*
	 * A caller makes the same calls in the same order each time it
	 * runs, mostly: the child that followed the last one called (or
	 * came first) the last time is the likely one, checked by its
	 * callee address, before the maps of functions and children
	 */
	parent = b->sp ? b->st[b->sp - 1].node : 0;
	last = b->sp ? b->st[b->sp - 1].last_child : b->root_last;
	guess = last == CALLS_NONE ? rc->nodes[parent].first_call :
		rc->nodes[last].next_call;
	if (guess != CALLS_NONE && rc->nodes[guess].callee == e->target) {
		node = guess;
		fn = rc->nodes[guess].func;
	} else {
		fn = func_of(b, e->target);
		if (fn < 0)
			return -ENOMEM;
		node = child_of(b, parent, (uint32_t)fn);
		if (node < 0)
			return -ENOMEM;
		rc->nodes[node].callee = e->target;
		if (last == CALLS_NONE)
			rc->nodes[parent].first_call = (uint32_t)node;
		else
			rc->nodes[last].next_call = (uint32_t)node;
	}
	if (b->sp)
		b->st[b->sp - 1].last_child = (uint32_t)node;
	else
		b->root_last = (uint32_t)node;
	if (GROW(b->st, b->cap, b->sp + 1, 64))
		return -ENOMEM;
	fr = &b->st[b->sp++];
	fr->node = (uint32_t)node;
	fr->func = (uint32_t)fn;
	fr->ts = e->ts;
	fr->child_ns = 0;
	fr->site = e->site;
	fr->last_child = CALLS_NONE;
	rc->nodes[node].calls++;
	rc->threads[rc->nr_threads - 1].calls++;
	rc->threads[rc->nr_threads - 1].syscalls += b->sp == 1;
	rc->funcs[fn].calls++;
	rc->funcs[fn].active++;
	rc->nr_calls++;
	return 0;
}

/* Events by thread, then time, a batch at a time (report_events_fn) */
static int build_feed(void *arg, const struct report_event *ev, size_t n)
{
	struct build *b = arg;
	struct report_calls *rc = b->rc;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct report_event *e = &ev[i];

		if (!b->seen) {
			rc->first_ts = rc->last_ts = e->ts;
			b->seen = true;
		}
		if (!b->in_thread || e->tid != b->tid) {
			if (b->in_thread)
				thread_end(b);
			if (thread_begin(b, e))
				return -ENOMEM;
		}
		b->last = e->ts;
		if (e->ts < rc->first_ts)
			rc->first_ts = e->ts;
		if (e->ts > rc->last_ts)
			rc->last_ts = e->ts;
		if (e->kind == REPORT_EV_CALL) {
			if (call_event(b, e))
				return -ENOMEM;
			continue;
		}
		/* a return of depth d closes the frame at index d */
		if (b->sp <= e->depth) {
			rc->unmatched_rets++;
			continue;
		}
		while (b->sp > (size_t)e->depth + 1) {
			rc->unfinished++;
			pop(b, b->st, &b->sp, e->ts, b->tid, true);
		}
		pop(b, b->st, &b->sp, e->ts, b->tid, false);
	}
	return 0;
}

static int build_begin(struct build *b, struct report_calls *rc,
		       struct report_resolver *res, FILE *chrome,
		       report_calls_slice_fn slice_fn, void *slice_arg)
{
	memset(b, 0, sizeof(*b));
	b->rc = rc;
	b->res = res;
	b->chrome = chrome;
	b->slice_fn = slice_fn;
	b->slice_arg = slice_arg;
	memset(rc, 0, sizeof(*rc));
	return add_node(rc, CALLS_NONE, CALLS_NONE) < 0 ? -ENOMEM : 0;
}

static int build_end(struct build *b, int ret, const struct report_events *ev)
{
	if (!ret && b->in_thread)
		thread_end(b);
	b->rc->lost = ev->lost;
	b->rc->nr_records = ev->n;
	free(b->st);
	free(b->by_addr.e);
	free(b->by_key.e);
	free(b->children.e);
	if (ret)
		report_calls_free(b->rc);
	return ret;
}

static int build(struct report_calls *rc, const struct report_events *ev,
		 struct report_resolver *res, FILE *chrome,
		 report_calls_slice_fn slice_fn, void *slice_arg)
{
	struct build b;
	int ret = build_begin(&b, rc, res, chrome, slice_fn, slice_arg);

	if (!ret)
		ret = build_feed(&b, ev->ev, ev->n);
	return build_end(&b, ret, ev);
}

int report_calls_build(struct report_calls *rc, const struct report_events *ev,
		       struct report_resolver *res, FILE *chrome)
{
	return build(rc, ev, res, chrome, NULL, NULL);
}

int report_calls_build_slices(struct report_calls *rc,
			      const struct report_events *ev,
			      struct report_resolver *res,
			      report_calls_slice_fn fn, void *arg)
{
	return build(rc, ev, res, NULL, fn, arg);
}

int report_calls_build_file(struct report_calls *rc, const struct jd_file *f,
			    struct report_resolver *res,
			    report_calls_slice_fn fn, void *arg,
			    struct report_events *info)
{
	struct build b;
	int ret = build_begin(&b, rc, res, NULL, fn, arg);

	memset(info, 0, sizeof(*info));
	if (!ret)
		ret = report_events_stream(f, build_feed, &b, info);
	if (ret)
		ret = -ENOMEM;
	return build_end(&b, ret, info);
}

void report_calls_free(struct report_calls *rc)
{
	free(rc->threads);
	free(rc->funcs);
	free(rc->nodes);
	memset(rc, 0, sizeof(*rc));
}

void report_calls_func_name(char *buf, size_t len, const struct call_func *f)
{
	if (!f->known)
		snprintf(buf, len, "0x%016" PRIx64, f->key);
	else if (f->module && f->module[0])
		snprintf(buf, len, "%s [%s]", f->name, f->module);
	else
		snprintf(buf, len, "%s", f->name);
}

/* ---- output -------------------------------------------------------------- */

static double pct(uint64_t a, uint64_t total)
{
	return total ? 100.0 * (double)a / (double)total : 0.0;
}

static const struct report_calls *sort_rc;

static int cmp_func_total(const void *a, const void *b)
{
	const struct call_func *x = &sort_rc->funcs[*(const uint32_t *)a];
	const struct call_func *y = &sort_rc->funcs[*(const uint32_t *)b];

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->self_ns != y->self_ns)
		return x->self_ns > y->self_ns ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

void report_calls_loss_warning(FILE *fp, const struct report_calls *rc,
			       const char *prefix)
{
	double all = (double)rc->lost + (double)rc->nr_records;

	if (!rc->lost)
		return;
	fprintf(fp, "%sWARNING: %" PRIu64 " of %.0f records (%.1f%%) were lost in the kernel: calls and times below are lower bounds; record again with larger rings (-m) or fewer events\n",
		prefix, rc->lost, all, 100.0 * (double)rc->lost / all);
}

/* In JSON entries, so that scripts see a lossy recording too. */
static void json_loss(FILE *fp, const struct report_calls *rc)
{
	if (rc && rc->lost)
		fprintf(fp, ", \"records_lost\": %" PRIu64, rc->lost);
}

static void print_header(FILE *fp, const struct report_calls *rc)
{
	report_calls_loss_warning(fp, rc, "# ");
	fprintf(fp, "# calls           : %" PRIu64 " in %zu thread%s over %.6f s\n",
		rc->nr_calls, rc->nr_threads, rc->nr_threads == 1 ? "" : "s",
		(double)(rc->last_ts - rc->first_ts) / 1e9);
	fprintf(fp, "# time in calls   : %" PRIu64 " ns (system calls' total)\n",
		rc->total_ns);
	if (rc->unmatched_rets || rc->unfinished || rc->lost)
		fprintf(fp, "# incomplete      : %zu return%s without a recorded call, %zu call%s without a return, %" PRIu64 " record%s lost\n",
			rc->unmatched_rets, rc->unmatched_rets == 1 ? "" : "s",
			rc->unfinished, rc->unfinished == 1 ? "" : "s",
			rc->lost, rc->lost == 1 ? "" : "s");
	fprintf(fp, "#\n");
}

void report_calls_print_flat(FILE *fp, const struct report_calls *rc,
			     enum report_calls_format fmt, double percent_limit)
{
	uint32_t *idx = malloc((rc->nr_funcs ? rc->nr_funcs : 1) * sizeof(*idx));
	char name[512];
	bool first = true;
	size_t i;

	if (!idx)
		return;
	for (i = 0; i < rc->nr_funcs; i++)
		idx[i] = (uint32_t)i;
	sort_rc = rc;
	qsort(idx, rc->nr_funcs, sizeof(*idx), cmp_func_total);
	if (fmt == CALLS_TEXT) {
		print_header(fp, rc);
		fprintf(fp, "#   Total     Self       Calls     Total ns      Self ns  Function\n");
		fprintf(fp, "# .......  .......  ..........  ...........  ...........  ........\n#\n");
	} else if (fmt == CALLS_JSON) {
		fputc('[', fp);
	} else {
		fprintf(fp, "total_percent,self_percent,calls,total_ns,self_ns,function,module,address\n");
	}
	for (i = 0; i < rc->nr_funcs; i++) {
		const struct call_func *f = &rc->funcs[idx[i]];

		if (pct(f->total_ns, rc->total_ns) < percent_limit)
			continue;
		report_calls_func_name(name, sizeof(name), f);
		if (fmt == CALLS_TEXT) {
			fprintf(fp, "%8.2f%% %7.2f%%  %10" PRIu64 "  %11" PRIu64 "  %11" PRIu64 "  %s\n",
				pct(f->total_ns, rc->total_ns),
				pct(f->self_ns, rc->total_ns), f->calls,
				f->total_ns, f->self_ns, name);
		} else if (fmt == CALLS_JSON) {
			fprintf(fp, "%s\n  {\"total_percent\": %.2f, \"self_percent\": %.2f, \"calls\": %" PRIu64 ", \"total_ns\": %" PRIu64 ", \"self_ns\": %" PRIu64 ", \"function\": ",
				first ? "" : ",", pct(f->total_ns, rc->total_ns),
				pct(f->self_ns, rc->total_ns), f->calls,
				f->total_ns, f->self_ns);
			json_write_str(fp, f->known ? f->name : NULL);
			fprintf(fp, ", \"module\": ");
			json_write_str(fp, f->known ? (f->module[0] ? f->module : "vmlinux") : NULL);
			fprintf(fp, ", \"address\": \"0x%016" PRIx64 "\"", f->key);
			json_loss(fp, rc);
			fputc('}', fp);
		} else {
			fprintf(fp, "%.2f,%.2f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
				pct(f->total_ns, rc->total_ns),
				pct(f->self_ns, rc->total_ns), f->calls,
				f->total_ns, f->self_ns);
			if (f->known)
				csv_write_str(fp, f->name);
			fprintf(fp, ",%s,0x%016" PRIx64 "\n",
				f->known ? (f->module[0] ? f->module : "vmlinux") : "",
				f->key);
		}
		first = false;
	}
	if (fmt == CALLS_JSON)
		fputs(first ? "]\n" : "\n]\n", fp);
	free(idx);
}

/* Children of @n, hottest (by @by_self: self, else total) first. */
static size_t sorted_children(const struct report_calls *rc, uint32_t n,
			      uint32_t **out, bool by_self)
{
	size_t k = 0, i, j;
	uint32_t c, *a;

	for (c = rc->nodes[n].first_child; c != CALLS_NONE;
	     c = rc->nodes[c].next_sibling)
		k++;
	a = malloc((k ? k : 1) * sizeof(*a));
	*out = a;
	if (!a)
		return 0;
	for (c = rc->nodes[n].first_child, i = 0; c != CALLS_NONE;
	     c = rc->nodes[c].next_sibling)
		a[i++] = c;
	for (i = 1; i < k; i++) {	/* insertion sort: few children */
		uint32_t v = a[i];
		uint64_t w = by_self ? rc->nodes[v].self_ns : rc->nodes[v].total_ns;

		for (j = i; j > 0; j--) {
			uint32_t u = a[j - 1];
			uint64_t x = by_self ? rc->nodes[u].self_ns :
					       rc->nodes[u].total_ns;

			if (x > w || (x == w && rc->nodes[u].func <= rc->nodes[v].func))
				break;
			a[j] = u;
		}
		a[j] = v;
	}
	return k;
}

struct tree_ctx {
	FILE *fp;
	const struct report_calls *rc;	/* the tree printed */
	const struct report_calls *names;	/* whose funcs name nodes */
	enum report_calls_format fmt;
	double limit;
	uint64_t total;
	bool callee;
	bool first;
};

static void print_node(struct tree_ctx *t, uint32_t n, unsigned int depth)
{
	const struct call_node *nd = &t->rc->nodes[n];
	const struct call_func *f = &t->names->funcs[nd->func];
	uint64_t w = t->callee ? nd->self_ns : nd->total_ns;
	char name[512];
	uint32_t *kids;
	size_t k, i;

	if (pct(w, t->total) < t->limit)
		return;
	report_calls_func_name(name, sizeof(name), f);
	if (t->fmt == CALLS_TEXT) {
		if (t->callee)
			fprintf(t->fp, "%8.2f%%  %10" PRIu64 "  %11" PRIu64 "  %*s%s\n",
				pct(nd->self_ns, t->total), nd->calls,
				nd->self_ns, 2 * depth, "", name);
		else
			fprintf(t->fp, "%8.2f%% %7.2f%%  %10" PRIu64 "  %11" PRIu64 "  %11" PRIu64 "  %*s%s\n",
				pct(nd->total_ns, t->total),
				pct(nd->self_ns, t->total), nd->calls,
				nd->total_ns, nd->self_ns, 2 * depth, "", name);
	} else {
		fprintf(t->fp, "%s{\"function\": ", t->first ? "" : ", ");
		json_write_str(t->fp, f->known ? f->name : NULL);
		fprintf(t->fp, ", \"module\": ");
		json_write_str(t->fp, f->known ? (f->module[0] ? f->module : "vmlinux") : NULL);
		fprintf(t->fp, ", \"address\": \"0x%016" PRIx64 "\", \"calls\": %" PRIu64 ", \"total_ns\": %" PRIu64 ", \"self_ns\": %" PRIu64,
			f->key, nd->calls, nd->total_ns, nd->self_ns);
		if (!depth)
			json_loss(t->fp, t->names);
		fprintf(t->fp, ", \"children\": [");
		t->first = true;
	}
	k = sorted_children(t->rc, n, &kids, t->callee);
	for (i = 0; i < k; i++)
		print_node(t, kids[i], depth + 1);
	free(kids);
	if (t->fmt != CALLS_TEXT) {
		fputs("]}", t->fp);
		t->first = false;
	}
}

/*
 * The callee tree: for each node with self time, its path read upwards
 * (the function, its caller, their caller...) gets that self time.
 */
static int invert(const struct report_calls *rc, struct report_calls *inv)
{
	struct addr_map children = { 0 };
	size_t n;
	int ret = -ENOMEM;

	memset(inv, 0, sizeof(*inv));
	if (add_node(inv, CALLS_NONE, CALLS_NONE) < 0)
		return -ENOMEM;
	for (n = 1; n < rc->nr_nodes; n++) {
		const struct call_node *nd = &rc->nodes[n];
		uint32_t at = 0, up;

		if (!nd->self_ns && !nd->calls)
			continue;
		for (up = (uint32_t)n; up && up != CALLS_NONE;
		     up = rc->nodes[up].parent) {
			uint64_t key = ((uint64_t)at << 32) | rc->nodes[up].func;
			uint32_t *slot = amap_slot(&children, key);
			int64_t c;

			if (!slot)
				goto out;
			if (!*slot) {
				c = add_node(inv, at, rc->nodes[up].func);
				if (c < 0)
					goto out;
				children.n++;
				*slot = (uint32_t)c + 1;
			}
			at = *slot - 1;
			inv->nodes[at].self_ns += nd->self_ns;
			inv->nodes[at].calls += nd->calls;
		}
	}
	ret = 0;
out:
	free(children.e);
	return ret;
}

void report_calls_print_tree(FILE *fp, const struct report_calls *rc,
			     bool callee, enum report_calls_format fmt,
			     double percent_limit)
{
	struct report_calls inv;
	struct tree_ctx t = { fp, rc, rc, fmt == CALLS_CSV ? CALLS_JSON : fmt,
			      percent_limit, rc->total_ns, callee, true };
	uint32_t *kids;
	size_t k, i;

	if (callee) {
		if (invert(rc, &inv))
			return;
		t.rc = &inv;
	}
	if (t.fmt == CALLS_TEXT) {
		print_header(fp, rc);
		if (callee)
			fprintf(fp, "# callee graph: each function's self time, then who called it\n#\n#    Self       Calls      Self ns  Function <- callers\n");
		else
			fprintf(fp, "# caller graph: system calls, then what they called\n#\n#   Total     Self       Calls     Total ns      Self ns  Function\n");
		fprintf(fp, "#\n");
	} else {
		fputc('[', fp);
	}
	k = sorted_children(t.rc, 0, &kids, callee);
	for (i = 0; i < k; i++)
		print_node(&t, kids[i], 0);
	free(kids);
	if (t.fmt != CALLS_TEXT)
		fputs("]\n", fp);
	if (callee)
		report_calls_free(&inv);
}

static void folded_node(FILE *fp, const struct report_calls *rc, uint32_t n,
			char *path, size_t len, size_t used)
{
	const struct call_node *nd = &rc->nodes[n];
	char name[512];
	size_t add;
	uint32_t c;
	char *s;

	report_calls_func_name(name, sizeof(name), &rc->funcs[nd->func]);
	for (s = name; *s; s++)	/* ';' separates frames, ' ' the count */
		if (*s == ';' || *s == ' ')
			*s = *s == ' ' ? '_' : ':';
	add = strlen(name) + (used ? 1 : 0);
	if (used + add + 1 >= len)
		return;
	if (used)
		path[used] = ';';
	memcpy(path + used + (used ? 1 : 0), name, strlen(name) + 1);
	if (nd->self_ns)
		fprintf(fp, "%s %" PRIu64 "\n", path, nd->self_ns);
	for (c = nd->first_child; c != CALLS_NONE; c = rc->nodes[c].next_sibling)
		folded_node(fp, rc, c, path, len, used + add);
	path[used] = '\0';
}

void report_calls_print_folded(FILE *fp, const struct report_calls *rc)
{
	static char path[65536];
	uint32_t c;

	path[0] = '\0';
	for (c = rc->nodes[0].first_child; c != CALLS_NONE;
	     c = rc->nodes[c].next_sibling)
		folded_node(fp, rc, c, path, sizeof(path), 0);
}

/* Calls and distinct functions below @n (marking functions in @seen). */
static void below(const struct report_calls *rc, uint32_t n, uint8_t *seen,
		  uint64_t *calls, uint64_t *funcs)
{
	uint32_t c;

	for (c = rc->nodes[n].first_child; c != CALLS_NONE;
	     c = rc->nodes[c].next_sibling) {
		*calls += rc->nodes[c].calls;
		if (!seen[rc->nodes[c].func]) {
			seen[rc->nodes[c].func] = 1;
			(*funcs)++;
		}
		below(rc, c, seen, calls, funcs);
	}
}

/* One line of the per-system-call table */
struct sys_row {
	const char *sym;	/* NULL when unknown */
	const char *module;
	uint64_t key;		/* symbol start, or the address */
	bool ct, ss;		/* from calltrace events, sysstat's dump */
	uint64_t calls, total_ns, funcs, calls_below;	/* calltrace */
	uint64_t ss_calls, blocks, insns;		/* sysstat */
};

static double per_call(uint64_t v, uint64_t calls)
{
	return calls ? (double)v / calls : 0.0;
}

static int cmp_row_insns(const void *a, const void *b)
{
	const struct sys_row *x = a, *y = b;

	if (x->insns != y->insns)
		return x->insns > y->insns ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* The rows: calltrace's system calls by time, then sysstat's others */
static struct sys_row *syscall_rows(const struct report_calls *rc,
				    const struct jd_sysstat *ss,
				    struct report_resolver *res, size_t *nr)
{
	size_t cap = (rc ? rc->nr_nodes : 0) + (ss ? ss->nr_funcs : 0) + 1;
	struct sys_row *rows = calloc(cap, sizeof(*rows));
	uint8_t *seen = rc ? calloc(rc->nr_funcs ? rc->nr_funcs : 1, 1) : NULL;
	uint32_t *kids = NULL;
	size_t k = 0, i, j, n = 0, first_ss;

	if (!rows || (rc && !seen))
		goto fail;
	if (rc) {
		k = sorted_children(rc, 0, &kids, false);
		if (!kids)
			goto fail;
	}
	for (i = 0; i < k; i++) {
		const struct call_node *nd = &rc->nodes[kids[i]];
		const struct call_func *f = &rc->funcs[nd->func];
		struct sys_row *r = &rows[n++];

		memset(seen, 0, rc->nr_funcs);
		below(rc, kids[i], seen, &r->calls_below, &r->funcs);
		r->sym = f->known ? f->name : NULL;
		r->module = f->known ? f->module : "";
		r->key = f->key;
		r->ct = true;
		r->calls = nd->calls;
		r->total_ns = nd->total_ns;
	}
	first_ss = n;
	for (i = 0; ss && i < ss->nr_funcs; i++) {
		const struct jd_sysstat_func *sf = &ss->funcs[i];
		struct report_sym sym;
		bool known = report_resolve(res, sf->func, &sym);
		uint64_t key = known ? sym.start : sf->func;
		struct sys_row *r = NULL;

		for (j = 0; j < first_ss && !r; j++)
			if (rows[j].key == key && !rows[j].ss)
				r = &rows[j];
		if (!r) {
			r = &rows[n++];
			r->sym = known ? sym.name : NULL;
			r->module = known ? sym.module : "";
			r->key = key;
		}
		r->ss = true;
		r->ss_calls += sf->calls;
		r->blocks += sf->blocks;
		r->insns += sf->insns;
	}
	qsort(rows + first_ss, n - first_ss, sizeof(*rows), cmp_row_insns);
	free(kids);
	free(seen);
	*nr = n;
	return rows;
fail:
	free(kids);
	free(seen);
	free(rows);
	return NULL;
}

static void sysstat_header(FILE *fp, const struct jd_sysstat *ss)
{
	fprintf(fp, "# executed        : %" PRIu64 " blocks, %" PRIu64 " instructions (sysstat, exact)\n",
		ss->blocks, ss->insns);
	fprintf(fp, "# unattributed    : %" PRIu64 " blocks, %" PRIu64 " instructions outside returned calls (%" PRIu64 " unfinished, %" PRIu64 " untracked, %" PRIu64 " beyond the function table)\n",
		ss->unattr_blocks, ss->unattr_insns, ss->unfinished,
		ss->untracked, ss->func_overflow);
	fprintf(fp, "# switches        : %" PRIu64 " times a task was switched out inside a call\n",
		ss->switches);
	fprintf(fp, "#\n");
}

/* The per-system-call columns, in order; the name comes last */
enum sys_col_id {
	SC_SHARE, SC_CALLS,
	SC_TOTAL_NS, SC_AVG_NS, SC_FUNCS, SC_CALLS_BELOW,	/* calltrace */
	SC_BLOCKS, SC_BLOCKS_PER_CALL, SC_INSNS, SC_INSNS_PER_CALL, /* sysstat */
	SC_N
};

#define SC_CT	1	/* shown when there are calltrace events */
#define SC_SS	2	/* shown when there is a sysstat dump */

static const struct sys_col {
	const char *title;	/* text header */
	const char *key;	/* JSON member, CSV column */
	int width;		/* text */
	int prec;		/* digits after the point; -1: an integer */
	unsigned int source;	/* 0 (always), SC_CT or SC_SS */
} sys_cols[SC_N] = {
	[SC_SHARE]		= { "Total", "total_percent", 8, 2, 0 },
	[SC_CALLS]		= { "Calls", "calls", 10, -1, 0 },
	[SC_TOTAL_NS]		= { "Total ns", "total_ns", 11, -1, SC_CT },
	[SC_AVG_NS]		= { "Avg ns", "avg_ns", 8, -1, SC_CT },
	[SC_FUNCS]		= { "Functions", "functions", 9, -1, SC_CT },
	[SC_CALLS_BELOW]	= { "Calls below", "calls_below", 11, -1, SC_CT },
	[SC_BLOCKS]		= { "Blocks", "blocks", 12, -1, SC_SS },
	[SC_BLOCKS_PER_CALL]	= { "Blocks/call", "blocks_per_call", 11, 1, SC_SS },
	[SC_INSNS]		= { "Insns", "insns", 14, -1, SC_SS },
	[SC_INSNS_PER_CALL]	= { "Insns/call", "insns_per_call", 11, 1, SC_SS },
};

union sys_val {
	uint64_t u;
	double d;
};

/* calltrace: share of the time; sysstat alone: of instructions */
static void sys_values(const struct sys_row *r, const struct report_calls *rc,
		       uint64_t all_insns, union sys_val *v)
{
	v[SC_SHARE].d = rc ? pct(r->total_ns, rc->total_ns) :
			pct(r->insns, all_insns);
	v[SC_CALLS].u = r->ct ? r->calls : r->ss_calls;
	v[SC_TOTAL_NS].u = r->total_ns;
	v[SC_AVG_NS].u = r->calls ? r->total_ns / r->calls : 0;
	v[SC_FUNCS].u = r->funcs;
	v[SC_CALLS_BELOW].u = r->calls_below;
	v[SC_BLOCKS].u = r->blocks;
	v[SC_BLOCKS_PER_CALL].d = per_call(r->blocks, r->ss_calls);
	v[SC_INSNS].u = r->insns;
	v[SC_INSNS_PER_CALL].d = per_call(r->insns, r->ss_calls);
}

static void sys_value_print(FILE *fp, const struct sys_col *c,
			    const union sys_val *v, int width)
{
	if (c->prec < 0)
		fprintf(fp, "%*" PRIu64, width, v->u);
	else
		fprintf(fp, "%*.*f", width, c->prec, v->d);
}

static void sys_header(FILE *fp, const bool *shown,
		       enum report_calls_format fmt)
{
	int c;

	for (c = 0; c < SC_N; c++) {
		if (!shown[c])
			continue;
		if (fmt == CALLS_CSV)
			fprintf(fp, "%s,", sys_cols[c].key);
		else if (c == SC_SHARE)	/* "#" over the "%" column's width */
			fprintf(fp, "#%*s", sys_cols[c].width, sys_cols[c].title);
		else
			fprintf(fp, "  %*s", sys_cols[c].width, sys_cols[c].title);
	}
	fputs(fmt == CALLS_CSV ? "syscall,module\n" : "  System call\n#\n", fp);
}

static void sys_row_print(FILE *fp, const struct report_calls *rc,
			  const struct sys_row *r, size_t i,
			  const bool *shown, const union sys_val *v,
			  enum report_calls_format fmt)
{
	char name[512];
	int c;

	if (fmt == CALLS_JSON)
		fprintf(fp, "%s\n  {", i ? "," : "");
	for (c = 0; c < SC_N; c++) {
		const struct sys_col *col = &sys_cols[c];

		if (!shown[c])
			continue;
		if (fmt == CALLS_TEXT) {
			fputs(c == SC_SHARE ? "" : "  ", fp);
			sys_value_print(fp, col, &v[c], col->width);
			fputs(c == SC_SHARE ? "%" : "", fp);
		} else if (fmt == CALLS_JSON) {
			fprintf(fp, "%s\"%s\": ", c ? ", " : "", col->key);
			sys_value_print(fp, col, &v[c], 0);
		} else {
			sys_value_print(fp, col, &v[c], 0);
			fputc(',', fp);
		}
	}
	if (fmt == CALLS_JSON) {
		fprintf(fp, ", \"syscall\": ");
		json_write_str(fp, r->sym);
		json_loss(fp, rc);
		fputc('}', fp);
		return;
	}
	if (fmt == CALLS_CSV) {
		if (r->sym)
			csv_write_str(fp, r->sym);
		fprintf(fp, ",%s\n", r->sym ? (r->module[0] ? r->module : "vmlinux") : "");
		return;
	}
	if (r->sym)
		snprintf(name, sizeof(name), "%s%s%s%s", r->sym,
			 r->module[0] ? " [" : "", r->module,
			 r->module[0] ? "]" : "");
	else
		snprintf(name, sizeof(name), "0x%016" PRIx64, r->key);
	fprintf(fp, "  %s\n", name);
}

void report_calls_print_syscalls(FILE *fp, const struct report_calls *rc,
				 const struct jd_sysstat *ss,
				 struct report_resolver *res,
				 enum report_calls_format fmt)
{
	union sys_val v[SC_N];
	bool shown[SC_N];
	struct sys_row *rows;
	uint64_t all_insns = 0;
	size_t n, i;
	int c;

	rows = syscall_rows(rc, ss, res, &n);
	if (!rows)
		return;
	for (i = 0; i < n; i++)
		all_insns += rows[i].insns;
	for (c = 0; c < SC_N; c++)
		shown[c] = !sys_cols[c].source ||
			   (sys_cols[c].source == SC_CT && rc) ||
			   (sys_cols[c].source == SC_SS && ss);
	if (fmt == CALLS_TEXT) {
		if (rc)
			print_header(fp, rc);
		if (ss)
			sysstat_header(fp, ss);
		fprintf(fp, "# per system call: %s%s\n#\n",
			rc ? "calls, time, and the kernel functions and calls below it" : "calls",
			ss ? ", and the blocks and instructions it executed" : "");
	}
	if (fmt == CALLS_JSON)
		fputc('[', fp);
	else
		sys_header(fp, shown, fmt);
	for (i = 0; i < n; i++) {
		sys_values(&rows[i], rc, all_insns, v);
		sys_row_print(fp, rc, &rows[i], i, shown, v, fmt);
	}
	if (fmt == CALLS_JSON)
		fputs(n ? "\n]\n" : "]\n", fp);
	free(rows);
}

static int cmp_thread(const void *a, const void *b)
{
	const struct call_thread *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void report_calls_print_threads(FILE *fp, const struct report_calls *rc,
				enum report_calls_format fmt)
{
	struct call_thread *t = malloc((rc->nr_threads ? rc->nr_threads : 1) *
				       sizeof(*t));
	size_t i;

	if (!t)
		return;
	memcpy(t, rc->threads, rc->nr_threads * sizeof(*t));
	qsort(t, rc->nr_threads, sizeof(*t), cmp_thread);
	if (fmt == CALLS_TEXT) {
		print_header(fp, rc);
		fprintf(fp, "# per thread: system calls, calls and time in system calls\n#\n");
		fprintf(fp, "#   Total    Syscalls       Calls     Total ns  Tid\n#\n");
	} else if (fmt == CALLS_JSON) {
		fputc('[', fp);
	} else {
		fprintf(fp, "total_percent,syscalls,calls,total_ns,tid\n");
	}
	for (i = 0; i < rc->nr_threads; i++) {
		if (fmt == CALLS_TEXT)
			fprintf(fp, "%8.2f%%  %10" PRIu64 "  %10" PRIu64 "  %11" PRIu64 "  %u\n",
				pct(t[i].total_ns, rc->total_ns), t[i].syscalls,
				t[i].calls, t[i].total_ns, t[i].tid);
		else if (fmt == CALLS_JSON)
		{
			fprintf(fp, "%s\n  {\"total_percent\": %.2f, \"syscalls\": %" PRIu64 ", \"calls\": %" PRIu64 ", \"total_ns\": %" PRIu64 ", \"tid\": %u",
				i ? "," : "", pct(t[i].total_ns, rc->total_ns),
				t[i].syscalls, t[i].calls, t[i].total_ns, t[i].tid);
			json_loss(fp, rc);
			fputc('}', fp);
		}
		else
			fprintf(fp, "%.2f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u\n",
				pct(t[i].total_ns, rc->total_ns), t[i].syscalls,
				t[i].calls, t[i].total_ns, t[i].tid);
	}
	if (fmt == CALLS_JSON)
		fputs(rc->nr_threads ? "\n]\n" : "]\n", fp);
	free(t);
}

void report_calls_chrome_begin(FILE *fp)
{
	fprintf(fp, "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n");
	fprintf(fp, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 0, \"tid\": 0, \"args\": {\"name\": \"kernel (jifl calltrace)\"}}");
}

void report_calls_chrome_end(FILE *fp, const struct report_calls *rc)
{
	fprintf(fp, "\n], \"otherData\": {\"calls\": \"%" PRIu64 "\", \"unfinished\": \"%zu\", \"unmatched_returns\": \"%zu\", \"lost\": \"%" PRIu64 "\"}}\n",
		rc->nr_calls, rc->unfinished, rc->unmatched_rets, rc->lost);
}
