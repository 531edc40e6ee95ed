/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 instruction decoder of the translator core.
 *
 * Written from the Intel SDM and AMD APM opcode maps.  It decodes only
 * 64-bit mode code and answers what a binary translator needs: length,
 * control-flow class, branch target, where the RIP-relative displacement and
 * the branch displacement lie, and the EFLAGS it reads and writes.
 * Freestanding: no allocation, no globals that need init, no floating point.
 */
#ifndef JIFL_JIT_INSN_H
#define JIFL_JIT_INSN_H

#include "jit_types.h"

#define JIT_INSN_MAX_LEN	15

/**
 * enum jit_flow - how an instruction transfers control
 * @JIT_FLOW_NEXT:	falls through to the next instruction only
 * @JIT_FLOW_JMP:	jmp rel8/rel32 (target in @target)
 * @JIT_FLOW_JCC:	jcc rel8/rel32 (target in @target, else falls through)
 * @JIT_FLOW_LOOP:	loop/loope/loopne/jrcxz: rel8 only, no rel32 form
 * @JIT_FLOW_CALL:	call rel32 (target in @target)
 * @JIT_FLOW_RET:	near ret, ret imm16
 * @JIT_FLOW_JMP_IND:	jmp r/m64 (register or memory)
 * @JIT_FLOW_CALL_IND:	call r/m64 (register or memory)
 * @JIT_FLOW_TRAP:	int3, int n, int1, into, ud0/ud1/ud2: raises an
 *			exception whose handler looks at the exact address
 * @JIT_FLOW_SYSTEM:	leaves the current context for good or changes
 *			privilege: iret*, sysret, sysexit, syscall, sysenter,
 *			far jmp/call/ret, hlt, vm entry/exit, rsm, ...;
 *			also xbegin, with @target/@rel_off/@rel_size of its
 *			abort address filled in (it must not be copied)
 */
enum jit_flow {
	JIT_FLOW_NEXT = 0,
	JIT_FLOW_JMP,
	JIT_FLOW_JCC,
	JIT_FLOW_LOOP,
	JIT_FLOW_CALL,
	JIT_FLOW_RET,
	JIT_FLOW_JMP_IND,
	JIT_FLOW_CALL_IND,
	JIT_FLOW_TRAP,
	JIT_FLOW_SYSTEM,
	JIT_FLOW_NR
};

/* EFLAGS bits in jit_insn.flags_read / flags_written (arithmetic flags + DF) */
#define JIT_EFL_CF	0x01
#define JIT_EFL_PF	0x02
#define JIT_EFL_AF	0x04
#define JIT_EFL_ZF	0x08
#define JIT_EFL_SF	0x10
#define JIT_EFL_OF	0x20
#define JIT_EFL_DF	0x40
#define JIT_EFL_ARITH	0x3f	/* CF PF AF ZF SF OF: what lahf/seto save */
#define JIT_EFL_ALL	0x7f

/* jit_insn.attr bits */
#define JIT_ATTR_MODRM		0x0001	/* has a ModRM byte at @modrm_off */
#define JIT_ATTR_SIB		0x0002	/* has a SIB byte (at @modrm_off + 1) */
#define JIT_ATTR_RIPREL		0x0004	/* ModRM memory operand is [rip+disp32] */
#define JIT_ATTR_MEM		0x0008	/* ModRM names memory (mod != 3) */
#define JIT_ATTR_LOCK		0x0010	/* f0 prefix */
#define JIT_ATTR_REP		0x0020	/* f3 prefix */
#define JIT_ATTR_REPNE		0x0040	/* f2 prefix */
#define JIT_ATTR_OPSIZE		0x0080	/* 66 prefix */
#define JIT_ATTR_ADDRSIZE	0x0100	/* 67 prefix */
#define JIT_ATTR_VEX		0x0200	/* VEX (c4/c5) encoded */
#define JIT_ATTR_EVEX		0x0400	/* EVEX (62) encoded */
#define JIT_ATTR_SEG_FS		0x0800	/* 64 prefix */
#define JIT_ATTR_SEG_GS		0x1000	/* 65 prefix */
#define JIT_ATTR_PRIV		0x2000	/* privileged (CPL 0 only) instruction */
#define JIT_ATTR_STAC		0x4000	/* stac: user access opened */
#define JIT_ATTR_CLAC		0x8000	/* clac: user access closed */
#define JIT_ATTR_ENDBR		0x10000	/* endbr64 / endbr32 */
#define JIT_ATTR_XOP		0x20000	/* AMD XOP (8f) encoded */
#define JIT_ATTR_3DNOW		0x40000	/* 0f 0f 3DNow! */

/* jit_insn.map values */
#define JIT_MAP_1BYTE	0	/* legacy one-byte map */
#define JIT_MAP_0F	1	/* 0f xx */
#define JIT_MAP_0F38	2	/* 0f 38 xx */
#define JIT_MAP_0F3A	3	/* 0f 3a xx */
/* EVEX maps 5 and 6 (AVX512-FP16) and XOP maps 8-10 keep their numbers. */

/* Return values of jit_decode() below zero */
#define JIT_DECODE_INVALID	(-1)	/* not a valid 64-bit instruction */
#define JIT_DECODE_TRUNCATED	(-2)	/* needs more bytes than available */

/**
 * struct jit_insn - one decoded instruction
 * @pc:		address the instruction was decoded at
 * @target:	branch target for JMP/JCC/LOOP/CALL, else 0
 * @disp:	ModRM displacement (sign-extended), 0 if none
 * @imm:	first immediate (sign-extended as the CPU does), 0 if none;
 *		for mov moffs (a0-a3) the zero-extended absolute address
 * @attr:	JIT_ATTR_* bits
 * @len:	length in bytes (1..15)
 * @flow:	enum jit_flow
 * @map:	opcode map (JIT_MAP_*; VEX/EVEX/XOP: the map they select)
 * @opcode:	the opcode byte within @map
 * @modrm:	ModRM byte if JIT_ATTR_MODRM
 * @sib:	SIB byte if JIT_ATTR_SIB
 * @rex:	REX prefix byte (0x40..0x4f) or 0
 * @nr_prefixes: number of legacy + REX prefix bytes before the opcode
 *		(VEX/EVEX/XOP payload bytes not included)
 * @opcode_off:	offset of the opcode byte (after VEX/EVEX payload, or after
 *		0f/0f38/0f3a escape bytes)
 * @modrm_off:	offset of ModRM (valid if JIT_ATTR_MODRM)
 * @disp_off:	offset of the ModRM displacement, 0 if none
 * @disp_size:	size of the ModRM displacement (0, 1, 4)
 * @imm_off:	offset of the first immediate, 0 if none
 * @imm_size:	total immediate bytes (enter has 2+1)
 * @rel_off:	offset of the branch displacement for JMP/JCC/LOOP/CALL
 * @rel_size:	its size (1 or 4; 2 never occurs in 64-bit mode decode)
 * @flags_read:	JIT_EFL_* bits the instruction may read
 * @flags_written: JIT_EFL_* bits it may write (including "undefined");
 *		where the write is conditional (shift/rotate by %cl, rep
 *		cmps/scas) the bits are in @flags_read too, and a shift or
 *		rotate by an immediate whose masked count is 0 has none
 * @operand_size: effective operand size in bytes (1, 2, 4, 8) for GPR
 *		forms; 0 where it means nothing
 */
struct jit_insn {
	u64 pc;
	u64 target;
	s64 disp;
	s64 imm;
	u32 attr;
	u8 len;
	u8 flow;
	u8 map;
	u8 opcode;
	u8 modrm;
	u8 sib;
	u8 rex;
	u8 nr_prefixes;
	u8 opcode_off;
	u8 modrm_off;
	u8 disp_off;
	u8 disp_size;
	u8 imm_off;
	u8 imm_size;
	u8 rel_off;
	u8 rel_size;
	u8 flags_read;
	u8 flags_written;
	u8 operand_size;
};

/**
 * jit_decode() - decode one x86-64 instruction
 * @insn:	result; fully initialised on success
 * @code:	the instruction bytes
 * @avail:	how many bytes at @code may be read (never reads past)
 * @pc:		the address @code stands for (for branch targets)
 *
 * Return: the instruction length (1..15), JIT_DECODE_INVALID for bytes that
 * are not a valid 64-bit mode instruction, JIT_DECODE_TRUNCATED when @avail
 * ends inside an otherwise valid instruction.
 */
int jit_decode(struct jit_insn *insn, const u8 *code, unsigned int avail,
	       u64 pc);

/**
 * jit_flow_name() - a short name for an enum jit_flow value
 * @flow:	the value
 *
 * Return: a static string such as "jcc", "call_ind", or "?" if unknown.
 */
const char *jit_flow_name(unsigned int flow);

static inline bool jit_flow_is_branch(unsigned int flow)
{
	return flow == JIT_FLOW_JMP || flow == JIT_FLOW_JCC ||
	       flow == JIT_FLOW_LOOP || flow == JIT_FLOW_CALL;
}

/* ModRM/REX helpers for users that re-encode an instruction's operand. */
static inline unsigned int jit_modrm_mod(const struct jit_insn *insn)
{
	return insn->modrm >> 6;
}

static inline unsigned int jit_modrm_reg(const struct jit_insn *insn)
{
	return ((insn->modrm >> 3) & 7) | ((insn->rex & 4) << 1);
}

static inline unsigned int jit_modrm_rm(const struct jit_insn *insn)
{
	return (insn->modrm & 7) | ((insn->rex & 1) << 3);
}

#endif /* JIFL_JIT_INSN_H */
