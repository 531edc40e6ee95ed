// SPDX-License-Identifier: GPL-2.0
/*
 * A tracing session: the ioctls that configure, start and stop it, one
 * session (one open file) at a time, and keeping the module loaded while
 * any task may still be running from the code cache.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "jifl.h"
#include "ioctl_struct.h"
#include "session.h"

static DEFINE_MUTEX(jifl_session_lock);
static struct file *jifl_owner;		/* the session's file, or NULL */
static bool jifl_layout_set;
static bool jifl_started;
static bool jifl_holding_module;	/* the cache may be in use */

static void jifl_drain_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(jifl_drain_work, jifl_drain_fn);

/*
 * Drop the module reference taken at start once no task is between an
 * entry and its return; until then rmmod fails with EBUSY.
 */
static void jifl_drain_locked(void)
{
	if (!jifl_holding_module || jifl_started)
		return;
	if (jifl_inflight_sum() > 0) {
		schedule_delayed_work(&jifl_drain_work, HZ / 10);
		return;
	}
	jifl_holding_module = false;
	module_put(THIS_MODULE);
}

static void jifl_drain_fn(struct work_struct *work)
{
	mutex_lock(&jifl_session_lock);
	jifl_drain_locked();
	mutex_unlock(&jifl_session_lock);
}

static int jifl_claim_locked(struct file *file)
{
	if (jifl_owner && jifl_owner != file)
		return -EBUSY;
	jifl_owner = file;
	return 0;
}

/* @n __u64s from user space; NULL (not an error) when @n is 0 */
static u64 *copy_u64s(u64 uptr, u64 n)
{
	if (!n)
		return NULL;
	return memdup_user(u64_to_user_ptr(uptr), n * sizeof(u64));
}

static long jifl_ioctl_layout(void __user *uarg)
{
	struct jifl_layout layout;
	u64 usize, *ranges, *modules;
	int ret;

	ret = jifl_struct_from_user(&usize, &layout, sizeof(layout), uarg,
				    JIFL_LAYOUT_SIZE_VER0);
	if (ret)
		return ret;
	if (layout.flags || layout.nr_ranges > JIFL_LAYOUT_MAX_RANGES ||
	    layout.nr_modules > JIFL_LAYOUT_MAX_RANGES)
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	ranges = copy_u64s(layout.ranges, layout.nr_ranges * 2);
	if (IS_ERR(ranges))
		return PTR_ERR(ranges);
	modules = copy_u64s(layout.modules, layout.nr_modules * 2);
	if (IS_ERR(modules)) {
		kfree(ranges);
		return PTR_ERR(modules);
	}
	ret = jifl_set_layout(&layout, ranges, modules);
	kfree(modules);
	kfree(ranges);
	if (!ret)
		jifl_layout_set = true;
	return ret;
}

static long jifl_ioctl_attach(void __user *uarg)
{
	struct jifl_attach attach;
	char *patterns;
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, &attach, sizeof(attach), uarg,
				    JIFL_ATTACH_SIZE_VER0);
	if (ret)
		return ret;
	if (attach.flags || !attach.len || attach.len > JIFL_ATTACH_MAX_LEN)
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	patterns = vmemdup_user(u64_to_user_ptr(attach.patterns), attach.len);
	if (IS_ERR(patterns))
		return PTR_ERR(patterns);
	ret = jifl_entry_attach(patterns, attach.len);
	kvfree(patterns);
	return ret;
}

static long jifl_ioctl_filter(void __user *uarg)
{
	struct jifl_filter filter;
	u64 usize, *pids;
	int ret;

	ret = jifl_struct_from_user(&usize, &filter, sizeof(filter), uarg,
				    JIFL_FILTER_SIZE_VER0);
	if (ret)
		return ret;
	if (filter.mode > JIFL_FILTER_TREE ||
	    filter.nr_pids > JIFL_FILTER_MAX_PIDS ||
	    (filter.mode != JIFL_FILTER_ALL && !filter.nr_pids))
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	pids = copy_u64s(filter.pids, filter.nr_pids);
	if (IS_ERR(pids))
		return PTR_ERR(pids);
	ret = jifl_entry_set_filter(filter.mode, pids, filter.nr_pids);
	kfree(pids);
	return ret;
}

static long jifl_ioctl_start(void __user *uarg)
{
	struct jifl_start start;
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, &start, sizeof(start), uarg,
				    JIFL_START_SIZE_VER0);
	if (ret)
		return ret;
	if (start.flags & ~JIFL_START_FLAGS)
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	if (!jifl_layout_set)
		return -EINVAL;
	if (!jifl_entry_attached())
		return -ENOENT;
	/*
	 * A fresh cache and instrumentation, unless tasks of an earlier
	 * session are still in the cache: then it carries on as it was.
	 */
	if (!jifl_holding_module) {
		ret = jifl_dispatch_set_instrumentation(start.flags);
		if (ret)
			return ret;
		jifl_dispatch_reset();
		__module_get(THIS_MODULE);
		jifl_holding_module = true;
	}
	ret = jifl_entry_start();
	if (ret) {
		jifl_drain_locked();
		return ret;
	}
	jifl_started = true;
	return 0;
}

static void jifl_stop_locked(void)
{
	if (!jifl_started)
		return;
	jifl_entry_stop();
	jifl_started = false;
	jifl_drain_locked();
}

static long jifl_ioctl_blocks(void __user *uarg)
{
	struct jifl_blocks blocks;
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, &blocks, sizeof(blocks), uarg,
				    JIFL_BLOCKS_SIZE_VER0);
	if (ret)
		return ret;
	if (blocks.flags || blocks.nr > JIFL_BLOCKS_MAX)
		return -EINVAL;
	ret = jifl_dispatch_blocks(u64_to_user_ptr(blocks.entries), &blocks.nr,
				   &blocks.total);
	if (ret)
		return ret;
	return jifl_struct_to_user(uarg, usize, &blocks, sizeof(blocks));
}

static long jifl_ioctl_stats(void __user *uarg)
{
	struct jifl_stats st = { .size = sizeof(st) };
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, NULL, sizeof(st), uarg,
				    JIFL_STATS_SIZE_VER0);
	if (ret)
		return ret;
	jifl_dispatch_stats(&st);
	st.running = jifl_started;
	st.entries = jifl_entry_count();
	st.attached = jifl_entry_attached();
	return jifl_struct_to_user(uarg, usize, &st, sizeof(st));
}

/**
 * jifl_session_ioctl() - the session's ioctls
 * @file:	the caller's open /dev/jifl
 * @cmd:	JIFL_IOC_* other than VERSION
 * @uarg:	the argument
 *
 * Return: 0 or -errno; -ENOTTY for commands that are not ours.
 */
long jifl_session_ioctl(struct file *file, unsigned int cmd, void __user *uarg)
{
	long ret;

	mutex_lock(&jifl_session_lock);
	if (_IOC_NR(cmd) == _IOC_NR(JIFL_IOC_STATS)) {
		ret = jifl_ioctl_stats(uarg);
		goto out;
	}
	if (_IOC_NR(cmd) == _IOC_NR(JIFL_IOC_BLOCKS)) {
		ret = jifl_ioctl_blocks(uarg);
		goto out;
	}
	ret = jifl_claim_locked(file);
	if (ret)
		goto out;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(JIFL_IOC_LAYOUT):
		ret = jifl_ioctl_layout(uarg);
		break;
	case _IOC_NR(JIFL_IOC_ATTACH):
		ret = jifl_ioctl_attach(uarg);
		break;
	case _IOC_NR(JIFL_IOC_FILTER):
		ret = jifl_ioctl_filter(uarg);
		break;
	case _IOC_NR(JIFL_IOC_START):
		ret = jifl_ioctl_start(uarg);
		break;
	case _IOC_NR(JIFL_IOC_STOP):
		ret = jifl_started ? 0 : -EINVAL;
		jifl_stop_locked();
		break;
	default:
		ret = -ENOTTY;
		break;
	}
out:
	mutex_unlock(&jifl_session_lock);
	return ret;
}

/* The session's file is closed: stop, forget its configuration. */
void jifl_session_release(struct file *file)
{
	mutex_lock(&jifl_session_lock);
	if (jifl_owner == file) {
		jifl_stop_locked();
		jifl_entry_reset();
		jifl_layout_set = false;
		jifl_owner = NULL;
	}
	mutex_unlock(&jifl_session_lock);
}

void jifl_session_exit(void)
{
	cancel_delayed_work_sync(&jifl_drain_work);
}
