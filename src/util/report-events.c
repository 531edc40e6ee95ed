// SPDX-License-Identifier: GPL-2.0
/*
 * Calltrace records from jifl.data chunks, the classic ones and the
 * compact stream of calltrace's inline path; see report-events.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/jifl.h"
#include "util/report-events.h"

bool report_events_present(const struct jd_file *f)
{
	uint32_t i;

	for (i = 0; i < f->nr_chunks; i++)
		if ((f->chunks[i].flags & JD_CHUNK_VARIABLE) &&
		    f->chunks[i].nr_records)
			return true;
	return false;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int cmp_time(const void *a, const void *b)
{
	const struct report_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Thread id -> bucket, open addressing. */
struct tid_map {
	uint32_t *tid;
	uint32_t *idx;		/* bucket + 1; 0: empty */
	size_t cap, n;
};

static uint32_t *tid_slot(struct tid_map *m, uint32_t tid)
{
	size_t h;

	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256, i;
		uint32_t *t = calloc(cap, sizeof(*t)), *x = calloc(cap, sizeof(*x));

		if (!t || !x) {
			free(t);
			free(x);
			return NULL;
		}
		for (i = 0; i < m->cap; i++) {
			if (!m->idx[i])
				continue;
			h = (m->tid[i] * 2654435761U) & (cap - 1);
			while (x[h])
				h = (h + 1) & (cap - 1);
			t[h] = m->tid[i];
			x[h] = m->idx[i];
		}
		free(m->tid);
		free(m->idx);
		m->tid = t;
		m->idx = x;
		m->cap = cap;
	}
	h = (tid * 2654435761U) & (m->cap - 1);
	while (m->idx[h] && m->tid[h] != tid)
		h = (h + 1) & (m->cap - 1);
	m->tid[h] = tid;
	return &m->idx[h];
}

/*
 * Calls each record of the file's variable chunks in file order: fn(arg,
 * type, record, size).
 */
static int for_each_record(const struct jd_file *f,
			   int (*fn)(void *, uint32_t, const uint8_t *, uint32_t),
			   void *arg)
{
	uint32_t c;
	int r;

	for (c = 0; c < f->nr_chunks; c++) {
		const struct jd_chunk *ch = &f->chunks[c];
		const uint8_t *p = ch->data;
		uint64_t off = 0;

		if (!(ch->flags & JD_CHUNK_VARIABLE))
			continue;
		/* jd_open() checked the size headers against the chunk */
		while (ch->size - off >= JD_REC_HEADER_SIZE) {
			uint32_t size = rd32(p + off), type = rd32(p + off + 4);

			if (size < JD_REC_HEADER_SIZE || size > ch->size - off)
				break;
			r = fn(arg, type, p + off, size);
			if (r)
				return r;
			off += size;
		}
	}
	return 0;
}

struct pass {
	struct report_events *out;
	struct tid_map tids;
	uint64_t *count;	/* per bucket; then its next free slot */
	size_t nb, capb;
	uint64_t seq;
	bool fill;
};

static int one_record(void *arg, uint32_t type, const uint8_t *p,
		      uint32_t size)
{
	struct pass *ps = arg;
	struct report_events *out = ps->out;
	struct jifl_rec_call rc;
	struct jifl_rec_ret rr;
	struct report_event *e;
	uint32_t *slot, tid;

	if (type != JIFL_REC_CALL && type != JIFL_REC_RET) {
		if (!ps->fill)
			out->skipped += type != JIFL_REC_PAD;
		return 0;
	}
	if (size < sizeof(struct jifl_rec_call)) {
		if (!ps->fill)
			out->bad++;
		return 0;
	}
	memcpy(&tid, p + offsetof(struct jifl_rec_call, tid), sizeof(tid));
	slot = tid_slot(&ps->tids, tid);
	if (!slot)
		return -ENOMEM;
	if (!*slot) {
		if (ps->nb == ps->capb) {
			size_t cap = ps->capb ? 2 * ps->capb : 64;
			uint64_t *t = realloc(ps->count, cap * sizeof(*t));

			if (!t)
				return -ENOMEM;
			ps->count = t;
			ps->capb = cap;
		}
		ps->count[ps->nb] = 0;
		*slot = (uint32_t)++ps->nb;
		ps->tids.n++;
	}
	if (!ps->fill) {
		ps->count[*slot - 1]++;
		return 0;
	}
	e = &out->ev[ps->count[*slot - 1]++];
	if (type == JIFL_REC_CALL) {
		memcpy(&rc, p, sizeof(rc));
		e->ts = rc.ts;
		e->tid = rc.tid;
		e->cpu = rc.cpu;
		e->depth = rc.depth;
		e->site = rc.site;
		e->target = rc.callee;
		e->kind = REPORT_EV_CALL;
	} else {
		memcpy(&rr, p, sizeof(rr));
		e->ts = rr.ts;
		e->tid = rr.tid;
		e->cpu = rr.cpu;
		e->depth = rr.depth;
		e->site = rr.site;
		e->target = rr.target;
		e->kind = REPORT_EV_RET;
	}
	e->seq = ps->seq++;
	return 0;
}

static int cmp_tid_bucket(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static bool has_compact(const struct jd_file *f);
static int read_compact(const struct jd_file *f, struct report_events *out);

/*
 * Two passes over the records: count per thread, then place each thread's
 * records together (threads by id) in file order; a thread's records are
 * then sorted by time only if they are not in order already (chunks of
 * different CPUs interleave when it migrated).
 */
int report_events_read(const struct jd_file *f, struct report_events *out)
{
	struct pass ps;
	uint32_t (*order)[2] = NULL;
	uint64_t total = 0, start;
	size_t i;
	int r = -ENOMEM;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.out = out;
	for (i = 0; i < f->nr_lost; i++)
		out->lost += f->lost[i].lost;
	if (has_compact(f))
		return read_compact(f, out);
	if (for_each_record(f, one_record, &ps))
		goto fail;
	for (i = 0; i < ps.nb; i++)
		total += ps.count[i];
	out->ev = malloc((total ? total : 1) * sizeof(*out->ev));
	order = malloc((ps.nb ? ps.nb : 1) * sizeof(*order));
	if (!out->ev || !order)
		goto fail;
	/* buckets in thread-id order */
	for (i = 0; i < ps.tids.cap; i++)
		if (ps.tids.idx[i]) {
			order[ps.tids.idx[i] - 1][0] = ps.tids.tid[i];
			order[ps.tids.idx[i] - 1][1] = ps.tids.idx[i] - 1;
		}
	qsort(order, ps.nb, sizeof(*order), cmp_tid_bucket);
	{
		uint64_t *first = malloc((ps.nb ? ps.nb : 1) * sizeof(*first));

		if (!first)
			goto fail;
		for (i = 0, start = 0; i < ps.nb; i++) {
			uint32_t b = order[i][1];
			uint64_t n = ps.count[b];

			first[b] = start;
			ps.count[b] = start;
			start += n;
		}
		ps.fill = true;
		ps.seq = 0;
		if (for_each_record(f, one_record, &ps)) {
			free(first);
			goto fail;
		}
		out->n = total;
		for (i = 0; i < ps.nb; i++) {
			uint64_t a = first[i], e = ps.count[i], k;

			for (k = a + 1; k < e; k++)
				if (out->ev[k].ts < out->ev[k - 1].ts)
					break;
			if (k < e)
				qsort(out->ev + a, e - a, sizeof(*out->ev),
				      cmp_time);
		}
		free(first);
	}
	r = 0;
	goto done;
fail:
	report_events_free(out);
done:
	free(order);
	free(ps.count);
	free(ps.tids.tid);
	free(ps.tids.idx);
	return r;
}

/* ---- the compact stream of calltrace's inline path ---- */

/* One compact record or entry/leave, before pairing */
struct raw_ev {
	uint64_t tsc;		/* the order of a thread's events */
	uint64_t ts;		/* ns */
	uint64_t a, b, c;	/* call: pc, next, callee; ret: pc; enter:
				 * func, site, ret */
	uint64_t seq;
	uint32_t tid;
	uint32_t sp;
	uint16_t cpu;
	uint8_t kind;		/* RAW_* */
};

enum { RAW_CALL, RAW_RET, RAW_ENTER, RAW_LEAVE };

struct cpu_state {
	bool known;		/* a context record was seen */
	uint32_t tid;
	uint64_t tsc0, ns0;
	uint32_t khz;
};

struct ct_site {
	uint64_t pc, next, target;
	uint32_t kind;		/* JIFL_CT_SITE_*, 0: no such site */
};

struct expand {
	struct report_events *out;
	struct cpu_state clock;	/* the earliest context: TSC -> ns */
	struct ct_site *sites;
	uint32_t nr_sites;
	struct raw_ev *raw;
	size_t n, cap;
	struct cpu_state *cpus;
	uint32_t nr_cpus;
	size_t out_cap;
	uint64_t seq;
};

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Whether @f's chunks hold records of calltrace's inline path */
static bool has_compact(const struct jd_file *f)
{
	uint32_t i;

	for (i = 0; i < f->nr_chunks; i++)
		if (f->chunks[i].record_format == JD_CHUNK_FMT_EVENTS)
			return true;
	return false;
}

static int load_sites(const struct jd_file *f, struct expand *x)
{
	const struct jd_dump *d = jd_find_dump(f, "calltrace");
	const uint8_t *p;
	uint64_t off;
	uint32_t max = 0;

	if (!d)
		return 0;
	p = d->data;
	/* jd_open() checked the framing */
	for (off = 0; off + 8 <= d->size; off += rd32(p + off)) {
		uint32_t size = rd32(p + off), type = rd32(p + off + 4);

		if (size < 8 || size > d->size - off)
			break;
		if (type == JIFL_REC_CT_SITE &&
		    size >= sizeof(struct jifl_rec_ct_site))
			max++;
	}
	/* ids are dense (calltrace.c numbers the sites from 0): larger ones
	 * are unknown sites, and the table stays the dump's size
	 */
	x->sites = calloc(max ? max : 1, sizeof(*x->sites));
	if (!x->sites)
		return -ENOMEM;
	x->nr_sites = max;
	for (off = 0; off + 8 <= d->size; off += rd32(p + off)) {
		uint32_t size = rd32(p + off), type = rd32(p + off + 4), id;
		struct jifl_rec_ct_site s;

		if (size < 8 || size > d->size - off)
			break;
		if (type != JIFL_REC_CT_SITE || size < sizeof(s))
			continue;
		memcpy(&s, p + off, sizeof(s));
		id = s.id;
		if (id >= max || s.kind < JIFL_CT_SITE_CALL ||
		    s.kind > JIFL_CT_SITE_RET)
			continue;
		x->sites[id].pc = s.pc;
		x->sites[id].next = s.next;
		x->sites[id].target = s.target;
		x->sites[id].kind = s.kind;
	}
	return 0;
}

/* TSC -> ns by a context record's pair */
static uint64_t tsc_ns(const struct cpu_state *c, uint64_t tsc)
{
	uint64_t d;

	if (!c->khz)
		return c->ns0;
	if (tsc >= c->tsc0) {
		d = tsc - c->tsc0;
		return c->ns0 + d / c->khz * 1000000 + d % c->khz * 1000000 / c->khz;
	}
	d = c->tsc0 - tsc;
	d = d / c->khz * 1000000 + d % c->khz * 1000000 / c->khz;
	return d < c->ns0 ? c->ns0 - d : 0;
}

static struct raw_ev *raw_new(struct expand *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 4096;
		struct raw_ev *r = realloc(x->raw, cap * sizeof(*r));

		if (!r)
			return NULL;
		x->raw = r;
		x->cap = cap;
	}
	memset(&x->raw[x->n], 0, sizeof(x->raw[0]));
	x->raw[x->n].seq = x->n;
	return &x->raw[x->n++];
}

/* One CPU's records, in order: the compact ones become raw events */
static int expand_chunk(struct expand *x, const struct jd_chunk *ch)
{
	const uint8_t *p = ch->data;
	struct cpu_state *c;
	uint64_t off = 0;

	if (ch->cpu > 0xffff) {		/* report_event.cpu is 16 bits */
		x->out->bad++;
		return 0;
	}
	if (ch->cpu >= x->nr_cpus) {
		uint32_t n = ch->cpu + 1;
		struct cpu_state *t = realloc(x->cpus, n * sizeof(*t));

		if (!t)
			return -ENOMEM;
		memset(t + x->nr_cpus, 0, (n - x->nr_cpus) * sizeof(*t));
		x->cpus = t;
		x->nr_cpus = n;
	}
	c = &x->cpus[ch->cpu];
	while (ch->size - off >= JD_REC_HEADER_SIZE) {
		uint32_t w0 = rd32(p + off), type = rd32(p + off + 4), size;
		struct raw_ev *r;

		if (w0 & JIFL_EV_MARK) {
			const struct ct_site *s = NULL;
			uint32_t id = w0 & JIFL_EV_SITE_MASK;

			size = w0 & JIFL_EV_TARGET ? JIFL_EV_SIZE_TARGET :
			       JIFL_EV_SIZE;
			if (size > ch->size - off)
				break;
			if (id < x->nr_sites && x->sites[id].kind)
				s = &x->sites[id];
			if (!s || !c->known ||
			    !!(w0 & JIFL_EV_TARGET) !=
			    (s->kind == JIFL_CT_SITE_CALL_IND)) {
				x->out->bad++;
				off += size;
				continue;
			}
			r = raw_new(x);
			if (!r)
				return -ENOMEM;
			r->tsc = rd64(p + off + 8);
			r->tid = c->tid;
			r->cpu = (uint16_t)ch->cpu;
			r->sp = rd32(p + off + 4);
			r->a = s->pc;
			if (s->kind == JIFL_CT_SITE_RET) {
				r->kind = RAW_RET;
			} else {
				r->kind = RAW_CALL;
				r->b = s->next;
				r->c = s->kind == JIFL_CT_SITE_CALL ? s->target :
				       rd64(p + off + 16);
			}
			off += size;
			continue;
		}
		size = w0;
		if (size < JD_REC_HEADER_SIZE || size > ch->size - off)
			break;
		switch (type) {
		case JIFL_REC_CT_CTX:
			if (size < sizeof(struct jifl_rec_ct_ctx))
				goto bad;
			c->known = true;
			c->tsc0 = rd64(p + off + 8);
			c->ns0 = rd64(p + off + 16);
			c->tid = rd32(p + off + 24);
			c->khz = rd32(p + off + 28);
			if (c->khz && (!x->clock.known || c->tsc0 < x->clock.tsc0))
				x->clock = *c;
			break;
		case JIFL_REC_CT_ENTER:
		case JIFL_REC_CT_LEAVE:
			if (size < (type == JIFL_REC_CT_ENTER ?
				    sizeof(struct jifl_rec_ct_enter) :
				    sizeof(struct jifl_rec_ct_leave)) || !c->known)
				goto bad;
			c->tid = rd32(p + off + 16);
			r = raw_new(x);
			if (!r)
				return -ENOMEM;
			r->tsc = rd64(p + off + 8);
			r->tid = c->tid;
			r->cpu = (uint16_t)ch->cpu;
			r->sp = rd32(p + off + 20);
			if (type == JIFL_REC_CT_ENTER) {
				r->kind = RAW_ENTER;
				r->a = rd64(p + off + 24);
				r->b = rd64(p + off + 32);
				r->c = rd64(p + off + 40);
			} else {
				r->kind = RAW_LEAVE;
			}
			break;
		case JIFL_REC_PAD:
			break;
		default:
			x->out->skipped++;
			break;
		}
		off += size;
		continue;
bad:
		x->out->bad++;
		off += size;
	}
	return 0;
}

static int cmp_raw(const void *a, const void *b)
{
	const struct raw_ev *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A thread's open calls, as the kernel's shadow stack kept them */
struct frame {
	uint32_t sp;		/* low bits of the sp the call saw */
	uint64_t ret;		/* native return address */
};

struct thread_stack {
	struct frame *f;
	size_t depth, cap;
};

static struct report_event *ev_new(struct expand *x, const struct raw_ev *r,
				   uint8_t kind, size_t depth)
{
	struct report_events *out = x->out;
	struct report_event *e;

	if (out->n == x->out_cap) {
		size_t cap = x->out_cap ? 2 * x->out_cap : 4096;

		e = realloc(out->ev, cap * sizeof(*e));
		if (!e)
			return NULL;
		out->ev = e;
		x->out_cap = cap;
	}
	e = &out->ev[out->n++];
	memset(e, 0, sizeof(*e));
	e->ts = r->ts;
	e->tid = r->tid;
	e->cpu = r->cpu;
	e->depth = depth > 0xfffe ? 0xfffe : (uint16_t)depth;
	e->kind = kind;
	e->seq = x->seq++;
	return e;
}

/* sp-relative order of two low halves of one thread's stack pointers */
static int32_t sp_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* Close the frames called at or below @sp: they returned natively */
static int unwind(struct expand *x, struct thread_stack *st,
		  const struct raw_ev *r, uint32_t sp)
{
	while (st->depth && sp_diff(st->f[st->depth - 1].sp, sp) <= 0) {
		struct report_event *e;

		st->depth--;
		e = ev_new(x, r, REPORT_EV_RET, st->depth);
		if (!e)
			return -ENOMEM;
		e->target = st->f[st->depth].ret;
	}
	return 0;
}

static int push(struct expand *x, struct thread_stack *st,
		const struct raw_ev *r, uint64_t site, uint64_t callee,
		uint64_t ret)
{
	struct report_event *e = ev_new(x, r, REPORT_EV_CALL, st->depth);

	if (!e)
		return -ENOMEM;
	e->site = site;
	e->target = callee;
	if (st->depth == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct frame *f = realloc(st->f, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		st->f = f;
		st->cap = cap;
	}
	st->f[st->depth].sp = r->sp;
	st->f[st->depth].ret = ret;
	st->depth++;
	return 0;
}

/* One thread's raw events in time order: the calltrace.c rules */
static int pair_thread(struct expand *x, const struct raw_ev *r, size_t n,
		       struct thread_stack *st)
{
	struct report_event *e;
	size_t i;
	int ret = 0;

	st->depth = 0;
	for (i = 0; i < n && !ret; i++) {
		switch (r[i].kind) {
		case RAW_ENTER:
			/* a = func, b = site, c = the native return address */
			ret = unwind(x, st, &r[i], r[i].sp);
			if (!ret)
				ret = push(x, st, &r[i], r[i].b, r[i].a, r[i].c);
			break;
		case RAW_LEAVE:
			ret = unwind(x, st, &r[i], r[i].sp);
			break;
		case RAW_CALL:
			ret = unwind(x, st, &r[i], r[i].sp);
			if (!ret)
				ret = push(x, st, &r[i], r[i].a, r[i].c, r[i].b);
			break;
		case RAW_RET:
			/* frames called below the one returning (at sp + 8) */
			ret = unwind(x, st, &r[i], r[i].sp + 7);
			if (ret || !st->depth ||
			    st->f[st->depth - 1].sp != r[i].sp + 8)
				break;	/* a return without a call seen */
			st->depth--;
			e = ev_new(x, &r[i], REPORT_EV_RET, st->depth);
			if (!e)
				return -ENOMEM;
			e->site = r[i].a;
			e->target = st->f[st->depth].ret;
			break;
		}
	}
	return ret;
}

static int read_compact(const struct jd_file *f, struct report_events *out)
{
	struct expand x;
	struct thread_stack st = { 0 };
	size_t i, first;
	int r;

	memset(&x, 0, sizeof(x));
	x.out = out;
	r = load_sites(f, &x);
	for (i = 0; !r && i < f->nr_chunks; i++)
		if (f->chunks[i].flags & JD_CHUNK_VARIABLE)
			r = expand_chunk(&x, &f->chunks[i]);
	if (r)
		goto done;
	/*
	 * A thread's events in TSC order, the one clock all CPUs share; in
	 * ns by one conversion for all (the earliest context's pair), so
	 * that a call and its return on two CPUs stay in order: per-CPU
	 * pairs would differ by the rate's error since each was taken
	 */
	for (i = 0; i < x.n; i++)
		x.raw[i].ts = tsc_ns(&x.clock, x.raw[i].tsc);
	if (x.n)
		qsort(x.raw, x.n, sizeof(*x.raw), cmp_raw);
	for (first = 0; first < x.n && !r; first = i) {
		for (i = first; i < x.n && x.raw[i].tid == x.raw[first].tid; i++)
			;
		r = pair_thread(&x, x.raw + first, i - first, &st);
	}
	if (!r && !out->ev)
		out->ev = malloc(sizeof(*out->ev));
	if (!out->ev)
		r = -ENOMEM;
done:
	free(st.f);
	free(x.raw);
	free(x.cpus);
	free(x.sites);
	if (r)
		report_events_free(out);
	return r;
}

void report_events_free(struct report_events *e)
{
	free(e->ev);
	memset(e, 0, sizeof(*e));
}
