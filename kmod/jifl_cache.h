/* SPDX-License-Identifier: GPL-2.0 */
/* The code cache's memory, exported by jifl_cache.ko. */
#ifndef JIFL_CACHE_H
#define JIFL_CACHE_H

#include <linux/module.h>
#include <linux/types.h>
#include <asm/extable.h>

extern u8 jifl_cache_area[], jifl_cache_area_end[];
extern struct module *jifl_cache_module;
extern struct exception_table_entry jifl_cache_extable[];

#endif /* JIFL_CACHE_H */
