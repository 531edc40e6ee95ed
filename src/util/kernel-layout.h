/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What jifl.ko must know of the running kernel's text, read from
 * /proc/kallsyms: the text bounds, the ranges that must run natively, and
 * the exception table.
 */
#ifndef JIFL_KERNEL_LAYOUT_H
#define JIFL_KERNEL_LAYOUT_H

#include <stddef.h>

#include "uapi/jifl.h"

struct kernel_layout {
	struct jifl_layout layout;
	__u64 ranges[2 * JIFL_LAYOUT_MAX_RANGES];
	const char *range_names[JIFL_LAYOUT_MAX_RANGES];
};

/**
 * kernel_layout_read() - read the layout of the running kernel
 * @kl:		result, ready for JIFL_IOC_LAYOUT
 * @kallsyms:	path of a kallsyms file (NULL: /proc/kallsyms)
 * @why:	on failure, what went wrong and what to do
 * @why_len:	size of @why
 *
 * Return: 0 or -errno.
 */
int kernel_layout_read(struct kernel_layout *kl, const char *kallsyms,
		       char *why, size_t why_len);

#endif /* JIFL_KERNEL_LAYOUT_H */
