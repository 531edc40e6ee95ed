// SPDX-License-Identifier: GPL-2.0
/*
 * Exception tables: which native instructions may fault to a fixup
 * (uaccess, _safe MSR accesses, ...), and the entries that make their
 * cache copies fault to the same fixup.
 *
 * The native side is read once per layout: the core kernel's __ex_table
 * (bounds from the tool, which reads them in /proc/kallsyms) and the
 * tables of the modules the session translates. The cache side is
 * jifl_cache.ko's own exception table: the kernel's fault handler looks a
 * faulting address up in the table of the module whose text holds it, and
 * the cache is that module's text. Entries are appended in cache address
 * order (the cache fills upwards), so the table stays sorted for the
 * handler's binary search, and each is complete before it is counted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/extable.h>

#include "jifl.h"
#include "addr_filter.h"
#include "cache_size.h"

#define JIFL_EXTABLE_MAX	(1U << 17)

/*
 * @filter: the translator asks about every instruction it reads, and
 * nearly none has an entry
 */
struct jifl_extable {
	unsigned int nr;
	struct jifl_addr_filter filter;
	struct jifl_ex ex[];
};

static int cmp_ex(const void *a, const void *b)
{
	const struct jifl_ex *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

/* Append the absolute form of @n entries at @e (kernel memory). */
static int add_entries(struct jifl_extable *t, unsigned int cap,
		       const struct exception_table_entry *e, unsigned int n)
{
	struct exception_table_entry ent;
	unsigned int i;

	if (n > cap - t->nr)
		return -E2BIG;
	for (i = 0; i < n; i++, e++) {
		if (copy_from_kernel_nofault(&ent, e, sizeof(ent)))
			return -EFAULT;
		t->ex[t->nr].insn = (unsigned long)&e->insn + ent.insn;
		t->ex[t->nr].fixup = (unsigned long)&e->fixup + ent.fixup;
		t->ex[t->nr].data = ent.data;
		t->nr++;
	}
	return 0;
}

/**
 * jifl_module_holding() - the module whose memory holds @addr
 * @addr:	an address
 *
 * No lookup of this kind is exported: walk the module list from our own
 * entry, skipping its head, which is the one element that does not live
 * in module memory. Call under rcu_read_lock_sched().
 *
 * Return: the module, or NULL.
 */
struct module *jifl_module_holding(unsigned long addr)
{
	struct module *mod;

	list_for_each_entry_rcu(mod, &THIS_MODULE->list, list) {
		unsigned long m = (unsigned long)mod;

		if (m < MODULES_VADDR || m >= MODULES_END)
			continue;
		if (within_module(addr, mod))
			return mod;
	}
	return NULL;
}

/**
 * jifl_extable_build() - the sorted exception table of what is translated
 * @start:	__start___ex_table of the core kernel (0 with @end 0: none)
 * @end:	__stop___ex_table
 * @modules:	@nr_modules [start, end) pairs of module text translated too
 * @nr_modules:	their number
 *
 * Return: the table, or an ERR_PTR: -EINVAL for bounds that are not a
 * table, -ENOENT for a module range no module holds, -E2BIG, -ENOMEM.
 */
struct jifl_extable *jifl_extable_build(u64 start, u64 end, const u64 *modules,
					unsigned int nr_modules)
{
	const unsigned int esize = sizeof(struct exception_table_entry);
	unsigned int n = (end - start) / esize, i;
	struct jifl_extable *t;
	int ret = 0;

	if (end < start || (end - start) % esize || n > JIFL_EXTABLE_MAX)
		return ERR_PTR(-EINVAL);
	t = vmalloc(struct_size(t, ex, JIFL_EXTABLE_MAX));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->nr = 0;
	ret = add_entries(t, JIFL_EXTABLE_MAX, (void *)(unsigned long)start, n);
	rcu_read_lock_sched();
	for (i = 0; !ret && i < nr_modules; i++) {
		struct module *mod = jifl_module_holding(modules[2 * i]);

		if (!mod)
			ret = -ENOENT;
		else
			ret = add_entries(t, JIFL_EXTABLE_MAX, mod->extable,
					  mod->num_exentries);
	}
	rcu_read_unlock_sched();
	if (ret) {
		vfree(t);
		return ERR_PTR(ret);
	}
	sort(t->ex, t->nr, sizeof(t->ex[0]), cmp_ex, NULL);
	memset(&t->filter, 0, sizeof(t->filter));
	for (i = 0; i < t->nr; i++)
		jifl_filter_add(&t->filter, t->ex[i].insn);
	return t;
}

void jifl_extable_free(struct jifl_extable *t)
{
	vfree(t);
}

/* The entry of native instruction @pc, or NULL. */
const struct jifl_ex *jifl_extable_find(const struct jifl_extable *t, u64 pc)
{
	unsigned int lo = 0, hi;

	if (!t || !jifl_filter_may_hold(&t->filter, pc))
		return NULL;
	/* no bsearch(): an indirect call per step, on every instruction */
	hi = t->nr;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->ex[mid].insn < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nr && t->ex[lo].insn == pc ? &t->ex[lo] : NULL;
}

unsigned int jifl_extable_size(const struct jifl_extable *t)
{
	return t ? t->nr : 0;
}

/* --- entries for cache copies, in jifl_cache.ko's table --- */

/* Entries used; jifl_cache_module->num_exentries publishes them */
static unsigned int jifl_cache_ex_used;

void jifl_cache_ex_init(void)
{
	jifl_cache_module->extable = jifl_cache_extable;
	jifl_cache_ex_reset();
}

void jifl_cache_ex_exit(void)
{
	WRITE_ONCE(jifl_cache_module->num_exentries, 0);
	jifl_cache_module->extable = NULL;
}

/* Only while no task can be in the cache. */
void jifl_cache_ex_reset(void)
{
	WRITE_ONCE(jifl_cache_module->num_exentries, 0);
	jifl_cache_ex_used = 0;
}

bool jifl_cache_ex_room(unsigned int n)
{
	return n <= JIFL_CACHE_EX_MAX - jifl_cache_ex_used;
}

unsigned int jifl_cache_ex_count(void)
{
	return jifl_cache_ex_used;
}

/**
 * jifl_cache_ex_add() - make a cache copy fault to its native fixup
 * @cache_pc:	address of the copy; above every earlier one
 * @ex:		the native instruction's entry
 *
 * Under the dispatcher lock, before the copy can run.
 *
 * Return: false if the table is full or the entry would be out of order.
 */
bool jifl_cache_ex_add(u64 cache_pc, const struct jifl_ex *ex)
{
	struct exception_table_entry *e;
	unsigned int n = jifl_cache_ex_used;

	if (!jifl_cache_ex_room(1))
		return false;
	e = &jifl_cache_extable[n];
	if (n && cache_pc <= (unsigned long)&e[-1].insn + e[-1].insn)
		return false;
	e->insn = (int)(cache_pc - (unsigned long)&e->insn);
	e->fixup = (int)(ex->fixup - (unsigned long)&e->fixup);
	e->data = ex->data;
	/* the fault handler reads entries below the count it sees */
	smp_wmb();
	WRITE_ONCE(jifl_cache_module->num_exentries, n + 1);
	jifl_cache_ex_used = n + 1;
	return true;
}
