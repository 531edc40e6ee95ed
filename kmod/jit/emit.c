// SPDX-License-Identifier: GPL-2.0
/*
 * Byte emitter of the translator core (see emit.h).
 *
 * Encodings are written from the Intel SDM volume 2; only the handful of
 * forms the translator needs are here.
 */
#include "emit.h"

/**
 * jit_emit_init() - start emitting into a buffer
 * @e:		the emitter
 * @buf:	where bytes are written
 * @base:	address at which @buf[0] executes
 * @cap:	size of @buf in bytes
 */
void jit_emit_init(struct jit_emitter *e, u8 *buf, u64 base, u32 cap)
{
	e->buf = buf;
	e->base = base;
	e->len = 0;
	e->cap = cap;
	e->overflow = false;
}

/**
 * jit_emit_bytes() - append raw bytes
 * @e:		the emitter
 * @p:		the bytes
 * @n:		how many
 *
 * On overflow nothing is written and @e->overflow is set, so that a partly
 * written instruction can never be mistaken for a whole one.
 */
void jit_emit_bytes(struct jit_emitter *e, const void *p, u32 n)
{
	if (e->overflow || n > e->cap - e->len) {
		e->overflow = true;
		return;
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

void jit_emit_u8(struct jit_emitter *e, u8 v)
{
	jit_emit_bytes(e, &v, 1);
}

void jit_emit_u32(struct jit_emitter *e, u32 v)
{
	u8 b[4] = { v, v >> 8, v >> 16, v >> 24 };

	jit_emit_bytes(e, b, 4);
}

void jit_emit_u64(struct jit_emitter *e, u64 v)
{
	jit_emit_u32(e, (u32)v);
	jit_emit_u32(e, (u32)(v >> 32));
}

/* The SDM's recommended multi-byte NOPs (Vol. 2B, "NOP"), by length. */
static const u8 jit_nop_table[9][9] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

/**
 * jit_emit_nops() - append @n bytes of padding as few long NOPs
 * @e:		the emitter
 * @n:		number of bytes
 */
void jit_emit_nops(struct jit_emitter *e, u32 n)
{
	while (n) {
		u32 k = n > 8 ? 8 : n;

		jit_emit_bytes(e, jit_nop_table[k], k);
		n -= k;
	}
}

/**
 * jit_emit_align_field() - pad so that a 4-byte field lands aligned
 * @e:		the emitter
 * @lead:	bytes that will be emitted before the field (opcode bytes)
 *
 * Branches that are patched later (chaining) need their rel32 on a 4-byte
 * boundary: x86 makes an aligned 32-bit store atomic, so another CPU running
 * the branch sees either the old or the new displacement, never a mix.
 */
void jit_emit_align_field(struct jit_emitter *e, u32 lead)
{
	u32 mis = (u32)(jit_emit_pc(e) + lead) & 3;

	if (mis)
		jit_emit_nops(e, 4 - mis);
}

/**
 * jit_emit_patch_rel32() - (re)write a rel32 field already emitted
 * @e:		the emitter holding the field
 * @field_off:	offset of the field in the emitter's buffer
 * @target:	branch target; the field is relative to the field's end
 *
 * Return: false if @target is out of rel32 reach (the field is untouched).
 */
bool jit_emit_patch_rel32(struct jit_emitter *e, u32 field_off, u64 target)
{
	s64 rel = (s64)(target - (e->base + field_off + 4));
	u32 v = (u32)rel;

	if (!jit_fits_s32(rel))
		return false;
	if (e->overflow || field_off + 4 > e->len)
		return true;
	e->buf[field_off] = v;
	e->buf[field_off + 1] = v >> 8;
	e->buf[field_off + 2] = v >> 16;
	e->buf[field_off + 3] = v >> 24;
	return true;
}

/**
 * jit_emit_rel32_branch() - emit an opcode followed by a rel32 to @target
 * @e:		the emitter
 * @op:		opcode bytes (e9 jmp, e8 call, 0f 8x jcc)
 * @oplen:	their number
 * @target:	branch target
 * @field_off:	if not NULL, receives the offset of the rel32 field
 *
 * Return: false if @target is out of reach (nothing emitted).
 */
bool jit_emit_rel32_branch(struct jit_emitter *e, const u8 *op, u32 oplen,
			   u64 target, u32 *field_off)
{
	s64 rel = (s64)(target - (jit_emit_pc(e) + oplen + 4));

	if (!jit_fits_s32(rel))
		return false;
	jit_emit_bytes(e, op, oplen);
	if (field_off)
		*field_off = e->len;
	jit_emit_u32(e, (u32)rel);
	return true;
}

void jit_emit_push_reg(struct jit_emitter *e, unsigned int reg)
{
	if (reg >= 8)
		jit_emit_u8(e, 0x41);
	jit_emit_u8(e, 0x50 + (reg & 7));
}

void jit_emit_pop_reg(struct jit_emitter *e, unsigned int reg)
{
	if (reg >= 8)
		jit_emit_u8(e, 0x41);
	jit_emit_u8(e, 0x58 + (reg & 7));
}

/**
 * jit_emit_lea_rsp() - rsp += @delta without touching EFLAGS
 * @e:		the emitter
 * @delta:	signed adjustment
 *
 * lea rather than add/sub: it leaves the flags alone, so it can skip the red
 * zone or drop a stack slot anywhere, whatever the flag liveness.
 */
void jit_emit_lea_rsp(struct jit_emitter *e, s32 delta)
{
	u8 b[8] = { 0x48, 0x8d, 0x64, 0x24 };

	if (!delta)
		return;
	if (jit_fits_s8(delta)) {
		b[4] = (u8)delta;
		jit_emit_bytes(e, b, 5);
		return;
	}
	b[2] = 0xa4;
	jit_emit_bytes(e, b, 4);
	jit_emit_u32(e, (u32)delta);
}

/**
 * jit_emit_mov_imm() - load a 64-bit constant into a register, shortest form
 * @e:		the emitter
 * @reg:	destination (enum jit_reg)
 * @imm:	the value
 */
void jit_emit_mov_imm(struct jit_emitter *e, unsigned int reg, u64 imm)
{
	if (imm <= 0xffffffffull) {
		/* mov $imm32, %r32 zero-extends */
		if (reg >= 8)
			jit_emit_u8(e, 0x41);
		jit_emit_u8(e, 0xb8 + (reg & 7));
		jit_emit_u32(e, (u32)imm);
	} else if (jit_fits_s32((s64)imm)) {
		/* mov $simm32, %r64 (c7 /0) sign-extends */
		jit_emit_u8(e, reg >= 8 ? 0x49 : 0x48);
		jit_emit_u8(e, 0xc7);
		jit_emit_u8(e, 0xc0 | (reg & 7));
		jit_emit_u32(e, (u32)imm);
	} else {
		jit_emit_u8(e, reg >= 8 ? 0x49 : 0x48);
		jit_emit_u8(e, 0xb8 + (reg & 7));
		jit_emit_u64(e, imm);
	}
}

void jit_emit_mov_reg(struct jit_emitter *e, unsigned int dst,
		      unsigned int src)
{
	/* mov %src, %dst (89 /r) */
	jit_emit_u8(e, 0x48 | (src >= 8 ? 4 : 0) | (dst >= 8 ? 1 : 0));
	jit_emit_u8(e, 0x89);
	jit_emit_u8(e, 0xc0 | ((src & 7) << 3) | (dst & 7));
}

/**
 * jit_emit_load_rsp() - mov disp(%rsp), %reg
 * @e:		the emitter
 * @reg:	destination register
 * @disp:	displacement from rsp
 */
void jit_emit_load_rsp(struct jit_emitter *e, unsigned int reg, s32 disp)
{
	jit_emit_u8(e, 0x48 | (reg >= 8 ? 4 : 0));
	jit_emit_u8(e, 0x8b);
	if (jit_fits_s8(disp)) {
		jit_emit_u8(e, 0x44 | ((reg & 7) << 3));
		jit_emit_u8(e, 0x24);
		jit_emit_u8(e, (u8)disp);
	} else {
		jit_emit_u8(e, 0x84 | ((reg & 7) << 3));
		jit_emit_u8(e, 0x24);
		jit_emit_u32(e, (u32)disp);
	}
}

/**
 * jit_emit_push_imm() - push a 64-bit value given as sign-extended imm32
 * @e:		the emitter
 * @imm:	the value; must be representable as a sign-extended imm32
 *
 * Return: false if it is not (nothing emitted).
 */
bool jit_emit_push_imm(struct jit_emitter *e, u64 imm)
{
	if (!jit_fits_s32((s64)imm))
		return false;
	jit_emit_u8(e, 0x68);
	jit_emit_u32(e, (u32)imm);
	return true;
}

void jit_emit_endbr64(struct jit_emitter *e)
{
	static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

	jit_emit_bytes(e, endbr64, 4);
}
