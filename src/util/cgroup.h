/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 directories for -G/--cgroup: find the cgroup2 mount in
 * /proc/self/mountinfo and open a cgroup by its path there.
 */
#ifndef JIFL_CGROUP_H
#define JIFL_CGROUP_H

#include <stddef.h>

/**
 * cgroup_open() - open a cgroup v2 directory
 * @path:	an absolute path, used as it is and refused unless it is on
 *		a cgroup2 file system (statfs), or a path relative to the
 *		cgroup2 mount ("user.slice" is /sys/fs/cgroup/user.slice
 *		when that is the mount; "/user.slice" is not)
 * @name:	out: the cgroup's path from the hierarchy's root ("/" for the
 *		root), as /proc/PID/cgroup shows it
 * @name_len:	bytes at @name
 * @why:	out: the reason on failure, a sentence
 * @why_len:	bytes at @why
 *
 * Return: an O_RDONLY|O_DIRECTORY descriptor, or -1 with @why set.
 */
int cgroup_open(const char *path, char *name, size_t name_len, char *why,
		size_t why_len);

#endif /* JIFL_CGROUP_H */
