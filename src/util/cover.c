// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage for `jifl cover`; see cover.h for what the numbers mean.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/cover-branches.h"
#include "util/cover.h"
#include "util/grow.h"
#include "util/json-write.h"

void cover_init(struct cover *c, const char *const *include,
		const char *const *exclude)
{
	memset(c, 0, sizeof(*c));
	c->include = include;
	c->exclude = exclude;
}

void cover_free(struct cover *c)
{
	size_t i, k;

	for (i = 0; i < c->nr_files; i++) {
		struct cover_file *cf = &c->files[i];

		for (k = 0; k < cf->nr_funcs; k++) {
			free(cf->funcs[k].name);
			free(cf->funcs[k].module);
			free(cf->funcs[k].flines);
		}
		free(cf->funcs);
		free(cf->lines);
		free(cf->branches);
		free(cf->path);
	}
	free(c->files);
	free(c->pcs);
	memset(c, 0, sizeof(*c));
}

/* "fs/x.c" also matches any path ending in "/fs/x.c" */
static bool match_any(const char *const *pats, const char *path)
{
	char buf[4096];

	for (; pats && *pats; pats++) {
		if (!fnmatch(*pats, path, 0))
			return true;
		if ((*pats)[0] != '/' && (*pats)[0] != '*') {
			snprintf(buf, sizeof(buf), "*/%s", *pats);
			if (!fnmatch(buf, path, 0))
				return true;
		}
	}
	return false;
}

static bool wanted(const struct cover *c, const char *path)
{
	if (c->include && c->include[0] && !match_any(c->include, path))
		return false;
	return !match_any(c->exclude, path);
}

/* The file's index, created if new; -1 when filtered out or no memory. */
static long file_idx(struct cover *c, const char *path)
{
	size_t i;

	/* recently used first: rows of one function share a file */
	for (i = c->nr_files; i-- > 0;)
		if (!strcmp(c->files[i].path, path))
			return (long)i;
	if (!wanted(c, path))
		return -1;
	if (GROW(c->files, c->cap_files, c->nr_files + 1, 64))
		return -1;
	memset(&c->files[c->nr_files], 0, sizeof(*c->files));
	c->files[c->nr_files].path = strdup(path);
	if (!c->files[c->nr_files].path)
		return -1;
	return (long)c->nr_files++;
}

struct item {
	uint64_t func_start, func_size;
	const char *name, *module;
	uint32_t block;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->func_start != y->func_start)
		return x->func_start < y->func_start ? -1 : 1;
	return x->block < y->block ? -1 : x->block > y->block;
}

struct tmp_line {
	long file;
	unsigned int line;
	uint64_t count;
	bool hit;
};

static int cmp_tmp(const void *a, const void *b)
{
	const struct tmp_line *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int add_pc(struct cover *c, uint64_t pc)
{
	if (GROW(c->pcs, c->cap_pcs, c->nr_pcs + 1, 64))
		return -ENOMEM;
	c->pcs[c->nr_pcs++] = pc;
	return 0;
}

#define fblock cover_block	/* count 0: translated, did not run */

static int cmp_fblock(const void *a, const void *b)
{
	const struct fblock *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The edges of the function's conditional jumps, under their lines. */
static int add_branches(struct cover *c, struct symbols *syms, uint64_t fs,
			uint64_t fe, const struct cover_block *fb, size_t nfb)
{
	struct cover_jcc *j;
	unsigned int rank = 0, prev_line = 0;
	long prev_file = -1;
	size_t n, i;

	n = cover_branches(syms, fs, fe, fb, nfb, &j);
	for (i = 0; i < n; i++) {
		struct cover_file *cf;
		struct cover_branch *br;
		struct sym_src src;
		long fidx;

		if (!symbols_lookup(syms, j[i].addr, &src) || !src.file ||
		    !src.line)
			continue;
		fidx = file_idx(c, src.file);
		if (fidx < 0)
			continue;
		rank = fidx == prev_file && src.line == prev_line ? rank + 1 : 0;
		prev_file = fidx;
		prev_line = src.line;
		cf = &c->files[fidx];
		if (GROW(cf->branches, cf->cap_branches, cf->nr_branches + 1,
			 64)) {
			free(j);
			return -ENOMEM;
		}
		br = &cf->branches[cf->nr_branches++];
		br->line = src.line;
		br->block = rank;
		br->executed = j[i].executed > 0;
		br->taken = j[i].taken;
		br->not_taken = j[i].not_taken;
	}
	free(j);
	return 0;
}

/* One recorded function: its blocks are items[0..n). */
static int add_func(struct cover *c, const struct jd_file *f,
		    struct symbols *syms, const uint64_t *counts, bool counted,
		    const struct item *it, size_t n)
{
	uint64_t fs = it[0].func_start, fe = fs + it[0].func_size;
	struct tmp_line *tmp = NULL;
	struct fblock *fb;
	const struct sym_row *rows;
	size_t nrows, ntmp = 0, i, k, nfb = 0;
	const char *dfile = NULL;
	unsigned int dline = 0;
	uint64_t fcount = 0, fmax = 0;
	long fidx;
	int ret = -ENOMEM;

	/* the same block recorded twice (several CPUs, runs): one, summed */
	fb = calloc(n, sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct jd_block *b = &f->blocks[it[i].block];

		fb[i].start = b->start;
		fb[i].len = b->len;
		fb[i].count = counts[it[i].block];
	}
	qsort(fb, n, sizeof(*fb), cmp_fblock);
	for (i = 0; i < n; i++) {
		if (nfb && !cmp_fblock(&fb[nfb - 1], &fb[i])) {
			fb[nfb - 1].count += fb[i].count;
			continue;
		}
		fb[nfb++] = fb[i];
	}
	for (i = 0; i < nfb; i++) {
		if (fb[i].start + fb[i].len > fe && !it[0].func_size)
			fe = fb[i].start + fb[i].len;
		if (fb[i].start == fs)
			fcount += fb[i].count;
		if (fb[i].count > fmax)
			fmax = fb[i].count;
	}
	if (!fcount)
		fcount = fmax;
	if (!counted)
		fcount = fcount > 0;
	nrows = symbols_rows(syms, fs, fe, &rows);
	if (!nrows) {
		c->funcs_nolines++;
		free(fb);
		return 0;
	}
	tmp = calloc(nrows, sizeof(*tmp));
	if (!tmp) {
		free(fb);
		return -ENOMEM;
	}
	for (k = 0; k < nrows; k++) {
		const struct sym_row *r = &rows[k];
		uint64_t r0 = r->start, r1 = r->end > r->start ? r->end :
							   r->start + 1;
		struct tmp_line *t;

		if (r0 >= fe || r1 <= fs)
			continue;
		t = &tmp[ntmp];
		t->file = file_idx(c, r->file);
		if (t->file < 0)
			continue;
		t->line = r->line;
		t->count = 0;
		t->hit = false;
		/*
		 * Blocks overlap (a jump into a translated block starts a
		 * new one there): an instruction ran as often as the blocks
		 * holding it ran, summed.  The line's count is the largest
		 * such sum over its addresses, which changes only where a
		 * block starts: look at r0 and at every block start inside.
		 */
		for (i = 0; i < nfb && fb[i].start < r1; i++) {
			uint64_t p = fb[i].start > r0 ? fb[i].start : r0, sum = 0;
			size_t j;

			if (fb[i].start + fb[i].len <= r0)
				continue;
			for (j = 0; j < nfb && fb[j].start <= p; j++)
				if (p < fb[j].start + fb[j].len)
					sum += fb[j].count;
			if (sum > t->count)
				t->count = sum;
		}
		t->hit = t->count > 0;
		if (!counted)	/* -e cover: ran or not, no count */
			t->count = t->hit;
		ntmp++;
	}
	qsort(tmp, ntmp, sizeof(*tmp), cmp_tmp);

	if (!symbols_func_decl(syms, fs, &dfile, &dline)) {
		dfile = rows[0].file;
		dline = rows[0].line;
	}
	fidx = file_idx(c, dfile);
	if (fidx >= 0) {
		struct cover_file *cf = &c->files[fidx];
		struct cover_func *fn;

		if (GROW(cf->funcs, cf->cap_funcs, cf->nr_funcs + 1, 64))
			goto out;
		fn = &cf->funcs[cf->nr_funcs];
		memset(fn, 0, sizeof(*fn));
		fn->name = strdup(it[0].name);
		fn->module = strdup(it[0].module[0] ? it[0].module : "vmlinux");
		fn->line = dline;
		fn->count = fcount;
		fn->flines = calloc(ntmp ? ntmp : 1, sizeof(*fn->flines));
		if (!fn->name || !fn->module || !fn->flines) {
			free(fn->name);
			free(fn->module);
			free(fn->flines);
			goto out;
		}
		cf->nr_funcs++;
		for (i = 0; i < ntmp; i++)
			if (tmp[i].file == fidx &&
			    (!fn->nr_flines ||
			     fn->flines[fn->nr_flines - 1] != tmp[i].line))
				fn->flines[fn->nr_flines++] = tmp[i].line;
	}
	/* the same line in several rows of one function: the largest count */
	for (i = 0; i < ntmp; i++) {
		struct cover_file *cf = &c->files[tmp[i].file];
		struct cover_line *l;

		if (i + 1 < ntmp && tmp[i + 1].file == tmp[i].file &&
		    tmp[i + 1].line == tmp[i].line) {
			if (tmp[i].count > tmp[i + 1].count)
				tmp[i + 1].count = tmp[i].count;
			tmp[i + 1].hit |= tmp[i].hit;
			continue;
		}
		if (GROW(cf->lines, cf->cap_lines, cf->nr_lines + 1, 64))
			goto out;
		l = &cf->lines[cf->nr_lines++];
		l->line = tmp[i].line;
		l->count = tmp[i].count;
		l->hit = tmp[i].hit;
	}
	/* edges need real counts: -e cover only says "ran" */
	if (counted && add_branches(c, syms, fs, fe, fb, nfb))
		goto out;
	ret = 0;
out:
	free(tmp);
	free(fb);
	return ret;
}

int cover_add(struct cover *c, const struct jd_file *f, struct symbols *syms)
{
	bool counted = f->present & (1U << JD_SEC_COUNTERS), exact;
	struct item *items = NULL;
	uint64_t *counts;
	size_t n = 0, i, j;
	int ret = -ENOMEM;

	counts = calloc(f->nr_blocks ? f->nr_blocks : 1, sizeof(*counts));
	items = calloc(f->nr_blocks ? f->nr_blocks : 1, sizeof(*items));
	if (!counts || !items)
		goto out;
	for (i = 0; i < f->nr_counters; i++)
		if (f->counters[i].block < f->nr_blocks)
			counts[f->counters[i].block] += f->counters[i].count;
	/*
	 * Without counters (-e cover), the cover plugin flags the blocks that
	 * ran (JD_BLOCK_RAN): each counts 1.  With neither, every translated
	 * block is taken as run.
	 */
	exact = counted;
	if (!counted) {
		bool flagged = false;

		for (i = 0; i < f->nr_blocks && !flagged; i++)
			flagged = f->blocks[i].flags & JD_BLOCK_RAN;
		for (i = 0; i < f->nr_blocks; i++)
			counts[i] = !flagged || (f->blocks[i].flags & JD_BLOCK_RAN);
		if (!flagged)
			c->unflagged_runs++;
		counted = true;
	}
	for (i = 0; i < f->nr_blocks; i++) {
		const struct jd_block *b = &f->blocks[i];
		bool ran = counts[i] != 0;
		struct sym_src src;

		if (!symbols_lookup(syms, b->start, &src) || !src.func) {
			if (ran) {
				c->blocks_unresolved++;
				if (!c->include || !c->include[0])
					if (add_pc(c, b->start))
						goto out;
			}
			continue;
		}
		if (ran && (src.file ? wanted(c, src.file) :
				       !c->include || !c->include[0]))
			if (add_pc(c, b->start))
				goto out;
		items[n].func_start = src.func_start;
		items[n].func_size = src.func_size;
		items[n].name = src.func;
		items[n].module = src.module ? src.module : "";
		items[n].block = (uint32_t)i;
		n++;
	}
	qsort(items, n, sizeof(*items), cmp_item);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && items[j].func_start == items[i].func_start; j++)
			;
		if (add_func(c, f, syms, counts, exact, &items[i], j - i))
			goto out;
	}
	c->nr_runs++;
	ret = 0;
out:
	free(items);
	free(counts);
	return ret;
}

static int cmp_line(const void *a, const void *b)
{
	const struct cover_line *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_branch(const void *a, const void *b)
{
	const struct cover_branch *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->block < y->block ? -1 : x->block > y->block;
}

static int cmp_func(const void *a, const void *b)
{
	const struct cover_func *x = a, *y = b;
	int r;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	r = strcmp(x->name, y->name);
	return r ? r : strcmp(x->module, y->module);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct cover_file *)a)->path,
		      ((const struct cover_file *)b)->path);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static const struct cover_line *find_line(const struct cover_file *cf,
					  unsigned int line)
{
	struct cover_line key = { line, 0, false };

	return bsearch(&key, cf->lines, cf->nr_lines, sizeof(key), cmp_line);
}

void cover_finish(struct cover *c)
{
	size_t i, k, out;

	for (i = 0; i < c->nr_files; i++) {
		struct cover_file *cf = &c->files[i];

		/* sum over functions and runs */
		if (cf->nr_lines)
			qsort(cf->lines, cf->nr_lines, sizeof(*cf->lines), cmp_line);
		for (k = 0, out = 0; k < cf->nr_lines; k++) {
			if (out && cf->lines[out - 1].line == cf->lines[k].line) {
				struct cover_line *l = &cf->lines[out - 1];

				l->count = l->count + cf->lines[k].count < l->count ?
					   UINT64_MAX : l->count + cf->lines[k].count;
				l->hit |= cf->lines[k].hit;
				continue;
			}
			cf->lines[out++] = cf->lines[k];
		}
		cf->nr_lines = out;
		cf->lines_hit = 0;
		for (k = 0; k < cf->nr_lines; k++)
			cf->lines_hit += cf->lines[k].hit;

		/* the same jump from several runs or inlined copies: summed */
		if (cf->nr_branches)
			qsort(cf->branches, cf->nr_branches,
			      sizeof(*cf->branches), cmp_branch);
		for (k = 0, out = 0; k < cf->nr_branches; k++) {
			if (out && !cmp_branch(&cf->branches[out - 1],
					       &cf->branches[k])) {
				struct cover_branch *m = &cf->branches[out - 1];

				m->executed |= cf->branches[k].executed;
				m->taken += cf->branches[k].taken;
				m->not_taken += cf->branches[k].not_taken;
				continue;
			}
			cf->branches[out++] = cf->branches[k];
		}
		cf->nr_branches = out;
		cf->branches_hit = 0;
		for (k = 0; k < cf->nr_branches; k++)
			cf->branches_hit += (cf->branches[k].taken > 0) +
					    (cf->branches[k].not_taken > 0);

		/* the same function from several runs: one, counts summed */
		if (cf->nr_funcs)
			qsort(cf->funcs, cf->nr_funcs, sizeof(*cf->funcs), cmp_func);
		for (k = 0, out = 0; k < cf->nr_funcs; k++) {
			struct cover_func *fn = &cf->funcs[k];

			if (out && !cmp_func(&cf->funcs[out - 1], fn)) {
				struct cover_func *m = &cf->funcs[out - 1];
				unsigned int *t = realloc(m->flines,
					(m->nr_flines + fn->nr_flines) * sizeof(*t));

				m->count += fn->count;
				if (t) {
					memcpy(t + m->nr_flines, fn->flines,
					       fn->nr_flines * sizeof(*t));
					m->flines = t;
					m->nr_flines += fn->nr_flines;
				}
				free(fn->name);
				free(fn->module);
				free(fn->flines);
				continue;
			}
			cf->funcs[out++] = *fn;
		}
		cf->nr_funcs = out;
		cf->funcs_hit = 0;
		for (k = 0; k < cf->nr_funcs; k++) {
			struct cover_func *fn = &cf->funcs[k];
			size_t a, b;

			if (fn->nr_flines)
				qsort(fn->flines, fn->nr_flines,
				      sizeof(*fn->flines), cmp_uint);
			for (a = 0, b = 0; a < fn->nr_flines; a++)
				if (!b || fn->flines[b - 1] != fn->flines[a])
					fn->flines[b++] = fn->flines[a];
			fn->nr_flines = b;
			fn->lines = (unsigned int)b;
			fn->lines_hit = 0;
			for (a = 0; a < b; a++) {
				const struct cover_line *l =
					find_line(cf, fn->flines[a]);

				fn->lines_hit += l && l->hit;
			}
			cf->funcs_hit += fn->count > 0;
		}
	}
	if (c->nr_files)
		qsort(c->files, c->nr_files, sizeof(*c->files), cmp_file);
	if (c->nr_pcs)
		qsort(c->pcs, c->nr_pcs, sizeof(*c->pcs), cmp_u64);
	for (k = 0, out = 0; k < c->nr_pcs; k++)
		if (!out || c->pcs[out - 1] != c->pcs[k])
			c->pcs[out++] = c->pcs[k];
	c->nr_pcs = out;
}

void cover_totals(const struct cover *c, unsigned int *lines,
		  unsigned int *lines_hit, unsigned int *funcs,
		  unsigned int *funcs_hit)
{
	size_t i;

	*lines = *lines_hit = *funcs = *funcs_hit = 0;
	for (i = 0; i < c->nr_files; i++) {
		*lines += (unsigned int)c->files[i].nr_lines;
		*lines_hit += c->files[i].lines_hit;
		*funcs += (unsigned int)c->files[i].nr_funcs;
		*funcs_hit += c->files[i].funcs_hit;
	}
}

void cover_branch_totals(const struct cover *c, unsigned int *edges,
			 unsigned int *edges_hit)
{
	size_t i;

	*edges = *edges_hit = 0;
	for (i = 0; i < c->nr_files; i++) {
		*edges += 2 * (unsigned int)c->files[i].nr_branches;
		*edges_hit += c->files[i].branches_hit;
	}
}

/* ---- outputs --------------------------------------------------------------- */

void cover_write_lcov(FILE *fp, const struct cover *c, const char *test_name)
{
	size_t i, k;

	for (i = 0; i < c->nr_files; i++) {
		const struct cover_file *cf = &c->files[i];

		if (!cf->nr_lines && !cf->nr_funcs)
			continue;
		fprintf(fp, "TN:%s\n", test_name ? test_name : "");
		fprintf(fp, "SF:%s\n", cf->path);
		for (k = 0; k < cf->nr_funcs; k++)
			fprintf(fp, "FN:%u,%s\n", cf->funcs[k].line,
				cf->funcs[k].name);
		for (k = 0; k < cf->nr_funcs; k++)
			fprintf(fp, "FNDA:%" PRIu64 ",%s\n", cf->funcs[k].count,
				cf->funcs[k].name);
		fprintf(fp, "FNF:%zu\nFNH:%u\n", cf->nr_funcs, cf->funcs_hit);
		for (k = 0; k < cf->nr_branches; k++) {
			const struct cover_branch *b = &cf->branches[k];

			if (b->executed)
				fprintf(fp, "BRDA:%u,%u,0,%" PRIu64 "\nBRDA:%u,%u,1,%" PRIu64 "\n",
					b->line, b->block, b->taken, b->line,
					b->block, b->not_taken);
			else
				fprintf(fp, "BRDA:%u,%u,0,-\nBRDA:%u,%u,1,-\n",
					b->line, b->block, b->line, b->block);
		}
		if (cf->nr_branches)
			fprintf(fp, "BRF:%zu\nBRH:%u\n", 2 * cf->nr_branches,
				cf->branches_hit);
		for (k = 0; k < cf->nr_lines; k++)
			fprintf(fp, "DA:%u,%" PRIu64 "\n", cf->lines[k].line,
				cf->lines[k].hit ? (cf->lines[k].count ?
						    cf->lines[k].count : 1) : 0);
		fprintf(fp, "LF:%zu\nLH:%u\nend_of_record\n", cf->nr_lines,
			cf->lines_hit);
	}
}

void cover_write_pcs(FILE *fp, const struct cover *c)
{
	size_t i;

	for (i = 0; i < c->nr_pcs; i++)
		fprintf(fp, "0x%016" PRIx64 "\n", c->pcs[i]);
}

static double pct(unsigned int a, unsigned int b)
{
	return b ? 100.0 * a / b : 0.0;
}

void cover_write_json(FILE *fp, const struct cover *c)
{
	unsigned int l, lh, fn, fh, be, bh;
	size_t i, k;

	cover_totals(c, &l, &lh, &fn, &fh);
	fprintf(fp, "{\"runs\": %u, \"lines\": %u, \"lines_hit\": %u, \"functions\": %u, \"functions_hit\": %u,\n",
		c->nr_runs, l, lh, fn, fh);
	cover_branch_totals(c, &be, &bh);
	fprintf(fp, " \"branches\": %u, \"branches_hit\": %u,\n", be, bh);
	fprintf(fp, " \"without_lines\": {\"functions\": %u, \"blocks\": %u},\n",
		c->funcs_nolines, c->blocks_unresolved);
	fprintf(fp, " \"files\": [");
	for (i = 0; i < c->nr_files; i++) {
		const struct cover_file *cf = &c->files[i];

		fprintf(fp, "%s\n  {\"file\": ", i ? "," : "");
		json_write_str(fp, cf->path);
		fprintf(fp, ", \"lines\": %zu, \"lines_hit\": %u, \"branches\": %zu, \"branches_hit\": %u, \"functions\": [",
			cf->nr_lines, cf->lines_hit, 2 * cf->nr_branches,
			cf->branches_hit);
		for (k = 0; k < cf->nr_funcs; k++) {
			const struct cover_func *f = &cf->funcs[k];

			fprintf(fp, "%s\n    {\"name\": ", k ? "," : "");
			json_write_str(fp, f->name);
			fprintf(fp, ", \"module\": ");
			json_write_str(fp, f->module);
			fprintf(fp, ", \"line\": %u, \"count\": %" PRIu64 ", \"lines\": %u, \"lines_hit\": %u}",
				f->line, f->count, f->lines, f->lines_hit);
		}
		fprintf(fp, "%s], \"line_counts\": {", cf->nr_funcs ? "\n  " : "");
		for (k = 0; k < cf->nr_lines; k++)
			fprintf(fp, "%s\"%u\": %" PRIu64, k ? ", " : "",
				cf->lines[k].line,
				cf->lines[k].hit ? (cf->lines[k].count ?
						    cf->lines[k].count : 1) : 0);
		fprintf(fp, "}}");
	}
	fprintf(fp, "%s]}\n", c->nr_files ? "\n " : "");
}

void cover_write_text(FILE *fp, const struct cover *c, bool functions)
{
	unsigned int l, lh, fn, fh, be, bh;
	size_t i, k;

	cover_totals(c, &l, &lh, &fn, &fh);
	fprintf(fp, "# jifl cover: %u recording%s\n", c->nr_runs,
		c->nr_runs == 1 ? "" : "s");
	fprintf(fp, "# lines     : %5.1f%% (%u of %u)\n", pct(lh, l), lh, l);
	fprintf(fp, "# functions : %5.1f%% (%u of %u)\n", pct(fh, fn), fh, fn);
	cover_branch_totals(c, &be, &bh);
	if (be)
		fprintf(fp, "# branches  : %5.1f%% (%u of %u edges)\n",
			pct(bh, be), bh, be);
	if (c->funcs_nolines || c->blocks_unresolved)
		fprintf(fp, "# no lines  : %u recorded function%s without line information, %u executed block%s in code without debug info\n",
			c->funcs_nolines, c->funcs_nolines == 1 ? "" : "s",
			c->blocks_unresolved,
			c->blocks_unresolved == 1 ? "" : "s");
	fprintf(fp, "#\n#  Lines  Hit    Cover  Funcs  Hit  File\n");
	for (i = 0; i < c->nr_files; i++) {
		const struct cover_file *cf = &c->files[i];

		fprintf(fp, "%8zu %4u  %6.1f%%  %5zu %4u  %s\n", cf->nr_lines,
			cf->lines_hit, pct(cf->lines_hit, (unsigned int)cf->nr_lines),
			cf->nr_funcs, cf->funcs_hit, cf->path);
	}
	if (!functions)
		return;
	fprintf(fp, "#\n#  Lines  Hit    Cover        Count  Function (file:line)\n");
	for (i = 0; i < c->nr_files; i++) {
		const struct cover_file *cf = &c->files[i];
		const char *base = strrchr(cf->path, '/');

		base = base ? base + 1 : cf->path;
		for (k = 0; k < cf->nr_funcs; k++) {
			const struct cover_func *f = &cf->funcs[k];

			fprintf(fp, "%8u %4u  %6.1f%%  %11" PRIu64 "  %s%s%s%s (%s:%u)\n",
				f->lines, f->lines_hit, pct(f->lines_hit, f->lines),
				f->count, f->name,
				strcmp(f->module, "vmlinux") ? " [" : "",
				strcmp(f->module, "vmlinux") ? f->module : "",
				strcmp(f->module, "vmlinux") ? "]" : "",
				base, f->line);
		}
	}
}

static const struct cover_file *find_file(const struct cover *c,
					  const char *path)
{
	struct cover_file key;

	memset(&key, 0, sizeof(key));
	key.path = (char *)path;
	return bsearch(&key, c->files, c->nr_files, sizeof(key), cmp_file);
}

/* Lines of @x hit where @y does not hit them; printed with @mark. */
static size_t diff_one(FILE *fp, const struct cover *x, const struct cover *y,
		       const char *mark, bool json, bool *first)
{
	size_t i, k, n = 0;

	for (i = 0; i < x->nr_files; i++) {
		const struct cover_file *cf = &x->files[i];
		const struct cover_file *of = find_file(y, cf->path);

		for (k = 0; k < cf->nr_lines; k++) {
			const struct cover_line *ol;

			if (!cf->lines[k].hit)
				continue;
			ol = of ? find_line(of, cf->lines[k].line) : NULL;
			if (ol && ol->hit)
				continue;
			n++;
			if (json) {
				fprintf(fp, "%s\n  {\"file\": ", *first ? "" : ",");
				json_write_str(fp, cf->path);
				fprintf(fp, ", \"line\": %u, \"count\": %" PRIu64 ", \"instrumented_in_other\": %s}",
					cf->lines[k].line, cf->lines[k].count,
					ol ? "true" : "false");
				*first = false;
			} else {
				fprintf(fp, "%s %s:%u%s\n", mark, cf->path,
					cf->lines[k].line,
					ol ? "" : "  (not instrumented in the other)");
			}
		}
	}
	return n;
}

size_t cover_write_diff(FILE *fp, const struct cover *a, const struct cover *b,
			bool json)
{
	size_t na, nb;
	bool first = true;

	if (json)
		fprintf(fp, "{\"only_first\": [");
	else
		fprintf(fp, "# lines hit by the first recording only (+) and by the second only (-)\n");
	na = diff_one(fp, a, b, "+", json, &first);
	if (json) {
		fprintf(fp, "%s],\n \"only_second\": [", first ? "" : "\n ");
		first = true;
	}
	nb = diff_one(fp, b, a, "-", json, &first);
	if (json)
		fprintf(fp, "%s]}\n", first ? "" : "\n ");
	else
		fprintf(fp, "# %zu line%s only in the first, %zu only in the second\n",
			na, na == 1 ? "" : "s", nb);
	return na + nb;
}
