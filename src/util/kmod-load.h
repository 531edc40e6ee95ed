/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading jifl.ko (and jifl_cache.ko, which it needs) when /dev/jifl is
 * missing: modprobe, else the .ko files installed under
 * /lib/modules/$(uname -r)/extra, else those of the build tree the jifl
 * binary runs from; and, when none can be loaded, exactly why and what to
 * do: not root, a locked-down kernel (Secure Boot) refusing unsigned
 * modules, modules built for another kernel (vermagic), none built.
 */
#ifndef JIFL_KMOD_LOAD_H
#define JIFL_KMOD_LOAD_H

#include <stddef.h>

/**
 * kmod_load_jifl() - load jifl.ko
 * @why:	on failure, what went wrong and what to do
 * @why_len:	size of @why
 *
 * Return: 0 when jifl.ko is loaded (now or already), else -errno.
 */
int kmod_load_jifl(char *why, size_t why_len);

/**
 * kmod_vermagic() - the kernel release a .ko was built for
 * @path:	the module file
 * @buf:	the first word of its vermagic ("6.1.0-56-amd64")
 * @len:	size of @buf
 *
 * Return: 0, or -errno (-ENOENT when the file has no vermagic).
 */
int kmod_vermagic(const char *path, char *buf, size_t len);

#endif /* JIFL_KMOD_LOAD_H */
