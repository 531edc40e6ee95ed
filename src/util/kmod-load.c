// SPDX-License-Identifier: GPL-2.0
/*
 * Loading jifl.ko; see kmod-load.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/kmod-load.h"

static bool loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

static int run_quietly(const char *prog, const char *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* "none", "integrity" or "confidentiality"; "" when unknown */
static void lockdown_mode(char *buf, size_t len)
{
	char line[128], *a, *b;
	FILE *fp = fopen("/sys/kernel/security/lockdown", "re");

	buf[0] = '\0';
	if (!fp)
		return;
	if (fgets(line, sizeof(line), fp)) {
		a = strchr(line, '[');
		b = a ? strchr(a, ']') : NULL;
		if (a && b && (size_t)(b - a) < len) {
			memcpy(buf, a + 1, b - a - 1);
			buf[b - a - 1] = '\0';
		}
	}
	fclose(fp);
}

int kmod_vermagic(const char *path, char *buf, size_t len)
{
	static const char key[] = "vermagic=";
	struct stat st;
	char *data, *p, *end;
	int fd, ret = -ENOENT;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (64 << 20)) {
		close(fd);
		return -EINVAL;
	}
	data = malloc(st.st_size + 1);
	if (!data || read(fd, data, st.st_size) != st.st_size) {
		free(data);
		close(fd);
		return -EIO;
	}
	close(fd);
	data[st.st_size] = '\0';
	end = data + st.st_size;
	/* .modinfo holds NUL-separated "key=value" strings */
	for (p = data; p + sizeof(key) < end; p++) {
		size_t n;

		if (*p != 'v' || memcmp(p, key, sizeof(key) - 1) ||
		    (p > data && p[-1] != '\0'))
			continue;
		p += sizeof(key) - 1;
		n = strcspn(p, " ");
		if (n >= len)
			n = len - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		ret = 0;
		break;
	}
	free(data);
	return ret;
}

static int finit(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = errno == EEXIST ? 0 : -errno;
	close(fd);
	return ret;
}

/* The build tree jifl runs from: <tree>/src/jifl -> <tree>/build/kmod-REL */
static bool build_dir(const char *release, char *dir, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';			/* <tree>/src */
	slash = strrchr(exe, '/');
	if (!slash || strcmp(slash, "/src"))
		return false;
	*slash = '\0';
	if (strlen(exe) + strlen(release) + 13 >= len)
		return false;
	strcpy(dir, exe);
	strcat(dir, "/build/kmod-");
	strcat(dir, release);
	return stat(dir, &st) == 0;
}

/* Loads jifl_cache.ko then jifl.ko from @dir; 1 when @dir has none. */
static int insmod_from(const char *dir, const char *release, char *why,
		       size_t why_len, const char *lockdown)
{
	static const char *const mods[] = { "jifl_cache", "jifl" };
	char path[PATH_MAX], magic[256];
	unsigned int i;
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/jifl.ko", dir);
	if (stat(path, &st))
		return 1;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.ko", dir, mods[i]);
		if (loaded(mods[i]))
			continue;
		if (!kmod_vermagic(path, magic, sizeof(magic)) &&
		    strcmp(magic, release)) {
			snprintf(why, why_len,
				 "%s was built for Linux %s, but this kernel is %s: install linux-headers-%s, rebuild jifl (./configure && make) and install it (sudo make install)",
				 path, magic, release, release);
			return -ENOEXEC;
		}
		ret = finit(path);
		if (ret == -EPERM || ret == -EKEYREJECTED ||
		    ret == -ENOKEY || ret == -EBADMSG) {
			if (lockdown[0] && strcmp(lockdown, "none"))
				snprintf(why, why_len,
					 "the kernel is locked down (%s, usually Secure Boot) and refuses the unsigned %s: sign it with a key enrolled through mokutil (see kmod/README), or turn Secure Boot off",
					 lockdown, path);
			else
				snprintf(why, why_len,
					 "loading %s: %s (module signature enforced? sign it, or boot with module.sig_enforce=0)",
					 path, strerror(-ret));
			return ret;
		}
		if (ret) {
			snprintf(why, why_len, "loading %s: %s%s", path,
				 strerror(-ret), ret == -ENOEXEC ?
				 " (built for another kernel: rebuild it against this kernel's headers)" :
				 "; see dmesg");
			return ret;
		}
	}
	return 0;
}

/*
 * Says where jifl.ko was looked for and how to get one: the jifl-dkms
 * package, or a source build.  With jifl-dkms installed (DKMS knows the
 * module) the likely cause is missing headers, so say that instead.
 */
static void no_module_hint(const char *release, const char *lockdown,
			   char *why, size_t why_len)
{
	const char *locked = lockdown[0] && strcmp(lockdown, "none") ?
		"; the kernel is locked down (Secure Boot): the module must also be signed (see kmod/README)" : "";
	struct stat st;

	if (stat("/var/lib/dkms/jifl", &st) == 0)
		snprintf(why, why_len,
			 "no jifl.ko for this kernel (%s) in /lib/modules/%s (modprobe jifl): jifl-dkms is installed but DKMS has not built the module for %s: install linux-headers-%s, then run `sudo dkms autoinstall -k %s` and see `dkms status jifl`%s",
			 release, release, release, release, release, locked);
	else
		snprintf(why, why_len,
			 "no jifl.ko for this kernel (%s): install linux-headers-%s, then build and install jifl: the Debian package `sudo apt install jifl-dkms` (DKMS builds it for every kernel), or from source `./configure && make && sudo make install`; looked for it by `modprobe jifl`, in /lib/modules/%s/extra and in the build tree this jifl runs from%s",
			 release, release, release, locked);
}

int kmod_load_jifl(char *why, size_t why_len)
{
	char release[256], lockdown[64], dir[PATH_MAX];
	struct utsname u;
	int ret;

	if (loaded("jifl"))
		return 0;
	if (geteuid() != 0) {
		snprintf(why, why_len,
			 "jifl.ko is not loaded, and loading it needs root: run `sudo modprobe jifl`, or run jifl with sudo");
		return -EPERM;
	}
	uname(&u);
	snprintf(release, sizeof(release), "%s", u.release);
	lockdown_mode(lockdown, sizeof(lockdown));

	if (run_quietly("modprobe", "jifl") == 0 && loaded("jifl"))
		return 0;
	snprintf(dir, sizeof(dir), "/lib/modules/%s/extra", release);
	ret = insmod_from(dir, release, why, why_len, lockdown);
	if (ret == 1 && build_dir(release, dir, sizeof(dir)))
		ret = insmod_from(dir, release, why, why_len, lockdown);
	if (ret == 1) {
		no_module_hint(release, lockdown, why, why_len);
		return -ENOENT;
	}
	return ret;
}
