// SPDX-License-Identifier: GPL-2.0
/*
 * Calltrace records from jifl.data chunks; see report-events.h.
 */
#include <errno.h>
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

void report_events_free(struct report_events *e)
{
	free(e->ev);
	memset(e, 0, sizeof(*e));
}
