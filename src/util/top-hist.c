// SPDX-License-Identifier: GPL-2.0
/*
 * The model behind `jifl top`; see top-hist.h.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/top-hist.h"
#include "util/json-write.h"

const char *const top_view_names[TOP_NR_VIEWS] = { "functions", "blocks" };
const char *const top_sort_names[TOP_NR_SORTS] = {
	"rate", "total", "blocks", "name"
};

int top_hist_init(struct top_hist *h, const struct jd_kallsyms *ks)
{
	memset(h, 0, sizeof(*h));
	h->ks = ks;
	h->slot = calloc(ks->count ? ks->count : 1, sizeof(*h->slot));
	return h->slot ? 0 : -ENOMEM;
}

void top_hist_free(struct top_hist *h)
{
	free(h->b);
	free(h->e);
	free(h->slot);
	memset(h, 0, sizeof(*h));
}

static uint32_t resolve(const struct top_hist *h, uint64_t addr)
{
	const struct jd_ksym *s = jd_ksym_lookup(h->ks, addr, NULL);

	return s ? (uint32_t)(s - h->ks->syms) : TOP_NO_SYM;
}

int top_hist_update(struct top_hist *h, const struct jifl_block_info *info,
		    size_t nr, double interval)
{
	size_t i;

	if (nr > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		struct top_block *b;

		while (cap < nr)
			cap *= 2;
		b = realloc(h->b, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		h->b = b;
		h->cap = cap;
	}
	for (i = h->nr; i < nr; i++) {
		/* new since the last update: it started from zero */
		h->b[i] = (struct top_block){
			.addr = info[i].native,
			.len = (uint32_t)info[i].len,
			.sym = resolve(h, info[i].native),
		};
	}
	if (nr > h->nr)
		h->nr = nr;
	h->sum_delta = h->sum_total = 0;
	h->nr_executed = 0;
	for (i = 0; i < h->nr; i++) {
		struct top_block *b = &h->b[i];
		uint64_t c = i < nr ? info[i].count : b->count;

		b->prev = b->count;
		/* a fresh module session restarts counters: follow it */
		if (c < b->count) {
			b->prev = 0;
			if (b->base > c)
				b->base = 0;
		}
		b->count = c;
		h->sum_delta += b->count - b->prev;
		h->sum_total += b->count - b->base;
		if (b->count > b->base)
			h->nr_executed++;
	}
	h->interval = interval;
	h->updates++;
	return 0;
}

void top_hist_zero(struct top_hist *h)
{
	size_t i;

	for (i = 0; i < h->nr; i++) {
		h->b[i].base = h->b[i].count;
		h->b[i].prev = h->b[i].count;
	}
	h->sum_delta = h->sum_total = 0;
	h->nr_executed = 0;
}

static const char *sym_name(const struct top_hist *h, uint32_t sym)
{
	return sym == TOP_NO_SYM ? "[unknown]" : h->ks->syms[sym].name;
}

const char *top_entry_module(const struct top_hist *h,
			     const struct top_entry *e)
{
	const char *m;

	if (e->sym == TOP_NO_SYM)
		return "";
	m = h->ks->syms[e->sym].module;
	return m ? m : "";
}

void top_entry_name(const struct top_hist *h, const struct top_entry *e,
		    char *buf, size_t len)
{
	if (e->sym == TOP_NO_SYM)
		snprintf(buf, len, "0x%llx", (unsigned long long)e->addr);
	else if (h->view == TOP_VIEW_BLOCK)
		snprintf(buf, len, "%s+0x%llx", sym_name(h, e->sym),
			 (unsigned long long)(e->addr -
					      h->ks->syms[e->sym].addr));
	else
		snprintf(buf, len, "%s", sym_name(h, e->sym));
}

double top_entry_rate(const struct top_hist *h, const struct top_entry *e)
{
	return h->interval > 0 ? e->delta / h->interval : 0.0;
}

void top_sym_bounds(const struct top_hist *h, uint32_t sym, uint64_t *start,
		    uint64_t *end)
{
	const struct jd_kallsyms *ks = h->ks;
	uint32_t i;

	*start = ks->syms[sym].addr;
	*end = ks->end;
	for (i = sym + 1; i < ks->count; i++) {
		if (ks->syms[i].addr > *start) {
			*end = ks->syms[i].addr;
			break;
		}
	}
}

static bool matches(const struct top_hist *h, uint32_t sym)
{
	const char *name = sym_name(h, sym);

	if (!h->filter[0])
		return true;
	if (strpbrk(h->filter, "*?["))
		return !fnmatch(h->filter, name, 0);
	return strstr(name, h->filter) != NULL;
}

static const struct top_hist *sort_hist;	/* qsort has no context */

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct top_entry *a = pa, *b = pb;
	int r = 0;

	switch (sort_hist->sort) {
	case TOP_SORT_RATE:
		r = cmp_u64_desc(a->delta, b->delta);
		if (!r)
			r = cmp_u64_desc(a->total, b->total);
		break;
	case TOP_SORT_TOTAL:
		r = cmp_u64_desc(a->total, b->total);
		if (!r)
			r = cmp_u64_desc(a->delta, b->delta);
		break;
	case TOP_SORT_BLOCKS:
		r = a->nr_blocks < b->nr_blocks ? 1 :
		    a->nr_blocks > b->nr_blocks ? -1 : 0;
		if (!r)
			r = cmp_u64_desc(a->total, b->total);
		break;
	case TOP_SORT_NAME:
		r = strcmp(sym_name(sort_hist, a->sym),
			   sym_name(sort_hist, b->sym));
		break;
	default:
		break;
	}
	if (!r)
		r = a->addr < b->addr ? -1 : a->addr > b->addr;
	return r;
}

int top_hist_collapse(struct top_hist *h)
{
	struct top_entry *e;
	size_t i, n = 0;

	e = realloc(h->e, (h->nr ? h->nr : 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	h->e = e;
	h->view_delta = h->view_total = 0;
	for (i = 0; i < h->nr; i++) {
		const struct top_block *b = &h->b[i];
		uint64_t total = b->count - b->base;
		struct top_entry *t;

		if (!total || !matches(h, b->sym))
			continue;
		if (h->view == TOP_VIEW_SYM && b->sym != TOP_NO_SYM &&
		    h->slot[b->sym]) {
			t = &e[h->slot[b->sym] - 1];
		} else {
			t = &e[n++];
			*t = (struct top_entry){
				.sym = b->sym,
				.block = (uint32_t)i,
				.addr = b->addr,
			};
			if (h->view == TOP_VIEW_SYM && b->sym != TOP_NO_SYM) {
				h->slot[b->sym] = (uint32_t)n;
				t->addr = h->ks->syms[b->sym].addr;
			}
		}
		t->delta += b->count - b->prev;
		t->total += total;
		t->nr_blocks++;
		h->view_delta += b->count - b->prev;
		h->view_total += total;
	}
	for (i = 0; i < n; i++)
		if (e[i].sym != TOP_NO_SYM)
			h->slot[e[i].sym] = 0;
	sort_hist = h;
	qsort(e, n, sizeof(*e), cmp_entry);
	h->nr_entries = n;
	return 0;
}

void top_hist_print(FILE *fp, const struct top_hist *h, const char *what,
		    size_t max, bool json)
{
	size_t i, n = h->nr_entries;
	char name[512], when[32];
	time_t t = time(NULL);
	struct tm tm;

	if (max && n > max)
		n = max;
	if (!localtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		strcpy(when, "?");
	if (json) {
		fprintf(fp, "{\"time\":\"%s\",\"target\":", when);
		json_write_str(fp, what);
		fprintf(fp, ",\"interval\":%.3f,\"view\":\"%s\",\"sort\":\"%s\",\"rate\":%.0f,\"total\":%llu,\"blocks\":%zu,\"executed\":%u,\"entries\":[",
			h->interval, top_view_names[h->view],
			top_sort_names[h->sort],
			h->interval > 0 ? h->sum_delta / h->interval : 0.0,
			(unsigned long long)h->sum_total, h->nr,
			h->nr_executed);
		for (i = 0; i < n; i++) {
			const struct top_entry *e = &h->e[i];

			top_entry_name(h, e, name, sizeof(name));
			fprintf(fp, "%s{\"name\":", i ? "," : "");
			json_write_str(fp, name);
			fprintf(fp, ",\"module\":");
			json_write_str(fp, top_entry_module(h, e));
			fprintf(fp, ",\"addr\":\"0x%llx\",\"rate\":%.0f,\"total\":%llu,\"blocks\":%u}",
				(unsigned long long)e->addr,
				top_entry_rate(h, e),
				(unsigned long long)e->total, e->nr_blocks);
		}
		fprintf(fp, "]}\n");
		return;
	}
	fprintf(fp, "# jifl top %s, %s, every %.2f s: %.0f blocks/s, %llu since start, %zu blocks translated (%u ran)\n",
		when, what, h->interval,
		h->interval > 0 ? h->sum_delta / h->interval : 0.0,
		(unsigned long long)h->sum_total, h->nr, h->nr_executed);
	fprintf(fp, "# %s by %s%s%s%s\n", top_view_names[h->view],
		top_sort_names[h->sort], h->filter[0] ? ", filter '" : "",
		h->filter, h->filter[0] ? "'" : "");
	fprintf(fp, "%14s %7s %14s %6s  %s\n", "Rate/s", "Rate%", "Total",
		"Blocks", "Symbol");
	for (i = 0; i < n; i++) {
		const struct top_entry *e = &h->e[i];
		const char *mod = top_entry_module(h, e);

		top_entry_name(h, e, name, sizeof(name));
		fprintf(fp, "%14.0f %6.2f%% %14llu %6u  %s%s%s%s\n",
			top_entry_rate(h, e),
			h->view_delta ? 100.0 * e->delta / h->view_delta : 0.0,
			(unsigned long long)e->total, e->nr_blocks, name,
			*mod ? " [" : "", mod, *mod ? "]" : "");
	}
	if (!h->nr_entries)
		fprintf(fp, "# no kernel block ran yet%s\n",
			h->filter[0] ? " (with this filter)" : "");
	fputc('\n', fp);
}
