// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 directories for -G/--cgroup: find the cgroup2 mount in
 * /proc/self/mountinfo and open a cgroup by its path there, with errors
 * that say which of "no cgroup2 mount", "no such cgroup" and "not cgroup
 * v2" it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cgroup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC	0x27e0eb
#endif

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/*
 * A cgroup2 mount from /proc/self/mountinfo: with @path NULL the first one
 * whose root is the hierarchy's root (where relative paths are resolved);
 * otherwise the one with the longest mount point containing @path (a real
 * path), its root in @root (a subtree when a cgroup is bind-mounted).
 */
static int cgroup2_mount(const char *path, char *mnt, size_t len, char *root_out,
			 size_t root_len)
{
	FILE *fp = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	size_t best = 0;
	int found = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char root[PATH_MAX], point[PATH_MAX], type[64];
		const char *sep = strstr(line, " - ");
		size_t n;

		/* id parent major:minor root mount-point ... - type source */
		if (!sep || sscanf(sep + 3, "%63s", type) != 1 ||
		    strcmp(type, "cgroup2") ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2)
			continue;
		unescape(root);
		unescape(point);
		n = strlen(point);
		if (n >= len || strlen(root) >= root_len)
			continue;
		if (!path) {
			if (strcmp(root, "/"))
				continue;
		} else if (strncmp(path, point, n) ||
			   (path[n] != '/' && path[n] && n != 1) ||
			   (found && n < best)) {
			continue;
		}
		snprintf(mnt, len, "%s", point);
		snprintf(root_out, root_len, "%s", root);
		best = n;
		found = 1;
		if (!path)
			break;
	}
	fclose(fp);
	return found;
}

int cgroup_open(const char *path, char *name, size_t name_len, char *why,
		size_t why_len)
{
	char mnt[PATH_MAX], root[PATH_MAX], full[PATH_MAX * 2], real[PATH_MAX];
	char where[PATH_MAX + 64];
	struct statfs sfs = { .f_type = 0 };
	const char *rest;
	size_t n;
	int fd;

	if (!cgroup2_mount(NULL, mnt, sizeof(mnt), root, sizeof(root))) {
		snprintf(why, why_len,
			 "no cgroup2 file system is mounted (none in /proc/self/mountinfo); mount one: mount -t cgroup2 none /sys/fs/cgroup");
		return -1;
	}
	snprintf(where, sizeof(where), "the cgroup2 mount %s", mnt);
	/* an absolute path is the directory itself, a relative one is the mount's */
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s%s%s", mnt,
			 strcmp(mnt, "/") ? "/" : "", path);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(why, why_len,
				 "no cgroup '%s': %s does not exist (cgroups are directories under %s)",
				 path, full, where);
		else
			snprintf(why, why_len, "cgroup '%s': %s: %s", path,
				 full, strerror(errno));
		return -1;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    !realpath(full, real) ||
	    !cgroup2_mount(real, mnt, sizeof(mnt), root, sizeof(root))) {
		snprintf(why, why_len,
			 "'%s' (%s) is not a cgroup v2 directory%s; -G takes one under %s, or a path relative to it",
			 path, full,
			 sfs.f_type == CGROUP_SUPER_MAGIC ?
			 " (it is on a cgroup v1 hierarchy)" : "", where);
		close(fd);
		return -1;
	}
	/* the name from the hierarchy's root: the mount's root, then the rest */
	n = strlen(mnt);
	rest = n == 1 ? real : real + n;
	if (!strcmp(root, "/"))
		snprintf(name, name_len, "%s", *rest ? rest : "/");
	else
		snprintf(name, name_len, "%s%s", root, rest);
	return fd;
}
