// SPDX-License-Identifier: GPL-2.0
/*
 * jifl_syslat: an example jifl plugin in a module of its own, using only
 * the exported plugin API (jifl_plugin.h): a latency histogram per
 * attached function (system call), from the entry into the code cache to
 * the return to the native caller.
 *
 *   insmod jifl_syslat.ko
 *   jifl record -e syslat -- CMD     # the dump lands in jifl.data
 *
 * Dump: one record of type SYSLAT_REC per function that returned at
 * least once: struct syslat_rec below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "jifl_plugin.h"

#define SYSLAT_REC	(JIFL_REC_PLUGIN + 0x5a)
#define SYSLAT_FUNCS	512	/* functions tracked */
#define SYSLAT_BUCKETS	32	/* bucket b: [2^b, 2^(b+1)) ns, 0: < 2 ns */
#define SYSLAT_THREADS_BITS	12

/**
 * struct syslat_rec - the dump record of one function
 * @func:	the function's address (kallsyms resolves it)
 * @count:	returns measured
 * @total_ns:	sum of their latencies
 * @buckets:	log2 histogram of the latencies in nanoseconds
 */
struct syslat_rec {
	u64 func;
	u64 count;
	u64 total_ns;
	u64 buckets[SYSLAT_BUCKETS];
};

struct syslat_func {
	unsigned long func;	/* 0: free; set once */
	atomic64_t count, total_ns;
	atomic64_t buckets[SYSLAT_BUCKETS];
};

/* One entry per thread in a traced function (attached functions do not nest here) */
struct syslat_thread {
	int tid;		/* 0: free */
	struct syslat_func *f;
	u64 start;
	unsigned long sp;
};

struct syslat {
	struct syslat_func funcs[SYSLAT_FUNCS];
	struct syslat_thread threads[1U << SYSLAT_THREADS_BITS];
	atomic64_t dropped;
};

static struct syslat_func *func_of(struct syslat *s, unsigned long func)
{
	unsigned int i, h = hash_long(func, 9);

	for (i = 0; i < SYSLAT_FUNCS; i++) {
		struct syslat_func *f = &s->funcs[(h + i) % SYSLAT_FUNCS];
		unsigned long cur = READ_ONCE(f->func);

		if (cur == func)
			return f;
		if (!cur && !cmpxchg(&f->func, 0, func))
			return f;
		if (READ_ONCE(f->func) == func)
			return f;
	}
	return NULL;
}

static void notrace syslat_enter(void *priv, unsigned long func,
				 unsigned long ret_ip, unsigned long sp)
{
	struct syslat *s = priv;
	struct syslat_thread *t;

	t = &s->threads[hash_32(current->pid, SYSLAT_THREADS_BITS)];
	if (READ_ONCE(t->tid) != current->pid &&
	    cmpxchg(&t->tid, 0, current->pid)) {
		atomic64_inc(&s->dropped);	/* slot taken by another */
		return;
	}
	t->f = func_of(s, func);
	t->sp = sp;
	t->start = jifl_event_clock();
}

static void notrace syslat_leave(void *priv, unsigned long sp,
				 unsigned long retval)
{
	struct syslat *s = priv;
	struct syslat_thread *t;
	u64 ns;

	t = &s->threads[hash_32(current->pid, SYSLAT_THREADS_BITS)];
	if (READ_ONCE(t->tid) != current->pid)
		return;
	/* the return of the entry we saw, not of a nested one */
	if (sp == t->sp && t->f) {
		ns = jifl_event_clock() - t->start;
		atomic64_inc(&t->f->count);
		atomic64_add(ns, &t->f->total_ns);
		atomic64_inc(&t->f->buckets[min(ns ? ilog2(ns) : 0,
						SYSLAT_BUCKETS - 1)]);
	}
	WRITE_ONCE(t->tid, 0);
}

static int syslat_start(void **priv)
{
	struct syslat *s = vzalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	*priv = s;
	return 0;
}

static void syslat_release(void *priv)
{
	struct syslat *s = priv;

	if (atomic64_read(&s->dropped))
		pr_info("%lld entries not measured (thread slot taken)\n",
			atomic64_read(&s->dropped));
	vfree(s);
}

static int syslat_dump(void *priv, struct jifl_dump_buf *d)
{
	struct syslat *s = priv;
	struct syslat_rec r;
	unsigned int i, b;
	int ret;

	for (i = 0; i < SYSLAT_FUNCS; i++) {
		struct syslat_func *f = &s->funcs[i];

		if (!f->func || !atomic64_read(&f->count))
			continue;
		r.func = f->func;
		r.count = atomic64_read(&f->count);
		r.total_ns = atomic64_read(&f->total_ns);
		for (b = 0; b < SYSLAT_BUCKETS; b++)
			r.buckets[b] = atomic64_read(&f->buckets[b]);
		ret = jifl_dump_write(d, SYSLAT_REC, &r, sizeof(r));
		if (ret)
			return ret;
	}
	return 0;
}

static struct jifl_plugin syslat_plugin = {
	.name = "syslat",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = syslat_start,
	.release = syslat_release,
	.dump = syslat_dump,
	.enter = syslat_enter,
	.leave = syslat_leave,
};

static int __init syslat_init(void)
{
	return jifl_register_plugin(&syslat_plugin);
}

static void __exit syslat_exit(void)
{
	jifl_unregister_plugin(&syslat_plugin);
}

module_init(syslat_init);
module_exit(syslat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("jifl example plugin: per-system-call latency histograms");
MODULE_AUTHOR("The jifl developers");
