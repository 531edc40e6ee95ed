// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: a block's last instruction, handed by its role to the
 * part that emits that kind (branches.c, static_sites.c, indirect.c), and
 * the fall-through after it. Apart from branches.c so that the helpers
 * there, which indirect.c and static_sites.c build on, call nothing above
 * them; jumptable.c ends its sites through here too.
 */
#include "translate_priv.h"

/*
 * The block's last instruction, by its role (enum jit_term); after a jcc,
 * loop or call (on its return) the block falls through.
 */
void jit_emit_terminator(struct jit_translator *t, const struct jit_insn *in)
{
	struct jit_emitter *e = &t->emit;
	u64 next = in->pc + in->len;

	switch (t->term) {
	case JIT_TERM_JMP:
		jit_emit_direct_exit(t, op_jmp, 1, in->target, JIT_EXIT_JMP);
		return;
	case JIT_TERM_JCC:
		jit_emit_jcc(t, in);
		break;
	case JIT_TERM_STATIC:
		jit_emit_static_branch(t, in);
		return;
	case JIT_TERM_CALL:
		jit_emit_direct_exit(t, op_call, 1, in->target, JIT_EXIT_CALL);
		break;
	case JIT_TERM_RET:
		if (in->flow == JIT_FLOW_RET)
			jit_emit_copy(t, in);
		else	/* jmp to a return thunk: keep the native thunk */
			jit_emit_branch_to(t, op_jmp, 1, in->target);
		return;
	case JIT_TERM_JMP_IND:
		jit_emit_indirect_jmp(t, in);
		return;
	case JIT_TERM_CALL_IND:
		jit_emit_indirect_call(t, in);
		break;
	default:
		return;
	}
	if (t->sc_join && !e->overflow) {	/* jit_emit_sc_direct()'s 2: */
		u32 rel = e->len - (t->sc_join + 4);

		memcpy(e->buf + t->sc_join, &rel, sizeof(rel));
	}
	if (t->jt_join && !e->overflow) {	/* jit_emit_jt_site()'s jmp FT */
		u32 rel = e->len - (t->jt_join + 4);

		memcpy(e->buf + t->jt_join, &rel, sizeof(rel));
	}
	/* jcc, loop and calls fall through (calls: on return) */
	jit_emit_fallthrough(t, next);
}
