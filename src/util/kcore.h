/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the running kernel's code bytes through /proc/kcore (root only;
 * not under lockdown=confidentiality): the text as it runs, with
 * alternatives and static keys applied, for disassembly.
 */
#ifndef JIFL_KCORE_H
#define JIFL_KCORE_H

#include <stddef.h>
#include <stdint.h>

struct kcore;

/* Opens @path (NULL: /proc/kcore); NULL with @why filled on failure. */
struct kcore *kcore_open(const char *path, char *why, size_t why_len);
void kcore_close(struct kcore *kc);

/**
 * kcore_read() - copy kernel memory
 * @kc:		open kcore
 * @addr:	kernel virtual address
 * @buf:	destination
 * @len:	bytes wanted
 *
 * Return: bytes copied (less than @len where the mapping ends), or -errno.
 */
long kcore_read(struct kcore *kc, uint64_t addr, void *buf, size_t len);

#endif /* JIFL_KCORE_H */
