// SPDX-License-Identifier: GPL-2.0
/*
 * Cache addresses back to native ones, for moving tasks out of the cache
 * at stop (unpin.c): a word on a sleeping task's stack that points into a
 * block, an entry trampoline or the continuation of a translated call is
 * mapped to the native address that does the same from there on.
 *
 * Runs only while every CPU is stopped, so no translation changes under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/nospec-branch.h>

#include "jifl.h"
#include "jifl_cache.h"

/* Where a stack word can send a task to return: the kernel's return thunk */
static u64 jifl_native_return;

/*
 * The return thunk the kernel chose (apply_returns() patched every return
 * site, ours included, to "jmp <thunk>" or to a plain ret). 6.12's
 * __x86_return_thunk itself only warns that a site was left unpatched, so
 * it is read off jifl_tramp_exit's return; for a plain ret, ITS's thunk is
 * one (both target kernels build it).
 */
static u64 find_native_return(void)
{
	u64 pc = (u64)jifl_tramp_exit;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct jit_insn in;
		int len = jit_decode(&in, (const u8 *)pc, JIT_INSN_MAX_LEN, pc);

		if (len <= 0)
			break;
		if (in.flow == JIT_FLOW_JMP)
			return in.target;
		if (in.flow == JIT_FLOW_RET)
			break;
		pc += len;
	}
	return (u64)its_return_thunk;
}

/* rel32 target of the 5-byte call or jmp at @p (in the cache) */
static u64 rel32_target(const u8 *p)
{
	s32 rel;

	memcpy(&rel, p + 1, sizeof(rel));
	return (u64)p + 5 + (s64)rel;
}

/* The jmp of an entry trampoline: to jifl_tramp_exit or its @leave form */
static bool is_tramp_exit(u64 target)
{
	return target == (u64)jifl_tramp_exit ||
	       target == (u64)jifl_tramp_exit_leave;
}

/*
 * @w in an entry trampoline ("call body; jmp jifl_tramp_exit"): at its
 * start the task is about to enter the body, which natively follows the
 * ftrace site; after the call it returns to the native caller, which a
 * return thunk does (after a stop, plugins' @leave hooks are not called
 * any more). Either way the task no longer counts as in the cache.
 */
static bool tramp_native_of(u64 w, u64 *native, int *left)
{
	const u8 *p = (const u8 *)w;
	struct jifl_block *b;

	if (w - 5 < (u64)jifl_cache_area || w + 10 > (u64)jifl_cache_area_end)
		return false;
	if (p[0] == 0xe9 && p[-5] == 0xe8 && is_tramp_exit(rel32_target(p))) {
		*native = jifl_native_return;
		*left = 1;
		return true;
	}
	if (p[0] == 0xe8 && p[5] == 0xe9 &&
	    is_tramp_exit(rel32_target(p + 5))) {
		b = jifl_dispatch_find_block(rel32_target(p));
		if (!b || b->blk.cache_start + b->blk.entry_off !=
			  rel32_target(p))
			return false;
		*native = b->blk.native_start;
		*left = 1;
		return true;
	}
	return false;
}

/*
 * @w follows the call that ends block @b: the callee returns there. If
 * not, false, and what it is instead in @why.
 */
static bool call_continuation(const struct jifl_block *b, u64 w, u64 *native,
			      const char **why)
{
	const struct jit_pcmap *last = &b->map[b->blk.nr_insns - 1];
	const u8 *p = (const u8 *)w;
	struct jit_insn in;
	u8 code[JIT_INSN_MAX_LEN];
	unsigned int avail;
	u64 target;

	if (w <= b->blk.cache_start + last->cache_off + 4) {
		*why = "inside an instruction's instrumentation or translation";
		return false;
	}
	if (p[-5] != 0xe8) {
		*why = "in the block's end, not after a call";
		return false;
	}
	/* calls into the dispatcher: their return address is an argument */
	target = rel32_target(p - 5);
	if (target == (u64)jifl_exit_entry ||
	    target == (u64)jifl_exit_call_entry ||
	    target == (u64)jifl_ic_jmp_miss || target == (u64)jifl_ic_call_miss) {
		*why = "the return of a call into the dispatcher";
		return false;
	}
	avail = jifl_dispatch_read_code(b->blk.native_start + last->native_off,
					code, sizeof(code));
	if (!avail || jit_decode(&in, code, avail,
				 b->blk.native_start + last->native_off) <= 0 ||
	    (in.flow != JIT_FLOW_CALL && in.flow != JIT_FLOW_CALL_IND)) {
		*why = "after a call, but the block does not end in one";
		return false;
	}
	*native = b->blk.native_start + b->blk.native_len;
	return true;
}

/* jifl_dispatch_native_of(), and why not in @why */
static bool native_of(u64 w, u64 *native, int *left, const char **why)
{
	struct jifl_block *b = jifl_dispatch_find_block(w);
	u64 cs;
	unsigned int i;

	*left = 0;
	if (!b) {
		*why = "before the first block";
		return false;
	}
	cs = b->blk.cache_start;
	if (w >= cs + b->blk.cache_len) {
		*why = "after a block, not an entry trampoline's call or return";
		return tramp_native_of(w, native, left);
	}
	for (i = 0; i < b->blk.nr_exits; i++) {
		if (w == cs + b->blk.exits[i].stub_end) {
			*why = "an exit stub's return (in the dispatcher)";
			return false;
		}
	}
	/*
	 * An instruction boundary: where an interrupted task resumes, or a
	 * saved register or stale slot holding a block address; the
	 * native instruction is the same place either way.
	 */
	/*
	 * The entry, before any ENDBR64: also where a call at the end of
	 * the block before returns, when this one is laid out as its
	 * fall-through (the native instruction after the call).
	 */
	if (w == cs + b->blk.entry_off) {
		*native = b->blk.native_start;
		return true;
	}
	for (i = 0; i < b->blk.nr_insns; i++) {
		if (w == cs + b->map[i].instr_off ||
		    w == cs + b->map[i].cache_off) {
			*native = b->blk.native_start + b->map[i].native_off;
			return true;
		}
	}
	return call_continuation(b, w, native, why);
}

/**
 * jifl_dispatch_native_of() - the native equivalent of a cache address
 * @w:			a word on a task's stack that points into the cache:
 *			a return address, the saved ip of an interrupted
 *			task, or a saved register or stale slot
 * @native:		set to the native address to use instead
 * @left:		set to the number of cache entries (trampoline frames)
 *			the word accounts for
 *
 * Only while every CPU is stopped, so that no translation changes.
 *
 * Return: false if @w has no exact native equivalent (a task inside
 * instrumentation, an exit stub or the dispatcher).
 */
bool jifl_dispatch_native_of(u64 w, u64 *native, int *left)
{
	const char *why;

	return native_of(w, native, left, &why);
}

/**
 * jifl_native_of_why() - why a cache address has no native equivalent
 * @w:		a cache address jifl_dispatch_native_of() did not map
 *
 * For the log of a task that stop could not move; every CPU stopped.
 *
 * Return: a phrase saying what @w is, or NULL if it does map.
 */
const char *jifl_native_of_why(u64 w)
{
	const char *why = NULL;
	u64 native;
	int left;

	return native_of(w, &native, &left, &why) ? NULL : why;
}

/* Called once at load, after jifl_dispatch_init() */
void jifl_native_of_init(void)
{
	jifl_native_return = find_native_return();
}
