/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `jifl record` stores about the recorded system in the feature
 * sections of jifl.data: kernel release, CPUs, clock, vmlinux build-id,
 * runtime _text (KASLR), modules with build-ids and a kallsyms snapshot.
 */
#ifndef JIFL_SYSINFO_H
#define JIFL_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

#include "util/data-file.h"

struct jifl_sysinfo {
	char release[128];
	uint32_t cpus_online, cpus_configured;
	struct jd_clock clock;
	struct jd_build_id build_id;	/* size 0: /sys/kernel/notes unread */
	struct jd_kernel kernel;
	struct jd_module *modules;
	uint32_t nr_modules;
	struct jd_kallsyms kallsyms;	/* flags JD_KF_ADDRS_HIDDEN if so */
	/* Non-fatal problems, one sentence each, "" when none. */
	char warnings[512];

	/* private: the text the names point into */
	char *kallsyms_text, *modules_text;
};

/**
 * jifl_sysinfo_gather() - collect the feature data of the running system
 * @si:		result; release with jifl_sysinfo_free() (also on failure)
 * @root:	NULL for the live system, or a directory holding proc/ and
 *		sys/ in their place (tests); the release is then read from
 *		@root/proc/sys/kernel/osrelease
 * @why:	on failure, what went wrong and what to do
 * @why_len:	size of @why
 *
 * Only an unreadable kallsyms is fatal.  Hidden addresses (not root, or
 * kernel.kptr_restrict) and missing build-ids are noted in @si->warnings.
 *
 * Return: 0 or -errno.
 */
int jifl_sysinfo_gather(struct jifl_sysinfo *si, const char *root,
			char *why, size_t why_len);

void jifl_sysinfo_free(struct jifl_sysinfo *si);

/**
 * jifl_sysinfo_write() - write the feature sections of a recording
 * @w:		writer
 * @si:		gathered data
 * @argc:	number of arguments of the recorded command line
 * @argv:	the recorded command line
 *
 * Return: 0 or -errno (details in jd_writer_error()).
 */
int jifl_sysinfo_write(struct jd_writer *w, const struct jifl_sysinfo *si,
		       int argc, const char *const *argv);

/**
 * jifl_parse_build_id() - find the GNU build-id in ELF notes
 * @notes:	the notes, in host byte order (/sys/kernel/notes or
 *		/sys/module/NAME/notes/.note.gnu.build-id)
 * @len:	their size
 * @id:		result
 *
 * Return: 0, -ENOENT when there is no NT_GNU_BUILD_ID note, -EINVAL when
 * the notes are malformed or the build-id longer than JD_BUILD_ID_MAX.
 */
int jifl_parse_build_id(const void *notes, size_t len,
			struct jd_build_id *id);

/* Reads the notes file @path and parses it as above; 0 or -errno. */
int jifl_read_build_id(const char *path, struct jd_build_id *id);

#endif /* JIFL_SYSINFO_H */
