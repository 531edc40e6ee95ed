// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: decode one native basic block, then emit its copy into
 * the code cache with instrumentation, relocated operands and exits.
 * The design (block layout, stubs, chaining, indirect branches, flags) is
 * explained in kmod/jit/README; comments here say why a detail is so.
 */
#include "translate.h"

static const u8 op_jmp[1] = { 0xe9 };
static const u8 op_call[1] = { 0xe8 };

static void set_error(struct jit_translator *t, int err)
{
	if (!t->error)
		t->error = err;
}

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

static bool host_untranslatable(const struct jit_host *h, u64 pc)
{
	return h->untranslatable && h->untranslatable(h->priv, pc);
}

/*
 * A static branch (jump label) site, as the kernel writes it: a jmp or a
 * nop of the site's fixed length.  Anything else there (int3 while
 * text_poke_bp() is mid-way) is left to the ordinary rules.
 */
static bool static_branch_site(struct jit_translator *t, struct jit_insn *in)
{
	const struct jit_host *h = t->host;
	const u8 *b = t->code + (in->pc - t->blk->native_start);
	u64 target;

	if (!h->static_branch || !h->static_branch(h->priv, in->pc, &target))
		return false;
	if (in->len == 5) {
		if (b[0] != 0xe9 && !(b[0] == 0x0f && b[1] == 0x1f &&
				      b[2] == 0x44 && !b[3] && !b[4]))
			return false;
	} else if (in->len == 2) {
		if (b[0] != 0xeb && !(b[0] == 0x66 && b[1] == 0x90))
			return false;
	} else {
		return false;
	}
	/* a jmp there must agree with the host's table */
	if (in->flow == JIT_FLOW_JMP && in->target != target)
		return false;
	in->target = target;
	return true;
}

/*
 * A static call site (the kernel's static_call()), in one of the forms the
 * kernel writes there (arch/x86/kernel/static_call.c): "call func", a
 * 5-byte nop (no function) or xor %eax,%eax behind three cs prefixes
 * (__static_call_return0) at a call site; "jmp func" or "ret; int3 x4" (or
 * a jmp to the return thunk) at a tail-call site.  Its translation calls
 * (jumps to) the function the site's key holds when it runs, so an update
 * after translation takes effect; the key is written before the sites are
 * patched, and either function is right while an update is under way.
 * A conditional tail call (jcc) or anything else there runs natively.
 *
 * Return: 1 for a site to translate live (@in becomes its 5 bytes), -1
 * for a site that must run natively, 0 for an ordinary instruction.
 */
static int static_call_site(struct jit_translator *t, struct jit_insn *in,
			    const u8 *b, unsigned int avail)
{
	static const u8 nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const u8 xor5rax[5] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };
	const struct jit_host *h = t->host;
	bool tail = false, ok;
	u64 key = 0;

	if (!h->static_call || !h->static_call(h->priv, in->pc, &key, &tail))
		return 0;
	if (!key || !h->static_call_null || avail < 5)
		return -1;
	if (tail)
		ok = (b[0] == 0xe9 && in->len == 5) ||
		     (b[0] == 0xc3 && in->len == 1);
	else
		ok = (b[0] == 0xe8 && in->len == 5) ||
		     !memcmp(b, nop5, 5) || !memcmp(b, xor5rax, 5);
	if (!ok)
		return -1;
	t->sc_key = key;
	in->len = 5;
	in->target = 0;
	in->flow = tail ? JIT_FLOW_JMP_IND : JIT_FLOW_CALL_IND;
	return 1;
}

/* Phase 1: decode up to the block's end. Return: instructions or -JIT_E_* */
static int decode_block(struct jit_translator *t, u64 start)
{
	const struct jit_host *h = t->host;
	struct jit_block *blk = t->blk;
	unsigned int n = 0;
	u32 off = 0;

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
		avail = h->read_code(h->priv, pc, t->code + off,
				     JIT_INSN_MAX_LEN);
		if (avail > JIT_INSN_MAX_LEN)
			avail = JIT_INSN_MAX_LEN;
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
		sc = static_call_site(t, in, t->code + off, avail);
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
			t->term = static_branch_site(t, in) ? JIT_TERM_STATIC :
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

/* Phase 2: flags live before each instruction (README "Flags") */
static void compute_liveness(struct jit_translator *t)
{
	const struct jit_host *h = t->host;
	struct jit_block *blk = t->blk;
	unsigned int n = blk->nr_insns, i;
	const struct jit_insn *last = &t->insns[n - 1];
	u64 next = blk->native_start + blk->native_len;
	unsigned int live;

	switch (t->term) {
	case JIT_TERM_JMP:
		live = jit_flags_live_in(h, last->target);
		break;
	case JIT_TERM_JCC:
		live = jit_flags_live_in(h, last->target) |
		       jit_flags_live_in(h, next);
		break;
	case JIT_TERM_STATIC:
		/* an asm goto: the compiler assumes the flags clobbered */
		live = 0;
		break;
	case JIT_TERM_CALL:
	case JIT_TERM_CALL_IND:
	case JIT_TERM_RET:
		live = 0;
		break;
	case JIT_TERM_NONE:
		live = blk->end == JIT_END_SIZE ? jit_flags_live_in(h, next) :
						  JIT_EFL_ALL;
		break;
	default:
		live = JIT_EFL_ALL;
		break;
	}
	t->live_out = live;
	t->live[n] = live;
	for (i = n; i-- > 0;) {
		const struct jit_insn *in = &t->insns[i];

		live = in->flags_read | (live & ~jit_insn_flags_killed(in));
		t->live[i] = live;
	}
	blk->live_in = t->live[0];
}

unsigned int jit_live_flags(const struct jit_translator *t)
{
	return t->live[t->cur];
}

static const u8 *insn_bytes(const struct jit_translator *t,
			    const struct jit_insn *in)
{
	return t->code + (in->pc - t->blk->native_start);
}

/* Copy an instruction, rewriting a RIP-relative displacement for its new pc */
static void emit_copy(struct jit_translator *t, const struct jit_insn *in)
{
	struct jit_emitter *e = &t->emit;
	const u8 *bytes = insn_bytes(t, in);
	u8 tmp[JIT_INSN_MAX_LEN];
	u64 dest;
	s64 disp;

	if (!(in->attr & JIT_ATTR_RIPREL)) {
		jit_emit_bytes(e, bytes, in->len);
		return;
	}
	dest = in->pc + in->len + (u64)in->disp;
	disp = (s64)(dest - (jit_emit_pc(e) + in->len));
	if (!jit_fits_s32(disp)) {
		set_error(t, JIT_E_RANGE);
		return;
	}
	memcpy(tmp, bytes, in->len);
	tmp[in->disp_off] = (u8)disp;
	tmp[in->disp_off + 1] = (u8)(disp >> 8);
	tmp[in->disp_off + 2] = (u8)(disp >> 16);
	tmp[in->disp_off + 3] = (u8)(disp >> 24);
	jit_emit_bytes(e, tmp, in->len);
}

/**
 * emit_rm_op() - emit "opcode /reg" on the ModRM operand of @in
 * @t:		translator
 * @in:		instruction whose r/m operand is reused
 * @opcode:	one-byte opcode to emit (ff for push /6, 8b for mov)
 * @reg:	value of the ModRM reg field (register or opcode extension)
 * @rex_w:	set REX.W
 * @rsp_adj:	bytes rsp has moved down since @in would have run; an
 *		rsp-based address gets this added so it names the same memory
 *
 * Segment and address-size prefixes are kept, once each (the last
 * segment override is the one that applies; repeats could push the new
 * instruction past 15 bytes); others (notrack, bnd, 66) are dropped
 * because they meant something only to the original opcode.
 */
static void emit_rm_op(struct jit_translator *t, const struct jit_insn *in,
		       u8 opcode, unsigned int reg, bool rex_w, s32 rsp_adj)
{
	struct jit_emitter *e = &t->emit;
	const u8 *bytes = insn_bytes(t, in);
	unsigned int mod = in->modrm >> 6, rm = in->modrm & 7;
	unsigned int disp_size = in->disp_size, i, n = 0;
	s64 disp = in->disp;
	u8 buf[24], rex, seg = 0, asz = 0;

	for (i = 0; i < in->nr_prefixes; i++) {
		u8 p = bytes[i];

		if (p == 0x64 || p == 0x65)
			seg = p;
		else if (p == 0x67)
			asz = p;
	}
	if (seg)
		buf[n++] = seg;
	if (asz)
		buf[n++] = asz;
	rex = (in->rex & 3) | (rex_w ? 8 : 0) | (reg >= 8 ? 4 : 0);
	if (rex)
		buf[n++] = 0x40 | rex;
	buf[n++] = opcode;
	if (mod == 3) {
		buf[n++] = 0xc0 | ((reg & 7) << 3) | rm;
		jit_emit_bytes(e, buf, n);
		return;
	}
	if (rm == 4 && (in->sib & 7) == 4 && !(in->rex & 1) && rsp_adj) {
		/* rsp base: same memory, new rsp */
		disp += rsp_adj;
		if (jit_fits_s8(disp)) {
			mod = 1;
			disp_size = 1;
		} else {
			mod = 2;
			disp_size = 4;
		}
	}
	buf[n++] = (mod << 6) | ((reg & 7) << 3) | rm;
	if (rm == 4)
		buf[n++] = in->sib;
	if (in->attr & JIT_ATTR_RIPREL) {
		u64 dest = in->pc + in->len + (u64)in->disp;

		disp = (s64)(dest - (jit_emit_pc(e) + n + 4));
		disp_size = 4;
	}
	if (!jit_fits_s32(disp)) {
		set_error(t, JIT_E_RANGE);
		return;
	}
	for (i = 0; i < disp_size; i++)
		buf[n++] = (u8)(disp >> (8 * i));
	jit_emit_bytes(e, buf, n);
}

/*
 * "[rex] opcode /reg" on the memory at @addr: RIP-relative if it reaches,
 * else an absolute disp32 (kernel addresses sign-extend from 32 bits).
 */
static void emit_abs_op(struct jit_translator *t, u8 rex, u8 opcode,
			unsigned int reg, u64 addr)
{
	struct jit_emitter *e = &t->emit;
	u32 n = rex ? 2 : 1;
	s64 rel = (s64)(addr - (jit_emit_pc(e) + n + 5));

	if (rex)
		jit_emit_u8(e, rex);
	jit_emit_u8(e, opcode);
	if (jit_fits_s32(rel)) {
		jit_emit_u8(e, 0x05 | ((reg & 7) << 3));
		jit_emit_u32(e, (u32)rel);
	} else if (jit_fits_s32((s64)addr)) {
		jit_emit_u8(e, 0x04 | ((reg & 7) << 3));
		jit_emit_u8(e, 0x25);
		jit_emit_u32(e, (u32)addr);
	} else {
		set_error(t, JIT_E_RANGE);
	}
}

/* Patch the rel8 at @at (emitted as 0) to reach the current end */
static void patch_rel8_here(struct jit_translator *t, u32 at)
{
	struct jit_emitter *e = &t->emit;
	s64 d = (s64)e->len - (at + 1);

	if (e->overflow)
		return;
	if (!jit_fits_s8(d))
		set_error(t, JIT_E_INVAL);
	else
		e->buf[at] = (u8)d;
}

/*
 * The function a static call site calls now, into @reg: its key's word,
 * one aligned load (so never half an update), or the host's do-nothing
 * function while that is 0.  Writes the flags, which are dead at a call:
 *
 *	mov key,%reg; test %reg,%reg; jnz 1f; mov $null,%reg; 1:
 */
static void emit_sc_load(struct jit_translator *t, unsigned int reg)
{
	struct jit_emitter *e = &t->emit;
	u8 rexb = 0x48 | (reg >= 8 ? 5 : 0);
	u32 jnz;

	emit_abs_op(t, 0x48 | (reg >= 8 ? 4 : 0), 0x8b, reg, t->sc_key);
	jit_emit_u8(e, rexb);				/* test %reg,%reg */
	jit_emit_u8(e, 0x85);
	jit_emit_u8(e, 0xc0 | ((reg & 7) << 3) | (reg & 7));
	jit_emit_u8(e, 0x75);
	jnz = e->len;
	jit_emit_u8(e, 0);
	jit_emit_mov_imm(e, reg, t->host->static_call_null);
	patch_rel8_here(t, jnz);
}

/*
 * Push the function a static call site calls now (see emit_sc_load()):
 *
 *	push key; cmpq $0,(%rsp); jne 1f
 *	push %rax; mov $null,%rax; mov %rax,8(%rsp); pop %rax; 1:
 */
static void emit_sc_push(struct jit_translator *t)
{
	static const u8 cmpq0[5] = { 0x48, 0x83, 0x3c, 0x24, 0x00 };
	static const u8 store[5] = { 0x48, 0x89, 0x44, 0x24, 0x08 };
	struct jit_emitter *e = &t->emit;
	u32 jne;

	emit_abs_op(t, 0, 0xff, 6, t->sc_key);
	jit_emit_bytes(e, cmpq0, sizeof(cmpq0));
	jit_emit_u8(e, 0x75);
	jne = e->len;
	jit_emit_u8(e, 0);
	jit_emit_push_reg(e, JIT_RAX);
	jit_emit_mov_imm(e, JIT_RAX, t->host->static_call_null);
	jit_emit_bytes(e, store, sizeof(store));
	jit_emit_pop_reg(e, JIT_RAX);
	patch_rel8_here(t, jne);
}

/* Push the target of an indirect branch: what the lookup routines take */
static void emit_push_target(struct jit_translator *t,
			     const struct jit_insn *in, s32 rsp_adj)
{
	if (t->sc_key)
		emit_sc_push(t);
	else if (t->ind_reg >= 0)
		jit_emit_push_reg(&t->emit, t->ind_reg);
	else
		emit_rm_op(t, in, 0xff, 6, false, rsp_adj);
}

static void emit_branch_to(struct jit_translator *t, const u8 *op, u32 oplen,
			   u64 dest)
{
	if (!jit_emit_rel32_branch(&t->emit, op, oplen, dest, NULL))
		set_error(t, JIT_E_RANGE);
}

/*
 * A direct exit: straight to native code if the target must run natively,
 * straight to the target's block if it is already translated, else a
 * patchable branch (rel32 4-byte aligned) to a stub emitted after the block.
 */
static void emit_direct_exit(struct jit_translator *t, const u8 *op, u32 oplen,
			     u64 target, u8 kind)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	struct jit_block *blk = t->blk;
	struct jit_exit *x;
	u64 dest;

	if (host_untranslatable(h, target)) {
		emit_branch_to(t, op, oplen, target);
		return;
	}
	dest = h->lookup ? h->lookup(h->priv, target) : 0;
	if (dest) {
		emit_branch_to(t, op, oplen, dest);
		return;
	}
	if (blk->nr_exits == JIT_BLOCK_MAX_EXITS) {
		set_error(t, JIT_E_INVAL);
		return;
	}
	x = &blk->exits[blk->nr_exits++];
	x->target = target;
	x->kind = kind;
	jit_emit_align_field(e, oplen);
	jit_emit_bytes(e, op, oplen);
	x->patch_off = e->len;
	jit_emit_u32(e, 0);
}

/* loop/loope/loopne/jrcxz have only rel8: branch over a jmp to a jmp */
static void emit_loop(struct jit_translator *t, const struct jit_insn *in)
{
	struct jit_emitter *e = &t->emit;
	const u8 *bytes = insn_bytes(t, in);
	u8 seq[JIT_INSN_MAX_LEN + 4];
	unsigned int n = 0, i;

	for (i = 0; i < in->nr_prefixes; i++)
		seq[n++] = bytes[i];
	seq[n++] = in->opcode;
	seq[n++] = 2;		/* taken: skip the jmp below */
	seq[n++] = 0xeb;
	seq[n++] = 5;		/* not taken: over the 5-byte jmp to the target */
	/*
	 * Align now for the taken exit's rel32, so that emit_direct_exit()
	 * needs no padding and the jmp follows "eb 05" immediately.
	 */
	jit_emit_align_field(e, n + 1);
	jit_emit_bytes(e, seq, n);
	emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
}

static void emit_jcc(struct jit_translator *t, const struct jit_insn *in)
{
	u8 op[2] = { 0x0f, 0x80 | (in->opcode & 0xf) };

	if (in->flow == JIT_FLOW_LOOP)
		emit_loop(t, in);
	else
		emit_direct_exit(t, op, 2, in->target, JIT_EXIT_JMP);
}

static void emit_call(struct jit_translator *t, const struct jit_insn *in)
{
	emit_direct_exit(t, op_call, 1, in->target, JIT_EXIT_CALL);
}

struct jit_ic_config jit_ic;

/*
 * Inline cache site (hosts with jit_ic set), fixed layout from F, the
 * 4-byte aligned field holding -T for the cached native target T, with S
 * the length of the optional inline lookup in the host's direct-mapped
 * table (jit_host.ibl_keys; 0 without, as in the kernel):
 *
 *	[lea -RZ(%rsp),%rsp]		jmp only
 *	push %rcx; push %rdx; mov <operand>,%rdx; [nops]
 *  F-3	lea -T(%rdx),%rcx		flag-free compare:
 *  F+4	jrcxz hit			rel8 0 (off) until the site is armed
 *  F+6	[movzwl %dx,%ecx		the lookup, S bytes: the probe...
 *	 mov keys(,%rcx,8),%rcx
 *	 lea 1(%rcx,%rdx),%rcx		1 exactly on a hit
 *	 loop F+6+S			not taken on a hit
 *	 movzwl %dx,%ecx		...and its hit, straight-line
 *	 mov dests(,%rcx,8),%rcx
 *	 mov %rcx,%fs:slot
 *	 pop %rdx; pop %rcx; [lea RZ(%rsp),%rsp]
 *	 jmp/call *%fs:slot; [call: jmp FT]; nops: S % 4 == 0]
 *F+6+S	mov 8(%rsp),%rcx; mov %rdx,8(%rsp); pop %rdx; nop
 *F+19+S jmp/call miss			rel32 at F+20+S: the stub, then the
 *					host's generic ibl_*_entry
 *F+24+S hit (jmp): pop %rdx; pop %rcx; [lea RZ(%rsp),%rsp]
 *	call: jmp FT; hit: pop %rdx; pop %rcx
 *F+35+S jmp/call cache(T)		rel32 at F+36+S
 *F+40+S nops / call: jmp FT
 *F+42+S call jit_ic.*_miss		the stub: pushes F+47+S
 *F+47+S (call) FT, the fall-through exit
 *
 * The miss stub's return address and its call's target (which tells a
 * jmp site from a call site, hence S) locate every field.  Operands are
 * read once: the target stays in %rdx for the miss path.  The lookup
 * hit runs straight through ("loop" rather than jrcxz: no taken branch
 * but the site's own indirect one; loop is one fast op on AMD Zen) and
 * ends in the site's own indirect branch, so the branch predictor sees
 * one branch per site, as natively, rather than one shared by all sites.
 */
#define IC_JRCXZ	5
#define IC_MISS		20
#define IC_PROBE	18

/*
 * The tail of a site, from F+19+S, by its kind: where its hit path, hit
 * rel32, miss stub and fall-through lie (offsets from F+S).  A call site
 * with the table lookup has its stub before the hit path, so that the
 * hit's call comes last and the callee returns straight into the
 * fall-through block (no jmp FT on the common path):
 *
 *F+19+S call miss			rel32 at F+20+S
 *F+24+S jmp FT				the miss path's continuation
 *F+26+S call jit_ic.call_miss		the stub: pushes F+31+S
 *F+31+S hit: pop %rdx; pop %rcx; nops
 *F+39+S call cache(T)			rel32 at F+40+S
 *F+44+S FT
 */
struct ic_layout {
	u8 hit_code;	/* the hit path: pop %rdx; pop %rcx; [lea] */
	u8 hit;		/* its jmp/call cache(T)'s rel32 */
	u8 stub;	/* call jit_ic.*_miss */
	u8 stub_end;	/* what the stub pushes */
	u8 ft;		/* call sites: the fall-through; 0 for jmp sites */
};

static const struct ic_layout ic_jmp_layout = { 24, 36, 42, 47, 0 };
static const struct ic_layout ic_call_layout = { 26, 36, 42, 47, 47 };
static const struct ic_layout ic_call_lookup_layout = { 31, 40, 26, 31, 44 };

static const struct ic_layout *ic_layout_of(bool jmp, u32 sl)
{
	if (jmp)
		return &ic_jmp_layout;
	return sl ? &ic_call_lookup_layout : &ic_call_layout;
}

/* Bytes of "lea rz(%rsp),%rsp" */
static u32 lea_rsp_len(s32 rz)
{
	return rz ? (jit_fits_s8(rz) ? 5 : 8) : 0;
}

/* Length S of the inline table lookup at a site of host @h, or 0 */
static u32 ic_lookup_len(const struct jit_host *h, bool jmp)
{
	if (!h->ibl_keys || !h->ibl_dests ||
	    !jit_fits_s32((s64)h->ibl_keys) ||
	    !jit_fits_s32((s64)h->ibl_dests +
			  8 * (JIT_IBL_DIRECT - 1)) ||
	    !jit_fits_s32((s64)h->ibl_keys + 8 * (JIT_IBL_DIRECT - 1)))
		return 0;
	/*
	 * probe, movzwl + mov + mov to the slot + 2 pops + jmp/call, then
	 * padding that keeps the patched fields after it 4-byte aligned
	 */
	return (IC_PROBE + 30 +
		(jmp ? lea_rsp_len(h->red_zone) : 2 /* jmp FT */) + 3) & ~3u;
}

static bool ic_usable(const struct jit_translator *t, const struct jit_insn *in)
{
	bool jmp = t->term == JIT_TERM_JMP_IND;

	if (!(jmp ? jit_ic.jmp_miss : jit_ic.call_miss))
		return false;
	if (jmp && t->host->red_zone > 128)
		return false;	/* the hit path's lea must fit its room */
	if (t->sc_key)
		return true;	/* the target comes from memory */
	/* %rsp as the operand moves with our pushes: no cache for it */
	if (t->ind_reg >= 0)
		return t->ind_reg != JIT_RSP;
	return (in->modrm >> 6) != 3 || (in->modrm & 7) != 4 || (in->rex & 1);
}

/* "mov disp32(,%rcx,8),%rcx" */
static void emit_rcx_table(struct jit_emitter *e, u64 table)
{
	static const u8 mov[4] = { 0x48, 0x8b, 0x0c, 0xcd };

	jit_emit_bytes(e, mov, sizeof(mov));
	jit_emit_u32(e, (u32)table);
}

/*
 * The inline lookup at @f + 6, @sl bytes: %rcx and %rdx saved, %rdx = the
 * native target
 */
static void emit_ic_lookup(struct jit_translator *t, bool jmp, s32 rz, u32 f,
			   u32 sl, const struct ic_layout *l)
{
	static const u8 movzwl[3] = { 0x0f, 0xb7, 0xca };
	static const u8 lea_1[5] = { 0x48, 0x8d, 0x4c, 0x11, 0x01 };
	static const u8 mov_slot[5] = { 0x64, 0x48, 0x89, 0x0c, 0x25 };
	static const u8 jmp_slot[4] = { 0x64, 0xff, 0x24, 0x25 };
	static const u8 call_slot[4] = { 0x64, 0xff, 0x14, 0x25 };
	struct jit_emitter *e = &t->emit;
	const struct jit_host *h = t->host;

	jit_emit_bytes(e, movzwl, sizeof(movzwl));
	emit_rcx_table(e, h->ibl_keys);
	jit_emit_bytes(e, lea_1, sizeof(lea_1));
	jit_emit_u8(e, 0xe2);				/* loop F+6+S */
	jit_emit_u8(e, (u8)(sl - IC_PROBE));
	jit_emit_bytes(e, movzwl, sizeof(movzwl));
	emit_rcx_table(e, h->ibl_dests);
	jit_emit_bytes(e, mov_slot, sizeof(mov_slot));
	jit_emit_u32(e, (u32)h->ibl_slot);
	jit_emit_pop_reg(e, JIT_RDX);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_lea_rsp(e, rz);
	jit_emit_bytes(e, jmp ? jmp_slot : call_slot, 4);
	jit_emit_u32(e, (u32)h->ibl_slot);
	if (!jmp) {
		jit_emit_u8(e, 0xeb);			/* jmp FT */
		jit_emit_u8(e, (u8)(f + sl + l->ft - (e->len + 1)));
	}
	if (!e->overflow && e->len <= f + 6 + sl)
		jit_emit_nops(e, f + 6 + sl - e->len);	/* dead padding */
}

/*
 * The site's tail from F+19+S in layout @l: the miss branch (to the stub
 * until the site is armed), [jmp FT], the hit path with its branch (to
 * the stub too: unreachable until armed), the stub, [FT], in the order
 * the layout puts them.
 */
static void emit_ic_tail(struct jit_translator *t, const struct ic_layout *l,
			 bool jmp, s32 rz, u32 fs)
{
	struct jit_emitter *e = &t->emit;
	const u8 *op = jmp ? op_jmp : op_call;
	u64 stub = e->base + fs + l->stub;
	u64 miss = jmp ? jit_ic.jmp_miss : jit_ic.call_miss;

	emit_branch_to(t, op, 1, stub);
	if (l->ft) {			/* the miss call returns here */
		jit_emit_u8(e, 0xeb);
		jit_emit_u8(e, (u8)(l->ft - (IC_MISS + 6)));
	}
	if (l->stub < l->hit_code)
		emit_branch_to(t, op_call, 1, miss);
	jit_emit_pop_reg(e, JIT_RDX);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_lea_rsp(e, rz);
	if (e->overflow)
		return;
	jit_emit_nops(e, fs + l->hit - 1 - e->len);
	emit_branch_to(t, op, 1, stub);
	if (l->stub > l->hit) {
		if (l->ft) {		/* the hit call returns here */
			jit_emit_u8(e, 0xeb);
			jit_emit_u8(e, (u8)(l->ft - (l->hit + 6)));
		} else {
			jit_emit_nops(e, l->stub - (l->hit + 4));
		}
		emit_branch_to(t, op_call, 1, miss);
	}
	if (!e->overflow && e->len != fs + (l->ft ? l->ft : l->stub_end))
		set_error(t, JIT_E_INVAL);
}

static void emit_ic(struct jit_translator *t, const struct jit_insn *in)
{
	static const u8 lea_rcx[3] = { 0x48, 0x8d, 0x8a };
	static const u8 tail[15] = {
		0xe3, 0x00,				/* jrcxz .+2 */
		0x48, 0x8b, 0x4c, 0x24, 0x08,		/* mov 8(%rsp),%rcx */
		0x48, 0x89, 0x54, 0x24, 0x08,		/* mov %rdx,8(%rsp) */
		0x5a, 0x66, 0x90,			/* pop %rdx; nop */
	};
	struct jit_emitter *e = &t->emit;
	bool jmp = t->term == JIT_TERM_JMP_IND;
	s32 rz = jmp ? t->host->red_zone : 0;
	u32 sl = ic_lookup_len(t->host, jmp), f;
	const struct ic_layout *l = ic_layout_of(jmp, sl);

	jit_emit_lea_rsp(e, -rz);
	jit_emit_push_reg(e, JIT_RCX);
	jit_emit_push_reg(e, JIT_RDX);
	if (t->sc_key)
		emit_sc_load(t, JIT_RDX);
	else if (t->ind_reg >= 0)
		jit_emit_mov_reg(e, JIT_RDX, t->ind_reg);
	else
		emit_rm_op(t, in, 0x8b, JIT_RDX, true, rz + 16);
	jit_emit_align_field(e, sizeof(lea_rcx));
	jit_emit_bytes(e, lea_rcx, sizeof(lea_rcx));
	f = e->len;
	/* the fields patched later are 4-byte aligned: atomic stores */
	if (!e->overflow && ((e->base + f + sl + IC_MISS) & 3)) {
		set_error(t, JIT_E_INVAL);
		return;
	}
	jit_emit_u32(e, 0);
	jit_emit_bytes(e, tail, 2);
	if (sl)
		emit_ic_lookup(t, jmp, rz, f, sl, l);
	if (!e->overflow && e->len != f + 6 + sl) {
		set_error(t, JIT_E_INVAL);
		return;
	}
	jit_emit_bytes(e, tail + 2, sizeof(tail) - 2);
	emit_ic_tail(t, l, jmp, rz, f + sl);
}

static void ic_store32(u8 *p, u32 v)
{
#ifdef __KERNEL__
	/* ordered after the fields the site reads once this one is set */
	smp_store_release((u32 *)p, v);
#else
	__atomic_store_n((u32 *)p, v, __ATOMIC_RELEASE);
#endif
}

static void ic_store8(u8 *p, u8 v)
{
#ifdef __KERNEL__
	/* the jrcxz byte arms the site: after the target and hit fields */
	smp_store_release(p, v);
#else
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
#endif
}

bool jit_ic_link(const struct jit_host *h, u8 *wr, u64 stub_ret, u64 target,
		 u64 dest)
{
	/* the stub's call target tells the kind of site, hence its layout */
	s32 stub_rel = (s32)((u32)wr[-4] | (u32)wr[-3] << 8 |
			     (u32)wr[-2] << 16 | (u32)wr[-1] << 24);
	bool call = stub_ret + (s64)stub_rel == jit_ic.call_miss;
	u32 sl = ic_lookup_len(h, !call);
	const struct ic_layout *l = ic_layout_of(!call, sl);
	u8 *f = wr - l->stub_end - sl;
	u64 fpc = stub_ret - l->stub_end - sl;
	u32 hit_field = sl + l->hit;
	u32 hit_code = sl + l->hit_code;
	u64 generic = call ? h->ibl_call_entry : h->ibl_jmp_entry;
	s64 hit = (s64)(dest - (fpc + hit_field + 4));
	s64 miss = (s64)(generic - (fpc + sl + IC_MISS + 4));
	bool armed = false;

	/* armed once: T, then the hit branch, then the jrcxz that uses them */
	if (!f[IC_JRCXZ] && jit_fits_s32((s64)target) &&
	    jit_fits_s32(-(s64)target) && jit_fits_s32(hit)) {
		ic_store32(f, (u32)(0u - (u32)target));
		ic_store32(f + hit_field, (u32)hit);
		ic_store8(f + IC_JRCXZ, (u8)(hit_code - (IC_JRCXZ + 1)));
		armed = true;
	}
	if (jit_fits_s32(miss))
		ic_store32(f + sl + IC_MISS, (u32)miss);
	return armed;
}

/*
 * Jump tables (README "Jump tables").  A block that ends in
 *
 *	mov|movslq <memory indexed by %I>,%R; [add %X,%R]; jmp|call *%R
 *	jmp|call *<memory indexed by %I>
 *
 * (gcc's switch tables, arrays of function pointers, glibc's computed
 * goto tables) gets a table of its own from the host, one entry per
 * index.  Entry i leads to code made on the first use of index i
 * (jit_jt_link()) that redoes the load and add, checks that the target is
 * the one index i had then, and jumps straight to its block.  The site's
 * own indirect branch stays, so the predictor sees one branch per site as
 * natively; the block's other translation, the load with the ordinary
 * indirect path after it, is for indices past the table.  In place of
 * the load:
 *
 *	[cmp $JIT_JT_ENTRIES,%I; jae G]	unless %I is known to be below
 *	jmp|call *table(,%I,8)
 *	[jmp FT]			call: the return, to the fall-through
 *  F:	lea -RZ(%rsp),%rsp; push %I
 *	<load>; [<add>]; push %R	or: push <memory>
 *	call host->jt_fill_entry	every entry's code until it is made
 *  D:	movabs $descriptor,%rax		never runs: jit_jt_link()'s data
 *  G:	<load>				then the add and the indirect branch
 *					(or the memory branch itself)
 *
 * The cmp needs the flags dead before the load (the add rewrites them
 * all; a call's target reads none); where they are live, the site needs
 * a zero-extending byte load or a small "and" into %I just before it (a
 * table indexed by a byte: glibc's printf), and its entries are
 * flag-free.
 */
#define JT_D_CALL	32	/* descriptor bits: 0-31 the table */
#define JT_D_RES	33	/* 4 bits: R */
#define JT_D_X		37	/* 4 bits: X */
#define JT_D_BACK	41	/* 8 bits: from D back to F's load (push) */
#define JT_D_LEN	49	/* 4 bits: the load's (push's) length */
#define JT_D_ADD	53	/* an add (3 bytes) follows the load */
#define JT_D_LIVE	54	/* flags live at the site: entries keep them */
#define JT_D_MEM	55	/* the branch reads memory: F has push <mem> */

static void emit_terminator(struct jit_translator *t,
			    const struct jit_insn *in);

/*
 * Memory operand with a SIB index, neither index nor base rsp (the fill
 * stub moves rsp), and no prefix but REX (REX.W if @rex_w)
 */
static bool jt_mem_index(const struct jit_insn *in, bool rex_w,
			 unsigned int *index)
{
	unsigned int base;

	if (!(in->attr & JIT_ATTR_MEM) || !(in->attr & JIT_ATTR_SIB) ||
	    in->nr_prefixes > (in->rex ? 1 : 0) ||
	    (rex_w && !(in->rex & 8)))
		return false;
	*index = ((in->sib >> 3) & 7) | ((in->rex & 2) << 2);
	base = (in->sib & 7) | ((in->rex & 1) << 3);
	return *index != JIT_RSP && base != JIT_RSP;
}

/* "mov|movslq mem,%res", 64-bit, memory indexed */
static bool jt_is_load(const struct jit_insn *in, unsigned int res,
		       unsigned int *index)
{
	return in->map == JIT_MAP_1BYTE &&
	       (in->opcode == 0x8b || in->opcode == 0x63) &&
	       jit_modrm_reg(in) == res && jt_mem_index(in, true, index);
}

/* "add %x,%res", 64-bit, registers only, x neither res nor rsp */
static bool jt_is_add(const struct jit_insn *in, unsigned int res,
		      unsigned int *x)
{
	unsigned int dst;

	if (in->map != JIT_MAP_1BYTE ||
	    (in->opcode != 0x01 && in->opcode != 0x03) ||
	    in->nr_prefixes != 1 || !(in->rex & 8) ||
	    jit_modrm_mod(in) != 3)
		return false;
	dst = in->opcode == 0x01 ? jit_modrm_rm(in) : jit_modrm_reg(in);
	*x = in->opcode == 0x01 ? jit_modrm_reg(in) : jit_modrm_rm(in);
	return dst == res && *x != res && *x != JIT_RSP;
}

/*
 * Is %index below JIT_JT_ENTRIES before instruction @k: set by a
 * zero-extending byte load or an "and $0..255" just before (a "lea
 * sym(%rip)" of another register may come between)?
 */
static bool jt_index_small(const struct jit_translator *t, unsigned int k,
			   unsigned int index)
{
	const struct jit_insn *in;

	if (!k)
		return false;
	in = &t->insns[--k];
	if (in->map == JIT_MAP_1BYTE && in->opcode == 0x8d &&
	    (in->attr & JIT_ATTR_RIPREL) && jit_modrm_reg(in) != index) {
		if (!k)
			return false;
		in = &t->insns[--k];
	}
	if (in->operand_size != 4 && in->operand_size != 8)
		return false;
	/* movzbl r/m8,%index (movzbq too): 0..255 */
	if (in->map == JIT_MAP_0F && in->opcode == 0xb6)
		return jit_modrm_reg(in) == index;
	if (in->map != JIT_MAP_1BYTE || in->imm < 0 ||
	    in->imm >= JIT_JT_ENTRIES)
		return false;
	/* and $imm,%index (and $imm,%eax) */
	if (in->opcode == 0x25)
		return index == JIT_RAX;
	return (in->opcode == 0x81 || in->opcode == 0x83) &&
	       jit_modrm_mod(in) == 3 && ((in->modrm >> 3) & 7) == 4 &&
	       jit_modrm_rm(in) == index;
}

/* Is the block a jump-table site (t->jt_*)?  After compute_liveness(). */
static void plan_jump_table(struct jit_translator *t)
{
	const struct jit_host *h = t->host;
	const struct jit_instr_ops *ops = t->ops;
	unsigned int n = t->blk->nr_insns, k, r = 0, x, index;
	const struct jit_insn *last = &t->insns[n - 1];
	bool call = t->term == JIT_TERM_CALL_IND;

	t->jt_first = -1;
	t->jt_join = 0;
	t->jt_add = false;
	t->jt_mem = false;
	if (!h->jump_table || !h->jt_fill_entry || h->ibt || t->sc_key ||
	    (!call && t->term != JIT_TERM_JMP_IND))
		return;
	/* hooks at the add or the branch would be skipped by the table */
	if (ops && (ops->insn || (call ? ops->call : ops->indirect)))
		return;
	if (t->ind_reg < 0 && jit_modrm_mod(last) != 3) {
		/* the branch reads its target itself */
		if (!jt_mem_index(last, false, &index) ||
		    (last->attr & JIT_ATTR_OPSIZE))
			return;
		k = n - 1;
		t->jt_mem = true;
	} else {
		if (t->ind_reg >= 0) {
			r = t->ind_reg;
		} else {
			if (last->attr & JIT_ATTR_OPSIZE)
				return;
			r = jit_modrm_rm(last);
		}
		if (r == JIT_RSP || n < 2)
			return;
		k = n - 2;
		t->jt_add = jt_is_add(&t->insns[k], r, &x);
		if (t->jt_add && !k--)
			return;
		if (!jt_is_load(&t->insns[k], r, &index))
			return;
	}
	t->jt_live = t->live[k] & JIT_EFL_ARITH;
	t->jt_small = jt_index_small(t, k, index);
	/* live flags: no cmp at the site, so the index must be bounded */
	if (t->jt_live && !t->jt_small)
		return;
	t->jt_first = k;
	t->jt_index = index;
	t->jt_res = r;
}

static void emit_jt_site(struct jit_translator *t, const struct jit_insn *ld)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	const struct jit_insn *add = t->jt_add ? ld + 1 : NULL;
	bool call = t->term == JIT_TERM_CALL_IND;
	unsigned int ix = t->jt_index, x = 0;
	u32 jmp_len = ix >= 8 ? 8 : 7, jae = 0, load;
	u64 fill = jit_emit_pc(e) + (t->jt_small ? 0 : 9) + jmp_len +
		   (call ? 5 : 0);
	u64 table, desc;

	table = e->overflow ? 0 : h->jump_table(h->priv, ld->pc, fill);
	if (!table || !jit_fits_s32((s64)table) ||
	    !jit_fits_s32((s64)table + 8 * (JIT_JT_ENTRIES - 1))) {
		if (t->jt_mem)
			emit_terminator(t, ld);
		else
			emit_copy(t, ld);
		return;
	}
	if (!t->jt_small) {
		jit_emit_u8(e, 0x48 | (ix >= 8 ? 1 : 0));	/* cmp $N,%I */
		jit_emit_u8(e, 0x81);
		jit_emit_u8(e, 0xf8 | (ix & 7));
		jit_emit_u32(e, JIT_JT_ENTRIES);
		jit_emit_u8(e, 0x73);				/* jae G */
		jae = e->len;
		jit_emit_u8(e, 0);
	}
	if (ix >= 8)					/* jmp|call *table(,%I,8) */
		jit_emit_u8(e, 0x42);
	jit_emit_u8(e, 0xff);
	jit_emit_u8(e, call ? 0x14 : 0x24);
	jit_emit_u8(e, 0xc5 | ((ix & 7) << 3));
	jit_emit_u32(e, (u32)table);
	if (call) {					/* jmp FT */
		jit_emit_u8(e, 0xe9);
		t->jt_join = e->len;
		jit_emit_u32(e, 0);
	}
	if (!e->overflow && jit_emit_pc(e) != fill)
		set_error(t, JIT_E_INVAL);
	jit_emit_lea_rsp(e, -(s32)h->red_zone);		/* F */
	jit_emit_push_reg(e, ix);
	load = e->len;
	if (t->jt_mem) {
		emit_rm_op(t, ld, 0xff, 6, false, 0);	/* push <memory> */
	} else {
		jit_emit_bytes(e, insn_bytes(t, ld), ld->len);
		if (add) {
			jit_emit_bytes(e, insn_bytes(t, add), add->len);
			x = add->opcode == 0x01 ? jit_modrm_reg(add) :
						  jit_modrm_rm(add);
		}
	}
	desc = (u64)(t->jt_mem ? e->len - load : ld->len) << JT_D_LEN;
	if (!t->jt_mem)
		jit_emit_push_reg(e, t->jt_res);
	emit_branch_to(t, op_call, 1, h->jt_fill_entry);
	desc |= (u64)(u32)table | (u64)call << JT_D_CALL |
		(u64)t->jt_res << JT_D_RES | (u64)x << JT_D_X |
		(u64)(e->len - load) << JT_D_BACK | (u64)!!add << JT_D_ADD |
		(u64)!!t->jt_live << JT_D_LIVE | (u64)t->jt_mem << JT_D_MEM;
	jit_emit_u8(e, 0x48);				/* D */
	jit_emit_u8(e, 0xb8);
	jit_emit_u64(e, desc);
	if (jae)
		patch_rel8_here(t, jae);
	/* G: the site above counts as code inserted before the load */
	t->map[t->cur].cache_off = e->len;
	if (t->jt_mem)
		emit_terminator(t, ld);
	else
		emit_copy(t, ld);
}

/* "op %src,%dst" on 64-bit registers (01 add, 29 sub) */
static void emit_rr(struct jit_emitter *e, u8 op, unsigned int src,
		    unsigned int dst)
{
	jit_emit_u8(e, 0x48 | (src >= 8 ? 4 : 0) | (dst >= 8 ? 1 : 0));
	jit_emit_u8(e, op);
	jit_emit_u8(e, 0xc0 | ((src & 7) << 3) | (dst & 7));
}

/* "lea disp(%src),%rcx" */
static void emit_lea_rcx(struct jit_emitter *e, unsigned int src, s32 disp)
{
	jit_emit_u8(e, 0x48 | (src >= 8 ? 1 : 0));
	jit_emit_u8(e, 0x8d);
	jit_emit_u8(e, 0x88 | (src & 7));
	if ((src & 7) == 4)
		jit_emit_u8(e, 0x24);
	jit_emit_u32(e, (u32)disp);
}

/*
 * "opcode /reg" (REX.W) on the memory operand of @p, the "[REX] ff /6"
 * push of a table site's fill stub (no other prefix)
 */
static void emit_jt_mem_op(struct jit_emitter *e, const u8 *p, u32 len,
			   u8 opcode, unsigned int reg)
{
	u32 o = (p[0] & 0xf0) == 0x40;

	jit_emit_u8(e, 0x48 | (o ? p[0] & 3 : 0));
	jit_emit_u8(e, opcode);
	jit_emit_u8(e, (p[o + 1] & 0xc7) | ((reg & 7) << 3));
	jit_emit_bytes(e, p + o + 2, len - o - 2);
}

/*
 * The check of a table entry's code: is the target (%r, or the memory of
 * the push @mem if not NULL) @target? then to @dest.  The cmp form
 * clobbers the flags, so where the target may read them (the add's, or
 * any at a site where they are live) the check is flag-free, with loop
 * (not taken when the value is 1, i.e. on a hit) and %rcx as scratch.
 * Falls through on a mismatch with the flags and stack as at the branch.
 * Return: false if @dest is out of reach.
 */
static bool emit_jt_check(struct jit_emitter *e, const struct jit_host *h,
			  unsigned int r, const u8 *mem, u32 mem_len,
			  int add_x, bool flag_free, u64 target, u64 dest)
{
	s32 rz = h->red_zone;
	u32 at;

	if (!flag_free) {
		if (mem) {				/* cmpq $T,<mem> */
			emit_jt_mem_op(e, mem, mem_len, 0x81, 7);
		} else {				/* cmp $T,%r */
			jit_emit_u8(e, 0x48 | (r >= 8 ? 1 : 0));
			jit_emit_u8(e, 0x81);
			jit_emit_u8(e, 0xf8 | (r & 7));
		}
		jit_emit_u32(e, (u32)target);
		jit_emit_u8(e, 0x75);				/* jne 1f */
		jit_emit_u8(e, 5);
		if (!jit_emit_rel32_branch(e, op_jmp, 1, dest, NULL))
			return false;
		if (add_x >= 0) {	/* 1: the add's flags back */
			emit_rr(e, 0x29, add_x, r);
			emit_rr(e, 0x01, add_x, r);
		}
		return true;
	}
	if (!mem && r == JIT_RCX) {
		emit_lea_rcx(e, r, (s32)(1 - target));
		jit_emit_u8(e, 0xe2);				/* loop 1f */
		at = e->len;
		jit_emit_u8(e, 0);
		emit_lea_rcx(e, r, (s32)target);
		if (!jit_emit_rel32_branch(e, op_jmp, 1, dest, NULL))
			return false;
		if (!e->overflow)
			e->buf[at] = (u8)(e->len - (at + 1));
		emit_lea_rcx(e, r, (s32)target);		/* 1: */
		return true;
	}
	jit_emit_lea_rsp(e, -rz);
	jit_emit_push_reg(e, JIT_RCX);
	if (mem) {
		emit_jt_mem_op(e, mem, mem_len, 0x8b, JIT_RCX);
		r = JIT_RCX;
	}
	emit_lea_rcx(e, r, (s32)(1 - target));
	jit_emit_u8(e, 0xe2);					/* loop 1f */
	at = e->len;
	jit_emit_u8(e, 0);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_lea_rsp(e, rz);
	if (!jit_emit_rel32_branch(e, op_jmp, 1, dest, NULL))
		return false;
	if (!e->overflow)
		e->buf[at] = (u8)(e->len - (at + 1));
	jit_emit_pop_reg(e, JIT_RCX);				/* 1: */
	jit_emit_lea_rsp(e, rz);
	return true;
}

int jit_jt_link(const struct jit_host *h, u64 desc, u64 index, u64 target,
		u64 dest, u8 *buf, u64 buf_pc, u32 cap, u64 *slot)
{
	const u8 *d = (const u8 *)(unsigned long)desc, *ld, *mem;
	struct jit_emitter e;
	unsigned int r, back, len;
	bool call, add, live, check, flag_free;
	int add_x;
	u64 v;

	if (d[0] != 0x48 || d[1] != 0xb8 || index >= JIT_JT_ENTRIES)
		return -JIT_E_INVAL;
	memcpy(&v, d + 2, sizeof(v));
	call = (v >> JT_D_CALL) & 1;
	r = (v >> JT_D_RES) & 15;
	back = (v >> JT_D_BACK) & 0xff;
	len = (v >> JT_D_LEN) & 15;
	add = (v >> JT_D_ADD) & 1;
	live = (v >> JT_D_LIVE) & 1;
	ld = d - back;
	mem = (v >> JT_D_MEM) & 1 ? ld : NULL;
	add_x = add ? (int)((v >> JT_D_X) & 15) : -1;
	*slot = (u64)(s64)(s32)(u32)v + 8 * index;
	check = jit_fits_s32((s64)target) && jit_fits_s32(1 - (s64)target);
	/*
	 * flags are dead at a call's target; at a jmp's they are the add's
	 * (read if the target reads them) or the native code's before the
	 * load (live: never touched)
	 */
	flag_free = check && !call &&
		    (live || (jit_flags_live_in(h, target) & JIT_EFL_ARITH));
	for (;;) {
		jit_emit_init(&e, buf, buf_pc, cap);
		if (!mem)
			jit_emit_bytes(&e, ld, len + (add ? 3 : 0));
		if (!check || emit_jt_check(&e, h, r, mem, len, add_x,
					    flag_free, target, dest))
			break;
		check = false;	/* @dest out of reach: the lookup only */
	}
	/* a different target: the generic lookup, as a jmp */
	jit_emit_lea_rsp(&e, -(s32)h->red_zone);
	if (mem)
		jit_emit_bytes(&e, mem, len);
	else
		jit_emit_push_reg(&e, r);
	if (!jit_emit_rel32_branch(&e, op_jmp, 1, h->ibl_jmp_entry, NULL))
		return -JIT_E_RANGE;
	return e.overflow ? -JIT_E_NOSPACE : (int)e.len;
}

/* Does the exit to @target need a stub (not native, not translated)? */
static bool needs_stub(const struct jit_translator *t, u64 target)
{
	const struct jit_host *h = t->host;

	return !host_untranslatable(h, target) &&
	       !(h->lookup && h->lookup(h->priv, target));
}

/* Is the fall-through to @next left to the caller (jit_block.ft_next)? */
static bool ft_to_next(const struct jit_translator *t, u64 next)
{
	return t->ft_ok && !host_untranslatable(t->host, next);
}

/* The exit to the next native instruction, unless the caller places it */
static void emit_fallthrough(struct jit_translator *t, u64 next)
{
	if (ft_to_next(t, next))
		t->blk->ft_next = 1;
	else
		emit_direct_exit(t, op_jmp, 1, next, JIT_EXIT_JMP);
}

/*
 * A static branch site whose host keeps its copies in step with the key
 * (jit_host.static_branch_state): a jmp with an aligned rel32 that the
 * host repoints (jit_static_branch_set()) to one of the two sides, each
 * an ordinary exit (the fall-through may be the next block, placed after
 * this one):
 *
 *	jmp 1f|2f			(state @taken now)
 *  1:	jmp <target>			(linked or to its stub)
 *  2:	jmp <next> | <end of block>
 */
static void emit_static_branch_direct(struct jit_translator *t,
				      const struct jit_insn *in, bool taken)
{
	struct jit_emitter *e = &t->emit;
	struct jit_block *blk = t->blk;
	u32 site;

	jit_emit_align_field(e, 1);
	jit_emit_u8(e, 0xe9);
	site = e->len;
	jit_emit_u32(e, 0);
	blk->sb_dest[1] = e->len;
	/* each side is "[nops] jmp rel32", or nothing at the block's end */
	emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
	blk->sb_rel[1] = e->len - 4;
	blk->sb_dest[0] = e->len;
	emit_fallthrough(t, in->pc + in->len);
	if (e->len > blk->sb_dest[0])
		blk->sb_rel[0] = e->len - 4;
	if (e->len > 0xffff) {
		set_error(t, JIT_E_NOSPACE);
		return;
	}
	blk->sb_off = site;
	blk->sb_taken = taken;
	if (!jit_emit_patch_rel32(e, site, e->base + blk->sb_dest[taken]))
		set_error(t, JIT_E_RANGE);
}

/*
 * A static branch site: copying its jmp or nop would freeze the key at its
 * state at translation time, so the copy reads the site's first byte each
 * time it runs: taken iff it is the jmp opcode (e9 or eb, by length).  A
 * 0xcc seen while text_poke_bp() rewrites the site counts as not taken;
 * during a poke either state is correct.  EFLAGS are dead at every site:
 * sites are x86 "asm goto" statements, which the compiler treats as
 * clobbering the flags, so a compare needs no saving:
 *
 *	cmpb $op, site(%rip); je <target>; jmp <next>
 */
static void emit_static_branch(struct jit_translator *t,
			       const struct jit_insn *in)
{
	static const u8 cmpb_rip[2] = { 0x80, 0x3d };
	static const u8 op_je[2] = { 0x0f, 0x84 };
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	/* rel32 counts from the end of the instruction, after the imm8 */
	s64 rel = (s64)(in->pc - (jit_emit_pc(e) + sizeof(cmpb_rip) + 4 + 1));
	int state;

	if (h->static_branch_state && e->len < 0xff00) {
		state = h->static_branch_state(h->priv, in->pc);
		if (state == 0 || state == 1) {
			emit_static_branch_direct(t, in, state);
			return;
		}
	}
	if (!jit_fits_s32(rel)) {
		set_error(t, JIT_E_RANGE);
		return;
	}
	jit_emit_bytes(e, cmpb_rip, sizeof(cmpb_rip));
	jit_emit_u32(e, (u32)rel);
	jit_emit_u8(e, in->len == 5 ? 0xe9 : 0xeb);
	emit_direct_exit(t, op_je, sizeof(op_je), in->target, JIT_EXIT_JMP);
	emit_fallthrough(t, in->pc + in->len);
}

/*
 * The function a static call site held when it was translated, called
 * (jumped to) directly while its key still holds it: a key changes
 * rarely, so the general path below the compare is for after an update.
 * Flags are dead at a call.  Functions and keys lie in the kernel's top
 * 2 GiB (sign-extended imm32/disp32); elsewhere only the general path.
 *
 *	cmpq $func, key(%rip); jne 1f; call|jmp <func>; [jmp 2f]
 *  1:	<the general path>; 2: <the fall-through>
 */
static void emit_sc_direct(struct jit_translator *t, bool jmp)
{
	static const u8 cmpq_rip[3] = { 0x48, 0x81, 0x3d };
	static const u8 cmpq_abs[4] = { 0x48, 0x81, 0x3c, 0x25 };
	struct jit_emitter *e = &t->emit;
	/* one load: the compare and the call must name the same function */
	u64 func = __atomic_load_n((const u64 *)(unsigned long)t->sc_key,
				   __ATOMIC_RELAXED);
	u64 dest = func ? func : t->host->static_call_null;
	s64 rel = (s64)(t->sc_key - (jit_emit_pc(e) + sizeof(cmpq_rip) + 8));
	u32 jne;

	if (!jit_fits_s32((s64)func))
		return;
	if (jit_fits_s32(rel)) {
		jit_emit_bytes(e, cmpq_rip, sizeof(cmpq_rip));
		jit_emit_u32(e, (u32)rel);
	} else if (jit_fits_s32((s64)t->sc_key)) {
		jit_emit_bytes(e, cmpq_abs, sizeof(cmpq_abs));
		jit_emit_u32(e, (u32)t->sc_key);
	} else {
		return;
	}
	jit_emit_u32(e, (u32)func);
	jit_emit_u8(e, 0x75);			/* jne 1f */
	jne = e->len;
	jit_emit_u8(e, 0);
	if (jmp) {
		emit_direct_exit(t, op_jmp, 1, dest, JIT_EXIT_JMP);
	} else {
		emit_direct_exit(t, op_call, 1, dest, JIT_EXIT_CALL);
		/* the return joins the general path's fall-through */
		jit_emit_u8(e, 0xe9);
		t->sc_join = e->len;
		jit_emit_u32(e, 0);
	}
	patch_rel8_here(t, jne);
}

static void emit_terminator(struct jit_translator *t, const struct jit_insn *in)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	u64 next = in->pc + in->len;

	switch (t->term) {
	case JIT_TERM_JMP:
		emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
		return;
	case JIT_TERM_JCC:
		emit_jcc(t, in);
		break;
	case JIT_TERM_STATIC:
		emit_static_branch(t, in);
		return;
	case JIT_TERM_CALL:
		emit_call(t, in);
		break;
	case JIT_TERM_RET:
		if (in->flow == JIT_FLOW_RET)
			emit_copy(t, in);
		else	/* jmp to a return thunk: keep the native thunk */
			emit_branch_to(t, op_jmp, 1, in->target);
		return;
	case JIT_TERM_JMP_IND:
		if (t->sc_key)
			emit_sc_direct(t, true);
		if (ic_usable(t, in)) {
			emit_ic(t, in);
			return;
		}
		/* the lookup needs the stack; the red zone may be live */
		jit_emit_lea_rsp(e, -(s32)h->red_zone);
		emit_push_target(t, in, h->red_zone);
		emit_branch_to(t, op_jmp, 1, h->ibl_jmp_entry);
		return;
	case JIT_TERM_CALL_IND:
		/*
		 * No red zone skip: the call's own push clobbers it natively
		 * too.  The target is computed before anything is pushed,
		 * as the call does; our call then pushes the cache
		 * continuation, which the lookup keeps as the callee's
		 * return address.
		 */
		if (t->sc_key)
			emit_sc_direct(t, false);
		if (ic_usable(t, in)) {
			emit_ic(t, in);
			break;
		}
		emit_push_target(t, in, 0);
		emit_branch_to(t, op_call, 1, h->ibl_call_entry);
		break;
	default:
		return;
	}
	if (t->sc_join && !e->overflow) {	/* emit_sc_direct()'s 2: */
		u32 rel = e->len - (t->sc_join + 4);

		memcpy(e->buf + t->sc_join, &rel, sizeof(rel));
	}
	if (t->jt_join && !e->overflow) {	/* emit_jt_site()'s jmp FT */
		u32 rel = e->len - (t->jt_join + 4);

		memcpy(e->buf + t->jt_join, &rel, sizeof(rel));
	}
	/* jcc, loop and calls fall through (calls: on return) */
	emit_fallthrough(t, next);
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
		emit_jt_site(t, in);
		return;
	}
	if (last && t->term != JIT_TERM_NONE) {
		emit_terminator(t, in);
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
	emit_copy(t, in);
	if (writes_only_zf(in))
		emit_flags_refresh(t);
}

/*
 * Both exits of a jcc can share one stub: the dispatcher tells them apart
 * by evaluating the condition on the flags the stub was entered with (the
 * stub changes no flag).  That saves a stub on most conditional blocks.
 */
static bool can_share_stub(const struct jit_translator *t)
{
	const struct jit_block *blk = t->blk;
	const struct jit_insn *last = &t->insns[blk->nr_insns - 1];

	return blk->nr_exits == 2 && t->term == JIT_TERM_JCC &&
	       last->flow == JIT_FLOW_JCC &&
	       blk->exits[0].kind == JIT_EXIT_JMP &&
	       blk->exits[1].kind == JIT_EXIT_JMP &&
	       blk->exits[0].target != blk->exits[1].target;
}

/*
 * Bytes of the stubs a block will need, known before emitting it (enum
 * jit_ft_mode): the fall-through never needs one then (it is placed
 * next, or already translated, or native), so only a jmp, jcc, call or
 * static branch target can.
 */
static u32 plan_stubs(const struct jit_translator *t)
{
	const struct jit_insn *last = &t->insns[t->blk->nr_insns - 1];
	s32 rz = -(s32)t->host->red_zone;
	u32 jmp_stub = 5 + (rz ? (jit_fits_s8(rz) ? 5 : 8) : 0);

	switch (t->term) {
	case JIT_TERM_JMP:
	case JIT_TERM_JCC:
	case JIT_TERM_STATIC:	/* its fall-through is a fall-through too */
		return needs_stub(t, last->target) ? jmp_stub : 0;
	case JIT_TERM_CALL:
		return needs_stub(t, last->target) ? 5 : 0;
	default:
		return 0;
	}
}

static void emit_stubs(struct jit_translator *t)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit, before, *se = e;
	struct jit_block *blk = t->blk;
	bool shared = can_share_stub(t);
	unsigned int i;

	if (t->stub_bytes) {
		if (e->overflow)
			return;	/* no room was reserved: -JIT_E_NOSPACE */
		/* the room reserved before the entry */
		jit_emit_init(&before, e->buf, e->base, t->stub_bytes);
		se = &before;
	}
	if (shared)
		blk->shared_cc = t->insns[blk->nr_insns - 1].opcode & 0xf;
	for (i = 0; i < blk->nr_exits; i++) {
		struct jit_exit *x = &blk->exits[i];
		bool ok;

		if (shared && i) {
			x->stub_off = blk->exits[0].stub_off;
			x->stub_end = blk->exits[0].stub_end;
		} else {
			x->stub_off = se->len;
			/*
			 * A jmp exit can leave with live data in the red
			 * zone; the stub's call must not overwrite it.  A
			 * call exit already pushed its return address:
			 * below it is the callee's.
			 */
			if (x->kind == JIT_EXIT_JMP) {
				jit_emit_lea_rsp(se, -(s32)h->red_zone);
				ok = jit_emit_rel32_branch(se, op_call, 1,
							   h->exit_entry, NULL);
			} else {
				ok = jit_emit_rel32_branch(se, op_call, 1,
							   h->exit_call_entry,
							   NULL);
			}
			if (!ok)
				set_error(t, JIT_E_RANGE);
			x->stub_end = se->len;
		}
		if (!jit_emit_patch_rel32(e, x->patch_off,
					  e->base + x->stub_off))
			set_error(t, JIT_E_RANGE);
	}
	/*
	 * The plan must hold (lookups that changed meanwhile would break
	 * it): no stub may follow a block that runs off its end.
	 */
	if (se != e ? se->overflow || se->len != t->stub_bytes :
		      blk->ft_next && blk->nr_exits)
		set_error(t, JIT_E_INVAL);
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
	ret = decode_block(t, pc);
	if (ret < 0)
		goto out;
	n = ret;
	compute_liveness(t);
	plan_jump_table(t);

	jit_emit_init(e, buf, cache_pc, cap);
	t->stub_bytes = h->fallthrough_next ? plan_stubs(t) : 0;
	t->ft_ok = h->fallthrough_next == JIT_FT_HEAD ||
		   (h->fallthrough_next == JIT_FT_CHAINED && !t->stub_bytes);
	if (h->fallthrough_next != JIT_FT_HEAD)
		t->stub_bytes = 0;	/* after the block, as usual */
	if (t->stub_bytes) {
		jit_emit_nops(e, t->stub_bytes);	/* emit_stubs() fills it */
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
		emit_fallthrough(t, pc + blk->native_len);
	emit_stubs(t);
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

bool jit_exit_link(const struct jit_block *blk, u8 *buf,
		   const struct jit_exit *exit, u64 dest)
{
	s64 rel = (s64)(dest - (blk->cache_start + exit->patch_off + 4));

	if (!jit_fits_s32(rel))
		return false;
	/* aligned by construction: a single atomic store */
#ifdef __KERNEL__
	WRITE_ONCE(*(u32 *)(buf + exit->patch_off), (u32)(s32)rel);
#else
	__atomic_store_n((u32 *)(buf + exit->patch_off), (u32)(s32)rel,
			 __ATOMIC_RELEASE);
#endif
	return true;
}

bool jit_static_branch_set(struct jit_block *blk, u8 *buf, bool taken)
{
	s64 to = blk->sb_dest[taken];
	u32 rel, side;
	s32 now;

	if (!blk->sb_off)
		return false;
	blk->sb_taken = taken;
	/* where the side's jmp goes now, if the site reaches it */
	if (blk->sb_rel[taken]) {
		memcpy(&side, buf + blk->sb_rel[taken], sizeof(side));
		now = (s32)side;
		if (jit_fits_s32(blk->sb_rel[taken] + 4 + (s64)now -
				 (blk->sb_off + 4)))
			to = blk->sb_rel[taken] + 4 + (s64)now;
	}
	rel = (u32)(to - (blk->sb_off + 4));
#ifdef __KERNEL__
	WRITE_ONCE(*(u32 *)(buf + blk->sb_off), rel);
#else
	__atomic_store_n((u32 *)(buf + blk->sb_off), rel, __ATOMIC_RELEASE);
#endif
	return true;
}

/* Does condition code @cc (the low nibble of jcc) hold for @fl? */
static bool cc_holds(unsigned int cc, u64 fl)
{
	bool cf = fl & 0x1, pf = fl & 0x4, zf = fl & 0x40, sf = fl & 0x80;
	bool of = fl & 0x800, r;

	switch (cc >> 1) {
	case 0:
		r = of;
		break;
	case 1:
		r = cf;
		break;
	case 2:
		r = zf;
		break;
	case 3:
		r = cf || zf;
		break;
	case 4:
		r = sf;
		break;
	case 5:
		r = pf;
		break;
	case 6:
		r = sf != of;
		break;
	default:
		r = zf || sf != of;
		break;
	}
	return cc & 1 ? !r : r;
}

const struct jit_exit *jit_block_find_exit(const struct jit_block *blk,
					   u64 stub_ret, u64 eflags)
{
	u64 off = stub_ret - blk->cache_start;
	unsigned int i;

	if (blk->shared_cc != JIT_CC_NONE && blk->nr_exits == 2 &&
	    blk->exits[0].stub_end == off)
		return &blk->exits[cc_holds(blk->shared_cc, eflags) ? 0 : 1];
	for (i = 0; i < blk->nr_exits; i++)
		if (blk->exits[i].stub_end == off)
			return &blk->exits[i];
	return NULL;
}

/* --- instrumentation ----------------------------------------------------- */

static int latch(struct jit_translator *t, int err)
{
	set_error(t, err);
	return -err;
}

/*
 * Emit "[seg] opcode modrm=00 reg 100 sib=25 disp32" (absolute) or
 * "opcode modrm=00 reg 101 rel32" (RIP-relative) addressing @addr, with
 * @tail bytes (an immediate) after the address.
 */
static int emit_mem_abs(struct jit_translator *t, const u8 *op, u32 oplen,
			unsigned int reg, u64 addr, const u8 *tail, u32 tail_len)
{
	struct jit_emitter *e = &t->emit;
	s64 rel;

	if (t->host->counter_mode == JIT_COUNTER_GS_REG)
		return latch(t, JIT_E_INVAL);	/* not an operand form */
	if (t->host->counter_mode == JIT_COUNTER_GS) {
		if (!jit_fits_s32((s64)addr))
			return latch(t, JIT_E_RANGE);
		jit_emit_u8(e, 0x65);
	}
	if (t->host->counter_mode == JIT_COUNTER_GS ||
	    jit_fits_s32((s64)addr)) {
		jit_emit_bytes(e, op, oplen);
		jit_emit_u8(e, 0x04 | ((reg & 7) << 3));
		jit_emit_u8(e, 0x25);
		jit_emit_u32(e, (u32)addr);
	} else {
		rel = (s64)(addr - (jit_emit_pc(e) + oplen + 5 + tail_len));
		if (!jit_fits_s32(rel))
			return latch(t, JIT_E_RANGE);
		jit_emit_bytes(e, op, oplen);
		jit_emit_u8(e, 0x05 | ((reg & 7) << 3));
		jit_emit_u32(e, (u32)rel);
	}
	if (tail_len)		/* tail may be NULL then */
		jit_emit_bytes(e, tail, tail_len);
	return 0;
}

/*
 * The read-modify-write a counter increment is: "addq $n" with an imm8
 * (83 /0 ib) or an imm32 (81 /0 id); "incq" (ff /0) for 1 only where CF
 * is live and the other arithmetic flags are not, so that inc, which
 * keeps CF, needs no save.  Elsewhere add: inc's partial flag update
 * makes QEMU's TCG compute the previous CF in a helper call at every
 * block head (measured: stat() on 6.12 with bbcount 1.84x -> 1.67x
 * natively's time), and a CPU merge the old CF.
 */
struct counter_op {
	u8 op[2];
	u8 imm[4];
	u32 imm_len;
	unsigned int flags;	/* the arithmetic flags it writes */
};

static void counter_op(struct counter_op *c, u32 n, unsigned int live)
{
	c->op[0] = 0x48;				/* REX.W */
	if (n == 1 && (live & JIT_EFL_ARITH) == JIT_EFL_CF) {
		c->op[1] = 0xff;
		c->imm_len = 0;
		c->flags = JIT_EFL_ARITH & ~JIT_EFL_CF;
		return;
	}
	c->flags = JIT_EFL_ARITH;
	if (jit_fits_s8((s64)n)) {
		c->op[1] = 0x83;
		c->imm[0] = (u8)n;
		c->imm_len = 1;
	} else {
		c->op[1] = 0x81;
		c->imm[0] = (u8)n;
		c->imm[1] = (u8)(n >> 8);
		c->imm[2] = (u8)(n >> 16);
		c->imm[3] = (u8)(n >> 24);
		c->imm_len = 4;
	}
}

/* "%gs: op (%reg)" with @c's opcode and immediate */
static void emit_gs_op_at(struct jit_emitter *e, const struct counter_op *c,
			  unsigned int reg)
{
	jit_emit_u8(e, 0x65);				/* %gs: */
	jit_emit_u8(e, c->op[0] | (reg >= 8 ? 1 : 0));	/* REX.W, REX.B */
	jit_emit_u8(e, c->op[1]);
	if ((reg & 7) == JIT_RBP) {			/* %r13: 0(%r13) */
		jit_emit_u8(e, 0x45);
		jit_emit_u8(e, 0x00);
	} else if ((reg & 7) == JIT_RSP) {		/* %r12: SIB */
		jit_emit_u8(e, 0x04);
		jit_emit_u8(e, 0x24);
	} else {
		jit_emit_u8(e, reg & 7);
	}
	jit_emit_bytes(e, c->imm, c->imm_len);
}

static unsigned int lowest_gpr(u16 mask)
{
	unsigned int r = 0;

	while (!(mask & 1)) {
		mask >>= 1;
		r++;
	}
	return r;
}

/*
 * A register the block overwrites later (jit_dead_gprs()) holds the
 * offset, and nothing is saved: "mov $off,%reg; addq $n,%gs:(%reg)".
 * With flags to save, lahf/seto need %rax dead too, and a second
 * register for the offset.  Return: false if no register is free.
 */
static bool insert_counter_dead_reg(struct jit_translator *t, u64 addr,
				    const struct counter_op *c,
				    bool save_flags)
{
	static const u8 lahf_seto[4] = { 0x9f, 0x0f, 0x90, 0xc0 };
	static const u8 add_sahf[3] = { 0x04, 0x7f, 0x9e };
	struct jit_emitter *e = &t->emit;
	u16 dead = jit_dead_gprs(t);
	unsigned int reg;

	if (save_flags) {
		if (!(dead & 1))
			return false;
		dead &= ~1;
	}
	if (!dead)
		return false;
	reg = lowest_gpr(dead);
	if (save_flags)
		jit_emit_bytes(e, lahf_seto, sizeof(lahf_seto));
	jit_emit_mov_imm(e, reg, addr);
	emit_gs_op_at(e, c, reg);
	if (save_flags)
		jit_emit_bytes(e, add_sahf, sizeof(add_sahf));
	t->ctr_end = 0;			/* nothing to reopen */
	t->ctr_free++;
	return true;
}

/*
 * "incq/addq %gs:(%rax)" with the counter's offset in %rax, which is
 * saved, as are the flags the increment writes when live: lahf/seto into
 * %ax (and back with an overflowing add and sahf) rather than pushf/popf,
 * which would also reload IF, AC and TF.  Unless registers are free
 * (insert_counter_dead_reg()).
 *
 * Counters inserted one after the other at the same point (the block
 * hooks of several plugins, or a plugin's several counters) share one
 * save: when nothing was emitted since the previous sequence, its
 * closing is taken back and the next add goes inside it, provided that
 * sequence saved the flags if this add needs them saved.
 */
static int insert_counter_gs_reg(struct jit_translator *t, u64 addr,
				 const struct counter_op *c, bool save_flags)
{
	static const u8 lahf_seto[4] = { 0x9f, 0x0f, 0x90, 0xc0 };
	static const u8 add_sahf[3] = { 0x04, 0x7f, 0x9e };
	struct jit_emitter *e = &t->emit;
	s32 rz = t->host->red_zone;
	u32 close;

	if (insert_counter_dead_reg(t, addr, c, save_flags))
		return 0;
	t->ctr_saved++;
	if (t->ctr_end && t->ctr_end == e->len && !e->overflow &&
	    (t->ctr_flags || !save_flags)) {
		e->len -= t->ctr_close;		/* reopen it */
		save_flags = t->ctr_flags;
	} else {
		jit_emit_lea_rsp(e, -rz);
		jit_emit_u8(e, 0x50);			/* push %rax */
		if (save_flags) {
			jit_emit_bytes(e, lahf_seto, sizeof(lahf_seto));
			jit_emit_u8(e, 0x50);		/* push %rax */
		}
	}
	jit_emit_mov_imm(e, JIT_RAX, addr);
	emit_gs_op_at(e, c, JIT_RAX);
	close = e->len;
	if (save_flags) {
		jit_emit_u8(e, 0x58);			/* pop %rax */
		jit_emit_bytes(e, add_sahf, sizeof(add_sahf));
	}
	jit_emit_u8(e, 0x58);				/* pop %rax */
	jit_emit_lea_rsp(e, rz);
	t->ctr_end = e->len;
	t->ctr_close = e->len - close;
	t->ctr_flags = save_flags;
	return 0;
}

int jit_insert_counter_add(struct jit_translator *t, u64 addr, u32 n)
{
	static const u8 mov_load[2] = { 0x48, 0x8b };
	static const u8 mov_store[2] = { 0x48, 0x89 };
	struct counter_op c;
	bool save;
	s32 rz = t->host->red_zone;
	int ret;

	if (!n)
		return 0;
	if (n > 0x7fffffffU)	/* the immediate is sign-extended */
		return latch(t, JIT_E_INVAL);
	counter_op(&c, n, jit_live_flags(t));
	save = jit_live_flags(t) & c.flags;

	if (t->host->counter_mode == JIT_COUNTER_GS_REG)
		return insert_counter_gs_reg(t, addr, &c, save);

	if (!save)
		return emit_mem_abs(t, c.op, 2, 0, addr, c.imm, c.imm_len);
	/*
	 * Flags live: no pushf/popf (popf is slow and reloads IF/AC/TF)
	 * but a flag-free load, lea +n, store through a saved %rax.  Not
	 * one instruction, which only matters for the per-CPU GS mode
	 * (migration between load and store): that mode keeps the one
	 * read-modify-write, between lahf/seto and sahf.
	 */
	if (t->host->counter_mode == JIT_COUNTER_GS) {
		static const u8 lahf_seto[4] = { 0x9f, 0x0f, 0x90, 0xc0 };
		static const u8 add_sahf[3] = { 0x04, 0x7f, 0x9e };

		jit_emit_lea_rsp(&t->emit, -rz);
		jit_emit_u8(&t->emit, 0x50);		/* push %rax */
		jit_emit_bytes(&t->emit, lahf_seto, sizeof(lahf_seto));
		ret = emit_mem_abs(t, c.op, 2, 0, addr, c.imm, c.imm_len);
		jit_emit_bytes(&t->emit, add_sahf, sizeof(add_sahf));
		jit_emit_u8(&t->emit, 0x58);		/* pop %rax */
		jit_emit_lea_rsp(&t->emit, rz);
		return ret;
	}
	jit_emit_lea_rsp(&t->emit, -rz);
	jit_emit_u8(&t->emit, 0x50);			/* push %rax */
	ret = emit_mem_abs(t, mov_load, 2, JIT_RAX, addr, NULL, 0);
	/* lea n(%rax),%rax: disp8 or disp32 */
	jit_emit_u8(&t->emit, 0x48);
	jit_emit_u8(&t->emit, 0x8d);
	if (jit_fits_s8((s64)n)) {
		jit_emit_u8(&t->emit, 0x40);
		jit_emit_u8(&t->emit, (u8)n);
	} else {
		jit_emit_u8(&t->emit, 0x80);
		jit_emit_u32(&t->emit, n);
	}
	if (!ret)
		ret = emit_mem_abs(t, mov_store, 2, JIT_RAX, addr, NULL, 0);
	jit_emit_u8(&t->emit, 0x58);			/* pop %rax */
	jit_emit_lea_rsp(&t->emit, rz);
	return ret;
}

int jit_insert_counter(struct jit_translator *t, u64 addr)
{
	return jit_insert_counter_add(t, addr, 1);
}

int jit_insert_store_byte(struct jit_translator *t, u64 addr)
{
	static const u8 movb[1] = { 0xc6 };
	static const u8 one[1] = { 1 };

	return emit_mem_abs(t, movb, 1, 0, addr, one, 1);
}

/* Load the current branch's target into @reg (see JIT_ARG_TARGET) */
static void emit_target_arg(struct jit_translator *t, unsigned int reg,
			    s32 rsp_adj)
{
	const struct jit_insn *in = &t->insns[t->cur];
	bool last = t->cur == t->blk->nr_insns - 1u;

	switch (last ? t->term : JIT_TERM_NONE) {
	case JIT_TERM_JMP:
	case JIT_TERM_JCC:
	case JIT_TERM_CALL:
		jit_emit_mov_imm(&t->emit, reg, in->target);
		break;
	case JIT_TERM_RET:
		jit_emit_load_rsp(&t->emit, reg, rsp_adj);
		break;
	case JIT_TERM_JMP_IND:
	case JIT_TERM_CALL_IND:
		if (t->sc_key)
			emit_sc_load(t, reg);
		else if (t->ind_reg >= 0)
			jit_emit_mov_reg(&t->emit, reg, t->ind_reg);
		else
			emit_rm_op(t, in, 0x8b, reg, true, rsp_adj);
		break;
	default:
		jit_emit_mov_imm(&t->emit, reg, 0);
		break;
	}
}

int jit_insert_clean_call(struct jit_translator *t, u64 fn,
			  unsigned int nr_args, const struct jit_arg *args)
{
	static const u8 saved[] = {
		JIT_RAX, JIT_RCX, JIT_RDX, JIT_RSI, JIT_RDI,
		JIT_R8, JIT_R9, JIT_R10, JIT_R11, JIT_RBP,
	};
	static const u8 arg_regs[JIT_CLEAN_CALL_MAX_ARGS] = {
		JIT_RDI, JIT_RSI, JIT_RDX, JIT_RCX, JIT_R8, JIT_R9,
	};
	static const u8 and_rsp_16[4] = { 0x48, 0x83, 0xe4, 0xf0 };
	static const u8 call_rax[2] = { 0xff, 0xd0 };
	struct jit_emitter *e = &t->emit;
	s32 rz = t->host->red_zone, pushed = 0;
	bool save_flags = jit_live_flags(t) || t->std_seen;
	int target_reg = -1;
	unsigned int i;

	if (nr_args > JIT_CLEAN_CALL_MAX_ARGS)
		return latch(t, JIT_E_INVAL);
	jit_emit_lea_rsp(e, -rz);
	if (save_flags) {
		jit_emit_u8(e, 0x9c);
		pushed += 8;
	}
	for (i = 0; i < sizeof(saved); i++) {
		jit_emit_push_reg(e, saved[i]);
		pushed += 8;
	}
	/* operands of the branch still see the original registers here */
	for (i = 0; i < nr_args; i++) {
		if (args[i].kind != JIT_ARG_TARGET)
			continue;
		if (target_reg < 0) {
			emit_target_arg(t, arg_regs[i], pushed + rz);
			target_reg = arg_regs[i];
		} else {
			jit_emit_mov_reg(e, arg_regs[i], target_reg);
		}
	}
	for (i = 0; i < nr_args; i++) {
		u64 v;

		switch (args[i].kind) {
		case JIT_ARG_CONST:
			v = args[i].value;
			break;
		case JIT_ARG_NATIVE_PC:
			v = t->insns[t->cur].pc;
			break;
		case JIT_ARG_BLOCK_ID:
			v = t->blk->id;
			break;
		case JIT_ARG_SP:
			/* lea pushed+rz(%rsp),reg */
			jit_emit_u8(e, 0x48 | (arg_regs[i] >= 8 ? 4 : 0));
			jit_emit_u8(e, 0x8d);
			jit_emit_u8(e, 0x84 | ((arg_regs[i] & 7) << 3));
			jit_emit_u8(e, 0x24);
			jit_emit_u32(e, (u32)(pushed + rz));
			continue;
		default:
			continue;
		}
		jit_emit_mov_imm(e, arg_regs[i], v);
	}
	/* rbp keeps the unaligned rsp; it is callee-saved for fn */
	jit_emit_mov_reg(e, JIT_RBP, JIT_RSP);
	if (t->std_seen)
		jit_emit_u8(e, 0xfc);			/* cld: ABI wants DF=0 */
	jit_emit_bytes(e, and_rsp_16, 4);
	if (!jit_emit_rel32_branch(e, op_call, 1, fn, NULL)) {
		jit_emit_mov_imm(e, JIT_RAX, fn);
		jit_emit_bytes(e, call_rax, 2);
	}
	jit_emit_mov_reg(e, JIT_RSP, JIT_RBP);
	for (i = sizeof(saved); i-- > 0;)
		jit_emit_pop_reg(e, saved[i]);
	if (save_flags)
		jit_emit_u8(e, 0x9d);
	jit_emit_lea_rsp(e, rz);
	return t->error ? -t->error : 0;
}
