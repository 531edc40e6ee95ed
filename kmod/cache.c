// SPDX-License-Identifier: GPL-2.0
/*
 * The code cache memory: the .jifl_cache section of jifl_cache.ko's text
 * (jifl_cache.c), written through a permanent vmap() alias, since module
 * text is read-only and text_poke_copy() may sleep while the dispatcher
 * runs with interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "jifl.h"
#include "cache_size.h"

/* Writable alias of jifl_cache_area; same offsets. */
u8 *jifl_cache_alias;

int jifl_cache_init(void)
{
	unsigned int i, nr = JIFL_CACHE_SIZE >> PAGE_SHIFT;
	struct page **pages;

	if (jifl_cache_area_end - jifl_cache_area != JIFL_CACHE_SIZE ||
	    offset_in_page(jifl_cache_area)) {
		pr_err("code cache section is misplaced\n");
		return -EINVAL;
	}
	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		pages[i] = vmalloc_to_page(jifl_cache_area + i * PAGE_SIZE);
		if (!pages[i]) {
			pr_err("code cache page %u has no struct page\n", i);
			kvfree(pages);
			return -EFAULT;
		}
	}
	jifl_cache_alias = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!jifl_cache_alias)
		return -ENOMEM;
	jifl_cache_reset();
	return 0;
}

void jifl_cache_exit(void)
{
	vunmap(jifl_cache_alias);
	jifl_cache_alias = NULL;
}

/* Only when no task can be in the cache: fill it with int3. */
void jifl_cache_reset(void)
{
	memset(jifl_cache_alias, 0xcc, JIFL_CACHE_SIZE);
}

u64 jifl_cache_size(void)
{
	return JIFL_CACHE_SIZE;
}

bool jifl_cache_contains(unsigned long addr)
{
	return addr >= (unsigned long)jifl_cache_area &&
	       addr < (unsigned long)jifl_cache_area_end;
}
