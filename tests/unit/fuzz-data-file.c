// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the jifl.data reader: any input must be accepted
 * or rejected with a message, never read out of bounds.  Accepted files
 * are walked completely (every string, every chunk byte, lookups).
 * Each input is parsed twice: as is, and with its checksums recomputed,
 * so that mutations reach the section decoders instead of stopping at a
 * checksum mismatch.
 *
 * Built with -DFUZZ_SEED_MAIN instead, this is a program writing a seed
 * corpus of valid files into the directory named by its argument.
 * Both are built and run by tests/unit/fuzz-data-file.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/jifl.h"
#include "util/data-file.h"
#include "util/file-info.h"
#include "util/report-events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char **argv);

static volatile size_t sink;

static int count_events(void *arg, const struct report_event *ev, size_t n)
{
	(void)arg;
	for (size_t i = 0; i < n; i++)
		sink += ev[i].ts;
	return 0;
}

static void touch(const char *s)
{
	sink += strlen(s);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Recomputes whichever checksums lie inside the buffer. */
static void fix_crcs(uint8_t *b, size_t size)
{
	uint64_t toff, tsize;
	uint32_t n, es, hs;

	if (size < JD_HEADER_SIZE)
		return;
	toff = rd64(b + 24);
	n = rd32(b + 32);
	es = rd32(b + 36);
	tsize = (uint64_t)n * es;
	if (es >= JD_SECTION_ENTRY_SIZE && toff <= size &&
	    tsize <= size - toff) {
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *e = b + toff + (uint64_t)i * es;
			uint64_t off = rd64(e + 8), len = rd64(e + 16);

			if (off <= size && len <= size - off)
				wr32(e + 24, jd_crc32c(0, b + off, len));
		}
		wr32(b + 48, jd_crc32c(0, b + toff, tsize));
	}
	hs = rd32(b + 12);
	if (hs >= JD_HEADER_SIZE && hs <= size) {
		wr32(b + 52, 0);
		wr32(b + 52, jd_crc32c(0, b, hs));
	}
}

/* `jifl info` and `jifl info --json` on an accepted file, to /dev/null */
static void print_info(const struct jd_file *f)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		abort();
	/* a failure (-ENOMEM) is the reader's business, not the fuzzer's */
	(void)file_info_print(null, f, "fuzz.data", false);
	(void)file_info_print(null, f, "fuzz.data", true);
}

static void parse_one(uint8_t *copy, size_t size)
{
	struct jd_file *f;
	char why[256];

	why[0] = '\0';
	f = jd_open_mem(copy, size, why, sizeof(why));
	if (!f) {
		if (!why[0])
			abort();	/* every rejection must say why */
		return;
	}
	if (f->uname)
		touch(f->uname);
	for (uint32_t i = 0; i < f->argc; i++)
		touch(f->argv[i]);
	for (uint32_t i = 0; i < f->nr_modules; i++)
		touch(f->modules[i].name);
	for (uint32_t i = 0; i < f->kallsyms.count; i++) {
		const struct jd_ksym *s = &f->kallsyms.syms[i];
		uint64_t off;

		touch(s->name);
		touch(s->module);
		s = jd_ksym_lookup(&f->kallsyms, s->addr + 1, &off);
		if (s)
			sink += off;
	}
	for (uint32_t i = 0; i < f->nr_chunks; i++)
		for (uint64_t j = 0; j < f->chunks[i].size; j++)
			sink += ((const uint8_t *)f->chunks[i].data)[j];
	for (uint32_t i = 0; i < f->nr_counters; i++)
		sink += f->blocks[f->counters[i].block].len;
	for (uint32_t i = 0; i < f->nr_dumps; i++) {
		touch(f->dumps[i].name);
		for (uint64_t j = 0; j < f->dumps[i].size; j++)
			sink += ((const uint8_t *)f->dumps[i].data)[j];
	}
	{
		struct jd_sysstat ss;

		why[0] = '\0';
		if (!jd_sysstat(f, &ss, why, sizeof(why))) {
			for (uint32_t i = 0; i < ss.nr_funcs; i++)
				sink += ss.funcs[i].insns;
			free(ss.funcs);
		} else if (jd_find_dump(f, "sysstat") && !why[0]) {
			abort();	/* a rejection must say why */
		}
	}
	{
		struct report_events ev, all, info;
		int r1, r2;

		/*
		 * both record streams, the compact one paired by sp: taken a
		 * CPU's stretch of one thread at a time (the fast way) or
		 * with every thread's events sorted, the same events; and
		 * streamed, the same count
		 */
		r1 = report_events_read(f, &ev);
		report_events_always_sort = true;
		r2 = report_events_read(f, &all);
		report_events_always_sort = false;
		if (!r1 && !r2) {
			if (ev.n != all.n || ev.bad != all.bad ||
			    ev.skipped != all.skipped)
				abort();
			for (size_t i = 0; i < ev.n; i++) {
				const struct report_event *a = &ev.ev[i], *b = &all.ev[i];

				if (a->ts != b->ts || a->site != b->site ||
				    a->target != b->target || a->tid != b->tid ||
				    a->cpu != b->cpu || a->depth != b->depth ||
				    a->kind != b->kind || a->seq != b->seq)
					abort();
				sink += a->ts + a->depth + a->site + a->target;
			}
		}
		if (!r1 && !report_events_stream(f, count_events, NULL, &info) &&
		    (info.n != ev.n || info.bad != ev.bad || info.ev))
			abort();
		if (!r1)
			report_events_free(&ev);
		if (!r2)
			report_events_free(&all);
	}
	print_info(f);
	jd_close(f);
}

#ifndef FUZZ_SEED_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly @size bytes, so ASan sees any over-read */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	parse_one(copy, size);
	memcpy(copy, data, size);
	fix_crcs(copy, size);
	parse_one(copy, size);
	free(copy);
	return 0;
}
#else
int main(int argc, char **argv)
{
	static const char *const args[] = { "jifl", "record", "-a" };
	static const uint8_t fixed[2][8] = { "rec0---", "rec1---" };
	static const uint8_t var[16] = { 8, 0, 0, 0, 1, 0, 0, 0,
					 8, 0, 0, 0, 2, 0, 0, 0 };
	struct jd_ksym syms[] = { { 0x1000, "_text", "", 'T' },
				  { 0x1010, "f", "", 't' },
				  { 0x2000, "m", "mod", 't' } };
	struct jd_kallsyms ks = { syms, 3, 0, 0x1000, 0x3000 };
	struct jd_module mods[] = { { "mod", 0x2000, 0x100, { 2, { 7, 7 } } } };
	struct jd_clock clk = { 1, 1000000000, 5, 6 };
	struct jd_build_id bid = { 4, { 1, 2, 3, 4 } };
	struct jd_kernel k = { 0x1000, 0x1800, 0 };
	struct jd_chunk c1 = { 0, 0, 8, 1, 2, 10, 20, fixed, sizeof(fixed) };
	struct jd_chunk c2 = { 1, JD_CHUNK_VARIABLE, 0, 2, 2, 30, 40, var,
			       sizeof(var) };
	struct jd_block blk[] = { { 0x1010, 4, 1, 0 }, { 0x2000, 8, 2, 0 } };
	struct jd_counter cnt[] = { { 1, 99 } };
	struct jd_lost lost[] = { { 1, 3 } };
	/* as record writes it (util/recording.c), contexts and their entries */
	static const char *const rec[] = {
		"tool=jifl 0.1", "abi=1", "plugins=calltrace,bbcount",
		"ring_size=1048576", "tasks=command", "inherit=yes",
		"syscalls=read,ioctl", "modules=mod",
		"contexts=syscall,fault", "start_ns=5", "stop_ns=1000000005",
		"blocks=2", "native_bytes=12", "cache_bytes=40",
		"cache_size=65536", "entries=77", "entries.syscall=70",
		"entries.fault=7", "entries.softirq=0", "fallbacks=0",
	};
	char path[4096], why[512];
	struct jd_writer *w;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/all.data", argv[1]);
	w = jd_writer_create(path, why, sizeof(why));
	if (!w) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	jd_write_uname(w, "6.1");
	jd_write_cmdline(w, 3, args);
	jd_write_cpus(w, 2, 2);
	jd_write_clock(w, &clk);
	jd_write_build_id(w, &bid);
	jd_write_kernel(w, &k);
	jd_write_modules(w, mods, 1);
	jd_write_kallsyms(w, &ks);
	jd_write_chunk(w, &c1);
	jd_write_chunk(w, &c2);
	jd_write_blocks(w, blk, 2);
	jd_write_counters(w, cnt, 1);
	jd_write_lost(w, lost, 1);
	jd_write_recording(w, sizeof(rec) / sizeof(rec[0]), rec);
	jd_write_section(w, 77, "unknown", 7);
	if (jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	/* calltrace's compact stream: context, entry, events, sites */
	{
		struct jifl_rec_ct_ctx ctx = { { sizeof(ctx), JIFL_REC_CT_CTX },
					       100, 50, 7, 1000000 };
		struct jifl_rec_ct_enter en = {
			{ sizeof(en), JIFL_REC_CT_ENTER }, 110, 7, 0x4000,
			0x1010, 0x1005, 0x100a };
		struct jifl_rec_event ev[3] = {
			{ JIFL_EV_MARK | 0, 0x3ff0, 120, 0 },
			{ JIFL_EV_MARK | JIFL_EV_TARGET | 1, 0x3fe0, 130, 0x2000 },
			{ JIFL_EV_MARK | 2, 0x3fd8, 140, 0 },
		};
		struct jifl_rec_ct_site st[3] = {
			{ { sizeof(st[0]), JIFL_REC_CT_SITE }, 0,
			  JIFL_CT_SITE_CALL, 0x1012, 0x1017, 0x1010 },
			{ { sizeof(st[0]), JIFL_REC_CT_SITE }, 1,
			  JIFL_CT_SITE_CALL_IND, 0x1018, 0x101a, 0 },
			{ { sizeof(st[0]), JIFL_REC_CT_SITE }, 2,
			  JIFL_CT_SITE_RET, 0x2004, 0x2005, 0 },
		};
		uint8_t buf[256], name[JD_DUMP_NAME_SIZE] = "calltrace";
		size_t n = 0;
		struct jd_chunk c3 = { 0, JD_CHUNK_VARIABLE, 0,
				       JD_CHUNK_FMT_EVENTS, 5, 50, 50, buf, 0 };

		memcpy(buf + n, &ctx, sizeof(ctx));
		n += sizeof(ctx);
		memcpy(buf + n, &en, sizeof(en));
		n += sizeof(en);
		memcpy(buf + n, &ev[0], JIFL_EV_SIZE);
		n += JIFL_EV_SIZE;
		memcpy(buf + n, &ev[1], JIFL_EV_SIZE_TARGET);
		n += JIFL_EV_SIZE_TARGET;
		memcpy(buf + n, &ev[2], JIFL_EV_SIZE);
		n += JIFL_EV_SIZE;
		c3.size = n;
		snprintf(path, sizeof(path), "%s/compact.data", argv[1]);
		w = jd_writer_create(path, why, sizeof(why));
		if (!w) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		jd_write_kallsyms(w, &ks);
		jd_write_chunk(w, &c3);
		jd_section_begin(w, JD_SEC_DUMP, 0);
		jd_section_append(w, name, sizeof(name));
		jd_section_append(w, st, sizeof(st));
		jd_section_end(w);
		if (jd_writer_close(w, why, sizeof(why))) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s/empty.data", argv[1]);
	w = jd_writer_create(path, why, sizeof(why));
	if (!w || jd_writer_close(w, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	return 0;
}
#endif
