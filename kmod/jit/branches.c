// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: copies of native instructions (RIP-relative operands
 * rewritten for the new pc, r/m operands reused in new instructions), direct
 * branches and exits (jmp, jcc, loop, call) and the fall-through: the
 * helpers that the other parts (indirect.c, static_sites.c, ...) build on.
 */
#include "translate_priv.h"

/* Copy an instruction, rewriting a RIP-relative displacement for its new pc */
void jit_emit_copy(struct jit_translator *t, const struct jit_insn *in)
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
 * jit_emit_rm_op() - emit "opcode /reg" on the ModRM operand of @in
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
void jit_emit_rm_op(struct jit_translator *t, const struct jit_insn *in,
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
void jit_emit_abs_op(struct jit_translator *t, u8 rex, u8 opcode,
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
void jit_patch_rel8_here(struct jit_translator *t, u32 at)
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

void jit_emit_branch_to(struct jit_translator *t, const u8 *op, u32 oplen,
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
void jit_emit_direct_exit(struct jit_translator *t, const u8 *op, u32 oplen,
			     u64 target, u8 kind)
{
	const struct jit_host *h = t->host;
	struct jit_emitter *e = &t->emit;
	struct jit_block *blk = t->blk;
	struct jit_exit *x;
	u64 dest;

	if (host_untranslatable(h, target)) {
		jit_emit_branch_to(t, op, oplen, target);
		return;
	}
	dest = h->lookup ? h->lookup(h->priv, target) : 0;
	if (dest) {
		jit_emit_branch_to(t, op, oplen, dest);
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
	 * Align now for the taken exit's rel32, so that jit_emit_direct_exit()
	 * needs no padding and the jmp follows "eb 05" immediately.
	 */
	jit_emit_align_field(e, n + 1);
	jit_emit_bytes(e, seq, n);
	jit_emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
}

/* A jcc, or a loop-type branch (rel8 only), as a direct exit when taken */
void jit_emit_jcc(struct jit_translator *t, const struct jit_insn *in)
{
	u8 op[2] = { 0x0f, 0x80 | (in->opcode & 0xf) };

	if (in->flow == JIT_FLOW_LOOP)
		emit_loop(t, in);
	else
		jit_emit_direct_exit(t, op, 2, in->target, JIT_EXIT_JMP);
}

/* Is the fall-through to @next left to the caller (jit_block.ft_next)? */
static bool ft_to_next(const struct jit_translator *t, u64 next)
{
	return t->ft_ok && !host_untranslatable(t->host, next);
}

/* The exit to the next native instruction, unless the caller places it */
void jit_emit_fallthrough(struct jit_translator *t, u64 next)
{
	if (ft_to_next(t, next))
		t->blk->ft_next = 1;
	else
		jit_emit_direct_exit(t, op_jmp, 1, next, JIT_EXIT_JMP);
}
