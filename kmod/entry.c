// SPDX-License-Identifier: GPL-2.0
/*
 * Entering the code cache: ftrace_ops with IPMODIFY on the attached
 * functions send traced tasks to the cache copy of the function body, and
 * the task filter decides who is traced. Untraced tasks pay only the
 * callback's filter test. One ops enters in task context only (system
 * calls, page faults, --function globs); the other, on softirq actions
 * (JIFL_ATTACH_SOFTIRQ), in softirq context too, never in hardirq or NMI
 * context. Entries are counted by context: a softirq action, a page fault
 * (handle_mm_fault, attached by the tool for --contexts=fault) or any
 * other attached function; and the calls that do not enter, untraced
 * tasks (rejected) and contexts that never enter (refused).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cgroup.h>
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/threads.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>

#include "jifl.h"
#include "compat.h"

static DEFINE_PER_CPU(u64, jifl_entries);
static DEFINE_PER_CPU(u64, jifl_entries_fault);
static DEFINE_PER_CPU(u64, jifl_entries_softirq);
static DEFINE_PER_CPU(u64, jifl_rejected);
static DEFINE_PER_CPU(u64, jifl_refused);

/* Task filter: mode and the listed thread group ids */
static u64 jifl_filter_mode = JIFL_FILTER_ALL;
static unsigned long *jifl_listed_tgids;
static struct cgroup *jifl_filter_cgrp;		/* JIFL_FILTER_CGROUP, held */
static unsigned int jifl_nr_patterns;		/* both ops */
static unsigned int jifl_nr_softirq_patterns;
static bool jifl_running;

static struct tracepoint *tp_fork, *tp_exit;

/*
 * Whether @task is under the filter's cgroup: task_under_cgroup_hierarchy()
 * written out, because its task_css_set() wants rcu_read_lock(), whose
 * __rcu_read_lock() is traceable (an attached function would recurse
 * before the handler's recursion lock). A preempt-disabled section is an
 * RCU read-side section for the css_set, freed by kfree_rcu(); the cgroup
 * is held by the filter. Inline functions are notrace. No lock, no sleep
 * (PREEMPT_RT too).
 */
static bool notrace task_in_filter_cgroup(struct task_struct *task)
{
	struct css_set *cset;
	bool in;

	rcu_read_lock_sched_notrace();
	cset = rcu_dereference_sched(task->cgroups);
	in = cgroup_is_descendant(cset->dfl_cgrp, jifl_filter_cgrp);
	rcu_read_unlock_sched_notrace();
	return in;
}

/*
 * Whether @task runs from the cache. JIFL_FILTER_CGROUP asks at each entry,
 * so a task follows its moves between cgroups.
 */
static bool notrace task_traced(struct task_struct *task)
{
	bool listed;

	if (jifl_filter_mode == JIFL_FILTER_ALL)
		return true;
	listed = (unsigned int)task->tgid < PID_MAX_LIMIT &&
		 test_bit(task->tgid, jifl_listed_tgids);
	if (jifl_filter_mode == JIFL_FILTER_CGROUP)
		return !listed && task_in_filter_cgroup(task);
	return jifl_filter_mode == JIFL_FILTER_ALL_BUT ? !listed : listed;
}

/* The function whose ftrace site is @ip: before its ENDBR64, if any. */
static unsigned long notrace function_start(unsigned long ip)
{
	u32 insn;

	if (!copy_from_kernel_nofault(&insn, (void *)(ip - 4), sizeof(insn)) &&
	    insn == 0xfa1e0ff3)		/* endbr64: f3 0f 1e fa */
		return ip - 4;
	return ip;
}

/*
 * Send a traced task to the cache copy of the function at @ip. Inline
 * (the handlers are notrace, what they call must be too); the rejection
 * count is one %gs increment, atomic against interrupts on this CPU.
 */
static __always_inline void enter_cache(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_regs *fregs, bool softirq)
{
	unsigned long tramp;
	int bit;

	if (!task_traced(current)) {
		this_cpu_inc(jifl_rejected);
		return;
	}
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	tramp = jifl_entry_trampoline(ip);
	if (tramp) {
		unsigned long fn = function_start(ip);

		this_cpu_inc(jifl_inflight);
		this_cpu_inc(jifl_entries);
		if (softirq)
			this_cpu_inc(jifl_entries_softirq);
		/* exported, so its address is known without kallsyms */
		else if (fn == (unsigned long)handle_mm_fault)
			this_cpu_inc(jifl_entries_fault);
		jifl_ftrace_set_ip(fregs, tramp);
		jifl_plugins_enter(fn, parent_ip,
				   kernel_stack_pointer(ftrace_get_regs(fregs)));
	}
	ftrace_test_recursion_unlock(bit);
}

/* System calls, page faults, --function globs: task context only */
static void notrace jifl_ftrace_handler(unsigned long ip,
					unsigned long parent_ip,
					struct ftrace_ops *op,
					struct ftrace_regs *fregs)
{
	if (!in_task()) {
		this_cpu_inc(jifl_refused);
		return;
	}
	enter_cache(ip, parent_ip, fregs, false);
}

/*
 * Softirq actions: called by handle_softirqs() with SOFTIRQ_OFFSET in the
 * preempt count (irq exit, local_bh_enable(), ksoftirqd; on PREEMPT_RT in
 * task context), current being the task the softirq runs on. Never in
 * hardirq or NMI context: an action called there (none is) is refused.
 */
static void notrace jifl_softirq_handler(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *op,
					 struct ftrace_regs *fregs)
{
	if (in_nmi() || in_hardirq()) {
		this_cpu_inc(jifl_refused);
		return;
	}
	enter_cache(ip, parent_ip, fregs, true);
}

static struct ftrace_ops jifl_ops = {
	.func = jifl_ftrace_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static struct ftrace_ops jifl_softirq_ops = {
	.func = jifl_softirq_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

/* A process tree: children of traced processes are traced. */
static void notrace jifl_on_fork(void *data, struct task_struct *parent,
				 struct task_struct *child)
{
	if (task_traced(parent) && (unsigned int)child->tgid < PID_MAX_LIMIT)
		set_bit(child->tgid, jifl_listed_tgids);
}

static void notrace jifl_on_exit(void *data, struct task_struct *task)
{
	/* the group leader's exit ends the process: free its id for reuse */
	if (thread_group_leader(task) &&
	    (unsigned int)task->tgid < PID_MAX_LIMIT)
		clear_bit(task->tgid, jifl_listed_tgids);
}

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		tp_fork = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		tp_exit = tp;
}

/**
 * jifl_entry_attach() - add functions that traced tasks enter the cache at
 * @patterns:	NUL-separated ftrace filter globs
 * @len:	bytes at @patterns
 * @flags:	JIFL_ATTACH_SOFTIRQ: softirq actions, entered in softirq
 *		context too
 *
 * Return: 0, -EINVAL when a pattern matches nothing or for unknown
 * @flags, -EBUSY while running.
 */
int jifl_entry_attach(const char *patterns, size_t len, u64 flags)
{
	struct ftrace_ops *ops = flags & JIFL_ATTACH_SOFTIRQ ?
				 &jifl_softirq_ops : &jifl_ops;
	const char *p = patterns, *end = patterns + len;
	int ret;

	if (flags & ~JIFL_ATTACH_FLAGS)
		return -EINVAL;
	if (jifl_running)
		return -EBUSY;
	while (p < end) {
		size_t n = strnlen(p, end - p);
		char *glob;

		if (n) {
			glob = kmemdup_nul(p, n, GFP_KERNEL);
			if (!glob)
				return -ENOMEM;
			ret = ftrace_set_filter(ops, glob, n, 0);
			kfree(glob);
			if (ret)
				return ret;
			jifl_nr_patterns++;
			if (ops == &jifl_softirq_ops)
				jifl_nr_softirq_patterns++;
		}
		p += n + 1;
	}
	return 0;
}

/**
 * jifl_entry_set_filter() - choose the traced tasks
 * @mode:	JIFL_FILTER_*
 * @pids:	process ids for JIFL_FILTER_PIDS, _TREE and _ALL_BUT; the
 *		processes not traced for JIFL_FILTER_CGROUP
 * @nr:		entries in @pids
 * @cgroup_fd:	for JIFL_FILTER_CGROUP: a cgroup v2 directory's descriptor
 *
 * Return: 0 or -EINVAL/-ENOMEM/-EBUSY, or cgroup_get_from_fd()'s error
 * (-EBADF for a descriptor that is not a cgroup v2 directory).
 */
int jifl_entry_set_filter(u64 mode, const u64 *pids, unsigned int nr,
			  int cgroup_fd)
{
	struct cgroup *cgrp = NULL;
	unsigned int i;

	if (jifl_running)
		return -EBUSY;
	if (mode > JIFL_FILTER_CGROUP || (mode == JIFL_FILTER_ALL && nr))
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!pids[i] || pids[i] >= PID_MAX_LIMIT)
			return -EINVAL;
	if (!jifl_listed_tgids) {
		jifl_listed_tgids = vzalloc(BITS_TO_LONGS(PID_MAX_LIMIT) *
					    sizeof(long));
		if (!jifl_listed_tgids)
			return -ENOMEM;
	}
	if (mode == JIFL_FILTER_CGROUP) {
		cgrp = cgroup_get_from_fd(cgroup_fd);
		if (IS_ERR(cgrp))
			return PTR_ERR(cgrp);
	}
	bitmap_zero(jifl_listed_tgids, PID_MAX_LIMIT);
	for (i = 0; i < nr; i++)
		set_bit(pids[i], jifl_listed_tgids);
	if (jifl_filter_cgrp)
		cgroup_put(jifl_filter_cgrp);
	jifl_filter_cgrp = cgrp;
	jifl_filter_mode = mode;
	return 0;
}

int jifl_entry_start(void)
{
	int ret, cpu;

	if (jifl_running)
		return -EBUSY;
	if (!jifl_nr_patterns)
		return -ENOENT;
	if (jifl_filter_mode == JIFL_FILTER_TREE) {
		for_each_kernel_tracepoint(find_tracepoint, NULL);
		if (!tp_fork || !tp_exit)
			return -EOPNOTSUPP;
		ret = tracepoint_probe_register(tp_fork, jifl_on_fork, NULL);
		if (ret)
			return ret;
		ret = tracepoint_probe_register(tp_exit, jifl_on_exit, NULL);
		if (ret) {
			tracepoint_probe_unregister(tp_fork, jifl_on_fork, NULL);
			return ret;
		}
	}
	for_each_possible_cpu(cpu) {
		per_cpu(jifl_entries, cpu) = 0;
		per_cpu(jifl_entries_fault, cpu) = 0;
		per_cpu(jifl_entries_softirq, cpu) = 0;
		per_cpu(jifl_rejected, cpu) = 0;
		per_cpu(jifl_refused, cpu) = 0;
	}
	if (jifl_nr_patterns > jifl_nr_softirq_patterns) {
		ret = register_ftrace_function(&jifl_ops);
		if (ret)
			goto err_busy;
	}
	if (jifl_nr_softirq_patterns) {
		ret = register_ftrace_function(&jifl_softirq_ops);
		if (ret)
			goto err_ops;
	}
	jifl_running = true;
	return 0;

err_ops:
	if (jifl_nr_patterns > jifl_nr_softirq_patterns)
		unregister_ftrace_function(&jifl_ops);
err_busy:
	if (ret == -EBUSY)
		pr_warn("an attached function is held by another IPMODIFY ftrace user (livepatch?), or attached both as a softirq action and not\n");
	if (jifl_filter_mode == JIFL_FILTER_TREE) {
		tracepoint_probe_unregister(tp_exit, jifl_on_exit, NULL);
		tracepoint_probe_unregister(tp_fork, jifl_on_fork, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

/* After this returns no task enters the cache anew. */
void jifl_entry_stop(void)
{
	if (!jifl_running)
		return;
	if (jifl_nr_patterns > jifl_nr_softirq_patterns)
		unregister_ftrace_function(&jifl_ops);
	if (jifl_nr_softirq_patterns)
		unregister_ftrace_function(&jifl_softirq_ops);
	if (jifl_filter_mode == JIFL_FILTER_TREE) {
		tracepoint_probe_unregister(tp_exit, jifl_on_exit, NULL);
		tracepoint_probe_unregister(tp_fork, jifl_on_fork, NULL);
		tracepoint_synchronize_unregister();
	}
	jifl_running = false;
}

/* Forget attachments and filter (the session ended). */
void jifl_entry_reset(void)
{
	jifl_entry_stop();
	/* empty the filter; ftrace_free_filter() is for the module's end */
	ftrace_set_filter(&jifl_ops, NULL, 0, 1);
	ftrace_set_filter(&jifl_softirq_ops, NULL, 0, 1);
	jifl_nr_patterns = 0;
	jifl_nr_softirq_patterns = 0;
	jifl_filter_mode = JIFL_FILTER_ALL;
	if (jifl_filter_cgrp)
		cgroup_put(jifl_filter_cgrp);
	jifl_filter_cgrp = NULL;
	vfree(jifl_listed_tgids);
	jifl_listed_tgids = NULL;
}

void jifl_entry_exit_module(void)
{
	ftrace_free_filter(&jifl_ops);
	ftrace_free_filter(&jifl_softirq_ops);
}

/* A per-CPU entry counter summed over every CPU */
static u64 sum_over_cpus(u64 __percpu *counter)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

u64 jifl_entry_count(void)
{
	return sum_over_cpus(&jifl_entries);
}

/* Entries at handle_mm_fault: page faults of traced tasks */
u64 jifl_entry_count_fault(void)
{
	return sum_over_cpus(&jifl_entries_fault);
}

/**
 * jifl_entry_stats() - the per-context entry counts, and the calls that
 *	did not enter
 * @st:	its @entries_softirq, @rejected and @refused are set
 */
void jifl_entry_stats(struct jifl_stats *st)
{
	st->entries_softirq = sum_over_cpus(&jifl_entries_softirq);
	st->rejected = sum_over_cpus(&jifl_rejected);
	st->refused = sum_over_cpus(&jifl_refused);
}

u64 jifl_entry_attached(void)
{
	return jifl_nr_patterns;
}
