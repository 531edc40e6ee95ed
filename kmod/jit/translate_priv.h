/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block translator, private: what its parts (translate.c, liveness.c,
 * branches.c, terminator.c, exits.c, indirect.c, jumptable.c,
 * static_sites.c, instrument.c, events.c) share and no host may use.
 * The workspace they share is struct jit_translator (translate.h).
 */
#ifndef JIFL_JIT_TRANSLATE_PRIV_H
#define JIFL_JIT_TRANSLATE_PRIV_H

#include "translate.h"

static const u8 op_jmp[1] = { 0xe9 };
static const u8 op_call[1] = { 0xe8 };

/* The block fails with the first error met (positive JIT_E_*) */
static inline void set_error(struct jit_translator *t, int err)
{
	if (!t->error)
		t->error = err;
}

static inline bool host_untranslatable(const struct jit_host *h, u64 pc)
{
	return h->untranslatable && h->untranslatable(h->priv, pc);
}

/* The native bytes of @in, a decoded instruction of the current block */
static inline const u8 *insn_bytes(const struct jit_translator *t,
				   const struct jit_insn *in)
{
	return t->code + (in->pc - t->blk->native_start);
}

/* liveness.c: flags live before instruction @i, within @mask */
unsigned int jit_live_flags_at(struct jit_translator *t, unsigned int i,
			       unsigned int mask);

/* branches.c: copies, operands, direct branches and exits */
void jit_emit_copy(struct jit_translator *t, const struct jit_insn *in);
void jit_emit_rm_op(struct jit_translator *t, const struct jit_insn *in,
		    u8 opcode, unsigned int reg, bool rex_w, s32 rsp_adj);
void jit_emit_abs_op(struct jit_translator *t, u8 rex, u8 opcode,
		     unsigned int reg, u64 addr);
void jit_patch_rel8_here(struct jit_translator *t, u32 at);
void jit_emit_branch_to(struct jit_translator *t, const u8 *op, u32 oplen,
			u64 dest);
void jit_emit_direct_exit(struct jit_translator *t, const u8 *op, u32 oplen,
			  u64 target, u8 kind);
void jit_emit_fallthrough(struct jit_translator *t, u64 next);
void jit_emit_jcc(struct jit_translator *t, const struct jit_insn *in);

/* terminator.c: the block's last instruction */
void jit_emit_terminator(struct jit_translator *t, const struct jit_insn *in);

/* exits.c: exit stubs */
u32 jit_plan_stubs(const struct jit_translator *t);
void jit_emit_stubs(struct jit_translator *t);

/* indirect.c: indirect jmp/call terminators */
void jit_emit_indirect_jmp(struct jit_translator *t, const struct jit_insn *in);
void jit_emit_indirect_call(struct jit_translator *t,
			    const struct jit_insn *in);

/* jumptable.c: jump-table sites */
void jit_plan_jump_table(struct jit_translator *t);
void jit_emit_jt_site(struct jit_translator *t, const struct jit_insn *ld);

/* instrument.c: the current branch's target into @reg (JIT_ARG_TARGET) */
void jit_emit_target_arg(struct jit_translator *t, unsigned int reg,
			 s32 rsp_adj);

/* static_sites.c: static branch and static call sites */
bool jit_static_branch_site(struct jit_translator *t, struct jit_insn *in);
int jit_static_call_site(struct jit_translator *t, struct jit_insn *in,
			 const u8 *b, unsigned int avail);
void jit_emit_static_branch(struct jit_translator *t,
			    const struct jit_insn *in);
void jit_emit_sc_direct(struct jit_translator *t, bool jmp);
void jit_emit_sc_load(struct jit_translator *t, unsigned int reg);
void jit_emit_sc_push(struct jit_translator *t);

#endif /* JIFL_JIT_TRANSLATE_PRIV_H */
