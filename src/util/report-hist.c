// SPDX-License-Identifier: GPL-2.0
/*
 * The `jifl report` histogram: grouping, ordering and output; see
 * report-hist.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/report-hist.h"
#include "util/json-write.h"
#include "util/csv-write.h"

const char *const report_key_names[] = {
	[REPORT_KEY_SYM] = "sym",
	[REPORT_KEY_BLOCK] = "block",
	[REPORT_KEY_MODULE] = "module",
	[REPORT_KEY_SRCLINE] = "srcline",
	[REPORT_KEY_SRCFILE] = "srcfile",
	[REPORT_KEY_SYSCALL] = "syscall",
	[REPORT_KEY_COMM] = "comm",
	[REPORT_KEY_PID] = "pid",
};

bool report_key_is_source(enum report_key k)
{
	return k == REPORT_KEY_SRCLINE || k == REPORT_KEY_SRCFILE;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* NULL sorts last */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

/* Grouping order under one key: equal entries compare 0; unknown last. */
static int cmp_one(const struct report_entry *a, const struct report_entry *b,
		   enum report_key key)
{
	int c;

	switch (key) {
	case REPORT_KEY_BLOCK:
		c = cmp_u64(a->addr, b->addr);
		return c ? c : cmp_u64(a->len, b->len);
	case REPORT_KEY_SRCLINE:
	case REPORT_KEY_SRCFILE:
		/* no source position: each block its own entry (fallback) */
		if (!a->sym.srcfile && !b->sym.srcfile)
			return cmp_u64(a->addr, b->addr);
		c = cmp_str(a->sym.srcfile, b->sym.srcfile);
		if (c || key == REPORT_KEY_SRCFILE)
			return c;
		return cmp_u64(a->sym.srcline, b->sym.srcline);
	default:
		break;
	}
	if (a->known != b->known)
		return a->known ? -1 : 1;
	if (!a->known)
		return 0;
	if (key == REPORT_KEY_MODULE)
		return strcmp(a->sym.module, b->sym.module);
	c = cmp_u64(a->sym.start, b->sym.start);
	if (!c)
		c = strcmp(a->sym.name, b->sym.name);
	if (!c)
		c = strcmp(a->sym.module, b->sym.module);
	return c;
}

static const enum report_key *qsort_keys;
static unsigned int qsort_nkeys;

static int cmp_key(const struct report_entry *a, const struct report_entry *b)
{
	unsigned int i;
	int c;

	for (i = 0; i < qsort_nkeys; i++) {
		c = cmp_one(a, b, qsort_keys[i]);
		if (c)
			return c;
	}
	return 0;
}

static enum report_order qsort_order;

static uint64_t metric(const struct report_entry *e, enum report_order o)
{
	return o == REPORT_BY_INSNS ? e->bytes : e->count;
}

/* Output order: hottest first; ties by the other metric, then the key. */
static int cmp_hot(const void *pa, const void *pb)
{
	const struct report_entry *a = pa, *b = pb;
	enum report_order other = qsort_order == REPORT_BY_COUNT ?
				  REPORT_BY_INSNS : REPORT_BY_COUNT;
	int c = cmp_u64(metric(b, qsort_order), metric(a, qsort_order));

	if (!c)
		c = cmp_u64(metric(b, other), metric(a, other));
	return c ? c : cmp_key(a, b);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* A hash consistent with cmp_key(): equal entries hash equal. */
static uint64_t entry_hash(const struct report_hist *h,
			   const struct report_entry *e)
{
	uint64_t x = 0;
	unsigned int i;

	for (i = 0; i < h->nr_keys; i++) {
		switch (h->keys[i]) {
		case REPORT_KEY_BLOCK:
			x = mix(x, e->addr);
			x = mix(x, e->len);
			break;
		case REPORT_KEY_SRCLINE:
		case REPORT_KEY_SRCFILE:
			if (!e->sym.srcfile) {	/* the per-block fallback */
				x = mix(x, e->addr);
				break;
			}
			if (h->keys[i] == REPORT_KEY_SRCLINE)
				x = mix(x, e->sym.srcline);
			x = mix(x, str_hash(e->sym.srcfile));
			break;
		case REPORT_KEY_MODULE:
			x = mix(x, e->known ? str_hash(e->sym.module) : 1);
			break;
		default:
			x = mix(x, e->known ? e->sym.start : 1);
			break;
		}
	}
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

struct group_table {
	uint32_t *slot;		/* entry index + 1; 0: empty */
	size_t cap;		/* power of two */
};

static int table_grow(struct group_table *t, const struct report_hist *h)
{
	size_t cap = t->cap ? 2 * t->cap : 1024, i;
	uint32_t *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < h->n; i++) {
		size_t k = entry_hash(h, &h->e[i]) & (cap - 1);

		while (n[k])
			k = (k + 1) & (cap - 1);
		n[k] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = n;
	t->cap = cap;
	return 0;
}

int report_hist_build(struct report_hist *h, const struct jd_file *f,
		      struct report_resolver *res, const enum report_key *keys,
		      unsigned int nr_keys, enum report_order order)
{
	struct group_table t = { NULL, 0 };
	struct report_entry e;
	uint64_t *counts;
	size_t i, cap = 0;
	int ret = -ENOMEM;

	memset(h, 0, sizeof(*h));
	if (nr_keys > REPORT_MAX_KEYS)
		nr_keys = REPORT_MAX_KEYS;
	memcpy(h->keys, keys, nr_keys * sizeof(*keys));
	h->nr_keys = nr_keys;
	h->key = keys[0];
	h->order = order;
	h->nr_blocks = f->nr_blocks;
	qsort_keys = h->keys;
	qsort_nkeys = h->nr_keys;
	qsort_order = order;
	counts = calloc(f->nr_blocks ? f->nr_blocks : 1, sizeof(*counts));
	if (!counts)
		return -ENOMEM;
	for (i = 0; i < f->nr_counters; i++)
		if (f->counters[i].block < f->nr_blocks)	/* checked by jd_open */
			counts[f->counters[i].block] =
				sat_add(counts[f->counters[i].block],
					f->counters[i].count);

	/*
	 * Executed blocks, resolved and merged into their group (a hash of
	 * the keys): memory follows the number of groups, not of blocks.
	 */
	for (i = 0; i < f->nr_blocks; i++) {
		const struct jd_block *b = &f->blocks[i];
		size_t k;

		if (!counts[i])
			continue;
		memset(&e, 0, sizeof(e));
		e.known = report_resolve(res, b->start, &e.sym);
		e.count = counts[i];
		e.bytes = sat_mul(counts[i], b->len);
		e.nr_blocks = 1;
		e.addr = b->start;
		e.len = b->len;
		h->nr_executed++;
		h->nr_unknown += !e.known;
		h->total_count = sat_add(h->total_count, e.count);
		h->total_bytes = sat_add(h->total_bytes, e.bytes);

		if (2 * (h->n + 1) > t.cap && table_grow(&t, h))
			goto out;
		k = entry_hash(h, &e) & (t.cap - 1);
		while (t.slot[k] && cmp_key(&h->e[t.slot[k] - 1], &e))
			k = (k + 1) & (t.cap - 1);
		if (t.slot[k]) {
			struct report_entry *m = &h->e[t.slot[k] - 1];

			m->count = sat_add(m->count, e.count);
			m->bytes = sat_add(m->bytes, e.bytes);
			m->nr_blocks++;
			if (e.addr < m->addr) {	/* the first block shows */
				m->addr = e.addr;
				m->len = e.len;
				m->known = e.known;
				m->sym = e.sym;
			}
			continue;
		}
		if (GROW(h->e, cap, h->n + 1, 1024))
			goto out;
		h->e[h->n] = e;
		t.slot[k] = (uint32_t)++h->n;
	}
	if (h->n)
		qsort(h->e, h->n, sizeof(*h->e), cmp_hot);
	ret = 0;
out:
	qsort_keys = NULL;
	free(t.slot);
	free(counts);
	if (ret) {
		free(h->e);
		h->e = NULL;
		h->n = 0;
	}
	return ret;
}

void report_hist_free(struct report_hist *h)
{
	free(h->e);
	h->e = NULL;
	h->n = 0;
}

double report_entry_percent(const struct report_hist *h,
			    const struct report_entry *e)
{
	uint64_t total = h->order == REPORT_BY_INSNS ? h->total_bytes :
						       h->total_count;

	return total ? 100.0 * (double)metric(e, h->order) / (double)total :
		       0.0;
}

/* ---- output -------------------------------------------------------------- */

enum col {
	COL_PCT,
	COL_COUNT,
	COL_BYTES,
	COL_LEN,
	COL_ADDR,
	COL_NAME,	/* COL_NAME + i: the name under keys[i]; last */
	COL__MAX = COL_NAME + REPORT_MAX_KEYS
};

static const char *const col_title[COL_NAME] = {
	"Overhead", "Executions", "Bytes", "Length", "Address"
};

static const char *name_title(enum report_key key)
{
	switch (key) {
	case REPORT_KEY_SYM:
		return "Symbol";
	case REPORT_KEY_BLOCK:
		return "Block";
	case REPORT_KEY_MODULE:
		return "Module";
	case REPORT_KEY_SRCLINE:
		return "Source:Line";
	case REPORT_KEY_SRCFILE:
		return "Source file";
	default:
		return report_key_names[key];
	}
}

static const char *col_name(const struct report_hist *h, enum col c)
{
	return c >= COL_NAME ? name_title(h->keys[c - COL_NAME]) :
			       col_title[c];
}

/* The module as perf shows it: "[kernel.kallsyms]" or "[ext4]". */
static void fmt_module(char *buf, size_t len, const struct report_entry *e)
{
	if (!e->known)
		snprintf(buf, len, "[unknown]");
	else if (!e->sym.module[0])
		snprintf(buf, len, "[kernel.kallsyms]");
	else
		snprintf(buf, len, "[%s]", e->sym.module);
}

/*
 * A block without a source position, under a source key: its
 * function+offset from the recorded symbols, marked, such as
 * "tcp_v4_rcv+0x1a [no debuginfo]" or "0xffffffff81000010 [no symbol]".
 */
static void fmt_src_fallback(char *buf, size_t len,
			     const struct report_entry *e)
{
	if (!e->known)
		snprintf(buf, len, "0x%016" PRIx64 " [no symbol]", e->addr);
	else if (e->sym.module[0])
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s] [%s]", e->sym.name,
			 e->sym.offset, e->sym.module,
			 e->sym.no_src ? e->sym.no_src : "no debuginfo");
	else
		snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", e->sym.name,
			 e->sym.offset,
			 e->sym.no_src ? e->sym.no_src : "no debuginfo");
}

/* " <- f (file:line) <- g (file:line)": the inline chain of a block */
static void fmt_inline(char *buf, size_t len, const struct report_entry *e)
{
	size_t used = strlen(buf);
	unsigned int i;

	for (i = 0; i < e->sym.nr_inline && used + 1 < len; i++) {
		const struct sym_inline *in = &e->sym.inl[i];
		int n = snprintf(buf + used, len - used,
				 "%s%s inlined at %s:%u", i ? "," : " (",
				 in->func ? in->func : "?",
				 in->call_file ? in->call_file : "??",
				 in->call_line);

		used += n > 0 ? (size_t)n : 0;
	}
	if (e->sym.nr_inline && used + 2 < len)
		strcat(buf, ")");
}

/* Symbol, block, module or source position as the text output shows it. */
static void fmt_name(char *buf, size_t len, const struct report_hist *h,
		     const struct report_entry *e, enum report_key key)
{
	const char *mod = e->known ? e->sym.module : "";
	const char *sep = mod[0] ? " [" : "", *end = mod[0] ? "]" : "";

	(void)h;
	switch (key) {
	case REPORT_KEY_MODULE:
		fmt_module(buf, len, e);
		return;
	case REPORT_KEY_SRCLINE:
		if (e->sym.srcfile)
			snprintf(buf, len, "%s:%u", e->sym.srcfile, e->sym.srcline);
		else
			fmt_src_fallback(buf, len, e);
		return;
	case REPORT_KEY_SRCFILE:
		if (e->sym.srcfile)
			snprintf(buf, len, "%s", e->sym.srcfile);
		else
			fmt_src_fallback(buf, len, e);
		return;
	default:
		break;
	}
	if (!e->known)
		snprintf(buf, len, "[unknown]");
	else if (key == REPORT_KEY_BLOCK)
		snprintf(buf, len, "%s+0x%" PRIx64 "%s%s%s", e->sym.name,
			 e->sym.offset, sep, mod, end);
	else
		snprintf(buf, len, "%s%s%s%s", e->sym.name, sep, mod, end);
	if (key == REPORT_KEY_BLOCK && e->sym.srcfile) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "  %s:%u", e->sym.srcfile,
			 e->sym.srcline);
		fmt_inline(buf, len, e);
	}
}

static bool has_key(const struct report_hist *h, enum report_key k)
{
	unsigned int i;

	for (i = 0; i < h->nr_keys; i++)
		if (h->keys[i] == k)
			return true;
	return false;
}

/* An entry's address: the block's, or its symbol's when grouped wider. */
static uint64_t entry_addr(const struct report_hist *h,
			   const struct report_entry *e)
{
	return has_key(h, REPORT_KEY_BLOCK) || !e->known ? e->addr :
							   e->sym.start;
}

static void fmt_cell(char *buf, size_t len, const struct report_hist *h,
		     const struct report_entry *e, enum col c)
{
	switch (c) {
	case COL_PCT:
		snprintf(buf, len, "%.2f%%", report_entry_percent(h, e));
		break;
	case COL_COUNT:
		snprintf(buf, len, "%" PRIu64, e->count);
		break;
	case COL_BYTES:
		snprintf(buf, len, "%" PRIu64, e->bytes);
		break;
	case COL_LEN:
		snprintf(buf, len, "%" PRIu32, e->len);
		break;
	case COL_ADDR:
		snprintf(buf, len, "0x%016" PRIx64, entry_addr(h, e));
		break;
	default:
		fmt_name(buf, len, h, e, h->keys[c - COL_NAME]);
		break;
	}
}

static bool shown(const struct report_hist *h, const struct report_entry *e,
		  const struct report_print_opts *o)
{
	return o->percent_limit <= 0 ||
	       report_entry_percent(h, e) >= o->percent_limit;
}

static void print_stdio(FILE *fp, const struct report_hist *h,
			const struct report_print_opts *o)
{
	enum col cols[COL__MAX];
	size_t width[COL__MAX], nc = 0, i, k;
	char buf[1024];

	cols[nc++] = COL_PCT;
	if (o->show_counts || has_key(h, REPORT_KEY_BLOCK))
		cols[nc++] = COL_COUNT;
	cols[nc++] = COL_BYTES;
	if (has_key(h, REPORT_KEY_BLOCK)) {
		cols[nc++] = COL_LEN;
		cols[nc++] = COL_ADDR;
	}
	for (k = 0; k < h->nr_keys; k++)
		cols[nc++] = COL_NAME + k;

	for (k = 0; k < nc; k++) {
		width[k] = strlen(col_name(h, cols[k])) + (k ? 0 : 2);
		for (i = 0; i < h->n; i++) {
			if (!shown(h, &h->e[i], o))
				continue;
			fmt_cell(buf, sizeof(buf), h, &h->e[i], cols[k]);
			if (strlen(buf) > width[k])
				width[k] = strlen(buf);
		}
	}

	/* "# Overhead  Bytes  Symbol" then lines of dots, as perf does */
	for (k = 0; k < nc; k++) {
		const char *t = col_name(h, cols[k]);

		if (k + 1 < nc)	/* numbers right-aligned, names left */
			fprintf(fp, cols[k] >= COL_ADDR ? "%s%-*s" : "%s%*s",
				k ? "  " : "# ", (int)width[k] - (k ? 0 : 2),
				t);
		else
			fprintf(fp, "  %s\n", t);
	}
	for (k = 0; k < nc; k++) {
		fputs(k ? "  " : "# ", fp);
		for (i = k ? 0 : 2; i < width[k]; i++)
			fputc('.', fp);
	}
	fputs("\n#\n", fp);

	for (i = 0; i < h->n; i++) {
		if (!shown(h, &h->e[i], o))
			continue;
		for (k = 0; k < nc; k++) {
			fmt_cell(buf, sizeof(buf), h, &h->e[i], cols[k]);
			if (k + 1 < nc)
				fprintf(fp, cols[k] >= COL_NAME ? "%s%-*s" : "%s%*s",
					k ? "  " : "", (int)width[k], buf);
			else
				fprintf(fp, "  %s\n", buf);
		}
	}
}

/* A module's name for scripts: "vmlinux", "ext4", or NULL when unknown. */
static const char *plain_module(const struct report_entry *e)
{
	if (!e->known)
		return NULL;
	return e->sym.module[0] ? e->sym.module : "vmlinux";
}

/*
 * The fields of one entry for JSON and CSV, in order; the same for every
 * entry of a key.  Strings may be NULL (JSON null, empty CSV field).
 */
struct field {
	const char *name;
	bool is_str;
	const char *str;
	char num[32];
	char text[256];		/* for longer strings made up here */
};

static size_t entry_fields(const struct report_hist *h,
			   const struct report_entry *e, struct field *f,
			   bool has_src)
{
	size_t n = 0, k;

#define NUM(nm, fmt, v) \
	do { f[n].name = (nm); f[n].is_str = false; \
	     snprintf(f[n].num, sizeof(f[n].num), fmt, v); n++; } while (0)
#define STR(nm, v) \
	do { f[n].name = (nm); f[n].is_str = true; f[n].str = (v); n++; } \
	while (0)
/* "fallback": what the text shows for a block without source, or null */
#define FALLBACK(e) \
	do { f[n].name = "fallback"; f[n].is_str = true; f[n].str = NULL; \
	     if (!(e)->sym.srcfile) { \
		fmt_src_fallback(f[n].text, sizeof(f[n].text), (e)); \
		f[n].str = f[n].text; } \
	     n++; } while (0)
#define HEX(nm, v) \
	do { f[n].name = (nm); f[n].is_str = true; \
	     snprintf(f[n].num, sizeof(f[n].num), "0x%016" PRIx64, v); \
	     f[n].str = f[n].num; n++; } while (0)

	NUM("percent", "%.2f", report_entry_percent(h, e));
	NUM("count", "%" PRIu64, e->count);
	NUM("bytes", "%" PRIu64, e->bytes);
	for (k = 0; k < h->nr_keys; k++) {
		switch (h->keys[k]) {
		case REPORT_KEY_BLOCK:
			HEX("address", e->addr);
			NUM("length", "%" PRIu32, e->len);
			STR("symbol", e->known ? e->sym.name : NULL);
			if (e->known)
				NUM("offset", "%" PRIu64, e->sym.offset);
			else
				STR("offset", NULL);
			STR("module", plain_module(e));
			break;
		case REPORT_KEY_SYM:
			STR("symbol", e->known ? e->sym.name : NULL);
			STR("module", plain_module(e));
			if (e->known)
				HEX("address", e->sym.start);
			else
				STR("address", NULL);
			break;
		case REPORT_KEY_MODULE:
			STR("module", plain_module(e));
			break;
		case REPORT_KEY_SRCLINE:
			STR("srcfile", e->sym.srcfile);
			if (e->sym.srcfile)
				NUM("srcline", "%u", e->sym.srcline);
			else
				STR("srcline", NULL);
			FALLBACK(e);
			break;
		case REPORT_KEY_SRCFILE:
			STR("srcfile", e->sym.srcfile);
			FALLBACK(e);
			break;
		default:
			break;
		}
	}
	if (!has_key(h, REPORT_KEY_BLOCK))
		NUM("blocks", "%" PRIu32, e->nr_blocks);
	else if (h->nr_keys == 1 && has_src) {
		STR("srcfile", e->sym.srcfile);
		if (e->sym.srcfile)
			NUM("srcline", "%u", e->sym.srcline);
		else
			STR("srcline", NULL);
	}
	/* a key repeated through two keys (module, symbol): keep the first */
	for (k = 0; k < n; k++) {
		size_t j, m = k + 1;

		for (j = k + 1; j < n; j++)
			if (strcmp(f[j].name, f[k].name))
				f[m++] = f[j];
		n = m;
	}
#undef NUM
#undef STR
#undef HEX
#undef FALLBACK
	return n;
}

static void print_json(FILE *fp, const struct report_hist *h,
		       const struct report_print_opts *o)
{
	struct field f[40];
	bool first = true;
	size_t i, k, n;

	fputc('[', fp);
	for (i = 0; i < h->n; i++) {
		if (!shown(h, &h->e[i], o))
			continue;
		n = entry_fields(h, &h->e[i], f, o->has_src);
		fputs(first ? "\n  {" : ",\n  {", fp);
		first = false;
		for (k = 0; k < n; k++) {
			fprintf(fp, "%s\"%s\": ", k ? ", " : "", f[k].name);
			if (f[k].is_str)
				json_write_str(fp, f[k].str);
			else
				fputs(f[k].num, fp);
		}
		if (has_key(h, REPORT_KEY_BLOCK) && h->e[i].sym.nr_inline) {
			const struct report_sym *y = &h->e[i].sym;
			unsigned int j;

			fputs(", \"inlined\": [", fp);
			for (j = 0; j < y->nr_inline; j++) {
				fputs(j ? ", {\"function\": " : "{\"function\": ", fp);
				json_write_str(fp, y->inl[j].func);
				fputs(", \"call_file\": ", fp);
				json_write_str(fp, y->inl[j].call_file);
				fprintf(fp, ", \"call_line\": %u}", y->inl[j].call_line);
			}
			fputc(']', fp);
		}
		fputc('}', fp);
	}
	fputs(first ? "]\n" : "\n]\n", fp);
}

static void print_csv(FILE *fp, const struct report_hist *h,
		      const struct report_print_opts *o)
{
	static const struct report_entry dummy;
	struct field f[40];
	size_t i, k, n;

	n = entry_fields(h, &dummy, f, o->has_src);
	for (k = 0; k < n; k++)
		fprintf(fp, "%s%s", k ? "," : "", f[k].name);
	fputc('\n', fp);
	for (i = 0; i < h->n; i++) {
		if (!shown(h, &h->e[i], o))
			continue;
		n = entry_fields(h, &h->e[i], f, o->has_src);
		for (k = 0; k < n; k++) {
			if (k)
				fputc(',', fp);
			if (f[k].is_str)
				csv_write_str(fp, f[k].str);
			else
				fputs(f[k].num, fp);
		}
		fputc('\n', fp);
	}
}

size_t report_hist_print(FILE *fp, const struct report_hist *h,
			 const struct report_print_opts *o)
{
	size_t i, hidden = 0;

	for (i = 0; i < h->n; i++)
		hidden += !shown(h, &h->e[i], o);
	switch (o->format) {
	case REPORT_JSON:
		print_json(fp, h, o);
		break;
	case REPORT_CSV:
		print_csv(fp, h, o);
		break;
	default:
		print_stdio(fp, h, o);
		break;
	}
	return hidden;
}
