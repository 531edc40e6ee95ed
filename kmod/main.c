// SPDX-License-Identifier: GPL-2.0
/*
 * jifl: JIT instrumentation framework for Linux.
 *
 * The control device /dev/jifl and module life cycle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "uapi/jifl.h"
#include "ioctl_struct.h"
#include "jifl.h"
#include "jifl_plugin.h"
#include "session.h"
#include "plugins/builtin.h"

static struct jifl_plugin *const jifl_builtin_plugins[] = {
	&jifl_bbcount_plugin,
	&jifl_cover_plugin,
	&jifl_calltrace_plugin,
	&jifl_sysstat_plugin,
};

#ifndef JIFL_VER_MAJOR
#define JIFL_VER_MAJOR 0
#define JIFL_VER_MINOR 0
#define JIFL_VER_PATCH 0
#endif

static int jifl_open(struct inode *inode, struct file *file)
{
	/* Tracing kernel code exposes kernel data: administrators only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static long jifl_ioctl_version(void __user *uarg)
{
	struct jifl_version ver = {
		.size = sizeof(ver),
		.abi_version = JIFL_ABI_VERSION,
		.module_version = JIFL_VERSION_PACK(JIFL_VER_MAJOR,
						    JIFL_VER_MINOR,
						    JIFL_VER_PATCH),
		.features = JIFL_FEAT_MASK,
	};
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, NULL, sizeof(ver), uarg,
				    JIFL_VERSION_SIZE_VER0);
	if (ret)
		return ret;
	return jifl_struct_to_user(uarg, usize, &ver, sizeof(ver));
}

static long jifl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != JIFL_IOC_MAGIC)
		return -ENOTTY;

	if (_IOC_NR(cmd) == _IOC_NR(JIFL_IOC_VERSION))
		return jifl_ioctl_version(uarg);
	return jifl_session_ioctl(file, cmd, uarg);
}

static int jifl_release(struct inode *inode, struct file *file)
{
	jifl_session_release(file);
	return 0;
}

static int jifl_mmap(struct file *file, struct vm_area_struct *vma)
{
	return jifl_session_mmap(file, vma);
}

static __poll_t jifl_poll(struct file *file, poll_table *wait)
{
	return jifl_session_poll(file, wait);
}

static const struct file_operations jifl_fops = {
	.owner = THIS_MODULE,
	.open = jifl_open,
	.release = jifl_release,
	.mmap = jifl_mmap,
	.poll = jifl_poll,
	.unlocked_ioctl = jifl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice jifl_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = JIFL_DEVICE_NAME,
	.fops = &jifl_fops,
	.mode = 0600,
};

static int __init jifl_init(void)
{
	unsigned int i;
	int ret;

	ret = jifl_cache_init();
	if (ret)
		return ret;
	ret = jifl_dispatch_init();
	if (ret)
		goto err_cache;
	jifl_native_of_init();
	ret = jifl_module_watch_init();
	if (ret)
		goto err_dispatch;
	jifl_label_watch_init();
	ret = jifl_plugins_init();
	if (ret)
		goto err_watch;
	for (i = 0; i < ARRAY_SIZE(jifl_builtin_plugins); i++) {
		ret = jifl_register_plugin(jifl_builtin_plugins[i]);
		if (ret)
			goto err_plugins;
	}
	ret = misc_register(&jifl_miscdev);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", JIFL_DEVICE_NAME, ret);
		goto err_plugins;
	}
	pr_info("version %d.%d.%d loaded (ABI %d)\n", JIFL_VER_MAJOR,
		JIFL_VER_MINOR, JIFL_VER_PATCH, JIFL_ABI_VERSION);
	return 0;

err_plugins:
	while (i-- > 0)
		jifl_unregister_plugin(jifl_builtin_plugins[i]);
	jifl_plugins_exit();
err_watch:
	jifl_label_watch_exit();
	jifl_module_watch_exit();
err_dispatch:
	jifl_dispatch_exit_module();
err_cache:
	jifl_cache_exit();
	return ret;
}

static void __exit jifl_exit(void)
{
	unsigned int i;

	misc_deregister(&jifl_miscdev);
	jifl_session_exit();
	for (i = 0; i < ARRAY_SIZE(jifl_builtin_plugins); i++)
		jifl_unregister_plugin(jifl_builtin_plugins[i]);
	jifl_plugins_exit();
	jifl_entry_exit_module();
	jifl_label_watch_exit();
	jifl_module_watch_exit();
	jifl_dispatch_exit_module();
	jifl_cache_exit();
}

module_init(jifl_init);
module_exit(jifl_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The jifl developers");
MODULE_DESCRIPTION("JIT instrumentation framework for Linux");
MODULE_VERSION(__stringify(JIFL_VER_MAJOR) "." __stringify(JIFL_VER_MINOR)
	       "." __stringify(JIFL_VER_PATCH));
