// SPDX-License-Identifier: GPL-2.0
/*
 * decode-diff: differential test of jit_decode() against Capstone.
 *
 * For every ELF file given (kernel modules .ko or .ko.xz, shared libraries,
 * executables), every STT_FUNC symbol with a size in an executable section
 * is decoded linearly with both decoders; length, control-flow class and
 * branch target are compared.  A function stops at its first disagreement
 * (the instruction stream cannot be resynchronised) or where both decoders
 * agree the bytes are invalid (padding, data).  After a known disagreement
 * (decode-known.txt: Capstone defects) the sweep goes on with jifl's
 * length.
 *
 * Usage: decode-diff [--quiet] [--summary] [--flags] [--objdump] [--tap]
 *                    [--known FILE] FILE...
 * --summary twice also lists what --objdump settled.
 *        decode-diff --list FILE   (file names, one a line, "-" = stdin)
 *
 * The known file lists explained disagreements, one a line:
 *	<hex bytes: xx, xx/mask, or ?? for any byte> <reason>
 * A disagreement whose instruction bytes start with the pattern is counted
 * as known under that reason.  With --objdump, bytes Capstone rejects but
 * jifl decodes are given to GNU objdump (newer tables: AVX-512, CET, ...);
 * if its length agrees they are counted apart, not as disagreements.
 * Exit status: 0 if every disagreement is
 * known, 1 otherwise, 2 on usage or file errors.
 */
#define _GNU_SOURCE
#include <capstone.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jit/insn.h"

enum reason {
	R_LENGTH, R_FLOW, R_TARGET, R_JIFL_INVALID, R_CS_INVALID, R_NR
};

static const char *const reason_names[R_NR] = {
	"length", "flow", "target", "jifl-invalid", "capstone-invalid",
};

struct known {
	unsigned char bytes[16];
	unsigned char mask[16];
	unsigned int len;
	char *reason;
	unsigned long count;
};

static struct known *known;
static unsigned int nr_known;
static int quiet, summary, tap, check_flags, use_objdump;
static unsigned long n_flag_unsafe, n_flag_imprecise, n_skipped;
static unsigned long n_objdump_hits;
static csh cs;
static unsigned long n_files, n_funcs, n_insns, n_bytes, n_both_invalid;
static unsigned long n_bad_files, n_unexplained, n_known_hits;
static unsigned long reason_count[R_NR];

static void load_known(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f) {
		fprintf(stderr, "decode-diff: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		struct known k = { 0 };
		char *p = line, *end;

		if (*p == '#' || *p == '\n')
			continue;
		while (k.len < 16) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (p[0] == '?' && p[1] == '?') {
				k.len++;
				p += 2;
				continue;
			}
			if (!(p[0] && p[1] && isxdigit(p[0]) && isxdigit(p[1]) &&
			      (p[2] == ' ' || p[2] == '\t' || p[2] == '\n' ||
			       p[2] == '/')))
				break;
			k.bytes[k.len] = strtoul(p, &end, 16);
			k.mask[k.len] = 0xff;
			p = end;
			if (*p == '/') {	/* value/mask */
				k.mask[k.len] = strtoul(p + 1, &end, 16);
				k.bytes[k.len] &= k.mask[k.len];
				p = end;
			}
			k.len++;
		}
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		if (!k.len || !*p) {
			fprintf(stderr, "decode-diff: %s: bad line: %s\n", path, line);
			exit(2);
		}
		k.reason = strdup(p);
		known = realloc(known, (nr_known + 1) * sizeof(*known));
		known[nr_known++] = k;
	}
	fclose(f);
}

static struct known *find_known(const unsigned char *code, size_t avail)
{
	unsigned int i, j;

	for (i = 0; i < nr_known; i++) {
		struct known *k = &known[i];

		if (k->len > avail)
			continue;
		for (j = 0; j < k->len; j++)
			if ((code[j] & k->mask[j]) != k->bytes[j])
				break;
		if (j == k->len)
			return k;
	}
	return NULL;
}

static int cs_flow(const cs_insn *ci, unsigned long long *target)
{
	const cs_x86 *x = &ci->detail->x86;
	int imm = x->op_count >= 1 && x->operands[0].type == X86_OP_IMM;

	*target = imm ? (unsigned long long)x->operands[0].imm : 0;
	switch (ci->id) {
	case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
	case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
	case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
	case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
		return JIT_FLOW_JCC;
	case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
	case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
		return JIT_FLOW_LOOP;
	case X86_INS_JMP:
		return imm ? JIT_FLOW_JMP : JIT_FLOW_JMP_IND;
	case X86_INS_CALL:
		return imm ? JIT_FLOW_CALL : JIT_FLOW_CALL_IND;
	case X86_INS_RET:
		*target = 0;
		return JIT_FLOW_RET;
	case X86_INS_INT: case X86_INS_INT1: case X86_INS_INT3:
	case X86_INS_INTO: case X86_INS_UD2: case X86_INS_UD2B:
	case X86_INS_UD0:
		*target = 0;
		return JIT_FLOW_TRAP;
	case X86_INS_XBEGIN:
		return JIT_FLOW_SYSTEM;
	case X86_INS_LCALL: case X86_INS_LJMP: case X86_INS_RETF:
	case X86_INS_RETFQ: case X86_INS_IRET: case X86_INS_IRETD:
	case X86_INS_IRETQ: case X86_INS_SYSCALL: case X86_INS_SYSENTER:
	case X86_INS_SYSEXIT: case X86_INS_SYSRET: case X86_INS_HLT:
	case X86_INS_VMCALL: case X86_INS_VMLAUNCH: case X86_INS_VMRESUME:
	case X86_INS_VMRUN: case X86_INS_VMMCALL: case X86_INS_RSM:
		*target = 0;
		return JIT_FLOW_SYSTEM;
	}
	*target = 0;
	return JIT_FLOW_NEXT;
}

static void hexdump(char *buf, const unsigned char *p, size_t n)
{
	size_t i;

	*buf = 0;
	for (i = 0; i < n; i++)
		buf += sprintf(buf, "%s%02x", i ? " " : "", p[i]);
}

/*
 * --objdump: where Capstone 4 rejects bytes jifl decodes (mostly AVX-512
 * encodings it lacks), ask GNU objdump, whose tables are newer.  Return:
 * objdump's length for the first instruction, 0 if it says (bad).
 */
static int objdump_len(const unsigned char *code, size_t avail, char *mn,
		       size_t mn_size)
{
	char path[] = "/tmp/decode-diff-XXXXXX", cmd[256], line[512];
	int fd = mkstemp(path), len = 0;
	FILE *p;

	*mn = 0;
	if (fd < 0)
		return 0;
	if (write(fd, code, avail < 15 ? avail : 15) < 0) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -m i386:x86-64 --insn-width=15 %s 2>/dev/null",
		 path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char *hexs, *m;

		if (strncmp(line, "   0:\t", 6))
			continue;
		hexs = strchr(line, '\t') + 1;
		m = strchr(hexs, '\t');
		if (!m || strstr(m, "(bad)"))
			break;
		*m++ = 0;
		m[strcspn(m, "\n")] = 0;
		snprintf(mn, mn_size, "%s", m);
		for (; *hexs; hexs++)
			if (isxdigit(hexs[0]) && isxdigit(hexs[1])) {
				len++;
				hexs++;
			}
		break;
	}
	if (p)
		pclose(p);
	unlink(path);
	return len;
}

/* Return: true if the disagreement is a known one */
static bool report(const char *file, const char *sym, unsigned long off,
		   const unsigned char *code, size_t avail, int jlen,
		   const struct jit_insn *ji, const cs_insn *ci, int cflow,
		   unsigned long long ctarget, enum reason r)
{
	struct known *k = find_known(code, avail);
	char hex[64];

	if (k) {
		k->count++;
		n_known_hits++;
		return true;
	}
	if (use_objdump && r == R_CS_INVALID && jlen > 0) {
		char mn[128];

		if (objdump_len(code, avail, mn, sizeof(mn)) == jlen) {
			n_objdump_hits++;
			if (!quiet && summary > 1)
				printf("%s%s: %s+%#lx: capstone-invalid, objdump agrees: %s\n",
				       tap ? "# " : "", file, sym, off, mn);
			return true;
		}
	}
	n_unexplained++;
	reason_count[r]++;
	if (quiet)
		return false;
	hexdump(hex, code, avail < 15 ? avail : 15);
	printf("%s%s: %s+%#lx: %s: %s\n", tap ? "# " : "", file, sym, off,
	       reason_names[r], hex);
	if (jlen > 0)
		printf("%s  jifl:     len %d flow %s target %#llx\n",
		       tap ? "# " : "", jlen, jit_flow_name(ji->flow),
		       (unsigned long long)ji->target);
	else
		printf("%s  jifl:     %s\n", tap ? "# " : "",
		       jlen == JIT_DECODE_INVALID ? "invalid" : "truncated");
	if (ci)
		printf("%s  capstone: len %u flow %s target %#llx: %s %s\n",
		       tap ? "# " : "", ci->size, jit_flow_name(cflow),
		       ctarget, ci->mnemonic, ci->op_str);
	else
		printf("%s  capstone: invalid\n", tap ? "# " : "");
	return false;
}

/* capstone eflags -> JIT_EFL_* */
static unsigned int cs_efl(uint64_t e, uint64_t of, uint64_t sf, uint64_t zf,
			   uint64_t af, uint64_t pf, uint64_t cf, uint64_t df)
{
	return (e & cf ? JIT_EFL_CF : 0) | (e & pf ? JIT_EFL_PF : 0) |
	       (e & af ? JIT_EFL_AF : 0) | (e & zf ? JIT_EFL_ZF : 0) |
	       (e & sf ? JIT_EFL_SF : 0) | (e & of ? JIT_EFL_OF : 0) |
	       (e & df ? JIT_EFL_DF : 0);
}

/*
 * --flags: an EFLAGS liveness check.  Unsafe: a flag Capstone says is
 * tested that jifl does not read, or one jifl says is written that
 * Capstone does not write.  Imprecise: written per Capstone, not per jifl.
 * Diagnostic only: Capstone 4's EFLAGS tables have holes.
 */
static void compare_flags(const char *file, const char *sym, unsigned long off,
			  const struct jit_insn *ji, const cs_insn *ci)
{
	uint64_t e = ci->detail->x86.eflags;
	unsigned int test, wr, bad_r, bad_w;

	test = cs_efl(e, X86_EFLAGS_TEST_OF, X86_EFLAGS_TEST_SF,
		      X86_EFLAGS_TEST_ZF, X86_EFLAGS_TEST_AF, X86_EFLAGS_TEST_PF,
		      X86_EFLAGS_TEST_CF, X86_EFLAGS_TEST_DF);
	wr = cs_efl(e, X86_EFLAGS_MODIFY_OF | X86_EFLAGS_RESET_OF |
		    X86_EFLAGS_SET_OF | X86_EFLAGS_UNDEFINED_OF,
		    X86_EFLAGS_MODIFY_SF | X86_EFLAGS_RESET_SF |
		    X86_EFLAGS_SET_SF | X86_EFLAGS_UNDEFINED_SF,
		    X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_RESET_ZF |
		    X86_EFLAGS_SET_ZF | X86_EFLAGS_UNDEFINED_ZF,
		    X86_EFLAGS_MODIFY_AF | X86_EFLAGS_RESET_AF |
		    X86_EFLAGS_SET_AF | X86_EFLAGS_UNDEFINED_AF,
		    X86_EFLAGS_MODIFY_PF | X86_EFLAGS_RESET_PF |
		    X86_EFLAGS_SET_PF | X86_EFLAGS_UNDEFINED_PF,
		    X86_EFLAGS_MODIFY_CF | X86_EFLAGS_RESET_CF |
		    X86_EFLAGS_SET_CF | X86_EFLAGS_UNDEFINED_CF,
		    X86_EFLAGS_MODIFY_DF | X86_EFLAGS_RESET_DF |
		    X86_EFLAGS_SET_DF);
	/*
	 * Capstone 4 holes: no EFLAGS for VEX/EVEX; SSE movsd/movss share
	 * the ids of the string instructions and read DF there.
	 */
	if ((ji->attr & (JIT_ATTR_VEX | JIT_ATTR_EVEX)) && !e)
		return;
	if (ji->map == JIT_MAP_0F)
		test &= ~JIT_EFL_DF;
	bad_r = test & ~ji->flags_read;
	bad_w = ji->flags_written & ~wr;
	if (bad_r || bad_w) {
		n_flag_unsafe++;
		if (!quiet)
			printf("%s%s: %s+%#lx: flags: %s %s: jifl r %#x w %#x, capstone r %#x w %#x\n",
			       tap ? "# " : "", file, sym, off, ci->mnemonic,
			       ci->op_str, ji->flags_read, ji->flags_written,
			       test, wr);
	} else if (wr & ~ji->flags_written) {
		if (getenv("DD_IMPRECISE"))
			printf("imprecise: %s %s\n", ci->mnemonic, ci->op_str);
		n_flag_imprecise++;
	}
}

static void diff_func(const char *file, const char *sym,
		      const unsigned char *code, size_t size, uint64_t addr,
		      cs_insn *ci)
{
	uint64_t pc = addr;
	size_t off = 0;

	n_funcs++;
	while (off < size) {
		const uint8_t *cp = code + off;
		size_t csize = size - off;
		uint64_t caddr = pc;
		unsigned long long ctarget = 0;
		struct jit_insn ji;
		int jlen, cflow = 0, cok;
		enum reason r;

		jlen = jit_decode(&ji, code + off, size - off, pc);
		cok = cs_disasm_iter(cs, &cp, &csize, &caddr, ci);
		if (cok)
			cflow = cs_flow(ci, &ctarget);
		if (jlen < 0 && !cok) {
			n_both_invalid++;
			return;
		}
		if (jlen < 0)
			r = R_JIFL_INVALID;
		else if (!cok)
			r = R_CS_INVALID;
		else if ((unsigned int)jlen != ci->size)
			r = R_LENGTH;
		else if (ji.flow != cflow)
			r = R_FLOW;
		else if (jit_flow_is_branch(ji.flow) && ji.target != ctarget)
			r = R_TARGET;
		else {
			if (check_flags)
				compare_flags(file, sym, pc - addr, &ji, ci);
			n_insns++;
			n_bytes += jlen;
			off += jlen;
			pc += jlen;
			continue;
		}
		if (!report(file, sym, pc - addr, code + off, size - off, jlen,
			    &ji, cok ? ci : NULL, cflow, ctarget, r) ||
		    jlen <= 0)
			return;
		/* known Capstone defect: go on with jifl's length */
		off += jlen;
		pc += jlen;
	}
}

struct func {
	size_t shndx;
	uint64_t value, size;
	const char *name;
};

static int func_cmp(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return 0;
}

static int diff_elf(const char *file, Elf *elf, cs_insn *ci)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh, symsh = { 0 };
	GElf_Ehdr eh;
	Elf_Data *symdata;
	struct func *funcs;
	size_t nsyms, i, nf = 0, shnum;
	int rel;

	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64)
		return -1;
	rel = eh.e_type == ET_REL;
	if (elf_getshdrnum(elf, &shnum))
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -1;
		if (sh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			symsh = sh;
		} else if (sh.sh_type == SHT_DYNSYM && !symscn) {
			symscn = scn;
			symsh = sh;
		}
	}
	if (!symscn)
		return 0;
	symdata = elf_getdata(symscn, NULL);
	if (!symdata || !symsh.sh_entsize)
		return -1;
	nsyms = symsh.sh_size / symsh.sh_entsize;
	funcs = calloc(nsyms ? nsyms : 1, sizeof(*funcs));
	for (i = 0; i < nsyms; i++) {
		GElf_Sym s;

		if (!gelf_getsym(symdata, i, &s))
			continue;
		if (GELF_ST_TYPE(s.st_info) != STT_FUNC || !s.st_size ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE ||
		    s.st_shndx >= shnum)
			continue;
		funcs[nf].shndx = s.st_shndx;
		funcs[nf].value = s.st_value;
		funcs[nf].size = s.st_size;
		funcs[nf].name = elf_strptr(elf, symsh.sh_link, s.st_name);
		if (!funcs[nf].name)
			funcs[nf].name = "?";
		nf++;
	}
	qsort(funcs, nf, sizeof(*funcs), func_cmp);
	for (i = 0; i < nf; i++) {
		struct func *f = &funcs[i];
		Elf_Data *data;
		uint64_t start;

		if (i && !func_cmp(f, &funcs[i - 1]))
			continue;	/* alias */
		scn = elf_getscn(elf, f->shndx);
		if (!scn || !gelf_getshdr(scn, &sh) ||
		    !(sh.sh_flags & SHF_EXECINSTR) || sh.sh_type == SHT_NOBITS)
			continue;
		start = rel ? f->value : f->value - sh.sh_addr;
		if (start > sh.sh_size || f->size > sh.sh_size - start)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || data->d_size < sh.sh_size)
			continue;
		diff_func(file, f->name, (const unsigned char *)data->d_buf +
			  start, f->size, f->value, ci);
	}
	free(funcs);
	return 0;
}

static unsigned char *read_xz(const char *path, size_t *len)
{
	char *cmd;
	FILE *p;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (asprintf(&cmd, "xz -dc -- '%s'", path) < 0)
		return NULL;
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return NULL;
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
	if (pclose(p) != 0 || !n) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* linker scripts named .so and the like are skipped, not failures */
static int is_elf(const char *path)
{
	static const unsigned char xzmagic[] = { 0xfd, '7', 'z', 'X', 'Z' };
	unsigned char m[6];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 1;	/* reported as unreadable */
	n = fread(m, 1, sizeof(m), f);
	fclose(f);
	return n == sizeof(m) && (!memcmp(m, ELFMAG, SELFMAG) ||
				  !memcmp(m, xzmagic, sizeof(xzmagic)));
}

static void diff_file(const char *path, cs_insn *ci)
{
	size_t len = strlen(path), blen = 0;
	unsigned char *buf = NULL;
	Elf *elf;
	int fd = -1, ret;

	if (!is_elf(path)) {
		n_skipped++;
		return;
	}
	if (len > 3 && !strcmp(path + len - 3, ".xz")) {
		buf = read_xz(path, &blen);
		if (!buf)
			goto bad;
		elf = elf_memory((char *)buf, blen);
	} else {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			goto bad;
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	}
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		goto bad_close;
	}
	ret = diff_elf(path, elf, ci);
	elf_end(elf);
	if (ret)
		goto bad_close;
	n_files++;
	if (fd >= 0)
		close(fd);
	free(buf);
	return;
bad_close:
	if (fd >= 0)
		close(fd);
	free(buf);
bad:
	n_bad_files++;
	if (!quiet)
		fprintf(stderr, "decode-diff: %s: not an x86-64 ELF file\n", path);
}

static void diff_list(const char *list, cs_insn *ci)
{
	FILE *f = strcmp(list, "-") ? fopen(list, "r") : stdin;
	char line[4096];

	if (!f) {
		fprintf(stderr, "decode-diff: %s: %s\n", list, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (*line && *line != '#')
			diff_file(line, ci);
	}
	if (f != stdin)
		fclose(f);
}

static int print_usage(void)
{
	fprintf(stderr,
		"usage: decode-diff [--quiet] [--summary] [--flags] [--objdump] [--tap] [--known FILE] [--list FILE] FILE...\n");
	return 2;
}

int main(int argc, char **argv)
{
	cs_insn *ci;
	int i, r;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 2;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 2;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	ci = cs_malloc(cs);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[i], "--summary"))
			summary++;
		else if (!strcmp(argv[i], "--objdump"))
			use_objdump = 1;
		else if (!strcmp(argv[i], "--flags"))
			check_flags = 1;
		else if (!strcmp(argv[i], "--tap"))
			tap = 1;
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			load_known(argv[++i]);
		else if (!strcmp(argv[i], "--list") && i + 1 < argc)
			diff_list(argv[++i], ci);
		else if (argv[i][0] != '-' || !argv[i][1])
			diff_file(argv[i], ci);
		else
			return print_usage();
	}
	if (tap) {
		printf("1..1\n%s 1 - decode-diff: %lu files, %lu functions, %lu instructions, %lu unexplained disagreements\n",
		       n_unexplained || n_bad_files ? "not ok" : "ok", n_files,
		       n_funcs, n_insns, n_unexplained);
	}
	if (summary) {
		const char *pfx = tap ? "# " : "";

		printf("%sfiles %lu (unreadable %lu, not ELF %lu), functions %lu, instructions %lu, bytes %lu\n",
		       pfx, n_files, n_bad_files, n_skipped, n_funcs, n_insns, n_bytes);
		printf("%sfunctions ended at bytes both decoders reject: %lu\n",
		       pfx, n_both_invalid);
		printf("%sunexplained disagreements: %lu\n", pfx, n_unexplained);
		for (r = 0; r < R_NR; r++)
			if (reason_count[r])
				printf("%s  %-18s %lu\n", pfx, reason_names[r],
				       reason_count[r]);
		if (check_flags)
			printf("%sflags: %lu unsafe per Capstone, %lu less precise\n",
			       pfx, n_flag_unsafe, n_flag_imprecise);
		if (use_objdump)
			printf("%sCapstone-invalid, same length per objdump: %lu\n",
			       pfx, n_objdump_hits);
		printf("%sknown disagreements: %lu\n", pfx, n_known_hits);
		for (i = 0; i < (int)nr_known; i++)
			if (known[i].count)
				printf("%s  %6lu  %s\n", pfx, known[i].count,
				       known[i].reason);
	}
	cs_free(ci, 1);
	cs_close(&cs);
	if (n_bad_files)
		return 2;
	return n_unexplained ? 1 : 0;
}
