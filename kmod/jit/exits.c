// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: exit stubs (planned before the block with
 * JIT_FT_HEAD, emitted before its entry or after its end), one stub shared by
 * both exits of a jcc, and what the host does with exits later: chaining
 * (jit_exit_link()) and finding the exit a stub's return address names
 * (jit_block_find_exit()).  README "Exit stubs and chaining".
 */
#include "translate_priv.h"

/* Does the exit to @target need a stub (not native, not translated)? */
static bool needs_stub(const struct jit_translator *t, u64 target)
{
	const struct jit_host *h = t->host;

	return !host_untranslatable(h, target) &&
	       !(h->lookup && h->lookup(h->priv, target));
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
u32 jit_plan_stubs(const struct jit_translator *t)
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

void jit_emit_stubs(struct jit_translator *t)
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
