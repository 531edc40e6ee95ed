// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a synthetic jifl.data for the `jifl report` tests
 * (tests/unit/test-report.sh): what `jifl record -e bbcount` writes, with
 * a made-up kallsyms snapshot and known counts.
 *
 *   make-report-fixture FILE [full|no-counters|hidden|empty]
 *   make-report-fixture FILE spec SPECFILE
 *   make-report-fixture FILE bench NBLOCKS
 *   make-report-fixture FILE calls|calls-lost|calls-sysstat|sysstat|sysstat-short
 *   make-report-fixture FILE calls-bench|calls-skewed NEVENTS
 *   make-report-fixture FILE calls-random SEED
 *   make-report-fixture FILE calls-pair SEED classic|compact
 *   make-report-fixture FILE calls-compact NEVENTS
 *
 *   full         feature sections, kallsyms, blocks and counters (default)
 *   no-counters  the same without the COUNTERS section
 *   hidden       kallsyms recorded with addresses hidden (kptr_restrict)
 *   empty        a COUNTERS section with no entries
 *
 * spec: a file of lines (see read_spec()) describing the recorded kernel
 * and blocks, for tests against real objects (tests/target/jifl_target.ko).
 * bench: NBLOCKS blocks spread over 20000 made-up functions, for
 * tests/bench/report.sh.
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
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/jifl.h"
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

static int hexbytes(const char *hex, struct jd_build_id *id)
{
	size_t n = strlen(hex) / 2, i;

	if (n > JD_BUILD_ID_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		id->data[i] = (uint8_t)b;
	}
	id->size = (uint32_t)n;
	return 0;
}

#define GROW(arr, n, cap) \
	do { if ((n) == (cap)) { (cap) = (cap) ? 2 * (cap) : 64; \
	     (arr) = realloc((arr), (cap) * sizeof(*(arr))); \
	     if (!(arr)) { perror("realloc"); exit(1); } } } while (0)

/*
 * Spec lines ('#' comments):
 *   uname RELEASE
 *   text ADDR ETEXT          runtime _text and _etext
 *   buildid HEX              vmlinux build-id
 *   module NAME BASE SIZE [BUILDID]
 *   sym ADDR TYPE NAME [MODULE]
 *   block ADDR LEN COUNT     COUNT 0: translated, never executed
 *   nocounters               no COUNTERS section (as -e cover writes)
 *   recording KEY=VALUE      an entry of the RECORDING section (the rest
 *                            of the line, spaces included)
 *   event call|ret TS TID CPU DEPTH SITE TARGET
 *                            a calltrace record (CPU 0 or 1, up to 64
 *                            each), in a chunk of its CPU
 *   ranflags                 blocks with a count above 0 get JD_BLOCK_RAN
 *   blocks ADDR SPAN N       N blocks of 4 bytes at ADDR + (i * 4 % SPAN),
 *                            counts 1 + i % 1000 (benchmarks)
 * Numbers in C syntax (0x... for hex).
 */
static int write_spec(const char *out, const char *spec)
{
	struct jd_ksym *ks = NULL;
	struct jd_module *mods = NULL;
	struct jd_block *bl = NULL;
	struct jd_counter *cn = NULL;
	size_t nks = 0, cks = 0, nm = 0, cm = 0, nb = 0, cb = 0;
	struct jd_kernel kernel = { 0, 0, 0 };
	struct jd_build_id vid = { 0 };
	struct jd_kallsyms kall;
	char line[1024], rel[256] = "6.1.0-test-amd64", *why = line;
	struct jd_writer *w;
	FILE *fp = fopen(spec, "r");
	uint64_t kmin = UINT64_MAX, kmax = 0;
	bool nocounters = false, ranflags = false;
	char *rec[64];
	uint32_t nrec = 0;
	static uint8_t evbuf[2][64 * sizeof(struct jifl_rec_call)];
	struct jd_chunk evc[2];
	size_t i;
	int r;

	if (!fp) {
		perror(spec);
		return 1;
	}
	memset(evc, 0, sizeof(evc));
	while (fgets(line, sizeof(line), fp)) {
		char a[256], b[256], c[256], d[256], e[256];
		int n = sscanf(line, "%255s %255s %255s %255s %255s", a, b, c,
			       d, e);

		if (n <= 0 || a[0] == '#')
			continue;
		if (!strcmp(a, "uname") && n == 2) {
			snprintf(rel, sizeof(rel), "%s", b);
		} else if (!strcmp(a, "text") && n == 3) {
			kernel.text = strtoull(b, NULL, 0);
			kernel.etext = strtoull(c, NULL, 0);
		} else if (!strcmp(a, "buildid") && n == 2) {
			if (hexbytes(b, &vid))
				goto bad;
		} else if (!strcmp(a, "module") && n >= 4) {
			GROW(mods, nm, cm);
			memset(&mods[nm], 0, sizeof(mods[nm]));
			mods[nm].name = strdup(b);
			mods[nm].base = strtoull(c, NULL, 0);
			mods[nm].size = strtoull(d, NULL, 0);
			if (n == 5 && hexbytes(e, &mods[nm].build_id))
				goto bad;
			nm++;
		} else if (!strcmp(a, "sym") && n >= 4) {
			GROW(ks, nks, cks);
			ks[nks].addr = strtoull(b, NULL, 0);
			ks[nks].type = c[0];
			ks[nks].name = strdup(d);
			ks[nks].module = strdup(n == 5 ? e : "");
			if (ks[nks].addr < kmin)
				kmin = ks[nks].addr;
			if (ks[nks].addr > kmax)
				kmax = ks[nks].addr;
			nks++;
		} else if (!strcmp(a, "event") && n >= 2) {
			char kind[16];
			unsigned long long ts, site, target;
			unsigned int tid, cpu, depth;
			struct jifl_rec_call rc;
			struct jd_chunk *ch;

			if (sscanf(line, "%*s %15s %llu %u %u %u %llx %llx", kind,
				   &ts, &tid, &cpu, &depth, &site, &target) != 7 ||
			    cpu > 1 || evc[cpu].nr_records == 64 ||
			    (strcmp(kind, "call") && strcmp(kind, "ret")))
				goto bad;
			/* jifl_rec_ret has the same layout, target for callee */
			rc.hdr.size = sizeof(rc);
			rc.hdr.type = strcmp(kind, "call") ? JIFL_REC_RET : JIFL_REC_CALL;
			rc.ts = ts;
			rc.tid = tid;
			rc.cpu = (uint16_t)cpu;
			rc.depth = (uint16_t)depth;
			rc.site = site;
			rc.callee = target;
			ch = &evc[cpu];
			if (!ch->nr_records)
				ch->first_ts = ts;
			ch->last_ts = ts;
			memcpy(evbuf[cpu] + ch->size, &rc, sizeof(rc));
			ch->size += sizeof(rc);
			ch->nr_records++;
		} else if (!strcmp(a, "recording") && n >= 2 && nrec < 64) {
			rec[nrec] = strdup(strstr(line, b));
			rec[nrec][strcspn(rec[nrec], "\n")] = '\0';
			nrec++;
		} else if (!strcmp(a, "nocounters") && n == 1) {
			nocounters = true;
		} else if (!strcmp(a, "ranflags") && n == 1) {
			ranflags = true;
		} else if (!strcmp(a, "blocks") && n == 4) {
			uint64_t start = strtoull(b, NULL, 0);
			uint64_t span = strtoull(c, NULL, 0);
			unsigned long cnt = strtoul(d, NULL, 0), k;

			if (!span)
				goto bad;
			for (k = 0; k < cnt; k++) {
				GROW(bl, nb, cb);
				bl[nb].start = start + ((uint64_t)k * 4) % span;
				bl[nb].len = 4;
				bl[nb].func = JD_NO_FUNC;
				bl[nb].flags = 0;
				cn = realloc(cn, cb * sizeof(*cn));
				if (!cn)
					return 1;
				cn[nb].block = (uint32_t)nb;
				cn[nb].count = 1 + k % 1000;
				nb++;
			}
		} else if (!strcmp(a, "block") && n == 4) {
			GROW(bl, nb, cb);
			bl[nb].start = strtoull(b, NULL, 0);
			bl[nb].len = (uint32_t)strtoul(c, NULL, 0);
			bl[nb].func = JD_NO_FUNC;
			bl[nb].flags = 0;
			cn = realloc(cn, cb * sizeof(*cn));
			if (!cn)
				return 1;
			cn[nb].block = (uint32_t)nb;
			cn[nb].count = strtoull(d, NULL, 0);
			nb++;
		} else {
			goto bad;
		}
	}
	fclose(fp);
	for (i = 0; ranflags && i < nb; i++)
		bl[i].flags = cn[i].count ? JD_BLOCK_RAN : 0;
	kall.syms = ks;
	kall.count = (uint32_t)nks;
	kall.flags = 0;
	kall.text = kernel.text;
	kall.end = nks ? kmax + 0x100000 : 0;
	(void)kmin;
	w = jd_writer_create(out, why, sizeof(line));
	if (!w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(w, rel);
	if (!r)
		r = jd_write_cpus(w, 1, 1);
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r && vid.size)
		r = jd_write_build_id(w, &vid);
	if (!r && nm)
		r = jd_write_modules(w, mods, (uint32_t)nm);
	if (!r)
		r = jd_write_kallsyms(w, &kall);
	for (i = 0; i < 2; i++) {
		if (r || !evc[i].nr_records)
			continue;
		evc[i].cpu = (uint32_t)i;
		evc[i].flags = JD_CHUNK_VARIABLE;
		evc[i].data = evbuf[i];
		r = jd_write_chunk(w, &evc[i]);
	}
	if (!r)
		r = jd_write_blocks(w, bl, (uint32_t)nb);
	if (!r && !nocounters)
		r = jd_write_counters(w, cn, (uint32_t)nb);
	if (!r && nrec)
		r = jd_write_recording(w, nrec, (const char *const *)rec);
	for (i = 0; i < nrec; i++)
		free(rec[i]);
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(line))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	for (i = 0; i < nks; i++) {
		free((void *)ks[i].name);
		free((void *)ks[i].module);
	}
	free(ks);
	free(bl);
	free(cn);
	return r ? 1 : 0;
bad:
	fprintf(stderr, "make-report-fixture: %s: bad line: %s", spec, line);
	fclose(fp);
	return 1;
}

/*
 * NBLOCKS blocks of 16 bytes in 20000 functions of 4 KiB (vmlinux) and a
 * module; counts from a fixed pseudo-random sequence.
 */
static int write_bench(const char *out, unsigned long nblocks)
{
	const unsigned int nfunc = 20000;
	struct jd_kernel kernel = { TEXT, TEXT + (uint64_t)nfunc * 4096, 0 };
	struct jd_module mod = { "benchmod", EXT4, 0x100000, { 0 } };
	struct jd_ksym *ks = calloc(nfunc + 1, sizeof(*ks));
	struct jd_block *bl = calloc(nblocks ? nblocks : 1, sizeof(*bl));
	struct jd_counter *cn = calloc(nblocks ? nblocks : 1, sizeof(*cn));
	char (*names)[32] = calloc(nfunc, sizeof(*names));
	struct jd_kallsyms kall;
	uint64_t x = 88172645463325252ULL;
	struct jd_writer *w;
	char why[512];
	unsigned long i;
	int r;

	if (!ks || !bl || !cn || !names)
		return 1;
	for (i = 0; i < nfunc; i++) {
		snprintf(names[i], sizeof(names[i]), "bench_func_%lu", i);
		ks[i].addr = i < nfunc - 100 ? TEXT + i * 4096 :
					       EXT4 + (i - (nfunc - 100)) * 4096;
		ks[i].name = names[i];
		ks[i].module = i < nfunc - 100 ? "" : "benchmod";
		ks[i].type = 't';
	}
	for (i = 0; i < nblocks; i++) {
		unsigned long fn, off;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		fn = (unsigned long)(x % nfunc);
		off = (unsigned long)((x >> 20) % 256) * 16;
		bl[i].start = ks[fn].addr + off;
		bl[i].len = 16;
		bl[i].func = (uint32_t)fn;
		cn[i].block = (uint32_t)i;
		cn[i].count = 1 + (x >> 40) % 100000;
	}
	kall.syms = ks;
	kall.count = nfunc;
	kall.flags = 0;
	kall.text = TEXT;
	kall.end = EXT4 + 0x100000;
	w = jd_writer_create(out, why, sizeof(why));
	if (!w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(w, "6.1.0-bench-amd64");
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_modules(w, &mod, 1);
	if (!r)
		r = jd_write_kallsyms(w, &kall);
	if (!r)
		r = jd_write_blocks(w, bl, (uint32_t)nblocks);
	if (!r)
		r = jd_write_counters(w, cn, (uint32_t)nblocks);
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	return r ? 1 : 0;
}

/*
 * calls: calltrace records of four threads with known times (ns), the
 * expected call graph in tests/fixtures/report-calls-*:
 *
 *   tid 100, CPU 0: sys_read 1000-2100 { ksys_read 1100-2000 { vfs_read
 *                   1200-1900 { ext4_file_read_iter 1300-1700 } } }
 *   tid 101, CPU 1: sys_write 5000-6000 { vfs_write 5100-5800 {
 *                   rec 5200-5600 { rec 5300-5500 } } }
 *   tid 100, CPU 1: sys_read 7000-7400 { ksys_read 7100-7150 }
 *   tid 102, CPU 1: sys_write 8000- { vfs_write 8100- }  (never returns)
 *   tid 103, CPU 1: a return at 9000 without its call
 */
#define SYS_READ	(TEXT + 0x4000)
#define SYS_WRITE	(TEXT + 0x5000)
#define VFS_WRITE	(TEXT + 0x6000)
#define REC		(TEXT + 0x7000)
#define KSYS_READ	(TEXT + 0x2000)
#define VFS_READ	(TEXT + 0x2400)

struct ev { int ret; uint64_t ts; uint32_t tid; uint16_t depth;
	    uint64_t site, target; };

static size_t put_events(uint8_t *buf, const struct ev *e, size_t n,
			 uint16_t cpu)
{
	size_t i, off = 0;

	for (i = 0; i < n; i++) {
		if (!e[i].ret) {
			struct jifl_rec_call r = {
				{ sizeof(r), JIFL_REC_CALL }, e[i].ts, e[i].tid,
				cpu, e[i].depth, e[i].site, e[i].target };

			memcpy(buf + off, &r, sizeof(r));
			off += sizeof(r);
		} else {
			struct jifl_rec_ret r = {
				{ sizeof(r), JIFL_REC_RET }, e[i].ts, e[i].tid,
				cpu, e[i].depth, e[i].site, e[i].target };

			memcpy(buf + off, &r, sizeof(r));
			off += sizeof(r);
		}
	}
	return off;
}

static int write_chunk(struct jd_writer *w, uint32_t cpu, const struct ev *e,
		       size_t n)
{
	static uint8_t buf[64 * 40];
	struct jd_chunk c;

	memset(&c, 0, sizeof(c));
	c.cpu = cpu;
	c.flags = JD_CHUNK_VARIABLE;
	c.nr_records = n;
	c.first_ts = e[0].ts;
	c.last_ts = e[n - 1].ts;
	c.data = buf;
	c.size = put_events(buf, e, n, (uint16_t)cpu);
	return jd_write_chunk(w, &c);
}

/*
 * sysstat's dump for the same system calls: sys_read's 2 calls, sys_write's
 * one returned call, and an address no symbol covers; the sum record adds
 * 23 blocks and 66 instructions outside them. @short_rec: a function
 * record of 16 bytes, which readers must reject.
 */
static int write_sysstat(struct jd_writer *w, bool short_rec)
{
	struct jifl_rec_sysstat f[] = {
		{ { sizeof(f[0]), JIFL_REC_SYSSTAT }, SYS_READ, 2, 300, 1234 },
		{ { sizeof(f[0]), JIFL_REC_SYSSTAT }, SYS_WRITE, 1, 77, 400 },
		{ { sizeof(f[0]), JIFL_REC_SYSSTAT }, 0x1000, 4, 50, 200 },
	};
	struct jifl_rec_sysstat_sum sum = {
		{ sizeof(sum), JIFL_REC_SYSSTAT_SUM }, 450, 1900, 23, 66, 1, 0, 0,
		5 };
	char name[JD_DUMP_NAME_SIZE] = "sysstat";

	if (short_rec)
		f[1].hdr.size = 16;	/* header and func only */
	if (jd_section_begin(w, JD_SEC_DUMP, 0) ||
	    jd_section_append(w, name, sizeof(name)) ||
	    jd_section_append(w, &f[0], sizeof(f[0])) ||
	    jd_section_append(w, &f[1], f[1].hdr.size) ||
	    jd_section_append(w, &f[2], sizeof(f[2])) ||
	    jd_section_append(w, &sum, sizeof(sum)))
		return -1;
	return jd_section_end(w);
}

static int write_calls(const char *out, bool events, bool sysstat,
		       bool short_rec, uint64_t lost)
{
	struct jd_lost lost_cpu1 = { 1, lost };
	static const struct ev cpu0[] = {
		{ 0, 1000, 100, 0, 0x401000, SYS_READ },
		{ 0, 1100, 100, 1, SYS_READ + 0x10, KSYS_READ },
		{ 0, 1200, 100, 2, KSYS_READ + 0x20, VFS_READ },
		{ 0, 1300, 100, 3, VFS_READ + 0x30, EXT4 },
		{ 1, 1700, 100, 3, EXT4 + 0x1f, VFS_READ + 0x35 },
		{ 1, 1900, 100, 2, VFS_READ + 0x3f, KSYS_READ + 0x25 },
		{ 1, 2000, 100, 1, KSYS_READ + 0x2f, SYS_READ + 0x15 },
		{ 1, 2100, 100, 0, SYS_READ + 0x1f, 0x401000 },
	};
	static const struct ev cpu1[] = {
		{ 0, 5000, 101, 0, 0x402000, SYS_WRITE },
		{ 0, 5100, 101, 1, SYS_WRITE + 0x10, VFS_WRITE },
		{ 0, 5200, 101, 2, VFS_WRITE + 0x20, REC },
		{ 0, 5300, 101, 3, REC + 0x8, REC },
		{ 1, 5500, 101, 3, REC + 0x1f, REC + 0xd },
		{ 1, 5600, 101, 2, 0, VFS_WRITE + 0x25 },	/* native ret */
		{ 1, 5800, 101, 1, VFS_WRITE + 0x3f, SYS_WRITE + 0x15 },
		{ 1, 6000, 101, 0, SYS_WRITE + 0x1f, 0x402000 },
		{ 0, 7000, 100, 0, 0x401000, SYS_READ },
		{ 0, 7100, 100, 1, SYS_READ + 0x10, KSYS_READ },
		{ 1, 7150, 100, 1, KSYS_READ + 0x2f, SYS_READ + 0x15 },
		{ 1, 7400, 100, 0, SYS_READ + 0x1f, 0x401000 },
		{ 0, 8000, 102, 0, 0x402000, SYS_WRITE },
		{ 0, 8100, 102, 1, SYS_WRITE + 0x10, VFS_WRITE },
		{ 1, 9000, 103, 0, SYS_READ + 0x1f, 0x401000 },
	};
	static struct jd_ksym csyms[] = {
		{ TEXT, "_text", "", 'T' },
		{ KSYS_READ, "ksys_read", "", 'T' },
		{ VFS_READ, "vfs_read", "", 'T' },
		{ SYS_READ, "__x64_sys_read", "", 'T' },
		{ SYS_WRITE, "__x64_sys_write", "", 'T' },
		{ VFS_WRITE, "vfs_write", "", 'T' },
		{ REC, "rec", "", 't' },
		{ EXT4, "ext4_file_read_iter", "ext4", 't' },
	};
	struct jd_kallsyms ks = { csyms, sizeof(csyms) / sizeof(csyms[0]), 0,
				  TEXT, EXT4 + 0x1000 };
	struct jd_kernel kernel = { TEXT, TEXT + 0x1000000, 0 };
	static const char *const ccmd[] = { "jifl", "record", "-e", "calltrace",
					    "--", "cat", "/etc/hostname" };
	struct jd_writer *w;
	char why[512];
	int r;

	w = jd_writer_create(out, why, sizeof(why));
	if (!w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(w, "6.1.0-test-amd64");
	if (!r)
		r = jd_write_cmdline(w, sizeof(ccmd) / sizeof(ccmd[0]), ccmd);
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_kallsyms(w, &ks);
	if (!r && events)
		r = write_chunk(w, 0, cpu0, sizeof(cpu0) / sizeof(cpu0[0]));
	if (!r && events)
		r = write_chunk(w, 1, cpu1, sizeof(cpu1) / sizeof(cpu1[0]));
	if (!r && sysstat)
		r = write_sysstat(w, short_rec);
	if (!r && lost)
		r = jd_write_lost(w, &lost_cpu1, 1);
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	return r ? 1 : 0;
}

/*
 * calls-bench: NEVENTS call and return records of 8 threads on 2 CPUs,
 * nested up to 6 deep through 20000 functions, in chunks of 64 Ki records.
 * @skewed (calls-skewed): the shape of a kernel's calls instead: 2000
 * functions, a few of them called most (the callee is the cube of a
 * uniform draw), 20 to 420 ns apart, an hour after boot.
 */
static int write_calls_bench(const char *out, unsigned long nevents,
			     bool skewed)
{
	const unsigned int nfunc = skewed ? 2000 : 20000, per_chunk = 65536;
	struct jd_ksym *ks = calloc(nfunc, sizeof(*ks));
	char (*names)[32] = calloc(nfunc, sizeof(*names));
	uint8_t *buf = malloc((size_t)per_chunk * 40);
	struct jd_kernel kernel = { TEXT, TEXT + (uint64_t)nfunc * 4096, 0 };
	struct jd_kallsyms kall;
	uint64_t x = 88172645463325252ULL;
	uint64_t ts = skewed ? 3600000000000ULL : 1000000;
	uint64_t stack[8][8];
	unsigned int depth[8] = { 0 };
	struct jd_writer *w;
	unsigned long done = 0;
	char why[512];
	int r;
	unsigned int i;

	if (!ks || !names || !buf)
		return 1;
	for (i = 0; i < nfunc; i++) {
		snprintf(names[i], sizeof(names[i]), "bench_func_%u", i);
		ks[i].addr = TEXT + (uint64_t)i * 4096;
		ks[i].name = names[i];
		ks[i].module = "";
		ks[i].type = 't';
	}
	kall.syms = ks;
	kall.count = nfunc;
	kall.flags = 0;
	kall.text = TEXT;
	kall.end = TEXT + (uint64_t)nfunc * 4096;
	w = jd_writer_create(out, why, sizeof(why));
	if (!w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(w, "6.1.0-bench-amd64");
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_kallsyms(w, &kall);
	while (!r && done < nevents) {
		struct jd_chunk c;
		size_t off = 0;
		unsigned int n = 0;

		memset(&c, 0, sizeof(c));
		c.cpu = (uint32_t)(done / per_chunk) % 2;
		c.flags = JD_CHUNK_VARIABLE;
		c.first_ts = ts;
		while (n < per_chunk && done < nevents) {
			unsigned int t;
			bool call;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t = (unsigned int)(x % 8);
			ts += skewed ? 20 + (x >> 50) % 400 : 1 + (x >> 50) % 100;
			/* close everything open near the end: balanced */
			call = depth[t] == 0 ||
			       (depth[t] < 6 && (x >> 8) % 2 &&
				nevents - done > 16);
			if (call) {
				uint64_t u = (x >> 16) % 4096;
				uint64_t callee = TEXT + (skewed ?
					u * u * u * nfunc / (4096ULL * 4096 * 4096) :
					(x >> 16) % nfunc) * 4096;
				struct jifl_rec_call rc = {
					{ sizeof(rc), JIFL_REC_CALL }, ts, 1000 + t,
					(uint16_t)c.cpu, (uint16_t)depth[t],
					depth[t] ? stack[t][depth[t] - 1] + 0x10 : 0x401000,
					callee };

				stack[t][depth[t]++] = callee;
				memcpy(buf + off, &rc, sizeof(rc));
				off += sizeof(rc);
			} else {
				struct jifl_rec_ret rr = {
					{ sizeof(rr), JIFL_REC_RET }, ts, 1000 + t,
					(uint16_t)c.cpu, (uint16_t)(depth[t] - 1),
					stack[t][depth[t] - 1] + 0x20, 0 };

				depth[t]--;
				memcpy(buf + off, &rr, sizeof(rr));
				off += sizeof(rr);
			}
			n++;
			done++;
		}
		c.nr_records = n;
		c.last_ts = ts;
		c.data = buf;
		c.size = off;
		r = jd_write_chunk(w, &c);
	}
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	free(buf);
	free(ks);
	free(names);
	return r ? 1 : 0;
}

/*
 * calls-random: a well-formed file whose records are random: call, return,
 * padding and unknown types, sizes too short for their type, depths,
 * threads and times out of order (for the robustness test).
 */
static int write_calls_random(const char *out, unsigned long seed)
{
	static uint8_t buf[4096 * 48];
	struct jd_kernel kernel = { TEXT, TEXT + 0x1000000, 0 };
	static struct jd_ksym rs[] = {
		{ TEXT, "_text", "", 'T' }, { TEXT + 0x100, "f1", "", 'T' },
		{ TEXT + 0x200, "f2", "", 't' }, { EXT4, "m1", "ext4", 't' },
	};
	struct jd_kallsyms ks = { rs, 4, 0, TEXT, EXT4 + 0x1000 };
	uint64_t x = seed * 2654435761ULL + 88172645463325252ULL;
	struct jd_writer *w;
	char why[512];
	int r, c;

	w = jd_writer_create(out, why, sizeof(why));
	if (!w)
		return 1;
	r = jd_write_uname(w, "6.1.0-test-amd64");
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_kallsyms(w, &ks);
	for (c = 0; !r && c < 3; c++) {
		struct jd_chunk ch;
		size_t off = 0;
		unsigned int n = 0, k, nrec;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		nrec = (unsigned int)(x % 4000);
		for (k = 0; k < nrec; k++) {
			struct jifl_rec_call rc;
			uint32_t type, size;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			type = (x & 7) < 3 ? JIFL_REC_CALL : (x & 7) < 6 ?
			       JIFL_REC_RET : (x & 7) == 6 ? JIFL_REC_PAD : 77;
			size = (x >> 3) % 16 ? 40 : 8 * (1 + (x >> 8) % 5);
			memset(&rc, 0, sizeof(rc));
			rc.hdr.size = size;
			rc.hdr.type = type;
			rc.ts = (x >> 11) % 5000;
			rc.tid = (uint32_t)((x >> 24) % 5);
			rc.cpu = (uint16_t)c;
			rc.depth = (uint16_t)((x >> 30) % 9 == 8 ? 65535 : (x >> 30) % 9);
			rc.site = TEXT + (x >> 34) % 0x300;
			rc.callee = (x >> 40) % 4 == 3 ? EXT4 + 8 :
				    (x >> 40) % 4 == 2 ? 0x1234 : TEXT + (x >> 42) % 0x300;
			memset(buf + off, 0, size);
			memcpy(buf + off, &rc, size < sizeof(rc) ? size : sizeof(rc));
			memcpy(buf + off, &size, 4);
			off += size;
			n++;
		}
		if (!n)
			continue;
		memset(&ch, 0, sizeof(ch));
		ch.cpu = (uint32_t)c;
		ch.flags = JD_CHUNK_VARIABLE;
		ch.nr_records = n;
		ch.first_ts = 0;
		ch.last_ts = 5000;
		ch.data = buf;
		ch.size = off;
		r = jd_write_chunk(w, &ch);
	}
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	return r ? 1 : 0;
}

/*
 * calls-pair SEED classic|compact: one random run of 5 threads on 2 CPUs
 * (system-call entries, nested direct and indirect calls, returns, frames
 * that return natively unseen, context switches and migrations), written
 * as the clean-call path records it (jifl_rec_call/ret, the shadow stack
 * of kmod/plugins/calltrace.c applied here) or as the inline path does
 * (compact records, context records, the site table in calltrace's dump,
 * TSC at 2 ticks/ns). jifl report must give the same reports for both.
 */
#define PAIR_THREADS	5
#define PAIR_STEPS	3000
#define PAIR_CALL_SITES	48
#define PAIR_RET_SITES	16
#define PAIR_FUNCS	8
#define PAIR_KHZ	2000000U	/* 2 TSC ticks per ns */
#define PAIR_TSC0	123456789ULL

struct pair_site { uint64_t pc, next, target; uint32_t kind; };

struct pair_out {
	bool compact;
	uint8_t *buf[2];
	size_t len[2], n[2], cap;
	uint32_t cpu_tid[2];	/* compact: the thread each stream names */
};

static uint64_t pair_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void pair_put(struct pair_out *o, int cpu, const void *rec, size_t len)
{
	if (o->len[cpu] + len > o->cap) {
		fprintf(stderr, "make-report-fixture: calls-pair overflow\n");
		exit(1);
	}
	memcpy(o->buf[cpu] + o->len[cpu], rec, len);
	o->len[cpu] += len;
	o->n[cpu]++;
}

/* compact: name @tid in @cpu's stream before its records */
static void pair_ctx(struct pair_out *o, int cpu, uint32_t tid, uint64_t ns)
{
	struct jifl_rec_ct_ctx c = { { sizeof(c), JIFL_REC_CT_CTX },
				     PAIR_TSC0 + 2 * ns, ns, tid, PAIR_KHZ };

	if (o->cpu_tid[cpu] == tid)
		return;
	o->cpu_tid[cpu] = tid;
	pair_put(o, cpu, &c, sizeof(c));
}

/* The clean-call path's shadow stack (kmod/plugins/calltrace.c) */
struct pair_frame { uint64_t sp, ret; };
struct pair_shadow { struct pair_frame f[256]; unsigned int depth; };

static void pair_classic(struct pair_out *o, int cpu, int ret, uint64_t ns,
			 uint32_t tid, unsigned int depth, uint64_t site,
			 uint64_t target)
{
	struct jifl_rec_call r = { { sizeof(r), ret ? JIFL_REC_RET :
				     JIFL_REC_CALL }, ns, tid, (uint16_t)cpu,
				   (uint16_t)depth, site, target };

	pair_put(o, cpu, &r, sizeof(r));
}

static void pair_unwind(struct pair_out *o, struct pair_shadow *sh, int cpu,
			uint64_t ns, uint32_t tid, uint64_t sp)
{
	while (sh->depth && sh->f[sh->depth - 1].sp <= sp) {
		sh->depth--;
		pair_classic(o, cpu, 1, ns, tid, sh->depth, 0,
			     sh->f[sh->depth].ret);
	}
}

static void pair_push(struct pair_out *o, struct pair_shadow *sh, int cpu,
		      uint64_t ns, uint32_t tid, uint64_t site,
		      uint64_t callee, uint64_t sp, uint64_t ret)
{
	pair_classic(o, cpu, 0, ns, tid, sh->depth, site, callee);
	sh->f[sh->depth].sp = sp;
	sh->f[sh->depth].ret = ret;
	sh->depth++;
}

static int write_calls_pair(const char *out, unsigned long seed,
			    bool compact)
{
	static const uint64_t funcs[PAIR_FUNCS] = {
		SYS_READ, KSYS_READ, VFS_READ, EXT4, SYS_WRITE, VFS_WRITE,
		REC, TEXT + 0x100,
	};
	static struct jd_ksym psyms[] = {
		{ TEXT, "_text", "", 'T' },
		{ TEXT + 0x100, "helper", "", 't' },
		{ KSYS_READ, "ksys_read", "", 'T' },
		{ VFS_READ, "vfs_read", "", 'T' },
		{ SYS_READ, "__x64_sys_read", "", 'T' },
		{ SYS_WRITE, "__x64_sys_write", "", 'T' },
		{ VFS_WRITE, "vfs_write", "", 'T' },
		{ REC, "rec", "", 't' },
		{ EXT4, "ext4_file_read_iter", "ext4", 't' },
	};
	struct jd_kallsyms ks = { psyms, sizeof(psyms) / sizeof(psyms[0]), 0,
				  TEXT, EXT4 + 0x1000 };
	struct jd_kernel kernel = { TEXT, TEXT + 0x1000000, 0 };
	static const char *const pcmd[] = { "jifl", "record", "-e", "calltrace",
					    "--", "pair" };
	struct pair_site sites[PAIR_CALL_SITES + PAIR_RET_SITES];
	struct pair_shadow *sh = calloc(PAIR_THREADS, sizeof(*sh));
	/* what each thread's code really does: its frames' entry sps */
	uint64_t real[PAIR_THREADS][64];
	unsigned int rdepth[PAIR_THREADS] = { 0 }, i, step;
	int tcpu[PAIR_THREADS];
	uint64_t x = seed * 2654435761ULL + 88172645463325252ULL, ns = 1000;
	struct pair_out o = { .compact = compact, .cap = 1 << 22 };
	struct jd_writer *w;
	char why[512];
	int r = 0, c;

	o.buf[0] = malloc(o.cap);
	o.buf[1] = malloc(o.cap);
	o.cpu_tid[0] = o.cpu_tid[1] = ~0U;
	if (!sh || !o.buf[0] || !o.buf[1])
		return 1;
	for (i = 0; i < PAIR_CALL_SITES + PAIR_RET_SITES; i++) {
		struct pair_site *st = &sites[i];

		st->pc = funcs[i % PAIR_FUNCS] + 0x10 + 8 * (i / PAIR_FUNCS);
		if (i < PAIR_CALL_SITES) {
			st->kind = i % 3 ? JIFL_CT_SITE_CALL :
				   JIFL_CT_SITE_CALL_IND;
			st->next = st->pc + 5;
			st->target = st->kind == JIFL_CT_SITE_CALL ?
				     funcs[(i * 5 + 1) % PAIR_FUNCS] : 0;
		} else {
			st->kind = JIFL_CT_SITE_RET;
			st->next = st->pc + 1;
			st->target = 0;
		}
	}
	for (i = 0; i < PAIR_THREADS; i++)
		tcpu[i] = (int)(i % 2);
	for (step = 0; step < PAIR_STEPS; step++) {
		unsigned int t = (unsigned int)(pair_rand(&x) % PAIR_THREADS);
		uint32_t tid = 200 + t;
		uint64_t base = 0xffffc90000100000ULL + t * 0x4000, a = pair_rand(&x);
		unsigned int d = rdepth[t];
		int cpu;

		ns += 1 + a % 40;
		if (a % 97 == 0)
			tcpu[t] ^= 1;			/* migrates */
		cpu = tcpu[t];
		if (compact)
			pair_ctx(&o, cpu, tid, ns);
		if (!d) {				/* enters a system call */
			uint64_t func = funcs[(a >> 8) % 2 ? 0 : 4];
			uint64_t ret = 0x401000 + ((a >> 10) % 4) * 0x100;

			real[t][0] = base;
			rdepth[t] = 1;
			if (compact) {
				struct jifl_rec_ct_enter e = {
					{ sizeof(e), JIFL_REC_CT_ENTER },
					PAIR_TSC0 + 2 * ns, tid, (uint32_t)base,
					func, ret - 5, ret };

				pair_put(&o, cpu, &e, sizeof(e));
			} else {
				pair_unwind(&o, &sh[t], cpu, ns, tid, base);
				pair_push(&o, &sh[t], cpu, ns, tid, ret - 5, func,
					  base, ret);
			}
			continue;
		}
		switch ((a >> 12) % 10) {
		case 0: case 1: case 2: case 3:		/* a call */
			if (d < 60) {
				const struct pair_site *st =
					&sites[(a >> 20) % PAIR_CALL_SITES];
				uint64_t sp = real[t][d - 1] - 8 * (1 + (a >> 28) % 4);
				uint64_t callee = st->target ? st->target :
						  funcs[(a >> 32) % PAIR_FUNCS];

				real[t][d] = sp - 8;
				rdepth[t]++;
				if (compact) {
					struct jifl_rec_event e = {
						JIFL_EV_MARK | ((a >> 20) % PAIR_CALL_SITES) |
						(st->target ? 0 : JIFL_EV_TARGET),
						(uint32_t)sp, PAIR_TSC0 + 2 * ns, callee };

					pair_put(&o, cpu, &e, st->target ?
						 JIFL_EV_SIZE : JIFL_EV_SIZE_TARGET);
				} else {
					pair_unwind(&o, &sh[t], cpu, ns, tid, sp);
					pair_push(&o, &sh[t], cpu, ns, tid, st->pc,
						  callee, sp, st->next);
				}
				break;
			}
			/* fall through */
		case 4: case 5: case 6: case 7: {	/* the innermost returns */
			unsigned int id = PAIR_CALL_SITES +
					  (unsigned int)((a >> 20) % PAIR_RET_SITES);
			uint64_t sp = real[t][d - 1];

			rdepth[t]--;
			if (compact) {
				struct jifl_rec_event e = {
					JIFL_EV_MARK | id, (uint32_t)sp,
					PAIR_TSC0 + 2 * ns, 0 };

				pair_put(&o, cpu, &e, JIFL_EV_SIZE);
			} else {
				pair_unwind(&o, &sh[t], cpu, ns, tid, sp + 7);
				if (sh[t].depth &&
				    sh[t].f[sh[t].depth - 1].sp == sp + 8) {
					sh[t].depth--;
					pair_classic(&o, cpu, 1, ns, tid,
						     sh[t].depth, sites[id].pc,
						     sh[t].f[sh[t].depth].ret);
				}
			}
			if (d == 1) {			/* back to user space */
				ns++;
				if (compact) {
					struct jifl_rec_ct_leave l = {
						{ sizeof(l), JIFL_REC_CT_LEAVE },
						PAIR_TSC0 + 2 * ns, tid,
						(uint32_t)(base + 8) };

					pair_put(&o, cpu, &l, sizeof(l));
				} else {
					pair_unwind(&o, &sh[t], cpu, ns, tid,
						    base + 8);
				}
			}
			break;
		}
		default:				/* returns natively */
			if (d > 1)
				rdepth[t]--;
			break;
		}
	}
	w = jd_writer_create(out, why, sizeof(why));
	if (!w)
		return 1;
	r = jd_write_uname(w, "6.1.0-test-amd64");
	if (!r)
		r = jd_write_cmdline(w, sizeof(pcmd) / sizeof(pcmd[0]), pcmd);
	if (!r)
		r = jd_write_kernel(w, &kernel);
	if (!r)
		r = jd_write_kallsyms(w, &ks);
	for (c = 0; !r && c < 2; c++) {
		struct jd_chunk ch;

		memset(&ch, 0, sizeof(ch));
		ch.cpu = (uint32_t)c;
		ch.flags = JD_CHUNK_VARIABLE;
		ch.record_format = compact ? JD_CHUNK_FMT_EVENTS :
				   JD_CHUNK_FMT_RING;
		ch.nr_records = o.n[c];
		ch.first_ts = 1000;
		ch.last_ts = ns;
		ch.data = o.buf[c];
		ch.size = o.len[c];
		r = jd_write_chunk(w, &ch);
	}
	if (!r && compact) {
		char name[JD_DUMP_NAME_SIZE] = "calltrace";
		struct jifl_rec_ct_sum sum = { { sizeof(sum), JIFL_REC_CT_SUM },
					       PAIR_CALL_SITES + PAIR_RET_SITES, 0 };

		r = jd_section_begin(w, JD_SEC_DUMP, 0);
		if (!r)
			r = jd_section_append(w, name, sizeof(name));
		for (i = 0; !r && i < PAIR_CALL_SITES + PAIR_RET_SITES; i++) {
			struct jifl_rec_ct_site st = {
				{ sizeof(st), JIFL_REC_CT_SITE }, i,
				sites[i].kind, sites[i].pc, sites[i].next,
				sites[i].target };

			r = jd_section_append(w, &st, sizeof(st));
		}
		if (!r)
			r = jd_section_append(w, &sum, sizeof(sum));
		if (!r)
			r = jd_section_end(w);
	}
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	free(o.buf[0]);
	free(o.buf[1]);
	free(sh);
	return r ? 1 : 0;
}

/*
 * calls-compact NEVENTS: what calltrace's inline path records system-wide
 * (record -a), for tests/bench/report.sh: a kallsyms-sized snapshot
 * (140000 vmlinux functions and 10000 in 5 modules), 32 threads on 4 CPUs
 * with context switches and migrations, each CPU's stream in chunks of
 * 256 KiB opened by a context record, system calls entered at 300
 * attached functions (enter/leave records), compact calls and returns
 * (direct and indirect call sites, numbered as they are first used, as
 * the translator does), nesting around 10 deep, up to 48, and 2% of the
 * frames returning natively unseen. Callees follow the cube of a uniform
 * draw (a few functions called most), the TSC runs at 2.4 GHz and the
 * events are 20 to 400 ns apart. NEVENTS counts the compact records and
 * the enter/leave records.
 */
#define CC_FUNCS	140000U
#define CC_MODS		5U
#define CC_MOD_FUNCS	2000U
#define CC_NSYM		(CC_FUNCS + CC_MODS * CC_MOD_FUNCS)
#define CC_THREADS	32U
#define CC_CPUS		4U
#define CC_SYSCALLS	300U
#define CC_CHUNK	(256U * 1024)
#define CC_KHZ		2400000U
#define CC_TSC0		1000000000000ULL
#define CC_NS0		3600000000000ULL
#define CC_SLOTS	5U	/* per function: 4 call sites, 1 return */

struct cc_thread {
	uint32_t sp[64];	/* the sp each frame's call saw */
	uint32_t func[64];	/* symbol index of each frame */
	uint8_t n[64], budget[64];	/* calls each frame made, will make */
	unsigned int depth;
	uint32_t sys;		/* the system call it runs */
	int cpu;		/* -1: not running */
	uint32_t base;
};

struct cc_cpu {
	uint8_t *buf;
	size_t len;
	uint64_t n;
	uint64_t first_tsc;
	int thread;
};

struct cc {
	struct jd_ksym *ks;
	uint32_t *site_of;	/* [sym * CC_SLOTS + k]: site id + 1 */
	struct jifl_rec_ct_site *sites;
	uint32_t nr_sites, cap_sites;
	struct jd_writer *w;
	uint64_t x, tsc;
	struct cc_cpu cpu[CC_CPUS];
	struct cc_thread th[CC_THREADS];
};

static uint64_t cc_rand(struct cc *g)
{
	return pair_rand(&g->x);
}

/* A kernel-shaped callee: symbol index by the cube of a uniform draw */
static uint32_t cc_callee(struct cc *g)
{
	uint64_t u = cc_rand(g) % 65536;

	return (uint32_t)(u * u * u * CC_NSYM / (65536ULL * 65536 * 65536));
}

static uint64_t cc_hash(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b * 0xc2b2ae3d27d4eb4fULL ^
		     c * 0x165667b19e3779f9ULL;

	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

/* An indirect call's callee from a hash: one of a few per context */
static uint32_t cc_callee_of(uint64_t h)
{
	uint64_t u = (h & 7) * 8191 % 65536;

	return (uint32_t)(u * u * u * CC_NSYM / (65536ULL * 65536 * 65536));
}

/*
 * How many calls a function makes, the same each time it runs in one
 * system call (its code takes the same paths), but now and then not:
 * trees of a few hundred calls, about 10 deep
 */
static uint8_t cc_budget(uint32_t f, uint32_t sys, unsigned int d, uint64_t a)
{
	uint64_t h = cc_hash(f, sys, 1000 + d);

	if ((a >> 56) % 100 < 2)
		h = a >> 3;
	return (uint8_t)(d < 6 ? 1 + h % 4 : d < 14 ? h % 3 : d < 24 ? h % 2 : 0);
}

static uint64_t cc_ns(uint64_t tsc)
{
	return CC_NS0 + (tsc - CC_TSC0) * 1000000 / CC_KHZ;
}

static int cc_flush(struct cc *g, unsigned int c)
{
	struct cc_cpu *p = &g->cpu[c];
	struct jd_chunk ch;

	if (!p->n)
		return 0;
	memset(&ch, 0, sizeof(ch));
	ch.cpu = c;
	ch.flags = JD_CHUNK_VARIABLE;
	ch.record_format = JD_CHUNK_FMT_EVENTS;
	ch.nr_records = p->n;
	ch.first_ts = cc_ns(p->first_tsc);
	ch.last_ts = cc_ns(g->tsc);
	ch.data = p->buf;
	ch.size = p->len;
	p->len = 0;
	p->n = 0;
	return jd_write_chunk(g->w, &ch);
}

static void cc_ctx(struct cc *g, unsigned int c);

static int cc_put(struct cc *g, unsigned int c, const void *rec, size_t len)
{
	struct cc_cpu *p = &g->cpu[c];

	if (p->len + len > CC_CHUNK) {
		if (cc_flush(g, c))
			return -1;
		cc_ctx(g, c);	/* each chunk opens with one */
	}
	if (!p->n)
		p->first_tsc = g->tsc;
	memcpy(p->buf + p->len, rec, len);
	p->len += len;
	p->n++;
	return 0;
}

static void cc_ctx(struct cc *g, unsigned int c)
{
	struct jifl_rec_ct_ctx r = { { sizeof(r), JIFL_REC_CT_CTX }, g->tsc,
				     cc_ns(g->tsc),
				     1000 + (uint32_t)g->cpu[c].thread, CC_KHZ };

	cc_put(g, c, &r, sizeof(r));
}

/* The site id of slot @k of function @sym, numbered on first use */
static uint32_t cc_site(struct cc *g, uint32_t sym, unsigned int k)
{
	uint32_t *s = &g->site_of[(size_t)sym * CC_SLOTS + k];
	struct jifl_rec_ct_site *st;
	uint64_t pc = g->ks[sym].addr + 0x10 + 0x18 * k;

	if (*s)
		return *s - 1;
	GROW(g->sites, g->nr_sites, g->cap_sites);
	st = &g->sites[g->nr_sites];
	st->hdr.size = sizeof(*st);
	st->hdr.type = JIFL_REC_CT_SITE;
	st->id = g->nr_sites;
	if (k == CC_SLOTS - 1) {
		st->kind = JIFL_CT_SITE_RET;
		st->pc = pc;
		st->next = pc + 1;
		st->target = 0;
	} else {
		st->kind = k == 3 ? JIFL_CT_SITE_CALL_IND : JIFL_CT_SITE_CALL;
		st->pc = pc;
		st->next = pc + 5;
		st->target = k == 3 ? 0 : g->ks[cc_callee(g)].addr;
	}
	*s = ++g->nr_sites;
	return *s - 1;
}

static uint32_t cc_sym_of(struct cc *g, uint64_t addr)
{
	uint32_t lo = 0, hi = CC_NSYM;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (g->ks[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int write_calls_compact(const char *out, unsigned long nevents)
{
	static const char *const ccmd[] = { "jifl", "record", "-e", "calltrace",
					    "-a", "--", "sleep", "10" };
	static char names[CC_NSYM][32];
	static char modnames[CC_MODS][16];
	struct jd_module mods[CC_MODS];
	struct jd_kernel kernel;
	struct jd_kallsyms kall;
	struct jd_clock clock = { 1, 1000000000ULL, CC_NS0,
				  1700000000ULL * 1000000000ULL };
	struct cc *g = calloc(1, sizeof(*g));
	uint64_t addr = TEXT, done = 0;
	char why[512];
	unsigned int i, c;
	int r = 0;

	if (!g)
		return 1;
	g->ks = calloc(CC_NSYM, sizeof(*g->ks));
	g->site_of = calloc((size_t)CC_NSYM * CC_SLOTS, sizeof(*g->site_of));
	if (!g->ks || !g->site_of)
		return 1;
	g->x = 88172645463325252ULL;
	g->tsc = CC_TSC0;
	for (i = 0; i < CC_NSYM; i++) {
		unsigned int m = i < CC_FUNCS ? 0 : 1 + (i - CC_FUNCS) / CC_MOD_FUNCS;

		if (i == CC_FUNCS)
			addr = EXT4;
		else if (m && (i - CC_FUNCS) % CC_MOD_FUNCS == 0)
			addr = (addr + 0xfffff) & ~0xfffffULL;
		if (m) {
			snprintf(modnames[m - 1], sizeof(modnames[0]), "bench_mod%u",
				 m - 1);
			snprintf(names[i], sizeof(names[0]), "bench_mod_func_%u",
				 i - CC_FUNCS);
		} else {
			snprintf(names[i], sizeof(names[0]), "bench_func_%u", i);
		}
		g->ks[i].addr = addr;
		g->ks[i].name = names[i];
		g->ks[i].module = m ? modnames[m - 1] : "";
		g->ks[i].type = cc_rand(g) % 3 ? 't' : 'T';
		if (m && (i - CC_FUNCS) % CC_MOD_FUNCS == 0) {
			mods[m - 1].name = modnames[m - 1];
			mods[m - 1].base = addr;
			mods[m - 1].size = 0x100000;
			memset(&mods[m - 1].build_id, 0, sizeof(mods[0].build_id));
		}
		addr += 0x80 + 16 * (cc_rand(g) % 128);	/* 128 B to 2 KiB */
		if (i + 1 == CC_FUNCS)
			kernel.etext = addr;
	}
	kernel.text = TEXT;
	kernel.flags = 0;
	kall.syms = g->ks;
	kall.count = CC_NSYM;
	kall.flags = 0;
	kall.text = TEXT;
	kall.end = addr;
	for (c = 0; c < CC_CPUS; c++) {
		g->cpu[c].buf = malloc(CC_CHUNK);
		if (!g->cpu[c].buf)
			return 1;
	}
	for (i = 0; i < CC_THREADS; i++) {
		g->th[i].cpu = -1;
		g->th[i].base = 0xc9000000U + i * 0x4000 + 0x3f00;
	}
	g->w = jd_writer_create(out, why, sizeof(why));
	if (!g->w) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	r = jd_write_uname(g->w, "6.12.0-bench-amd64");
	if (!r)
		r = jd_write_cmdline(g->w, sizeof(ccmd) / sizeof(ccmd[0]), ccmd);
	if (!r)
		r = jd_write_cpus(g->w, CC_CPUS, CC_CPUS);
	if (!r)
		r = jd_write_clock(g->w, &clock);
	if (!r)
		r = jd_write_kernel(g->w, &kernel);
	if (!r)
		r = jd_write_modules(g->w, mods, CC_MODS);
	if (!r)
		r = jd_write_kallsyms(g->w, &kall);
	for (c = 0; c < CC_CPUS; c++) {
		g->cpu[c].thread = (int)c;
		g->th[c].cpu = (int)c;
		cc_ctx(g, c);
	}
	while (!r && done < nevents) {
		uint64_t a = cc_rand(g);
		unsigned int cpu = (unsigned int)(a % CC_CPUS);
		struct cc_thread *t;
		unsigned int d;

		g->tsc += (20 + (a >> 8) % 380) * CC_KHZ / 1000000 / CC_CPUS;
		if ((a >> 20) % 600 == 0) {	/* a context switch */
			unsigned int n = (unsigned int)((a >> 32) % CC_THREADS);

			while (g->th[n].cpu >= 0)
				n = (n + 1) % CC_THREADS;
			g->th[g->cpu[cpu].thread].cpu = -1;
			g->th[n].cpu = (int)cpu;
			g->cpu[cpu].thread = (int)n;
			cc_ctx(g, cpu);
			continue;
		}
		t = &g->th[g->cpu[cpu].thread];
		d = t->depth;
		done++;
		if (!d) {			/* enters a system call */
			uint64_t u = (a >> 30) % 1024;
			uint32_t f = (uint32_t)(u * u * CC_SYSCALLS / (1024 * 1024)) * 97;
			uint64_t ret = 0x401000 + ((a >> 40) % 64) * 0x40;
			struct jifl_rec_ct_enter e = {
				{ sizeof(e), JIFL_REC_CT_ENTER }, g->tsc,
				1000 + (uint32_t)g->cpu[cpu].thread, t->base,
				g->ks[f].addr, ret - 5, ret };

			t->sp[0] = t->base;
			t->func[0] = f;
			t->sys = f;
			t->n[0] = 0;
			t->budget[0] = cc_budget(f, f, 0, a);
			t->depth = 1;
			r = cc_put(g, cpu, &e, sizeof(e));
			continue;
		}
		if (t->n[d - 1] < t->budget[d - 1] && d < 48) {
			uint32_t f = t->func[d - 1];
			uint64_t h = cc_hash(f, t->sys, t->n[d - 1]);
			unsigned int k = (unsigned int)(h % 4);
			uint32_t id = cc_site(g, f, k);
			const struct jifl_rec_ct_site *st = &g->sites[id];
			uint64_t callee = st->target;
			uint32_t sp = t->sp[d - 1] - 8 * (2 + (uint32_t)(h >> 8) % 8);
			struct jifl_rec_event e;

			if (!callee)	/* indirect: one of a few per context */
				callee = g->ks[cc_callee_of(h >> 16)].addr;
			if ((a >> 24) % 100 < 1)	/* off the usual path */
				callee = g->ks[cc_callee(g)].addr;
			e.site = JIFL_EV_MARK | id | (st->target ? 0 : JIFL_EV_TARGET);
			e.sp = sp;
			e.tsc = g->tsc;
			e.target = callee;
			t->n[d - 1]++;
			t->sp[d] = sp;
			t->func[d] = cc_sym_of(g, callee);
			t->n[d] = 0;
			t->budget[d] = cc_budget(t->func[d], t->sys, d, a);
			t->depth++;
			r = cc_put(g, cpu, &e, st->target ? JIFL_EV_SIZE :
				   JIFL_EV_SIZE_TARGET);
			continue;
		}
		if (d == 1) {			/* back to user space */
			struct jifl_rec_ct_leave l = {
				{ sizeof(l), JIFL_REC_CT_LEAVE }, g->tsc,
				1000 + (uint32_t)g->cpu[cpu].thread, t->base + 8 };

			t->depth = 0;
			r = cc_put(g, cpu, &l, sizeof(l));
			continue;
		}
		t->depth--;
		if ((a >> 50) % 50 == 0) {	/* returns natively, unseen */
			done--;
			continue;
		}
		{
			struct jifl_rec_event e = {
				JIFL_EV_MARK | cc_site(g, t->func[d - 1], CC_SLOTS - 1),
				t->sp[d - 1] - 8, g->tsc, 0 };

			r = cc_put(g, cpu, &e, JIFL_EV_SIZE);
		}
	}
	for (c = 0; !r && c < CC_CPUS; c++)
		r = cc_flush(g, c);
	if (!r) {
		char name[JD_DUMP_NAME_SIZE] = "calltrace";
		struct jifl_rec_ct_sum sum = { { sizeof(sum), JIFL_REC_CT_SUM },
					       g->nr_sites, 0 };

		r = jd_section_begin(g->w, JD_SEC_DUMP, 0);
		if (!r)
			r = jd_section_append(g->w, name, sizeof(name));
		if (!r)
			r = jd_section_append(g->w, g->sites,
					      (size_t)g->nr_sites * sizeof(*g->sites));
		if (!r)
			r = jd_section_append(g->w, &sum, sizeof(sum));
		if (!r)
			r = jd_section_end(g->w);
	}
	if (r)
		fprintf(stderr, "make-report-fixture: %s\n", jd_writer_error(g->w));
	if (jd_writer_close(g->w, why, sizeof(why))) {
		fprintf(stderr, "make-report-fixture: %s\n", why);
		return 1;
	}
	for (c = 0; c < CC_CPUS; c++)
		free(g->cpu[c].buf);
	free(g->sites);
	free(g->site_of);
	free(g->ks);
	free(g);
	return r ? 1 : 0;
}

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

	if (argc == 4 && !strcmp(variant, "spec"))
		return write_spec(argv[1], argv[3]);
	if (argc == 3 && !strcmp(variant, "calls"))
		return write_calls(argv[1], true, false, false, 0);
	if (argc == 3 && !strcmp(variant, "calls-lost"))
		return write_calls(argv[1], true, false, false, 25);
	if (argc == 3 && !strcmp(variant, "calls-sysstat"))
		return write_calls(argv[1], true, true, false, 0);
	if (argc == 3 && !strcmp(variant, "sysstat"))
		return write_calls(argv[1], false, true, false, 0);
	if (argc == 3 && !strcmp(variant, "sysstat-short"))
		return write_calls(argv[1], false, true, true, 0);
	if (argc == 5 && !strcmp(variant, "calls-pair"))
		return write_calls_pair(argv[1], strtoul(argv[3], NULL, 0),
					!strcmp(argv[4], "compact"));
	if (argc == 4 && !strcmp(variant, "calls-random"))
		return write_calls_random(argv[1], strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(variant, "calls-bench"))
		return write_calls_bench(argv[1], strtoul(argv[3], NULL, 0),
					 false);
	if (argc == 4 && !strcmp(variant, "calls-skewed"))
		return write_calls_bench(argv[1], strtoul(argv[3], NULL, 0),
					 true);
	if (argc == 4 && !strcmp(variant, "calls-compact"))
		return write_calls_compact(argv[1], strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(variant, "bench"))
		return write_bench(argv[1], strtoul(argv[3], NULL, 0));
	if (argc < 2 || argc > 3 ||
	    (strcmp(variant, "full") && strcmp(variant, "no-counters") &&
	     strcmp(variant, "hidden") && strcmp(variant, "empty"))) {
		fprintf(stderr, "usage: make-report-fixture FILE [full|no-counters|hidden|empty] | FILE spec SPECFILE | FILE bench NBLOCKS | FILE calls|calls-lost|calls-sysstat|sysstat|sysstat-short | FILE calls-bench|calls-skewed NEVENTS | FILE calls-random SEED | FILE calls-pair SEED classic|compact | FILE calls-compact NEVENTS\n");
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
