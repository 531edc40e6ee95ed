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
#include <linux/poll.h>
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

static bool jifl_plugins_held;		/* plugin instances exist */
static char jifl_plugin_names[JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX];
static size_t jifl_plugin_names_len;

static void jifl_drain_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(jifl_drain_work, jifl_drain_fn);
static void jifl_sweep_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(jifl_sweep_work, jifl_sweep_fn);

/*
 * The plugins' data and the rings outlive STOP: tasks still in the cache
 * run instrumentation, and the tool dumps and drains after stopping.
 * They go once the session's file is closed and no task is in the cache.
 */
static void jifl_free_session_locked(void)
{
	if (jifl_owner || jifl_holding_module)
		return;
	if (jifl_plugins_held) {
		jifl_plugins_release();
		jifl_plugins_held = false;
	}
	jifl_rings_free();
}

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
	jifl_free_session_locked();
	module_put(THIS_MODULE);
}

/* Remove fired JIFL_STORE_ONCE stores every 100 ms while running. */
static void jifl_sweep_fn(struct work_struct *work)
{
	mutex_lock(&jifl_session_lock);
	if (jifl_started) {
		jifl_plugins_sweep();
		schedule_delayed_work(&jifl_sweep_work, HZ / 10);
	}
	mutex_unlock(&jifl_session_lock);
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
	if ((attach.flags & ~JIFL_ATTACH_FLAGS) || !attach.len ||
	    attach.len > JIFL_ATTACH_MAX_LEN)
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	patterns = vmemdup_user(u64_to_user_ptr(attach.patterns), attach.len);
	if (IS_ERR(patterns))
		return PTR_ERR(patterns);
	ret = jifl_entry_attach(patterns, attach.len, attach.flags);
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
	if (filter.mode > JIFL_FILTER_CGROUP ||
	    filter.nr_pids > JIFL_FILTER_MAX_PIDS ||
	    (filter.mode != JIFL_FILTER_ALL &&
	     filter.mode != JIFL_FILTER_CGROUP && !filter.nr_pids))
		return -EINVAL;
	/* the cgroup's descriptor came with size 40 and only there counts */
	if (filter.mode == JIFL_FILTER_CGROUP ?
	    usize < JIFL_FILTER_SIZE_VER1 || filter.cgroup_fd > INT_MAX :
	    filter.cgroup_fd != 0)
		return -EINVAL;
	if (jifl_started)
		return -EBUSY;
	pids = copy_u64s(filter.pids, filter.nr_pids);
	if (IS_ERR(pids))
		return PTR_ERR(pids);
	ret = jifl_entry_set_filter(filter.mode, pids, filter.nr_pids,
				    (int)filter.cgroup_fd);
	kfree(pids);
	return ret;
}

/* The names START selected: the list, plus "bbcount" for the old flag. */
static int start_names(const struct jifl_start *start, char *names,
		       size_t *len)
{
	static const char bbcount[] = "bbcount";
	size_t n = 0;

	if (start->plugins_len > JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX -
				 sizeof(bbcount) ||
	    (start->plugins_len && !start->plugins))
		return -EINVAL;
	if (start->plugins_len) {
		if (copy_from_user(names, u64_to_user_ptr(start->plugins),
				   start->plugins_len))
			return -EFAULT;
		n = start->plugins_len;
		if (names[n - 1])
			return -EINVAL;	/* the last name's NUL */
	}
	if (start->flags & JIFL_START_BBCOUNT) {
		memcpy(names + n, bbcount, sizeof(bbcount));
		n += sizeof(bbcount);
	}
	*len = n;
	return 0;
}

static long jifl_ioctl_start(void __user *uarg)
{
	char names[JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX];
	char bad[JIFL_PLUGIN_NAME_MAX];
	struct jifl_start start;
	size_t len;
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
	ret = start_names(&start, names, &len);
	if (ret)
		return ret;
	/*
	 * Tasks that stop could not move (inside jifl's code then) may have
	 * gone on to sleep or return since: move them now, and the earlier
	 * session's cache and plugins go.
	 */
	if (jifl_holding_module) {
		jifl_unpin_tasks();
		jifl_drain_locked();
	}
	/*
	 * A fresh cache and instrumentation, unless tasks of an earlier
	 * session are still in the cache: then it carries on as it was,
	 * which only works with the same plugins.
	 */
	if (!jifl_holding_module) {
		if (jifl_plugins_held) {
			jifl_plugins_release();
			jifl_plugins_held = false;
		}
		ret = jifl_plugins_start(names, len, bad, sizeof(bad));
		if (ret == -ESRCH)
			pr_info("no plugin '%s' is registered\n", bad);
		if (ret)
			return ret;
		jifl_plugins_held = true;
		memcpy(jifl_plugin_names, names, len);
		jifl_plugin_names_len = len;
		jifl_dispatch_set_instrumentation(jifl_plugins_ops(),
						  jifl_plugins_want_leave());
		jifl_dispatch_reset();
		__module_get(THIS_MODULE);
		jifl_holding_module = true;
	} else if (len != jifl_plugin_names_len ||
		   memcmp(names, jifl_plugin_names, len)) {
		pr_info("cannot start with other plugins: %ld task(s) of the previous session still count as in its code cache (those found inside jifl code are named above); they hold its cache and plugins until their system calls return: wake or kill them, or start with the same plugins\n",
			jifl_inflight_sum());
		return -EBUSY;
	}
	ret = jifl_entry_start();
	if (ret) {
		jifl_drain_locked();
		return ret;
	}
	jifl_started = true;
	jifl_rings_set_hup(false);
	schedule_delayed_work(&jifl_sweep_work, HZ / 10);
	return 0;
}

static void jifl_stop_locked(void)
{
	if (!jifl_started)
		return;
	jifl_entry_stop();
	jifl_started = false;
	/* first, so that no task runs instrumentation after its plugin stops */
	jifl_unpin_tasks();
	jifl_plugins_stop();
	jifl_rings_set_hup(true);
	jifl_drain_locked();
}

static long jifl_ioctl_rings(void __user *uarg)
{
	struct jifl_rings rings;
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, &rings, sizeof(rings), uarg,
				    JIFL_RINGS_SIZE_VER0);
	if (ret)
		return ret;
	if (jifl_started)
		return -EBUSY;
	ret = jifl_rings_create(&rings);
	if (ret)
		return ret;
	rings.size = sizeof(rings);
	return jifl_struct_to_user(uarg, usize, &rings, sizeof(rings));
}

static long jifl_ioctl_plugins(void __user *uarg)
{
	struct jifl_plugins pl;
	u64 usize;
	int ret;

	ret = jifl_struct_from_user(&usize, &pl, sizeof(pl), uarg,
				    JIFL_PLUGINS_SIZE_VER0);
	if (ret)
		return ret;
	if (pl.flags || pl.len > JIFL_DUMP_MAX)
		return -EINVAL;
	ret = jifl_plugins_list(u64_to_user_ptr(pl.buf), &pl.len);
	if (ret && ret != -ENOSPC)
		return ret;
	pl.size = sizeof(pl);
	if (jifl_struct_to_user(uarg, usize, &pl, sizeof(pl)))
		return -EFAULT;
	return ret;
}

static long jifl_ioctl_dump(void __user *uarg)
{
	char name[JIFL_PLUGIN_NAME_MAX];
	struct jifl_dump dump;
	u64 usize;
	long n;
	int ret;

	ret = jifl_struct_from_user(&usize, &dump, sizeof(dump), uarg,
				    JIFL_DUMP_SIZE_VER0);
	if (ret)
		return ret;
	if (dump.flags || dump.len > JIFL_DUMP_MAX)
		return -EINVAL;
	n = strncpy_from_user(name, u64_to_user_ptr(dump.plugin),
			      sizeof(name));
	if (n < 0)
		return n;
	if (n == sizeof(name))
		return -EINVAL;
	if (!jifl_plugins_held)
		return -ESRCH;
	ret = jifl_plugins_dump(name, u64_to_user_ptr(dump.buf), &dump.len,
				&dump.needed);
	if (ret && ret != -ENOSPC)
		return ret;
	dump.size = sizeof(dump);
	if (jifl_struct_to_user(uarg, usize, &dump, sizeof(dump)))
		return -EFAULT;
	return ret;
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
	st.entries_fault = jifl_entry_count_fault();
	jifl_entry_stats(&st);
	st.attached = jifl_entry_attached();
	st.stores_removed = jifl_plugins_stores_removed();
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
	if (_IOC_NR(cmd) == _IOC_NR(JIFL_IOC_PLUGINS)) {
		ret = jifl_ioctl_plugins(uarg);
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
	case _IOC_NR(JIFL_IOC_RINGS):
		ret = jifl_ioctl_rings(uarg);
		break;
	case _IOC_NR(JIFL_IOC_DUMP):
		ret = jifl_ioctl_dump(uarg);
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
		jifl_free_session_locked();
	}
	mutex_unlock(&jifl_session_lock);
}

/* mmap of the session's rings: only by the session's file */
int jifl_session_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	mutex_lock(&jifl_session_lock);
	ret = jifl_owner == file ? jifl_rings_mmap(vma) : -ENODEV;
	mutex_unlock(&jifl_session_lock);
	return ret;
}

__poll_t jifl_session_poll(struct file *file, poll_table *wait)
{
	if (READ_ONCE(jifl_owner) != file)
		return EPOLLERR;
	return jifl_rings_poll(file, wait);
}

void jifl_session_exit(void)
{
	cancel_delayed_work_sync(&jifl_sweep_work);
	cancel_delayed_work_sync(&jifl_drain_work);
	/* the module's exit: no file is open, no task in the cache */
	mutex_lock(&jifl_session_lock);
	jifl_free_session_locked();
	mutex_unlock(&jifl_session_lock);
}
