/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session with jifl.ko, as the tool drives it: open /dev/jifl
 * (loading the module if needed), describe the kernel, attach, filter,
 * start, stop, and read back statistics and blocks.
 */
#ifndef JIFL_KERNEL_SESSION_H
#define JIFL_KERNEL_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "uapi/jifl.h"

struct kernel_session {
	int fd;
	unsigned int nr_attached;	/* functions attached */
	char why[512];			/* the last error, a sentence */
};

/* Open /dev/jifl, loading the module with modprobe when @load is set. */
int ks_open(struct kernel_session *s, bool load);
void ks_close(struct kernel_session *s);

/* Send the layout of the running kernel (plus the named modules' text). */
int ks_layout(struct kernel_session *s, const char *const *modules,
	      unsigned int nr_modules);

/*
 * Attach at system calls: @list is NULL for all of them, else a
 * comma-separated list of names ("read,openat"). Each resolves to its
 * traceable entry, __x64_sys_NAME or, for system calls without arguments,
 * __do_sys_NAME.
 */
int ks_attach_syscalls(struct kernel_session *s, const char *list);

/* Attach at kernel functions named by ftrace globs. */
int ks_attach_functions(struct kernel_session *s, const char *const *globs,
			unsigned int n);
/* The same with JIFL_ATTACH_* flags: JIFL_ATTACH_SOFTIRQ, softirq actions */
int ks_attach_functions_flags(struct kernel_session *s,
			      const char *const *globs, unsigned int n,
			      __u64 flags);
/*
 * Attach, with JIFL_ATTACH_* @flags, those of the functions @names that
 * this kernel can trace (available_filter_functions): a context's entry
 * points, some of which a kernel may lack or have renamed. -ENOENT when
 * it has none of them; @what names them in the messages.
 */
int ks_attach_available(struct kernel_session *s, const char *const *names,
			unsigned int n, __u64 flags, const char *what);

int ks_filter(struct kernel_session *s, unsigned int mode,
	      const __u64 *pids, unsigned int n);
/*
 * Every task but this process: a system-wide session must not trace the
 * tool's own ring reading and file writing.
 */
int ks_filter_all_but_self(struct kernel_session *s);
/*
 * The tasks in the cgroup v2 directory open at @cgroup_fd and its
 * descendants, decided at each kernel entry, but this process.
 */
int ks_filter_cgroup(struct kernel_session *s, int cgroup_fd);
int ks_start(struct kernel_session *s, __u64 flags);

/*
 * Start with the plugins named in @names (comma-separated; "" for none).
 * An unknown name fails with -ESRCH and s->why naming it and the
 * registered plugins.
 */
int ks_start_plugins(struct kernel_session *s, const char *names);
/* Only the check of ks_start_plugins(): every name is registered. */
int ks_check_plugins(struct kernel_session *s, const char *names);

/*
 * The registered plugins as one comma-separated string (malloc()ed), or
 * NULL with s->why set.
 */
char *ks_plugins(struct kernel_session *s);

/*
 * A plugin's dump (JIFL_IOC_DUMP) into *@buf (malloc()ed, *@len bytes).
 * Return: 0; -EOPNOTSUPP when it has none; other -errno with s->why set.
 */
int ks_dump(struct kernel_session *s, const char *plugin, void **buf,
	    size_t *len);
int ks_stop(struct kernel_session *s);
int ks_stats(struct kernel_session *s, struct jifl_stats *st);

/* The block table; *@blocks is malloc()ed, free it. */
int ks_blocks(struct kernel_session *s, struct jifl_block_info **blocks,
	      size_t *nr);

/* Names of enum jifl_fallback values, for summaries */
const char *ks_fallback_name(unsigned int reason);

#endif /* JIFL_KERNEL_SESSION_H */
