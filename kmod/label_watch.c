// SPDX-License-Identifier: GPL-2.0
/*
 * Static key updates: cache copies of static branch sites are direct jmps
 * (README "Static branch sites") that must be repointed whenever the
 * kernel rewrites the native site.  Every such rewrite goes through
 * arch_jump_label_transform_queue() (batched updates) or
 * arch_jump_label_transform() (single ones and early boot), both in
 * arch/x86/kernel/jump_label.c, with the entry and the type it applies;
 * an ftrace callback on them repoints the copies before the native text
 * is patched.  Until both are hooked, sites keep the live test.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/jump_label.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "jifl.h"

static const char *const jifl_label_funcs[] = {
	"arch_jump_label_transform_queue",
	"arch_jump_label_transform",
};

/*
 * Both functions take (struct jump_entry *entry, enum jump_label_type
 * type), JUMP_LABEL_JMP (1) for a jmp; the entry's code is the site.
 * The callback calls neither, so it cannot recurse into itself.
 */
static void notrace jifl_label_handler(unsigned long ip,
				       unsigned long parent_ip,
				       struct ftrace_ops *op,
				       struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct jump_entry *entry;

	if (!regs)
		return;
	entry = (struct jump_entry *)regs->di;
	jifl_dispatch_label_update(jump_entry_code(entry),
				   (u32)regs->si == JUMP_LABEL_JMP);
}

static struct ftrace_ops jifl_label_ops = {
	.func = jifl_label_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION,
};

static bool jifl_label_hooked;

/**
 * jifl_label_watch_init() - follow static key updates
 *
 * Not being able to (functions not traceable) is no error: static branch
 * sites then keep the live test.
 */
void jifl_label_watch_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ARRAY_SIZE(jifl_label_funcs); i++)
		ret = ftrace_set_filter(&jifl_label_ops,
					(unsigned char *)jifl_label_funcs[i],
					strlen(jifl_label_funcs[i]), !i);
	if (!ret)
		ret = register_ftrace_function(&jifl_label_ops);
	if (ret) {
		pr_info("static key updates not followed (%d): static branch sites test their bytes\n",
			ret);
		ftrace_free_filter(&jifl_label_ops);
		return;
	}
	jifl_label_hooked = true;
	jifl_dispatch_follow_labels(true);
}

/* Only while no task can be in the cache. */
void jifl_label_watch_exit(void)
{
	if (!jifl_label_hooked)
		return;
	jifl_dispatch_follow_labels(false);
	unregister_ftrace_function(&jifl_label_ops);
	ftrace_free_filter(&jifl_label_ops);
	jifl_label_hooked = false;
}
