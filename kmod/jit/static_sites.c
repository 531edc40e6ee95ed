// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: sites the kernel patches at run time.  Static branch
 * (jump label) sites, translated to test the site's bytes when they run or,
 * with jit_host.static_branch_state, as a direct jmp the host repoints
 * (jit_static_branch_set()); static call sites, which call what their key
 * holds when they run.  README "Static branch sites" and "Static call sites".
 */
#include "translate_priv.h"

/*
 * A static branch (jump label) site, as the kernel writes it: a jmp or a
 * nop of the site's fixed length.  Anything else there (int3 while
 * text_poke_bp() is mid-way) is left to the ordinary rules.
 */
bool jit_static_branch_site(struct jit_translator *t, struct jit_insn *in)
{
	const struct jit_host *h = t->host;
	const u8 *b = t->code + (in->pc - t->blk->native_start);
	u64 target;

	/* the shape first: the host's table is asked about few instructions */
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
	if (!h->static_branch || !h->static_branch(h->priv, in->pc, &target))
		return false;
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
int jit_static_call_site(struct jit_translator *t, struct jit_insn *in,
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

/*
 * The function a static call site calls now, into @reg: its key's word,
 * one aligned load (so never half an update), or the host's do-nothing
 * function while that is 0.  Writes the flags, which are dead at a call:
 *
 *	mov key,%reg; test %reg,%reg; jnz 1f; mov $null,%reg; 1:
 */
void jit_emit_sc_load(struct jit_translator *t, unsigned int reg)
{
	struct jit_emitter *e = &t->emit;
	u8 rexb = 0x48 | (reg >= 8 ? 5 : 0);
	u32 jnz;

	jit_emit_abs_op(t, 0x48 | (reg >= 8 ? 4 : 0), 0x8b, reg, t->sc_key);
	jit_emit_u8(e, rexb);				/* test %reg,%reg */
	jit_emit_u8(e, 0x85);
	jit_emit_u8(e, 0xc0 | ((reg & 7) << 3) | (reg & 7));
	jit_emit_u8(e, 0x75);
	jnz = e->len;
	jit_emit_u8(e, 0);
	jit_emit_mov_imm(e, reg, t->host->static_call_null);
	jit_patch_rel8_here(t, jnz);
}

/*
 * Push the function a static call site calls now (see jit_emit_sc_load()):
 *
 *	push key; cmpq $0,(%rsp); jne 1f
 *	push %rax; mov $null,%rax; mov %rax,8(%rsp); pop %rax; 1:
 */
void jit_emit_sc_push(struct jit_translator *t)
{
	static const u8 cmpq0[5] = { 0x48, 0x83, 0x3c, 0x24, 0x00 };
	static const u8 store[5] = { 0x48, 0x89, 0x44, 0x24, 0x08 };
	struct jit_emitter *e = &t->emit;
	u32 jne;

	jit_emit_abs_op(t, 0, 0xff, 6, t->sc_key);
	jit_emit_bytes(e, cmpq0, sizeof(cmpq0));
	jit_emit_u8(e, 0x75);
	jne = e->len;
	jit_emit_u8(e, 0);
	jit_emit_push_reg(e, JIT_RAX);
	jit_emit_mov_imm(e, JIT_RAX, t->host->static_call_null);
	jit_emit_bytes(e, store, sizeof(store));
	jit_emit_pop_reg(e, JIT_RAX);
	jit_patch_rel8_here(t, jne);
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
	jit_emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
	blk->sb_rel[1] = e->len - 4;
	blk->sb_dest[0] = e->len;
	jit_emit_fallthrough(t, in->pc + in->len);
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
void jit_emit_static_branch(struct jit_translator *t,
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
	jit_emit_direct_exit(t, op_je, sizeof(op_je), in->target, JIT_EXIT_JMP);
	jit_emit_fallthrough(t, in->pc + in->len);
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
void jit_emit_sc_direct(struct jit_translator *t, bool jmp)
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
		jit_emit_direct_exit(t, op_jmp, 1, dest, JIT_EXIT_JMP);
	} else {
		jit_emit_direct_exit(t, op_call, 1, dest, JIT_EXIT_CALL);
		/* the return joins the general path's fall-through */
		jit_emit_u8(e, 0xe9);
		t->sc_join = e->len;
		jit_emit_u32(e, 0);
	}
	jit_patch_rel8_here(t, jne);
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
