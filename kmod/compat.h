/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel interfaces that differ between the target kernels
 * (Debian's 6.1 and 6.12) live here, and only here.
 */
#ifndef JIFL_COMPAT_H
#define JIFL_COMPAT_H

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/version.h>

/* 6.2 renamed ftrace_instruction_pointer_set() */
static __always_inline void jifl_ftrace_set_ip(struct ftrace_regs *fregs,
					       unsigned long ip)
{
#ifdef ftrace_regs_set_instruction_pointer
	ftrace_regs_set_instruction_pointer(fregs, ip);
#else
	ftrace_instruction_pointer_set(fregs, ip);
#endif
}

/*
 * A module's core and init text.  6.4 replaced core_layout/init_layout
 * with mem[MOD_*].
 */
static inline void jifl_module_text(const struct module *mod,
				    unsigned long *core, unsigned long *core_size,
				    unsigned long *init, unsigned long *init_size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	*core = (unsigned long)mod->mem[MOD_TEXT].base;
	*core_size = mod->mem[MOD_TEXT].size;
	*init = (unsigned long)mod->mem[MOD_INIT_TEXT].base;
	*init_size = mod->mem[MOD_INIT_TEXT].size;
#else
	*core = (unsigned long)mod->core_layout.base;
	*core_size = mod->core_layout.text_size;
	*init = (unsigned long)mod->init_layout.base;
	*init_size = mod->init_layout.text_size;
#endif
}

/*
 * This CPU's preempt count (preemption disabled): 6.2 moved it into
 * struct pcpu_hot.
 */
static __always_inline int *jifl_preempt_count_ptr(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return this_cpu_ptr(&pcpu_hot.preempt_count);
#else
	return this_cpu_ptr(&__preempt_count);
#endif
}

#endif /* JIFL_COMPAT_H */
