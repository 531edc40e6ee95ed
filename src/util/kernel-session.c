// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/jifl-dev.h"
#include "util/kernel-layout.h"
#include "util/kernel-session.h"
#include "util/kmod-load.h"

static const char *const fallback_names[JIFL_FB_NR] = {
	[JIFL_FB_OUTSIDE_TEXT] = "outside kernel text",
	[JIFL_FB_EXCLUDED] = "excluded section",
	[JIFL_FB_EXTABLE] = "exception-table insn",
	[JIFL_FB_DECODE] = "undecodable",
	[JIFL_FB_TRAP] = "trap insn",
	[JIFL_FB_RANGE] = "out of rel32 reach",
	[JIFL_FB_CACHE_FULL] = "cache full",
	[JIFL_FB_OTHER] = "other",
	[JIFL_FB_PATCHED] = "patched branch out of text",
};

const char *ks_fallback_name(unsigned int reason)
{
	return reason < JIFL_FB_NR ? fallback_names[reason] : "?";
}

static int fail(struct kernel_session *s, int err, const char *what)
{
	snprintf(s->why, sizeof(s->why), "%s: %s", what, strerror(err));
	return -err;
}

int ks_open(struct kernel_session *s, bool load)
{
	memset(s, 0, sizeof(*s));
	s->fd = jifl_dev_open(s->why, sizeof(s->why));
	if (s->fd == -ENOENT && load && !kmod_load_jifl(s->why, sizeof(s->why)))
		s->fd = jifl_dev_open(s->why, sizeof(s->why));
	return s->fd < 0 ? s->fd : 0;
}

void ks_close(struct kernel_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* A number from /sys/module/NAME/FILE; 0 if it cannot be read. */
static unsigned long long module_number(const char *name, const char *file,
					 bool hex)
{
	unsigned long long v = 0;
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/module/%s/%s", name, file);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (fscanf(fp, hex ? "%llx" : "%llu", &v) != 1)
		v = 0;
	fclose(fp);
	return v;
}

/*
 * A loaded module's text, from its text symbols in /proc/kallsyms. Only
 * symbols from its .text section on (/sys/module/NAME/sections/.text) up
 * to its core size count: kallsyms also lists the names of init functions
 * ftrace saw, at init text addresses freed since.
 */
static int module_text(struct kernel_session *s, const char *name,
		       __u64 *start, __u64 *end)
{
	char line[512], tag[128], type, sym[256];
	unsigned long long addr, lo, hi;
	FILE *fp;

	lo = module_number(name, "sections/.text", true);
	hi = module_number(name, "coresize", false);
	hi = lo && hi ? lo + hi : ~0ULL;
	fp = fopen("/proc/kallsyms", "re");
	if (!fp)
		return fail(s, errno, "/proc/kallsyms");
	snprintf(tag, sizeof(tag), "[%s]", name);
	*start = ~0ULL;
	*end = 0;
	while (fgets(line, sizeof(line), fp)) {
		if (!strstr(line, tag) ||
		    sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 ||
		    (type != 't' && type != 'T') || addr < lo || addr >= hi)
			continue;
		if (addr < *start)
			*start = addr;
		if (addr > *end)
			*end = addr;
	}
	fclose(fp);
	if (!*end) {
		snprintf(s->why, sizeof(s->why),
			 "module %s has no text symbols: is it loaded?", name);
		return -ENOENT;
	}
	*start &= ~4095ULL;
	*end = (*end | 4095) + 1;
	return 0;
}

int ks_layout(struct kernel_session *s, const char *const *modules,
	      unsigned int nr_modules)
{
	__u64 ranges[2 * JIFL_LAYOUT_MAX_RANGES];
	struct kernel_layout kl;
	unsigned int i;
	int ret;

	ret = kernel_layout_read(&kl, NULL, s->why, sizeof(s->why));
	if (ret)
		return ret;
	if (nr_modules > JIFL_LAYOUT_MAX_RANGES)
		return fail(s, E2BIG, "too many modules");
	for (i = 0; i < nr_modules; i++) {
		ret = module_text(s, modules[i], &ranges[2 * i],
				  &ranges[2 * i + 1]);
		if (ret)
			return ret;
	}
	kl.layout.modules = (unsigned long)ranges;
	kl.layout.nr_modules = nr_modules;
	if (ioctl(s->fd, JIFL_IOC_LAYOUT, &kl.layout)) {
		if (errno == EBUSY) {
			snprintf(s->why, sizeof(s->why),
				 "another jifl session (jifl record or jifl top) is running: wait for it to end, or stop it");
			return -EBUSY;
		}
		return fail(s, errno, "describing the kernel to jifl.ko");
	}
	return 0;
}

static int attach_flags(struct kernel_session *s, const char *buf,
			size_t len, __u64 flags)
{
	struct jifl_attach at = {
		.size = sizeof(at),
		.flags = flags,
		.patterns = (unsigned long)buf,
		.len = len,
	};

	if (ioctl(s->fd, JIFL_IOC_ATTACH, &at))
		return -errno;
	return 0;
}

static int attach_buf(struct kernel_session *s, const char *buf, size_t len)
{
	return attach_flags(s, buf, len, 0);
}

int ks_attach_functions(struct kernel_session *s, const char *const *globs,
			unsigned int n)
{
	return ks_attach_functions_flags(s, globs, n, 0);
}

int ks_attach_functions_flags(struct kernel_session *s,
			      const char *const *globs, unsigned int n,
			      __u64 flags)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = attach_flags(s, globs[i], strlen(globs[i]) + 1, flags);
		if (ret == -EINVAL) {
			snprintf(s->why, sizeof(s->why),
				 "no traceable kernel function matches '%s' (see /sys/kernel/tracing/available_filter_functions)",
				 globs[i]);
			return ret;
		}
		if (ret)
			return fail(s, -ret, globs[i]);
		s->nr_attached++;
	}
	return 0;
}

/* Whether @name is listed in available_filter_functions (@list). */
static bool traceable(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static char *read_file(const char *path)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap *= 2);

			if (!bigger) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = bigger;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static const char *const tracefs_lists[] = {
	"/sys/kernel/tracing/available_filter_functions",
	"/sys/kernel/debug/tracing/available_filter_functions",
};

/* available_filter_functions, or NULL with a message */
static char *read_available(struct kernel_session *s)
{
	char *avail = NULL;
	unsigned int i;

	for (i = 0; !avail && i < 2; i++)
		avail = read_file(tracefs_lists[i]);
	if (!avail)
		snprintf(s->why, sizeof(s->why),
			 "cannot read available_filter_functions: mount tracefs (mount -t tracefs none /sys/kernel/tracing)");
	return avail;
}

int ks_attach_syscalls(struct kernel_session *s, const char *list)
{
	char *avail, *names, *name, *save, glob[160];
	unsigned int attached = 0;
	int ret;

	avail = read_available(s);
	if (!avail)
		return -ENOENT;
	if (!list) {
		/* every __x64_sys_X, and __do_sys_X where that is missing */
		const char *p = avail;

		ret = attach_buf(s, "__x64_sys_*", sizeof("__x64_sys_*"));
		if (ret)
			goto out_err;
		attached++;
		while ((p = strstr(p, "\n__do_sys_"))) {
			const char *sys = p + 10;
			size_t n = strcspn(sys, "\n ");

			p = sys;
			snprintf(glob, sizeof(glob), "__x64_sys_%.*s", (int)n, sys);
			if (traceable(avail, glob))
				continue;
			snprintf(glob, sizeof(glob), "__do_sys_%.*s", (int)n, sys);
			if (!attach_buf(s, glob, strlen(glob) + 1))
				attached++;
		}
		goto out;
	}
	names = strdup(list);
	if (!names) {
		free(avail);
		return fail(s, ENOMEM, "attach");
	}
	for (name = strtok_r(names, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		snprintf(glob, sizeof(glob), "__x64_sys_%s", name);
		if (!traceable(avail, glob))
			snprintf(glob, sizeof(glob), "__do_sys_%s", name);
		if (!traceable(avail, glob)) {
			snprintf(s->why, sizeof(s->why),
				 "unknown or untraceable system call '%s'",
				 name);
			free(names);
			free(avail);
			return -EINVAL;
		}
		ret = attach_buf(s, glob, strlen(glob) + 1);
		if (ret) {
			free(names);
			goto out_err;
		}
		attached++;
	}
	free(names);
out:
	free(avail);
	s->nr_attached += attached;
	return 0;
out_err:
	free(avail);
	return fail(s, -ret, "attaching at system calls");
}

int ks_attach_available(struct kernel_session *s, const char *const *names,
			unsigned int n, __u64 flags, const char *what)
{
	unsigned int i, attached = 0;
	char *avail;
	int ret = 0;

	avail = read_available(s);
	if (!avail)
		return -ENOENT;
	for (i = 0; i < n && !ret; i++) {
		if (!traceable(avail, names[i]))
			continue;
		ret = attach_flags(s, names[i], strlen(names[i]) + 1, flags);
		if (!ret)
			attached++;
	}
	free(avail);
	if (ret)
		return fail(s, -ret, what);
	if (!attached) {
		snprintf(s->why, sizeof(s->why),
			 "%s: this kernel can trace none of them", what);
		return -ENOENT;
	}
	s->nr_attached += attached;
	return 0;
}

int ks_filter(struct kernel_session *s, unsigned int mode, const __u64 *pids,
	      unsigned int n)
{
	struct jifl_filter fl = {
		.size = sizeof(fl),
		.mode = mode,
		.pids = (unsigned long)pids,
		.nr_pids = n,
	};

	if (ioctl(s->fd, JIFL_IOC_FILTER, &fl))
		return fail(s, errno, "choosing the traced tasks");
	return 0;
}

int ks_filter_all_but_self(struct kernel_session *s)
{
	__u64 self = getpid();

	return ks_filter(s, JIFL_FILTER_ALL_BUT, &self, 1);
}

int ks_filter_cgroup(struct kernel_session *s, int cgroup_fd)
{
	__u64 self = getpid();
	struct jifl_filter fl = {
		.size = sizeof(fl),
		.mode = JIFL_FILTER_CGROUP,
		.pids = (unsigned long)&self,
		.nr_pids = 1,
		.cgroup_fd = (__u64)cgroup_fd,
	};

	if (!ioctl(s->fd, JIFL_IOC_FILTER, &fl))
		return 0;
	if (errno == EINVAL) {
		snprintf(s->why, sizeof(s->why),
			 "choosing the traced tasks: the loaded jifl.ko has no cgroup filter (older than this jifl): unload it (rmmod jifl) and record again");
		return -EINVAL;
	}
	if (errno == EBADF) {
		snprintf(s->why, sizeof(s->why),
			 "choosing the traced tasks: jifl.ko found no cgroup v2 directory at the descriptor given");
		return -EBADF;
	}
	return fail(s, errno, "choosing the traced tasks by cgroup");
}

/*
 * The tasks jifl.ko last named as staying in its code ("jifl: pid N (comm)
 * stays in jifl code", each batch ended by "task(s) stay in jifl code"),
 * from the kernel log, as "pid N (comm), ..." in @buf; false if the log
 * cannot be read or names none.
 */
static bool pinned_tasks(char *buf, size_t len)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log, *line, *next, batch[256] = "", cur[256] = "";
	int n;

	if (size <= 0 || !(log = malloc((size_t)size + 1)))
		return false;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, size);
	if (n <= 0) {
		free(log);
		return false;
	}
	log[n] = 0;
	for (line = log; line; line = next) {
		char comm[16], *p;
		int pid;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		p = strstr(line, "jifl: pid ");
		if (p && sscanf(p, "jifl: pid %d (%15[^)]) stays in jifl code",
				&pid, comm) == 2) {
			size_t used = strlen(cur);

			snprintf(cur + used, sizeof(cur) - used, "%spid %d (%s)",
				 used ? ", " : "", pid, comm);
		} else if (strstr(line, "task(s) stay in jifl code")) {
			memcpy(batch, cur, sizeof(batch));
			cur[0] = 0;
		}
	}
	free(log);
	if (!batch[0])
		return false;
	snprintf(buf, len, "%s", batch);
	return true;
}

static int ks_start_error(struct kernel_session *s)
{
	struct jifl_stats st;
	char pids[256];

	if (errno != EBUSY)
		return fail(s, errno, "starting");
	/* the module's own reason first: an earlier session still held */
	if (!ks_stats(s, &st) && st.inflight)
		snprintf(s->why, sizeof(s->why),
			 "cannot start: %llu task(s) of an earlier session are still inside jifl's code, holding its code cache and plugins (%s); they leave when their system calls return: wake or kill them, or record with that session's plugins (-e)",
			 (unsigned long long)st.inflight,
			 pinned_tasks(pids, sizeof(pids)) ? pids :
			 "the kernel log names them: dmesg | grep 'stays in jifl code'");
	else
		snprintf(s->why, sizeof(s->why),
			 "cannot start: another IPMODIFY ftrace user (livepatch?) holds an attached function, or a session runs");
	return -EBUSY;
}

int ks_start(struct kernel_session *s, __u64 flags)
{
	/* the first version of the struct: older modules take it too */
	struct jifl_start st = { .size = JIFL_START_SIZE_VER0, .flags = flags };

	if (!ioctl(s->fd, JIFL_IOC_START, &st))
		return 0;
	return ks_start_error(s);
}

char *ks_plugins(struct kernel_session *s)
{
	struct jifl_plugins pl = { .size = sizeof(pl) };
	char *buf = NULL;
	size_t i;

	for (;;) {
		char *bigger = realloc(buf, pl.len + 1);

		if (!bigger) {
			free(buf);
			fail(s, ENOMEM, "listing plugins");
			return NULL;
		}
		buf = bigger;
		pl.buf = (unsigned long)buf;
		if (!ioctl(s->fd, JIFL_IOC_PLUGINS, &pl))
			break;
		if (errno != ENOSPC) {
			free(buf);
			fail(s, errno, "listing plugins");
			return NULL;
		}
	}
	for (i = 0; i + 1 < pl.len; i++)
		if (!buf[i])
			buf[i] = ',';
	buf[pl.len ? pl.len - 1 : 0] = '\0';
	return buf;
}

/* Whether comma-separated @list has @name. */
static bool has_name(const char *list, const char *name, size_t n)
{
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* "a,b" -> "a\0b\0" in @buf, each name registered; else s->why */
static int plugin_names(struct kernel_session *s, const char *names,
			char *buf, size_t *out_len)
{
	char *known;
	const char *p = names;
	size_t len = 0;

	known = ks_plugins(s);
	if (!known)
		return -ENOENT;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n) {
			char name[JIFL_PLUGIN_NAME_MAX];

			if (n < JIFL_PLUGIN_NAME_MAX) {
				memcpy(name, p, n);
				name[n] = '\0';
			}
			if (n >= JIFL_PLUGIN_NAME_MAX ||
			    !has_name(known, name, n)) {
				snprintf(s->why, sizeof(s->why),
					 "no plugin '%.*s' in jifl.ko; registered: %s (a plugin's own module must be loaded first)",
					 (int)n, p, known);
				free(known);
				return -ESRCH;
			}
			if (len + n + 1 > JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX) {
				free(known);
				return fail(s, E2BIG, "too many plugins");
			}
			memcpy(buf + len, name, n + 1);
			len += n + 1;
		}
		p += n + (p[n] == ',');
	}
	free(known);
	*out_len = len;
	return 0;
}

int ks_check_plugins(struct kernel_session *s, const char *names)
{
	char buf[JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX];
	size_t len;

	return plugin_names(s, names, buf, &len);
}

int ks_start_plugins(struct kernel_session *s, const char *names)
{
	struct jifl_start st = { .size = sizeof(st) };
	char buf[JIFL_PLUGINS_MAX * JIFL_PLUGIN_NAME_MAX];
	size_t len;
	int ret;

	ret = plugin_names(s, names, buf, &len);
	if (ret)
		return ret;
	st.plugins = (unsigned long)buf;
	st.plugins_len = len;
	if (!ioctl(s->fd, JIFL_IOC_START, &st))
		return 0;
	if (errno == ESRCH) {
		snprintf(s->why, sizeof(s->why),
			 "a plugin of '%s' went away (its module was unloaded)",
			 names);
		return -ESRCH;
	}
	return ks_start_error(s);
}

int ks_dump(struct kernel_session *s, const char *plugin, void **buf,
	    size_t *len)
{
	struct jifl_dump d = {
		.size = sizeof(d),
		.plugin = (unsigned long)plugin,
	};
	void *b = NULL;

	for (;;) {
		void *bigger = realloc(b, d.needed ? d.needed : 1);

		if (!bigger) {
			free(b);
			return fail(s, ENOMEM, "dumping");
		}
		b = bigger;
		d.buf = (unsigned long)b;
		d.len = d.needed;
		if (!ioctl(s->fd, JIFL_IOC_DUMP, &d))
			break;
		if (errno != ENOSPC) {
			int err = errno;

			free(b);
			if (err == EOPNOTSUPP)
				return -EOPNOTSUPP;
			snprintf(s->why, sizeof(s->why),
				 "reading the %s plugin's data: %s", plugin,
				 strerror(err));
			return -err;
		}
	}
	*buf = b;
	*len = d.len;
	return 0;
}

int ks_stop(struct kernel_session *s)
{
	if (ioctl(s->fd, JIFL_IOC_STOP))
		return fail(s, errno, "stopping");
	return 0;
}

int ks_stats(struct kernel_session *s, struct jifl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (ioctl(s->fd, JIFL_IOC_STATS, st))
		return fail(s, errno, "reading statistics");
	return 0;
}

int ks_blocks(struct kernel_session *s, struct jifl_block_info **blocks,
	      size_t *nr)
{
	struct jifl_blocks bl = { .size = sizeof(bl) };
	struct jifl_block_info *e = NULL;

	do {
		free(e);
		bl.nr = bl.total + 1024;
		e = calloc(bl.nr, sizeof(*e));
		if (!e)
			return fail(s, ENOMEM, "reading blocks");
		bl.entries = (unsigned long)e;
		if (ioctl(s->fd, JIFL_IOC_BLOCKS, &bl)) {
			free(e);
			return fail(s, errno, "reading blocks");
		}
	} while (bl.total > bl.nr);
	*blocks = e;
	*nr = bl.nr;
	return 0;
}
