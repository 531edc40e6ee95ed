// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol resolvers for `jifl report`; see report-sym.h.
 */
#include <stdlib.h>
#include <string.h>

#include "util/report-sym.h"

/*
 * The snapshot's addresses alone, packed: a binary search over them stays
 * in cache where one over struct jd_ksym does not (millions of lookups).
 */
struct ksym_index {
	const struct jd_file *f;
	uint64_t *addrs;
};

/* As jd_ksym_lookup(), through the packed addresses. */
static const struct jd_ksym *ksym_find(const struct ksym_index *x,
				       uint64_t addr, uint64_t *off)
{
	const struct jd_kallsyms *ks = &x->f->kallsyms;
	uint32_t lo = 0, hi = ks->count;

	if (!x->addrs)
		return jd_ksym_lookup(ks, addr, off);
	if ((ks->flags & JD_KF_ADDRS_HIDDEN) || !ks->count ||
	    addr < x->addrs[0] || addr >= ks->end)
		return NULL;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (x->addrs[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	lo--;
	while (lo > 0 && x->addrs[lo - 1] == x->addrs[lo])
		lo--;
	*off = addr - x->addrs[lo];
	return &ks->syms[lo];
}

static bool kallsyms_resolve(struct report_resolver *r, uint64_t addr,
			     struct report_sym *out)
{
	const struct jd_ksym *s;
	uint64_t off;

	if (r->unusable)
		return false;
	s = ksym_find(r->priv, addr, &off);
	if (!s)
		return false;
	memset(out, 0, sizeof(*out));
	out->name = s->name;
	out->module = s->module ? s->module : "";
	out->start = s->addr;
	out->offset = off;
	return true;
}

static void kallsyms_destroy(struct report_resolver *r)
{
	struct ksym_index *x = r->priv;

	free(x->addrs);
	free(x);
	free(r);
}

struct report_resolver *report_resolver_kallsyms(const struct jd_file *f)
{
	struct report_resolver *r = calloc(1, sizeof(*r));
	struct ksym_index *x = calloc(1, sizeof(*x));
	uint32_t i;

	if (!r || !x) {
		free(r);
		free(x);
		return NULL;
	}
	x->f = f;
	x->addrs = malloc((f->kallsyms.count ? f->kallsyms.count : 1) *
			  sizeof(*x->addrs));
	for (i = 0; x->addrs && i < f->kallsyms.count; i++)
		x->addrs[i] = f->kallsyms.syms[i].addr;
	r->name = "kallsyms";
	r->resolve = kallsyms_resolve;
	r->destroy = kallsyms_destroy;
	r->priv = x;
	if (!(f->present & (1U << JD_SEC_KALLSYMS)))
		r->unusable = "the file has no kallsyms snapshot";
	else if (f->kallsyms.flags & JD_KF_ADDRS_HIDDEN)
		r->unusable = "kallsyms addresses were hidden when recording (kptr_restrict: record as root or with kernel.kptr_restrict=0)";
	else if (!f->kallsyms.count)
		r->unusable = "the kallsyms snapshot is empty";
	return r;
}

struct dwarf_priv {
	const struct jd_file *f;
	struct symbols *syms;
};

static bool dwarf_resolve(struct report_resolver *r, uint64_t addr,
			  struct report_sym *out)
{
	struct dwarf_priv *p = r->priv;
	const struct jd_ksym *k = NULL;
	struct sym_src src;
	bool have_src;
	uint64_t off;

	memset(out, 0, sizeof(*out));
	if (!(p->f->kallsyms.flags & JD_KF_ADDRS_HIDDEN))
		k = jd_ksym_lookup(&p->f->kallsyms, addr, &off);
	have_src = symbols_lookup(p->syms, addr, &src);
	if (k) {
		out->name = k->name;
		out->module = k->module ? k->module : "";
		out->start = k->addr;
		out->offset = off;
	} else if (have_src && src.func) {
		out->name = src.func;
		out->module = src.module;
		out->start = src.func_start;
		out->offset = addr - src.func_start;
	} else {
		return false;
	}
	if (!have_src || !src.has_dwarf)
		out->no_src = "no debuginfo";
	else if (!src.file)
		out->no_src = "no line info";
	if (have_src) {
		out->srcfile = src.file;
		out->srcline = src.line;
		out->nr_inline = src.nr_inline;
		out->inl = src.inl;
	}
	return true;
}

static void dwarf_destroy(struct report_resolver *r)
{
	free(r->priv);
	free(r);
}

struct report_resolver *report_resolver_dwarf(const struct jd_file *f,
					      struct symbols *syms)
{
	struct report_resolver *r = calloc(1, sizeof(*r));
	struct dwarf_priv *p = calloc(1, sizeof(*p));

	if (!r || !p) {
		free(r);
		free(p);
		return NULL;
	}
	p->f = f;
	p->syms = syms;
	r->name = "dwarf";
	r->resolve = dwarf_resolve;
	r->destroy = dwarf_destroy;
	r->priv = p;
	return r;
}

struct report_resolver *report_resolver_new(const struct jd_file *f,
					    bool dwarf,
					    const struct symbols_opts *so,
					    struct symbols **syms)
{
	*syms = NULL;
	if (!dwarf)
		return report_resolver_kallsyms(f);
	*syms = symbols_new(f, so);
	return *syms ? report_resolver_dwarf(f, *syms) : NULL;
}

bool report_resolve(struct report_resolver *chain, uint64_t addr,
		    struct report_sym *out)
{
	struct report_resolver *r;

	for (r = chain; r; r = r->next)
		if (r->resolve(r, addr, out))
			return true;
	memset(out, 0, sizeof(*out));
	return false;
}

void report_resolver_free(struct report_resolver *chain)
{
	while (chain) {
		struct report_resolver *next = chain->next;

		chain->destroy(chain);
		chain = next;
	}
}
