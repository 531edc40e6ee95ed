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
 * an exit stub or the dispatcher) makes the whole pass change nothing; it
 * is retried a few times, and if a task stays there the old rule holds:
 * the module, the cache and the session's plugins stay until it leaves,
 * and the log names every such task. A later START retries the move
 * (session.c), so only tasks still inside jifl's code then hold it up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
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

struct jifl_rewrite {
	unsigned long *slot;
	unsigned long value;
};

struct jifl_unpin {
	struct task_struct *caller;	/* asleep in stop_machine(): skipped */
	struct jifl_rewrite *rw;
	unsigned int nr;
	long left;			/* tasks counted out of the cache */
	unsigned int nr_blockers;	/* tasks that cannot be moved */
	struct {
		pid_t pid;
		char comm[TASK_COMM_LEN];
		unsigned long word;
	} blocker[JIFL_BLOCKERS_MAX];
	unsigned long **chain;		/* return-address slots */
	unsigned int nr_chain;
	unsigned int sleepers;		/* moved by their call chain */
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
 * The return-address slots of task @t's call chain, into @u->chain, when
 * @t sleeps voluntarily: the ORC unwinder walks from its saved state to
 * its user-mode registers (or a kernel thread's end) without meeting
 * kernel-mode registers (an interrupt or exception it was preempted or
 * sleeps in) and without an error. Cache return addresses are walked
 * through their native equivalents: a translated call leaves the stack as
 * the native call does; the return into an entry trampoline has one word
 * above it, the native caller's return address. A return into jifl.ko, or
 * a cache word that is neither, ends it with false: the task is inside
 * jifl's code.
 */
static bool sleeper_chain(struct jifl_unpin *u, struct task_struct *t)
{
	struct unwind_state st;

	u->nr_chain = 0;
	for (unwind_start(&st, t, NULL, NULL); !unwind_done(&st);) {
		unsigned long ip = st.ip, *slot;
		u64 native;
		int left;

		if (st.regs && st.signal)
			return user_mode(st.regs) && !unwind_error(&st);
		if (!st.sp || u->nr_chain == JIFL_CHAIN_MAX)
			return false;
		slot = (unsigned long *)st.sp - 1;
		if (jifl_cache_contains(ip)) {
			if (*slot != ip ||
			    !jifl_dispatch_native_of(ip, &native, &left))
				return false;
			u->chain[u->nr_chain++] = slot;
			if (left) {
				/* the return into an entry trampoline */
				if (*(u8 *)ip != 0xe9)
					return false;
				st.ip = READ_ONCE_NOCHECK(*(unsigned long *)st.sp);
				st.sp += sizeof(long);
				continue;
			}
			st.ip = native;
		} else if (ip >= jifl_text && ip < jifl_text_end) {
			return false;
		}
		unwind_next_frame(&st);
	}
	/* a kernel thread's end; an error is not a clean walk */
	return !unwind_error(&st);
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
 * have an exact equivalent that counts nothing, else they stay.
 */
static bool plan_sleeper(struct jifl_unpin *u,
			 unsigned long *sp, unsigned long *end)
{
	unsigned int first = u->nr;
	long left_before = u->left;

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
	if (u->nr > first)
		u->sleepers++;
	return true;
undo:
	u->nr = first;
	u->left = left_before;
	return false;
}

/* Plan the rewrites of one task's stack; false if it cannot be moved. */
static bool plan_task(struct jifl_unpin *u, struct task_struct *t)
{
	unsigned long *stack, *sp, *end, *w, *in_jifl = NULL;
	unsigned int first = u->nr;
	long left_before = u->left;

	if (!refcount_read(&t->stack_refcount))
		return true;		/* the stack is gone */
	stack = task_stack_page(t);
	if (!stack)
		return true;
	end = (unsigned long *)((char *)stack + THREAD_SIZE);
	sp = (unsigned long *)t->thread.sp;
	if (sp < stack || sp >= end)
		return true;		/* not a stack we know how to read */
	for (w = sp; w < end && !jifl_cache_contains(*w); w++)
		;
	if (w == end)
		return true;		/* nothing of ours: no walk needed */
	if (sleeper_chain(u, t) && plan_sleeper(u, sp, end))
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
	if (u->nr == first || !in_jifl)
		return true;
	sp = in_jifl;
blocked:
	u->nr = first;
	u->left = left_before;
	if (u->nr_blockers < JIFL_BLOCKERS_MAX) {
		u->blocker[u->nr_blockers].pid = task_pid_nr(t);
		get_task_comm(u->blocker[u->nr_blockers].comm, t);
		u->blocker[u->nr_blockers].word = *sp;
	}
	u->nr_blockers++;
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
	u->sleepers = 0;
	u->nr_blockers = 0;
	rcu_read_lock();
	/* every task is planned, so that the log can name all blockers */
	for_each_process_thread(g, t) {
		if (t == current || t == u->caller || READ_ONCE(t->on_cpu))
			continue;
		if (u->nr_blockers)
			u->nr = 0;	/* nothing will be rewritten: room */
		plan_task(u, t);
	}
	rcu_read_unlock();
	if (u->nr_blockers)
		return -EAGAIN;
	for (i = 0; i < u->nr; i++)
		*u->rw[i].slot = u->rw[i].value;
	this_cpu_sub(jifl_inflight, u->left);
	return 0;
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
	if (!u.rw || !u.chain) {
		vfree(u.rw);
		vfree(u.chain);
		return -ENOMEM;
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

		for (i = 0; i < n; i++)
			pr_info("pid %d (%s) stays in jifl code (%pS)\n",
				u.blocker[i].pid, u.blocker[i].comm,
				(void *)u.blocker[i].word);
		pr_info("%u task(s) stay in jifl code: the module, its code cache and this session's plugins stay until they leave (their system call returns; wake or kill them); a new session can reuse them with the same plugins, or starts afresh once they left\n",
			u.nr_blockers);
	} else if (!ret) {
		ret = u.nr;
	}
	if (ret >= 0)
		pr_debug("stop: %u stack words rewritten, %u tasks by their call chain\n",
			 u.nr, u.sleepers);
	vfree(u.rw);
	vfree(u.chain);
	return ret;
}
