// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 instruction decoder of the translator core.
 *
 * Written from the opcode maps of the Intel SDM (vol. 2, appendix A) and the
 * AMD APM (vol. 3, appendix A).  64-bit mode only.  One const table per
 * opcode map gives, for every opcode, whether a ModRM byte follows, the kind
 * of immediate, the control-flow class, the operand-size rule and the EFLAGS
 * class; the few opcodes whose meaning depends on ModRM.reg or on a
 * mandatory prefix (the "groups") are finished by decode_special().
 *
 * Choices where the manuals or the vendors disagree:
 *
 * - 66-prefixed near branches (jmp/jcc/call rel, e8/e9/eb/70-7f/0f 8x) are
 *   decoded as Intel CPUs execute them in 64-bit mode: the prefix is ignored
 *   and the displacement stays rel32 (AMD CPUs honour it and take a rel16).
 *   Compilers never emit the prefix there.
 * - xbegin (c7 f8) is JIT_FLOW_SYSTEM, with @target, @rel_off and @rel_size
 *   filled in: it falls through, but an abort later resumes at the target
 *   with the transaction's side effects rolled back, which a translator
 *   cannot follow; it must not be copied.  xabort (c6 f8 ib) is NEXT.
 * - ud0 (0f ff) takes a ModRM byte, as on Intel CPUs (AMD: no ModRM).
 * - 3DNow! (0f 0f /r ib) is decoded as on AMD CPUs: the trailing opcode byte
 *   is reported as the 1-byte immediate and JIT_ATTR_3DNOW is set.
 * - moffs forms (a0-a3) report their 8-byte (67: 4-byte) absolute address
 *   in @imm/@imm_off/@imm_size, zero-extended.
 * - EVEX disp8 is reported raw in @disp (not scaled by the N of disp8*N).
 * - VEX, EVEX and XOP opcodes are not checked one by one against the list
 *   of defined instructions: within a valid map every opcode is decoded
 *   with that map's uniform length.  Legacy-encoded opcodes are checked.
 * - x87 register forms are not checked for the few reserved encodings.
 * - @rex stays 0 for VEX/EVEX/XOP: their R/X/B/W bits are inverted and live
 *   in the payload bytes, which are not a REX prefix.
 *
 * EFLAGS: @flags_written holds the bits an instruction may write or leave
 * undefined.  Where the write is conditional (shift or rotate by CL,
 * rep cmps/scas), the same bits are also in @flags_read, so that
 * live_before = (live_after & ~written) | read stays correct.  Shifts and
 * rotates by an immediate whose masked count is 0 change no flag.  Whatever
 * is not known precisely reads all flags and writes none.
 */

#include "insn.h"

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

/* Immediate kinds */
enum {
	IMM_NONE,
	IMM_B,		/* 1 byte */
	IMM_W,		/* 2 bytes */
	IMM_Z,		/* 2 with 66, else 4 */
	IMM_V,		/* 2 with 66, 8 with REX.W, else 4 (mov r, imm) */
	IMM_ENTER,	/* iw + ib */
	IMM_REL8,	/* branch rel8 */
	IMM_REL32,	/* branch rel32 */
	IMM_MOFFS,	/* absolute address: 8 bytes, 4 with 67 */
	IMM_BB,		/* ib + ib (extrq/insertq) */
	IMM_D,		/* 4 bytes */
};

/* Operand-size kinds */
enum {
	OS_NONE,	/* no GPR operand size (SSE, system, ...) */
	OS_B,		/* byte */
	OS_V,		/* 2 with 66, 8 with REX.W, else 4 */
	OS_D64,		/* 8, 2 with 66 (push, pop, ...) */
	OS_F64,		/* always 8 (near branches) */
	OS_W,		/* always 2 */
};

/* EFLAGS classes: index into flag_class[] */
enum {
	FL_NONE,
	FL_ARITH,	/* writes CF PF AF ZF SF OF */
	FL_ADC,		/* reads CF, writes all arithmetic flags */
	FL_INCDEC,	/* writes all but CF */
	FL_CC,		/* reads what the condition code in opcode[3:0] tests */
	FL_UNK,		/* not known precisely: reads everything */
	FL_STR,		/* reads DF */
	FL_STRCMP,	/* reads DF, writes arithmetic flags */
	FL_PUSHF,	/* reads everything */
	FL_POPF,	/* writes everything */
	FL_SAHF,	/* writes SF ZF AF PF CF */
	FL_LAHF,	/* reads SF ZF AF PF CF */
	FL_CMC,		/* reads and writes CF */
	FL_CF,		/* writes CF */
	FL_DF,		/* writes DF */
	FL_BT,		/* writes CF, OF SF AF PF undefined */
	FL_ZF,		/* writes ZF */
	FL_RZF,		/* reads ZF */
	FL_SHCL,	/* conditional write of the arithmetic flags */
	FL_NR
};

static const u8 flag_class[FL_NR][2] = {
	[FL_NONE]	= { 0, 0 },
	[FL_ARITH]	= { 0, JIT_EFL_ARITH },
	[FL_ADC]	= { JIT_EFL_CF, JIT_EFL_ARITH },
	[FL_INCDEC]	= { 0, JIT_EFL_ARITH & ~JIT_EFL_CF },
	[FL_CC]		= { 0, 0 },
	[FL_UNK]	= { JIT_EFL_ALL, 0 },
	[FL_STR]	= { JIT_EFL_DF, 0 },
	[FL_STRCMP]	= { JIT_EFL_DF, JIT_EFL_ARITH },
	[FL_PUSHF]	= { JIT_EFL_ALL, 0 },
	[FL_POPF]	= { 0, JIT_EFL_ALL },
	[FL_SAHF]	= { 0, JIT_EFL_ARITH & ~JIT_EFL_OF },
	[FL_LAHF]	= { JIT_EFL_ARITH & ~JIT_EFL_OF, 0 },
	[FL_CMC]	= { JIT_EFL_CF, JIT_EFL_CF },
	[FL_CF]		= { 0, JIT_EFL_CF },
	[FL_DF]		= { 0, JIT_EFL_DF },
	[FL_BT]		= { 0, JIT_EFL_ARITH & ~JIT_EFL_ZF },
	[FL_ZF]		= { 0, JIT_EFL_ZF },
	[FL_RZF]	= { JIT_EFL_ZF, 0 },
	[FL_SHCL]	= { JIT_EFL_ARITH, JIT_EFL_ARITH },
};

/* What each condition code (jcc/setcc/cmovcc low nibble) reads */
static const u8 cc_reads[16] = {
	JIT_EFL_OF, JIT_EFL_OF,				/* o, no */
	JIT_EFL_CF, JIT_EFL_CF,				/* b, ae */
	JIT_EFL_ZF, JIT_EFL_ZF,				/* e, ne */
	JIT_EFL_CF | JIT_EFL_ZF, JIT_EFL_CF | JIT_EFL_ZF, /* be, a */
	JIT_EFL_SF, JIT_EFL_SF,				/* s, ns */
	JIT_EFL_PF, JIT_EFL_PF,				/* p, np */
	JIT_EFL_SF | JIT_EFL_OF, JIT_EFL_SF | JIT_EFL_OF, /* l, ge */
	JIT_EFL_ZF | JIT_EFL_SF | JIT_EFL_OF,		/* le */
	JIT_EFL_ZF | JIT_EFL_SF | JIT_EFL_OF,		/* g */
};

/* Opcode table entry bits */
#define D_M		0x1u		/* a ModRM byte follows */
#define D_X		0x2u		/* invalid in 64-bit mode */
#define D_S		0x4u		/* finished by decode_special() */
#define D_P		0x8u		/* privileged */
#define D_IMM(k)	((u32)(k) << 4)
#define D_FLOW(f)	((u32)(f) << 8)
#define D_OS(k)		((u32)(k) << 12)
#define D_FL(c)		((u32)(c) << 16)

#define IMM_OF(d)	(((d) >> 4) & 0xf)
#define FLOW_OF(d)	(((d) >> 8) & 0xf)
#define OS_OF(d)	(((d) >> 12) & 0xf)
#define FL_OF(d)	(((d) >> 16) & 0x1f)

#define M	D_M
#define X	D_X
#define S	D_S
#define P	D_P
#define Ib	D_IMM(IMM_B)
#define Iw	D_IMM(IMM_W)
#define Iz	D_IMM(IMM_Z)
#define Iv	D_IMM(IMM_V)
#define Jb	(D_IMM(IMM_REL8) | D_OS(OS_F64))
#define Jz	(D_IMM(IMM_REL32) | D_OS(OS_F64))
#define Ob	D_OS(OS_B)
#define Ov	D_OS(OS_V)
#define O64	D_OS(OS_D64)
#define F64	D_OS(OS_F64)
#define fA	D_FL(FL_ARITH)
#define fCC	D_FL(FL_CC)
#define fU	D_FL(FL_UNK)
#define fS	D_FL(FL_STR)
#define fBT	D_FL(FL_BT)
#define JCC	D_FLOW(JIT_FLOW_JCC)
#define SYS	(D_FLOW(JIT_FLOW_SYSTEM) | fU)
#define TRAP	(D_FLOW(JIT_FLOW_TRAP) | fU)

static const u32 map1[256] = {
	/* 00 add */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 08 or, 0f is the escape */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 10 adc */
	M | Ob | D_FL(FL_ADC), M | Ov | D_FL(FL_ADC),
	M | Ob | D_FL(FL_ADC), M | Ov | D_FL(FL_ADC),
	Ib | Ob | D_FL(FL_ADC), Iz | Ov | D_FL(FL_ADC), X, X,
	/* 18 sbb */
	M | Ob | D_FL(FL_ADC), M | Ov | D_FL(FL_ADC),
	M | Ob | D_FL(FL_ADC), M | Ov | D_FL(FL_ADC),
	Ib | Ob | D_FL(FL_ADC), Iz | Ov | D_FL(FL_ADC), X, X,
	/* 20 and, 26 es: (prefix), 27 daa */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 28 sub, 2e cs:, 2f das */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 30 xor, 36 ss:, 37 aaa */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 38 cmp, 3e ds:, 3f aas */
	M | Ob | fA, M | Ov | fA, M | Ob | fA, M | Ov | fA,
	Ib | Ob | fA, Iz | Ov | fA, X, X,
	/* 40 REX (prefixes, never looked up) */
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	/* 50 push, 58 pop */
	O64, O64, O64, O64, O64, O64, O64, O64,
	O64, O64, O64, O64, O64, O64, O64, O64,
	/* 60 pusha popa bound(EVEX) movsxd, 64-67 prefixes */
	X, X, X, M | Ov, X, X, X, X,
	/* 68 push iz, imul iz, push ib, imul ib, ins, outs */
	Iz | O64, M | Iz | Ov | fA, Ib | O64, M | Ib | Ov | fA,
	Ob | fS | P, Ov | fS | P, Ob | fS | P, Ov | fS | P,
	/* 70 jcc rel8 */
	Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC,
	Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC,
	Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC,
	Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC, Jb | JCC | fCC,
	/* 80 group 1, test, xchg */
	M | Ib | Ob | S, M | Iz | Ov | S, X, M | Ib | Ov | S,
	M | Ob | fA, M | Ov | fA, M | Ob, M | Ov,
	/* 88 mov, mov sreg, lea, mov sreg, group 1a (pop) / XOP */
	M | Ob, M | Ov, M | Ob, M | Ov,
	M | Ov, M | Ov | S, M | D_OS(OS_W), M | O64 | S,
	/* 90 nop/xchg */
	Ov, Ov, Ov, Ov, Ov, Ov, Ov, Ov,
	/* 98 cbw cwd callf fwait pushf popf sahf lahf */
	Ov, Ov, X, 0, O64 | D_FL(FL_PUSHF), O64 | D_FL(FL_POPF),
	D_FL(FL_SAHF), D_FL(FL_LAHF),
	/* a0 mov moffs, movs, cmps */
	D_IMM(IMM_MOFFS) | Ob, D_IMM(IMM_MOFFS) | Ov,
	D_IMM(IMM_MOFFS) | Ob, D_IMM(IMM_MOFFS) | Ov,
	Ob | fS, Ov | fS, Ob | D_FL(FL_STRCMP), Ov | D_FL(FL_STRCMP),
	/* a8 test, stos, lods, scas */
	Ib | Ob | fA, Iz | Ov | fA, Ob | fS, Ov | fS,
	Ob | fS, Ov | fS, Ob | D_FL(FL_STRCMP), Ov | D_FL(FL_STRCMP),
	/* b0 mov r8, imm8 */
	Ib | Ob, Ib | Ob, Ib | Ob, Ib | Ob, Ib | Ob, Ib | Ob, Ib | Ob, Ib | Ob,
	/* b8 mov r, imm */
	Iv | Ov, Iv | Ov, Iv | Ov, Iv | Ov, Iv | Ov, Iv | Ov, Iv | Ov, Iv | Ov,
	/* c0 group 2, ret iw, ret, VEX, VEX, group 11 */
	M | Ib | Ob | S, M | Ib | Ov | S,
	Iw | D_FLOW(JIT_FLOW_RET) | F64, D_FLOW(JIT_FLOW_RET) | F64,
	X, X, M | Ib | Ob | S, M | Iz | Ov | S,
	/* c8 enter leave retf iw retf int3 int ib into iret */
	D_IMM(IMM_ENTER) | O64, O64, Iw | SYS, SYS,
	TRAP, Ib | TRAP, X, SYS,
	/* d0 group 2, aam aad salc, xlat */
	M | Ob | S, M | Ov | S, M | Ob | S, M | Ov | S,
	X, X, X, Ob,
	/* d8 x87 */
	M, M, M | S, M | S, M, M, M, M | S,
	/* e0 loopne loope loop jrcxz, in/out ib */
	Jb | D_FLOW(JIT_FLOW_LOOP) | D_FL(FL_RZF),
	Jb | D_FLOW(JIT_FLOW_LOOP) | D_FL(FL_RZF),
	Jb | D_FLOW(JIT_FLOW_LOOP), Jb | D_FLOW(JIT_FLOW_LOOP),
	Ib | Ob | P, Ib | Ov | P, Ib | Ob | P, Ib | Ov | P,
	/* e8 call jmp jmpf jmp8, in/out dx */
	Jz | D_FLOW(JIT_FLOW_CALL), Jz | D_FLOW(JIT_FLOW_JMP), X,
	Jb | D_FLOW(JIT_FLOW_JMP),
	Ob | P, Ov | P, Ob | P, Ov | P,
	/* f0 lock int1 repne rep hlt cmc group 3 */
	X, TRAP, X, X, SYS | P, D_FL(FL_CMC), M | Ib | Ob | S, M | Iz | Ov | S,
	/* f8 clc stc cli sti cld std group 4 group 5 */
	D_FL(FL_CF), D_FL(FL_CF), P, P, D_FL(FL_DF), D_FL(FL_DF),
	M | Ob | S, M | Ov | S,
};

static const u32 map0f[256] = {
	/* 00 group 6, group 7, lar, lsl, -, syscall, clts, sysret */
	M | S | fU, M | S | fU, M | Ov | D_FL(FL_ZF), M | Ov | D_FL(FL_ZF),
	X, SYS, P, SYS | P,
	/* 08 invd wbinvd - ud2 - prefetch femms 3DNow! */
	P, P, X, TRAP, X, M, 0, M | Ib | S,
	/* 10 SSE moves */
	M, M, M, M, M, M, M, M,
	/* 18 prefetch / hint nops, 1e endbr */
	M, M, M, M, M, M, M | S, M,
	/* 20 mov cr/dr (ModRM always a register) */
	M | S | P | fU, M | S | P | fU, M | S | P | fU, M | S | P | fU,
	X, X, X, X,
	/* 28 SSE, 2e/2f (u)comis */
	M, M, M, M, M, M, M | fA, M | fA,
	/* 30 wrmsr rdtsc rdmsr rdpmc sysenter sysexit - getsec */
	P, 0, P, 0, SYS, SYS | P, X, fU,
	/* 38 3-byte escapes (never looked up) */
	X, X, X, X, X, X, X, X,
	/* 40 cmovcc */
	M | Ov | fCC, M | Ov | fCC, M | Ov | fCC, M | Ov | fCC,
	M | Ov | fCC, M | Ov | fCC, M | Ov | fCC, M | Ov | fCC,
	M | Ov | fCC, M | Ov | fCC, M | Ov | fCC, M | Ov | fCC,
	M | Ov | fCC, M | Ov | fCC, M | Ov | fCC, M | Ov | fCC,
	/* 50 SSE */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 60 MMX/SSE */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 pshuf, groups 12-14, pcmpeq, emms, vmread vmwrite, -, - */
	M | Ib, M | Ib | S, M | Ib | S, M | Ib | S, M, M, M, 0,
	M | S, M | S, X, X, M, M, M, M,
	/* 80 jcc rel32 */
	Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC,
	Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC,
	Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC,
	Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC, Jz | JCC | fCC,
	/* 90 setcc */
	M | Ob | fCC, M | Ob | fCC, M | Ob | fCC, M | Ob | fCC,
	M | Ob | fCC, M | Ob | fCC, M | Ob | fCC, M | Ob | fCC,
	M | Ob | fCC, M | Ob | fCC, M | Ob | fCC, M | Ob | fCC,
	M | Ob | fCC, M | Ob | fCC, M | Ob | fCC, M | Ob | fCC,
	/* a0 push fs, pop fs, cpuid, bt, shld ib, shld cl, VIA PadLock */
	O64, O64, 0, M | Ov | fBT, M | Ib | Ov | S, M | Ov | D_FL(FL_SHCL),
	M | S | fU, M | S | fU,
	/* a8 push gs, pop gs, rsm, bts, shrd ib, shrd cl, group 15, imul */
	O64, O64, SYS, M | Ov | fBT, M | Ib | Ov | S, M | Ov | D_FL(FL_SHCL),
	M | S, M | Ov | fA,
	/* b0 cmpxchg, lss, btr, lfs, lgs, movzx */
	M | Ob | fA, M | Ov | fA, M | Ov | S, M | Ov | fBT,
	M | Ov | S, M | Ov | S, M | Ov, M | Ov,
	/* b8 popcnt, ud1, group 8, btc, bsf/tzcnt, bsr/lzcnt, movsx */
	M | Ov | S, M | TRAP, M | Ib | Ov | S | fBT, M | Ov | fBT,
	M | Ov | fA, M | Ov | fA, M | Ov, M | Ov,
	/* c0 xadd, cmpps, movnti, pinsrw, pextrw, shufps, group 9 */
	M | Ob | fA, M | Ov | fA, M | Ib, M | Ov | S,
	M | Ib, M | Ib, M | Ib, M | S,
	/* c8 bswap */
	Ov, Ov, Ov, Ov, Ov, Ov, Ov, Ov,
	/* d0 MMX/SSE */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* e0 */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* f0, ff ud0 */
	M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M | TRAP,
};

/* Legacy-encoded 0f 38 xx opcodes that exist (all take ModRM, no imm) */
static const u8 valid0f38[256] = {
	[0x00 ... 0x0b] = 1, [0x10] = 1, [0x14] = 1, [0x15] = 1, [0x17] = 1,
	[0x1c ... 0x1e] = 1, [0x20 ... 0x25] = 1, [0x28 ... 0x2b] = 1,
	[0x30 ... 0x35] = 1, [0x37 ... 0x41] = 1, [0x80 ... 0x82] = 1,
	[0xc8 ... 0xcd] = 1, [0xcf] = 1, [0xd8] = 1, [0xdb ... 0xdf] = 1,
	[0xf0] = 1, [0xf1] = 1, [0xf5] = 1, [0xf6] = 1, [0xf8 ... 0xfb] = 1,
};

/* Legacy-encoded 0f 3a xx opcodes that exist (all take ModRM and an ib) */
static const u8 valid0f3a[256] = {
	[0x08 ... 0x0f] = 1, [0x14 ... 0x17] = 1, [0x20 ... 0x22] = 1,
	[0x40 ... 0x42] = 1, [0x44] = 1, [0x60 ... 0x63] = 1, [0xcc] = 1,
	[0xce] = 1, [0xcf] = 1, [0xdf] = 1,
};

#undef M
#undef X
#undef S
#undef P
#undef Ib
#undef Iw
#undef Iz
#undef Iv
#undef Jb
#undef Jz
#undef Ob
#undef Ov
#undef O64
#undef F64
#undef fA
#undef fCC
#undef fU
#undef fS
#undef fBT
#undef JCC
#undef SYS
#undef TRAP

/* Prefix kinds, from the byte */
enum {
	PFX_NONE, PFX_SEG, PFX_FS, PFX_GS, PFX_66, PFX_67, PFX_LOCK,
	PFX_REPNE, PFX_REP, PFX_REX
};

static const u8 prefix_kind[256] = {
	[0x26] = PFX_SEG, [0x2e] = PFX_SEG, [0x36] = PFX_SEG, [0x3e] = PFX_SEG,
	[0x40 ... 0x4f] = PFX_REX,
	[0x64] = PFX_FS, [0x65] = PFX_GS, [0x66] = PFX_66, [0x67] = PFX_67,
	[0xf0] = PFX_LOCK, [0xf2] = PFX_REPNE, [0xf3] = PFX_REP,
};

/* Decoding state beyond what struct jit_insn holds */
struct dstate {
	const u8 *code;
	unsigned int avail;
	unsigned int pos;
	u8 last_rep;		/* 0, 0xf2 or 0xf3: the last of them wins */
	u8 vex_pp;		/* VEX/EVEX/XOP implied prefix: 0 66 f3 f2 */
	bool rexw;
};

/*
 * need() - may @n more bytes be read at the current position?
 * Return: 0, or the negative jit_decode() result to hand back.
 */
static inline int need(const struct dstate *d, unsigned int n)
{
	if (d->pos + n <= d->avail && d->pos + n <= JIT_INSN_MAX_LEN)
		return 0;
	if (d->pos + n > JIT_INSN_MAX_LEN)
		return JIT_DECODE_INVALID;
	return JIT_DECODE_TRUNCATED;
}

static inline u64 get_le(const u8 *p, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = size; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static inline s64 sign_extend(u64 v, unsigned int size)
{
	switch (size) {
	case 1:
		return (s8)v;
	case 2:
		return (s16)v;
	case 4:
		return (s32)v;
	default:
		return (s64)v;
	}
}

/* Reads ModRM, SIB and displacement; fills the ModRM fields of @insn. */
static int decode_modrm(struct jit_insn *insn, struct dstate *d,
			bool reg_only)
{
	unsigned int mod, rm, dsize = 0;
	int ret;
	u8 modrm;

	ret = need(d, 1);
	if (ret)
		return ret;
	modrm = d->code[d->pos];
	insn->modrm = modrm;
	insn->modrm_off = d->pos;
	insn->attr |= JIT_ATTR_MODRM;
	d->pos++;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3 || reg_only)
		return 0;
	insn->attr |= JIT_ATTR_MEM;
	if (rm == 4) {
		ret = need(d, 1);
		if (ret)
			return ret;
		insn->sib = d->code[d->pos];
		insn->attr |= JIT_ATTR_SIB;
		d->pos++;
		if (mod == 0 && (insn->sib & 7) == 5)
			dsize = 4;
	} else if (mod == 0 && rm == 5) {
		insn->attr |= JIT_ATTR_RIPREL;
		dsize = 4;
	}
	if (mod == 1)
		dsize = 1;
	else if (mod == 2)
		dsize = 4;
	if (dsize) {
		ret = need(d, dsize);
		if (ret)
			return ret;
		insn->disp_off = d->pos;
		insn->disp_size = dsize;
		insn->disp = sign_extend(get_le(d->code + d->pos, dsize),
					 dsize);
		d->pos += dsize;
	}
	return 0;
}

static inline void set_flags(struct jit_insn *insn, unsigned int fl)
{
	insn->flags_read = flag_class[fl][0];
	insn->flags_written = flag_class[fl][1];
}

/* Flags of a shift/rotate (group 2, shld/shrd) by a known count. */
static void shift_flags(struct jit_insn *insn, unsigned int reg,
			unsigned int count)
{
	u8 w;

	if (reg < 4)		/* rol ror rcl rcr: CF, OF */
		w = JIT_EFL_CF | JIT_EFL_OF;
	else			/* shl shr sal sar, shld shrd */
		w = JIT_EFL_ARITH;
	insn->flags_read = (reg == 2 || reg == 3) ? JIT_EFL_CF : 0;
	insn->flags_written = w;
	if (count == ~0u) {	/* by CL: maybe no write at all */
		insn->flags_read |= w;
	} else if (!(count & (insn->operand_size == 8 ? 0x3f : 0x1f))) {
		insn->flags_read = 0;
		insn->flags_written = 0;
	}
}

/*
 * The opcodes marked D_S: groups selected by ModRM.reg, mandatory prefix
 * forms, register-only or memory-only forms.  Runs after ModRM has been
 * read (if D_M) and before the immediate.
 * Return: 0, or JIT_DECODE_INVALID.  May adjust *@imm.
 */
static int decode_special(struct jit_insn *insn, struct dstate *d,
			  unsigned int *imm)
{
	unsigned int reg = (insn->modrm >> 3) & 7;
	bool mem = insn->modrm < 0xc0;
	u8 op = insn->opcode;

	if (insn->map == JIT_MAP_1BYTE) {
		switch (op) {
		case 0x80: case 0x81: case 0x83:	/* group 1 */
			set_flags(insn, reg == 2 || reg == 3 ?
				  FL_ADC : FL_ARITH);
			return 0;
		case 0x8d:				/* lea */
			return mem ? 0 : JIT_DECODE_INVALID;
		case 0x8f:				/* pop Ev */
			return reg ? JIT_DECODE_INVALID : 0;
		case 0xc0: case 0xc1:			/* group 2 */
			return 0;	/* flags once imm is known */
		case 0xd0: case 0xd1:
			shift_flags(insn, reg, 1);
			return 0;
		case 0xd2: case 0xd3:
			shift_flags(insn, reg, ~0u);
			return 0;
		case 0xc6: case 0xc7:			/* group 11 */
			if (reg == 0)
				return 0;
			if (insn->modrm != 0xf8)
				return JIT_DECODE_INVALID;
			if (op == 0xc6)			/* xabort ib */
				return 0;
			/* xbegin rel16/rel32: see the top of this file */
			*imm = IMM_REL32;
			insn->flow = JIT_FLOW_SYSTEM;
			set_flags(insn, FL_UNK);
			insn->operand_size = 0;
			return 0;
		case 0xf6: case 0xf7:			/* group 3 */
			if (reg >= 2)
				*imm = IMM_NONE;
			set_flags(insn, reg == 2 ? FL_NONE : FL_ARITH);
			return 0;
		case 0xfe:				/* group 4 */
			if (reg >= 2)
				return JIT_DECODE_INVALID;
			set_flags(insn, FL_INCDEC);
			return 0;
		case 0xff:				/* group 5 */
			switch (reg) {
			case 0: case 1:
				set_flags(insn, FL_INCDEC);
				break;
			case 2:
				insn->flow = JIT_FLOW_CALL_IND;
				insn->operand_size = 8;
				break;
			case 4:
				insn->flow = JIT_FLOW_JMP_IND;
				insn->operand_size = 8;
				break;
			case 3: case 5:
				if (!mem)
					return JIT_DECODE_INVALID;
				insn->flow = JIT_FLOW_SYSTEM;
				set_flags(insn, FL_UNK);
				break;
			case 6:
				if (!(insn->attr & JIT_ATTR_OPSIZE))
					insn->operand_size = 8;
				break;
			default:
				return JIT_DECODE_INVALID;
			}
			return 0;
		case 0xda:				/* fcmov */
			if (!mem && reg < 4)
				insn->flags_read = JIT_EFL_CF | JIT_EFL_ZF |
						   JIT_EFL_PF;
			return 0;
		case 0xdb:			/* fcmovn, fucomi, fcomi */
			if (!mem && reg < 4)
				insn->flags_read = JIT_EFL_CF | JIT_EFL_ZF |
						   JIT_EFL_PF;
			else if (!mem && (reg == 5 || reg == 6))
				set_flags(insn, FL_ARITH);
			return 0;
		case 0xdf:			/* fucomip, fcomip */
			if (!mem && (reg == 5 || reg == 6))
				set_flags(insn, FL_ARITH);
			return 0;
		}
		return 0;
	}

	if (insn->map == JIT_MAP_0F38) {
		switch (op) {
		case 0xf0: case 0xf1:		/* movbe / crc32 */
			if (d->last_rep == 0xf2)
				return 0;
			if (d->last_rep == 0xf3 || !mem)
				return JIT_DECODE_INVALID;
			return 0;
		case 0xf6:			/* wrss / adcx / adox */
			if (d->last_rep == 0xf3) {
				insn->flags_read = JIT_EFL_OF;
				insn->flags_written = JIT_EFL_OF;
			} else if (insn->attr & JIT_ATTR_OPSIZE) {
				insn->flags_read = JIT_EFL_CF;
				insn->flags_written = JIT_EFL_CF;
			} else if (d->last_rep == 0xf2 || !mem) {
				return JIT_DECODE_INVALID;
			}
			return 0;
		case 0x17:			/* ptest */
			set_flags(insn, FL_ARITH);
			return 0;
		}
		return 0;
	}

	if (insn->map == JIT_MAP_0F3A) {
		if (op >= 0x60 && op <= 0x63)	/* pcmp[ei]str[im] */
			set_flags(insn, FL_ARITH);
		return 0;
	}

	/* JIT_MAP_0F */
	switch (op) {
	case 0x00:				/* group 6 */
		if (reg >= 6)
			return JIT_DECODE_INVALID;
		if (reg == 2 || reg == 3)
			insn->attr |= JIT_ATTR_PRIV;
		return 0;
	case 0x01:				/* group 7 */
		if (mem) {
			if (reg == 5 && d->last_rep != 0xf3)
				return JIT_DECODE_INVALID;
			if (reg == 2 || reg == 3 || reg == 6 || reg == 7)
				insn->attr |= JIT_ATTR_PRIV;
			return 0;
		}
		switch (insn->modrm) {
		case 0xc1:		/* vmcall */
		case 0xd9:		/* vmmcall */
			insn->flow = JIT_FLOW_SYSTEM;
			break;
		case 0xc2: case 0xc3:	/* vmlaunch vmresume */
		case 0xd8:		/* vmrun */
			insn->flow = JIT_FLOW_SYSTEM;
			insn->attr |= JIT_ATTR_PRIV;
			break;
		case 0xc4: case 0xc5: case 0xc6: case 0xc8: case 0xc9:
		case 0xcf: case 0xd1: case 0xda: case 0xdb: case 0xdc:
		case 0xdd: case 0xde: case 0xdf: case 0xf8: case 0xfe:
		case 0xff:
			insn->attr |= JIT_ATTR_PRIV;
			if (insn->modrm == 0xf8 || insn->modrm == 0xd1)
				set_flags(insn, FL_NONE);
			break;
		case 0xca:
			if (d->last_rep)	/* erets, eretu (FRED) */
				insn->flow = JIT_FLOW_SYSTEM;
			else
				insn->attr |= JIT_ATTR_CLAC | JIT_ATTR_PRIV;
			set_flags(insn, d->last_rep ? FL_UNK : FL_NONE);
			break;
		case 0xcb:
			insn->attr |= JIT_ATTR_STAC | JIT_ATTR_PRIV;
			set_flags(insn, FL_NONE);
			break;
		case 0xd6:		/* xtest */
			set_flags(insn, FL_ARITH);
			break;
		case 0xd0: case 0xd5: case 0xe8: case 0xee: case 0xef:
		case 0xf9:		/* xgetbv xend serialize rdpkru wrpkru */
			set_flags(insn, FL_NONE);	/* rdtscp */
			break;
		default:
			if (reg == 6)	/* lmsw */
				insn->attr |= JIT_ATTR_PRIV;
			break;
		}
		return 0;
	case 0x0f:				/* 3DNow! */
		insn->attr |= JIT_ATTR_3DNOW;
		return 0;
	case 0x1e:
		if (d->last_rep == 0xf3 &&
		    (insn->modrm == 0xfa || insn->modrm == 0xfb))
			insn->attr |= JIT_ATTR_ENDBR;
		return 0;
	case 0x20: case 0x21: case 0x22: case 0x23:
		return 0;
	case 0x71: case 0x72: case 0x73:	/* groups 12-14 */
		if (mem)
			return JIT_DECODE_INVALID;
		if (reg == 2 || reg == 4 || reg == 6)
			return op == 0x73 && reg == 4 ? JIT_DECODE_INVALID : 0;
		if (op == 0x73 && (reg == 3 || reg == 7) &&
		    (insn->attr & JIT_ATTR_OPSIZE))
			return 0;
		return JIT_DECODE_INVALID;
	case 0x78:		/* vmread, extrq ib,ib, insertq ib,ib */
	case 0x79:		/* vmwrite, extrq, insertq */
		if (d->last_rep == 0xf3)
			return JIT_DECODE_INVALID;
		if (d->last_rep == 0xf2 || (insn->attr & JIT_ATTR_OPSIZE)) {
			if (mem)
				return JIT_DECODE_INVALID;
			if (op == 0x78) {
				if (d->last_rep != 0xf2 && reg != 0)
					return JIT_DECODE_INVALID;
				*imm = IMM_BB;
			}
			return 0;
		}
		insn->attr |= JIT_ATTR_PRIV;
		insn->operand_size = 8;
		set_flags(insn, FL_UNK);
		return 0;
	case 0xa4: case 0xac:			/* shld/shrd ib */
		return 0;
	case 0xa6: case 0xa7:	/* VIA PadLock: xsha*, montmul, xstore, xcrypt* */
		return mem ? JIT_DECODE_INVALID : 0;
	case 0xae:				/* group 15 */
		if (!mem && reg <= 4 && d->last_rep != 0xf3)
			return JIT_DECODE_INVALID;
		return 0;
	case 0xb2: case 0xb4: case 0xb5:	/* lss lfs lgs */
	case 0xc3:				/* movnti */
		return mem ? 0 : JIT_DECODE_INVALID;
	case 0xb8:				/* popcnt */
		if (d->last_rep != 0xf3)
			return JIT_DECODE_INVALID;
		set_flags(insn, FL_ARITH);
		return 0;
	case 0xba:				/* group 8 */
		return reg < 4 ? JIT_DECODE_INVALID : 0;
	case 0xc7:				/* group 9 */
		if (!mem) {
			if (reg < 6)
				return JIT_DECODE_INVALID;
			if (reg == 7 && d->last_rep == 0xf3)	/* rdpid */
				return 0;
			set_flags(insn, FL_ARITH);	/* rdrand rdseed */
			return 0;
		}
		switch (reg) {
		case 1:
			set_flags(insn, FL_ZF);		/* cmpxchg8b/16b */
			return 0;
		case 3: case 5: case 6: case 7:	/* xrstors xsaves vmx */
			insn->attr |= JIT_ATTR_PRIV;
			if (reg >= 6)
				set_flags(insn, FL_UNK);
			return 0;
		case 4:
			return 0;
		}
		return JIT_DECODE_INVALID;
	}
	return 0;
}

static inline void set_operand_size(struct jit_insn *insn, unsigned int os,
				    const struct dstate *d)
{
	switch (os) {
	case OS_B:
		insn->operand_size = 1;
		break;
	case OS_V:
		insn->operand_size = d->rexw ? 8 :
			(insn->attr & JIT_ATTR_OPSIZE) ? 2 : 4;
		break;
	case OS_D64:
		insn->operand_size = d->rexw ? 8 :
			(insn->attr & JIT_ATTR_OPSIZE) ? 2 : 8;
		break;
	case OS_F64:
		insn->operand_size = 8;
		break;
	case OS_W:
		insn->operand_size = 2;
		break;
	}
}

/*
 * VEX (c4/c5), EVEX (62), XOP (8f): reads the payload and sets the map;
 * d->pos is left on the opcode byte.
 */
static int decode_vex(struct jit_insn *insn, struct dstate *d, u8 esc)
{
	const u8 *p = d->code + d->pos;
	unsigned int map, n = esc == 0x62 ? 4 : esc == 0xc5 ? 2 : 3;
	int ret;

	/* 66, f2, f3, lock or REX before these: #UD */
	if (d->last_rep || insn->rex ||
	    (insn->attr & (JIT_ATTR_OPSIZE | JIT_ATTR_LOCK)))
		return JIT_DECODE_INVALID;
	ret = need(d, n);
	if (ret)
		return ret;
	switch (esc) {
	case 0xc5:
		map = 1;
		d->vex_pp = p[1] & 3;
		insn->attr |= JIT_ATTR_VEX;
		break;
	case 0xc4:
		map = p[1] & 0x1f;
		if (map < 1 || map > 3)
			return JIT_DECODE_INVALID;
		d->rexw = p[2] >> 7;
		d->vex_pp = p[2] & 3;
		insn->attr |= JIT_ATTR_VEX;
		break;
	case 0x8f:
		map = p[1] & 0x1f;
		if (map < 8 || map > 10)
			return JIT_DECODE_INVALID;
		d->rexw = p[2] >> 7;
		d->vex_pp = p[2] & 3;
		insn->attr |= JIT_ATTR_XOP;
		break;
	default:	/* 62 */
		map = p[1] & 7;
		if (map == 0 || map == 4 || map == 7 || (p[1] & 8) ||
		    !(p[2] & 4))
			return JIT_DECODE_INVALID;
		d->rexw = p[2] >> 7;
		d->vex_pp = p[2] & 3;
		insn->attr |= JIT_ATTR_EVEX;
		break;
	}
	insn->map = map;
	d->pos += n;
	return need(d, 1);
}

/* Table descriptor of a VEX/EVEX/XOP opcode: ModRM, immediate, flags. */
static u32 vex_desc(struct jit_insn *insn, const struct dstate *d)
{
	u8 op = insn->opcode;
	u32 desc = D_M;

	switch (insn->map) {
	case JIT_MAP_0F:
		if (op == 0x77 && (insn->attr & JIT_ATTR_VEX))
			return 0;			/* vzeroupper/all */
		if ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
		    (op >= 0xc4 && op <= 0xc6))
			desc |= D_IMM(IMM_B);
		else if (op == 0x2e || op == 0x2f ||	/* vcomis */
			 op == 0x98 || op == 0x99)	/* kortest ktest */
			desc |= D_FL(FL_ARITH);
		break;
	case JIT_MAP_0F38:
		if (op == 0x0e || op == 0x0f || op == 0x17) /* vtestp vptest */
			desc |= D_FL(FL_ARITH);
		if (op >= 0xf0 && (insn->attr & JIT_ATTR_VEX)) {  /* BMI */
			desc |= D_OS(OS_V);
			if (op == 0xf2 || op == 0xf3 ||	/* andn, group 17 */
			    (op == 0xf5 && d->vex_pp == 0) ||	/* bzhi */
			    (op == 0xf7 && d->vex_pp == 0))	/* bextr */
				desc |= D_FL(FL_ARITH);
		}
		break;
	case JIT_MAP_0F3A:
		desc |= D_IMM(IMM_B);
		if (op >= 0x60 && op <= 0x63)
			desc |= D_FL(FL_ARITH);
		if (op == 0xf0 && (insn->attr & JIT_ATTR_VEX))	/* rorx */
			desc |= D_OS(OS_V);
		break;
	case 5:
		if (op == 0x2e || op == 0x2f)		/* vcomish */
			desc |= D_FL(FL_ARITH);
		break;
	case 8:
		desc |= D_IMM(IMM_B);
		break;
	case 9:
		if (op == 0x01 || op == 0x02)		/* TBM */
			desc |= D_FL(FL_ARITH) | D_OS(OS_V);
		break;
	case 10:
		desc |= D_IMM(IMM_D) | D_FL(op == 0x10 ? FL_ARITH : FL_UNK);
		break;
	}
	return desc;
}

/* Reads the immediate of kind @kind and computes branch targets. */
static int decode_imm(struct jit_insn *insn, struct dstate *d,
		      unsigned int kind)
{
	unsigned int size;
	bool zext = false;
	int ret;

	switch (kind) {
	case IMM_NONE:
		return 0;
	case IMM_REL8:
	case IMM_REL32:
		size = kind == IMM_REL8 ? 1 : 4;
		if (insn->opcode == 0xc7 && (insn->attr & JIT_ATTR_OPSIZE))
			size = 2;		/* xbegin rel16 */
		ret = need(d, size);
		if (ret)
			return ret;
		insn->rel_off = d->pos;
		insn->rel_size = size;
		d->pos += size;
		insn->target = insn->pc + d->pos +
			sign_extend(get_le(d->code + insn->rel_off, size),
				    size);
		return 0;
	case IMM_B:
		size = 1;
		break;
	case IMM_W:
		size = 2;
		zext = true;			/* ret iw */
		break;
	case IMM_Z:
		size = !d->rexw && (insn->attr & JIT_ATTR_OPSIZE) ? 2 : 4;
		break;
	case IMM_V:
		size = d->rexw ? 8 : (insn->attr & JIT_ATTR_OPSIZE) ? 2 : 4;
		break;
	case IMM_ENTER:
		size = 3;
		break;
	case IMM_MOFFS:
		size = (insn->attr & JIT_ATTR_ADDRSIZE) ? 4 : 8;
		zext = true;
		break;
	case IMM_BB:
		size = 2;
		break;
	default:	/* IMM_D */
		size = 4;
		break;
	}
	ret = need(d, size);
	if (ret)
		return ret;
	insn->imm_off = d->pos;
	insn->imm_size = size;
	if (kind == IMM_ENTER) {
		insn->imm = get_le(d->code + d->pos, 2);
	} else if (kind == IMM_BB) {
		insn->imm = d->code[d->pos];
	} else {
		insn->imm = get_le(d->code + d->pos, size);
		if (!zext)
			insn->imm = sign_extend(insn->imm, size);
	}
	d->pos += size;
	return 0;
}

int jit_decode(struct jit_insn *insn, const u8 *code, unsigned int avail,
	       u64 pc)
{
	struct dstate d = { .code = code, .avail = avail };
	unsigned int kind, imm;
	u32 desc;
	int ret;
	u8 b;

	memset(insn, 0, sizeof(*insn));
	insn->pc = pc;

	/* legacy prefixes and REX */
	for (;;) {
		ret = need(&d, 1);
		if (ret)
			return ret;
		b = code[d.pos];
		kind = prefix_kind[b];
		if (kind == PFX_NONE)
			break;
		d.pos++;
		if (kind == PFX_REX) {
			insn->rex = b;
			continue;
		}
		insn->rex = 0;		/* a REX not last is ignored */
		switch (kind) {
		case PFX_FS:
			insn->attr |= JIT_ATTR_SEG_FS;
			break;
		case PFX_GS:
			insn->attr |= JIT_ATTR_SEG_GS;
			break;
		case PFX_66:
			insn->attr |= JIT_ATTR_OPSIZE;
			break;
		case PFX_67:
			insn->attr |= JIT_ATTR_ADDRSIZE;
			break;
		case PFX_LOCK:
			insn->attr |= JIT_ATTR_LOCK;
			break;
		case PFX_REPNE:
			insn->attr |= JIT_ATTR_REPNE;
			d.last_rep = b;
			break;
		case PFX_REP:
			insn->attr |= JIT_ATTR_REP;
			d.last_rep = b;
			break;
		}
	}
	insn->nr_prefixes = d.pos;
	d.rexw = insn->rex & 8;

	/* opcode */
	switch (b) {
	case 0x0f:
		ret = need(&d, 2);
		if (ret)
			return ret;
		b = code[d.pos + 1];
		if (b == 0x38 || b == 0x3a) {
			d.pos += 2;
			ret = need(&d, 1);
			if (ret)
				return ret;
			insn->map = b == 0x38 ? JIT_MAP_0F38 : JIT_MAP_0F3A;
			insn->opcode = code[d.pos];
			if (!(b == 0x38 ? valid0f38 : valid0f3a)[insn->opcode])
				return JIT_DECODE_INVALID;
			desc = D_M;
			if (b == 0x3a)
				desc |= D_IMM(IMM_B) | D_S;
			else if (insn->opcode >= 0xf0 || insn->opcode == 0x17)
				desc |= D_S;
		} else {
			d.pos++;
			insn->map = JIT_MAP_0F;
			insn->opcode = b;
			desc = map0f[b];
		}
		break;
	case 0xc4:
	case 0xc5:
	case 0x62:
		ret = decode_vex(insn, &d, b);
		if (ret)
			return ret;
		insn->opcode = code[d.pos];
		desc = vex_desc(insn, &d);
		break;
	case 0x8f:
		ret = need(&d, 2);
		if (ret)
			return ret;
		if ((code[d.pos + 1] & 0x1f) >= 8) {
			ret = decode_vex(insn, &d, b);
			if (ret)
				return ret;
			insn->opcode = code[d.pos];
			desc = vex_desc(insn, &d);
			break;
		}
		fallthrough;
	default:
		insn->opcode = b;
		desc = map1[b];
		break;
	}
	if (desc & D_X)
		return JIT_DECODE_INVALID;
	d.pos++;
	insn->opcode_off = d.pos - 1;
	insn->flow = FLOW_OF(desc);
	if (desc & D_P)
		insn->attr |= JIT_ATTR_PRIV;
	kind = FL_OF(desc);
	if (kind == FL_CC) {
		insn->flags_read = cc_reads[insn->opcode & 0xf];
	} else {
		insn->flags_read = flag_class[kind][0];
		insn->flags_written = flag_class[kind][1];
		if (kind == FL_STRCMP && (insn->attr & (JIT_ATTR_REP |
							JIT_ATTR_REPNE)))
			insn->flags_read |= JIT_EFL_ARITH;
	}
	set_operand_size(insn, OS_OF(desc), &d);

	if (desc & D_M) {
		/* mov to/from cr/dr: ModRM always names registers */
		ret = decode_modrm(insn, &d, insn->map == JIT_MAP_0F &&
				   (insn->opcode & 0xfc) == 0x20);
		if (ret)
			return ret;
	}
	imm = IMM_OF(desc);
	if (desc & D_S) {
		ret = decode_special(insn, &d, &imm);
		if (ret)
			return ret;
	}
	ret = decode_imm(insn, &d, imm);
	if (ret)
		return ret;

	/* things that depend on the immediate */
	if (desc & D_S) {
		b = insn->opcode;
		if (insn->map == JIT_MAP_1BYTE && (b == 0xc0 || b == 0xc1))
			shift_flags(insn, (insn->modrm >> 3) & 7,
				    (u8)insn->imm);
		else if (insn->map == JIT_MAP_0F && (b == 0xa4 || b == 0xac))
			shift_flags(insn, 4, (u8)insn->imm);
	} else if (insn->map == JIT_MAP_1BYTE && (insn->opcode == 0xcd ||
		   (insn->opcode >= 0xe4 && insn->opcode <= 0xe7))) {
		insn->imm = (u8)insn->imm;	/* int n, port */
	}

	insn->len = d.pos;
	return d.pos;
}

static const char *const flow_names[JIT_FLOW_NR] = {
	[JIT_FLOW_NEXT]		= "next",
	[JIT_FLOW_JMP]		= "jmp",
	[JIT_FLOW_JCC]		= "jcc",
	[JIT_FLOW_LOOP]		= "loop",
	[JIT_FLOW_CALL]		= "call",
	[JIT_FLOW_RET]		= "ret",
	[JIT_FLOW_JMP_IND]	= "jmp_ind",
	[JIT_FLOW_CALL_IND]	= "call_ind",
	[JIT_FLOW_TRAP]		= "trap",
	[JIT_FLOW_SYSTEM]	= "system",
};

const char *jit_flow_name(unsigned int flow)
{
	return flow < JIT_FLOW_NR ? flow_names[flow] : "?";
}
