// SPDX-License-Identifier: GPL-2.0
/*
 * jifl top's model without a kernel: rates and totals from successive
 * block-table readings, zeroing, function and block views, sort orders,
 * name filters, the --stdio/--json output, the blocks-only annotation,
 * and the snapshot read back as jifl.data.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/data-file.h"
#include "util/sysinfo.h"
#include "util/top-annotate.h"
#include "util/top-hist.h"
#include "util/top-snapshot.h"

static struct jd_ksym syms[] = {
	{ 0xffffffff81000000ULL, "_text", "", 'T' },
	{ 0xffffffff81001000ULL, "ksys_read", "", 'T' },
	{ 0xffffffff81001200ULL, "vfs_read", "", 'T' },
	{ 0xffffffff81001400ULL, "tcp_sendmsg", "", 'T' },
	{ 0xffffffff81001800ULL, "__x64_sys_read", "", 'T' },
};

#define BLK(a, l, c) { 0xffffffff81000000ULL + (a), (l), (c) }

static const struct top_entry *find(const struct top_hist *h, const char *name)
{
	char buf[256];
	size_t i;

	for (i = 0; i < h->nr_entries; i++) {
		top_entry_name(h, &h->e[i], buf, sizeof(buf));
		if (!strcmp(buf, name))
			return &h->e[i];
	}
	return NULL;
}

int main(void)
{
	struct jd_kallsyms ks = {
		.syms = syms, .count = 5,
		.text = 0xffffffff81000000ULL, .end = 0xffffffff81002000ULL,
	};
	struct jifl_block_info r1[] = {
		BLK(0x1000, 16, 10), BLK(0x1010, 8, 10),	/* ksys_read */
		BLK(0x1200, 32, 5),				/* vfs_read */
	};
	struct jifl_block_info r2[] = {
		BLK(0x1000, 16, 30), BLK(0x1010, 8, 25),
		BLK(0x1200, 32, 5),
		BLK(0x1400, 12, 100), BLK(0x1410, 4, 0),	/* new blocks */
		BLK(0x1800, 20, 7),
	};
	const struct top_entry *e;
	struct top_annot a;
	struct top_hist h;
	char path[] = "/tmp/jifl-top-test.XXXXXX", why[256], *buf = NULL;
	size_t len = 0;
	struct jd_file *f;
	FILE *mem;
	int fd;

	ok(!top_hist_init(&h, &ks), "init");
	ok(!top_hist_update(&h, r1, 3, 1.0), "first reading");
	ok(h.sum_delta == 25 && h.sum_total == 25, "first reading: all counts are new (%llu)",
	   (unsigned long long)h.sum_delta);
	ok(!top_hist_update(&h, r2, 6, 2.0), "second reading, 2 s later");
	ok(h.nr == 6 && h.nr_executed == 5, "6 blocks, 5 ran (%zu, %u)", h.nr, h.nr_executed);
	ok(h.sum_delta == 35 + 100 + 7 && h.sum_total == 167,
	   "interval: 142 runs, total 167 (%llu, %llu)",
	   (unsigned long long)h.sum_delta, (unsigned long long)h.sum_total);

	ok(!top_hist_collapse(&h), "collapse: functions by rate");
	ok(h.nr_entries == 4, "4 functions ran (%zu)", h.nr_entries);
	e = &h.e[0];
	ok(e->sym == 3 && e->delta == 100 && top_entry_rate(&h, e) == 50.0,
	   "tcp_sendmsg first: 100 runs in 2 s = 50/s");
	e = find(&h, "ksys_read");
	ok(e && e->delta == 35 && e->total == 55 && e->nr_blocks == 2,
	   "ksys_read: its two blocks summed (35 in the interval, 55 total)");
	e = find(&h, "vfs_read");
	ok(e && e->delta == 0 && e->total == 5, "vfs_read: no runs in the interval, 5 total");
	ok(h.e[3].sym == 2, "the idle function is last by rate");

	h.sort = TOP_SORT_TOTAL;
	top_hist_collapse(&h);
	ok(h.e[0].sym == 3 && h.e[1].sym == 1 && h.e[2].sym == 4 && h.e[3].sym == 2,
	   "by total: tcp_sendmsg, ksys_read, __x64_sys_read, vfs_read");
	h.sort = TOP_SORT_NAME;
	top_hist_collapse(&h);
	ok(h.e[0].sym == 4 && h.e[3].sym == 2, "by name: __x64_sys_read first, vfs_read last");
	h.sort = TOP_SORT_BLOCKS;
	top_hist_collapse(&h);
	ok(h.e[0].sym == 1, "by blocks: ksys_read (2 blocks) first");

	h.sort = TOP_SORT_RATE;
	snprintf(h.filter, sizeof(h.filter), "read");
	top_hist_collapse(&h);
	ok(h.nr_entries == 3 && !find(&h, "tcp_sendmsg"), "filter 'read': substring, 3 functions");
	ok(h.view_delta == 42, "the filtered interval sum is 42 (%llu)",
	   (unsigned long long)h.view_delta);
	snprintf(h.filter, sizeof(h.filter), "*_read");
	top_hist_collapse(&h);
	ok(h.nr_entries == 3, "glob '*_read': 3 functions (%zu)", h.nr_entries);
	snprintf(h.filter, sizeof(h.filter), "tcp_*");
	top_hist_collapse(&h);
	ok(h.nr_entries == 1 && h.e[0].sym == 3, "glob 'tcp_*': tcp_sendmsg alone");
	h.filter[0] = '\0';

	h.view = TOP_VIEW_BLOCK;
	top_hist_collapse(&h);
	ok(h.nr_entries == 5, "blocks view: the 5 blocks that ran (%zu)", h.nr_entries);
	e = find(&h, "ksys_read+0x10");
	ok(e && e->delta == 15 && e->total == 25, "ksys_read+0x10: 15 in the interval, 25 total");
	ok(!find(&h, "tcp_sendmsg+0x10"), "a block that never ran is not listed");

	mem = open_memstream(&buf, &len);
	top_hist_print(mem, &h, "pid 42", 2, false);
	fclose(mem);
	ok(strstr(buf, "pid 42") && strstr(buf, "71 blocks/s") &&
	   strstr(buf, "tcp_sendmsg+0x0") && !strstr(buf, "vfs_read"),
	   "text: header with the rate, at most 2 entries");
	free(buf);
	mem = open_memstream(&buf, &len);
	h.view = TOP_VIEW_SYM;
	top_hist_collapse(&h);
	top_hist_print(mem, &h, "system-wide", 0, true);
	fclose(mem);
	ok(!strncmp(buf, "{\"time\":", 8) && strstr(buf, "\"rate\":71,") &&
	   strstr(buf, "{\"name\":\"tcp_sendmsg\",\"module\":\"\",\"addr\":\"0xffffffff81001400\",\"rate\":50,\"total\":100,\"blocks\":1}") &&
	   !strcmp(buf + strlen(buf) - 3, "]}\n"),
	   "json: one line, entries with name, rate, total, blocks");
	free(buf);

	ok(!top_annotate(&a, &h, 1, NULL), "annotate ksys_read without kcore");
	ok(a.n == 2 && a.l[0].block_start && a.l[0].total == 30 &&
	   a.l[1].total == 25 && a.l[1].delta == 15,
	   "blocks only: two lines with their counts");
	ok(strstr(a.title, "ksys_read") && strstr(a.title, "2 blocks translated") &&
	   strstr(a.title, "55 block runs") && a.note[0],
	   "title and a note on why there is no disassembly");
	top_annot_free(&a);

	top_hist_zero(&h);
	top_hist_collapse(&h);
	ok(h.nr_entries == 0 && h.sum_total == 0, "z: nothing ran since");
	r2[0].count += 4;
	ok(!top_hist_update(&h, r2, 6, 1.0), "a reading after z");
	top_hist_collapse(&h);
	ok(h.nr_entries == 1 && h.e[0].total == 4 && h.e[0].delta == 4,
	   "only the runs after z count");

	/* the snapshot, read back */
	fd = mkstemp(path);
	close(fd);
	{
		struct jifl_sysinfo si;
		const char *argv[] = { "jifl", "top", NULL };

		memset(&si, 0, sizeof(si));
		snprintf(si.release, sizeof(si.release), "6.1.0-test");
		si.kallsyms = ks;
		si.cpus_online = si.cpus_configured = 2;
		si.clock.clockid = 1;
		si.clock.freq_hz = 1000000000ULL;
		ok(!top_snapshot_write(path, &si, &h, 2, argv, why, sizeof(why)),
		   "snapshot written (%s)", why);
	}
	f = jd_open(path, why, sizeof(why));
	ok(f != NULL, "the snapshot is a valid jifl.data (%s)", f ? "" : why);
	ok(f && f->nr_blocks == 6 && f->nr_counters == 6, "with the 6 blocks and their counters");
	ok(f && f->counters[0].count == 4 && f->counters[3].count == 0,
	   "counters are the totals since z");
	ok(f && f->kallsyms.count == 5, "and the kallsyms snapshot");
	if (f)
		jd_close(f);
	unlink(path);
	{
		char old[64];

		snprintf(old, sizeof(old), "%s.old", path);
		unlink(old);
	}
	top_hist_free(&h);
	ok(1, "freed");
	return done_testing();
}
