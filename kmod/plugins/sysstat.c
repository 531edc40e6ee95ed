// SPDX-License-Identifier: GPL-2.0
/*
 * sysstat: the exact number of basic blocks and instructions each system
 * call (each attached function) executes, per call.
 *
 * Each block starts with two per-CPU counter additions: 1 to this CPU's
 * block counter and the block's instruction count to its instruction
 * counter (jifl_insert_counter_add: one "addq %gs:" each, exact even if
 * the task migrates). Translated code runs only for traced tasks inside
 * attached functions: in task context (system calls, page faults), or in
 * softirq context, a softirq action run on the task's behalf (its irq
 * exit, its local_bh_enable(), or any task with -a: ksoftirqd, idle),
 * which interrupts it on its CPU. So while such a task runs on a CPU
 * every increment of that CPU's counters is its own. A task's share is
 * therefore the sum of the counters' deltas over the intervals it spends
 * on CPUs between its outermost @enter and its @leave: the interval
 * opens at @enter and whenever the scheduler switches the task in (a
 * probe on the sched_switch tracepoint), and closes when it is switched
 * out and at @leave, which adds the whole to the function's totals.
 * Attached functions called inside another one (a deeper stack pointer)
 * count toward the outermost one, except the entries of another kernel
 * context: a page fault (handle_mm_fault) a system call takes in uaccess
 * is the fault's work, not the call's, and a softirq action is the
 * softirq's, so each opens a frame of its own on the task's small stack
 * of frames, the interval of the frame below pauses until it returns,
 * and it is counted in its own row, as the faults from user mode and the
 * softirqs that interrupt user mode are.
 *
 * A softirq frame is told apart by its context, not its stack pointer:
 * on irq exit it runs on the per-CPU IRQ stack, whose addresses have no
 * order with the task stack's, so the task frames below it are left as
 * they are; a softirq does not nest in a softirq, so a softirq frame
 * still open at the next entry or at a task-context return never came
 * back (stop moved it out of the cache). On PREEMPT_RT softirqs run in
 * task context (the task's local_bh_enable(), ksoftirqd, ktimers) with
 * SOFTIRQ_OFFSET in the task's softirq count, and may be preempted: the
 * probe then closes the softirq frame's interval as any other.
 *
 * Per-task state lives in a preallocated table keyed by task pointer,
 * claimed with cmpxchg in a fixed probe window, so @enter, @leave and the
 * probe never allocate or lock; only the task itself claims or frees its
 * slot, and the probe touches a slot only for the tasks being switched,
 * neither of which runs anywhere else then. A full table is counted
 * (untracked), never silent. Whatever no returned call accounts for
 * (calls running or moved out of the cache at stop, untracked tasks) is
 * reported as unattributed: the dump's sum record holds the counters'
 * totals. Uses only jifl_plugin.h and ordinary kernel API.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "../jifl_plugin.h"
#include "builtin.h"

#define SS_TASKS_BITS	12
#define SS_TASKS	(1U << SS_TASKS_BITS)
#define SS_PROBE	8	/* slots a task may use, from its hash on */
#define SS_FUNCS_BITS	11
#define SS_FUNCS	(1U << SS_FUNCS_BITS)
#define SS_NO_FUNC	U32_MAX
#define SS_FRAMES	6	/* a call, a fault in it, a softirq, room for more */

struct ss_counters {
	u64 blocks;
	u64 insns;
};

/* Per CPU: the counters the blocks add to, and intervals closed */
struct ss_cpu {
	struct ss_counters c;
	u64 switches;
};

/* An attached function open on a task: a system call, or a fault in it */
struct ss_frame {
	unsigned long sp;	/* stack pointer at its entry */
	u32 func;		/* index into ->funcs, or SS_NO_FUNC */
	u32 depth;		/* attached functions open, nested included */
	bool softirq;		/* a softirq action, entered in softirq context */
	struct ss_counters acc;	/* closed intervals */
};

/* A traced task inside an attached function; only it and the probe write */
struct ss_task {
	struct task_struct *task;	/* NULL: free */
	u32 nr;			/* frames open; the last one counts */
	bool on_cpu;		/* an interval is open */
	struct ss_counters start;	/* this CPU's counters at the open */
	struct ss_frame f[SS_FRAMES];
};

struct ss_func {
	unsigned long addr;	/* 0: free */
	atomic64_t calls, blocks, insns;
};

struct sysstat {
	struct ss_cpu __percpu *pcpu;
	struct ss_task *tasks;
	struct ss_func *funcs;
	atomic_t active;	/* slots in use: the probe's fast exit */
	atomic64_t unfinished, untracked, func_overflow;
	struct tracepoint *tp_switch;
};

static struct ss_task *ss_find(struct sysstat *ss, struct task_struct *t)
{
	u32 h = hash_ptr(t, SS_TASKS_BITS), i;

	for (i = 0; i < SS_PROBE; i++) {
		struct ss_task *st = &ss->tasks[(h + i) & (SS_TASKS - 1)];

		if (READ_ONCE(st->task) == t)
			return st;
	}
	return NULL;
}

static struct ss_task *ss_claim(struct sysstat *ss, struct task_struct *t)
{
	u32 h = hash_ptr(t, SS_TASKS_BITS), i;

	for (i = 0; i < SS_PROBE; i++) {
		struct ss_task *st = &ss->tasks[(h + i) & (SS_TASKS - 1)];

		if (!READ_ONCE(st->task) && !cmpxchg(&st->task, NULL, t)) {
			atomic_inc(&ss->active);
			return st;
		}
	}
	return NULL;
}

static void ss_free(struct sysstat *ss, struct ss_task *st)
{
	WRITE_ONCE(st->task, NULL);
	atomic_dec(&ss->active);
}

/* The function's entry in the table, claimed on first use. */
static u32 ss_func(struct sysstat *ss, unsigned long addr)
{
	u32 h = hash_long(addr, SS_FUNCS_BITS), i;

	for (i = 0; i < SS_FUNCS; i++) {
		struct ss_func *f = &ss->funcs[(h + i) & (SS_FUNCS - 1)];
		unsigned long a = READ_ONCE(f->addr);

		if (!a)
			a = cmpxchg(&f->addr, 0, addr) ?: addr;
		if (a == addr)
			return (h + i) & (SS_FUNCS - 1);
	}
	return SS_NO_FUNC;
}

/* Interrupts off: this CPU's counters cannot move under us. */
static void ss_open(struct sysstat *ss, struct ss_task *st)
{
	struct ss_counters *c = &this_cpu_ptr(ss->pcpu)->c;

	st->start = *c;
	st->on_cpu = true;
}

static void ss_close(struct sysstat *ss, struct ss_task *st)
{
	struct ss_counters *c = &this_cpu_ptr(ss->pcpu)->c;
	struct ss_frame *f;

	if (!st->on_cpu || !st->nr)
		return;
	f = &st->f[st->nr - 1];
	f->acc.blocks += c->blocks - st->start.blocks;
	f->acc.insns += c->insns - st->start.insns;
	st->on_cpu = false;
}

static void notrace ss_switch(void *data, bool preempt,
			      struct task_struct *prev,
			      struct task_struct *next,
			      unsigned int prev_state)
{
	struct sysstat *ss = data;
	struct ss_task *st;

	if (!atomic_read(&ss->active))
		return;
	st = ss_find(ss, prev);
	if (st && st->on_cpu) {
		ss_close(ss, st);
		this_cpu_inc(ss->pcpu->switches);
	}
	st = ss_find(ss, next);
	if (st)
		ss_open(ss, st);
}

/*
 * Whether @func is where another kernel context enters (not a system
 * call): its work is counted in its own row even inside a call. The
 * entry of each task context of jifl record --contexts but syscall goes
 * here; softirq actions are known by their context (in_serving_softirq()).
 */
static bool ss_context_entry(unsigned long func)
{
	return func == (unsigned long)handle_mm_fault;
}

/* Opens a frame for @func entered at @sp; interrupts off. */
static void ss_push(struct sysstat *ss, struct ss_task *st,
		    unsigned long func, unsigned long sp, bool softirq)
{
	struct ss_frame *f;

	if (st->nr)
		ss_close(ss, st);	/* the frame below pauses */
	f = &st->f[st->nr++];
	f->sp = sp;
	f->depth = 1;
	f->softirq = softirq;
	f->func = ss_func(ss, func);
	f->acc.blocks = 0;
	f->acc.insns = 0;
	ss_open(ss, st);
}

/* Closes the open frame, which never came back; interrupts off. */
static void ss_drop(struct sysstat *ss, struct ss_task *st)
{
	ss_close(ss, st);
	st->nr--;
	atomic64_inc(&ss->unfinished);
	if (st->nr)
		ss_open(ss, st);
}

/* Drops the softirq frames on top: no softirq is running (see above). */
static void ss_drop_softirq(struct sysstat *ss, struct ss_task *st)
{
	while (st->nr && st->f[st->nr - 1].softirq)
		ss_drop(ss, st);
}

/*
 * A softirq action entered on @st's task, or NULL's (no frame yet): a
 * frame of its own, whatever the frames below it and their stack.
 */
static void ss_enter_softirq(struct sysstat *ss, struct ss_task *st,
			     unsigned long func, unsigned long sp)
{
	if (st) {
		ss_drop_softirq(ss, st);
	} else {
		st = ss_claim(ss, current);
		if (!st) {
			atomic64_inc(&ss->untracked);
			return;
		}
		st->nr = 0;
	}
	if (st->nr == SS_FRAMES) {
		/* its blocks go to the frame below: counted, never silent */
		atomic64_inc(&ss->untracked);
		return;
	}
	ss_push(ss, st, func, sp, true);
}

static void notrace ss_enter(void *priv, unsigned long func,
			     unsigned long ret_ip, unsigned long sp)
{
	struct sysstat *ss = priv;
	struct ss_task *st;
	unsigned long flags;

	raw_local_irq_save(flags);
	st = ss_find(ss, current);
	if (in_serving_softirq()) {
		ss_enter_softirq(ss, st, func, sp);
		goto out;
	}
	if (st)
		ss_drop_softirq(ss, st);
	/* frames at or below @sp never came back: drop them */
	while (st && st->nr && sp >= st->f[st->nr - 1].sp)
		ss_drop(ss, st);
	if (!st) {
		st = ss_claim(ss, current);
		if (!st) {
			atomic64_inc(&ss->untracked);
			goto out;
		}
		st->nr = 0;
	}
	if (st->nr && (!ss_context_entry(func) || st->nr == SS_FRAMES))
		st->f[st->nr - 1].depth++;	/* counts toward the open one */
	else
		ss_push(ss, st, func, sp, false);
out:
	raw_local_irq_restore(flags);
}

static void notrace ss_leave(void *priv, unsigned long sp,
			     unsigned long retval)
{
	struct sysstat *ss = priv;
	struct ss_frame *fr;
	struct ss_func *f;
	struct ss_task *st;
	unsigned long flags;

	raw_local_irq_save(flags);
	st = ss_find(ss, current);
	if (!st || !st->nr)
		goto out;	/* an untracked call */
	if (in_serving_softirq()) {
		/* a softirq action returns: its frame, unless none opened */
		if (!st->f[st->nr - 1].softirq)
			goto out;
	} else {
		ss_drop_softirq(ss, st);
		if (!st->nr) {
			ss_free(ss, st);
			goto out;
		}
	}
	fr = &st->f[st->nr - 1];
	if (!fr->softirq && sp < fr->sp) {
		if (fr->depth > 1)
			fr->depth--;	/* a nested one returns */
		goto out;
	}
	ss_close(ss, st);
	if (fr->func == SS_NO_FUNC) {
		atomic64_inc(&ss->func_overflow);
	} else {
		f = &ss->funcs[fr->func];
		atomic64_inc(&f->calls);
		atomic64_add(fr->acc.blocks, &f->blocks);
		atomic64_add(fr->acc.insns, &f->insns);
	}
	if (--st->nr)
		ss_open(ss, st);	/* the frame below goes on */
	else
		ss_free(ss, st);
out:
	raw_local_irq_restore(flags);
}

static void ss_block(void *priv, struct jifl_xlate *x)
{
	struct sysstat *ss = priv;

	jifl_insert_counter_add(x, &ss->pcpu->c.blocks, 1);
	jifl_insert_counter_add(x, &ss->pcpu->c.insns,
				jifl_xlate_block_insns(x));
}

static int ss_dump(void *priv, struct jifl_dump_buf *d)
{
	struct sysstat *ss = priv;
	struct jifl_rec_sysstat_sum sum = { };
	struct jifl_rec_sysstat r;
	u64 blocks = 0, insns = 0;
	unsigned int i;
	int cpu, ret;

	for (i = 0; i < SS_FUNCS; i++) {
		struct ss_func *f = &ss->funcs[i];

		if (!READ_ONCE(f->addr) || !atomic64_read(&f->calls))
			continue;
		r.func = f->addr;
		r.calls = atomic64_read(&f->calls);
		r.blocks = atomic64_read(&f->blocks);
		r.insns = atomic64_read(&f->insns);
		blocks += r.blocks;
		insns += r.insns;
		ret = jifl_dump_write(d, JIFL_REC_SYSSTAT, &r.func,
				      sizeof(r) - sizeof(r.hdr));
		if (ret)
			return ret;
	}
	for_each_possible_cpu(cpu) {
		struct ss_cpu *c = per_cpu_ptr(ss->pcpu, cpu);

		sum.blocks += READ_ONCE(c->c.blocks);
		sum.insns += READ_ONCE(c->c.insns);
		sum.switches += READ_ONCE(c->switches);
	}
	/* a snapshot of a running session may be a little inconsistent */
	sum.unattr_blocks = sum.blocks > blocks ? sum.blocks - blocks : 0;
	sum.unattr_insns = sum.insns > insns ? sum.insns - insns : 0;
	sum.unfinished = atomic64_read(&ss->unfinished);
	for (i = 0; i < SS_TASKS; i++)
		if (READ_ONCE(ss->tasks[i].task))	/* inside, or moved out */
			sum.unfinished += READ_ONCE(ss->tasks[i].nr);
	sum.untracked = atomic64_read(&ss->untracked);
	sum.func_overflow = atomic64_read(&ss->func_overflow);
	return jifl_dump_write(d, JIFL_REC_SYSSTAT_SUM, &sum.blocks,
			       sizeof(sum) - sizeof(sum.hdr));
}

static void find_switch(struct tracepoint *tp, void *priv)
{
	struct sysstat *ss = priv;

	if (!strcmp(tp->name, "sched_switch"))
		ss->tp_switch = tp;
}

static void ss_free_all(struct sysstat *ss)
{
	free_percpu(ss->pcpu);
	vfree(ss->tasks);
	vfree(ss->funcs);
	kfree(ss);
}

static int ss_start(void **priv)
{
	struct sysstat *ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	int ret = -ENOMEM;

	if (!ss)
		return -ENOMEM;
	ss->pcpu = alloc_percpu(struct ss_cpu);
	ss->tasks = vzalloc(SS_TASKS * sizeof(*ss->tasks));
	ss->funcs = vzalloc(SS_FUNCS * sizeof(*ss->funcs));
	if (!ss->pcpu || !ss->tasks || !ss->funcs)
		goto err;
	for_each_kernel_tracepoint(find_switch, ss);
	ret = -EOPNOTSUPP;
	if (!ss->tp_switch)
		goto err;
	ret = tracepoint_probe_register(ss->tp_switch, ss_switch, ss);
	if (ret)
		goto err;
	*priv = ss;
	return 0;

err:
	ss_free_all(ss);
	return ret;
}

/* No task runs the instrumentation, @enter or @leave any more. */
static void ss_release(void *priv)
{
	struct sysstat *ss = priv;

	tracepoint_probe_unregister(ss->tp_switch, ss_switch, ss);
	tracepoint_synchronize_unregister();
	ss_free_all(ss);
}

struct jifl_plugin jifl_sysstat_plugin = {
	.name = "sysstat",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = ss_start,
	.dump = ss_dump,
	.release = ss_release,
	.block = ss_block,
	.enter = ss_enter,
	.leave = ss_leave,
};
