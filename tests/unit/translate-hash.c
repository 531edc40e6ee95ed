// SPDX-License-Identifier: GPL-2.0
/*
 * Translated bytes are what they were: translate every block start of a
 * real binary's .text (a linear sweep, as tests/bench/translate-bench.c
 * does) in each of a set of host configurations (no instrumentation,
 * bbcount-style counters in each counter mode, the kernel's counter mode
 * with free registers and fixups, calltrace's clean calls, cover's byte
 * stores, static branch and static call sites live and direct, inline
 * caches and jump tables, the fall-through layouts) and hash everything
 * the translator produced: return code, emitted bytes, block record and
 * pc map.  The hashes must equal those recorded in
 * tests/unit/translate-hash.expected, so a refactoring of kmod/jit/ that
 * changes a single emitted byte fails here.
 *
 * The recorded hashes belong to one input (path, .text size and hash,
 * recorded too); with a different input (another bash build) the test is
 * skipped rather than failed.  When a change of the emitted code is
 * intended, record the new hashes and commit them with the change, saying
 * why in its message:
 *   tests/unit/translate-hash --record > tests/unit/translate-hash.expected
 *
 * Usage: translate-hash [--record] [ELF]   (default /usr/bin/bash)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jit/translate.h"
#include "jit-test-host.h"
#include "tap.h"

#define DEFAULT_INPUT	"/usr/bin/bash"
#define CACHE_PC	0x50000000ULL
#define MAX_CONFIGS	16
/* static call keys, read at translation: at a fixed address */
#define SC_KEYS		0x7100000ULL
#define SC_KEYS_SIZE	0x10000ULL
/* enough for any block with the instrumentation below */
#define BUF_CAP		(JIT_BLOCK_MAX_CACHE + 240 * (JIT_BLOCK_MAX_INSNS + 4))

struct input {
	uint8_t *text;
	uint64_t lo, hi;
};

static struct input in;

/* FNV-1a, 64 bits */
static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		*h ^= *b++;
		*h *= 0x100000001b3ULL;
	}
}

static void hash_u64(uint64_t *h, uint64_t v)
{
	hash_bytes(h, &v, sizeof(v));
}

#define FNV_INIT	0xcbf29ce484222325ULL

/* a pseudo-random but fixed choice per address */
static unsigned int pick(uint64_t pc, unsigned int n)
{
	uint64_t x = pc * 0x9e3779b97f4a7c15ULL;

	return (x >> 40) % n;
}

static unsigned int read_text(void *priv, uint64_t pc, uint8_t *buf,
			      unsigned int len)
{
	(void)priv;
	return jit_test_read_range(in.text, in.lo, in.hi, pc, buf, len);
}

static const uint8_t *text_at(uint64_t pc, unsigned int len)
{
	return pc >= in.lo && pc + len <= in.hi ? in.text + (pc - in.lo) : NULL;
}

/* one in 64 addresses runs natively (kprobed, noinstr) */
static bool host_untranslatable(void *priv, uint64_t pc)
{
	(void)priv;
	return pick(pc, 64) == 0;
}

/* a quarter of the blocks are translated already, somewhere in the cache */
static uint64_t host_lookup(void *priv, uint64_t pc)
{
	(void)priv;
	return pick(pc, 4) == 1 ? CACHE_PC + 0x1000000 + (pc - in.lo) * 4 : 0;
}

static bool host_fixup(void *priv, uint64_t pc)
{
	(void)priv;
	return pick(pc, 8) == 3;
}

/* every third jmp or 2/5-byte nop is a jump label site */
static bool host_static_branch(void *priv, uint64_t pc, uint64_t *target)
{
	const uint8_t *b = text_at(pc, 5);

	(void)priv;
	if (!b || pick(pc, 3))
		return false;
	if (b[0] == 0xe9)
		*target = pc + 5 + (int32_t)(b[1] | b[2] << 8 | b[3] << 16 |
					     (uint32_t)b[4] << 24);
	else if (b[0] == 0xeb)
		*target = pc + 2 + (int8_t)b[1];
	else if (b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x44 && !b[3] && !b[4])
		*target = pc + 5 + 0x40;
	else if (b[0] == 0x66 && b[1] == 0x90)
		*target = pc + 2 + 0x10;
	else
		return false;
	return true;
}

static int host_static_branch_state(void *priv, uint64_t pc)
{
	(void)priv;
	return (int)pick(pc + 1, 3) - 1;
}

/* every fifth direct call and every seventh direct jmp is a static call */
static bool host_static_call(void *priv, uint64_t pc, uint64_t *key,
			     bool *tail)
{
	const uint8_t *b = text_at(pc, 5);

	(void)priv;
	if (!b)
		return false;
	if (b[0] == 0xe8 && !pick(pc, 5))
		*tail = false;
	else if (b[0] == 0xe9 && !pick(pc, 7))
		*tail = true;
	else
		return false;
	/* a site without a key runs natively */
	*key = pick(pc, 9) ? SC_KEYS + (pc & (SC_KEYS_SIZE - 8)) : 0;
	return true;
}

static uint64_t host_jump_table(void *priv, uint64_t pc, uint64_t fill)
{
	(void)priv;
	(void)fill;
	return 0x7200000 + (pc & 0xff) * JIT_JT_ENTRIES * 8;
}

/* instrumentation of the configurations */
struct instr {
	bool block_counter, insn_counter, insn_store, calls;
};

static void hook_block(void *priv, struct jit_translator *t,
		       const struct jit_block *blk)
{
	const struct instr *x = priv;

	if (x->block_counter)
		jit_insert_counter(t, 0x7300000 + (uint64_t)(blk->id & 0xffff) * 8);
}

static void hook_insn(void *priv, struct jit_translator *t,
		      const struct jit_insn *insn)
{
	const struct instr *x = priv;

	if (x->insn_store)
		jit_insert_store_byte(t, 0x7400000 + (insn->pc & 0xfffff));
	if (x->insn_counter && insn == &t->insns[0])
		jit_insert_counter_add(t, 0x7500000 + (insn->pc & 0xfff8),
				       1 + pick(insn->pc, 300));
	else if (x->insn_counter && !pick(insn->pc, 3))
		jit_insert_counter(t, 0x7500000 + (insn->pc & 0xfff8));
}

static void hook_branch(void *priv, struct jit_translator *t,
			const struct jit_insn *insn)
{
	const struct instr *x = priv;
	struct jit_arg args[5] = {
		{ .kind = JIT_ARG_NATIVE_PC }, { .kind = JIT_ARG_TARGET },
		{ .kind = JIT_ARG_BLOCK_ID }, { .kind = JIT_ARG_SP },
		{ .kind = JIT_ARG_CONST, .value = insn->pc ^ 0x5a5a },
	};

	if (x->calls)
		jit_insert_clean_call(t, 0x7600000, 1 + pick(insn->pc, 5), args);
}

static const struct jit_instr_ops hooks = {
	.block = hook_block, .insn = hook_insn, .call = hook_branch,
	.ret = hook_branch, .indirect = hook_branch,
};

struct config {
	const char *name;
	const char *what;
	void (*setup)(struct jit_host *h);
	struct instr instr;
	bool ic;
};

static uint64_t return_thunks[2];

static void setup_user(struct jit_host *h)
{
	h->red_zone = 128;
	h->counter_mode = JIT_COUNTER_ABS;
}

static void setup_kernel(struct jit_host *h)
{
	h->red_zone = 0;
	h->counter_mode = JIT_COUNTER_GS;
	h->ibt = true;
	h->return_thunks = return_thunks;
	h->nr_return_thunks = 2;
	h->untranslatable = host_untranslatable;
	h->lookup = host_lookup;
	h->smap = true;
}

static void setup_bbcount(struct jit_host *h)
{
	setup_user(h);
	h->lookup = host_lookup;
	h->fallthrough_next = JIT_FT_HEAD;
}

static void setup_gs_reg(struct jit_host *h)
{
	setup_kernel(h);
	h->counter_mode = JIT_COUNTER_GS_REG;
	h->fixup = host_fixup;
}

static void setup_cover(struct jit_host *h)
{
	setup_user(h);
	h->fallthrough_next = JIT_FT_CHAINED;
}

static void setup_sites_live(struct jit_host *h)
{
	setup_kernel(h);
	h->static_branch = host_static_branch;
	h->static_call = host_static_call;
	h->static_call_null = 0x7700000;
}

static void setup_sites_direct(struct jit_host *h)
{
	setup_sites_live(h);
	h->static_branch_state = host_static_branch_state;
	h->fallthrough_next = JIT_FT_HEAD;
}

static void setup_indirect(struct jit_host *h)
{
	setup_user(h);
	h->ibl_keys = 0x7800000;
	h->ibl_dests = 0x7900000;
	h->ibl_slot = -8;
	h->jump_table = host_jump_table;
	h->jt_fill_entry = 0x7a00000;
	h->fallthrough_next = JIT_FT_HEAD;
	h->lookup = host_lookup;
}

static void setup_indirect_kernel(struct jit_host *h)
{
	setup_gs_reg(h);
	h->jump_table = host_jump_table;
	h->jt_fill_entry = 0x7a00000;
}

static const struct config configs[] = {
	{ .name = "plain", .what = "no instrumentation, userspace host",
	  .setup = setup_user },
	{ .name = "bbcount",
	  .what = "block counters, fall-through next (head), lookups",
	  .setup = setup_bbcount, .instr = { .block_counter = true } },
	{ .name = "counters-gs",
	  .what = "per-CPU counters (%gs disp32), kernel host",
	  .setup = setup_kernel,
	  .instr = { .block_counter = true, .insn_counter = true } },
	{ .name = "counters-gs-reg",
	  .what = "per-CPU counters in free registers, fixups",
	  .setup = setup_gs_reg,
	  .instr = { .block_counter = true, .insn_counter = true } },
	{ .name = "calltrace",
	  .what = "clean calls at calls, returns and indirect jmps",
	  .setup = setup_kernel, .instr = { .calls = true } },
	{ .name = "cover",
	  .what = "byte stores per instruction, chained fall-through",
	  .setup = setup_cover, .instr = { .insn_store = true } },
	{ .name = "sites-live",
	  .what = "static branch (live test) and static call sites",
	  .setup = setup_sites_live, .instr = { .block_counter = true } },
	{ .name = "sites-direct", .what = "static branch sites as direct jmps",
	  .setup = setup_sites_direct,
	  .instr = { .block_counter = true } },
	{ .name = "indirect",
	  .what = "inline caches, the ibl table, jump tables",
	  .setup = setup_indirect, .instr = { .block_counter = true },
	  .ic = true },
	{ .name = "indirect-kernel",
	  .what = "inline caches and jump tables, kernel counters",
	  .setup = setup_indirect_kernel,
	  .instr = { .insn_counter = true, .calls = true }, .ic = true },
};

#define NR_CONFIGS	(sizeof(configs) / sizeof(configs[0]))

/* Block starts: the instruction after every control transfer */
static uint64_t *sweep_starts(uint32_t *nr)
{
	uint64_t pc = in.lo, *starts;
	bool after_transfer = true;
	uint32_t n = 0;

	starts = malloc((in.hi - in.lo) * sizeof(*starts));
	if (!starts)
		return NULL;
	while (pc < in.hi) {
		struct jit_insn insn;
		int len = jit_decode(&insn, in.text + (pc - in.lo),
				     in.hi - pc < 15 ? in.hi - pc : 15, pc);

		if (len <= 0) {
			pc++;
			after_transfer = true;
			continue;
		}
		if (after_transfer)
			starts[n++] = pc;
		after_transfer = insn.flow != JIT_FLOW_NEXT;
		/* the first jmp and call targets stand in for the thunks */
		if (insn.flow == JIT_FLOW_JMP && !return_thunks[0])
			return_thunks[0] = insn.target;
		if (insn.flow == JIT_FLOW_CALL && !return_thunks[1])
			return_thunks[1] = insn.target;
		pc += len;
	}
	*nr = n;
	return starts;
}

static void hash_block(uint64_t *h, int r, const uint8_t *buf,
		       const struct jit_block *b, const struct jit_pcmap *map)
{
	unsigned int i;

	hash_u64(h, (uint64_t)(int64_t)r);
	if (r <= 0)
		return;
	hash_bytes(h, buf, r);
	hash_u64(h, b->native_len);
	hash_u64(h, b->cache_len);
	hash_u64(h, b->nr_insns);
	hash_u64(h, b->nr_exits);
	hash_u64(h, b->end);
	hash_u64(h, b->shared_cc);
	hash_u64(h, b->entry_off);
	hash_u64(h, b->ft_next);
	hash_u64(h, b->sb_off);
	if (b->sb_off) {
		hash_u64(h, b->sb_dest[0] | b->sb_dest[1] << 16);
		hash_u64(h, b->sb_rel[0] | b->sb_rel[1] << 16);
		hash_u64(h, b->sb_taken);
	}
	for (i = 0; i < b->nr_exits; i++) {
		const struct jit_exit *x = &b->exits[i];

		hash_u64(h, x->target);
		hash_u64(h, x->patch_off | (uint64_t)x->stub_off << 32);
		hash_u64(h, x->stub_end | (uint64_t)x->kind << 32);
	}
	for (i = 0; i < b->nr_insns; i++)
		hash_u64(h, map[i].native_off | (uint64_t)map[i].cache_off << 16 |
			    (uint64_t)map[i].instr_off << 32);
}

struct result {
	uint64_t hash;
	uint32_t ok, failed;
	uint32_t errors[JIT_E_INVAL + 1];
};

static struct result run_config(const struct config *c, const uint64_t *starts,
				uint32_t nr, uint8_t *buf)
{
	static struct jit_translator t;
	struct result res = { .hash = FNV_INIT };
	struct instr instr = c->instr;
	struct jit_instr_ops ops = hooks;
	struct jit_host host;
	struct jit_block blk;
	uint32_t i;
	int r;

	memset(&host, 0, sizeof(host));
	host.read_code = read_text;
	host.exit_entry = 0x7000000;
	host.exit_call_entry = 0x7000010;
	host.ibl_jmp_entry = 0x7000020;
	host.ibl_call_entry = 0x7000030;
	host.retpoline_thunks[0] = return_thunks[1];
	c->setup(&host);
	if (c->ic) {
		jit_ic.jmp_miss = 0x7000040;
		jit_ic.call_miss = 0x7000050;
	}
	ops.priv = &instr;
	jit_translator_init(&t, &host, c->instr.block_counter ||
			    c->instr.insn_counter || c->instr.insn_store ||
			    c->instr.calls ? &ops : NULL);
	for (i = 0; i < nr; i++) {
		memset(buf, 0xcc, BUF_CAP);
		r = jit_translate_block(&t, starts[i], i, buf,
					CACHE_PC + (uint64_t)(i & 0xfff) * 64,
					BUF_CAP, &blk);
		if (r > 0)
			res.ok++;
		else
			res.failed++;
		if (r < 0 && -r <= JIT_E_INVAL)
			res.errors[-r]++;
		hash_block(&res.hash, r, buf, &blk, t.map);
	}
	jit_ic.jmp_miss = 0;
	jit_ic.call_miss = 0;
	return res;
}

static int load_text(const char *path, uint64_t *fingerprint)
{
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	char *names = NULL;
	int ret = -1;
	unsigned int i;

	if (!f)
		return -1;
	if (fread(&eh, sizeof(eh), 1, f) != 1 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    eh.e_shentsize != sizeof(*sh) || eh.e_shstrndx >= eh.e_shnum)
		goto out;
	sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh || fseek(f, eh.e_shoff, SEEK_SET) ||
	    fread(sh, sizeof(*sh), eh.e_shnum, f) != eh.e_shnum)
		goto out;
	names = calloc(1, sh[eh.e_shstrndx].sh_size + 1);
	if (!names || fseek(f, sh[eh.e_shstrndx].sh_offset, SEEK_SET) ||
	    fread(names, 1, sh[eh.e_shstrndx].sh_size, f) !=
	    sh[eh.e_shstrndx].sh_size)
		goto out;
	for (i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_name >= sh[eh.e_shstrndx].sh_size ||
		    strcmp(names + sh[i].sh_name, ".text"))
			continue;
		in.text = malloc(sh[i].sh_size);
		if (!in.text || fseek(f, sh[i].sh_offset, SEEK_SET) ||
		    fread(in.text, 1, sh[i].sh_size, f) != sh[i].sh_size)
			goto out;
		in.lo = sh[i].sh_addr;
		in.hi = sh[i].sh_addr + sh[i].sh_size;
		*fingerprint = FNV_INIT;
		hash_bytes(fingerprint, in.text, sh[i].sh_size);
		ret = 0;
		break;
	}
out:
	free(names);
	free(sh);
	fclose(f);
	return ret;
}

/* the static call keys: functions, or 0 (the site calls static_call_null) */
static int map_keys(void)
{
	uint64_t *keys = mmap((void *)SC_KEYS, SC_KEYS_SIZE,
			      PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			      -1, 0);
	unsigned int i;

	if (keys != (void *)SC_KEYS) {
		perror("translate-hash: mmap of the static call keys");
		return -1;
	}
	for (i = 0; i < SC_KEYS_SIZE / 8; i++)
		keys[i] = pick(i, 4) ? 0x7b00000 + i * 16 : 0;
	return 0;
}

struct expected {
	char input[256];
	uint64_t size, fingerprint, combined;
	char names[MAX_CONFIGS][32];
	uint64_t hashes[MAX_CONFIGS];
	unsigned int nr;
};

static int load_expected(const char *path, struct expected *e)
{
	FILE *f = fopen(path, "r");
	char line[512], name[32];
	unsigned long long a, b;

	if (!f)
		return -1;
	memset(e, 0, sizeof(*e));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "input %255s %llx %llx", e->input, &a, &b) == 3) {
			e->size = a;
			e->fingerprint = b;
		} else if (sscanf(line, "config %31s %llx", name, &a) == 2 &&
			   e->nr < MAX_CONFIGS) {
			strcpy(e->names[e->nr], name);
			e->hashes[e->nr++] = a;
		} else if (sscanf(line, "combined %llx", &a) == 1) {
			e->combined = a;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *input = DEFAULT_INPUT, *srcdir = getenv("top_srcdir");
	struct result res[NR_CONFIGS];
	uint64_t fingerprint, combined = FNV_INIT, *starts;
	bool record = false;
	struct expected e;
	char path[1024];
	uint8_t *buf;
	uint32_t nr;
	unsigned int i, k;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--record"))
			record = true;
		else
			input = argv[i];
	}
	if (load_text(input, &fingerprint)) {
		if (record) {
			fprintf(stderr, "translate-hash: no x86-64 .text in %s\n",
				input);
			return 1;
		}
		plan_skip_all("no x86-64 .text to read in the input");
	}
	starts = sweep_starts(&nr);
	buf = malloc(BUF_CAP);
	if (!starts || !buf || map_keys())
		return 1;
	for (i = 0; i < NR_CONFIGS; i++) {
		res[i] = run_config(&configs[i], starts, nr, buf);
		hash_u64(&combined, res[i].hash);
	}
	if (record) {
		printf("# tests/unit/translate-hash: hashes of every block of the\n"
		       "# input's .text translated in each configuration.  Record\n"
		       "# anew only for an intended change of the emitted code:\n"
		       "#   tests/unit/translate-hash --record > tests/unit/translate-hash.expected\n");
		printf("input %s %#llx %#llx\n", input,
		       (unsigned long long)(in.hi - in.lo),
		       (unsigned long long)fingerprint);
		for (i = 0; i < NR_CONFIGS; i++)
			printf("config %s %#018llx  # %s: %u blocks; not: decode %u, native %u, range %u, inval %u\n",
			       configs[i].name, (unsigned long long)res[i].hash,
			       configs[i].what, res[i].ok,
			       res[i].errors[JIT_E_DECODE],
			       res[i].errors[JIT_E_NATIVE],
			       res[i].errors[JIT_E_RANGE],
			       res[i].errors[JIT_E_INVAL]);
		printf("combined %#018llx\n", (unsigned long long)combined);
		return 0;
	}

	snprintf(path, sizeof(path), "%s/tests/unit/translate-hash.expected",
		 srcdir ? srcdir : ".");
	if (load_expected(path, &e))
		plan_skip_all("no tests/unit/translate-hash.expected (set top_srcdir)");
	if (strcmp(e.input, input) || e.size != in.hi - in.lo ||
	    e.fingerprint != fingerprint)
		plan_skip_all("the input is not the one the hashes were recorded "
			      "for (another build of it?): record them with "
			      "--record on the unchanged tree first");
	plan(NR_CONFIGS + 1);
	diag("%s: %u block starts in %#llx bytes of .text", input, nr,
	     (unsigned long long)(in.hi - in.lo));
	for (i = 0; i < NR_CONFIGS; i++) {
		for (k = 0; k < e.nr; k++)
			if (!strcmp(e.names[k], configs[i].name))
				break;
		ok(k < e.nr && e.hashes[k] == res[i].hash,
		   "%s: hash %#018llx (recorded %#018llx), %u blocks, %u not translated",
		   configs[i].name, (unsigned long long)res[i].hash,
		   k < e.nr ? (unsigned long long)e.hashes[k] : 0ULL,
		   res[i].ok, res[i].failed);
	}
	ok(combined == e.combined, "combined hash %#018llx (recorded %#018llx)",
	   (unsigned long long)combined, (unsigned long long)e.combined);
	free(buf);
	free(starts);
	return done_testing();
}
