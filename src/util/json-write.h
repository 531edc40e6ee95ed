/* SPDX-License-Identifier: GPL-2.0 */
/* Writing JSON values: the one string escaper of every --json output. */
#ifndef JIFL_JSON_WRITE_H
#define JIFL_JSON_WRITE_H

#include <stdio.h>

/* @s as a JSON string (quotes, backslashes, control bytes escaped); NULL: null */
void json_write_str(FILE *fp, const char *s);

#endif /* JIFL_JSON_WRITE_H */
