// SPDX-License-Identifier: GPL-2.0
/*
 * Annotating a function for `jifl top`; see top-annotate.h.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/top-annotate.h"

#define MAX_FUNC_BYTES	(64 * 1024)

static int add_line(struct top_annot *a, size_t *cap)
{
	if (a->n == *cap) {
		size_t c = *cap ? 2 * *cap : 256;
		struct top_annot_line *l = realloc(a->l, c * sizeof(*l));

		if (!l)
			return -ENOMEM;
		a->l = l;
		*cap = c;
	}
	memset(&a->l[a->n], 0, sizeof(a->l[0]));
	a->n++;
	return 0;
}

static int cmp_block_addr(const void *pa, const void *pb)
{
	const struct top_block *a = *(const struct top_block *const *)pa;
	const struct top_block *b = *(const struct top_block *const *)pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* The function's blocks, sorted by address. */
static const struct top_block **func_blocks(const struct top_hist *h,
					    uint64_t start, uint64_t end,
					    size_t *nr)
{
	const struct top_block **v;
	size_t i, n = 0;

	v = malloc((h->nr ? h->nr : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < h->nr; i++)
		if (h->b[i].addr >= start && h->b[i].addr < end)
			v[n++] = &h->b[i];
	qsort(v, n, sizeof(*v), cmp_block_addr);
	*nr = n;
	return v;
}

static int blocks_only(struct top_annot *a, const struct top_block **v,
		       size_t nv, uint64_t start, size_t *cap)
{
	size_t i;

	for (i = 0; i < nv; i++) {
		struct top_annot_line *l;

		if (add_line(a, cap))
			return -ENOMEM;
		l = &a->l[a->n - 1];
		l->addr = v[i]->addr;
		l->total = v[i]->count - v[i]->base;
		l->delta = v[i]->count - v[i]->prev;
		l->translated = l->block_start = true;
		snprintf(l->text, sizeof(l->text), "+0x%llx: block of %u bytes",
			 (unsigned long long)(v[i]->addr - start), v[i]->len);
	}
	return 0;
}

static int disassemble(struct top_annot *a, const struct top_block **v,
		       size_t nv, uint64_t start, const uint8_t *code,
		       size_t len, size_t *cap)
{
	const uint8_t *p = code;
	uint64_t pc = start;
	size_t left = len, j;
	cs_insn *insn;
	csh cs;
	int ret = 0;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		snprintf(a->note, sizeof(a->note), "Capstone cannot open x86-64");
		return blocks_only(a, v, nv, start, cap);
	}
	cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	insn = cs_malloc(cs);
	while (left && insn) {
		uint64_t at = pc;
		struct top_annot_line *l;

		if (!cs_disasm_iter(cs, &p, &left, &pc, insn)) {
			/* padding or data: skip one byte */
			p++;
			left--;
			pc++;
			continue;
		}
		if (add_line(a, cap)) {
			ret = -ENOMEM;
			break;
		}
		l = &a->l[a->n - 1];
		l->addr = at;
		/* each run of a block that covers the insn ran it once */
		for (j = 0; j < nv && v[j]->addr <= at; j++) {
			if (at >= v[j]->addr + v[j]->len)
				continue;
			l->translated = true;
			l->total += v[j]->count - v[j]->base;
			l->delta += v[j]->count - v[j]->prev;
			if (v[j]->addr == at)
				l->block_start = true;
		}
		snprintf(l->text, sizeof(l->text), "+0x%-4llx %s %s",
			 (unsigned long long)(at - start), insn->mnemonic,
			 insn->op_str);
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return ret;
}

int top_annotate(struct top_annot *a, const struct top_hist *h, uint32_t sym,
		 struct kcore *kc)
{
	const struct top_block **v;
	uint64_t start, end, total = 0;
	size_t nv, i, cap = 0;
	uint8_t *code = NULL;
	long got = 0;
	int ret;

	memset(a, 0, sizeof(*a));
	a->sym = sym;
	if (sym == TOP_NO_SYM || sym >= h->ks->count)
		return -EINVAL;
	top_sym_bounds(h, sym, &start, &end);
	if (end <= start || end - start > MAX_FUNC_BYTES)
		end = start + MAX_FUNC_BYTES;
	v = func_blocks(h, start, end, &nv);
	if (!v)
		return -ENOMEM;
	/* the last block bounds the function when the next symbol is far */
	for (i = 0; i < nv; i++)
		total += v[i]->count - v[i]->base;
	snprintf(a->title, sizeof(a->title),
		 "%s%s%s%s  [0x%llx, +%llu bytes]  %zu blocks translated, %llu block runs",
		 h->ks->syms[sym].name,
		 *h->ks->syms[sym].module ? " [" : "", h->ks->syms[sym].module,
		 *h->ks->syms[sym].module ? "]" : "",
		 (unsigned long long)start,
		 (unsigned long long)(end - start), nv,
		 (unsigned long long)total);
	if (kc) {
		code = malloc(end - start);
		got = code ? kcore_read(kc, start, code, end - start) : -ENOMEM;
		if (got <= 0)
			snprintf(a->note, sizeof(a->note),
				 "no code bytes from /proc/kcore at 0x%llx (%s): blocks only",
				 (unsigned long long)start,
				 strerror(got ? (int)-got : EIO));
	} else {
		snprintf(a->note, sizeof(a->note),
			 "/proc/kcore is not readable (run as root, without lockdown): blocks only");
	}
	if (got > 0)
		ret = disassemble(a, v, nv, start, code, (size_t)got, &cap);
	else
		ret = blocks_only(a, v, nv, start, &cap);
	free(code);
	free(v);
	return ret;
}

void top_annot_free(struct top_annot *a)
{
	free(a->l);
	memset(a, 0, sizeof(*a));
}
