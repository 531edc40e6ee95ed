// SPDX-License-Identifier: GPL-2.0
/*
 * The `jifl report` histogram: grouping, ordering and output; see
 * report-hist.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/report-hist.h"

const char *const report_key_names[] = {
	[REPORT_KEY_SYM] = "sym",
	[REPORT_KEY_BLOCK] = "block",
	[REPORT_KEY_MODULE] = "module",
};

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

/* Grouping order: entries equal under the key compare 0; unknown last. */
static int cmp_key(const struct report_entry *a, const struct report_entry *b,
		   enum report_key key)
{
	int c;

	if (key == REPORT_KEY_BLOCK) {
		c = cmp_u64(a->addr, b->addr);
		return c ? c : cmp_u64(a->len, b->len);
	}
	if (a->known != b->known)
		return a->known ? -1 : 1;
	if (!a->known)
		return 0;
	if (key == REPORT_KEY_MODULE)
		return strcmp(a->sym.module, b->sym.module);
	c = cmp_u64(a->addr, b->addr);
	if (!c)
		c = strcmp(a->sym.name, b->sym.name);
	if (!c)
		c = strcmp(a->sym.module, b->sym.module);
	return c;
}

static enum report_key qsort_key;
static enum report_order qsort_order;

static int cmp_group(const void *pa, const void *pb)
{
	return cmp_key(pa, pb, qsort_key);
}

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
	return c ? c : cmp_key(a, b, qsort_key);
}

int report_hist_build(struct report_hist *h, const struct jd_file *f,
		      struct report_resolver *res, enum report_key key,
		      enum report_order order)
{
	uint64_t *counts;
	size_t i, n = 0, out;

	memset(h, 0, sizeof(*h));
	h->key = key;
	h->order = order;
	h->nr_blocks = f->nr_blocks;
	counts = calloc(f->nr_blocks ? f->nr_blocks : 1, sizeof(*counts));
	if (!counts)
		return -ENOMEM;
	for (i = 0; i < f->nr_counters; i++)
		if (f->counters[i].block < f->nr_blocks)	/* checked by jd_open */
			counts[f->counters[i].block] =
				sat_add(counts[f->counters[i].block],
					f->counters[i].count);
	for (i = 0; i < f->nr_blocks; i++)
		n += counts[i] != 0;
	h->e = calloc(n ? n : 1, sizeof(*h->e));
	if (!h->e) {
		free(counts);
		return -ENOMEM;
	}

	/* one entry per executed block, then merged under the key */
	for (i = 0; i < f->nr_blocks; i++) {
		const struct jd_block *b = &f->blocks[i];
		struct report_entry *e;

		if (!counts[i])
			continue;
		e = &h->e[h->n++];
		e->known = report_resolve(res, b->start, &e->sym);
		e->count = counts[i];
		e->bytes = sat_mul(counts[i], b->len);
		e->nr_blocks = 1;
		if (key == REPORT_KEY_BLOCK) {
			e->addr = b->start;
			e->len = b->len;
		} else if (e->known) {
			e->addr = e->sym.start;
			e->sym.offset = 0;
		}
		h->nr_executed++;
		h->nr_unknown += !e->known;
		h->total_count = sat_add(h->total_count, e->count);
		h->total_bytes = sat_add(h->total_bytes, e->bytes);
	}
	free(counts);

	qsort_key = key;
	qsort_order = order;
	if (h->n)
		qsort(h->e, h->n, sizeof(*h->e), cmp_group);
	for (i = 0, out = 0; i < h->n; i++) {
		if (out && !cmp_key(&h->e[out - 1], &h->e[i], key)) {
			struct report_entry *m = &h->e[out - 1];

			m->count = sat_add(m->count, h->e[i].count);
			m->bytes = sat_add(m->bytes, h->e[i].bytes);
			m->nr_blocks++;
			continue;
		}
		h->e[out++] = h->e[i];
	}
	h->n = out;
	if (h->n)
		qsort(h->e, h->n, sizeof(*h->e), cmp_hot);
	return 0;
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
	COL_NAME,	/* symbol, block or module: always last */
	COL__MAX
};

static const char *const col_title[COL__MAX] = {
	"Overhead", "Executions", "Bytes", "Length", "Address", NULL
};

static const char *name_title(enum report_key key)
{
	return key == REPORT_KEY_SYM ? "Symbol" :
	       key == REPORT_KEY_BLOCK ? "Block" : "Module";
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

/* Symbol, block or module name as the text output shows it. */
static void fmt_name(char *buf, size_t len, const struct report_hist *h,
		     const struct report_entry *e)
{
	const char *mod = e->known ? e->sym.module : "";
	const char *sep = mod[0] ? " [" : "", *end = mod[0] ? "]" : "";

	if (h->key == REPORT_KEY_MODULE)
		fmt_module(buf, len, e);
	else if (!e->known)
		snprintf(buf, len, "[unknown]");
	else if (h->key == REPORT_KEY_BLOCK)
		snprintf(buf, len, "%s+0x%" PRIx64 "%s%s%s", e->sym.name,
			 e->sym.offset, sep, mod, end);
	else
		snprintf(buf, len, "%s%s%s%s", e->sym.name, sep, mod, end);
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
		snprintf(buf, len, "0x%016" PRIx64, e->addr);
		break;
	default:
		fmt_name(buf, len, h, e);
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
	if (o->show_counts || h->key == REPORT_KEY_BLOCK)
		cols[nc++] = COL_COUNT;
	cols[nc++] = COL_BYTES;
	if (h->key == REPORT_KEY_BLOCK) {
		cols[nc++] = COL_LEN;
		cols[nc++] = COL_ADDR;
	}
	cols[nc++] = COL_NAME;

	for (k = 0; k < nc; k++) {
		width[k] = strlen(cols[k] == COL_NAME ? name_title(h->key) :
				  col_title[cols[k]]) + (k ? 0 : 2);
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
		const char *t = cols[k] == COL_NAME ? name_title(h->key) :
						      col_title[cols[k]];

		if (k + 1 < nc)	/* numbers right-aligned, addresses left */
			fprintf(fp, cols[k] == COL_ADDR ? "%s%-*s" : "%s%*s",
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
				fprintf(fp, "%s%*s", k ? "  " : "", (int)width[k],
					buf);
			else
				fprintf(fp, "  %s\n", buf);
		}
	}
}

static void json_str(FILE *fp, const char *s)
{
	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void csv_str(FILE *fp, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
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
};

static size_t entry_fields(const struct report_hist *h,
			   const struct report_entry *e, struct field *f)
{
	size_t n = 0;

#define NUM(nm, fmt, v) \
	do { f[n].name = (nm); f[n].is_str = false; \
	     snprintf(f[n].num, sizeof(f[n].num), fmt, v); n++; } while (0)
#define STR(nm, v) \
	do { f[n].name = (nm); f[n].is_str = true; f[n].str = (v); n++; } \
	while (0)
#define HEX(nm, v) \
	do { f[n].name = (nm); f[n].is_str = true; \
	     snprintf(f[n].num, sizeof(f[n].num), "0x%016" PRIx64, v); \
	     f[n].str = f[n].num; n++; } while (0)

	NUM("percent", "%.2f", report_entry_percent(h, e));
	NUM("count", "%" PRIu64, e->count);
	NUM("bytes", "%" PRIu64, e->bytes);
	switch (h->key) {
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
			HEX("address", e->addr);
		else
			STR("address", NULL);
		NUM("blocks", "%" PRIu32, e->nr_blocks);
		break;
	case REPORT_KEY_MODULE:
		STR("module", plain_module(e));
		NUM("blocks", "%" PRIu32, e->nr_blocks);
		break;
	}
#undef NUM
#undef STR
#undef HEX
	return n;
}

static void print_json(FILE *fp, const struct report_hist *h,
		       const struct report_print_opts *o)
{
	struct field f[16];
	bool first = true;
	size_t i, k, n;

	fputc('[', fp);
	for (i = 0; i < h->n; i++) {
		if (!shown(h, &h->e[i], o))
			continue;
		n = entry_fields(h, &h->e[i], f);
		fputs(first ? "\n  {" : ",\n  {", fp);
		first = false;
		for (k = 0; k < n; k++) {
			fprintf(fp, "%s\"%s\": ", k ? ", " : "", f[k].name);
			if (f[k].is_str)
				json_str(fp, f[k].str);
			else
				fputs(f[k].num, fp);
		}
		fputc('}', fp);
	}
	fputs(first ? "]\n" : "\n]\n", fp);
}

static void print_csv(FILE *fp, const struct report_hist *h,
		      const struct report_print_opts *o)
{
	static const struct report_entry dummy;
	struct field f[16];
	size_t i, k, n;

	n = entry_fields(h, &dummy, f);
	for (k = 0; k < n; k++)
		fprintf(fp, "%s%s", k ? "," : "", f[k].name);
	fputc('\n', fp);
	for (i = 0; i < h->n; i++) {
		if (!shown(h, &h->e[i], o))
			continue;
		n = entry_fields(h, &h->e[i], f);
		for (k = 0; k < n; k++) {
			if (k)
				fputc(',', fp);
			if (f[k].is_str)
				csv_str(fp, f[k].str);
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
