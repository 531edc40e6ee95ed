// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kcore reader; see kcore.h.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/kcore.h"

struct kcore {
	int fd;
	Elf64_Phdr *ph;
	unsigned int nr;
};

struct kcore *kcore_open(const char *path, char *why, size_t why_len)
{
	struct kcore *kc;
	Elf64_Ehdr eh;
	size_t sz;

	if (!path)
		path = "/proc/kcore";
	kc = calloc(1, sizeof(*kc));
	if (!kc) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	kc->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (kc->fd < 0) {
		snprintf(why, why_len, "%s: %s%s", path, strerror(errno),
			 errno == EPERM || errno == EACCES ?
			 " (run as root; under kernel lockdown kcore is closed)" : "");
		free(kc);
		return NULL;
	}
	if (pread(kc->fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum) {
		snprintf(why, why_len, "%s: not a 64-bit ELF core", path);
		goto fail;
	}
	sz = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	kc->ph = malloc(sz);
	if (!kc->ph || pread(kc->fd, kc->ph, sz, eh.e_phoff) != (ssize_t)sz) {
		snprintf(why, why_len, "%s: cannot read its program headers",
			 path);
		goto fail;
	}
	kc->nr = eh.e_phnum;
	return kc;
fail:
	kcore_close(kc);
	return NULL;
}

void kcore_close(struct kcore *kc)
{
	if (!kc)
		return;
	if (kc->fd >= 0)
		close(kc->fd);
	free(kc->ph);
	free(kc);
}

long kcore_read(struct kcore *kc, uint64_t addr, void *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < kc->nr; i++) {
		const Elf64_Phdr *p = &kc->ph[i];
		uint64_t avail;
		ssize_t n;

		if (p->p_type != PT_LOAD || addr < p->p_vaddr ||
		    addr - p->p_vaddr >= p->p_filesz)
			continue;
		avail = p->p_filesz - (addr - p->p_vaddr);
		if (len > avail)
			len = avail;
		n = pread(kc->fd, buf, len, p->p_offset + (addr - p->p_vaddr));
		return n < 0 ? -errno : n;
	}
	return -EFAULT;
}
