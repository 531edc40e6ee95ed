// SPDX-License-Identifier: GPL-2.0
/*
 * Perfetto protobuf trace writer; see report-perfetto.h.
 *
 * The encoder is the protobuf wire format reduced to what the trace
 * needs: varint fields (wire type 0) and length-delimited ones (wire type
 * 2: strings and nested messages).  A nested message is encoded into its
 * own buffer first, then copied into its parent behind its length.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/report-perfetto.h"

/* Field numbers, from Perfetto's protos/perfetto/trace/ (the subset) */
enum {
	TRACE_PACKET = 1,

	PACKET_CLOCK_SNAPSHOT = 6,
	PACKET_TIMESTAMP = 8,
	PACKET_SEQUENCE_ID = 10,	/* trusted_packet_sequence_id */
	PACKET_TRACK_EVENT = 11,
	PACKET_INTERNED_DATA = 12,
	PACKET_SEQUENCE_FLAGS = 13,
	PACKET_TIMESTAMP_CLOCK_ID = 58,
	PACKET_DEFAULTS = 59,		/* trace_packet_defaults */
	PACKET_TRACK_DESCRIPTOR = 60,

	DEFAULTS_TIMESTAMP_CLOCK_ID = 58,
	DEFAULTS_TRACK_EVENT = 11,	/* track_event_defaults */
	TRACK_EVENT_DEFAULTS_TRACK_UUID = 11,

	SNAPSHOT_CLOCKS = 1,
	SNAPSHOT_PRIMARY_TRACE_CLOCK = 2,
	CLOCK_ID = 1,
	CLOCK_TIMESTAMP = 2,
	CLOCK_IS_INCREMENTAL = 3,

	TRACK_UUID = 1,
	TRACK_PROCESS = 3,
	TRACK_THREAD = 4,
	PROCESS_PID = 1,
	PROCESS_NAME = 6,
	THREAD_PID = 1,
	THREAD_TID = 2,
	THREAD_NAME = 5,

	EVENT_CATEGORY_IIDS = 3,
	EVENT_DEBUG_ANNOTATIONS = 4,
	EVENT_TYPE = 9,
	EVENT_NAME_IID = 10,
	ANNOTATION_NAME_IID = 1,
	ANNOTATION_BOOL = 2,

	INTERNED_CATEGORIES = 1,
	INTERNED_EVENT_NAMES = 2,
	INTERNED_ANNOTATION_NAMES = 3,
	INTERNED_IID = 1,		/* in each interned entry */
	INTERNED_NAME = 2,
};

enum {
	TYPE_SLICE_BEGIN = 1,
	TYPE_SLICE_END = 2,
	SEQ_INCREMENTAL_STATE_CLEARED = 1,
	SEQ_NEEDS_INCREMENTAL_STATE = 2,
	CLOCK_MONOTONIC = 3,		/* BuiltinClock */
	CLOCK_DELTAS = 64,		/* the first sequence-scoped clock id */
	FIRST_SEQUENCE = 2,		/* 1 is the tracing service's own */
	IID_SYSCALL = 1,		/* the category of depth-0 calls */
	IID_UNFINISHED = 1,		/* the annotation of unreturned calls */
};

/* ---- the encoder ---------------------------------------------------------- */

struct pb {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void pb_put(struct pb *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (GROW(b->p, b->cap, b->len + n, 256)) {
		b->oom = true;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t buf[10];
	size_t n = 0;

	do {
		buf[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			buf[n] |= 0x80;
		n++;
	} while (v);
	pb_put(b, buf, n);
}

static void pb_uint(struct pb *b, unsigned int field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);	/* wire type 0 */
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, unsigned int field, const void *data,
		     size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	pb_put(b, data, n);
}

static void pb_str(struct pb *b, unsigned int field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

/* Appends @inner as field @field of @b, and empties @inner. */
static void pb_msg(struct pb *b, unsigned int field, struct pb *inner)
{
	if (inner->oom)
		b->oom = true;
	pb_bytes(b, field, inner->p, inner->len);
	inner->len = 0;
}

/* ---- collecting ------------------------------------------------------------- */

void report_perfetto_collect(void *arg, const struct report_call_slice *s)
{
	struct report_perfetto *pf = arg;

	if (GROW(pf->s, pf->cap, pf->n + 1, 4096)) {
		pf->err = -ENOMEM;
		return;
	}
	pf->s[pf->n++] = *s;
}

void report_perfetto_free(struct report_perfetto *pf)
{
	free(pf->s);
	memset(pf, 0, sizeof(*pf));
}

/*
 * Begin order: by thread, then start; a caller before the callee that
 * starts with it (lower depth); siblings starting at the same time in the
 * order they closed (@s's index).
 */
static int cmp_begin(const void *a, const void *b)
{
	const struct report_call_slice *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* ---- writing ------------------------------------------------------------------ */

struct writer {
	FILE *fp;
	const struct report_calls *rc;
	struct pb packet, event, inner, inner2;
	uint32_t *iid;		/* by function: interned name id (by rank) */
	uint32_t *seen;		/* by function: sequence it was interned on */
	uint32_t seq;		/* the current sequence (0: none yet) */
	uint64_t last_ts;	/* of the current sequence's delta clock */
};

/* Writes the packet built in w->packet as one Trace.packet. */
static void flush_packet(struct writer *w)
{
	uint8_t hdr[11];
	struct pb h = { hdr, 0, sizeof(hdr), false };

	pb_varint(&h, TRACE_PACKET << 3 | 2);
	pb_varint(&h, w->packet.len);
	if (!w->packet.oom) {
		fwrite(hdr, 1, h.len, w->fp);
		fwrite(w->packet.p, 1, w->packet.len, w->fp);
	}
	w->packet.len = 0;
}

/* Interned names by how often they are called: hot names get short ids. */
static const struct report_calls *rank_rc;

static int cmp_calls(const void *a, const void *b)
{
	uint64_t x = rank_rc->funcs[*(const uint32_t *)a].calls;
	uint64_t y = rank_rc->funcs[*(const uint32_t *)b].calls;

	if (x != y)
		return x > y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int rank_names(struct writer *w)
{
	size_t n = w->rc->nr_funcs, i;
	uint32_t *order = malloc((n ? n : 1) * sizeof(*order));

	w->iid = malloc((n ? n : 1) * sizeof(*w->iid));
	w->seen = calloc(n ? n : 1, sizeof(*w->seen));
	if (!order || !w->iid || !w->seen) {
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	rank_rc = w->rc;
	qsort(order, n, sizeof(*order), cmp_calls);
	for (i = 0; i < n; i++)
		w->iid[order[i]] = (uint32_t)i + 1;
	free(order);
	return 0;
}

static void track_descriptors(struct writer *w, uint32_t tid, uint64_t puuid,
			      uint64_t tuuid)
{
	char name[64];

	/* calltrace records carry thread ids only: a process per thread */
	pb_uint(&w->inner, TRACK_UUID, puuid);
	pb_uint(&w->inner2, PROCESS_PID, tid);
	snprintf(name, sizeof(name), "jifl calltrace %u", tid);
	pb_str(&w->inner2, PROCESS_NAME, name);
	pb_msg(&w->inner, TRACK_PROCESS, &w->inner2);
	pb_uint(&w->packet, PACKET_SEQUENCE_ID, w->seq);
	pb_msg(&w->packet, PACKET_TRACK_DESCRIPTOR, &w->inner);
	flush_packet(w);

	pb_uint(&w->inner, TRACK_UUID, tuuid);
	pb_uint(&w->inner2, THREAD_PID, tid);
	pb_uint(&w->inner2, THREAD_TID, tid);
	snprintf(name, sizeof(name), "tid %u", tid);
	pb_str(&w->inner2, THREAD_NAME, name);
	pb_msg(&w->inner, TRACK_THREAD, &w->inner2);
	pb_uint(&w->packet, PACKET_SEQUENCE_ID, w->seq);
	pb_msg(&w->packet, PACKET_TRACK_DESCRIPTOR, &w->inner);
	flush_packet(w);
}

/* A fresh sequence: its clock, defaults and fixed interned names. */
static void sequence_start(struct writer *w, uint64_t t0, uint64_t tuuid)
{
	struct pb *in = &w->inner, *in2 = &w->inner2;

	pb_uint(&w->packet, PACKET_TIMESTAMP, t0);
	pb_uint(&w->packet, PACKET_TIMESTAMP_CLOCK_ID, CLOCK_MONOTONIC);
	pb_uint(&w->packet, PACKET_SEQUENCE_ID, w->seq);
	pb_uint(&w->packet, PACKET_SEQUENCE_FLAGS,
		SEQ_INCREMENTAL_STATE_CLEARED | SEQ_NEEDS_INCREMENTAL_STATE);

	pb_uint(in2, CLOCK_ID, CLOCK_MONOTONIC);
	pb_uint(in2, CLOCK_TIMESTAMP, t0);
	pb_msg(in, SNAPSHOT_CLOCKS, in2);
	pb_uint(in2, CLOCK_ID, CLOCK_DELTAS);
	pb_uint(in2, CLOCK_TIMESTAMP, t0);
	pb_uint(in2, CLOCK_IS_INCREMENTAL, 1);
	pb_msg(in, SNAPSHOT_CLOCKS, in2);
	pb_uint(in, SNAPSHOT_PRIMARY_TRACE_CLOCK, CLOCK_MONOTONIC);
	pb_msg(&w->packet, PACKET_CLOCK_SNAPSHOT, in);

	pb_uint(in2, TRACK_EVENT_DEFAULTS_TRACK_UUID, tuuid);
	pb_msg(in, DEFAULTS_TRACK_EVENT, in2);
	pb_uint(in, DEFAULTS_TIMESTAMP_CLOCK_ID, CLOCK_DELTAS);
	pb_msg(&w->packet, PACKET_DEFAULTS, in);

	pb_uint(in2, INTERNED_IID, IID_SYSCALL);
	pb_str(in2, INTERNED_NAME, "syscall");
	pb_msg(in, INTERNED_CATEGORIES, in2);
	pb_uint(in2, INTERNED_IID, IID_UNFINISHED);
	pb_str(in2, INTERNED_NAME, "unfinished");
	pb_msg(in, INTERNED_ANNOTATION_NAMES, in2);
	pb_msg(&w->packet, PACKET_INTERNED_DATA, in);
	flush_packet(w);
	w->last_ts = t0;
}

/* One TrackEvent packet at @ts (clamped: deltas cannot go back). */
static void event(struct writer *w, uint64_t ts, unsigned int type,
		  const struct report_call_slice *s)
{
	if (ts < w->last_ts)
		ts = w->last_ts;
	pb_uint(&w->packet, PACKET_TIMESTAMP, ts - w->last_ts);
	w->last_ts = ts;
	pb_uint(&w->packet, PACKET_SEQUENCE_ID, w->seq);
	pb_uint(&w->packet, PACKET_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	pb_uint(&w->event, EVENT_TYPE, type);
	if (type == TYPE_SLICE_BEGIN) {
		uint32_t iid = w->iid[s->func];

		pb_uint(&w->event, EVENT_NAME_IID, iid);
		if (!s->depth)
			pb_uint(&w->event, EVENT_CATEGORY_IIDS, IID_SYSCALL);
		if (s->unfinished) {
			pb_uint(&w->inner, ANNOTATION_NAME_IID, IID_UNFINISHED);
			pb_uint(&w->inner, ANNOTATION_BOOL, 1);
			pb_msg(&w->event, EVENT_DEBUG_ANNOTATIONS, &w->inner);
		}
		if (w->seen[s->func] != w->seq) {	/* new on this sequence */
			char name[512];

			w->seen[s->func] = w->seq;
			report_calls_func_name(name, sizeof(name),
					       &w->rc->funcs[s->func]);
			pb_uint(&w->inner2, INTERNED_IID, iid);
			pb_str(&w->inner2, INTERNED_NAME, name);
			pb_msg(&w->inner, INTERNED_EVENT_NAMES, &w->inner2);
			pb_msg(&w->packet, PACKET_INTERNED_DATA, &w->inner);
		}
	}
	pb_msg(&w->packet, PACKET_TRACK_EVENT, &w->event);
	flush_packet(w);
}

int report_perfetto_write(FILE *fp, struct report_perfetto *pf,
			  const struct report_calls *rc)
{
	struct writer w;
	const struct report_call_slice **open = NULL;
	size_t i = 0, nopen = 0, cap = 0;
	int ret = -ENOMEM;

	memset(&w, 0, sizeof(w));
	w.fp = fp;
	w.rc = rc;
	if (pf->err || rank_names(&w))
		goto out;
	qsort(pf->s, pf->n, sizeof(*pf->s), cmp_begin);
	while (i < pf->n) {
		uint32_t tid = pf->s[i].tid;
		uint64_t tuuid;

		w.seq = w.seq ? w.seq + 1 : FIRST_SEQUENCE;
		tuuid = 2 * (uint64_t)w.seq;	/* its process track: tuuid - 1 */
		track_descriptors(&w, tid, tuuid - 1, tuuid);
		sequence_start(&w, pf->s[i].start, tuuid);
		nopen = 0;
		for (; i < pf->n && pf->s[i].tid == tid; i++) {
			const struct report_call_slice *s = &pf->s[i];

			/* what is as deep or deeper has ended before it */
			while (nopen && open[nopen - 1]->depth >= s->depth) {
				nopen--;
				event(&w, open[nopen]->end, TYPE_SLICE_END, NULL);
			}
			event(&w, s->start, TYPE_SLICE_BEGIN, s);
			if (GROW(open, cap, nopen + 1, 64))
				goto out;
			open[nopen++] = s;
		}
		while (nopen) {
			nopen--;
			event(&w, open[nopen]->end, TYPE_SLICE_END, NULL);
		}
	}
	ret = w.packet.oom || w.event.oom || w.inner.oom || w.inner2.oom ?
	      -ENOMEM : 0;
out:
	free(open);
	free(w.iid);
	free(w.seen);
	free(w.packet.p);
	free(w.event.p);
	free(w.inner.p);
	free(w.inner2.p);
	return ret;
}
