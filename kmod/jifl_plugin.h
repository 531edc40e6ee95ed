/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jifl plugin API: instrumentation modules for jifl.ko.
 *
 * A plugin registers under a name; a session (`jifl record -e NAME`)
 * selects plugins by name. While the session translates kernel code into
 * the code cache, the plugin's translation callbacks run once per block,
 * instruction, call, return or indirect branch translated, and insert
 * code there: per-CPU counter increments, coverage byte stores or calls
 * of C functions ("clean calls"). The inserted code then runs every time
 * the translated code runs. Plugins can also stream records to user
 * space through the per-CPU event rings and hand over a dump at the end.
 *
 * This header is all a plugin needs; it does not depend on the
 * translator's internals. Build a plugin as an ordinary out-of-tree
 * module with this directory on the include path and jifl.ko's
 * Module.symvers in KBUILD_EXTRA_SYMBOLS (see kmod/examples/).
 *
 * Context rules:
 *  - translation callbacks run with interrupts off and a raw spinlock
 *    held: they must not sleep, allocate or take sleeping locks, and
 *    should be quick;
 *  - clean-call functions run in the traced task, in whatever context
 *    the instrumented kernel code runs (interrupts possibly off, spinlocks
 *    held, preemption possibly on): they must not sleep, must not touch
 *    vector registers (kernel C never does), and must only call code
 *    that is safe there (no locks that the traced code might hold);
 *  - clean-call functions and the @enter/@leave callbacks may keep
 *    running after @stop, until every task has left the code cache; the
 *    plugin's data must stay valid until @release.
 */
#ifndef JIFL_PLUGIN_H
#define JIFL_PLUGIN_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

#include "uapi/jifl.h"

/* Bumped when struct jifl_plugin or the functions below change. */
#define JIFL_PLUGIN_API_VERSION	1

/* Block numbers (jifl_xlate_block_id()) are below this. */
#define JIFL_PLUGIN_MAX_BLOCKS	(1U << 17)

/* A block or instruction being translated; opaque to plugins. */
struct jifl_xlate;
/* Where a dump callback writes its records; opaque to plugins. */
struct jifl_dump_buf;

/**
 * enum jifl_arg_kind - what a clean-call argument is
 * @JIFL_ARG_CONST:	struct jifl_arg.value itself
 * @JIFL_ARG_PC:	native address of the instruction (for @block: of
 *			the block's first instruction)
 * @JIFL_ARG_NEXT_PC:	native address just after the instruction (for a
 *			call: its native return address)
 * @JIFL_ARG_BLOCK_ID:	the block's number (below JIFL_PLUGIN_MAX_BLOCKS)
 * @JIFL_ARG_TARGET:	at a call, return or indirect branch: where it
 *			goes, read at run time (a call's native callee; a
 *			return's return address, which is a code-cache
 *			address when the caller ran from the cache: see
 *			jifl_return_target()); else 0
 * @JIFL_ARG_SP:	the stack pointer the instruction sees
 */
enum jifl_arg_kind {
	JIFL_ARG_CONST,
	JIFL_ARG_PC,
	JIFL_ARG_NEXT_PC,
	JIFL_ARG_BLOCK_ID,
	JIFL_ARG_TARGET,
	JIFL_ARG_SP,
};

/**
 * struct jifl_arg - one argument of a clean call
 * @kind:	enum jifl_arg_kind
 * @value:	for JIFL_ARG_CONST
 */
struct jifl_arg {
	u32 kind;
	u64 value;
};

#define JIFL_CLEAN_CALL_MAX_ARGS	6

/* jifl_insert_store_byte() flags */
#define JIFL_STORE_ONCE	(1U << 0)	/* may be removed once it has run */

/**
 * struct jifl_plugin - a plugin, as registered
 * @name:	unique name, at most JIFL_PLUGIN_NAME_MAX - 1 characters
 *		of [a-z0-9_]
 * @owner:	THIS_MODULE (pinned while a session uses the plugin)
 * @api_version: JIFL_PLUGIN_API_VERSION
 * @start:	optional; a session using the plugin starts: allocate the
 *		session's private data and return it in *@priv (process
 *		context, may sleep). Return 0 or -errno (the session fails).
 * @stop:	optional; the session stopped: no task enters the cache any
 *		more, though tasks already in it run on (process context)
 * @dump:	optional; JIFL_IOC_DUMP: write the collected data with
 *		jifl_dump_write() (process context). Return 0 or -errno.
 * @release:	optional; no task can run the plugin's instrumentation any
 *		more and the session is closed: free @priv (process context)
 * @block:	optional; translation: at the entry of block @x
 * @insn:	optional; translation: before each instruction
 * @call:	optional; translation: before a call (direct, indirect or
 *		through a retpoline thunk)
 * @ret:	optional; translation: before a return (ret, or a jmp to a
 *		return thunk)
 * @indirect:	optional; translation: before an indirect jmp
 * @enter:	optional; a traced task enters the code cache at attached
 *		function @func, called from @ret_ip (its native return
 *		address); @sp is the stack pointer at @func's entry (it
 *		points at @ret_ip). Task context, preemption may be on, must
 *		not sleep.
 * @leave:	optional; a traced task returns from an attached function
 *		to its native caller; @sp is the stack pointer there (it
 *		points at the native return address), @retval the
 *		function's return value. Same context as @enter. Costs an
 *		extra call per return: only set it if needed.
 * @block_count: optional; the value reported for block @id in
 *		struct jifl_block_info.count (the first plugin of the
 *		session that has it)
 * @list:	private to jifl.ko
 *
 * Callbacks get the @priv that @start returned (NULL without @start).
 */
struct jifl_plugin {
	const char *name;
	struct module *owner;
	unsigned int api_version;

	int (*start)(void **priv);
	void (*stop)(void *priv);
	int (*dump)(void *priv, struct jifl_dump_buf *d);
	void (*release)(void *priv);

	void (*block)(void *priv, struct jifl_xlate *x);
	void (*insn)(void *priv, struct jifl_xlate *x);
	void (*call)(void *priv, struct jifl_xlate *x);
	void (*ret)(void *priv, struct jifl_xlate *x);
	void (*indirect)(void *priv, struct jifl_xlate *x);

	void (*enter)(void *priv, unsigned long func, unsigned long ret_ip,
		      unsigned long sp);
	void (*leave)(void *priv, unsigned long sp, unsigned long retval);

	u64 (*block_count)(void *priv, u32 id);

	struct list_head list;
};

/**
 * jifl_register_plugin() - make a plugin available to sessions
 * @p:	the plugin; must stay valid until jifl_unregister_plugin()
 *
 * Return: 0; -EINVAL for a bad name or API version; -EEXIST when the
 * name is taken.
 */
int jifl_register_plugin(struct jifl_plugin *p);

/**
 * jifl_unregister_plugin() - withdraw a plugin
 * @p:	a registered plugin
 *
 * Call from the module's exit: a session using the plugin holds a
 * reference to its module, so by then none does.
 */
void jifl_unregister_plugin(struct jifl_plugin *p);

/* --- translation: queries and insertions, only inside the callbacks --- */

/**
 * jifl_xlate_pc() - native address of the instruction being translated
 * @x:	translation context
 *
 * Return: for @block, the block's first instruction.
 */
u64 jifl_xlate_pc(const struct jifl_xlate *x);

/**
 * jifl_xlate_insn_len() - length of the instruction being translated
 * @x:	translation context
 *
 * Return: bytes; for @block, the bytes of native code the block covers.
 */
unsigned int jifl_xlate_insn_len(const struct jifl_xlate *x);

/**
 * jifl_xlate_block_id() - number of the block being translated
 * @x:	translation context
 *
 * Return: the block's number, below JIFL_PLUGIN_MAX_BLOCKS, the index of
 * its entry in the JIFL_IOC_BLOCKS table.
 */
u32 jifl_xlate_block_id(const struct jifl_xlate *x);

/**
 * jifl_insert_counter() - count executions in a per-CPU counter
 * @x:		translation context
 * @counter:	a u64 of a per-CPU allocation (alloc_percpu())
 *
 * Inserts one "incq %gs:" instruction (plus a flag save when flags are
 * live there): exact even if the task migrates or is interrupted. Sum
 * the CPUs' values with per_cpu_ptr().
 *
 * Return: 0 or -errno.
 */
int jifl_insert_counter(struct jifl_xlate *x, u64 __percpu *counter);

/**
 * jifl_xlate_block_insns() - instructions of the block being translated
 * @x:	translation context
 *
 * Return: the native instructions the block holds, each counted once (a
 * rep-prefixed string instruction too), all of which run each time the
 * block is entered, unless one of them faults to an exception fixup.
 * Additive: since API version 1, no version change.
 */
unsigned int jifl_xlate_block_insns(const struct jifl_xlate *x);

/**
 * jifl_insert_counter_add() - add a constant to a per-CPU counter
 * @x:		translation context
 * @counter:	a u64 of a per-CPU allocation (alloc_percpu())
 * @n:		what to add each time the code runs, at most S32_MAX; 0
 *		inserts nothing
 *
 * jifl_insert_counter() with any increment: one "addq $n, %gs:"
 * instruction (plus a flag save when flags are live there), exact even
 * if the task migrates or is interrupted. With the block's instruction
 * count (jifl_xlate_block_insns()) at @block, it counts executed
 * instructions. Additive: since API version 1, no version change.
 *
 * Return: 0 or -errno (-EINVAL for @n above S32_MAX).
 */
int jifl_insert_counter_add(struct jifl_xlate *x, u64 __percpu *counter,
			    u32 n);

/**
 * jifl_insert_store_byte() - store 1 into a byte, touching no flags
 * @x:		translation context
 * @byte:	the byte; must lie in module or kernel image memory (a
 *		plugin's static array), which the code cache reaches with a
 *		32-bit address
 * @flags:	JIFL_STORE_ONCE: jifl may remove the store (a short jump
 *		before it starts skipping it) once the byte reads non-zero,
 *		so that code run often costs nothing once covered
 *
 * Return: 0; -ERANGE when @byte is out of reach; -ENOSPC when too many
 * JIFL_STORE_ONCE stores exist (the store stays, just is not removed).
 */
int jifl_insert_store_byte(struct jifl_xlate *x, u8 *byte,
			   unsigned int flags);

/**
 * jifl_insert_clean_call() - call a C function from the translated code
 * @x:		translation context
 * @fn:		the function, taking @nr_args u64 arguments (cast it)
 * @nr_args:	at most JIFL_CLEAN_CALL_MAX_ARGS
 * @args:	what to pass
 *
 * The inserted code saves and restores every register the C calling
 * convention lets @fn clobber (and the flags when live), so @fn sees
 * nothing of the instrumented code but its arguments.
 *
 * Return: 0 or -errno.
 */
int jifl_insert_clean_call(struct jifl_xlate *x, void (*fn)(void),
			   unsigned int nr_args, const struct jifl_arg *args);

/**
 * jifl_xlate_call_target() - the callee of a direct call being translated
 * @x:	translation context (inside @call)
 *
 * Additive: since API version 1, no version change.
 *
 * Return: the native callee of a direct call; 0 for an indirect call
 * (through a register, memory, a retpoline thunk or a static call, whose
 * callee is known at run time only: JIFL_ARG_TARGET, JIFL_EVENT_TARGET)
 * and outside @call.
 */
u64 jifl_xlate_call_target(const struct jifl_xlate *x);

/* jifl_insert_event() flags */
#define JIFL_EVENT_TARGET	(1U << 0)	/* append the branch target */

/**
 * jifl_events_inline() - whether jifl_insert_event() works here
 *
 * False when the CPU's time stamp counter rate is unknown or the per-CPU
 * data is out of reach of the code cache: use clean calls then.
 * Additive: since API version 1, no version change.
 *
 * Return: true if inline event records can be inserted.
 */
bool jifl_events_inline(void);

/**
 * jifl_insert_event() - write an event record inline, without a call
 * @x:		translation context (any callback)
 * @word0:	the record's first word: JIFL_EV_MARK | site id (below
 *		2^30) | JIFL_EV_TARGET when @flags has it; the plugin's
 *		own site ids, whose meaning it dumps (calltrace: struct
 *		jifl_rec_ct_site)
 * @flags:	JIFL_EVENT_TARGET: append the branch's target as
 *		JIFL_ARG_TARGET reads it (an indirect call's callee)
 *
 * The code cache writes struct jifl_rec_event into this CPU's ring by
 * itself: { @word0, low 32 bits of the stack pointer the instruction
 * sees, TSC[, target] }, 16 or 24 bytes without a header, reserved from
 * the CPU's chunk with the preempt count held and a handful of
 * instructions (kmod/jit/README "Inline events"); only a full chunk costs
 * a call. A record that finds the ring full is counted as lost, like
 * those of jifl_event_reserve(). The CPU's stream names its thread
 * (jifl_event_context(), and struct jifl_rec_ct_ctx records at each
 * chunk), so the record carries none. Readers must know the stream
 * holds such records (uapi/jifl.h). Additive: since API version 1, no
 * version change.
 *
 * Return: 0; -EOPNOTSUPP when !jifl_events_inline(); -EINVAL; -ERANGE.
 */
int jifl_insert_event(struct jifl_xlate *x, u32 word0, unsigned int flags);

/* --- run time: from clean calls, @enter and @leave --- */

/**
 * jifl_return_target() - the native address a return goes to
 * @addr:	a return address as JIFL_ARG_TARGET passes it at a return
 *
 * Return: @addr when it is native; the native address after the call
 * instruction whose translation pushed @addr when it is a code-cache
 * address; 0 when the return leaves the attached function the task
 * entered the cache at (the native target is then the @ret_ip of
 * @enter).
 */
u64 jifl_return_target(u64 addr);

/**
 * jifl_event_clock() - the clock of ring records
 *
 * Return: CLOCK_MONOTONIC in nanoseconds (ktime_get_mono_fast_ns(),
 * safe in any context).
 */
u64 jifl_event_clock(void);

/**
 * jifl_event_reserve() - start a record in this CPU's event ring
 * @size:	bytes of the record, header included: a multiple of 8, at
 *		most a quarter of the ring
 * @type:	record type (JIFL_REC_PLUGIN and up for plugin records)
 *
 * Disables preemption until jifl_event_commit(). Never sleeps or waits.
 * The header is filled in; write the rest of the record before
 * committing.
 *
 * Return: the record (its struct jifl_rec_header), or NULL when the
 * session has no rings or the ring is full (the record is counted as
 * lost): then do not call jifl_event_commit().
 */
void *jifl_event_reserve(u32 size, u32 type);

/**
 * jifl_event_commit() - publish the record jifl_event_reserve() returned
 * @rec:	the record
 */
void jifl_event_commit(void *rec);

/**
 * jifl_event_context() - name the thread this CPU runs from here on
 * @tid:	the thread: at a context switch, the next one
 *
 * Writes a struct jifl_rec_ct_ctx (the thread, and the TSC paired with
 * CLOCK_MONOTONIC) into this CPU's ring, for readers of the records of
 * jifl_insert_event(). Any context. Additive: since API version 1, no
 * version change.
 */
void jifl_event_context(u32 tid);

/**
 * jifl_dump_write() - append a record to a dump
 * @d:		the dump, as the @dump callback got it
 * @type:	record type
 * @data:	the record's bytes after its struct jifl_rec_header
 * @len:	bytes at @data; the record is padded to a multiple of 8
 *
 * Keeps counting bytes once the user's buffer is full, so the tool can
 * retry with the size needed.
 *
 * Return: 0 or -EINVAL.
 */
int jifl_dump_write(struct jifl_dump_buf *d, u32 type, const void *data,
		    u32 len);

#endif /* JIFL_PLUGIN_H */
