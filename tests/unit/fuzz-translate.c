// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for jit_translate_block().  The input's first byte picks
 * the configuration (instrumentation, IBT, red zone, counter mode, buffer
 * size); the rest is native code at a fixed address.  For every input:
 * - no crash, no hang; the code buffer is an exact-sized heap buffer, so
 *   ASan catches any write past the capacity;
 * - only JIT_E_DECODE/NATIVE/RANGE/NOSPACE errors, and NOSPACE only when
 *   the buffer is smaller than JIT_BLOCK_MAX_CACHE + instrumentation;
 * - the block covers exactly the instructions a fresh decode finds: the pc
 *   map's native offsets are those instruction boundaries and native_len
 *   their total; no block extends past the bytes the host could read;
 * - the emitted code decodes linearly; each copied instruction is found at
 *   its cache offset with its own length and opcode;
 * - every cache pc maps back into the block; exits' rel32 fields are
 *   4-byte aligned and inside the block.
 * Build: clang -fsanitize=fuzzer,address,undefined (fuzz-translate.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit/translate.h"
#include "jit-test-host.h"

#define NATIVE_PC	0x400000ULL
#define CACHE_PC	0x50000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every eighth address "may fault to a fixup" */
static bool fuzz_fixup(void *priv, u64 pc)
{
	(void)priv;
	return (pc & 7) == 3;
}

struct fuzz_code {
	const uint8_t *bytes;
	size_t len;
	uint8_t native_mask;
};

static unsigned int fuzz_read(void *priv, uint64_t pc, uint8_t *buf,
			      unsigned int len)
{
	const struct fuzz_code *c = priv;

	return jit_test_read_range(c->bytes, NATIVE_PC, NATIVE_PC + c->len, pc,
				   buf, len);
}

static bool fuzz_untranslatable(void *priv, uint64_t pc)
{
	const struct fuzz_code *c = priv;

	return c->native_mask && (pc & 0x3f) == c->native_mask;
}

/* a table address the code may name (never written at translation) */
static uint64_t fuzz_jump_table(void *priv, uint64_t pc, uint64_t fill)
{
	(void)priv;
	return fill >= CACHE_PC && (pc & 1) ? 0x700000 : 0;
}

static void hook_block(void *priv, struct jit_translator *t,
		       const struct jit_block *blk)
{
	static uint64_t counters[4];

	(void)priv;
	jit_insert_counter(t, (uint64_t)(uintptr_t)&counters[blk->id & 3]);
}

static void hook_insn(void *priv, struct jit_translator *t,
		      const struct jit_insn *insn)
{
	(void)priv;
	/* GS_REG has no store form (the kernel's cover plugin has its own) */
	if ((insn->pc & 1) && t->host->counter_mode != JIT_COUNTER_GS_REG)
		jit_insert_store_byte(t, 0x60000000 + (insn->pc & 0xfff));
	else if (insn->pc & 2)
		jit_insert_counter_add(t, 0x60001000, 5);
}

static void hook_branch(void *priv, struct jit_translator *t,
			const struct jit_insn *insn)
{
	struct jit_arg args[3] = {
		{ .kind = JIT_ARG_NATIVE_PC }, { .kind = JIT_ARG_TARGET },
		{ .kind = JIT_ARG_BLOCK_ID },
	};

	(void)priv;
	(void)insn;
	jit_insert_clean_call(t, 0x410000, 3, args);
}

static void check(const uint8_t *data, size_t size)
{
	static struct jit_translator t;
	static const struct jit_instr_ops ops = {
		.block = hook_block, .insn = hook_insn, .call = hook_branch,
		.ret = hook_branch, .indirect = hook_branch,
	};
	static const uint64_t ret_thunks[1] = { NATIVE_PC + 0x40 };
	struct fuzz_code code;
	struct jit_host host;
	struct jit_block blk;
	uint8_t cfg, *buf, *copy;
	uint32_t cap, need;
	uint64_t pc;
	unsigned int i;
	int r;

	if (size < 1)
		return;
	cfg = data[0];
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	code.bytes = copy;
	code.len = size - 1;
	code.native_mask = cfg & 0x80 ? 0x21 : 0;

	memset(&host, 0, sizeof(host));
	host.priv = &code;
	host.read_code = fuzz_read;
	host.untranslatable = fuzz_untranslatable;
	host.exit_entry = 0x401000;
	host.exit_call_entry = 0x401010;
	host.ibl_jmp_entry = 0x401020;
	host.ibl_call_entry = 0x401030;
	host.return_thunks = ret_thunks;
	host.nr_return_thunks = 1;
	host.retpoline_thunks[0] = NATIVE_PC + 0x80;
	host.retpoline_thunks[11] = NATIVE_PC + 0xb0;
	host.red_zone = cfg & 1 ? 128 : 0;
	host.counter_mode = cfg & 2 ? JIT_COUNTER_GS : JIT_COUNTER_ABS;
	/* the kernel's mode: counters in free registers (jit_dead_gprs()) */
	if (size & 32) {
		host.counter_mode = JIT_COUNTER_GS_REG;
		host.fixup = fuzz_fixup;
	}
	host.ibt = cfg & 4;
	/* the input's length picks the fall-through layout, the table lookup
	 * and jump tables */
	host.fallthrough_next = size % 3;
	if (size & 4) {
		jit_ic.jmp_miss = 0x401040;
		jit_ic.call_miss = 0x401050;
		host.ibl_keys = size & 8 ? 0x500000 : 0;
		host.ibl_dests = 0x600000;
		host.ibl_slot = -8;
	}
	if (size & 16) {
		host.jump_table = fuzz_jump_table;
		host.jt_fill_entry = 0x401060;
	}
	jit_translator_init(&t, &host, cfg & 8 ? &ops : NULL);
	need = JIT_BLOCK_MAX_CACHE + (cfg & 8 ? 200 * (JIT_BLOCK_MAX_INSNS + 4) : 0);
	cap = cfg & 0x10 ? (cfg & 0x60) + 3 : need;
	buf = malloc(cap);

	r = jit_translate_block(&t, NATIVE_PC, 7, buf, CACHE_PC, cap, &blk);
	if (r < 0) {
		if (r != -JIT_E_DECODE && r != -JIT_E_NATIVE &&
		    r != -JIT_E_RANGE && !(r == -JIT_E_NOSPACE && cap < need))
			abort();
		goto out;
	}
	if ((uint32_t)r != blk.cache_len || blk.cache_len > cap ||
	    !blk.nr_insns || blk.nr_insns > JIT_BLOCK_MAX_INSNS ||
	    blk.native_len > code.len || blk.native_len > JIT_BLOCK_MAX_NATIVE)
		abort();

	/* the block is exactly the instructions a fresh decode finds */
	pc = NATIVE_PC;
	for (i = 0; i < blk.nr_insns; i++) {
		struct jit_insn in, out;
		uint32_t off = pc - NATIVE_PC;
		int len = jit_decode(&in, copy + off, code.len - off, pc);

		if (len <= 0 || t.map[i].native_off != off)
			abort();
		if (t.map[i].instr_off > t.map[i].cache_off ||
		    t.map[i].cache_off > blk.cache_len ||
		    (i && t.map[i].instr_off < t.map[i - 1].cache_off))
			abort();
		/* copied instructions keep length and opcode */
		if (in.flow == JIT_FLOW_NEXT && !(in.attr & JIT_ATTR_ENDBR) &&
		    i + 1 < blk.nr_insns) {
			uint32_t co = t.map[i].cache_off;

			if (jit_decode(&out, buf + co, blk.cache_len - co,
				       CACHE_PC + co) != len ||
			    out.opcode != in.opcode || out.map != in.map)
				abort();
		}
		pc += len;
	}
	if (pc - NATIVE_PC != blk.native_len)
		abort();

	/* the whole output decodes as a sequence of instructions */
	for (i = 0; i < blk.cache_len;) {
		struct jit_insn out;
		int len = jit_decode(&out, buf + i, blk.cache_len - i,
				     CACHE_PC + i);

		if (len <= 0)
			abort();
		i += len;
	}
	if (i != blk.cache_len)
		abort();

	/* stubs before the entry only when asked; nothing after a run-off */
	if ((blk.entry_off && (host.fallthrough_next != JIT_FT_HEAD ||
			       blk.entry_off > t.map[0].instr_off)) ||
	    (blk.ft_next && (!host.fallthrough_next ||
			     blk.nr_exits && blk.exits[0].stub_off >=
					     blk.entry_off)))
		abort();
	for (i = 0; i < blk.cache_len; i++) {
		uint64_t n = jit_block_cache_to_native(&blk, t.map, CACHE_PC + i);

		if (n < NATIVE_PC || n >= NATIVE_PC + blk.native_len)
			abort();
	}
	for (i = 0; i < blk.nr_exits; i++) {
		const struct jit_exit *x = &blk.exits[i];

		if ((CACHE_PC + x->patch_off) & 3 ||
		    x->patch_off + 4 > blk.cache_len ||
		    x->stub_end > blk.cache_len || x->stub_off >= x->stub_end ||
		    jit_block_find_exit(&blk, CACHE_PC + x->stub_end,
					i ? 0 : 0xfff) == NULL)
			abort();
	}
out:
	jit_ic.jmp_miss = 0;
	jit_ic.call_miss = 0;
	free(buf);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	return 0;
}
