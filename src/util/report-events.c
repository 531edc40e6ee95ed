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
#include "util/grow.h"
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
		if (GROW(ps->count, ps->capb, ps->nb + 1, 64))
			return -ENOMEM;
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
static int read_compact(const struct jd_file *f, struct report_events *out,
			report_events_fn fn, void *arg);

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
		return read_compact(f, out, NULL, NULL);
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

/*
 * A stretch of one CPU's stream where it runs one thread: its events are
 * that thread's from tsc_min to tsc_max. Found by the first pass; the
 * second decodes them again, thread after thread.
 */
struct run {
	uint32_t tid;
	uint32_t chunk;		/* index into f->chunks */
	uint64_t off0, off1;	/* its records: bytes [off0, off1) */
	uint64_t tsc_min, tsc_max, tsc_last;
	uint64_t seq0, seq1;	/* raw index of its first and last event */
	uint64_t n;
	bool ordered;		/* its TSCs never go back */
};

/* A thread's open calls, as the kernel's shadow stack kept them */
struct frame {
	uint32_t sp;		/* low bits of the sp the call saw */
	uint64_t ret;		/* native return address */
};

struct thread_stack {
	struct frame *f;
	size_t depth, cap;
};

/* TSC -> ns by a context record's pair, with the divisions by the rate
 * done as multiplications (checked, so the result is the exact one)
 */
struct tsc_conv {
	struct cpu_state c;
	uint64_t inv;		/* 2^64 / khz, rounded down */
};

struct expand {
	struct report_events *out;
	struct cpu_state clock;	/* the earliest context: TSC -> ns */
	struct tsc_conv conv;
	struct ct_site *sites;
	uint32_t nr_sites;
	struct cpu_state *cpus;
	uint32_t nr_cpus;
	struct run *runs;
	size_t nr_runs, cap_runs;
	uint64_t nraw;		/* raw events so far (and compact records not
				 * checked yet): their seq */
	struct thread_stack st;
	size_t out_cap;
	uint64_t seq;
	/* streaming: events go to @fn @batch at a time */
	report_events_fn fn;
	void *arg;
	size_t total;
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

static void conv_init(struct tsc_conv *v, const struct cpu_state *c)
{
	v->c = *c;
	v->inv = c->khz > 1 ? UINT64_MAX / c->khz : 0;
}

/* @n / khz: the multiplication's quotient is low by at most 2 */
static uint64_t conv_div(const struct tsc_conv *v, uint64_t n, uint64_t *rem)
{
	uint64_t q = (uint64_t)(((unsigned __int128)n * v->inv) >> 64);
	uint64_t r = n - q * v->c.khz;

	while (r >= v->c.khz) {
		q++;
		r -= v->c.khz;
	}
	*rem = r;
	return q;
}

/* tsc_ns(&v->c, tsc), the same number */
static uint64_t conv_ns(const struct tsc_conv *v, uint64_t tsc)
{
	uint64_t d, q, r, q2, r2;

	if (v->c.khz <= 1 || tsc < v->c.tsc0)
		return tsc_ns(&v->c, tsc);
	d = tsc - v->c.tsc0;
	q = conv_div(v, d, &r);
	/* r * 1000000 < 2^52: fits, as in tsc_ns() */
	q2 = conv_div(v, r * 1000000, &r2);
	return v->c.ns0 + q * 1000000 + q2;
}

static struct cpu_state *cpu_of(struct expand *x, uint32_t cpu)
{
	if (cpu >= x->nr_cpus) {
		uint32_t n = cpu + 1;
		struct cpu_state *t = realloc(x->cpus, n * sizeof(*t));

		if (!t)
			return NULL;
		memset(t + x->nr_cpus, 0, (n - x->nr_cpus) * sizeof(*t));
		x->cpus = t;
		x->nr_cpus = n;
	}
	return &x->cpus[cpu];
}

enum { REC_END, REC_RAW, REC_BAD, REC_OTHER };

/* What decode_rec() counts: the first pass counts the records with a
 * header, the second the compact ones (it decodes them only)
 */
#define COUNT_COMPACT	1
#define COUNT_OTHER	2

/*
 * The record at @off of @ch: its size in *@size and, for a call, return,
 * entry or leave, the raw event in *@r (REC_RAW); REC_BAD for a compact
 * record of an unknown site (or, before @c's first context, any);
 * REC_OTHER for context records (they update @c), padding, and records
 * skipped or bad; REC_END where the chunk's framing ends. @count: which
 * of the skipped and bad ones go to the counts (COUNT_*).
 */
static int decode_rec(struct expand *x, struct cpu_state *c,
		      const struct jd_chunk *ch, uint64_t off,
		      struct raw_ev *r, uint32_t *size, unsigned int count)
{
	const uint8_t *p = (const uint8_t *)ch->data + off;
	uint32_t w0, type;

	if (ch->size - off < JD_REC_HEADER_SIZE)
		return REC_END;
	w0 = rd32(p);
	if (w0 & JIFL_EV_MARK) {
		const struct ct_site *s = NULL;
		uint32_t id = w0 & JIFL_EV_SITE_MASK;

		*size = w0 & JIFL_EV_TARGET ? JIFL_EV_SIZE_TARGET : JIFL_EV_SIZE;
		if (*size > ch->size - off)
			return REC_END;
		if (id < x->nr_sites && x->sites[id].kind)
			s = &x->sites[id];
		if (!s || !c->known ||
		    !!(w0 & JIFL_EV_TARGET) != (s->kind == JIFL_CT_SITE_CALL_IND)) {
			x->out->bad += count & COUNT_COMPACT;
			return REC_BAD;
		}
		r->tsc = rd64(p + 8);
		r->tid = c->tid;
		r->cpu = (uint16_t)ch->cpu;
		r->sp = rd32(p + 4);
		r->a = s->pc;
		if (s->kind == JIFL_CT_SITE_RET) {
			r->kind = RAW_RET;
		} else {
			r->kind = RAW_CALL;
			r->b = s->next;
			r->c = s->kind == JIFL_CT_SITE_CALL ? s->target : rd64(p + 16);
		}
		return REC_RAW;
	}
	type = rd32(p + 4);
	*size = w0;
	if (w0 < JD_REC_HEADER_SIZE || w0 > ch->size - off)
		return REC_END;
	switch (type) {
	case JIFL_REC_CT_CTX:
		if (w0 < sizeof(struct jifl_rec_ct_ctx))
			break;
		c->known = true;
		c->tsc0 = rd64(p + 8);
		c->ns0 = rd64(p + 16);
		c->tid = rd32(p + 24);
		c->khz = rd32(p + 28);
		if ((count & COUNT_OTHER) && c->khz &&
		    (!x->clock.known || c->tsc0 < x->clock.tsc0))
			x->clock = *c;
		return REC_OTHER;
	case JIFL_REC_CT_ENTER:
	case JIFL_REC_CT_LEAVE:
		if (w0 < (type == JIFL_REC_CT_ENTER ?
			  sizeof(struct jifl_rec_ct_enter) :
			  sizeof(struct jifl_rec_ct_leave)) || !c->known)
			break;
		c->tid = rd32(p + 16);
		r->tsc = rd64(p + 8);
		r->tid = c->tid;
		r->cpu = (uint16_t)ch->cpu;
		r->sp = rd32(p + 20);
		if (type == JIFL_REC_CT_ENTER) {
			r->kind = RAW_ENTER;
			r->a = rd64(p + 24);
			r->b = rd64(p + 32);
			r->c = rd64(p + 40);
		} else {
			r->kind = RAW_LEAVE;
		}
		return REC_RAW;
	case JIFL_REC_PAD:
		return REC_OTHER;
	default:
		x->out->skipped += !!(count & COUNT_OTHER);
		return REC_OTHER;
	}
	x->out->bad += !!(count & COUNT_OTHER);
	return REC_OTHER;
}

static struct run *run_new(struct expand *x, uint32_t tid, uint32_t ci,
			   uint64_t off, uint64_t tsc)
{
	struct run *run;

	if (GROW(x->runs, x->cap_runs, x->nr_runs + 1, 256))
		return NULL;
	run = &x->runs[x->nr_runs++];
	memset(run, 0, sizeof(*run));
	run->tid = tid;
	run->chunk = ci;
	run->off0 = off;
	run->tsc_min = run->tsc_max = run->tsc_last = tsc;
	run->seq0 = x->nraw;
	run->ordered = true;
	return run;
}

/*
 * First pass over one CPU's chunk: where each thread's events are. The
 * compact records are not decoded (the second pass checks their sites):
 * their TSC and thread alone place them.
 */
static int scan_chunk(struct expand *x, const struct jd_file *f, uint32_t ci)
{
	const struct jd_chunk *ch = &f->chunks[ci];
	const uint8_t *p = ch->data;
	struct run *run = NULL;
	struct cpu_state *c;
	uint64_t off = 0, tsc;
	uint32_t size, tid;
	struct raw_ev r;

	if (ch->cpu > 0xffff) {		/* report_event.cpu is 16 bits */
		x->out->bad++;
		return 0;
	}
	c = cpu_of(x, ch->cpu);
	if (!c)
		return -ENOMEM;
	while (ch->size - off >= JD_REC_HEADER_SIZE) {
		uint32_t w0 = rd32(p + off);

		if (run && (w0 & JIFL_EV_MARK) && c->known && run->tid == c->tid) {
			/*
			 * The common case, compact records of the run's
			 * thread one after the other: a loop of its own
			 */
			uint64_t last = run->tsc_last, n = 0, end = ch->size;
			bool ordered = true;

			while (end - off >= JIFL_EV_SIZE) {
				w0 = rd32(p + off);
				size = JIFL_EV_SIZE +
				       (w0 & JIFL_EV_TARGET ? 8 : 0);
				if (!(w0 & JIFL_EV_MARK) || size > end - off)
					break;
				tsc = rd64(p + off + 8);
				ordered &= tsc >= last;
				if (tsc < run->tsc_min)
					run->tsc_min = tsc;
				if (tsc > run->tsc_max)
					run->tsc_max = tsc;
				last = tsc;
				n++;
				off += size;
			}
			if (n) {
				run->ordered &= ordered;
				run->tsc_last = last;
				run->seq1 = x->nraw + n - 1;
				x->nraw += n;
				run->n += n;
				run->off1 = off;
				continue;
			}
			w0 = rd32(p + off);
		}
		if (w0 & JIFL_EV_MARK) {
			size = w0 & JIFL_EV_TARGET ? JIFL_EV_SIZE_TARGET :
			       JIFL_EV_SIZE;
			if (size > ch->size - off)
				break;
			if (!c->known) {
				x->out->bad++;
				off += size;
				continue;
			}
			tsc = rd64(p + off + 8);
			tid = c->tid;
		} else {
			int k = decode_rec(x, c, ch, off, &r, &size, COUNT_OTHER);

			if (k == REC_END)
				break;
			off += size;
			if (k != REC_RAW)
				continue;
			off -= size;
			tsc = r.tsc;
			tid = r.tid;
		}
		if (!run || run->tid != tid) {
			run = run_new(x, tid, ci, off, tsc);
			if (!run)
				return -ENOMEM;
		}
		if (tsc < run->tsc_last)
			run->ordered = false;
		if (tsc < run->tsc_min)
			run->tsc_min = tsc;
		if (tsc > run->tsc_max)
			run->tsc_max = tsc;
		run->tsc_last = tsc;
		run->seq1 = x->nraw++;
		run->n++;
		off += size;
		run->off1 = off;
	}
	return 0;
}

static int flush_events(struct expand *x)
{
	struct report_events *out = x->out;
	int r;

	r = x->fn(x->arg, out->ev, out->n);
	x->total += out->n;
	out->n = 0;
	return r;
}

static struct report_event *ev_new(struct expand *x, const struct raw_ev *r,
				   uint8_t kind, size_t depth)
{
	struct report_events *out = x->out;
	struct report_event *e;

	if (out->n == x->out_cap) {
		if (x->fn && x->out_cap) {
			if (flush_events(x))
				return NULL;
		} else if (GROW(out->ev, x->out_cap, out->n + 1, 4096)) {
			return NULL;
		}
	}
	e = &out->ev[out->n++];
	e->ts = r->ts;
	e->site = 0;
	e->target = 0;
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
	if (GROW(st->f, st->cap, st->depth + 1, 64))
		return -ENOMEM;
	st->f[st->depth].sp = r->sp;
	st->f[st->depth].ret = ret;
	st->depth++;
	return 0;
}

/* One raw event of a thread, in time order: the calltrace.c rules */
static int pair_one(struct expand *x, struct thread_stack *st,
		    const struct raw_ev *r)
{
	struct report_event *e;
	int ret = 0;

	switch (r->kind) {
	case RAW_ENTER:
		/* a = func, b = site, c = the native return address */
		ret = unwind(x, st, r, r->sp);
		if (!ret)
			ret = push(x, st, r, r->b, r->a, r->c);
		break;
	case RAW_LEAVE:
		ret = unwind(x, st, r, r->sp);
		break;
	case RAW_CALL:
		ret = unwind(x, st, r, r->sp);
		if (!ret)
			ret = push(x, st, r, r->a, r->c, r->b);
		break;
	case RAW_RET:
		/* frames called below the one returning (at sp + 8) */
		ret = unwind(x, st, r, r->sp + 7);
		if (ret || !st->depth || st->f[st->depth - 1].sp != r->sp + 8)
			break;	/* a return without a call seen */
		st->depth--;
		e = ev_new(x, r, REPORT_EV_RET, st->depth);
		if (!e)
			return -ENOMEM;
		e->site = r->a;
		e->target = st->f[st->depth].ret;
		break;
	}
	return ret;
}

/*
 * Second pass over a run: its raw events, numbered as in the first, to
 * @fn (pair_one() directly, or a collector)
 */
static int decode_run(struct expand *x, const struct jd_file *f,
		      const struct run *run,
		      int (*fn)(struct expand *, const struct raw_ev *, void *),
		      void *arg)
{
	const struct jd_chunk *ch = &f->chunks[run->chunk];
	struct cpu_state c = { true, run->tid, 0, 0, 0 };
	uint64_t off = run->off0, seq = run->seq0;
	uint32_t size;
	struct raw_ev r;
	int k, ret;

	while (off < run->off1 &&
	       (k = decode_rec(x, &c, ch, off, &r, &size,
			       COUNT_COMPACT)) != REC_END) {
		off += size;
		if (k != REC_RAW) {
			seq += k == REC_BAD;	/* numbered by the first pass */
			continue;
		}
		r.tid = run->tid;
		r.ts = conv_ns(&x->conv, r.tsc);
		r.seq = seq++;
		ret = fn(x, &r, arg);
		if (ret)
			return ret;
	}
	return 0;
}

static int pair_raw(struct expand *x, const struct raw_ev *r, void *arg)
{
	(void)arg;
	return pair_one(x, &x->st, r);
}

struct collect {
	struct raw_ev *raw;
	size_t n, cap;
};

static int collect_raw(struct expand *x, const struct raw_ev *r, void *arg)
{
	struct collect *cl = arg;

	(void)x;
	if (GROW(cl->raw, cl->cap, cl->n + 1, 4096))
		return -ENOMEM;
	cl->raw[cl->n++] = *r;
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

bool report_events_always_sort;

static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->tsc_min != y->tsc_min)
		return x->tsc_min < y->tsc_min ? -1 : 1;
	return x->seq0 < y->seq0 ? -1 : x->seq0 > y->seq0;
}

/*
 * One thread's runs, by first TSC: their events are the thread's in TSC
 * (then file) order when each run is in order and ends before the next
 * begins, as a thread's stretches on its CPUs do; otherwise (an interrupt
 * wrote between a record's reservation and its TSC read, clocks out of
 * step) the thread's events are sorted first.
 */
static int pair_runs(struct expand *x, const struct jd_file *f,
		     const struct run *runs, size_t n)
{
	struct collect cl = { 0 };
	size_t i;
	int r = 0;

	x->st.depth = 0;
	for (i = 0; i < n; i++) {
		if (!runs[i].ordered)
			break;
		if (i + 1 < n &&
		    !(runs[i].tsc_max < runs[i + 1].tsc_min ||
		      (runs[i].tsc_max == runs[i + 1].tsc_min &&
		       runs[i].seq1 < runs[i + 1].seq0)))
			break;
	}
	if (i == n && !report_events_always_sort) {
		for (i = 0; i < n && !r; i++)
			r = decode_run(x, f, &runs[i], pair_raw, NULL);
		return r;
	}
	for (i = 0; i < n && !r; i++)
		r = decode_run(x, f, &runs[i], collect_raw, &cl);
	if (!r && cl.n)
		qsort(cl.raw, cl.n, sizeof(*cl.raw), cmp_raw);
	for (i = 0; i < cl.n && !r; i++)
		r = pair_one(x, &x->st, &cl.raw[i]);
	free(cl.raw);
	return r;
}

/*
 * Two passes: the first finds each CPU's runs of one thread (and the
 * clock, the counts of bad and skipped records), the second decodes them
 * thread after thread (threads by id), pairing as it goes; no copy of
 * the records is kept unless a thread's are out of order.
 */
static int read_compact(const struct jd_file *f, struct report_events *out,
			report_events_fn fn, void *arg)
{
	struct expand x;
	size_t i, first;
	int r;

	memset(&x, 0, sizeof(x));
	x.out = out;
	x.fn = fn;
	x.arg = arg;
	r = load_sites(f, &x);
	for (i = 0; !r && i < f->nr_chunks; i++)
		if (f->chunks[i].flags & JD_CHUNK_VARIABLE)
			r = scan_chunk(&x, f, (uint32_t)i);
	if (r)
		goto done;
	/*
	 * A thread's events in TSC order, the one clock all CPUs share; in
	 * ns by one conversion for all (the earliest context's pair), so
	 * that a call and its return on two CPUs stay in order: per-CPU
	 * pairs would differ by the rate's error since each was taken
	 */
	conv_init(&x.conv, &x.clock);
	if (x.nr_runs)
		qsort(x.runs, x.nr_runs, sizeof(*x.runs), cmp_run);
	if (fn) {
		out->ev = malloc(4096 * sizeof(*out->ev));
		if (!out->ev) {
			r = -ENOMEM;
			goto done;
		}
		x.out_cap = 4096;
	}
	for (first = 0; first < x.nr_runs && !r; first = i) {
		for (i = first; i < x.nr_runs && x.runs[i].tid == x.runs[first].tid;
		     i++)
			;
		r = pair_runs(&x, f, x.runs + first, i - first);
	}
	if (!r && fn && out->n)
		r = flush_events(&x);
	if (fn) {
		free(out->ev);
		out->ev = NULL;
		out->n = x.total;
	}
	if (!r && !fn && !out->ev)
		out->ev = malloc(sizeof(*out->ev));
	if (!fn && !out->ev)
		r = -ENOMEM;
done:
	free(x.st.f);
	free(x.runs);
	free(x.cpus);
	free(x.sites);
	if (r)
		report_events_free(out);
	return r;
}

int report_events_stream(const struct jd_file *f, report_events_fn fn,
			 void *arg, struct report_events *info)
{
	struct report_events ev;
	size_t i;
	int r = 0;

	if (has_compact(f)) {
		memset(info, 0, sizeof(*info));
		for (i = 0; i < f->nr_lost; i++)
			info->lost += f->lost[i].lost;
		return read_compact(f, info, fn, arg);
	}
	r = report_events_read(f, &ev);
	if (r)
		return r;
	for (i = 0; i < ev.n && !r; i += 4096)
		r = fn(arg, ev.ev + i, ev.n - i < 4096 ? ev.n - i : 4096);
	free(ev.ev);
	ev.ev = NULL;
	*info = ev;
	return r;
}

void report_events_free(struct report_events *e)
{
	free(e->ev);
	memset(e, 0, sizeof(*e));
}
