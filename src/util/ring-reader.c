// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/data-file.h"
#include "util/ring-reader.h"

#define RR_CHUNK_MAX	(1U << 20)	/* bytes of records per chunk */

_Static_assert(JIFL_EV_TARGET >> 27 == 8 &&
	       JIFL_EV_SIZE + 8 == JIFL_EV_SIZE_TARGET, "skip_events()");

static int rr_fail(struct ring_reader *r, int err, const char *what)
{
	snprintf(r->why, sizeof(r->why), "%s: %s", what, strerror(err));
	return -err;
}

int rr_parse_size(const char *s, uint64_t *size)
{
	unsigned long long v;
	uint64_t p2 = JIFL_RING_MIN;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	case 'm': case 'M':
		v <<= 20;
		end++;
		break;
	case 'g': case 'G':
		v <<= 30;
		end++;
		break;
	case 'p': case 'P':
		v *= 4096;
		end++;
		break;
	}
	if (*end == 'b' || *end == 'B' || *end == 'i')
		end++;
	if (*end || !v || v > JIFL_RING_MAX)
		return -1;
	while (p2 < v)
		p2 <<= 1;
	*size = p2;
	return 0;
}

int rr_open(struct ring_reader *r, int fd, uint64_t ring_size)
{
	struct jifl_rings rg = {
		.size = sizeof(rg),
		.ring_size = ring_size,
	};
	unsigned int c;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (ioctl(fd, JIFL_IOC_RINGS, &rg))
		return rr_fail(r, errno, "creating the event rings");
	r->nr_cpus = rg.nr_cpus;
	r->ring_size = ring_size;
	r->stride = rg.stride;
	r->cpu = calloc(r->nr_cpus, sizeof(*r->cpu));
	if (!r->cpu)
		return rr_fail(r, ENOMEM, "event rings");
	for (c = 0; c < r->nr_cpus; c++) {
		void *m = mmap(NULL, JIFL_RING_CTL_SIZE + ring_size,
			       PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			       (off_t)(c * r->stride));

		if (m == MAP_FAILED) {
			/* CPUs that cannot exist have no ring */
			if (errno == EINVAL)
				continue;
			return rr_fail(r, errno, "mapping an event ring");
		}
		r->cpu[c].ctl = m;
		r->cpu[c].data = (const uint8_t *)m + JIFL_RING_CTL_SIZE;
	}
	return 0;
}

int rr_wait(struct ring_reader *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms);
}

static int flush_chunk(struct ring_reader *r, struct jd_writer *w,
		       unsigned int cpu, const uint8_t *data, size_t len,
		       uint64_t n, uint64_t first_ts, uint64_t last_ts,
		       bool compact)
{
	struct jd_chunk c = {
		.cpu = cpu,
		.flags = JD_CHUNK_VARIABLE,
		.record_format = compact ? JD_CHUNK_FMT_EVENTS : RR_CHUNK_FORMAT,
		.nr_records = n,
		.first_ts = first_ts,
		.last_ts = last_ts,
		.data = data,
		.size = len,
		.counted = true,	/* drain_cpu() walked them */
	};

	if (!n || !w)
		return 0;
	/* to a file, not a pipe: the ring's pages spliced, not copied twice */
	if (r->spliced != w) {
		jd_writer_splice(w);
		r->spliced = w;
	}
	r->chunks++;
	return jd_write_chunk(w, &c);
}

/* ns timestamp of a record with a header that has one, or 0 */
static uint64_t rec_ts(const struct jifl_rec_header *h)
{
	uint64_t ts;

	if (h->type == JIFL_REC_CT_CTX &&
	    h->size >= sizeof(struct jifl_rec_ct_ctx)) {
		memcpy(&ts, (const uint8_t *)h + 16, sizeof(ts));
		return ts;
	}
	if ((h->type != JIFL_REC_CALL && h->type != JIFL_REC_RET) ||
	    h->size < 16)
		return 0;
	memcpy(&ts, (const uint8_t *)h + 8, sizeof(ts));
	return ts;
}

static int corrupt(struct ring_reader *r, unsigned int cpu, uint64_t at,
		   uint32_t size)
{
	snprintf(r->why, sizeof(r->why),
		 "CPU %u's event ring is corrupt at byte %llu (record size %u)",
		 cpu, (unsigned long long)at, size);
	return -EIO;
}

/*
 * Past the compact events (JIFL_EV_MARK) from @len on, while they start
 * at or before @end (JIFL_EV_SIZE_TARGET bytes or more before the end of
 * the run, so that any of them fits): their sizes only, counted in @n.
 * Most of a drain's records go through this loop, hence its own.
 */
static uint64_t skip_events(const uint8_t *p, uint64_t len, uint64_t end,
			    uint64_t *n)
{
	uint64_t k = *n;

	while (len <= end) {
		uint32_t w;

		memcpy(&w, p + len, sizeof(w));
		if (!(w & JIFL_EV_MARK))
			break;
		/* JIFL_EV_TARGET's bit shifted to 8: fewer instructions */
		len += JIFL_EV_SIZE + ((w >> 27) & 8);
		k++;
	}
	*n = k;
	return len;
}

/*
 * Move @cpu's records to the file as they lie in the mapping: each run
 * of records up to the head, the end of the data area (a pad record) or
 * RR_CHUNK_MAX bytes is one chunk written from the ring itself, after one
 * walk over the record sizes (the count, the check, the timestamps of the
 * records with a header); compact events (JIFL_EV_MARK) are only sized.
 * The tail advances after each chunk, so the kernel gets the space back
 * while the rest is written.
 */
static int drain_cpu(struct ring_reader *r, struct jd_writer *w,
		     unsigned int cpu)
{
	struct rr_cpu *rc = &r->cpu[cpu];
	uint64_t head, tail, mask = r->ring_size - 1;
	int ret = 0;

	head = __atomic_load_n(&rc->ctl->head, __ATOMIC_ACQUIRE);
	tail = rc->ctl->tail;
	if (head - tail > r->ring_size)
		return corrupt(r, cpu, tail, 0);
	while (tail < head) {
		const uint8_t *p = rc->data + (tail & mask);
		uint64_t avail = r->ring_size - (tail & mask);
		uint64_t room, len = 0, n = 0, skip = 0;
		uint64_t first_ts = UINT64_MAX, last_ts = 0;
		bool compact = false;

		if (avail > head - tail)
			avail = head - tail;
		room = avail < RR_CHUNK_MAX ? avail : RR_CHUNK_MAX;
		while (len < room) {
			const struct jifl_rec_header *h = (const void *)(p + len);
			uint32_t size;
			uint64_t ts;

			if (room - len >= JIFL_EV_SIZE_TARGET) {
				uint64_t past = skip_events(p, len,
						room - JIFL_EV_SIZE_TARGET, &n);

				if (past != len) {
					compact = true;
					len = past;
					continue;
				}
			}
			size = h->size;
			if (size & JIFL_EV_MARK) {
				size = size & JIFL_EV_TARGET ?
				       JIFL_EV_SIZE_TARGET : JIFL_EV_SIZE;
				compact = true;
			} else if (avail - len < sizeof(*h) ||
				   size < sizeof(*h) || size % 8) {
				return corrupt(r, cpu, tail + len, size);
			} else if (h->type == JIFL_REC_PAD) {
				/* only up to the end of the data area */
				skip = size;
				r->pads++;
				break;
			} else {
				if (h->type >= JIFL_REC_CT_CTX &&
				    h->type <= JIFL_REC_CT_LEAVE)
					compact = true;
				ts = rec_ts(h);
				if (ts && ts < first_ts)
					first_ts = ts;
				if (ts > last_ts)
					last_ts = ts;
			}
			if (size > avail - len)
				return corrupt(r, cpu, tail + len, size);
			if (size > room - len) {
				if (len)
					break;	/* the next chunk's */
				room = size;	/* a record beyond RR_CHUNK_MAX */
			}
			len += size;
			n++;
		}
		if (skip > avail - len)
			return corrupt(r, cpu, tail + len, skip);
		if (first_ts > last_ts)
			first_ts = last_ts = 0;
		ret = flush_chunk(r, w, cpu, p, len, n, first_ts, last_ts,
				  compact);
		if (ret)
			break;
		rc->records += n;
		rc->bytes += len;
		r->records += n;
		r->bytes += len;
		tail += len + skip;
		/* the records are in the file: the kernel may reuse them */
		__atomic_store_n(&rc->ctl->tail, tail, __ATOMIC_RELEASE);
	}
	if (ret)
		snprintf(r->why, sizeof(r->why), "writing events: %s",
			 strerror(-ret));
	return ret;
}

int rr_drain(struct ring_reader *r, struct jd_writer *w)
{
	unsigned int c;
	int ret;

	for (c = 0; c < r->nr_cpus; c++) {
		if (!r->cpu[c].ctl)
			continue;
		ret = drain_cpu(r, w, c);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t rr_lost(const struct ring_reader *r, unsigned int cpu)
{
	if (cpu >= r->nr_cpus || !r->cpu[cpu].ctl)
		return 0;
	return __atomic_load_n(&r->cpu[cpu].ctl->lost, __ATOMIC_RELAXED);
}

void rr_close(struct ring_reader *r)
{
	unsigned int c;

	for (c = 0; r->cpu && c < r->nr_cpus; c++)
		if (r->cpu[c].ctl)
			munmap(r->cpu[c].ctl, JIFL_RING_CTL_SIZE + r->ring_size);
	free(r->cpu);
	r->cpu = NULL;
}
