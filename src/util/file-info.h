/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a recording says about itself: the header of `jifl info` and
 * `jifl report --header-only`, as "# key : value" text or one JSON
 * object.  Everything comes from the decoded jifl.data (data-file.h):
 * the file, the recorded command and system (kernel, build-ids, modules,
 * CPUs, clock), what was recorded (block table, counters, event chunks,
 * plugins' dumps) and its losses, per CPU.
 */
#ifndef JIFL_FILE_INFO_H
#define JIFL_FILE_INFO_H

#include <stdbool.h>
#include <stdio.h>

#include "util/data-file.h"

/**
 * file_info_print() - print a recording's header
 * @fp:		stream
 * @f:		the open file
 * @path:	its name, as the user gave it
 * @json:	one JSON object (fields in man/jifl-info.1) instead of text
 *
 * Return: 0, or -ENOMEM (nothing printed).
 */
int file_info_print(FILE *fp, const struct jd_file *f, const char *path,
		    bool json);

/* Prints an argument so that a shell would read it back the same. */
void file_info_shell_word(FILE *fp, const char *s);

#endif /* JIFL_FILE_INFO_H */
