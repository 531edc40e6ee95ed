// SPDX-License-Identifier: GPL-2.0
/*
 * decode-bench: decoding throughput of jit_decode() against Capstone on the
 * functions of ELF files (kernel modules, libraries).
 *
 * All function bytes are loaded first.  Each function is cut to the prefix
 * both decoders agree on instruction by instruction (same lengths), so
 * every decoder decodes exactly the same instructions.  Then each decoder
 * sweeps the whole set, best of --rounds runs:
 *   jifl              jit_decode(), all fields of struct jit_insn
 *   capstone          cs_disasm_iter(), CS_OPT_DETAIL off
 *   capstone-detail   cs_disasm_iter(), CS_OPT_DETAIL on (closest to what
 *                     jit_decode() gives: operands, prefixes, EFLAGS)
 * The last output line is key=value pairs.
 *
 * Usage: decode-bench [--rounds N] [--list FILE] FILE...
 */
#define _GNU_SOURCE
#include <capstone.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit/insn.h"

struct fn {
	size_t off;		/* into code[] */
	size_t size;
	uint64_t addr;
};

static unsigned char *code;
static size_t code_len, code_cap;
static struct fn *fns;
static size_t nfns, fns_cap;
static unsigned long nfiles;

static void add_fn(const unsigned char *p, size_t size, uint64_t addr)
{
	if (code_len + size > code_cap) {
		code_cap = (code_len + size) * 2;
		code = realloc(code, code_cap);
	}
	if (nfns == fns_cap) {
		fns_cap = fns_cap ? fns_cap * 2 : 4096;
		fns = realloc(fns, fns_cap * sizeof(*fns));
	}
	memcpy(code + code_len, p, size);
	fns[nfns].off = code_len;
	fns[nfns].size = size;
	fns[nfns].addr = addr;
	nfns++;
	code_len += size;
}

static void load_elf(Elf *elf)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh, symsh = { 0 };
	GElf_Ehdr eh;
	Elf_Data *symdata;
	size_t i, nsyms, shnum;

	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64 ||
	    elf_getshdrnum(elf, &shnum))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return;
		if (sh.sh_type == SHT_SYMTAB ||
		    (sh.sh_type == SHT_DYNSYM && !symscn)) {
			symscn = scn;
			symsh = sh;
		}
	}
	if (!symscn || !symsh.sh_entsize)
		return;
	symdata = elf_getdata(symscn, NULL);
	if (!symdata)
		return;
	nsyms = symsh.sh_size / symsh.sh_entsize;
	for (i = 0; i < nsyms; i++) {
		Elf_Data *data;
		uint64_t start;
		GElf_Sym s;

		if (!gelf_getsym(symdata, i, &s) ||
		    GELF_ST_TYPE(s.st_info) != STT_FUNC || !s.st_size ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE ||
		    s.st_shndx >= shnum)
			continue;
		scn = elf_getscn(elf, s.st_shndx);
		if (!scn || !gelf_getshdr(scn, &sh) ||
		    !(sh.sh_flags & SHF_EXECINSTR) || sh.sh_type == SHT_NOBITS)
			continue;
		start = eh.e_type == ET_REL ? s.st_value :
			s.st_value - sh.sh_addr;
		if (start > sh.sh_size || s.st_size > sh.sh_size - start)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || data->d_size < sh.sh_size)
			continue;
		add_fn((unsigned char *)data->d_buf + start, s.st_size,
		       s.st_value);
	}
	nfiles++;
}

static void load_file(const char *path)
{
	size_t len = strlen(path);
	Elf *elf;

	if (len > 3 && !strcmp(path + len - 3, ".xz")) {
		char *cmd, *buf = NULL;
		size_t cap = 0, n = 0, r;
		FILE *p;

		if (asprintf(&cmd, "xz -dc -- '%s'", path) < 0)
			return;
		p = popen(cmd, "r");
		free(cmd);
		if (!p)
			return;
		for (;;) {
			if (n == cap) {
				cap = cap ? cap * 2 : 1 << 20;
				buf = realloc(buf, cap);
			}
			r = fread(buf + n, 1, cap - n, p);
			if (!r)
				break;
			n += r;
		}
		pclose(p);
		elf = elf_memory(buf, n);
		if (elf) {
			load_elf(elf);
			elf_end(elf);
		}
		free(buf);
	} else {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			return;
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (elf) {
			if (elf_kind(elf) == ELF_K_ELF)
				load_elf(elf);
			elf_end(elf);
		}
		close(fd);
	}
}

/* cuts every function to the prefix both decoders decode alike */
static unsigned long trim(csh cs, cs_insn *ci, unsigned long *bytes)
{
	unsigned long insns = 0;
	size_t i;

	*bytes = 0;
	for (i = 0; i < nfns; i++) {
		const uint8_t *cp = code + fns[i].off;
		size_t off = 0, csize = fns[i].size;
		uint64_t caddr = fns[i].addr;
		struct jit_insn in;

		while (off < fns[i].size) {
			int l = jit_decode(&in, code + fns[i].off + off,
					   fns[i].size - off, fns[i].addr + off);

			if (l <= 0 || !cs_disasm_iter(cs, &cp, &csize, &caddr, ci) ||
			    ci->size != (unsigned int)l)
				break;
			off += l;
			insns++;
		}
		fns[i].size = off;
		*bytes += off;
	}
	return insns;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run_jifl(unsigned long *count)
{
	double t = now();
	unsigned long n = 0;
	unsigned int sink = 0;
	size_t i;

	for (i = 0; i < nfns; i++) {
		const unsigned char *p = code + fns[i].off;
		size_t off = 0, size = fns[i].size;
		uint64_t pc = fns[i].addr;
		struct jit_insn in;

		while (off < size) {
			int l = jit_decode(&in, p + off, size - off, pc + off);

			if (l <= 0)
				break;
			sink += in.flow + in.flags_written;
			off += l;
			n++;
		}
	}
	t = now() - t;
	*count = n + (sink & 0);
	__asm__ volatile("" : : "r"(sink));
	return t;
}

static double run_cs(csh cs, cs_insn *ci, unsigned long *count)
{
	double t = now();
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < nfns; i++) {
		const uint8_t *cp = code + fns[i].off;
		size_t csize = fns[i].size;
		uint64_t caddr = fns[i].addr;

		while (csize && cs_disasm_iter(cs, &cp, &csize, &caddr, ci))
			n++;
	}
	*count = n;
	return now() - t;
}

int main(int argc, char **argv)
{
	unsigned long insns, bytes, nj = 0, nc = 0, nd = 0;
	double tj = 1e9, tc = 1e9, td = 1e9, t;
	int i, rounds = 3;
	cs_insn *ci;
	csh cs;

	if (elf_version(EV_CURRENT) == EV_NONE ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 2;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--list") && i + 1 < argc) {
			FILE *f = strcmp(argv[++i], "-") ? fopen(argv[i], "r") :
				  stdin;
			char line[4096];

			if (!f)
				return 2;
			while (fgets(line, sizeof(line), f)) {
				line[strcspn(line, "\n")] = 0;
				if (*line)
					load_file(line);
			}
		} else {
			load_file(argv[i]);
		}
	}
	ci = cs_malloc(cs);
	insns = trim(cs, ci, &bytes);
	printf("corpus: %lu files, %zu functions, %lu instructions, %lu bytes\n",
	       nfiles, nfns, insns, bytes);
	if (!insns)
		return 2;
	for (i = 0; i < rounds; i++) {
		t = run_jifl(&nj);
		if (t < tj)
			tj = t;
		t = run_cs(cs, ci, &nc);
		if (t < tc)
			tc = t;
	}
	cs_free(ci, 1);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	ci = cs_malloc(cs);
	for (i = 0; i < rounds; i++) {
		t = run_cs(cs, ci, &nd);
		if (t < td)
			td = t;
	}
	if (nj != insns || nc != insns || nd != insns) {
		fprintf(stderr, "decode-bench: instruction counts differ: %lu %lu %lu %lu\n",
			insns, nj, nc, nd);
		return 1;
	}
	printf("%-16s %8.3f s %9.2f Minsn/s %8.1f MB/s\n", "jifl", tj,
	       insns / tj / 1e6, bytes / tj / 1e6);
	printf("%-16s %8.3f s %9.2f Minsn/s %8.1f MB/s\n", "capstone", tc,
	       insns / tc / 1e6, bytes / tc / 1e6);
	printf("%-16s %8.3f s %9.2f Minsn/s %8.1f MB/s\n", "capstone-detail",
	       td, insns / td / 1e6, bytes / td / 1e6);
	printf("insns=%lu bytes=%lu jifl_minsn_s=%.2f capstone_minsn_s=%.2f capstone_detail_minsn_s=%.2f speedup=%.1f speedup_detail=%.1f\n",
	       insns, bytes, insns / tj / 1e6, insns / tc / 1e6,
	       insns / td / 1e6, tc / tj, td / tj);
	cs_free(ci, 1);
	cs_close(&cs);
	return 0;
}
