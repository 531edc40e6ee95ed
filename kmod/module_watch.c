// SPDX-License-Identifier: GPL-2.0
/*
 * Modules going away: their translations must not outlive their code,
 * since the address range can later hold another module's code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/notifier.h>

#include "compat.h"
#include "jifl.h"

static int jifl_module_event(struct notifier_block *nb, unsigned long state,
			     void *data)
{
	unsigned long core, core_size, init, init_size;
	struct module *mod = data;
	unsigned int n;

	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	jifl_module_text(mod, &core, &core_size, &init, &init_size);
	n = jifl_dispatch_forget(core, core + core_size);
	if (init_size)
		n += jifl_dispatch_forget(init, init + init_size);
	if (n)
		pr_debug("%s unloading: %u translations dropped\n", mod->name,
			 n);
	return NOTIFY_DONE;
}

static struct notifier_block jifl_module_nb = {
	.notifier_call = jifl_module_event,
};

int jifl_module_watch_init(void)
{
	return register_module_notifier(&jifl_module_nb);
}

void jifl_module_watch_exit(void)
{
	unregister_module_notifier(&jifl_module_nb);
}
