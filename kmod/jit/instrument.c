// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: what instrumentation hooks insert (struct
 * jit_instr_ops): counter increments in each counter mode (with free
 * registers, or %rax and the flags saved), byte stores, and clean calls of C
 * functions with their arguments.
 */
#include "translate_priv.h"

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
	counter_op(&c, n, jit_live_flags_among(t, JIT_EFL_ARITH));
	save = jit_live_flags_among(t, c.flags);

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
			jit_emit_sc_load(t, reg);
		else if (t->ind_reg >= 0)
			jit_emit_mov_reg(&t->emit, reg, t->ind_reg);
		else
			jit_emit_rm_op(t, in, 0x8b, reg, true, rsp_adj);
		break;
	default:
		jit_emit_mov_imm(&t->emit, reg, 0);
		break;
	}
}

void jit_emit_target_arg(struct jit_translator *t, unsigned int reg,
			 s32 rsp_adj)
{
	emit_target_arg(t, reg, rsp_adj);
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
	/* testb $(X86_EFLAGS_AC >> 16), 8 * 10 + 2(%rbp); jz over; clac */
	static const u8 ac_clear[9] = { 0xf6, 0x45, sizeof(saved) * 8 + 2, 0x04,
					0x74, 0x03, 0x0f, 0x01, 0xca };
	/* testb $(X86_EFLAGS_AC >> 16), 2(%rsp); jz over; stac */
	static const u8 ac_set[10] = { 0xf6, 0x44, 0x24, 0x02, 0x04,
				       0x74, 0x03, 0x0f, 0x01, 0xcb };
	struct jit_emitter *e = &t->emit;
	s32 rz = t->host->red_zone, pushed = 0;
	bool save_flags = jit_live_flags(t) || t->std_seen;
	bool keep_ac = t->host->smap;
	int target_reg = -1;
	unsigned int i;

	if (nr_args > JIT_CLEAN_CALL_MAX_ARGS)
		return latch(t, JIT_E_INVAL);
	jit_emit_lea_rsp(e, -rz);
	/*
	 * The pushf image also tells whether the call is inside a user-access
	 * region (no junk from QEMU's stale flags: the translator rewrites
	 * the flags right after cmpxchg16b, see writes_only_zf()).
	 */
	if (save_flags || keep_ac) {
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
	/*
	 * C must run with AC clear (it may schedule, and switch_to keeps no
	 * RFLAGS); the flags are saved or dead here. The pushf image is
	 * right above the saved registers, %rbp their base.
	 */
	if (keep_ac)
		jit_emit_bytes(e, ac_clear, sizeof(ac_clear));
	jit_emit_bytes(e, and_rsp_16, 4);
	if (!jit_emit_rel32_branch(e, op_call, 1, fn, NULL)) {
		jit_emit_mov_imm(e, JIT_RAX, fn);
		jit_emit_bytes(e, call_rax, 2);
	}
	jit_emit_mov_reg(e, JIT_RSP, JIT_RBP);
	for (i = sizeof(saved); i-- > 0;)
		jit_emit_pop_reg(e, saved[i]);
	if (save_flags) {
		jit_emit_u8(e, 0x9d);			/* popf: AC too */
	} else if (keep_ac) {
		jit_emit_bytes(e, ac_set, sizeof(ac_set)); /* flags dead */
		jit_emit_lea_rsp(e, 8);
	}
	jit_emit_lea_rsp(e, rz);
	return t->error ? -t->error : 0;
}
