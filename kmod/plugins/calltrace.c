// SPDX-License-Identifier: GPL-2.0
/*
 * calltrace: a call and a return record (uapi/jifl.h: struct jifl_rec_call,
 * struct jifl_rec_ret) for every call and return the traced threads make
 * in translated code, and for their entries into and returns from the
 * attached functions.
 *
 * Calls in the cache push cache return addresses and some functions
 * return natively (their rest ran outside the cache, or they never ran
 * in it: locks, the scheduler), so returns are matched to calls by the
 * stack pointer: each thread keeps a shadow stack of (stack pointer at
 * the call, native return address). A return at stack pointer R closes
 * the frame called at R + 8; frames called deeper than that, and at a
 * call the frames called at or below its stack pointer, have returned
 * without being seen: they get a return record with site 0 then. So every
 * call has exactly one return, in nesting order. Uses only jifl_plugin.h.
 */
#include <linux/hash.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../jifl_plugin.h"
#include "builtin.h"

#define CT_SLOTS_BITS	12
#define CT_SLOTS	(1U << CT_SLOTS_BITS)
#define CT_FRAMES	64
#define CT_UNTRACKED	0xffff	/* depth of events of a thread without a slot */

struct ct_frame {
	unsigned long sp;	/* stack pointer the call instruction saw */
	unsigned long ret;	/* native return address */
};

/*
 * One thread in an attached function. Only the thread itself touches its
 * slot, once it has claimed it (tid 0: free).
 */
struct ct_thread {
	int tid;
	unsigned int depth;	/* calls open; frames above CT_FRAMES untracked */
	struct ct_frame f[CT_FRAMES];
};

static struct ct_thread *ct_threads;

static struct ct_thread *ct_slot(int tid)
{
	return &ct_threads[hash_32(tid, CT_SLOTS_BITS)];
}

static struct ct_thread *ct_self(void)
{
	struct ct_thread *th;

	if (!ct_threads)
		return NULL;
	th = ct_slot(current->pid);
	return READ_ONCE(th->tid) == current->pid ? th : NULL;
}

static void ct_emit(u32 type, u16 depth, u64 site, u64 addr)
{
	struct jifl_rec_call *r = jifl_event_reserve(sizeof(*r), type);

	BUILD_BUG_ON(sizeof(struct jifl_rec_call) !=
		     sizeof(struct jifl_rec_ret));
	if (!r)
		return;
	r->ts = jifl_event_clock();
	r->tid = current->pid;
	r->cpu = smp_processor_id();
	r->depth = depth;
	r->site = site;
	r->callee = addr;	/* jifl_rec_ret.target */
	jifl_event_commit(r);
}

/* Close the frames called at or below @sp: they returned natively. */
static void ct_unwind(struct ct_thread *th, unsigned long sp)
{
	while (th->depth && th->depth <= CT_FRAMES &&
	       th->f[th->depth - 1].sp <= sp) {
		th->depth--;
		ct_emit(JIFL_REC_RET, th->depth, 0, th->f[th->depth].ret);
	}
}

static void ct_push(struct ct_thread *th, u64 site, u64 callee,
		    unsigned long sp, unsigned long ret)
{
	ct_emit(JIFL_REC_CALL, min(th->depth, CT_UNTRACKED - 1U), site,
		callee);
	if (th->depth < CT_FRAMES) {
		th->f[th->depth].sp = sp;
		th->f[th->depth].ret = ret;
	}
	th->depth++;
}

/* Clean call before a call instruction */
static void notrace ct_call(u64 site, u64 callee, u64 sp, u64 next)
{
	struct ct_thread *th = ct_self();

	if (!th) {
		ct_emit(JIFL_REC_CALL, CT_UNTRACKED, site, callee);
		return;
	}
	ct_unwind(th, sp);
	ct_push(th, site, callee, sp, next);
}

/* Clean call before a return instruction */
static void notrace ct_ret(u64 site, u64 target, u64 sp)
{
	struct ct_thread *th = ct_self();
	u64 ret;

	if (!th) {
		ct_emit(JIFL_REC_RET, CT_UNTRACKED, site,
			jifl_return_target(target));
		return;
	}
	/* frames called below the one returning now (at sp + 8) */
	ct_unwind(th, sp + 7);
	if (th->depth > CT_FRAMES) {
		/* untracked deep frame: assume it is the one */
		th->depth--;
		ct_emit(JIFL_REC_RET, th->depth, site,
			jifl_return_target(target));
		return;
	}
	if (th->depth && th->f[th->depth - 1].sp == sp + 8) {
		th->depth--;
		ret = th->f[th->depth].ret;
		ct_emit(JIFL_REC_RET, th->depth, site, ret);
	}
	/* else a return without a call seen: nothing to pair it with */
}

static void ct_call_hook(void *priv, struct jifl_xlate *x)
{
	static const struct jifl_arg args[] = {
		{ .kind = JIFL_ARG_PC },
		{ .kind = JIFL_ARG_TARGET },
		{ .kind = JIFL_ARG_SP },
		{ .kind = JIFL_ARG_NEXT_PC },
	};

	jifl_insert_clean_call(x, (void (*)(void))ct_call, ARRAY_SIZE(args),
			       args);
}

static void ct_ret_hook(void *priv, struct jifl_xlate *x)
{
	static const struct jifl_arg args[] = {
		{ .kind = JIFL_ARG_PC },
		{ .kind = JIFL_ARG_TARGET },
		{ .kind = JIFL_ARG_SP },
	};

	jifl_insert_clean_call(x, (void (*)(void))ct_ret, ARRAY_SIZE(args),
			       args);
}

static void notrace ct_enter(void *priv, unsigned long func,
			     unsigned long ret_ip, unsigned long sp)
{
	struct ct_thread *th = ct_slot(current->pid);
	u64 site = ret_ip;
	u8 op;

	if (READ_ONCE(th->tid) != current->pid) {
		if (cmpxchg(&th->tid, 0, current->pid) != 0) {
			ct_emit(JIFL_REC_CALL, CT_UNTRACKED, ret_ip, func);
			return;
		}
		th->depth = 0;
	}
	/* the caller's call instruction, when it is a direct call */
	if (!copy_from_kernel_nofault(&op, (void *)(ret_ip - 5), 1) &&
	    op == 0xe8)
		site = ret_ip - 5;
	/* the trampoline's call sees @sp: the body returns at sp - 8 */
	ct_unwind(th, sp);
	ct_push(th, site, func, sp, ret_ip);
}

static void notrace ct_leave(void *priv, unsigned long sp,
			     unsigned long retval)
{
	struct ct_thread *th = ct_self();

	if (!th)
		return;
	ct_unwind(th, sp);
	if (!th->depth)
		WRITE_ONCE(th->tid, 0);
}

static int ct_start(void **priv)
{
	ct_threads = vzalloc(CT_SLOTS * sizeof(*ct_threads));
	if (!ct_threads)
		return -ENOMEM;
	*priv = ct_threads;
	return 0;
}

static void ct_release(void *priv)
{
	ct_threads = NULL;
	vfree(priv);
}

struct jifl_plugin jifl_calltrace_plugin = {
	.name = "calltrace",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = ct_start,
	.release = ct_release,
	.call = ct_call_hook,
	.ret = ct_ret_hook,
	.enter = ct_enter,
	.leave = ct_leave,
};
