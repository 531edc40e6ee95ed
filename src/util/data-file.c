// SPDX-License-Identifier: GPL-2.0
/*
 * jifl.data writer and reader; the layout is in man/jifl-data.5.
 * All fields are little-endian and are read and written byte by byte, so
 * neither the host's byte order nor the alignment of a buffer matters.
 */
#define _GNU_SOURCE	/* vmsplice, splice, pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/data-file.h"

/* Fixed parts of the section payloads (see man/jifl-data.5). */
#define UNAME_MIN		1
#define CMDLINE_HDR		8
#define CPUS_SIZE		8
#define CLOCK_SIZE		32
#define BUILD_ID_SIZE		48
#define KERNEL_SIZE		24
#define MODULES_HDR		16
#define MODULE_ENTRY		64
#define KALLSYMS_HDR		32
#define KSYM_ENTRY		24
#define CHUNK_HDR		48
#define TABLE_HDR		8
#define BLOCK_ENTRY		24
#define COUNTER_ENTRY		16
#define LOST_ENTRY		16

static const char *const section_names[JD_SEC__MAX] = {
	[JD_SEC_UNAME] = "uname",	[JD_SEC_CMDLINE] = "cmdline",
	[JD_SEC_CPUS] = "cpus",		[JD_SEC_CLOCK] = "clock",
	[JD_SEC_BUILD_ID] = "build-id",	[JD_SEC_KERNEL] = "kernel",
	[JD_SEC_MODULES] = "modules",	[JD_SEC_KALLSYMS] = "kallsyms",
	[JD_SEC_CHUNK] = "chunk",	[JD_SEC_BLOCKS] = "blocks",
	[JD_SEC_COUNTERS] = "counters",	[JD_SEC_LOST] = "lost",
	[JD_SEC_RECORDING] = "recording",
};

const char *jd_section_name(uint32_t type)
{
	return type < JD_SEC__MAX ? section_names[type] : NULL;
}

/* ---- little-endian fields ------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- CRC-32C -------------------------------------------------------------- */

static uint32_t crc_table[256];
static bool crc_ready;

uint32_t jd_crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c;

	if (!crc_ready) {
		for (uint32_t i = 0; i < 256; i++) {
			c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78U : c >> 1;
			crc_table[i] = c;
		}
		crc_ready = true;
	}
	c = ~crc;
	while (len--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

#if defined(__x86_64__)
/*
 * SSE4.2's crc32 instruction is CRC-32C, 8 bytes an instruction, but each
 * waits for the one before (3 cycles): three lanes of CRC_LANE bytes run
 * side by side, then are joined. The CRC register is linear: after bytes
 * A then B it is shift(after A) ^ (B's alone, from 0), shift() being the
 * effect of CRC_LANE zero bytes, a 32x32 bit matrix applied as 4 table
 * lookups.
 */
#define CRC_LANE	2048

static uint32_t crc_shift_tab[4][256];

__attribute__((target("sse4.2")))
static void crc_shift_init(void)
{
	uint32_t basis[32];
	int i, k, v;

	for (i = 0; i < 32; i++) {
		uint64_t c = 1U << i;

		for (k = 0; k < CRC_LANE; k += 8)
			c = __builtin_ia32_crc32di(c, 0);
		basis[i] = (uint32_t)c;
	}
	for (k = 0; k < 4; k++)
		for (v = 0; v < 256; v++) {
			uint32_t x = 0;

			for (i = 0; i < 8; i++)
				if (v & (1 << i))
					x ^= basis[8 * k + i];
			crc_shift_tab[k][v] = x;
		}
}

static uint32_t crc_shift(uint32_t c)
{
	return crc_shift_tab[0][c & 0xff] ^ crc_shift_tab[1][(c >> 8) & 0xff] ^
	       crc_shift_tab[2][(c >> 16) & 0xff] ^ crc_shift_tab[3][c >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = ~crc;

	for (; len && ((uintptr_t)p & 7); len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	for (; len >= 3 * CRC_LANE; len -= 3 * CRC_LANE, p += 3 * CRC_LANE) {
		uint64_t b = 0, d = 0;
		size_t i;

		for (i = 0; i < CRC_LANE; i += 8) {
			uint64_t v0, v1, v2;

			memcpy(&v0, p + i, 8);
			memcpy(&v1, p + CRC_LANE + i, 8);
			memcpy(&v2, p + 2 * CRC_LANE + i, 8);
			c = __builtin_ia32_crc32di(c, v0);
			b = __builtin_ia32_crc32di(b, v1);
			d = __builtin_ia32_crc32di(d, v2);
		}
		c = crc_shift(crc_shift((uint32_t)c) ^ (uint32_t)b) ^ (uint32_t)d;
	}
	/* 32 bytes a round: fewer loop instructions per byte */
	for (; len >= 32; len -= 32, p += 32) {
		uint64_t v0, v1, v2, v3;

		memcpy(&v0, p, 8);
		memcpy(&v1, p + 8, 8);
		memcpy(&v2, p + 16, 8);
		memcpy(&v3, p + 24, 8);
		c = __builtin_ia32_crc32di(c, v0);
		c = __builtin_ia32_crc32di(c, v1);
		c = __builtin_ia32_crc32di(c, v2);
		c = __builtin_ia32_crc32di(c, v3);
	}
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		c = __builtin_ia32_crc32di(c, v);
	}
	for (; len; len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

uint32_t jd_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static int hw = -1;

	if (hw < 0) {
		__builtin_cpu_init();
		hw = __builtin_cpu_supports("sse4.2");
		if (hw)
			crc_shift_init();
	}
	return hw ? crc32c_sse42(crc, buf, len) :
		    jd_crc32c_portable(crc, buf, len);
}
#else
uint32_t jd_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return jd_crc32c_portable(crc, buf, len);
}
#endif

/* ---- header ---------------------------------------------------------------- */

struct header {
	uint16_t major, minor;
	uint32_t header_size;
	uint64_t flags;
	uint64_t table_offset;
	uint32_t table_count, table_entry_size;
	uint64_t file_size;
	uint32_t table_crc, header_crc;
};

static void encode_header(uint8_t *b, const struct header *h)
{
	memset(b, 0, JD_HEADER_SIZE);
	memcpy(b, JD_MAGIC, 8);
	put16(b + 8, h->major);
	put16(b + 10, h->minor);
	put32(b + 12, h->header_size);
	put64(b + 16, h->flags);
	put64(b + 24, h->table_offset);
	put32(b + 32, h->table_count);
	put32(b + 36, h->table_entry_size);
	put64(b + 40, h->file_size);
	put32(b + 48, h->table_crc);
	put32(b + 52, jd_crc32c(0, b, JD_HEADER_SIZE));
}

/* ---- writer ---------------------------------------------------------------- */

struct sec_entry {
	uint32_t type, flags;
	uint64_t offset, size;
	uint32_t crc;
};

struct jd_writer {
	int fd;
	int pipe[2];		/* jd_writer_splice()'s, or -1 */
	uint64_t off;
	struct sec_entry *tab;
	uint32_t n, cap;
	uint32_t present;
	bool open_section;
	struct sec_entry cur;
	int err;
	char why[512];
	char *path;
};

static void set_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

static int wfail(struct jd_writer *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int wfail(struct jd_writer *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return w->err;
	w->err = err;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return err;
}

/* Appends that jd_writer_splice() moves through its pipe: one ring chunk */
#define JD_SPLICE_MIN	(64U << 10)

/* A write() or splice() that returned @r <= 0 */
static int write_failed(struct jd_writer *w, ssize_t r)
{
	int err = r < 0 ? errno : EIO;

	return wfail(w, -err,
		     "%s: write failed at byte %llu: %s (disk full? choose another output file with -o)",
		     w->path, (unsigned long long)w->off, strerror(err));
}

static void close_pipe(struct jd_writer *w)
{
	if (w->pipe[0] >= 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
	}
	w->pipe[0] = w->pipe[1] = -1;
}

/*
 * @len bytes through the pipe: vmsplice() takes references to the pages,
 * splice() copies them into the file before returning, so @buf is free
 * again on return. Return: 0, -errno, or 1 when vmsplice() refused the
 * memory before anything was written (the caller writes instead).
 */
static int splice_full(struct jd_writer *w, const uint8_t *p, size_t len)
{
	bool moved = false;

	while (len) {
		struct iovec iov = { (void *)p, len };
		ssize_t in = vmsplice(w->pipe[1], &iov, 1, 0), left;

		if (in < 0 && errno == EINTR)
			continue;
		if (in <= 0 && !moved)
			return 1;
		if (in <= 0)
			return write_failed(w, in);
		moved = true;
		for (left = in; left;) {
			ssize_t r = splice(w->pipe[0], NULL, w->fd, NULL, left, 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return write_failed(w, r);
			left -= r;
			w->off += r;
		}
		p += in;
		len -= in;
	}
	return 0;
}

static int write_full(struct jd_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (w->pipe[1] >= 0 && len >= JD_SPLICE_MIN) {
		int r = splice_full(w, p, len);

		if (r <= 0)
			return r;
		close_pipe(w);	/* not spliceable: write() from now on */
	}
	while (len) {
		ssize_t r = write(w->fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return write_failed(w, r);
		p += r;
		len -= r;
		w->off += r;
	}
	return 0;
}

int jd_writer_splice(struct jd_writer *w)
{
	struct stat st;

	if (w->pipe[0] >= 0)
		return 0;
	/* to a pipe or socket the pages would go on by reference */
	if (fstat(w->fd, &st) || !S_ISREG(st.st_mode))
		return -EINVAL;
	if (pipe2(w->pipe, O_CLOEXEC)) {
		w->pipe[0] = w->pipe[1] = -1;
		return -errno;
	}
	/* fewer calls a chunk; the default size (64 KiB) works too */
	fcntl(w->pipe[1], F_SETPIPE_SZ, 1 << 20);
	return 0;
}

static int write_pad(struct jd_writer *w)
{
	static const uint8_t zero[JD_ALIGN];
	size_t pad = (JD_ALIGN - w->off % JD_ALIGN) % JD_ALIGN;

	return pad ? write_full(w, zero, pad) : 0;
}

struct jd_writer *jd_writer_create(const char *path, char *why,
				   size_t why_len)
{
	struct jd_writer *w = calloc(1, sizeof(*w));
	struct header h = { .major = JD_VERSION_MAJOR,
			    .minor = JD_VERSION_MINOR,
			    .header_size = JD_HEADER_SIZE };
	uint8_t b[JD_HEADER_SIZE];

	if (!w || !(w->path = strdup(path))) {
		set_why(why, why_len, "out of memory");
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->pipe[0] = w->pipe[1] = -1;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;

		set_why(why, why_len,
			"%s: cannot create: %s (choose another output file with -o)",
			path, strerror(e));
		free(w->path);
		free(w);
		errno = e;
		return NULL;
	}
	encode_header(b, &h);
	if (write_full(w, b, sizeof(b))) {
		set_why(why, why_len, "%s", w->why);
		close(w->fd);
		free(w->path);
		free(w);
		errno = EIO;
		return NULL;
	}
	return w;
}

const char *jd_writer_error(const struct jd_writer *w)
{
	return w->err ? w->why : "";
}

int jd_section_begin(struct jd_writer *w, uint32_t type, uint32_t flags)
{
	const char *name = jd_section_name(type);

	if (w->err)
		return w->err;
	if (w->open_section)
		return wfail(w, -EINVAL, "jifl.data writer: section %u begun inside another",
			     type);
	if (name && type != JD_SEC_CHUNK && (w->present & (1U << type)))
		return wfail(w, -EEXIST, "jifl.data writer: section '%s' written twice",
			     name);
	if (w->n == UINT32_MAX / JD_SECTION_ENTRY_SIZE)
		return wfail(w, -EFBIG, "jifl.data writer: too many sections");
	w->cur = (struct sec_entry){ type, flags, w->off, 0, 0 };
	w->open_section = true;
	return 0;
}

int jd_section_append(struct jd_writer *w, const void *buf, size_t len)
{
	if (w->err)
		return w->err;
	if (!w->open_section)
		return wfail(w, -EINVAL, "jifl.data writer: append outside a section");
	w->cur.crc = jd_crc32c(w->cur.crc, buf, len);
	return write_full(w, buf, len);
}

int jd_section_end(struct jd_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->open_section)
		return wfail(w, -EINVAL, "jifl.data writer: end outside a section");
	w->cur.size = w->off - w->cur.offset;
	if (write_pad(w))
		return w->err;
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? 2 * w->cap : 16;
		struct sec_entry *t = realloc(w->tab, cap * sizeof(*t));

		if (!t)
			return wfail(w, -ENOMEM, "out of memory");
		w->tab = t;
		w->cap = cap;
	}
	w->tab[w->n++] = w->cur;
	if (w->cur.type < 32)
		w->present |= 1U << w->cur.type;
	w->open_section = false;
	return 0;
}

int jd_write_section(struct jd_writer *w, uint32_t type, const void *buf,
		     size_t len)
{
	int r = jd_section_begin(w, type, 0);

	if (!r)
		r = jd_section_append(w, buf, len);
	if (!r)
		r = jd_section_end(w);
	return r;
}

int jd_write_uname(struct jd_writer *w, const char *release)
{
	return jd_write_section(w, JD_SEC_UNAME, release, strlen(release) + 1);
}

/* CMDLINE and RECORDING: u32 count, u32 reserved, the strings */
static int write_strings(struct jd_writer *w, uint32_t type, int argc,
			 const char *const *argv)
{
	uint8_t h[CMDLINE_HDR] = { 0 };
	int r;

	if (argc < 0)
		return wfail(w, -EINVAL, "jifl.data writer: negative argc");
	put32(h, argc);
	r = jd_section_begin(w, type, 0);
	if (!r)
		r = jd_section_append(w, h, sizeof(h));
	for (int i = 0; !r && i < argc; i++)
		r = jd_section_append(w, argv[i], strlen(argv[i]) + 1);
	return r ? r : jd_section_end(w);
}

int jd_write_cmdline(struct jd_writer *w, int argc, const char *const *argv)
{
	return write_strings(w, JD_SEC_CMDLINE, argc, argv);
}

int jd_write_recording(struct jd_writer *w, uint32_t n,
		       const char *const *kv)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strchr(kv[i], '=') || kv[i][0] == '=')
			return wfail(w, -EINVAL,
				     "jifl.data writer: recording entry '%s' is not key=value",
				     kv[i]);
	return write_strings(w, JD_SEC_RECORDING, (int)n, kv);
}

int jd_write_cpus(struct jd_writer *w, uint32_t online, uint32_t configured)
{
	uint8_t b[CPUS_SIZE];

	put32(b, online);
	put32(b + 4, configured);
	return jd_write_section(w, JD_SEC_CPUS, b, sizeof(b));
}

int jd_write_clock(struct jd_writer *w, const struct jd_clock *c)
{
	uint8_t b[CLOCK_SIZE] = { 0 };

	put32(b, c->clockid);
	put64(b + 8, c->freq_hz);
	put64(b + 16, c->ref_ns);
	put64(b + 24, c->ref_realtime_ns);
	return jd_write_section(w, JD_SEC_CLOCK, b, sizeof(b));
}

static void encode_build_id(uint8_t *b, const struct jd_build_id *id)
{
	uint32_t n = id->size > JD_BUILD_ID_MAX ? JD_BUILD_ID_MAX : id->size;

	put32(b, n);
	memcpy(b + 8, id->data, n);
}

int jd_write_build_id(struct jd_writer *w, const struct jd_build_id *id)
{
	uint8_t b[BUILD_ID_SIZE] = { 0 };

	encode_build_id(b, id);
	return jd_write_section(w, JD_SEC_BUILD_ID, b, sizeof(b));
}

int jd_write_kernel(struct jd_writer *w, const struct jd_kernel *k)
{
	uint8_t b[KERNEL_SIZE] = { 0 };

	put64(b, k->text);
	put64(b + 8, k->etext);
	put32(b + 16, k->flags);
	return jd_write_section(w, JD_SEC_KERNEL, b, sizeof(b));
}

/* A string table under construction; offset 0 is always "". */
struct strtab {
	char *buf;
	size_t len, cap;
};

static int strtab_add(struct strtab *s, const char *str, uint32_t *off)
{
	size_t n = strlen(str ? str : "") + 1;

	if (s->len + n > UINT32_MAX)
		return -EFBIG;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + n)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, str ? str : "", n);
	*off = s->len;
	s->len += n;
	return 0;
}

/* Writes @hdr, @n entries of @esize bytes from @ents, then @st. */
static int write_table_section(struct jd_writer *w, uint32_t type,
			       const uint8_t *hdr, size_t hlen,
			       const uint8_t *ents, size_t elen,
			       const struct strtab *st)
{
	int r = jd_section_begin(w, type, 0);

	if (!r)
		r = jd_section_append(w, hdr, hlen);
	if (!r && elen)
		r = jd_section_append(w, ents, elen);
	if (!r && st && st->len)
		r = jd_section_append(w, st->buf, st->len);
	return r ? r : jd_section_end(w);
}

int jd_write_modules(struct jd_writer *w, const struct jd_module *mods,
		     uint32_t n)
{
	struct strtab st = { 0 };
	uint8_t hdr[MODULES_HDR] = { 0 }, *e;
	uint32_t off, bid;
	int r = 0;

	if (w->err)
		return w->err;
	if (n > UINT32_MAX / MODULE_ENTRY)
		return wfail(w, -EFBIG, "jifl.data writer: too many modules");
	e = calloc(n ? n : 1, MODULE_ENTRY);
	if (!e || strtab_add(&st, "", &off)) {
		free(e);
		free(st.buf);
		return wfail(w, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < n && !r; i++) {
		uint8_t *p = e + (size_t)i * MODULE_ENTRY;

		r = strtab_add(&st, mods[i].name, &off);
		put64(p, mods[i].base);
		put64(p + 8, mods[i].size);
		put32(p + 16, off);
		bid = mods[i].build_id.size;
		if (bid > JD_BUILD_ID_MAX)
			bid = JD_BUILD_ID_MAX;
		put32(p + 20, bid);
		memcpy(p + 24, mods[i].build_id.data, bid);
	}
	if (r) {
		free(e);
		free(st.buf);
		return wfail(w, r, "jifl.data writer: module string table too large");
	}
	put32(hdr, n);
	put32(hdr + 4, MODULE_ENTRY);
	put32(hdr + 8, st.len);
	r = write_table_section(w, JD_SEC_MODULES, hdr, sizeof(hdr), e,
				(size_t)n * MODULE_ENTRY, &st);
	free(e);
	free(st.buf);
	return r;
}

static const struct jd_ksym *sort_base;

static int cmp_ksym_idx(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	uint64_t x = sort_base[i].addr, y = sort_base[j].addr;

	if (x != y)
		return x < y ? -1 : 1;
	return i < j ? -1 : i > j;
}

int jd_write_kallsyms(struct jd_writer *w, const struct jd_kallsyms *ks)
{
	struct strtab st = { 0 };
	uint8_t hdr[KALLSYMS_HDR] = { 0 }, *e = NULL;
	uint32_t *idx = NULL, off, mod_off = 0, n = ks->count;
	const char *last_mod = "";
	int r = 0;

	if (w->err)
		return w->err;
	if (n > UINT32_MAX / KSYM_ENTRY)
		return wfail(w, -EFBIG, "jifl.data writer: too many symbols");
	idx = malloc((n ? n : 1) * sizeof(*idx));
	e = calloc(n ? n : 1, KSYM_ENTRY);
	if (!idx || !e || strtab_add(&st, "", &off)) {
		r = wfail(w, -ENOMEM, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	sort_base = ks->syms;
	qsort(idx, n, sizeof(*idx), cmp_ksym_idx);
	for (uint32_t i = 0; i < n && !r; i++) {
		const struct jd_ksym *s = &ks->syms[idx[i]];
		const char *mod = s->module ? s->module : "";
		uint8_t *p = e + (size_t)i * KSYM_ENTRY;

		if (strcmp(mod, last_mod)) {
			if (!*mod)
				mod_off = 0;
			else
				r = strtab_add(&st, mod, &mod_off);
			last_mod = mod;
		}
		if (!r)
			r = strtab_add(&st, s->name, &off);
		put64(p, s->addr);
		put32(p + 8, off);
		put32(p + 12, mod_off);
		p[16] = s->type;
	}
	if (r) {
		r = wfail(w, r, "jifl.data writer: symbol string table too large");
		goto out;
	}
	put32(hdr, n);
	put32(hdr + 4, KSYM_ENTRY);
	put32(hdr + 8, ks->flags);
	put32(hdr + 12, st.len);
	put64(hdr + 16, ks->text);
	put64(hdr + 24, ks->end);
	r = write_table_section(w, JD_SEC_KALLSYMS, hdr, sizeof(hdr), e,
				(size_t)n * KSYM_ENTRY, &st);
out:
	free(idx);
	free(e);
	free(st.buf);
	return r;
}

/* Counts the variable-size records in @data; -1 if malformed. */
static int64_t count_var_records(const uint8_t *data, uint64_t size,
				 bool compact)
{
	uint64_t off = 0;
	int64_t n = 0;

	while (off < size) {
		uint32_t rs;

		if (size - off < JD_REC_HEADER_SIZE)
			return -1;
		rs = get32(data + off);
		if (compact && (rs & JD_REC_COMPACT))
			rs = rs & JD_REC_COMPACT_LONG ? 24 : 16;
		if (rs < JD_REC_HEADER_SIZE || rs % JD_ALIGN || rs > size - off)
			return -1;
		off += rs;
		n++;
	}
	return n;
}

/* Why @c is inconsistent, or NULL. */
static const char *chunk_problem(const struct jd_chunk *c)
{
	if (c->nr_records && c->first_ts > c->last_ts)
		return "first timestamp after last";
	if (c->flags & JD_CHUNK_VARIABLE) {
		int64_t n;

		if (c->record_size)
			return "variable-size records with a record size";
		if (c->counted)
			return NULL;
		n = count_var_records(c->data, c->size,
				      c->record_format == JD_CHUNK_FMT_EVENTS);
		if (n < 0)
			return "malformed variable-size record";
		if ((uint64_t)n != c->nr_records)
			return "record count does not match the records";
		return NULL;
	}
	if (!c->record_size)
		return "fixed-size records of size 0";
	if (c->size % c->record_size ||
	    c->size / c->record_size != c->nr_records)
		return "record count does not match the size";
	return NULL;
}

int jd_write_chunk(struct jd_writer *w, const struct jd_chunk *c)
{
	uint8_t hdr[CHUNK_HDR] = { 0 };
	const char *bad = chunk_problem(c);
	int r;

	if (w->err)
		return w->err;
	if (bad)
		return wfail(w, -EINVAL, "jifl.data writer: chunk for CPU %u: %s",
			     c->cpu, bad);
	put32(hdr, c->cpu);
	put32(hdr + 4, c->flags);
	put32(hdr + 8, c->record_size);
	put32(hdr + 12, c->record_format);
	put64(hdr + 16, c->nr_records);
	put64(hdr + 24, c->first_ts);
	put64(hdr + 32, c->last_ts);
	r = jd_section_begin(w, JD_SEC_CHUNK, 0);
	if (!r)
		r = jd_section_append(w, hdr, sizeof(hdr));
	if (!r && c->size)
		r = jd_section_append(w, c->data, c->size);
	return r ? r : jd_section_end(w);
}

/* Sections that are a count, an entry size and entries. */
static int write_array(struct jd_writer *w, uint32_t type, uint32_t n,
		       uint32_t esize,
		       void (*enc)(uint8_t *p, const void *base, uint32_t i),
		       const void *base)
{
	uint8_t hdr[TABLE_HDR], *e;
	int r;

	if (w->err)
		return w->err;
	if (n > UINT32_MAX / esize)
		return wfail(w, -EFBIG, "jifl.data writer: section '%s' too large",
			     jd_section_name(type));
	e = calloc(n ? n : 1, esize);
	if (!e)
		return wfail(w, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		enc(e + (size_t)i * esize, base, i);
	put32(hdr, n);
	put32(hdr + 4, esize);
	r = write_table_section(w, type, hdr, sizeof(hdr), e,
				(size_t)n * esize, NULL);
	free(e);
	return r;
}

static void enc_block(uint8_t *p, const void *base, uint32_t i)
{
	const struct jd_block *b = (const struct jd_block *)base + i;

	put64(p, b->start);
	put32(p + 8, b->len);
	put32(p + 12, b->func);
	put32(p + 16, b->flags);
}

static void enc_counter(uint8_t *p, const void *base, uint32_t i)
{
	const struct jd_counter *c = (const struct jd_counter *)base + i;

	put32(p, c->block);
	put64(p + 8, c->count);
}

static void enc_lost(uint8_t *p, const void *base, uint32_t i)
{
	const struct jd_lost *l = (const struct jd_lost *)base + i;

	put32(p, l->cpu);
	put64(p + 8, l->lost);
}

int jd_write_blocks(struct jd_writer *w, const struct jd_block *b,
		    uint32_t n)
{
	return write_array(w, JD_SEC_BLOCKS, n, BLOCK_ENTRY, enc_block, b);
}

int jd_write_counters(struct jd_writer *w, const struct jd_counter *c,
		      uint32_t n)
{
	return write_array(w, JD_SEC_COUNTERS, n, COUNTER_ENTRY, enc_counter,
			   c);
}

int jd_write_lost(struct jd_writer *w, const struct jd_lost *l, uint32_t n)
{
	return write_array(w, JD_SEC_LOST, n, LOST_ENTRY, enc_lost, l);
}

int jd_writer_close(struct jd_writer *w, char *why, size_t why_len)
{
	struct header h = { .major = JD_VERSION_MAJOR,
			    .minor = JD_VERSION_MINOR,
			    .header_size = JD_HEADER_SIZE };
	uint8_t hb[JD_HEADER_SIZE], *t = NULL;
	int r;

	/* An unfinished section is dropped: the table does not list it. */
	w->open_section = false;
	if (!w->err && write_pad(w) == 0) {
		t = calloc(w->n ? w->n : 1, JD_SECTION_ENTRY_SIZE);
		if (!t)
			wfail(w, -ENOMEM, "out of memory");
	}
	if (!w->err) {
		for (uint32_t i = 0; i < w->n; i++) {
			uint8_t *p = t + (size_t)i * JD_SECTION_ENTRY_SIZE;

			put32(p, w->tab[i].type);
			put32(p + 4, w->tab[i].flags);
			put64(p + 8, w->tab[i].offset);
			put64(p + 16, w->tab[i].size);
			put32(p + 24, w->tab[i].crc);
		}
		h.flags = JD_F_FINALIZED;
		h.table_offset = w->off;
		h.table_count = w->n;
		h.table_entry_size = JD_SECTION_ENTRY_SIZE;
		h.table_crc = jd_crc32c(0, t, (size_t)w->n * JD_SECTION_ENTRY_SIZE);
		write_full(w, t, (size_t)w->n * JD_SECTION_ENTRY_SIZE);
	}
	if (!w->err) {
		ssize_t n;

		h.file_size = w->off;
		encode_header(hb, &h);
		do
			n = pwrite(w->fd, hb, sizeof(hb), 0);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(hb))
			wfail(w, n < 0 ? -errno : -EIO,
			      "%s: cannot write the header: %s", w->path,
			      strerror(n < 0 ? errno : EIO));
	}
	close_pipe(w);
	if (close(w->fd) && !w->err)
		wfail(w, -errno, "%s: close failed: %s", w->path,
		      strerror(errno));
	r = w->err;
	if (r)
		set_why(why, why_len, "%s", w->why);
	free(t);
	free(w->tab);
	free(w->path);
	free(w);
	return r;
}

/* ---- reader ---------------------------------------------------------------- */

struct rd {
	const uint8_t *b;
	uint64_t len;
	const char *name;	/* for messages */
	char *why;
	size_t why_len;
	struct jd_file *f;
	struct sec_entry *tab;	/* freed by rfail() */
};

static struct jd_file *rfail(struct rd *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct jd_file *rfail(struct rd *r, int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_why(r->why, r->why_len, "%s: %s", r->name, msg);
	free(r->tab);
	r->tab = NULL;
	if (r->f) {
		r->f->map = NULL;	/* the caller unmaps */
		jd_close(r->f);
		r->f = NULL;
	}
	errno = err;
	return NULL;
}

/* Set by the decoders: what is wrong with the section, or NULL. */
typedef const char *(*decode_fn)(struct jd_file *f, const uint8_t *p,
				 uint64_t size);

static const char *dec_uname(struct jd_file *f, const uint8_t *p,
			     uint64_t size)
{
	if (size < UNAME_MIN || p[size - 1] || strlen((const char *)p) != size - 1)
		return "not one NUL-terminated string";
	f->uname = (const char *)p;
	return NULL;
}

/* CMDLINE and RECORDING: @argc strings into a NULL-terminated @argv */
static const char *dec_strings(const uint8_t *p, uint64_t size,
			       const char ***argvp, uint32_t *argcp)
{
	uint64_t off = CMDLINE_HDR;
	const char **argv;
	uint32_t argc;

	if (size < CMDLINE_HDR)
		return "too small";
	argc = get32(p);
	if (argc > size - CMDLINE_HDR)
		return "argument count larger than the section";
	if (argc && p[size - 1])
		return "arguments not NUL-terminated";
	argv = calloc((size_t)argc + 1, sizeof(*argv));
	if (!argv)
		return "out of memory";
	*argvp = argv;	/* freed by jd_close(), also when bad */
	for (uint32_t i = 0; i < argc; i++) {
		if (off >= size)
			return "fewer arguments than counted";
		argv[i] = (const char *)p + off;
		off += strlen(argv[i]) + 1;
	}
	if (off != size)
		return "more arguments than counted";
	*argcp = argc;
	return NULL;
}

static const char *dec_cmdline(struct jd_file *f, const uint8_t *p,
			       uint64_t size)
{
	return dec_strings(p, size, &f->argv, &f->argc);
}

static const char *dec_recording(struct jd_file *f, const uint8_t *p,
				 uint64_t size)
{
	const char *bad = dec_strings(p, size, &f->recording,
				      &f->nr_recording);

	for (uint32_t i = 0; !bad && i < f->nr_recording; i++)
		if (!strchr(f->recording[i], '=') || f->recording[i][0] == '=')
			bad = "an entry that is not key=value";
	return bad;
}

const char *jd_recording_get(const struct jd_file *f, const char *key)
{
	size_t len = strlen(key);

	for (uint32_t i = 0; i < f->nr_recording; i++)
		if (!strncmp(f->recording[i], key, len) &&
		    f->recording[i][len] == '=')
			return f->recording[i] + len + 1;
	return NULL;
}

static const char *dec_cpus(struct jd_file *f, const uint8_t *p,
			    uint64_t size)
{
	if (size < CPUS_SIZE)
		return "too small";
	f->cpus_online = get32(p);
	f->cpus_configured = get32(p + 4);
	if (!f->cpus_online || !f->cpus_configured)
		return "zero CPUs";
	return NULL;
}

static const char *dec_clock(struct jd_file *f, const uint8_t *p,
			     uint64_t size)
{
	if (size < CLOCK_SIZE)
		return "too small";
	f->clock.clockid = get32(p);
	f->clock.freq_hz = get64(p + 8);
	f->clock.ref_ns = get64(p + 16);
	f->clock.ref_realtime_ns = get64(p + 24);
	if (!f->clock.freq_hz)
		return "clock frequency 0";
	return NULL;
}

static const char *dec_build_id_at(struct jd_build_id *id, const uint8_t *p)
{
	id->size = get32(p);
	if (id->size > JD_BUILD_ID_MAX)
		return "build-id longer than 40 bytes";
	memcpy(id->data, p + 8, id->size);
	return NULL;
}

static const char *dec_build_id(struct jd_file *f, const uint8_t *p,
				uint64_t size)
{
	if (size < BUILD_ID_SIZE)
		return "too small";
	return dec_build_id_at(&f->build_id, p);
}

static const char *dec_kernel(struct jd_file *f, const uint8_t *p,
			      uint64_t size)
{
	if (size < KERNEL_SIZE)
		return "too small";
	f->kernel.text = get64(p);
	f->kernel.etext = get64(p + 8);
	f->kernel.flags = get32(p + 16);
	if (f->kernel.etext < f->kernel.text)
		return "_etext below _text";
	return NULL;
}

/*
 * Checks a section of @hsize header bytes, @n entries of @esize (at least
 * @emin) bytes and @strsize string-table bytes.
 */
static const char *check_table(uint64_t size, uint64_t hsize, uint32_t n,
			       uint32_t esize, uint32_t emin, uint64_t strsize,
			       const uint8_t *strtab_end)
{
	if (esize < emin)
		return "entries smaller than this format version's";
	if (esize % 4)
		return "entry size not a multiple of 4";
	if (size < hsize || (size - hsize) / esize < n)
		return "entry count larger than the section";
	if (hsize + (uint64_t)n * esize + strsize != size)
		return "counts do not match the section size";
	if (strsize && strtab_end[-1])
		return "string table not NUL-terminated";
	return NULL;
}

static const char *dec_modules(struct jd_file *f, const uint8_t *p,
			       uint64_t size)
{
	uint32_t n, esize, ssize;
	const char *strtab, *bad;

	if (size < MODULES_HDR)
		return "too small";
	n = get32(p);
	esize = get32(p + 4);
	ssize = get32(p + 8);
	bad = check_table(size, MODULES_HDR, n, esize, MODULE_ENTRY, ssize,
			  p + size);
	if (bad)
		return bad;
	strtab = (const char *)p + MODULES_HDR + (uint64_t)n * esize;
	f->modules = calloc(n ? n : 1, sizeof(*f->modules));
	if (!f->modules)
		return "out of memory";
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + MODULES_HDR + (uint64_t)i * esize;
		struct jd_module *m = &f->modules[i];
		uint32_t off = get32(e + 16);

		if (off >= ssize)
			return "module name outside the string table";
		m->name = strtab + off;
		m->base = get64(e);
		m->size = get64(e + 8);
		m->build_id.size = get32(e + 20);
		if (m->build_id.size > JD_BUILD_ID_MAX)
			return "build-id longer than 40 bytes";
		memcpy(m->build_id.data, e + 24, m->build_id.size);
	}
	f->nr_modules = n;
	return NULL;
}

static const char *dec_kallsyms(struct jd_file *f, const uint8_t *p,
				uint64_t size)
{
	struct jd_kallsyms *ks = &f->kallsyms;
	uint32_t n, esize, ssize;
	const char *strtab, *bad;

	if (size < KALLSYMS_HDR)
		return "too small";
	n = get32(p);
	esize = get32(p + 4);
	ssize = get32(p + 12);
	bad = check_table(size, KALLSYMS_HDR, n, esize, KSYM_ENTRY, ssize,
			  p + size);
	if (bad)
		return bad;
	if (n && !ssize)
		return "symbols without a string table";
	strtab = (const char *)p + KALLSYMS_HDR + (uint64_t)n * esize;
	ks->syms = calloc(n ? n : 1, sizeof(*ks->syms));
	if (!ks->syms)
		return "out of memory";
	ks->flags = get32(p + 8);
	ks->text = get64(p + 16);
	ks->end = get64(p + 24);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + KALLSYMS_HDR + (uint64_t)i * esize;
		struct jd_ksym *s = &ks->syms[i];
		uint32_t name = get32(e + 8), mod = get32(e + 12);

		if (name >= ssize || mod >= ssize)
			return "symbol name outside the string table";
		s->addr = get64(e);
		s->name = strtab + name;
		s->module = strtab + mod;
		s->type = e[16];
		if (i && s->addr < ks->syms[i - 1].addr)
			return "symbols not sorted by address";
	}
	ks->count = n;
	return NULL;
}

static const char *dec_chunk(struct jd_file *f, const uint8_t *p,
			     uint64_t size)
{
	struct jd_chunk c;
	const char *bad;

	if (size < CHUNK_HDR)
		return "too small";
	memset(&c, 0, sizeof(c));	/* ->counted false: the records are counted */
	c.cpu = get32(p);
	c.flags = get32(p + 4);
	c.record_size = get32(p + 8);
	c.record_format = get32(p + 12);
	c.nr_records = get64(p + 16);
	c.first_ts = get64(p + 24);
	c.last_ts = get64(p + 32);
	c.data = p + CHUNK_HDR;
	c.size = size - CHUNK_HDR;
	bad = chunk_problem(&c);
	if (bad)
		return bad;
	f->chunks[f->nr_chunks++] = c;	/* sized by parse() */
	return NULL;
}

/*
 * An array section: a count and an entry size (at least @emin, larger for
 * entries of a later minor version), then the entries, each decoded by
 * @one into a new array of @elem-byte elements, which is returned with
 * its length in *@nr; NULL and the problem in *@bad when it is not valid.
 */
static void *dec_array(const uint8_t *p, uint64_t size, uint32_t emin,
		       size_t elem, void (*one)(void *dst, const uint8_t *e),
		       uint32_t *nr, const char **bad)
{
	uint32_t n, es;
	uint8_t *a;

	*bad = size < TABLE_HDR ? "too small" : NULL;
	if (*bad)
		return NULL;
	n = get32(p);
	es = get32(p + 4);
	*bad = check_table(size, TABLE_HDR, n, es, emin, 0, NULL);
	if (*bad)
		return NULL;
	a = calloc(n ? n : 1, elem);
	if (!a) {
		*bad = "out of memory";
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		one(a + (size_t)i * elem, p + TABLE_HDR + (uint64_t)i * es);
	*nr = n;
	return a;
}

static void dec_block(void *dst, const uint8_t *e)
{
	*(struct jd_block *)dst = (struct jd_block){ get64(e), get32(e + 8),
						     get32(e + 12),
						     get32(e + 16) };
}

static void dec_counter(void *dst, const uint8_t *e)
{
	*(struct jd_counter *)dst = (struct jd_counter){ get32(e),
							 get64(e + 8) };
}

static void dec_lost_one(void *dst, const uint8_t *e)
{
	*(struct jd_lost *)dst = (struct jd_lost){ get32(e), get64(e + 8) };
}

static const char *dec_blocks(struct jd_file *f, const uint8_t *p,
			      uint64_t size)
{
	const char *bad;

	f->blocks = dec_array(p, size, BLOCK_ENTRY, sizeof(*f->blocks),
			      dec_block, &f->nr_blocks, &bad);
	return bad;
}

static const char *dec_counters(struct jd_file *f, const uint8_t *p,
				uint64_t size)
{
	const char *bad;

	f->counters = dec_array(p, size, COUNTER_ENTRY, sizeof(*f->counters),
				dec_counter, &f->nr_counters, &bad);
	return bad;
}

static const char *dec_lost(struct jd_file *f, const uint8_t *p,
			    uint64_t size)
{
	const char *bad;

	f->lost = dec_array(p, size, LOST_ENTRY, sizeof(*f->lost),
			    dec_lost_one, &f->nr_lost, &bad);
	return bad;
}

static const decode_fn decoders[JD_SEC__MAX] = {
	[JD_SEC_UNAME] = dec_uname,	[JD_SEC_CMDLINE] = dec_cmdline,
	[JD_SEC_CPUS] = dec_cpus,	[JD_SEC_CLOCK] = dec_clock,
	[JD_SEC_BUILD_ID] = dec_build_id, [JD_SEC_KERNEL] = dec_kernel,
	[JD_SEC_MODULES] = dec_modules,	[JD_SEC_KALLSYMS] = dec_kallsyms,
	[JD_SEC_CHUNK] = dec_chunk,	[JD_SEC_BLOCKS] = dec_blocks,
	[JD_SEC_COUNTERS] = dec_counters, [JD_SEC_LOST] = dec_lost,
	[JD_SEC_RECORDING] = dec_recording,
};

static int cmp_sec_offset(const void *a, const void *b)
{
	const struct sec_entry *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Checks between sections, once all are decoded; a message or NULL. */
static const char *cross_check(const struct jd_file *f, const char **sec)
{
	bool cpus = f->present & (1U << JD_SEC_CPUS);

	*sec = "counters";
	if (f->nr_counters && !(f->present & (1U << JD_SEC_BLOCKS)))
		return "counters without a block table";
	for (uint32_t i = 0; i < f->nr_counters; i++)
		if (f->counters[i].block >= f->nr_blocks)
			return "block index out of range";
	*sec = "blocks";
	if (f->present & (1U << JD_SEC_KALLSYMS))
		for (uint32_t i = 0; i < f->nr_blocks; i++)
			if (f->blocks[i].func != JD_NO_FUNC &&
			    f->blocks[i].func >= f->kallsyms.count)
				return "function index out of range";
	*sec = "chunk";
	for (uint32_t i = 0; cpus && i < f->nr_chunks; i++)
		if (f->chunks[i].cpu >= f->cpus_configured)
			return "CPU number out of range";
	*sec = "lost";
	for (uint32_t i = 0; cpus && i < f->nr_lost; i++)
		if (f->lost[i].cpu >= f->cpus_configured)
			return "CPU number out of range";
	return NULL;
}

/* JD_SEC_DUMP: a NUL-padded plugin name, then whole records */
static const char *parse_dump(struct jd_file *f, const uint8_t *p,
			      uint64_t size)
{
	struct jd_dump *d = &f->dumps[f->nr_dumps];
	uint64_t off;

	if (size < JD_DUMP_NAME_SIZE)
		return "shorter than its plugin name";
	if (!memchr(p, 0, JD_DUMP_NAME_SIZE) || !p[0])
		return "no NUL-terminated plugin name";
	d->name = (const char *)p;
	d->data = p + JD_DUMP_NAME_SIZE;
	d->size = size - JD_DUMP_NAME_SIZE;
	for (off = 0; off < d->size; off += get32(p + JD_DUMP_NAME_SIZE + off)) {
		uint32_t rs;

		if (d->size - off < JD_REC_HEADER_SIZE)
			return "a record header is cut short";
		rs = get32(p + JD_DUMP_NAME_SIZE + off);
		if (rs < JD_REC_HEADER_SIZE || rs % JD_ALIGN ||
		    rs > d->size - off)
			return "a record's size is not a multiple of 8 within the section";
	}
	f->nr_dumps++;
	return NULL;
}

static struct jd_file *parse(struct rd *r)
{
	const uint8_t *b = r->b;
	uint64_t len = r->len;
	struct header h;
	struct sec_entry *tab;
	struct jd_file *f;
	uint8_t hcopy[JD_HEADER_SIZE];
	const char *bad, *sec;
	uint32_t nr_chunks = 0, nr_dumps = 0;
	uint64_t max_n;

	if (memcmp(b, JD_MAGIC, len < 8 ? len : 8))
		return rfail(r, EINVAL, "not a jifl.data file (no JIFLDATA magic)");
	if (len < 12)
		return rfail(r, EINVAL,
			     "truncated at byte %llu (expected at least %d): the recording was interrupted?",
			     (unsigned long long)len, JD_HEADER_SIZE);
	h.major = get16(b + 8);
	h.minor = get16(b + 10);
	if (h.major < JD_VERSION_MAJOR_MIN || h.major > JD_VERSION_MAJOR)
		return rfail(r, EPROTONOSUPPORT,
			     "unsupported format version %u.%u (this jifl reads %d.x to %d.x): %s",
			     h.major, h.minor, JD_VERSION_MAJOR_MIN,
			     JD_VERSION_MAJOR,
			     h.major > JD_VERSION_MAJOR ? "upgrade jifl" :
			     "not a file any jifl wrote, or corrupt");
	if (len < JD_HEADER_SIZE)
		return rfail(r, EINVAL,
			     "truncated at byte %llu (expected at least %d): the recording was interrupted?",
			     (unsigned long long)len, JD_HEADER_SIZE);
	h.header_size = get32(b + 12);
	h.flags = get64(b + 16);
	h.table_offset = get64(b + 24);
	h.table_count = get32(b + 32);
	h.table_entry_size = get32(b + 36);
	h.file_size = get64(b + 40);
	h.table_crc = get32(b + 48);
	h.header_crc = get32(b + 52);
	if (h.header_size < JD_HEADER_SIZE || h.header_size % JD_ALIGN)
		return rfail(r, EINVAL, "corrupt header: header size %u",
			     h.header_size);
	/* A newer minor version may extend the header; the CRC covers it. */
	if (len < h.header_size)
		return rfail(r, EINVAL,
			     "truncated at byte %llu (expected at least %u): the recording was interrupted?",
			     (unsigned long long)len, h.header_size);
	memcpy(hcopy, b, JD_HEADER_SIZE);
	memset(hcopy + 52, 0, 4);
	if (jd_crc32c(jd_crc32c(0, hcopy, JD_HEADER_SIZE), b + JD_HEADER_SIZE,
		      h.header_size - JD_HEADER_SIZE) != h.header_crc)
		return rfail(r, EINVAL, "corrupt header: checksum mismatch");
	if (!(h.flags & JD_F_FINALIZED))
		return rfail(r, EINVAL,
			     "not finalized (%llu bytes, no section table): the recording was killed before it could finish; record again",
			     (unsigned long long)len);
	if (len < h.file_size)
		return rfail(r, EINVAL,
			     "truncated at byte %llu (expected %llu): the recording was interrupted?",
			     (unsigned long long)len,
			     (unsigned long long)h.file_size);
	if (len > h.file_size)
		return rfail(r, EINVAL,
			     "%llu bytes after the end of the data (%llu bytes): corrupt, or not a jifl.data file",
			     (unsigned long long)(len - h.file_size),
			     (unsigned long long)h.file_size);
	if (h.table_entry_size < JD_SECTION_ENTRY_SIZE ||
	    h.table_entry_size % JD_ALIGN)
		return rfail(r, EINVAL, "corrupt section table: entry size %u",
			     h.table_entry_size);
	if (h.table_offset % JD_ALIGN || h.table_offset < h.header_size ||
	    h.table_offset > len)
		return rfail(r, EINVAL,
			     "corrupt section table: offset %llu outside the file",
			     (unsigned long long)h.table_offset);
	max_n = (len - h.table_offset) / h.table_entry_size;
	if (h.table_count > max_n)
		return rfail(r, EINVAL,
			     "corrupt section table: %u entries do not fit in the file",
			     h.table_count);
	if (jd_crc32c(0, b + h.table_offset,
		      (size_t)h.table_count * h.table_entry_size) != h.table_crc)
		return rfail(r, EINVAL, "corrupt section table: checksum mismatch");

	f = r->f = calloc(1, sizeof(*f));
	/* the table in file order, then sorted by offset */
	tab = r->tab = calloc(h.table_count ? 2 * (size_t)h.table_count : 1,
			      sizeof(*tab));
	if (!f || !tab)
		return rfail(r, ENOMEM, "out of memory");
	f->major = h.major;
	f->minor = h.minor;
	f->flags = h.flags;
	f->file_size = h.file_size;
	f->nr_sections = h.table_count;
	for (uint32_t i = 0; i < h.table_count; i++) {
		const uint8_t *e = b + h.table_offset +
				   (uint64_t)i * h.table_entry_size;
		struct sec_entry *s = &tab[i];
		const char *name;

		s->type = get32(e);
		s->flags = get32(e + 4);
		s->offset = get64(e + 8);
		s->size = get64(e + 16);
		s->crc = get32(e + 24);
		name = jd_section_name(s->type);
		if (s->offset % JD_ALIGN || s->offset < h.header_size ||
		    s->offset > h.table_offset ||
		    s->size > h.table_offset - s->offset)
			return rfail(r, EINVAL,
				     "corrupt section table: section %u (%s) at %llu+%llu lies outside the data area",
				     i, name ? name : "unknown",
				     (unsigned long long)s->offset,
				     (unsigned long long)s->size);
		if (name && s->type != JD_SEC_CHUNK &&
		    (f->present & (1U << s->type)))
			return rfail(r, EINVAL,
				     "corrupt section table: section '%s' twice",
				     name);
		if (name)
			f->present |= 1U << s->type;
		if (s->type == JD_SEC_CHUNK)
			nr_chunks++;
		if (s->type == JD_SEC_DUMP)
			nr_dumps++;
	}
	/* No overlaps, so that the checksums below read each byte once. */
	memcpy(tab + h.table_count, tab, h.table_count * sizeof(*tab));
	qsort(tab + h.table_count, h.table_count, sizeof(*tab),
	      cmp_sec_offset);
	for (uint32_t i = h.table_count + 1; i < 2 * h.table_count; i++)
		if (tab[i].offset < tab[i - 1].offset + tab[i - 1].size)
			return rfail(r, EINVAL,
				     "corrupt section table: sections overlap at byte %llu",
				     (unsigned long long)tab[i].offset);
	for (uint32_t i = 0; i < h.table_count; i++) {
		const struct sec_entry *s = &tab[i];
		const char *name = jd_section_name(s->type);

		if (jd_crc32c(0, b + s->offset, s->size) == s->crc)
			continue;
		if (name)
			return rfail(r, EINVAL,
				     "corrupt section '%s': checksum mismatch",
				     name);
		return rfail(r, EINVAL,
			     "corrupt section of type %u: checksum mismatch",
			     s->type);
	}
	f->chunks = calloc(nr_chunks ? nr_chunks : 1, sizeof(*f->chunks));
	if (!f->chunks)
		return rfail(r, ENOMEM, "out of memory");
	f->dumps = calloc(nr_dumps ? nr_dumps : 1, sizeof(*f->dumps));
	if (!f->dumps)
		return rfail(r, ENOMEM, "out of memory");
	/* Decode in file order so that chunks keep their order. */
	for (uint32_t i = 0; i < h.table_count; i++) {
		const struct sec_entry *s = &tab[i];

		if (s->type == JD_SEC_DUMP) {
			bad = parse_dump(f, b + s->offset, s->size);
			if (bad)
				return rfail(r, EINVAL,
					     "corrupt plugin dump section %u: %s",
					     f->nr_dumps, bad);
			continue;
		}
		if (s->type >= JD_SEC__MAX || !decoders[s->type]) {
			f->nr_unknown++;
			continue;
		}
		bad = decoders[s->type](f, b + s->offset, s->size);
		if (bad)
			return rfail(r, EINVAL, "corrupt section '%s': %s",
				     jd_section_name(s->type), bad);
	}
	free(tab);
	r->tab = NULL;
	bad = cross_check(f, &sec);
	if (bad)
		return rfail(r, EINVAL, "corrupt section '%s': %s", sec, bad);
	r->f = NULL;
	return f;
}

struct jd_file *jd_open_mem(const void *buf, size_t len, char *why,
			    size_t why_len)
{
	struct rd r = { buf, len, "jifl.data", why, why_len, NULL, NULL };

	return parse(&r);
}

struct jd_file *jd_open(const char *path, char *why, size_t why_len)
{
	struct rd r = { NULL, 0, path, why, why_len, NULL, NULL };
	struct jd_file *f;
	struct stat st;
	void *map;
	int fd, e;

	memset(&st, 0, sizeof(st));
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		set_why(why, why_len, "%s: %s%s", path, strerror(e),
			e == ENOENT ? " (record one with `jifl record`, or name it with -i)" : "");
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		e = errno;
		if (!e || !S_ISREG(st.st_mode))
			e = EINVAL;
		close(fd);
		set_why(why, why_len, "%s: not a regular file", path);
		errno = e;
		return NULL;
	}
	if (st.st_size == 0) {
		close(fd);
		r.b = (const uint8_t *)"";
		return parse(&r);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		set_why(why, why_len, "%s: too large to map", path);
		errno = EFBIG;
		return NULL;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	e = errno;
	close(fd);
	if (map == MAP_FAILED) {
		set_why(why, why_len, "%s: cannot map: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	r.b = map;
	r.len = st.st_size;
	f = parse(&r);
	if (!f) {
		e = errno;
		munmap(map, st.st_size);
		errno = e;
		return NULL;
	}
	f->map = map;
	f->map_len = st.st_size;
	return f;
}

const struct jd_dump *jd_find_dump(const struct jd_file *f, const char *name)
{
	for (uint32_t i = 0; i < f->nr_dumps; i++)
		if (!strcmp(f->dumps[i].name, name))
			return &f->dumps[i];
	return NULL;
}

int jd_sysstat(const struct jd_file *f, struct jd_sysstat *ss, char *why,
	       size_t why_len)
{
	const struct jd_dump *d = jd_find_dump(f, "sysstat");
	const uint8_t *p;
	uint64_t off;
	bool sum = false;
	uint32_t n = 0;

	memset(ss, 0, sizeof(*ss));
	if (!d)
		return -ENOENT;
	p = d->data;
	/* framing was checked by parse_dump() */
	for (off = 0; off < d->size; off += get32(p + off))
		n += get32(p + off + 4) == JD_DUMP_SYSSTAT_FUNC;
	ss->funcs = calloc(n ? n : 1, sizeof(*ss->funcs));
	if (!ss->funcs)
		return -ENOMEM;
	for (off = 0; off < d->size; off += get32(p + off)) {
		const uint8_t *r = p + off;
		uint32_t size = get32(r), type = get32(r + 4);
		struct jd_sysstat_func *fn;

		if (type != JD_DUMP_SYSSTAT_FUNC && type != JD_DUMP_SYSSTAT_SUM)
			continue;
		if (sum) {
			set_why(why, why_len, "corrupt sysstat dump: a record after the sum record (at byte %llu)",
				(unsigned long long)off);
			goto bad;
		}
		if (type == JD_DUMP_SYSSTAT_SUM) {
			if (size < JD_DUMP_SYSSTAT_SUM_SIZE) {
				set_why(why, why_len, "corrupt sysstat dump: sum record of %u bytes, want %u",
					size, JD_DUMP_SYSSTAT_SUM_SIZE);
				goto bad;
			}
			ss->blocks = get64(r + 8);
			ss->insns = get64(r + 16);
			ss->unattr_blocks = get64(r + 24);
			ss->unattr_insns = get64(r + 32);
			ss->unfinished = get64(r + 40);
			ss->untracked = get64(r + 48);
			ss->func_overflow = get64(r + 56);
			ss->switches = get64(r + 64);
			sum = true;
			continue;
		}
		if (size < JD_DUMP_SYSSTAT_FUNC_SIZE) {
			set_why(why, why_len, "corrupt sysstat dump: function record of %u bytes, want %u (at byte %llu)",
				size, JD_DUMP_SYSSTAT_FUNC_SIZE,
				(unsigned long long)off);
			goto bad;
		}
		fn = &ss->funcs[ss->nr_funcs++];
		fn->func = get64(r + 8);
		fn->calls = get64(r + 16);
		fn->blocks = get64(r + 24);
		fn->insns = get64(r + 32);
	}
	if (!sum) {
		set_why(why, why_len, "corrupt sysstat dump: no sum record");
		goto bad;
	}
	return 0;
bad:
	free(ss->funcs);
	memset(ss, 0, sizeof(*ss));
	return -EINVAL;
}

void jd_close(struct jd_file *f)
{
	if (!f)
		return;
	if (f->map)
		munmap(f->map, f->map_len);
	free(f->argv);
	free(f->recording);
	free(f->modules);
	free(f->kallsyms.syms);
	free(f->chunks);
	free(f->blocks);
	free(f->counters);
	free(f->lost);
	free(f->dumps);
	free(f);
}

const struct jd_ksym *jd_ksym_lookup(const struct jd_kallsyms *ks,
				     uint64_t addr, uint64_t *offset)
{
	uint32_t lo = 0, hi = ks->count;
	const struct jd_ksym *s;

	if ((ks->flags & JD_KF_ADDRS_HIDDEN) || !ks->count ||
	    addr < ks->syms[0].addr || addr >= ks->end)
		return NULL;
	/* the first index whose address is above @addr */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	s = &ks->syms[lo - 1];
	while (s > ks->syms && s[-1].addr == s->addr)
		s--;
	if (offset)
		*offset = addr - s->addr;
	return s;
}
