/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JIFL_UTIL_CSV_WRITE_H
#define JIFL_UTIL_CSV_WRITE_H

#include <stdio.h>

/*
 * One CSV field (RFC 4180): quoted, with quotes doubled, only when it
 * holds a comma, a quote or a line break. NULL writes an empty field.
 */
void csv_write_str(FILE *fp, const char *s);

#endif
