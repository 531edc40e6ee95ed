/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel interfaces that differ between the target kernels
 * (Debian's 6.1 and 6.12) live here, and only here.
 */
#ifndef JIFL_COMPAT_H
#define JIFL_COMPAT_H

#include <linux/ftrace.h>

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

#endif /* JIFL_COMPAT_H */
