// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: jump-table sites (a load indexed by a register, then
 * an indirect jmp or call through it) get a table of their own from the
 * host; each entry's code is made on the first use of its index
 * (jit_jt_link()).  README "Jump tables".
 */
#include "translate_priv.h"

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
void jit_plan_jump_table(struct jit_translator *t)
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
	t->jt_live = jit_live_flags_at(t, k, JIT_EFL_ARITH);
	t->jt_small = jt_index_small(t, k, index);
	/* live flags: no cmp at the site, so the index must be bounded */
	if (t->jt_live && !t->jt_small)
		return;
	t->jt_first = k;
	t->jt_index = index;
	t->jt_res = r;
}

void jit_emit_jt_site(struct jit_translator *t, const struct jit_insn *ld)
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
			jit_emit_terminator(t, ld);
		else
			jit_emit_copy(t, ld);
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
		jit_emit_rm_op(t, ld, 0xff, 6, false, 0);	/* push <memory> */
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
	jit_emit_branch_to(t, op_call, 1, h->jt_fill_entry);
	desc |= (u64)(u32)table | (u64)call << JT_D_CALL |
		(u64)t->jt_res << JT_D_RES | (u64)x << JT_D_X |
		(u64)(e->len - load) << JT_D_BACK | (u64)!!add << JT_D_ADD |
		(u64)!!t->jt_live << JT_D_LIVE | (u64)t->jt_mem << JT_D_MEM;
	jit_emit_u8(e, 0x48);				/* D */
	jit_emit_u8(e, 0xb8);
	jit_emit_u64(e, desc);
	if (jae)
		jit_patch_rel8_here(t, jae);
	/* G: the site above counts as code inserted before the load */
	t->map[t->cur].cache_off = e->len;
	if (t->jt_mem)
		jit_emit_terminator(t, ld);
	else
		jit_emit_copy(t, ld);
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
