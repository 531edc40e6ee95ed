// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a synthetic jifl.data for the `jifl report` tests
 * (tests/unit/test-report.sh): what `jifl record -e bbcount` writes, with
 * a made-up kallsyms snapshot and known counts.
 *
 *   make-report-fixture FILE [full|no-counters|hidden|empty]
 *
 *   full         feature sections, kallsyms, blocks and counters (default)
 *   no-counters  the same without the COUNTERS section
 *   hidden       kallsyms recorded with addresses hidden (kptr_restrict)
 *   empty        a COUNTERS section with no entries
 *
 * The counts (10000 executions in all; see the expected outputs in
 * tests/fixtures/report-*):
 *
 *   symbol                      blocks (offset len count)        sum
 *   vfs_read                    +0x0 40 2000+500, +0x28 12 500   3000
 *   ksys_read                   +0x0 20 2500                     2500
 *   do_syscall_64               +0x0 16 1000, +0x10 24 1000,
 *                               +0x28 8 0 (not executed)         2000
 *   __fdget_pos.part.0          +0x4 10 1500                     1500
 *   ext4_file_read_iter [ext4]  +0x0 32 800                       800
 *   [unknown] (before _text)    8 100                             100
 *   ext4_llseek [ext4]          +0x10 6 50                         50
 *   jifl_ioctl [jifl]           +0x8 4 50                          50
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/data-file.h"

#define TEXT 0xffffffff81000000ULL
#define EXT4 0xffffffffc0100000ULL
#define JIFL 0xffffffffc0a00000ULL

/* unsorted on purpose: the writer sorts */
static struct jd_ksym syms[] = {
	{ TEXT + 0x1000, "do_syscall_64", "", 'T' },
	{ TEXT, "_text", "", 'T' },
	{ TEXT, "_stext", "", 'T' },
	{ TEXT + 0x2000, "ksys_read", "", 'T' },
	{ TEXT + 0x2400, "vfs_read", "", 'T' },
	{ TEXT + 0x3000, "__fdget_pos.part.0", "", 't' },
	{ EXT4, "ext4_file_read_iter", "ext4", 't' },
	{ EXT4 + 0x800, "ext4_llseek", "ext4", 't' },
	{ JIFL, "jifl_ioctl", "jifl", 't' },
};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))

static const struct jd_block blocks[] = {
	/* 0 */ { TEXT + 0x1000, 16, 2, 0 },
	/* 1 */ { TEXT + 0x1010, 24, 2, 0 },
	/* 2 */ { TEXT + 0x1028, 8, 2, 0 },
	/* 3 */ { TEXT + 0x2000, 20, 3, 0 },
	/* 4 */ { TEXT + 0x2400, 40, 4, 0 },
	/* 5 */ { TEXT + 0x2428, 12, 4, 0 },
	/* 6 */ { TEXT + 0x3004, 10, 5, 0 },
	/* 7 */ { EXT4, 32, 6, 0 },
	/* 8 */ { EXT4 + 0x810, 6, 7, 0 },
	/* 9 */ { JIFL + 0x8, 4, 8, 0 },
	/* 10 */ { TEXT - 0x1000, 8, JD_NO_FUNC, 0 },
};
#define NBLOCKS (sizeof(blocks) / sizeof(blocks[0]))

static const struct jd_counter counters[] = {
	{ 0, 1000 }, { 1, 1000 }, { 2, 0 }, { 3, 2500 }, { 4, 2000 },
	{ 5, 500 }, { 6, 1500 }, { 7, 800 }, { 8, 50 }, { 9, 50 },
	{ 10, 100 },
	{ 4, 500 },	/* a second count for block 4: summed */
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static const char *const cmd[] = { "jifl", "record", "-e", "bbcount", "--",
				   "sh", "-c", "cat /etc/hostname" };

int main(int argc, char **argv)
{
	const char *variant = argc > 2 ? argv[2] : "full";
	struct jd_clock clock = { 1, 1000000000ULL, 5000000000ULL,
				  1700000000ULL * 1000000000ULL };
	struct jd_kernel kernel = { TEXT, TEXT + 0x1000000, 0 };
	struct jd_kallsyms ks = { syms, NSYMS, 0, TEXT, JIFL + 0x1000 };
	struct jd_writer *w;
	char why[512];
	int r;

	if (argc < 2 || argc > 3 ||
	    (strcmp(variant, "full") && strcmp(variant, "no-counters") &&
	     strcmp(variant, "hidden") && strcmp(variant, "empty"))) {
		fprintf(stderr, "usage: make-report-fixture FILE [full|no-counters|hidden|empty]\n");
		return 2;
	}
	if (!strcmp(variant, "hidden")) {
		size_t i;

		for (i = 0; i < NSYMS; i++)
			syms[i].addr = 0;
		ks.flags = kernel.flags = JD_KF_ADDRS_HIDDEN;
		ks.text = ks.end = kernel.text = kernel.etext = 0;
	}
	w = jd_writer_create(argv[1], why, sizeof(why));
	if (!w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(w, "6.1.0-test-amd64");
	if (!r)
		r = jd_write_cmdline(w, sizeof(cmd) / sizeof(cmd[0]), cmd);
	if (!r)
		r = jd_write_cpus(w, 2, 4);
	if (!r)
		r = jd_write_clock(w, &clock);
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_kallsyms(w, &ks);
	if (!r)
		r = jd_write_blocks(w, blocks, NBLOCKS);
	if (!r && !strcmp(variant, "empty"))
		r = jd_write_counters(w, counters, 0);
	else if (!r && strcmp(variant, "no-counters"))
		r = jd_write_counters(w, counters, NCOUNTERS);
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	return r ? 1 : 0;
}
