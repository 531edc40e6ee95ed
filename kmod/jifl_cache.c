// SPDX-License-Identifier: GPL-2.0
/*
 * jifl_cache.ko: the memory of jifl's code cache, an empty executable
 * section of this module's text. Living in module text keeps it within
 * +-2 GiB of kernel text (rel32 branches and RIP-relative operands reach)
 * and makes exception-table and unwinder lookups for cache addresses find
 * a module. jifl.ko writes it through a vmap() alias.
 *
 * It is a module of its own because objtool, which since 6.2 checks a
 * whole module at link time when IBT is configured, cannot read an empty
 * (NOBITS) executable section: this single-object module is built without
 * objtool, while jifl.ko keeps its checks and ORC data.
 */
#include <linux/module.h>
#include <asm/extable.h>

#include "cache_size.h"
#include "jifl_cache.h"

asm(".pushsection .jifl_cache, \"ax\", @nobits\n"
	".balign 4096\n"
	".globl jifl_cache_area\n"
	"jifl_cache_area:\n"
	".skip " __stringify(JIFL_CACHE_SIZE) "\n"
	".globl jifl_cache_area_end\n"
	"jifl_cache_area_end:\n"
	".popsection\n");
/* defined by the asm above, so checkpatch cannot see them follow it */
EXPORT_SYMBOL_GPL(jifl_cache_area);
EXPORT_SYMBOL_GPL(jifl_cache_area_end);

/* jifl.ko adds exception-table and unwind entries to this module. */
struct module *jifl_cache_module = THIS_MODULE;
EXPORT_SYMBOL_GPL(jifl_cache_module);

/*
 * This module's exception table, filled by jifl.ko for the cache copies
 * of instructions that may fault to a fixup (the kernel finds it through
 * the module whose text holds the faulting address). Entries hold
 * offsets relative to themselves, so the table lives in module memory,
 * within reach of both the cache and kernel text.
 */
struct exception_table_entry jifl_cache_extable[JIFL_CACHE_EX_MAX];
EXPORT_SYMBOL_GPL(jifl_cache_extable);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The jifl developers");
MODULE_DESCRIPTION("Code cache memory of jifl, the JIT instrumentation framework");
