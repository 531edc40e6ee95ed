// SPDX-License-Identifier: GPL-2.0
/*
 * Text the kernel patches at run time at known sites, which translations
 * must follow rather than copy: static branch (jump label) sites and
 * static call sites, of the core kernel (tables the layout names) and of
 * the modules translated with it (their struct module fields). Built when
 * the layout is set, sorted by site address, read under the cache lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jump_label.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/static_call.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "jifl.h"
#include "addr_filter.h"

#define JIFL_SITES_MAX		(1U << 20)

/* static_call_types.h: the key's low bits */
#define SC_TAIL			1UL
#define SC_INIT			2UL
#define SC_FLAGS		3UL

struct jifl_jump_site {
	unsigned long site;
	unsigned long target;
	unsigned long key;	/* its struct static_key */
	bool branch;		/* the entry's branch bit (static_branch_likely) */
};

struct jifl_call_site {
	unsigned long site;
	unsigned long key;	/* address of the key's function word */
	bool tail;
};

/**
 * struct jifl_sites - the patched sites of what is translated
 * @jump:	static branch sites and their jmp targets, sorted by site
 * @nr_jump:	entries in @jump
 * @call:	static call sites, sorted by site
 * @nr_call:	entries in @call
 * @jump_filter: the sites of @jump (the translator asks about every
 *		instruction it reads, and nearly none is a site)
 * @call_filter: the sites of @call
 */
struct jifl_sites {
	struct jifl_jump_site *jump;
	unsigned int nr_jump;
	struct jifl_call_site *call;
	unsigned int nr_call;
	struct jifl_addr_filter jump_filter;
	struct jifl_addr_filter call_filter;
};

static int cmp_jump(const void *a, const void *b)
{
	const struct jifl_jump_site *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

static int cmp_call(const void *a, const void *b)
{
	const struct jifl_call_site *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

/*
 * Append the entries of a jump table (struct jump_entry, relative on
 * x86-64 in both 6.1 and 6.12: code, target, then the key, whose low bits
 * are the branch and init flags: jump_entry_key(), jump_entry_is_branch()).
 * @cap bounds the array.
 */
static int add_jump_entries(struct jifl_sites *s, unsigned int cap,
			    unsigned long start, unsigned int n)
{
	const unsigned int esize = sizeof(struct jump_entry);
	struct jump_entry je;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct jump_entry) != 2 * sizeof(s32) +
		     sizeof(long));
	for (i = 0; i < n; i++) {
		unsigned long e = start + (unsigned long)i * esize;
		struct jifl_jump_site *js = &s->jump[s->nr_jump];

		if (s->nr_jump >= cap)
			return -E2BIG;
		if (copy_from_kernel_nofault(&je, (void *)e, sizeof(je)))
			return -EFAULT;
		js->site = e + je.code;
		js->target = e + sizeof(s32) + je.target;
		js->key = e + offsetof(struct jump_entry, key) + (je.key & ~3L);
		js->branch = je.key & 1;
		s->nr_jump++;
	}
	return 0;
}

/*
 * Append the entries of a static call site table (struct static_call_site:
 * relative site, relative key with the tail and init flags in its low
 * bits). Sites in init text are left out: they never run again once the
 * table is readable, and their memory is reused. A key must be readable:
 * translations load from it.
 */
static int add_call_sites(struct jifl_sites *s, unsigned int cap,
			  unsigned long start, unsigned int n)
{
	const unsigned int esize = sizeof(struct static_call_site);
	unsigned int i;
	s32 rel[2];

	BUILD_BUG_ON(sizeof(struct static_call_site) != 2 * sizeof(s32));
	for (i = 0; i < n; i++) {
		unsigned long e = start + (unsigned long)i * esize;
		unsigned long key;
		void *func;

		if (s->nr_call >= cap)
			return -E2BIG;
		if (copy_from_kernel_nofault(rel, (void *)e, sizeof(rel)))
			return -EFAULT;
		key = e + sizeof(s32) + rel[1];
		if (key & SC_INIT)
			continue;
		key = (key & ~SC_FLAGS) + offsetof(struct static_call_key, func);
		if (!IS_ALIGNED(key, sizeof(long)) ||
		    copy_from_kernel_nofault(&func, (void *)key, sizeof(func)))
			return -EFAULT;
		s->call[s->nr_call].site = e + rel[0];
		s->call[s->nr_call].key = key;
		s->call[s->nr_call].tail = (e + sizeof(s32) + rel[1]) & SC_TAIL;
		s->nr_call++;
	}
	return 0;
}

static int check_table(u64 start, u64 end, unsigned int esize,
		       unsigned int *n)
{
	*n = 0;
	if (!start && !end)
		return 0;
	if (end < start || (end - start) % esize ||
	    (end - start) / esize > JIFL_SITES_MAX)
		return -EINVAL;
	*n = (end - start) / esize;
	return 0;
}

/**
 * jifl_sites_build() - the patched sites of the core kernel and modules
 * @layout:	the layout: core kernel jump table and static call sites
 * @modules:	@layout->nr_modules [start, end) pairs of module text
 *		translated too; their modules' tables are added
 *
 * Return: the sites, or an ERR_PTR: -EINVAL for bounds that are not a
 * table, -EFAULT for an unreadable one, -ENOENT for a module range no
 * module holds, -E2BIG, -ENOMEM.
 */
struct jifl_sites *jifl_sites_build(const struct jifl_layout *layout,
				    const u64 *modules)
{
	unsigned int nj, nc, cap_j, cap_c, i;
	struct jifl_sites *s;
	int ret;

	ret = check_table(layout->jump_table_start, layout->jump_table_end,
			  sizeof(struct jump_entry), &nj);
	if (!ret)
		ret = check_table(layout->static_call_sites_start,
				  layout->static_call_sites_end,
				  sizeof(struct static_call_site), &nc);
	if (ret)
		return ERR_PTR(ret);
	/* module tables are short; bound the whole by the same limit */
	cap_j = min(nj + 65536U, JIFL_SITES_MAX);
	cap_c = min(nc + 65536U, JIFL_SITES_MAX);
	s = kvzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->jump = vmalloc_array(cap_j, sizeof(*s->jump));
	s->call = vmalloc_array(cap_c, sizeof(*s->call));
	if (!s->jump || !s->call) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = add_jump_entries(s, cap_j, layout->jump_table_start, nj);
	if (!ret)
		ret = add_call_sites(s, cap_c, layout->static_call_sites_start,
				     nc);
	rcu_read_lock_sched();
	for (i = 0; !ret && i < layout->nr_modules; i++) {
		struct module *mod = jifl_module_holding(modules[2 * i]);

		if (!mod) {
			ret = -ENOENT;
			break;
		}
		/* without the core tables (a control run), none at all */
		if (layout->jump_table_end)
			ret = add_jump_entries(s, cap_j,
					       (unsigned long)mod->jump_entries,
					       mod->num_jump_entries);
		if (!ret && layout->static_call_sites_end)
			ret = add_call_sites(s, cap_c,
					     (unsigned long)mod->static_call_sites,
					     mod->num_static_call_sites);
	}
	rcu_read_unlock_sched();
	if (ret)
		goto fail;
	sort(s->jump, s->nr_jump, sizeof(*s->jump), cmp_jump, NULL);
	sort(s->call, s->nr_call, sizeof(*s->call), cmp_call, NULL);
	for (i = 0; i < s->nr_jump; i++)
		jifl_filter_add(&s->jump_filter, s->jump[i].site);
	for (i = 0; i < s->nr_call; i++)
		jifl_filter_add(&s->call_filter, s->call[i].site);
	return s;
fail:
	jifl_sites_free(s);
	return ERR_PTR(ret);
}

void jifl_sites_free(struct jifl_sites *s)
{
	if (!s)
		return;
	vfree(s->jump);
	vfree(s->call);
	kvfree(s);
}

/*
 * The lookups: the filter first, then a binary search written out (no
 * bsearch(), which makes an indirect call per step).
 */
static const struct jifl_jump_site *find_jump(const struct jifl_sites *s,
					      u64 pc)
{
	unsigned int lo = 0, hi;

	if (!s || !jifl_filter_may_hold(&s->jump_filter, pc))
		return NULL;
	hi = s->nr_jump;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->jump[mid].site < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nr_jump && s->jump[lo].site == pc ? &s->jump[lo] : NULL;
}

static const struct jifl_call_site *find_call(const struct jifl_sites *s,
					      u64 pc)
{
	unsigned int lo = 0, hi;

	if (!s || !jifl_filter_may_hold(&s->call_filter, pc))
		return NULL;
	hi = s->nr_call;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->call[mid].site < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nr_call && s->call[lo].site == pc ? &s->call[lo] : NULL;
}

/**
 * jifl_sites_jump() - is @pc a static branch site?
 * @s:		the sites, or NULL
 * @pc:		native address
 * @target:	set to where its jmp goes
 *
 * Return: true if it is.
 */
bool jifl_sites_jump(const struct jifl_sites *s, u64 pc, u64 *target)
{
	const struct jifl_jump_site *found = find_jump(s, pc);

	if (!found)
		return false;
	*target = found->target;
	return true;
}

/**
 * jifl_sites_jump_state() - a static branch site's state by its key
 * @s:		the sites, or NULL
 * @pc:		native address
 *
 * What jump_label_type() gives for the site's entry (kernel/jump_label.c):
 * the key's enabled count (static_key_count(): -1, an enable under way,
 * counts as enabled) xor the entry's branch bit.  The kernel sets the
 * count before it patches the sites of an update (static_key_enable(),
 * static_key_slow_inc(), static_key_disable(), __static_key_slow_dec()),
 * so this is the state the site has or is about to get.
 *
 * Return: 1 for a jmp, 0 for a nop, -1 if @pc is no site or its key is
 * unreadable.
 */
int jifl_sites_jump_state(const struct jifl_sites *s, u64 pc)
{
	const struct jifl_jump_site *found = find_jump(s, pc);
	int enabled;

	if (!found || !IS_ALIGNED(found->key, sizeof(int)) ||
	    copy_from_kernel_nofault(&enabled, (void *)found->key +
				     offsetof(struct static_key, enabled),
				     sizeof(enabled)))
		return -1;
	return (enabled != 0) ^ found->branch;
}

/**
 * jifl_sites_static_call() - is @pc a static call site?
 * @s:		the sites, or NULL
 * @pc:		native address
 * @key:	if not NULL, set to the address of its key's function word
 * @tail:	if not NULL, set to whether it is a tail call
 *
 * Return: true if it is.
 */
bool jifl_sites_static_call(const struct jifl_sites *s, u64 pc, u64 *key,
			    bool *tail)
{
	const struct jifl_call_site *found = find_call(s, pc);

	if (!found)
		return false;
	if (key)
		*key = found->key;
	if (tail)
		*tail = found->tail;
	return true;
}

/**
 * jifl_sites_count() - how many sites of each kind
 * @s:		the sites, or NULL
 * @jump:	set to the static branch sites
 * @call:	set to the static call sites
 */
void jifl_sites_count(const struct jifl_sites *s, unsigned int *jump,
		      unsigned int *call)
{
	*jump = s ? s->nr_jump : 0;
	*call = s ? s->nr_call : 0;
}
