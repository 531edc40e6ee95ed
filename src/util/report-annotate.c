// SPDX-License-Identifier: GPL-2.0
/*
 * Function annotation for `jifl report --annotate`; see report-annotate.h.
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/report-annotate.h"
#include "util/report-pager.h"
#include "util/json-write.h"

#define MAX_FUNC_SIZE	(1U << 20)

/* The recorded kallsyms entry for "func" or "module:func". */
static const struct jd_ksym *find_ksym(const struct jd_file *f,
				       const char *spec, uint64_t *end)
{
	const struct jd_kallsyms *ks = &f->kallsyms;
	const char *colon = strchr(spec, ':'), *name = colon ? colon + 1 : spec;
	size_t modlen = colon ? (size_t)(colon - spec) : 0;
	uint32_t i, j;

	for (i = 0; i < ks->count; i++) {
		const struct jd_ksym *k = &ks->syms[i];
		const char *m = k->module ? k->module : "";

		if (strcmp(k->name, name))
			continue;
		if (colon && !(strlen(m) == modlen && !strncmp(m, spec, modlen)) &&
		    !(modlen == 7 && !strncmp(spec, "vmlinux", 7) && !*m))
			continue;
		*end = ks->end;
		for (j = i + 1; j < ks->count; j++)
			if (ks->syms[j].addr > k->addr) {
				*end = ks->syms[j].addr;
				break;
			}
		return k;
	}
	return NULL;
}

/* Line @line of @path (cached: one file at a time), or NULL. */
static const char *source_text(const char *path, unsigned int line)
{
	static char *cpath, *text;
	static char **lines;
	static size_t nlines;
	FILE *fp;
	size_t cap = 0;

	if (!path || !line)
		return NULL;
	if (!cpath || strcmp(cpath, path)) {
		char buf[4096];

		free(cpath);
		free(text);
		free(lines);
		cpath = strdup(path);
		text = NULL;
		lines = NULL;
		nlines = 0;
		fp = fopen(path, "r");
		if (!fp)
			return NULL;
		while (fgets(buf, sizeof(buf), fp)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (GROW(lines, cap, nlines + 1, 256))
				break;
			lines[nlines++] = strdup(buf);
		}
		fclose(fp);
	}
	return line <= nlines ? lines[line - 1] : NULL;
}

/* call, jmp and jcc: relative targets that relocations fill in */
static bool is_branch(const char *m)
{
	return m[0] == 'j' || !strncmp(m, "call", 4);
}

int report_annotate(FILE *fp, const struct jd_file *f, struct symbols *syms,
		    const struct report_annotate_opts *o)
{
	const struct jd_ksym *k;
	uint64_t start, end, *counts = NULL, total = 0, maxc = 0;
	struct sym_src src;
	uint8_t *code = NULL, probe[1];
	cs_insn *insn = NULL;
	const char *last_file = NULL, *hint;
	unsigned int last_line = 0;
	size_t n = 0, i, size;
	csh cs;
	uint32_t b;
	int ret = 1;

	if (f->kallsyms.flags & JD_KF_ADDRS_HIDDEN || !f->kallsyms.count) {
		fprintf(stderr, "jifl report: --annotate: the recording has no usable kallsyms snapshot (addresses hidden or missing): functions cannot be found by name\n");
		return 1;
	}
	k = find_ksym(f, o->sym, &end);
	if (!k) {
		fprintf(stderr, "jifl report: --annotate: no function '%s' in the recorded kallsyms (use the name `jifl report` shows; MODULE:NAME picks a module's)\n",
			o->sym);
		return 1;
	}
	start = k->addr;
	/* a vmlinux without symbols has code: kallsyms gives the bounds */
	if (!symbols_lookup(syms, start, &src) && !symbols_code(syms, start, 1, probe)) {
		hint = symbols_hint(syms);
		fprintf(stderr, "jifl report: --annotate: no object file holding the code of %s%s%s\n",
			k->name, hint ? ": " : "", hint ? hint : "");
		return 1;
	}
	if (src.func && src.func_size && src.func_start == start)
		end = start + src.func_size;
	size = end - start;
	if (!size || size > MAX_FUNC_SIZE) {
		fprintf(stderr, "jifl report: --annotate: %s: cannot tell its size\n",
			o->sym);
		return 1;
	}
	code = malloc(size);
	if (!code || !symbols_code(syms, start, size, code)) {
		hint = symbols_hint(syms);
		fprintf(stderr, "jifl report: --annotate: no object file holding the code of %s%s%s\n",
			k->name, hint ? ": " : "", hint ? hint : "");
		goto out;
	}
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		fprintf(stderr, "jifl report: --annotate: Capstone cannot disassemble x86-64\n");
		goto out;
	}
	cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	n = cs_disasm(cs, code, size, start, 0, &insn);
	counts = calloc(n ? n : 1, sizeof(*counts));
	if (!counts) {
		cs_close(&cs);
		goto out;
	}
	/* an instruction ran as often as the recorded blocks holding it */
	for (b = 0; b < f->nr_counters; b++) {
		const struct jd_block *bl = &f->blocks[f->counters[b].block];

		if (bl->start + bl->len <= start || bl->start >= end)
			continue;
		for (i = 0; i < n; i++)
			if (insn[i].address >= bl->start &&
			    insn[i].address < bl->start + bl->len)
				counts[i] += f->counters[b].count;
	}
	for (i = 0; i < n; i++) {
		total += counts[i];
		if (counts[i] > maxc)
			maxc = counts[i];
	}

	report_pager_start(o->stdio || o->json);
	if (o->json) {
		fprintf(fp, "{\"symbol\": ");
		json_write_str(fp, k->name);
		fprintf(fp, ", \"module\": ");
		json_write_str(fp, k->module && *k->module ? k->module : "vmlinux");
		fprintf(fp, ", \"address\": \"0x%016" PRIx64 "\", \"size\": %zu, \"insns\": [",
			start, size);
	} else {
		fprintf(fp, "# annotate %s%s%s%s (0x%016" PRIx64 ", %zu bytes): instruction executions\n",
			k->name, k->module && *k->module ? " [" : "",
			k->module && *k->module ? k->module : "",
			k->module && *k->module ? "]" : "", start, size);
		fprintf(fp, "# %llu instructions executed in all; the hottest %llu times\n#\n",
			(unsigned long long)total, (unsigned long long)maxc);
	}
	for (i = 0; i < n; i++) {
		struct sym_src s;
		const char *rel;
		int64_t addend = 0;
		bool have = symbols_lookup(syms, insn[i].address, &s);

		rel = symbols_reloc_name(syms, insn[i].address, insn[i].size,
					 &addend);
		if (o->json) {
			fprintf(fp, "%s\n  {\"address\": \"0x%016" PRIx64 "\", \"offset\": %" PRIu64 ", \"count\": %" PRIu64 ", \"asm\": ",
				i ? "," : "", insn[i].address,
				insn[i].address - start, counts[i]);
			{
				char a[256];

				snprintf(a, sizeof(a), "%s%s%s", insn[i].mnemonic,
					 insn[i].op_str[0] ? " " : "",
					 insn[i].op_str);
				json_write_str(fp, a);
			}
			fprintf(fp, ", \"reloc\": ");
			json_write_str(fp, rel);
			fprintf(fp, ", \"srcfile\": ");
			json_write_str(fp, have ? s.file : NULL);
			if (have && s.file)
				fprintf(fp, ", \"srcline\": %u}", s.line);
			else
				fprintf(fp, ", \"srcline\": null}");
			continue;
		}
		if (have && s.file &&
		    (s.line != last_line || !last_file || strcmp(s.file, last_file))) {
			const char *t = source_text(s.file, s.line);

			fprintf(fp, "%21s : %s:%u%s%s\n", "", s.file, s.line,
				t ? "  " : "", t ? t : "");
			last_file = s.file;
			last_line = s.line;
		}
		if (counts[i])
			fprintf(fp, "%12" PRIu64 " %6.2f%% :", counts[i],
				total ? 100.0 * (double)counts[i] / (double)total : 0.0);
		else
			fprintf(fp, "%21s :", "");
		if (rel && is_branch(insn[i].mnemonic)) {
			/* the unrelocated target means nothing: name it */
			fprintf(fp, " %6" PRIx64 ":  %-7s %s", insn[i].address - start,
				insn[i].mnemonic, rel);
			if (addend != -4)
				fprintf(fp, "%+" PRId64, addend + 4);
		} else {
			uint64_t t = strtoull(insn[i].op_str, NULL, 16);

			fprintf(fp, " %6" PRIx64 ":  %-7s %s", insn[i].address - start,
				insn[i].mnemonic, insn[i].op_str);
			if (is_branch(insn[i].mnemonic) &&
			    !strncmp(insn[i].op_str, "0x", 2) && t >= start &&
			    t < end)
				fprintf(fp, " <%s+0x%" PRIx64 ">", k->name, t - start);
			if (rel)
				fprintf(fp, "  # %s%+" PRId64, rel, addend);
		}
		fputc('\n', fp);
	}
	if (o->json)
		fputs(n ? "\n]}\n" : "]}\n", fp);
	report_pager_end();
	cs_free(insn, n);
	cs_close(&cs);
	ret = 0;
	hint = symbols_hint(syms);
	if (hint && !o->json)
		fprintf(stderr, "jifl report: %s\n", hint);
out:
	free(counts);
	free(code);
	return ret;
}
