// SPDX-License-Identifier: GPL-2.0
/*
 * The jifl.data writer and reader (src/util/data-file.c) and the system
 * information gathering (src/util/sysinfo.c): round trips of every
 * section type, rejection of truncated, corrupted and newer files,
 * kallsyms lookups and build-id parsing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/data-file.h"
#include "util/sysinfo.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test-data-file.XXXXXX";
static char why[512];

/* ---- the sample file: a little of everything ---------------------------- */

static const char *const s_argv[] = { "jifl", "record", "-e", "bbcount",
				      "--", "sleep", "1" };
#define S_ARGC 7
static const struct jd_clock s_clock = { 1, 1000000000ULL, 123456789ULL,
					 1700000000000000000ULL };
static const struct jd_build_id s_bid = {
	20, { 0x4a, 0x5a, 0x9b, 0x0a, 0xff, 0xb6, 0x6c, 0x43, 0x7a, 0xbc,
	      0xd4, 0x55, 0xd2, 0x73, 0x8a, 0xf8, 0x79, 0x98, 0x5f, 0xa9 }
};
static const struct jd_kernel s_kernel = { 0xffffffff9a000000ULL,
					   0xffffffff9b000000ULL, 0 };
static const struct jd_module s_mods[] = {
	{ "jifl", 0xffffffffc0a00000ULL, 0x8000, { 3, { 1, 2, 3 } } },
	{ "ext4", 0xffffffffc0100000ULL, 0x90000, { 0 } },
};
/* deliberately unsorted: the writer sorts */
static struct jd_ksym s_syms[] = {
	{ 0xffffffff9a001000ULL, "start_kernel", "", 'T' },
	{ 0xffffffff9a000000ULL, "_text", "", 'T' },
	{ 0xffffffffc0a00100ULL, "jifl_ioctl", "jifl", 't' },
	{ 0xffffffff9a000000ULL, "_stext", "", 'T' },
	{ 0xffffffffc0a00000ULL, "jifl_init", "jifl", 't' },
	{ 0xffffffff9a002000ULL, "do_syscall_64", "", 'T' },
};
#define S_NSYMS 6
static const struct jd_kallsyms s_ks = { s_syms, S_NSYMS, 0,
					 0xffffffff9a000000ULL,
					 0xffffffffc0a01000ULL };
static const uint8_t s_fixed[3][16] = { "record-0-------", "record-1-------",
					"record-2-------" };
/* two variable-size records: {size, type, payload} */
static const uint8_t s_var[24] = { 16, 0, 0, 0, 7, 0, 0, 0, 'a', 'b', 'c',
				   'd', 'e', 'f', 'g', 'h', 8, 0, 0, 0, 9 };
static const struct jd_block s_blocks[] = {
	{ 0xffffffff9a001000ULL, 12, 2, 0 },
	{ 0xffffffff9a00100cULL, 30, 2, 1 },
	{ 0xffffffffc0a00100ULL, 5, JD_NO_FUNC, 0 },
};
static const struct jd_counter s_counters[] = { { 0, 1000 }, { 2, 1ULL << 40 } };
static const struct jd_lost s_lost[] = { { 0, 0 }, { 1, 17 } };
static const char *const s_rec[] = { "tool=jifl 9.9", "ring_size=4096",
				     "empty=" };

static const struct jd_chunk s_chunk_fixed = { 1, 0, 16, 42, 3, 100, 300,
					       s_fixed, sizeof(s_fixed) };
static const struct jd_chunk s_chunk_var = { 0, JD_CHUNK_VARIABLE, 0, 43, 2,
					     50, 50, s_var, sizeof(s_var) };

/* Writes the sample, plus @extra_type (if not 0) as an unknown section. */
static int write_sample(const char *path, uint32_t extra_type)
{
	struct jd_writer *w = jd_writer_create(path, why, sizeof(why));
	int r;

	if (!w)
		return -errno;
	r = jd_write_uname(w, "6.1.0-test");
	if (!r)
		r = jd_write_cmdline(w, S_ARGC, s_argv);
	if (!r)
		r = jd_write_cpus(w, 2, 4);
	if (!r)
		r = jd_write_clock(w, &s_clock);
	if (!r)
		r = jd_write_build_id(w, &s_bid);
	if (!r && extra_type)
		r = jd_write_section(w, extra_type, "future", 6);
	if (!r)
		r = jd_write_kernel(w, &s_kernel);
	if (!r)
		r = jd_write_modules(w, s_mods, 2);
	if (!r)
		r = jd_write_kallsyms(w, &s_ks);
	if (!r)
		r = jd_write_chunk(w, &s_chunk_fixed);
	if (!r)
		r = jd_write_chunk(w, &s_chunk_var);
	if (!r)
		r = jd_write_blocks(w, s_blocks, 3);
	if (!r)
		r = jd_write_counters(w, s_counters, 2);
	if (!r)
		r = jd_write_lost(w, s_lost, 2);
	if (!r)
		r = jd_write_recording(w, 3, s_rec);
	if (r)
		diag("writer: %s", jd_writer_error(w));
	if (jd_writer_close(w, why, sizeof(why)))
		return -EIO;
	return r;
}

static bool same_bid(const struct jd_build_id *a, const struct jd_build_id *b)
{
	return a->size == b->size && !memcmp(a->data, b->data, a->size);
}

static bool same_chunk(const struct jd_chunk *a, const struct jd_chunk *b)
{
	return a->cpu == b->cpu && a->flags == b->flags &&
	       a->record_size == b->record_size &&
	       a->record_format == b->record_format &&
	       a->nr_records == b->nr_records && a->first_ts == b->first_ts &&
	       a->last_ts == b->last_ts && a->size == b->size &&
	       !memcmp(a->data, b->data, a->size);
}

/* Per section type, whether @f holds exactly the sample. */
static bool sec_ok(const struct jd_file *f, int type)
{
	uint32_t i;

	if (!(f->present & (1U << type)))
		return false;
	switch (type) {
	case JD_SEC_UNAME:
		return !strcmp(f->uname, "6.1.0-test");
	case JD_SEC_CMDLINE:
		if (f->argc != S_ARGC || f->argv[S_ARGC])
			return false;
		for (i = 0; i < S_ARGC; i++)
			if (strcmp(f->argv[i], s_argv[i]))
				return false;
		return true;
	case JD_SEC_CPUS:
		return f->cpus_online == 2 && f->cpus_configured == 4;
	case JD_SEC_CLOCK:
		return !memcmp(&f->clock, &s_clock, sizeof(s_clock));
	case JD_SEC_BUILD_ID:
		return same_bid(&f->build_id, &s_bid);
	case JD_SEC_KERNEL:
		return f->kernel.text == s_kernel.text &&
		       f->kernel.etext == s_kernel.etext &&
		       f->kernel.flags == s_kernel.flags;
	case JD_SEC_MODULES:
		if (f->nr_modules != 2)
			return false;
		for (i = 0; i < 2; i++)
			if (strcmp(f->modules[i].name, s_mods[i].name) ||
			    f->modules[i].base != s_mods[i].base ||
			    f->modules[i].size != s_mods[i].size ||
			    !same_bid(&f->modules[i].build_id,
				      &s_mods[i].build_id))
				return false;
		return true;
	case JD_SEC_KALLSYMS: {
		static const int order[S_NSYMS] = { 1, 3, 0, 5, 4, 2 };
		const struct jd_kallsyms *k = &f->kallsyms;

		if (k->count != S_NSYMS || k->flags || k->text != s_ks.text ||
		    k->end != s_ks.end)
			return false;
		for (i = 0; i < S_NSYMS; i++) {
			const struct jd_ksym *a = &k->syms[i],
					     *b = &s_syms[order[i]];

			if (a->addr != b->addr || strcmp(a->name, b->name) ||
			    strcmp(a->module, b->module) || a->type != b->type)
				return false;
		}
		return true;
	}
	case JD_SEC_CHUNK:
		return f->nr_chunks == 2 &&
		       same_chunk(&f->chunks[0], &s_chunk_fixed) &&
		       same_chunk(&f->chunks[1], &s_chunk_var);
	case JD_SEC_BLOCKS:
		return f->nr_blocks == 3 &&
		       !memcmp(f->blocks, s_blocks, sizeof(s_blocks));
	case JD_SEC_COUNTERS:
		if (f->nr_counters != 2)
			return false;
		for (i = 0; i < 2; i++)
			if (f->counters[i].block != s_counters[i].block ||
			    f->counters[i].count != s_counters[i].count)
				return false;
		return true;
	case JD_SEC_LOST:
		if (f->nr_lost != 2)
			return false;
		for (i = 0; i < 2; i++)
			if (f->lost[i].cpu != s_lost[i].cpu ||
			    f->lost[i].lost != s_lost[i].lost)
				return false;
		return true;
	case JD_SEC_RECORDING:
		if (f->nr_recording != 3 || f->recording[3])
			return false;
		for (i = 0; i < 3; i++)
			if (strcmp(f->recording[i], s_rec[i]))
				return false;
		return !strcmp(jd_recording_get(f, "ring_size"), "4096") &&
		       !strcmp(jd_recording_get(f, "empty"), "") &&
		       !jd_recording_get(f, "ring") &&
		       !jd_recording_get(f, "tool=jifl");
	}
	return false;
}

static bool all_ok(const struct jd_file *f)
{
	for (int t = 1; t < JD_SEC__MAX; t++)
		if (!sec_ok(f, t))
			return false;
	return true;
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!fp)
		return NULL;
	if (!fseek(fp, 0, SEEK_END) && (n = ftell(fp)) >= 0 &&
	    !fseek(fp, 0, SEEK_SET) && (b = malloc(n ? n : 1)) &&
	    fread(b, 1, n, fp) == (size_t)n)
		*len = n;
	else {
		free(b);
		b = NULL;
	}
	fclose(fp);
	return b;
}

static void put_file(const char *path, const void *b, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(b, 1, len, fp) != len) {
		perror(path);
		exit(99);
	}
	fclose(fp);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Recomputes the header CRC after a test edited the header. */
static void fix_header_crc(uint8_t *b)
{
	uint32_t c;

	memset(b + 52, 0, 4);
	c = jd_crc32c(0, b, JD_HEADER_SIZE);
	b[52] = c;
	b[53] = c >> 8;
	b[54] = c >> 16;
	b[55] = c >> 24;
}

/* Offset and size of the first section of @type, from the table. */
static bool find_section(const uint8_t *b, uint32_t type, uint64_t *off,
			 uint64_t *size)
{
	uint64_t t = rd64(b + 24);
	uint32_t n = rd32(b + 32);

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = b + t + (uint64_t)i * JD_SECTION_ENTRY_SIZE;

		if (rd32(e) == type) {
			*off = rd64(e + 8);
			*size = rd64(e + 16);
			return true;
		}
	}
	return false;
}

static bool open_fails(const void *b, size_t len, const char *want)
{
	struct jd_file *f;

	why[0] = '\0';
	f = jd_open_mem(b, len, why, sizeof(why));
	if (f) {
		jd_close(f);
		diag("accepted, expected \"%s\"", want);
		return false;
	}
	if (!strstr(why, want)) {
		diag("got \"%s\", expected \"%s\"", why, want);
		return false;
	}
	return true;
}

/* ---- tests --------------------------------------------------------------- */

static void test_round_trip(const char *path)
{
	struct jd_file *f;

	ok(write_sample(path, 0) == 0, "writer writes every section type");
	f = jd_open(path, why, sizeof(why));
	if (!ok(f != NULL, "reader accepts it: %s", f ? "ok" : why)) {
		for (int t = 1; t < JD_SEC__MAX; t++)
			skip("no file");
		return;
	}
	for (int t = 1; t < JD_SEC__MAX; t++)
		ok(sec_ok(f, t), "round trip of section '%s'",
		   jd_section_name(t));
	ok(f->major == JD_VERSION_MAJOR && f->minor == JD_VERSION_MINOR &&
	   f->nr_unknown == 0 && f->nr_sections == JD_SEC__MAX,
	   "version %u.%u, %u sections", f->major, f->minor, f->nr_sections);
	jd_close(f);
}

static void test_truncation(const uint8_t *b, size_t len, const char *dir)
{
	char want[128], path[4096];
	size_t bad = 0;
	struct jd_file *f;

	for (size_t n = 0; n < len; n++) {
		snprintf(want, sizeof(want), "truncated at byte %zu (expected ",
			 n);
		if (!open_fails(b, n, want) && bad++ < 3)
			diag("at %zu", n);
	}
	ok(!bad, "truncation at each of %zu bytes rejected as truncated", len);

	snprintf(path, sizeof(path), "%s/truncated.data", dir);
	put_file(path, b, len - 1);
	f = jd_open(path, why, sizeof(why));
	snprintf(want, sizeof(want),
		 "truncated at byte %zu (expected %zu): the recording was interrupted?",
		 len - 1, len);
	ok(!f && strstr(why, want), "message: %s", why);
	jd_close(f);
	put_file(path, b, 0);
	f = jd_open(path, why, sizeof(why));
	ok(!f && strstr(why, "truncated at byte 0"), "empty file: %s", why);
	jd_close(f);
}

static void test_flips(const uint8_t *b, size_t len)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t rejected = 0, harmless = 0, bad = 0;
	uint8_t *c = malloc(len);

	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			struct jd_file *f;

			memcpy(c, b, len);
			c[i] ^= masks[m];
			why[0] = '\0';
			f = jd_open_mem(c, len, why, sizeof(why));
			if (!f && strlen(why) > 11) {
				rejected++;
			} else if (f && all_ok(f)) {
				harmless++;
			} else {
				if (bad++ < 3)
					diag("byte %zu ^ 0x%02x: %s", i,
					     masks[m], f ? "accepted, content changed" : "no message");
			}
			jd_close(f);
		}
	}
	ok(!bad, "3 flips of each of %zu bytes: %zu rejected, %zu harmless (padding)",
	   len, rejected, harmless);
	free(c);
}

static void test_versions(const uint8_t *b, size_t len, const char *dir)
{
	uint8_t *c = malloc(len);
	char path[4096];
	struct jd_file *f;
	uint64_t off, size;
	size_t n;

	memcpy(c, b, len);
	c[8] = 3;
	c[10] = 0;
	errno = 0;
	ok(open_fails(c, len,
		      "jifl.data: unsupported format version 3.0 (this jifl reads 1.x to 2.x): upgrade jifl") &&
	   errno == EPROTONOSUPPORT, "future major version rejected: %s", why);
	c[8] = 0;
	ok(open_fails(c, len, "unsupported format version 0.0"),
	   "major version 0 rejected");

	/* a newer minor version with an unknown section type */
	snprintf(path, sizeof(path), "%s/future.data", dir);
	ok(write_sample(path, 4242) == 0, "writer writes an unknown section type");
	free(c);
	c = load(path, &n);
	c[10] = 9;
	fix_header_crc(c);
	f = jd_open_mem(c, n, why, sizeof(why));
	ok(f && f->minor == 9 && f->nr_unknown == 1 && all_ok(f),
	   "minor version 9 with an unknown section: section skipped, rest read (%s)",
	   f ? "ok" : why);
	jd_close(f);

	memcpy(c, b, len);
	if (find_section(c, JD_SEC_KALLSYMS, &off, &size))
		c[off + size / 2] ^= 0x20;
	ok(open_fails(c, len, "jifl.data: corrupt section 'kallsyms': checksum mismatch"),
	   "corrupt kallsyms: %s", why);
	memcpy(c, b, len);
	if (find_section(c, JD_SEC_UNAME, &off, &size)) {
		uint64_t t = rd64(c + 24);
		uint32_t crc;

		/* entry 2 (cpus) at the offset of entry 0 (uname) */
		memcpy(c + t + 2 * JD_SECTION_ENTRY_SIZE + 8, c + t + 8, 8);
		crc = jd_crc32c(0, c + t, rd32(c + 32) * JD_SECTION_ENTRY_SIZE);
		memcpy(c + 48, (uint8_t[4]){ crc, crc >> 8, crc >> 16, crc >> 24 }, 4);
		fix_header_crc(c);
	}
	ok(open_fails(c, len, "corrupt section table: sections overlap at byte"),
	   "overlapping sections: %s", why);
	memcpy(c, b, len);
	c[20] ^= 1;
	ok(open_fails(c, len, "corrupt header: checksum mismatch"),
	   "corrupt header: %s", why);
	memcpy(c, b, len);
	c[0] = 'X';
	ok(open_fails(c, len, "not a jifl.data file"), "bad magic: %s", why);
	free(c);
	c = calloc(1, len + 8);
	memcpy(c, b, len);
	ok(open_fails(c, len + 8, "8 bytes after the end"),
	   "trailing bytes: %s", why);
	free(c);
}

static void test_writer_errors(const char *dir)
{
	char path[4096];
	struct jd_writer *w;
	struct jd_file *f;
	struct jd_chunk bad = s_chunk_fixed;
	struct jd_block blk[2] = { { 1, 1, JD_NO_FUNC, 0 }, { 2, 1, JD_NO_FUNC, 0 } };
	struct jd_counter cnt = { 5, 1 };
	uint8_t odd_var[16] = { 12, 0, 0, 0 };
	int r;

	snprintf(path, sizeof(path), "%s/w.data", dir);

	/* not finalized: the placeholder header */
	w = jd_writer_create(path, why, sizeof(why));
	jd_write_uname(w, "x");
	f = jd_open(path, why, sizeof(why));
	ok(!f && strstr(why, "not finalized"), "unfinished file: %s", why);
	jd_close(f);
	/* an interrupted section is dropped, the rest is valid */
	jd_section_begin(w, JD_SEC_CHUNK, 0);
	jd_section_append(w, "partial", 7);
	ok(jd_writer_close(w, why, sizeof(why)) == 0,
	   "close in the middle of a section");
	f = jd_open(path, why, sizeof(why));
	ok(f && f->nr_sections == 1 && !strcmp(f->uname, "x") && !f->nr_chunks,
	   "file closed mid-section is valid, partial section dropped (%s)",
	   f ? "ok" : why);
	jd_close(f);

	w = jd_writer_create(path, why, sizeof(why));
	bad.nr_records = 4;
	r = jd_write_chunk(w, &bad);
	ok(r == -EINVAL &&
	   strstr(jd_writer_error(w), "record count does not match"),
	   "writer refuses an inconsistent chunk: %s", jd_writer_error(w));
	bad = s_chunk_var;
	bad.data = odd_var;
	bad.size = sizeof(odd_var);
	ok(jd_write_chunk(w, &bad) == -EINVAL,
	   "errors are sticky");
	ok(jd_writer_close(w, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "record count"), "close reports the first error: %s",
	   why);

	w = jd_writer_create(path, why, sizeof(why));
	jd_write_uname(w, "x");
	r = jd_write_uname(w, "y");
	ok(r == -EEXIST, "section written twice: %s",
	   jd_writer_error(w));
	jd_writer_close(w, NULL, 0);

	w = jd_writer_create(path, why, sizeof(why));
	jd_write_blocks(w, blk, 2);
	jd_write_counters(w, &cnt, 1);
	jd_writer_close(w, NULL, 0);
	f = jd_open(path, why, sizeof(why));
	ok(!f && strstr(why, "corrupt section 'counters': block index out of range"),
	   "counter of a missing block: %s", why);
	jd_close(f);

	/* empty sections and an empty file are valid */
	w = jd_writer_create(path, why, sizeof(why));
	jd_write_cmdline(w, 0, NULL);
	jd_write_blocks(w, NULL, 0);
	jd_write_kallsyms(w, &(struct jd_kallsyms){ 0 });
	jd_write_modules(w, NULL, 0);
	ok(jd_writer_close(w, why, sizeof(why)) == 0, "empty sections written");
	f = jd_open(path, why, sizeof(why));
	ok(f && f->argc == 0 && f->argv && !f->argv[0] && !f->kallsyms.count &&
	   !jd_ksym_lookup(&f->kallsyms, 1, NULL),
	   "empty sections read back (%s)", f ? "ok" : why);
	jd_close(f);

	ok(!jd_writer_create("/nonexistent-dir/x.data", why, sizeof(why)) &&
	   strstr(why, "cannot create") && strstr(why, "-o"),
	   "unwritable output: %s", why);
	f = jd_open("/nonexistent-dir/x.data", why, sizeof(why));
	ok(!f && strstr(why, "jifl record"), "missing input: %s", why);
}

static void test_lookup(void)
{
	struct jd_ksym syms[] = {
		{ 0x1000, "_text", "", 'T' }, { 0x1000, "_stext", "", 'T' },
		{ 0x1040, "f", "", 'T' },     { 0x2000, "g", "mod", 't' },
	};
	struct jd_kallsyms ks = { syms, 4, 0, 0x1000, 0x3000 };
	const struct jd_ksym *s;
	uint64_t off = 99;

	s = jd_ksym_lookup(&ks, 0x1040, &off);
	ok(s && !strcmp(s->name, "f") && off == 0, "lookup: exact address");
	s = jd_ksym_lookup(&ks, 0x1fff, &off);
	ok(s && !strcmp(s->name, "f") && off == 0xfbf, "lookup: f+0xfbf");
	s = jd_ksym_lookup(&ks, 0x1004, &off);
	ok(s && !strcmp(s->name, "_text") && off == 4,
	   "lookup: first of aliases at one address");
	ok(!jd_ksym_lookup(&ks, 0xfff, &off), "lookup: before the first symbol");
	s = jd_ksym_lookup(&ks, 0x2fff, &off);
	ok(s && !strcmp(s->name, "g") && !strcmp(s->module, "mod") &&
	   off == 0xfff, "lookup: last symbol, below end");
	ok(!jd_ksym_lookup(&ks, 0x3000, &off) &&
	   !jd_ksym_lookup(&ks, UINT64_MAX, &off),
	   "lookup: at or after the end");
	ks.flags = JD_KF_ADDRS_HIDDEN;
	ok(!jd_ksym_lookup(&ks, 0x1040, &off), "lookup: hidden addresses");
}

static void test_build_id(void)
{
	static const uint8_t want[20] = { 0x4a, 0x5a, 0x9b, 0x0a, 0xff, 0xb6,
					  0x6c, 0x43, 0x7a, 0xbc, 0xd4, 0x55,
					  0xd2, 0x73, 0x8a, 0xf8, 0x79, 0x98,
					  0x5f, 0xa9 };
	const char *top = getenv("top_srcdir");
	struct jd_build_id id = { 0 };
	char path[4096];
	uint8_t *b;
	size_t n;
	int r;

	snprintf(path, sizeof(path), "%s/tests/fixtures/kernel-notes-6.1",
		 top ? top : ".");
	r = jifl_read_build_id(path, &id);
	ok(r == 0 && id.size == 20 && !memcmp(id.data, want, 20),
	   "build-id from a /sys/kernel/notes copy (GNU note among Xen and Linux notes)");
	b = load(path, &n);
	if (b) {
		ok(jifl_parse_build_id(b, 30, &id) == -EINVAL,
		   "build-id: truncated notes rejected");
		ok(jifl_parse_build_id(b + 0x24, n - 0x24, &id) == -ENOENT,
		   "build-id: notes without one");
		ok(jifl_parse_build_id(b, 0, &id) == -ENOENT,
		   "build-id: empty notes");
		free(b);
	} else {
		skip("fixture missing");
		skip("fixture missing");
		skip("fixture missing");
	}
	r = jifl_read_build_id("/sys/kernel/notes", &id);
	if (r == -ENOENT || r == -EACCES)
		skip("/sys/kernel/notes not readable here");
	else
		ok(r == 0 && id.size >= 8 && id.size <= JD_BUILD_ID_MAX,
		   "build-id of the running kernel: %u bytes", id.size);
}

static void mkpath(const char *dir, const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

static void put_text(const char *dir, const char *rel, const void *b,
		     size_t len)
{
	char p[4096];

	mkpath(dir, rel);
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	put_file(p, b, len);
}

static void test_sysinfo_fake(const char *dir)
{
	static const char kallsyms[] =
		"ffffffff9a000000 T _stext\n"
		"ffffffff9a000000 T _text\n"
		"ffffffff9a0010a0 T start_kernel\n"
		"ffffffff9b000000 T _etext\n"
		"ffffffffc0a00010 t jifl_ioctl\t[jifl]\n"
		"ffffffffc0a00000 t jifl_init\t[jifl]\n";
	static const char hidden[] =
		"0000000000000000 T _stext\n"
		"0000000000000000 T _text\n"
		"0000000000000000 t jifl_init\t[jifl]\n";
	static const char modules[] =
		"jifl 32768 0 - Live 0xffffffffc0a00000 (OE)\n"
		"ext4 999424 1 - Live 0xffffffffc0100000\n";
	static const uint8_t note[] = { 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0,
					'G', 'N', 'U', 0, 0xde, 0xad, 0xbe, 0xef };
	const char *top = getenv("top_srcdir");
	struct jifl_sysinfo si;
	char root[4096], src[4096];
	const struct jd_ksym *s;
	uint64_t off;
	uint8_t *b;
	size_t n;
	int r;

	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	put_text(root, "proc/kallsyms", kallsyms, sizeof(kallsyms) - 1);
	put_text(root, "proc/modules", modules, sizeof(modules) - 1);
	put_text(root, "proc/sys/kernel/osrelease", "6.1.0-fake\n", 11);
	put_text(root, "sys/module/jifl/notes/.note.gnu.build-id", note,
		 sizeof(note));
	snprintf(src, sizeof(src), "%s/tests/fixtures/kernel-notes-6.1",
		 top ? top : ".");
	b = load(src, &n);
	if (b)
		put_text(root, "sys/kernel/notes", b, n);
	free(b);

	r = jifl_sysinfo_gather(&si, root, why, sizeof(why));
	ok(r == 0, "gather from a fake /proc and /sys (%s)", r ? why : "ok");
	ok(!strcmp(si.release, "6.1.0-fake") && si.cpus_online >= 1 &&
	   si.clock.freq_hz == 1000000000ULL && si.build_id.size == 20,
	   "release, CPUs, clock and vmlinux build-id");
	ok(si.kernel.text == 0xffffffff9a000000ULL &&
	   si.kernel.etext == 0xffffffff9b000000ULL && !si.kernel.flags,
	   "_text and _etext");
	s = jd_ksym_lookup(&si.kallsyms, 0xffffffffc0a00014ULL, &off);
	ok(si.kallsyms.count == 6 && s && !strcmp(s->name, "jifl_ioctl") &&
	   !strcmp(s->module, "jifl") && off == 4 && s->type == 't',
	   "kallsyms parsed and sorted (module symbols)");
	ok(si.nr_modules == 2 && !strcmp(si.modules[0].name, "jifl") &&
	   si.modules[0].base == 0xffffffffc0a00000ULL &&
	   si.modules[0].size == 32768 && si.modules[0].build_id.size == 4 &&
	   si.modules[0].build_id.data[0] == 0xde &&
	   si.modules[1].build_id.size == 0,
	   "modules with bases, sizes and build-ids");
	ok(strstr(si.warnings, "1 of 2 modules have no readable build-id") != NULL,
	   "missing module build-id noted: %s", si.warnings);
	jifl_sysinfo_free(&si);

	put_text(root, "proc/kallsyms", hidden, sizeof(hidden) - 1);
	r = jifl_sysinfo_gather(&si, root, why, sizeof(why));
	ok(r == 0 && (si.kallsyms.flags & JD_KF_ADDRS_HIDDEN) &&
	   (si.kernel.flags & JD_KF_ADDRS_HIDDEN) &&
	   strstr(si.warnings, "hidden") && strstr(si.warnings, "root"),
	   "zero kallsyms addresses flagged: %s", si.warnings);
	jifl_sysinfo_free(&si);

	snprintf(src, sizeof(src), "%s/none", dir);
	r = jifl_sysinfo_gather(&si, src, why, sizeof(why));
	ok(r == -ENOENT && strstr(why, "kallsyms"),
	   "no kallsyms: %s", why);
	jifl_sysinfo_free(&si);
}

static void test_sysinfo_live(const char *dir)
{
	static const char *const argv[] = { "jifl", "record" };
	struct jifl_sysinfo si;
	struct jd_writer *w;
	struct jd_file *f;
	char path[4096];
	int r;

	if (access("/proc/kallsyms", R_OK)) {
		skip("/proc/kallsyms not readable");
		skip("/proc/kallsyms not readable");
		return;
	}
	r = jifl_sysinfo_gather(&si, NULL, why, sizeof(why));
	if (!ok(r == 0, "gather from the running system (%s)", r ? why : "ok")) {
		skip("gather failed");
		jifl_sysinfo_free(&si);
		return;
	}
	if (si.warnings[0])
		diag("%s", si.warnings);
	snprintf(path, sizeof(path), "%s/live.data", dir);
	w = jd_writer_create(path, why, sizeof(why));
	r = w ? jifl_sysinfo_write(w, &si, 2, argv) : -1;
	if (w && jd_writer_close(w, why, sizeof(why)))
		r = -1;
	f = r ? NULL : jd_open(path, why, sizeof(why));
	ok(f && f->kallsyms.count == si.kallsyms.count &&
	   f->nr_modules == si.nr_modules && !strcmp(f->uname, si.release) &&
	   f->kernel.text == si.kernel.text &&
	   (f->kallsyms.flags & JD_KF_ADDRS_HIDDEN ||
	    (jd_ksym_lookup(&f->kallsyms, f->kernel.text, NULL) &&
	     jd_ksym_lookup(&f->kallsyms, f->kernel.text, NULL)->addr ==
	     f->kernel.text)),
	   "live feature sections round trip: %u symbols, %u modules, %s (%s)",
	   si.kallsyms.count, si.nr_modules,
	   si.kallsyms.flags & JD_KF_ADDRS_HIDDEN ? "addresses hidden" : "addresses visible",
	   f ? "ok" : why);
	jd_close(f);
	jifl_sysinfo_free(&si);
}

/*
 * The SSE4.2 CRC equals the table one at every length and alignment, and
 * past the lengths it splits in three lanes (2048 bytes each)
 */
static void test_crc_agree(void)
{
	static uint8_t buf[40000 + 8];
	unsigned int bad = 0, n = 0;
	uint32_t seed = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245U + 12345U;
		buf[i] = seed >> 16;
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 200; len++, n++)
			bad += jd_crc32c(7, buf + off, len) !=
			       jd_crc32c_portable(7, buf + off, len);
	n++;
	bad += jd_crc32c(0, buf + 3, 4096) !=
	       jd_crc32c_portable(0, buf + 3, 4096);
	for (size_t len = 6100; len < 6200; len++, n++)
		bad += jd_crc32c(7, buf + len % 8, len) !=
		       jd_crc32c_portable(7, buf + len % 8, len);
	for (size_t len = 12280; len <= 40000; len += 1531, n++)
		bad += jd_crc32c(0, buf + len % 8, len) !=
		       jd_crc32c_portable(0, buf + len % 8, len);
	ok(!bad, "CRC-32C: %u of %u lengths and alignments differ", bad, n);
}

/* A plugin's DUMP section: framing checked, sysstat's records decoded */
static void test_dumps(const char *dir)
{
	/* sysstat: a function record, then the sum record */
	uint64_t fn[5] = { 40 | (4ULL << 32), 0xffffffff81000000ULL, 3, 30, 300 };
	uint64_t sum[9] = { 72 | (5ULL << 32), 31, 301, 1, 1, 0, 0, 0, 7 };
	char name[JD_DUMP_NAME_SIZE] = "sysstat", path[4096];
	const struct jd_dump *d;
	struct jd_sysstat ss;
	struct jd_writer *w;
	struct jd_file *f;
	uint32_t bad = 0;

	/* dump0: well-formed; dump1: 4 bytes more, not a whole record */
	for (int variant = 0; variant < 2; variant++) {
		snprintf(path, sizeof(path), "%s/dump%d.data", dir, variant);
		w = jd_writer_create(path, why, sizeof(why));
		if (!w || jd_section_begin(w, JD_SEC_DUMP, 0) ||
		    jd_section_append(w, name, sizeof(name)) ||
		    jd_section_append(w, fn, sizeof(fn)) ||
		    jd_section_append(w, sum, sizeof(sum)) ||
		    (variant && jd_section_append(w, &bad, sizeof(bad))) ||
		    jd_section_end(w) || jd_writer_close(w, why, sizeof(why))) {
			ok(0, "write a file with a sysstat dump: %s", why);
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/dump0.data", dir);
	f = jd_open(path, why, sizeof(why));
	d = f ? jd_find_dump(f, "sysstat") : NULL;
	ok(d && f->nr_dumps == 1 && d->size == 40 + 72 &&
	   !jd_find_dump(f, "cover"), "dump section found by plugin name");
	ok(f && !jd_sysstat(f, &ss, why, sizeof(why)) && ss.nr_funcs == 1 &&
	   ss.funcs[0].func == 0xffffffff81000000ULL && ss.funcs[0].calls == 3 &&
	   ss.funcs[0].blocks == 30 && ss.funcs[0].insns == 300 &&
	   ss.blocks == 31 && ss.unattr_insns == 1 && ss.switches == 7,
	   "sysstat records decoded");
	if (f)
		free(ss.funcs);
	jd_close(f);
	snprintf(path, sizeof(path), "%s/dump1.data", dir);
	f = jd_open(path, why, sizeof(why));
	ok(!f && strstr(why, "corrupt plugin dump section 0: a record header is cut short"),
	   "a dump's cut record rejected: %s", f ? "accepted" : why);
	jd_close(f);
}

/* RECORDING: key=value entries only, from the writer and in a file */
static void test_recording(const char *dir)
{
	static const char *const bad_kv[] = { "tool=jifl", "no-equals" };
	uint8_t raw[8 + 8] = { 1, 0, 0, 0, 0, 0, 0, 0, 'x', 'y', 0 };
	char path[4096];
	struct jd_writer *w;
	struct jd_file *f;

	snprintf(path, sizeof(path), "%s/rec.data", dir);
	w = jd_writer_create(path, why, sizeof(why));
	ok(w && jd_write_recording(w, 2, bad_kv) == -EINVAL &&
	   strstr(jd_writer_error(w), "'no-equals' is not key=value"),
	   "writer refuses a recording entry without '=': %s",
	   w ? jd_writer_error(w) : why);
	jd_writer_close(w, why, sizeof(why));
	/* the same, written raw: one string "xy" */
	w = jd_writer_create(path, why, sizeof(why));
	if (w)
		jd_write_section(w, JD_SEC_RECORDING, raw, 8 + 3);
	jd_writer_close(w, why, sizeof(why));
	f = jd_open(path, why, sizeof(why));
	ok(!f && strstr(why, "not key=value"),
	   "reader rejects a recording entry without '=': %s",
	   f ? "accepted" : why);
	jd_close(f);
	/* a file without the section: nothing recorded, no crash */
	w = jd_writer_create(path, why, sizeof(why));
	jd_write_uname(w, "x");
	jd_writer_close(w, why, sizeof(why));
	f = jd_open(path, why, sizeof(why));
	ok(f && !f->nr_recording && !jd_recording_get(f, "tool"),
	   "no RECORDING section: every key unknown");
	jd_close(f);
}

int main(void)
{
	char path[4096];
	uint8_t *b;
	size_t len;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	ok(jd_crc32c(0, "123456789", 9) == 0xe3069283U &&
	   jd_crc32c(jd_crc32c(0, "1234", 4), "56789", 5) == 0xe3069283U,
	   "CRC-32C check value, in one go and in pieces");
	ok(jd_crc32c_portable(0, "123456789", 9) == 0xe3069283U,
	   "CRC-32C check value, by table");
	test_crc_agree();
	snprintf(path, sizeof(path), "%s/sample.data", tmpdir);
	test_round_trip(path);
	b = load(path, &len);
	if (!b) {
		diag("cannot read %s back", path);
		return 99;
	}
	diag("sample file: %zu bytes", len);
	test_truncation(b, len, tmpdir);
	test_flips(b, len);
	test_versions(b, len, tmpdir);
	free(b);
	test_writer_errors(tmpdir);
	test_lookup();
	test_build_id();
	test_sysinfo_fake(tmpdir);
	test_sysinfo_live(tmpdir);
	test_dumps(tmpdir);
	test_recording(tmpdir);

	if (!getenv("KEEP_TMP")) {
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			diag("could not remove %s", tmpdir);
	}
	return done_testing();
}
