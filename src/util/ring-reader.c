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
	r->buf_cap = RR_CHUNK_MAX;
	r->buf = malloc(r->buf_cap);
	if (!r->cpu || !r->buf)
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
		       unsigned int cpu, size_t len, uint64_t n,
		       uint64_t first_ts, uint64_t last_ts, bool compact)
{
	struct jd_chunk c = {
		.cpu = cpu,
		.flags = JD_CHUNK_VARIABLE,
		.record_format = compact ? JD_CHUNK_FMT_EVENTS : RR_CHUNK_FORMAT,
		.nr_records = n,
		.first_ts = first_ts,
		.last_ts = last_ts,
		.data = r->buf,
		.size = len,
	};

	if (!n || !w)
		return 0;
	r->chunks++;
	return jd_write_chunk(w, &c);
}

/* ns timestamp of a record that has one (calls, returns, contexts), or 0 */
static uint64_t rec_ts(const struct jifl_rec_header *h)
{
	uint64_t ts;

	if (h->size & JIFL_EV_MARK)
		return 0;	/* compact: a TSC */
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

/* The size of the record at @h: compact ones have no header */
static uint32_t rec_size(const struct jifl_rec_header *h, bool *compact)
{
	if (!(h->size & JIFL_EV_MARK)) {
		if (h->type >= JIFL_REC_CT_CTX && h->type <= JIFL_REC_CT_LEAVE)
			*compact = true;
		return h->size;
	}
	*compact = true;
	return h->size & JIFL_EV_TARGET ? JIFL_EV_SIZE_TARGET : JIFL_EV_SIZE;
}

static int drain_cpu(struct ring_reader *r, struct jd_writer *w,
		     unsigned int cpu)
{
	struct rr_cpu *rc = &r->cpu[cpu];
	uint64_t head, tail, mask = r->ring_size - 1, n = 0;
	uint64_t first_ts = 0, last_ts = 0;
	size_t len = 0;
	bool compact = false;
	int ret = 0;

	head = __atomic_load_n(&rc->ctl->head, __ATOMIC_ACQUIRE);
	tail = rc->ctl->tail;
	while (tail < head) {
		const struct jifl_rec_header *h =
			(const void *)(rc->data + (tail & mask));
		uint32_t size = rec_size(h, &compact);
		uint64_t ts;

		if (size < sizeof(*h) || size % 8 ||
		    (tail & mask) + size > r->ring_size || size > head - tail) {
			snprintf(r->why, sizeof(r->why),
				 "CPU %u's event ring is corrupt at byte %llu (record size %u)",
				 cpu, (unsigned long long)tail, size);
			return -EIO;
		}
		if (h->type == JIFL_REC_PAD) {
			r->pads++;
			tail += size;
			continue;
		}
		if (len + size > r->buf_cap) {
			ret = flush_chunk(r, w, cpu, len, n, first_ts, last_ts,
					  compact);
			if (ret)
				break;
			len = 0;
			n = 0;
			first_ts = last_ts = 0;
			compact = false;
			rec_size(h, &compact);	/* this one's, for the next */
		}
		memcpy(r->buf + len, h, size);
		len += size;
		n++;
		ts = rec_ts(h);
		if (ts) {
			if (!first_ts)
				first_ts = ts;
			if (ts > last_ts)
				last_ts = ts;
			if (ts < first_ts)
				first_ts = ts;
		}
		rc->records++;
		rc->bytes += size;
		r->records++;
		r->bytes += size;
		tail += size;
	}
	if (!ret)
		ret = flush_chunk(r, w, cpu, len, n, first_ts, last_ts,
				  compact);
	/* the records are copied: the kernel may reuse their space */
	__atomic_store_n(&rc->ctl->tail, tail, __ATOMIC_RELEASE);
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
	free(r->buf);
	r->cpu = NULL;
	r->buf = NULL;
}
