// SPDX-License-Identifier: GPL-2.0
/*
 * Branch edges of a function from block counts; see cover-branches.h.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "util/cover-branches.h"

#define MAX_FUNC	(256U << 10)

/* Executions of the instruction at @a: the blocks holding it, summed. */
static uint64_t runs_at(const struct cover_block *b, size_t nb, uint64_t a)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < nb && b[i].start <= a; i++)
		if (a < b[i].start + b[i].len)
			sum += b[i].count;
	return sum;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t cover_branches(struct symbols *syms, uint64_t start, uint64_t end,
		      const struct cover_block *b, size_t nb,
		      struct cover_jcc **out)
{
	uint64_t *targets = NULL;
	size_t n = 0, i, nt = 0, nj = 0;
	struct cover_jcc *j = NULL;
	cs_insn *insn = NULL;
	uint8_t *code;
	bool indirect = false;
	csh cs;

	*out = NULL;
	if (end <= start || end - start > MAX_FUNC)
		return 0;
	code = malloc(end - start);
	if (!code || !symbols_code(syms, start, end - start, code) ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(code);
		return 0;
	}
	n = cs_disasm(cs, code, end - start, start, 0, &insn);
	targets = calloc(n ? n : 1, sizeof(*targets));
	j = calloc(n ? n : 1, sizeof(*j));
	if (!targets || !j)
		goto out;
	for (i = 0; i < n; i++) {
		const char *m = insn[i].mnemonic, *op = insn[i].op_str;
		int64_t addend;

		if (m[0] != 'j')
			continue;
		if (strncmp(op, "0x", 2)) {	/* jmp *%rax, jmp *(...) */
			indirect = true;
			continue;
		}
		/* a relocated jump leaves the function (tail call, thunk) */
		if (symbols_reloc_name(syms, insn[i].address, insn[i].size,
				       &addend)) {
			if (!strncmp(symbols_reloc_name(syms, insn[i].address,
							insn[i].size, &addend),
				     "__x86_indirect_thunk", 20))
				indirect = true;
			continue;
		}
		targets[nt++] = strtoull(op, NULL, 16);
		if (strcmp(m, "jmp"))
			j[nj++].addr = insn[i].address;
	}
	if (indirect) {
		nj = 0;
		goto out;
	}
	qsort(targets, nt, sizeof(*targets), cmp_u64);
	for (i = 0; i < nj; i++) {
		size_t k;
		uint64_t after = 0;

		for (k = 0; k < n; k++)
			if (insn[k].address == j[i].addr) {
				after = insn[k].address + insn[k].size;
				break;
			}
		j[i].executed = runs_at(b, nb, j[i].addr);
		if (bsearch(&after, targets, nt, sizeof(*targets), cmp_u64)) {
			j[i].executed = UINT64_MAX;	/* edges unknown */
			continue;
		}
		j[i].not_taken = runs_at(b, nb, after);
		if (j[i].not_taken > j[i].executed) {	/* inconsistent data */
			j[i].executed = UINT64_MAX;
			continue;
		}
		j[i].taken = j[i].executed - j[i].not_taken;
	}
	/* keep the jumps whose edges are known */
	{
		size_t w = 0;

		for (i = 0; i < nj; i++)
			if (j[i].executed != UINT64_MAX)
				j[w++] = j[i];
		nj = w;
	}
out:
	if (insn)
		cs_free(insn, n);
	cs_close(&cs);
	free(code);
	free(targets);
	if (!nj) {
		free(j);
		return 0;
	}
	*out = j;
	return nj;
}
