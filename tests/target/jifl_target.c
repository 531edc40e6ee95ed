// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel code with known control flow, for testing jifl.
 *
 * Each scenario is a separate function whose basic blocks, and how many
 * times each one executes for a given argument, are documented in
 * tests/target/README and tests/target/expected-<series>.txt.  User space
 * runs a scenario with one ioctl on /dev/jifl_target (jifl_target.h).
 *
 * Scenario functions are noinline notrace __jt_noipa: never inlined,
 * never cloned or specialised by interprocedural optimisation (so the
 * function in the symbol table is the code that runs, with every argument
 * live), and not ftrace-instrumented (no __fentry__ call, which ftrace
 * would patch to a NOP at load time and so change the block structure).
 * Loop bodies hide their accumulator from the optimiser so that loops
 * stay loops; switch cases end in barrier() so that each one stays a
 * block of its own instead of being if-converted into cmov.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/jump_label.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/uaccess.h>

#include "jifl_target.h"

/* No inlining, cloning or interprocedural specialisation (implies noinline). */
#define __jt_noipa __attribute__((__noipa__))

/* The sleep of jt_sleep(): msleep() on purpose, a sleeping call. */
#define JT_SLEEP_MS 1

/**
 * jt_loop() - a counted loop
 * @n: trip count
 *
 * Return: the sum of the first @n odd numbers, n * n.
 */
static noinline notrace __jt_noipa u64 jt_loop(u64 n)
{
	u64 acc = 0;
	u64 i;

	for (i = 0; i < n; i++) {
		acc += 2 * i + 1;
		OPTIMIZER_HIDE_VAR(acc);
	}
	return acc;
}

/**
 * jt_nested() - a loop nest of @n x @m iterations
 * @n: trip count of the outer loop
 * @m: trip count of the inner loop
 *
 * Return: the sum of i * @m + j over all iterations, nm(nm - 1) / 2.
 */
static noinline notrace __jt_noipa u64 jt_nested(u64 n, u64 m)
{
	u64 acc = 0;
	u64 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < m; j++) {
			acc += i * m + j;
			OPTIMIZER_HIDE_VAR(acc);
		}
	}
	return acc;
}

/**
 * jt_switch() - a switch on 10 dense cases and a default
 * @n: selector
 *
 * Every case computes a different function of @n, hidden from the
 * optimiser, so the switch cannot become a table of constants.  The
 * kernel builds with -fno-jump-tables (see README), so this is a tree of
 * compares rather than an indirect jump.
 *
 * Return: the value of the case selected by @n.
 */
static noinline notrace __jt_noipa u64 jt_switch(u64 n)
{
	u64 v = n;
	u64 r;

	OPTIMIZER_HIDE_VAR(v);
	switch (n) {
	case 0:
		r = v + 100;
		barrier();
		break;
	case 1:
		r = v * 3;
		barrier();
		break;
	case 2:
		r = v ^ 0x55;
		barrier();
		break;
	case 3:
		r = v << 4;
		barrier();
		break;
	case 4:
		r = v * v;
		barrier();
		break;
	case 5:
		r = v - 1;
		barrier();
		break;
	case 6:
		r = v | 0x100;
		barrier();
		break;
	case 7:
		r = ~v & 0xffff;
		barrier();
		break;
	case 8:
		r = v * 7 + 1;
		barrier();
		break;
	case 9:
		r = v >> 1;
		barrier();
		break;
	default:
		r = 0xdef;
		barrier();
		break;
	}
	return r;
}

/* The targets of jt_indirect()'s indirect calls. */
static noinline notrace __jt_noipa u64 jt_op_add(u64 acc, u64 i)
{
	return acc + i;
}

static noinline notrace __jt_noipa u64 jt_op_mul(u64 acc, u64 i)
{
	return acc * 3 % 1000003;
}

static noinline notrace __jt_noipa u64 jt_op_xor(u64 acc, u64 i)
{
	return acc ^ (i * 7);
}

static noinline notrace __jt_noipa u64 jt_op_sub(u64 acc, u64 i)
{
	return acc - (acc >> 2);
}

static u64 (* const jt_ops[4])(u64 acc, u64 i) = {
	jt_op_add, jt_op_mul, jt_op_xor, jt_op_sub,
};

/**
 * jt_indirect() - indirect calls through a function-pointer table
 * @n: number of calls; call i goes to jt_ops[i & 3]
 *
 * Return: the accumulator, starting at 1, after the @n calls.
 */
static noinline notrace __jt_noipa u64 jt_indirect(u64 n)
{
	u64 acc = 1;
	u64 i;

	for (i = 0; i < n; i++)
		acc = jt_ops[i & 3](acc, i);
	return acc;
}

/**
 * jt_recurse() - recursion of depth @n
 * @n: depth: jt_recurse(@n) calls jt_recurse(@n - 1) ... jt_recurse(0)
 *
 * The result of the inner call is hidden from the optimiser, which would
 * otherwise turn the recursion into a loop.
 *
 * Return: the sum of k * k for 1 <= k <= @n.
 */
static noinline notrace __jt_noipa u64 jt_recurse(u64 n)
{
	u64 r;

	if (n == 0)
		return 0;
	r = jt_recurse(n - 1);
	OPTIMIZER_HIDE_VAR(r);
	return r + n * n;
}

/**
 * jt_copy() - copy_from_user() of 8 bytes
 * @uptr: user address to copy from
 * @res: where to store the 8 bytes
 *
 * Return: 0, or -EFAULT if @uptr is not readable user memory.
 */
static noinline notrace __jt_noipa long jt_copy(u64 uptr, u64 *res)
{
	u64 val;

	if (copy_from_user(&val, u64_to_user_ptr(uptr), sizeof(val)))
		return -EFAULT;
	*res = val;
	return 0;
}

/**
 * jt_sleep() - sleep @n times for a millisecond
 * @n: number of msleep(1) calls
 *
 * Return: @n if jiffies advanced by at least @n meanwhile (each msleep()
 * waits at least one jiffy), else 0.
 */
static noinline notrace __jt_noipa u64 jt_sleep(u64 n)
{
	unsigned long start = jiffies;
	u64 i;

	for (i = 0; i < n; i++)
		msleep(JT_SLEEP_MS);
	return time_after_eq(jiffies, start + (unsigned long)n) ? n : 0;
}

static DEFINE_SPINLOCK(jt_lock);
static u64 jt_spin_total;

/**
 * jt_spin() - a loop inside a spinlock
 * @n: trip count
 *
 * Also adds the sum to a global under the lock, so the lock protects
 * something.
 *
 * Return: the sum of i for i < @n, n(n - 1) / 2.
 */
static noinline notrace __jt_noipa u64 jt_spin(u64 n)
{
	u64 acc = 0;
	u64 i;

	spin_lock(&jt_lock);
	for (i = 0; i < n; i++) {
		acc += i;
		OPTIMIZER_HIDE_VAR(acc);
	}
	jt_spin_total += acc;
	spin_unlock(&jt_lock);
	return acc;
}

/**
 * jt_warn() - a WARN_ON_ONCE() that never fires
 * @n: any value but JT_WARN_MAGIC (the ioctl rejects that one)
 *
 * Return: 2 * @n + 1, or -EINVAL had the warning fired.
 */
static noinline notrace __jt_noipa u64 jt_warn(u64 n)
{
	if (WARN_ON_ONCE(n == JT_WARN_MAGIC))
		return -EINVAL;
	return 2 * n + 1;
}

static noinline notrace __jt_noipa u64 jt_sc_inc(u64 i)
{
	return i + 1;
}

static noinline notrace __jt_noipa u64 jt_sc_dbl(u64 i)
{
	return 2 * i + 7;
}

/* Patched at run time by JT_IOC_PATCH (both start as after load) */
DEFINE_STATIC_CALL(jt_sc, jt_sc_inc);
static DEFINE_STATIC_KEY_FALSE(jt_key);

/* A tail call: the site is a jmp (tail-call site) */
static noinline notrace __jt_noipa u64 jt_sc_tail(u64 i)
{
	return static_call(jt_sc)(i);
}

/**
 * jt_static() - a static call site, a tail-call site and a static branch
 * @n: trip count
 *
 * Return: sum over i < @n of 2 * f(i) (+ 1000 while jt_key is enabled),
 * f being jt_sc's current function.
 */
static noinline notrace __jt_noipa u64 jt_static(u64 n)
{
	u64 acc = 0, i;

	for (i = 0; i < n; i++) {
		acc += static_call(jt_sc)(i);
		acc += jt_sc_tail(i);
		if (static_branch_unlikely(&jt_key))
			acc += 1000;
	}
	return acc;
}

static long jt_patch(u64 key, u64 call)
{
	if (key > 1 || call > 2)
		return -EINVAL;
	if (key)
		static_branch_enable(&jt_key);
	else
		static_branch_disable(&jt_key);
	if (call == 0)
		static_call_update(jt_sc, jt_sc_inc);
	else if (call == 1)
		static_call_update(jt_sc, jt_sc_dbl);
	else
		static_call_update(jt_sc, (void *)&__static_call_return0);
	return 0;
}

/* What jt_tasklet_fn() runs for and adds up (JT_IOC_TASKLET) */
static u64 jt_tasklet_m, jt_tasklet_acc;

/**
 * jt_tasklet_fn() - the tasklet of JT_IOC_TASKLET: a counted loop
 * @t: the tasklet
 *
 * Runs in softirq context, from tasklet_action(); adds the sum of the
 * first jt_tasklet_m odd numbers, jt_tasklet_m squared, to jt_tasklet_acc.
 */
static noinline notrace __jt_noipa void jt_tasklet_fn(struct tasklet_struct *t)
{
	u64 m = READ_ONCE(jt_tasklet_m);
	u64 acc = 0, i;

	for (i = 0; i < m; i++) {
		acc += 2 * i + 1;
		OPTIMIZER_HIDE_VAR(acc);
	}
	WRITE_ONCE(jt_tasklet_acc, READ_ONCE(jt_tasklet_acc) + acc);
}

static DECLARE_TASKLET(jt_tasklet, jt_tasklet_fn);

/*
 * Not a scenario: @n times, schedule the tasklet with bottom halves off
 * and let local_bh_enable() run it here, on this task (a tasklet is
 * scheduled on the CPU that schedules it, and with bottom halves off no
 * irq exit runs softirqs before local_bh_enable() does). Serialised by
 * jt_tasklet_lock, so one run's tasklets are its own.
 */
static DEFINE_MUTEX(jt_tasklet_lock);

static u64 jt_tasklet_run(u64 n, u64 m)
{
	u64 i, acc;

	mutex_lock(&jt_tasklet_lock);
	WRITE_ONCE(jt_tasklet_m, m);
	WRITE_ONCE(jt_tasklet_acc, 0);
	for (i = 0; i < n; i++) {
		local_bh_disable();
		tasklet_schedule(&jt_tasklet);
		local_bh_enable();
	}
	/* wait for the last one, had it gone elsewhere (it should not) */
	tasklet_unlock_wait(&jt_tasklet);
	acc = READ_ONCE(jt_tasklet_acc);
	mutex_unlock(&jt_tasklet_lock);
	return acc;
}

/* The page every page of a jifl_target mapping shows (jt_fault()) */
static struct page *jt_fault_page;

/* Not a scenario: the reference jt_fault() hands over, outside its blocks */
static noinline struct page *jt_fault_get_page(void)
{
	get_page(jt_fault_page);
	return jt_fault_page;
}

/**
 * jt_fault() - the .fault of a jifl_target mapping (mmap of the device)
 * @vmf: the fault
 *
 * Runs in the page fault of the task touching the page, from
 * handle_mm_fault(): once per first touch of each page (no .map_pages, so
 * no fault-around). Pages at JT_FAULT_PAGES and beyond raise SIGBUS.
 */
static noinline notrace __jt_noipa vm_fault_t jt_fault(struct vm_fault *vmf)
{
	if (vmf->pgoff >= JT_FAULT_PAGES)
		return VM_FAULT_SIGBUS;
	vmf->page = jt_fault_get_page();
	return 0;
}

static const struct vm_operations_struct jt_vm_ops = {
	.fault = jt_fault,
};

static int jt_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* read-only (VM_MAYWRITE is set for an O_RDWR file: not refused) */
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	vma->vm_ops = &jt_vm_ops;
	return 0;
}

static long jt_run(unsigned int cmd, struct jifl_target_req *req)
{
	switch (cmd) {
	case JT_IOC_LOOP:
		if (req->n > JT_LOOP_MAX)
			return -EINVAL;
		req->result = jt_loop(req->n);
		return 0;
	case JT_IOC_NESTED:
		if (req->n > JT_NESTED_MAX || req->m > JT_NESTED_MAX)
			return -EINVAL;
		req->result = jt_nested(req->n, req->m);
		return 0;
	case JT_IOC_SWITCH:
		req->result = jt_switch(req->n);
		return 0;
	case JT_IOC_INDIRECT:
		if (req->n > JT_INDIRECT_MAX)
			return -EINVAL;
		req->result = jt_indirect(req->n);
		return 0;
	case JT_IOC_RECURSE:
		if (req->n > JT_RECURSE_MAX)
			return -EINVAL;
		req->result = jt_recurse(req->n);
		return 0;
	case JT_IOC_COPY:
		return jt_copy(req->n, &req->result);
	case JT_IOC_SLEEP:
		if (req->n > JT_SLEEP_MAX)
			return -EINVAL;
		req->result = jt_sleep(req->n);
		return 0;
	case JT_IOC_SPIN:
		if (req->n > JT_SPIN_MAX)
			return -EINVAL;
		req->result = jt_spin(req->n);
		return 0;
	case JT_IOC_WARN:
		if (req->n == JT_WARN_MAGIC)
			return -EINVAL;
		req->result = jt_warn(req->n);
		return 0;
	case JT_IOC_PATCH:
		req->result = 0;
		return jt_patch(req->n, req->m);
	case JT_IOC_STATIC:
		if (req->n > JT_STATIC_MAX)
			return -EINVAL;
		req->result = jt_static(req->n);
		return 0;
	case JT_IOC_TASKLET:
		if (req->n > JT_TASKLET_MAX || req->m > JT_TASKLET_MAX)
			return -EINVAL;
		req->result = jt_tasklet_run(req->n, req->m);
		return 0;
	}
	return -ENOTTY;
}

static long jt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct jifl_target_req req;
	long ret;

	if (_IOC_TYPE(cmd) != JT_IOC_MAGIC)
		return -ENOTTY;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = jt_run(cmd, &req);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

static const struct file_operations jt_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= jt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= jt_mmap,
};

static struct miscdevice jt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "jifl_target",
	.fops	= &jt_fops,
	.mode	= 0600,
};

static int __init jt_init(void)
{
	u64 *words;
	int ret, i;

	jt_fault_page = alloc_page(GFP_KERNEL);
	if (!jt_fault_page)
		return -ENOMEM;
	words = page_address(jt_fault_page);
	for (i = 0; i < PAGE_SIZE / sizeof(*words); i++)
		words[i] = JT_FAULT_WORD;
	ret = misc_register(&jt_misc);
	if (ret)
		__free_page(jt_fault_page);
	return ret;
}

static void __exit jt_exit(void)
{
	misc_deregister(&jt_misc);
	tasklet_kill(&jt_tasklet);
	/* no mapping is left: each holds the file, the file the module */
	__free_page(jt_fault_page);
}

module_init(jt_init);
module_exit(jt_exit);

MODULE_DESCRIPTION("jifl test target: kernel code with known control flow");
MODULE_AUTHOR("jifl developers");
MODULE_LICENSE("GPL");
