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
 *
 * That is the clean-call path. Where the code cache can write records
 * itself (jifl_events_inline(), and the jifl.ko parameter
 * calltrace_inline, default on), calltrace takes the inline path instead:
 * each call and return site gets an id at translation, its record is a
 * 16-byte struct jifl_rec_event (24 with an indirect call's callee)
 * written by the translated code without a call, and the site table goes
 * to user space in the dump. Entries into and returns from the attached
 * functions are struct jifl_rec_ct_enter/leave records, context switches
 * struct jifl_rec_ct_ctx (a probe on sched_switch): the reader knows
 * each CPU's thread from them and pairs returns with calls by stack
 * pointer with the rules above (src/util/report-events.c), so the kernel
 * keeps no shadow stack.
 */
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <asm/msr.h>

#include "../jifl_plugin.h"
#include "builtin.h"

static bool calltrace_inline = true;
module_param(calltrace_inline, bool, 0644);
MODULE_PARM_DESC(calltrace_inline,
		 "calltrace writes compact records from the code cache (default) rather than through clean calls");

#define CT_MAX_SITES	(1U << 18)

/* A session of the inline path: the site table, the switch probe */
struct ct_inline {
	struct jifl_rec_ct_site *sites;
	u32 nr_sites;		/* appended under the translation lock */
	u64 untraced;		/* sites without events: the table was full */
	struct tracepoint *tp_switch;
};

static struct ct_inline *ct_inl;	/* NULL: the clean-call path */

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

/* Translation: a site id, its table entry and the inline record */
static bool ct_inline_site(struct jifl_xlate *x, u32 kind, u64 target)
{
	struct ct_inline *ci = ct_inl;
	struct jifl_rec_ct_site *s;
	u32 id, w0;

	if (!ci)
		return false;
	id = ci->nr_sites;
	if (id >= CT_MAX_SITES) {
		ci->untraced++;
		return true;
	}
	s = &ci->sites[id];
	s->hdr.size = sizeof(*s);
	s->hdr.type = JIFL_REC_CT_SITE;
	s->id = id;
	s->kind = kind;
	s->pc = jifl_xlate_pc(x);
	s->next = s->pc + jifl_xlate_insn_len(x);
	s->target = target;
	w0 = JIFL_EV_MARK | id;
	if (kind == JIFL_CT_SITE_CALL_IND)
		w0 |= JIFL_EV_TARGET;
	if (jifl_insert_event(x, w0, kind == JIFL_CT_SITE_CALL_IND ?
			      JIFL_EVENT_TARGET : 0))
		return false;	/* nothing emitted: the clean call then */
	/* the entry before the count that shows it, for the dump */
	smp_store_release(&ci->nr_sites, id + 1);
	return true;
}

static void ct_call_hook(void *priv, struct jifl_xlate *x)
{
	static const struct jifl_arg args[] = {
		{ .kind = JIFL_ARG_PC },
		{ .kind = JIFL_ARG_TARGET },
		{ .kind = JIFL_ARG_SP },
		{ .kind = JIFL_ARG_NEXT_PC },
	};
	u64 callee = jifl_xlate_call_target(x);

	if (ct_inline_site(x, callee ? JIFL_CT_SITE_CALL :
			   JIFL_CT_SITE_CALL_IND, callee))
		return;
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

	if (ct_inline_site(x, JIFL_CT_SITE_RET, 0))
		return;
	jifl_insert_clean_call(x, (void (*)(void))ct_ret, ARRAY_SIZE(args),
			       args);
}

static void notrace ct_enter(void *priv, unsigned long func,
			     unsigned long ret_ip, unsigned long sp)
{
	struct ct_thread *th = ct_slot(current->pid);
	struct jifl_rec_ct_enter *e;
	u64 site = ret_ip;
	u8 op;

	if (ct_inl) {
		e = jifl_event_reserve(sizeof(*e), JIFL_REC_CT_ENTER);
		if (!e)
			return;
		e->tsc = rdtsc();
		e->tid = current->pid;
		e->sp = (u32)sp;
		e->func = func;
		e->ret = ret_ip;
		/* the caller's call instruction, when it is a direct call */
		e->site = ret_ip;
		if (!copy_from_kernel_nofault(&op, (void *)(ret_ip - 5), 1) &&
		    op == 0xe8)
			e->site = ret_ip - 5;
		jifl_event_commit(e);
		return;
	}
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
	struct ct_thread *th;
	struct jifl_rec_ct_leave *l;

	if (ct_inl) {
		l = jifl_event_reserve(sizeof(*l), JIFL_REC_CT_LEAVE);
		if (!l)
			return;
		l->tsc = rdtsc();
		l->tid = current->pid;
		l->sp = (u32)sp;
		jifl_event_commit(l);
		return;
	}
	th = ct_self();
	if (!th)
		return;
	ct_unwind(th, sp);
	if (!th->depth)
		WRITE_ONCE(th->tid, 0);
}

/* The thread each CPU runs, for the readers of the inline records */
static void notrace ct_switch(void *data, bool preempt,
			      struct task_struct *prev,
			      struct task_struct *next,
			      unsigned int prev_state)
{
	jifl_event_context(next->pid);
}

static void ct_find_switch(struct tracepoint *tp, void *priv)
{
	struct ct_inline *ci = priv;

	if (!strcmp(tp->name, "sched_switch"))
		ci->tp_switch = tp;
}

/* The inline path's session, or NULL to take the clean-call path */
static struct ct_inline *ct_inline_start(void)
{
	struct ct_inline *ci;

	if (!calltrace_inline || !jifl_events_inline())
		return NULL;
	ci = kzalloc(sizeof(*ci), GFP_KERNEL);
	if (!ci)
		return NULL;
	ci->sites = vmalloc_array(CT_MAX_SITES, sizeof(*ci->sites));
	if (!ci->sites)
		goto err;
	for_each_kernel_tracepoint(ct_find_switch, ci);
	if (!ci->tp_switch ||
	    tracepoint_probe_register(ci->tp_switch, ct_switch, ci))
		goto err;
	return ci;

err:
	vfree(ci->sites);
	kfree(ci);
	return NULL;
}

static int ct_start(void **priv)
{
	ct_threads = vzalloc(CT_SLOTS * sizeof(*ct_threads));
	if (!ct_threads)
		return -ENOMEM;
	ct_inl = ct_inline_start();
	*priv = ct_threads;
	return 0;
}

/* The inline path's site table and totals */
static int ct_dump(void *priv, struct jifl_dump_buf *d)
{
	struct ct_inline *ci = ct_inl;
	struct jifl_rec_ct_sum sum = { };
	u32 i, n;
	int ret;

	if (!ci)
		return -EOPNOTSUPP;
	n = smp_load_acquire(&ci->nr_sites);
	for (i = 0; i < n; i++) {
		ret = jifl_dump_write(d, JIFL_REC_CT_SITE, &ci->sites[i].id,
				      sizeof(ci->sites[i]) -
				      sizeof(ci->sites[i].hdr));
		if (ret)
			return ret;
	}
	sum.sites = n;
	sum.untraced = READ_ONCE(ci->untraced);
	return jifl_dump_write(d, JIFL_REC_CT_SUM, &sum.sites,
			       sizeof(sum) - sizeof(sum.hdr));
}

static void ct_release(void *priv)
{
	struct ct_inline *ci = ct_inl;

	if (ci) {
		tracepoint_probe_unregister(ci->tp_switch, ct_switch, ci);
		tracepoint_synchronize_unregister();
		ct_inl = NULL;
		vfree(ci->sites);
		kfree(ci);
	}
	ct_threads = NULL;
	vfree(priv);
}

struct jifl_plugin jifl_calltrace_plugin = {
	.name = "calltrace",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = ct_start,
	.release = ct_release,
	.dump = ct_dump,
	.call = ct_call_hook,
	.ret = ct_ret_hook,
	.enter = ct_enter,
	.leave = ct_leave,
};
