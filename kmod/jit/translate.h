/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block translator of the translator core: copies one basic block of native
 * x86-64 code into a code cache, relocating what depends on its address and
 * inserting instrumentation.  See kmod/jit/README for the block layout, the
 * exit stubs, chaining, indirect branches and flag liveness.
 *
 * Freestanding: the translator allocates nothing.  The caller provides a
 * struct jit_translator (workspace, ~6 KiB: per CPU in the kernel), the code
 * buffer to emit into, and the block record to fill.  Nothing here sleeps or
 * takes locks, so a block can be emitted with IRQs off.
 */
#ifndef JIFL_JIT_TRANSLATE_H
#define JIFL_JIT_TRANSLATE_H

#include "jit_types.h"
#include "insn.h"
#include "emit.h"

/* Size limits of one block (also bound the workspace and the pc map) */
#define JIT_BLOCK_MAX_INSNS	64
#define JIT_BLOCK_MAX_NATIVE	512
#define JIT_BLOCK_MAX_EXITS	2
/* Cache bytes one block can need without instrumentation, stubs included */
#define JIT_BLOCK_MAX_CACHE	(JIT_BLOCK_MAX_NATIVE * 2 + 256)

/* Errors returned (negated) by jit_translate_block() */
#define JIT_E_DECODE	1	/* first instruction does not decode */
#define JIT_E_NATIVE	2	/* first instruction must run natively */
#define JIT_E_RANGE	3	/* a rel32/disp32 cannot reach from the cache */
#define JIT_E_NOSPACE	4	/* the code buffer is too small */
#define JIT_E_INVAL	5	/* bad host configuration */

/**
 * enum jit_counter_mode - how instrumentation addresses counters
 * @JIT_COUNTER_ABS:	a plain address: absolute disp32 if it sign-extends
 *			from 32 bits, else RIP-relative (userspace)
 * @JIT_COUNTER_GS:	an offset in the %gs segment: per-CPU data (kernel),
 *			that fits a sign-extended disp32
 * @JIT_COUNTER_GS_REG:	an offset in the %gs segment of any size (dynamic
 *			per-CPU allocations): loaded into a scratch register,
 *			so the increment stays one instruction, exact even if
 *			the task migrates; flags saved with lahf/seto, never
 *			pushf/popf (kernel)
 */
enum jit_counter_mode {
	JIT_COUNTER_ABS,
	JIT_COUNTER_GS,
	JIT_COUNTER_GS_REG,
};

/**
 * struct jit_event_cpu - a host's per-CPU position in its event ring
 * @pos:	address where the next inline event record goes
 * @end:	address no record may reach past; a record that would is
 *		handed to jit_event_host.refill instead
 *
 * Lives in per-CPU (%gs-relative) memory, written by the inline records
 * and the host's refill only, with preemption disabled.
 */
struct jit_event_cpu {
	u64 pos;
	u64 end;
};

/* Layout of an inline event record (README "Inline events") */
#define JIT_EVENT_SIZE		16	/* word0, sp, tsc */
#define JIT_EVENT_SIZE_TARGET	24	/* and the branch target */

/**
 * struct jit_event_host - how jit_insert_event() writes records
 * @cpu:	%gs offset (a sign-extended disp32) of this CPU's struct
 *		jit_event_cpu
 * @preempt:	with @has_preempt, %gs offset of a 32-bit count that the
 *		record write increments before reading @cpu and decrements
 *		after (the kernel's preempt count: the write then stays on
 *		one CPU, and no other task runs between)
 * @has_preempt: @preempt is set
 * @resched:	optional, with @has_preempt: called when the decrement
 *		leaves the count at 0 (x86's preempt count: preemptible
 *		again with a reschedule pending); must preserve every
 *		register but the flags
 * @refill:	called (near call, stack not aligned) when the record does
 *		not fit below @cpu.end, with the record's size in %edx; it
 *		makes room (the host moves to a new chunk or counts the
 *		record as lost) and returns in %rcx the address to write the
 *		record at, reserved (@cpu.pos already past it), or 0 when
 *		the record is lost.  The fast path reserves with a cmpxchg
 *		on @cpu.pos, so writers in interrupts on the same CPU may
 *		reserve at any point of it; the host must not publish, from
 *		such an interrupt, records not yet written.  May
 *		clobber %rdx and the flags, must preserve every other
 *		register.
 * @no_clock:	write 0 as the time stamp instead of reading the TSC
 *		(benchmarks of the record path alone)
 */
struct jit_event_host {
	s32 cpu;
	s32 preempt;
	bool has_preempt;
	bool no_clock;
	u64 resched;
	u64 refill;
};

/**
 * struct jit_host - what the translator needs from its environment
 * @priv:		passed back to every callback
 * @read_code:		copy up to @len bytes of native code at @pc into @buf;
 *			return how many could be read (0 if none), at least
 *			min(@len, 15) wherever that many are readable (@len
 *			is up to 64: several instructions at once).  Must
 *			not fault: the kernel uses copy_from_kernel_nofault().
 * @untranslatable:	optional; true if the instruction at @pc must run
 *			natively (noinstr sections, kprobed or patched text,
 *			anything outside the traced image).  A direct branch
 *			or call to such a target goes straight to it.
 * @lookup:		optional; the cache address of the block for native
 *			@pc, or 0.  Exits to known blocks are linked at once
 *			and need no stub.
 * @exit_entry:		address that jmp/jcc exit stubs call (after skipping
 *			the red zone); see README "Exit stubs"
 * @exit_call_entry:	address that call exit stubs call
 * @ibl_jmp_entry:	indirect jmp lookup: entered by jmp with the native
 *			target pushed below the skipped red zone
 * @ibl_call_entry:	indirect call lookup: entered by call (the return
 *			address pushed is the cache continuation) with the
 *			native target pushed just before
 * @return_thunks:	addresses whose "jmp thunk" is a return
 *			(__x86_return_thunk and friends)
 * @nr_return_thunks:	entries in @return_thunks
 * @retpoline_thunks:	indexed by register number: the address of
 *			__x86_indirect_thunk_<reg>, or 0.  call/jmp to it is
 *			call/jmp *%<reg>.
 * @red_zone:		bytes below rsp the native code may use (128 for
 *			SysV userspace, 0 for the kernel)
 * @counter_mode:	enum jit_counter_mode
 * @ibt:		start every block with ENDBR64
 * @static_branch:	optional; true if @pc is a static branch (jump label)
 *			site that the host patches at run time between a jmp
 *			and a nop of the same length; *@target is where its
 *			jmp goes.  Such sites test their current bytes each
 *			time they run instead of being copied, unless
 *			@static_branch_state decides otherwise.
 * @static_branch_state: optional, with @static_branch: the state the host
 *			guarantees a site's copy will be kept in step with:
 *			1 taken (jmp), 0 not taken (nop), or -1 to use the
 *			live test.  With 0 or 1 the site becomes a direct
 *			jmp whose aligned rel32 (jit_block.sb_off) goes to
 *			the taken or the fall-through side; the host must
 *			repoint it with jit_static_branch_set() at every
 *			later change of the site, before the native site
 *			changes (README "Static branch sites").
 * @ibl_keys:		optional (0: none); with inline caches (jit_ic), the
 *			address of JIT_IBL_DIRECT u64 words: entry i holds
 *			-T for a native target T whose low 16 bits are i
 *			(0: empty).  Each indirect site then probes it
 *			inline, without touching flags, after its own
 *			cached target missed.  Must fit a sign-extended
 *			disp32.  Single-threaded hosts only: entries are
 *			replaced in place.  See README "Indirect branches".
 * @ibl_dests:		with @ibl_keys: JIT_IBL_DIRECT u64 words, where to
 *			go for the target of the same entry of @ibl_keys
 * @ibl_slot:		with @ibl_keys: %fs-relative offset of a
 *			thread-local u64 the site jumps through
 * @fallthrough_next:	enum jit_ft_mode: whether the caller places the
 *			fall-through block right after this one
 * @static_call:	optional; true if @pc is a static call site (the
 *			kernel's static_call()): a call, or with *@tail a
 *			tail jmp, that the host patches at run time to
 *			whatever function the u64 at *@key holds (0: none;
 *			the site is then a nop, or a ret for a tail call).
 *			Such sites call (jmp to) the function *@key holds
 *			when they run, through the indirect-branch path,
 *			instead of being copied.
 * @static_call_null:	with @static_call: a function that only returns,
 *			changing no register (asm call sites may rely on
 *			that), what a site calls while its key holds 0
 * @jump_table:		optional (with @jt_fill_entry): the table of a
 *			jump-table site (README "Jump tables"): the address
 *			of JIT_JT_ENTRIES u64 words, each set to @fill, that
 *			a sign-extended disp32 reaches; 0 for none (the site
 *			is then an ordinary indirect branch).  The site
 *			jumps (calls) through entry i for index i; the host
 *			replaces an entry with one aligned store after
 *			jit_jt_link().  Called while the block is emitted:
 *			a block that then fails leaves the table unused.
 * @jt_fill_entry:	with @jump_table: what a site's fill stub calls,
 *			with the stack [red zone gap][index][native
 *			target][stub return address], the flags and every
 *			register as the native code left them at the
 *			branch; see jit_jt_link()
 * @fixup:		optional; true if the instruction at @pc may fault
 *			to a fixup (an exception-table entry), whose code
 *			may read any register: instrumentation before it
 *			then borrows no register that the block writes
 *			later (jit_dead_gprs())
 * @events:		optional; how jit_insert_event() writes inline event
 *			records (struct jit_event_host), NULL if it cannot
 * @smap:		the host's CPU has SMAP, so cache code may run inside
 *			a user-access region (EFLAGS.AC set between stac and
 *			clac): clean calls then run their C function with AC
 *			clear and set it again after iff it was set
 */
struct jit_host {
	void *priv;
	unsigned int (*read_code)(void *priv, u64 pc, u8 *buf,
				  unsigned int len);
	bool (*untranslatable)(void *priv, u64 pc);
	u64 (*lookup)(void *priv, u64 pc);
	u64 exit_entry;
	u64 exit_call_entry;
	u64 ibl_jmp_entry;
	u64 ibl_call_entry;
	const u64 *return_thunks;
	unsigned int nr_return_thunks;
	u64 retpoline_thunks[16];
	u32 red_zone;
	u32 counter_mode;
	bool ibt;
	bool (*static_branch)(void *priv, u64 pc, u64 *target);
	u64 ibl_keys;
	u64 ibl_dests;
	s32 ibl_slot;
	u8 fallthrough_next;
	bool (*static_call)(void *priv, u64 pc, u64 *key, bool *tail);
	u64 static_call_null;
	u64 (*jump_table)(void *priv, u64 pc, u64 fill);
	u64 jt_fill_entry;
	bool (*fixup)(void *priv, u64 pc);
	int (*static_branch_state)(void *priv, u64 pc);
	const struct jit_event_host *events;
	bool smap;
};

/**
 * enum jit_ft_mode - layout of a block and its fall-through block
 * @JIT_FT_EXIT:	the fall-through is an exit like any other
 * @JIT_FT_HEAD:	the block's stubs go before its entry
 *			(jit_block.entry_off) and, unless its fall-through
 *			must run natively (jit_host.untranslatable), the
 *			block runs off its end instead of exiting
 *			(jit_block.ft_next): the caller must put the
 *			fall-through block there (a copy if it is
 *			translated already), or a jmp to it
 * @JIT_FT_CHAINED:	the block is such a fall-through block: its entry
 *			must be its first byte.  It runs off its end too,
 *			unless it needs stubs, which then follow it.
 *
 * With a mode other than JIT_FT_EXIT, jit_host.lookup must give the same
 * answers throughout one translation (a single-threaded host, or one
 * that inserts into its table only under the lock it translates with).  The
 * not-taken path of a jcc and the return from a call then need no jmp.
 */
enum jit_ft_mode {
	JIT_FT_EXIT,
	JIT_FT_HEAD,
	JIT_FT_CHAINED,
};

/* Entries of the direct-mapped tables of jit_host.ibl_keys/ibl_dests */
#define JIT_IBL_DIRECT	65536

/* Entries of a jump-table site's table (jit_host.jump_table) */
#define JIT_JT_ENTRIES	256
/* Bytes jit_jt_link() may need for one entry's code */
#define JIT_JT_ENTRY_MAX	96

/* Why a block ended (struct jit_block.end) */
enum jit_block_end {
	JIT_END_BRANCH,		/* its last instruction transfers control */
	JIT_END_SIZE,		/* size limit: falls through to the next block */
	JIT_END_NATIVE,		/* next instruction must run natively */
	JIT_END_DECODE,		/* next bytes do not decode (or unreadable) */
};

/* Kinds of direct exits */
enum jit_exit_kind {
	JIT_EXIT_JMP,		/* jmp/jcc/loop/fall-through to the next block */
	JIT_EXIT_CALL,		/* call rel32 of a not yet translated callee */
};

/**
 * struct jit_exit - a direct exit of a block, to be chained
 * @target:	native address it goes to
 * @patch_off:	cache offset (from the block start) of the 4-byte aligned
 *		rel32 to rewrite when chaining
 * @stub_off:	cache offset of the exit stub
 * @stub_end:	cache offset just after the stub: the return address the
 *		stub's call pushes, which identifies the exit
 * @kind:	enum jit_exit_kind
 */
struct jit_exit {
	u64 target;
	u32 patch_off;
	u16 stub_off;
	u16 stub_end;
	u8 kind;
};

/**
 * struct jit_pcmap - where one native instruction went in the cache
 * @native_off:	offset of the instruction from the block's native start
 * @cache_off:	offset of its translation from the block's cache start
 * @instr_off:	offset of the instrumentation inserted before it (equal to
 *		@cache_off if none); cache pcs in [instr_off, next instr_off)
 *		belong to this instruction
 */
struct jit_pcmap {
	u16 native_off;
	u16 cache_off;
	u16 instr_off;
};

/**
 * struct jit_block - record of one translated block, filled by the translator
 * @native_start:	address of the first native instruction
 * @cache_start:	address of the translation
 * @native_len:		bytes of native code covered
 * @cache_len:		bytes of cache used, stubs included
 * @id:			the caller's block number (instrumentation argument)
 * @nr_insns:		native instructions, entries in the pc map
 * @nr_exits:		entries in @exits
 * @end:		enum jit_block_end
 * @shared_cc:		condition code (0-15) of the block's final jcc when its
 *			taken and fall-through exits share one stub (the
 *			flags at the stub tell which was taken), else
 *			JIT_CC_NONE
 * @entry_off:		offset of the entry from @cache_start: 0, or with
 *			JIT_FT_HEAD the bytes of the stubs placed before it
 * @ft_next:		the block runs off its end (at @cache_start +
 *			@cache_len) into its fall-through block, native
 *			@native_start + @native_len, which the caller must
 *			place there (enum jit_ft_mode)
 * @sb_off:		a direct static branch site (jit_host.static_branch_state)
 *			ends the block: offset of its jmp's 4-byte aligned
 *			rel32; 0 if none
 * @sb_dest:		with @sb_off: where its jmp may go, as offsets from
 *			@cache_start: [0] the fall-through side, [1] the
 *			taken side
 * @sb_rel:		with @sb_off: per side, the offset of the rel32 of
 *			the jmp that side is (an exit), or 0 (the block's
 *			end, where its fall-through block follows)
 * @sb_taken:		with @sb_off: the side the site goes to now
 * @exits:		direct exits that have a stub (chaining candidates)
 */
struct jit_block {
	u64 native_start;
	u64 cache_start;
	u32 native_len;
	u32 cache_len;
	u32 id;
	u16 nr_insns;
	u8 nr_exits;
	u8 end;
	u8 shared_cc;
	u16 entry_off;
	u8 ft_next;
	u16 sb_off;
	u16 sb_dest[2];
	u16 sb_rel[2];
	u8 sb_taken;
	struct jit_exit exits[JIT_BLOCK_MAX_EXITS];
};

#define JIT_CC_NONE	0xff

struct jit_translator;

/**
 * enum jit_arg_kind - argument of a clean call
 * @JIT_ARG_CONST:	@value itself
 * @JIT_ARG_NATIVE_PC:	native address of the instruction at the call site
 * @JIT_ARG_BLOCK_ID:	the block's id
 * @JIT_ARG_TARGET:	at a branch: where it goes (direct: the native target;
 *			indirect: the value of the operand, read at run time;
 *			ret: the return address on the stack); else 0
 * @JIT_ARG_SP:		the stack pointer the instruction sees
 */
enum jit_arg_kind {
	JIT_ARG_CONST,
	JIT_ARG_NATIVE_PC,
	JIT_ARG_BLOCK_ID,
	JIT_ARG_TARGET,
	JIT_ARG_SP,
};

/**
 * struct jit_arg - one argument of a clean call
 * @kind:	enum jit_arg_kind
 * @value:	for JIT_ARG_CONST
 */
struct jit_arg {
	u32 kind;
	u64 value;
};

#define JIT_CLEAN_CALL_MAX_ARGS	6

/**
 * struct jit_instr_ops - instrumentation hooks, called while translating
 * @priv:	passed back to every hook
 * @block:	at block entry, before the first instruction
 * @insn:	before every instruction
 * @call:	before a call (direct, indirect or through a retpoline thunk)
 * @ret:	before a return (ret, or jmp to a return thunk)
 * @indirect:	before an indirect jmp
 *
 * Each hook may be NULL.  Hooks insert code with jit_insert_counter(),
 * jit_insert_store_byte() and jit_insert_clean_call(); what they insert runs
 * just before the instruction (@insn), so the inserted code sees the
 * machine state the instruction will see.  Hooks run in the translator's
 * context: they must not sleep either.
 */
struct jit_instr_ops {
	void *priv;
	void (*block)(void *priv, struct jit_translator *t,
		      const struct jit_block *blk);
	void (*insn)(void *priv, struct jit_translator *t,
		     const struct jit_insn *insn);
	void (*call)(void *priv, struct jit_translator *t,
		     const struct jit_insn *insn);
	void (*ret)(void *priv, struct jit_translator *t,
		    const struct jit_insn *insn);
	void (*indirect)(void *priv, struct jit_translator *t,
			 const struct jit_insn *insn);
};

/* Terminator roles the translator assigns to a block's last instruction */
enum jit_term {
	JIT_TERM_NONE,		/* ordinary instruction */
	JIT_TERM_JMP,		/* direct jmp */
	JIT_TERM_JCC,		/* jcc or loop/jrcxz */
	JIT_TERM_CALL,		/* direct call */
	JIT_TERM_RET,		/* ret, or jmp to a return thunk */
	JIT_TERM_JMP_IND,	/* jmp r/m, jmp retpoline thunk, tail static call */
	JIT_TERM_CALL_IND,	/* call r/m, call retpoline thunk, static call */
	JIT_TERM_STATIC,	/* static branch site: jmp or nop, live */
};

/**
 * struct jit_translator - translation workspace (treat as opaque)
 * @host:	environment, set by jit_translator_init()
 * @ops:	instrumentation hooks or NULL
 * @code:	native bytes of the block being translated
 * @insns:	its decoded instructions
 * @live:	per instruction, JIT_EFL_* flags the block reads before it
 *		rewrites them, from just before it (phase 2, on demand)
 * @live_pass:	per instruction, the flags the block does not rewrite
 *		from just before it to its end (live there if live_out is)
 * @map:	pc map of the last translated block (@blk->nr_insns entries)
 * @emit:	output cursor
 * @blk:	block being filled
 * @cur:	index of the instruction being translated
 * @ind_reg:	for a retpoline-thunk terminator, the register it names
 * @sc_key:	for a static call site terminator, the address of its key
 *		(the function to call is read from there); else 0
 * @term:	enum jit_term of the last instruction
 * @live_out:	flags live when the block is left (a successor scan)
 * @live_done:	@live and @live_pass are computed for this block
 * @live_out_done: @live_out is computed for this block
 * @std_seen:	an std executed earlier in the block (clean calls then cld)
 * @stub_bytes:	with JIT_FT_HEAD: room reserved for the stubs before the
 *		entry
 * @ft_ok:	the block may run off its end into its fall-through block
 * @jt_first:	index of the load of a jump-table site, or -1 (README
 *		"Jump tables")
 * @jt_index:	its index register
 * @jt_res:	the register its load writes and its branch goes through
 * @jt_add:	an "add %reg,@jt_res" sits between the load and the branch
 * @jt_mem:	the branch reads its target from memory itself (no load)
 * @jt_live:	flags are live at the load: the site and entries keep them
 * @jt_small:	the index is known to be below JIT_JT_ENTRIES (no cmp)
 * @jt_join:	at a jump-table call site: offset of the rel32 of the jmp
 *		from the table call's return to the fall-through, or 0
 * @error:	first error met while emitting (positive JIT_E_*)
 * @ctr_free:	JIT_COUNTER_GS_REG counters inserted so far in free
 *		registers (jit_dead_gprs()), nothing saved
 * @ctr_saved:	those inserted with %rax saved on the stack
 */
struct jit_translator {
	const struct jit_host *host;
	const struct jit_instr_ops *ops;
	u8 code[JIT_BLOCK_MAX_NATIVE + JIT_INSN_MAX_LEN];
	struct jit_insn insns[JIT_BLOCK_MAX_INSNS];
	u8 live[JIT_BLOCK_MAX_INSNS + 1];
	u8 live_pass[JIT_BLOCK_MAX_INSNS + 1];
	struct jit_pcmap map[JIT_BLOCK_MAX_INSNS];
	struct jit_emitter emit;
	struct jit_block *blk;
	unsigned int cur;
	int ind_reg;
	u64 sc_key;
	u32 sc_join;
	u8 term;
	u8 live_out;
	bool live_done;
	bool live_out_done;
	bool std_seen;
	u32 stub_bytes;
	bool ft_ok;
	/* the last JIT_COUNTER_GS_REG sequence, which the next may reopen */
	u32 ctr_end;		/* emitter length after it; 0: none */
	u8 ctr_close;		/* bytes of its closing (pops, sahf, lea) */
	bool ctr_flags;		/* it saves the flags */
	s8 jt_first;
	u8 jt_index;
	u8 jt_res;
	bool jt_add;
	bool jt_mem;
	bool jt_live;
	bool jt_small;
	u32 jt_join;
	int error;
	u64 ctr_free;
	u64 ctr_saved;
};

/**
 * jit_translator_init() - prepare a workspace
 * @t:		the workspace
 * @host:	environment (must outlive @t)
 * @ops:	instrumentation hooks, or NULL for none
 */
void jit_translator_init(struct jit_translator *t, const struct jit_host *host,
			 const struct jit_instr_ops *ops);

/**
 * jit_translate_block() - translate the block at a native address
 * @t:		workspace from jit_translator_init()
 * @pc:		native address of the block's first instruction
 * @id:		the caller's number for this block (instrumentation argument)
 * @buf:	where to write the code (may be a writable alias)
 * @cache_pc:	address at which @buf[0] will execute
 * @cap:	bytes available at @buf; JIT_BLOCK_MAX_CACHE always suffices
 *		without instrumentation
 * @blk:	receives the block record; the pc map is left in @t->map
 *		(copy @blk->nr_insns entries if you need it later)
 *
 * Decodes up to a control transfer, the size limit or an instruction that
 * must run natively, then emits the block: relocated instructions,
 * instrumentation, exits and their stubs.
 *
 * Return: bytes emitted (== @blk->cache_len) or a negated JIT_E_* code.
 */
int jit_translate_block(struct jit_translator *t, u64 pc, u32 id, u8 *buf,
			u64 cache_pc, u32 cap, struct jit_block *blk);

/**
 * jit_jt_link() - emit the code of one entry of a jump-table site's table
 * @h:		the host
 * @desc:	the return address the site's fill stub pushed (its
 *		descriptor lies there: readable at that address)
 * @index:	the index the site jumped (called) with, < JIT_JT_ENTRIES
 * @target:	the native target the site computed for it
 * @dest:	where @target goes: its cache address, or @target itself if
 *		it runs natively
 * @buf:	where to emit (a writable alias of @buf_pc)
 * @buf_pc:	address at which @buf[0] will execute
 * @cap:	bytes at @buf; JIT_JT_ENTRY_MAX suffices
 * @slot:	receives the address of the table entry for @index
 *
 * The code redoes the site's load (and add), which leaves every register
 * and flag as the native code has them at its branch, then goes to @dest
 * if the target is @target again, else to the host's generic lookup
 * (ibl_jmp_entry: a table call site's return address is on the stack
 * already).  The host stores @buf_pc into *@slot afterwards (one aligned
 * store, after the code is visible).
 *
 * Return: bytes emitted, or a negated JIT_E_* code (nothing to store).
 */
int jit_jt_link(const struct jit_host *h, u64 desc, u64 index, u64 target,
		u64 dest, u8 *buf, u64 buf_pc, u32 cap, u64 *slot);

/**
 * jit_block_cache_to_native() - native pc of a cache pc inside a block
 * @blk:	the block
 * @map:	its pc map (@blk->nr_insns entries)
 * @cache_pc:	an address in [cache_start, cache_start + cache_len)
 *
 * Code inserted before an instruction maps to that instruction; exit code
 * and stubs after the last instruction map to the last instruction.
 *
 * Return: the native address, or 0 if @cache_pc is not in the block.
 */
u64 jit_block_cache_to_native(const struct jit_block *blk,
			      const struct jit_pcmap *map, u64 cache_pc);

/**
 * jit_exit_link() - chain an exit of a block to a translated target
 * @blk:	the block
 * @buf:	writable address of the block's first byte
 * @exit:	one of @blk->exits
 * @dest:	address to go to: the target's cache address, or its native
 *		address if it runs natively
 *
 * One aligned 32-bit store, atomic for CPUs running the branch.  The caller
 * serialises patching and, in the kernel, the instruction stream.
 *
 * Return: false if @dest is out of rel32 reach (nothing written).
 */
bool jit_exit_link(const struct jit_block *blk, u8 *buf,
		   const struct jit_exit *exit, u64 dest);

/**
 * jit_static_branch_set() - repoint a block's direct static branch site
 * @blk:	the block (@blk->sb_off set); records @taken
 * @buf:	writable address of the block's first byte
 * @taken:	send the site to its jmp target (true) or its fall-through
 *
 * The site goes straight to where that side's exit jmp goes now (its
 * stub, or the block or native code it is linked to), or to the side
 * itself when that is out of reach: call it again with @blk->sb_taken
 * after linking either exit (jit_exit_link()), and once after the
 * translation.  One aligned 32-bit store, as jit_exit_link(); the caller
 * serialises patching and, in the kernel, the instruction stream.
 *
 * Return: false if the block has no such site (nothing written).
 */
bool jit_static_branch_set(struct jit_block *blk, u8 *buf, bool taken);

/**
 * jit_block_find_exit() - which exit a stub return address belongs to
 * @blk:	the block containing the stub
 * @stub_ret:	the return address the stub's call pushed
 * @eflags:	EFLAGS when the stub was entered (the dispatcher entry saves
 *		them); they decide between the two exits of a jcc that share
 *		a stub (@blk->shared_cc)
 *
 * Return: the exit, or NULL.
 */
const struct jit_exit *jit_block_find_exit(const struct jit_block *blk,
					   u64 stub_ret, u64 eflags);

/* --- instrumentation, callable from struct jit_instr_ops hooks --- */

/**
 * jit_live_flags() - EFLAGS live at the current insertion point
 * @t:		the translator (inside a hook)
 *
 * Return: JIT_EFL_* bits some later instruction may read before they are
 * rewritten (conservative: unknown successors count as reading all).
 */
unsigned int jit_live_flags(struct jit_translator *t);

/**
 * jit_live_flags_among() - which of some EFLAGS are live here
 * @t:		the translator (inside a hook)
 * @mask:	the JIT_EFL_* bits the caller is asking about
 *
 * jit_live_flags() & @mask, cheaper: the successors' code is scanned only
 * if the block itself does not decide about every flag in @mask (a
 * counter asks about the arithmetic flags only, which a cmp or test
 * before a jcc rewrites, while DF is rarely rewritten by anything).
 *
 * Return: JIT_EFL_* bits within @mask.
 */
unsigned int jit_live_flags_among(struct jit_translator *t, unsigned int mask);

/**
 * jit_insert_counter() - insert a 64-bit counter increment
 * @t:		the translator (inside a hook)
 * @addr:	counter address (JIT_COUNTER_ABS) or %gs offset (JIT_COUNTER_GS)
 *
 * Emits "incq" on the counter, preserving EFLAGS around it only if
 * jit_live_flags() says some of those inc writes are live.
 *
 * Return: 0 or a negated JIT_E_* code (also latched for the block).
 */
int jit_insert_counter(struct jit_translator *t, u64 addr);

/**
 * jit_insert_counter_add() - insert "add @n to a 64-bit counter"
 * @t:		the translator (inside a hook)
 * @addr:	counter address (JIT_COUNTER_ABS) or %gs offset (the GS modes)
 * @n:		what to add, at most 0x7fffffff (a sign-extended immediate);
 *		0 inserts nothing
 *
 * Like jit_insert_counter() (which is this with 1): one "addq $n" read-
 * modify-write on the counter (imm8 when @n fits, else imm32; "incq" for
 * 1), so a per-CPU counter stays exact across interrupts and migration.
 * EFLAGS are preserved around it only if jit_live_flags() says some of
 * those the add writes (all arithmetic flags, CF included) are live.
 *
 * Return: 0 or a negated JIT_E_* code (also latched for the block).
 */
int jit_insert_counter_add(struct jit_translator *t, u64 addr, u32 n);

/**
 * jit_insert_store_byte() - insert "movb $1, addr" (no flags touched)
 * @t:		the translator (inside a hook)
 * @addr:	byte address (or %gs offset, per the counter mode)
 *
 * Return: 0 or a negated JIT_E_* code.
 */
int jit_insert_store_byte(struct jit_translator *t, u64 addr);

/**
 * jit_insert_clean_call() - insert a call of a C function
 * @t:		the translator (inside a hook)
 * @fn:		function address
 * @nr_args:	number of arguments (at most JIT_CLEAN_CALL_MAX_ARGS)
 * @args:	the arguments, passed in rdi, rsi, rdx, rcx, r8, r9
 *
 * Saves the caller-saved registers, EFLAGS only if live, skips the red zone,
 * aligns the stack to 16 bytes, and clears DF if an std may be in effect.
 * With &jit_host.smap it also clears AC for @fn and restores it after.
 * Vector registers are not saved: @fn must not touch them (kernel C never
 * does; userspace callbacks are built with -mgeneral-regs-only).
 *
 * Return: 0 or a negated JIT_E_* code.
 */
int jit_insert_clean_call(struct jit_translator *t, u64 fn,
			  unsigned int nr_args, const struct jit_arg *args);

/* jit_insert_event() flags */
#define JIT_EVENT_TARGET	(1U << 0)	/* append the branch target */

/**
 * jit_insert_event() - insert an inline event record write
 * @t:		the translator (inside a hook)
 * @word0:	the record's first 32-bit word (the host's site id and
 *		kind bits), a constant of the translation
 * @flags:	JIT_EVENT_TARGET: append the current branch's target as
 *		for JIT_ARG_TARGET (a 24-byte record), e.g. at an indirect
 *		call
 *
 * Writes { @word0, low 32 bits of the stack pointer the instruction
 * sees, TSC (u64), [target (u64)] } at this CPU's jit_event_cpu.pos and
 * advances it, with no call on the fast path: a few instructions, %rax,
 * %rcx, %rdx and the flags (when live) saved on the stack, the host's
 * preempt count held around the write, and the host's refill called
 * only when the record does not fit (README "Inline events").
 *
 * Return: 0 or a negated JIT_E_* code (JIT_E_INVAL without
 * jit_host.events); also latched for the block.
 */
int jit_insert_event(struct jit_translator *t, u32 word0, unsigned int flags);

/**
 * jit_flags_live_in() - EFLAGS live on entry to native code at @pc
 * @host:	environment (reads the code)
 * @pc:		native address
 *
 * Scans forward a bounded number of instructions until every arithmetic
 * flag is rewritten; what is read before is live.  Unknown paths (a
 * branch before all flags are rewritten, undecodable bytes) count as
 * reading every flag not yet rewritten.
 *
 * Return: JIT_EFL_* bits.
 */
unsigned int jit_flags_live_in(const struct jit_host *host, u64 pc);

/**
 * jit_insn_flags_killed() - flags an instruction always rewrites
 * @insn:	decoded instruction
 *
 * Like @insn->flags_written, but without the flags of shifts and rotates
 * by %cl, which leave every flag unchanged when the count is zero.
 *
 * Return: JIT_EFL_* bits.
 */
unsigned int jit_insn_flags_killed(const struct jit_insn *insn);

/**
 * jit_insn_gprs() - general-purpose registers an instruction uses
 * @insn:	the decoded instruction
 * @read:	receives the registers it may read (bit n: enum jit_reg n),
 *		address registers included; a write of 1 or 2 bytes, which
 *		keeps the rest of the register, counts as a read
 * @written:	receives the registers it overwrites whole (8 bytes, or 4,
 *		which zero-extend) without reading them
 *
 * Knows the common integer instructions (mov, lea, movzx/movsx, the ALU
 * group, push/pop, test, shifts, setcc, cmovcc, nops, zero idioms such as
 * xor %eax,%eax); for any other one, and for control transfers, @read is
 * every register and @written none.
 *
 * Return: true if @insn is in the known set.
 */
bool jit_insn_gprs(const struct jit_insn *insn, u16 *read, u16 *written);

/**
 * jit_dead_gprs() - registers free at the current insertion point
 * @t:		the translator (inside a hook)
 *
 * A register is dead if an instruction of the block, from the current one
 * on, overwrites it whole before any reads it, with no control transfer,
 * unknown instruction (jit_insn_gprs()) or instruction that may fault to
 * a fixup (jit_host.fixup) before that.  %rsp and %rbp never are.
 * Instrumentation may clobber a dead register without saving it: native
 * code from the current instruction on cannot see the difference.
 *
 * Return: bit n set for register n (enum jit_reg).
 */
u16 jit_dead_gprs(const struct jit_translator *t);

#endif /* JIFL_JIT_TRANSLATE_H */
