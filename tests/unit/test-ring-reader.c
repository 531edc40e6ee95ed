// SPDX-License-Identifier: GPL-2.0
/*
 * The ring reader's drain (src/util/ring-reader.c) on rings built in
 * memory as jifl.ko writes them: a random mix of compact events and
 * records with headers, pad records at the end of the data area, drained
 * in rounds into a jifl.data file that is read back. Every record and
 * byte arrives once, the chunks' counts and timestamps match, the tail
 * follows, and a malformed record is reported where it lies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/data-file.h"
#include "util/ring-reader.h"
#include "tap.h"


struct sim {
	uint8_t *mem;			/* control page, then the data */
	struct jifl_ring_ctl *ctl;
	uint8_t *data;
	uint32_t seed;
	uint64_t size;			/* of the data area */
	uint64_t records, bytes, ts, first_ts, last_ts;
};

static uint32_t rnd(struct sim *s)
{
	s->seed = s->seed * 1103515245U + 12345U;
	return s->seed >> 8;
}

/* One record as jifl.ko writes it, if it fits; false when the ring is full */
static bool produce(struct sim *s)
{
	uint64_t head = s->ctl->head, off = head & (s->size - 1);
	uint32_t pick = rnd(s) % 100, size;
	uint8_t *p;

	size = pick < 60 ? JIFL_EV_SIZE : pick < 85 ? JIFL_EV_SIZE_TARGET :
	       pick < 95 ? sizeof(struct jifl_rec_ct_ctx) : 40;
	if (off + size > s->size) {
		struct jifl_rec_header *pad = (void *)(s->data + off);

		if (head + (s->size - off) + size - s->ctl->tail > s->size)
			return false;
		pad->size = s->size - off;
		pad->type = JIFL_REC_PAD;
		head += s->size - off;
		off = 0;
	}
	if (head + size - s->ctl->tail > s->size)
		return false;
	p = s->data + off;
	memset(p, 0xa5, size);
	/* which record this is, where no timestamp is */
	memcpy(p + (size == 40 ? 24 : 8), &s->records, sizeof(s->records));
	if (size <= JIFL_EV_SIZE_TARGET) {
		uint32_t w = JIFL_EV_MARK | (rnd(s) & JIFL_EV_SITE_MASK) |
			     (size == JIFL_EV_SIZE_TARGET ? JIFL_EV_TARGET : 0);

		memcpy(p, &w, sizeof(w));
	} else {
		struct jifl_rec_header h = {
			.size = size,
			.type = size == 40 ? JIFL_REC_CALL : JIFL_REC_CT_CTX,
		};
		/* CT_CTX's ns at 16, a call's at 8 */
		uint64_t ts = ++s->ts;

		memcpy(p, &h, sizeof(h));
		memcpy(p + (size == 40 ? 8 : 16), &ts, sizeof(ts));
		if (!s->first_ts)
			s->first_ts = ts;
		s->last_ts = ts;
	}
	s->records++;
	s->bytes += size;
	__atomic_store_n(&s->ctl->head, head + size, __ATOMIC_RELEASE);
	return true;
}

static void sim_init(struct sim *s, uint32_t seed, uint64_t size)
{
	memset(s, 0, sizeof(*s));
	s->mem = calloc(1, JIFL_RING_CTL_SIZE + size);
	s->ctl = (void *)s->mem;
	s->data = s->mem + JIFL_RING_CTL_SIZE;
	s->size = s->ctl->size = size;
	s->seed = seed;
}

static void reader_init(struct ring_reader *r, struct sim *s)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->nr_cpus = 1;
	r->ring_size = s->size;
	r->cpu = calloc(1, sizeof(*r->cpu));
	r->cpu[0].ctl = s->ctl;
	r->cpu[0].data = s->data;
}

static char why[512];

/* The records of @c are the next ones in order: 0 or 1 */
static int check_seq(const struct jd_chunk *c, uint64_t *seq)
{
	const uint8_t *p = c->data;
	uint64_t off = 0, k;
	uint32_t w;

	while (off < c->size) {
		memcpy(&w, p + off, sizeof(w));
		memcpy(&k, p + off + ((w & JIFL_EV_MARK) || w != 40 ? 8 : 24),
		       sizeof(k));
		if (k != (*seq)++)
			return 1;
		off += w & JIFL_EV_MARK ? (w & JIFL_EV_TARGET ?
					   JIFL_EV_SIZE_TARGET : JIFL_EV_SIZE) : w;
	}
	return 0;
}

/*
 * Rounds of @size-byte rings' worth of records; with 4 MiB, 1 MiB chunks
 * that the writer splices (jd_writer_splice()), checked byte by byte.
 */
static void test_rounds(const char *path, uint64_t size, unsigned int rounds)
{
	struct ring_reader r;
	struct sim s;
	struct jd_writer *w;
	struct jd_file *f;
	uint64_t n = 0, bytes = 0, first = UINT64_MAX, last = 0, big = 0;
	uint64_t seq = 0, differ = 0;
	unsigned int round, bad = 0;

	sim_init(&s, 42, size);
	reader_init(&r, &s);
	w = jd_writer_create(path, why, sizeof(why));
	if (!ok(w != NULL, "writer created: %s", w ? "" : why))
		return;
	/* rounds of a few records to a full ring, so that runs end anywhere */
	for (round = 0; round < rounds; round++) {
		uint32_t want = round % 7 ? rnd(&s) % (size / 20) : UINT32_MAX;

		while (want-- && produce(&s))
			;

		if (rr_drain(&r, w)) {
			bad++;
			break;
		}
		if (s.ctl->tail != s.ctl->head)
			bad++;
	}
	ok(!bad, "%u drains of a %llu KiB ring: no error, the tail at the head after each (%s)",
	   rounds, (unsigned long long)size >> 10, bad ? r.why : "");
	ok(r.records == s.records && r.bytes == s.bytes,
	   "every record drained once: %llu of %llu records, %llu of %llu bytes",
	   (unsigned long long)r.records, (unsigned long long)s.records,
	   (unsigned long long)r.bytes, (unsigned long long)s.bytes);
	ok(r.pads > 10, "the data area's end was crossed (%llu pad records)",
	   (unsigned long long)r.pads);
	if (!ok(!jd_writer_close(w, why, sizeof(why)), "writer closed %s", why))
		return;
	f = jd_open(path, why, sizeof(why));
	if (!ok(f != NULL, "the file reads back: %s", f ? "" : why))
		return;
	for (uint32_t i = 0; i < f->nr_chunks; i++) {
		const struct jd_chunk *c = &f->chunks[i];

		n += c->nr_records;
		big += c->size >= (64U << 10);
		bytes += c->size;
		differ += check_seq(c, &seq);
		if (c->first_ts && c->first_ts < first)
			first = c->first_ts;
		if (c->last_ts > last)
			last = c->last_ts;
	}
	ok(n == s.records && bytes == s.bytes,
	   "the chunks hold them: %llu records, %llu bytes in %u chunks",
	   (unsigned long long)n, (unsigned long long)bytes, f->nr_chunks);
	ok(first == s.first_ts && last == s.last_ts,
	   "the chunks' timestamps span the records' (%llu..%llu)",
	   (unsigned long long)first, (unsigned long long)last);
	ok(!differ, "each record in the file is the one written (%llu chunks out of order)",
	   (unsigned long long)differ);
	if (size >= (4U << 20))
		ok(big > 10, "%llu chunks of 64 KiB or more (spliced)",
		   (unsigned long long)big);
	jd_close(f);
	free(r.cpu);
	free(s.mem);
}

/* A record whose size is not a multiple of 8, after compact events */
static void test_corrupt(void)
{
	struct ring_reader r;
	struct sim s;
	struct jifl_rec_header h = { .size = 12, .type = JIFL_REC_CT_CTX };
	int ret;

	sim_init(&s, 7, 64U << 10);
	reader_init(&r, &s);
	s.seed = 1;
	for (int i = 0; i < 100; i++) {
		uint32_t wd = JIFL_EV_MARK | i;

		memcpy(s.data + 16 * i, &wd, sizeof(wd));
	}
	memcpy(s.data + 1600, &h, sizeof(h));
	s.ctl->head = 1600 + 64;
	ret = rr_drain(&r, NULL);
	ok(ret == -EIO && strstr(r.why, "corrupt at byte 1600 (record size 12)"),
	   "a malformed record after compact events: %s", r.why);
	free(r.cpu);
	free(s.mem);
}

int main(void)
{
	char path[] = "/tmp/test-ring-reader.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		plan_skip_all("no temporary file");
		return 0;
	}
	close(fd);
	test_rounds(path, 64U << 10, 400);
	test_rounds(path, 4U << 20, 40);
	test_corrupt();
	unlink(path);
	return done_testing();
}
