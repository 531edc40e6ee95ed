// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper: print what a jifl.data file holds of ring records and
 * plugin dumps, for the guest tests.
 *
 *   jd-events FILE            one line per call/return record, in time
 *                             order: "call|ret TID DEPTH SITE ADDR", the
 *                             addresses as symbol+0xoff from the file's
 *                             kallsyms snapshot
 *   jd-events -r FILE         reconcile calls and returns per thread:
 *                             prints "threads= calls= rets= bad= open="
 *                             and exits 1 if any return does not match
 *                             the innermost open call's depth
 *   jd-events -d NAME FILE    plugin NAME's dump records: "TYPE SIZE
 *                             X X ..." (the u64 words after the header,
 *                             in hex)
 *   jd-events -c FILE         blocks that ran (JD_BLOCK_RAN) and blocks
 *                             with a non-zero count, and blocks where
 *                             the two disagree: "ran= counted= differ="
 *   jd-events -b SYM+OFF FILE executions of the instruction at SYM+OFF:
 *                             the counts of the blocks holding it, summed
 *   jd-events -l FILE         lost records: "lost=TOTAL cpus=N"
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/data-file.h"
#include "util/report-events.h"
#include "uapi/jifl.h"

struct ev {
	const struct report_event *r;
	uint64_t seq;
};

static const struct jd_file *f;
static struct report_events events;

static void sym(char *buf, size_t len, uint64_t addr)
{
	uint64_t off;
	const struct jd_ksym *s = jd_ksym_lookup(&f->kallsyms, addr, &off);

	if (s)
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, off);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->r->ts != y->r->ts)
		return x->r->ts < y->r->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The calls and returns as jifl report reads them (report-events.c: the
 * classic records, or the compact ones paired by stack pointer), in time
 * order.
 */
static struct ev *collect(size_t *n)
{
	struct ev *ev;
	size_t i;

	if (report_events_read(f, &events))
		exit(2);
	ev = malloc((events.n ? events.n : 1) * sizeof(*ev));
	if (!ev)
		exit(2);
	for (i = 0; i < events.n; i++) {
		ev[i].r = &events.ev[i];
		ev[i].seq = i;
	}
	qsort(ev, events.n, sizeof(*ev), cmp_ev);
	*n = events.n;
	return ev;
}

#define MAX_TID		(1 << 22)

static int reconcile(void)
{
	size_t n, i, calls = 0, rets = 0, bad = 0, open = 0, threads = 0;
	struct ev *ev = collect(&n);
	unsigned int *depth = calloc(MAX_TID, sizeof(*depth));
	unsigned char *seen = calloc(MAX_TID, 1);

	for (i = 0; i < n; i++) {
		const struct report_event *r = ev[i].r;
		uint32_t t = r->tid % MAX_TID;

		if (!seen[t]) {
			seen[t] = 1;
			threads++;
		}
		if (r->kind == REPORT_EV_CALL) {
			calls++;
			if (r->depth != depth[t]) {
				if (bad++ < 5)
					fprintf(stderr, "tid %u: call at depth %u, %u open\n",
						r->tid, r->depth, depth[t]);
				depth[t] = r->depth;
			}
			depth[t]++;
		} else {
			rets++;
			if (!depth[t] || r->depth != depth[t] - 1) {
				if (bad++ < 5)
					fprintf(stderr, "tid %u: return at depth %u, %u open\n",
						r->tid, r->depth, depth[t]);
				depth[t] = r->depth + 1;
			}
			depth[t]--;
		}
	}
	for (i = 0; i < MAX_TID; i++)
		open += seen[i] ? depth[i] : 0;
	printf("threads=%zu calls=%zu rets=%zu bad=%zu open=%zu\n", threads,
	       calls, rets, bad, open);
	if (events.bad)
		fprintf(stderr, "%zu records unreadable\n", events.bad);
	free(ev);
	return bad || events.bad ? 1 : 0;
}

static int list(void)
{
	char a[256], b[256];
	size_t n, i;
	struct ev *ev = collect(&n);

	for (i = 0; i < n; i++) {
		const struct report_event *r = ev[i].r;

		sym(a, sizeof(a), r->site);
		sym(b, sizeof(b), r->target);
		printf("%s %u %u %s %s\n",
		       r->kind == REPORT_EV_CALL ? "call" : "ret", r->tid,
		       r->depth, r->site ? a : "-", b);
	}
	free(ev);
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* JD_SEC_DUMP sections: the reader skips them, so walk the table here */
static int dump(const char *name, const uint8_t *b, size_t len)
{
	uint64_t tab = get64(b + 24), i, found = 0;
	uint32_t count = get32(b + 32), esize = get32(b + 36);

	for (i = 0; i < count; i++) {
		const uint8_t *e = b + tab + i * esize;
		uint64_t off = get64(e + 8), size = get64(e + 16), p;

		if (get32(e) != JD_SEC_DUMP || size < JD_DUMP_NAME_SIZE ||
		    strncmp((const char *)b + off, name, JD_DUMP_NAME_SIZE))
			continue;
		found++;
		for (p = JD_DUMP_NAME_SIZE; p + 8 <= size;) {
			uint32_t rs = get32(b + off + p), w;

			if (rs < 8 || p + rs > size)
				break;
			printf("%u %u", get32(b + off + p + 4), rs);
			for (w = 8; w + 8 <= rs; w += 8)
				printf(" %" PRIx64, get64(b + off + p + w));
			printf("\n");
			p += rs;
		}
	}
	(void)len;
	return found ? 0 : 1;
}

static int coverage(void)
{
	uint32_t i, ran = 0, counted = 0, differ = 0;

	for (i = 0; i < f->nr_blocks; i++)
		ran += !!(f->blocks[i].flags & JD_BLOCK_RAN);
	for (i = 0; i < f->nr_counters; i++) {
		const struct jd_counter *c = &f->counters[i];

		counted += c->count != 0;
		differ += (c->count != 0) !=
			  !!(f->blocks[c->block].flags & JD_BLOCK_RAN);
	}
	printf("blocks=%u ran=%u counted=%u differ=%u\n", f->nr_blocks, ran,
	       counted, differ);
	return 0;
}

static int block_count(const char *spec)
{
	char name[256];
	uint64_t off = 0, addr = 0, sum = 0;
	const char *plus = strchr(spec, '+');
	uint32_t i;

	snprintf(name, sizeof(name), "%.*s",
		 (int)(plus ? plus - spec : (long)strlen(spec)), spec);
	if (plus)
		off = strtoull(plus + 1, NULL, 0);
	for (i = 0; i < f->kallsyms.count; i++)
		if (!strcmp(f->kallsyms.syms[i].name, name))
			addr = f->kallsyms.syms[i].addr + off;
	if (!addr) {
		fprintf(stderr, "jd-events: no symbol %s\n", name);
		return 1;
	}
	for (i = 0; i < f->nr_counters; i++) {
		const struct jd_block *b = &f->blocks[f->counters[i].block];

		if (b->start <= addr && addr < b->start + b->len)
			sum += f->counters[i].count;
	}
	printf("%" PRIu64 "\n", sum);
	return 0;
}

static int lost(void)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < f->nr_lost; i++)
		sum += f->lost[i].lost;
	printf("lost=%" PRIu64 " cpus=%u\n", sum, f->nr_lost);
	return 0;
}

int main(int argc, char **argv)
{
	char why[512];
	const char *mode = "", *name = NULL, *path;
	struct jd_file *jf;
	int ret;

	if (argc > 2 && argv[1][0] == '-') {
		mode = argv[1];
		if ((!strcmp(mode, "-d") || !strcmp(mode, "-b")) && argc > 3)
			name = argv[2];
	}
	path = argv[argc - 1];
	if (argc < 2) {
		fprintf(stderr, "usage: jd-events [-r|-c|-d NAME] FILE\n");
		return 2;
	}
	jf = jd_open(path, why, sizeof(why));
	if (!jf) {
		fprintf(stderr, "jd-events: %s\n", why);
		return 2;
	}
	f = jf;
	if (!strcmp(mode, "-r"))
		ret = reconcile();
	else if (!strcmp(mode, "-c"))
		ret = coverage();
	else if (!strcmp(mode, "-l"))
		ret = lost();
	else if (!strcmp(mode, "-b") && name)
		ret = block_count(name);
	else if (name)
		ret = dump(name, jf->map, jf->map_len);
	else
		ret = list();
	jd_close(jf);
	return ret;
}
