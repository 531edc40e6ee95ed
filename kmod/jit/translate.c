// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator, the driver: decode one native basic block (phase 1),
 * compute the flags live before each instruction (phase 2), then emit its
 * copy into the code cache instruction by instruction with the
 * instrumentation hooks' code before each, the terminator, the fall-through
 * and the exit stubs; and the pc map lookup.  The parts, by responsibility:
 *   branches.c      relocated copies, direct branches and exits
 *   terminator.c    a block's last instruction, handed to the part of its kind
 *   exits.c         exit stubs, their planning, chaining, exit lookup
 *   indirect.c      indirect jmp/call: inline caches and the lookup path
 *   jumptable.c     jump-table sites and their per-index entries
 *   static_sites.c  static branch (jump label) and static call sites
 *   instrument.c    counters, byte stores and clean calls for the hooks
 * The design (block layout, stubs, chaining, indirect branches, flags) is
 * explained in kmod/jit/README; comments here say why a detail is so.
 */
#include "translate_priv.h"

void jit_translator_init(struct jit_translator *t, const struct jit_host *host,
			 const struct jit_instr_ops *ops)
{
	t->host = host;
	t->ops = ops;
	t->blk = NULL;
	t->error = 0;
	t->ctr_free = 0;
	t->ctr_saved = 0;
}

static bool is_return_thunk(const struct jit_host *h, u64 target)
{
	unsigned int i;

	for (i = 0; i < h->nr_return_thunks; i++)
		if (h->return_thunks[i] == target)
			return true;
	return false;
}

static int retpoline_reg(const struct jit_host *h, u64 target)
{
	int r;

	for (r = 0; r < 16; r++)
		if (h->retpoline_thunks[r] && h->retpoline_thunks[r] == target)
			return r;
	return -1;
}

/* call to the very next instruction: a "get my pc" idiom, not a call */
static bool is_call_next(const struct jit_insn *in)
{
	return in->flow == JIT_FLOW_CALL && in->target == in->pc + in->len;
}

/*
 * Instructions the translator hands back to native execution: traps whose
 * handlers look at their exact address (int3 for kprobes, ud2 for
 * WARN/BUG), privilege and context changes, and xbegin, whose abort
 * address is relative and would have to be a cache address.  syscall is
 * fine: it returns to the next instruction, which is then the copy's.
 */
static bool must_run_natively(const struct jit_insn *in)
{
	if (in->flow == JIT_FLOW_TRAP)
		return true;
	if (in->flow == JIT_FLOW_SYSTEM)
		return !(in->map == JIT_MAP_0F && in->opcode == 0x05);
	if (in->flow == JIT_FLOW_NEXT && in->rel_size)
		return true;
	return false;
}

static u8 terminator_role(struct jit_translator *t, const struct jit_insn *in)
{
	const struct jit_host *h = t->host;
	int r;

	switch (in->flow) {
	case JIT_FLOW_JMP:
		if (is_return_thunk(h, in->target))
			return JIT_TERM_RET;
		r = retpoline_reg(h, in->target);
		if (r >= 0) {
			t->ind_reg = r;
			return JIT_TERM_JMP_IND;
		}
		return JIT_TERM_JMP;
	case JIT_FLOW_JCC:
	case JIT_FLOW_LOOP:
		return JIT_TERM_JCC;
	case JIT_FLOW_CALL:
		if (is_call_next(in))
			return JIT_TERM_NONE;
		r = retpoline_reg(h, in->target);
		if (r >= 0) {
			t->ind_reg = r;
			return JIT_TERM_CALL_IND;
		}
		return JIT_TERM_CALL;
	case JIT_FLOW_RET:
		return JIT_TERM_RET;
	case JIT_FLOW_JMP_IND:
		return JIT_TERM_JMP_IND;
	case JIT_FLOW_CALL_IND:
		return JIT_TERM_CALL_IND;
	default:
		return JIT_TERM_NONE;
	}
}

/*
 * Native bytes are read this many at a time (a block is ~20 bytes): one
 * host read per block rather than one per instruction, which in the
 * kernel is a copy_from_kernel_nofault() each.
 */
#define CODE_CHUNK	64

/*
 * Make t->code hold the bytes at @off (native @pc) on: up to
 * JIT_INSN_MAX_LEN of them, fewer only where the host has no more.
 * *valid: bytes of t->code read so far.  Return: bytes available at @off.
 */
static unsigned int code_at(struct jit_translator *t, u64 pc, u32 off,
			    u32 *valid)
{
	const struct jit_host *h = t->host;
	unsigned int want = sizeof(t->code) - off, got;

	if (*valid < off + JIT_INSN_MAX_LEN) {
		if (want > CODE_CHUNK)
			want = CODE_CHUNK;
		got = h->read_code(h->priv, pc, t->code + off, want);
		*valid = off + (got < want ? got : want);
	}
	got = *valid - off;
	return got < JIT_INSN_MAX_LEN ? got : JIT_INSN_MAX_LEN;
}

/* Phase 1: decode up to the block's end. Return: instructions or -JIT_E_* */
static int decode_block(struct jit_translator *t, u64 start)
{
	const struct jit_host *h = t->host;
	struct jit_block *blk = t->blk;
	unsigned int n = 0;
	u32 off = 0, valid = 0;

	blk->end = JIT_END_SIZE;
	t->term = JIT_TERM_NONE;
	t->ind_reg = -1;
	t->sc_key = 0;
	t->sc_join = 0;
	for (;;) {
		struct jit_insn *in = &t->insns[n];
		u64 pc = start + off;
		unsigned int avail;
		int len, sc;

		if (n == JIT_BLOCK_MAX_INSNS ||
		    off + JIT_INSN_MAX_LEN > JIT_BLOCK_MAX_NATIVE)
			break;
		if (host_untranslatable(h, pc)) {
			blk->end = JIT_END_NATIVE;
			if (!n)
				return -JIT_E_NATIVE;
			break;
		}
		avail = code_at(t, pc, off, &valid);
		len = avail ? jit_decode(in, t->code + off, avail, pc) :
			      JIT_DECODE_INVALID;
		if (len <= 0) {
			blk->end = JIT_END_DECODE;
			if (!n)
				return -JIT_E_DECODE;
			break;
		}
		if (must_run_natively(in)) {
			blk->end = JIT_END_NATIVE;
			if (!n)
				return -JIT_E_NATIVE;
			break;
		}
		sc = jit_static_call_site(t, in, t->code + off, avail);
		if (sc < 0) {
			blk->end = JIT_END_NATIVE;
			if (!n)
				return -JIT_E_NATIVE;
			break;
		}
		if (sc) {
			len = in->len;
			t->term = in->flow == JIT_FLOW_JMP_IND ?
				  JIT_TERM_JMP_IND : JIT_TERM_CALL_IND;
		} else {
			t->term = jit_static_branch_site(t, in) ? JIT_TERM_STATIC :
				  terminator_role(t, in);
		}
		n++;
		off += len;
		if (t->term != JIT_TERM_NONE) {
			blk->end = JIT_END_BRANCH;
			break;
		}
	}
	blk->nr_insns = n;
	blk->native_len = off;
	return n;
}

/*
 * cmpxchg8b/16b write only ZF. QEMU 7.2's TCG was seen to leave junk in its
 * lazily computed flags after cmpxchg16b: an interrupt taken before the
 * next flag-writing instruction saves (and iret restores) RFLAGS with TF,
 * NT, IOPL or AC set. Translated code puts more instruction-block
 * boundaries (where QEMU takes interrupts) before that next write than
 * the native code does, so rewrite the flags with their own values at
 * once: "lahf; sahf" (around a saved %rax) leaves them unchanged on real
 * CPUs and makes QEMU recompute them.
 */
static bool writes_only_zf(const struct jit_insn *in)
{
	return in->map == JIT_MAP_0F && in->opcode == 0xc7 &&
	       (in->attr & JIT_ATTR_MODRM) && ((in->modrm >> 3) & 7) == 1 &&
	       (in->attr & JIT_ATTR_MEM);
}

static void emit_flags_refresh(struct jit_translator *t)
{
	static const u8 push_lahf_sahf_pop[4] = { 0x50, 0x9f, 0x9e, 0x58 };
	s32 rz = t->host->red_zone;

	jit_emit_lea_rsp(&t->emit, -rz);
	jit_emit_bytes(&t->emit, push_lahf_sahf_pop,
		       sizeof(push_lahf_sahf_pop));
	jit_emit_lea_rsp(&t->emit, rz);
}

static void emit_insn(struct jit_translator *t, const struct jit_insn *in,
		      bool last)
{
	if ((int)t->cur == t->jt_first) {
		jit_emit_jt_site(t, in);
		return;
	}
	if (last && t->term != JIT_TERM_NONE) {
		jit_emit_terminator(t, in);
		return;
	}
	if (in->attr & JIT_ATTR_ENDBR)
		return;	/* a no-op here; blocks get their own when IBT is on */
	if (is_call_next(in)) {
		/* push the native return address the code expects to see */
		if (!jit_emit_push_imm(&t->emit, in->target))
			set_error(t, JIT_E_RANGE);
		return;
	}
	if (in->map == JIT_MAP_1BYTE && in->opcode == 0xfd)
		t->std_seen = true;
	jit_emit_copy(t, in);
	if (writes_only_zf(in))
		emit_flags_refresh(t);
}

static void call_hooks(struct jit_translator *t, const struct jit_insn *in,
		       bool last)
{
	const struct jit_instr_ops *ops = t->ops;

	if (ops->insn)
		ops->insn(ops->priv, t, in);
	if (!last)
		return;
	switch (t->term) {
	case JIT_TERM_CALL:
	case JIT_TERM_CALL_IND:
		if (ops->call)
			ops->call(ops->priv, t, in);
		break;
	case JIT_TERM_RET:
		if (ops->ret)
			ops->ret(ops->priv, t, in);
		break;
	case JIT_TERM_JMP_IND:
		if (ops->indirect)
			ops->indirect(ops->priv, t, in);
		break;
	}
}

int jit_translate_block(struct jit_translator *t, u64 pc, u32 id, u8 *buf,
			u64 cache_pc, u32 cap, struct jit_block *blk)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	unsigned int i, n;
	int ret;

	if (!h || !h->read_code)
		return -JIT_E_INVAL;
	memset(blk, 0, sizeof(*blk));
	blk->native_start = pc;
	blk->cache_start = cache_pc;
	blk->id = id;
	blk->shared_cc = JIT_CC_NONE;
	t->blk = blk;
	t->error = 0;
	t->std_seen = false;
	t->cur = 0;
	t->live_done = false;
	t->live_out_done = false;
	ret = decode_block(t, pc);
	if (ret < 0)
		goto out;
	n = ret;
	jit_plan_jump_table(t);

	jit_emit_init(e, buf, cache_pc, cap);
	t->stub_bytes = h->fallthrough_next ? jit_plan_stubs(t) : 0;
	t->ft_ok = h->fallthrough_next == JIT_FT_HEAD ||
		   (h->fallthrough_next == JIT_FT_CHAINED && !t->stub_bytes);
	if (h->fallthrough_next != JIT_FT_HEAD)
		t->stub_bytes = 0;	/* after the block, as usual */
	if (t->stub_bytes) {
		jit_emit_nops(e, t->stub_bytes);	/* jit_emit_stubs() fills it */
		blk->entry_off = t->stub_bytes;
	}
	if (h->ibt)
		jit_emit_endbr64(e);
	t->ctr_end = 0;
	if (t->ops && t->ops->block)
		t->ops->block(t->ops->priv, t, blk);
	for (i = 0; i < n; i++) {
		const struct jit_insn *in = &t->insns[i];
		bool last = i == n - 1;

		t->cur = i;
		t->map[i].native_off = in->pc - pc;
		t->map[i].instr_off = e->len;
		t->ctr_end = 0;		/* no counter sequence to reopen */
		if (t->ops)
			call_hooks(t, in, last);
		t->map[i].cache_off = e->len;
		emit_insn(t, in, last);
	}
	if (t->term == JIT_TERM_NONE)
		jit_emit_fallthrough(t, pc + blk->native_len);
	jit_emit_stubs(t);
	if (e->overflow)
		set_error(t, JIT_E_NOSPACE);
	if (t->error) {
		ret = -t->error;
		goto out;
	}
	blk->cache_len = e->len;
	ret = e->len;
out:
	t->blk = NULL;
	return ret;
}

u64 jit_block_cache_to_native(const struct jit_block *blk,
			      const struct jit_pcmap *map, u64 cache_pc)
{
	u64 off = cache_pc - blk->cache_start;
	unsigned int lo = 0, hi = blk->nr_insns;

	if (cache_pc < blk->cache_start || off >= blk->cache_len || !hi)
		return 0;
	/* stubs placed before the entry belong to the last instruction */
	if (off < blk->entry_off)
		return blk->native_start + map[hi - 1].native_off;
	/* last instruction whose code starts at or before off */
	while (hi - lo > 1) {
		unsigned int mid = (lo + hi) / 2;

		if (map[mid].instr_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return blk->native_start + map[lo].native_off;
}
