// SPDX-License-Identifier: GPL-2.0
/*
 * Moving tasks out of the code cache at stop (DESIGN section 4).
 *
 * After the entries are unhooked, tasks can still be in the cache: asleep
 * in a system call (a blocked read), preempted, or about to enter it. Each
 * holds cache addresses on its kernel stack: return addresses of
 * translated calls, the return into its entry trampoline, and for a task
 * interrupted in cache code the saved instruction pointer. With every CPU
 * stopped, each such word is replaced by its native equivalent; the task
 * then finishes natively and nothing can reach the cache any more, so the
 * session ends at once instead of when the last sleeper wakes up.
 *
 * A task that sleeps voluntarily (no kernel-mode registers on its stack)
 * returns only through its call chain, which the ORC unwinder finds
 * (cache return addresses walked through their native equivalents): only
 * the chain's words must be exact; the other cache words on its stack are
 * dead values, stale return addresses of the dispatcher's or of frames
 * long gone, and stay. For any other task every cache word counts: one
 * with no exact native equivalent (a task stopped inside instrumentation,
 * an exit stub or the dispatcher) keeps that task where it is; every
 * other task is moved all the same, and the move of those left is retried
 * a few times. If a task stays there the old rule holds: the module, the
 * cache and the session's plugins stay until it leaves, and the log names
 * every such task, the stack word that holds it and why that word does
 * not map. A later START retries the move (session.c), so only tasks
 * still inside jifl's code then hold it up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/stop_machine.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/segment.h>
#include <asm/unwind.h>

#include "compat.h"
#include "jifl.h"

#define JIFL_UNPIN_MAX		65536
#define JIFL_UNPIN_TRIES	50
#define JIFL_CHAIN_MAX		512
#define JIFL_BLOCKERS_MAX	8	/* named in the log */
#define JIFL_GRAPH_MAX		128	/* fgraph frames of one task */

struct jifl_rewrite {
	unsigned long *slot;
	unsigned long value;
};

/* A return address function_graph keeps for a stack slot */
struct jifl_graph_ret {
	unsigned long *retp;	/* the stack slot: return_to_handler */
	unsigned long *ret;	/* where the real one is, in ret_stack */
};

struct jifl_unpin {
	struct task_struct *caller;	/* asleep in stop_machine(): skipped */
	struct jifl_rewrite *rw;
	unsigned int nr;
	long left;			/* tasks counted out of the cache */
	unsigned int nr_blockers;	/* tasks that cannot be moved */
	struct jifl_blocker {
		pid_t pid;
		char comm[TASK_COMM_LEN];
		unsigned long word;	/* the first word that holds it */
		unsigned long slot;	/* its offset from the saved sp */
		unsigned long depth;	/* and below the stack's top */
		const char *why;	/* what the word is */
		const char *chain_why;	/* why no clean call chain */
		/* the block the word falls in, if any */
		unsigned long native, cache_start, cache_end;
	} blocker[JIFL_BLOCKERS_MAX];
	unsigned long **chain;		/* return-address slots */
	unsigned int nr_chain;
	const char *chain_why;		/* sleeper_chain()'s false */
	struct jifl_graph_ret *graph;	/* the task's fgraph frames */
	unsigned int nr_graph;
	unsigned int sleepers;		/* moved by their call chain */
	unsigned int moved;		/* words rewritten, all tries */
};

static unsigned long jifl_text, jifl_text_end;

/*
 * Whether @sp[0] shows a task inside jifl's code on its way back to the
 * cache: a return address into jifl.ko (an instrumentation call, or the
 * dispatcher's C called from its entry code), or an interrupted ip in
 * that entry code (pt_regs: ip, then __KERNEL_CS). Asked only of tasks
 * with cache words on their stack: other tasks that hold such words merely
 * run jifl's own code (its workers) or keep stale values in stack slots.
 */
static bool in_jifl_code(const unsigned long *sp, const unsigned long *end)
{
	unsigned long w = *sp;
	u8 op;

	if (w < jifl_text + 5 || w >= jifl_text_end)
		return false;
	if (w >= (unsigned long)jifl_entry_text_start &&
	    w < (unsigned long)jifl_entry_text_end &&
	    sp + 1 < end && sp[1] == __KERNEL_CS)
		return true;
	return !copy_from_kernel_nofault(&op, (void *)(w - 5), 1) && op == 0xe8;
}

/*
 * function_graph (fgraph) replaces a traced function's return address on
 * the stack by return_to_handler and keeps the real one in the task's
 * shadow stack, t->ret_stack, with the address of the stack slot it came
 * from (retp: x86 has HAVE_FUNCTION_GRAPH_RET_ADDR_PTR). A cache address
 * can live there, out of the stack scans' sight, and the task returns to
 * it through return_to_handler: each must map, and is rewritten there.
 * The frames of task @t whose retp is on its stack [@stack, @end), into
 * @u->graph; false if there are more than it holds.
 *
 * Before 6.11 ret_stack is an array of struct ftrace_ret_stack, the last
 * at index curr_ret_stack; since, an array of words where each frame's
 * struct ftrace_ret_stack is followed by fgraph users' data and a word
 * of metadata, curr_ret_stack words in use: there every word offset is
 * looked at, and a frame is one whose retp is a slot of this stack.
 */
static bool graph_frames(struct jifl_unpin *u, struct task_struct *t,
			 unsigned long *stack, unsigned long *end)
{
#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	const long words = sizeof(struct ftrace_ret_stack) / sizeof(long);
	unsigned long *base = (unsigned long *)READ_ONCE(t->ret_stack);
	long i, top, step;

	u->nr_graph = 0;
	if (!base)
		return true;
	/* the field's type tells the layout */
	if (__same_type(t->ret_stack, unsigned long *)) {
		top = READ_ONCE(t->curr_ret_stack);
		step = 1;
	} else {
		top = (READ_ONCE(t->curr_ret_stack) + 1) * words;
		step = words;
	}
	for (i = top - words; i >= 0; i -= step) {
		struct ftrace_ret_stack *rs = (void *)(base + i);

		if (rs->retp < stack || rs->retp >= end)
			continue;
		if (u->nr_graph == JIFL_GRAPH_MAX)
			return false;
		u->graph[u->nr_graph].retp = rs->retp;
		u->graph[u->nr_graph].ret = &rs->ret;
		u->nr_graph++;
	}
#else
	u->nr_graph = 0;
#endif
	return true;
}

/* The fgraph frame of stack slot @slot (the topmost), or NULL */
static struct jifl_graph_ret *graph_of(const struct jifl_unpin *u,
				       const unsigned long *slot)
{
	unsigned int i;

	for (i = 0; i < u->nr_graph; i++)
		if (u->graph[i].retp == slot)
			return &u->graph[i];
	return NULL;
}

/* The return address stack slot @slot really holds */
static unsigned long real_ret(const struct jifl_unpin *u,
			      const unsigned long *slot)
{
	struct jifl_graph_ret *g = graph_of(u, slot);

	return g ? *g->ret : READ_ONCE_NOCHECK(*slot);
}

/*
 * The return-address slots of task @t's call chain, into @u->chain, when
 * @t sleeps voluntarily: the ORC unwinder walks from its saved state to
 * its user-mode registers (or a kernel thread's end) without an error.
 * Cache return addresses are walked through their native equivalents: a
 * translated call leaves the stack as the native call does; the return
 * into an entry trampoline has one word above it, the native caller's
 * return address. An exception taken in the kernel that sleeps (a page
 * fault in a user access waiting for I/O or a lock, or rescheduling)
 * returns to its interrupted instruction: its saved ip is on the chain,
 * and at an instruction boundary the cache's stack is the native one.
 * Return addresses function_graph took are read from its shadow stack
 * (graph_frames()). A return into jifl.ko, or a cache word that is none
 * of these, ends it with false, and why in @u->chain_why.
 */
static bool sleeper_chain(struct jifl_unpin *u, struct task_struct *t)
{
	struct unwind_state st;

	u->nr_chain = 0;
	u->chain_why = "the unwinder failed";
	for (unwind_start(&st, t, NULL, NULL); !unwind_done(&st);) {
		unsigned long ip = st.ip, *slot;
		u64 native;
		int left;
		bool regs;

		if (!st.sp || u->nr_chain == JIFL_CHAIN_MAX) {
			u->chain_why = "no stack pointer, or too deep";
			return false;
		}
		regs = st.regs && st.signal;
		if (regs) {
			if (user_mode(st.regs))
				return !unwind_error(&st);
			slot = &st.regs->ip;
		} else {
			slot = (unsigned long *)st.sp - 1;
		}
		if (jifl_cache_contains(ip)) {
			if (ip != (regs ? *slot : real_ret(u, slot))) {
				u->chain_why = "a cache address not in its slot";
				return false;
			}
			if (!jifl_dispatch_native_of(ip, &native, &left)) {
				u->chain_why = "a cache address on it does not map";
				return false;
			}
			u->chain[u->nr_chain++] = slot;
			if (left && !regs) {
				/* the return into an entry trampoline */
				if (*(u8 *)ip != 0xe9) {
					u->chain_why = "a trampoline's start as a return address";
					return false;
				}
				st.ip = real_ret(u, (unsigned long *)st.sp);
				st.sp += sizeof(long);
				continue;
			}
			st.ip = native;
		} else if (ip >= jifl_text && ip < jifl_text_end) {
			u->chain_why = "a return into jifl.ko";
			return false;
		}
		unwind_next_frame(&st);
	}
	/* a kernel thread's end; an error is not a clean walk */
	return !unwind_error(&st);
}

/*
 * Plan the rewrite of every fgraph frame of the task (graph_frames())
 * that holds a cache address: each will be returned to. False, with the
 * frame in *@bad, if one has no exact equivalent.
 */
static bool plan_graph(struct jifl_unpin *u, struct jifl_graph_ret **bad)
{
	unsigned int i;

	for (i = 0; i < u->nr_graph; i++) {
		unsigned long w = *u->graph[i].ret;
		u64 native;
		int left;

		if (!jifl_cache_contains(w))
			continue;
		if (!jifl_dispatch_native_of(w, &native, &left) ||
		    u->nr == JIFL_UNPIN_MAX) {
			*bad = &u->graph[i];
			return false;
		}
		u->rw[u->nr].slot = u->graph[i].ret;
		u->rw[u->nr].value = native;
		u->nr++;
		u->left += left;
	}
	return true;
}

static bool on_chain(const struct jifl_unpin *u, const unsigned long *sp)
{
	unsigned int i;

	for (i = 0; i < u->nr_chain; i++)
		if (u->chain[i] == sp)
			return true;
	return false;
}

/*
 * A voluntary sleeper (sleeper_chain()) returns only through its chain:
 * its cache words elsewhere on the stack are dead values (old frames'
 * return addresses, the dispatcher's) that nothing will branch to. The
 * chain's words are rewritten and counted; other words only when they
 * have an exact equivalent that counts nothing, else they stay. Its
 * fgraph frames are all live: plan_graph().
 */
static bool plan_sleeper(struct jifl_unpin *u,
			 unsigned long *sp, unsigned long *end)
{
	unsigned int first = u->nr;
	long left_before = u->left;
	struct jifl_graph_ret *bad;

	for (; sp < end; sp++) {
		unsigned long w = *sp;
		bool chain;
		u64 native;
		int left;

		if (!jifl_cache_contains(w))
			continue;
		chain = on_chain(u, sp);
		if (!jifl_dispatch_native_of(w, &native, &left) ||
		    (left && !chain)) {
			if (!chain)
				continue;
			goto undo;
		}
		if (u->nr == JIFL_UNPIN_MAX)
			goto undo;
		u->rw[u->nr].slot = sp;
		u->rw[u->nr].value = native;
		u->nr++;
		u->left += left;
	}
	if (!plan_graph(u, &bad))
		goto undo;
	if (u->nr > first)
		u->sleepers++;
	return true;
undo:
	u->nr = first;
	u->left = left_before;
	return false;
}

/*
 * What holds task @t: cache address (or jifl.ko return) @w, found in
 * stack slot @sp or, for fgraph, in the shadow stack entry of that slot
 * (0: too many such entries); for the log. @chain: whether its call
 * chain was clean.
 */
static void note_blocker(struct jifl_unpin *u, struct task_struct *t,
			 unsigned long w, unsigned long *sp,
			 unsigned long *end, bool chain)
{
	struct jifl_blocker *bl;
	struct jifl_block *b;

	if (u->nr_blockers++ >= JIFL_BLOCKERS_MAX)
		return;
	bl = &u->blocker[u->nr_blockers - 1];
	bl->pid = task_pid_nr(t);
	get_task_comm(bl->comm, t);
	bl->word = w;
	bl->slot = (unsigned long)sp - t->thread.sp;
	bl->depth = (unsigned long)end - (unsigned long)sp;
	bl->chain_why = chain ? "" : u->chain_why;
	bl->native = 0;
	if (!w) {
		bl->why = "more function_graph frames than it plans for";
		return;
	}
	if (!jifl_cache_contains(w)) {
		bl->why = "a return into jifl.ko (inside instrumentation or the dispatcher)";
		return;
	}
	bl->why = jifl_native_of_why(w);
	if (!bl->why)
		bl->why = "no room to plan its rewrites";
	b = jifl_dispatch_find_block(w);
	if (b) {
		bl->native = b->blk.native_start;
		bl->cache_start = b->blk.cache_start;
		bl->cache_end = b->blk.cache_start + b->blk.cache_len;
	}
}

/* Whether task @t has a cache address on its stack or in its fgraph frames */
static bool holds_cache(const struct jifl_unpin *u, const unsigned long *sp,
			const unsigned long *end)
{
	unsigned int i;

	for (; sp < end; sp++)
		if (jifl_cache_contains(*sp))
			return true;
	for (i = 0; i < u->nr_graph; i++)
		if (jifl_cache_contains(*u->graph[i].ret))
			return true;
	return false;
}

/* Plan the rewrites of one task's stack; false if it cannot be moved. */
static bool plan_task(struct jifl_unpin *u, struct task_struct *t)
{
	unsigned long *stack, *sp, *end, *in_jifl = NULL;
	unsigned int first = u->nr;
	long left_before = u->left;
	struct jifl_graph_ret *bad;
	bool chain = false;

	if (!refcount_read(&t->stack_refcount))
		return true;		/* the stack is gone */
	stack = task_stack_page(t);
	if (!stack)
		return true;
	end = (unsigned long *)((char *)stack + THREAD_SIZE);
	sp = (unsigned long *)t->thread.sp;
	if (sp < stack || sp >= end)
		return true;		/* not a stack we know how to read */
	if (!graph_frames(u, t, stack, end)) {
		note_blocker(u, t, 0, sp, end, true);
		return false;
	}
	if (!holds_cache(u, sp, end))
		return true;		/* nothing of ours: no walk needed */
	chain = sleeper_chain(u, t);
	if (chain && plan_sleeper(u, sp, end))
		return true;
	for (; sp < end; sp++) {
		u64 native;
		int left;

		if (!in_jifl && in_jifl_code(sp, end))
			in_jifl = sp;
		if (!jifl_cache_contains(*sp))
			continue;
		if (!jifl_dispatch_native_of(*sp, &native, &left))
			goto blocked;
		if (u->nr == JIFL_UNPIN_MAX)
			goto blocked;
		u->rw[u->nr].slot = sp;
		u->rw[u->nr].value = native;
		u->nr++;
		u->left += left;
	}
	if (!plan_graph(u, &bad)) {
		u->nr = first;
		u->left = left_before;
		note_blocker(u, t, *bad->ret, bad->retp, end, chain);
		return false;
	}
	if (u->nr == first || !in_jifl)
		return true;
	sp = in_jifl;
blocked:
	u->nr = first;
	u->left = left_before;
	note_blocker(u, t, *sp, sp, end, chain);
	return false;
}

/* With every other CPU stopped: plan for all tasks, then rewrite. */
static int unpin_stopped(void *data)
{
	struct jifl_unpin *u = data;
	struct task_struct *g, *t;
	unsigned int i;

	u->nr = 0;
	u->left = 0;
	u->nr_blockers = 0;
	rcu_read_lock();
	/*
	 * Every task is planned, so that the log can name all blockers;
	 * the others are moved all the same (plan_task() drops the plan of
	 * a task it cannot move): they no longer depend on the cache, and
	 * later tries are left with the blockers alone.
	 */
	for_each_process_thread(g, t) {
		if (t == current || t == u->caller || READ_ONCE(t->on_cpu))
			continue;
		plan_task(u, t);
	}
	rcu_read_unlock();
	for (i = 0; i < u->nr; i++)
		*u->rw[i].slot = u->rw[i].value;
	this_cpu_sub(jifl_inflight, u->left);
	u->moved += u->nr;
	return u->nr_blockers ? -EAGAIN : 0;
}

/**
 * jifl_unpin_tasks() - move every task out of the cache after a stop
 *
 * Called after the entries are unhooked, in process context.
 *
 * Return: the number of stack words rewritten, or -EAGAIN if some task
 * stayed inside jifl's code (named in the log), or -ENOMEM.
 */
int jifl_unpin_tasks(void)
{
	unsigned long init, init_size, size;
	struct jifl_unpin u = { .caller = current };
	int ret = 0, i;

	if (jifl_inflight_sum() <= 0)
		return 0;
	jifl_module_text(THIS_MODULE, &jifl_text, &size, &init, &init_size);
	jifl_text_end = jifl_text + size;
	u.rw = vmalloc_array(JIFL_UNPIN_MAX, sizeof(*u.rw));
	u.chain = vmalloc_array(JIFL_CHAIN_MAX, sizeof(*u.chain));
	u.graph = vmalloc_array(JIFL_GRAPH_MAX, sizeof(*u.graph));
	if (!u.rw || !u.chain || !u.graph) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < JIFL_UNPIN_TRIES; i++) {
		ret = stop_machine(unpin_stopped, &u, NULL);
		if (ret != -EAGAIN)
			break;
		msleep(20);
	}
	if (ret == -EAGAIN) {
		unsigned int n = min_t(unsigned int, u.nr_blockers,
				       JIFL_BLOCKERS_MAX);

		for (i = 0; i < n; i++) {
			struct jifl_blocker *bl = &u.blocker[i];

			pr_info("pid %d (%s) stays in jifl code (%pS)\n",
				bl->pid, bl->comm, (void *)bl->word);
			if (bl->native)
				pr_info_ratelimited("pid %d: stack slot sp+%#lx (%lu bytes below the top): %pS: %s; in the block of %pS at %pS..%pS%s%s\n",
						    bl->pid, bl->slot, bl->depth,
						    (void *)bl->word, bl->why,
						    (void *)bl->native,
						    (void *)bl->cache_start,
						    (void *)bl->cache_end,
						    *bl->chain_why ? "; no clean call chain: " : "",
						    bl->chain_why);
			else
				pr_info_ratelimited("pid %d: stack slot sp+%#lx (%lu bytes below the top): %pS: %s%s%s\n",
						    bl->pid, bl->slot, bl->depth,
						    (void *)bl->word, bl->why,
						    *bl->chain_why ? "; no clean call chain: " : "",
						    bl->chain_why);
		}
		pr_info("%u task(s) stay in jifl code: the module, its code cache and this session's plugins stay until they leave (their system call returns; wake or kill them); a new session can reuse them with the same plugins, or starts afresh once they left; every other task was moved out (%u stack words)\n",
			u.nr_blockers, u.moved);
	} else if (!ret) {
		ret = u.moved;
	}
	if (ret >= 0)
		pr_debug("stop: %u stack words rewritten, %u tasks by their call chain\n",
			 u.moved, u.sleepers);
out:
	vfree(u.rw);
	vfree(u.chain);
	vfree(u.graph);
	return ret;
}
