/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading jifl.ko's per-CPU event rings (uapi/jifl.h, struct
 * jifl_ring_ctl): create and map them, wait for data with poll(), and
 * move their records into jifl.data as JD_SEC_CHUNK sections written from
 * the mapping itself, no copy in user space (pad records dropped; to a
 * regular file, vmsplice() and splice(): jd_writer_splice()).
 */
#ifndef JIFL_RING_READER_H
#define JIFL_RING_READER_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/jifl.h"
#include "util/data-file.h"

struct jd_writer;

/* JD_SEC_CHUNK record_format of chunks holding ring records */
#define RR_CHUNK_FORMAT		JD_CHUNK_FMT_RING

struct rr_cpu {
	struct jifl_ring_ctl *ctl;	/* the mapping: control page, data */
	const uint8_t *data;
	uint64_t records;		/* records moved to the file */
	uint64_t bytes;			/* their bytes */
};

struct ring_reader {
	int fd;
	unsigned int nr_cpus;
	uint64_t ring_size, stride;
	struct rr_cpu *cpu;
	uint64_t records, bytes, chunks, pads;
	struct jd_writer *spliced;	/* jd_writer_splice() asked of it */
	char why[256];
};

/*
 * JIFL_IOC_RINGS with @ring_size bytes per CPU, then map every ring.
 * Return: 0 or -errno with r->why set.
 */
int rr_open(struct ring_reader *r, int fd, uint64_t ring_size);

/* Wait up to @timeout_ms for a ring to reach its watermark. */
int rr_wait(struct ring_reader *r, int timeout_ms);

/*
 * Move every complete record now in the rings into @w (or drop them when
 * @w is NULL). Return: 0 or -errno with r->why set (a corrupt ring).
 */
int rr_drain(struct ring_reader *r, struct jd_writer *w);

/* Records the kernel dropped on @cpu (ring full) */
uint64_t rr_lost(const struct ring_reader *r, unsigned int cpu);

void rr_close(struct ring_reader *r);

/*
 * Parse a ring size: a number with an optional K, M or G suffix (powers
 * of 1024) or a number of pages with a P suffix, rounded up to a power of
 * two. Return: 0 or -1 if it is not a size or out of range.
 */
int rr_parse_size(const char *s, uint64_t *size);

#endif /* JIFL_RING_READER_H */
