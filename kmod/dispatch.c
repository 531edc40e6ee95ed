// SPDX-License-Identifier: GPL-2.0
/*
 * The dispatcher: translates native blocks into the code cache on demand,
 * links exits to their targets, answers indirect-branch lookups, and builds
 * the entry trampolines that ftrace sends traced tasks to.
 *
 * Everything here may run with interrupts off (a traced task can miss in
 * the cache anywhere), so it never sleeps or allocates: block records, pc
 * maps and the lookup table are allocated at load, and one raw spinlock
 * serialises translation and patching.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/export.h>
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/nospec-branch.h>

#include "jifl.h"
#include "jifl_plugin.h"

#define JIFL_MAX_BLOCKS		(1U << 17)
#define JIFL_MAP_POOL		(1U << 20)
#define JIFL_HTAB_BITS		18
#define JIFL_HTAB_SIZE		(1UL << JIFL_HTAB_BITS)
#define JIFL_TRAMP_BITS		12
#define JIFL_TRAMP_SIZE		(1UL << JIFL_TRAMP_BITS)
#define JIFL_TRAMP_LEN		16
/* Blocks that end in a direct static branch site (jit_block.sb_off) */
#define JIFL_MAX_SB		16384
#define JIFL_SB_HASH_BITS	10
/* A trampoline value meaning "run natively" */
#define JIFL_TRAMP_NATIVE	1UL


/*
 * The retpoline thunks and __x86_return_thunk come declared, and exported
 * to modules, by <asm/nospec-branch.h>.
 */

/**
 * struct jifl_htab_entry - native -> cache address, read locklessly
 * @native:	key; 0 marks a free slot; written last
 * @cache:	where to go: a block, or @native itself for code that runs
 *		natively (so indirect branches there need no dispatcher)
 */
struct jifl_htab_entry {
	u64 native;
	u64 cache;
};

/* Read by dispatch_entry.S */
struct jifl_htab_entry *jifl_htab, *jifl_htab_end;
unsigned long jifl_htab_mask;

struct jifl_tramp {
	unsigned long fentry;
	unsigned long tramp;
};

DEFINE_PER_CPU(long, jifl_inflight);
static DEFINE_PER_CPU(bool, jifl_in_dispatch);

static DEFINE_RAW_SPINLOCK(jifl_lock);

/* All below is protected by jifl_lock */
static struct jit_translator jifl_jt;
static struct jit_host jifl_host;
static struct jifl_block *jifl_blocks;
static unsigned int jifl_nr_blocks;
static struct jit_pcmap *jifl_map_pool;
static unsigned int jifl_map_used;
static unsigned long jifl_cache_off;
static unsigned long jifl_htab_used;
static struct jifl_tramp *jifl_tramps;
static unsigned int jifl_nr_tramps;

/**
 * struct jifl_sb - a cache copy of a static branch site, a direct jmp
 * @site:	the native site
 * @block:	index of the block it ends
 * @next:	1 + index of the previous copy in its hash bucket, 0: none
 */
struct jifl_sb {
	u64 site;
	u32 block;
	u32 next;
};

static struct jifl_sb *jifl_sbs;
static unsigned int jifl_nr_sb;
/*
 * 1 + index of the newest copy per hash of the site, 0: none, so that a
 * key update, which every static key in the system makes go through
 * jifl_dispatch_label_update() under the lock, visits only its site's
 * copies.
 */
static u32 jifl_sb_head[1U << JIFL_SB_HASH_BITS];
/* label_watch.c follows static key updates: sites may be direct jmps */
static bool jifl_follow_labels;

static struct {
	u64 blocks;
	u64 native_bytes;
	u64 exits_linked;
	u64 dispatches;
	u64 ibl_misses;
	u64 fallbacks[JIFL_FB_NR];
	u64 invalidated;
	u64 labels_followed;
} jifl_st;

/* The layout; replaced only while no task can be in the cache */
static unsigned long jifl_text_start, jifl_text_end;
static struct {
	unsigned long start, end;
} jifl_ranges[JIFL_LAYOUT_MAX_RANGES];
static unsigned int jifl_nr_ranges;
static struct {
	unsigned long start, end;
} jifl_modules[JIFL_LAYOUT_MAX_RANGES];
static unsigned int jifl_nr_modules;

/* Where entry trampolines return through: plugins may want a leave hook */
static const u8 *jifl_tramp_exit_fn = jifl_tramp_exit;
static struct jifl_extable *jifl_ex_table;

/* Static branch and static call sites of what is translated */
static struct jifl_sites *jifl_sites;

static inline unsigned long htab_slot(u64 pc)
{
	return (pc ^ (pc >> 4)) & jifl_htab_mask;
}

static u64 htab_lookup(u64 pc)
{
	unsigned long i = htab_slot(pc);

	for (;;) {
		u64 key = READ_ONCE(jifl_htab[i].native);

		if (key == pc) {
			/* the key was published after its value */
			smp_rmb();
			return READ_ONCE(jifl_htab[i].cache);
		}
		if (!key)
			return 0;
		i = (i + 1) & jifl_htab_mask;
	}
}

/* Make @pc's entry say "run natively"; true if it named a translation. */
static bool htab_forget(u64 pc)
{
	unsigned long i = htab_slot(pc);

	for (;;) {
		u64 key = jifl_htab[i].native;

		if (key == pc) {
			if (jifl_htab[i].cache == pc)
				return false;
			WRITE_ONCE(jifl_htab[i].cache, pc);
			return true;
		}
		if (!key)
			return false;
		i = (i + 1) & jifl_htab_mask;
	}
}

/* Keep the table at most half full, so lookups stay short. */
static bool htab_insert(u64 pc, u64 dest)
{
	unsigned long i = htab_slot(pc);

	if (!pc || jifl_htab_used >= JIFL_HTAB_SIZE / 2)
		return false;
	while (jifl_htab[i].native)
		i = (i + 1) & jifl_htab_mask;
	jifl_htab[i].cache = dest;
	/* value before key: lockless readers check the key first */
	smp_wmb();
	WRITE_ONCE(jifl_htab[i].native, pc);
	jifl_htab_used++;
	return true;
}

static unsigned int host_read_code(void *priv, u64 pc, u8 *buf,
				   unsigned int len);

/*
 * The native bytes a translation asks about, read 64 at a time: every
 * instruction of a block is asked whether it is a patched branch (5
 * bytes) before the translator reads it (host_read_code()), so one
 * copy_from_kernel_nofault() per block serves both instead of one per
 * instruction and another per block.  Used only while @armed, i.e.
 * during one translate_locked(): the bytes are as current as the
 * translator's own, which it reads once per block too.
 */
#define TEXT_WIN	64
static struct {
	bool armed;
	unsigned int len;
	u64 start;
	u8 buf[TEXT_WIN];
} jifl_text_win;

/* Make the window cover @len bytes at @pc if it can; true if it does. */
static bool text_win_covers(u64 pc, unsigned int len)
{
	if (!jifl_text_win.armed)
		return false;
	if (pc >= jifl_text_win.start &&
	    pc - jifl_text_win.start + len <= jifl_text_win.len)
		return true;
	jifl_text_win.len = 0;
	if (copy_from_kernel_nofault(jifl_text_win.buf, (void *)pc, TEXT_WIN))
		return false;
	jifl_text_win.start = pc;
	jifl_text_win.len = TEXT_WIN;
	return len <= TEXT_WIN;
}

static inline const u8 *text_win_at(u64 pc)
{
	return jifl_text_win.buf + (pc - jifl_text_win.start);
}

/*
 * What one translate_locked() learnt about native code, so that it does
 * not ask twice: its first instruction passed native_reason() before the
 * translator asks about it again (@checked); the instruction that ended
 * a block natively was asked about by the translator just before
 * translate_locked() counts its reason (@last_pc, @last_reason); and
 * unless some instruction asked about had an exception-table entry
 * (@ex_seen), none of the block's has one (every instruction of a block
 * is asked about first), so add_cache_extable() need not look.  Reset at
 * every translate_locked(), under the dispatcher's lock.
 */
static struct {
	u64 checked;
	u64 last_pc;
	int last_reason;
	bool ex_seen;
} jifl_xl_memo;

/*
 * An instruction with an exception-table entry can be copied if its copy
 * gets an entry of its own (room is kept for a whole block) and it is an
 * ordinary instruction, copied as one instruction at one address.
 */
static bool ex_copyable(u64 pc)
{
	struct jit_insn in;
	u8 code[JIT_INSN_MAX_LEN];
	unsigned int avail;

	if (!jifl_cache_ex_room(JIT_BLOCK_MAX_INSNS))
		return false;
	avail = host_read_code(NULL, pc, code, sizeof(code));
	return avail && jit_decode(&in, code, avail, pc) > 0 &&
	       in.flow == JIT_FLOW_NEXT;
}

/* Why native @pc must not be translated, or -1 if it may be. */
static int fallback_reason(u64 pc)
{
	unsigned int i;

	if (pc < jifl_text_start || pc >= jifl_text_end) {
		for (i = 0; i < jifl_nr_modules; i++)
			if (pc >= jifl_modules[i].start &&
			    pc < jifl_modules[i].end)
				goto text;
		return JIFL_FB_OUTSIDE_TEXT;
	}
text:
	for (i = 0; i < jifl_nr_ranges; i++)
		if (pc >= jifl_ranges[i].start && pc < jifl_ranges[i].end)
			return JIFL_FB_EXCLUDED;
	if (jifl_extable_find(jifl_ex_table, pc)) {
		jifl_xl_memo.ex_seen = true;
		if (!ex_copyable(pc))
			return JIFL_FB_EXTABLE;
	}
	return -1;
}

static bool in_core_text(u64 pc)
{
	return pc >= jifl_text_start && pc < jifl_text_end;
}

static bool translatable_text(u64 pc)
{
	unsigned int i;

	if (pc >= jifl_text_start && pc < jifl_text_end)
		return true;
	for (i = 0; i < jifl_nr_modules; i++)
		if (pc >= jifl_modules[i].start && pc < jifl_modules[i].end)
			return true;
	return false;
}

/*
 * A direct call or jmp out of kernel text was patched in (ftrace or BPF
 * trampolines at function entries, optimized kprobes, static calls to
 * modules): a copy would keep branching there after the text is patched
 * back and the target freed. Such instructions run natively, where they
 * always have their current bytes.
 */
static bool patched_branch(u64 pc)
{
	u8 op[5];
	s32 rel;

	if (text_win_covers(pc, sizeof(op)))
		memcpy(op, text_win_at(pc), sizeof(op));
	else if (copy_from_kernel_nofault(op, (void *)pc, sizeof(op)))
		return false;
	if (op[0] != 0xe8 && op[0] != 0xe9)
		return false;
	memcpy(&rel, op + 1, sizeof(rel));
	return !translatable_text(pc + 5 + (s64)rel);
}

/*
 * Why native @pc must run natively, or -1 if it may be translated. A
 * static call site calls out of text too, but its translation follows
 * its key.
 */
static int native_reason(u64 pc)
{
	int reason = fallback_reason(pc);

	if (reason < 0 && patched_branch(pc) &&
	    !jifl_sites_static_call(jifl_sites, pc, NULL, NULL))
		reason = JIFL_FB_PATCHED;
	return reason;
}

static unsigned int host_read_code(void *priv, u64 pc, u8 *buf,
				   unsigned int len)
{
	u64 end = jifl_text_end;
	unsigned int i;

	for (i = 0; i < jifl_nr_modules; i++)
		if (pc >= jifl_modules[i].start && pc < jifl_modules[i].end)
			end = jifl_modules[i].end;
	if (pc >= end)
		return 0;
	len = min_t(u64, len, end - pc);
	if (text_win_covers(pc, len)) {
		memcpy(buf, text_win_at(pc), len);
		return len;
	}
	/* the last page may be shorter: retry byte by byte */
	if (!copy_from_kernel_nofault(buf, (void *)pc, len))
		return len;
	while (len && copy_from_kernel_nofault(buf, (void *)pc, len))
		len = len > 16 ? len - 16 : len - 1;
	return len;
}

/**
 * jifl_dispatch_read_code() - read native code as the translator does
 * @pc:		native address
 * @buf:	where the bytes go
 * @len:	how many are wanted
 *
 * Return: how many bytes were read (0: @pc is not translatable text).
 */
unsigned int jifl_dispatch_read_code(u64 pc, u8 *buf, unsigned int len)
{
	return host_read_code(NULL, pc, buf, len);
}

static bool host_static_branch(void *priv, u64 pc, u64 *target)
{
	return jifl_sites_jump(jifl_sites, pc, target);
}

/*
 * A static branch site's copy is a direct jmp when key updates are
 * followed (jifl_dispatch_label_update()) and the copy can be recorded;
 * its state is the one the kernel's jump_label_type() gives now, read
 * under the lock the updates take: an update whose key change this read
 * misses has not reached jifl_dispatch_label_update() yet, and will
 * repoint the copy recorded with this translation.
 */
static int host_static_branch_state(void *priv, u64 pc)
{
	if (!jifl_follow_labels || jifl_nr_sb >= JIFL_MAX_SB)
		return -1;
	return jifl_sites_jump_state(jifl_sites, pc);
}

static bool host_static_call(void *priv, u64 pc, u64 *key, bool *tail)
{
	return jifl_sites_static_call(jifl_sites, pc, key, tail);
}

static bool host_untranslatable(void *priv, u64 pc)
{
	int reason;

	if (pc == jifl_xl_memo.checked)
		return false;
	reason = native_reason(pc);
	jifl_xl_memo.last_pc = pc;
	jifl_xl_memo.last_reason = reason;
	return reason >= 0;
}

/* a copied uaccess/_safe instruction: its fixup may read any register */
static bool host_fixup(void *priv, u64 pc)
{
	return jifl_extable_find(jifl_ex_table, pc);
}

static u64 host_lookup(void *priv, u64 pc)
{
	return htab_lookup(pc);
}

static int jit_error_reason(int err)
{
	switch (-err) {
	case JIT_E_DECODE:
		return JIFL_FB_DECODE;
	case JIT_E_NATIVE:
		return JIFL_FB_TRAP;
	case JIT_E_RANGE:
		return JIFL_FB_RANGE;
	case JIT_E_NOSPACE:
		return JIFL_FB_CACHE_FULL;
	default:
		return JIFL_FB_OTHER;
	}
}

static void count_native(u64 pc, int reason)
{
	jifl_st.fallbacks[reason]++;
	/* later indirect branches to @pc go straight there */
	htab_insert(pc, pc);
}

/* Exception-table entries for the block's copies of faulting insns */
static void add_cache_extable(const struct jifl_block *b)
{
	unsigned int i;

	for (i = 0; i < b->blk.nr_insns; i++) {
		u64 pc = b->blk.native_start + b->map[i].native_off;
		const struct jifl_ex *ex = jifl_extable_find(jifl_ex_table, pc);

		/* room was checked when the instruction was let in */
		if (ex && !jifl_cache_ex_add(b->blk.cache_start +
					     b->map[i].cache_off, ex))
			WARN_ONCE(1, "jifl: cache exception table out of order\n");
	}
}

static void put_rel32(u8 *p, u64 insn_end, u64 target)
{
	s32 rel = (s32)(target - insn_end);

	memcpy(p, &rel, sizeof(rel));
}

static inline u8 *alias_of(u64 cache_addr)
{
	return jifl_cache_alias + (cache_addr - (u64)jifl_cache_area);
}

/*
 * Fall-through blocks laid out after a new block in one translation, at
 * most (kmod/jit/README "Fall-through layout"): the not-taken side of a
 * jcc and the return point of a call then run on without a jmp.
 */
#define JIFL_FT_CHAIN	8
/* A jmp appended to a block whose fall-through could not follow it */
#define JIFL_FT_JMP_LEN	5

/*
 * Translate native @pc at the end of the cache, laid out as @ft (enum
 * jit_ft_mode), leaving room for a jmp after it.  Not entered in the
 * lookup table: while its chain is incomplete it runs off its end into
 * nothing (translate_new() publishes the chain).
 *
 * Return: its entry, or 0 if it runs natively (counted).
 */
static u64 translate_one(u64 pc, u8 ft)
{
	struct jifl_block *b;
	unsigned long cap;
	u64 start;
	int reason, ret;

	cap = jifl_cache_size() - jifl_cache_off;
	if (jifl_nr_blocks >= JIFL_MAX_BLOCKS ||
	    cap < JIT_BLOCK_MAX_CACHE + JIFL_FT_JMP_LEN ||
	    jifl_map_used + JIT_BLOCK_MAX_INSNS > JIFL_MAP_POOL ||
	    jifl_htab_used + JIFL_FT_CHAIN >= JIFL_HTAB_SIZE / 2) {
		jifl_st.fallbacks[JIFL_FB_CACHE_FULL]++;
		return 0;
	}
	b = &jifl_blocks[jifl_nr_blocks];
	start = (u64)jifl_cache_area + jifl_cache_off;
	jifl_host.fallthrough_next = ft;
	jifl_xl_memo.checked = pc;
	jifl_xl_memo.last_pc = 0;
	jifl_xl_memo.ex_seen = false;
	ret = jit_translate_block(&jifl_jt, pc, jifl_nr_blocks,
				  jifl_cache_alias + jifl_cache_off, start,
				  min_t(unsigned long, cap - JIFL_FT_JMP_LEN,
					8192), &b->blk);
	jifl_xl_memo.checked = 0;
	if (ret < 0) {
		count_native(pc, jit_error_reason(ret));
		return 0;
	}
	b->map = jifl_map_pool + jifl_map_used;
	memcpy(b->map, jifl_jt.map, b->blk.nr_insns * sizeof(*b->map));
	if (jifl_xl_memo.ex_seen)
		add_cache_extable(b);
	jifl_map_used += b->blk.nr_insns;
	jifl_cache_off += ret;
	/* host_static_branch_state() saw room for it */
	if (b->blk.sb_off) {
		struct jifl_sb *sb = &jifl_sbs[jifl_nr_sb];
		u32 *head;

		sb->site = b->blk.native_start +
			   b->map[b->blk.nr_insns - 1].native_off;
		sb->block = jifl_nr_blocks;
		head = &jifl_sb_head[hash_64(sb->site, JIFL_SB_HASH_BITS)];
		sb->next = *head;
		*head = ++jifl_nr_sb;
		/* straight to where its side goes, past the side's jmp */
		jit_static_branch_set(&b->blk, alias_of(start),
				      b->blk.sb_taken);
	}
	/* the block before the count: jifl_return_target() */
	smp_store_release(&jifl_nr_blocks, jifl_nr_blocks + 1);
	jifl_st.blocks++;
	jifl_st.native_bytes += b->blk.native_len;
	if (b->blk.end == JIT_END_NATIVE || b->blk.end == JIT_END_DECODE) {
		u64 next = pc + b->blk.native_len;

		reason = next == jifl_xl_memo.last_pc ?
			 jifl_xl_memo.last_reason : native_reason(next);
		jifl_st.fallbacks[reason >= 0 ? reason :
				  b->blk.end == JIT_END_DECODE ?
				  JIFL_FB_DECODE : JIFL_FB_TRAP]++;
	}
	return start + b->blk.entry_off;
}

/* Block @b runs off its end: continue at @dest with a jmp of its own */
static void jmp_after(struct jifl_block *b, u64 dest)
{
	u64 at = (u64)jifl_cache_area + jifl_cache_off;
	u8 *p = jifl_cache_alias + jifl_cache_off;

	/* translate_one() left the room; the cache is within reach */
	p[0] = 0xe9;
	put_rel32(p + 1, at + JIFL_FT_JMP_LEN, dest);
	jifl_cache_off += JIFL_FT_JMP_LEN;
	b->blk.cache_len += JIFL_FT_JMP_LEN;
}

/*
 * translate_locked() for a @pc not in the lookup table: its block, then
 * the fall-through blocks laid out after it (JIFL_FT_CHAIN), the chain
 * published in the lookup table only once complete.  A fall-through
 * that is translated already, or runs natively, gets a jmp.
 */
static u64 translate_new(u64 pc)
{
	unsigned int first = jifl_nr_blocks, i;
	struct jifl_block *b;
	u64 entry, dest;
	int reason;

	reason = native_reason(pc);
	if (reason >= 0) {
		count_native(pc, reason);
		return pc;
	}
	entry = translate_one(pc, JIT_FT_HEAD);
	if (!entry)
		return pc;
	for (i = 1; jifl_blocks[jifl_nr_blocks - 1].blk.ft_next; i++) {
		u64 next;

		b = &jifl_blocks[jifl_nr_blocks - 1];
		next = b->blk.native_start + b->blk.native_len;
		dest = htab_lookup(next);
		if (!dest && translate_one(next, i + 1 < JIFL_FT_CHAIN ?
					   JIT_FT_CHAINED : JIT_FT_EXIT))
			continue;
		jmp_after(b, dest ? dest : next);
		break;
	}
	jifl_cache_off = ALIGN(jifl_cache_off, 16);
	for (i = first; i < jifl_nr_blocks; i++) {
		b = &jifl_blocks[i];
		htab_insert(b->blk.native_start,
			    b->blk.cache_start + b->blk.entry_off);
	}
	return entry;
}

/*
 * The cache address to run native @pc from: its block, translated now if
 * needed, or @pc itself when it must (or can only) run natively.
 */
static u64 translate_locked(u64 pc)
{
	u64 dest = htab_lookup(pc);

	if (dest)
		return dest;
	jifl_xl_memo.checked = 0;
	jifl_xl_memo.last_pc = 0;
	jifl_xl_memo.ex_seen = false;
	jifl_text_win.armed = true;
	jifl_text_win.len = 0;
	dest = translate_new(pc);
	jifl_text_win.armed = false;
	return dest;
}

/*
 * Translation and patching are serialised, with interrupts off (a miss
 * can happen anywhere); while this CPU holds the lock, the ftrace entry
 * keeps out of the cache (the dispatcher may call traced functions).
 */
static unsigned long dispatch_lock(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&jifl_lock, flags);
	this_cpu_write(jifl_in_dispatch, true);
	return flags;
}

static void dispatch_unlock(unsigned long flags)
{
	this_cpu_write(jifl_in_dispatch, false);
	raw_spin_unlock_irqrestore(&jifl_lock, flags);
}

/**
 * jifl_dispatch_jifl_dispatch_find_block() - the block whose cache range may hold @addr
 * @addr:	a cache address
 *
 * Blocks are in cache order; the caller holds the lock or has every CPU
 * stopped, and checks @addr against the block's end itself.
 *
 * Return: the last block starting at or before @addr, or NULL.
 */
struct jifl_block *jifl_dispatch_find_block(u64 addr)
{
	unsigned int lo = 0, hi = jifl_nr_blocks;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (jifl_blocks[mid].blk.cache_start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	return &jifl_blocks[lo - 1];
}

/**
 * jifl_dispatch_exit() - an exit stub ran: translate its target and link it
 * @stub_ret:	the return address the stub's call pushed
 * @eflags:	EFLAGS at the stub (a jcc's two exits can share one stub)
 *
 * Called from dispatch_entry.S with all registers saved.
 *
 * Return: where the exit goes, now and from now on.
 */
u64 notrace jifl_dispatch_exit(u64 stub_ret, u64 eflags)
{
	const struct jit_exit *exit = NULL;
	struct jifl_block *b;
	unsigned long flags;
	u64 dest;

	flags = dispatch_lock();
	jifl_st.dispatches++;
	/* a block's last stub ends where the next block starts */
	b = jifl_dispatch_find_block(stub_ret - 1);
	if (b)
		exit = jit_block_find_exit(&b->blk, stub_ret, eflags);
	/* A stub outside any block would be a translator bug. */
	BUG_ON(!exit);
	dest = translate_locked(exit->target);
	if (jit_exit_link(&b->blk, alias_of(b->blk.cache_start), exit, dest))
		jifl_st.exits_linked++;
	/* a static branch site that went to the stub goes to @dest now */
	jit_static_branch_set(&b->blk, alias_of(b->blk.cache_start),
			      b->blk.sb_taken);
	dispatch_unlock(flags);
	return dest;
}

/**
 * jifl_dispatch_label_update() - the kernel is about to rewrite a site
 * @site:	a static branch site's native address
 * @taken:	it becomes a jmp (JUMP_LABEL_JMP) rather than a nop
 *
 * Called by label_watch.c before the native site is patched: every cache
 * copy of @site goes the same way from now on.  The kernel's patching
 * (text_poke_bp()/text_poke_finish()) then synchronises every CPU's
 * instruction stream, as for the native site.
 */
void notrace jifl_dispatch_label_update(unsigned long site, bool taken)
{
	const struct jifl_sb *sb;
	unsigned long flags;
	u32 i;

	flags = dispatch_lock();
	for (i = jifl_sb_head[hash_64(site, JIFL_SB_HASH_BITS)]; i;
	     i = sb->next) {
		struct jifl_block *b;

		sb = &jifl_sbs[i - 1];
		b = &jifl_blocks[sb->block];
		if (sb->site == site &&
		    jit_static_branch_set(&b->blk,
					  alias_of(b->blk.cache_start), taken))
			jifl_st.labels_followed++;
	}
	dispatch_unlock(flags);
}

/**
 * jifl_dispatch_follow_labels() - are static key updates followed?
 * @on:		label_watch.c's hooks are in (true), or about to go (false,
 *		only while no task can be in the cache)
 */
void jifl_dispatch_follow_labels(bool on)
{
	unsigned long flags;

	flags = dispatch_lock();
	jifl_follow_labels = on;
	dispatch_unlock(flags);
}

/**
 * jifl_dispatch_ind() - an indirect branch missed the lookup table
 * @target:	its native target
 *
 * Return: the cache address to continue at, or @target to run natively.
 */
u64 notrace jifl_dispatch_ind(u64 target, u64 eflags)
{
	unsigned long flags;
	u64 dest;

	flags = dispatch_lock();
	jifl_st.ibl_misses++;
	dest = translate_locked(target);
	dispatch_unlock(flags);
	return dest;
}

/**
 * jifl_dispatch_ic() - the first miss of an inline-cache site
 * @stub_ret:	the return address the site's miss stub pushed
 * @target:	the native target that missed
 *
 * Return: where to go; the site now caches @target (once per site) and
 * sends later misses to the generic lookup.
 */
u64 notrace jifl_dispatch_ic(u64 stub_ret, u64 target)
{
	unsigned long flags;
	u64 dest;

	flags = dispatch_lock();
	jifl_st.ibl_misses++;
	dest = translate_locked(target);
	/*
	 * Module code can be unloaded and its address reused: a site never
	 * caches a translation of it (the lookup table can forget one; a
	 * site cannot).  Armed with target 0 instead, the site never hits
	 * (a branch to 0 faults at 0 either way) and its misses go to the
	 * generic lookup from now on.
	 */
	if (dest != target && !in_core_text(target))
		jit_ic_link(&jifl_host, alias_of(stub_ret), stub_ret, 0, 0);
	else
		jit_ic_link(&jifl_host, alias_of(stub_ret), stub_ret, target,
			    dest);
	dispatch_unlock(flags);
	return dest;
}

/**
 * jifl_dispatch_forget() - code at [@start, @end) is going away
 * @start:	first byte
 * @end:	just past the last
 *
 * A module is being unloaded: its address range may later hold other
 * code. Translations of it are dropped from the lookup table (its entries
 * then say "run natively", which is right for whatever comes there) and
 * the range is no longer translated. Direct links into its blocks come
 * only from its own blocks, and inline caches never hold module code, so
 * nothing reaches those blocks again; their cache space is reclaimed at
 * the next session.
 *
 * Return: the number of translations dropped.
 */
unsigned int jifl_dispatch_forget(unsigned long start, unsigned long end)
{
	unsigned int i, n = 0;
	unsigned long flags;

	if (start >= end)
		return 0;
	flags = dispatch_lock();
	for (i = 0; i < jifl_nr_blocks; i++) {
		u64 pc = jifl_blocks[i].blk.native_start;

		if (pc >= start && pc < end && htab_forget(pc))
			n++;
	}
	/* ftrace drops the module's call sites: this is hygiene only */
	for (i = 0; i < JIFL_TRAMP_SIZE; i++) {
		unsigned long f = jifl_tramps[i].fentry;

		if (f >= start && f < end)
			WRITE_ONCE(jifl_tramps[i].tramp, JIFL_TRAMP_NATIVE);
	}
	for (i = 0; i < jifl_nr_modules;) {
		if (jifl_modules[i].start < end && jifl_modules[i].end > start)
			jifl_modules[i] = jifl_modules[--jifl_nr_modules];
		else
			i++;
	}
	jifl_st.invalidated += n;
	dispatch_unlock(flags);
	return n;
}

static unsigned long tramp_lookup(unsigned long fentry)
{
	unsigned long i = hash_long(fentry, JIFL_TRAMP_BITS);

	for (;;) {
		unsigned long key = READ_ONCE(jifl_tramps[i].fentry);

		if (key == fentry) {
			/* the key was published after its value */
			smp_rmb();
			return READ_ONCE(jifl_tramps[i].tramp);
		}
		if (!key)
			return 0;
		i = (i + 1) & (JIFL_TRAMP_SIZE - 1);
	}
}

/*
 * Functions that never return to their caller: a task entering them from
 * a trampoline would never be counted out. They run natively. (ftrace
 * refuses notrace filters on IPMODIFY ops, so they are told by name.)
 */
static const char *const jifl_no_entry[] = {
	"__x64_sys_exit", "__x64_sys_exit_group", "__do_sys_exit",
	"__do_sys_exit_group", "__ia32_sys_exit", "__ia32_sys_exit_group",
};


static bool never_returns(unsigned long fentry)
{
	char name[KSYM_SYMBOL_LEN];
	unsigned int i;

	sprint_symbol_no_offset(name, fentry);
	for (i = 0; i < ARRAY_SIZE(jifl_no_entry); i++)
		if (!strcmp(name, jifl_no_entry[i]))
			return true;
	return false;
}

/*
 * An entry trampoline: "call <cache copy of the body>; jmp jifl_tramp_exit".
 * The extra frame lets the task come back through jifl_tramp_exit, which
 * counts it out of the cache, before returning to the native caller.
 */
static unsigned long make_tramp_locked(unsigned long fentry)
{
	unsigned long i;
	u64 body, tramp;
	u8 *p;

	if (jifl_nr_tramps >= JIFL_TRAMP_SIZE / 2)
		return 0;
	if (never_returns(fentry)) {
		tramp = JIFL_TRAMP_NATIVE;
	} else {
		body = translate_locked(fentry + MCOUNT_INSN_SIZE);
		if (body == fentry + MCOUNT_INSN_SIZE)
			return 0;	/* the body runs natively */
		if (jifl_cache_size() - jifl_cache_off < JIFL_TRAMP_LEN) {
			jifl_st.fallbacks[JIFL_FB_CACHE_FULL]++;
			return 0;
		}
		/* after the body's translation, which took cache space */
		tramp = (u64)jifl_cache_area + jifl_cache_off;
		p = jifl_cache_alias + jifl_cache_off;
		p[0] = 0xe8;
		put_rel32(p + 1, tramp + 5, body);
		p[5] = 0xe9;
		put_rel32(p + 6, tramp + 10, (u64)jifl_tramp_exit_fn);
		jifl_cache_off += JIFL_TRAMP_LEN;
	}

	i = hash_long(fentry, JIFL_TRAMP_BITS);
	while (jifl_tramps[i].fentry)
		i = (i + 1) & (JIFL_TRAMP_SIZE - 1);
	jifl_tramps[i].tramp = tramp;
	/* value before key: lockless readers check the key first */
	smp_wmb();
	WRITE_ONCE(jifl_tramps[i].fentry, fentry);
	jifl_nr_tramps++;
	return tramp;
}

/**
 * jifl_entry_trampoline() - where a traced task entering a function goes
 * @fentry_ip:	the function's ftrace call site
 *
 * Return: the trampoline, or 0 to let the task run natively.
 */
unsigned long notrace jifl_entry_trampoline(unsigned long fentry_ip)
{
	unsigned long tramp, flags;

	/* a function the dispatcher itself calls: stay out */
	if (this_cpu_read(jifl_in_dispatch))
		return 0;
	tramp = tramp_lookup(fentry_ip);
	if (!tramp) {
		flags = dispatch_lock();
		tramp = tramp_lookup(fentry_ip);
		if (!tramp)
			tramp = make_tramp_locked(fentry_ip);
		dispatch_unlock(flags);
	}
	return tramp == JIFL_TRAMP_NATIVE ? 0 : tramp;
}

long jifl_inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(jifl_inflight, cpu);
	return sum;
}

/* Only while no task can be in the cache (jifl_inflight_sum() == 0). */
void jifl_dispatch_reset(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&jifl_lock, flags);
	memset(jifl_htab, 0, JIFL_HTAB_SIZE * sizeof(*jifl_htab));
	memset(jifl_tramps, 0, JIFL_TRAMP_SIZE * sizeof(*jifl_tramps));
	memset(&jifl_st, 0, sizeof(jifl_st));
	jifl_htab_used = 0;
	jifl_nr_tramps = 0;
	jifl_nr_blocks = 0;
	jifl_nr_sb = 0;
	memset(jifl_sb_head, 0, sizeof(jifl_sb_head));
	jifl_map_used = 0;
	jifl_cache_off = 0;
	jifl_cache_ex_reset();
	jifl_cache_reset();
	raw_spin_unlock_irqrestore(&jifl_lock, flags);
}

void jifl_dispatch_stats(struct jifl_stats *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&jifl_lock, flags);
	st->blocks = jifl_st.blocks;
	st->native_bytes = jifl_st.native_bytes;
	st->cache_bytes = jifl_cache_off;
	st->cache_size = jifl_cache_size();
	st->exits_linked = jifl_st.exits_linked;
	st->dispatches = jifl_st.dispatches;
	st->ibl_misses = jifl_st.ibl_misses;
	memcpy(st->fallbacks, jifl_st.fallbacks, sizeof(st->fallbacks));
	st->invalidated = jifl_st.invalidated;
	st->cache_extable = jifl_cache_ex_count();
	st->static_branches = jifl_nr_sb;
	st->labels_followed = jifl_st.labels_followed;
	raw_spin_unlock_irqrestore(&jifl_lock, flags);
	st->inflight = max(0L, jifl_inflight_sum());
}

/**
 * jifl_set_layout() - what to translate and what to leave native
 * @layout:	validated struct from user space
 * @ranges:	@layout->nr_ranges [start, end) pairs
 * @modules:	@layout->nr_modules [start, end) pairs
 *
 * Called only while no session runs and no task is in the cache.
 *
 * Return: 0 or -errno.
 */
int jifl_set_layout(const struct jifl_layout *layout, const u64 *ranges,
		    const u64 *modules)
{
	unsigned long text_probe = (unsigned long)&msleep;
	struct jifl_extable *extable;
	struct jifl_sites *sites;
	unsigned long flags;
	unsigned int i;

	/* a sanity check that these are this kernel's text bounds */
	if (layout->text_start >= layout->text_end ||
	    text_probe < layout->text_start || text_probe >= layout->text_end ||
	    layout->text_end - layout->text_start > SZ_1G)
		return -EINVAL;
	for (i = 0; i < layout->nr_ranges; i++)
		if (ranges[2 * i] > ranges[2 * i + 1])
			return -EINVAL;
	for (i = 0; i < layout->nr_modules; i++)
		if (modules[2 * i] >= modules[2 * i + 1] ||
		    jifl_cache_contains(modules[2 * i]) ||
		    modules[2 * i + 1] - modules[2 * i] > SZ_1G)
			return -EINVAL;
	extable = jifl_extable_build(layout->extable_start,
				     layout->extable_end, modules,
				     layout->nr_modules);
	if (IS_ERR(extable))
		return PTR_ERR(extable);
	sites = jifl_sites_build(layout, modules);
	if (IS_ERR(sites)) {
		jifl_extable_free(extable);
		return PTR_ERR(sites);
	}

	raw_spin_lock_irqsave(&jifl_lock, flags);
	jifl_text_start = layout->text_start;
	jifl_text_end = layout->text_end;
	for (i = 0; i < layout->nr_ranges; i++) {
		jifl_ranges[i].start = ranges[2 * i];
		jifl_ranges[i].end = ranges[2 * i + 1];
	}
	jifl_nr_ranges = layout->nr_ranges;
	for (i = 0; i < layout->nr_modules; i++) {
		jifl_modules[i].start = modules[2 * i];
		jifl_modules[i].end = modules[2 * i + 1];
	}
	jifl_nr_modules = layout->nr_modules;
	swap(jifl_ex_table, extable);
	swap(jifl_sites, sites);
	raw_spin_unlock_irqrestore(&jifl_lock, flags);
	jifl_extable_free(extable);
	jifl_sites_free(sites);
	return 0;
}

/**
 * jifl_dispatch_set_instrumentation() - choose what translations insert
 * @ops:	the plugins' hooks, or NULL
 * @leave:	entry trampolines return through jifl_tramp_exit_leave
 *		(plugins' leave callbacks)
 *
 * Only while no task can be in the cache: jifl_dispatch_reset() follows.
 */
void jifl_dispatch_set_instrumentation(const struct jit_instr_ops *ops,
				       bool leave)
{
	jifl_tramp_exit_fn = leave ? jifl_tramp_exit_leave : jifl_tramp_exit;
	jit_translator_init(&jifl_jt, &jifl_host, ops);
}

/**
 * jifl_return_target() - the native address a return goes to
 * @addr:	a return address as JIFL_ARG_TARGET passes it at a return
 *
 * Plugin API (jifl_plugin.h), answered here because the block table is
 * the dispatcher's: plugin.c, which dispatch.c calls for the plugins'
 * hooks, does not call back into it. Lockless: a block does not change
 * once code can reach it (translate_new() publishes a chain complete).
 *
 * Return: @addr when it is native; the native address after the call
 * whose translation pushed @addr when it is in a block; 0 when it is in
 * no block (an entry trampoline).
 */
u64 jifl_return_target(u64 addr)
{
	const struct jit_block *b;
	unsigned int lo = 0, hi;

	if (!jifl_cache_contains(addr))
		return addr;
	/* pairs with the release in translate_locked() */
	hi = smp_load_acquire(&jifl_nr_blocks);

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (jifl_blocks[mid].blk.cache_start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	b = &jifl_blocks[lo - 1].blk;
	if (addr >= b->cache_start + b->cache_len)
		return 0;
	/* a block laid out as the fall-through of the call before it */
	if (addr == b->cache_start)
		return b->native_start;
	return b->native_start + b->native_len;
}
EXPORT_SYMBOL_GPL(jifl_return_target);

/**
 * jifl_dispatch_blocks() - copy the block table to user space
 * @uentries:	array of struct jifl_block_info
 * @nr:		its capacity; set to the entries written
 * @total:	set to the number of blocks
 *
 * Blocks never change once published, so they are read without the lock.
 *
 * Return: 0, -EFAULT or -ENOMEM.
 */
int jifl_dispatch_blocks(struct jifl_block_info __user *uentries, u64 *nr,
			 u64 *total)
{
	const unsigned int batch = 256;
	struct jifl_block_info *buf;
	unsigned int n, i, j;

	n = READ_ONCE(jifl_nr_blocks);
	/* the key was published after its value */
	smp_rmb();
	*total = n;
	n = min_t(u64, n, *nr);
	buf = kmalloc_array(batch, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i += batch) {
		unsigned int m = min(batch, n - i);

		for (j = 0; j < m; j++) {
			const struct jit_block *b = &jifl_blocks[i + j].blk;

			buf[j].native = b->native_start;
			buf[j].len = b->native_len;
			buf[j].count = jifl_plugins_block_count(i + j);
		}
		if (copy_to_user(uentries + i, buf, m * sizeof(*buf))) {
			kfree(buf);
			return -EFAULT;
		}
		cond_resched();
	}
	kfree(buf);
	*nr = n;
	return 0;
}

int jifl_dispatch_init(void)
{
	static const u64 return_thunks[] = {
		(u64)__x86_return_thunk,
	};
	struct jit_host *h = &jifl_host;

	jifl_htab = vzalloc(JIFL_HTAB_SIZE * sizeof(*jifl_htab));
	jifl_tramps = vzalloc(JIFL_TRAMP_SIZE * sizeof(*jifl_tramps));
	jifl_blocks = vmalloc_array(JIFL_MAX_BLOCKS, sizeof(*jifl_blocks));
	jifl_map_pool = vmalloc_array(JIFL_MAP_POOL, sizeof(*jifl_map_pool));
	jifl_sbs = vmalloc_array(JIFL_MAX_SB, sizeof(*jifl_sbs));
	if (!jifl_htab || !jifl_tramps || !jifl_blocks || !jifl_map_pool ||
	    !jifl_sbs) {
		jifl_dispatch_exit_module();
		return -ENOMEM;
	}
	jifl_htab_end = jifl_htab + JIFL_HTAB_SIZE;
	jifl_htab_mask = JIFL_HTAB_SIZE - 1;

	h->read_code = host_read_code;
	h->untranslatable = host_untranslatable;
	h->lookup = host_lookup;
	h->exit_entry = (u64)jifl_exit_entry;
	h->exit_call_entry = (u64)jifl_exit_call_entry;
	h->ibl_jmp_entry = (u64)jifl_ibl_jmp_entry;
	h->ibl_call_entry = (u64)jifl_ibl_call_entry;
	h->return_thunks = return_thunks;
	h->nr_return_thunks = ARRAY_SIZE(return_thunks);
	h->retpoline_thunks[JIT_RAX] = (u64)__x86_indirect_thunk_rax;
	h->retpoline_thunks[JIT_RCX] = (u64)__x86_indirect_thunk_rcx;
	h->retpoline_thunks[JIT_RDX] = (u64)__x86_indirect_thunk_rdx;
	h->retpoline_thunks[JIT_RBX] = (u64)__x86_indirect_thunk_rbx;
	h->retpoline_thunks[JIT_RBP] = (u64)__x86_indirect_thunk_rbp;
	h->retpoline_thunks[JIT_RSI] = (u64)__x86_indirect_thunk_rsi;
	h->retpoline_thunks[JIT_RDI] = (u64)__x86_indirect_thunk_rdi;
	h->retpoline_thunks[JIT_R8] = (u64)__x86_indirect_thunk_r8;
	h->retpoline_thunks[JIT_R9] = (u64)__x86_indirect_thunk_r9;
	h->retpoline_thunks[JIT_R10] = (u64)__x86_indirect_thunk_r10;
	h->retpoline_thunks[JIT_R11] = (u64)__x86_indirect_thunk_r11;
	h->retpoline_thunks[JIT_R12] = (u64)__x86_indirect_thunk_r12;
	h->retpoline_thunks[JIT_R13] = (u64)__x86_indirect_thunk_r13;
	h->retpoline_thunks[JIT_R14] = (u64)__x86_indirect_thunk_r14;
	h->retpoline_thunks[JIT_R15] = (u64)__x86_indirect_thunk_r15;
	h->red_zone = 0;
	h->counter_mode = JIT_COUNTER_GS_REG;
	h->events = jifl_rings_event_host();
	/*
	 * No ENDBR64 at block heads, IBT or not (one instruction less per
	 * block run): no indirect jmp or call ever lands on one.  Exits
	 * and inline caches branch there directly, the lookups in
	 * dispatch_entry.S continue with ret, and ftrace sends tasks to
	 * the entry trampolines (no ENDBR64 there either) with a ret too.
	 */
	h->ibt = false;
	h->static_branch = host_static_branch;
	h->static_branch_state = host_static_branch_state;
	h->static_call = host_static_call;
	h->static_call_null = (u64)jifl_static_call_nop;
	h->fixup = host_fixup;
	h->smap = boot_cpu_has(X86_FEATURE_SMAP);
	jit_ic.jmp_miss = (u64)jifl_ic_jmp_miss;
	jit_ic.call_miss = (u64)jifl_ic_call_miss;
	jit_translator_init(&jifl_jt, h, NULL);
	jifl_cache_ex_init();
	return 0;
}

void jifl_dispatch_exit_module(void)
{
	vfree(jifl_htab);
	vfree(jifl_tramps);
	vfree(jifl_blocks);
	vfree(jifl_map_pool);
	vfree(jifl_sbs);
	jifl_cache_ex_exit();
	jifl_extable_free(jifl_ex_table);
	jifl_sites_free(jifl_sites);
	jifl_htab = NULL;
	jifl_tramps = NULL;
	jifl_blocks = NULL;
	jifl_map_pool = NULL;
	jifl_sbs = NULL;
	jifl_ex_table = NULL;
	jifl_sites = NULL;
}
